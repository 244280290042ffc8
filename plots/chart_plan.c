/* plots/chart_plan.c -- the charts of `forkcast plan`: pareto (every
 * candidate plan's mean cost against its p95 wall, the Pareto front, the
 * current and recommended plans, the p95 target) and plan-gantt (one
 * simulated run of the current plan and of the recommended one, job after
 * job). Both search the scenario's pipeline with its own plan section
 * (model/plan.h). See chart.h and chart_csv.h. */
#include "plots/chart_csv.h"
#include "plots/labels.h"
#include "base/csv.h"
#include "base/status.h"
#include "model/plan.h"
#include "sim/job.h"
#include "sim/mc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int plot_plan_search(const model_scenario *s, model_plan_result **out, char *err, size_t errsz)
{
    model_pipeline *p = NULL;
    int rc = model_pipeline_for(s, &p, err, errsz);
    if (rc)
        return rc;
    model_plan_goal g = model_plan_goal_of(p);
    return model_plan_search(s, p, &g, out, err, errsz);
}

/* The plan to recommend on a chart: the recommendation, else the closest. */
static const model_plan_cand *shown(const model_plan_result *r)
{
    long i = r->recommended >= 0 ? r->recommended : r->closest[0];
    return i >= 0 ? &r->cand[i] : NULL;
}

/* Plot area of pareto.gp on the 1200 x 800 canvas (screen fractions; the
 * script's margins come from these, so the labels are placed on it). */
#define PARETO_L 0.09
#define PARETO_R 0.97
#define PARETO_B 0.19
#define PARETO_T 0.92

static void pareto_row(FILE *f, const model_plan_result *r, const char *series, const model_plan_cand *c,
                       const char *prefix, const plot_label *lab)
{
    char d[512], label[600];
    model_plan_describe(r, c, d, sizeof d);
    snprintf(label, sizeof label, "%s%s", prefix, prefix[0] ? d : "");
    fprintf(f, "%s,%.9g,%.9g,%.9g,", series, c->cost_mean, c->wall_p95, c->wall_mean);
    base_csv_field(f, label, BASE_CSV_ONELINE);
    if (lab && lab->placed)
        fprintf(f, ",%.9g,%.9g", lab->ax, lab->ay);
    else
        fputs(",,", f);
    if (lab && lab->placed && !isnan(lab->lx))
        fprintf(f, ",%.9g,%.9g\n", lab->lx, lab->ly);
    else
        fputs(",,\n", f);
}

/* The current and recommended labels placed clear of every candidate, the
 * front's staircase (as gnuplot's "steps" draws it), the target lines and
 * each other. */
static int pareto_labels(const model_plan_result *r, const model_plan_cand *w, const plot_frame *fr,
                         plot_label *lab, char *err, size_t errsz)
{
    size_t n = 3 * (size_t)r->ncand + 3 * (size_t)r->npareto + 8, np = 0;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    char d[512];
    if (!x || !y) {
        free(x);
        free(y);
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    }
#define PT(a, b) (x[np] = (a), y[np++] = (b))
    for (long i = 0; i < r->ncand; i++) {
        PT(r->cand[i].cost_mean, r->cand[i].wall_p95);
        PT(NAN, NAN);
    }
    for (int i = 0; i < r->npareto; i++) {
        const model_plan_cand *c = &r->cand[r->pareto[i]];
        if (i > 0)
            PT(c->cost_mean, r->cand[r->pareto[i - 1]].wall_p95);
        PT(c->cost_mean, c->wall_p95);
    }
    PT(NAN, NAN);
    if (r->goal.p95_target_s > 0) {
        PT(fr->xlo, r->goal.p95_target_s);
        PT(fr->xhi, r->goal.p95_target_s);
        PT(NAN, NAN);
    }
    if (r->goal.max_cost_usd > 0) {
        PT(r->goal.max_cost_usd, fr->ylo);
        PT(r->goal.max_cost_usd, fr->yhi);
    }
#undef PT
    const model_plan_cand *c[2] = {r->has_current ? &r->current : NULL, w};
    for (int i = 0; i < 2; i++) {
        lab[i] = (plot_label){.x = c[i] ? c[i]->cost_mean : NAN, .y = c[i] ? c[i]->wall_p95 : NAN, .lines = 1};
        if (c[i]) {
            model_plan_describe(r, c[i], d, sizeof d);
            lab[i].chars = (int)strlen(d) + (int)strlen(i ? "recommended: " : "current: ");
        }
    }
    plot_label_place(fr, x, y, (int)np, lab, 2);
    free(x);
    free(y);
    return BASE_OK;
}

