/*
 * registry.c — libcurl requests, retries and failover, and the id cache.
 */
#include "codec/registry.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"

#define CACHE_BUCKETS 256
#define ATTEMPT_ROUNDS 3

typedef struct cache_entry {
    char *key; /* subject NUL schema */
    size_t key_len;
    int32_t id;
    struct cache_entry *next;
} cache_entry_t;

struct tw_registry {
    CURL *curl;
    char **urls;
    char **shown_urls; /* the same without user:password@, for messages */
    size_t nurls;
    size_t current; /* the URL that answered last */
    char *which;    /* "key.converter" or "value.converter", for messages */
    char *user_info;
    cache_entry_t *cache[CACHE_BUCKETS];
    tw_buf_t response;
    uint64_t calls, errors;
    long last_status; /* HTTP status of the last answer (0: none) */
};

static void global_init(void)
{
    static int done = 0;
    if (!done) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        done = 1;
    }
}

static size_t on_body(char *data, size_t size, size_t n, void *opaque)
{
    tw_buf_append(opaque, data, size * n);
    return size * n;
}

void tw_url_without_userinfo(const char *url, char *out, size_t out_size)
{
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : url;
    const char *at = strchr(host, '@');
    const char *slash = strchr(host, '/');

    if (at && (slash == NULL || at < slash))
        snprintf(out, out_size, "%.*s%s", (int)(host - url), url, at + 1);
    else
        snprintf(out, out_size, "%s", url);
}

