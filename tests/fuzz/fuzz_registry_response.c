/*
 * fuzz_registry_response.c — libFuzzer target: arbitrary bytes as a schema
 * registry answer, through both parsers tidewater applies to answers.
 */
#include <stddef.h>
#include <stdint.h>

#include "codec/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errstr[512], message[1024];
    int32_t id;

    tw_registry_parse_id((const char *)data, size, &id, errstr, sizeof(errstr));
    tw_registry_parse_error((const char *)data, size, message, sizeof(message));
    return 0;
}