static int csv_pareto(const model_scenario *s, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    model_plan_result *r = NULL;
    plot_label lab[2];
    int rc = plot_plan_search(s, &r, err, errsz);
    if (rc)
        return rc;
    double cmin = INFINITY, cmax = 0, wmin = INFINITY, wmax = 0;
    fprintf(f, "series,cost_usd,wall_p95_s,wall_mean_s,label,label_x,label_y,leader_x,leader_y\n");
    for (long i = 0; i < r->ncand; i++) {
        const model_plan_cand *c = &r->cand[i];
        pareto_row(f, r, "candidate", c, "", NULL);
        cmin = fmin(cmin, c->cost_mean);
        cmax = fmax(cmax, c->cost_mean);
        wmin = fmin(wmin, c->wall_p95);
        wmax = fmax(wmax, c->wall_p95);
    }
    for (int i = 0; i < r->npareto; i++)
        pareto_row(f, r, "front", &r->cand[r->pareto[i]], "", NULL);
    /* log axes when the range spans a decade-ish; room on the right for the labels */
    int lx = cmax > 6 * cmin, ly = wmax > 10 * wmin;
    plot_frame fr = {PARETO_L * 1200, PARETO_R * 1200, PARETO_B * 800, PARETO_T * 800,
                     lx ? cmin / 1.25 : fmax(0, cmin - 0.05 * (cmax - cmin)),
                     lx ? cmax * 2 : cmax + 0.45 * (cmax - cmin) + 1e-12,
                     ly ? wmin / 1.5 : fmax(0, wmin - 0.12 * (wmax - wmin)),
                     ly ? wmax * 1.5 : wmax + 0.08 * (wmax - wmin) + 1e-9, !lx, !ly};
    const model_plan_cand *w = shown(r);
    if ((rc = pareto_labels(r, w, &fr, lab, err, errsz)))
        goto cleanup;
    if (r->has_current)
        pareto_row(f, r, "current", &r->current, "current: ", &lab[0]);
    if (w)
        pareto_row(f, r, "recommended", w, r->recommended >= 0 ? "recommended: " : "closest: ", &lab[1]);
    plot_var_num(v, "logx", lx);
    plot_var_num(v, "logy", ly);
    plot_var_num(v, "xlo", fr.xlo);
    plot_var_num(v, "xhi", fr.xhi);
    plot_var_num(v, "ylo", fr.ylo);
    plot_var_num(v, "yhi", fr.yhi);
    plot_var_num(v, "par_l", PARETO_L);
    plot_var_num(v, "par_r", PARETO_R);
    plot_var_num(v, "par_b", PARETO_B);
    plot_var_num(v, "par_t", PARETO_T);
    plot_var_num(v, "p95_target", r->goal.p95_target_s);
    plot_var_str(v, "target_label", r->goal.p95_from_current ? "p95 target (the current plan's)" : "p95 target");
    plot_var_num(v, "max_cost", r->goal.max_cost_usd);
    plot_var_num(v, "has_current", r->has_current);
    rc = ferror(f) ? base_errf(err, errsz, BASE_ERUNTIME, "writing the chart's CSV failed") : BASE_OK;
cleanup:
    model_plan_result_free(r);
    return rc;
}

/* ---- plan-gantt ------------------------------------------------------------------ */

typedef struct {
    FILE *f;
    int lane, group, row0;         /* rows of this group's containers start at row0 */
    double t0;                     /* the group's start: the previous groups' end */
    double end;                    /* the latest end seen */
    const char *tag, *stages;
    int other;
} gantt_ctx;

static void gantt_span(void *vctx, int k, int container, int chunk, sim_job_phase ph, double t0, double t1)
{
    gantt_ctx *c = vctx;
    char label[256];
    int pi = (int)ph <= (int)SIM_PH_CONCAT ? (int)ph : 8;
    int row = container < 0 ? c->row0 + k : c->row0 + container;
    if (container < 0)
        snprintf(label, sizeof label, "%s %s concat", c->tag, c->stages);
    else
        snprintf(label, sizeof label, "%s %s #%d", c->tag, c->stages, container);
    fprintf(c->f, "%d,%d,%d,%d,%s,%.9g,%.9g,%d,%d,", c->lane, c->group, container, chunk, sim_job_phase_name(ph),
            c->t0 + t0, c->t0 + t1, row, pi);
    base_csv_field(c->f, label, BASE_CSV_ONELINE);
    fputc('\n', c->f);
    c->end = fmax(c->end, c->t0 + t1);
    c->other |= pi == 8 && t1 > t0;
}

