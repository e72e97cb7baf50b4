/*
 * test_converter.c — the Kafka Connect converters (converter.c): JSON with
 * and without the schema envelope, String, and Avro in the Confluent wire
 * format, for Connect schemas built as the pipeline builds them
 * (tw_cs_for_column) and values parsed from PostgreSQL's text output.
 *
 * No registry runs here: Avro tests seed the schema's subject → id memo,
 * which is what the converter consults before asking a registry, and one
 * test points at a closed port to check that a registry that cannot be
 * reached is reported as unavailable (retry), not as a bad record.
 *
 * Expected bytes were worked out by hand from the specifications (Avro
 * 1.11 binary encoding, Confluent's wire format: magic 0, big-endian
 * schema id; Connect's JsonConverter envelope; Java's Double.toString).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "codec/converter.h"

#define NUMERIC_TYPMOD(p, s) ((int32_t)(((p) << 16) | (s)) + 4)

typedef struct fx {
    tw_converter_config_t cfg;
    tw_converter_t *conv;
    tw_arena_t *arena;
    tw_buf_t out;
    char errstr[512];
    tw_cs_t *schema;
    tw_value_t values[8];
    tw_datum_t fields[8];
    tw_datum_t datum;
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof(*fx));

    assert_non_null(fx);
    fx->arena = tw_arena_new(1024);
    fx->cfg.connect_timeout_ms = 2000;
    fx->cfg.request_timeout_ms = 2000;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;

    tw_converter_destroy(fx->conv);
    tw_cs_unref(fx->schema);
    tw_buf_free(&fx->out);
    tw_arena_destroy(fx->arena);
    free(fx);
    return 0;
}

static void make_converter(fx_t *fx, tw_converter_kind_t kind, bool is_key)
{
    fx->cfg.kind = kind;
    assert_int_equal(tw_converter_new(&fx->cfg, is_key, &fx->conv, fx->errstr,
                                      sizeof(fx->errstr)),
                     TW_OK);
}

/* Field i of the row: type oid and PostgreSQL's text, or NULL for SQL NULL. */
static void set_field(fx_t *fx, size_t i, uint32_t oid, int32_t typmod, const char *text)
{
    tw_value_t *v = &fx->values[i];

    if (text == NULL) {
        memset(v, 0, sizeof(*v));
        v->kind = TW_VALUE_NULL;
        v->type_oid = oid;
    } else {
        assert_int_equal(tw_value_from_text(oid, typmod, text, strlen(text), fx->arena, v,
                                            fx->errstr, sizeof(fx->errstr)),
                         TW_OK);
    }
    fx->fields[i].pg = v;
}

/* struct test.Value { id int4 NOT NULL, name text } */
static void small_row(fx_t *fx, const char *id, const char *name)
{
    fx->schema = tw_cs_new(TW_CS_STRUCT, false, "test.Value");
    tw_cs_add_field(fx->schema, "id", tw_cs_for_column(TW_OID_INT4, -1, false));
    tw_cs_add_field(fx->schema, "name", tw_cs_for_column(TW_OID_TEXT, -1, true));
    set_field(fx, 0, TW_OID_INT4, -1, id);
    set_field(fx, 1, TW_OID_TEXT, -1, name);
    fx->datum.fields = fx->fields;
}

static tw_err_t encode(fx_t *fx, const char *topic)
{
    fx->errstr[0] = '\0';
    return tw_converter_encode(fx->conv, topic, fx->schema, &fx->datum, &fx->out, fx->errstr,
                               sizeof(fx->errstr));
}

static void assert_out(const fx_t *fx, const char *want)
{
    if (fx->out.len != strlen(want) || memcmp(fx->out.data, want, fx->out.len) != 0)
        fail_msg("got  %.*s\nwant %s", (int)fx->out.len, fx->out.data, want);
}

/* ---- JSON ----------------------------------------------------------------- */

