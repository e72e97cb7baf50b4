/*
 * fuzz_pgoutput.c — libFuzzer target for the pgoutput decoder.
 *
 * Decodes each input as every protocol variant the decoder distinguishes
 * (1 to 4, protocol 4 with and without streaming = parallel), both inside
 * and outside a stream block. After a successful decode it reads every byte
 * that every pointer in the message claims, so AddressSanitizer sees a bad
 * pointer or length, and checks that each pointer lies inside the input, as
 * the zero-copy contract promises. After a failure it checks that errstr
 * was filled and terminated.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *            tests/fuzz/fuzz_pgoutput.c src/pg/pgoutput.c src/util/common.c
 * Seeds: tests/fuzz/corpus/pgoutput/ (single messages from the fixtures).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg/pgoutput.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the compiler from dropping the reads. */
static volatile uint64_t sink;

static const uint8_t *input;
static size_t input_size;

/* Stops the run (libFuzzer reports it as a crash) when a pointer in a
 * decoded message leaves the input buffer. */
static void check_inside(const void *p, size_t len)
{
    const uint8_t *b = p;

    if (b < input || b > input + input_size || len > (size_t)(input + input_size - b))
        abort();
}

static uint64_t touch_bytes(const char *p, size_t len)
{
    uint64_t sum = 0;
    size_t i;

    if (p == NULL) {
        if (len != 0)
            abort();
        return 0;
    }
    check_inside(p, len);
    for (i = 0; i < len; i++)
        sum += (unsigned char)p[i];
    return sum;
}

/* The terminator must be inside the input too. */
static uint64_t touch_string(const char *s)
{
    if (s == NULL)
        abort();
    return touch_bytes(s, strlen(s) + 1);
}

static uint64_t touch_tuple(const tw_pgoutput_tuple_t *tuple)
{
    uint64_t sum = tuple->ncols;
    uint16_t i;

    for (i = 0; i < tuple->ncols; i++) {
        const tw_pgoutput_col_t *col = &tuple->cols[i];
        switch (col->kind) {
        case TW_PGOUTPUT_COL_NULL:
        case TW_PGOUTPUT_COL_UNCHANGED_TOAST:
            if (col->data != NULL || col->len != 0)
                abort();
            break;
        case TW_PGOUTPUT_COL_TEXT:
        case TW_PGOUTPUT_COL_BINARY:
            sum += touch_bytes(col->data, col->len);
            break;
        default:
            abort(); /* the decoder must have rejected it */
        }
    }
    return sum;
}

static uint64_t touch_msg(const tw_pgoutput_msg_t *msg)
{
    uint64_t sum = (uint64_t)msg->type + msg->xid;
    uint32_t i;

    sum += strlen(tw_pgoutput_msgtype_name(msg->type));
    switch (msg->type) {
    case TW_PGOUTPUT_ORIGIN:
        sum += touch_string(msg->u.origin.name);
        break;
    case TW_PGOUTPUT_RELATION:
        sum += touch_string(msg->u.relation.nspname);
        sum += touch_string(msg->u.relation.relname);
        for (i = 0; i < msg->u.relation.natts; i++) {
            sum += touch_string(msg->u.relation.attrs[i].name);
            sum += msg->u.relation.attrs[i].type_oid;
        }
        break;
    case TW_PGOUTPUT_TYPE:
        sum += touch_string(msg->u.type.nspname);
        sum += touch_string(msg->u.type.typname);
        break;
    case TW_PGOUTPUT_INSERT:
        sum += touch_tuple(&msg->u.insert.newtup);
        break;
    case TW_PGOUTPUT_UPDATE:
        if (msg->u.update.old_kind != 0)
            sum += touch_tuple(&msg->u.update.oldtup);
        sum += touch_tuple(&msg->u.update.newtup);
        break;
    case TW_PGOUTPUT_DELETE:
        sum += touch_tuple(&msg->u.delete.oldtup);
        break;
    case TW_PGOUTPUT_TRUNCATE:
        for (i = 0; i < msg->u.truncate.nrels; i++)
            sum += msg->u.truncate.relids[i];
        break;
    case TW_PGOUTPUT_MESSAGE:
        sum += touch_string(msg->u.message.prefix);
        sum += touch_bytes(msg->u.message.content, msg->u.message.content_len);
        break;
    case TW_PGOUTPUT_BEGIN_PREPARE:
    case TW_PGOUTPUT_PREPARE:
    case TW_PGOUTPUT_COMMIT_PREPARED:
    case TW_PGOUTPUT_ROLLBACK_PREPARED:
    case TW_PGOUTPUT_STREAM_PREPARE:
        sum += touch_string(msg->u.twophase.gid);
        break;
    default:
        break;
    }
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        int proto_version;
        bool parallel;
    } variants[] = {{1, false}, {2, false}, {3, false}, {4, false}, {4, true}};
    tw_pgoutput_msg_t msg;
    char errstr[256];
    size_t v;
    int in_stream;

    input = data;
    input_size = size;
    for (v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
        tw_pgoutput_t *dec = tw_pgoutput_new(variants[v].proto_version, variants[v].parallel);
        /* Twice each, so the second decode runs on grown scratch arrays. */
        for (in_stream = 0; in_stream < 4; in_stream++) {
            errstr[0] = '\0';
            if (tw_pgoutput_decode(dec, data, size, in_stream & 1, &msg, errstr,
                                   sizeof(errstr)) == TW_OK)
                sink += touch_msg(&msg);
            else if (errstr[0] == '\0' || memchr(errstr, '\0', sizeof(errstr)) == NULL)
                abort();
        }
        tw_pgoutput_destroy(dec);
    }
    return 0;
}
