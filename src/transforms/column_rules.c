/*
 * column_rules.c — column filters and mappers of change events (see
 * column_rules.h).
 */
#include "transforms/column_rules.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jregex.h"

/* In Debezium's order of precedence. */
typedef enum { RULE_TRUNCATE, RULE_MASK, RULE_PROPAGATE, RULE_HASH, RULE_HASH_V2 } rule_kind_t;

typedef struct patterns {
    tw_jregex_t **res;
    size_t n;
} patterns_t;

struct tw_column_rule {
    rule_kind_t kind;
    patterns_t columns;
    int length;    /* truncate: the maximum; mask: the mask's length */
    char *mask;    /* mask: length '*'s */
    const EVP_MD *md;
    char *salt;
    bool v2; /* hash the text's bytes (v2), or its Java serialization (v1) */
};

struct tw_column_rules {
    patterns_t include, exclude;
    tw_column_rule_t *rules;
    size_t nrules;
};

static void patterns_clear(patterns_t *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        tw_jregex_destroy(p->res[i]);
    free(p->res);
}

static tw_err_t patterns_parse(const char *list, const char *key, patterns_t *p, char *errstr,
                               size_t errstr_size)
{
    char **items = NULL;
    size_t n = tw_config_split_list(list ? list : "", &items), i;
    tw_err_t err = TW_OK;

    p->res = tw_calloc(n ? n : 1, sizeof(*p->res));
    for (i = 0; i < n && err == TW_OK; i++) {
        err = tw_jregex_compile_nocase(items[i], key, &p->res[i], errstr, errstr_size);
        if (err == TW_OK)
            p->n++;
    }
    tw_config_free_list(items, n);
    return err;
}

static bool patterns_match(const patterns_t *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        if (tw_jregex_matches(p->res[i], name))
            return true;
    return false;
}

void tw_column_rules_destroy(tw_column_rules_t *rules)
{
    size_t i;

    if (rules == NULL)
        return;
    patterns_clear(&rules->include);
    patterns_clear(&rules->exclude);
    for (i = 0; i < rules->nrules; i++) {
        patterns_clear(&rules->rules[i].columns);
        free(rules->rules[i].mask);
        free(rules->rules[i].salt);
    }
    free(rules->rules);
    free(rules);
}

/* "<digits>" followed by `suffix` exactly; the number, or -1. */
static int count_before(const char *s, const char *suffix)
{
    size_t digits = strspn(s, "0123456789");
    long n;

    if (digits == 0 || digits > 6 || strcmp(s + digits, suffix) != 0)
        return -1;
    n = strtol(s, NULL, 10);
    return n > 0 ? (int)n : -1;
}

/* Java's MessageDigest names as OpenSSL knows them. */
static const EVP_MD *digest_named(const char *java)
{
    static const struct {
        const char *java, *openssl;
    } names[] = {
        {"MD5", "MD5"},           {"SHA-1", "SHA1"},         {"SHA", "SHA1"},
        {"SHA-224", "SHA224"},    {"SHA-256", "SHA256"},     {"SHA-384", "SHA384"},
        {"SHA-512", "SHA512"},    {"SHA-512/224", "SHA512-224"},
        {"SHA-512/256", "SHA512-256"}, {"SHA3-224", "SHA3-224"}, {"SHA3-256", "SHA3-256"},
        {"SHA3-384", "SHA3-384"}, {"SHA3-512", "SHA3-512"},
    };
    size_t i;

    for (i = 0; i < TW_ARRAY_SIZE(names); i++)
        if (strcasecmp(java, names[i].java) == 0)
            return EVP_get_digestbyname(names[i].openssl);
    return NULL;
}