static void test_json_plain(void **state)
{
    fx_t *fx = *state;

    make_converter(fx, TW_CONVERTER_JSON, false);
    fx->schema = tw_cs_new(TW_CS_STRUCT, false, "test.Value");
    tw_cs_add_field(fx->schema, "id", tw_cs_for_column(TW_OID_INT4, -1, false));
    tw_cs_add_field(fx->schema, "name", tw_cs_for_column(TW_OID_TEXT, -1, true));
    tw_cs_add_field(fx->schema, "ok", tw_cs_for_column(TW_OID_BOOL, -1, true));
    tw_cs_add_field(fx->schema, "ratio", tw_cs_for_column(TW_OID_FLOAT8, -1, true));
    tw_cs_add_field(fx->schema, "raw", tw_cs_for_column(TW_OID_BYTEA, -1, true));
    tw_cs_add_field(fx->schema, "price",
                    tw_cs_for_column(TW_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), true));
    tw_cs_add_field(fx->schema, "smile", tw_cs_for_column(TW_OID_TEXT, -1, true));
    set_field(fx, 0, TW_OID_INT4, -1, "-7");
    set_field(fx, 1, TW_OID_TEXT, -1, "a \"quoted\"\nline");
    set_field(fx, 2, TW_OID_BOOL, -1, "t");
    set_field(fx, 3, TW_OID_FLOAT8, -1, "1e-07");
    set_field(fx, 4, TW_OID_BYTEA, -1, "\\x00ff");
    set_field(fx, 5, TW_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), "1.50");
    set_field(fx, 6, TW_OID_TEXT, -1, "\xf0\x9f\x98\x80"); /* U+1F600 */
    fx->datum.fields = fx->fields;
    assert_int_equal(encode(fx, "t"), TW_OK);
    /* Decimal: unscaled 150 = 0x0096, base64 "AJY="; characters beyond
     * U+FFFF as a surrogate pair, as Jackson writes them. */
    assert_out(fx, "{\"id\":-7,\"name\":\"a \\\"quoted\\\"\\nline\",\"ok\":true,"
                   "\"ratio\":1.0E-7,\"raw\":\"AP8=\",\"price\":\"AJY=\","
                   "\"smile\":\"\\uD83D\\uDE00\"}");
    assert_false(tw_converter_encodes_null(fx->conv));
}

static void test_json_envelope(void **state)
{
    fx_t *fx = *state;

    fx->cfg.schemas_enable = true;
    make_converter(fx, TW_CONVERTER_JSON, false);
    small_row(fx, "1", NULL);
    assert_int_equal(encode(fx, "t"), TW_OK);
    assert_out(fx, "{\"schema\":{\"type\":\"struct\",\"fields\":["
                   "{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
                   "{\"type\":\"string\",\"optional\":true,\"field\":\"name\"}],"
                   "\"optional\":false,\"name\":\"test.Value\"},"
                   "\"payload\":{\"id\":1,\"name\":null}}");
    /* A null value still has its schema: not a tombstone. */
    assert_true(tw_converter_encodes_null(fx->conv));
}

/* Schema defaults as JsonConverter (Jackson) writes them: doubles in
 * Java's form, bytes (a Decimal's too) in base64, characters beyond U+FFFF
 * as surrogate pairs; a null field is written as its default. */
static void test_json_schema_defaults(void **state)
{
    fx_t *fx = *state;
    tw_cs_t *f8 = tw_cs_for_column(TW_OID_FLOAT8, -1, true);
    tw_cs_t *dec = tw_cs_for_column(TW_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), true);
    tw_cs_t *txt = tw_cs_for_column(TW_OID_TEXT, -1, true);

    fx->cfg.schemas_enable = true;
    make_converter(fx, TW_CONVERTER_JSON, false);
    f8->default_value = json_real(0.1);
    dec->default_value = json_stringn_nocheck("\x00\x96", 2); /* 1.50 */
    txt->default_value = json_string("\xf0\x9f\x98\x80");
    fx->schema = tw_cs_new(TW_CS_STRUCT, false, "test.Value");
    tw_cs_add_field(fx->schema, "f", f8);
    tw_cs_add_field(fx->schema, "d", dec);
    tw_cs_add_field(fx->schema, "t", txt);
    set_field(fx, 0, TW_OID_FLOAT8, -1, NULL);
    set_field(fx, 1, TW_OID_NUMERIC, NUMERIC_TYPMOD(10, 2), NULL);
    set_field(fx, 2, TW_OID_TEXT, -1, NULL);
    fx->datum.fields = fx->fields;
    assert_int_equal(encode(fx, "t"), TW_OK);
    assert_out(fx, "{\"schema\":{\"type\":\"struct\",\"fields\":["
                   "{\"type\":\"double\",\"optional\":true,\"default\":0.1,\"field\":\"f\"},"
                   "{\"type\":\"bytes\",\"optional\":true,"
                   "\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,"
                   "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"},"
                   "\"default\":\"AJY=\",\"field\":\"d\"},"
                   "{\"type\":\"string\",\"optional\":true,\"default\":\"\\uD83D\\uDE00\","
                   "\"field\":\"t\"}],\"optional\":false,\"name\":\"test.Value\"},"
                   "\"payload\":{\"f\":0.1,\"d\":\"AJY=\",\"t\":\"\\uD83D\\uDE00\"}}");
}

