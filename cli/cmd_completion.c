/* cli/cmd_completion.c -- `forkcast completion [bash]`: the bash completion
 * script, generated from the option tables the subcommands parse with
 * (cli_opts_probe(), cli/opts.h), so it cannot drift from the parsers.
 * Completes subcommands, calibrate modes, plot kinds, each subcommand's
 * options, files for option values and scenario files, commands after
 * `calibrate command --`. Installed by `make install` into
 * share/bash-completion/completions/forkcast. */
#include "cli/cli.h"
#include "cli/opts.h"
#include "plots/chart.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: forkcast completion [bash]\n\n"
               "Print the bash completion script: subcommands, calibrate modes, plot kinds and every\n"
               "subcommand's options, generated from the option tables of the parsers.\n"
               "  source <(forkcast completion)      this shell\n"
               "  make install                       share/bash-completion/completions/forkcast\n");
}

static int has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(list, w); p; p = strstr(p + 1, w))
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
            return 1;
    return 0;
}

static void add_word(char *list, size_t cap, const char *w)
{
    size_t l = strlen(list);
    if (!has_word(list, w) && l + strlen(w) + 2 < cap)
        snprintf(list + l, cap - l, "%s%s", l ? " " : "", w);
}

/* _forkcast_opts_KEY="every option" and _forkcast_vals_KEY="those taking a value". */
static void emit_options(FILE *f, const char *key, int (*run)(int, char **), const char *argv0)
{
    cli_opts_seen seen;
    char opts[4096] = "", vals[4096] = "", w[80];
    cli_opts_probe(run, argv0, NULL, &seen);
    for (int i = 0; i < seen.n; i++) {
        snprintf(w, sizeof w, "--%s", seen.opts[i].name);
        add_word(opts, sizeof opts, w);
        if (seen.opts[i].has_arg == required_argument)
            add_word(vals, sizeof vals, w);
    }
    for (const char *s = seen.shorts; *s; s++) {
        if (*s == '-' || *s == ':' || *s == '+' || *s == 'h')
            continue;
        snprintf(w, sizeof w, "-%c", *s);
        add_word(opts, sizeof opts, w);
        if (s[1] == ':')
            add_word(vals, sizeof vals, w);
    }
    add_word(opts, sizeof opts, "--help");
    add_word(opts, sizeof opts, "--quiet");
    fprintf(f, "_forkcast_opts_%s=\"%s\"\n_forkcast_vals_%s=\"%s\"\n", key, opts, key, vals);
}

static const char script[] =
    "_forkcast() {\n"
    "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
    "  local cmd= sub= npos=0 dashdash= i w vals\n"
    "  COMPREPLY=()\n"
    "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
    "    w=${COMP_WORDS[i]}\n"
    "    if [ -z \"$cmd\" ]; then cmd=$w; continue; fi\n"
    "    if [ \"$cmd\" = calibrate ] && [ -z \"$sub\" ]; then sub=$w; continue; fi\n"
    "    vals=_forkcast_vals_${cmd//-/_}${sub:+_${sub//-/_}}\n"
    "    case $w in\n"
    "      --) dashdash=$i; break ;;\n"
    "      =) ((i++)) ;;\n"
    "      -*) [[ \" ${!vals} \" == *\" $w \"* ]] && [ \"${COMP_WORDS[i+1]}\" != = ] && ((i++)) ;;\n"
    "      *) ((npos++)) ;;\n"
    "    esac\n"
    "  done\n"
    "  if [ -z \"$cmd\" ]; then\n"
    "    COMPREPLY=($(compgen -W \"$_forkcast_commands --help --version\" -- \"$cur\")); return\n"
    "  fi\n"
    "  if [ \"$cmd\" = calibrate ] && [ -z \"$sub\" ]; then\n"
    "    COMPREPLY=($(compgen -W \"$_forkcast_modes --help --quiet\" -- \"$cur\")); return\n"
    "  fi\n"
    "  if [ -n \"$dashdash\" ]; then  # calibrate command -- CMD ARGS: a command, then files\n"
    "    [ $((dashdash + 1)) -eq $COMP_CWORD ] && COMPREPLY=($(compgen -c -- \"$cur\" | sort -u))\n"
    "    return\n"
    "  fi\n"
    "  local key=${cmd//-/_}${sub:+_${sub//-/_}}\n"
    "  local opts=_forkcast_opts_$key\n"
    "  vals=_forkcast_vals_$key\n"
    "  [ -z \"${!opts+set}\" ] && return\n"
    "  # an option's value (\"--with F\", \"--with=F\"): files, by bash's default completion\n"
    "  if [ \"$cur\" = = ] || [ \"$prev\" = = ] || [[ \" ${!vals} \" == *\" $prev \"* ]]; then return; fi\n"
    "  if [[ $cur == -* ]]; then\n"
    "    COMPREPLY=($(compgen -W \"${!opts}\" -- \"$cur\")); return\n"
    "  fi\n"
    "  if [ \"$cmd\" = plot ] && [ $npos -eq 0 ]; then\n"
    "    COMPREPLY=($(compgen -W \"$_forkcast_plot_kinds\" -- \"$cur\")); return\n"
    "  fi\n"
    "}\n"
    "complete -o bashdefault -o default -F _forkcast forkcast\n";

int cli_cmd_completion(int argc, char **argv)
{
    cli_parser p;
    cli_parser_init(&p, "completion", NULL, NULL, NULL);
    for (int c; (c = cli_parser_next(&p, argc, argv)) != CLI_P_END;) {
        if (c == CLI_P_ERR)
            return CLI_EUSAGE;
        if (c == CLI_P_HELP) {
            usage(stdout);
            return CLI_OK;
        }
        if (strcmp(p.val, "bash"))
            return cli_usage_error("completion: only bash is supported (got '%s')", p.val);
    }
    char list[1024] = "";
    printf("# bash completion for forkcast: generated by `forkcast completion` from the option\n"
           "# tables of its parsers. Load: source <(forkcast completion), or make install.\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        add_word(list, sizeof list, c->name);
    printf("_forkcast_commands=\"%s\"\n", list);
    list[0] = 0;
    for (const cli_command *m = cli_calibrate_modes; m->name; m++)
        add_word(list, sizeof list, m->name);
    printf("_forkcast_modes=\"%s\"\n", list);
    list[0] = 0;
    for (int k = 0; k < PLOT_NKINDS; k++)
        add_word(list, sizeof list, plot_kind_name((plot_kind)k));
    printf("_forkcast_plot_kinds=\"%s\"\n", list);
    for (const cli_command *c = cli_commands; c->name; c++) {
        char key[64];
        if (c->run == cli_cmd_calibrate || c->run == cli_cmd_completion)
            continue;
        snprintf(key, sizeof key, "%s", c->name);
        for (char *k = key; *k; k++)
            *k = *k == '-' ? '_' : *k;
        emit_options(stdout, key, c->run, c->name);
    }
    for (const cli_command *m = cli_calibrate_modes; m->name; m++) {
        char key[64];
        snprintf(key, sizeof key, "calibrate_%s", m->name);
        emit_options(stdout, key, m->run, m->name);
    }
    printf("_forkcast_opts_completion=\"--help --quiet\"\n_forkcast_vals_completion=\"\"\n");
    fputs(script, stdout);
    return CLI_OK;
}
