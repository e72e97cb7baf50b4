/*
 * histogram.c — bucket i covers values up to 1.02^i microseconds.
 */
#include "ops/histogram.h"

#include <math.h>

static const double growth = 1.02;

static int bucket_of(int64_t v)
{
    int b;

    if (v <= 1)
        return 0;
    b = (int)ceil(log((double)v) / log(growth));
    return b >= TW_HISTOGRAM_BUCKETS ? TW_HISTOGRAM_BUCKETS - 1 : b;
}

static int64_t bucket_upper(int b)
{
    return (int64_t)ceil(pow(growth, b));
}

void tw_histogram_record(tw_histogram_t *h, int64_t v)
{
    if (v < 0)
        v = 0; /* clocks of two machines may disagree a little */
    h->counts[bucket_of(v)]++;
    h->total++;
    h->sum_us += v;
    if (v > h->max_us)
        h->max_us = v;
}

int64_t tw_histogram_quantile(const tw_histogram_t *h, double q)
{
    uint64_t rank, seen = 0;
    int b;

    if (h->total == 0)
        return 0;
    rank = (uint64_t)ceil(q * (double)h->total);
    if (rank == 0)
        rank = 1;
    for (b = 0; b < TW_HISTOGRAM_BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= rank)
            return bucket_upper(b) < h->max_us ? bucket_upper(b) : h->max_us;
    }
    return h->max_us;
}

uint64_t tw_histogram_count_le(const tw_histogram_t *h, int64_t bound_us)
{
    uint64_t n = 0;
    int b;

    for (b = 0; b < TW_HISTOGRAM_BUCKETS && bucket_upper(b) <= bound_us; b++)
        n += h->counts[b];
    return n;
}
