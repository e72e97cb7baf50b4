/*
 * test_type_modes.c — Debezium's type mapping options (decimal, time,
 * binary, interval modes), enum and DEFAULT schemas, and the values of
 * types kept as PostgreSQL's text (money, timetz, point, bit), through
 * JsonConverter's rendering. The differential test
 * (tests/integration/test_debezium_diff.py) checks the same against
 * Debezium itself; these pin the edge cases it cannot reach cheaply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "codec/column_default.h"
#include "codec/column_schema.h"
#include "codec/connect_schema.h"
#include "codec/converter.h"
#include "codec/datum.h"
#include "codec/hstore.h"
#include "codec/unknown_type.h"
#include "util/java_hash.h"
#include "pg/relcache.h"
#include "util/arena.h"

#define TW_USECS_PER_DAY_TEST INT64_C(86400000000)

static tw_value_t text_value(uint32_t oid, const char *s)
{
    tw_value_t v;

    memset(&v, 0, sizeof(v));
    v.kind = TW_VALUE_TEXT;
    v.type_oid = oid;
    v.unknown_type = true;
    v.u.str.ptr = s;
    v.u.str.len = strlen(s);
    return v;
}

/* JsonConverter (schemas.enable=false) output of one value. */
static void expect_json(tw_cs_t *schema, const tw_value_t *v, const char *expect)
{
    tw_converter_config_t cfg;
    tw_converter_t *conv;
    tw_datum_t d = {v, NULL, NULL};
    tw_buf_t out = TW_BUF_INIT;
    char errstr[256];

    memset(&cfg, 0, sizeof(cfg));
    cfg.kind = TW_CONVERTER_JSON;
    assert_int_equal(tw_converter_new(&cfg, false, &conv, errstr, sizeof(errstr)), TW_OK);
    if (tw_converter_encode(conv, "t", schema, &d, &out, errstr, sizeof(errstr)) != TW_OK)
        fail_msg("%s", errstr);
    tw_buf_append_char(&out, '\0');
    assert_string_equal(out.data, expect);
    tw_buf_free(&out);
    tw_converter_destroy(conv);
    tw_cs_unref(schema);
}

static tw_cs_options_t opts_with(int decimal, int time, int binary, int interval)
{
    tw_cs_options_t o = tw_cs_options_default;
    o.decimal = decimal;
    o.time = time;
    o.binary = binary;
    o.interval = interval;
    return o;
}

static void test_decimal_modes(void **state)
{
    tw_cs_options_t dbl = opts_with(TW_DECIMAL_DOUBLE, 0, 0, 0);
    tw_cs_options_t str = opts_with(TW_DECIMAL_STRING, 0, 0, 0);
    tw_value_t v;
    (void)state;
    memset(&v, 0, sizeof(v));
    v.kind = TW_VALUE_NUMERIC;
    v.type_oid = TW_OID_NUMERIC;
    v.u.str.ptr = "-0.000000001234";
    v.u.str.len = strlen(v.u.str.ptr);
    expect_json(tw_cs_for_column_opts(TW_OID_NUMERIC, -1, true, &dbl), &v, "-1.234E-9");
    expect_json(tw_cs_for_column_opts(TW_OID_NUMERIC, -1, true, &str), &v, "\"-0.000000001234\"");
    v.special = TW_VALUE_NAN;
    v.u.str.ptr = "NaN";
    v.u.str.len = 3;
    expect_json(tw_cs_for_column_opts(TW_OID_NUMERIC, -1, true, &dbl), &v, "\"NaN\"");
    /* Debezium names the special value in string mode. */
    expect_json(tw_cs_for_column_opts(TW_OID_NUMERIC, -1, true, &str), &v, "\"NAN\"");
    /* A Decimal has none: null. */
    expect_json(tw_cs_for_column(TW_OID_NUMERIC, -1, true), &v, "null");
}

static void test_money(void **state)
{
    tw_cs_options_t o = tw_cs_options_default, dbl = opts_with(TW_DECIMAL_DOUBLE, 0, 0, 0);
    tw_value_t v = text_value(TW_OID_MONEY, "-$1,234.56");
    tw_value_t paren = text_value(TW_OID_MONEY, "($0.05)");
    (void)state;
    /* -123456 at scale 2: FE 1D C0; at scale 3: -1234560 = ED 29 80. */
    expect_json(tw_cs_for_column_opts(TW_OID_MONEY, -1, true, &o), &v, "\"/h3A\"");
    o.money_fraction_digits = 3;
    expect_json(tw_cs_for_column_opts(TW_OID_MONEY, -1, true, &o), &v, "\"7SmA\"");
    expect_json(tw_cs_for_column_opts(TW_OID_MONEY, -1, true, &dbl), &v, "-1234.56");
    expect_json(tw_cs_for_column_opts(TW_OID_MONEY, -1, true, &dbl), &paren, "-0.05");
}

