/*
 * avsc_texts.c — see avsc_texts.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "avsc_texts.h"

#include "codec/json_avro.h"

tw_err_t avsc_load_texts(const char *const *texts, size_t n, char *message, size_t size,
                         tw_avsc_catalog_t **out)
{
    char dir[] = "/tmp/tw-avsc-XXXXXX";
    char path[256], errstr[1024];
    tw_avsc_catalog_t *cat = NULL;
    tw_err_t err;

    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < n; i++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/s%02zu.avsc", dir, i);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(texts[i], f);
        fclose(f);
    }
    errstr[0] = '\0';
    err = tw_avsc_catalog_load(dir, tw_json_avro_encode_default, &cat, errstr, sizeof(errstr));
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/s%02zu.avsc", dir, i);
        unlink(path);
    }
    rmdir(dir);
    /* "/tmp/tw-avsc-XXXXXX/s00.avsc: ..." → "s00.avsc: ..." */
    snprintf(message, size, "%s",
             strncmp(errstr, dir, strlen(dir)) == 0 ? errstr + strlen(dir) + 1 : errstr);
    if (out)
        *out = cat;
    else
        tw_avsc_catalog_destroy(cat);
    return err;
}
