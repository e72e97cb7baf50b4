/*
 * cmd_schemas.c — `tidewater schemas check` and `tidewater schemas
 * asyncapi`: the schema owners' side of contract-first event schemas. The
 * AsyncAPI document itself is built by asyncapi.c; this file is the
 * command line (options, output file, exit status).
 *
 * Both commands tell event records from the records they use: a record that
 * another record refers to (a field type, an array item, a union branch) is
 * part of that record's schema and never registered or sent on its own;
 * every other record is an event record.
 */
#include "cli/cmd_schemas.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/connector_load.h"
#include "cli/asyncapi.h"
#include "codec/avsc_catalog.h"
#include "util/buf.h"
#include "config/config.h"
#include "codec/converter.h"
#include "codec/json_avro.h"
#include "util/log.h"
#include "codec/registry.h"

/* ------------------------------------------------------------ schemas check */

typedef struct check_opts {
    const char *dir;
    const char *registry_url;
    int strategy; /* tw_subject_strategy_t */
    const char *topic;
} check_opts_t;

static void check_usage(FILE *out)
{
    fprintf(out,
            "usage: tidewater schemas check DIR [--registry URL] [--strategy STRATEGY]\n"
            "                               [--topic TOPIC]\n"
            "\n"
            "Loads every *.avsc file of DIR (named types may refer to other files) and\n"
            "prints one line per record: full name, file, OK. A record another record\n"
            "uses is marked as such; every other record is an event record.\n"
            "\n"
            "  --registry URL      also ask this schema registry whether it would accept\n"
            "                      each event record under its subject: \"compatible\",\n"
            "                      \"new subject\" or \"INCOMPATIBLE: <the registry's reasons>\"\n"
            "  --strategy S        subject naming, as value.subject.name.strategy:\n"
            "                      record (default: the record's full name),\n"
            "                      topic-record (TOPIC-<full name>) or topic (TOPIC-value)\n"
            "  --topic TOPIC       the topic, for the topic and topic-record strategies\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: 0 when every schema is valid (and compatible), 1 when one is\n"
            "not or the registry cannot be asked, 2 for usage errors and files that do\n"
            "not load.\n");
}

