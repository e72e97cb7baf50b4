/*
 * test_json_avro.c — JSON payloads against schemas, checked byte for byte
 * against the Avro 1.11 binary encoding (zig-zag varints, length-prefixed
 * strings and bytes, blocks for arrays and maps, union index first), and
 * every error message with its JSON path.
 *
 * Each case wraps the type under test in a record T with a single field v,
 * so the record adds no bytes of its own and paths read "$.v".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/avsc_catalog.h"
#include "codec/json_avro.h"

#include "avsc_texts.h"

/* ---- helpers ---------------------------------------------------------- */

/* Loads a catalogue from schema texts written to a scratch directory. */
static tw_avsc_catalog_t *load_texts(const char *const *texts, size_t n)
{
    tw_avsc_catalog_t *cat = NULL;
    char message[1024];

    if (avsc_load_texts(texts, n, message, sizeof(message), &cat) != TW_OK)
        fail_msg("schema did not load: %s", message);
    return cat;
}

/* A catalogue holding record T { v: <type> }. */
static tw_avsc_catalog_t *load_field(const char *type)
{
    char text[4096];
    const char *texts[1] = {text};

    snprintf(text, sizeof(text), "{\"type\":\"record\",\"name\":\"T\",\"fields\":"
                                 "[{\"name\":\"v\",\"type\":%s}]}",
             type);
    return load_texts(texts, 1);
}

static tw_err_t encode_with(const char *type, const char *payload, tw_json_avro_unknown_t unknown,
                            tw_buf_t *out, char *errstr, size_t errstr_size)
{
    tw_avsc_catalog_t *cat = load_field(type);
    tw_json_avro_opts_t opts = {.unknown_fields = unknown};
    tw_err_t err = tw_json_avro_encode_text(tw_avsc_catalog_find(cat, "T"), payload,
                                            strlen(payload), &opts, out, errstr, errstr_size);
    tw_avsc_catalog_destroy(cat);
    return err;
}

#define expect_ok(type, payload, bytes) expect_ok_n(type, payload, bytes, sizeof(bytes) - 1)

static void expect_ok_n(const char *type, const char *payload, const char *bytes, size_t n)
{
    tw_buf_t out = TW_BUF_INIT;
    char errstr[1024] = "";

    if (encode_with(type, payload, TW_JSON_AVRO_UNKNOWN_IGNORE, &out, errstr, sizeof(errstr)))
        fail_msg("%s against %s: %s", payload, type, errstr);
    if (out.len != n || (n > 0 && memcmp(out.data, bytes, n) != 0)) {
        for (size_t i = 0; i < out.len; i++)
            print_error("%02x ", (unsigned char)out.data[i]);
        fail_msg("%s against %s: unexpected bytes (above)", payload, type);
    }
    tw_buf_free(&out);
}

static void expect_error_opts(const char *type, const char *payload,
                              tw_json_avro_unknown_t unknown, const char *message)
{
    tw_buf_t out = TW_BUF_INIT;
    char errstr[1024] = "";

    /* What the buffer held before must survive a failed encoding. */
    tw_buf_append(&out, "XY", 2);
    assert_int_equal(encode_with(type, payload, unknown, &out, errstr, sizeof(errstr)),
                     TW_ERR_REJECTED);
    assert_string_equal(errstr, message);
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.data, "XY", 2);
    tw_buf_free(&out);
}

static void expect_error(const char *type, const char *payload, const char *message)
{
    expect_error_opts(type, payload, TW_JSON_AVRO_UNKNOWN_IGNORE, message);
}

/* ---- primitives ------------------------------------------------------- */

static void test_null_boolean(void **state)
{
    (void)state;
    expect_ok_n("\"null\"", "{\"v\":null}", "", 0);
    expect_ok("\"boolean\"", "{\"v\":true}", "\x01");
    expect_ok("\"boolean\"", "{\"v\":false}", "\x00");
    expect_error("\"null\"", "{\"v\":0}", "$.v: expected null, got number 0");
    expect_error("\"boolean\"", "{\"v\":1}", "$.v: expected boolean, got number 1");
    expect_error("\"boolean\"", "{\"v\":\"true\"}", "$.v: expected boolean, got string \"true\"");
}

static void test_int(void **state)
{
    (void)state;
    expect_ok("\"int\"", "{\"v\":0}", "\x00");
    expect_ok("\"int\"", "{\"v\":-1}", "\x01");
    expect_ok("\"int\"", "{\"v\":64}", "\x80\x01");
    expect_ok("\"int\"", "{\"v\":2147483647}", "\xfe\xff\xff\xff\x0f");
    expect_ok("\"int\"", "{\"v\":-2147483648}", "\xff\xff\xff\xff\x0f");
    expect_error("\"int\"", "{\"v\":2147483648}", "$.v: 2147483648 out of range for int");
    expect_error("\"int\"", "{\"v\":3000000000}", "$.v: 3000000000 out of range for int");
    expect_error("\"int\"", "{\"v\":-2147483649}", "$.v: -2147483649 out of range for int");
    /* No real to integer, no string to number: */
    expect_error("\"int\"", "{\"v\":1.5}", "$.v: expected int, got number 1.5");
    expect_error("\"int\"", "{\"v\":1.0}", "$.v: expected int, got number 1.0");
    expect_error("\"int\"", "{\"v\":1e3}", "$.v: expected int, got number 1e3");
    expect_error("\"int\"", "{\"v\":\"x\"}", "$.v: expected int, got string \"x\"");
    expect_error("\"int\"", "{\"v\":\"5\"}", "$.v: expected int, got string \"5\"");
    expect_error("\"int\"", "{\"v\":null}", "$.v: expected int, got null");
    expect_error("\"int\"", "{\"v\":[1]}", "$.v: expected int, got array");
    expect_error("\"int\"", "{\"v\":{}}", "$.v: expected int, got object");
}