/* A NULL in a NOT NULL column cannot be encoded: an error, not "null". */
static void test_json_required_null(void **state)
{
    fx_t *fx = *state;

    make_converter(fx, TW_CONVERTER_JSON, false);
    small_row(fx, NULL, "x");
    assert_int_equal(encode(fx, "t"), TW_ERR_MALFORMED);
    assert_non_null(strstr(fx->errstr, "null for a required"));
}

/* ---- String --------------------------------------------------------------- */

static void test_string(void **state)
{
    fx_t *fx = *state;
    tw_datum_t d = {0};

    make_converter(fx, TW_CONVERTER_STRING, true);
    fx->schema = tw_cs_for_column(TW_OID_TEXT, -1, true);
    set_field(fx, 0, TW_OID_TEXT, -1, "plain text, no quotes");
    d.pg = &fx->values[0];
    assert_int_equal(tw_converter_encode(fx->conv, "t", fx->schema, &d, &fx->out, fx->errstr,
                                         sizeof(fx->errstr)),
                     TW_OK);
    assert_out(fx, "plain text, no quotes");
    tw_cs_unref(fx->schema);
    fx->schema = tw_cs_for_column(TW_OID_INT8, -1, false);
    set_field(fx, 0, TW_OID_INT8, -1, "-9223372036854775808");
    assert_int_equal(tw_converter_encode(fx->conv, "t", fx->schema, &d, &fx->out, fx->errstr,
                                         sizeof(fx->errstr)),
                     TW_OK);
    assert_out(fx, "-9223372036854775808");
    /* null: no bytes at all */
    set_field(fx, 0, TW_OID_INT8, -1, NULL);
    assert_int_equal(tw_converter_encode(fx->conv, "t", fx->schema, &d, &fx->out, fx->errstr,
                                         sizeof(fx->errstr)),
                     TW_OK);
    assert_int_equal(fx->out.len, 0);
    assert_false(tw_converter_encodes_null(fx->conv));
    /* A struct assembled field by field (a change event's key): Java's
     * Struct.toString, null fields left out. */
    tw_cs_unref(fx->schema);
    small_row(fx, "3", "x");
    assert_int_equal(encode(fx, "t"), TW_OK);
    assert_out(fx, "Struct{id=3,name=x}");
    set_field(fx, 1, TW_OID_TEXT, -1, NULL);
    assert_int_equal(encode(fx, "t"), TW_OK);
    assert_out(fx, "Struct{id=3}");
}

/* ---- ByteArrayConverter ------------------------------------------------------ */

/* A bytea's bytes as they are (NUL and high bytes included), nothing for
 * NULL; any other schema is an error naming it, as Kafka's converter
 * refuses anything but BYTES. */
