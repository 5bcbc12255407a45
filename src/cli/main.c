/*
 * cli/main.c -- the `kizuna` binary: a table of subcommands and nothing else.
 *
 * To add a subcommand: write cmd_<name>.c with `int kz_cmd_<name>(int argc, char **argv)`,
 * declare it in cli.h and add one line to kz__commands[] below.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

typedef struct kz__command {
    const char *name;
    kz_cli_cmd_fn run;
    const char *summary;
} kz__command;

int kz_cmd_demo(int argc, char **argv); /* cmd_demo.c (src/eval) */
static const kz__command kz__commands[] = {
    {"decode", kz_cmd_decode, "E2AP / E2SM bytes (hex, binary file, pcap) -> JSON"},
    {"encode", kz_cmd_encode, "JSON -> E2AP / E2SM bytes (hex or binary file)"},
    {"demo", kz_cmd_demo, "a simulated day: energy saver vs baselines and the clairvoyant bound"},
    {"emu", kz_cmd_emu, "the RAN emulator: a city's gNBs as E2 nodes, ground truth per step"},
    {"ric", kz_cmd_ric, "the near-RT RIC daemon (E2 termination, subscriptions, xApp bus)"},
};

#define KZ__NCOMMANDS (sizeof kz__commands / sizeof kz__commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: kizuna COMMAND [OPTIONS] [ARGS]\n"
               "       kizuna COMMAND --help\n\n"
               "Kizuna: an Open RAN near-RT RIC, E2 node emulator and E2AP tools.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < KZ__NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", kz__commands[i].name, kz__commands[i].summary);
    fprintf(f, "\nExit status: 0 success; 1 some items of a run failed (e.g. PDUs in a pcap);\n"
               "2 bad input or bad usage (a message on stderr says what and where).\n"
               "Documentation: docs/cli.md\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return KZ_CLI_BAD_INPUT;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return KZ_CLI_OK;
    }
    for (size_t i = 0; i < KZ__NCOMMANDS; i++)
        if (!strcmp(argv[1], kz__commands[i].name))
            return kz__commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "kizuna: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return KZ_CLI_BAD_INPUT;
}