static void test_long(void **state)
{
    (void)state;
    expect_ok("\"long\"", "{\"v\":3000000000}", "\x80\xf8\x82\xad\x16");
    expect_ok("\"long\"", "{\"v\":9223372036854775807}",
              "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01");
    expect_ok("\"long\"", "{\"v\":-9223372036854775808}",
              "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
    expect_error("\"long\"", "{\"v\":9223372036854775808}",
                 "$.v: 9223372036854775808 out of range for long");
    expect_error("\"long\"", "{\"v\":-9223372036854775809}",
                 "$.v: -9223372036854775809 out of range for long");
    expect_error("\"long\"", "{\"v\":123456789012345678901234567890}",
                 "$.v: 123456789012345678901234567890 out of range for long");
    expect_error("\"long\"", "{\"v\":1.5}", "$.v: expected long, got number 1.5");
    expect_error("\"long\"", "{\"v\":true}", "$.v: expected long, got boolean true");
}

static void test_float_double(void **state)
{
    (void)state;
    expect_ok("\"float\"", "{\"v\":1.5}", "\x00\x00\xc0\x3f");
    expect_ok("\"float\"", "{\"v\":2}", "\x00\x00\x00\x40");
    expect_ok("\"double\"", "{\"v\":1}", "\x00\x00\x00\x00\x00\x00\xf0\x3f");
    expect_ok("\"double\"", "{\"v\":0.1}", "\x9a\x99\x99\x99\x99\x99\xb9\x3f");
    expect_ok("\"double\"", "{\"v\":-2.0}", "\x00\x00\x00\x00\x00\x00\x00\xc0");
    expect_error("\"float\"", "{\"v\":1e39}", "$.v: 1e39 out of range for float");
    expect_error("\"double\"", "{\"v\":\"1.5\"}", "$.v: expected double, got string \"1.5\"");
    expect_error("\"float\"", "{\"v\":null}", "$.v: expected float, got null");
}

static void test_string(void **state)
{
    (void)state;
    expect_ok("\"string\"", "{\"v\":\"foo\"}", "\x06" "foo");
    expect_ok("\"string\"", "{\"v\":\"\"}", "\x00");
    expect_ok("\"string\"", "{\"v\":\"\\u00e9\"}", "\x04\xc3\xa9");
    expect_ok("\"string\"", "{\"v\":\"a\\u0000b\"}", "\x06" "a\x00" "b");
    expect_error("\"string\"", "{\"v\":5}", "$.v: expected string, got number 5");
    expect_error("\"string\"", "{\"v\":false}", "$.v: expected string, got boolean false");
}

static void test_long_values_are_cut_in_messages(void **state)
{
    (void)state;
    expect_error("\"int\"",
                 "{\"v\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
                 "$.v: expected int, got string \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
    /* Quotes and control characters are escaped. */
    expect_error("\"int\"", "{\"v\":\"a\\\"b\\n\"}",
                 "$.v: expected int, got string \"a\\\"b\\n\"");
}

static void test_bytes_and_fixed_base64(void **state)
{
    const char *fixed3 = "{\"type\":\"fixed\",\"name\":\"F\",\"size\":3}";

    (void)state;
    expect_ok("\"bytes\"", "{\"v\":\"AAEC\"}", "\x06\x00\x01\x02");
    expect_ok("\"bytes\"", "{\"v\":\"AAE=\"}", "\x04\x00\x01");
    expect_ok("\"bytes\"", "{\"v\":\"/w==\"}", "\x02\xff");
    expect_ok("\"bytes\"", "{\"v\":\"\"}", "\x00");
    expect_error("\"bytes\"", "{\"v\":\"!!!!\"}",
                 "$.v: invalid base64 string \"!!!!\" (bytes are given as base64)");
    expect_error("\"bytes\"", "{\"v\":\"AAE\"}",
                 "$.v: invalid base64 string \"AAE\" (bytes are given as base64)");
    expect_error("\"bytes\"", "{\"v\":\"A=AA\"}",
                 "$.v: invalid base64 string \"A=AA\" (bytes are given as base64)");
    expect_error("\"bytes\"", "{\"v\":[0,1]}", "$.v: expected bytes, got array");
    /* fixed: the raw bytes, no length */
    expect_ok(fixed3, "{\"v\":\"AAEC\"}", "\x00\x01\x02");
    expect_error(fixed3, "{\"v\":\"AA==\"}", "$.v: fixed F needs 3 bytes, got 1");
    expect_error(fixed3, "{\"v\":1}", "$.v: expected fixed F, got number 1");
}

static void test_enum(void **state)
{
    const char *status = "{\"type\":\"enum\",\"name\":\"Status\",\"namespace\":\"com.x\","
                         "\"symbols\":[\"NEW\",\"PAID\",\"SHIPPED\"],\"default\":\"NEW\"}";

    (void)state;
    expect_ok(status, "{\"v\":\"NEW\"}", "\x00");
    expect_ok(status, "{\"v\":\"SHIPPED\"}", "\x04");
    /* Unknown symbols are an error even though the enum has a default: the
     * default is for readers, a writer must not guess. */
    expect_error(status, "{\"v\":\"LOST\"}",
                 "$.v: enum symbol \"LOST\" not allowed (allowed: NEW, PAID, SHIPPED)");
    expect_error(status, "{\"v\":\"new\"}",
                 "$.v: enum symbol \"new\" not allowed (allowed: NEW, PAID, SHIPPED)");
    expect_error(status, "{\"v\":1}", "$.v: expected enum com.x.Status, got number 1");
}

static void test_array_and_map(void **state)
{
    const char *ints = "{\"type\":\"array\",\"items\":\"int\"}";
    const char *longs = "{\"type\":\"map\",\"values\":\"long\"}";

    (void)state;
    /* One block of n items, then the zero-length block. */
    expect_ok(ints, "{\"v\":[1,2]}", "\x04\x02\x04\x00");
    expect_ok(ints, "{\"v\":[]}", "\x00");
    expect_error(ints, "{\"v\":[1,\"x\",3]}", "$.v[1]: expected int, got string \"x\"");
    expect_error(ints, "{\"v\":{}}", "$.v: expected array, got object");
    expect_ok(longs, "{\"v\":{\"a\":1}}", "\x02\x02" "a" "\x02\x00");
    expect_ok(longs, "{\"v\":{\"a\":1,\"b\":-1}}", "\x04\x02" "a" "\x02\x02" "b" "\x01\x00");
    expect_ok(longs, "{\"v\":{}}", "\x00");
    expect_error(longs, "{\"v\":{\"a b\":\"x\"}}", "$.v[\"a b\"]: expected long, got string \"x\"");
    expect_error(longs, "{\"v\":{\"ok\":1,\"n\":1.5}}", "$.v.n: expected long, got number 1.5");
    expect_error(longs, "{\"v\":[]}", "$.v: expected map, got array");
}

/* ---- records: order, defaults, missing and unknown fields ------------- */

static const char *order_schema =
    "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"com.x\",\"fields\":["
    " {\"name\":\"id\",\"type\":\"long\"},"
    " {\"name\":\"customer\",\"type\":{\"type\":\"record\",\"name\":\"Customer\",\"fields\":["
    "   {\"name\":\"name\",\"type\":\"string\"},"
    "   {\"name\":\"email\",\"type\":\"string\"},"
    "   {\"name\":\"vip\",\"type\":\"boolean\",\"default\":true}]}},"
    " {\"name\":\"lineItems\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\","
    "   \"name\":\"Line\",\"fields\":[{\"name\":\"sku\",\"type\":\"string\"},"
    "   {\"name\":\"quantity\",\"type\":\"int\"}]}}},"
    " {\"name\":\"status\",\"type\":{\"type\":\"enum\",\"name\":\"Status\","
    "   \"symbols\":[\"NEW\",\"PAID\",\"SHIPPED\"]},\"default\":\"PAID\"},"
    " {\"name\":\"qty\",\"type\":\"int\",\"default\":7},"
    " {\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null},"
    " {\"name\":\"label\",\"type\":[\"string\",\"null\"],\"default\":\"hi\"},"
    " {\"name\":\"raw\",\"type\":\"bytes\",\"default\":\"\\u00ff\\u0001\"},"
    " {\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"int\"},\"default\":[1]},"
    " {\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"int\"},\"default\":{}},"
    " {\"name\":\"shipTo\",\"type\":{\"type\":\"record\",\"name\":\"Addr\",\"fields\":["
    "   {\"name\":\"city\",\"type\":\"string\"},"
    "   {\"name\":\"zip\",\"type\":\"int\",\"default\":9}]},\"default\":{\"city\":\"Oslo\"}},"
    " {\"name\":\"price\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
    "   \"precision\":5,\"scale\":2},\"default\":\"\\u0000\"},"
    " {\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"},\"default\":1}"
    "]}";

static tw_err_t encode_order(const char *payload, tw_json_avro_unknown_t unknown, tw_buf_t *out,
                             char *errstr, size_t errstr_size)
{
    tw_avsc_catalog_t *cat = load_texts(&order_schema, 1);
    tw_json_avro_opts_t opts = {.unknown_fields = unknown};
    tw_err_t err = tw_json_avro_encode_text(tw_avsc_catalog_find(cat, "com.x.Order"), payload,
                                            strlen(payload), &opts, out, errstr, errstr_size);
    tw_avsc_catalog_destroy(cat);
    return err;
}

static void test_record_defaults_filled(void **state)
{
    const char *payload = "{\"customer\":{\"email\":\"e\",\"name\":\"n\"},\"id\":1,"
                          "\"lineItems\":[{\"sku\":\"a\",\"quantity\":2}]}";
    const char expect[] =
        "\x02"                 /* id 1 */
        "\x02" "n" "\x02" "e"  /* customer.name, customer.email (field order) */
        "\x01"                 /* customer.vip default true */
        "\x02\x02" "a" "\x04\x00" /* lineItems: 1 item, sku "a", quantity 2, end */
        "\x02"                 /* status default PAID = 1 */
        "\x0e"                 /* qty default 7 */
        "\x00"                 /* note default null: branch 0 */
        "\x00\x04" "hi"        /* label default "hi": branch 0, string */
        "\x04\xff\x01"         /* raw default: code points as bytes */
        "\x02\x02\x00"         /* tags default [1] */
        "\x00"                 /* attrs default {} */
        "\x08" "Oslo" "\x12"   /* shipTo default, its zip from Addr's default 9 */
        "\x02\x00"             /* price default "\u0000": one zero byte */
        "\x02";                /* day default 1 */
    tw_buf_t out = TW_BUF_INIT;
    char errstr[1024] = "";

    (void)state;
    if (encode_order(payload, TW_JSON_AVRO_UNKNOWN_IGNORE, &out, errstr, sizeof(errstr)))
        fail_msg("%s", errstr);
    assert_int_equal(out.len, sizeof(expect) - 1);
    assert_memory_equal(out.data, expect, sizeof(expect) - 1);
    tw_buf_free(&out);
}

static void expect_order_error(const char *payload, tw_json_avro_unknown_t unknown,
                               const char *message)
{
    tw_buf_t out = TW_BUF_INIT;
    char errstr[1024] = "";

    assert_int_equal(encode_order(payload, unknown, &out, errstr, sizeof(errstr)),
                     TW_ERR_REJECTED);
    assert_string_equal(errstr, message);
    assert_int_equal(out.len, 0);
    tw_buf_free(&out);
}

static void test_record_errors(void **state)
{
    (void)state;
    expect_order_error("{\"id\":1,\"customer\":{\"name\":\"n\"},\"lineItems\":[]}",
                       TW_JSON_AVRO_UNKNOWN_IGNORE,
                       "$.customer: missing required field \"email\"");
    expect_order_error("{\"customer\":{\"name\":\"n\",\"email\":\"e\"},\"lineItems\":[]}",
                       TW_JSON_AVRO_UNKNOWN_IGNORE, "$: missing required field \"id\"");
    expect_order_error("{\"id\":1,\"customer\":{\"name\":\"n\",\"email\":\"e\"},\"lineItems\":["
                       "{\"sku\":\"a\",\"quantity\":1},{\"sku\":\"b\",\"quantity\":2},"
                       "{\"sku\":\"c\",\"quantity\":\"x\"}]}",
                       TW_JSON_AVRO_UNKNOWN_IGNORE,
                       "$.lineItems[2].quantity: expected int, got string \"x\"");
    expect_order_error("{\"id\":1,\"customer\":{\"name\":\"n\",\"email\":\"e\"},\"lineItems\":[],"
                       "\"status\":\"LOST\"}",
                       TW_JSON_AVRO_UNKNOWN_IGNORE,
                       "$.status: enum symbol \"LOST\" not allowed (allowed: NEW, PAID, SHIPPED)");
    expect_order_error("{\"id\":1,\"customer\":{\"name\":\"n\",\"email\":\"e\"},\"lineItems\":[],"
                       "\"qty\":3000000000}",
                       TW_JSON_AVRO_UNKNOWN_IGNORE, "$.qty: 3000000000 out of range for int");
    /* A present null is not a missing field: no default replaces it. */
    expect_order_error("{\"id\":1,\"customer\":{\"name\":\"n\",\"email\":\"e\"},\"lineItems\":[],"
                       "\"qty\":null}",
                       TW_JSON_AVRO_UNKNOWN_IGNORE, "$.qty: expected int, got null");
    expect_order_error("[1]", TW_JSON_AVRO_UNKNOWN_IGNORE,
                       "$: expected record com.x.Order, got array");
}

static void test_unknown_fields(void **state)
{
    const char *extra = "{\"id\":1,\"customer\":{\"name\":\"n\",\"email\":\"e\",\"age\":3},"
                        "\"lineItems\":[],\"foo\":true}";
    tw_buf_t out = TW_BUF_INIT;
    char errstr[1024] = "";

    (void)state;
    /* ignore (the default) skips them */
    assert_int_equal(encode_order(extra, TW_JSON_AVRO_UNKNOWN_IGNORE, &out, errstr,
                                  sizeof(errstr)),
                     TW_OK);
    tw_buf_free(&out);
    /* A record's own unknown fields are reported before its fields' errors. */
    expect_order_error(extra, TW_JSON_AVRO_UNKNOWN_FAIL,
                       "$.foo: unknown field (unknown.fields=fail)");
    expect_order_error("{\"id\":1,\"customer\":{\"name\":\"n\",\"email\":\"e\",\"age\":3},"
                       "\"lineItems\":[]}",
                       TW_JSON_AVRO_UNKNOWN_FAIL,
                       "$.customer.age: unknown field (unknown.fields=fail)");
    expect_error_opts("\"int\"", "{\"v\":1,\"my key\":2}", TW_JSON_AVRO_UNKNOWN_FAIL,
                      "$[\"my key\"]: unknown field (unknown.fields=fail)");
}

static void test_recursive_record(void **state)
{
    const char *list = "{\"type\":\"record\",\"name\":\"Node\",\"fields\":["
                       "{\"name\":\"value\",\"type\":\"int\"},"
                       "{\"name\":\"next\",\"type\":[\"null\",\"Node\"],\"default\":null}]}";
    tw_avsc_catalog_t *cat = load_texts(&list, 1);
    const char *payload = "{\"value\":1,\"next\":{\"value\":2,\"next\":{\"value\":3}}}";
    tw_buf_t out = TW_BUF_INIT;
    char errstr[512];

    (void)state;
    assert_int_equal(tw_json_avro_encode_text(tw_avsc_catalog_find(cat, "Node"), payload,
                                              strlen(payload), NULL, &out, errstr, sizeof(errstr)),
                     TW_OK);
    /* 1, branch 1, 2, branch 1, 3, branch 0 (default null) */
    assert_int_equal(out.len, 6);
    assert_memory_equal(out.data, "\x02\x02\x04\x02\x06\x00", 6);
    payload = "{\"value\":1,\"next\":{\"value\":2,\"next\":{\"value\":\"x\"}}}";
    assert_int_equal(tw_json_avro_encode_text(tw_avsc_catalog_find(cat, "Node"), payload,
                                              strlen(payload), NULL, &out, errstr, sizeof(errstr)),
                     TW_ERR_REJECTED);
    assert_string_equal(errstr, "$.next.next.value: expected int, got string \"x\"");
    tw_buf_free(&out);
    tw_avsc_catalog_destroy(cat);
}

/* ---- unions ----------------------------------------------------------- */

static void test_union_nullable(void **state)
{
    const char *opt = "[\"null\",\"string\"]";
    const char *opt_rec = "[\"null\",{\"type\":\"record\",\"name\":\"R\",\"fields\":["
                          "{\"name\":\"a\",\"type\":\"int\"}]}]";

    (void)state;
    expect_ok(opt, "{\"v\":null}", "\x00");
    expect_ok(opt, "{\"v\":\"a\"}", "\x02\x02" "a");
    expect_error(opt, "{\"v\":5}", "$.v: expected union [null, string], got number 5");
    expect_error(opt, "{}", "$: missing required field \"v\"");
    expect_ok(opt_rec, "{\"v\":{\"a\":1}}", "\x02\x02");
    /* Only one branch can take an object: its own error is the useful one. */
    expect_error(opt_rec, "{\"v\":{\"a\":\"x\"}}", "$.v.a: expected int, got string \"x\"");
    expect_error(opt_rec, "{\"v\":{}}", "$.v: missing required field \"a\"");
}

static void test_union_first_match_wins(void **state)
{
    (void)state;
    /* 5 is both an int and a long: the first declared branch wins. */
    expect_ok("[\"int\",\"long\"]", "{\"v\":5}", "\x00\x0a");
    expect_ok("[\"long\",\"int\"]", "{\"v\":5}", "\x00\x0a");
    /* Too big for int: falls through to long. */
    expect_ok("[\"int\",\"long\"]", "{\"v\":3000000000}", "\x02\x80\xf8\x82\xad\x16");
    /* An integer also fits double, a real only double. */
    expect_ok("[\"int\",\"double\"]", "{\"v\":1.5}", "\x02\x00\x00\x00\x00\x00\x00\xf8\x3f");
    /* "AAEC" is a string first, even though it is valid base64. */
    expect_ok("[\"string\",\"bytes\"]", "{\"v\":\"AAEC\"}", "\x00\x08" "AAEC");
    expect_ok("[\"bytes\",\"string\"]", "{\"v\":\"AAEC\"}", "\x00\x06\x00\x01\x02");
    expect_ok("[\"bytes\",\"string\"]", "{\"v\":\"!\"}", "\x02\x02!");
    /* A date string is not a date's int but the string branch takes it. */
    expect_ok("[{\"type\":\"int\",\"logicalType\":\"date\"},\"string\"]",
              "{\"v\":\"1970-01-02\"}", "\x00\x02");
    expect_ok("[{\"type\":\"int\",\"logicalType\":\"date\"},\"string\"]", "{\"v\":\"soon\"}",
              "\x02\x08" "soon");
    /* Records: the first whose fields the object satisfies. */
    expect_ok("[{\"type\":\"record\",\"name\":\"A\",\"fields\":"
              "[{\"name\":\"a\",\"type\":\"int\"}]},"
              "{\"type\":\"record\",\"name\":\"B\",\"fields\":"
              "[{\"name\":\"b\",\"type\":\"int\"}]}]",
              "{\"v\":{\"b\":1}}", "\x02\x02");
    expect_error("[\"int\",\"string\",\"null\"]", "{\"v\":true}",
                 "$.v: expected union [int, string, null], got boolean true");
    expect_error("[\"int\",\"long\"]", "{\"v\":9223372036854775808}",
                 "$.v: expected union [int, long], got number 9223372036854775808");
}

static void test_union_json_encoding_form(void **state)
{
    const char *two = "[\"null\",{\"type\":\"record\",\"name\":\"A\",\"namespace\":\"n\","
                      "\"fields\":"
                      "[{\"name\":\"x\",\"type\":\"int\"}]},{\"type\":\"record\",\"name\":\"B\","
                      "\"namespace\":\"n\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}]";

    (void)state;
    expect_ok("[\"null\",\"string\",\"long\"]", "{\"v\":{\"long\":5}}", "\x04\x0a");
    expect_ok("[\"null\",\"string\"]", "{\"v\":{\"string\":\"a\"}}", "\x02\x02" "a");
    /* Plain {"x":1} is an A (first match); the wrapper picks B. */
    expect_ok(two, "{\"v\":{\"x\":1}}", "\x02\x02");
    expect_ok(two, "{\"v\":{\"n.B\":{\"x\":1}}}", "\x04\x02");
    /* Named types by full name only. */
    expect_error(two, "{\"v\":{\"B\":{\"x\":1}}}",
                 "$.v: expected union [null, n.A, n.B], got object");
    /* The wrapped value is checked against its branch. */
    expect_error("[\"null\",\"long\"]", "{\"v\":{\"long\":\"x\"}}",
                 "$.v: expected long, got string \"x\"");
    expect_error("[\"null\",\"string\"]", "{\"v\":{\"int\":5}}",
                 "$.v: expected union [null, string], got object");
}

/* ---- logical types ---------------------------------------------------- */

static const char *dec_bytes =
    "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}";
static const char *dec_fixed = "{\"type\":\"fixed\",\"name\":\"D\",\"size\":4,"
                               "\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}";

static void test_decimal_bytes(void **state)
{
    (void)state;
    /* Unscaled integers, two's complement big-endian, fewest bytes. */
    expect_ok(dec_bytes, "{\"v\":\"12.34\"}", "\x04\x04\xd2");   /* 1234 */
    expect_ok(dec_bytes, "{\"v\":12.34}", "\x04\x04\xd2");       /* JSON number, same */
    expect_ok(dec_bytes, "{\"v\":\"1.5\"}", "\x04\x00\x96");     /* 150: sign byte needed */
    expect_ok(dec_bytes, "{\"v\":\"-1.5\"}", "\x04\xff\x6a");    /* -150 */
    expect_ok(dec_bytes, "{\"v\":\"1.27\"}", "\x02\x7f");        /* 127 */
    expect_ok(dec_bytes, "{\"v\":\"-1.28\"}", "\x02\x80");       /* -128 */
    expect_ok(dec_bytes, "{\"v\":\"1.28\"}", "\x04\x00\x80");    /* 128 */
    expect_ok(dec_bytes, "{\"v\":\"-0.01\"}", "\x02\xff");       /* -1 */
    expect_ok(dec_bytes, "{\"v\":\"0\"}", "\x02\x00");
    expect_ok(dec_bytes, "{\"v\":\"-0.00\"}", "\x02\x00");
    expect_ok(dec_bytes, "{\"v\":1}", "\x02\x64");               /* padded to 100 */
    expect_ok(dec_bytes, "{\"v\":1e2}", "\x04\x27\x10");         /* 10000 */
    expect_ok(dec_bytes, "{\"v\":\"+1.5E-1\"}", "\x02\x0f");     /* 0.15 → 15 */
    expect_ok(dec_bytes, "{\"v\":\"1234567.89\"}", "\x08\x07\x5b\xcd\x15");
    expect_error(dec_bytes, "{\"v\":\"12.345\"}",
                 "$.v: \"12.345\" has 3 fractional digits, more than the scale of decimal(9,2)");
    expect_error(dec_bytes, "{\"v\":12.340}",
                 "$.v: 12.340 has 3 fractional digits, more than the scale of decimal(9,2)");
    expect_error(dec_bytes, "{\"v\":\"12345678.9\"}",
                 "$.v: \"12345678.9\" has 10 digits, more than the precision of decimal(9,2)");
    expect_error(dec_bytes, "{\"v\":\"abc\"}", "$.v: invalid decimal \"abc\"");
    expect_error(dec_bytes, "{\"v\":\"1.\"}", "$.v: invalid decimal \"1.\"");
    expect_error(dec_bytes, "{\"v\":\".5\"}", "$.v: invalid decimal \".5\"");
    expect_error(dec_bytes, "{\"v\":\" 1\"}", "$.v: invalid decimal \" 1\"");
    expect_error(dec_bytes, "{\"v\":true}", "$.v: expected decimal(9,2), got boolean true");
}

static void test_decimal_exact_and_fixed(void **state)
{
    const char *wide =
        "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":20,\"scale\":2}";

    (void)state;
    /* A double cannot hold 12345678901234567.89: the literal digits count.
     * 1234567890123456789 = 0x112210F47DE98115 */
    expect_ok(wide, "{\"v\":12345678901234567.89}", "\x10\x11\x22\x10\xf4\x7d\xe9\x81\x15");
    expect_ok(wide, "{\"v\":\"12345678901234567.89\"}", "\x10\x11\x22\x10\xf4\x7d\xe9\x81\x15");
    /* fixed: sign-extended to its size */
    expect_ok(dec_fixed, "{\"v\":\"1.5\"}", "\x00\x00\x00\x96");
    expect_ok(dec_fixed, "{\"v\":\"-1.5\"}", "\xff\xff\xff\x6a");
    expect_ok(dec_fixed, "{\"v\":\"-9999999.99\"}", "\xc4\x65\x36\x01");
    expect_error(dec_fixed, "{\"v\":\"0.001\"}",
                 "$.v: \"0.001\" has 3 fractional digits, more than the scale of decimal(9,2)");
}

static void test_decimal_from_json_t(void **state)
{
    tw_avsc_catalog_t *cat = load_field(dec_bytes);
    json_t *value = json_pack("{s:f}", "v", 12.34);
    json_t *bad = json_pack("{s:f}", "v", 0.125);
    tw_buf_t out = TW_BUF_INIT;
    char errstr[512];

    (void)state;
    /* json_t reals have lost their text: the shortest round trip is used. */
    assert_int_equal(tw_json_avro_encode(tw_avsc_catalog_find(cat, "T"), value, NULL, &out, errstr,
                                         sizeof(errstr)),
                     TW_OK);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "\x04\x04\xd2", 3);
    assert_int_equal(tw_json_avro_encode(tw_avsc_catalog_find(cat, "T"), bad, NULL, &out, errstr,
                                         sizeof(errstr)),
                     TW_ERR_REJECTED);
    assert_string_equal(errstr,
                        "$.v: 0.125 has 3 fractional digits, more than the scale of decimal(9,2)");
    json_decref(value);
    json_decref(bad);
    tw_buf_free(&out);
    tw_avsc_catalog_destroy(cat);
}

