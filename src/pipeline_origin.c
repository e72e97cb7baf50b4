/*
 * pipeline_origin.c — the pipeline's checkpoint as origin.h sees it, and
 * the server identity it records once accepted.
 */
#include "pipeline_internal.h"

#include <stdio.h>
#include <string.h>

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

void tw_pipeline_adopt_origin(tw_pipeline_t *p, const tw_offset_origin_t *origin, bool rewrite)
{
    p->origin = *origin;
    if (rewrite && p->offset_found && !p->eos)
        p->offset_dirty = true;
    if (p->eos && p->offsets_topic_missing) {
        tw_offsets_topic_create(p->cfg->bootstrap_servers, p->cfg->producer, p->cfg->offsets_topic,
                                3000);
        p->offsets_topic_missing = false;
    }
}
