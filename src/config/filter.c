/*
 * filter.c — include and exclude lists of Java-style regular expressions,
 * each matched against the whole name (as Debezium anchors them).
 */
#include "config/filter.h"

#include <stdlib.h>
#include <string.h>

#include "config/config_list.h"
#include "util/jregex.h"

typedef struct pattern_list {
    tw_jregex_t **res;
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
    tw_err_t err = TW_OK;

    out->res = tw_calloc(n ? n : 1, sizeof(tw_jregex_t *));
    for (i = 0; i < n && err == TW_OK; i++) {
        err = tw_jregex_compile(items[i], key, &out->res[i], errstr, errstr_size);
        if (err == TW_OK)
            out->n++;
    }
    tw_config_free_list(items, n);
    return err;
}

static void free_list(pattern_list_t *list)
{
    size_t i;

    for (i = 0; i < list->n; i++)
        tw_jregex_destroy(list->res[i]);
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
        if (tw_jregex_matches(list->res[i], name))
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
