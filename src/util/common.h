/*
 * common.h — error codes, LSN helpers and small macros shared by every module.
 */
#ifndef TW_COMMON_H
#define TW_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every function that can fail returns one of these (TW_OK is 0) and, when
 * there is more to say, fills a caller-supplied errstr. */
typedef enum tw_err {
    TW_OK = 0,
    TW_ERR_CONFIG,      /* configuration is invalid */
    TW_ERR_MALFORMED,   /* input bytes do not follow the protocol */
    TW_ERR_IO,          /* file or socket I/O failed */
    TW_ERR_PG,          /* PostgreSQL refused or failed */
    TW_ERR_NOMEM,       /* allocation failed or a configured bound was hit */
    TW_ERR_UNSUPPORTED, /* valid input we do not handle */
    TW_ERR_STATE,       /* called in the wrong state */
    TW_ERR_AGAIN,       /* temporarily full: serve events (poll) and retry */
    TW_ERR_UNAVAILABLE, /* a dependency is unreachable: pause and retry later */
    TW_ERR_REJECTED,    /* a dependency refused this input for good (e.g. HTTP 409/422) */
    TW_ERR_KAFKA,       /* Kafka failed permanently */
    TW_ERR_STOPPING,    /* a stop was requested while waiting */
    TW_ERR_LOCAL,       /* local storage (the spool) failed: reconnecting cannot help */
} tw_err_t;

const char *tw_err2str(tw_err_t err);

/* A WAL position. Printed as %X/%X, like PostgreSQL does. */
typedef uint64_t tw_lsn_t;
#define TW_LSN_FMT "%X/%X"
#define TW_LSN_ARGS(lsn) (unsigned)((uint64_t)(lsn) >> 32), (unsigned)(lsn)

/* Parses "16/B374D848"; returns false on anything else. */
bool tw_lsn_parse(const char *text, tw_lsn_t *lsn);

/* PostgreSQL timestamps count microseconds from 2000-01-01 00:00:00 UTC. */
#define TW_PG_EPOCH_OFFSET_US INT64_C(946684800000000)

#define TW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TW_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define TW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define TW_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TW_PRINTF(fmt, args)
#define TW_UNLIKELY(x) (x)
#endif

/* snprintf into errstr, tolerating errstr == NULL. Always returns err so
 * callers can write `return tw_errf(TW_ERR_IO, errstr, size, "...")`. */
tw_err_t tw_errf(tw_err_t err, char *errstr, size_t errstr_size, const char *fmt, ...)
    TW_PRINTF(4, 5);

/* Allocation that never returns NULL: tidewater cannot do anything useful
 * after malloc fails, so these abort with a message instead. */
void *tw_malloc(size_t size);
void *tw_calloc(size_t n, size_t size);
void *tw_realloc(void *ptr, size_t size);
char *tw_strdup(const char *s);
char *tw_strndup(const char *s, size_t n);

/* The bytes of UTF-8 text `s` that Java's String.substring(0, n) keeps (n
 * UTF-16 code units). *half is set when the cut splits a supplementary
 * character: Java keeps its high surrogate, which encodes as '?'. */
size_t tw_utf16_prefix(const char *s, size_t len, size_t n, bool *half);

#endif /* TW_COMMON_H */
