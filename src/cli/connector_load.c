/*
 * connector_load.c — a connector file loaded as every command needs it.
 */
#include "cli/connector_load.h"

#include "codec/connect_schema.h"
#include "transforms/column_rules.h"

tw_err_t tw_connector_check(const tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    tw_column_rules_t *rules = NULL;
    tw_err_t err;

    /* Built and dropped: the change-event transform builds its own. */
    err = tw_column_rules_new(cfg, &rules, errstr, errstr_size);
    tw_column_rules_destroy(rules);
    return err;
}

tw_err_t tw_connector_load(const char *path, tw_config_t *cfg, char *errstr,
                           size_t errstr_size)
{
    tw_err_t err;

    err = tw_config_load(path, cfg, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_connector_check(cfg, errstr, errstr_size);
    if (err == TW_OK) {
        /* Type modes are process-wide: every schema built from here on uses them. */
        tw_cs_options_t opts = {cfg->decimal_handling_mode, cfg->time_precision_mode,
                                cfg->binary_handling_mode, cfg->interval_handling_mode,
                                cfg->money_fraction_digits, cfg->include_unknown_datatypes,
                                cfg->hstore_handling_mode};
        tw_cs_set_options(&opts);
    }
    return err;
}
