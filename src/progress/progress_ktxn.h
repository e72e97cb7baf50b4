/*
 * progress_ktxn.h — the exactly-once progress mode (progress_ktxn.c):
 * Kafka transactions carrying whole source transactions and a checkpoint
 * record in the offsets topic.
 */
#ifndef TW_PROGRESS_KTXN_H
#define TW_PROGRESS_KTXN_H

#include "progress/progress.h"

/* The checkpoint is read by tw_progress_start. */
tw_progress_t *tw_progress_ktxn_new(const tw_config_t *cfg, tw_progress_sink_t sink,
                                    tw_delivery_t *delivery, tw_failure_t *failure);

#endif /* TW_PROGRESS_KTXN_H */
