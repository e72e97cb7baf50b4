/*
 * test_transform.c — the transform chain: the first transform whose
 * predicate matches a topic applies (negate inverts it), a relation binds
 * through the transform's ops, and the outbox transform turns a delete
 * into no record and an update into table.op.invalid.behavior's answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "transforms/transform.h"

#include "config_text.h"

#define BASE                                                                                   \
    "topic.prefix=t\ndatabase.user=u\ndatabase.dbname=d\n"                                     \
    "transforms=first,rest\n"                                                                  \
    "transforms.first.type=io.debezium.transforms.outbox.EventRouter\n"                        \
    "transforms.first.predicate=isOutbox\n"                                                    \
    "transforms.first.table.op.invalid.behavior=fatal\n"                                       \
    "transforms.rest.type=io.debezium.transforms.outbox.EventRouter\n"                         \
    "predicates=isOutbox\n"                                                                    \
    "predicates.isOutbox.type=org.apache.kafka.connect.transforms.predicates.TopicNameMatches\n" \
    "predicates.isOutbox.pattern=t\\\\.public\\\\.outbox\n"

static void load(const char *text, tw_config_t *cfg)
{
    char errstr[512];

    if (config_from_text(text, cfg, errstr, sizeof(errstr)))
        fail_msg("config: %s", errstr);
}

static void test_first_matching_predicate_wins(void **state)
{
    tw_config_t cfg;
    tw_transform_chain_t *chain;
    char errstr[256];

    (void)state;
    load(BASE, &cfg);
    assert_int_equal(tw_transform_chain_new(&cfg, &chain, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_transform_chain_find(chain, "t.public.outbox"), 0);
    assert_int_equal(tw_transform_chain_find(chain, "t.public.orders"), 1);
    tw_transform_chain_destroy(chain);
    tw_config_clear(&cfg);

    load(BASE "transforms.first.negate=true\n", &cfg);
    assert_int_equal(tw_transform_chain_new(&cfg, &chain, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_transform_chain_find(chain, "t.public.outbox"), 1);
    assert_int_equal(tw_transform_chain_find(chain, "t.public.orders"), 0);
    tw_transform_chain_destroy(chain);
    tw_config_clear(&cfg);
}

/* public.outbox with its four columns, as a Relation message describes it. */
static void outbox_rel(tw_rel_t *rel, tw_rel_col_t *cols)
{
    memset(rel, 0, sizeof(*rel));
    rel->relid = 1;
    rel->nspname = "public";
    rel->relname = "outbox";
    rel->replident = 'd';
    rel->ncols = 4;
    rel->cols = cols;
    rel->schema_version = 1;
}

static void test_outbox_transform_drops_deletes_and_refuses_updates(void **state)
{
    tw_rel_col_t cols[4] = {
        {"id", 2950, -1, 2950, -1, true, NULL, NULL, false, 0, 0, 0, NULL},
        {"aggregatetype", 25, -1, 25, -1, false, NULL, NULL, false, 0, 0, 0, NULL},
        {"aggregateid", 25, -1, 25, -1, false, NULL, NULL, false, 0, 0, 0, NULL},
        {"payload", 3802, -1, 3802, -1, false, NULL, NULL, false, 0, 0, 0, NULL},
    };
    tw_rel_t rel;
    bool not_null[4] = {true, true, true, false};
    tw_config_t cfg;
    tw_transform_chain_t *chain;
    tw_transform_binding_t *binding = NULL;
    tw_transform_out_t out;
    tw_change_t change;
    tw_arena_t *arena = tw_arena_new(4096);
    char errstr[256];

    (void)state;
    outbox_rel(&rel, cols);
    load(BASE, &cfg);
    assert_int_equal(tw_transform_chain_new(&cfg, &chain, errstr, sizeof(errstr)), TW_OK);
    assert_int_equal(tw_transform_chain_bind(chain, 0, &rel, not_null, &binding, errstr,
                                             sizeof(errstr)),
                     TW_OK);
    assert_int_equal(tw_transform_binding_index(binding), 0);
    memset(&change, 0, sizeof(change));
    change.rel = &rel;
    change.lsn = 0x100;
    change.op = TW_CHANGE_DELETE;
    assert_int_equal(tw_transform_chain_apply(chain, 0, binding, NULL, &change, arena, &out,
                                              errstr, sizeof(errstr)),
                     TW_OK);
    assert_int_equal(out.nrecords, 0);
    change.op = TW_CHANGE_UPDATE;
    assert_int_equal(tw_transform_chain_apply(chain, 0, binding, NULL, &change, arena, &out,
                                              errstr, sizeof(errstr)),
                     TW_ERR_REJECTED);
    assert_non_null(strstr(errstr, "UPDATE of outbox table public.outbox at 0/100"));
    tw_transform_binding_destroy(binding);
    tw_transform_chain_destroy(chain);
    tw_config_clear(&cfg);
    tw_arena_destroy(arena);
}

