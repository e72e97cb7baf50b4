/*
 * test_envelope_row.c — the value a NOT NULL column without a DEFAULT gets
 * when a key-only before-image (a DELETE under REPLICA IDENTITY DEFAULT or
 * INDEX) lacks it: Debezium's converters' fallback for each type and mode,
 * as test_debezium_diff.py's plain_nn table shows them (configurations
 * plain, nn_a .. nn_d), through JsonConverter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/connect_schema.h"
#include "codec/converter.h"
#include "pg/relcache.h"
#include "transforms/envelope_row.h"
#include "util/arena.h"

#define NUMERIC_TYPMOD(p, s) ((((p) << 16) | (s)) + 4)

/* The JSON of a null NOT NULL column of (oid, typmod) in a before-image. */
static void expect_zero(int decimal, int time, int binary, int interval, uint32_t oid,
                        int32_t typmod, const char *expect)
{
    tw_cs_options_t o = tw_cs_options_default;
    tw_rel_col_t col;
    tw_rel_t rel;
    tw_pgoutput_col_t null_col = {TW_PGOUTPUT_COL_NULL, 0, NULL};
    tw_pgoutput_tuple_t tuple = {1, &null_col};
    tw_cs_t *row = tw_cs_new(TW_CS_STRUCT, true, "t.Value");
    tw_arena_t *arena = tw_arena_new(4096);
    tw_converter_config_t cfg;
    tw_converter_t *conv;
    tw_datum_t out;
    tw_buf_t json = TW_BUF_INIT;
    char errstr[256];

    o.decimal = decimal;
    o.time = time;
    o.binary = binary;
    o.interval = interval;
    memset(&col, 0, sizeof(col));
    col.name = "z";
    col.type_oid = col.value_oid = oid;
    col.typmod = col.value_typmod = typmod;
    memset(&rel, 0, sizeof(rel));
    rel.nspname = "public";
    rel.relname = "t";
    rel.ncols = 1;
    rel.cols = &col;
    tw_cs_add_field(row, "z", tw_cs_for_column_opts(oid, typmod, false, &o));
    if (tw_envelope_row(row, "__tw_unavailable", &rel, &tuple, NULL, arena, &out, errstr,
                        sizeof(errstr)) != TW_OK)
        fail_msg("%s", errstr);
    memset(&cfg, 0, sizeof(cfg));
    cfg.kind = TW_CONVERTER_JSON;
    assert_int_equal(tw_converter_new(&cfg, false, &conv, errstr, sizeof(errstr)), TW_OK);
    if (tw_converter_encode(conv, "t", row->fields[0].schema, &out.fields[0], &json, errstr,
                            sizeof(errstr)) != TW_OK)
        fail_msg("type %u: %s", (unsigned)oid, errstr);
    tw_buf_append_char(&json, '\0');
    if (strcmp(json.data, expect) != 0)
        fail_msg("type %u typmod %d: %s, expected %s", (unsigned)oid, (int)typmod, json.data,
                 expect);
    tw_buf_free(&json);
    tw_converter_destroy(conv);
    tw_arena_destroy(arena);
    tw_cs_unref(row);
}

static void test_temporal(void **state)
{
    (void)state;
    expect_zero(0, TW_TIME_ADAPTIVE, 0, 0, TW_OID_TIMESTAMPTZ, -1, "\"1970-01-01T00:00:00Z\"");
    expect_zero(0, TW_TIME_ADAPTIVE, 0, 0, TW_OID_TIMESTAMPTZ, 3, "\"1970-01-01T00:00:00Z\"");
    expect_zero(0, TW_TIME_ADAPTIVE, 0, 0, TW_OID_TIMETZ, -1, "\"00:00:00Z\"");
    expect_zero(0, TW_TIME_ADAPTIVE, 0, 0, TW_OID_DATE, -1, "0");
    expect_zero(0, TW_TIME_ADAPTIVE, 0, 0, TW_OID_TIME, -1, "0");
    expect_zero(0, TW_TIME_ADAPTIVE, 0, 0, TW_OID_TIMESTAMP, 3, "0");
    expect_zero(0, TW_TIME_CONNECT, 0, 0, TW_OID_TIMESTAMP, -1, "0");
    /* Debezium stops here (D17): tidewater writes the epoch as in the
     * other modes. */
    expect_zero(0, TW_TIME_NANOSECONDS, 0, 0, TW_OID_TIMESTAMP, -1, "0");
    expect_zero(0, TW_TIME_NANOSECONDS, 0, 0, TW_OID_TIME, -1, "0");
    expect_zero(0, TW_TIME_ISOSTRING, 0, 0, TW_OID_DATE, -1, "\"1970-01-01Z\"");
    expect_zero(0, TW_TIME_ISOSTRING, 0, 0, TW_OID_TIME, -1, "\"00:00:00Z\"");
    expect_zero(0, TW_TIME_ISOSTRING, 0, 0, TW_OID_TIMESTAMP, -1, "\"1970-01-01T00:00:00Z\"");
    expect_zero(0, TW_TIME_ISOSTRING, 0, 0, TW_OID_TIMESTAMPTZ, -1, "\"1970-01-01T00:00:00Z\"");
    expect_zero(0, 0, 0, TW_INTERVAL_NUMERIC, TW_OID_INTERVAL, -1, "0");
    expect_zero(0, 0, 0, TW_INTERVAL_STRING, TW_OID_INTERVAL, -1, "\"P0Y0M0DT0H0M0S\"");
}

