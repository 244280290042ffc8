/* cli/cmd_plan.c -- `forkcast plan`: which stages in which chunked jobs, on
 * which GPU type, with how many containers (model/plan.h), optionally
 * checked by the simulator (sim/plan_verify.h) and ranked again under a
 * stream of videos (--rate: sim/cap_pipe_rank.h). */
#include "cli/cli.h"
#include "cli/progress.h"
#include "base/csv.h"
#include "model/plan.h"
#include "model/plan_out.h"
#include "sim/cap_pipe_rank.h"
#include "sim/plan_verify.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WITH 16

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: forkcast plan [FILE] [--objective cost|speed|balanced[:W]] [--p95-target S|none]\n"
            "                     [--max-cost USD|none] [--gpu-types T4,L4,...] [--gpus LIST]\n"
            "                     [--with PROFILE | --with STAGE[@GPU]=PROFILE] [--verify]\n"
            "                     [--replications R] [--seed S] [--threads T] [--json|--csv]\n"
            "                     [--rate PER_HOUR [--hours H]]\n\n"
            "The cheapest way to run a whole pipeline within a latency target: every grouping of\n"
            "the stages into contiguous chunked jobs x GPU type x containers per job, in closed\n"
            "form (mean and p95 wall, mean cost; the p95 of the sum of the jobs' walls by\n"
            "convolution). Prints the Pareto plans (cost against p95), the recommendation against\n"
            "pipeline.current and why the runner-up lost. No FILE: the built-in overlay-e7\n"
            "scenario as a one-stage pipeline. docs/plan.md has the model and every choice.\n\n"
            "  FILE                    scenario JSON with a pipeline (and plan) section, or any\n"
            "                          scenario (one stage)\n"
            "  --objective O           cost (cheapest meeting the targets), speed (lowest p95\n"
            "                          within the cost limit), balanced[:W] (W in [0,1], weight of\n"
            "                          cost; default plan.balanced_weight or 0.5); default\n"
            "                          plan.objective or cost\n"
            "  --p95-target S          p95 wall target in seconds; none: no target at all (by\n"
            "                          default cost keeps the current plan's p95 as the target)\n"
            "  --max-cost USD          mean cost limit per video; none: no limit at all (by\n"
            "                          default speed keeps the current plan's cost as the limit)\n"
            "  --gpu-types LIST        GPU types to consider (priced from data/prices/modal.json\n"
            "                          unless plan.gpu_types prices them)\n"
            "  --gpus LIST             containers per job to consider, e.g. 1,2,4,8\n"
            "  --with PROFILE          merge a profile / scenario fragment (repeatable)\n"
            "  --with STAGE[@GPU]=P    stage.per_frame_s of profile P becomes STAGE's figure on\n"
            "                          GPU (default platform.gpu), with its provenance\n"
            "  --verify                simulate every Pareto plan and the current one; print the\n"
            "                          model-vs-simulation differences in standard errors\n"
            "  --replications R        --verify replications per plan (default sim.replications)\n"
            "  --seed S, --threads T   --verify and --rate seed (default sim.seed); --verify\n"
            "                          threads (all cores)\n"
            "  --rate PER_HOUR         run every Pareto plan and the current one through the\n"
            "                          capacity simulator (each group its own pool) at this\n"
            "                          Poisson rate; rank them again by cost per day and p95\n"
            "                          under load, and say whether the best differs\n"
            "  --hours H               --rate run length (default workload.hours, else 24)\n"
            "  --json | --csv          JSON (the Pareto plans, recommended, current, summary) or\n"
            "                          CSV of every candidate\n"
            "  --quiet                 no --verify progress on stderr\n\n"
            "A target no plan meets is an answer, not an error: \"no plan meets ...\" with the\n"
            "closest plans, exit 0. Input errors (unknown stage, unpriced GPU type, a stage with\n"
            "no figure on any type considered, an empty search space): one line, exit 2.\n");
}

