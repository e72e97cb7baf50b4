/*
 * test_avro_convert.c — Connect schemas to Avro schemas (as Confluent's
 * AvroData shapes them) and datums to Avro binary, including Debezium's
 * semantic types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec/avro_convert.h"
#include "codec/converter.h"
#include "codec/datum.h"

static void expect_schema(tw_cs_t *schema, const char *expect)
{
    char errstr[512];
    char *text = tw_avro_schema_text(schema, errstr, sizeof(errstr));
    if (text == NULL)
        fail_msg("%s", errstr);
    assert_string_equal(text, expect);
    free(text);
    tw_cs_unref(schema);
}

/* Regression: a top-level primitive schema once serialized to NULL. */
static void test_primitive_schemas(void **state)
{
    (void)state;
    expect_schema(tw_cs_for_column(TW_OID_VARCHAR, -1, false), "\"string\"");
    expect_schema(tw_cs_for_column(TW_OID_INT8, -1, true), "[\"null\",\"long\"]");
    expect_schema(tw_cs_for_column(TW_OID_JSONB, -1, true),
                  "[\"null\",{\"type\":\"string\",\"connect.version\":1,"
                  "\"connect.name\":\"io.debezium.data.Json\"}]");
    expect_schema(tw_cs_for_column(TW_OID_INT2, -1, false),
                  "{\"type\":\"int\",\"connect.type\":\"int16\"}");
    expect_schema(tw_cs_for_column(TW_OID_TIMESTAMPTZ, -1, false),
                  "{\"type\":\"string\",\"connect.version\":1,"
                  "\"connect.name\":\"io.debezium.time.ZonedTimestamp\"}");
    expect_schema(tw_cs_for_column(TW_OID_TIMESTAMP, 3, false),
                  "{\"type\":\"long\",\"connect.version\":1,"
                  "\"connect.name\":\"io.debezium.time.Timestamp\"}");
}

static void test_decimal_and_record(void **state)
{
    tw_cs_t *rec;
    (void)state;
    /* numeric(10,2): typmod is ((10 << 16) | 2) + 4 */
    expect_schema(tw_cs_for_column(TW_OID_NUMERIC, ((10 << 16) | 2) + 4, false),
                  "{\"type\":\"bytes\",\"scale\":2,\"precision\":10,\"connect.version\":1,"
                  "\"connect.parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":"
                  "\"10\"},\"connect.name\":\"org.apache.kafka.connect.data.Decimal\","
                  "\"logicalType\":\"decimal\"}");
    rec = tw_cs_new(TW_CS_STRUCT, false, "shop.public.outbox.Order.Value");
    tw_cs_add_field(rec, "payload", tw_cs_for_column(TW_OID_JSONB, -1, true));
    tw_cs_add_field(rec, "eventType", tw_cs_for_column(TW_OID_TEXT, -1, false));
    expect_schema(rec, "{\"type\":\"record\",\"name\":\"Value\",\"namespace\":"
                       "\"shop.public.outbox.Order\",\"fields\":[{\"name\":\"payload\",\"type\":"
                       "[\"null\",{\"type\":\"string\",\"connect.version\":1,\"connect.name\":"
                       "\"io.debezium.data.Json\"}],\"default\":null},{\"name\":\"eventType\","
                       "\"type\":\"string\"}],\"connect.name\":"
                       "\"shop.public.outbox.Order.Value\"}");
}

static void test_repeated_named_type_is_referenced(void **state)
{
    tw_cs_t *rec = tw_cs_new(TW_CS_STRUCT, false, "a.B");
    (void)state;
    tw_cs_add_field(rec, "x", tw_cs_for_column(TW_OID_NUMERIC, -1, true));
    tw_cs_add_field(rec, "y", tw_cs_for_column(TW_OID_NUMERIC, -1, true));
    /* Avro forbids redefining io.debezium.data.VariableScaleDecimal; the
     * second use must be a reference (avro-c validates this). */
    {
        char errstr[512];
        char *text = tw_avro_schema_text(rec, errstr, sizeof(errstr));
        if (text == NULL)
            fail_msg("%s", errstr);
        assert_non_null(strstr(text, "[\"null\",\"io.debezium.data.VariableScaleDecimal\"]"));
        free(text);
    }
    tw_cs_unref(rec);
}