static void test_byte_array(void **state)
{
    fx_t *fx = *state;
    tw_datum_t d = {0};
    static const char want[] = {'\x00', '\xff', 'a', '\x80', '\x00'};

    make_converter(fx, TW_CONVERTER_BYTES, false);
    fx->schema = tw_cs_for_column(TW_OID_BYTEA, -1, true);
    set_field(fx, 0, TW_OID_BYTEA, -1, "\\x00ff618000");
    d.pg = &fx->values[0];
    assert_int_equal(tw_converter_encode(fx->conv, "t", fx->schema, &d, &fx->out, fx->errstr,
                                         sizeof(fx->errstr)),
                     TW_OK);
    assert_int_equal(fx->out.len, sizeof(want));
    assert_memory_equal(fx->out.data, want, sizeof(want));
    set_field(fx, 0, TW_OID_BYTEA, -1, NULL);
    assert_int_equal(tw_converter_encode(fx->conv, "t", fx->schema, &d, &fx->out, fx->errstr,
                                         sizeof(fx->errstr)),
                     TW_OK);
    assert_int_equal(fx->out.len, 0);
    assert_false(tw_converter_encodes_null(fx->conv));
    tw_cs_unref(fx->schema);
    fx->schema = tw_cs_for_column(TW_OID_JSONB, -1, true);
    set_field(fx, 0, TW_OID_JSONB, -1, "{\"a\": 1}");
    assert_int_equal(tw_converter_encode(fx->conv, "orders", fx->schema, &d, &fx->out,
                                         fx->errstr, sizeof(fx->errstr)),
                     TW_ERR_MALFORMED);
    assert_non_null(strstr(fx->errstr, "value.converter=ByteArrayConverter writes bytea"));
    assert_non_null(strstr(fx->errstr, "for topic orders is a string"));
    tw_cs_unref(fx->schema);
    fx->schema = NULL;
    small_row(fx, "1", "x");
    assert_int_equal(encode(fx, "t"), TW_ERR_MALFORMED);
    assert_non_null(strstr(fx->errstr, "is a struct test.Value"));
}

/* BinaryDataConverter: bytea as it is; anything else through its delegate
 * (here JsonConverter without schemas), or an error without one. */
static void test_binary_data(void **state)
{
    fx_t *fx = *state;
    tw_converter_config_t delegate = {0};
    tw_datum_t d = {0};

    delegate.kind = TW_CONVERTER_JSON;
    fx->cfg.delegate = &delegate;
    make_converter(fx, TW_CONVERTER_BINARY_DATA, false);
    fx->schema = tw_cs_for_column(TW_OID_BYTEA, -1, true);
    set_field(fx, 0, TW_OID_BYTEA, -1, "\\x00ff");
    d.pg = &fx->values[0];
    assert_int_equal(tw_converter_encode(fx->conv, "t", fx->schema, &d, &fx->out, fx->errstr,
                                         sizeof(fx->errstr)),
                     TW_OK);
    assert_int_equal(fx->out.len, 2);
    assert_memory_equal(fx->out.data, "\x00\xff", 2);
    tw_cs_unref(fx->schema);
    fx->schema = NULL;
    small_row(fx, "7", "x");
    assert_int_equal(encode(fx, "t"), TW_OK);
    assert_out(fx, "{\"id\":7,\"name\":\"x\"}");
    tw_converter_destroy(fx->conv);
    fx->conv = NULL;
    fx->cfg.delegate = NULL;
    make_converter(fx, TW_CONVERTER_BINARY_DATA, false);
    assert_int_equal(encode(fx, "t"), TW_ERR_MALFORMED);
    assert_non_null(strstr(fx->errstr, "value.converter=BinaryDataConverter writes bytea"));
    assert_non_null(strstr(fx->errstr, "delegate.converter.type"));
}

/* ---- Avro ----------------------------------------------------------------- */

/* The id the registry would give subject, as the converter remembers it. */
static void seed_id(tw_cs_t *schema, const char *subject, int32_t id)
{
    uint32_t h = 2166136261u; /* the memo's FNV-1a of the subject */
    const char *p;

    for (p = subject; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    schema->memo[0].subject = tw_strdup(subject);
    schema->memo[0].subject_hash = h;
    schema->memo[0].id = id;
    schema->memo_next = 1;
}

static void test_avro_wire_format(void **state)
{
    fx_t *fx = *state;
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x01, 0x2c, /* magic byte, schema id 300 */
        0x02,                         /* id 1, zigzag */
        0x02, 0x0a, 'a', 'p', 'p', 'l', 'e', /* union branch 1 (string), length 5 */
    };
    static const uint8_t want_null[] = {0x00, 0x00, 0x00, 0x01, 0x2c, 0x7f, 0x00};

    fx->cfg.registry_url = "http://127.0.0.1:1";
    make_converter(fx, TW_CONVERTER_AVRO, false);
    small_row(fx, "1", "apple");
    seed_id(fx->schema, "orders-value", 300);
    assert_int_equal(encode(fx, "orders"), TW_OK);
    assert_int_equal(fx->out.len, sizeof(want));
    assert_memory_equal(fx->out.data, want, sizeof(want));
    /* -64 zigzags to 127; a null name is branch 0 and nothing else */
    set_field(fx, 0, TW_OID_INT4, -1, "-64");
    set_field(fx, 1, TW_OID_TEXT, -1, NULL);
    assert_int_equal(encode(fx, "orders"), TW_OK);
    assert_int_equal(fx->out.len, sizeof(want_null));
    assert_memory_equal(fx->out.data, want_null, sizeof(want_null));
    assert_false(tw_converter_encodes_null(fx->conv));
}

