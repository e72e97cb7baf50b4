/*
 * pipeline_errors.c — the pipeline's error side: errors.tolerance for a
 * record that cannot be converted, routed or produced (stop, or divert it
 * to the dead-letter topic with headers that say why and where it came
 * from, or skip it loudly), and the delivery reports from the producer
 * (acknowledge, divert a record Kafka refused, or stop). Separate from the
 * produce path because it is policy, not data flow; both share the
 * pipeline's state through pipeline_internal.h.
 */
#include "pipeline_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tw_pipeline_fail(tw_pipeline_t *p, const char *why)
{
    tw_failure_set(&p->failure, why);
}

/* ------------------------------------------------------------------ dead letters */

/* Room the dead-letter copy leaves under message.max.bytes for Kafka's
 * record framing (librdkafka counts it against the limit too). */
#define DLQ_FRAMING_BYTES 512

static size_t add_header(tw_kafka_header_t *h, size_t n, const char *name, const char *text)
{
    if (text == NULL)
        return n;
    h[n].name = name;
    h[n].value = text;
    h[n].len = strlen(text);
    return n + 1;
}

static tw_err_t produce_dlq(tw_pipeline_t *p, const error_context_t *ctx, const void *key,
                            size_t key_len, const void *value, size_t value_len,
                            tw_delivery_seq_t seq, char *errstr, size_t errstr_size)
{
    char lsn[32], xid[16], value_dropped[96], key_dropped[96], event_id[260];
    tw_kafka_header_t h[16];
    tw_kafka_record_t rec;
    size_t n = 0, i, header_bytes = 0, room = 0;
    size_t max = tw_kafka_sink_max_message_bytes(p->sink);
    tw_err_t err;

    snprintf(lsn, sizeof(lsn), TW_LSN_FMT, TW_LSN_ARGS(ctx->lsn));
    snprintf(xid, sizeof(xid), "%u", ctx->xid);
    n = add_header(h, n, "tidewater.error.kind", ctx->kind);
    n = add_header(h, n, "tidewater.error.message", ctx->message);
    n = add_header(h, n, "tidewater.source.table", ctx->table);
    n = add_header(h, n, "tidewater.source.lsn", lsn);
    n = add_header(h, n, "tidewater.source.xid", xid);
    /* The id is row content too: a huge one must not make the copy too large. */
    if (ctx->event_id && strlen(ctx->event_id) > 256) {
        snprintf(event_id, sizeof(event_id), "%.256s...", ctx->event_id);
        n = add_header(h, n, "tidewater.event.id", event_id);
    } else {
        n = add_header(h, n, "tidewater.event.id", ctx->event_id);
    }
    n = add_header(h, n, "tidewater.original.topic", ctx->topic);
    if (p->cfg->dlq_context_headers) {
        n = add_header(h, n, "__connect.errors.topic", ctx->topic);
        n = add_header(h, n, "__connect.errors.exception.message", ctx->message);
        n = add_header(h, n, "__connect.errors.stage", ctx->kind);
    }
    /* The copy must fit where the original did not, or a tolerated error
     * would stop the connector after all: past message.max.bytes (less
     * room for the headers) drop a key that alone is too large, then the
     * value, and say so; the source position stays in the headers. */
    for (i = 0; i < n; i++)
        header_bytes += strlen(h[i].name) + h[i].len + 16;
    if (max > DLQ_FRAMING_BYTES + 2 * 96 + header_bytes)
        room = max - DLQ_FRAMING_BYTES - 2 * 96 - header_bytes;
    if (key && max && key_len > room) {
        snprintf(key_dropped, sizeof(key_dropped),
                 "%zu bytes; dropped to fit message.max.bytes=%zu", key_len, max);
        n = add_header(h, n, "tidewater.key.dropped", key_dropped);
        key = NULL;
        key_len = 0;
    }
    if (value && (ctx->too_large || (max && key_len + value_len > room))) {
        snprintf(value_dropped, sizeof(value_dropped),
                 "%zu bytes; dropped to fit message.max.bytes=%zu", value_len, max);
        n = add_header(h, n, "tidewater.value.dropped", value_dropped);
        value = NULL;
        value_len = 0;
    }
    memset(&rec, 0, sizeof(rec));
    rec.topic = p->cfg->dlq_topic;
    rec.partition = TW_KAFKA_PARTITION_ANY;
    rec.key = key;
    rec.key_len = key_len;
    rec.value = value;
    rec.value_len = value_len;
    rec.headers = h;
    rec.nheaders = n;
    rec.opaque = (void *)(uintptr_t)seq;
    for (;;) {
        err = tw_kafka_sink_produce(p->sink, &rec, errstr, errstr_size);
        if (err != TW_ERR_AGAIN)
            break;
        if (!p->wait(p->wait_opaque, 100))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    if (err == TW_OK) {
        tw_delivery_add(p->delivery, seq);
        p->dlq_records++;
    }
    return err;
}

/*
 * A record could not be produced. errors.tolerance=none stops the
 * connector (the slot is not advanced past this transaction);
 * errors.tolerance=all sends it to the dead-letter topic, or without one
 * logs it as skipped — loudly, never silently.
 */
tw_err_t tw_pipeline_record_error(tw_pipeline_t *p, const error_context_t *in, const void *key,
                                  size_t key_len, const void *value, size_t value_len, char *errstr,
                                  size_t errstr_size)
{
    /* The message often lives in errstr itself, which is rewritten below. */
    char message[1024];
    error_context_t copy = *in;
    const error_context_t *ctx = &copy;

    snprintf(message, sizeof(message), "%s", in->message ? in->message : "");
    copy.message = message;
    if (p->aux) {
        /* A heartbeat carries no data: losing one costs nothing, and the
         * next beat tries again. */
        tw_log(TW_LOG_WARNING, "KAFKA", "%s error for the heartbeat record to %s: %s; not sent",
               ctx->kind, ctx->topic ? ctx->topic : "-", message);
        return TW_OK;
    }
    if (p->cfg->errors_tolerance == TW_ERRORS_TOLERANCE_NONE)
        return tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                       "%s error for event %s of %s at " TW_LSN_FMT ": %s; stopping without "
                       "advancing the slot (set errors.tolerance=all and "
                       "errors.deadletterqueue.topic.name to divert such records instead)",
                       ctx->kind, ctx->event_id ? ctx->event_id : "-",
                       ctx->table ? ctx->table : "a logical message", TW_LSN_ARGS(ctx->lsn),
                       ctx->message);
    if (p->cfg->errors_log_enable)
        tw_log(TW_LOG_WARNING, "ROUTER", "%s error for event %s of %s at " TW_LSN_FMT ": %s; %s",
               ctx->kind, ctx->event_id ? ctx->event_id : "-", ctx->table ? ctx->table : "-",
               TW_LSN_ARGS(ctx->lsn), ctx->message,
               p->cfg->dlq_topic ? "sent to the dead-letter topic" : "skipped "
                                                                     "(errors.tolerance=all)");
    if (p->cfg->dlq_topic == NULL) {
        p->skipped_records++;
        return TW_OK;
    }
    return produce_dlq(p, ctx, key, key_len, value, value_len, tw_progress_seq(p->progress), errstr,
                       errstr_size);
}