static void test_decimal_unscaled_bytes(void **state)
{
    tw_buf_t b = TW_BUF_INIT;
    char errstr[256];
    (void)state;
    /* Java: new BigDecimal("12.50").unscaledValue().toByteArray() = 04 E2 */
    assert_int_equal(tw_decimal_unscaled_bytes("12.5", 4, 2, &b, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "\x04\xE2", 2);
    tw_buf_reset(&b);
    /* -1 → FF; 128 → 00 80; -129 → FF 7F; 0 → 00 */
    assert_int_equal(tw_decimal_unscaled_bytes("-1", 2, 0, &b, errstr, sizeof(errstr)), TW_OK);
    assert_memory_equal(b.data, "\xFF", 1);
    assert_int_equal(b.len, 1);
    tw_buf_reset(&b);
    tw_decimal_unscaled_bytes("128", 3, 0, &b, errstr, sizeof(errstr));
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "\x00\x80", 2);
    tw_buf_reset(&b);
    tw_decimal_unscaled_bytes("-129", 4, 0, &b, errstr, sizeof(errstr));
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "\xFF\x7F", 2);
    tw_buf_reset(&b);
    tw_decimal_unscaled_bytes("0.00", 4, 2, &b, errstr, sizeof(errstr));
    assert_int_equal(b.len, 1);
    assert_memory_equal(b.data, "\x00", 1);
    tw_buf_reset(&b);
    assert_int_equal(tw_decimal_unscaled_bytes("1.234", 5, 2, &b, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);
    tw_buf_free(&b);
}

/* v: the text value `text`; null_v: a NULL. */
static void text_and_null(tw_value_t *v, const char *text, tw_value_t *null_v)
{
    memset(v, 0, sizeof(*v));
    memset(null_v, 0, sizeof(*null_v));
    v->kind = TW_VALUE_TEXT;
    v->u.str.ptr = text;
    v->u.str.len = strlen(text);
    null_v->kind = TW_VALUE_NULL;
}

