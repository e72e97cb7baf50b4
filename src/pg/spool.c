/*
 * spool.c — one unlinked temporary file per streamed transaction, with the
 * first offset of every subtransaction so a subtransaction abort is a
 * truncate. Marks are found through a hash index: a transaction may have
 * tens of thousands of savepoints, and each change looks its xid up.
 */
#include "pg/spool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"

typedef struct subxact_mark {
    uint32_t xid;
    int64_t offset; /* where its first record starts */
} subxact_mark_t;

/* Open-addressing index xid → position in marks. Entries are never
 * removed: one whose position is past nmarks, or whose mark holds another
 * xid, is stale (its mark was truncated away) and counts as absent. Key 0
 * (InvalidTransactionId) marks an empty slot. */
typedef struct mark_index {
    uint32_t *xids;
    uint32_t *pos;
    size_t cap; /* power of two, 0 before the first mark */
    size_t used;
} mark_index_t;

typedef struct spool_txn {
    uint32_t xid;
    FILE *file;
    int64_t size;
    subxact_mark_t *marks; /* in order of first appearance, offsets ascending */
    size_t nmarks, capmarks;
    mark_index_t index;
    struct spool_txn *next;
} spool_txn_t;

struct tw_spool {
    char *dir;
    int64_t max_bytes;
    int64_t bytes;
    size_t count;
    spool_txn_t *txns; /* few at a time: a list is enough */
    tw_buf_t record;   /* reused read buffer */
};

/* Record header: 4-byte length, 8-byte LSN, native byte order (the file
 * never outlives the process). */
typedef struct record_header {
    uint32_t len;
    uint64_t lsn;
} record_header_t;

tw_spool_t *tw_spool_new(const char *dir, int64_t max_bytes)
{
    tw_spool_t *spool = tw_calloc(1, sizeof(*spool));

    spool->dir = tw_strdup(dir && *dir ? dir : "/tmp");
    spool->max_bytes = max_bytes;
    return spool;
}

static void txn_free(tw_spool_t *spool, spool_txn_t *txn)
{
    if (txn->file)
        fclose(txn->file);
    spool->bytes -= txn->size;
    spool->count--;
    free(txn->marks);
    free(txn->index.xids);
    free(txn->index.pos);
    free(txn);
}

void tw_spool_destroy(tw_spool_t *spool)
{
    if (spool == NULL)
        return;
    while (spool->txns) {
        spool_txn_t *next = spool->txns->next;
        txn_free(spool, spool->txns);
        spool->txns = next;
    }
    tw_buf_free(&spool->record);
    free(spool->dir);
    free(spool);
}

static spool_txn_t *txn_find(tw_spool_t *spool, uint32_t xid, spool_txn_t ***link_out)
{
    spool_txn_t **link;

    for (link = &spool->txns; *link; link = &(*link)->next) {
        if ((*link)->xid == xid) {
            if (link_out)
                *link_out = link;
            return *link;
        }
    }
    return NULL;
}

tw_err_t tw_spool_check(const tw_spool_t *spool, char *errstr, size_t errstr_size)
{
    char path[4096];
    int fd;

    snprintf(path, sizeof(path), "%s/tidewater-spool-check-XXXXXX", spool->dir);
    fd = mkstemp(path);
    if (fd < 0)
        return tw_errf(TW_ERR_LOCAL, errstr, errstr_size,
                       "cannot create a spool file in %s: %s; set spool.dir to a writable "
                       "directory (or pgoutput.streaming=off)",
                       spool->dir, strerror(errno));
    unlink(path);
    close(fd);
    return TW_OK;
}

static tw_err_t txn_open(tw_spool_t *spool, uint32_t xid, spool_txn_t **out, char *errstr,
                         size_t errstr_size)
{
    char path[4096];
    spool_txn_t *txn;
    int fd;

    snprintf(path, sizeof(path), "%s/tidewater-spool-%u-XXXXXX", spool->dir, xid);
    fd = mkstemp(path);
    if (fd < 0)
        return tw_errf(TW_ERR_LOCAL, errstr, errstr_size,
                       "cannot create a spool file in %s for streamed transaction %u: %s; "
                       "set spool.dir to a writable directory",
                       spool->dir, xid, strerror(errno));
    /* Unlinked at once: a crash leaves nothing behind to clean up. */
    unlink(path);
    txn = tw_calloc(1, sizeof(*txn));
    txn->xid = xid;
    txn->file = fdopen(fd, "w+b");
    if (txn->file == NULL) {
        close(fd);
        free(txn);
        return tw_errf(TW_ERR_LOCAL, errstr, errstr_size, "fdopen of spool file: %s",
                       strerror(errno));
    }
    txn->next = spool->txns;
    spool->txns = txn;
    spool->count++;
    *out = txn;
    return TW_OK;
}

