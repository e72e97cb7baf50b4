/*
 * key_columns.c — parsing and matching message.key.columns (see
 * key_columns.h).
 */
#include "transforms/key_columns.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/jregex.h"

typedef struct entry {
    tw_jregex_t *table;
    char **columns;
    size_t ncolumns;
} entry_t;

struct tw_key_columns {
    entry_t *entries;
    size_t n;
};

void tw_key_columns_destroy(tw_key_columns_t *kc)
{
    size_t i;

    if (kc == NULL)
        return;
    for (i = 0; i < kc->n; i++) {
        tw_jregex_destroy(kc->entries[i].table);
        tw_config_free_list(kc->entries[i].columns, kc->entries[i].ncolumns);
    }
    free(kc->entries);
    free(kc);
}

static char *trimmed(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return tw_strndup(s, len);
}

/* One `<regex>:<columns>` entry. The pattern may itself hold ':' only
 * before the last one, so split there. */
static tw_err_t parse_entry(const char *text, size_t len, entry_t *e, char *errstr,
                            size_t errstr_size)
{
    const char *colon = NULL, *p;
    char *pattern = NULL, *columns = NULL;
    tw_err_t err = TW_OK;

    for (p = text; p < text + len; p++)
        if (*p == ':')
            colon = p;
    if (colon == NULL) {
        pattern = trimmed(text, len);
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "message.key.columns: \"%s\" has no ':'; write "
                      "<schema.table regex>:<column>[,<column>...], entries separated by ';'",
                      pattern);
        goto done;
    }
    pattern = trimmed(text, (size_t)(colon - text));
    columns = trimmed(colon + 1, (size_t)(text + len - colon - 1));
    e->ncolumns = tw_config_split_list(columns, &e->columns);
    if (*pattern == '\0' || e->ncolumns == 0) {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "message.key.columns: an entry needs a table pattern and at least one "
                      "column (<schema.table regex>:<column>[,<column>...])");
        goto done;
    }
    err = tw_jregex_compile(pattern, "message.key.columns", &e->table, errstr, errstr_size);
done:
    free(pattern);
    free(columns);
    return err;
}

tw_err_t tw_key_columns_new(const char *value, tw_key_columns_t **out, char *errstr,
                            size_t errstr_size)
{
    tw_key_columns_t *kc = tw_calloc(1, sizeof(*kc));
    const char *p = value ? value : "", *end;
    tw_err_t err = TW_OK;

    while (err == TW_OK && *p) {
        end = strchr(p, ';');
        if (end == NULL)
            end = p + strlen(p);
        if (end > p && strspn(p, " \t") < (size_t)(end - p)) {
            kc->entries = tw_realloc(kc->entries, (kc->n + 1) * sizeof(*kc->entries));
            memset(&kc->entries[kc->n], 0, sizeof(*kc->entries));
            err = parse_entry(p, (size_t)(end - p), &kc->entries[kc->n++], errstr,
                              errstr_size);
        }
        p = *end ? end + 1 : end;
    }
    if (err) {
        tw_key_columns_destroy(kc);
        kc = NULL;
    }
    *out = kc;
    return err;
}

char *const *tw_key_columns_for(const tw_key_columns_t *kc, const char *table, size_t *n)
{
    size_t i;

    for (i = 0; kc && i < kc->n; i++) {
        if (tw_jregex_matches(kc->entries[i].table, table)) {
            *n = kc->entries[i].ncolumns;
            return kc->entries[i].columns;
        }
    }
    *n = 0;
    return NULL;
}
