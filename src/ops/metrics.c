/*
 * metrics.c — snapshot storage and Prometheus rendering.
 */
#include "ops/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "util/log.h"

struct tw_metrics {
    pthread_mutex_t lock;
    tw_metrics_snapshot_t snap;
    tw_state_t state; /* main thread's view */
    bool failed;
    char failure[512];
};

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

const char *tw_state_name(tw_state_t state)
{
    switch (state) {
    case TW_STATE_STARTING: return "starting";
    case TW_STATE_STREAMING: return "streaming";
    case TW_STATE_PAUSED: return "paused";
    case TW_STATE_RECONNECTING: return "reconnecting";
    case TW_STATE_STOPPING: return "stopping";
    }
    return "unknown";
}

tw_metrics_t *tw_metrics_new(void)
{
    tw_metrics_t *m = tw_calloc(1, sizeof(*m));

    pthread_mutex_init(&m->lock, NULL);
    m->snap.state_since_us = m->snap.last_progress_us = now_us();
    return m;
}

void tw_metrics_snapshot_reset(tw_metrics_snapshot_t *s)
{
    tw_topic_counts_t *topics = s->topics;
    size_t cap = s->topics_cap;

    memset(s, 0, sizeof(*s));
    s->topics = topics;
    s->topics_cap = cap;
}

void tw_metrics_snapshot_add_topic(tw_metrics_snapshot_t *s, const char *topic, uint64_t records,
                                   uint64_t bytes)
{
    tw_topic_counts_t *t;

    if (s->ntopics == s->topics_cap) {
        s->topics_cap = s->topics_cap ? 2 * s->topics_cap : 16;
        s->topics = tw_realloc(s->topics, s->topics_cap * sizeof(*s->topics));
    }
    t = &s->topics[s->ntopics++];
    snprintf(t->topic, sizeof(t->topic), "%s", topic);
    t->records = records;
    t->bytes = bytes;
}

void tw_metrics_snapshot_clear(tw_metrics_snapshot_t *s)
{
    free(s->topics);
    s->topics = NULL;
    s->ntopics = s->topics_cap = 0;
}

/* Copies src into dst, topics into dst's own buffer. */
static void snapshot_copy(tw_metrics_snapshot_t *dst, const tw_metrics_snapshot_t *src)
{
    tw_topic_counts_t *topics = dst->topics;
    size_t cap = dst->topics_cap;

    if (cap < src->ntopics) {
        cap = src->ntopics;
        topics = tw_realloc(topics, cap * sizeof(*topics));
    }
    *dst = *src;
    dst->topics = topics;
    dst->topics_cap = cap;
    if (src->ntopics > 0)
        memcpy(dst->topics, src->topics, src->ntopics * sizeof(*topics));
}

void tw_metrics_destroy(tw_metrics_t *m)
{
    if (m == NULL)
        return;
    tw_metrics_snapshot_clear(&m->snap);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

void tw_metrics_set_state(tw_metrics_t *m, tw_state_t state)
{
    if (m->state == state)
        return;
    tw_log(TW_LOG_INFO, "STATE", "%s -> %s", tw_state_name(m->state), tw_state_name(state));
    m->state = state;
    pthread_mutex_lock(&m->lock);
    m->snap.state = state;
    m->snap.state_since_us = now_us();
    pthread_mutex_unlock(&m->lock);
}

tw_state_t tw_metrics_state(const tw_metrics_t *m)
{
    return m->state;
}

void tw_metrics_set_failed(tw_metrics_t *m, const char *why)
{
    pthread_mutex_lock(&m->lock);
    m->failed = true;
    snprintf(m->failure, sizeof(m->failure), "%s", why);
    pthread_mutex_unlock(&m->lock);
}

void tw_metrics_publish(tw_metrics_t *m, const tw_metrics_snapshot_t *s)
{
    int64_t now = now_us();

    pthread_mutex_lock(&m->lock);
    if (s->flushed_lsn != m->snap.flushed_lsn || s->transactions != m->snap.transactions)
        m->snap.last_progress_us = now;
    {
        tw_state_t state = m->snap.state;
        int64_t since = m->snap.state_since_us, progress = m->snap.last_progress_us;
        snapshot_copy(&m->snap, s);
        m->snap.state = state;
        m->snap.state_since_us = since;
        m->snap.last_progress_us = progress;
    }
    pthread_mutex_unlock(&m->lock);
}

static void counter(tw_buf_t *out, const char *name, const char *help, uint64_t v)
{
    tw_buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
                  (unsigned long long)v);
}

static void gauge(tw_buf_t *out, const char *name, const char *help, double v)
{
    tw_buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help, name, name, v);
}

/* Topic names are [A-Za-z0-9._-]; escape anyway for the label syntax. */
static void label_value(tw_buf_t *out, const char *v)
{
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            tw_buf_append_char(out, '\\');
        tw_buf_append_char(out, *v == '\n' ? ' ' : *v);
    }
}