static size_t index_slot(uint32_t xid, size_t cap)
{
    /* Fibonacci hashing: subtransaction xids are mostly consecutive. */
    return (size_t)((xid * UINT32_C(2654435769)) & (cap - 1));
}

/* Position of xid's mark, or SIZE_MAX when it has none. */
static size_t mark_find(const spool_txn_t *txn, uint32_t xid)
{
    const mark_index_t *index = &txn->index;
    size_t i;

    if (index->cap == 0)
        return SIZE_MAX;
    for (i = index_slot(xid, index->cap); index->xids[i] != 0; i = (i + 1) & (index->cap - 1)) {
        if (index->xids[i] == xid) {
            size_t pos = index->pos[i];
            return pos < txn->nmarks && txn->marks[pos].xid == xid ? pos : SIZE_MAX;
        }
    }
    return SIZE_MAX;
}

static void index_put(mark_index_t *index, uint32_t xid, uint32_t pos);

static void index_grow(mark_index_t *index)
{
    mark_index_t bigger = {NULL, NULL, index->cap ? index->cap * 2 : 64, 0};
    size_t i;

    bigger.xids = tw_calloc(bigger.cap, sizeof(uint32_t));
    bigger.pos = tw_calloc(bigger.cap, sizeof(uint32_t));
    for (i = 0; i < index->cap; i++)
        if (index->xids[i] != 0)
            index_put(&bigger, index->xids[i], index->pos[i]);
    free(index->xids);
    free(index->pos);
    *index = bigger;
}

static void index_put(mark_index_t *index, uint32_t xid, uint32_t pos)
{
    size_t i;

    if ((index->used + 1) * 4 > index->cap * 3)
        index_grow(index);
    for (i = index_slot(xid, index->cap); index->xids[i] != 0; i = (i + 1) & (index->cap - 1)) {
        if (index->xids[i] == xid) {
            index->pos[i] = pos; /* replaces a stale entry */
            return;
        }
    }
    index->xids[i] = xid;
    index->pos[i] = pos;
    index->used++;
}

tw_err_t tw_spool_append(tw_spool_t *spool, uint32_t top_xid, uint32_t change_xid, tw_lsn_t lsn,
                         const uint8_t *msg, size_t len, char *errstr, size_t errstr_size)
{
    spool_txn_t *txn = txn_find(spool, top_xid, NULL);
    record_header_t header;
    tw_err_t err;

    if (len > UINT32_MAX)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "message of %zu bytes", len);
    if (spool->max_bytes > 0 &&
        spool->bytes + (int64_t)(sizeof(header) + len) > spool->max_bytes)
        return tw_errf(TW_ERR_NOMEM, errstr, errstr_size,
                       "spooling streamed transaction %u would exceed spool.max.bytes=%lld; "
                       "raise spool.max.bytes or free space in spool.dir (%s)",
                       top_xid, (long long)spool->max_bytes, spool->dir);
    if (txn == NULL) {
        err = txn_open(spool, top_xid, &txn, errstr, errstr_size);
        if (err)
            return err;
    }
    /* Remember where each subtransaction starts, in case it aborts. The
     * top-level xid needs no mark: its abort drops the whole file. */
    if (change_xid != top_xid && mark_find(txn, change_xid) == SIZE_MAX) {
        if (txn->nmarks == txn->capmarks) {
            txn->capmarks = txn->capmarks ? txn->capmarks * 2 : 8;
            txn->marks = tw_realloc(txn->marks, txn->capmarks * sizeof(*txn->marks));
        }
        txn->marks[txn->nmarks].xid = change_xid;
        txn->marks[txn->nmarks].offset = txn->size;
        index_put(&txn->index, change_xid, (uint32_t)txn->nmarks);
        txn->nmarks++;
    }
    header.len = (uint32_t)len;
    header.lsn = lsn;
    if (fwrite(&header, sizeof(header), 1, txn->file) != 1 ||
        (len && fwrite(msg, len, 1, txn->file) != 1))
        return tw_errf(TW_ERR_LOCAL, errstr, errstr_size,
                       "writing spool file for streamed transaction %u in %s: %s", top_xid,
                       spool->dir, strerror(errno));
    txn->size += (int64_t)(sizeof(header) + len);
    spool->bytes += (int64_t)(sizeof(header) + len);
    return TW_OK;
}