typedef struct {
    const char *file;
    const char *plain[MAX_WITH];
    int nplain;
    const char *stage_prof[MAX_WITH];
    int nstage;
    const char *objective, *p95, *max_cost, *types, *gpus;
    int verify, json, csv;
    long reps, seed;
    unsigned threads;
    double rate, hours;                  /* --rate, --hours; 0: not given */
} plan_args;

/* A --with value STAGE[@GPU]=FILE whose STAGE is one of the scenario's. */
static int is_stage_profile(const char *v)
{
    const char *eq = strchr(v, '=');
    return eq && eq != v && !memchr(v, '/', (size_t)(eq - v));
}

static int parse_args(int argc, char **argv, plan_args *a)
{
    static const struct option opts[] = {
        {"objective", required_argument, 0, 'o'}, {"p95-target", required_argument, 0, 't'},
        {"max-cost", required_argument, 0, 'c'},  {"gpu-types", required_argument, 0, 'T'},
        {"gpus", required_argument, 0, 'g'},      {"verify", no_argument, 0, 'v'},
        {"replications", required_argument, 0, 'r'}, {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 'j'},   {"json", no_argument, 0, 'J'},
        {"csv", no_argument, 0, 'C'},             {"with", required_argument, 0, 'w'},
        {"rate", required_argument, 0, 'R'},      {"hours", required_argument, 0, 'H'},
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0},
    };
    long n;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = cli_getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return 1;
        case 'o': a->objective = optarg; break;
        case 't': a->p95 = optarg; break;
        case 'c': a->max_cost = optarg; break;
        case 'T': a->types = optarg; break;
        case 'g': a->gpus = optarg; break;
        case 'v': a->verify = 1; break;
        case 'J': a->json = 1; break;
        case 'C': a->csv = 1; break;
        case 'r':
            if (cli_parse_long("--replications", optarg, 2, 100000000, &a->reps))
                return -1;
            break;
        case 's':
            if (cli_parse_long("--seed", optarg, 0, 2147483647L, &a->seed))
                return -1;
            break;
        case 'j':
            if (cli_parse_long("--threads", optarg, 1, 1024, &n))
                return -1;
            a->threads = (unsigned)n;
            break;
        case 'R':
            if (cli_parse_double("--rate", optarg, 1e-9, 1e9, &a->rate))
                return -1;
            break;
        case 'H':
            if (cli_parse_double("--hours", optarg, 1e-6, 1e6, &a->hours))
                return -1;
            break;
        case 'w':
            if (a->nplain + a->nstage >= MAX_WITH) {
                cli_usage_error("--with: at most %d profiles", MAX_WITH);
                return -1;
            }
            if (is_stage_profile(optarg))
                a->stage_prof[a->nstage++] = optarg;
            else
                a->plain[a->nplain++] = optarg;
            break;
        case ':': cli_usage_error("%s: missing value", argv[optind - 1]); return -1;
        default: {
            const char *bad = argv[optind - 1], *eq = strchr(bad, '=');
            if (optopt > 0 && eq) /* a flag of ours given a value */
                cli_usage_error("%.*s: takes no value (got '%s')", (int)(eq - bad), bad, bad);
            else
                cli_unknown_option("plan", bad, opts);
            return -1;
        }
        }
    }
    for (; optind < argc; optind++) {
        if (a->file) {
            cli_usage_error("plan: unexpected argument '%s' (one scenario file only)", argv[optind]);
            return -1;
        }
        a->file = argv[optind];
    }
    if (a->json && a->csv) {
        cli_usage_error("--json and --csv exclude each other");
        return -1;
    }
    if (a->hours > 0 && !(a->rate > 0)) {
        cli_usage_error("--hours needs --rate");
        return -1;
    }
    if (a->rate > 0 && a->csv) {
        cli_usage_error("--rate and --csv exclude each other (the CSV lists every candidate; --rate runs the "
                        "Pareto plans: use --json)");
        return -1;
    }
    if (a->verify && a->csv) {
        cli_usage_error("--verify and --csv exclude each other (the CSV lists every candidate; --verify "
                        "simulates the Pareto plans: use --json)");
        return -1;
    }
    return 0;
}