static int parse_check_args(int argc, char **argv, check_opts_t *opts)
{
    static const struct option long_opts[] = {
        {"registry", required_argument, NULL, 'r'},
        {"strategy", required_argument, NULL, 's'},
        {"topic", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(opts, 0, sizeof(*opts));
    opts->strategy = TW_SUBJECT_RECORD_NAME;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'r': opts->registry_url = optarg; break;
        case 's':
            if (strcmp(optarg, "record") == 0) {
                opts->strategy = TW_SUBJECT_RECORD_NAME;
            } else if (strcmp(optarg, "topic-record") == 0) {
                opts->strategy = TW_SUBJECT_TOPIC_RECORD_NAME;
            } else if (strcmp(optarg, "topic") == 0) {
                opts->strategy = TW_SUBJECT_TOPIC_NAME;
            } else {
                fprintf(stderr,
                        "tidewater schemas check: --strategy \"%s\" is not one of record, "
                        "topic-record, topic\n",
                        optarg);
                return 2;
            }
            break;
        case 't': opts->topic = optarg; break;
        case 'h': check_usage(stdout); return -1;
        default: check_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        check_usage(stderr);
        return 2;
    }
    opts->dir = argv[optind];
    if (opts->strategy != TW_SUBJECT_RECORD_NAME && opts->topic == NULL) {
        fprintf(stderr, "tidewater schemas check: --strategy %s needs --topic TOPIC\n",
                opts->strategy == TW_SUBJECT_TOPIC_NAME ? "topic" : "topic-record");
        return 2;
    }
    if (opts->topic && opts->registry_url == NULL) {
        fprintf(stderr, "tidewater schemas check: --topic and --strategy need --registry URL\n");
        return 2;
    }
    return 0;
}

/* Asks the registry about one event record; fills status; false when the
 * record would be refused or the registry could not answer. */
static bool check_with_registry(tw_registry_t *registry, const check_opts_t *opts,
                                const tw_avsc_schema_t *record, tw_buf_t *status)
{
    tw_buf_t subject = TW_BUF_INIT;
    char errstr[2048], why[4096];
    bool exists = false, compatible = false, ok = false;
    tw_err_t err;

    tw_subject_name(opts->strategy, false, opts->topic, record->fullname, &subject);
    err = tw_registry_subject_exists(registry, subject.data, &exists, errstr, sizeof(errstr));
    if (err == TW_OK && !exists) {
        tw_buf_printf(status, "new subject \"%s\"", subject.data);
        ok = true;
        goto cleanup;
    }
    if (err == TW_OK)
        err = tw_registry_check_compatible(registry, subject.data, record->text, &compatible, why,
                                           sizeof(why), errstr, sizeof(errstr));
    if (err) {
        tw_buf_printf(status, "ERROR: subject \"%s\": %s", subject.data, errstr);
    } else if (compatible) {
        tw_buf_printf(status, "compatible with subject \"%s\"", subject.data);
        ok = true;
    } else {
        tw_buf_printf(status, "INCOMPATIBLE with subject \"%s\": %s", subject.data,
                      why[0] ? why : "(the registry gave no reason)");
    }

cleanup:
    tw_buf_free(&subject);
    return ok;
}

static int schemas_check(int argc, char **argv)
{
    check_opts_t opts;
    tw_avsc_catalog_t *cat = NULL;
    tw_registry_t *registry = NULL;
    tw_converter_config_t conv;
    tw_buf_t status = TW_BUF_INIT;
    char errstr[2048], shown_url[1024];
    size_t n, i, name_width = 0, file_width = 0, events = 0, failed = 0;
    int rc;

    rc = parse_check_args(argc, argv, &opts);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (tw_avsc_catalog_load(opts.dir, tw_json_avro_encode_default, &cat, errstr,
                             sizeof(errstr)) != TW_OK) {
        fprintf(stderr, "tidewater schemas check: %s\n", errstr);
        return 2;
    }
    n = tw_avsc_catalog_record_count(cat);
    if (n == 0) {
        fprintf(stderr, "tidewater schemas check: %s: no record schemas (*.avsc) found\n",
                opts.dir);
        rc = 2;
        goto cleanup;
    }

    if (opts.registry_url) {
        memset(&conv, 0, sizeof(conv));
        conv.kind = TW_CONVERTER_AVRO;
        conv.registry_url = (char *)opts.registry_url;
        conv.basic_auth_source = TW_BASIC_AUTH_URL; /* user:password@ in the URL, if any */
        conv.request_timeout_ms = 10000;
        conv.connect_timeout_ms = 5000;
        tw_url_without_userinfo(opts.registry_url, shown_url, sizeof(shown_url));
        if (tw_registry_new(&conv, "value.converter", &registry, errstr, sizeof(errstr)) ||
            tw_registry_ping(registry, errstr, sizeof(errstr))) {
            fprintf(stderr, "tidewater schemas check: cannot use the schema registry at %s: %s\n",
                    shown_url, errstr);
            rc = 1;
            goto cleanup;
        }
    }

    for (i = 0; i < n; i++) {
        const tw_avsc_schema_t *record = tw_avsc_catalog_record_at(cat, i);
        size_t len = strlen(record->fullname), flen = strlen(record->file);
        name_width = len > name_width ? len : name_width;
        file_width = flen > file_width ? flen : file_width;
    }
    for (i = 0; i < n; i++) {
        const tw_avsc_schema_t *record = tw_avsc_catalog_record_at(cat, i);

        tw_buf_reset(&status);
        tw_buf_append_str(&status, "OK");
        const tw_avsc_schema_t *user = tw_avsc_catalog_user_of(cat, record);
        if (user) {
            tw_buf_printf(&status, "  used by %s (not an event record)", user->fullname);
        } else {
            events++;
            if (registry) {
                tw_buf_append_str(&status, "  ");
                if (!check_with_registry(registry, &opts, record, &status))
                    failed++;
            }
        }
        printf("%-*s  %-*s  %s\n", (int)name_width, record->fullname, (int)file_width, record->file,
               status.data);
    }
    if (registry && opts.strategy == TW_SUBJECT_TOPIC_NAME && events > 1)
        printf("note: with the topic strategy all %zu event records share subject "
               "\"%s-value\"; each must stay compatible with the others' versions\n",
               events, opts.topic);
    printf("%zu record%s, %zu event record%s: %s\n", n, n == 1 ? "" : "s", events,
           events == 1 ? "" : "s",
           failed     ? "some would be refused (see above)"
           : registry ? "all valid and accepted by the registry"
                      : "all valid");
    rc = failed ? 1 : 0;

cleanup:
    tw_buf_free(&status);
    tw_registry_destroy(registry);
    tw_avsc_catalog_destroy(cat);
    return rc;
}

/* ------------------------------------------------------------ schemas asyncapi */

typedef struct asyncapi_opts {
    const char *config_path;
    const char *output;
    const char *info_version;
} asyncapi_opts_t;

static void asyncapi_usage(FILE *out)
{
    fprintf(out, "usage: tidewater schemas asyncapi CONFIG [-o FILE] [--info-version VERSION]\n"
                 "\n"
                 "Writes an AsyncAPI 3.0.0 document (JSON) of what the connector in CONFIG\n"
                 "sends: for each outbox transform with payload.schema.dir, a channel whose\n"
                 "address is the topic its routing produces, a send operation, and one message\n"
                 "per event record of the schema directory (Avro payload, id header, key).\n"
                 "\n"
                 "  -o, --output FILE        write to FILE instead of standard output\n"
                 "  --info-version VERSION   info.version of the document (default 1.0.0)\n"
                 "  -h, --help               show this help\n");
}

static int parse_asyncapi_args(int argc, char **argv, asyncapi_opts_t *opts)
{
    static const struct option long_opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"info-version", required_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(opts, 0, sizeof(*opts));
    opts->info_version = "1.0.0";
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': opts->output = optarg; break;
        case 'v': opts->info_version = optarg; break;
        case 'h': asyncapi_usage(stdout); return -1;
        default: asyncapi_usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        asyncapi_usage(stderr);
        return 2;
    }
    opts->config_path = argv[optind];
    return 0;
}