static void txn_drop(tw_spool_t *spool, uint32_t xid)
{
    spool_txn_t **link;
    spool_txn_t *txn = txn_find(spool, xid, &link);

    if (txn) {
        *link = txn->next;
        txn_free(spool, txn);
    }
}

tw_err_t tw_spool_abort(tw_spool_t *spool, uint32_t top_xid, uint32_t subxid, char *errstr,
                        size_t errstr_size)
{
    spool_txn_t *txn;
    size_t i;

    if (subxid == top_xid) {
        txn_drop(spool, top_xid);
        return TW_OK;
    }
    txn = txn_find(spool, top_xid, NULL);
    if (txn == NULL)
        return TW_OK; /* nothing of it was spooled */
    i = mark_find(txn, subxid);
    if (i == SIZE_MAX)
        return TW_OK; /* the subtransaction made no changes we saw */
    if (fflush(txn->file) != 0 || ftruncate(fileno(txn->file), txn->marks[i].offset) != 0 ||
        fseeko(txn->file, txn->marks[i].offset, SEEK_SET) != 0)
        return tw_errf(TW_ERR_LOCAL, errstr, errstr_size,
                       "truncating spool file of transaction %u: %s", top_xid,
                       strerror(errno));
    spool->bytes -= txn->size - txn->marks[i].offset;
    txn->size = txn->marks[i].offset;
    txn->nmarks = i; /* later marks pointed into the truncated tail */
    return TW_OK;
}

tw_err_t tw_spool_replay(tw_spool_t *spool, uint32_t top_xid, tw_spool_replay_cb cb,
                         void *opaque, char *errstr, size_t errstr_size)
{
    spool_txn_t *txn = txn_find(spool, top_xid, NULL);
    record_header_t header;
    int64_t pos = 0;
    tw_err_t err = TW_OK;

    if (txn == NULL)
        return TW_OK;
    if (fflush(txn->file) != 0 || fseeko(txn->file, 0, SEEK_SET) != 0) {
        err = tw_errf(TW_ERR_LOCAL, errstr, errstr_size, "rewinding spool file of %u: %s",
                      top_xid, strerror(errno));
        goto cleanup;
    }
    while (pos < txn->size) {
        if (fread(&header, sizeof(header), 1, txn->file) != 1) {
            err = tw_errf(TW_ERR_LOCAL, errstr, errstr_size,
                          "reading spool file of transaction %u at offset %lld: %s", top_xid,
                          (long long)pos, feof(txn->file) ? "unexpected end" : strerror(errno));
            goto cleanup;
        }
        tw_buf_reset(&spool->record);
        tw_buf_reserve(&spool->record, header.len);
        if (header.len && fread(spool->record.data, header.len, 1, txn->file) != 1) {
            err = tw_errf(TW_ERR_LOCAL, errstr, errstr_size,
                          "reading spool file of transaction %u at offset %lld: %s", top_xid,
                          (long long)pos, feof(txn->file) ? "unexpected end" : strerror(errno));
            goto cleanup;
        }
        pos += (int64_t)(sizeof(header) + header.len);
        err = cb(opaque, header.lsn, (const uint8_t *)spool->record.data, header.len, errstr,
                 errstr_size);
        if (err)
            goto cleanup;
    }
cleanup:
    if (err == TW_OK)
        txn_drop(spool, top_xid);
    return err;
}

int64_t tw_spool_bytes(const tw_spool_t *spool)
{
    return spool->bytes;
}

size_t tw_spool_count(const tw_spool_t *spool)
{
    return spool->count;
}
