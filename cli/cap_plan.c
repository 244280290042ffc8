/* cli/cap_plan.c -- --plan and --group of `forkcast capacity` on a
 * pipeline (cli/cap_plan.h). */
#include "cli/cap_plan.h"

#include "cli/cli.h"
#include "model/plan.h"
#include "model/workload.h"
#include "base/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- --plan ------------------------------------------------------------------- */

static char *trim(char *t)
{
    while (isspace((unsigned char)*t))
        t++;
    size_t n = strlen(t);
    while (n > 0 && isspace((unsigned char)t[n - 1]))
        t[--n] = 0;
    return t;
}

/* One group "a+b: 4 x T4" of spec (the stages from *next on, in order). */
static int parse_group(const model_pipeline *p, const char *spec, char *tok, int gi, int *next, model_pipe_group *g)
{
    const char *names[MODEL_PIPE_MAX_STAGES + 1];
    char *colon = strchr(tok, ':');
    for (int a = 0; a < p->nstages; a++)
        names[a] = p->stage[a].name;
    names[p->nstages] = NULL;
    if (!colon)
        return cli_usage_error("--plan '%s': group %d '%s': expected STAGE[+STAGE...]: K x GPU", spec, gi + 1,
                               trim(tok));
    *colon = 0;
    memset(g, 0, sizeof *g);
    int first = 1;
    for (char *st = tok, *plus; st; st = plus) {
        if ((plus = strchr(st, '+')))
            *plus++ = 0;
        char *name = trim(st);
        int idx = model_pipeline_stage_index(p, name);
        if (idx < 0) {
            const char *near = base_did_you_mean(name, names);
            if (near)
                return cli_usage_error("--plan '%s': group %d: unknown stage '%s' (did you mean '%s'?)", spec, gi + 1,
                                       name, near);
            return cli_usage_error("--plan '%s': group %d: unknown stage '%s' (pipeline.stages has no such name)",
                                   spec, gi + 1, name);
        }
        if (idx != *next)
            return cli_usage_error("--plan '%s': group %d: expected '%s' (groups take the stages in pipeline order, "
                                   "each once; got '%s')", spec, gi + 1,
                                   *next < p->nstages ? p->stage[*next].name : "no more stages", name);
        if (first)
            g->first = idx;
        first = 0;
        g->last = idx;
        (*next)++;
    }
    char k[64] = "", *w = k, *end;
    for (const char *c = colon + 1; *c && w < k + sizeof k - 1; c++)
        if (!isspace((unsigned char)*c))
            *w++ = *c;
    *w = 0;
    long n = strtol(k, &end, 10);
    if (end == k || (*end != 'x' && *end != 'X') || !end[1] || n < 1 || n > MODEL_MAX_GPUS ||
        strlen(end + 1) >= MODEL_PIPE_NAME)
        return cli_usage_error("--plan '%s': group %d: expected 'K x GPU' with 1 <= K <= %d after the stages (got "
                               "'%s')", spec, gi + 1, MODEL_MAX_GPUS, trim(colon + 1));
    g->gpus = (int)n;
    snprintf(g->gpu, sizeof g->gpu, "%s", end + 1);
    return CLI_OK;
}

/* "a: 4 x T4 -> b: 1 x L4" or "a:4xT4,b:1xL4" into g[0..*n). */
static int parse_spec(const model_pipeline *p, const char *spec, model_pipe_group *g, int *n)
{
    char buf[2048];
    int next = 0, rc;
    if (strlen(spec) >= sizeof buf)
        return cli_usage_error("--plan: too long (%zu characters)", strlen(spec));
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *a = buf; (a = strstr(a, "->")); a += 2)
        a[0] = ',', a[1] = ' ';
    *n = 0;
    for (char *tok = buf, *comma; tok; tok = comma) {
        if ((comma = strchr(tok, ',')))
            *comma++ = 0;
        if (*n >= p->nstages)
            return cli_usage_error("--plan '%s': more groups than the %d stages", spec, p->nstages);
        if ((rc = parse_group(p, spec, tok, *n, &next, &g[*n])))
            return rc;
        (*n)++;
    }
    if (next < p->nstages)
        return cli_usage_error("--plan '%s': stage '%s' is in no group (every stage, in order)", spec,
                               p->stage[next].name);
    return CLI_OK;
}

/* What `forkcast plan` recommends under the plan section's goal. */
static int recommended(const model_scenario *s, sim_cap_plan *pl)
{
    char err[1024];
    model_pipeline *pipe = NULL;
    model_plan_result *r = NULL;
    int rc = model_pipeline_for(s, &pipe, err, sizeof err);
    if (!rc) {
        model_plan_goal goal = model_plan_goal_of(pipe);
        rc = model_plan_search(s, pipe, &goal, &r, err, sizeof err); /* takes pipe */
    }
    if (rc)
        return cli_fail(rc, "%s", err);
    if (r->recommended < 0) {
        rc = cli_fail(CLI_EUSAGE, "%s: --plan recommended: no plan to run: %s", s->file, r->summary);
    } else {
        const model_plan_cand *c = &r->cand[r->recommended];
        model_pipe_group g[MODEL_PIPE_MAX_STAGES];
        for (int i = 0; i < c->ngroups; i++)
            g[i] = r->choice[c->choice[i]].g;
        if ((rc = sim_cap_plan_make(s, r->pipe, g, c->ngroups, "recommended", pl, err, sizeof err)))
            rc = cli_fail(rc, "%s", err);
    }
    model_plan_result_free(r);
    return rc;
}

