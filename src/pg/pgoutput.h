/*
 * pgoutput.h — decodes the bytes of one pgoutput message (the payload of an
 * XLogData frame) into a typed message. Pure: no I/O, no global state.
 *
 * Strings, column values and content in a decoded message point into the
 * input buffer (zero-copy), and arrays (columns, attributes, relids) live in
 * scratch memory owned by the decoder. So a message is valid until the next
 * tw_pgoutput_decode call on the same decoder, or until the input buffer is
 * freed, whichever comes first.
 *
 * Every read is bounds-checked: truncated or corrupt input yields
 * TW_ERR_MALFORMED with errstr naming the message type and what was wrong.
 *
 * Protocol versions 1-4 are understood (PostgreSQL's "Logical Replication
 * Message Formats"). Changes inside a streamed transaction carry the xid of
 * the (sub)transaction that made them; whether a message is inside a stream
 * block is decided by the caller, who saw the Stream Start / Stream Stop.
 */
#ifndef TW_PGOUTPUT_H
#define TW_PGOUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef enum tw_pgoutput_msgtype {
    TW_PGOUTPUT_BEGIN = 'B',
    TW_PGOUTPUT_COMMIT = 'C',
    TW_PGOUTPUT_ORIGIN = 'O',
    TW_PGOUTPUT_RELATION = 'R',
    TW_PGOUTPUT_TYPE = 'Y',
    TW_PGOUTPUT_INSERT = 'I',
    TW_PGOUTPUT_UPDATE = 'U',
    TW_PGOUTPUT_DELETE = 'D',
    TW_PGOUTPUT_TRUNCATE = 'T',
    TW_PGOUTPUT_MESSAGE = 'M',
    TW_PGOUTPUT_STREAM_START = 'S',
    TW_PGOUTPUT_STREAM_STOP = 'E',
    TW_PGOUTPUT_STREAM_COMMIT = 'c',
    TW_PGOUTPUT_STREAM_ABORT = 'A',
    TW_PGOUTPUT_BEGIN_PREPARE = 'b',
    TW_PGOUTPUT_PREPARE = 'P',
    TW_PGOUTPUT_COMMIT_PREPARED = 'K',
    TW_PGOUTPUT_ROLLBACK_PREPARED = 'r',
    TW_PGOUTPUT_STREAM_PREPARE = 'p',
} tw_pgoutput_msgtype_t;

/* Kinds of a tuple column, as sent on the wire. */
#define TW_PGOUTPUT_COL_NULL 'n'
#define TW_PGOUTPUT_COL_UNCHANGED_TOAST 'u' /* value not sent: never invent one */
#define TW_PGOUTPUT_COL_TEXT 't'
#define TW_PGOUTPUT_COL_BINARY 'b'

typedef struct tw_pgoutput_col {
    char kind;        /* one of TW_PGOUTPUT_COL_* */
    uint32_t len;     /* bytes at data; 0 for 'n' and 'u' */
    const char *data; /* into the input buffer; NOT NUL-terminated; NULL for 'n'/'u' */
} tw_pgoutput_col_t;

typedef struct tw_pgoutput_tuple {
    uint16_t ncols;
    const tw_pgoutput_col_t *cols;
} tw_pgoutput_tuple_t;

typedef struct tw_pgoutput_attr {
    uint8_t flags;        /* bit 0: part of the replica identity key */
    const char *name;     /* NUL-terminated, into the input buffer */
    uint32_t type_oid;
    int32_t typmod;
} tw_pgoutput_attr_t;
#define TW_PGOUTPUT_ATTR_KEY 0x01

/* Two-phase messages share one shape; fields a type lacks stay zero. */
typedef struct tw_pgoutput_twophase {
    uint8_t flags;
    tw_lsn_t prepare_lsn;      /* b, P, p */
    tw_lsn_t end_lsn;          /* b, P, p: end of prepare; K: end of commit */
    tw_lsn_t commit_lsn;       /* K */
    tw_lsn_t prepare_end_lsn;  /* r */
    tw_lsn_t rollback_end_lsn; /* r */
    int64_t prepare_ts;        /* b, P, p, r: microseconds since 2000-01-01 */
    int64_t commit_ts;         /* K */
    int64_t rollback_ts;       /* r */
    uint32_t xid;
    const char *gid; /* NUL-terminated, into the input buffer */
} tw_pgoutput_twophase_t;

