/*
 * test_avsc_catalog.c — loading .avsc directories: references across files
 * and namespaces, the self-contained schema texts, and every load error.
 *
 * Fixtures live in tests/fixtures/avsc/; the shipped examples in schemas/
 * are loaded too so that they stay valid.
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

static const char *fixtures_dir(void)
{
    const char *dir = getenv("TW_FIXTURES_DIR");
    return dir ? dir : "tests/fixtures";
}

static tw_avsc_catalog_t *load_fixture(const char *name)
{
    char dir[1024], errstr[1024];
    tw_avsc_catalog_t *cat = NULL;

    snprintf(dir, sizeof(dir), "%s/avsc/%s", fixtures_dir(), name);
    if (tw_avsc_catalog_load(dir, tw_json_avro_encode_default, &cat, errstr, sizeof(errstr)) !=
        TW_OK)
        fail_msg("%s did not load: %s", dir, errstr);
    return cat;
}

/* Loads a fixture that must fail; the message must be dir/<message>. */
static void expect_fixture_error(const char *name, const char *message)
{
    char dir[1024], errstr[1024], expect[2048];
    tw_avsc_catalog_t *cat = (tw_avsc_catalog_t *)&cat; /* must be reset to NULL */

    snprintf(dir, sizeof(dir), "%s/avsc/%s", fixtures_dir(), name);
    assert_int_equal(
        tw_avsc_catalog_load(dir, tw_json_avro_encode_default, &cat, errstr, sizeof(errstr)),
        TW_ERR_CONFIG);
    assert_null(cat);
    snprintf(expect, sizeof(expect), "%s/%s", dir, message);
    assert_string_equal(errstr, expect);
}

static void expect_invalid(const char *text, const char *message)
{
    char got[1024];
    const char *texts[1] = {text};

    assert_int_equal(avsc_load_texts(texts, 1, got, sizeof(got), NULL), TW_ERR_CONFIG);
    assert_string_equal(got, message);
}

/* ---- a good catalogue ------------------------------------------------- */

static void test_cross_file_references(void **state)
{
    tw_avsc_catalog_t *cat = load_fixture("good");
    const tw_avsc_schema_t *order = tw_avsc_catalog_find(cat, "com.acme.orders.Order");
    const tw_avsc_schema_t *customer = tw_avsc_catalog_find(cat, "com.acme.crm.Customer");
    const tw_avsc_schema_t *address = tw_avsc_catalog_find(cat, "com.acme.orders.Address");
    const tw_avsc_schema_t *item = tw_avsc_catalog_find(cat, "com.acme.catalog.Item");
    const tw_avsc_schema_t *tag = tw_avsc_catalog_find(cat, "Tag");
    const tw_avsc_schema_t *price;

    (void)state;
    assert_non_null(order);
    assert_non_null(customer);
    assert_non_null(address);
    assert_non_null(item);
    assert_non_null(tag);
    assert_int_equal(order->type, TW_AVSC_RECORD);
    assert_int_equal(order->n_fields, 8);
    /* a_order.avsc refers to types of files loaded after it. */
    assert_ptr_equal(order->fields[1].schema, customer);
    assert_ptr_equal(order->fields[2].schema, address); /* short name, same namespace */
    assert_int_equal(order->fields[3].schema->type, TW_AVSC_UNION);
    assert_ptr_equal(order->fields[3].schema->branches[1], address);
    assert_ptr_equal(customer->fields[1].schema, address); /* from c_crm.avsc, full name */
    /* Status is an enum nested in Order and takes its namespace. */
    assert_string_equal(order->fields[4].schema->fullname, "com.acme.orders.Status");
    assert_int_equal(order->fields[4].schema->n_symbols, 3);
    /* Item declares its own namespace; inside it "Item" means itself. */
    assert_ptr_equal(order->fields[5].schema->items, item);
    assert_ptr_equal(item->fields[2].schema->branches[1], item);
    price = item->fields[1].schema;
    assert_string_equal(price->fullname, "com.acme.common.Price");
    assert_int_equal(price->type, TW_AVSC_FIXED);
    assert_int_equal(price->size, 4);
    assert_int_equal(price->logical, TW_AVSC_LOGICAL_DECIMAL);
    assert_int_equal(price->precision, 9);
    assert_int_equal(price->scale, 2);
    /* "Tag" is not com.acme.orders.Tag: found in the null namespace. */
    assert_ptr_equal(order->fields[6].schema, tag);
    assert_null(tag->name_space);
    assert_int_equal(order->fields[7].schema->logical, TW_AVSC_LOGICAL_DECIMAL);
    assert_non_null(strstr(order->file, "good/a_order.avsc"));
    assert_non_null(strstr(customer->file, "good/c_crm.avsc"));
    tw_avsc_catalog_destroy(cat);
}

