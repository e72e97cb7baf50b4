/*
 * jregex.c — translates the Java subset to POSIX ERE once, keeping a map
 * from Java's group numbers and names to POSIX group numbers (non-capturing
 * groups become ordinary POSIX groups that no name or number points at).
 */
#include "util/jregex.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 32

struct tw_jregex {
    regex_t re;
    bool compiled;
    size_t ngroups;                 /* Java-visible capturing groups */
    int posix_index[MAX_GROUPS + 1]; /* Java group number → POSIX group number */
    char *names[MAX_GROUPS + 1];    /* Java group number → name or NULL */
};

static tw_err_t translate(const char *pattern, tw_jregex_t *re, tw_buf_t *out, const char *key,
                          char *errstr, size_t errstr_size)
{
    const char *p = pattern;
    int posix_groups = 0;
    bool in_class = false;

    tw_buf_append_str(out, "^(");
    posix_groups = 1; /* the whole-pattern wrapper */
    while (*p) {
        if (*p == '\\' && p[1]) {
            const char *cls = NULL;
            switch (p[1]) {
            case 'd': cls = in_class ? "0-9" : "[0-9]"; break;
            case 'D': cls = "[^0-9]"; break;
            case 'w': cls = in_class ? "A-Za-z0-9_" : "[A-Za-z0-9_]"; break;
            case 'W': cls = "[^A-Za-z0-9_]"; break;
            case 's': cls = in_class ? "[:space:]" : "[[:space:]]"; break;
            case 'S': cls = "[^[:space:]]"; break;
            }
            if (cls) {
                tw_buf_append_str(out, cls);
            } else if (in_class) {
                /* POSIX brackets have no escapes: keep the character. */
                tw_buf_append_char(out, p[1]);
            } else {
                tw_buf_append(out, p, 2);
            }
            p += 2;
            continue;
        }
        if (in_class) {
            if (*p == ']')
                in_class = false;
            tw_buf_append_char(out, *p++);
            continue;
        }
        if (*p == '[') {
            in_class = true;
            tw_buf_append_char(out, *p++);
            if (*p == '^')
                tw_buf_append_char(out, *p++);
            if (*p == ']')
                tw_buf_append_char(out, *p++);
            continue;
        }
        if (*p == '(') {
            posix_groups++;
            if (p[1] == '?' && p[2] == ':') {
                p += 3;
            } else if (p[1] == '?' && p[2] == '<' && p[3] != '=' && p[3] != '!') {
                const char *end = strchr(p + 3, '>');
                if (end == NULL || end == p + 3)
                    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                                   "%s: malformed named group in \"%s\"", key, pattern);
                if (re->ngroups == MAX_GROUPS)
                    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                                   "%s: more than %d groups in \"%s\"", key, MAX_GROUPS,
                                   pattern);
                re->ngroups++;
                re->posix_index[re->ngroups] = posix_groups;
                re->names[re->ngroups] = tw_strndup(p + 3, (size_t)(end - p - 3));
                p = end + 1;
            } else if (p[1] == '?') {
                return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                               "%s: \"%s\" uses a regular-expression construct tidewater "
                               "does not support (lookaround or inline flags)",
                               key, pattern);
            } else {
                if (re->ngroups == MAX_GROUPS)
                    return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                                   "%s: more than %d groups in \"%s\"", key, MAX_GROUPS,
                                   pattern);
                re->ngroups++;
                re->posix_index[re->ngroups] = posix_groups;
                p++;
            }
            tw_buf_append_char(out, '(');
            continue;
        }
        tw_buf_append_char(out, *p++);
    }
    tw_buf_append_str(out, ")$");
    return TW_OK;
}

static tw_err_t compile(const char *pattern, const char *key, int cflags, tw_jregex_t **out,
                        char *errstr, size_t errstr_size);

tw_err_t tw_jregex_compile(const char *pattern, const char *key, tw_jregex_t **out,
                           char *errstr, size_t errstr_size)
{
    return compile(pattern, key, REG_EXTENDED, out, errstr, errstr_size);
}