typedef struct tw_pgoutput_msg {
    tw_pgoutput_msgtype_t type;
    /* Set for messages inside a stream block that carry the (sub)transaction
     * xid (R, Y, I, U, D, T and transactional M), and for S, c, A, p. */
    bool has_xid;
    uint32_t xid;
    union {
        struct {
            tw_lsn_t final_lsn;
            int64_t commit_ts; /* microseconds since 2000-01-01 */
            uint32_t xid;
        } begin;
        struct {
            uint8_t flags;
            tw_lsn_t commit_lsn;
            tw_lsn_t end_lsn;
            int64_t commit_ts;
        } commit;
        struct {
            tw_lsn_t commit_lsn;
            const char *name;
        } origin;
        struct {
            uint32_t relid;
            const char *nspname; /* "" means pg_catalog, per the protocol */
            const char *relname;
            char replident; /* 'd' default, 'n' nothing, 'f' full, 'i' index */
            uint16_t natts;
            const tw_pgoutput_attr_t *attrs;
        } relation;
        struct {
            uint32_t type_oid;
            const char *nspname;
            const char *typname;
        } type;
        struct {
            uint32_t relid;
            tw_pgoutput_tuple_t newtup;
        } insert;
        struct {
            uint32_t relid;
            char old_kind; /* 'K' key columns only, 'O' whole old row, 0 none */
            tw_pgoutput_tuple_t oldtup; /* valid when old_kind != 0 */
            tw_pgoutput_tuple_t newtup;
        } update;
        struct {
            uint32_t relid;
            char old_kind; /* 'K' or 'O' */
            tw_pgoutput_tuple_t oldtup;
        } delete;
        struct {
            uint8_t options; /* bit 0: CASCADE, bit 1: RESTART IDENTITY */
            uint32_t nrels;
            const uint32_t *relids;
        } truncate;
        struct {
            uint8_t flags; /* bit 0: transactional */
            tw_lsn_t lsn;
            const char *prefix;
            uint32_t content_len;
            const char *content; /* into the input buffer, not NUL-terminated */
        } message;
        struct {
            uint32_t xid;
            uint8_t first_segment;
        } stream_start;
        struct {
            uint32_t xid;
            uint8_t flags;
            tw_lsn_t commit_lsn;
            tw_lsn_t end_lsn;
            int64_t commit_ts;
        } stream_commit;
        struct {
            uint32_t xid;
            uint32_t subxid; /* == xid when the whole transaction aborted */
            bool has_abort_info; /* protocol 4 with streaming=parallel */
            tw_lsn_t abort_lsn;
            int64_t abort_ts;
        } stream_abort;
        tw_pgoutput_twophase_t twophase; /* b, P, K, r, p */
    } u;
} tw_pgoutput_msg_t;

typedef struct tw_pgoutput tw_pgoutput_t;

/* proto_version: 1..4, as negotiated in START_REPLICATION.
 * parallel_streaming: true when streaming 'parallel' was requested (protocol
 * 4), which adds abort LSN and time to Stream Abort. */
tw_pgoutput_t *tw_pgoutput_new(int proto_version, bool parallel_streaming);
void tw_pgoutput_destroy(tw_pgoutput_t *dec); /* accepts NULL */

/* Decodes one message. in_stream: the message arrived between Stream Start
 * and Stream Stop (so change messages carry an xid).
 * Returns TW_OK, or TW_ERR_MALFORMED with errstr filled. */
tw_err_t tw_pgoutput_decode(tw_pgoutput_t *dec, const uint8_t *buf, size_t len, bool in_stream,
                            tw_pgoutput_msg_t *msg, char *errstr, size_t errstr_size);

/* "Begin", "Insert", ...; "unknown" for anything else. */
const char *tw_pgoutput_msgtype_name(int type);

#endif /* TW_PGOUTPUT_H */
