/*
 * test_column_rules.c — column filters and mappers: the order a column's
 * mapper is chosen in, masks, Debezium's hashes (v1: of the value's Java
 * serialization; v2: of its bytes), truncation in UTF-16 units, source
 * type parameters, and config errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "transforms/column_rules.h"

static tw_config_t config(void)
{
    tw_config_t cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.column_rules = tw_props_new();
    return cfg;
}

static tw_value_t text(const char *s)
{
    tw_value_t v;

    memset(&v, 0, sizeof(v));
    v.kind = TW_VALUE_TEXT;
    v.u.str.ptr = s;
    v.u.str.len = strlen(s);
    return v;
}

static void assert_text(const tw_value_t *v, const char *want)
{
    assert_int_equal(v->kind, TW_VALUE_TEXT);
    assert_int_equal(v->u.str.len, strlen(want));
    assert_memory_equal(v->u.str.ptr, want, strlen(want));
}

static tw_rel_col_t column(const char *name, uint32_t oid, int32_t typmod)
{
    tw_rel_col_t c;

    memset(&c, 0, sizeof(c));
    c.name = (char *)name;
    c.type_oid = c.value_oid = oid;
    c.typmod = c.value_typmod = typmod;
    return c;
}

static void test_order_and_values(void **state)
{
    tw_config_t cfg = config();
    tw_column_rules_t *r = NULL;
    tw_arena_t *arena = tw_arena_new(4096);
    tw_rel_col_t txt = column("code", 25, -1), vc = column("v", 1043, 24);
    const tw_column_rule_t *rule;
    tw_value_t v;
    char errstr[256];
    (void)state;

    /* Hashes come last whatever the file order; truncation first. */
    tw_props_set(cfg.column_rules, "column.mask.hash.SHA-256.with.salt.CzQMA0cB5K",
                 "public\\.t\\.(code|both),public\\.t\\.v", "t");
    tw_props_set(cfg.column_rules, "column.mask.hash.v2.MD5.with.salt.salty", "public\\.t\\.md",
                 "t");
    tw_props_set(cfg.column_rules, "column.truncate.to.3.chars", "public\\.t\\.(both|s)", "t");
    tw_props_set(cfg.column_rules, "column.mask.with.4.chars", "public\\.t\\.m", "t");
    assert_int_equal(tw_column_rules_new(&cfg, &r, errstr, sizeof(errstr)), TW_OK);
    assert_non_null(r);
    /* Debezium 3.6.1's output (test_debezium_diff.py, plaincols). */
    rule = tw_column_rules_find(r, "PUBLIC", "T", "CODE"); /* case-insensitive */
    assert_non_null(rule);
    v = text("c1");
    tw_column_rule_apply(rule, &txt, &v, arena);
    assert_text(&v, "867f3d854a174d0373647d5c5ce15117f5b66cda99cfefd2680e1c56c9bdfb06");
    /* varchar(20): the hex cut to the column's length. */
    v = text("c1");
    tw_column_rule_apply(rule, &vc, &v, arena);
    assert_text(&v, "867f3d854a174d037364");
    v = text("a");
    tw_column_rule_apply(tw_column_rules_find(r, "public", "t", "md"), &txt, &v, arena);
    assert_text(&v, "653a0b9f4c01dce9135e336f0b9e3ebf");
    /* "both": truncation wins; a supplementary character cut in half
     * leaves '?', as a Java String cut between its surrogates encodes. */
    rule = tw_column_rules_find(r, "public", "t", "both");
    v = text("ab\xf0\x9f\x98\x80z");
    tw_column_rule_apply(rule, &txt, &v, arena);
    assert_text(&v, "ab?");
    v = text("t\xc3\xabxt");
    tw_column_rule_apply(rule, &txt, &v, arena);
    assert_text(&v, "t\xc3\xabx");
    /* A mask replaces a null too; a null is not hashed. */
    memset(&v, 0, sizeof(v));
    tw_column_rule_apply(tw_column_rules_find(r, "public", "t", "m"), &txt, &v, arena);
    assert_text(&v, "****");
    memset(&v, 0, sizeof(v));
    tw_column_rule_apply(tw_column_rules_find(r, "public", "t", "code"), &txt, &v, arena);
    assert_int_equal(v.kind, TW_VALUE_NULL);
    assert_null(tw_column_rules_find(r, "public", "t", "other"));
    assert_true(tw_column_rules_keep(r, "public", "t", "other"));
    tw_column_rules_destroy(r);
    tw_props_destroy(cfg.column_rules);
    tw_arena_destroy(arena);
}