/* One column.truncate/mask key into a rule; its kind orders it. */
static tw_err_t parse_rule(const char *key, const char *value, tw_column_rule_t *r,
                           char *errstr, size_t errstr_size)
{
    const char *p, *salt;
    char algo[64];
    size_t len;

    memset(r, 0, sizeof(*r));
    if (strncmp(key, "column.truncate.to.", 19) == 0) {
        r->kind = RULE_TRUNCATE;
        r->length = count_before(key + 19, ".chars");
    } else if (strncmp(key, "column.mask.with.", 17) == 0) {
        r->kind = RULE_MASK;
        r->length = count_before(key + 17, ".chars");
        if (r->length > 0) {
            r->mask = tw_malloc((size_t)r->length + 1);
            memset(r->mask, '*', (size_t)r->length);
            r->mask[r->length] = '\0';
        }
    } else {
        r->kind = RULE_HASH;
        p = key + 17; /* after "column.mask.hash." */
        if (strncmp(p, "v2.", 3) == 0) {
            r->kind = RULE_HASH_V2;
            r->v2 = true;
            p += 3;
        }
        salt = strstr(p, ".with.salt.");
        len = salt ? (size_t)(salt - p) : 0;
        if (salt == NULL || len == 0 || len >= sizeof(algo) || salt[11] == '\0')
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: write column.mask.hash[.v2].<algorithm>.with.salt.<salt>", key);
        memcpy(algo, p, len);
        algo[len] = '\0';
        r->md = digest_named(algo);
        if (r->md == NULL)
            return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                           "%s: unknown hash algorithm \"%s\"; use a Java MessageDigest name "
                           "such as MD5, SHA-1, SHA-256, SHA-512 or SHA3-256",
                           key, algo);
        r->salt = tw_strdup(salt + 11);
        r->length = 1;
    }
    if (r->length <= 0)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "%s: the number of characters must be a positive integer", key);
    return patterns_parse(value, key, &r->columns, errstr, errstr_size);
}

tw_err_t tw_column_rules_new(const tw_config_t *cfg, tw_column_rules_t **out, char *errstr,
                             size_t errstr_size)
{
    tw_column_rules_t *rules;
    size_t n = cfg->column_rules ? tw_props_count(cfg->column_rules) : 0, i;
    tw_err_t err = TW_OK;
    rule_kind_t kind;

    *out = NULL;
    if (n == 0 && cfg->column_include_list == NULL && cfg->column_exclude_list == NULL &&
        cfg->column_propagate_source_type == NULL)
        return TW_OK;
    if (cfg->column_include_list && cfg->column_exclude_list)
        return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                       "column.include.list and column.exclude.list are both set; keep one");
    rules = tw_calloc(1, sizeof(*rules));
    rules->rules = tw_calloc(n + 1, sizeof(*rules->rules)); /* and propagate */
    err = patterns_parse(cfg->column_include_list, "column.include.list", &rules->include,
                         errstr, errstr_size);
    if (err == TW_OK)
        err = patterns_parse(cfg->column_exclude_list, "column.exclude.list", &rules->exclude,
                             errstr, errstr_size);
    /* Debezium's order: kinds in turn, keys in file order within a kind. */
    for (kind = RULE_TRUNCATE; err == TW_OK && kind <= RULE_HASH_V2; kind++) {
        if (kind == RULE_PROPAGATE) {
            if (cfg->column_propagate_source_type) {
                tw_column_rule_t *r = &rules->rules[rules->nrules++];
                r->kind = RULE_PROPAGATE;
                err = patterns_parse(cfg->column_propagate_source_type,
                                     "column.propagate.source.type", &r->columns, errstr,
                                     errstr_size);
            }
            continue;
        }
        for (i = 0; err == TW_OK && i < n; i++) {
            const char *key, *value, *origin;
            tw_column_rule_t r;

            tw_props_entry(cfg->column_rules, i, &key, &value, &origin);
            err = parse_rule(key, value, &r, errstr, errstr_size);
            if (err == TW_OK && r.kind == kind) {
                rules->rules[rules->nrules++] = r;
                continue;
            }
            patterns_clear(&r.columns);
            free(r.mask);
            free(r.salt);
        }
    }
    if (err) {
        tw_column_rules_destroy(rules);
        return err;
    }
    *out = rules;
    return TW_OK;
}