static void test_find_by_short_name(void **state)
{
    tw_avsc_catalog_t *cat = load_fixture("good");
    const char *texts[2] = {
        "{\"type\":\"record\",\"name\":\"a.Dup\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}",
        "{\"type\":\"record\",\"name\":\"b.Dup\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}",
    };
    tw_avsc_catalog_t *dups;
    char message[1024];

    (void)state;
    assert_ptr_equal(tw_avsc_catalog_find(cat, "Order"),
                     tw_avsc_catalog_find(cat, "com.acme.orders.Order"));
    assert_ptr_equal(tw_avsc_catalog_find(cat, "Customer"),
                     tw_avsc_catalog_find(cat, "com.acme.crm.Customer"));
    assert_null(tw_avsc_catalog_find(cat, "Status")); /* an enum, not a record */
    assert_null(tw_avsc_catalog_find(cat, "Nope"));
    assert_null(tw_avsc_catalog_find(cat, "acme.orders.Order")); /* full names are full */
    tw_avsc_catalog_destroy(cat);

    assert_int_equal(avsc_load_texts(texts, 2, message, sizeof(message), &dups), TW_OK);
    assert_null(tw_avsc_catalog_find(dups, "Dup")); /* ambiguous */
    assert_non_null(tw_avsc_catalog_find(dups, "b.Dup"));
    tw_avsc_catalog_destroy(dups);
}

static void test_iterate_records(void **state)
{
    tw_avsc_catalog_t *cat = load_fixture("good");
    static const char *const names[] = {"com.acme.orders.Order", "com.acme.catalog.Item",
                                        "com.acme.orders.Address", "com.acme.crm.Customer",
                                        "Tag"};

    (void)state;
    /* File order, then definition order; enums and fixed are not records. */
    assert_int_equal(tw_avsc_catalog_record_count(cat), TW_ARRAY_SIZE(names));
    for (size_t i = 0; i < TW_ARRAY_SIZE(names); i++) {
        const tw_avsc_schema_t *record = tw_avsc_catalog_record_at(cat, i);
        assert_string_equal(record->fullname, names[i]);
        assert_non_null(record->text);
        assert_non_null(record->file);
    }
    assert_null(tw_avsc_catalog_record_at(cat, TW_ARRAY_SIZE(names)));
    tw_avsc_catalog_destroy(cat);
}

/* The text defines each named type at its first use, by full name, and
 * refers to it by full name afterwards; attributes are kept. */
static void test_self_contained_text(void **state)
{
    tw_avsc_catalog_t *cat = load_fixture("good");
    const char *expect =
        "{\"type\":\"record\",\"name\":\"com.acme.orders.Order\","
        "\"doc\":\"Refers to types of files that sort after this one.\","
        "\"aliases\":[\"com.acme.orders.PurchaseOrder\"],\"fields\":["
        "{\"name\":\"id\",\"type\":\"long\",\"doc\":\"order number\"},"
        "{\"name\":\"customer\",\"type\":{\"type\":\"record\",\"name\":\"com.acme.crm.Customer\","
        "\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
        "{\"name\":\"home\",\"type\":{\"type\":\"record\",\"name\":\"com.acme.orders.Address\","
        "\"fields\":[{\"name\":\"street\",\"type\":\"string\"},"
        "{\"name\":\"country\",\"type\":\"string\",\"default\":\"DE\"}]}},"
        "{\"name\":\"level\",\"type\":{\"type\":\"enum\",\"name\":\"com.acme.crm.Level\","
        "\"symbols\":[\"BRONZE\",\"GOLD\"]}}]}},"
        "{\"name\":\"shipTo\",\"type\":\"com.acme.orders.Address\"},"
        "{\"name\":\"billTo\",\"type\":[\"null\",\"com.acme.orders.Address\"],\"default\":null},"
        "{\"name\":\"status\",\"type\":{\"type\":\"enum\",\"name\":\"com.acme.orders.Status\","
        "\"symbols\":[\"NEW\",\"PAID\",\"SHIPPED\"]},\"default\":\"NEW\"},"
        "{\"name\":\"items\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\","
        "\"name\":\"com.acme.catalog.Item\",\"fields\":[{\"name\":\"sku\",\"type\":\"string\"},"
        "{\"name\":\"price\",\"type\":{\"type\":\"fixed\",\"name\":\"com.acme.common.Price\","
        "\"size\":4,\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}},"
        "{\"name\":\"next\",\"type\":[\"null\",\"com.acme.catalog.Item\"],\"default\":null}]}}},"
        /* a null-namespace type inside a namespaced one says so */
        "{\"name\":\"label\",\"type\":{\"type\":\"record\",\"name\":\"Tag\",\"namespace\":\"\","
        "\"fields\":[{\"name\":\"text\",\"type\":\"string\"}]},\"default\":{\"text\":\"none\"}},"
        "{\"name\":\"amount\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\","
        "\"precision\":9,\"scale\":2},\"default\":\"\\u0000\",\"x-owner\":\"billing\"}]}";

    (void)state;
    assert_string_equal(tw_avsc_catalog_find(cat, "Order")->text, expect);
    /* Each record has its own text, complete by itself. */
    assert_string_equal(tw_avsc_catalog_find(cat, "Item")->text,
                        "{\"type\":\"record\",\"name\":\"com.acme.catalog.Item\",\"fields\":["
                        "{\"name\":\"sku\",\"type\":\"string\"},"
                        "{\"name\":\"price\",\"type\":{\"type\":\"fixed\","
                        "\"name\":\"com.acme.common.Price\",\"size\":4,"
                        "\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}},"
                        "{\"name\":\"next\",\"type\":[\"null\",\"com.acme.catalog.Item\"],"
                        "\"default\":null}]}");
    assert_string_equal(tw_avsc_catalog_find(cat, "Tag")->text,
                        "{\"type\":\"record\",\"name\":\"Tag\",\"fields\":["
                        "{\"name\":\"text\",\"type\":\"string\"}]}");
    tw_avsc_catalog_destroy(cat);
}

