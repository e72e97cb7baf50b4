/*
 * test_catalog.c — every catalog lookup that fails says which lookup, for
 * which table, and the server's (here libpq's) reason, and returns
 * TW_ERR_PG; none reads a result that is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "pg/catalog.h"

/* A connection that never reached a server: each query fails in libpq. */
static PGconn *dead_conn(void)
{
    return PQconnectdb("host=/nonexistent-tidewater-test port=1 connect_timeout=1");
}

static tw_err_t count_table(void *opaque, const char *nspname, const char *relname,
                            char *errstr, size_t errstr_size)
{
    (void)nspname;
    (void)relname;
    (void)errstr;
    (void)errstr_size;
    ++*(int *)opaque;
    return TW_OK;
}

/* errstr starts with `what` and goes on with libpq's own reason. */
static void assert_failed(tw_err_t err, const char *errstr, const char *what)
{
    assert_int_equal(err, TW_ERR_PG);
    assert_true(strncmp(errstr, what, strlen(what)) == 0);
    assert_true(strlen(errstr) > strlen(what) + 2);
}

static void test_failed_lookups_name_themselves(void **state)
{
    PGconn *conn = dead_conn();
    tw_rel_col_t cols[1];
    tw_rel_t rel;
    tw_rel_t *described = NULL;
    bool not_null[1], *described_not_null = NULL;
    int key_cols[1], tables = 0;
    size_t nkey = 0;
    char errstr[512];

    (void)state;
    assert_int_equal(PQstatus(conn), CONNECTION_BAD);
    memset(cols, 0, sizeof(cols));
    memset(&rel, 0, sizeof(rel));
    cols[0].name = "id";
    cols[0].type_oid = cols[0].value_oid = 16500; /* a user type: the domain lookup runs */
    rel.relid = 16400;
    rel.nspname = "public";
    rel.relname = "orders";
    rel.ncols = 1;
    rel.cols = cols;

    assert_failed(tw_catalog_not_null(conn, &rel, not_null, errstr, sizeof(errstr)), errstr,
                  "reading columns of public.orders: ");
    assert_failed(tw_catalog_domain_bases(conn, &rel, errstr, sizeof(errstr)), errstr,
                  "resolving the domain and enum column types of public.orders: ");
    assert_failed(tw_catalog_defaults(conn, &rel, errstr, sizeof(errstr)), errstr,
                  "reading column defaults of public.orders: ");
    assert_failed(tw_catalog_primary_key(conn, &rel, key_cols, &nkey, errstr, sizeof(errstr)),
                  errstr, "reading the primary key of public.orders: ");
    /* (Column lists are looked up only on PostgreSQL 15 and later: a
     * connection without a server has no version, so that lookup is not
     * reached here.) */
    assert_failed(tw_catalog_each_table(conn, count_table, &tables, errstr, sizeof(errstr)),
                  errstr, "listing tables: ");
    assert_int_equal(tables, 0);
    assert_failed(tw_catalog_describe(conn, "public", "orders", &described,
                                      &described_not_null, errstr, sizeof(errstr)),
                  errstr, "reading columns of public.orders: ");
    assert_null(described);
    assert_null(described_not_null);
    assert_null(tw_catalog_type_name(conn, 23));
    PQfinish(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_lookups_name_themselves),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
