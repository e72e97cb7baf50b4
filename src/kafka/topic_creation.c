/*
 * topic_creation.c — Kafka Connect's topic.creation.* groups, and creating
 * a missing topic with them through librdkafka's admin API.
 */
#include "kafka/topic_creation.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jregex.h"
#include "util/log.h"

#define PREFIX "topic.creation."

typedef struct group {
    char *name;
    tw_jregex_t **include; /* whole-name Java regexes */
    size_t ninclude;
    tw_jregex_t **exclude;
    size_t nexclude;
    int replication_factor; /* -1: the broker's default.replication.factor */
    int partitions;         /* -1: the broker's num.partitions */
    tw_props_t *configs;    /* every other key: a topic config */
} group_t;

struct tw_topic_creation {
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
    tw_props_destroy(g->configs);
    free(g->name);
}

void tw_topic_creation_destroy(tw_topic_creation_t *tc)
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

static group_t *find_group(tw_topic_creation_t *tc, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < tc->ngroups; i++)
        if (strlen(tc->groups[i].name) == len && strncmp(tc->groups[i].name, name, len) == 0)
            return &tc->groups[i];
    return NULL;
}

static void add_group(tw_topic_creation_t *tc, const char *name)
{
    group_t *g;

    tc->groups = tw_realloc(tc->groups, (tc->ngroups + 1) * sizeof(*tc->groups));
    g = &tc->groups[tc->ngroups++];
    memset(g, 0, sizeof(*g));
    g->name = tw_strdup(name);
    g->replication_factor = g->partitions = 0; /* 0: not set */
    g->configs = tw_props_new();
}

/* One topic.creation.<group>.<setting> key. */
static tw_err_t apply_key(tw_topic_creation_t *tc, const char *key, const char *value,
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
        return parse_count(key, value, &g->replication_factor, errstr, errstr_size);
    if (strcmp(setting, "partitions") == 0)
        return parse_count(key, value, &g->partitions, errstr, errstr_size);
    if (strcmp(setting, "include") == 0 || strcmp(setting, "exclude") == 0) {
        bool include = setting[0] == 'i';
        if (strcmp(g->name, "default") == 0)
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
    tw_props_set(g->configs, setting, value, key);
    return TW_OK;
}

static tw_err_t check_groups(tw_topic_creation_t *tc, char *errstr, size_t errstr_size)
{
    size_t i;

    for (i = 0; i < tc->ngroups; i++) {
        group_t *g = &tc->groups[i];
        bool is_default = i == tc->ngroups - 1;
        if (!is_default && g->ninclude == 0)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "topic creation group \"%s\" has no topic.creation.%s.include: it "
                           "would match no topic; set the regular expressions of the topics "
                           "it is for",
                           g->name, g->name);
        /* Groups inherit what they leave out from the default group. */
        if (g->replication_factor == 0)
            g->replication_factor = tc->groups[tc->ngroups - 1].replication_factor;
        if (g->partitions == 0)
            g->partitions = tc->groups[tc->ngroups - 1].partitions;
    }
    return TW_OK;
}

tw_err_t tw_topic_creation_new(const tw_props_t *props, tw_topic_creation_t **out,
                               char *errstr, size_t errstr_size)
{
    const char *enable = tw_props_get(props, PREFIX "enable");
    const char *groups = tw_props_get(props, PREFIX "groups");
    const char *rf = tw_props_get(props, PREFIX "default.replication.factor");
    const char *partitions = tw_props_get(props, PREFIX "default.partitions");
    tw_topic_creation_t *tc;
    tw_err_t err = TW_OK;
    size_t i, n = tw_props_count(props);
    bool any = false;

    *out = NULL;
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

    tc = tw_calloc(1, sizeof(*tc));
    if (groups) {
        char *copy = tw_strdup(groups), *save = NULL, *item;
        for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
            item = trim(item);
            if (*item && strcmp(item, "default") != 0 && !find_group(tc, item, strlen(item)))
                add_group(tc, item);
        }
        free(copy);
    }
    add_group(tc, "default");
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
        tw_topic_creation_destroy(tc);
        return err;
    }
    *out = tc;
    return TW_OK;
}

static const group_t *group_for(const tw_topic_creation_t *tc, const char *topic)
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
            return g;
    }
    return &tc->groups[tc->ngroups - 1];
}

const char *tw_topic_creation_group(const tw_topic_creation_t *tc, const char *topic)
{
    return group_for(tc, topic)->name;
}

