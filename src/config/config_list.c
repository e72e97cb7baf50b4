/*
 * config_list.c — comma-separated list values (`table.include.list`,
 * `schema.registry.url`, ...) split into trimmed items. A leaf of the
 * config module: config_load.c, config_scope.c and modules above call it;
 * it calls no other part of the module.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_list.h"
#include "util/common.h"

size_t tw_config_split_list(const char *value, char ***items)
{
    size_t n = 0, cap = 0;
    const char *p = value;
    char **list = NULL;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *s = p, *e = end;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (e > s) {
            if (n == cap) {
                cap = cap ? cap * 2 : 4;
                list = tw_realloc(list, cap * sizeof(char *));
            }
            list[n++] = tw_strndup(s, (size_t)(e - s));
        }
        p = comma ? comma + 1 : NULL;
    }
    *items = list;
    return n;
}

void tw_config_free_list(char **items, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(items[i]);
    free(items);
}
