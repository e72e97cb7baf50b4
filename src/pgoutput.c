/*
 * pgoutput.c — a bounds-checked reader over one pgoutput message.
 *
 * Every field read goes through the reader, which records the first
 * shortfall; the message functions check the reader once at the end (or
 * before using a count to size an array), so the decoding code reads like
 * the protocol documentation.
 */
#include "pgoutput.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tw_pgoutput {
    int proto_version;
    bool parallel_streaming;
    /* Scratch arrays, grown as needed and reused. */
    tw_pgoutput_col_t *oldcols, *newcols;
    size_t oldcols_cap, newcols_cap;
    tw_pgoutput_attr_t *attrs;
    size_t attrs_cap;
    uint32_t *relids;
    size_t relids_cap;
};

typedef struct reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
    const char *msgname;
    bool failed;
    char *errstr;
    size_t errstr_size;
} reader_t;

static void fail(reader_t *r, const char *fmt, ...) TW_PRINTF(2, 3);

/* Records the first problem; later reads become no-ops. */
static void fail(reader_t *r, const char *fmt, ...)
{
    char detail[160];
    va_list ap;

    if (r->failed)
        return;
    r->failed = true;
    if (r->errstr == NULL || r->errstr_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(r->errstr, r->errstr_size, "%s message malformed at offset %zu of %zu: %s",
             r->msgname, r->pos, r->len, detail);
}

static bool need(reader_t *r, size_t n, const char *what)
{
    if (r->failed)
        return false;
    if (r->len - r->pos < n) {
        fail(r, "need %zu bytes for %s, have %zu", n, what, r->len - r->pos);
        return false;
    }
    return true;
}

static uint8_t get8(reader_t *r, const char *what)
{
    if (!need(r, 1, what))
        return 0;
    return r->p[r->pos++];
}

static uint16_t get16(reader_t *r, const char *what)
{
    uint16_t v;

    if (!need(r, 2, what))
        return 0;
    v = (uint16_t)((r->p[r->pos] << 8) | r->p[r->pos + 1]);
    r->pos += 2;
    return v;
}

static uint32_t get32(reader_t *r, const char *what)
{
    uint32_t v;

    if (!need(r, 4, what))
        return 0;
    v = ((uint32_t)r->p[r->pos] << 24) | ((uint32_t)r->p[r->pos + 1] << 16) |
        ((uint32_t)r->p[r->pos + 2] << 8) | r->p[r->pos + 3];
    r->pos += 4;
    return v;
}

static uint64_t get64(reader_t *r, const char *what)
{
    uint64_t hi = get32(r, what);
    uint64_t lo = get32(r, what);
    return (hi << 32) | lo;
}

/* A NUL-terminated string inside the message. */
static const char *getstr(reader_t *r, const char *what)
{
    const uint8_t *nul;
    const char *s;

    if (r->failed)
        return "";
    nul = memchr(r->p + r->pos, '\0', r->len - r->pos);
    if (nul == NULL) {
        fail(r, "%s is not NUL-terminated", what);
        return "";
    }
    s = (const char *)(r->p + r->pos);
    r->pos = (size_t)(nul - r->p) + 1;
    return s;
}

static const char *getbytes(reader_t *r, size_t n, const char *what)
{
    const char *s;

    if (!need(r, n, what))
        return NULL;
    s = (const char *)(r->p + r->pos);
    r->pos += n;
    return s;
}

/* Grows a scratch array to hold n elements of size sz. */
static void *reserve(void *array, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return array;
    *cap = n < 16 ? 16 : n;
    return tw_realloc(array, *cap * sz);
}

tw_pgoutput_t *tw_pgoutput_new(int proto_version, bool parallel_streaming)
{
    tw_pgoutput_t *dec = tw_calloc(1, sizeof(*dec));

    dec->proto_version = proto_version;
    dec->parallel_streaming = parallel_streaming;
    return dec;
}

void tw_pgoutput_destroy(tw_pgoutput_t *dec)
{
    if (dec == NULL)
        return;
    free(dec->oldcols);
    free(dec->newcols);
    free(dec->attrs);
    free(dec->relids);
    free(dec);
}

const char *tw_pgoutput_msgtype_name(int type)
{
    switch (type) {
    case TW_PGOUTPUT_BEGIN: return "Begin";
    case TW_PGOUTPUT_COMMIT: return "Commit";
    case TW_PGOUTPUT_ORIGIN: return "Origin";
    case TW_PGOUTPUT_RELATION: return "Relation";
    case TW_PGOUTPUT_TYPE: return "Type";
    case TW_PGOUTPUT_INSERT: return "Insert";
    case TW_PGOUTPUT_UPDATE: return "Update";
    case TW_PGOUTPUT_DELETE: return "Delete";
    case TW_PGOUTPUT_TRUNCATE: return "Truncate";
    case TW_PGOUTPUT_MESSAGE: return "Message";
    case TW_PGOUTPUT_STREAM_START: return "Stream Start";
    case TW_PGOUTPUT_STREAM_STOP: return "Stream Stop";
    case TW_PGOUTPUT_STREAM_COMMIT: return "Stream Commit";
    case TW_PGOUTPUT_STREAM_ABORT: return "Stream Abort";
    case TW_PGOUTPUT_BEGIN_PREPARE: return "Begin Prepare";
    case TW_PGOUTPUT_PREPARE: return "Prepare";
    case TW_PGOUTPUT_COMMIT_PREPARED: return "Commit Prepared";
    case TW_PGOUTPUT_ROLLBACK_PREPARED: return "Rollback Prepared";
    case TW_PGOUTPUT_STREAM_PREPARE: return "Stream Prepare";
    }
    return "unknown";
}

/* TupleData: Int16 column count, then per column a kind byte and, for 't'
 * and 'b', an Int32 length and the bytes. */
static void read_tuple(reader_t *r, tw_pgoutput_col_t **cols, size_t *cap,
                       tw_pgoutput_tuple_t *tuple)
{
    uint16_t n = get16(r, "tuple column count");
    uint16_t i;

    tuple->ncols = 0;
    tuple->cols = NULL;
    if (r->failed)
        return;
    /* Every column takes at least one byte: a count beyond what is left is
     * corrupt, and checking first keeps the allocation bounded by the input. */
    if (n > r->len - r->pos) {
        fail(r, "tuple column count %u exceeds the bytes left", (unsigned)n);
        return;
    }
    *cols = reserve(*cols, cap, n, sizeof(tw_pgoutput_col_t));
    for (i = 0; i < n && !r->failed; i++) {
        tw_pgoutput_col_t *c = &(*cols)[i];
        c->kind = (char)get8(r, "column kind");
        c->len = 0;
        c->data = NULL;
        switch (c->kind) {
        case TW_PGOUTPUT_COL_NULL:
        case TW_PGOUTPUT_COL_UNCHANGED_TOAST:
            break;
        case TW_PGOUTPUT_COL_TEXT:
        case TW_PGOUTPUT_COL_BINARY:
            c->len = get32(r, "column value length");
            c->data = getbytes(r, c->len, "column value");
            break;
        default:
            if (!r->failed)
                fail(r, "unknown column kind 0x%02x", (unsigned char)c->kind);
        }
    }
    tuple->ncols = n;
    tuple->cols = *cols;
}

static void read_relation(tw_pgoutput_t *dec, reader_t *r, tw_pgoutput_msg_t *msg)
{
    uint16_t n, i;

    msg->u.relation.relid = get32(r, "relation id");
    msg->u.relation.nspname = getstr(r, "namespace");
    msg->u.relation.relname = getstr(r, "relation name");
    msg->u.relation.replident = (char)get8(r, "replica identity");
    n = get16(r, "column count");
    if (r->failed)
        return;
    if (n > r->len - r->pos) {
        fail(r, "relation column count %u exceeds the bytes left", (unsigned)n);
        return;
    }
    dec->attrs = reserve(dec->attrs, &dec->attrs_cap, n, sizeof(tw_pgoutput_attr_t));
    for (i = 0; i < n && !r->failed; i++) {
        tw_pgoutput_attr_t *a = &dec->attrs[i];
        a->flags = get8(r, "column flags");
        a->name = getstr(r, "column name");
        a->type_oid = get32(r, "column type");
        a->typmod = (int32_t)get32(r, "column type modifier");
    }
    msg->u.relation.natts = n;
    msg->u.relation.attrs = dec->attrs;
}

static void read_twophase(reader_t *r, tw_pgoutput_msg_t *msg)
{
    tw_pgoutput_twophase_t *t = &msg->u.twophase;

    switch (msg->type) {
    case TW_PGOUTPUT_BEGIN_PREPARE:
        t->prepare_lsn = get64(r, "prepare LSN");
        t->end_lsn = get64(r, "end LSN");
        t->prepare_ts = (int64_t)get64(r, "prepare timestamp");
        t->xid = get32(r, "xid");
        break;
    case TW_PGOUTPUT_PREPARE:
    case TW_PGOUTPUT_STREAM_PREPARE:
        t->flags = get8(r, "flags");
        t->prepare_lsn = get64(r, "prepare LSN");
        t->end_lsn = get64(r, "end LSN");
        t->prepare_ts = (int64_t)get64(r, "prepare timestamp");
        t->xid = get32(r, "xid");
        break;
    case TW_PGOUTPUT_COMMIT_PREPARED:
        t->flags = get8(r, "flags");
        t->commit_lsn = get64(r, "commit LSN");
        t->end_lsn = get64(r, "end LSN");
        t->commit_ts = (int64_t)get64(r, "commit timestamp");
        t->xid = get32(r, "xid");
        break;
    case TW_PGOUTPUT_ROLLBACK_PREPARED:
        t->flags = get8(r, "flags");
        t->prepare_end_lsn = get64(r, "prepare end LSN");
        t->rollback_end_lsn = get64(r, "rollback end LSN");
        t->prepare_ts = (int64_t)get64(r, "prepare timestamp");
        t->rollback_ts = (int64_t)get64(r, "rollback timestamp");
        t->xid = get32(r, "xid");
        break;
    default: break;
    }
    t->gid = getstr(r, "GID");
    if (msg->type == TW_PGOUTPUT_STREAM_PREPARE) {
        msg->has_xid = true;
        msg->xid = t->xid;
    }
}

/* Change messages inside a stream block begin with the xid. */
static void read_stream_xid(reader_t *r, bool in_stream, tw_pgoutput_msg_t *msg)
{
    if (!in_stream)
        return;
    msg->has_xid = true;
    msg->xid = get32(r, "xid");
}

tw_err_t tw_pgoutput_decode(tw_pgoutput_t *dec, const uint8_t *buf, size_t len, bool in_stream,
                            tw_pgoutput_msg_t *msg, char *errstr, size_t errstr_size)
{
    reader_t r = {buf, len, 0, "pgoutput", false, errstr, errstr_size};
    uint8_t kind;

    memset(msg, 0, sizeof(*msg));
    if (len == 0)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "empty pgoutput message");
    kind = get8(&r, "message type");
    msg->type = (tw_pgoutput_msgtype_t)kind;
    r.msgname = tw_pgoutput_msgtype_name(kind);

    switch (kind) {
    case TW_PGOUTPUT_BEGIN:
        msg->u.begin.final_lsn = get64(&r, "final LSN");
        msg->u.begin.commit_ts = (int64_t)get64(&r, "commit timestamp");
        msg->u.begin.xid = get32(&r, "xid");
        break;
    case TW_PGOUTPUT_COMMIT:
        msg->u.commit.flags = get8(&r, "flags");
        msg->u.commit.commit_lsn = get64(&r, "commit LSN");
        msg->u.commit.end_lsn = get64(&r, "end LSN");
        msg->u.commit.commit_ts = (int64_t)get64(&r, "commit timestamp");
        break;
    case TW_PGOUTPUT_ORIGIN:
        msg->u.origin.commit_lsn = get64(&r, "origin commit LSN");
        msg->u.origin.name = getstr(&r, "origin name");
        break;
    case TW_PGOUTPUT_RELATION:
        read_stream_xid(&r, in_stream, msg);
        read_relation(dec, &r, msg);
        break;
    case TW_PGOUTPUT_TYPE:
        read_stream_xid(&r, in_stream, msg);
        msg->u.type.type_oid = get32(&r, "type OID");
        msg->u.type.nspname = getstr(&r, "namespace");
        msg->u.type.typname = getstr(&r, "type name");
        break;
    case TW_PGOUTPUT_INSERT:
        read_stream_xid(&r, in_stream, msg);
        msg->u.insert.relid = get32(&r, "relation id");
        if (get8(&r, "'N' marker") != 'N' && !r.failed)
            fail(&r, "expected 'N' before the new tuple");
        read_tuple(&r, &dec->newcols, &dec->newcols_cap, &msg->u.insert.newtup);
        break;
    case TW_PGOUTPUT_UPDATE: {
        uint8_t marker;
        read_stream_xid(&r, in_stream, msg);
        msg->u.update.relid = get32(&r, "relation id");
        marker = get8(&r, "tuple marker");
        if (!r.failed && (marker == 'K' || marker == 'O')) {
            msg->u.update.old_kind = (char)marker;
            read_tuple(&r, &dec->oldcols, &dec->oldcols_cap, &msg->u.update.oldtup);
            marker = get8(&r, "'N' marker");
        }
        if (!r.failed && marker != 'N')
            fail(&r, "expected a 'K', 'O' or 'N' tuple marker");
        read_tuple(&r, &dec->newcols, &dec->newcols_cap, &msg->u.update.newtup);
        break;
    }
    case TW_PGOUTPUT_DELETE: {
        uint8_t marker;
        read_stream_xid(&r, in_stream, msg);
        msg->u.delete.relid = get32(&r, "relation id");
        marker = get8(&r, "tuple marker");
        if (!r.failed && marker != 'K' && marker != 'O')
            fail(&r, "expected a 'K' or 'O' tuple marker");
        msg->u.delete.old_kind = (char)marker;
        read_tuple(&r, &dec->oldcols, &dec->oldcols_cap, &msg->u.delete.oldtup);
        break;
    }
    case TW_PGOUTPUT_TRUNCATE: {
        uint32_t n, i;
        read_stream_xid(&r, in_stream, msg);
        n = get32(&r, "relation count");
        msg->u.truncate.options = get8(&r, "options");
        if (!r.failed && n > (r.len - r.pos) / 4) {
            fail(&r, "relation count %u exceeds the bytes left", n);
            break;
        }
        dec->relids = reserve(dec->relids, &dec->relids_cap, n, sizeof(uint32_t));
        for (i = 0; i < n && !r.failed; i++)
            dec->relids[i] = get32(&r, "relation id");
        msg->u.truncate.nrels = n;
        msg->u.truncate.relids = dec->relids;
        break;
    }
    case TW_PGOUTPUT_MESSAGE:
        read_stream_xid(&r, in_stream, msg);
        msg->u.message.flags = get8(&r, "flags");
        msg->u.message.lsn = get64(&r, "message LSN");
        msg->u.message.prefix = getstr(&r, "prefix");
        msg->u.message.content_len = get32(&r, "content length");
        msg->u.message.content = getbytes(&r, msg->u.message.content_len, "content");
        break;
    case TW_PGOUTPUT_STREAM_START:
        msg->u.stream_start.xid = get32(&r, "xid");
        msg->u.stream_start.first_segment = get8(&r, "first-segment flag");
        msg->has_xid = true;
        msg->xid = msg->u.stream_start.xid;
        break;
    case TW_PGOUTPUT_STREAM_STOP:
        break;
    case TW_PGOUTPUT_STREAM_COMMIT:
        msg->u.stream_commit.xid = get32(&r, "xid");
        msg->u.stream_commit.flags = get8(&r, "flags");
        msg->u.stream_commit.commit_lsn = get64(&r, "commit LSN");
        msg->u.stream_commit.end_lsn = get64(&r, "end LSN");
        msg->u.stream_commit.commit_ts = (int64_t)get64(&r, "commit timestamp");
        msg->has_xid = true;
        msg->xid = msg->u.stream_commit.xid;
        break;
    case TW_PGOUTPUT_STREAM_ABORT:
        msg->u.stream_abort.xid = get32(&r, "xid");
        msg->u.stream_abort.subxid = get32(&r, "subtransaction xid");
        if (dec->proto_version >= 4 && dec->parallel_streaming) {
            msg->u.stream_abort.has_abort_info = true;
            msg->u.stream_abort.abort_lsn = get64(&r, "abort LSN");
            msg->u.stream_abort.abort_ts = (int64_t)get64(&r, "abort timestamp");
        }
        msg->has_xid = true;
        msg->xid = msg->u.stream_abort.xid;
        break;
    case TW_PGOUTPUT_BEGIN_PREPARE:
    case TW_PGOUTPUT_PREPARE:
    case TW_PGOUTPUT_COMMIT_PREPARED:
    case TW_PGOUTPUT_ROLLBACK_PREPARED:
    case TW_PGOUTPUT_STREAM_PREPARE:
        read_twophase(&r, msg);
        break;
    default:
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "unknown pgoutput message type 0x%02x", kind);
    }
    if (!r.failed && r.pos != r.len)
        fail(&r, "%zu trailing bytes", r.len - r.pos);
    return r.failed ? TW_ERR_MALFORMED : TW_OK;
}
