/*
 * fuzz_config.c — libFuzzer target: arbitrary bytes as a connector file
 * (.properties or Connect JSON), then validation against the key tables
 * and the load-time checks of every command (column rules).
 * Config providers are not resolved: they would read files and variables.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "cli/connector_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw_props_t *props = tw_props_new();
    tw_config_t cfg;
    char errstr[1024];

    memset(&cfg, 0, sizeof(cfg));
    if (tw_props_parse(props, (const char *)data, size, "fuzz", errstr, sizeof(errstr)) ==
        TW_OK) {
        if (tw_config_from_props(props, &cfg, errstr, sizeof(errstr)) == TW_OK)
            tw_connector_check(&cfg, errstr, sizeof(errstr));
        tw_config_clear(&cfg);
    }
    tw_props_destroy(props);
    return 0;
}