/* Another topic is another subject: the converter must ask the registry,
 * and one that cannot be reached means "retry later". */
static void test_avro_registry_unreachable(void **state)
{
    fx_t *fx = *state;

    fx->cfg.registry_url = "http://127.0.0.1:1";
    fx->cfg.auto_register = true;
    make_converter(fx, TW_CONVERTER_AVRO, false);
    small_row(fx, "1", "apple");
    seed_id(fx->schema, "orders-value", 300);
    assert_int_equal(encode(fx, "refunds"), TW_ERR_UNAVAILABLE);
    assert_true(strlen(fx->errstr) > 0);
    /* the Avro schema text was worked out on the way */
    assert_non_null(fx->schema->avro_text);
    assert_non_null(strstr(fx->schema->avro_text, "\"name\":\"Value\""));
}

/* The AvroConverter cannot run without a registry URL: a config error
 * that names the key. */
static void test_avro_needs_registry(void **state)
{
    fx_t *fx = *state;

    fx->cfg.kind = TW_CONVERTER_AVRO;
    assert_int_equal(tw_converter_new(&fx->cfg, true, &fx->conv, fx->errstr,
                                      sizeof(fx->errstr)),
                     TW_ERR_CONFIG);
    assert_null(fx->conv);
    assert_non_null(strstr(fx->errstr, "key.converter.schema.registry.url"));
}

/* ---- helpers shared by the converters ------------------------------------- */

static void test_subject_names(void **state)
{
    tw_buf_t b = TW_BUF_INIT;

    (void)state;
    tw_subject_name(TW_SUBJECT_TOPIC_NAME, true, "t", NULL, &b);
    assert_string_equal(b.data, "t-key");
    tw_subject_name(TW_SUBJECT_TOPIC_NAME, false, "t", NULL, &b);
    assert_string_equal(b.data, "t-value");
    tw_subject_name(TW_SUBJECT_RECORD_NAME, false, "t", "a.b.Rec", &b);
    assert_string_equal(b.data, "a.b.Rec");
    tw_subject_name(TW_SUBJECT_TOPIC_RECORD_NAME, true, "t", "a.b.Rec", &b);
    assert_string_equal(b.data, "t-a.b.Rec");
    tw_buf_free(&b);
}

static void test_java_double(void **state)
{
    static const struct {
        double d;
        bool single;
        const char *want;
    } cases[] = {
        {0.1, false, "0.1"},       {1.0, false, "1.0"},        {100.0, false, "100.0"},
        {1e-3, false, "0.001"},    {1e-4, false, "1.0E-4"},    {1e-7, false, "1.0E-7"},
        {1234567.0, false, "1234567.0"}, {1e7, false, "1.0E7"}, {1.5e300, false, "1.5E300"},
        {-2.5, false, "-2.5"},     {-0.0, false, "-0.0"},      {0.0, false, "0.0"},
        {0.1f, true, "0.1"},       {3.4028234663852886e38, true, "3.4028235E38"},
    };
    tw_buf_t b = TW_BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tw_buf_reset(&b);
        tw_converter_append_java_double(&b, cases[i].d, cases[i].single);
        if (strcmp(b.data, cases[i].want) != 0)
            fail_msg("%.17g: got %s, want %s", cases[i].d, b.data, cases[i].want);
    }
    tw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_json_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_envelope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_schema_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_required_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_array, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_avro_wire_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_avro_registry_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_avro_needs_registry, setup, teardown),
        cmocka_unit_test(test_subject_names),
        cmocka_unit_test(test_java_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
