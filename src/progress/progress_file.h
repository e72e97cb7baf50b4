/*
 * progress_file.h — the at-least-once progress mode (progress_file.c):
 * acknowledged records advance a position kept in the offsets file.
 */
#ifndef TW_PROGRESS_FILE_H
#define TW_PROGRESS_FILE_H

#include "progress/progress.h"

/* Loads the offsets file now. */
tw_err_t tw_progress_file_new(const tw_config_t *cfg, tw_progress_sink_t sink,
                              tw_delivery_t *delivery, tw_failure_t *failure,
                              tw_progress_t **out, char *errstr, size_t errstr_size);

#endif /* TW_PROGRESS_FILE_H */
