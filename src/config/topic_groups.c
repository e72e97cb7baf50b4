/*
 * topic_groups.c — Kafka Connect's topic.creation.* groups: reading and
 * checking the keys, and finding the group of a topic.
 */
#include "config/topic_groups.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/jregex.h"

#define PREFIX "topic.creation."

typedef struct group {
    tw_topic_group_t pub;  /* name, partitions, replication factor, configs */
    tw_jregex_t **include; /* whole-name Java regexes */
    size_t ninclude;
    tw_jregex_t **exclude;
    size_t nexclude;
} group_t;

struct tw_topic_groups {
    group_t *groups; /* in topic.creation.groups order, "default" last */
    size_t ngroups;
};

static void group_clear(group_t *g)
{
    size_t i;

    for (i = 0; i < g->ninclude; i++)
        tw_jregex_destroy(g->include[i]);
    for (i = 0; i < g->nexclude; i++)
        tw_jregex_destroy(g->exclude[i]);
    free(g->include);
    free(g->exclude);
    tw_props_destroy(g->pub.configs);
    free(g->pub.name);
}

void tw_topic_groups_destroy(tw_topic_groups_t *tc)
{
    size_t i;

    if (tc == NULL)
        return;
    for (i = 0; i < tc->ngroups; i++)
        group_clear(&tc->groups[i]);
    free(tc->groups);
    free(tc);
}

static char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return s;
}

/* -1 (the broker's default) or a positive int. */
static tw_err_t parse_count(const char *key, const char *value, int *out, char *errstr,
                            size_t errstr_size)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || end == value || *trim(end) != '\0' || v == 0 || v < -1 || v > 1000000)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s=%s: expected a positive integer, or -1 for the broker's default",
                       key, value);
    *out = (int)v;
    return TW_OK;
}

static tw_err_t parse_regex_list(const char *key, const char *value, tw_jregex_t ***out,
                                 size_t *n, char *errstr, size_t errstr_size)
{
    char *copy = tw_strdup(value), *save = NULL, *item;
    tw_err_t err = TW_OK;

    for (item = strtok_r(copy, ",", &save); item && err == TW_OK;
         item = strtok_r(NULL, ",", &save)) {
        tw_jregex_t *re;
        item = trim(item);
        if (*item == '\0')
            continue;
        err = tw_jregex_compile(item, key, &re, errstr, errstr_size);
        if (err == TW_OK) {
            *out = tw_realloc(*out, (*n + 1) * sizeof(**out));
            (*out)[(*n)++] = re;
        }
    }
    free(copy);
    return err;
}

static group_t *find_group(tw_topic_groups_t *tc, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < tc->ngroups; i++)
        if (strlen(tc->groups[i].pub.name) == len &&
            strncmp(tc->groups[i].pub.name, name, len) == 0)
            return &tc->groups[i];
    return NULL;
}

static void add_group(tw_topic_groups_t *tc, const char *name)
{
    group_t *g;

    tc->groups = tw_realloc(tc->groups, (tc->ngroups + 1) * sizeof(*tc->groups));
    g = &tc->groups[tc->ngroups++];
    memset(g, 0, sizeof(*g));
    g->pub.name = tw_strdup(name);
    g->pub.replication_factor = g->pub.partitions = 0; /* 0: not set */
    g->pub.configs = tw_props_new();
}

/* One topic.creation.<group>.<setting> key. */
static tw_err_t apply_key(tw_topic_groups_t *tc, const char *key, const char *value,
                          char *errstr, size_t errstr_size)
{
    const char *rest = key + strlen(PREFIX), *dot = strchr(rest, '.');
    const char *setting;
    group_t *g;

    if (dot == NULL || dot[1] == '\0')
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "unknown config key \"%s\": topic creation keys are "
                       "topic.creation.enable, topic.creation.groups and "
                       "topic.creation.<group>.<setting>",
                       key);
    g = find_group(tc, rest, (size_t)(dot - rest));
    if (g == NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s: group \"%.*s\" is not listed in topic.creation.groups; add it there "
                       "or remove the key",
                       key, (int)(dot - rest), rest);
    setting = dot + 1;
    if (strcmp(setting, "replication.factor") == 0)
        return parse_count(key, value, &g->pub.replication_factor, errstr, errstr_size);
    if (strcmp(setting, "partitions") == 0)
        return parse_count(key, value, &g->pub.partitions, errstr, errstr_size);
    if (strcmp(setting, "include") == 0 || strcmp(setting, "exclude") == 0) {
        bool include = setting[0] == 'i';
        if (strcmp(g->pub.name, "default") == 0)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: the default group applies to every topic no other group takes; "
                           "put include and exclude lists on a group named in "
                           "topic.creation.groups",
                           key);
        return include ? parse_regex_list(key, value, &g->include, &g->ninclude, errstr,
                                          errstr_size)
                       : parse_regex_list(key, value, &g->exclude, &g->nexclude, errstr,
                                          errstr_size);
    }
    /* Anything else is a topic config (cleanup.policy, retention.ms, ...):
     * the broker judges it when the topic is created. */
    tw_props_set(g->pub.configs, setting, value, key);
    return TW_OK;
}