static void test_shipped_example_schemas(void **state)
{
    const char *srcdir = getenv("TW_SRCDIR");
    char dir[1024], errstr[1024];
    tw_avsc_catalog_t *cat = NULL;
    const tw_avsc_schema_t *created, *shipped, *registered, *money;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/schemas", srcdir ? srcdir : ".");
    if (tw_avsc_catalog_load(dir, tw_json_avro_encode_default, &cat, errstr, sizeof(errstr)) !=
        TW_OK)
        fail_msg("%s", errstr);
    created = tw_avsc_catalog_find(cat, "com.example.events.OrderCreated");
    shipped = tw_avsc_catalog_find(cat, "OrderShipped");
    registered = tw_avsc_catalog_find(cat, "CustomerRegistered");
    assert_non_null(created);
    assert_non_null(shipped);
    assert_non_null(registered);
    /* Address and Money come from their own files. */
    assert_ptr_equal(created->fields[6].schema, tw_avsc_catalog_find(cat, "Address"));
    assert_ptr_equal(registered->fields[5].schema, tw_avsc_catalog_find(cat, "Address"));
    money = created->fields[5].schema;
    assert_string_equal(money->fullname, "com.example.events.Money");
    assert_int_equal(money->logical, TW_AVSC_LOGICAL_DECIMAL);
    assert_non_null(strstr(money->file, "schemas/Money.avsc"));
    /* OrderShipped uses the enum defined inside OrderCreated.avsc. */
    assert_ptr_equal(shipped->fields[4].schema, created->fields[3].schema);
    assert_non_null(strstr(shipped->text, "\"name\":\"com.example.events.Money\""));
    /* Event records are the ones no other record uses. */
    assert_null(tw_avsc_catalog_user_of(cat, created));
    assert_null(tw_avsc_catalog_user_of(cat, shipped));
    assert_null(tw_avsc_catalog_user_of(cat, registered));
    assert_non_null(tw_avsc_catalog_user_of(cat, tw_avsc_catalog_find(cat, "Address")));
    assert_ptr_equal(tw_avsc_catalog_user_of(cat, tw_avsc_catalog_find(cat, "LineItem")),
                     created);
    tw_avsc_catalog_destroy(cat);
}

/* ---- load errors ------------------------------------------------------ */

static void test_fixture_errors(void **state)
{
    (void)state;
    expect_fixture_error("bad_json", "b_broken.avsc:5:23: invalid JSON: '}' expected near "
                                     "'\"type\"'");
    expect_fixture_error("unknown_type",
                         "order.avsc: unknown type \"Customer\" (looked up as "
                         "\"com.acme.Customer\" and \"Customer\") in field \"customer\" of "
                         "record \"com.acme.Order\"");
    {
        /* Both files are named. */
        char dir[1024], expect[4096];
        snprintf(dir, sizeof(dir), "%s/avsc/duplicate", fixtures_dir());
        snprintf(expect, sizeof(expect),
                 "b.avsc: duplicate type name \"com.acme.Address\" (also defined in %s/a.avsc)",
                 dir);
        expect_fixture_error("duplicate", expect);
    }
}