/* TW_OK with *exists set, or TW_ERR_AGAIN when the cluster did not answer. */
static tw_err_t topic_exists(rd_kafka_t *rk, const char *topic, int timeout_ms, bool *exists,
                             char *errstr, size_t errstr_size)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err;

    if (rkt == NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "librdkafka refuses the topic name (%s)",
                       rd_kafka_err2str(rd_kafka_last_error()));
    err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
    rd_kafka_topic_destroy(rkt);
    if (err)
        return tw_errf(TW_ERR_AGAIN, errstr, errstr_size,
                       "cannot ask Kafka whether topic %s exists: %s", topic,
                       rd_kafka_err2str(err));
    err = md->topic_cnt > 0 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    rd_kafka_metadata_destroy(md);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        *exists = true;
        return TW_OK;
    }
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        *exists = false;
        return TW_OK;
    }
    if (err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        return tw_errf(TW_ERR_AGAIN, errstr, errstr_size, "topic %s has no leader yet", topic);
    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                   "cannot read the metadata of topic %s: %s (check the producer's ACLs: "
                   "topic creation needs Describe and Create on the topic)",
                   topic, rd_kafka_err2str(err));
}

tw_err_t tw_topic_creation_ensure(const tw_topic_creation_t *tc, rd_kafka_t *rk,
                                  const char *topic, int timeout_ms, char *errstr,
                                  size_t errstr_size)
{
    const group_t *g = group_for(tc, topic);
    rd_kafka_NewTopic_t *nt = NULL;
    rd_kafka_AdminOptions_t *options = NULL;
    rd_kafka_queue_t *queue = NULL;
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_CreateTopics_result_t *result;
    const rd_kafka_topic_result_t **results;
    rd_kafka_resp_err_t rerr;
    char why[512];
    size_t i, n;
    bool exists = false;
    tw_err_t err;

    err = topic_exists(rk, topic, timeout_ms, &exists, errstr, errstr_size);
    if (err || exists)
        return err;
    nt = rd_kafka_NewTopic_new(topic, g->partitions, g->replication_factor, why, sizeof(why));
    if (nt == NULL)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "cannot create topic %s (topic creation group \"%s\"): %s", topic,
                       g->name, why);
    n = tw_props_count(g->configs);
    for (i = 0; i < n; i++) {
        const char *name, *value, *origin;
        tw_props_entry(g->configs, i, &name, &value, &origin);
        rd_kafka_NewTopic_set_config(nt, name, value);
    }
    options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, why, sizeof(why));
    rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, why, sizeof(why));
    queue = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, options, queue);
    ev = rd_kafka_queue_poll(queue, timeout_ms + 1000);
    if (ev == NULL) {
        err = tw_errf(TW_ERR_AGAIN, errstr, errstr_size,
                      "Kafka did not answer the request to create topic %s in time", topic);
        goto out;
    }
    rerr = rd_kafka_event_error(ev);
    result = rd_kafka_event_CreateTopics_result(ev);
    if (rerr == RD_KAFKA_RESP_ERR_NO_ERROR && result) {
        results = rd_kafka_CreateTopics_result_topics(result, &n);
        rerr = n > 0 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        snprintf(why, sizeof(why), "%s",
                 n > 0 && rd_kafka_topic_result_error_string(results[0])
                     ? rd_kafka_topic_result_error_string(results[0])
                     : rd_kafka_err2str(rerr));
    } else {
        snprintf(why, sizeof(why), "%s", rd_kafka_event_error_string(ev));
    }
    if (rerr == RD_KAFKA_RESP_ERR_NO_ERROR) {
        tw_log(TW_LOG_INFO, "KAFKA",
               "created topic %s (topic creation group \"%s\": partitions %d, replication "
               "factor %d, %zu topic config%s)",
               topic, g->name, g->partitions, g->replication_factor,
               tw_props_count(g->configs), tw_props_count(g->configs) == 1 ? "" : "s");
    } else if (rerr == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        /* Someone else created it meanwhile: as good. */
    } else if (rerr == RD_KAFKA_RESP_ERR__TIMED_OUT || rerr == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
               rerr == RD_KAFKA_RESP_ERR__TRANSPORT || rerr == RD_KAFKA_RESP_ERR_NOT_CONTROLLER) {
        err = tw_errf(TW_ERR_AGAIN, errstr, errstr_size, "creating topic %s: %s", topic, why);
    } else {
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "Kafka refused to create topic %s with topic creation group \"%s\" "
                      "(partitions %d, replication factor %d): %s: %s; change "
                      "topic.creation.%s.* (-1 takes the broker's default) or create the topic "
                      "yourself",
                      topic, g->name, g->partitions, g->replication_factor,
                      rd_kafka_err2name(rerr), why, g->name);
    }
out:
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(nt);
    return err;
}
