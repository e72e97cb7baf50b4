/*
 * buf.h — a growable byte buffer meant to be reused: reset keeps the
 * allocation, so a hot loop that encodes into the same buffer allocates only
 * until it has seen its largest record.
 */
#ifndef TW_BUF_H
#define TW_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/common.h"

typedef struct tw_buf {
    char *data; /* owned; always NUL-terminated after any append */
    size_t len;
    size_t cap;
} tw_buf_t;

#define TW_BUF_INIT {NULL, 0, 0}

void tw_buf_free(tw_buf_t *buf);
static inline void tw_buf_reset(tw_buf_t *buf) { buf->len = 0; if (buf->data) buf->data[0] = '\0'; }
/* Makes room for `extra` more bytes plus the terminating NUL. */
void tw_buf_reserve(tw_buf_t *buf, size_t extra);
void tw_buf_append(tw_buf_t *buf, const void *data, size_t len);
void tw_buf_append_str(tw_buf_t *buf, const char *s);
void tw_buf_append_char(tw_buf_t *buf, char c);
void tw_buf_printf(tw_buf_t *buf, const char *fmt, ...) TW_PRINTF(2, 3);
/* Appends v in decimal, as "%lld" would, without printf's cost (per-field
 * output of the JSON converters). */
void tw_buf_append_i64(tw_buf_t *buf, int64_t v);
/* Appends s as a JSON string literal, quotes included. Invalid UTF-8 bytes
 * are replaced by U+FFFD so the output is always valid JSON. */
void tw_buf_append_json_string(tw_buf_t *buf, const char *s, size_t len);
/* True when s is entirely valid UTF-8 (no overlong forms or surrogates). */
bool tw_utf8_valid(const char *s, size_t len);
/* Appends standard base64 (RFC 4648, with padding). */
void tw_buf_append_base64(tw_buf_t *buf, const uint8_t *data, size_t len);

#endif /* TW_BUF_H */