static int schemas_asyncapi(int argc, char **argv)
{
    asyncapi_opts_t opts;
    tw_config_t cfg;
    json_t *doc = NULL;
    char errstr[2048], *text = NULL;
    size_t described = 0, n_messages = 0;
    FILE *out = stdout;
    int rc;

    rc = parse_asyncapi_args(argc, argv, &opts);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    /* The document is the output; the modules' progress notes are not. */
    tw_log_set_level(TW_LOG_WARNING);
    if (tw_connector_load(opts.config_path, &cfg, errstr, sizeof(errstr))) {
        fprintf(stderr, "tidewater schemas asyncapi: %s\n", errstr);
        tw_config_clear(&cfg);
        return 2;
    }
    rc = 2;
    if (tw_asyncapi_build(&cfg, opts.info_version, &doc, &described, &n_messages, errstr,
                          sizeof(errstr))) {
        fprintf(stderr, "tidewater schemas asyncapi: %s\n", errstr);
        goto cleanup;
    }
    if (doc == NULL) {
        fprintf(stderr,
                "tidewater schemas asyncapi: no outbox transform in %s has payload.schema.dir "
                "(transforms.<name>.payload.schema.dir), so its payloads have no declared "
                "schemas to describe\n",
                opts.config_path);
        goto cleanup;
    }

    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (opts.output) {
        out = fopen(opts.output, "w");
        if (out == NULL) {
            fprintf(stderr, "tidewater schemas asyncapi: cannot write %s: %s\n", opts.output,
                    strerror(errno));
            rc = 1;
            goto cleanup;
        }
    }
    fputs(text, out);
    fputc('\n', out);
    if (opts.output) {
        if (fclose(out) != 0) {
            fprintf(stderr, "tidewater schemas asyncapi: cannot write %s: %s\n", opts.output,
                    strerror(errno));
            rc = 1;
            goto cleanup;
        }
        printf("wrote %s: AsyncAPI 3.0.0, %zu channel%s, %zu message%s\n", opts.output, described,
               described == 1 ? "" : "s", n_messages, n_messages == 1 ? "" : "s");
    } else if (fflush(stdout) != 0) {
        rc = 1;
        goto cleanup;
    }
    rc = 0;

cleanup:
    free(text);
    json_decref(doc);
    tw_config_clear(&cfg);
    return rc;
}

/* ------------------------------------------------------------ dispatch */

static void schemas_usage(FILE *out)
{
    fprintf(out, "usage: tidewater schemas check DIR [--registry URL] [--strategy S] "
                 "[--topic T]\n"
                 "       tidewater schemas asyncapi CONFIG [-o FILE] [--info-version V]\n"
                 "\n"
                 "  check      validate a directory of .avsc files and, with --registry,\n"
                 "             whether the registry would accept each event record\n"
                 "  asyncapi   write an AsyncAPI 3.0.0 document of what CONFIG's connector "
                 "sends\n"
                 "\n"
                 "`tidewater schemas COMMAND --help` describes each.\n");
}

int tw_cmd_schemas(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : NULL;

    if (sub == NULL) {
        schemas_usage(stderr);
        return 2;
    }
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        schemas_usage(stdout);
        return 0;
    }
    if (strcmp(sub, "check") == 0)
        return schemas_check(argc - 1, argv + 1);
    if (strcmp(sub, "asyncapi") == 0)
        return schemas_asyncapi(argc - 1, argv + 1);
    fprintf(stderr, "tidewater schemas: unknown command \"%s\"; see tidewater schemas --help\n",
            sub);
    return 2;
}
