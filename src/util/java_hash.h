/*
 * java_hash.h — java.util.HashMap's iteration order for String keys.
 * Debezium's records list some maps (hstore values, per-table counts) in
 * that order; reproducing it keeps tidewater's bytes identical.
 */
#ifndef TW_JAVA_HASH_H
#define TW_JAVA_HASH_H

#include <stddef.h>
#include <stdint.h>

/* java.lang.String.hashCode() of UTF-8 text (over its UTF-16 code units). */
int32_t tw_java_string_hash(const char *s, size_t len);

/* The table size of a HashMap created empty (16 buckets) after n puts of
 * distinct keys: doubled whenever more than 3/4 full. */
uint32_t tw_java_hashmap_capacity(size_t n);

/* The bucket a key's hash falls in (HashMap.hash spreads the high bits);
 * iteration goes by bucket, then by insertion within a bucket. */
static inline uint32_t tw_java_hashmap_bucket(int32_t hash, uint32_t capacity)
{
    uint32_t h = (uint32_t)hash;

    return (h ^ (h >> 16)) & (capacity - 1);
}

#endif /* TW_JAVA_HASH_H */