/* --objective, --p95-target, --max-cost over the file's goal. */
static int apply_goal(const plan_args *a, model_plan_goal *g)
{
    if (a->objective) {
        char name[16];
        const char *colon = strchr(a->objective, ':');
        size_t len = colon ? (size_t)(colon - a->objective) : strlen(a->objective);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), a->objective);
        if (len >= sizeof name || model_plan_objective_parse(name, &g->objective) ||
            (colon && g->objective != MODEL_PLAN_BALANCED))
            return cli_usage_error("--objective: must be cost, speed or balanced[:W] (got '%s')", a->objective);
        if (colon && cli_parse_double("--objective balanced:W", colon + 1, 0, 1, &g->balanced_weight))
            return CLI_EUSAGE;
    }
    if (a->p95) {
        if (!strcmp(a->p95, "none"))
            g->p95_target_s = 0, g->p95_none = 1;
        else if (cli_parse_double("--p95-target", a->p95, 1e-9, 1e9, &g->p95_target_s))
            return CLI_EUSAGE;
    }
    if (a->max_cost) {
        if (!strcmp(a->max_cost, "none"))
            g->max_cost_usd = 0, g->cost_none = 1;
        else if (cli_parse_double("--max-cost", a->max_cost, 1e-12, 1e9, &g->max_cost_usd))
            return CLI_EUSAGE;
    }
    return CLI_OK;
}

/* The pipeline with the command line's types, counts and stage profiles. */
static int make_pipeline(const plan_args *a, const model_scenario *s, model_pipeline **out)
{
    char err[1024];
    model_pipeline *p = NULL;
    int rc = model_pipeline_for(s, &p, err, sizeof err);
    for (int i = 0; !rc && i < a->nstage; i++) {
        char stage[MODEL_PIPE_NAME + 1], *gpu;
        const char *v = a->stage_prof[i], *eq = strchr(v, '=');
        snprintf(stage, sizeof stage, "%.*s", (int)(eq - v < MODEL_PIPE_NAME ? eq - v : MODEL_PIPE_NAME), v);
        if ((gpu = strchr(stage, '@')))
            *gpu++ = 0;
        rc = model_pipeline_stage_profile(p, s, stage, gpu, eq + 1, err, sizeof err);
    }
    if (!rc && a->types)
        rc = model_pipeline_set_types(p, s, a->types, "--gpu-types", err, sizeof err);
    if (!rc && a->gpus) {
        if (cli_parse_int_list("--gpus", a->gpus, 1, MODEL_MAX_GPUS, p->gpus, MODEL_MAX_GPU_LIST, &p->ngpus)) {
            model_pipeline_free(p);
            return CLI_EUSAGE;
        }
        p->ngpus = model_gpu_list_normalize(p->gpus, p->ngpus);
    }
    if (!rc)
        rc = model_pipeline_check(p, s, err, sizeof err);
    if (rc) {
        model_pipeline_free(p);
        return cli_fail(rc, "%s", err);
    }
    *out = p;
    return CLI_OK;
}

/* ---- text -------------------------------------------------------------------- */

static void print_row(FILE *f, const model_plan_result *r, const model_plan_cand *c, const char *mark)
{
    char d[512];
    model_plan_describe(r, c, d, sizeof d);
    fprintf(f, "%-2s%-52s %8.1f s %8.1f s  $%-9.5f %s\n", mark, d, c->wall_mean, c->wall_p95, c->cost_mean,
            c->meets ? "ok" : r->goal.p95_target_s > 0 && c->wall_p95 > r->goal.p95_target_s ? "p95 over" : "cost over");
}

