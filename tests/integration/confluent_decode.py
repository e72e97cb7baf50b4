#!/usr/bin/env python3
"""Decodes Kafka records with Confluent's own deserializer: run by the
virtualenv's python (confluent-kafka 2.x from PyPI, fastavro underneath),
never imported by the main suite except for plain().

stdin: {"url": REGISTRY_URL, "records": [{"topic": T, "key": B64|null,
"value": B64|null}, ...]}
stdout: [[key, value], ...] decoded by AvroDeserializer with the writer's
schema fetched by SchemaRegistryClient, passed through plain().
"""
import base64
import datetime
import decimal
import json
import sys
import uuid


def plain(x):
    """A JSON-able form where Avro's logical types stay recognizable, so
    two decoders' outputs compare equal exactly when the values do."""
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, datetime.datetime):
        return {"$datetime": x.isoformat()}
    if isinstance(x, datetime.date):
        return {"$date": x.isoformat()}
    if isinstance(x, datetime.time):
        return {"$time": x.isoformat()}
    if isinstance(x, decimal.Decimal):
        return {"$decimal": str(x)}
    if isinstance(x, (bytes, bytearray)):
        return {"$bytes": bytes(x).hex()}
    if isinstance(x, uuid.UUID):
        return str(x)
    return x


def main():
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    request = json.load(sys.stdin)
    client = SchemaRegistryClient({"url": request["url"]})
    deserializer = AvroDeserializer(client)  # no reader schema: the writer's
    out = []
    for r in request["records"]:
        pair = []
        for field, kind in (("key", MessageField.KEY), ("value", MessageField.VALUE)):
            data = r[field]
            if data is None:
                pair.append(None)
                continue
            ctx = SerializationContext(r["topic"], kind)
            pair.append(plain(deserializer(base64.b64decode(data), ctx)))
        out.append(pair)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