tw_err_t tw_registry_new(const tw_converter_config_t *conv, const char *which,
                         tw_registry_t **out, char *errstr, size_t errstr_size)
{
    tw_registry_t *reg;
    size_t i;

    *out = NULL;
    if (conv->registry_url == NULL || conv->registry_url[0] == '\0')
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s.schema.registry.url is required with the AvroConverter", which);
    global_init();
    reg = tw_calloc(1, sizeof(*reg));
    reg->which = tw_strdup(which);
    reg->nurls = tw_config_split_list(conv->registry_url, &reg->urls);
    reg->shown_urls = tw_calloc(reg->nurls ? reg->nurls : 1, sizeof(char *));
    for (i = 0; i < reg->nurls; i++) {
        size_t n = strlen(reg->urls[i]);
        while (n > 0 && reg->urls[i][n - 1] == '/')
            reg->urls[i][--n] = '\0';
        reg->shown_urls[i] = tw_malloc(n + 1);
        tw_url_without_userinfo(reg->urls[i], reg->shown_urls[i], n + 1);
    }
    reg->curl = curl_easy_init();
    if (conv->basic_auth_source == TW_BASIC_AUTH_USER_INFO && conv->basic_auth_user_info)
        reg->user_info = tw_strdup(conv->basic_auth_user_info);
    curl_easy_setopt(reg->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)conv->connect_timeout_ms);
    curl_easy_setopt(reg->curl, CURLOPT_TIMEOUT_MS, (long)conv->request_timeout_ms);
    curl_easy_setopt(reg->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(reg->curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(reg->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(reg->curl, CURLOPT_WRITEDATA, &reg->response);
    curl_easy_setopt(reg->curl, CURLOPT_USERAGENT, "tidewater");
    if (reg->user_info) {
        curl_easy_setopt(reg->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(reg->curl, CURLOPT_USERPWD, reg->user_info);
    }
    if (conv->ssl_ca_location)
        curl_easy_setopt(reg->curl, CURLOPT_CAINFO, conv->ssl_ca_location);
    if (conv->ssl_certificate_location)
        curl_easy_setopt(reg->curl, CURLOPT_SSLCERT, conv->ssl_certificate_location);
    if (conv->ssl_key_location)
        curl_easy_setopt(reg->curl, CURLOPT_SSLKEY, conv->ssl_key_location);
    if (conv->ssl_key_password)
        curl_easy_setopt(reg->curl, CURLOPT_KEYPASSWD, conv->ssl_key_password);
    *out = reg;
    return TW_OK;
}

void tw_registry_destroy(tw_registry_t *reg)
{
    size_t i;

    if (reg == NULL)
        return;
    for (i = 0; i < CACHE_BUCKETS; i++) {
        cache_entry_t *e = reg->cache[i];
        while (e) {
            cache_entry_t *next = e->next;
            free(e->key);
            free(e);
            e = next;
        }
    }
    if (reg->user_info) {
        memset(reg->user_info, 0, strlen(reg->user_info));
        free(reg->user_info);
    }
    curl_easy_cleanup(reg->curl);
    tw_config_free_list(reg->shown_urls, reg->nurls);
    tw_config_free_list(reg->urls, reg->nurls);
    tw_buf_free(&reg->response);
    free(reg->which);
    free(reg);
}

/* Outcome of one HTTP exchange. */
typedef struct http_result {
    long status; /* 0: no answer (connection failed) */
    bool tls;    /* the TLS handshake failed (certificate, CA) */
    char curl_error[CURL_ERROR_SIZE];
} http_result_t;

static void do_request(tw_registry_t *reg, const char *url, const char *method,
                       const char *body, http_result_t *res)
{
    struct curl_slist *headers = NULL;
    CURLcode rc;

    tw_buf_reset(&reg->response);
    res->status = 0;
    res->tls = false;
    res->curl_error[0] = '\0';
    headers = curl_slist_append(headers, "Accept: application/vnd.schemaregistry.v1+json, "
                                         "application/json");
    headers = curl_slist_append(headers, "Content-Type: application/vnd.schemaregistry.v1+json");
    curl_easy_setopt(reg->curl, CURLOPT_URL, url);
    curl_easy_setopt(reg->curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(reg->curl, CURLOPT_ERRORBUFFER, res->curl_error);
    if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        curl_easy_setopt(reg->curl, CURLOPT_HTTPGET, 0L);
        curl_easy_setopt(reg->curl, CURLOPT_POSTFIELDS, body);
        /* PUT with a body: libcurl's POST, renamed. */
        curl_easy_setopt(reg->curl, CURLOPT_CUSTOMREQUEST,
                         strcmp(method, "PUT") == 0 ? "PUT" : NULL);
    } else {
        curl_easy_setopt(reg->curl, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(reg->curl, CURLOPT_HTTPGET, 1L);
    }
    reg->calls++;
    rc = curl_easy_perform(reg->curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(reg->curl, CURLINFO_RESPONSE_CODE, &res->status);
    else if (res->curl_error[0] == '\0')
        snprintf(res->curl_error, sizeof(res->curl_error), "%s", curl_easy_strerror(rc));
    res->tls = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
               rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM;
    curl_slist_free_all(headers);
    if (rc != CURLE_OK || res->status >= 400)
        reg->errors++;
}

void tw_registry_parse_error(const char *body, size_t len, char *out, size_t out_size)
{
    json_t *doc = len ? json_loadb(body, len, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(doc, "message"));

    if (msg)
        snprintf(out, out_size, "%s", msg);
    else
        snprintf(out, out_size, "%.*s", (int)TW_MIN(len, (size_t)400), body ? body : "");
    json_decref(doc);
}

/* The registry's "message" from an error body, or the raw body. */
static void error_message(const tw_buf_t *body, char *out, size_t out_size)
{
    tw_registry_parse_error(body->data, body->len, out, out_size);
}

static void sleep_backoff(int round)
{
    /* 100 ms, 200 ms, ... with up to 50% jitter so restarted connectors do
     * not retry in lockstep. */
    long base = 100L << round;
    long jitter = rand() % (base / 2 + 1);
    struct timespec ts = {0, (base + jitter) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * Sends method+path to each URL in turn, starting with the one that worked
 * last, for a few rounds. Returns TW_OK with the 2xx body in reg->response,
 * TW_ERR_REJECTED for a definite 4xx answer, TW_ERR_UNAVAILABLE otherwise.
 */
static tw_err_t request(tw_registry_t *reg, const char *method, const char *path,
                        const char *body, const char *what, char *errstr, size_t errstr_size)
{
    tw_buf_t url = TW_BUF_INIT;
    http_result_t res;
    char last[1600] = "";
    char msg[1024];
    int round;
    size_t k;
    bool tls = false; /* the last failure was a TLS handshake */

    for (round = 0; round < ATTEMPT_ROUNDS; round++) {
        for (k = 0; k < reg->nurls; k++) {
            size_t idx = (reg->current + k) % reg->nurls;
            tw_buf_reset(&url);
            tw_buf_printf(&url, "%s%s", reg->urls[idx], path);
            do_request(reg, url.data, method, body, &res);
            reg->last_status = res.status;
            if (res.status >= 200 && res.status < 300) {
                reg->current = idx;
                tw_buf_free(&url);
                return TW_OK;
            }
            if (res.status >= 400 && res.status < 500 && res.status != 408 &&
                res.status != 429) {
                error_message(&reg->response, msg, sizeof(msg));
                tw_buf_free(&url);
                if (res.status == 401 || res.status == 403)
                    return tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                                   "the schema registry at %s refused the credentials (HTTP "
                                   "%ld): check %s.basic.auth.user.info",
                                   reg->shown_urls[idx], res.status, reg->which);
                return tw_errf(TW_ERR_REJECTED, errstr, errstr_size,
                               "the schema registry refused %s (HTTP %ld): %s", what,
                               res.status, msg);
            }
            if (res.status)
                error_message(&reg->response, msg, sizeof(msg));
            snprintf(last, sizeof(last), "%s: %s", reg->shown_urls[idx],
                     res.status ? msg : res.curl_error);
            tls = res.tls;
        }
        if (round + 1 < ATTEMPT_ROUNDS)
            sleep_backoff(round);
    }
    tw_buf_free(&url);
    if (tls)
        return tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                       "TLS with the schema registry failed for %s (%s); check "
                       "%s.schema.registry.ssl.ca.location (the CA that signed the registry's "
                       "certificate), that the host name in %s.schema.registry.url matches that "
                       "certificate, and the client certificate settings if the registry "
                       "requires one",
                       what, last, reg->which, reg->which);
    return tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                   "the schema registry did not answer %s (%s); check %s.schema.registry.url",
                   what, last, reg->which);
}

static unsigned cache_hash(const char *key, size_t len)
{
    unsigned h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h % CACHE_BUCKETS;
}

static cache_entry_t *cache_find(tw_registry_t *reg, const char *subject, const char *schema,
                                 tw_buf_t *key)
{
    cache_entry_t *e;

    tw_buf_reset(key);
    tw_buf_append(key, subject, strlen(subject) + 1);
    tw_buf_append_str(key, schema);
    for (e = reg->cache[cache_hash(key->data, key->len)]; e; e = e->next)
        if (e->key_len == key->len && memcmp(e->key, key->data, key->len) == 0)
            return e;
    return NULL;
}

static void cache_put(tw_registry_t *reg, tw_buf_t *key, int32_t id)
{
    unsigned h = cache_hash(key->data, key->len);
    cache_entry_t *e = tw_calloc(1, sizeof(*e));

    e->key = tw_malloc(key->len);
    memcpy(e->key, key->data, key->len);
    e->key_len = key->len;
    e->id = id;
    e->next = reg->cache[h];
    reg->cache[h] = e;
}

tw_err_t tw_registry_parse_id(const char *body, size_t len, int32_t *id, char *errstr,
                              size_t errstr_size)
{
    json_t *doc = len ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *v = json_object_get(doc, "id");
    tw_err_t err = TW_OK;

    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
        err = tw_errf(TW_ERR_UNAVAILABLE, errstr, errstr_size,
                      "the schema registry answered without a valid id: %.*s",
                      len ? (int)TW_MIN(len, (size_t)200) : 12, len ? body : "(empty body)");
    else
        *id = (int32_t)json_integer_value(v);
    json_decref(doc);
    return err;
}

/* Parses {"id": N, ...} from the last response. */
static tw_err_t response_id(tw_registry_t *reg, int32_t *id, char *errstr, size_t errstr_size)
{
    return tw_registry_parse_id(reg->response.data, reg->response.len, id, errstr, errstr_size);
}

static tw_err_t subject_call(tw_registry_t *reg, const char *subject, const char *schema,
                             const char *suffix, const char *what, int32_t *id, char *errstr,
                             size_t errstr_size)
{
    tw_buf_t key = TW_BUF_INIT, path = TW_BUF_INIT, desc = TW_BUF_INIT;
    cache_entry_t *hit = cache_find(reg, subject, schema, &key);
    char *escaped, *body;
    json_t *doc;
    tw_err_t err;

    if (hit) {
        *id = hit->id;
        tw_buf_free(&key);
        return TW_OK;
    }
    escaped = curl_easy_escape(reg->curl, subject, 0);
    tw_buf_printf(&path, "/subjects/%s%s", escaped, suffix);
    curl_free(escaped);
    doc = json_pack("{s:s}", "schema", schema);
    body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    tw_buf_printf(&desc, "%s under subject \"%s\"", what, subject);
    err = request(reg, "POST", path.data, body, desc.data, errstr, errstr_size);
    if (err == TW_OK)
        err = response_id(reg, id, errstr, errstr_size);
    if (err == TW_OK) {
        cache_put(reg, &key, *id);
        tw_log(TW_LOG_INFO, "SR", "schema id %d for subject \"%s\"", *id, subject);
    }
    free(body);
    tw_buf_free(&key);
    tw_buf_free(&path);
    tw_buf_free(&desc);
    return err;
}

tw_err_t tw_registry_register(tw_registry_t *reg, const char *subject, const char *schema,
                              int32_t *id, char *errstr, size_t errstr_size)
{
    return subject_call(reg, subject, schema, "/versions", "registering a schema", id, errstr,
                        errstr_size);
}

tw_err_t tw_registry_lookup(tw_registry_t *reg, const char *subject, const char *schema,
                            int32_t *id, char *errstr, size_t errstr_size)
{
    return subject_call(reg, subject, schema, "", "looking up a schema (auto.register.schemas="
                                                  "false: register it first)",
                        id, errstr, errstr_size);
}

tw_err_t tw_registry_latest(tw_registry_t *reg, const char *subject, int32_t *id, char *errstr,
                            size_t errstr_size)
{
    tw_buf_t path = TW_BUF_INIT, desc = TW_BUF_INIT;
    char *escaped = curl_easy_escape(reg->curl, subject, 0);
    tw_err_t err;

    tw_buf_printf(&path, "/subjects/%s/versions/latest", escaped);
    tw_buf_printf(&desc, "the latest schema of subject \"%s\"", subject);
    curl_free(escaped);
    err = request(reg, "GET", path.data, NULL, desc.data, errstr, errstr_size);
    if (err == TW_OK)
        err = response_id(reg, id, errstr, errstr_size);
    tw_buf_free(&path);
    tw_buf_free(&desc);
    return err;
}

tw_err_t tw_registry_ping(tw_registry_t *reg, char *errstr, size_t errstr_size)
{
    return request(reg, "GET", "/subjects", NULL, "a subject listing", errstr, errstr_size);
}

uint64_t tw_registry_calls(const tw_registry_t *reg)
{
    return reg->calls;
}

uint64_t tw_registry_errors(const tw_registry_t *reg)
{
    return reg->errors;
}

/* ------------------------------------------------------------------ subjects */

/* prefix + the escaped subject + suffix. */
static char *subject_path(tw_registry_t *reg, const char *prefix, const char *subject,
                          const char *suffix)
{
    tw_buf_t path = TW_BUF_INIT;
    char *escaped = curl_easy_escape(reg->curl, subject, 0);

    tw_buf_printf(&path, "%s%s%s", prefix, escaped, suffix);
    curl_free(escaped);
    return path.data;
}

/* The "error_code" of the last answer's JSON body; 0 when it has none (a
 * plain-text answer, or a proxy's). */
static long response_error_code(const tw_registry_t *reg)
{
    json_t *doc = reg->response.len ? json_loadb(reg->response.data, reg->response.len, 0, NULL)
                                    : NULL;
    json_t *code = json_object_get(doc, "error_code");
    long out = json_is_integer(code) ? (long)json_integer_value(code) : 0;

    json_decref(doc);
    return out;
}

/* Only 404 with error_code 40401 means "no such subject": a bare 404 may be
 * a wrong base path or a route the registry lacks. */
static bool subject_not_found(const tw_registry_t *reg, tw_err_t err)
{
    return err == TW_ERR_REJECTED && reg->last_status == 404 && response_error_code(reg) == 40401;
}

tw_err_t tw_registry_subject_exists(tw_registry_t *reg, const char *subject, bool *exists,
                                    char *errstr, size_t errstr_size)
{
    char *path = subject_path(reg, "/subjects/", subject, "/versions");
    tw_err_t err = request(reg, "GET", path, NULL, "the versions of a subject", errstr,
                           errstr_size);

    free(path);
    *exists = err == TW_OK;
    if (subject_not_found(reg, err))
        err = TW_OK;
    return err;
}

tw_err_t tw_registry_set_compatibility(tw_registry_t *reg, const char *subject, const char *level,
                                       char *errstr, size_t errstr_size)
{
    char *path = subject_path(reg, "/config/", subject, "");
    json_t *doc = json_pack("{s:s}", "compatibility", level);
    char *body = json_dumps(doc, JSON_COMPACT);
    tw_buf_t desc = TW_BUF_INIT;
    tw_err_t err;

    tw_buf_printf(&desc, "compatibility level %s for subject \"%s\"", level, subject);
    err = request(reg, "PUT", path, body, desc.data, errstr, errstr_size);
    if (err == TW_OK)
        tw_log(TW_LOG_NOTICE, "SR", "subject \"%s\": compatibility level set to %s", subject,
               level);
    json_decref(doc);
    free(body);
    free(path);
    tw_buf_free(&desc);
    return err;
}

/* The subject's compatibility level (its own, else the global one) into
 * level; Confluent answers "compatibilityLevel", some registries
 * "compatibility". */
static tw_err_t compatibility_level(tw_registry_t *reg, const char *subject, char *level,
                                    size_t level_size, char *errstr, size_t errstr_size)
{
    char *path = subject_path(reg, "/config/", subject, "?defaultToGlobal=true");
    json_t *doc, *v;
    tw_err_t err;

    err = request(reg, "GET", path, NULL, "the compatibility level of a subject", errstr,
                  errstr_size);
    free(path);
    if (err == TW_ERR_REJECTED && reg->last_status == 404) /* no subject-level setting */
        err = request(reg, "GET", "/config", NULL, "the global compatibility level", errstr,
                      errstr_size);
    if (err)
        return err;
    doc = json_loadb(reg->response.data, reg->response.len, 0, NULL);
    v = json_object_get(doc, "compatibilityLevel");
    if (!json_is_string(v))
        v = json_object_get(doc, "compatibility");
    if (json_is_string(v))
        snprintf(level, level_size, "%s", json_string_value(v));
    else
        err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                      "the schema registry's compatibility level answer has no "
                      "compatibilityLevel: %.*s",
                      (int)TW_MIN(reg->response.len, (size_t)200),
                      reg->response.data ? reg->response.data : "");
    json_decref(doc);
    return err;
}

/* Reads {"is_compatible": bool, "messages": [...]} from the last answer,
 * clearing *compatible when false and appending the messages to why. */
static tw_err_t read_compatibility(tw_registry_t *reg, bool *compatible, tw_buf_t *why,
                                   char *errstr, size_t errstr_size)
{
    json_t *answer = json_loadb(reg->response.data, reg->response.len, 0, NULL);
    json_t *m;
    size_t i;

    if (!json_is_boolean(json_object_get(answer, "is_compatible"))) {
        json_decref(answer);
        return tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                       "the schema registry's compatibility answer has no is_compatible");
    }
    if (!json_is_true(json_object_get(answer, "is_compatible")))
        *compatible = false;
    json_array_foreach(json_object_get(answer, "messages"), i, m) {
        if (json_is_string(m)) {
            if (why->len)
                tw_buf_append_str(why, "; ");
            tw_buf_append_str(why, json_string_value(m));
        }
    }
    json_decref(answer);
    return TW_OK;
}

/* POST /compatibility/subjects/{subject}/versions{suffix}?verbose=true. */
static tw_err_t check_request(tw_registry_t *reg, const char *subject, const char *suffix,
                              const char *body, char *errstr, size_t errstr_size)
{
    tw_buf_t tail = TW_BUF_INIT;
    char *path;
    tw_err_t err;

    tw_buf_printf(&tail, "/versions%s?verbose=true", suffix);
    path = subject_path(reg, "/compatibility/subjects/", subject, tail.data);
    err = request(reg, "POST", path, body, "a compatibility check", errstr, errstr_size);
    free(path);
    tw_buf_free(&tail);
    return err;
}

/* For registries without the unversioned route (Karapace, Apicurio): the
 * latest version, or each version under a *_TRANSITIVE level. */
static tw_err_t check_per_version(tw_registry_t *reg, const char *subject, const char *body,
                                  bool *compatible, bool *new_subject, tw_buf_t *why,
                                  char *errstr, size_t errstr_size)
{
    char level[64], *path = NULL;
    json_t *versions = NULL, *v;
    tw_buf_t suffix = TW_BUF_INIT;
    tw_err_t err;
    size_t i;

    err = compatibility_level(reg, subject, level, sizeof(level), errstr, errstr_size);
    if (err)
        goto cleanup;
    if (strstr(level, "_TRANSITIVE") == NULL) {
        err = check_request(reg, subject, "/latest", body, errstr, errstr_size);
        if (err == TW_OK)
            err = read_compatibility(reg, compatible, why, errstr, errstr_size);
        goto cleanup;
    }
    path = subject_path(reg, "/subjects/", subject, "/versions");
    err = request(reg, "GET", path, NULL, "the versions of a subject", errstr, errstr_size);
    if (err)
        goto cleanup;
    versions = json_loadb(reg->response.data, reg->response.len, 0, NULL);
    if (!json_is_array(versions)) {
        err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                      "the schema registry's version list of subject \"%s\" is not an array",
                      subject);
        goto cleanup;
    }
    json_array_foreach(versions, i, v) {
        if (!json_is_integer(v)) {
            err = tw_errf(TW_ERR_MALFORMED, errstr, errstr_size,
                          "the schema registry's version list of subject \"%s\" holds a "
                          "non-number", subject);
            goto cleanup;
        }
        tw_buf_reset(&suffix);
        tw_buf_printf(&suffix, "/%lld", (long long)json_integer_value(v));
        err = check_request(reg, subject, suffix.data, body, errstr, errstr_size);
        if (err == TW_OK)
            err = read_compatibility(reg, compatible, why, errstr, errstr_size);
        if (err)
            goto cleanup;
    }

cleanup:
    if (subject_not_found(reg, err)) {
        *new_subject = true;
        err = TW_OK;
    }
    json_decref(versions);
    free(path);
    tw_buf_free(&suffix);
    return err;
}

tw_err_t tw_registry_check_compatible(tw_registry_t *reg, const char *subject, const char *schema,
                                      bool *compatible, char *why, size_t why_size,
                                      char *errstr, size_t errstr_size)
{
    json_t *doc = json_pack("{s:s}", "schema", schema);
    char *body = json_dumps(doc, JSON_COMPACT);
    tw_buf_t text = TW_BUF_INIT;
    bool new_subject = false;
    long code;
    tw_err_t err;

    json_decref(doc);
    *compatible = true;
    if (why_size)
        why[0] = '\0';
    /* .../versions (not .../versions/latest): under a *_TRANSITIVE level
     * Confluent then checks every version, as registering would. */
    err = check_request(reg, subject, "", body, errstr, errstr_size);
    if (err == TW_OK) {
        err = read_compatibility(reg, compatible, &text, errstr, errstr_size);
    } else if (err == TW_ERR_REJECTED && reg->last_status == 404) {
        code = response_error_code(reg);
        if (code == 40401) {
            new_subject = true;
            err = TW_OK;
        } else if (code == 0 || code == 404) {
            /* No such route (Karapace answers a plain-text 404): never
             * read as success — ask version by version instead. */
            tw_log(TW_LOG_DEBUG, "SR",
                   "no unversioned compatibility route; checking subject \"%s\" per version",
                   subject);
            err = check_per_version(reg, subject, body, compatible, &new_subject, &text, errstr,
                                    errstr_size);
        }
    }
    if (err)
        *compatible = false;
    else if (new_subject)
        snprintf(why, why_size, "subject \"%s\" does not exist yet", subject);
    else
        snprintf(why, why_size, "%s", text.len ? text.data : "");
    free(body);
    tw_buf_free(&text);
    return err;
}