static void test_json_t_integers_and_reals(void **state)
{
    tw_avsc_catalog_t *cat = load_field("\"int\"");
    json_t *real = json_pack("{s:f}", "v", 5.0);
    json_t *integer = json_pack("{s:I}", "v", (json_int_t)5);
    tw_buf_t out = TW_BUF_INIT;
    char errstr[512];

    (void)state;
    assert_int_equal(tw_json_avro_encode(tw_avsc_catalog_find(cat, "T"), integer, NULL, &out,
                                         errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(out.len, 1);
    assert_int_equal(out.data[0], 0x0a);
    /* A real is never an int, even 5.0. */
    assert_int_equal(tw_json_avro_encode(tw_avsc_catalog_find(cat, "T"), real, NULL, &out, errstr,
                                         sizeof(errstr)),
                     TW_ERR_REJECTED);
    assert_string_equal(errstr, "$.v: expected int, got number 5.0");
    json_decref(real);
    json_decref(integer);
    tw_buf_free(&out);
    tw_avsc_catalog_destroy(cat);
}

static void test_uuid(void **state)
{
    const char *uuid = "{\"type\":\"string\",\"logicalType\":\"uuid\"}";

    (void)state;
    expect_ok(uuid, "{\"v\":\"123e4567-e89b-12d3-a456-426614174000\"}",
              "\x48" "123e4567-e89b-12d3-a456-426614174000");
    expect_ok(uuid, "{\"v\":\"123E4567-E89B-12D3-A456-426614174000\"}",
              "\x48" "123E4567-E89B-12D3-A456-426614174000");
    expect_error(uuid, "{\"v\":\"123e4567e89b12d3a456426614174000\"}",
                 "$.v: invalid uuid \"123e4567e89b12d3a456426614174000\" (expected 8-4-4-4-12 "
                 "hex digits)");
    expect_error(uuid, "{\"v\":\"123e4567-e89b-12d3-a456-42661417400g\"}",
                 "$.v: invalid uuid \"123e4567-e89b-12d3-a456-42661417400g\" (expected "
                 "8-4-4-4-12 hex digits)");
    expect_error(uuid, "{\"v\":5}", "$.v: expected uuid, got number 5");
}

static void test_date(void **state)
{
    const char *date = "{\"type\":\"int\",\"logicalType\":\"date\"}";

    (void)state;
    expect_ok(date, "{\"v\":\"1970-01-01\"}", "\x00");
    expect_ok(date, "{\"v\":\"1970-01-02\"}", "\x02");
    expect_ok(date, "{\"v\":\"1969-12-31\"}", "\x01");
    expect_ok(date, "{\"v\":\"2024-02-29\"}", "\x8c\xb5\x02"); /* 19782 */
    expect_ok(date, "{\"v\":19782}", "\x8c\xb5\x02");
    expect_error(date, "{\"v\":\"2023-02-29\"}",
                 "$.v: invalid date \"2023-02-29\" (expected YYYY-MM-DD)");
    expect_error(date, "{\"v\":\"2024-13-01\"}",
                 "$.v: invalid date \"2024-13-01\" (expected YYYY-MM-DD)");
    expect_error(date, "{\"v\":\"2024-1-01\"}",
                 "$.v: invalid date \"2024-1-01\" (expected YYYY-MM-DD)");
    expect_error(date, "{\"v\":\"2024-01-01T00:00:00Z\"}",
                 "$.v: invalid date \"2024-01-01T00:00:00Z\" (expected YYYY-MM-DD)");
    expect_error(date, "{\"v\":1.5}", "$.v: expected date, got number 1.5");
    expect_error(date, "{\"v\":3000000000}", "$.v: 3000000000 out of range for int");
}

static void test_time(void **state)
{
    const char *millis = "{\"type\":\"int\",\"logicalType\":\"time-millis\"}";
    const char *micros = "{\"type\":\"long\",\"logicalType\":\"time-micros\"}";

    (void)state;
    expect_ok(millis, "{\"v\":\"00:00:01.5\"}", "\xb8\x17");     /* 1500 */
    expect_ok(millis, "{\"v\":\"01:00:00\"}", "\x80\xba\xb7\x03"); /* 3600000 */
    expect_ok(millis, "{\"v\":1500}", "\xb8\x17");
    expect_ok(micros, "{\"v\":\"00:00:00.000001\"}", "\x02");
    expect_ok(micros, "{\"v\":\"00:00:00.0015\"}", "\xb8\x17"); /* 1500 µs */
    expect_error(millis, "{\"v\":\"00:00:00.1234\"}",
                 "$.v: \"00:00:00.1234\" has more fractional-second digits than time-millis "
                 "holds (3)");
    expect_error(micros, "{\"v\":\"00:00:00.1234567\"}",
                 "$.v: \"00:00:00.1234567\" has more fractional-second digits than time-micros "
                 "holds (6)");
    expect_error(millis, "{\"v\":\"24:00:00\"}",
                 "$.v: invalid time-millis \"24:00:00\" (expected HH:MM:SS[.fraction])");
    expect_error(millis, "{\"v\":\"12:00\"}",
                 "$.v: invalid time-millis \"12:00\" (expected HH:MM:SS[.fraction])");
    expect_error(millis, "{\"v\":\"12:00:00.\"}",
                 "$.v: invalid time-millis \"12:00:00.\" (expected HH:MM:SS[.fraction])");
}

static void test_timestamps(void **state)
{
    const char *ms = "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}";
    const char *us = "{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}";
    const char *local_ms = "{\"type\":\"long\",\"logicalType\":\"local-timestamp-millis\"}";
    const char *local_us = "{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}";

    (void)state;
    expect_ok(ms, "{\"v\":\"1970-01-01T00:00:00Z\"}", "\x00");
    expect_ok(ms, "{\"v\":\"1970-01-01T00:00:00.001Z\"}", "\x02");
    expect_ok(ms, "{\"v\":\"1970-01-01T01:00:00+01:00\"}", "\x00");
    expect_ok(ms, "{\"v\":\"1969-12-31T23:00:01-01:00\"}", "\xd0\x0f"); /* 1000 */
    /* 2024-03-01T11:00:00.123Z = 1709290800123 ms */
    expect_ok(ms, "{\"v\":\"2024-03-01T12:00:00.123+01:00\"}", "\xf6\x8f\xde\x9a\xbf\x63");
    expect_ok(ms, "{\"v\":1709290800123}", "\xf6\x8f\xde\x9a\xbf\x63");
    expect_ok(us, "{\"v\":\"1970-01-01T00:00:00.000001Z\"}", "\x02");
    expect_ok(us, "{\"v\":\"1970-01-01T00:00:00.0015Z\"}", "\xb8\x17");
    expect_error(ms, "{\"v\":\"1970-01-01T00:00:00.0001Z\"}",
                 "$.v: \"1970-01-01T00:00:00.0001Z\" has more fractional-second digits than "
                 "timestamp-millis holds (3)");
    expect_error(ms, "{\"v\":\"1970-01-01T00:00:00\"}",
                 "$.v: invalid timestamp-millis \"1970-01-01T00:00:00\" (expected "
                 "YYYY-MM-DDTHH:MM:SS[.fraction] and Z or +HH:MM/-HH:MM)");
    expect_error(ms, "{\"v\":\"1970-01-01 00:00:00Z\"}",
                 "$.v: invalid timestamp-millis \"1970-01-01 00:00:00Z\" (expected "
                 "YYYY-MM-DDTHH:MM:SS[.fraction] and Z or +HH:MM/-HH:MM)");
    expect_error(ms, "{\"v\":1.5}", "$.v: expected timestamp-millis, got number 1.5");
    expect_ok(local_ms, "{\"v\":\"1970-01-01T00:00:01\"}", "\xd0\x0f");
    expect_ok(local_ms, "{\"v\":\"1970-01-01T00:00:01Z\"}", "\xd0\x0f");
    expect_ok(local_us, "{\"v\":\"1970-01-01T00:00:00.000001\"}", "\x02");
    expect_error(local_ms, "{\"v\":\"1970-01-01T00:00:01+01:00\"}",
                 "$.v: invalid local-timestamp-millis \"1970-01-01T00:00:01+01:00\" (expected "
                 "YYYY-MM-DDTHH:MM:SS[.fraction] without zone or with Z)");
    expect_error(local_us, "{\"v\":\"1970-01-01T00:00:00.0000001\"}",
                 "$.v: \"1970-01-01T00:00:00.0000001\" has more fractional-second digits than "
                 "local-timestamp-micros holds (6)");
}

/* ---- input handling --------------------------------------------------- */

static void test_invalid_json_text(void **state)
{
    (void)state;
    expect_error("\"int\"", "{\"v\":1,}",
                 "$: invalid JSON at line 1 column 8: string or '}' expected near '}'");
    expect_error("\"int\"", "{\"v\":1,\"v\":2}",
                 "$: invalid JSON at line 1 column 10: duplicate object key near '\"v\"'");
}

/* Numbers inside strings, keys and nested containers must not confuse
 * the pairing of number literals with jansson's nodes. */
static void test_number_texts_follow_document_order(void **state)
{
    const char *type = "{\"type\":\"map\",\"values\":{\"type\":\"array\",\"items\":"
                       "{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":30,"
                       "\"scale\":1}}}";

    (void)state;
    expect_ok(type, "{\"v\":{\"z1\":[1.5],\"a\\\"2e5\":[],\"m\":[0.1,-2]},\"s\":\"3.25 -4\"}",
              "\x06"                              /* 3 map entries */
              "\x04z1\x02\x02\x0f\x00"            /* z1: [15] */
              "\x0a" "a\"2e5" "\x00"              /* a"2e5: [] */
              "\x02m\x04\x02\x01\x02\xec\x00"     /* m: [1, -20] */
              "\x00");
}

/* hide_values (runtime payloads): messages name the path, the expected
 * type and the size, never the value, a map key or jansson's context. */
static void test_hidden_values(void **state)
{
    static const struct {
        const char *type;
        const char *payload;
        const char *message;
    } cases[] = {
        {"{\"type\":\"string\",\"logicalType\":\"uuid\"}",
         "{\"v\":\"SSN 123-45-6789 card 4111\"}",
         "$.v: invalid uuid (25 bytes) (expected 8-4-4-4-12 hex digits)"},
        {"\"int\"", "{\"v\":\"SSN 123-45-6789\"}", "$.v: expected int, got string (15 bytes)"},
        {"\"int\"", "{\"v\":1234567890123}", "$.v: number out of range for int"},
        {"\"int\"", "{\"v\":12.3456789}", "$.v: expected int, got number (value not shown)"},
        {"{\"type\":\"map\",\"values\":\"long\"}", "{\"v\":{\"SSN 123-45-6789\":\"x\"}}",
         "$.v[*]: expected long, got string (1 byte)"},
        {"\"string\"", "{\"v\": SSN-123-45-6789}", NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tw_avsc_catalog_t *cat = load_field(cases[i].type);
        tw_json_avro_opts_t opts = {.hide_values = true};
        tw_buf_t out = TW_BUF_INIT;
        char errstr[1024] = "";
        tw_err_t err = tw_json_avro_encode_text(tw_avsc_catalog_find(cat, "T"),
                                                cases[i].payload, strlen(cases[i].payload),
                                                &opts, &out, errstr, sizeof(errstr));
        assert_int_not_equal(err, TW_OK);
        if (cases[i].message)
            assert_string_equal(errstr, cases[i].message);
        assert_null(strstr(errstr, "SSN"));
        assert_null(strstr(errstr, "123"));
        tw_buf_free(&out);
        tw_avsc_catalog_destroy(cat);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_boolean),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_float_double),
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_long_values_are_cut_in_messages),
        cmocka_unit_test(test_bytes_and_fixed_base64),
        cmocka_unit_test(test_enum),
        cmocka_unit_test(test_array_and_map),
        cmocka_unit_test(test_record_defaults_filled),
        cmocka_unit_test(test_record_errors),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_recursive_record),
        cmocka_unit_test(test_union_nullable),
        cmocka_unit_test(test_union_first_match_wins),
        cmocka_unit_test(test_union_json_encoding_form),
        cmocka_unit_test(test_decimal_bytes),
        cmocka_unit_test(test_decimal_exact_and_fixed),
        cmocka_unit_test(test_decimal_from_json_t),
        cmocka_unit_test(test_json_t_integers_and_reals),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_invalid_json_text),
        cmocka_unit_test(test_number_texts_follow_document_order),
        cmocka_unit_test(test_hidden_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
