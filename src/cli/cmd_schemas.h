/*
 * cmd_schemas.h — `tidewater schemas ...`: tooling for the owners of
 * contract-first event schemas (a directory of .avsc files).
 *
 *   schemas check DIR [--registry URL] [--strategy S] [--topic T]
 *       load DIR, one line per record; with --registry, whether the
 *       registry would accept each event record under its subject.
 *   schemas asyncapi CONFIG [-o FILE] [--info-version V]
 *       an AsyncAPI 3.0.0 document (JSON) of what the connector sends.
 *
 * Exit status: 0 all good, 1 a check failed (invalid, incompatible,
 * registry unreachable, output not written), 2 usage or input errors.
 */
#ifndef TW_CMD_SCHEMAS_H
#define TW_CMD_SCHEMAS_H

/* argv[0] is "schemas". */
int tw_cmd_schemas(int argc, char **argv);

#endif /* TW_CMD_SCHEMAS_H */