static const char *full_name(const char *schema, const char *table, const char *column,
                             char *buf, size_t size)
{
    snprintf(buf, size, "%s.%s.%s", schema, table, column);
    return buf;
}

bool tw_column_rules_keep(const tw_column_rules_t *rules, const char *schema, const char *table,
                          const char *column)
{
    char name[1024];

    if (rules == NULL)
        return true;
    full_name(schema, table, column, name, sizeof(name));
    if (rules->include.n)
        return patterns_match(&rules->include, name);
    return !patterns_match(&rules->exclude, name);
}

const tw_column_rule_t *tw_column_rules_find(const tw_column_rules_t *rules, const char *schema,
                                             const char *table, const char *column)
{
    char name[1024];
    size_t i;

    if (rules == NULL)
        return NULL;
    full_name(schema, table, column, name, sizeof(name));
    for (i = 0; i < rules->nrules; i++)
        if (patterns_match(&rules->rules[i].columns, name))
            return &rules->rules[i];
    return NULL;
}

/* ------------------------------------------------------------------ columns */

/* Types whose values Debezium masks and hashes: those its JDBC driver
 * reports as character types. */
static bool character_type(uint32_t oid)
{
    switch (oid) {
    case 25:   /* text */
    case 1043: /* varchar */
    case 1042: /* bpchar */
    case 19:   /* name */
    case 18:   /* "char" */
        return true;
    default:
        return false;
    }
}

/* Seconds digits and their dot in the display size of a time type. */
static int second_size(int32_t typmod)
{
    switch (typmod) {
    case -1:
        return 7;
    case 0:
        return 0;
    case 1:
        return 3; /* PostgreSQL prints two digits for time(1) */
    default:
        return typmod + 1;
    }
}

/* Debezium's Column.length() for PostgreSQL: what its JDBC driver gives
 * as the column's precision (a display size for dates and times), from
 * the type and typmod; an array's is its element type's. */
static int column_length(const tw_rel_col_t *col)
{
    uint32_t oid = col->value_oid, elem = tw_value_array_elem_oid(oid);
    int32_t typmod = col->value_typmod;

    switch (elem ? elem : oid) {
    case 21: /* int2 */
        return 5;
    case 23: /* int4 */
    case 26: /* oid */
        return 10;
    case 20: /* int8 */
        return 19;
    case 700: /* float4 */
        return 8;
    case 701: /* float8 */
        return 17;
    case 16: /* bool */
    case 18: /* "char" */
        return 1;
    case 1700: /* numeric */
        return typmod == -1 ? 131089 : ((typmod - 4) >> 16) & 0xffff;
    case 1042: /* bpchar */
    case 1043: /* varchar */
        return typmod == -1 ? 2147483647 : typmod - 4;
    case 1560: /* bit */
    case 1562: /* varbit */
        return typmod == -1 ? 2147483647 : typmod;
    case 1082: /* date */
        return 13;
    case 1083: /* time */
        return 8 + second_size(typmod);
    case 1266: /* timetz */
        return 8 + second_size(typmod) + 6;
    case 1114: /* timestamp */
        return 22 + second_size(typmod);
    case 1184: /* timestamptz */
        return 22 + second_size(typmod) + 6;
    case 1186: /* interval */
        return 49;
    default:
        return 2147483647;
    }
}

/* Debezium's Column.scale() (0 when the type has none). */
static int column_scale(const tw_rel_col_t *col)
{
    uint32_t oid = col->value_oid, elem = tw_value_array_elem_oid(oid);
    int32_t typmod = col->value_typmod;

    switch (elem ? elem : oid) {
    case 700:
        return 8;
    case 701:
        return 17;
    case 1700:
        return typmod == -1 ? 0 : (typmod - 4) & 0xffff;
    case 1083:
    case 1266:
    case 1114:
    case 1184:
        return typmod == -1 ? 6 : typmod;
    case 1186:
        return typmod == -1 ? 6 : typmod & 0xffff;
    default:
        return 0;
    }
}

