/*
 * pipeline_origin.c — the pipeline's checkpoint as origin.h sees it, and
 * the server identity it records once accepted.
 */
#include "pipeline_internal.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "origin.h"

void tw_pipeline_origin_facts(const tw_pipeline_t *p, tw_origin_facts_t *facts, char *where,
                              size_t where_size)
{
    if (p->eos)
        snprintf(where, where_size, "offsets topic %s (key %s)", p->cfg->offsets_topic,
                 p->ckpt_key.data ? p->ckpt_key.data : "");
    else
        snprintf(where, where_size, "offsets file %s", p->cfg->offsets_file);
    facts->where = where;
    facts->found = p->offset_found;
    facts->topic_missing = p->eos && p->offsets_topic_missing;
    facts->offset = p->offset;
    facts->origin = p->origin;
}

/* A first start in exactly-once mode: the topic is created and given a
 * start record (a reset of the current generation), so from now on a
 * missing topic means a deleted one — even on brokers that create topics
 * only when first written to. */
static tw_err_t mark_first_start(tw_pipeline_t *p, char *errstr, size_t errstr_size)
{
    tw_kafka_record_t rec;
    tw_buf_t value = TW_BUF_INIT;
    tw_err_t err;

    if (p->offsets_topic_absent)
        tw_offsets_topic_create(p->cfg->bootstrap_servers, p->cfg->producer,
                                p->cfg->offsets_topic, 3000);
    tw_offsets_topic_reset_value(p->cfg->slot_name, p->generation, tw_pipeline_now_us(), &value);
    memset(&rec, 0, sizeof(rec));
    rec.topic = p->cfg->offsets_topic;
    rec.partition = TW_KAFKA_PARTITION_ANY;
    rec.key = p->ckpt_key.data;
    rec.key_len = p->ckpt_key.len;
    rec.value = value.data;
    rec.value_len = value.len;
    rec.opaque = CHECKPOINT_OPAQUE;
    err = tw_kafka_sink_begin_txn(p->sink, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_kafka_sink_produce(p->sink, &rec, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_kafka_sink_commit_txn(p->sink, 30000, errstr, errstr_size);
    else
        tw_kafka_sink_abort_txn(p->sink, 10000, NULL, 0);
    p->ktxn_failed = false; /* a refused start record is reported here, not by a transaction */
    tw_buf_free(&value);
    if (err)
        return tw_errf(TW_ERR_KAFKA, errstr, errstr_size,
                       "cannot write the first record to offsets topic %s: %s",
                       p->cfg->offsets_topic, errstr);
    tw_log(TW_LOG_NOTICE, "CKPT", "offsets topic %s: first start of this connector recorded",
           p->cfg->offsets_topic);
    return TW_OK;
}

tw_err_t tw_pipeline_adopt_origin(tw_pipeline_t *p, const tw_offset_origin_t *origin,
                                  bool rewrite, char *errstr, size_t errstr_size)
{
    tw_err_t err;

    p->origin = *origin;
    if (rewrite && p->offset_found && !p->eos)
        p->offset_dirty = true;
    if (p->eos && p->offsets_topic_missing) {
        err = mark_first_start(p, errstr, errstr_size);
        if (err)
            return err;
        p->offsets_topic_missing = p->offsets_topic_absent = false;
    }
    return TW_OK;
}