static void print_text(FILE *f, const model_plan_result *r)
{
    const model_pipeline *p = r->pipe;
    const model_plan_goal *g = &r->goal;
    fprintf(f, "%s: ", r->s->name);
    if (!p->has_stages)
        fprintf(f, "one stage (stage.per_frame_s)");
    for (int i = 0; p->has_stages && i < p->nstages; i++)
        fprintf(f, "%s%s", i ? " -> " : "", p->stage[i].name);
    fprintf(f, ", %ld frames; GPU types", r->s->frames);
    for (int t = 0, n = 0; t < r->ntypes; t++)
        if (r->types[t].considered)
            fprintf(f, "%s %s", n++ ? "," : "", r->types[t].name);
    const int *gl = p->ngpus ? p->gpus : r->s->gpus, ngl = p->ngpus ? p->ngpus : r->s->ngpus;
    for (int t = 0, n = 0; t < r->ntypes; t++) {
        int any = 0;
        for (int i = 0; i < p->nstages; i++)
            any |= model_pipeline_figure(p, i, r->types[t].name) != NULL;
        if (r->types[t].considered && !any)
            fprintf(f, "%s %s", n++ ? "," : " (no stage has a figure on", r->types[t].name);
        if (t == r->ntypes - 1 && n)
            fprintf(f, ")");
    }
    fprintf(f, "; containers");
    for (int i = 0; i < ngl; i++)
        fprintf(f, "%s %d", i ? "," : "", gl[i]);
    fprintf(f, "\nobjective %s", model_plan_objective_name(g->objective));
    if (g->objective == MODEL_PLAN_BALANCED)
        fprintf(f, " (w = %g)", g->balanced_weight);
    if (g->p95_target_s > 0)
        fprintf(f, ", p95 target %.4g s%s", g->p95_target_s, g->p95_from_current ? " (the current plan's)" : "");
    if (g->max_cost_usd > 0)
        fprintf(f, ", cost limit $%.4g%s", g->max_cost_usd, g->cost_from_current ? " (the current plan's)" : "");
    fprintf(f, "; %ld candidate plans (%.0f before dropping dominated group choices), %d on the Pareto front; "
               "closed form in %.3f s\n\n", r->ncand, r->enumerated, r->npareto, r->search_s);
    fprintf(f, "  %-52s %10s %10s  %-10s %s\n", "Pareto plans (ascending cost)", "wall mean", "wall p95", "cost mean",
            "targets");
    for (int i = 0; i < r->npareto; i++) {
        long ci = r->pareto[i];
        print_row(f, r, &r->cand[ci], ci == r->recommended ? "*" : "");
    }
    if (r->has_current) {
        fprintf(f, "  current:\n");
        print_row(f, r, &r->current, "");
    }
    if (r->recommended < 0 && r->closest[1] >= 0) {
        char d[512];
        const model_plan_cand *c = &r->cand[r->closest[1]];
        model_plan_describe(r, c, d, sizeof d);
        fprintf(f, "\nalso closest: %s, p95 %.1f s, $%.4g per video\n", d, c->wall_p95, c->cost_mean);
    }
    fprintf(f, "\n%s\n", r->summary);
    if (r->why[0])
        fprintf(f, "%s\n", r->why);
}

/* ---- --verify ------------------------------------------------------------------- */

/* Every Pareto plan, then the current one, simulated: into *out (owned). */
static int run_verify(const plan_args *a, const model_plan_result *r, sim_plan_verify_opts *o, sim_plan_check **out)
{
    char err[1024];
    *o = (sim_plan_verify_opts){a->reps ? a->reps : r->s->replications,
                                a->seed >= 0 ? (uint64_t)a->seed : r->s->seed, a->threads};
    if (o->replications < 2)
        o->replications = 2;
    int n = r->npareto + r->has_current;
    sim_plan_check *k = calloc((size_t)n, sizeof *k);
    if (!k)
        return cli_fail(CLI_ERUNTIME, "out of memory");
    cli_progress pg;
    cli_progress_begin(&pg, "plan --verify", "plans simulated", 0);
    for (int i = 0; i < n; i++) {
        const model_plan_cand *c = i < r->npareto ? &r->cand[r->pareto[i]] : &r->current;
        int rc = sim_plan_verify(r, c, o, &k[i], err, sizeof err);
        cli_progress_update(&pg, NULL, i + 1, n);
        if (rc) {
            cli_progress_end(&pg);
            free(k);
            return cli_fail(rc, "%s", err);
        }
    }
    cli_progress_end(&pg);
    *out = k;
    return CLI_OK;
}

