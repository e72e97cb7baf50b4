/*
 * client_keys.c — Java client settings to librdkafka's (see client_keys.h).
 * Users copy producer.* blocks from Kafka Connect and Debezium; librdkafka
 * would refuse these keys as unknown, or worse, a user would be tempted to
 * drop them and connect without the security they asked for.
 */
#include "config/client_keys.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct jaas {
    const char *module;   /* login module class */
    const char *username; /* NULL if absent */
    const char *password;
} jaas_t;

static char *skip_space(char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

/* A bare word: up to a space, '=' or ';'. Terminates it in place. */
static char *word(char **pp)
{
    char *start = *pp, *p = *pp;

    while (*p && !isspace((unsigned char)*p) && *p != '=' && *p != ';')
        p++;
    *pp = p;
    return start;
}

/* A value: "quoted" (\ escapes the next character) or a bare word; the
 * text is unescaped in place (never longer) and NUL-terminated. *semi is
 * set when a bare word ended at the closing ';' (overwritten by the NUL). */
static char *value(char **pp, bool *ok, bool *semi)
{
    char *p = *pp, *out, *start;

    if (*p != '"') {
        start = word(&p);
        *semi = *p == ';';
        if (*p)
            *p++ = '\0';
        *pp = p;
        return start;
    }
    start = out = ++p;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            p++;
        *out++ = *p++;
    }
    if (*p != '"') {
        *ok = false;
        return NULL;
    }
    p++;
    *out = '\0';
    *pp = p;
    return start;
}

/* Parses "Module required key=value ... ;" (one module, as Kafka's
 * clients accept) in text, which it modifies. */
static bool parse_jaas(char *text, jaas_t *out)
{
    char *p = skip_space(text), *flag, *key, *val;
    bool ok = true, semi = false;

    memset(out, 0, sizeof(*out));
    out->module = word(&p);
    if (*out->module == '\0' || !isspace((unsigned char)*p))
        return false;
    *p++ = '\0';
    p = skip_space(p);
    flag = word(&p);
    if (*p && !isspace((unsigned char)*p) && *p != ';')
        return false;
    {
        char save = *p;
        *p = '\0';
        if (strcasecmp(flag, "required") != 0 && strcasecmp(flag, "requisite") != 0 &&
            strcasecmp(flag, "sufficient") != 0 && strcasecmp(flag, "optional") != 0)
            return false;
        *p = save;
    }
    for (;;) {
        p = skip_space(p);
        if (*p == '\0')
            return true; /* a missing final ';' is forgiven */
        if (*p == ';')
            return *skip_space(p + 1) == '\0';
        key = word(&p);
        if (*key == '\0' || *p != '=')
            return false;
        *p++ = '\0';
        val = value(&p, &ok, &semi);
        if (!ok)
            return false;
        if (strcmp(key, "username") == 0)
            out->username = val;
        else if (strcmp(key, "password") == 0)
            out->password = val;
        if (semi)
            return *skip_space(p) == '\0';
    }
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static const char *origin_of(const tw_props_t *props, const char *key)
{
    size_t i, n = tw_props_count(props);

    for (i = 0; i < n; i++) {
        const char *k, *v, *origin;
        tw_props_entry(props, i, &k, &v, &origin);
        if (strcmp(k, key) == 0)
            return origin;
    }
    return "";
}

static tw_err_t from_jaas(tw_props_t *client, const char *prefix, char *errstr,
                          size_t errstr_size)
{
    const char *text = tw_props_get(client, "sasl.jaas.config");
    char *copy, *origin;
    jaas_t j;
    tw_err_t err = TW_OK;

    if (text == NULL)
        return TW_OK;
    copy = tw_strdup(text);
    origin = tw_strdup(origin_of(client, "sasl.jaas.config"));
    if (!parse_jaas(copy, &j))
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "%ssasl.jaas.config cannot be read: it must be one login module, "
                      "\"<class> required username=\\\"...\\\" password=\\\"...\\\";\"; or "
                      "set %ssasl.username and %ssasl.password instead",
                      prefix, prefix, prefix);
    else if (!ends_with(j.module, ".PlainLoginModule") &&
             !ends_with(j.module, ".ScramLoginModule"))
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "%ssasl.jaas.config uses %s, which librdkafka cannot load; for PLAIN and "
                      "SCRAM use its PlainLoginModule or ScramLoginModule form (or "
                      "%ssasl.username and %ssasl.password), for OAUTHBEARER and GSSAPI "
                      "librdkafka's own %ssasl.oauthbearer.* and %ssasl.kerberos.* settings",
                      prefix, j.module, prefix, prefix, prefix, prefix);
    else if (j.username == NULL || j.password == NULL)
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "%ssasl.jaas.config has no %s option", prefix,
                      j.username == NULL ? "username" : "password");
    else if (tw_props_get(client, "sasl.username") || tw_props_get(client, "sasl.password"))
        err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                      "%ssasl.jaas.config and %ssasl.username/%ssasl.password are both set: "
                      "keep one of them",
                      prefix, prefix, prefix);
    if (err == TW_OK) {
        tw_props_set(client, "sasl.username", j.username, origin);
        tw_props_set(client, "sasl.password", j.password, origin);
        tw_props_remove(client, "sasl.jaas.config");
    }
    /* The copy held the password. */
    memset(copy, 0, strlen(text));
    free(copy);
    free(origin);
    return err;
}

