/*
 * java_hash.c — String.hashCode and HashMap sizing, as Java computes them.
 */
#include "util/java_hash.h"

int32_t tw_java_string_hash(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    uint32_t h = 0, cp;
    int extra;

    while (p < end) {
        if (*p < 0x80) {
            cp = *p++;
            extra = 0;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p++ & 0x1F;
            extra = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p++ & 0x0F;
            extra = 2;
        } else {
            cp = *p++ & 0x07;
            extra = 3;
        }
        for (; extra > 0 && p < end && (*p & 0xC0) == 0x80; extra--)
            cp = (cp << 6) | (*p++ & 0x3F);
        if (cp >= 0x10000) { /* a surrogate pair in UTF-16 */
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return (int32_t)h;
}

uint32_t tw_java_hashmap_capacity(size_t n)
{
    uint32_t capacity = 16;

    while (n > (size_t)capacity / 4 * 3 && capacity < (1u << 30))
        capacity *= 2;
    return capacity;
}
