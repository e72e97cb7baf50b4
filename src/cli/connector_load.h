/*
 * connector_load.h — loading a connector file as every command does
 * (`run`, `check`, `tail`, `schemas`, `offsets`): the config module's
 * validation, then what needs the modules above it, so that config/ stays
 * below them.
 */
#ifndef TW_CONNECTOR_LOAD_H
#define TW_CONNECTOR_LOAD_H

#include <stddef.h>

#include "util/common.h"
#include "config/config.h"

/* tw_config_load, then tw_connector_check, then the config's type modes
 * (decimal.handling.mode, ...) become the process-wide ones of
 * codec/connect_schema.h. TW_ERR_CONFIG names the key. cfg must be freed
 * with tw_config_clear even on error. */
tw_err_t tw_connector_load(const char *path, tw_config_t *cfg, char *errstr,
                           size_t errstr_size);

/* The load-time checks that the config module cannot make itself: the
 * column rules (column.include.list, column.mask.*, column.truncate.*, ...)
 * are built once so that a bad regex, hash algorithm or length is an error
 * at load, not at the first row. */
tw_err_t tw_connector_check(const tw_config_t *cfg, char *errstr, size_t errstr_size);

#endif /* TW_CONNECTOR_LOAD_H */