static void test_propagate_and_lists(void **state)
{
    tw_config_t cfg = config();
    tw_column_rules_t *r = NULL;
    tw_rel_col_t num = column("price", 1700, ((10 << 16) | 2) + 4);
    tw_rel_col_t ts = column("ts", 1114, 3);
    tw_cs_t *s;
    char errstr[256];
    (void)state;

    cfg.column_propagate_source_type = "public\\..*";
    cfg.column_exclude_list = "public\\.t\\.secret";
    assert_int_equal(tw_column_rules_new(&cfg, &r, errstr, sizeof(errstr)), TW_OK);
    assert_false(tw_column_rules_keep(r, "public", "t", "Secret"));
    assert_true(tw_column_rules_keep(r, "public", "t", "secret2"));
    s = tw_cs_new(TW_CS_BYTES, true, NULL);
    tw_column_rule_shape(tw_column_rules_find(r, "public", "t", "price"), &num, "numeric", s);
    assert_string_equal(json_string_value(json_object_get(s->parameters,
                                                          "__debezium.source.column.type")),
                        "NUMERIC");
    assert_string_equal(json_string_value(json_object_get(
                            s->parameters, "__debezium.source.column.length")),
                        "10");
    assert_string_equal(json_string_value(json_object_get(s->parameters,
                                                          "__debezium.source.column.scale")),
                        "2");
    tw_cs_unref(s);
    s = tw_cs_new(TW_CS_INT64, true, NULL);
    tw_column_rule_shape(tw_column_rules_find(r, "public", "t", "ts"), &ts, "timestamp", s);
    assert_string_equal(json_string_value(json_object_get(
                            s->parameters, "__debezium.source.column.length")),
                        "26");
    tw_cs_unref(s);
    tw_column_rules_destroy(r);
    tw_props_destroy(cfg.column_rules);
}

static void test_errors(void **state)
{
    tw_config_t cfg = config();
    tw_column_rules_t *r = NULL;
    char errstr[256];
    (void)state;

    cfg.column_include_list = "a";
    cfg.column_exclude_list = "b";
    assert_int_equal(tw_column_rules_new(&cfg, &r, errstr, sizeof(errstr)), TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "both set"));
    cfg.column_include_list = cfg.column_exclude_list = NULL;
    tw_props_set(cfg.column_rules, "column.mask.hash.NOPE-1.with.salt.x", "a", "t");
    assert_int_equal(tw_column_rules_new(&cfg, &r, errstr, sizeof(errstr)), TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "unknown hash algorithm \"NOPE-1\""));
    tw_props_destroy(cfg.column_rules);
    cfg.column_rules = tw_props_new();
    tw_props_set(cfg.column_rules, "column.truncate.to.0.chars", "a", "t");
    assert_int_equal(tw_column_rules_new(&cfg, &r, errstr, sizeof(errstr)), TW_ERR_CONFIG);
    assert_non_null(strstr(errstr, "positive integer"));
    tw_props_destroy(cfg.column_rules);
    cfg.column_rules = NULL;
    assert_int_equal(tw_column_rules_new(&cfg, &r, errstr, sizeof(errstr)), TW_OK);
    assert_null(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_values),
        cmocka_unit_test(test_propagate_and_lists),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