static void test_a_relation_without_outbox_columns_does_not_bind(void **state)
{
    tw_rel_col_t cols[1] = {{"id", 23, -1, 23, -1, true, NULL, NULL, false, 0, 0, 0, NULL}};
    tw_rel_t rel;
    bool not_null[1] = {true};
    tw_config_t cfg;
    tw_transform_chain_t *chain;
    tw_transform_binding_t *binding = NULL;
    char errstr[256];

    (void)state;
    memset(&rel, 0, sizeof(rel));
    rel.nspname = "public";
    rel.relname = "orders";
    rel.ncols = 1;
    rel.cols = cols;
    load(BASE, &cfg);
    assert_int_equal(tw_transform_chain_new(&cfg, &chain, errstr, sizeof(errstr)), TW_OK);
    assert_int_not_equal(tw_transform_chain_bind(chain, 1, &rel, not_null, &binding, errstr,
                                                 sizeof(errstr)),
                         TW_OK);
    assert_null(binding);
    assert_non_null(strstr(errstr, "public.orders"));
    tw_transform_chain_destroy(chain);
    tw_config_clear(&cfg);
}

/* provide.transaction.metadata: a row of a table the outbox transform
 * takes counts as the change event Debezium's connector makes of it before
 * its transforms — a DELETE the router drops and an UPDATE it refuses too —
 * unless skipped.operations leaves it out (D26). */
static void test_outbox_rows_count_in_transaction_metadata(void **state)
{
    tw_rel_col_t cols[4] = {
        {"id", 2950, -1, 2950, -1, true, NULL, NULL, false, 0, 0, 0, NULL},
        {"aggregatetype", 25, -1, 25, -1, false, NULL, NULL, false, 0, 0, 0, NULL},
        {"aggregateid", 25, -1, 25, -1, false, NULL, NULL, false, 0, 0, 0, NULL},
        {"payload", 3802, -1, 3802, -1, false, NULL, NULL, false, 0, 0, 0, NULL},
    };
    static const char *const configs[] = {BASE "provide.transaction.metadata=true\n",
                                          BASE "provide.transaction.metadata=true\n"
                                               "skipped.operations=d\n"};
    static const int64_t want[] = {3, 1}; /* END's event_count */
    tw_rel_t rel;
    bool not_null[4] = {true, true, true, false};
    tw_txn_t txn = {.xid = 7, .serial = 1};
    tw_change_op_t ops[] = {TW_CHANGE_DELETE, TW_CHANGE_UPDATE, TW_CHANGE_DELETE};
    tw_arena_t *arena = tw_arena_new(4096);
    char errstr[256];
    size_t c, i;

    (void)state;
    outbox_rel(&rel, cols);
    for (c = 0; c < 2; c++) {
        tw_config_t cfg;
        tw_transform_chain_t *chain;
        tw_transform_binding_t *binding = NULL;
        tw_txn_metadata_t *m;
        tw_transform_out_t out;
        tw_change_t change;
        tw_record_t rec;

        load(configs[c], &cfg);
        m = tw_txn_metadata_new(&cfg);
        assert_non_null(m);
        assert_int_equal(tw_transform_chain_new(&cfg, &chain, errstr, sizeof(errstr)), TW_OK);
        tw_transform_chain_set_txn_metadata(chain, m);
        assert_int_equal(tw_transform_chain_bind(chain, 0, &rel, not_null, &binding, errstr,
                                                 sizeof(errstr)),
                         TW_OK);
        tw_txn_metadata_begin(m, txn.xid, 0x10, 0, &rec);
        memset(&change, 0, sizeof(change));
        change.rel = &rel;
        for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
            change.op = ops[i];
            change.lsn = 0x100 + i;
            tw_transform_chain_apply(chain, 0, binding, &txn, &change, arena, &out, errstr,
                                     sizeof(errstr));
            assert_int_equal(out.nrecords, 0);
        }
        tw_txn_metadata_end(m, txn.xid, 0x200, 0, &rec);
        assert_int_equal(rec.value.fields[2].pg->u.i, want[c]);
        tw_transform_binding_destroy(binding);
        tw_transform_chain_destroy(chain);
        tw_txn_metadata_destroy(m);
        tw_config_clear(&cfg);
    }
    tw_arena_destroy(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_matching_predicate_wins),
        cmocka_unit_test(test_outbox_transform_drops_deletes_and_refuses_updates),
        cmocka_unit_test(test_a_relation_without_outbox_columns_does_not_bind),
        cmocka_unit_test(test_outbox_rows_count_in_transaction_metadata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
