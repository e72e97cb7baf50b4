/*
 * pgoutput.c — decodes one pgoutput message (PostgreSQL's "Logical
 * Replication Message Formats", protocol versions 1-4) into a
 * tw_pgoutput_msg_t without copying.
 *
 * Every field is read through a cursor that checks the bytes left first and
 * remembers the first problem. After a problem, further reads return zero or
 * "" and do nothing, so each message's decoder reads like the protocol
 * documentation and the outcome is checked once, at the end. The one place
 * that cannot wait is a count that sizes a scratch array: it is checked
 * against the bytes left before anything is allocated, so corrupt input can
 * never make us allocate more than the input itself could describe.
 */
#include "pg/pgoutput.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tw_pgoutput {
    int proto_version;
    bool parallel_streaming;
    /* Scratch arrays that decoded messages point into, reused by the next
     * decode. Old and new tuples have their own, since an Update has both. */
    tw_pgoutput_col_t *oldcols;
    size_t oldcols_cap;
    tw_pgoutput_col_t *newcols;
    size_t newcols_cap;
    tw_pgoutput_attr_t *attrs;
    size_t attrs_cap;
    uint32_t *relids;
    size_t relids_cap;
};

/* Smallest encodings, used to reject counts the rest of the message cannot
 * hold: a column kind byte; flags, an empty name's NUL, type OID, typmod. */
#define MIN_TUPLE_COLUMN_BYTES 1
#define MIN_RELATION_ATTR_BYTES (1 + 1 + 4 + 4)
#define RELID_BYTES 4

typedef struct cursor {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    const char *msgname; /* "Insert", for error messages */
    /* While reading an array element, error messages name it, as in
     * "value length of new tuple column 3". */
    const char *element; /* NULL outside an array */
    uint32_t index;
    bool failed;
    char *errstr;
    size_t errstr_size;
} cursor_t;

static inline uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t be64(const uint8_t *p)
{
    return ((uint64_t)be32(p) << 32) | be32(p + 4);
}

static void fail(cursor_t *c, const char *problem, const char *fmt, ...) TW_PRINTF(3, 4);

