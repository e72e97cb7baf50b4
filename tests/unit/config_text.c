/*
 * config_text.c — see config_text.h.
 */
#include "config_text.h"

#include <string.h>

#include "config/props.h"

tw_err_t config_from_text(const char *text, tw_config_t *cfg, char *errstr, size_t errstr_size)
{
    tw_props_t *props = tw_props_new();
    tw_err_t err;

    memset(cfg, 0, sizeof(*cfg));
    err = tw_props_parse(props, text, strlen(text), "test.properties", errstr, errstr_size);
    if (err == TW_OK)
        err = tw_props_resolve(props, errstr, errstr_size);
    if (err == TW_OK)
        err = tw_config_from_props(props, cfg, errstr, errstr_size);
    tw_props_destroy(props);
    return err;
}
