/*
 * main.c — command-line entry point: dispatches to the subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cmd_check.h"
#include "cli/cmd_offsets.h"
#include "cli/cmd_run.h"
#include "cli/cmd_schemas.h"
#include "cli/cmd_tail.h"
#include "config/config.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0.0"
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tidewater COMMAND [OPTIONS] CONFIG\n"
            "\n"
            "tidewater streams changes from a PostgreSQL logical replication slot\n"
            "(pgoutput) to Kafka.\n"
            "\n"
            "commands:\n"
            "  run CONFIG      stream the slot to Kafka (outbox router, change events)\n"
            "  check CONFIG    validate CONFIG and try PostgreSQL, Kafka and the registry\n"
            "  tail CONFIG     print each committed change as a JSON line (no Kafka)\n"
            "  offsets show CONFIG         print the checkpoint, where it came from and\n"
            "                              the slot's state\n"
            "  offsets reset CONFIG --yes  discard the checkpoint (the only way to accept\n"
            "                              a lost slot, another server or database)\n"
            "  schemas check DIR       validate .avsc files (and, with --registry URL,\n"
            "                          whether the registry would accept them)\n"
            "  schemas asyncapi CONFIG write an AsyncAPI 3.0.0 document of the events\n"
            "  config-docs     print every configuration key as Markdown\n"
            "  config-keys     print every configuration key name\n"
            "\n"
            "options:\n"
            "  -h, --help      show this help (and `tidewater COMMAND --help`)\n"
            "  -V, --version   show the version\n"
            "\n"
            "CONFIG is a Kafka Connect connector file: .properties, or the JSON body of\n"
            "a Connect REST POST /connectors. Keys follow Debezium's PostgreSQL connector.\n");
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (cmd == NULL) {
        usage(stderr);
        return 2;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("tidewater %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "check") == 0)
        return tw_cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return tw_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "tail") == 0)
        return tw_cmd_tail(argc - 1, argv + 1);
    if (strcmp(cmd, "offsets") == 0)
        return tw_cmd_offsets(argc - 1, argv + 1);
    if (strcmp(cmd, "schemas") == 0)
        return tw_cmd_schemas(argc - 1, argv + 1);
    if (strcmp(cmd, "config-docs") == 0) {
        tw_config_print_docs(stdout);
        return 0;
    }
    if (strcmp(cmd, "config-keys") == 0) {
        tw_config_print_keys(stdout);
        return 0;
    }
    fprintf(stderr, "tidewater: unknown command \"%s\"; see tidewater --help\n", cmd);
    return 2;
}