static void print_verify(FILE *f, const model_plan_result *r, const sim_plan_verify_opts *o, const sim_plan_check *k)
{
    int effects = 0;
    fprintf(f, "\nverify: Monte Carlo, %ld replications per plan, seed %lu; z = (model - sim) / standard error\n"
               "  %-52s %18s %18s %19s\n", o->replications, (unsigned long)o->seed, "plan (simulated)",
            "wall mean (z)", "wall p95 (z)", "cost mean (z)");
    for (int i = 0; i < r->npareto + r->has_current; i++) {
        const model_plan_cand *c = i < r->npareto ? &r->cand[r->pareto[i]] : &r->current;
        char d[512];
        model_plan_describe(r, c, d, sizeof d);
        fprintf(f, "%-2s%-52s %8.2f s (%+5.1f) %8.2f s (%+5.1f) $%-9.5f (%+5.1f)\n", i < r->npareto ? "" : "c", d,
                k[i].wall.mean, k[i].z_mean, k[i].wall.p95, k[i].z_p95, k[i].cost.mean, k[i].z_cost);
        effects |= k[i].effects;
    }
    fprintf(f, "%s", effects ? "(simulator effects the closed form omits are on: a difference there is the effect)\n"
                             : "");
}

static double finite_z(double z)
{
    return isfinite(z) ? z : copysign(1e308, z);
}

static void json_verify(cJSON *json, const model_plan_result *r, const sim_plan_verify_opts *o, const sim_plan_check *k)
{
    cJSON *pj = cJSON_GetObjectItemCaseSensitive(json, "plans")->child;
    for (int i = 0; i < r->npareto + r->has_current; i++, pj = pj ? pj->next : NULL) {
        cJSON *target = i < r->npareto ? pj : cJSON_GetObjectItemCaseSensitive(json, "current");
        cJSON *v = cJSON_AddObjectToObject(target, "sim");
        cJSON_AddNumberToObject(v, "replications", (double)o->replications);
        cJSON_AddNumberToObject(v, "seed", (double)o->seed);
        cJSON *w = cJSON_AddObjectToObject(v, "wall_s");
        cJSON_AddNumberToObject(w, "mean", k[i].wall.mean);
        cJSON_AddNumberToObject(w, "stderr", k[i].wall.se);
        cJSON_AddNumberToObject(w, "p95", k[i].wall.p95);
        cJSON_AddNumberToObject(w, "p95_stderr", k[i].p95_se);
        cJSON *cu = cJSON_AddObjectToObject(v, "cost_usd");
        cJSON_AddNumberToObject(cu, "mean", k[i].cost.mean);
        cJSON_AddNumberToObject(cu, "stderr", k[i].cost.se);
        cJSON *z = cJSON_AddObjectToObject(v, "z");
        cJSON_AddNumberToObject(z, "wall_mean", finite_z(k[i].z_mean));
        cJSON_AddNumberToObject(z, "wall_p95", finite_z(k[i].z_p95));
        cJSON_AddNumberToObject(z, "cost_mean", finite_z(k[i].z_cost));
        cJSON_AddBoolToObject(v, "effects", k[i].effects);
    }
}

/* ---- --rate ------------------------------------------------------------------------ */

static int run_rank(const plan_args *a, const model_plan_result *r, sim_cap_rank *k)
{
    char err[1024];
    sim_cap_rank_opts o = {a->rate, a->hours > 0 ? a->hours : r->s->hours > 0 ? r->s->hours : 24,
                           a->seed >= 0 ? (uint64_t)a->seed : r->s->seed};
    int rc = sim_cap_rank_run(r, &o, k, err, sizeof err);
    return rc ? cli_fail(rc, "%s", err) : CLI_OK;
}

