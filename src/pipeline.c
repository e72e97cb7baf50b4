/*
 * pipeline.c — transforms, converters, producer and error handling for
 * `tidewater run`. How far delivery has come, and how that is made durable,
 * is the progress mode's job (progress.h). What happens to a record that
 * cannot be produced (errors.tolerance, the dead-letter topic) and to
 * delivery reports is pipeline_errors.c's.
 */
#include "pipeline_internal.h"

#include <stdlib.h>
#include <string.h>

/* What a relation resolves to, kept in rel->opaque per schema version. */
typedef struct rel_state {
    int transform; /* index into cfg->transforms, or the change-event envelope past them */
    tw_transform_binding_t *binding;
    char *table;   /* "schema.table", for messages and dead-letter headers */
} rel_state_t;

/* ------------------------------------------------------------------ set-up */

tw_err_t tw_pipeline_new(const tw_config_t *cfg, tw_pipeline_t **out, char *errstr,
                         size_t errstr_size)
{
    tw_pipeline_t *p = tw_calloc(1, sizeof(*p));
    char key[256];
    tw_err_t err = TW_OK;
    size_t i;

    *out = NULL;
    p->cfg = cfg;
    p->arena = tw_arena_new(65536);
    p->delivery = tw_delivery_new((size_t)cfg->max_inflight_transactions);
    p->contracts = tw_calloc(cfg->ntransforms + 1, sizeof(*p->contracts));
    if (cfg->bootstrap_servers == NULL)
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "bootstrap.servers is required by `tidewater run`: the Kafka brokers to "
                      "write to (host:port[,host:port])");
    if (err == TW_OK && cfg->dlq_topic && !tw_kafka_topic_check(cfg->dlq_topic, key, sizeof(key)))
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "errors.deadletterqueue.topic.name=%s: %s", cfg->dlq_topic, key);
    if (err == TW_OK && cfg->errors_tolerance == TW_ERRORS_TOLERANCE_NONE && cfg->dlq_topic)
        tw_log(TW_LOG_WARNING, "CONFIG", "errors.deadletterqueue.topic.name is set but "
                                         "errors.tolerance=none, so nothing will go there");
    p->txnmeta = tw_txn_metadata_new(cfg);
    p->heartbeat = tw_heartbeat_record_new(cfg);
    if (err == TW_OK && p->txnmeta &&
        !tw_kafka_topic_check(tw_txn_metadata_topic(p->txnmeta), key, sizeof(key)))
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "transaction metadata topic %s (topic.prefix.topic.transaction): %s",
                      tw_txn_metadata_topic(p->txnmeta), key);
    if (err == TW_OK && p->heartbeat &&
        !tw_kafka_topic_check(tw_heartbeat_record_topic(p->heartbeat), key, sizeof(key)))
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "heartbeat topic %s (topic.heartbeat.name, or "
                      "topic.heartbeat.prefix.topic.prefix): %s",
                      tw_heartbeat_record_topic(p->heartbeat), key);
    if (err == TW_OK)
        err = tw_transform_chain_new(cfg, &p->chain, errstr, errstr_size);
    if (err == TW_OK) /* the chain counts the transaction's events (transform.h) */
        tw_transform_chain_set_txn_metadata(p->chain, p->txnmeta);
    for (i = 0; err == TW_OK && i < cfg->ntransforms; i++) {
        const tw_transform_config_t *t = &cfg->transforms[i];
        if (t->outbox.payload_schema_dir) {
            if (cfg->value_converter.kind != TW_CONVERTER_AVRO)
                err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                              "transforms.%s.payload.schema.dir needs "
                              "value.converter=io.confluent.connect.avro.AvroConverter: "
                              "declared records are Avro",
                              t->name);
            else
                err = tw_contract_new(t, &p->contracts[i], errstr, errstr_size);
        }
    }
    if (err == TW_OK)
        err = tw_converter_new(&cfg->key_converter, true, &p->key_conv, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_converter_new(&cfg->value_converter, false, &p->value_conv, errstr,
                               errstr_size);
    for (i = 0; err == TW_OK && i < cfg->ntransforms; i++)
        if (p->contracts[i])
            err = tw_contract_preflight(p->contracts[i], tw_converter_registry(p->value_conv),
                                        &cfg->value_converter, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_kafka_sink_new(cfg->bootstrap_servers, cfg->producer, cfg->transactional_id,
                                tw_pipeline_on_report, p, &p->sink, errstr, errstr_size);
    if (err == TW_OK) {
        tw_kafka_sink_set_max_topics(p->sink, (size_t)cfg->topics_tracked_max);
        tw_kafka_sink_set_topic_creation(p->sink, cfg->topic_creation);
    }
    /* Exactly-once mode reads its checkpoint in tw_pipeline_start. */
    if (err == TW_OK)
        err = tw_progress_new(cfg, tw_progress_kafka_sink(p->sink), p->delivery, &p->failure,
                              &p->progress, errstr, errstr_size);
    if (err) {
        tw_pipeline_destroy(p);
        return err;
    }
    *out = p;
    return TW_OK;
}

tw_err_t tw_pipeline_start(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    return tw_progress_start(p->progress, errstr, errstr_size);
}

void tw_pipeline_destroy(tw_pipeline_t *p)
{
    size_t i;

    if (p == NULL)
        return;
    /* The producer reports what it purges: its progress mode hears it. */
    tw_kafka_sink_destroy(p->sink);
    tw_progress_destroy(p->progress);
    tw_converter_destroy(p->key_conv);
    tw_converter_destroy(p->value_conv);
    for (i = 0; i < p->cfg->ntransforms; i++)
        tw_contract_destroy(p->contracts[i]);
    free(p->contracts);
    tw_transform_chain_destroy(p->chain);
    tw_txn_metadata_destroy(p->txnmeta);
    tw_heartbeat_record_destroy(p->heartbeat);
    tw_delivery_destroy(p->delivery);
    tw_arena_destroy(p->arena);
    tw_buf_free(&p->key_buf);
    tw_buf_free(&p->value_buf);
    tw_buf_free(&p->name_buf);
    free(p);
}

void tw_pipeline_set_wait(tw_pipeline_t *p, tw_pipeline_wait_fn fn, void *opaque)
{
    p->wait = fn;
    p->wait_opaque = opaque;
    tw_progress_set_wait(p->progress, fn, opaque);
}

void tw_pipeline_set_catalog(tw_pipeline_t *p, PGconn *conn)
{
    p->catalog = conn;
    tw_transform_chain_set_catalog(p->chain, conn);
}

/* ------------------------------------------------------------------ routing */

static int transform_for(tw_pipeline_t *p, const char *topic)
{
    return tw_transform_chain_find(p->chain, topic);
}

static void rel_state_free(void *opaque)
{
    rel_state_t *st = opaque;
    tw_transform_binding_destroy(st->binding);
    free(st->table);
    free(st);
}

static tw_err_t rel_state(tw_pipeline_t *p, tw_rel_t *rel, rel_state_t **out, char *errstr,
                          size_t errstr_size)
{
    rel_state_t *st = rel->opaque;
    bool *not_null;
    tw_err_t err;

    if (st) {
        *out = st;
        return TW_OK;
    }
    st = tw_calloc(1, sizeof(*st));
    st->table = tw_malloc(strlen(rel->nspname) + strlen(rel->relname) + 2);
    sprintf(st->table, "%s.%s", rel->nspname, rel->relname);
    tw_buf_reset(&p->name_buf);
    tw_buf_printf(&p->name_buf, "%s.%s.%s", p->cfg->topic_prefix, rel->nspname, rel->relname);
    st->transform = transform_for(p, p->name_buf.data);
    if (st->transform < 0) /* no configured transform: a change-event envelope */
        st->transform = tw_transform_chain_default(p->chain);
    if (st->transform >= 0) {
        not_null = tw_calloc(rel->ncols ? rel->ncols : 1, sizeof(bool));
        err = tw_catalog_not_null(p->catalog, rel, not_null, errstr, errstr_size);
        if (err == TW_OK)
            err = tw_transform_chain_bind(p->chain, st->transform, rel, not_null, &st->binding,
                                          errstr, errstr_size);
        free(not_null);
        if (err) {
            free(st->table);
            free(st);
            return err;
        }
    }
    rel->opaque = st;
    rel->opaque_free = rel_state_free;
    *out = st;
    return TW_OK;
}

/* The registry did not answer (errstr says how): say so once, then wait,
 * backing off up to 30 s. False when the pipeline should stop waiting. */
static bool wait_for_registry(tw_pipeline_t *p, const char *errstr, int *backoff, bool *logged)
{
    if (!*logged)
        tw_log(TW_LOG_WARNING, "SR", "%s; pausing until it answers (nothing is skipped)", errstr);
    *logged = true;
    if (!p->wait(p->wait_opaque, *backoff))
        return false;
    *backoff = TW_MIN(*backoff * 2, 30000);
    return true;
}

/* Encodes with one converter, pausing while the registry is unavailable. */
static tw_err_t encode_waiting(tw_pipeline_t *p, tw_converter_t *conv, const char *topic,
                               const tw_cs_t *schema, const tw_datum_t *datum, tw_buf_t *out,
                               char *errstr, size_t errstr_size)
{
    int backoff = 250;
    bool logged = false;
    tw_err_t err;

    for (;;) {
        err = tw_converter_encode(conv, topic, (tw_cs_t *)schema, datum, out, errstr,
                                  errstr_size);
        if (err != TW_ERR_UNAVAILABLE)
            break;
        if (!wait_for_registry(p, errstr, &backoff, &logged))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    if (logged && err == TW_OK)
        tw_log(TW_LOG_NOTICE, "SR", "the schema registry answers again; resuming");
    return err;
}

static const char *error_kind(tw_err_t err)
{
    return err == TW_ERR_REJECTED ? "registry" : "conversion";
}

/* Contract-first: the payload converted to its event type's declared
 * record, framed with the declared schema's registry id. TW_ERR_MALFORMED
 * for a payload that breaks its contract, TW_ERR_REJECTED when the registry
 * refuses the declared schema (e.g. 409). */
static tw_err_t encode_declared(tw_pipeline_t *p, tw_contract_t *contract,
                                const tw_record_t *record, tw_buf_t *out, char *errstr,
                                size_t errstr_size)
{
    tw_registry_t *reg = tw_converter_registry(p->value_conv);
    const tw_avsc_schema_t *schema;
    int backoff = 250;
    bool logged = false;
    int32_t id;
    tw_err_t err;

    err = tw_contract_schema_for(contract, record->event_type, &schema, errstr, errstr_size);
    if (err)
        return err;
    tw_buf_reset(out);
    tw_avro_write_confluent_header(out, 0); /* the id is filled in below */
    err = tw_contract_encode(contract, schema, record->payload_json, record->payload_json_len,
                             out, errstr, errstr_size);
    if (err)
        return err;
    for (;;) {
        err = tw_contract_schema_id(contract, reg, &p->cfg->value_converter, record->topic,
                                    schema, &id, errstr, errstr_size);
        if (err != TW_ERR_UNAVAILABLE)
            break;
        if (!wait_for_registry(p, errstr, &backoff, &logged))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    if (err)
        return err;
    if (logged)
        tw_log(TW_LOG_NOTICE, "SR", "the schema registry answers again; resuming");
    out->data[1] = (char)((uint32_t)id >> 24);
    out->data[2] = (char)((uint32_t)id >> 16);
    out->data[3] = (char)((uint32_t)id >> 8);
    out->data[4] = (char)id;
    return TW_OK;
}

/* Converts and produces one routed record for the current transaction. */
static tw_err_t produce_record(tw_pipeline_t *p, const tw_record_t *record,
                               tw_contract_t *contract, const char *table, tw_lsn_t lsn,
                               uint32_t xid, const char *event_id, char *errstr,
                               size_t errstr_size)
{
    tw_kafka_record_t rec;
    error_context_t ctx = {NULL, errstr, table, lsn, xid, event_id, record->topic, false};
    const tw_buf_t *key = NULL, *value = NULL;
    tw_err_t err;

    if (record->key_schema && (!tw_datum_is_null(&record->key) ||
                               tw_converter_encodes_null(p->key_conv))) {
        err = encode_waiting(p, p->key_conv, record->topic, record->key_schema, &record->key,
                             &p->key_buf, errstr, errstr_size);
        if (err == TW_ERR_STOPPING)
            return err;
        if (err) {
            ctx.kind = error_kind(err);
            return tw_pipeline_record_error(p, &ctx, NULL, 0, NULL, 0, errstr, errstr_size);
        }
        key = &p->key_buf;
    }
    if (record->event_type && contract) {
        err = encode_declared(p, contract, record, &p->value_buf, errstr, errstr_size);
        if (err == TW_ERR_STOPPING)
            return err;
        if (err) {
            /* The dead-letter copy carries the payload as written. */
            ctx.kind = err == TW_ERR_MALFORMED ? "contract" : error_kind(err);
            return tw_pipeline_record_error(p, &ctx, key ? key->data : NULL, key ? key->len : 0,
                                            record->payload_json, record->payload_json_len, errstr,
                                            errstr_size);
        }
        value = &p->value_buf;
    } else if (record->value_schema && (!tw_datum_is_null(&record->value) ||
                                        tw_converter_encodes_null(p->value_conv))) {
        err = encode_waiting(p, p->value_conv, record->topic, record->value_schema,
                             &record->value, &p->value_buf, errstr, errstr_size);
        if (err == TW_ERR_STOPPING)
            return err;
        if (err) {
            ctx.kind = error_kind(err);
            return tw_pipeline_record_error(p, &ctx, key ? key->data : NULL, key ? key->len : 0,
                                            NULL, 0, errstr, errstr_size);
        }
        value = &p->value_buf;
    }
    memset(&rec, 0, sizeof(rec));
    rec.topic = record->topic;
    rec.partition = record->partition;
    rec.key = key ? key->data : NULL;
    rec.key_len = key ? key->len : 0;
    rec.value = value ? value->data : NULL;
    rec.value_len = value ? value->len : 0;
    rec.headers = record->headers;
    rec.nheaders = record->nheaders;
    rec.timestamp_ms = record->timestamp_ms;
    rec.opaque = p->aux ? TW_PROGRESS_AUX_OPAQUE : (void *)(uintptr_t)tw_progress_seq(p->progress);
    for (;;) {
        err = tw_kafka_sink_produce(p->sink, &rec, errstr, errstr_size);
        if (err != TW_ERR_AGAIN)
            break;
        /* The producer's queue is full: let acknowledgements drain it. */
        if (!p->wait(p->wait_opaque, 50))
            return tw_errf(TW_ERR_STOPPING, errstr, errstr_size, "stopping");
    }
    if (err == TW_OK && p->aux)
        return TW_OK; /* untracked: it never moves the slot */
    if (err == TW_OK) {
        tw_delivery_add(p->delivery, tw_progress_seq(p->progress));
        p->records++;
        return TW_OK;
    }
    if (err == TW_ERR_CONFIG)
        return err; /* Kafka refused to create the topic: not this record's fault */
    if (tw_progress_produce_failed(p->progress, err, errstr, errstr_size, &err))
        return err;
    ctx.kind = "kafka";
    return tw_pipeline_record_error(p, &ctx, rec.key, rec.key_len, rec.value, rec.value_len, errstr,
                                    errstr_size);
}

/* A BEGIN or END record of the transaction metadata topic, produced in
 * the source transaction's own unit of delivery (its Kafka transaction in
 * exactly-once mode): BEGIN before its first record, END after its last.
 * Debezium's PostgreSQL id names the message at hand: the Begin's LSN
 * (begin_lsn), then the Commit's (its end LSN). A streamed transaction has
 * no Begin here: its BEGIN waits for the first change, whose LSN is where
 * the server started streaming it (lsn; the commit LSN if it has none). */
static tw_err_t txn_metadata_record(tw_pipeline_t *p, const tw_txn_t *txn, bool begin,
                                    tw_lsn_t lsn, char *errstr, size_t errstr_size)
{
    tw_record_t rec;

    if (begin) {
        p->txnmeta_begin_due = false;
        tw_txn_metadata_begin(p->txnmeta, txn->xid, lsn, txn->commit_ts, &rec);
    } else {
        tw_txn_metadata_end(p->txnmeta, txn->xid, txn->end_lsn, txn->commit_ts, &rec);
    }
    return produce_record(p, &rec, NULL, NULL, begin ? lsn : txn->end_lsn, txn->xid, NULL,
                          errstr, errstr_size);
}

static tw_err_t sink_begin(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size)
{
    tw_pipeline_t *p = opaque;
    tw_err_t err;
    bool skip;

    err = tw_progress_txn_begin(p->progress, txn->commit_lsn, txn->commit_ts, &skip, errstr,
                                errstr_size);
    p->txnmeta_begin_due = err == TW_OK && !skip && p->txnmeta && txn->streamed;
    if (err == TW_OK && !skip && p->txnmeta && !txn->streamed)
        err = txn_metadata_record(p, txn, true, txn->begin_lsn, errstr, errstr_size);
    return err;
}

static tw_err_t sink_commit(void *opaque, const tw_txn_t *txn, char *errstr, size_t errstr_size)
{
    tw_pipeline_t *p = opaque;
    tw_offset_t through = {txn->commit_lsn, txn->end_lsn, txn->commit_ts, txn->commit_ts};
    tw_err_t err = TW_OK;

    if (p->txnmeta_begin_due)
        err = txn_metadata_record(p, txn, true, txn->commit_lsn, errstr, errstr_size);
    if (err == TW_OK && p->txnmeta && !tw_progress_skipping(p->progress))
        err = txn_metadata_record(p, txn, false, 0, errstr, errstr_size);
    if (err)
        return err;
    return tw_progress_txn_end(p->progress, &through, errstr, errstr_size);
}

static tw_err_t unrouted(tw_pipeline_t *p, const char *what, char *errstr, size_t errstr_size)
{
    return tw_errf(TW_ERR_UNSUPPORTED, errstr, errstr_size,
                   "%s is captured but no transform routes it: narrow table.include.list, "
                   "or adjust the transforms' predicates (topic %s)",
                   what, p->name_buf.data);
}

static tw_err_t route_change(tw_pipeline_t *p, const tw_txn_t *txn, const tw_change_t *change,
                             char *errstr, size_t errstr_size)
{
    tw_transform_out_t out;
    char table_buf[512];
    const char *table;
    rel_state_t *st = NULL;
    tw_err_t err = TW_OK;
    size_t i;
    int t = -1;

    /* Per-change scratch: librdkafka copies what it keeps, so memory stays
     * flat however many rows one transaction has. */
    tw_arena_reset(p->arena);
    if (change->op == TW_CHANGE_MESSAGE) {
        tw_buf_reset(&p->name_buf);
        tw_buf_printf(&p->name_buf, "%s.message", p->cfg->topic_prefix);
        t = transform_for(p, p->name_buf.data);
        /* The outbox transform takes its message.prefix; any other
         * captured prefix becomes Debezium's "m" change event. */
        if (t < 0 || !tw_transform_chain_takes_message(p->chain, t, change->prefix))
            t = tw_transform_chain_default(p->chain);
        snprintf(table_buf, sizeof(table_buf), "message:%s", change->prefix);
        table = table_buf;
    } else {
        err = rel_state(p, (tw_rel_t *)change->rel, &st, errstr, errstr_size);
        if (err)
            return err; /* a missing outbox column: a startup-class error */
        table = st->table;
        if (st->transform < 0) {
            if (change->op == TW_CHANGE_TRUNCATE)
                return TW_OK; /* skipped.operations=t, Debezium's default */
            return unrouted(p, table, errstr, errstr_size);
        }
        t = st->transform;
    }
    err = tw_transform_chain_apply(p->chain, t, st ? st->binding : NULL, txn, change, p->arena,
                                   &out, errstr, errstr_size);
    if (err == TW_ERR_MALFORMED) {
        error_context_t ctx = {"routing", errstr, table, change->lsn, txn ? txn->xid : 0,
                               out.event_id, NULL, false};
        return tw_pipeline_record_error(p, &ctx, NULL, 0, change->content, change->content_len,
                                        errstr, errstr_size);
    }
    for (i = 0; err == TW_OK && i < out.nrecords; i++)
        err = produce_record(p, &out.records[i], p->contracts[t], table, change->lsn,
                             txn ? txn->xid : 0, out.event_id, errstr, errstr_size);
    if (out.nrecords > 0 && tw_arena_used(p->arena) > p->scratch_peak)
        p->scratch_peak = tw_arena_used(p->arena);
    return err;
}

static tw_err_t sink_change(void *opaque, const tw_txn_t *txn, const tw_change_t *change,
                            char *errstr, size_t errstr_size)
{
    tw_pipeline_t *p = opaque;
    tw_err_t err;

    if (txn == NULL) {
        /* A non-transactional message is its own unit of delivery. */
        if (tw_progress_message_done(p->progress, change->lsn))
            return TW_OK;
        err = tw_progress_message_begin(p->progress, change->lsn, errstr, errstr_size);
        if (err == TW_OK)
            err = route_change(p, NULL, change, errstr, errstr_size);
        if (err == TW_OK)
            tw_progress_message_end(p->progress, change->lsn);
        return err;
    }
    if (tw_progress_skipping(p->progress))
        return TW_OK;
    if (p->txnmeta_begin_due) {
        err = txn_metadata_record(p, txn, true, change->lsn, errstr, errstr_size);
        if (err)
            return err;
    }
    return route_change(p, txn, change, errstr, errstr_size);
}

tw_sink_t tw_pipeline_sink(tw_pipeline_t *p)
{
    tw_sink_t sink = {p, sink_begin, sink_change, sink_commit};
    return sink;
}

/* ------------------------------------------------------------------ progress */

tw_err_t tw_pipeline_heartbeat(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    tw_record_t rec;
    tw_err_t err;

    if (p->heartbeat == NULL)
        return TW_OK;
    /* Between source transactions only, so it never lands inside one's
     * records (nor, in exactly-once mode, joins a half-read one). */
    if (tw_progress_in_txn(p->progress))
        return TW_ERR_AGAIN;
    err = tw_progress_aux(p->progress, errstr, errstr_size);
    if (err)
        return err;
    tw_heartbeat_record_make(p->heartbeat, tw_progress_now_ms(), &rec);
    p->aux = true;
    err = produce_record(p, &rec, NULL, NULL, 0, 0, NULL, errstr, errstr_size);
    p->aux = false;
    return err;
}

tw_err_t tw_pipeline_end_batch(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    return tw_progress_boundary(p->progress, true, errstr, errstr_size);
}

bool tw_pipeline_commit_pending(const tw_pipeline_t *p)
{
    return tw_progress_commit_pending(p->progress);
}

int tw_pipeline_wake_fd(const tw_pipeline_t *p)
{
    return tw_kafka_sink_wake_fd(p->sink);
}

bool tw_pipeline_sleep(tw_pipeline_t *p, bool sleeping)
{
    return tw_kafka_sink_sleep(p->sink, sleeping);
}

tw_err_t tw_pipeline_poll(tw_pipeline_t *p, int timeout_ms, char *errstr, size_t errstr_size)
{
    tw_kafka_sink_poll(p->sink, timeout_ms);
    if (!p->failure.failed &&
        tw_kafka_sink_fatal(p->sink, p->failure.why, sizeof(p->failure.why)) != TW_OK)
        p->failure.failed = true;
    return tw_progress_poll(p->progress, errstr, errstr_size);
}

tw_lsn_t tw_pipeline_flush_lsn(const tw_pipeline_t *p)
{
    return tw_progress_flush_lsn(p->progress);
}

void tw_pipeline_resume_point(const tw_pipeline_t *p, tw_lsn_t *end_lsn, int64_t *commit_ts)
{
    tw_progress_resume_point(p->progress, end_lsn, commit_ts);
}

bool tw_pipeline_settled(const tw_pipeline_t *p)
{
    return !p->failure.failed && tw_progress_quiet(p->progress) &&
           tw_delivery_idle(p->delivery) && tw_kafka_sink_outstanding(p->sink) == 0;
}

bool tw_pipeline_failed(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    if (p->failure.failed)
        tw_errf(TW_ERR_KAFKA, errstr, errstr_size, "%s", p->failure.why);
    return p->failure.failed;
}

tw_err_t tw_pipeline_drain(tw_pipeline_t *p, int timeout_ms, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    /* No acknowledgement comes from brokers that refuse tidewater's login
     * or TLS handshake: waiting the whole shutdown.timeout.ms is useless. */
    if (tw_kafka_sink_refused(p->sink))
        timeout_ms = TW_MIN(timeout_ms, 1000);
    err = tw_progress_drain(p->progress, timeout_ms, errstr, errstr_size);

    if (err == TW_OK && tw_kafka_sink_outstanding(p->sink) > 0)
        err = tw_errf(TW_ERR_AGAIN, errstr, errstr_size,
                      "%zu records were still unacknowledged after %d ms; they will be sent "
                      "again after the restart",
                      tw_kafka_sink_outstanding(p->sink), timeout_ms);
    return err;
}

void tw_pipeline_reset_partial(tw_pipeline_t *p)
{
    tw_progress_reset(p->progress);
}

void tw_pipeline_origin_facts(const tw_pipeline_t *p, struct tw_origin_facts *facts, char *where,
                              size_t where_size)
{
    tw_progress_origin_facts(p->progress, facts, where, where_size);
}

tw_err_t tw_pipeline_adopt_origin(tw_pipeline_t *p, const tw_offset_origin_t *origin,
                                  bool rewrite, char *errstr, size_t errstr_size)
{
    return tw_progress_adopt_origin(p->progress, origin, rewrite, errstr, errstr_size);
}

/* One table from the catalog: its outbox columns are bound as the
 * change feed's description of it will be. */
typedef struct preflight {
    tw_pipeline_t *p;
    PGconn *conn;
    tw_filter_t *filter;
} preflight_t;

static tw_err_t preflight_table(void *opaque, const char *nsp, const char *rel, char *errstr,
                                size_t errstr_size)
{
    preflight_t *pf = opaque;
    tw_pipeline_t *p = pf->p;
    tw_transform_binding_t *binding = NULL;
    tw_buf_t left_out = TW_BUF_INIT;
    tw_rel_t *r;
    bool *not_null;
    tw_err_t err;
    int t;

    tw_buf_reset(&p->name_buf);
    tw_buf_printf(&p->name_buf, "%s.%s", nsp, rel);
    if (!tw_filter_match(pf->filter, p->name_buf.data))
        return TW_OK;
    tw_buf_reset(&p->name_buf);
    tw_buf_printf(&p->name_buf, "%s.%s.%s", p->cfg->topic_prefix, nsp, rel);
    t = transform_for(p, p->name_buf.data);
    if (t < 0)
        return TW_OK;
    err = tw_catalog_describe(pf->conn, nsp, rel, &r, &not_null, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_catalog_publication_columns(pf->conn, p->cfg->publication_name, r, not_null,
                                             &left_out, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_transform_chain_bind(p->chain, t, r, not_null, &binding, errstr, errstr_size);
    if (err == TW_ERR_CONFIG && left_out.len) {
        /* The column may be missing because the publication leaves it out. */
        char *why = tw_strdup(errstr);
        tw_errf(err, errstr, errstr_size,
                "%s (publication \"%s\" publishes only some columns of %s.%s, not: %s; "
                "add the column to its column list with ALTER PUBLICATION ... SET TABLE)",
                why, p->cfg->publication_name, nsp, rel, left_out.data);
        free(why);
    }
    tw_buf_free(&left_out);
    tw_transform_binding_destroy(binding);
    tw_catalog_rel_free(r, not_null);
    return err;
}

tw_err_t tw_pipeline_preflight(tw_pipeline_t *p, PGconn *conn, char *errstr,
                               size_t errstr_size)
{
    preflight_t pf = {p, conn, NULL};
    tw_err_t err;

    err = tw_filter_new(p->cfg->table_include_list, p->cfg->table_exclude_list,
                        "table.include.list", "table.exclude.list", &pf.filter, errstr,
                        errstr_size);
    if (err == TW_OK)
        err = tw_catalog_each_table(conn, preflight_table, &pf, errstr, errstr_size);
    tw_filter_destroy(pf.filter);
    return err;
}

tw_err_t tw_pipeline_registry_ping(tw_pipeline_t *p, bool key, char *errstr, size_t errstr_size)
{
    tw_registry_t *reg = tw_converter_registry(key ? p->key_conv : p->value_conv);

    if (reg == NULL)
        return tw_errf(TW_OK, errstr, errstr_size, "no registry (%s converter)",
                       key ? "key" : "value");
    return tw_registry_ping(reg, errstr, errstr_size);
}

void tw_pipeline_stats(const tw_pipeline_t *p, tw_pipeline_stats_t *stats)
{
    const tw_progress_counts_t *counts = tw_progress_counts(p->progress);

    stats->records = p->records;
    stats->transactions = counts->transactions;
    stats->dlq_records = p->dlq_records;
    stats->skipped_records = p->skipped_records;
    stats->inflight_records = tw_delivery_inflight_records(p->delivery);
    stats->scratch_peak_bytes = p->scratch_peak;
    stats->latency = &counts->latency;
}

static void add_topic(void *opaque, const char *topic, uint64_t records, uint64_t bytes)
{
    tw_metrics_snapshot_add_topic(opaque, topic, records, bytes);
}

void tw_pipeline_fill_snapshot(tw_pipeline_t *p, tw_metrics_snapshot_t *snap)
{
    tw_registry_t *regs[2] = {tw_converter_registry(p->key_conv),
                              tw_converter_registry(p->value_conv)};
    const tw_progress_counts_t *counts = tw_progress_counts(p->progress);
    int i;

    snap->transactions = counts->transactions;
    snap->records_inflight = tw_delivery_inflight_records(p->delivery);
    snap->delivery_errors = p->delivery_errors + counts->delivery_errors;
    snap->dlq_records = p->dlq_records;
    snap->skipped_records = p->skipped_records;
    snap->kafka_commits = counts->kafka_commits;
    snap->kafka_aborts = counts->kafka_aborts;
    snap->registry_calls = snap->registry_errors = 0;
    for (i = 0; i < 2; i++) {
        if (regs[i] && (i == 0 || regs[i] != regs[0])) {
            snap->registry_calls += tw_registry_calls(regs[i]);
            snap->registry_errors += tw_registry_errors(regs[i]);
        }
    }
    snap->flushed_lsn = tw_progress_flush_lsn(p->progress);
    snap->last_delivered_commit_us = counts->last_delivered_commit_us;
    snap->idle = tw_delivery_idle(p->delivery) && !tw_progress_in_txn(p->progress);
    snap->latency = counts->latency;
    snap->ntopics = 0;
    tw_kafka_sink_topic_counts(p->sink, add_topic, snap);
}

tw_err_t tw_pipeline_ping(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    return tw_kafka_sink_ping(p->sink, 5000, errstr, errstr_size);
}
