// Validates AsyncAPI documents with the AsyncAPI parser (its JSON Schema for
// the document's version plus its semantic rules) and, through the Avro
// schema parser, every Avro payload schema. Prints each diagnostic as one
// JSON line; exits 1 when any is an error (or the document does not parse),
// 2 on usage errors.
//
//   NODE_PATH=<dir>/node_modules node validate.js FILE...
'use strict';

const fs = require('fs');
const { Parser } = require('@asyncapi/parser');
const { AvroSchemaParser } = require('@asyncapi/avro-schema-parser');

const SEVERITY = ['error', 'warning', 'info', 'hint'];

async function validate(parser, file) {
  const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'), {
    source: file,
  });
  let errors = 0;
  for (const d of diagnostics) {
    const severity = SEVERITY[d.severity] || String(d.severity);
    if (d.severity === 0) errors++;
    console.log(JSON.stringify({ file, severity, code: d.code, path: (d.path || []).join('/'),
                                 message: d.message }));
  }
  if (document === undefined && errors === 0) {
    console.log(JSON.stringify({ file, severity: 'error', message: 'no document' }));
    errors++;
  }
  if (document !== undefined)
    console.log(JSON.stringify({ file, severity: 'info', code: 'parsed',
                                 version: document.version() }));
  return errors;
}

async function main(files) {
  if (files.length === 0) {
    console.error('usage: node validate.js FILE...');
    return 2;
  }
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  let errors = 0;
  for (const file of files) errors += await validate(parser, file);
  return errors ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (status) => { process.exitCode = status; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; });
