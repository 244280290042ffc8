/* cli/cmd_report.c -- `forkcast report [SCENARIO] -o DIR`. */
#include "cli/cli.h"

int cli_cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail(CLI_ERUNTIME, "report: not yet");
}
