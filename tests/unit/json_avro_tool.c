/*
 * json_avro_tool.c — a test driver for json_avro: loads a schema directory,
 * reads a JSON payload on stdin and writes its Avro binary encoding to
 * stdout. Built by `make check` for tests/integration/
 * test_json_avro_roundtrip.py; not installed.
 *
 *   json_avro_tool [--unknown-fields=fail] SCHEMA_DIR RECORD < payload.json
 *   json_avro_tool --schema SCHEMA_DIR RECORD    (prints the schema text)
 *   json_avro_tool --list SCHEMA_DIR             (name<TAB>file per record)
 *
 * Exit status 1 with the error on stderr when anything fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avsc_catalog.h"
#include "codec/json_avro.h"

static int usage(void)
{
    fprintf(stderr, "usage: json_avro_tool [--schema|--list|--unknown-fields=fail] "
                    "SCHEMA_DIR [RECORD] < payload.json\n");
    return 2;
}

int main(int argc, char **argv)
{
    tw_json_avro_opts_t opts = {.unknown_fields = TW_JSON_AVRO_UNKNOWN_IGNORE};
    tw_avsc_catalog_t *cat = NULL;
    const tw_avsc_schema_t *record;
    tw_buf_t input = TW_BUF_INIT, out = TW_BUF_INIT;
    bool print_schema = false, list = false;
    char errstr[1024], chunk[4096];
    size_t n;
    int argi = 1, status = 1;

    for (; argi < argc && strncmp(argv[argi], "--", 2) == 0; argi++) {
        if (strcmp(argv[argi], "--schema") == 0)
            print_schema = true;
        else if (strcmp(argv[argi], "--list") == 0)
            list = true;
        else if (strcmp(argv[argi], "--unknown-fields=fail") == 0)
            opts.unknown_fields = TW_JSON_AVRO_UNKNOWN_FAIL;
        else
            return usage();
    }
    if (argc - argi != (list ? 1 : 2))
        return usage();
    if (tw_avsc_catalog_load(argv[argi], tw_json_avro_encode_default, &cat, errstr,
                             sizeof(errstr)) != TW_OK) {
        fprintf(stderr, "%s\n", errstr);
        goto cleanup;
    }
    if (list) {
        for (size_t i = 0; i < tw_avsc_catalog_record_count(cat); i++) {
            record = tw_avsc_catalog_record_at(cat, i);
            printf("%s\t%s\n", record->fullname, record->file);
        }
        status = 0;
        goto cleanup;
    }
    record = tw_avsc_catalog_find(cat, argv[argi + 1]);
    if (record == NULL) {
        fprintf(stderr, "no record \"%s\" (or the short name is ambiguous)\n", argv[argi + 1]);
        goto cleanup;
    }
    if (print_schema) {
        printf("%s\n", record->text);
        status = 0;
        goto cleanup;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
        tw_buf_append(&input, chunk, n);
    if (tw_json_avro_encode_text(record, input.data ? input.data : "", input.len, &opts, &out,
                                 errstr, sizeof(errstr)) != TW_OK) {
        fprintf(stderr, "%s\n", errstr);
        goto cleanup;
    }
    if (out.len > 0) /* a record of nulls encodes to nothing (and out.data stays NULL) */
        fwrite(out.data, 1, out.len, stdout);
    status = 0;
cleanup:
    tw_buf_free(&input);
    tw_buf_free(&out);
    tw_avsc_catalog_destroy(cat);
    return status;
}
