/*
 * header.h — a record header as transforms write it and the Kafka sink
 * sends it, and the "any partition" mark: the few words a record shares
 * with the producer, so neither needs the other's header.
 */
#ifndef TW_HEADER_H
#define TW_HEADER_H

#include <stddef.h>

/* Let the producer choose the partition (from the key). */
#define TW_PARTITION_ANY (-1)

typedef struct tw_header {
    const char *name;
    const void *value; /* NULL: a header with a null value */
    size_t len;
} tw_header_t;

#endif /* TW_HEADER_H */