void tw_column_rule_shape(const tw_column_rule_t *rule, const tw_rel_col_t *col,
                          const char *type_name, tw_cs_t *schema)
{
    char num[32], upper[128];
    size_t i;

    switch (rule->kind) {
    case RULE_TRUNCATE:
        /* Debezium's test: the length is unknown or greater. */
        if (column_length(col) > rule->length) {
            snprintf(num, sizeof(num), "%d", rule->length);
            tw_cs_set_param(schema, "truncateLength", num);
            /* Cuts whatever the converters write as a string (datum.c):
             * Debezium truncates each value it holds as a String. */
            schema->truncate_chars = rule->length;
        }
        break;
    case RULE_MASK:
    case RULE_HASH:
    case RULE_HASH_V2:
        tw_cs_set_param(schema, "masked", "true"); /* whatever the type */
        break;
    case RULE_PROPAGATE:
        snprintf(upper, sizeof(upper), "%s", type_name ? type_name : "");
        for (i = 0; upper[i]; i++)
            upper[i] = (char)toupper((unsigned char)upper[i]);
        tw_cs_set_param(schema, "__debezium.source.column.type", upper);
        snprintf(num, sizeof(num), "%d", column_length(col));
        tw_cs_set_param(schema, "__debezium.source.column.length", num);
        snprintf(num, sizeof(num), "%d", column_scale(col));
        tw_cs_set_param(schema, "__debezium.source.column.scale", num);
        tw_cs_set_param(schema, "__debezium.source.column.name", col->name);
        break;
    }
}

static void set_text(tw_value_t *v, const char *s, size_t len)
{
    v->kind = TW_VALUE_TEXT;
    v->special = TW_VALUE_FINITE;
    v->u.str.ptr = s;
    v->u.str.len = len;
}

/* The first n UTF-16 code units of UTF-8 text, as Java's substring cuts
 * a String: a supplementary character cut in half leaves its high
 * surrogate, which becomes '?' when the String is encoded again. */
static void truncate_utf16(tw_value_t *v, int n, tw_arena_t *arena)
{
    bool half;
    size_t keep = tw_utf16_prefix(v->u.str.ptr, v->u.str.len, (size_t)n, &half);
    char *out;

    if (half) {
        out = tw_arena_alloc(arena, keep + 1);
        memcpy(out, v->u.str.ptr, keep);
        out[keep] = '?';
        set_text(v, out, keep + 1);
        return;
    }
    v->u.str.len = keep;
}

/* Java's serialization of a String (ObjectOutputStream.writeObject): the
 * stream header, then TC_STRING with a 16-bit length or TC_LONGSTRING
 * with a 64-bit one, then modified UTF-8 (NUL as C0 80, a supplementary
 * character as its two surrogates of three bytes each). */
