/*
 * config_text.h — a configuration from properties text, as a connector
 * file would give it (parse, resolve, validate): for the unit tests and
 * the test tools, which write their configurations inline.
 */
#ifndef TW_TEST_CONFIG_TEXT_H
#define TW_TEST_CONFIG_TEXT_H

#include <stddef.h>

#include "config/config.h"

/* Fills cfg (zeroed first, so tw_config_clear is always safe) from text;
 * returns the first error and leaves its message in errstr. */
tw_err_t config_from_text(const char *text, tw_config_t *cfg, char *errstr, size_t errstr_size);

#endif /* TW_TEST_CONFIG_TEXT_H */
