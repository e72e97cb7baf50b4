/*
 * slot_guard.c — the slot's high-water mark, in a small JSON document
 * replaced atomically like the offsets file:
 *
 *   {"slot": "orders", "system_id": "7301234567890123456",
 *    "database_oid": 16384, "confirmed_high_water": "0/16B3780"}
 */
#include "progress/slot_guard.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

struct tw_slot_guard {
    char *path;
    tw_offset_origin_t identity; /* of the server connected to */
    tw_lsn_t mark;               /* 0: not checked yet */
    bool disabled;               /* the file cannot be written: confirm freely */
    int64_t last_write_us;
    int64_t settled_interval_us;
};

tw_slot_guard_t *tw_slot_guard_new(const char *path, int settled_interval_ms)
{
    tw_slot_guard_t *g = tw_calloc(1, sizeof(*g));

    g->path = tw_strdup(path);
    g->settled_interval_us = (int64_t)settled_interval_ms * 1000;
    return g;
}

void tw_slot_guard_destroy(tw_slot_guard_t *g)
{
    if (g == NULL)
        return;
    free(g->path);
    free(g);
}

/* The file's fields: *root to json_decref (NULL when the file is
 * missing); TW_ERR_IO when it is unreadable or malformed. */
static tw_err_t read_file(const char *path, json_t **root, const char **slot, const char **sysid,
                          json_int_t *oid, tw_lsn_t *mark, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    const char *lsn;

    *root = NULL;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return TW_OK;
    *root = json_load_file(path, 0, &jerr);
    if (*root == NULL ||
        json_unpack_ex(*root, &jerr, 0, "{s:s, s:s, s:I, s:s}", "slot", slot, "system_id",
                       sysid, "database_oid", oid, "confirmed_high_water", &lsn) != 0 ||
        !tw_lsn_parse(lsn, mark))
        return tw_errf(TW_ERR_IO, errstr, errstr_size,
                       "slot high-water file %s is unreadable or malformed (%s); remove it "
                       "with `tidewater offsets reset` if you accept that a slot moved by "
                       "something else goes unnoticed this once",
                       path, *root ? jerr.text : "not JSON");
    return TW_OK;
}

/* The mark recorded for this identity; 0 when the file is missing or
 * describes another server, database or slot. TW_ERR_IO: unreadable. */
static tw_err_t load_mark(const char *path, const tw_offset_origin_t *id, tw_lsn_t *mark,
                          char *errstr, size_t errstr_size)
{
    json_t *root;
    const char *slot, *sysid;
    json_int_t oid;
    tw_lsn_t recorded = 0;
    tw_err_t err = read_file(path, &root, &slot, &sysid, &oid, &recorded, errstr, errstr_size);

    *mark = 0;
    if (err == TW_OK && root && strcmp(slot, id->slot) == 0 &&
        strcmp(sysid, id->system_id) == 0 && (uint32_t)oid == id->database_oid)
        *mark = recorded;
    json_decref(root);
    return err;
}