static void test_numbers(void **state)
{
    (void)state;
    /* Decimal's unscaled 0 is one zero byte (base64 AA==), at any scale. */
    expect_zero(TW_DECIMAL_PRECISE, 0, 0, 0, TW_OID_NUMERIC, NUMERIC_TYPMOD(12, 3), "\"AA==\"");
    expect_zero(TW_DECIMAL_PRECISE, 0, 0, 0, TW_OID_NUMERIC, -1, "{\"scale\":0,\"value\":\"AA==\"}");
    expect_zero(TW_DECIMAL_PRECISE, 0, 0, 0, TW_OID_MONEY, -1, "\"AA==\"");
    expect_zero(TW_DECIMAL_DOUBLE, 0, 0, 0, TW_OID_NUMERIC, NUMERIC_TYPMOD(12, 3), "0.0");
    expect_zero(TW_DECIMAL_DOUBLE, 0, 0, 0, TW_OID_MONEY, -1, "0.0");
    /* The string mode keeps the column's scale. */
    expect_zero(TW_DECIMAL_STRING, 0, 0, 0, TW_OID_NUMERIC, NUMERIC_TYPMOD(12, 3), "\"0.000\"");
    expect_zero(TW_DECIMAL_STRING, 0, 0, 0, TW_OID_NUMERIC, NUMERIC_TYPMOD(5, 0), "\"0\"");
    expect_zero(TW_DECIMAL_STRING, 0, 0, 0, TW_OID_NUMERIC, -1, "\"0\"");
    expect_zero(TW_DECIMAL_STRING, 0, 0, 0, TW_OID_MONEY, -1, "\"0.00\"");
    expect_zero(0, 0, 0, 0, TW_OID_INT8, -1, "0");
    expect_zero(0, 0, 0, 0, TW_OID_FLOAT4, -1, "0.0");
}

static void test_others(void **state)
{
    (void)state;
    expect_zero(0, 0, 0, 0, TW_OID_BOOL, -1, "false");
    expect_zero(0, 0, 0, 0, TW_OID_BIT, 1, "false");
    expect_zero(0, 0, 0, 0, TW_OID_BIT, 10, "\"\"");
    expect_zero(0, 0, 0, 0, TW_OID_VARBIT, 8, "\"\"");
    expect_zero(0, 0, TW_BINARY_BYTES, 0, TW_OID_BYTEA, -1, "\"\"");
    expect_zero(0, 0, TW_BINARY_HEX, 0, TW_OID_BYTEA, -1, "\"\"");
    expect_zero(0, 0, TW_BINARY_BASE64, 0, TW_OID_BYTEA, -1, "\"\"");
    /* Strings, even where "" is no value of the type. */
    expect_zero(0, 0, 0, 0, TW_OID_TEXT, -1, "\"\"");
    expect_zero(0, 0, 0, 0, TW_OID_UUID, -1, "\"\"");
    expect_zero(0, 0, 0, 0, TW_OID_JSONB, -1, "\"\"");
    expect_zero(0, 0, 0, 0, TW_OID_INT4_ARRAY, -1, "[]");
    expect_zero(0, 0, 0, 0, TW_OID_TEXT_ARRAY, -1, "[]");
    /* POINT(0 0) in WKB. */
    expect_zero(0, 0, 0, 0, TW_OID_POINT, -1,
                "{\"x\":0.0,\"y\":0.0,\"wkb\":\"AQEAAAAAAAAAAAAAAAAAAAAAAAAA\",\"srid\":null}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_temporal),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
