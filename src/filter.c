/*
 * filter.c — anchored POSIX extended regular expressions for include and
 * exclude lists.
 */
#include "filter.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"

typedef struct pattern_list {
    regex_t *res;
    size_t n;
} pattern_list_t;

struct tw_filter {
    pattern_list_t include;
    pattern_list_t exclude;
};

static tw_err_t compile_list(const char *list, const char *key, pattern_list_t *out,
                             char *errstr, size_t errstr_size)
{
    char **items = NULL;
    size_t n = tw_config_split_list(list, &items), i;
    tw_buf_t anchored = TW_BUF_INIT;
    tw_err_t err = TW_OK;

    out->res = tw_calloc(n ? n : 1, sizeof(regex_t));
    for (i = 0; i < n; i++) {
        int rc;
        tw_buf_reset(&anchored);
        /* Debezium anchors every pattern: "public.outbox" must not match
         * "public.outbox_archive". */
        tw_buf_printf(&anchored, "^(%s)$", items[i]);
        rc = regcomp(&out->res[i], anchored.data, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[256];
            regerror(rc, &out->res[i], why, sizeof(why));
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: \"%s\" is not a valid regular expression: %s", key, items[i],
                          why);
            break;
        }
        out->n++;
    }
    tw_buf_free(&anchored);
    tw_config_free_list(items, n);
    return err;
}

static void free_list(pattern_list_t *list)
{
    size_t i;

    for (i = 0; i < list->n; i++)
        regfree(&list->res[i]);
    free(list->res);
}

tw_err_t tw_filter_new(const char *include_list, const char *exclude_list,
                       const char *include_key, const char *exclude_key, tw_filter_t **filter,
                       char *errstr, size_t errstr_size)
{
    tw_filter_t *f = tw_calloc(1, sizeof(*f));
    tw_err_t err;

    *filter = NULL;
    err = compile_list(include_list, include_key, &f->include, errstr, errstr_size);
    if (err == TW_OK)
        err = compile_list(exclude_list, exclude_key, &f->exclude, errstr, errstr_size);
    if (err) {
        tw_filter_destroy(f);
        return err;
    }
    *filter = f;
    return TW_OK;
}

void tw_filter_destroy(tw_filter_t *filter)
{
    if (filter == NULL)
        return;
    free_list(&filter->include);
    free_list(&filter->exclude);
    free(filter);
}

static bool any_match(const pattern_list_t *list, const char *name)
{
    size_t i;

    for (i = 0; i < list->n; i++)
        if (regexec(&list->res[i], name, 0, NULL, 0) == 0)
            return true;
    return false;
}

bool tw_filter_match(const tw_filter_t *filter, const char *name)
{
    if (filter == NULL)
        return true;
    if (filter->include.n > 0 && !any_match(&filter->include, name))
        return false;
    return !any_match(&filter->exclude, name);
}

bool tw_filter_has_include(const tw_filter_t *filter)
{
    return filter && filter->include.n > 0;
}