/* One simulated run of plan c (replication 0 of seed, as --verify runs it)
 * into rows from *row on; returns the run's wall in *wall. */
static int gantt_lane(const model_plan_result *r, const model_plan_cand *c, int lane, const char *tag, FILE *f,
                      int *row, double *wall, int *other, char *err, size_t errsz)
{
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    sim_job_ws *ws = sim_job_ws_new();
    int rc = BASE_OK;
    if (!rng || !ws) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    sim_mc_seed_rng(rng, r->s->seed, 0);
    gantt_ctx g = {f, lane, 0, *row, 0, 0, tag, "", 0};
    for (int gi = 0; gi < c->ngroups; gi++) {
        const model_plan_choice *ch = &r->choice[c->choice[gi]];
        char stages[256] = "";
        size_t len = 0;
        for (int i = ch->g.first; i <= ch->g.last && len < sizeof stages; i++)
            len += (size_t)snprintf(stages + len, sizeof stages - len, "%s%s", i > ch->g.first ? "+" : "",
                                    r->pipe->stage[i].name);
        model_scenario gs;
        sim_job *job = NULL;
        sim_job_result res;
        if ((rc = model_plan_group_scenario(r, c, gi, &gs, err, errsz)) ||
            (rc = sim_job_new(&gs, r->s->frames, ch->g.gpus, 0, &job, err, errsz)))
            goto cleanup;
        g.group = gi;
        g.stages = stages;
        rc = sim_job_run(job, ws, rng, gantt_span, &g, &res, err, errsz);
        sim_job_free(job);
        if (rc)
            goto cleanup;
        g.row0 += ch->g.gpus + (ch->g.gpus > 1);
        g.t0 += res.wall;
    }
    *row = g.row0;
    *wall = g.t0;
    *other |= g.other;
cleanup:
    sim_job_ws_free(ws);
    gsl_rng_free(rng);
    return rc;
}

static int csv_plan_gantt(const model_scenario *s, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    model_plan_result *r = NULL;
    int rc = plot_plan_search(s, &r, err, errsz), row = 0, other = 0, first[2] = {0, 0};
    double wall[2] = {0, 0};
    if (rc)
        return rc;
    const model_plan_cand *lanes[2] = {r->has_current ? &r->current : NULL, shown(r)};
    const char *tags[2] = {"now:", r->recommended >= 0 ? "plan:" : "closest:"};
    fprintf(f, "lane,group,container,chunk,phase,start_s,end_s,row,phase_index,label\n");
    for (int l = 0; l < 2 && !rc; l++) {
        if (!lanes[l])
            continue;
        if (row > 0)
            row++; /* a blank row between the lanes */
        first[l] = row;
        rc = gantt_lane(r, lanes[l], l, tags[l], f, &row, &wall[l], &other, err, errsz);
    }
    if (!rc) {
        char d[512], lab[700];
        for (int l = 0; l < 2; l++) {
            char name[16];
            snprintf(name, sizeof name, "end%d", l);
            plot_var_num(v, name, lanes[l] ? wall[l] : -1);
            snprintf(name, sizeof name, "row%d", l);
            plot_var_num(v, name, first[l]);
            if (lanes[l])
                model_plan_describe(r, lanes[l], d, sizeof d);
            snprintf(lab, sizeof lab, "%s plan (%s): %.1f s in this run",
                     l ? (r->recommended >= 0 ? "recommended" : "closest") : "current", lanes[l] ? d : "", wall[l]);
            snprintf(name, sizeof name, "lab%d", l);
            plot_var_str(v, name, lab);
        }
        plot_var_num(v, "rows", row);
        plot_var_num(v, "tmax", fmax(wall[0], wall[1]));
        plot_var_num(v, "has_other", other);
    }
    model_plan_result_free(r);
    if (!rc && ferror(f))
        rc = base_errf(err, errsz, BASE_ERUNTIME, "writing the chart's CSV failed");
    return rc;
}

int plot_plan_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                  size_t errsz)
{
    (void)o;
    return kind == PLOT_PARETO ? csv_pareto(s, f, v, err, errsz) : csv_plan_gantt(s, f, v, err, errsz);
}