static void test_encode_optional_and_required(void **state)
{
    tw_cs_t *s = tw_cs_for_column(TW_OID_TEXT, -1, true);
    tw_cs_t *r = tw_cs_for_column(TW_OID_INT4, -1, false);
    tw_value_t v, null_v;
    tw_datum_t d = {&v, NULL, NULL}, dn = {&null_v, NULL, NULL};
    tw_buf_t out = TW_BUF_INIT, scratch = TW_BUF_INIT;
    char errstr[256];
    (void)state;
    text_and_null(&v, "hi", &null_v);
    assert_int_equal(tw_avro_encode(&out, s, &d, &scratch, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.data, "\x02\x04hi", 4);
    tw_buf_reset(&out);
    assert_int_equal(tw_avro_encode(&out, s, &dn, &scratch, errstr, sizeof(errstr)), TW_OK);
    assert_memory_equal(out.data, "\x00", 1);
    tw_buf_reset(&out);
    assert_int_equal(tw_avro_encode(&out, r, &dn, &scratch, errstr, sizeof(errstr)),
                     TW_ERR_MALFORMED);
    assert_non_null(strstr(errstr, "required"));
    tw_buf_free(&out);
    tw_buf_free(&scratch);
    tw_cs_unref(s);
    tw_cs_unref(r);
}

/* AvroData with a Connect default: the field's "default" and the type's
 * "connect.default" (after connect.parameters, before connect.name), and
 * an optional field's union with the type first, so the default matches
 * the first branch (Debezium's source.snapshot). */
static void test_defaults_in_schema(void **state)
{
    tw_cs_t *rec = tw_cs_new(TW_CS_STRUCT, false, "io.debezium.connector.postgresql.Source");
    tw_cs_t *snap = tw_cs_new(TW_CS_STRING, true, "io.debezium.data.Enum");
    tw_cs_t *dec = tw_cs_for_column(TW_OID_NUMERIC, ((5 << 16) | 2) + 4, false);
    tw_cs_t *arr = tw_cs_for_column(TW_OID_INT4_ARRAY, -1, true);
    tw_cs_t *i16 = tw_cs_for_column(TW_OID_INT2, -1, true);
    tw_cs_t *text = tw_cs_for_column(TW_OID_TEXT, -1, false);
    (void)state;
    snap->version = 1;
    tw_cs_set_param(snap, "allowed", "true,last,false,incremental");
    snap->default_value = json_string("false");
    /* A Decimal's unscaled bytes FF 80: two ISO-8859-1 characters,
     * U+00FF U+0080, in UTF-8. */
    dec->default_value = json_stringn_nocheck("\xff\x80", 2);
    arr->default_value = json_pack("[i,n,i]", 1, 2);
    i16->default_value = json_integer(-7);
    /* A plain type with a default is an object too (it was once left a
     * bare "string", losing connect.default). */
    text->default_value = json_string("x");
    tw_cs_add_field(rec, "snapshot", snap);
    tw_cs_add_field(rec, "amount", dec);
    tw_cs_add_field(rec, "ids", arr);
    tw_cs_add_field(rec, "small", i16);
    tw_cs_add_field(rec, "text", text);
    expect_schema(
        rec,
        "{\"type\":\"record\",\"name\":\"Source\",\"namespace\":"
        "\"io.debezium.connector.postgresql\",\"fields\":["
        "{\"name\":\"snapshot\",\"type\":[{\"type\":\"string\",\"connect.version\":1,"
        "\"connect.parameters\":{\"allowed\":\"true,last,false,incremental\"},"
        "\"connect.default\":\"false\",\"connect.name\":\"io.debezium.data.Enum\"},\"null\"],"
        "\"default\":\"false\"},"
        "{\"name\":\"amount\",\"type\":{\"type\":\"bytes\",\"scale\":2,\"precision\":5,"
        "\"connect.version\":1,\"connect.parameters\":{\"scale\":\"2\","
        "\"connect.decimal.precision\":\"5\"},\"connect.default\":\"\xc3\xbf\xc2\x80\","
        "\"connect.name\":\"org.apache.kafka.connect.data.Decimal\",\"logicalType\":"
        "\"decimal\"},\"default\":\"\xc3\xbf\xc2\x80\"},"
        "{\"name\":\"ids\",\"type\":[{\"type\":\"array\",\"items\":[\"null\",\"int\"],"
        "\"connect.default\":[1,null,2]},\"null\"],\"default\":[1,null,2]},"
        "{\"name\":\"small\",\"type\":[{\"type\":\"int\",\"connect.type\":\"int16\","
        "\"connect.default\":-7},\"null\"],\"default\":-7},"
        "{\"name\":\"text\",\"type\":{\"type\":\"string\",\"connect.default\":\"x\"},"
        "\"default\":\"x\"}],"
        "\"connect.name\":\"io.debezium.connector.postgresql.Source\"}");
}

/* A struct's doc is AvroData's connect.doc. */
static void test_connect_doc(void **state)
{
    (void)state;
    expect_schema(tw_cs_for_column(TW_OID_NUMERIC, -1, false),
                  "{\"type\":\"record\",\"name\":\"VariableScaleDecimal\",\"namespace\":"
                  "\"io.debezium.data\",\"fields\":[{\"name\":\"scale\",\"type\":\"int\"},"
                  "{\"name\":\"value\",\"type\":\"bytes\"}],\"connect.doc\":"
                  "\"Variable scaled decimal\",\"connect.version\":1,\"connect.name\":"
                  "\"io.debezium.data.VariableScaleDecimal\"}");
}

/* With a default the union's branches swap: a value is branch 0, and a
 * null is written as the default (Connect's Struct.get). */
static void test_encode_with_default(void **state)
{
    tw_cs_t *s = tw_cs_for_column(TW_OID_TEXT, -1, true);
    tw_value_t v, null_v;
    tw_datum_t d = {&v, NULL, NULL}, dn = {&null_v, NULL, NULL};
    tw_buf_t out = TW_BUF_INIT, scratch = TW_BUF_INIT;
    char errstr[256];
    (void)state;
    s->default_value = json_string("dflt");
    text_and_null(&v, "hi", &null_v);
    assert_int_equal(tw_avro_encode(&out, s, &d, &scratch, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.data, "\x00\x04hi", 4);
    tw_buf_reset(&out);
    assert_int_equal(tw_avro_encode(&out, s, &dn, &scratch, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(out.len, 6);
    assert_memory_equal(out.data, "\x00\x08" "dflt", 6);
    tw_cs_unref(s);
    /* A NaN default (kept as the string "NaN") is a double NaN. */
    s = tw_cs_for_column(TW_OID_FLOAT8, -1, true);
    s->default_value = json_string("NaN");
    tw_buf_reset(&out);
    assert_int_equal(tw_avro_encode(&out, s, &dn, &scratch, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(out.len, 9);
    assert_int_equal(out.data[0], 0);
    {
        double got;
        memcpy(&got, out.data + 1, 8); /* little-endian, as this machine */
        assert_true(isnan(got));
    }
    tw_buf_free(&out);
    tw_buf_free(&scratch);
    tw_cs_unref(s);
}

/* Encodes the JSON text against schema; "" when it encodes, else the error. */
static const char *encode_json_error(const tw_cs_t *schema, const char *text, char *errstr,
                                     size_t errstr_size)
{
    tw_buf_t out = TW_BUF_INIT, scratch = TW_BUF_INIT;
    json_t *value = json_loads(text, 0, NULL);
    tw_datum_t d = {NULL, value, NULL};
    tw_err_t err = tw_avro_encode(&out, schema, &d, &scratch, errstr, errstr_size);

    assert_non_null(value);
    json_decref(value);
    tw_buf_free(&out);
    tw_buf_free(&scratch);
    return err == TW_OK ? "" : errstr;
}

/* An error names where the value sits, down through structs and arrays
 * (the path is written out only when an error needs it). */
static void test_encode_error_paths(void **state)
{
    tw_cs_t *root = tw_cs_new(TW_CS_STRUCT, false, "r.Envelope");
    tw_cs_t *after = tw_cs_new(TW_CS_STRUCT, true, "r.Value");
    tw_cs_t *tags = tw_cs_new(TW_CS_ARRAY, true, NULL);
    char errstr[256];
    (void)state;
    tags->elem = tw_cs_new(TW_CS_INT32, false, NULL);
    tw_cs_add_field(after, "id", tw_cs_new(TW_CS_INT32, false, NULL));
    tw_cs_add_field(after, "tags", tags);
    tw_cs_add_field(root, "after", after);

    assert_string_equal(encode_json_error(root, "{\"after\":{\"id\":null,\"tags\":[1]}}",
                                          errstr, sizeof(errstr)),
                        "$.after.id: null for a required (NOT NULL) schema");
    assert_string_equal(encode_json_error(root, "{\"after\":{\"id\":7,\"tags\":[1,2,null]}}",
                                          errstr, sizeof(errstr)),
                        "$.after.tags[2]: null for a required (NOT NULL) schema");
    assert_string_equal(encode_json_error(root, "{\"after\":{\"id\":7,\"tags\":[1,2]}}",
                                          errstr, sizeof(errstr)),
                        "");
    tw_cs_unref(root);
}

static void test_infer_json(void **state)
{
    json_t *doc = json_loads("{\"a\":1,\"b\":\"x\",\"c\":[1.5],\"d\":null,\"e\":{\"f\":true}}",
                             0, NULL);
    char errstr[256];
    tw_cs_t *s = tw_cs_infer_json(doc, "payload", false, errstr, sizeof(errstr));
    (void)state;
    assert_non_null(s);
    assert_int_equal(s->nfields, 4); /* d left out */
    assert_string_equal(s->name, "payload");
    assert_int_equal(s->fields[0].schema->type, TW_CS_INT32); /* fits in 32 bits */
    assert_int_equal(s->fields[2].schema->elem->type, TW_CS_FLOAT64);
    assert_int_equal(s->fields[3].schema->type, TW_CS_STRUCT);
    /* Debezium names nested structs by their path from the payload column. */
    assert_string_equal(s->fields[3].schema->name, "payload.e");
    tw_cs_unref(s);
    s = tw_cs_infer_json(doc, "payload", true, errstr, sizeof(errstr));
    assert_int_equal(s->nfields, 5); /* d as optional bytes */
    tw_cs_unref(s);
    json_decref(doc);
    /* As Debezium: int64 beyond 32 bits, empty arrays left out, the object
     * elements of an array merged into one struct named like the array. */
    doc = json_loads("{\"big\":2147483648,\"none\":[],\"lines\":[{\"a\":1},{\"b\":\"x\"}]}",
                     0, NULL);
    s = tw_cs_infer_json(doc, "outbox_payload", false, errstr, sizeof(errstr));
    assert_non_null(s);
    assert_int_equal(s->nfields, 2);
    assert_int_equal(s->fields[0].schema->type, TW_CS_INT64);
    assert_string_equal(s->fields[1].name, "lines");
    assert_string_equal(s->fields[1].schema->elem->name, "outbox_payload.lines");
    assert_int_equal(s->fields[1].schema->elem->nfields, 2);
    assert_string_equal(s->fields[1].schema->elem->fields[1].name, "b");
    tw_cs_unref(s);
    json_decref(doc);
    doc = json_loads("{\"mixed\":[1,\"x\"]}", 0, NULL);
    assert_null(tw_cs_infer_json(doc, "payload", false, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "mixes element types"));
    json_decref(doc);
}

/* JsonConverter (Jackson) and the header converter print numbers as
 * Java's Double.toString / Float.toString. */
static void test_java_double(void **state)
{
    static const struct {
        double d;
        bool single;
        const char *expect;
    } cases[] = {
        {0.1, false, "0.1"},         {9.99, false, "9.99"},
        {1.5, false, "1.5"},         {100, false, "100.0"},
        {1234567, false, "1234567.0"}, {1e7, false, "1.0E7"},
        {0.001, false, "0.001"},     {1e-4, false, "1.0E-4"},
        {1e-7, false, "1.0E-7"},     {-2.25e-300, false, "-2.25E-300"},
        {1.5e300, false, "1.5E300"}, {-0.0, false, "-0.0"},
        {0.0, false, "0.0"},         {0.1f, true, "0.1"},
        {1.5f, true, "1.5"},         {3.4028235e38f, true, "3.4028235E38"},
    };
    tw_buf_t out = TW_BUF_INIT;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tw_buf_reset(&out);
        tw_converter_append_java_double(&out, cases[i].d, cases[i].single);
        tw_buf_append_char(&out, '\0');
        assert_string_equal(out.data, cases[i].expect);
    }
    tw_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primitive_schemas),
        cmocka_unit_test(test_decimal_and_record),
        cmocka_unit_test(test_repeated_named_type_is_referenced),
        cmocka_unit_test(test_decimal_unscaled_bytes),
        cmocka_unit_test(test_encode_optional_and_required),
        cmocka_unit_test(test_defaults_in_schema),
        cmocka_unit_test(test_connect_doc),
        cmocka_unit_test(test_encode_with_default),
        cmocka_unit_test(test_encode_error_paths),
        cmocka_unit_test(test_infer_json),
        cmocka_unit_test(test_java_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
