/*
 * histogram.h — a fixed-size latency histogram with logarithmic buckets
 * (about 2% resolution from 1 µs to over an hour), cheap enough to record
 * every transaction, read as quantiles or as Prometheus buckets.
 */
#ifndef TW_HISTOGRAM_H
#define TW_HISTOGRAM_H

#include <stdint.h>

#define TW_HISTOGRAM_BUCKETS 1024

typedef struct tw_histogram {
    uint64_t counts[TW_HISTOGRAM_BUCKETS];
    uint64_t total;
    int64_t sum_us;
    int64_t max_us;
} tw_histogram_t;

void tw_histogram_record(tw_histogram_t *h, int64_t value_us);
/* The value at quantile q (0..1), as the upper bound of its bucket. */
int64_t tw_histogram_quantile(const tw_histogram_t *h, double q);
/* Observations <= bound_us (for cumulative Prometheus buckets). */
uint64_t tw_histogram_count_le(const tw_histogram_t *h, int64_t bound_us);

#endif /* TW_HISTOGRAM_H */