static void test_time_modes(void **state)
{
    tw_cs_options_t connect = opts_with(0, TW_TIME_CONNECT, 0, 0);
    tw_cs_options_t iso = opts_with(0, TW_TIME_ISOSTRING, 0, 0);
    tw_cs_options_t nanos = opts_with(0, TW_TIME_NANOSECONDS, 0, 0);
    tw_cs_options_t micro = opts_with(0, TW_TIME_MICROSECONDS, 0, 0);
    tw_cs_options_t atm = opts_with(0, TW_TIME_ADAPTIVE_TIME_MICROSECONDS, 0, 0);
    tw_value_t t, ts;
    tw_cs_t *s;
    (void)state;
    memset(&t, 0, sizeof(t));
    t.kind = TW_VALUE_TIME;
    t.u.i = INT64_C(45296789000); /* 12:34:56.789 */
    memset(&ts, 0, sizeof(ts));
    ts.kind = TW_VALUE_TIMESTAMP;
    ts.u.i = -1000; /* 1999-12-31 23:59:59.999 */
    expect_json(tw_cs_for_column_opts(TW_OID_TIME, 3, true, &connect), &t, "45296789");
    expect_json(tw_cs_for_column_opts(TW_OID_TIME, 3, true, &atm), &t, "45296789000");
    expect_json(tw_cs_for_column_opts(TW_OID_TIME, 3, true, &iso), &t, "\"12:34:56.789Z\"");
    t.u.i = TW_USECS_PER_DAY_TEST; /* 24:00:00, a LocalTime's midnight */
    expect_json(tw_cs_for_column_opts(TW_OID_TIME, 3, true, &iso), &t, "\"00:00:00Z\"");
    expect_json(tw_cs_for_column_opts(TW_OID_TIME, 3, true, &connect), &t, "86400000");
    t.u.i = INT64_C(45296789000);
    expect_json(tw_cs_for_column_opts(TW_OID_TIME, 3, true, &nanos), &t, "45296789000000");
    expect_json(tw_cs_for_column_opts(TW_OID_TIMESTAMP, 3, true, &connect), &ts, "946684799999");
    expect_json(tw_cs_for_column_opts(TW_OID_TIMESTAMP, 3, true, &micro), &ts,
                "946684799999000");
    expect_json(tw_cs_for_column_opts(TW_OID_TIMESTAMP, 3, true, &iso), &ts,
                "\"1999-12-31T23:59:59.999Z\"");
    s = tw_cs_for_column_opts(TW_OID_DATE, -1, true, &connect);
    assert_string_equal(s->name, "org.apache.kafka.connect.data.Date");
    tw_cs_unref(s);
    s = tw_cs_for_column_opts(TW_OID_DATE, -1, true, &iso);
    assert_string_equal(s->name, "io.debezium.time.IsoDate");
    tw_cs_unref(s);
}

/* PostgreSQL's infinities as Debezium 3.6 writes them (observed in the
 * differential test). */
static void test_infinities(void **state)
{
    tw_cs_options_t iso = opts_with(0, TW_TIME_ISOSTRING, 0, 0);
    tw_cs_options_t connect = opts_with(0, TW_TIME_CONNECT, 0, 0);
    tw_cs_options_t nanos = opts_with(0, TW_TIME_NANOSECONDS, 0, 0);
    tw_value_t d, ts;
    (void)state;
    memset(&d, 0, sizeof(d));
    d.kind = TW_VALUE_DATE;
    d.special = TW_VALUE_POS_INFINITY;
    d.u.i = INT64_MAX;
    expect_json(tw_cs_for_column(TW_OID_DATE, -1, true), &d, "-2147472692");
    expect_json(tw_cs_for_column_opts(TW_OID_DATE, -1, true, &iso), &d, "\"-5877611-06-21Z\"");
    memset(&ts, 0, sizeof(ts));
    ts.kind = TW_VALUE_TIMESTAMP;
    ts.special = TW_VALUE_POS_INFINITY;
    ts.u.i = INT64_MAX;
    expect_json(tw_cs_for_column(TW_OID_TIMESTAMP, -1, true), &ts, "9223372036825200000");
    expect_json(tw_cs_for_column_opts(TW_OID_TIMESTAMP, -1, true, &connect), &ts,
                "9223372036825200");
    expect_json(tw_cs_for_column_opts(TW_OID_TIMESTAMP, -1, true, &iso), &ts,
                "\"+294247-01-10T04:00:25.2Z\"");
    expect_json(tw_cs_for_column_opts(TW_OID_TIMESTAMP, -1, true, &nanos), &ts,
                "9223372036854775807");
    ts.special = TW_VALUE_NEG_INFINITY;
    ts.u.i = INT64_MIN;
    expect_json(tw_cs_for_column(TW_OID_TIMESTAMP, 3, true), &ts, "-9223372036832400");
    expect_json(tw_cs_for_column_opts(TW_OID_TIMESTAMP, 3, true, &iso), &ts,
                "\"-290308-12-21T19:59:27.6Z\"");
    ts.kind = TW_VALUE_TIMESTAMPTZ;
    expect_json(tw_cs_for_column(TW_OID_TIMESTAMPTZ, 3, true), &ts, "\"-infinity\"");
}