void tw_metrics_render(tw_metrics_t *m, tw_buf_t *out)
{
    static const double bounds_ms[] = {1, 2.5, 5, 10, 20, 50, 100, 250, 500, 1000, 2500,
                                       5000, 10000, 30000, 60000};
    tw_metrics_snapshot_t *s;
    int64_t now = now_us();
    size_t i;

    s = tw_calloc(1, sizeof(*s));
    pthread_mutex_lock(&m->lock);
    snapshot_copy(s, &m->snap);
    pthread_mutex_unlock(&m->lock);

    tw_buf_append_str(out, "# HELP tidewater_records_total Records Kafka acknowledged, by topic.\n"
                           "# TYPE tidewater_records_total counter\n");
    for (i = 0; i < s->ntopics; i++) {
        tw_buf_append_str(out, "tidewater_records_total{topic=\"");
        label_value(out, s->topics[i].topic);
        tw_buf_printf(out, "\"} %llu\n", (unsigned long long)s->topics[i].records);
    }
    tw_buf_append_str(out, "# HELP tidewater_record_bytes_total Key and value bytes Kafka "
                           "acknowledged, by topic.\n# TYPE tidewater_record_bytes_total counter\n");
    for (i = 0; i < s->ntopics; i++) {
        tw_buf_append_str(out, "tidewater_record_bytes_total{topic=\"");
        label_value(out, s->topics[i].topic);
        tw_buf_printf(out, "\"} %llu\n", (unsigned long long)s->topics[i].bytes);
    }
    counter(out, "tidewater_transactions_total",
            "Source transactions whose records were all acknowledged.", s->transactions);
    gauge(out, "tidewater_records_in_flight", "Records produced and not yet acknowledged.",
          (double)s->records_inflight);
    counter(out, "tidewater_delivery_errors_total", "Records Kafka refused for good.",
            s->delivery_errors);
    counter(out, "tidewater_dlq_records_total", "Records sent to the dead-letter topic.",
            s->dlq_records);
    counter(out, "tidewater_skipped_records_total",
            "Records skipped under errors.tolerance=all without a dead-letter topic.",
            s->skipped_records);
    counter(out, "tidewater_registry_requests_total", "Schema registry requests.",
            s->registry_calls);
    counter(out, "tidewater_registry_errors_total", "Schema registry requests that failed.",
            s->registry_errors);
    counter(out, "tidewater_reconnects_total", "PostgreSQL reconnections.", s->reconnects);
    tw_buf_append_str(out, "# HELP tidewater_kafka_transactions_total Kafka transactions "
                           "ended, by outcome (exactly-once mode).\n"
                           "# TYPE tidewater_kafka_transactions_total counter\n");
    tw_buf_printf(out, "tidewater_kafka_transactions_total{outcome=\"committed\"} %llu\n"
                       "tidewater_kafka_transactions_total{outcome=\"aborted\"} %llu\n",
                  (unsigned long long)s->kafka_commits, (unsigned long long)s->kafka_aborts);
    gauge(out, "tidewater_replication_lag_bytes",
          "Server WAL end minus the position confirmed to the slot.",
          s->server_wal_end > s->flushed_lsn ? (double)(s->server_wal_end - s->flushed_lsn) : 0);
    gauge(out, "tidewater_replication_lag_seconds",
          "Now minus the commit time of the newest delivered transaction (0 when idle).",
          s->idle || s->last_delivered_commit_us == 0
              ? 0
              : (double)(now - s->last_delivered_commit_us) / 1e6);
    gauge(out, "tidewater_slot_wal_unreserved",
          "1 when the slot's wal_status was unreserved at the last connect: the server is "
          "about to remove WAL it needs (max_slot_wal_keep_size).",
          s->slot_unreserved ? 1 : 0);
    gauge(out, "tidewater_confirmed_lsn", "Position confirmed to the slot, as a number.",
          (double)s->flushed_lsn);
    tw_buf_append_str(out, "# HELP tidewater_commit_to_ack_seconds Commit in PostgreSQL to "
                           "acknowledgement of the transaction's last record.\n"
                           "# TYPE tidewater_commit_to_ack_seconds histogram\n");
    for (i = 0; i < TW_ARRAY_SIZE(bounds_ms); i++)
        tw_buf_printf(out, "tidewater_commit_to_ack_seconds_bucket{le=\"%g\"} %llu\n",
                      bounds_ms[i] / 1000.0,
                      (unsigned long long)tw_histogram_count_le(&s->latency,
                                                                (int64_t)(bounds_ms[i] * 1000)));
    tw_buf_printf(out, "tidewater_commit_to_ack_seconds_bucket{le=\"+Inf\"} %llu\n"
                       "tidewater_commit_to_ack_seconds_sum %.6f\n"
                       "tidewater_commit_to_ack_seconds_count %llu\n",
                  (unsigned long long)s->latency.total, (double)s->latency.sum_us / 1e6,
                  (unsigned long long)s->latency.total);
    tw_buf_append_str(out, "# HELP tidewater_state 1 for the current state.\n"
                           "# TYPE tidewater_state gauge\n");
    for (i = TW_STATE_STARTING; i <= TW_STATE_STOPPING; i++)
        tw_buf_printf(out, "tidewater_state{state=\"%s\"} %d\n", tw_state_name((tw_state_t)i),
                      s->state == (tw_state_t)i);
    tw_metrics_snapshot_clear(s);
    free(s);
}

bool tw_metrics_healthy(tw_metrics_t *m, int64_t stuck_ms, char *why, size_t why_size)
{
    int64_t now = now_us();
    bool ok = true;

    pthread_mutex_lock(&m->lock);
    if (m->failed) {
        snprintf(why, why_size, "failed: %s", m->failure);
        ok = false;
    } else if (m->snap.state == TW_STATE_RECONNECTING &&
               now - m->snap.state_since_us > stuck_ms * 1000) {
        snprintf(why, why_size, "reconnecting to PostgreSQL for %lld s",
                 (long long)((now - m->snap.state_since_us) / 1000000));
        ok = false;
    } else if (!m->snap.idle && now - m->snap.last_progress_us > stuck_ms * 1000) {
        snprintf(why, why_size, "no progress for %lld s with work waiting (state %s)",
                 (long long)((now - m->snap.last_progress_us) / 1000000),
                 tw_state_name(m->snap.state));
        ok = false;
    } else {
        snprintf(why, why_size, "%s", tw_state_name(m->snap.state));
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}
