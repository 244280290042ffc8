/* cli/opts.h -- the one option convention of every subcommand (docs/cli.md).
 *
 * Every subcommand parses with getopt_long through cli_getopt_long(), a
 * drop-in replacement with three differences, the same everywhere:
 *   - long options match by their exact name only: glibc's unambiguous-prefix
 *     abbreviations ("--rat" for "--rate") are refused as unknown options, so
 *     a script keeps working when an option is added later;
 *   - "--quiet" is an option of every subcommand: it sets cli_quiet (no
 *     progress output, cli/progress.h) and is never returned;
 *   - while cli_opts_probe() runs a subcommand it records the option table
 *     the subcommand parses with and answers 'h' (help), so the completion
 *     script (cli/cmd_completion.c) is generated from the parsers' own tables.
 * "--opt V" and "--opt=V" both work (getopt_long); "--" ends the options.
 *
 * cli_parser is the loop most subcommands use on top of it: one call per
 * argument, the messages of docs/cli.md printed on error (one line, exit 2):
 *   "--frames: missing value", "--json: takes no value",
 *   "CMD: unknown option '--replicas' (did you mean '--replications'? see --help)".
 * Positional arguments come back in order (getopt's "-" mode); after "--"
 * they are argv[p->rest .. argc).
 *
 * Ownership: tables are the caller's static arrays, borrowed. Not
 * reentrant (getopt's globals): one parse at a time.
 */
#ifndef FORKCAST_CLI_OPTS_H
#define FORKCAST_CLI_OPTS_H

#include <getopt.h>

/* Set by --quiet (any subcommand). */
extern int cli_quiet;

/* getopt_long with exact long names, --quiet, and probing (above). The
 * caller's `longs` must end with a zero entry; at most CLI_OPTS_MAX entries. */
#define CLI_OPTS_MAX 96
int cli_getopt_long(int argc, char **argv, const char *shorts, const struct option *longs, int *longindex);

/* ---- the loop --------------------------------------------------------- */

enum {
    CLI_P_END = -1,  /* no more options; positionals after "--" from p->rest */
    CLI_P_ERR = -2,  /* message printed: return CLI_EUSAGE */
    CLI_P_POS = 1,   /* a positional argument in p->val */
    CLI_P_HELP = 'h' /* -h or --help */
};

typedef struct {
    const char *cmd;        /* "advise", "calibrate ffmpeg": names messages */
    const char *val;        /* the value of the option just returned, or the positional */
    const char *name;       /* "--frames" or "-o": the option just returned, for messages */
    int rest;               /* after CLI_P_END: the first argument after "--" (or argc) */
    int dashdash;           /* after CLI_P_END: 1 when "--" ended the options */
    char shorts[32];
    char namebuf[64];
    struct option all[CLI_OPTS_MAX];
} cli_parser;

/* Options: `own` then `shared` (either NULL), each ending with a zero entry;
 * `shorts`: the short options getopt-style ("o:" for -o FILE), "h" added. */
void cli_parser_init(cli_parser *p, const char *cmd, const char *shorts, const struct option *own,
                     const struct option *shared);
/* The next option's val (as in the tables), or CLI_P_POS / CLI_P_HELP /
 * CLI_P_END / CLI_P_ERR. */
int cli_parser_next(cli_parser *p, int argc, char **argv);
/* Print "CMD: unknown option 'ARG' (did you mean ...? see --help)"; returns CLI_EUSAGE. */
int cli_unknown_option(const char *cmd, const char *arg, const struct option *longs);

/* ---- probing (completion) --------------------------------------------- */

typedef struct {
    struct option opts[CLI_OPTS_MAX + 1]; /* the table the subcommand parsed with, zero-ended */
    int n;                                /* its entries; 0: it parsed nothing */
    char shorts[32];                      /* its short options, getopt-style */
} cli_opts_seen;

/* Run `run` with argv {argv0, sub (or none)}, stdout discarded, and
 * report the table its parser used. */
void cli_opts_probe(int (*run)(int, char **), const char *argv0, const char *sub, cli_opts_seen *seen);

#endif