static void test_binary_and_interval_modes(void **state)
{
    tw_cs_options_t b64 = opts_with(0, 0, TW_BINARY_BASE64, 0);
    tw_cs_options_t url = opts_with(0, 0, TW_BINARY_BASE64_URL_SAFE, 0);
    tw_cs_options_t hex = opts_with(0, 0, TW_BINARY_HEX, 0);
    tw_cs_options_t istr = opts_with(0, 0, 0, TW_INTERVAL_STRING);
    static const uint8_t bytes[] = {0xfb, 0xff, 0x10};
    tw_value_t v, iv;
    (void)state;
    memset(&v, 0, sizeof(v));
    v.kind = TW_VALUE_BYTES;
    v.u.bytes.ptr = bytes;
    v.u.bytes.len = sizeof(bytes);
    expect_json(tw_cs_for_column_opts(TW_OID_BYTEA, -1, true, &b64), &v, "\"+/8Q\"");
    expect_json(tw_cs_for_column_opts(TW_OID_BYTEA, -1, true, &url), &v, "\"-_8Q\"");
    expect_json(tw_cs_for_column_opts(TW_OID_BYTEA, -1, true, &hex), &v, "\"fbff10\"");
    memset(&iv, 0, sizeof(iv));
    iv.kind = TW_VALUE_INTERVAL;
    iv.u.interval.months = 14;
    iv.u.interval.days = 3;
    iv.u.interval.micros = INT64_C(14706700000);
    expect_json(tw_cs_for_column_opts(TW_OID_INTERVAL, -1, true, &istr), &iv,
                "\"P1Y2M3DT4H5M6.7S\"");
    iv.u.interval.months = -178000000 * 12;
    iv.u.interval.days = 0;
    iv.u.interval.micros = 0;
    expect_json(tw_cs_for_column_opts(TW_OID_INTERVAL, -1, true, &istr), &iv,
                "\"P-178000000Y0M0DT0H0M0S\"");
    /* Debezium's MicroDuration saturates where int64 ends. */
    expect_json(tw_cs_for_column(TW_OID_INTERVAL, -1, true), &iv, "-9223372036854775808");
    iv.u.interval.months = -14;
    iv.u.interval.days = 3;
    iv.u.interval.micros = -INT64_C(500000);
    expect_json(tw_cs_for_column_opts(TW_OID_INTERVAL, -1, true, &istr), &iv,
                "\"P-1Y-2M3DT0H0M-0.5S\"");
}

static void test_zoned(void **state)
{
    tw_value_t tz = text_value(TW_OID_TIMETZ, "10:11:12+05:30");
    tw_value_t tz2 = text_value(TW_OID_TIMETZ, "01:02:03.000004-07");
    tw_value_t ts;
    (void)state;
    expect_json(tw_cs_for_column(TW_OID_TIMETZ, -1, true), &tz, "\"04:41:12Z\"");
    expect_json(tw_cs_for_column(TW_OID_TIMETZ, 6, true), &tz2, "\"08:02:03.000004Z\"");
    memset(&ts, 0, sizeof(ts));
    ts.kind = TW_VALUE_TIMESTAMPTZ;
    ts.u.i = INT64_C(762521696789000); /* 2024-02-29 11:34:56.789 UTC */
    expect_json(tw_cs_for_column(TW_OID_TIMESTAMPTZ, -1, true), &ts,
                "\"2024-02-29T11:34:56.789000Z\"");
    expect_json(tw_cs_for_column(TW_OID_TIMESTAMPTZ, 3, true), &ts,
                "\"2024-02-29T11:34:56.789Z\"");
    expect_json(tw_cs_for_column(TW_OID_TIMESTAMPTZ, 0, true), &ts, "\"2024-02-29T11:34:56Z\"");
}

static tw_cs_t *truncated(tw_cs_t *schema, int n)
{
    schema->truncate_chars = n;
    return schema;
}

/* column.truncate.to.<n>.chars cuts the text once formatted (Debezium's
 * mapper cuts the converted String): a zoned time, a zoned timestamp, a
 * numeric and an interval in string modes; a supplementary character cut
 * in half leaves its high surrogate, which JsonConverter escapes and
 * every other writer (Avro, headers) writes as '?'. */
