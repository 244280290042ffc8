/* model/predict.c -- E[wall], wall quantiles and E[cost] for one (N, k). */
#include "model/predict.h"
#include "base/status.h"
#include "model/chunk.h"
#include "model/predict_int.h"

#include <assert.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>



int model_prep_new(const model_scenario *s, model_prep **out, char *err, size_t errsz)
{
    int rc = BASE_OK;
    static int gsl_quiet;
    if (!gsl_quiet) {
        gsl_set_error_handler_off();
        gsl_quiet = 1;
    }
    model_prep *p = calloc(1, sizeof *p);
    if (!p)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    p->s = s;
    p->ws = gsl_integration_workspace_alloc(PREDICT_LIMIT);
    if (!p->ws) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    /* Only the sums a prediction can use: warm starts need min_containers
     * > 0, the sums without a start an unbilled cold start (the rest stay
     * zeroed points, never read). A grid can cost ~0.2 s (model/rv.h). */
    for (int warm = 0; warm < 2; warm++)
        for (int seek = 0; seek < 2; seek++) {
            if (warm && s->min_containers == 0)
                continue;
            model_rv_part parts[4] = {
                {warm ? s->warm_start : s->cold_start, 1},
                {s->request, 1},
                {s->ffmpeg_start, 1},
                {s->seek, 1},
            };
            if ((rc = model_rv_build(&p->over[warm][seek], parts, seek ? 4 : 3, 0, err, errsz)))
                goto cleanup;
            if (warm == 0 && !s->bill_includes_cold_start &&
                (rc = model_rv_build(&p->nostart[seek], parts + 1, seek ? 3 : 2, 0, err, errsz)))
                goto cleanup;
        }
    *out = p;
    return BASE_OK;
cleanup:
    model_prep_free(p);
    return rc;
}

void model_prep_free(model_prep *p)
{
    if (!p)
        return;
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 2; k++)
            model_rv_free(&p->over[w][k]);
    model_rv_free(&p->nostart[0]);
    model_rv_free(&p->nostart[1]);
    predict_fast_prep_free(p);
    free(p->tab);
    if (p->ws)
        gsl_integration_workspace_free(p->ws);
    free(p);
}

void model_prep_set_exact(model_prep *p, int exact)
{
    p->exact = exact;
}

/* ---- classes and the max ------------------------------------------------ */

double predict_classes_max_cdf(double t, const job *j)
{
    double g = 1;
    for (int i = 0; i < j->n && g > 0; i++) {
        const klass *c = &j->c[i];
        double f = predict_fast_cdf(&c->fwall, &c->wall, t);
        if (f <= 0)
            return 0;
        g *= c->count == 1 ? f : pow(f, c->count);
    }
    return g;
}

static double max_cdf(double t, const job *j)
{
    return j->maxt_ok ? model_cdftab_eval(&j->maxt, t) : predict_classes_max_cdf(t, j);
}

static double wall_cdf(double t, const job *j)
{
    if (!j->concat_random)
        return max_cdf(t - j->concat_mean, j);
    double acc = 0;
    for (int m = 0; m < MODEL_RV_NODES; m++)
        acc += max_cdf(t - j->concat_nodes[m], j);
    return acc / MODEL_RV_NODES;
}

static double one_minus_max_cdf(double t, void *ctx)
{
    return 1 - max_cdf(t, ctx);
}

static double two_t_tail(double t, void *ctx)
{
    return 2 * t * (1 - max_cdf(t, ctx));
}

typedef struct {
    const job *j;
    double p;
} qctx;

static double wall_cdf_minus_p(double t, void *ctx)
{
    const qctx *q = ctx;
    return wall_cdf(t, q->j) - q->p;
}

