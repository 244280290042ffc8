/* cli/opts.c -- getopt_long with exact names, --quiet and probing; the
 * parser loop and its messages (cli/opts.h). */
#include "cli/opts.h"
#include "cli/cli.h"
#include "model/scenario.h"
#include "base/text.h"

#include <stdio.h>
#include <string.h>

int cli_quiet;

#define O_QUIET 0x51554954 /* never returned: --quiet */

static cli_opts_seen *probe; /* non-NULL while cli_opts_probe() runs */

static int table_len(const struct option *t)
{
    int n = 0;
    while (t && t[n].name)
        n++;
    return n;
}

/* argv index of the long option getopt_long just returned (li its entry). */
static int long_elem(char **argv, const struct option *o)
{
    if (o->has_arg != no_argument && optarg && optind >= 2 && optarg == argv[optind - 1])
        return optind - 2; /* "--name V" */
    return optind - 1;     /* "--name", "--name=V" */
}

int cli_getopt_long(int argc, char **argv, const char *shorts, const struct option *longs, int *longindex)
{
    static struct option aug[CLI_OPTS_MAX + 2];
    int n = table_len(longs);
    if (n > CLI_OPTS_MAX)
        n = CLI_OPTS_MAX;
    if (probe) {
        memcpy(probe->opts, longs, (size_t)n * sizeof *longs);
        probe->opts[n] = (struct option){NULL, 0, NULL, 0};
        probe->n = n;
        snprintf(probe->shorts, sizeof probe->shorts, "%s", shorts ? shorts : "");
        return 'h';
    }
    memcpy(aug, longs, (size_t)n * sizeof *aug);
    aug[n] = (struct option){"quiet", no_argument, NULL, O_QUIET};
    aug[n + 1] = (struct option){NULL, 0, NULL, 0};
    for (;;) {
        int li = -1;
        int c = getopt_long(argc, argv, shorts, aug, &li);
        if (longindex)
            *longindex = li;
        if (c == -1 || li < 0)
            return c;
        int e = long_elem(argv, &aug[li]);
        const char *arg = argv[e] + 2;
        size_t len = strcspn(arg, "=");
        if (strncmp(argv[e], "--", 2) || len != strlen(aug[li].name) || strncmp(arg, aug[li].name, len)) {
            optind = e + 1; /* an abbreviation: unknown, named by argv[optind - 1] */
            optopt = 0;
            if (longindex)
                *longindex = -1;
            return '?';
        }
        if (c != O_QUIET || aug[li].flag)
            return c;
        cli_quiet = 1;
    }
}

void cli_parser_init(cli_parser *p, const char *cmd, const char *shorts, const struct option *own,
                     const struct option *shared)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    snprintf(p->shorts, sizeof p->shorts, "-:%sh", shorts ? shorts : "");
    int n = 0;
    for (const struct option *t = own; t && t->name && n < CLI_OPTS_MAX - 2; t++)
        p->all[n++] = *t;
    for (const struct option *t = shared; t && t->name && n < CLI_OPTS_MAX - 2; t++)
        p->all[n++] = *t;
    p->all[n++] = (struct option){"help", no_argument, NULL, 'h'};
    p->all[n] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    optind = 0; /* glibc: start over */
}

/* "--name=V" where name is a flag of ours: the flag's name, else NULL. */
static const char *flag_with_value(const cli_parser *p, const char *arg)
{
    if (strncmp(arg, "--", 2) || !strchr(arg, '='))
        return NULL;
    size_t len = strcspn(arg + 2, "=");
    for (const struct option *o = p->all; o->name; o++)
        if (o->has_arg == no_argument && strlen(o->name) == len && !strncmp(o->name, arg + 2, len))
            return o->name;
    return NULL;
}

int cli_parser_next(cli_parser *p, int argc, char **argv)
{
    int li = -1;
    int c = cli_getopt_long(argc, argv, p->shorts, p->all, &li);
    p->val = optarg;
    p->name = p->namebuf;
    if (li >= 0)
        snprintf(p->namebuf, sizeof p->namebuf, "--%s", p->all[li].name);
    else
        snprintf(p->namebuf, sizeof p->namebuf, "-%c", c > 0 && c < 128 ? c : '?');
    switch (c) {
    case -1:
        p->rest = optind;
        p->dashdash = optind >= 2 && optind <= argc && !strcmp(argv[optind - 1], "--");
        return CLI_P_END;
    case 1:
        return CLI_P_POS;
    case ':':
        cli_usage_error("%s: missing value", argv[optind - 1]);
        return CLI_P_ERR;
    case '?': {
        const char *bad = argv[optind - 1], *flag = flag_with_value(p, bad);
        if (flag)
            cli_usage_error("--%s: takes no value (got '%s')", flag, bad);
        else if (optopt > 0 && optopt < 128)
            cli_usage_error("%s: unknown option '-%c' (see --help)", p->cmd, optopt);
        else
            cli_unknown_option(p->cmd, bad, p->all);
        return CLI_P_ERR;
    }
    default:
        return c;
    }
}

/* The one candidate sharing the longest start with key, when that start
 * is at least 4 characters and all of key but 2 ("replicas": replications). */
static const char *shared_start(const char *key, const char *const *cands, int n)
{
    const char *best = NULL;
    size_t bestl = 0;
    for (int i = 0; i < n; i++) {
        size_t l = 0;
        while (key[l] && key[l] == cands[i][l])
            l++;
        if (l > bestl)
            best = cands[i], bestl = l;
        else if (l == bestl)
            best = NULL;
    }
    return bestl >= 4 && bestl + 2 >= strlen(key) ? best : NULL;
}

int cli_unknown_option(const char *cmd, const char *arg, const struct option *longs)
{
    const char *cands[CLI_OPTS_MAX + 1];
    int n = 0;
    for (const struct option *o = longs; o && o->name && n < CLI_OPTS_MAX; o++)
        cands[n++] = o->name;
    cands[n] = NULL;
    char key[64];
    const char *k = arg;
    while (*k == '-')
        k++;
    snprintf(key, sizeof key, "%.*s", (int)strcspn(k, "="), k);
    const char *near = NULL;
    int prefixed = 0;
    for (int i = 0; key[0] && i < n; i++)
        if (!strncmp(cands[i], key, strlen(key)))
            near = cands[i], prefixed++;
    if (prefixed != 1)
        near = key[0] ? base_did_you_mean(key, cands) : NULL;
    if (!near)
        near = shared_start(key, cands, n);
    if (near)
        return cli_usage_error("%s: unknown option '%s' (did you mean '--%s'? see --help)", cmd, arg, near);
    return cli_usage_error("%s: unknown option '%s' (see --help)", cmd, arg);
}

void cli_opts_probe(int (*run)(int, char **), const char *argv0, const char *sub, cli_opts_seen *seen)
{
    char a0[64], a1[64];
    snprintf(a0, sizeof a0, "%s", argv0);
    snprintf(a1, sizeof a1, "%s", sub ? sub : "");
    char *argv[] = {a0, sub ? a1 : NULL, NULL};
    FILE *save = stdout, *null = fopen("/dev/null", "w");
    memset(seen, 0, sizeof *seen);
    if (!null)
        return;
    stdout = null; /* the help text the subcommand prints on 'h' */
    probe = seen;
    run(sub ? 2 : 1, argv);
    probe = NULL;
    stdout = save;
    fclose(null);
}
