/*
 * jregex.h — the subset of Java regular expressions that Kafka Connect and
 * Debezium configs use, on top of POSIX extended regular expressions:
 * named groups (?<name>...), non-capturing groups (?:...), and the escapes
 * \d \D \w \W \s \S. Matching is always against the whole text, like
 * Java's Matcher.matches(), which is what RegexRouter, TopicNameMatches and
 * Debezium's include lists use.
 *
 * Replacements follow Matcher.replaceFirst: ${name} and $N insert groups,
 * \$ is a literal dollar.
 */
#ifndef TW_JREGEX_H
#define TW_JREGEX_H

#include <stdbool.h>

#include "util/buf.h"
#include "util/common.h"

typedef struct tw_jregex tw_jregex_t;

/* `key` names the config key in errors. */
tw_err_t tw_jregex_compile(const char *pattern, const char *key, tw_jregex_t **re,
                           char *errstr, size_t errstr_size);
/* Java's Pattern.CASE_INSENSITIVE, as Debezium's column lists use. */
tw_err_t tw_jregex_compile_nocase(const char *pattern, const char *key, tw_jregex_t **re,
                                  char *errstr, size_t errstr_size);
void tw_jregex_destroy(tw_jregex_t *re); /* accepts NULL */

/* True when the whole text matches. */
bool tw_jregex_matches(const tw_jregex_t *re, const char *text);

/* When the whole text matches, appends the replacement with groups filled
 * in and returns true; otherwise appends nothing and returns false. A group
 * the replacement names but the pattern lacks is an error found at compile
 * time by tw_jregex_check_replacement. */
bool tw_jregex_replace(const tw_jregex_t *re, const char *text, const char *replacement,
                       tw_buf_t *out);
tw_err_t tw_jregex_check_replacement(const tw_jregex_t *re, const char *replacement,
                                     const char *key, char *errstr, size_t errstr_size);

#endif /* TW_JREGEX_H */
