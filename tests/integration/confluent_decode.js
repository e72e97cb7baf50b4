// Decodes Kafka records with Confluent's Node.js deserializer
// (@confluentinc/schemaregistry from npm, avsc underneath); the same
// stdin/stdout contract as confluent_decode.py. Buffers come out as
// {"$bytes": hex}; other logical types are left to JSON.stringify.
'use strict';
const { SchemaRegistryClient, AvroDeserializer, SerdeType } =
  require('@confluentinc/schemaregistry');

function plain(x) {
  if (Buffer.isBuffer(x)) return { $bytes: x.toString('hex') };
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === 'object' && !(x instanceof Date)) {
    const out = {};
    for (const [k, v] of Object.entries(x)) out[k] = plain(v);
    return out;
  }
  return x;
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const request = JSON.parse(input);
  const client = new SchemaRegistryClient({ baseURLs: [request.url] });
  const keys = new AvroDeserializer(client, SerdeType.KEY, {});
  const values = new AvroDeserializer(client, SerdeType.VALUE, {});
  const out = [];
  for (const r of request.records) {
    const pair = [];
    for (const [field, deser] of [['key', keys], ['value', values]]) {
      if (r[field] === null) {
        pair.push(null);
        continue;
      }
      pair.push(plain(await deser.deserialize(r.topic, Buffer.from(r[field], 'base64'))));
    }
    out.push(pair);
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