/* A store's type, as Java reads it: JKS when unset. */
static const char *store_type(const tw_props_t *client, const char *key)
{
    const char *t = tw_props_get(client, key);
    return t && *t ? t : "JKS";
}

static tw_err_t from_truststore(tw_props_t *client, const char *prefix, char *errstr,
                                size_t errstr_size)
{
    const char *type = store_type(client, "ssl.truststore.type");

    if (tw_props_get(client, "ssl.truststore.certificates")) {
        tw_props_rename(client, "ssl.truststore.certificates", "ssl.ca.pem");
        tw_props_remove(client, "ssl.truststore.type");
    }
    if (tw_props_get(client, "ssl.truststore.location") == NULL)
        return TW_OK;
    if (strcasecmp(type, "PEM") != 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%sssl.truststore.location is a %s trust store, which librdkafka cannot "
                       "read: export its CA certificates to a PEM file (keytool -exportcert "
                       "-rfc) and set %sssl.ca.location to it (or %sssl.truststore.type=PEM if "
                       "the file is PEM already)",
                       prefix, type, prefix, prefix);
    tw_props_rename(client, "ssl.truststore.location", "ssl.ca.location");
    tw_props_remove(client, "ssl.truststore.type");
    tw_props_remove(client, "ssl.truststore.password"); /* PEM trust stores have none */
    return TW_OK;
}

static tw_err_t from_keystore(tw_props_t *client, const char *prefix, char *errstr,
                              size_t errstr_size)
{
    const char *type = tw_props_get(client, "ssl.keystore.type");
    const char *loc;

    tw_props_rename(client, "ssl.keystore.certificate.chain", "ssl.certificate.pem");
    tw_props_rename(client, "ssl.keystore.key", "ssl.key.pem");
    if (type == NULL)
        return TW_OK; /* librdkafka reads ssl.keystore.location as PKCS#12 */
    if (strcasecmp(type, "PKCS12") == 0) {
        tw_props_remove(client, "ssl.keystore.type");
        return TW_OK;
    }
    if (strcasecmp(type, "PEM") != 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%sssl.keystore.type=%s: librdkafka reads PKCS12 key stores "
                       "(%sssl.keystore.location) or PEM files (%sssl.certificate.location "
                       "and %sssl.key.location); convert the key store (keytool -importkeystore "
                       "-deststoretype PKCS12)",
                       prefix, type, prefix, prefix, prefix);
    tw_props_remove(client, "ssl.keystore.type");
    loc = tw_props_get(client, "ssl.keystore.location");
    if (loc) {
        /* A PEM key store holds the key and the certificate chain in one file. */
        char *file = tw_strdup(loc), *origin = tw_strdup(origin_of(client,
                                                                  "ssl.keystore.location"));
        tw_props_rename(client, "ssl.keystore.location", "ssl.certificate.location");
        tw_props_set(client, "ssl.key.location", file, origin);
        free(file);
        free(origin);
    }
    return TW_OK;
}

tw_err_t tw_client_keys_from_java(tw_props_t *client, const char *prefix, char *errstr,
                                  size_t errstr_size)
{
    const char *alg = tw_props_get(client, "ssl.endpoint.identification.algorithm");
    tw_err_t err = from_jaas(client, prefix, errstr, errstr_size);

    if (err == TW_OK)
        err = from_truststore(client, prefix, errstr, errstr_size);
    if (err == TW_OK)
        err = from_keystore(client, prefix, errstr, errstr_size);
    /* Java turns host name verification off with an empty value. */
    if (err == TW_OK && alg && *alg == '\0') {
        char *origin = tw_strdup(origin_of(client, "ssl.endpoint.identification.algorithm"));
        tw_props_set(client, "ssl.endpoint.identification.algorithm", "none", origin);
        free(origin);
    }
    return err;
}