static tw_err_t check_groups(tw_topic_groups_t *tc, char *errstr, size_t errstr_size)
{
    const tw_topic_group_t *dflt = &tc->groups[tc->ngroups - 1].pub;
    size_t i;

    for (i = 0; i < tc->ngroups; i++) {
        group_t *g = &tc->groups[i];
        bool is_default = i == tc->ngroups - 1;
        if (!is_default && g->ninclude == 0)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "topic creation group \"%s\" has no topic.creation.%s.include: it "
                           "would match no topic; set the regular expressions of the topics "
                           "it is for",
                           g->pub.name, g->pub.name);
        /* Groups inherit what they leave out from the default group. */
        if (g->pub.replication_factor == 0)
            g->pub.replication_factor = dflt->replication_factor;
        if (g->pub.partitions == 0)
            g->pub.partitions = dflt->partitions;
    }
    return TW_OK;
}

/* Whether topic creation is asked for: an error when it is half set. */
static tw_err_t creation_wanted(const tw_props_t *props, bool *wanted, char *errstr,
                                size_t errstr_size)
{
    const char *enable = tw_props_get(props, PREFIX "enable");
    const char *rf = tw_props_get(props, PREFIX "default.replication.factor");
    const char *partitions = tw_props_get(props, PREFIX "default.partitions");
    size_t i, n = tw_props_count(props);
    bool any = false;

    *wanted = false;
    if (enable && strcmp(enable, "true") != 0 && strcmp(enable, "false") != 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "topic.creation.enable=%s: expected true or false", enable);
    for (i = 0; i < n; i++) {
        const char *key, *value, *origin;
        tw_props_entry(props, i, &key, &value, &origin);
        if (strncmp(key, PREFIX, strlen(PREFIX)) == 0 && strcmp(key, PREFIX "enable") != 0)
            any = true;
    }
    if (!any || (enable && strcmp(enable, "false") == 0))
        return TW_OK;
    if (rf == NULL || partitions == NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "topic.creation.* keys are set but topic.creation.default.%s is not: "
                       "Kafka Connect creates topics only when both "
                       "topic.creation.default.replication.factor and "
                       "topic.creation.default.partitions are set; set both (-1 takes the "
                       "broker's defaults) or remove the topic.creation keys",
                       rf == NULL ? "replication.factor" : "partitions");
    *wanted = true;
    return TW_OK;
}

/* The groups of topic.creation.groups, in order, then "default". */
static void add_listed_groups(tw_topic_groups_t *tc, const char *groups)
{
    char *copy, *save = NULL, *item;

    if (groups) {
        copy = tw_strdup(groups);
        for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
            item = trim(item);
            if (*item && strcmp(item, "default") != 0 && !find_group(tc, item, strlen(item)))
                add_group(tc, item);
        }
        free(copy);
    }
    add_group(tc, "default");
}

tw_err_t tw_topic_groups_new(const tw_props_t *props, tw_topic_groups_t **out, char *errstr,
                             size_t errstr_size)
{
    tw_topic_groups_t *tc;
    size_t i, n = tw_props_count(props);
    bool wanted;
    tw_err_t err;

    *out = NULL;
    err = creation_wanted(props, &wanted, errstr, errstr_size);
    if (err || !wanted)
        return err;
    tc = tw_calloc(1, sizeof(*tc));
    add_listed_groups(tc, tw_props_get(props, PREFIX "groups"));
    for (i = 0; i < n && err == TW_OK; i++) {
        const char *key, *value, *origin;
        tw_props_entry(props, i, &key, &value, &origin);
        if (strncmp(key, PREFIX, strlen(PREFIX)) != 0 || strcmp(key, PREFIX "enable") == 0 ||
            strcmp(key, PREFIX "groups") == 0)
            continue;
        err = apply_key(tc, key, value, errstr, errstr_size);
    }
    if (err == TW_OK)
        err = check_groups(tc, errstr, errstr_size);
    if (err) {
        tw_topic_groups_destroy(tc);
        return err;
    }
    *out = tc;
    return TW_OK;
}

const tw_topic_group_t *tw_topic_groups_for(const tw_topic_groups_t *tc, const char *topic)
{
    size_t i, j;

    for (i = 0; i + 1 < tc->ngroups; i++) {
        const group_t *g = &tc->groups[i];
        bool in = false;
        for (j = 0; j < g->ninclude && !in; j++)
            in = tw_jregex_matches(g->include[j], topic);
        for (j = 0; j < g->nexclude && in; j++)
            in = !tw_jregex_matches(g->exclude[j], topic);
        if (in)
            return &g->pub;
    }
    return &tc->groups[tc->ngroups - 1].pub;
}
