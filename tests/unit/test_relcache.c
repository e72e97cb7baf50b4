/*
 * test_relcache.c — Relation messages replace entries in place; the schema
 * version moves only when the columns (or identity, or schema) change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pg/relcache.h"

static tw_pgoutput_attr_t attrs_v1[] = {
    {TW_PGOUTPUT_ATTR_KEY, "id", 23, -1},
    {0, "name", 25, -1},
};
static tw_pgoutput_attr_t attrs_v2[] = {
    {TW_PGOUTPUT_ATTR_KEY, "id", 23, -1},
    {0, "name", 25, -1},
    {0, "price", 1700, (10 << 16 | 2) + 4},
};

static tw_pgoutput_msg_t relation(uint32_t relid, const char *nsp, const char *name,
                                  char ident, tw_pgoutput_attr_t *attrs, uint16_t n)
{
    tw_pgoutput_msg_t msg;
    memset(&msg, 0, sizeof(msg));
    msg.type = TW_PGOUTPUT_RELATION;
    msg.u.relation.relid = relid;
    msg.u.relation.nspname = nsp;
    msg.u.relation.relname = name;
    msg.u.relation.replident = ident;
    msg.u.relation.natts = n;
    msg.u.relation.attrs = attrs;
    return msg;
}

static int freed;
static void count_free(void *p)
{
    freed++;
    free(p);
}

static void test_update_get_and_version(void **state)
{
    tw_relcache_t *cache = tw_relcache_new();
    tw_pgoutput_msg_t m1 = relation(16384, "public", "items", 'd', attrs_v1, 2);
    tw_pgoutput_msg_t m2 = relation(16384, "public", "items", 'd', attrs_v2, 3);
    tw_rel_t *rel, *again;
    (void)state;

    assert_null(tw_relcache_get(cache, 16384));
    rel = tw_relcache_update(cache, &m1);
    assert_ptr_equal(rel, tw_relcache_get(cache, 16384));
    assert_string_equal(rel->nspname, "public");
    assert_string_equal(rel->relname, "items");
    assert_int_equal(rel->ncols, 2);
    assert_true(rel->cols[0].is_key);
    assert_false(rel->cols[1].is_key);
    assert_int_equal(rel->schema_version, 1);
    assert_int_equal(tw_rel_col_index(rel, "name"), 1);
    assert_int_equal(tw_rel_col_index(rel, "nope"), -1);

    /* The same description again (sent after an unrelated invalidation)
     * keeps the version and the consumer's derived state. */
    freed = 0;
    rel->opaque = malloc(8);
    rel->opaque_free = count_free;
    again = tw_relcache_update(cache, &m1);
    assert_ptr_equal(again, rel);
    assert_int_equal(rel->schema_version, 1);
    assert_non_null(rel->opaque);
    assert_int_equal(freed, 0);

    /* ALTER TABLE ADD COLUMN: same entry, new version, derived state freed. */
    again = tw_relcache_update(cache, &m2);
    assert_ptr_equal(again, rel);
    assert_int_equal(rel->schema_version, 2);
    assert_int_equal(rel->ncols, 3);
    assert_string_equal(rel->cols[2].name, "price");
    assert_null(rel->opaque);
    assert_int_equal(freed, 1);

    /* REPLICA IDENTITY FULL changes the identity only. */
    m2.u.relation.replident = 'f';
    tw_relcache_update(cache, &m2);
    assert_int_equal(rel->schema_version, 3);
    assert_int_equal(rel->replident, 'f');
    tw_relcache_destroy(cache);
}

static void test_empty_namespace_means_pg_catalog(void **state)
{
    tw_relcache_t *cache = tw_relcache_new();
    tw_pgoutput_msg_t m = relation(1259, "", "pg_class", 'n', attrs_v1, 2);
    (void)state;
    assert_string_equal(tw_relcache_update(cache, &m)->nspname, "pg_catalog");
    tw_relcache_destroy(cache);
}

static void test_many_relations_and_types(void **state)
{
    tw_relcache_t *cache = tw_relcache_new();
    tw_pgoutput_msg_t m;
    uint32_t i;
    (void)state;
    /* Enough to force several table growths, with clustered OIDs. */
    for (i = 1; i <= 5000; i++) {
        m = relation(16000 + i * 3, "s", "t", 'd', attrs_v1, 2);
        tw_relcache_update(cache, &m);
    }
    for (i = 1; i <= 5000; i++)
        assert_int_equal(tw_relcache_get(cache, 16000 + i * 3)->relid, 16000 + i * 3);
    assert_null(tw_relcache_get(cache, 16001));

    memset(&m, 0, sizeof(m));
    m.type = TW_PGOUTPUT_TYPE;
    m.u.type.type_oid = 70000;
    m.u.type.nspname = "public";
    m.u.type.typname = "mood";
    tw_relcache_update_type(cache, &m);
    assert_string_equal(tw_relcache_type_name(cache, 70000), "public.mood");
    assert_null(tw_relcache_type_name(cache, 70001));
    tw_relcache_destroy(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_get_and_version),
        cmocka_unit_test(test_empty_namespace_means_pg_catalog),
        cmocka_unit_test(test_many_relations_and_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
