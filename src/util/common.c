/*
 * common.c — error strings, LSN parsing and checked allocation.
 */
#include "util/common.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tw_err2str(tw_err_t err)
{
    switch (err) {
    case TW_OK: return "success";
    case TW_ERR_CONFIG: return "invalid configuration";
    case TW_ERR_MALFORMED: return "malformed input";
    case TW_ERR_IO: return "I/O error";
    case TW_ERR_PG: return "PostgreSQL error";
    case TW_ERR_NOMEM: return "out of memory or over a configured limit";
    case TW_ERR_UNSUPPORTED: return "unsupported";
    case TW_ERR_STATE: return "invalid state";
    case TW_ERR_AGAIN: return "temporarily full";
    case TW_ERR_UNAVAILABLE: return "dependency unavailable";
    case TW_ERR_REJECTED: return "rejected";
    case TW_ERR_KAFKA: return "Kafka error";
    case TW_ERR_STOPPING: return "stopping";
    case TW_ERR_LOCAL: return "local storage error";
    }
    return "unknown error";
}

bool tw_lsn_parse(const char *text, tw_lsn_t *lsn)
{
    unsigned int hi, lo;
    int consumed = 0;

    if (text == NULL || sscanf(text, "%X/%X%n", &hi, &lo, &consumed) != 2 ||
        text[consumed] != '\0')
        return false;
    *lsn = ((uint64_t)hi << 32) | lo;
    return true;
}

tw_err_t tw_errf(tw_err_t err, char *errstr, size_t errstr_size, const char *fmt, ...)
{
    va_list ap;

    if (errstr == NULL || errstr_size == 0)
        return err;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
    return err;
}

static void *tw_oom(size_t size)
{
    fprintf(stderr, "tidewater: out of memory allocating %zu bytes\n", size);
    abort();
}

void *tw_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    return p ? p : tw_oom(size);
}

void *tw_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : tw_oom(n * size);
}

void *tw_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    return p ? p : tw_oom(size);
}

char *tw_strdup(const char *s)
{
    return tw_strndup(s, strlen(s));
}

char *tw_strndup(const char *s, size_t n)
{
    char *p = tw_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

size_t tw_utf16_prefix(const char *s, size_t len, size_t n, bool *half)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, units = 0;

    *half = false;
    while (i < len && units < n) {
        size_t step = u[i] < 0x80 ? 1 : u[i] < 0xe0 ? 2 : u[i] < 0xf0 ? 3 : 4;
        if (step == 4 && units + 2 > n) {
            *half = true;
            break;
        }
        units += step == 4 ? 2 : 1;
        i += step;
    }
    return i < len ? i : len;
}