tw_err_t tw_jregex_compile_nocase(const char *pattern, const char *key, tw_jregex_t **out,
                                  char *errstr, size_t errstr_size)
{
    return compile(pattern, key, REG_EXTENDED | REG_ICASE, out, errstr, errstr_size);
}

static tw_err_t compile(const char *pattern, const char *key, int cflags, tw_jregex_t **out,
                        char *errstr, size_t errstr_size)
{
    tw_jregex_t *re = tw_calloc(1, sizeof(*re));
    tw_buf_t posix = TW_BUF_INIT;
    tw_err_t err;
    int rc;

    *out = NULL;
    err = translate(pattern, re, &posix, key, errstr, errstr_size);
    if (err == TW_OK) {
        rc = regcomp(&re->re, posix.data, cflags);
        if (rc == 0) {
            re->compiled = true;
        } else {
            char why[256];
            regerror(rc, &re->re, why, sizeof(why));
            err = tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                          "%s: \"%s\" is not a valid regular expression: %s", key, pattern,
                          why);
        }
    }
    tw_buf_free(&posix);
    if (err) {
        tw_jregex_destroy(re);
        return err;
    }
    *out = re;
    return TW_OK;
}

void tw_jregex_destroy(tw_jregex_t *re)
{
    size_t i;

    if (re == NULL)
        return;
    if (re->compiled)
        regfree(&re->re);
    for (i = 1; i <= MAX_GROUPS; i++)
        free(re->names[i]);
    free(re);
}

bool tw_jregex_matches(const tw_jregex_t *re, const char *text)
{
    return regexec(&re->re, text, 0, NULL, 0) == 0;
}

/* The Java group number a replacement reference at *pp names, advancing
 * past it; -1 when malformed or unknown. */
static int group_ref(const tw_jregex_t *re, const char **pp)
{
    const char *p = *pp + 1; /* after '$' */
    size_t i;

    if (*p == '{') {
        const char *end = strchr(p, '}');
        if (end == NULL)
            return -1;
        for (i = 1; i <= re->ngroups; i++) {
            if (re->names[i] && strlen(re->names[i]) == (size_t)(end - p - 1) &&
                strncmp(re->names[i], p + 1, (size_t)(end - p - 1)) == 0) {
                *pp = end + 1;
                return (int)i;
            }
        }
        return -1;
    }
    if (isdigit((unsigned char)*p)) {
        int n = *p - '0';
        if ((size_t)n > re->ngroups)
            return -1;
        *pp = p + 1;
        return n;
    }
    return -1;
}

tw_err_t tw_jregex_check_replacement(const tw_jregex_t *re, const char *replacement,
                                     const char *key, char *errstr, size_t errstr_size)
{
    const char *p = replacement;

    while (*p) {
        if (*p == '\\' && p[1]) {
            p += 2;
        } else if (*p == '$') {
            if (group_ref(re, &p) < 0)
                return tw_errf(TW_ERR_CONFIG, errstr, errstr_size,
                               "%s: \"%s\" refers to a group the regular expression does not "
                               "have",
                               key, replacement);
        } else {
            p++;
        }
    }
    return TW_OK;
}

bool tw_jregex_replace(const tw_jregex_t *re, const char *text, const char *replacement,
                       tw_buf_t *out)
{
    regmatch_t m[MAX_GROUPS + 2];
    const char *p = replacement;

    if (regexec(&re->re, text, TW_ARRAY_SIZE(m), m, 0) != 0)
        return false;
    while (*p) {
        if (*p == '\\' && p[1]) {
            tw_buf_append_char(out, p[1]);
            p += 2;
        } else if (*p == '$') {
            int g = group_ref(re, &p);
            if (g == 0) {
                tw_buf_append_str(out, text);
            } else if (g > 0) {
                regmatch_t *gm = &m[re->posix_index[g]];
                if (gm->rm_so >= 0)
                    tw_buf_append(out, text + gm->rm_so, (size_t)(gm->rm_eo - gm->rm_so));
            } else {
                tw_buf_append_char(out, *p++);
            }
        } else {
            tw_buf_append_char(out, *p++);
        }
    }
    return true;
}