static void java_serialized(const tw_value_t *v, tw_buf_t *out)
{
    const unsigned char *s = (const unsigned char *)v->u.str.ptr;
    size_t len = v->u.str.len, i = 0, mlen;
    tw_buf_t m = TW_BUF_INIT;
    int b;

    while (i < len) {
        if (s[i] == 0) {
            tw_buf_append(&m, "\xc0\x80", 2);
            i++;
        } else if (s[i] >= 0xf0 && i + 4 <= len) {
            uint32_t cp = ((uint32_t)(s[i] & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3f) << 12) |
                          ((uint32_t)(s[i + 2] & 0x3f) << 6) | (uint32_t)(s[i + 3] & 0x3f);
            uint32_t hi = 0xd800 + ((cp - 0x10000) >> 10), lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
            unsigned char u[6] = {(unsigned char)(0xe0 | (hi >> 12)),
                                  (unsigned char)(0x80 | ((hi >> 6) & 0x3f)),
                                  (unsigned char)(0x80 | (hi & 0x3f)),
                                  (unsigned char)(0xe0 | (lo >> 12)),
                                  (unsigned char)(0x80 | ((lo >> 6) & 0x3f)),
                                  (unsigned char)(0x80 | (lo & 0x3f))};
            tw_buf_append(&m, (const char *)u, 6);
            i += 4;
        } else {
            tw_buf_append(&m, (const char *)s + i, 1);
            i++;
        }
    }
    mlen = m.len;
    tw_buf_append(out, "\xac\xed\x00\x05", 4);
    if (mlen <= 0xffff) {
        tw_buf_append_char(out, 0x74);
        tw_buf_append_char(out, (char)(mlen >> 8));
        tw_buf_append_char(out, (char)(mlen & 0xff));
    } else {
        tw_buf_append_char(out, 0x7c);
        for (b = 56; b >= 0; b -= 8)
            tw_buf_append_char(out, (char)(((uint64_t)mlen >> b) & 0xff));
    }
    tw_buf_append(out, m.data ? m.data : "", mlen);
    tw_buf_free(&m);
}

/* Hex of digest(salt + value), cut to the column's declared length. */
static void hash(const tw_column_rule_t *rule, const tw_rel_col_t *col, tw_value_t *v,
                 tw_arena_t *arena)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0, i;
    tw_buf_t data = TW_BUF_INIT;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int length = column_length(col); /* the hex is cut to it */
    char *hex;

    if (rule->v2)
        tw_buf_append(&data, v->u.str.ptr ? v->u.str.ptr : "", v->u.str.len);
    else
        java_serialized(v, &data);
    EVP_DigestInit_ex(ctx, rule->md, NULL);
    EVP_DigestUpdate(ctx, rule->salt, strlen(rule->salt));
    EVP_DigestUpdate(ctx, data.data ? data.data : "", data.len);
    EVP_DigestFinal_ex(ctx, digest, &dlen);
    EVP_MD_CTX_free(ctx);
    tw_buf_free(&data);
    hex = tw_arena_alloc(arena, 2 * dlen + 1);
    for (i = 0; i < dlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    set_text(v, hex, length > 0 && (size_t)length < 2 * dlen ? (size_t)length : 2 * dlen);
}

bool tw_column_rule_truncates(const tw_column_rule_t *rule)
{
    return rule->kind == RULE_TRUNCATE;
}

void tw_column_rule_apply(const tw_column_rule_t *rule, const tw_rel_col_t *col, tw_value_t *v,
                          tw_arena_t *arena)
{
    switch (rule->kind) {
    case RULE_TRUNCATE:
        /* Values Debezium holds as Java Strings whatever the modes; a
         * uuid's is its text. Other values held as text (timetz, money,
         * ranges, ...) are cut once formatted (datum.c, truncate_chars):
         * cutting their text here would change what they parse as. */
        if (v->kind == TW_VALUE_UUID) {
            size_t len = strlen(v->u.uuid.text);
            char *text = tw_arena_alloc(arena, len + 1);
            memcpy(text, v->u.uuid.text, len + 1);
            set_text(v, text, len);
        }
        if ((v->kind == TW_VALUE_TEXT && character_type(col->value_oid)) ||
            v->kind == TW_VALUE_JSON)
            truncate_utf16(v, rule->length, arena);
        break;
    case RULE_MASK:
        /* Null or not: Debezium's mask replaces whatever comes. */
        if (character_type(col->value_oid))
            set_text(v, rule->mask, (size_t)rule->length);
        break;
    case RULE_HASH:
    case RULE_HASH_V2:
        /* A null is not hashed: it stays null. */
        if (character_type(col->value_oid) && v->kind == TW_VALUE_TEXT)
            hash(rule, col, v, arena);
        break;
    case RULE_PROPAGATE:
        break;
    }
}