static void test_directory_errors(void **state)
{
    char errstr[1024];
    tw_avsc_catalog_t *cat = NULL;
    char dir[] = "/tmp/tw-avsc-empty-XXXXXX";

    (void)state;
    assert_int_equal(tw_avsc_catalog_load("/nonexistent/schemas", tw_json_avro_encode_default,
                                          &cat, errstr, sizeof(errstr)),
                     TW_ERR_IO);
    assert_string_equal(errstr,
                        "cannot open schema directory /nonexistent/schemas: No such file or "
                        "directory");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(
        tw_avsc_catalog_load(dir, tw_json_avro_encode_default, &cat, errstr, sizeof(errstr)),
        TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "no .avsc files in /tmp/tw-avsc-empty-"));
    rmdir(dir);
    assert_null(cat);
}

static void test_invalid_schemas(void **state)
{
    (void)state;
    expect_invalid("{\"type\":\"record\",\"name\":\"R\"}",
                   "s00.avsc: record has no \"fields\" array in \"R\"");
    expect_invalid("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[]}",
                   "s00.avsc: enum has no \"symbols\" in \"E\"");
    expect_invalid("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"1B\"]}",
                   "s00.avsc: invalid enum symbol \"1B\" in \"E\"");
    expect_invalid("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\",\"A\"]}",
                   "s00.avsc: duplicate enum symbol \"A\" in \"E\"");
    expect_invalid("{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"],\"default\":\"B\"}",
                   "s00.avsc: enum default is not one of its symbols in \"E\"");
    expect_invalid("{\"type\":\"fixed\",\"name\":\"F\"}",
                   "s00.avsc: fixed needs a non-negative integer \"size\" in \"F\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"1abc\",\"fields\":[]}",
                   "s00.avsc: invalid name \"1abc\" (names match [A-Za-z_][A-Za-z0-9_]*, "
                   "dot-separated)");
    expect_invalid("{\"type\":\"record\",\"name\":\"com..R\",\"fields\":[]}",
                   "s00.avsc: invalid name \"com..R\" (names match [A-Za-z_][A-Za-z0-9_]*, "
                   "dot-separated)");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a-b\",\"fields\":[]}",
                   "s00.avsc: invalid namespace \"a-b\" of \"R\"");
    expect_invalid("{\"type\":\"record\",\"fields\":[]}", "s00.avsc: a record has no \"name\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"int\",\"fields\":[]}",
                   "s00.avsc: a named type cannot be called \"int\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a-b\","
                   "\"type\":\"int\"}]}",
                   "s00.avsc: invalid field name \"a-b\" in \"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":\"int\"},{\"name\":\"a\",\"type\":\"long\"}]}",
                   "s00.avsc: duplicate field name \"a\" in \"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\"}]}",
                   "s00.avsc: field without \"type\" in field \"a\" of record \"R\"");
    expect_invalid("\"string\"",
                   "s00.avsc: a schema file holds a named record, enum or fixed, or an array "
                   "of them");
    expect_invalid("[]", "s00.avsc: empty array of schemas");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":{\"type\":\"array\",\"items\":\"Nope\"}}]}",
                   "s00.avsc: unknown type \"Nope\" in field \"a\" of record \"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":{\"type\":\"map\"}}]}",
                   "s00.avsc: map without \"values\" in field \"a\" of record \"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":[\"null\",\"string\",\"null\"]}]}",
                   "s00.avsc: union has two branches of type \"null\" in field \"a\" of record "
                   "\"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":[\"null\",[\"int\"]]}]}",
                   "s00.avsc: a union cannot directly contain a union in field \"a\" of record "
                   "\"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":{\"logicalType\":\"date\"}}]}",
                   "s00.avsc: schema object without \"type\" in field \"a\" of record \"R\"");
}

static void test_invalid_logical_types(void **state)
{
    (void)state;
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"d\","
                   "\"type\":{\"type\":\"string\",\"logicalType\":\"date\"}}]}",
                   "s00.avsc: logicalType \"date\" requires int, not string in field \"d\" of "
                   "record \"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"d\","
                   "\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":4,"
                   "\"scale\":5}}]}",
                   "s00.avsc: decimal \"scale\" must be an integer from 0 to the precision in "
                   "field \"d\" of record \"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"d\","
                   "\"type\":{\"type\":\"long\",\"logicalType\":\"decimal\",\"precision\":4}}]}",
                   "s00.avsc: logicalType \"decimal\" requires bytes or fixed, not long in field "
                   "\"d\" of record \"R\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"d\","
                   "\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\"}}]}",
                   "s00.avsc: decimal needs an integer \"precision\" from 1 to 1000 in field "
                   "\"d\" of record \"R\"");
    /* 4 bytes hold at most 2^31-1: 9 digits. */
    expect_invalid("{\"type\":\"fixed\",\"name\":\"F\",\"size\":4,\"logicalType\":\"decimal\","
                   "\"precision\":10}",
                   "s00.avsc: decimal precision 10 does not fit in fixed of size 4 in \"F\"");
    /* Unknown logical types are ignored, as the specification says. */
    {
        const char *texts[1] = {"{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"d\","
                                "\"type\":{\"type\":\"string\",\"logicalType\":\"iban\"}}]}"};
        tw_avsc_catalog_t *cat;
        char message[1024];
        assert_int_equal(avsc_load_texts(texts, 1, message, sizeof(message), &cat), TW_OK);
        assert_int_equal(tw_avsc_catalog_find(cat, "R")->fields[0].schema->logical,
                         TW_AVSC_LOGICAL_NONE);
        assert_non_null(strstr(tw_avsc_catalog_find(cat, "R")->text, "\"logicalType\":\"iban\""));
        tw_avsc_catalog_destroy(cat);
    }
}

static void test_defaults_must_match(void **state)
{
    (void)state;
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":\"int\",\"default\":\"x\"}]}",
                   "s00.avsc: default of field \"a\" of record \"R\" does not match its type: "
                   "$: expected int, got string \"x\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":\"int\",\"default\":1.5}]}",
                   "s00.avsc: default of field \"a\" of record \"R\" does not match its type: "
                   "$: expected int, got number 1.5");
    /* A union's default is for its first branch. */
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":[\"null\",\"string\"],\"default\":\"x\"}]}",
                   "s00.avsc: default of field \"a\" of record \"R\" does not match its type: "
                   "$: expected null, got string \"x\"");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]},"
                   "\"default\":\"B\"}]}",
                   "s00.avsc: default of field \"a\" of record \"R\" does not match its type: "
                   "$: enum symbol \"B\" not allowed (allowed: A)");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":{\"type\":\"fixed\",\"name\":\"F\",\"size\":2},\"default\":\"x\"}]}",
                   "s00.avsc: default of field \"a\" of record \"R\" does not match its type: "
                   "$: fixed F needs 2 bytes, got 1");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":\"bytes\",\"default\":\"\\u0100\"}]}",
                   "s00.avsc: default of field \"a\" of record \"R\" does not match its type: "
                   "$: invalid bytes default \"\xc4\x80\" (code points 0-255 expected)");
    expect_invalid("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\","
                   "\"type\":{\"type\":\"record\",\"name\":\"S\",\"fields\":[{\"name\":\"b\","
                   "\"type\":\"int\"}]},\"default\":{\"c\":1}}]}",
                   "s00.avsc: default of field \"a\" of record \"R\" does not match its type: "
                   "$: missing required field \"b\"");
    /* Defaults referring to types in other files are checked too. */
    {
        const char *texts[2] = {
            "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"n\",\"fields\":[{\"name\":\"e\","
            "\"type\":\"E\",\"default\":\"Z\"}]}",
            "{\"type\":\"enum\",\"name\":\"n.E\",\"symbols\":[\"Y\"]}",
        };
        char message[1024];
        assert_int_equal(avsc_load_texts(texts, 2, message, sizeof(message), NULL), TW_ERR_CONFIG);
        assert_string_equal(message, "s00.avsc: default of field \"e\" of record \"n.R\" does not "
                                     "match its type: $: enum symbol \"Z\" not allowed (allowed: "
                                     "Y)");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross_file_references),
        cmocka_unit_test(test_find_by_short_name),
        cmocka_unit_test(test_iterate_records),
        cmocka_unit_test(test_self_contained_text),
        cmocka_unit_test(test_shipped_example_schemas),
        cmocka_unit_test(test_fixture_errors),
        cmocka_unit_test(test_directory_errors),
        cmocka_unit_test(test_invalid_schemas),
        cmocka_unit_test(test_invalid_logical_types),
        cmocka_unit_test(test_defaults_must_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