/* ------------------------------------------------------------------ delivery */

void tw_pipeline_on_report(void *opaque, const tw_kafka_report_t *report)
{
    tw_pipeline_t *p = opaque;
    tw_delivery_seq_t seq = (tw_delivery_seq_t)(uintptr_t)report->opaque;
    char errstr[512];

    if (p->progress == NULL || tw_progress_report(p->progress, report))
        return;
    /* Not delivered, but not refused either (message.timeout.ms ran out,
     * or the queue was purged): nothing says the record is bad, so no
     * error policy may skip it. */
    if (!report->refused) {
        p->delivery_errors++;
        tw_delivery_ack(p->delivery, seq, false);
        snprintf(errstr, sizeof(errstr),
                 "a record for topic %s was not delivered: %s; stopping without advancing the "
                 "slot (it is sent again after a restart)",
                 report->topic, report->errstr);
        tw_pipeline_fail(p, errstr);
        return;
    }
    /* Kafka refused the record for good (an outage's retriable errors
     * arrive above, as not refused, once producer.retries runs out). */
    if (p->cfg->errors_tolerance == TW_ERRORS_TOLERANCE_ALL && p->cfg->dlq_topic &&
        strcmp(report->topic, p->cfg->dlq_topic) != 0) {
        error_context_t ctx = {"kafka", report->errstr, NULL, 0, 0, NULL, report->topic, false};
        ctx.too_large = strncmp(report->errstr, "MSG_SIZE_TOO_LARGE", 18) == 0 ||
                        strncmp(report->errstr, "RECORD_LIST_TOO_LARGE", 21) == 0;
        tw_log(TW_LOG_WARNING, "KAFKA", "record for %s failed (%s); sent to the dead-letter topic",
               report->topic, report->errstr);
        if (produce_dlq(p, &ctx, report->key, report->key_len, report->value, report->value_len,
                        seq, errstr, sizeof(errstr)) == TW_OK) {
            tw_delivery_ack(p->delivery, seq, true);
            return;
        }
    } else if (p->cfg->errors_tolerance == TW_ERRORS_TOLERANCE_ALL && !p->cfg->dlq_topic) {
        tw_log(TW_LOG_WARNING, "KAFKA", "record for %s failed (%s); skipped (errors.tolerance=all)",
               report->topic, report->errstr);
        p->skipped_records++;
        tw_delivery_ack(p->delivery, seq, true);
        return;
    }
    p->delivery_errors++;
    tw_delivery_ack(p->delivery, seq, false);
    snprintf(errstr, sizeof(errstr),
             "Kafka refused a record for topic %s: %s; stopping without advancing the slot",
             report->topic, report->errstr);
    tw_pipeline_fail(p, errstr);
}