int cli_cap_plan_resolve(const model_scenario *s, const char *plan, sim_cap_plan *pl)
{
    const model_pipeline *p = s->pipeline;
    char err[1024];
    int rc;
    if (!plan || !strcmp(plan, "current")) {
        if (p->ncurrent == 0)
            return cli_fail(CLI_EUSAGE, "%s: pipeline.current: the pipeline has no current plan: give --plan "
                            "recommended, --plan 'STAGE: K x GPU -> ...' or --plan stage", s->file);
        rc = sim_cap_plan_make(s, p, p->current, p->ncurrent, "current", pl, err, sizeof err);
        return rc ? cli_fail(rc, "%s", err) : CLI_OK;
    }
    if (!strcmp(plan, "recommended"))
        return recommended(s, pl);
    model_pipe_group g[MODEL_PIPE_MAX_STAGES];
    int n = 0;
    if ((rc = parse_spec(p, plan, g, &n)))
        return rc;
    if ((rc = sim_cap_plan_make(s, p, g, n, "given", pl, err, sizeof err)))
        return cli_fail(rc, "--plan '%s': %s", plan, err);
    return CLI_OK;
}

/* ---- --group ------------------------------------------------------------------- */

/* Group named by a number from 1 or one of its stages: index, or -1 printed. */
static int group_of(const sim_cap_plan *pl, const char *opt, const char *name)
{
    char *end;
    long v = strtol(name, &end, 10);
    if (end != name && !*end) {
        if (v >= 1 && v <= pl->n)
            return (int)v - 1;
        cli_usage_error("--group %s: group %ld: the plan has groups 1..%d", opt, v, pl->n);
        return -1;
    }
    for (int g = 0; g < pl->n; g++)
        for (int i = pl->g[g].first; i <= pl->g[g].last; i++)
            if (!strcmp(pl->stage[i], name))
                return g;
    cli_usage_error("--group %s: '%s' is neither a group number (1..%d) nor a stage of the plan", opt, name, pl->n);
    return -1;
}

/* FIELD=V on view v (the option named `opt` in messages). */
static int set_field(sim_cap_plan *pl, int g, const char *opt, const char *field, const char *val)
{
    model_scenario *v = &pl->view[g];
    char what[160];
    long n;
    double d;
    snprintf(what, sizeof what, "--group %.60s: %.60s", opt, field);
#define LONGF(name, lo, hi, dst)                                    \
    if (!strcmp(field, name)) {                                     \
        if (cli_parse_long(what, val, lo, hi, &n))                  \
            return CLI_EUSAGE;                                      \
        dst = (int)n;                                               \
        return CLI_OK;                                              \
    }
    LONGF("max_containers", 0, 1000000, v->max_containers);
    LONGF("min_containers", 0, 1000000, v->min_containers);
    LONGF("buffer_containers", 0, 1000000, v->buffer_containers);
    LONGF("initial_warm", 0, 1000000, v->initial_warm);
    LONGF("max_inputs", 1, MODEL_MAX_INPUTS, v->max_inputs);
#undef LONGF
    if (!strcmp(field, "scaledown_window_s") || !strcmp(field, "queue_timeout_s")) {
        if (cli_parse_double(what, val, 0, 1e9, &d))
            return CLI_EUSAGE;
        *(field[0] == 's' ? &v->scaledown_window_s : &v->queue_timeout_s) = d;
        return CLI_OK;
    }
    if (!strcmp(field, "max_queue")) {
        if (!strcmp(val, "unlimited")) {
            v->has_max_queue = 0;
            return CLI_OK;
        }
        if (cli_parse_long(what, val, 0, 1000000000L, &n))
            return CLI_EUSAGE;
        v->has_max_queue = 1;
        v->max_queue = n;
        return CLI_OK;
    }
    if (!strcmp(field, "idle_rule")) {
        if (model_idle_rule_parse(val, &v->idle_rule))
            return cli_usage_error("%s: must be last_idle, newest or oldest (got '%s')", what, val);
        return CLI_OK;
    }
    return cli_usage_error("--group %s: unknown field '%s' (max_containers, min_containers, buffer_containers, "
                           "scaledown_window_s, max_queue, queue_timeout_s, max_inputs, initial_warm, idle_rule)",
                           opt, field);
}

int cli_cap_group_apply(sim_cap_plan *pl, const char *const *opts, int n)
{
    for (int o = 0; o < n; o++) {
        char buf[1024], *colon;
        const char *opt = opts[o];
        snprintf(buf, sizeof buf, "%s", opt);
        if (!(colon = strchr(buf, ':')) || colon == buf || !colon[1])
            return cli_usage_error("--group %s: expected G:FIELD=V[,FIELD=V...] (G a group number or a stage)", opt);
        *colon = 0;
        int g = group_of(pl, opt, buf);
        if (g < 0)
            return CLI_EUSAGE;
        for (char *kv = colon + 1, *comma; kv; kv = comma) {
            if ((comma = strchr(kv, ',')))
                *comma++ = 0;
            char *eq = strchr(kv, '=');
            if (!eq || eq == kv || !eq[1])
                return cli_usage_error("--group %s: expected FIELD=V (got '%s')", opt, kv);
            *eq = 0;
            if (set_field(pl, g, opt, kv, eq + 1))
                return CLI_EUSAGE;
            if (!strcmp(kv, "max_containers"))
                pl->own_max[g] = 1;
        }
    }
    return CLI_OK;
}