static void print_rank(FILE *f, const sim_cap_rank *k)
{
    int lost = 0;
    for (int i = 0; i < k->n; i++)
        lost |= k->row[i].lost > 0;
    fprintf(f, "\nunder load: %s, seed %lu; each group its own pool (forkcast capacity); %d plans in %.2f s\n",
            k->workload, (unsigned long)k->o.seed, k->n, k->run_s);
    if (k->goal.p95_target_s > 0 || k->goal.max_cost_usd > 0) {
        fprintf(f, "targets under load:");
        if (k->goal.p95_target_s > 0)
            fprintf(f, " p95 %.4g s%s", k->goal.p95_target_s, k->goal.p95_from_current ? " (the current plan's)" : "");
        if (k->goal.max_cost_usd > 0)
            fprintf(f, "%s $%.4g per video%s", k->goal.p95_target_s > 0 ? "," : "", k->goal.max_cost_usd,
                    k->goal.cost_from_current ? " (the current plan's)" : "");
        fprintf(f, "\n");
    }
    fprintf(f, "  %-46s %10s %10s %10s %10s %10s%s  targets\n", "plan (* best under load)", "single p95",
            "load mean", "load p95", "cost/day", "$/video", lost ? "    lost" : "");
    for (int i = 0; i < k->n; i++) {
        const sim_cap_rank_row *x = &k->row[i];
        const sim_cap_result *e = &x->res.all;
        char cost[32], l[32] = "";
        snprintf(cost, sizeof cost, "$%.2f", e->cost_per_day);
        if (lost)
            snprintf(l, sizeof l, "  %5.1f%%", 100 * x->lost);
        if (x->current && !x->pareto)
            fprintf(f, "  current:\n");
        fprintf(f, "%-2s%-46.46s %8.1f s %8.1f s %8.1f s %10s  $%-8.4f%s  %s%s\n", i == k->best ? "*" : "", x->name,
                x->single_p95, e->latency_mean, e->latency_p95, cost, e->cost_per_job, l,
                !e->stable ? "unstable" : x->meets ? "ok" : "missed", x->current && x->pareto ? " (current)" : "");
    }
    fprintf(f, "\n%s\n", k->summary);
}

int cli_cmd_plan(int argc, char **argv)
{
    plan_args a = {.seed = -1};
    model_scenario s;
    model_pipeline *pipe = NULL;
    model_plan_result *r = NULL;
    sim_plan_check *checks = NULL;
    sim_cap_rank rank = {0};
    char err[1024];
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc > 0 ? CLI_OK : CLI_EUSAGE;
    if (a.file)
        rc = model_scenario_load(a.file, a.plain, a.nplain, &s, err, sizeof err);
    else
        rc = model_scenario_default(a.plain, a.nplain, &s, err, sizeof err);
    if (rc)
        return cli_fail(rc, "%s", err);
    if ((rc = make_pipeline(&a, &s, &pipe)))
        goto cleanup;
    model_plan_goal goal = model_plan_goal_of(pipe);
    if ((rc = apply_goal(&a, &goal))) {
        model_pipeline_free(pipe);
        goto cleanup;
    }
    if ((rc = model_plan_search(&s, pipe, &goal, &r, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    sim_plan_verify_opts vo;
    if (a.verify && (rc = run_verify(&a, r, &vo, &checks)))
        goto cleanup;
    if (a.rate > 0 && (rc = run_rank(&a, r, &rank)))
        goto cleanup;
    if (a.csv) {
        if (model_plan_csv(stdout, r))
            rc = cli_fail(CLI_ERUNTIME, "writing output failed");
    } else if (a.json) {
        cJSON *j = model_plan_json(r);
        if (!j) {
            rc = cli_fail(CLI_ERUNTIME, "out of memory");
            goto cleanup;
        }
        if (a.verify)
            json_verify(j, r, &vo, checks);
        if (a.rate > 0) {
            cJSON *u = sim_cap_rank_json(&rank);
            if (!u) {
                cJSON_Delete(j);
                rc = cli_fail(CLI_ERUNTIME, "out of memory");
                goto cleanup;
            }
            cJSON_AddItemToObject(j, "under_load", u);
        }
        rc = cli_write_json(j, NULL);
        cJSON_Delete(j);
    } else {
        print_text(stdout, r);
        if (a.verify)
            print_verify(stdout, r, &vo, checks);
        if (a.rate > 0)
            print_rank(stdout, &rank);
    }
cleanup:
    sim_cap_rank_free(&rank);
    free(checks);
    model_plan_result_free(r);
    model_scenario_free(&s);
    return rc;
}