/* Records the first problem as "<Type> message <problem>: <detail>". */
static void fail(cursor_t *c, const char *problem, const char *fmt, ...)
{
    char detail[200];
    va_list ap;

    if (c->failed)
        return;
    c->failed = true;
    if (c->errstr == NULL || c->errstr_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(c->errstr, c->errstr_size, "%s message %s: %s", c->msgname, problem, detail);
}

/* Names a field for an error message, with the array element if any. */
static const char *describe(const cursor_t *c, const char *what, char *out, size_t outsize)
{
    if (c->element == NULL)
        return what;
    snprintf(out, outsize, "%s of %s %u", what, c->element, (unsigned)c->index);
    return out;
}

/* True when n more bytes are there; otherwise records a truncation. */
/* Kept out of line: have() runs for every field of every message. */
static __attribute__((noinline, cold)) bool have_not(cursor_t *c, size_t n, const char *what)
{
    char name[96];

    if (c->failed)
        return false;
    fail(c, "truncated", "need %zu byte%s for %s at offset %zu, have %zu", n, n == 1 ? "" : "s",
         describe(c, what, name, sizeof(name)), c->pos, c->len - c->pos);
    return false;
}

static inline bool have(cursor_t *c, size_t n, const char *what)
{
    if (!c->failed && c->len - c->pos >= n)
        return true;
    return have_not(c, n, what);
}

static uint8_t read_u8(cursor_t *c, const char *what)
{
    if (!have(c, 1, what))
        return 0;
    return c->buf[c->pos++];
}

static uint16_t read_u16(cursor_t *c, const char *what)
{
    uint16_t v;

    if (!have(c, 2, what))
        return 0;
    v = be16(c->buf + c->pos);
    c->pos += 2;
    return v;
}

static uint32_t read_u32(cursor_t *c, const char *what)
{
    uint32_t v;

    if (!have(c, 4, what))
        return 0;
    v = be32(c->buf + c->pos);
    c->pos += 4;
    return v;
}

static uint64_t read_u64(cursor_t *c, const char *what)
{
    uint64_t v;

    if (!have(c, 8, what))
        return 0;
    v = be64(c->buf + c->pos);
    c->pos += 8;
    return v;
}

/* A NUL-terminated string; the terminator must lie inside the message,
 * which is what makes handing out a pointer into the buffer safe. */
static const char *read_string(cursor_t *c, const char *what)
{
    const uint8_t *nul;
    const char *s;
    char name[96];

    if (!have(c, 1, what))
        return "";
    nul = memchr(c->buf + c->pos, '\0', c->len - c->pos);
    if (nul == NULL) {
        fail(c, "malformed", "%s at offset %zu has no NUL terminator within the message",
             describe(c, what, name, sizeof(name)), c->pos);
        return "";
    }
    s = (const char *)(c->buf + c->pos);
    c->pos = (size_t)(nul - c->buf) + 1;
    return s;
}

static const char *read_bytes(cursor_t *c, uint32_t n, const char *what)
{
    const char *p;

    if (!have(c, n, what))
        return NULL;
    p = (const char *)(c->buf + c->pos);
    c->pos += n;
    return p;
}

/* A count of elements of at least min_bytes each must fit in what is left. */
static bool count_fits(cursor_t *c, uint32_t count, size_t min_bytes, const char *what)
{
    size_t left = c->len - c->pos;

    if (c->failed)
        return false;
    if (count <= left / min_bytes)
        return true;
    fail(c, "malformed", "%s %u needs at least %zu bytes after offset %zu, have %zu", what,
         count, (size_t)count * min_bytes, c->pos, left);
    return false;
}

/* Grows a scratch array to hold n elements. The callers check n against the
 * input length first, so the capacity stays within a small multiple of the
 * largest message seen. */
static void *grow(void *array, size_t *cap, size_t n, size_t elem_size)
{
    size_t newcap;

    if (n <= *cap)
        return array;
    newcap = TW_MAX(n, TW_MAX(*cap * 2, (size_t)8));
    array = tw_realloc(array, newcap * elem_size);
    *cap = newcap;
    return array;
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

/* Returned for unknown types; the decoder compares against the pointer. */
static const char unknown_type_name[] = "unknown";

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
    return unknown_type_name;
}

/* Inside a stream block, schema and change messages start with the xid of
 * the (sub)transaction they belong to. */
static void read_stream_xid(cursor_t *c, bool in_stream, tw_pgoutput_msg_t *msg)
{
    if (!in_stream)
        return;
    msg->xid = read_u32(c, "xid");
    msg->has_xid = true;
}

/* Which tuple of a change is being read, as error messages name it. */
typedef struct tuple_names {
    const char *count;
    const char *column;
} tuple_names_t;

static const tuple_names_t old_tuple = {"old tuple column count", "old tuple column"};
static const tuple_names_t new_tuple = {"new tuple column count", "new tuple column"};

/* TupleData: Int16 column count, then per column a kind byte, followed for
 * 't' and 'b' by an Int32 length and the value's bytes. */
static void read_tuple(cursor_t *c, const tuple_names_t *names, tw_pgoutput_col_t **cols,
                       size_t *cap, tw_pgoutput_tuple_t *tuple)
{
    uint16_t ncols, i;

    ncols = read_u16(c, names->count);
    if (!count_fits(c, ncols, MIN_TUPLE_COLUMN_BYTES, names->count))
        return;
    *cols = grow(*cols, cap, ncols, sizeof(**cols));
    c->element = names->column;
    for (i = 0; i < ncols && !c->failed; i++) {
        tw_pgoutput_col_t *col = &(*cols)[i];
        size_t kind_offset = c->pos;

        c->index = i;
        col->kind = (char)read_u8(c, "kind");
        col->len = 0;
        col->data = NULL;
        switch (col->kind) {
        case TW_PGOUTPUT_COL_NULL:
        case TW_PGOUTPUT_COL_UNCHANGED_TOAST:
            break;
        case TW_PGOUTPUT_COL_TEXT:
        case TW_PGOUTPUT_COL_BINARY:
            col->len = read_u32(c, "value length");
            col->data = read_bytes(c, col->len, "value");
            break;
        default:
            if (!c->failed)
                fail(c, "malformed", "unknown kind 0x%02x of %s %u at offset %zu",
                     (unsigned char)col->kind, names->column, (unsigned)i, kind_offset);
        }
    }
    c->element = NULL;
    tuple->ncols = ncols;
    tuple->cols = *cols;
}

static void decode_begin(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.begin.final_lsn = read_u64(c, "final LSN");
    msg->u.begin.commit_ts = (int64_t)read_u64(c, "commit timestamp");
    msg->u.begin.xid = read_u32(c, "xid");
}

static void decode_commit(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.commit.flags = read_u8(c, "flags");
    msg->u.commit.commit_lsn = read_u64(c, "commit LSN");
    msg->u.commit.end_lsn = read_u64(c, "end LSN");
    msg->u.commit.commit_ts = (int64_t)read_u64(c, "commit timestamp");
}

static void decode_origin(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.origin.commit_lsn = read_u64(c, "origin commit LSN");
    msg->u.origin.name = read_string(c, "origin name");
}

static void decode_relation(tw_pgoutput_t *dec, cursor_t *c, tw_pgoutput_msg_t *msg)
{
    uint16_t natts, i;

    msg->u.relation.relid = read_u32(c, "relation id");
    msg->u.relation.nspname = read_string(c, "namespace");
    msg->u.relation.relname = read_string(c, "relation name");
    msg->u.relation.replident = (char)read_u8(c, "replica identity");
    natts = read_u16(c, "column count");
    if (!count_fits(c, natts, MIN_RELATION_ATTR_BYTES, "column count"))
        return;
    dec->attrs = grow(dec->attrs, &dec->attrs_cap, natts, sizeof(*dec->attrs));
    c->element = "column";
    for (i = 0; i < natts && !c->failed; i++) {
        tw_pgoutput_attr_t *attr = &dec->attrs[i];

        c->index = i;
        attr->flags = read_u8(c, "flags");
        attr->name = read_string(c, "name");
        attr->type_oid = read_u32(c, "type OID");
        attr->typmod = (int32_t)read_u32(c, "type modifier");
    }
    c->element = NULL;
    msg->u.relation.natts = natts;
    msg->u.relation.attrs = dec->attrs;
}

static void decode_type(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.type.type_oid = read_u32(c, "type OID");
    msg->u.type.nspname = read_string(c, "namespace");
    msg->u.type.typname = read_string(c, "type name");
}

static void decode_insert(tw_pgoutput_t *dec, cursor_t *c, tw_pgoutput_msg_t *msg)
{
    size_t offset;
    uint8_t marker;

    msg->u.insert.relid = read_u32(c, "relation id");
    offset = c->pos;
    marker = read_u8(c, "tuple marker");
    if (!c->failed && marker != 'N')
        fail(c, "malformed", "expected tuple marker 'N' at offset %zu, got 0x%02x", offset,
             marker);
    read_tuple(c, &new_tuple, &dec->newcols, &dec->newcols_cap, &msg->u.insert.newtup);
}

/* The old tuple ('K' key columns, or 'O' the whole row) is optional. */
static void decode_update(tw_pgoutput_t *dec, cursor_t *c, tw_pgoutput_msg_t *msg)
{
    size_t offset;
    uint8_t marker;

    msg->u.update.relid = read_u32(c, "relation id");
    offset = c->pos;
    marker = read_u8(c, "tuple marker");
    if (!c->failed && (marker == 'K' || marker == 'O')) {
        msg->u.update.old_kind = (char)marker;
        read_tuple(c, &old_tuple, &dec->oldcols, &dec->oldcols_cap, &msg->u.update.oldtup);
        offset = c->pos;
        marker = read_u8(c, "new tuple marker");
        if (!c->failed && marker != 'N')
            fail(c, "malformed", "expected tuple marker 'N' at offset %zu, got 0x%02x", offset,
                 marker);
    } else if (!c->failed && marker != 'N') {
        fail(c, "malformed", "expected tuple marker 'K', 'O' or 'N' at offset %zu, got 0x%02x",
             offset, marker);
    }
    read_tuple(c, &new_tuple, &dec->newcols, &dec->newcols_cap, &msg->u.update.newtup);
}

static void decode_delete(tw_pgoutput_t *dec, cursor_t *c, tw_pgoutput_msg_t *msg)
{
    size_t offset;
    uint8_t marker;

    msg->u.delete.relid = read_u32(c, "relation id");
    offset = c->pos;
    marker = read_u8(c, "tuple marker");
    if (!c->failed && marker != 'K' && marker != 'O')
        fail(c, "malformed", "expected tuple marker 'K' or 'O' at offset %zu, got 0x%02x",
             offset, marker);
    if (c->failed)
        return;
    msg->u.delete.old_kind = (char)marker;
    read_tuple(c, &old_tuple, &dec->oldcols, &dec->oldcols_cap, &msg->u.delete.oldtup);
}

static void decode_truncate(tw_pgoutput_t *dec, cursor_t *c, tw_pgoutput_msg_t *msg)
{
    uint32_t nrels, i;

    nrels = read_u32(c, "relation count");
    msg->u.truncate.options = read_u8(c, "options");
    if (!count_fits(c, nrels, RELID_BYTES, "relation count"))
        return;
    dec->relids = grow(dec->relids, &dec->relids_cap, nrels, sizeof(*dec->relids));
    c->element = "truncated relation";
    for (i = 0; i < nrels && !c->failed; i++) {
        c->index = i;
        dec->relids[i] = read_u32(c, "id");
    }
    c->element = NULL;
    msg->u.truncate.nrels = nrels;
    msg->u.truncate.relids = dec->relids;
}

static void decode_message(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.message.flags = read_u8(c, "flags");
    msg->u.message.lsn = read_u64(c, "message LSN");
    msg->u.message.prefix = read_string(c, "prefix");
    msg->u.message.content_len = read_u32(c, "content length");
    msg->u.message.content = read_bytes(c, msg->u.message.content_len, "content");
}

static void decode_stream_start(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.stream_start.xid = read_u32(c, "xid");
    msg->u.stream_start.first_segment = read_u8(c, "first-segment flag");
    msg->has_xid = true;
    msg->xid = msg->u.stream_start.xid;
}

static void decode_stream_commit(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.stream_commit.xid = read_u32(c, "xid");
    msg->u.stream_commit.flags = read_u8(c, "flags");
    msg->u.stream_commit.commit_lsn = read_u64(c, "commit LSN");
    msg->u.stream_commit.end_lsn = read_u64(c, "end LSN");
    msg->u.stream_commit.commit_ts = (int64_t)read_u64(c, "commit timestamp");
    msg->has_xid = true;
    msg->xid = msg->u.stream_commit.xid;
}

/* The abort LSN and time exist only from protocol 4 on, and only when
 * streaming = parallel was requested; nothing in the message itself says
 * whether they are there, so the decoder must be told. */
static void decode_stream_abort(const tw_pgoutput_t *dec, cursor_t *c, tw_pgoutput_msg_t *msg)
{
    msg->u.stream_abort.xid = read_u32(c, "xid");
    msg->u.stream_abort.subxid = read_u32(c, "subtransaction xid");
    if (dec->proto_version >= 4 && dec->parallel_streaming) {
        msg->u.stream_abort.has_abort_info = true;
        msg->u.stream_abort.abort_lsn = read_u64(c, "abort LSN");
        msg->u.stream_abort.abort_ts = (int64_t)read_u64(c, "abort timestamp");
    }
    msg->has_xid = true;
    msg->xid = msg->u.stream_abort.xid;
}

/* Begin Prepare, Prepare, Commit Prepared, Rollback Prepared and Stream
 * Prepare: LSNs and timestamps that differ by type, then xid and GID. */
static void decode_twophase(cursor_t *c, tw_pgoutput_msg_t *msg)
{
    tw_pgoutput_twophase_t *tp = &msg->u.twophase;

    switch (msg->type) {
    case TW_PGOUTPUT_BEGIN_PREPARE: /* the only one without flags */
        tp->prepare_lsn = read_u64(c, "prepare LSN");
        tp->end_lsn = read_u64(c, "end LSN");
        tp->prepare_ts = (int64_t)read_u64(c, "prepare timestamp");
        break;
    case TW_PGOUTPUT_PREPARE:
    case TW_PGOUTPUT_STREAM_PREPARE:
        tp->flags = read_u8(c, "flags");
        tp->prepare_lsn = read_u64(c, "prepare LSN");
        tp->end_lsn = read_u64(c, "end LSN");
        tp->prepare_ts = (int64_t)read_u64(c, "prepare timestamp");
        break;
    case TW_PGOUTPUT_COMMIT_PREPARED:
        tp->flags = read_u8(c, "flags");
        tp->commit_lsn = read_u64(c, "commit LSN");
        tp->end_lsn = read_u64(c, "end LSN");
        tp->commit_ts = (int64_t)read_u64(c, "commit timestamp");
        break;
    case TW_PGOUTPUT_ROLLBACK_PREPARED:
        tp->flags = read_u8(c, "flags");
        tp->prepare_end_lsn = read_u64(c, "prepare end LSN");
        tp->rollback_end_lsn = read_u64(c, "rollback end LSN");
        tp->prepare_ts = (int64_t)read_u64(c, "prepare timestamp");
        tp->rollback_ts = (int64_t)read_u64(c, "rollback timestamp");
        break;
    default: break;
    }
    tp->xid = read_u32(c, "xid");
    tp->gid = read_string(c, "GID");
    if (msg->type == TW_PGOUTPUT_STREAM_PREPARE) {
        msg->has_xid = true;
        msg->xid = tp->xid;
    }
}

tw_err_t tw_pgoutput_decode(tw_pgoutput_t *dec, const uint8_t *buf, size_t len, bool in_stream,
                            tw_pgoutput_msg_t *msg, char *errstr, size_t errstr_size)
{
    cursor_t c = {.buf = buf, .len = len, .pos = 1, .errstr = errstr, .errstr_size = errstr_size};
    uint8_t type;

    memset(msg, 0, sizeof(*msg));
    if (len == 0)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "empty message");
    type = buf[0];
    c.msgname = tw_pgoutput_msgtype_name(type);
    if (c.msgname == unknown_type_name)
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size, "unknown message type 0x%02x",
                       type);
    msg->type = (tw_pgoutput_msgtype_t)type;

    /* The type byte alone decides the layout, so types newer than the
     * negotiated protocol are decoded too; whether they are welcome is for
     * the caller to say. */
    switch (msg->type) {
    case TW_PGOUTPUT_BEGIN: decode_begin(&c, msg); break;
    case TW_PGOUTPUT_COMMIT: decode_commit(&c, msg); break;
    case TW_PGOUTPUT_ORIGIN: decode_origin(&c, msg); break;
    case TW_PGOUTPUT_RELATION:
        read_stream_xid(&c, in_stream, msg);
        decode_relation(dec, &c, msg);
        break;
    case TW_PGOUTPUT_TYPE:
        read_stream_xid(&c, in_stream, msg);
        decode_type(&c, msg);
        break;
    case TW_PGOUTPUT_INSERT:
        read_stream_xid(&c, in_stream, msg);
        decode_insert(dec, &c, msg);
        break;
    case TW_PGOUTPUT_UPDATE:
        read_stream_xid(&c, in_stream, msg);
        decode_update(dec, &c, msg);
        break;
    case TW_PGOUTPUT_DELETE:
        read_stream_xid(&c, in_stream, msg);
        decode_delete(dec, &c, msg);
        break;
    case TW_PGOUTPUT_TRUNCATE:
        read_stream_xid(&c, in_stream, msg);
        decode_truncate(dec, &c, msg);
        break;
    case TW_PGOUTPUT_MESSAGE:
        /* The xid comes before the flags, so it is there for any message in
         * a stream block; the server only streams transactional ones. */
        read_stream_xid(&c, in_stream, msg);
        decode_message(&c, msg);
        break;
    case TW_PGOUTPUT_STREAM_START: decode_stream_start(&c, msg); break;
    case TW_PGOUTPUT_STREAM_STOP: break;
    case TW_PGOUTPUT_STREAM_COMMIT: decode_stream_commit(&c, msg); break;
    case TW_PGOUTPUT_STREAM_ABORT: decode_stream_abort(dec, &c, msg); break;
    case TW_PGOUTPUT_BEGIN_PREPARE:
    case TW_PGOUTPUT_PREPARE:
    case TW_PGOUTPUT_COMMIT_PREPARED:
    case TW_PGOUTPUT_ROLLBACK_PREPARED:
    case TW_PGOUTPUT_STREAM_PREPARE: decode_twophase(&c, msg); break;
    }
    if (!c.failed && c.pos != c.len)
        fail(&c, "malformed", "%zu trailing byte%s after the message ends at offset %zu",
             c.len - c.pos, c.len - c.pos == 1 ? "" : "s", c.pos);
    return c.failed ? TW_ERR_MALFORMED : TW_OK;
}