static void test_truncate_formatted(void **state)
{
    tw_value_t tz = text_value(TW_OID_TIMETZ, "10:11:12+05:30");
    tw_value_t num = text_value(1700, "123456789.125");
    tw_value_t emoji = text_value(25, "abc\xF0\x9F\x98\x80x");
    tw_value_t whole = text_value(25, "ab\xF0\x9F\x98\x80x");
    tw_value_t ts, iv;
    tw_cs_options_t strings = opts_with(TW_DECIMAL_STRING, TW_TIME_ADAPTIVE, TW_BINARY_BYTES,
                                        TW_INTERVAL_STRING);
    tw_datum_t d = {&emoji, NULL, NULL};
    tw_buf_t scratch = TW_BUF_INIT;
    const char *s;
    size_t len;
    char errstr[256];
    tw_cs_t *schema;
    (void)state;

    expect_json(truncated(tw_cs_for_column(TW_OID_TIMETZ, -1, true), 4), &tz, "\"04:4\"");
    memset(&ts, 0, sizeof(ts));
    ts.kind = TW_VALUE_TIMESTAMPTZ;
    ts.u.i = INT64_C(762521696789000);
    expect_json(truncated(tw_cs_for_column(TW_OID_TIMESTAMPTZ, -1, true), 12), &ts,
                "\"2024-02-29T1\"");
    num.kind = TW_VALUE_NUMERIC;
    expect_json(truncated(tw_cs_for_column_opts(1700, -1, true, &strings), 4), &num,
                "\"1234\"");
    memset(&iv, 0, sizeof(iv));
    iv.kind = TW_VALUE_INTERVAL;
    iv.u.interval.months = 14;
    expect_json(truncated(tw_cs_for_column_opts(1186, -1, true, &strings), 3), &iv, "\"P1Y\"");
    expect_json(truncated(tw_cs_for_column(25, -1, true), 4), &emoji, "\"abc\\uD83D\"");
    expect_json(truncated(tw_cs_for_column(25, -1, true), 4), &whole,
                "\"ab\\uD83D\\uDE00\"");
    schema = truncated(tw_cs_for_column(25, -1, true), 4);
    assert_int_equal(tw_datum_string(&d, schema, &scratch, &s, &len, errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(s, "abc?", 4);
    tw_cs_unref(schema);
    tw_buf_free(&scratch);
}

static void test_bits_and_point(void **state)
{
    tw_value_t bits = text_value(TW_OID_BIT, "1010000001");
    tw_value_t one = text_value(TW_OID_BIT, "1");
    tw_value_t zero = text_value(TW_OID_VARBIT, "0000");
    tw_value_t pt = text_value(TW_OID_POINT, "(1.5,-2.25)");
    (void)state;
    expect_json(tw_cs_for_column(TW_OID_BIT, 10, true), &bits, "\"gQI=\"");
    expect_json(tw_cs_for_column(TW_OID_VARBIT, 16, true), &zero, "\"\"");
    expect_json(tw_cs_for_column(TW_OID_BIT, 1, true), &one, "true");
    expect_json(tw_cs_for_column(TW_OID_POINT, -1, true), &pt,
                "{\"x\":1.5,\"y\":-2.25,\"wkb\":\"AQEAAAAAAAAAAAD4PwAAAAAAAALA\",\"srid\":null}");
}

static void test_enum_and_defaults(void **state)
{
    tw_rel_col_t col;
    tw_cs_t *s;
    json_t *js;
    char *text;
    static const struct {
        uint32_t oid;
        const char *expr;
        const char *expect; /* the "default" JSON, or NULL for none */
    } cases[] = {
        {TW_OID_INT4, "7", "7"},
        {TW_OID_INT4, "'-1'::integer", "-1"},
        /* Debezium's placeholders for function calls and CURRENT_*. */
        {TW_OID_INT8, "nextval('s'::regclass)", "0"},
        {TW_OID_TEXT, "'it''s'::text", "\"it's\""},
        {TW_OID_VARCHAR, "'a'::character varying", "\"a\""},
        {TW_OID_BOOL, "true", "true"},
        {TW_OID_FLOAT8, "1.5", "1.5"},
        {TW_OID_TIMESTAMP, "now()", "0"},
        {TW_OID_TIMESTAMP, "CURRENT_TIMESTAMP", "0"},
        {TW_OID_TIMESTAMPTZ, "(now() + '1 day'::interval)", "\"1970-01-01T00:00:00.000000Z\""},
        {TW_OID_DATE, "CURRENT_DATE", "0"},
        {TW_OID_TIME, "LOCALTIME", "0"},
        {TW_OID_UUID, "gen_random_uuid()", "\"00000000-0000-0000-0000-000000000000\""},
        {TW_OID_JSONB, "jsonb_build_object()", "\"{}\""},
        {TW_OID_INTERVAL, "make_interval(1)", "0"},
        /* The first literal of an expression, as Debezium takes it. */
        {TW_OID_TEXT, "('a'::text || 'b'::text)", "\"a\""},
        {TW_OID_TEXT, "NULL::text", NULL},
        {TW_OID_INT4, "NULL::integer", NULL},
        {TW_OID_INT4, "(1 + 2)", NULL},
        {TW_OID_INT2, "'40000'::integer", NULL},
        /* NaN and infinities as Java prints them (JsonConverter: "NaN"). */
        {TW_OID_FLOAT8, "'NaN'::double precision", "\"NaN\""},
        {TW_OID_FLOAT4, "'-Infinity'::real", "\"-Infinity\""},
        {TW_OID_FLOAT8, "'nan'::double precision", NULL},
        {TW_OID_FLOAT4, "'1.1'::real", "1.1000000000000001"},
        {TW_OID_BOOL, "'TRUE'::boolean", "true"},
        {TW_OID_NUMERIC, "1.5", "{\"scale\":1}"}, /* replaced below: a struct has none */
        {TW_OID_NUMERIC | 0x80000000u, "'-1.25'::numeric", "\"gw==\""}, /* -125: 0x83 */
        {TW_OID_NUMERIC, "'NaN'::numeric", NULL},
        {TW_OID_DATE, "'2024-02-29'::date", "19782"},
        {TW_OID_DATE, "'infinity'::date", "169560311"},
        {TW_OID_DATE, "'-infinity'::date", "-170999002"},
        {TW_OID_TIMESTAMP, "'infinity'::timestamp without time zone", NULL},
        {TW_OID_TIME, "'12:34:56.789'::time without time zone", "45296789000"},
        {TW_OID_TIMESTAMP, "'2024-02-29 12:34:56.5'::timestamp without time zone",
         "1709210096500000"},
        {TW_OID_TIMESTAMPTZ, "'2024-02-29 12:34:56.5+01'::timestamp with time zone",
         "\"2024-02-29T11:34:56.500000Z\""},
        {TW_OID_INTERVAL, "'1 day 02:00:00'::interval", "93600000000"},
        {TW_OID_UUID, "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid",
         "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
        /* Bit strings: io.debezium.data.Bits bytes, least significant
         * bit first ("1010000001" is 0x0281). */
        {TW_OID_BIT | 0x40000000u, "'1010000001'::\"bit\"", "\"gQI=\""},
        {TW_OID_VARBIT, "'110'::\"bit\"", "\"Bg==\""},
        {TW_OID_VARBIT, "'1'::\"bit\"", "\"AQ==\""},
        /* Types Debezium reads no default of. */
        {TW_OID_BYTEA, "'\\x00ff'::bytea", NULL},
        {TW_OID_MONEY, "'1.50'::money", NULL},
        {TW_OID_INT4_ARRAY, "'{1,2}'::integer[]", NULL},
        {TW_OID_TIMETZ, "'12:00:00+01'::time with time zone", NULL},
        {TW_OID_NAME, "'n'::name", NULL},
        {TW_OID_CHAR, "'c'::\"char\"", NULL},
        {TW_OID_OID, "1", NULL},
    };
    size_t i;
    tw_value_t null_v;
    (void)state;
    memset(&null_v, 0, sizeof(null_v));
    null_v.kind = TW_VALUE_NULL;
    memset(&col, 0, sizeof(col));
    /* A NULL in a column with a DEFAULT: JsonConverter writes the default. */
    col.type_oid = col.value_oid = TW_OID_INT4;
    col.value_typmod = -1;
    col.default_expr = "7";
    expect_json(tw_cs_for_rel_col(&col, true), &null_v, "7");
    /* A domain's column (value type its base type): Debezium reads no
     * default. */
    col.type_oid = 16384;
    s = tw_cs_for_rel_col(&col, true);
    assert_null(s->default_value);
    tw_cs_unref(s);
    col.default_expr = NULL;
    col.value_oid = TW_OID_TEXT;
    col.value_typmod = -1;
    col.enum_labels = "happy,sad";
    s = tw_cs_for_rel_col(&col, true);
    assert_string_equal(s->name, "io.debezium.data.Enum");
    assert_string_equal(json_string_value(json_object_get(s->parameters, "allowed")),
                        "happy,sad");
    tw_cs_unref(s);
    col.enum_labels = NULL;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        col.type_oid = col.value_oid = cases[i].oid & 0x3fffffffu;
        /* The flagged numeric is numeric(5,2), the flagged bit bit(10). */
        col.value_typmod = (cases[i].oid & 0x80000000u)   ? ((5 << 16) | 2) + 4
                           : (cases[i].oid & 0x40000000u) ? 10
                                                          : -1;
        col.default_expr = (char *)cases[i].expr;
        s = tw_cs_for_rel_col(&col, false);
        js = tw_cs_to_connect_json(s);
        if (cases[i].expect == NULL || strcmp(cases[i].expect, "{\"scale\":1}") == 0) {
            assert_null(json_object_get(js, "default"));
        } else {
            text = json_dumps(json_object_get(js, "default"), JSON_ENCODE_ANY);
            assert_string_equal(text, cases[i].expect);
            free(text);
        }
        json_decref(js);
        tw_cs_unref(s);
    }
    /* decimal.handling.mode=string: the default at the column's scale, as
     * Debezium raises it (a value always comes at that scale). */
    {
        tw_cs_options_t str = opts_with(TW_DECIMAL_STRING, TW_TIME_ADAPTIVE, TW_BINARY_BYTES,
                                        TW_INTERVAL_NUMERIC);
        tw_cs_set_options(&str);
        col.type_oid = col.value_oid = TW_OID_NUMERIC;
        col.value_typmod = ((12 << 16) | 3) + 4;
        col.default_expr = "1.5";
        s = tw_cs_for_rel_col(&col, true);
        assert_string_equal(json_string_value(s->default_value), "1.500");
        tw_cs_unref(s);
        col.default_expr = "'-7'::numeric";
        s = tw_cs_for_rel_col(&col, true);
        assert_string_equal(json_string_value(s->default_value), "-7.000");
        tw_cs_unref(s);
        tw_cs_set_options(&tw_cs_options_default);
    }
}

/* The text Debezium takes from a DEFAULT expression. */
static void test_default_text(void **state)
{
    static const struct {
        const char *expr, *expect;
    } cases[] = {
        {"now()", "P"},
        {"(now() + '1 day'::interval)", "P"},
        {"pg_catalog.gen_random_uuid()", "P"},
        {"nextval('a_id_seq'::regclass)", "P"},
        {"CURRENT_TIMESTAMP", "P"},
        {"localtimestamp", "P"},
        {"CURRENT_TIMESTAMP(3)", "P"},
        {"'a''b'::text", "a'b"},
        {"''::text", ""},
        {"'x'::text || 'y'::text", "x"},
        {"42", "42"},
        {"NULL::text", NULL},
        {"'unclosed", NULL},
        {"(1 + 2)", "(1 + 2)"},
        {"now", "now"},
    };
    size_t i;
    char *text;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        text = tw_column_default_text(cases[i].expr, "P");
        if (cases[i].expect == NULL)
            assert_null(text);
        else
            assert_string_equal(text, cases[i].expect);
        free(text);
    }
}

/* Which types Debezium knows (PostgresValueConverter 3.6.1): box and its
 * kin, pg_lsn, composites, custom ranges and domain arrays are unknown;
 * interval[] and a few other arrays are left out either way; enums,
 * extension types it names (citext, hstore, ...) and arrays of known
 * elements are mapped; without catalog facts nothing is unknown. */
static void test_unknown_type_support(void **state)
{
    tw_rel_col_t col;
    static const struct {
        uint32_t oid;
        char typtype;
        uint32_t elem;
        char elem_typtype;
        const char *name;
        tw_type_support_t expect;
    } cases[] = {
        {603, 'b', 0, 0, "box", TW_TYPE_UNKNOWN},
        {718, 'b', 0, 0, "circle", TW_TYPE_UNKNOWN},
        {3220, 'b', 0, 0, "pg_lsn", TW_TYPE_UNKNOWN},
        {600, 'b', 0, 0, "point", TW_TYPE_MAPPED},
        {3904, 'r', 0, 0, "int4range", TW_TYPE_MAPPED},
        {869, 'b', 0, 0, "inet", TW_TYPE_MAPPED},
        {1187, 'b', 1186, 'b', "_interval", TW_TYPE_UNMAPPED_ARRAY},
        {791, 'b', 790, 'b', "_money", TW_TYPE_UNMAPPED_ARRAY},
        {1007, 'b', 23, 'b', "_int4", TW_TYPE_MAPPED},
        {3643, 'b', 3614, 'b', "_tsvector", TW_TYPE_MAPPED},
        {1020, 'b', 603, 'b', "_box", TW_TYPE_UNKNOWN_ARRAY},
        {16390, 'e', 0, 0, "mood", TW_TYPE_MAPPED},
        {16391, 'b', 16390, 'e', "_mood", TW_TYPE_MAPPED},
        {16392, 'b', 16393, 'd', "_posint", TW_TYPE_UNKNOWN_ARRAY},
        {16394, 'c', 0, 0, "pair", TW_TYPE_UNKNOWN},
        {16395, 'r', 0, 0, "floatrange", TW_TYPE_UNKNOWN},
        {16396, 'b', 0, 0, "citext", TW_TYPE_MAPPED},
        {16397, 'b', 0, 0, "hstore", TW_TYPE_MAPPED},
        {16398, 'b', 16396, 'b', "_citext", TW_TYPE_MAPPED},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&col, 0, sizeof(col));
        col.value_oid = cases[i].oid;
        col.type_known = true;
        col.typtype = cases[i].typtype;
        col.elem_oid = cases[i].elem;
        col.elem_typtype = cases[i].elem_typtype;
        col.type_name = (char *)cases[i].name;
        if (tw_unknown_type_support(&col) != cases[i].expect)
            fail_msg("%s: %d, expected %d", cases[i].name, tw_unknown_type_support(&col),
                     cases[i].expect);
    }
    memset(&col, 0, sizeof(col));
    col.value_oid = 603; /* no catalog facts: as before, mapped */
    assert_int_equal(tw_unknown_type_support(&col), TW_TYPE_MAPPED);
}