static tw_err_t store_mark(tw_slot_guard_t *g, tw_lsn_t mark, char *errstr, size_t errstr_size)
{
    tw_buf_t doc = TW_BUF_INIT;
    tw_err_t err;

    tw_buf_append_str(&doc, "{\"slot\": ");
    tw_buf_append_json_string(&doc, g->identity.slot, strlen(g->identity.slot));
    tw_buf_append_str(&doc, ", \"system_id\": ");
    tw_buf_append_json_string(&doc, g->identity.system_id, strlen(g->identity.system_id));
    tw_buf_printf(&doc, ", \"database_oid\": %u, \"confirmed_high_water\": \"" TW_LSN_FMT "\"}\n",
                  (unsigned)g->identity.database_oid, TW_LSN_ARGS(mark));
    err = tw_offsets_make_dir(g->path, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_offsets_replace_file(g->path, "slot high-water file", doc.data, doc.len,
                                      errstr, errstr_size);
    tw_buf_free(&doc);
    if (err == TW_OK)
        g->mark = mark;
    return err;
}

static void disable(tw_slot_guard_t *g, const char *why)
{
    if (!g->disabled)
        tw_log(TW_LOG_WARNING, "CKPT",
               "cannot record the slot's high-water mark (%s): a slot that something else "
               "moves (re-created, advanced) will not be noticed; give tidewater a writable "
               "state.dir",
               why);
    g->disabled = true;
}

tw_err_t tw_slot_guard_check(tw_slot_guard_t *g, const tw_offset_origin_t *server,
                             tw_lsn_t slot_confirmed, bool created, const char *config_path,
                             char *errstr, size_t errstr_size)
{
    tw_lsn_t mark = 0;
    char why[1024];
    tw_err_t err;

    g->identity = *server;
    g->mark = 0;
    if (!created) {
        err = load_mark(g->path, server, &mark, errstr, errstr_size);
        if (err)
            return err;
        if (mark != 0 && slot_confirmed > mark)
            return tw_errf(
                TW_ERR_STATE, errstr, errstr_size,
                "replication slot \"%s\" is confirmed up to " TW_LSN_FMT ", beyond the "
                "highest position tidewater ever confirmed to it (" TW_LSN_FMT ", recorded in "
                "%s): the slot was dropped and created again, advanced with "
                "pg_replication_slot_advance(), or read by another consumer, and the server "
                "will not send the changes committed in between, which may never have "
                "reached Kafka. Nothing was skipped or confirmed. Check what happened to the "
                "slot; to accept the gap (and re-synchronize consumers for it), run "
                "`tidewater offsets reset %s --yes` and start again",
                server->slot, TW_LSN_ARGS(slot_confirmed), TW_LSN_ARGS(mark), g->path,
                config_path ? config_path : "CONFIG");
    }
    if (mark != 0) {
        g->mark = mark;
        return TW_OK;
    }
    /* A new slot, or the first start with this file: the slot's position
     * is where tidewater's knowledge begins. */
    if (store_mark(g, slot_confirmed, why, sizeof(why)) != TW_OK) {
        disable(g, why);
        g->mark = slot_confirmed;
    }
    return TW_OK;
}

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

tw_lsn_t tw_slot_guard_allow(tw_slot_guard_t *g, tw_lsn_t lsn, tw_guard_pace_t pace)
{
    char why[1024];
    int64_t t, interval;

    if (g->disabled)
        return lsn;
    if (g->mark == 0)
        return 0; /* not checked yet: confirm nothing */
    if (lsn <= g->mark)
        return lsn;
    /* Busy, one write a second at most: the slot's confirmation waits a
     * little, the disk is not asked to sync for every transaction. */
    t = now_us();
    interval = pace == TW_GUARD_NOW       ? 0
               : pace == TW_GUARD_SETTLED ? TW_MIN(g->settled_interval_us,
                                                   TW_SLOT_GUARD_WRITE_INTERVAL_MS * 1000)
                                          : TW_SLOT_GUARD_WRITE_INTERVAL_MS * 1000;
    if (t - g->last_write_us < interval)
        return g->mark;
    g->last_write_us = t;
    if (store_mark(g, lsn, why, sizeof(why)) != TW_OK) {
        disable(g, why);
        return lsn;
    }
    return lsn;
}

tw_lsn_t tw_slot_guard_peek(const char *path, const char *slot)
{
    json_t *root;
    const char *s, *sysid;
    json_int_t oid;
    tw_lsn_t mark = 0;
    char errstr[16];

    if (read_file(path, &root, &s, &sysid, &oid, &mark, errstr, sizeof(errstr)) != TW_OK ||
        root == NULL || strcmp(s, slot) != 0)
        mark = 0;
    json_decref(root);
    return mark;
}

tw_err_t tw_slot_guard_remove(const char *path, char *errstr, size_t errstr_size)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return tw_errf(TW_ERR_IO, errstr, errstr_size, "cannot remove %s: %s", path,
                       strerror(errno));
    return TW_OK;
}