/* Smallest t with F(t) >= p by bracketing + Brent (GSL). */
static double solve_quantile(const job *j, double p, double lo, double hi)
{
    qctx q = {j, p};
    gsl_function fn = {wall_cdf_minus_p, &q};
    if (wall_cdf(lo, j) >= p)
        return lo;
    while (wall_cdf(hi, j) < p && hi < 1e12)
        hi = lo + 2 * (hi - lo) + 1;
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!solver)
        return NAN;
    double root = 0.5 * (lo + hi);
    if (gsl_root_fsolver_set(solver, &fn, lo, hi) == GSL_SUCCESS) {
        for (int it = 0; it < 200; it++) {
            if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
                break;
            root = gsl_root_fsolver_root(solver);
            double a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver);
            if (gsl_root_test_interval(a, b, 1e-10, 1e-10) == GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(solver);
    return root;
}

/* integral_a^b f with QAG; tolerates round-off limits on gridded CDFs. */
static double integrate(gsl_integration_workspace *ws, double (*f)(double, void *), void *ctx,
                        double a, double b)
{
    if (!(b > a))
        return 0;
    gsl_function fn = {f, ctx};
    double r = 0, e = 0;
    gsl_integration_qag(&fn, a, b, 1e-12 * (b - a), 1e-9, PREDICT_LIMIT, GSL_INTEG_GAUSS31, ws, &r, &e);
    return r;
}

/* ---- billing -------------------------------------------------------------- */

typedef struct {
    model_cdf_fn cdf;
    const void *ctx;
    double mn;
    int square;
} tailctx;

static double tail_integrand(double x, void *v)
{
    const tailctx *t = v;
    double s = 1 - t->cdf(x, t->ctx);
    return t->square ? 2 * x * s : s;
}

void model_billed_moments(model_cdf_fn cdf, const void *ctx, double lo, double hi, double mean,
                          double var, double g, double mn, double *e1, double *e2)
{
    if (g <= 0 && mn <= lo) {
        *e1 = mean;
        *e2 = var + mean * mean;
        return;
    }
    if (g > 0) {
        long jlo = (long)floor(fmax(lo, 0) / g), jhi = (long)ceil(hi / g);
        if (jhi - jlo <= 100000) {
            double s1 = 0, s2 = 0, prev = cdf(jlo * g, ctx);
            /* Z = g*ceil(X/g) = j*g with probability F(jg) - F((j-1)g). */
            double z0 = fmax(mn, jlo * g);
            s1 += z0 * prev;
            s2 += z0 * z0 * prev;
            for (long jj = jlo + 1; jj <= jhi; jj++) {
                double f = jj == jhi ? 1.0 : cdf(jj * g, ctx);
                double pr = f - prev;
                double z = fmax(mn, jj * g);
                s1 += z * pr;
                s2 += z * z * pr;
                prev = f;
            }
            *e1 = s1;
            *e2 = s2;
            return;
        }
    }
    /* Continuous: E[max(mn, X)] = mn + int_mn^hi (1 - F), plus g/2 for rounding. */
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(PREDICT_LIMIT);
    double a = fmax(mn, lo);
    tailctx t = {cdf, ctx, mn, 0};
    double i1 = a > mn ? a - mn : 0, i2 = a * a - mn * mn;
    if (ws) {
        i1 += integrate(ws, tail_integrand, &t, a, hi);
        t.square = 1;
        i2 += integrate(ws, tail_integrand, &t, a, hi);
        gsl_integration_workspace_free(ws);
    }
    *e1 = mn + i1 + (g > 0 ? g / 2 : 0);
    *e2 = mn * mn + i2 + (g > 0 ? g * (*e1) : 0);
}

static double bill_cdf(double t, const void *ctx)
{
    const klass *c = ctx;
    return predict_fast_cdf(&c->fbill, &c->bill, t);
}

static double point_cdf(double t, const void *ctx)
{
    return t >= *(const double *)ctx ? 1.0 : 0.0;
}

static double rv_cdf_fn(double t, const void *ctx)
{
    return model_rv_cdf(ctx, t);
}

/* ---- the split ---------------------------------------------------------- */

/* Containers of (frames, k) in at most MAXCLASS classes: boundaries at 0,
 * 1 (seek), min_containers (warm), N mod k (one more frame), k; the frames
 * of each from model_chunk_split(). */
int predict_split(const model_scenario *s, double frames, int k, predict_part *out)
{
    model_split sp = model_chunk_split(frames, k);
    int minc = s->min_containers < k ? s->min_containers : k;
    int cuts[5] = {0, 1, minc, (int)sp.extra, k}, nc = 0;
    for (int a = 1; a < 5; a++)
        for (int b = a; b > 0 && cuts[b - 1] > cuts[b]; b--) {
            int t = cuts[b];
            cuts[b] = cuts[b - 1];
            cuts[b - 1] = t;
        }
    for (int a = 0; a < 4; a++) {
        int from = cuts[a], to = cuts[a + 1] > k ? k : cuts[a + 1];
        if (to <= from)
            continue;
        out[nc++] = (predict_part){to - from, from < minc, from > 0, model_chunk_frames(&sp, from)};
    }
    assert(nc <= MAXCLASS);
    return nc;
}

/* Expected billed seconds of a concat variable (0 when not billed). */
double predict_concat_billed_s(const model_scenario *s, const model_rv *c, double *e2)
{
    double e1 = 0;
    *e2 = 0;
    if (s->concat_billed == MODEL_BILL_NONE)
        return 0;
    if (c->kind == MODEL_RV_POINT)
        model_billed_moments(point_cdf, &c->offset, c->lo, c->hi, c->mean, 0, s->bill_granularity_s,
                             s->bill_minimum_s, &e1, e2);
    else
        model_billed_moments(rv_cdf_fn, c, c->lo, c->hi, c->mean, c->var, s->bill_granularity_s,
                             s->bill_minimum_s, &e1, e2);
    return e1;
}

int predict_build_concat(const model_scenario *s, int k, model_rv *c, char *err, size_t errsz)
{
    model_rv_part parts[2] = {{s->concat, 1}, {s->concat_per_chunk, k}};
    return model_rv_build(c, parts, 2, 0, err, errsz);
}

/* ---- the prediction --------------------------------------------------- */

/* The classes of (frames, k): each one's wall and billed time, the overhead
 * sums of the prep plus download, processing and upload. With fast, each
 * class's sums read tables (predict_int.h) where they verify, else they
 * are built exactly; j->fast stays 1 only when every class's do. */
static int build_classes(model_prep *p, double frames, int k, job *j, int fast, char *err, size_t errsz)
{
    const model_scenario *s = p->s;
    model_chunk_group grp = model_chunk_group_of(s);
    model_billing bill = model_chunk_billing(s);
    double dl = model_chunk_download_s(&grp);
    predict_part parts[MAXCLASS];
    int nc = predict_split(s, frames, k, parts), rc;
    j->fast = fast;
    j->n = nc; /* before the tables: model_job_free frees what was built */
    for (int i = 0; i < nc; i++) {
        klass *c = &j->c[i];
        c->count = parts[i].count;
        c->warm = parts[i].warm;
        c->seek = parts[i].seek;
        c->frames = parts[i].frames;
        model_dist proc[MODEL_CHUNK_MAX_STAGES];
        int np = model_chunk_process(&grp, c->frames, proc), ok = 0;
        assert(np == 1);
        (void)np;
        c->process_mean = model_dist_mean(&proc[0]);
        c->upload = model_chunk_upload_s(&grp, frames, c->frames);
        proc[0].shift += dl + c->upload;
        const model_rv *xw = &p->over[c->warm][c->seek];
        const model_rv *brv = (!c->warm && !bill.includes_cold_start) ? &p->nostart[c->seek] : xw;
        if (fast && (rc = predict_fast_sums(p, j, c, xw, brv, &proc[0], &ok, err, errsz)))
            return rc;
        if (!ok) {
            j->fast = 0;
            memset(&c->fwall, 0, sizeof c->fwall);
            memset(&c->fbill, 0, sizeof c->fbill);
            model_rv_sum_init(&c->wall, xw, &proc[0]);
            model_rv_sum_init(&c->bill, brv, &proc[0]);
        }
    }
    return BASE_OK;
}

/* Concat: concat_s + k * one draw of concat_per_chunk, into *concat (owned
 * by the caller) and the job's mixing nodes. */
static int job_concat(const model_scenario *s, int k, job *j, model_rv *concat, char *err, size_t errsz)
{
    int rc = predict_build_concat(s, k, concat, err, errsz);
    if (rc)
        return rc;
    j->concat_mean = concat->mean;
    if (concat->kind != MODEL_RV_POINT) {
        j->concat_random = 1;
        double sum = 0;
        for (int m = 0; m < MODEL_RV_NODES; m++)
            sum += j->concat_nodes[m] = model_rv_quantile(concat, (m + 0.5) / MODEL_RV_NODES);
        for (int m = 0; m < MODEL_RV_NODES; m++)
            j->concat_nodes[m] += concat->mean - sum / MODEL_RV_NODES;
    }
    return BASE_OK;
}

/* Mean, sd and quantiles of the cost: each class's billed moments at the
 * container rate, plus the concat's at its rate. */
static void cost_stats(const model_scenario *s, const job *j, int k, const model_rv *concat, model_kresult *out)
{
    model_billing bill = model_chunk_billing(s);
    double rate = model_scenario_rate(s), g = bill.granularity_s, mn = bill.minimum_s;
    double e1, e2, cmean = 0, cvar = 0;
    for (int i = 0; i < j->n; i++) {
        const model_rv_sum *b = &j->c[i].bill;
        model_billed_moments(bill_cdf, &j->c[i], b->lo, b->hi, b->mean, b->var, g, mn, &e1, &e2);
        cmean += j->c[i].count * e1 * rate;
        cvar += j->c[i].count * fmax(0, e2 - e1 * e1) * rate * rate;
    }
    if (k > 1) {
        double crate = model_chunk_concat_rate(s);
        e1 = predict_concat_billed_s(s, concat, &e2);
        cmean += e1 * crate;
        cvar += fmax(0, e2 - e1 * e1) * crate * crate;
    }
    out->cost_mean = cmean;
    out->cost_sd = sqrt(cvar);
    out->cost_p50 = cmean;
    out->cost_p95 = cmean + 1.6448536269514722 * out->cost_sd;
    out->cost_p99 = cmean + 2.3263478740408408 * out->cost_sd;
}

/* Breakdown: phases of the slowest class on average; start absorbs the
 * order-statistic excess so the phases add up to E[wall]. */
static void breakdown(const model_scenario *s, const job *j, model_kresult *out)
{
    model_chunk_group grp = model_chunk_group_of(s);
    int crit = 0;
    for (int i = 1; i < j->n; i++)
        if (j->c[i].wall.mean > j->c[crit].wall.mean)
            crit = i;
    const klass *c = &j->c[crit];
    model_breakdown *bd = &out->breakdown;
    bd->request = model_dist_mean(&s->request);
    bd->download = model_chunk_download_s(&grp);
    bd->ffmpeg_start = model_dist_mean(&s->ffmpeg_start);
    bd->seek = c->seek ? model_dist_mean(&s->seek) : 0;
    bd->process = c->process_mean;
    bd->upload = c->upload;
    bd->concat = j->concat_mean;
    bd->start = out->wall_mean - bd->request - bd->download - bd->ffmpeg_start - bd->seek - bd->process -
                bd->upload - bd->concat;
}

struct model_job {
    model_prep *p;
    double frames;
    int k;
    job j;
    model_rv concat;
    double lo, hi;     /* the max's support over the classes */
};

int model_job_new(model_prep *p, double frames, int k, model_job **out, char *err, size_t errsz)
{
    assert(k >= 1 && frames > 0);
    model_job *jb = calloc(1, sizeof *jb);
    if (!jb)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    jb->p = p;
    jb->frames = frames;
    jb->k = k;
    job *j = &jb->j;
    int fast = !p->exact && !model_dist_is_fixed(&p->s->per_frame);
    int rc = build_classes(p, frames, k, j, fast, err, errsz);
    if (!rc && j->fast)
        rc = predict_fast_max(j, err, errsz);
    if (!rc && k > 1)
        rc = job_concat(p->s, k, j, &jb->concat, err, errsz);
    if (rc) {
        model_job_free(jb);
        return rc;
    }
    jb->lo = jb->hi = -INFINITY;
    for (int i = 0; i < j->n; i++) {
        jb->lo = fmax(jb->lo, j->c[i].wall.lo);
        jb->hi = fmax(jb->hi, j->c[i].wall.hi);
    }
    *out = jb;
    return BASE_OK;
}

void model_job_free(model_job *jb)
{
    if (!jb)
        return;
    predict_fast_job_free(&jb->j);
    model_rv_free(&jb->concat);
    free(jb);
}

int model_job_fast(const model_job *jb)
{
    return jb->j.fast;
}

void model_job_predict(model_job *jb, model_kresult *out)
{
    const model_scenario *s = jb->p->s;
    const job *j = &jb->j;
    int k = jb->k;
    double lo = jb->lo, hi = jb->hi;
    memset(out, 0, sizeof *out);
    out->gpus = k;
    /* E[max] over classes; Var[max] from E[max^2] = lo^2 + int 2t(1 - G);
     * concat adds its own. */
    double emax = lo + integrate(jb->p->ws, one_minus_max_cdf, (void *)j, lo, hi);
    double emax2 = lo * lo + integrate(jb->p->ws, two_t_tail, (void *)j, lo, hi);
    out->wall_mean = emax + j->concat_mean;
    out->wall_sd = sqrt(fmax(0, emax2 - emax * emax) + (k > 1 ? jb->concat.var : 0));
    double qlo = lo + (j->concat_random ? jb->concat.lo : j->concat_mean);
    double qhi = hi + (j->concat_random ? jb->concat.hi : j->concat_mean);
    out->wall_p50 = solve_quantile(j, 0.50, qlo, qhi);
    out->wall_p95 = solve_quantile(j, 0.95, qlo, qhi);
    out->wall_p99 = solve_quantile(j, 0.99, qlo, qhi);
    cost_stats(s, j, k, &jb->concat, out);
    breakdown(s, j, out);
}

int model_predict_k(model_prep *p, double frames, int k, model_kresult *out, char *err, size_t errsz)
{
    model_job *jb = NULL;
    int rc = model_job_new(p, frames, k, &jb, err, errsz);
    if (rc)
        return rc;
    model_job_predict(jb, out);
    model_job_free(jb);
    return BASE_OK;
}

/* wall_cdf at t[0..n) with a random concat: the max's CDF tabulated once
 * on WALL_TAB_X * n points over what t - node needs (within [clo, chi],
 * the max's support), linear between them, then mixed over the concat's
 * nodes: WALL_TAB_X max_cdf evaluations per point instead of
 * MODEL_RV_NODES. */
#define WALL_TAB_X 16
static int mixed_wall_cdf(const job *j, double clo, double chi, const double *t, int n, double *F, char *err,
                          size_t errsz)
{
    double tmin = INFINITY, tmax = -INFINITY, nmin = INFINITY, nmax = -INFINITY;
    for (int i = 0; i < n; i++) {
        tmin = fmin(tmin, t[i]);
        tmax = fmax(tmax, t[i]);
    }
    for (int m = 0; m < MODEL_RV_NODES; m++) {
        nmin = fmin(nmin, j->concat_nodes[m]);
        nmax = fmax(nmax, j->concat_nodes[m]);
    }
    double a = fmax(clo, tmin - nmax), b = fmin(chi, tmax - nmin);
    int M = WALL_TAB_X * n;
    double *tab = malloc((size_t)M * sizeof *tab);
    if (!tab)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    double h = b > a ? (b - a) / (M - 1) : 0;
    for (int i = 0; i < M; i++)
        tab[i] = max_cdf(a + i * h, j);
    for (int i = 0; i < n; i++) {
        double acc = 0;
        for (int m = 0; m < MODEL_RV_NODES; m++) {
            double x = t[i] - j->concat_nodes[m];
            /* x < a only below clo (F = 0), x > b only above chi (F = 1) */
            if (x >= chi) {
                acc += 1;
                continue;
            }
            if (x < a)
                continue;
            double u = h > 0 ? (x - a) / h : 0;
            int q = (int)u;
            acc += q >= M - 1 ? tab[M - 1] : tab[q] + (u - q) * (tab[q + 1] - tab[q]);
        }
        F[i] = acc / MODEL_RV_NODES;
    }
    free(tab);
    return BASE_OK;
}

int model_job_wall_cdf(model_job *jb, const double *t, int n, double *F, double *lo, double *hi, char *err,
                       size_t errsz)
{
    const job *j = &jb->j;
    assert(n >= 0);
    if (lo)
        *lo = jb->lo + (j->concat_random ? jb->concat.lo : j->concat_mean);
    if (hi)
        *hi = jb->hi + (j->concat_random ? jb->concat.hi : j->concat_mean);
    if (j->concat_random && n >= 16)
        return mixed_wall_cdf(j, jb->lo, jb->hi, t, n, F, err, errsz);
    for (int i = 0; i < n; i++)
        F[i] = wall_cdf(t[i], j);
    return BASE_OK;
}

int model_predict_wall_cdf(model_prep *p, double frames, int k, const double *t, int n, double *F,
                           double *lo, double *hi, char *err, size_t errsz)
{
    model_job *jb = NULL;
    int rc = model_job_new(p, frames, k, &jb, err, errsz);
    if (!rc)
        rc = model_job_wall_cdf(jb, t, n, F, lo, hi, err, errsz);
    model_job_free(jb);
    return rc;
}