static void expect_bytes(const tw_value_t *in, const char *expect)
{
    tw_arena_t *arena = tw_arena_new(1024);
    tw_value_t out;
    char errstr[256];

    if (tw_unknown_type_bytes(in, arena, &out, errstr, sizeof(errstr)) != TW_OK)
        fail_msg("%s", errstr);
    assert_int_equal(out.kind, TW_VALUE_BYTES);
    assert_int_equal(out.u.bytes.len, strlen(expect));
    assert_memory_equal(out.u.bytes.ptr, expect, strlen(expect));
    tw_arena_destroy(arena);
}

/* include.unknown.datatypes=true: the text's bytes; geometric values as
 * pgjdbc's PGbox & co. print them (Java doubles), from text and from
 * binary pgoutput. */
static void test_unknown_type_bytes(void **state)
{
    static const uint8_t box_send[32] = {0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0,
                                         0,    0,    0, 0, 0, 0, 0, 0, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0};
    static const uint8_t path_send[21] = {0, 0, 0, 0, 1, 0x40, 0x24, 0, 0, 0, 0, 0, 0,
                                          0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
    tw_value_t v, bad;
    tw_arena_t *arena = tw_arena_new(1024);
    char errstr[256];

    (void)state;
    v = text_value(603, "(1.5,2),(0,-1)");
    expect_bytes(&v, "(1.5,2.0),(0.0,-1.0)");
    v = text_value(718, "<(1,2),3>");
    expect_bytes(&v, "<(1.0,2.0),3.0>");
    v = text_value(628, "{1,-1,0}");
    expect_bytes(&v, "{1.0,-1.0,0.0}");
    v = text_value(601, "[(0,0),(1e+20,1e-05)]");
    expect_bytes(&v, "[(0.0,0.0),(1.0E20,1.0E-5)]");
    v = text_value(602, "((0,0),(1,1),(NaN,-Infinity))");
    expect_bytes(&v, "((0.0,0.0),(1.0,1.0),(NaN,-Infinity))");
    v = text_value(604, "((0,0),(1,1),(1,0))");
    expect_bytes(&v, "((0.0,0.0),(1.0,1.0),(1.0,0.0))");
    v = text_value(3220, "16/B374D848");
    expect_bytes(&v, "16/B374D848");
    /* From binary pgoutput. */
    memset(&v, 0, sizeof(v));
    v.kind = TW_VALUE_BYTES;
    v.unknown_type = true;
    v.type_oid = 603;
    v.u.bytes.ptr = box_send;
    v.u.bytes.len = sizeof(box_send);
    expect_bytes(&v, "(1.5,2.0),(0.0,-1.0)");
    v.type_oid = 602;
    v.u.bytes.ptr = path_send;
    v.u.bytes.len = sizeof(path_send);
    expect_bytes(&v, "[(10.0,NaN)]");
    v.u.bytes.len = 20; /* truncated */
    assert_int_equal(tw_unknown_type_bytes(&v, arena, &bad, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);
    v = text_value(603, "(1,x),(0,0)");
    assert_int_equal(tw_unknown_type_bytes(&v, arena, &bad, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);
    /* Arrays: box's delimiter is ';'; quoted elements; a NULL element
     * cannot be held (Debezium's items are required bytes). */
    v = text_value(1020, "{(1,1),(0,0);(2.5,2),(-1,0)}");
    assert_int_equal(tw_unknown_array_bytes(&v, 603, arena, &bad, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(bad.kind, TW_VALUE_ARRAY);
    assert_int_equal(bad.u.array.nelems, 2);
    assert_memory_equal(bad.u.array.elems[1].u.bytes.ptr, "(2.5,2.0),(-1.0,0.0)", 20);
    v = text_value(3221, "{0/0,\"16/B374D848\"}");
    assert_int_equal(tw_unknown_array_bytes(&v, 3220, arena, &bad, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(bad.u.array.nelems, 2);
    assert_int_equal(bad.u.array.elems[1].u.bytes.len, 11);
    v = text_value(3221, "{}");
    assert_int_equal(tw_unknown_array_bytes(&v, 3220, arena, &bad, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(bad.u.array.nelems, 0);
    v = text_value(3221, "{0/0,NULL}");
    assert_int_equal(tw_unknown_array_bytes(&v, 3220, arena, &bad, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);
    v = text_value(3221, "{{0/0}}");
    assert_int_equal(tw_unknown_array_bytes(&v, 3220, arena, &bad, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);
    /* A placeholder (not read as an unknown type) is left as it is. */
    v = text_value(603, "__debezium_unavailable_value");
    v.unknown_type = false;
    assert_int_equal(tw_unknown_type_bytes(&v, arena, &bad, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(bad.kind, TW_VALUE_TEXT);
    tw_arena_destroy(arena);
}

static void expect_hstore_json(const tw_value_t *v, const char *expect)
{
    tw_hstore_t h = TW_HSTORE_INIT;
    tw_buf_t out = TW_BUF_INIT;
    char errstr[256];

    if (tw_hstore_parse(v, &h, errstr, sizeof(errstr)) != TW_OK)
        fail_msg("%s", errstr);
    tw_hstore_append_json(&out, &h);
    assert_string_equal(out.data, expect);
    tw_buf_free(&out);
    tw_hstore_free(&h);
}

/* hstore values in java.util.HashMap order (pgjdbc reads them into one):
 * by bucket of the spread String.hashCode, then insertion (hstore_out's
 * order: by length, then bytes). "Aa" and "BB" share a hash. */
static void test_hstore(void **state)
{
    /* hstore_send of "b"=>NULL, "a"=>"1" */
    static const uint8_t send[] = {0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 1, '1',
                                   0, 0, 0, 1, 'b', 0xff, 0xff, 0xff, 0xff};
    tw_value_t v = text_value(16385, "\"a\"=>\"1\", \"z\"=>NULL, \"Aa\"=>\"x\", "
                                     "\"BB\"=>\"q\\\"\\\\\"");
    tw_hstore_t h = TW_HSTORE_INIT;
    char errstr[256];

    (void)state;
    assert_int_equal(tw_java_string_hash("Aa", 2), 2112);
    assert_int_equal(tw_java_string_hash("BB", 2), 2112);
    assert_int_equal(tw_java_string_hash("\xc3\xbc\xf0\x9f\x98\x80", 6),
                     (int32_t)((0xFCu * 31 + 0xD83Du) * 31 + 0xDE00u));
    assert_int_equal(tw_java_hashmap_capacity(12), 16);
    assert_int_equal(tw_java_hashmap_capacity(13), 32);
    assert_int_equal(tw_java_hashmap_capacity(25), 64);
    expect_hstore_json(&v, "{\"Aa\":\"x\",\"BB\":\"q\\\"\\\\\",\"a\":\"1\",\"z\":null}");
    v = text_value(16385, "");
    expect_hstore_json(&v, "{}");
    memset(&v, 0, sizeof(v));
    v.kind = TW_VALUE_BYTES;
    v.u.bytes.ptr = send;
    v.u.bytes.len = sizeof(send);
    expect_hstore_json(&v, "{\"a\":\"1\",\"b\":null}");
    v.u.bytes.len = sizeof(send) - 1;
    assert_int_equal(tw_hstore_parse(&v, &h, errstr, sizeof(errstr)), TW_ERR_MALFORMED);
    v = text_value(16385, "\"a\"=>1");
    assert_int_equal(tw_hstore_parse(&v, &h, errstr, sizeof(errstr)), TW_ERR_MALFORMED);
    tw_hstore_free(&h);
}

/* hstore.handling.mode: json is an io.debezium.data.Json string, map a
 * Connect map (JsonConverter: an object; its schema keys/values). */
static void test_hstore_schemas(void **state)
{
    tw_rel_col_t col;
    tw_cs_options_t o = tw_cs_options_default;
    tw_value_t v = text_value(16385, "\"k\"=>\"v\", \"n\"=>NULL");
    tw_cs_t *schema;
    json_t *js;
    char *text;

    (void)state;
    memset(&col, 0, sizeof(col));
    col.value_oid = 16385;
    col.type_known = true;
    col.typtype = 'b';
    col.type_name = "hstore";
    tw_cs_set_options(&o);
    schema = tw_cs_for_rel_col(&col, true);
    assert_string_equal(schema->name, "io.debezium.data.Json");
    expect_json(schema, &v, "\"{\\\"k\\\":\\\"v\\\",\\\"n\\\":null}\"");
    o.hstore = TW_HSTORE_MAP;
    tw_cs_set_options(&o);
    schema = tw_cs_for_rel_col(&col, true);
    js = tw_cs_to_connect_json(schema);
    text = json_dumps(js, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(text, "{\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":false},"
                              "\"values\":{\"type\":\"string\",\"optional\":true},"
                              "\"optional\":true}");
    free(text);
    json_decref(js);
    expect_json(schema, &v, "{\"k\":\"v\",\"n\":null}");
    tw_cs_set_options(&tw_cs_options_default);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_modes),
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_time_modes),
        cmocka_unit_test(test_binary_and_interval_modes),
        cmocka_unit_test(test_infinities),
        cmocka_unit_test(test_zoned),
        cmocka_unit_test(test_truncate_formatted),
        cmocka_unit_test(test_bits_and_point),
        cmocka_unit_test(test_enum_and_defaults),
        cmocka_unit_test(test_unknown_type_support),
        cmocka_unit_test(test_unknown_type_bytes),
        cmocka_unit_test(test_hstore),
        cmocka_unit_test(test_hstore_schemas),
        cmocka_unit_test(test_default_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
