/* tests/test_plot.c -- each chart's CSV against the model (or against
 * closed forms for the CSV-fed charts), and bad input CSVs. No gnuplot here:
 * tests/cli/plot.sh draws. */
#include "harness.h"
#include "model/evaluate.h"
#include "model/predict.h"
#include "base/status.h"
#include "plots/chart.h"
#include "plots/gnuplot.h"
#include "plots/labels.h"
#include "sim/montecarlo.h"
#include "sim/capacity.h"

#include <cjson/cJSON.h>

#include <stdlib.h>
#include <unistd.h>

static char err[1024];

#define CSV_MAXCOL 24

/* A parsed CSV: header + rows of string fields (owned by one buffer);
 * quoted fields ("a, b", "" for a quote) unquoted in place. */
typedef struct {
    char *text;
    char *f[20000][CSV_MAXCOL];
    int n, ncol;
    char *head[CSV_MAXCOL];
} csv;

/* The field starting at p, unquoted in place and NUL-terminated; *next the
 * field after it (NULL at the end of the line). */
static char *csv_field(char *p, char **next)
{
    if (*p != '"') {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = 0;
        *next = comma ? comma + 1 : NULL;
        return p;
    }
    char *out = p, *in = p + 1;
    for (;; in++) {
        if (*in == '"' && in[1] == '"') {
            *out++ = '"';
            in++;
        } else if (*in == '"' || !*in) {
            break;
        } else {
            *out++ = *in;
        }
    }
    *next = *in && in[1] == ',' ? in + 2 : NULL;
    *out = 0;
    return p;
}

static csv *csv_of(plot_kind kind, const model_scenario *s, const plot_opts *o, plot_vars *v, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    plot_vars scratch = {.buf = ""};
    *rc = plot_write_csv(kind, s, o, f, v ? v : &scratch, err, sizeof err);
    fclose(f);
    if (*rc) {
        free(buf);
        return NULL;
    }
    csv *c = calloc(1, sizeof *c);
    c->text = buf;
    int line = 0;
    for (char *p = buf, *nl; p && *p; p = nl) {
        nl = strchr(p, '\n');
        if (nl)
            *nl++ = 0;
        char **dst = line == 0 ? c->head : c->f[c->n];
        int k = 0;
        for (char *tok = p, *next; tok && k < CSV_MAXCOL; tok = next)
            dst[k++] = csv_field(tok, &next);
        if (line == 0)
            c->ncol = k;
        else if (c->n < 20000)
            c->n++;
        line++;
    }
    return c;
}

static void csv_free(csv *c)
{
    if (c)
        free(c->text);
    free(c);
}

static int col(const csv *c, const char *name)
{
    for (int i = 0; i < c->ncol; i++)
        if (!strcmp(c->head[i], name))
            return i;
    CHECK(!"column present");
    return 0;
}

static double num(const csv *c, int r, const char *name) { return atof(c->f[r][col(c, name)]); }

static model_scenario scen_default(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    return s;
}

static void test_speedup_csv(void)
{
    model_scenario s = scen_default();
    plot_opts o = {0};
    int rc;
    csv *c = csv_of(PLOT_SPEEDUP, &s, &o, NULL, &rc);
    CHECK(rc == 0 && c);
    if (!c)
        goto done;
    /* k = 1..16 every one, then 24, 32: the model at each. */
    CHECK(c->n == 18);
    model_prep *p = NULL;
    CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
    model_kresult one;
    CHECK(model_predict_k(p, 300, 1, &one, err, sizeof err) == 0);
    for (int r = 0; r < c->n && p; r++) {
        int k = (int)num(c, r, "gpus");
        model_kresult kr;
        CHECK(model_predict_k(p, 300, k, &kr, err, sizeof err) == 0);
        CHECK_REL(num(c, r, "wall_mean_s"), kr.wall_mean, 1e-8);
        CHECK_REL(num(c, r, "speedup"), one.wall_mean / kr.wall_mean, 1e-8);
        CHECK_REL(num(c, r, "cost_ratio"), kr.cost_mean / one.cost_mean, 1e-8);
        CHECK(num(c, r, "beneficial") == 0); /* E7: nothing pays */
        CHECK(num(c, r, "band_lo") < k && num(c, r, "band_hi") > k);
    }
    model_prep_free(p);
done:
    csv_free(c);
    model_scenario_free(&s);
}

static void test_frames_csv(void)
{
    model_scenario s = scen_default();
    plot_opts o = {.frames_lo = 100, .frames_hi = 100000, .points = 7};
    model_eval e;
    plot_vars v = {.buf = ""};
    int rc, nbe = 0, ncurve = 0;
    CHECK(model_evaluate(&s, &(model_opts){0}, &e, err, sizeof err) == 0);
    csv *c = csv_of(PLOT_FRAMES, &s, &o, &v, &rc);
    CHECK(rc == 0 && c);
    model_prep *p = NULL;
    CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
    for (int r = 0; c && p && r < c->n; r++) {
        model_kresult kr;
        double n = num(c, r, "frames");
        int k = (int)num(c, r, "gpus");
        CHECK(model_predict_k(p, n, k, &kr, err, sizeof err) == 0);
        CHECK_REL(num(c, r, "wall_mean_s"), kr.wall_mean, 1e-6);
        CHECK_REL(num(c, r, "cost_mean_usd"), kr.cost_mean, 1e-6);
        if (!strcmp(c->f[r][0], "break_even")) {
            nbe++;
            for (int g = 0; g < e.nk; g++)
                if (e.k[g].gpus == k)
                    CHECK(n == (double)e.break_even[g]);
        } else {
            ncurve++;
        }
    }
    CHECK(nbe == 3);          /* 2, 4 and 8 GPUs: 4467, 16292, 39942 */
    CHECK(ncurve == 4 * 7);
    CHECK(strstr(v.buf, "be_frames='4467 16292 39942'") != NULL);
    model_prep_free(p);
    csv_free(c);
    model_scenario_free(&s);
}

/* An experiments file's headline computed here from its observations:
 * per k > 1 the speedup ("speedup", else wall_s(1) / wall_s(k)), the k with
 * the largest, and the cost ratio there ("cost_ratio", else cost_usd(k) /
 * cost_usd(1)). */
static void exp_headline(const char *path, int *k, double *speedup, double *cost_ratio)
{
    char *text = NULL;
    CHECK(base_read_file(path, &text, NULL, err, sizeof err) == 0);
    cJSON *doc = cJSON_Parse(text), *obs = cJSON_GetObjectItem(doc, "observations");
    double w1 = NAN, c1 = NAN;
    *speedup = -1;
    for (cJSON *o = obs ? obs->child : NULL; o; o = o->next)
        if (cJSON_GetObjectItem(o, "gpus")->valueint == 1) {
            w1 = cJSON_GetObjectItem(o, "wall_s") ? cJSON_GetObjectItem(o, "wall_s")->valuedouble : NAN;
            c1 = cJSON_GetObjectItem(o, "cost_usd") ? cJSON_GetObjectItem(o, "cost_usd")->valuedouble : NAN;
        }
    for (cJSON *o = obs ? obs->child : NULL; o; o = o->next) {
        int g = cJSON_GetObjectItem(o, "gpus")->valueint;
        cJSON *sp = cJSON_GetObjectItem(o, "speedup"), *cr = cJSON_GetObjectItem(o, "cost_ratio");
        cJSON *w = cJSON_GetObjectItem(o, "wall_s"), *c = cJSON_GetObjectItem(o, "cost_usd");
        double x = sp ? sp->valuedouble : w ? w1 / w->valuedouble : NAN;
        if (g > 1 && x > *speedup) {
            *speedup = x;
            *k = g;
            *cost_ratio = cr ? cr->valuedouble : c ? c->valuedouble / c1 : NAN;
        }
    }
    cJSON_Delete(doc);
    free(text);
}

/* The decision map: cells agree with model_evaluate at their point, the
 * break-even line with model_break_even; each experiment of
 * data/experiments is placed at its job with what was measured (from the
 * file) and the model's projection on this platform: E7 lands where nothing
 * pays and T50 where splitting does. */
static void test_map_csv(void)
{
    model_scenario s = scen_default();
    plot_opts o = {.points = 9};
    int rc, cells = 0, lines = 0, e7 = 0, t50 = 0;
    csv *c = csv_of(PLOT_MAP, &s, &o, NULL, &rc);
    CHECK(rc == 0 && c);
    model_prep *p = NULL;
    model_scenario t = s;
    CHECK(model_prep_new(&t, &p, err, sizeof err) == 0);
    for (int r = 0; c && p && r < c->n; r++) {
        const char *series = c->f[r][0];
        double n = num(c, r, "frames"), pf = num(c, r, "per_frame_s");
        t.per_frame = model_dist_fixed(pf);
        t.frames = (long)n;
        if (!strcmp(series, "cell") || !strcmp(series, "experiment")) {
            model_eval e;
            CHECK(model_evaluate(&t, &(model_opts){.skip_break_even = 1}, &e, err, sizeof err) == 0);
            CHECK(num(c, r, "best_gpus") == e.best_gpus);
            if (!strcmp(series, "cell")) {
                cells++;
                CHECK(num(c, r, "frames_lo") <= n && n <= num(c, r, "frames_hi"));
                CHECK(num(c, r, "per_frame_lo") <= pf && pf <= num(c, r, "per_frame_hi"));
                continue;
            }
            const char *label = c->f[r][col(c, "label")], *note = c->f[r][col(c, "note")];
            const char *file = !strncmp(label, "E7 ", 3) ? "data/experiments/e7_overlay.json"
                                                         : "data/experiments/t50_framing.json";
            int k = 0;
            double sp = 0, cr = 0;
            char want[256];
            exp_headline(file, &k, &sp, &cr);
            CHECK(num(c, r, "measured_gpus") == k);
            CHECK_REL(num(c, r, "measured_speedup"), sp, 1e-5);
            CHECK_REL(num(c, r, "measured_cost_ratio"), cr, 1e-5);
            if (!strncmp(label, "E7 ", 3)) {
                e7 = 1;
                CHECK(n == 300 && pf == 0.025 && e.best_gpus == 1);
                snprintf(want, sizeof want, "E7 measured: %.2fx on %d cold GPUs (cost %.2fx)", sp, k, cr);
                CHECK_STR(label, want);
                CHECK_STR(note, "projected on overlay-e7: not beneficial");
            } else {
                t50 = 1;
                CHECK(n == 300 && pf == 0.68 && e.best_gpus > 1);
                snprintf(want, sizeof want, "T50 measured: %.2fx on %d warm GPUs (cost %.2fx)", sp, k, cr);
                CHECK_STR(label, want);
                CHECK(strstr(label, "3.56x on 4 warm GPUs") != NULL);
                for (int i = 0; i < e.nk; i++)
                    if (e.k[i].gpus == e.best_gpus) {
                        snprintf(want, sizeof want, "projected on overlay-e7: %d GPUs %.2fx faster (cost %.2fx)",
                                 e.best_gpus, e.k[i].speedup, e.k[i].cost_ratio);
                        CHECK_STR(note, want);
                    }
            }
        } else {
            CHECK(!strcmp(series, "break_even"));
            long be;
            int k = (int)num(c, r, "best_gpus");
            CHECK(model_break_even(p, &t, k, &be, err, sizeof err) == 0);
            CHECK(be == (long)n);
            lines++;
        }
    }
    CHECK(cells == 9 * 9);
    CHECK(lines == 9);   /* 1 ms .. 10 s: each has a break-even below 10^6 frames */
    CHECK(e7 && t50);
    model_prep_free(p);
    csv_free(c);
    model_scenario_free(&s);
}

static double var_of(const plot_vars *v, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strstr(v->buf, key);
    CHECK(p != NULL);
    return p ? atof(p + strlen(key)) : NAN;
}

/* The map's label boxes, rebuilt from label_x/label_y, the text and the
 * font metrics of plots/labels.h on the plot area map.gp is given: inside
 * the plot area, apart from each other, and no point of the break-even line
 * (200 points along each segment) inside a box. */
static void check_map_labels(const model_scenario *s, const plot_opts *o, int want)
{
    plot_vars v = {.buf = ""};
    int rc, nbox = 0, nbe = 0;
    csv *c = csv_of(PLOT_MAP, s, o, &v, &rc);
    CHECK(rc == 0 && c);
    double l = var_of(&v, "map_l") * 1200, r = var_of(&v, "map_r") * 1200, b = var_of(&v, "map_b") * 800,
           t = var_of(&v, "map_t") * 800;
    double lx0 = log(var_of(&v, "frames_lo")), lx1 = log(var_of(&v, "frames_hi"));
    double ly0 = log(var_of(&v, "per_frame_lo")), ly1 = log(var_of(&v, "per_frame_hi"));
#define PX(x) (l + (log(x) - lx0) / (lx1 - lx0) * (r - l))
#define PY(y) (b + (log(y) - ly0) / (ly1 - ly0) * (t - b))
    double box[8][4], bx[64], by[64];
    for (int i = 0; c && i < c->n; i++) {
        const char *series = c->f[i][0];
        if (!strcmp(series, "break_even") && nbe < 64) {
            bx[nbe] = PX(num(c, i, "frames"));
            by[nbe++] = PY(num(c, i, "per_frame_s"));
        }
        if ((strcmp(series, "experiment") && strcmp(series, "job")) || nbox == 8)
            continue;
        size_t a = strlen(c->f[i][col(c, "label")]), n2 = strlen(c->f[i][col(c, "note")]);
        int lines = !strcmp(series, "experiment") ? 2 : 1;
        double *q = box[nbox++];
        q[0] = PX(num(c, i, "label_x")) - PLOT_LABEL_PAD_X_PX;
        q[1] = q[0] + (double)(a > n2 ? a : n2) * PLOT_LABEL_CHAR_PX + 2 * PLOT_LABEL_PAD_X_PX;
        q[3] = PY(num(c, i, "label_y")) + PLOT_LABEL_PAD_Y_PX + PLOT_LABEL_LINE_PX / 2;
        q[2] = q[3] - lines * PLOT_LABEL_LINE_PX - 2 * PLOT_LABEL_PAD_Y_PX;
    }
    CHECK(nbox == want);
    for (int i = 0; i < nbox; i++) {
        const double *q = box[i];
        CHECK(q[0] >= l && q[1] <= r && q[2] >= b && q[3] <= t);
        for (int j = 0; j < i; j++)
            CHECK(box[j][1] <= q[0] || q[1] <= box[j][0] || box[j][3] <= q[2] || q[3] <= box[j][2]);
        int hit = 0;
        for (int k = 0; k + 1 < nbe; k++)
            for (int m = 0; m <= 200; m++) {
                double x = bx[k] + (bx[k + 1] - bx[k]) * m / 200, y = by[k] + (by[k + 1] - by[k]) * m / 200;
                hit |= x > q[0] && x < q[1] && y > q[2] && y < q[3];
            }
        CHECK(!hit);
    }
#undef PX
#undef PY
    csv_free(c);
}

/* Labels clear of the line at the default, on framing-t50, a long video
 * (the job gets its own marker) and a warm L4 pool at 2,000 frames (where
 * E7's label cannot sit beside it). */
static void test_map_labels(void)
{
    model_scenario s = scen_default();
    plot_opts o = {0};
    check_map_labels(&s, &o, 2);
    s.frames = 100000;
    check_map_labels(&s, &o, 3);
    model_scenario_free(&s);
    static const char *files[] = {"data/scenarios/framing-t50.json", "data/scenarios/overlay-l4-warm.json"};
    for (int i = 0; i < 2; i++) {
        CHECK(model_scenario_load(files[i], NULL, 0, &s, err, sizeof err) == 0);
        if (i == 1)
            s.frames = 2000;
        check_map_labels(&s, &o, i == 0 ? 2 : 3);
        model_scenario_free(&s);
    }
}

/* pareto's two labels, rebuilt from the CSV as for the map: inside the plot
 * area, apart, no candidate or front point within 3 px, the front's
 * staircase and the p95 target line not through them. */
static void test_pareto_labels(void)
{
    model_scenario s;
    plot_opts o = {0};
    plot_vars v = {.buf = ""};
    int rc, nbox = 0, np = 0, nf = 0;
    CHECK(model_scenario_load("data/scenarios/pipeline-t50-t51.json", NULL, 0, &s, err, sizeof err) == 0);
    csv *c = csv_of(PLOT_PARETO, &s, &o, &v, &rc);
    CHECK(rc == 0 && c);
    double l = var_of(&v, "par_l") * 1200, r = var_of(&v, "par_r") * 1200, b = var_of(&v, "par_b") * 800,
           t = var_of(&v, "par_t") * 800, xlo = var_of(&v, "xlo"), xhi = var_of(&v, "xhi"), ylo = var_of(&v, "ylo"),
           yhi = var_of(&v, "yhi"), target = var_of(&v, "p95_target");
    int lx = var_of(&v, "logx") > 0, ly = var_of(&v, "logy") > 0;
#define PX(x) (l + (lx ? log((x) / xlo) / log(xhi / xlo) : ((x) - xlo) / (xhi - xlo)) * (r - l))
#define PY(y) (b + (ly ? log((y) / ylo) / log(yhi / ylo) : ((y) - ylo) / (yhi - ylo)) * (t - b))
    static double px[4096], py[4096], fx[256], fy[256];
    double box[2][4];
    for (int i = 0; c && i < c->n; i++) {
        const char *series = c->f[i][0];
        double x = PX(num(c, i, "cost_usd")), y = PY(num(c, i, "wall_p95_s"));
        if (!strcmp(series, "candidate") && np < 4096) {
            px[np] = x;
            py[np++] = y;
        } else if (!strcmp(series, "front") && nf < 256) {
            fx[nf] = x;
            fy[nf++] = y;
        } else if ((!strcmp(series, "current") || !strcmp(series, "recommended")) && nbox < 2) {
            double *q = box[nbox++];
            q[0] = PX(num(c, i, "label_x")) - PLOT_LABEL_PAD_X_PX;
            q[1] = q[0] + (double)strlen(c->f[i][col(c, "label")]) * PLOT_LABEL_CHAR_PX + 2 * PLOT_LABEL_PAD_X_PX;
            q[3] = PY(num(c, i, "label_y")) + PLOT_LABEL_PAD_Y_PX + PLOT_LABEL_LINE_PX / 2;
            q[2] = q[3] - PLOT_LABEL_LINE_PX - 2 * PLOT_LABEL_PAD_Y_PX;
        }
    }
    CHECK(nbox == 2 && np > 20 && nf > 2);
    for (int i = 0; i < nbox; i++) {
        const double *q = box[i];
        int hit = 0;
        CHECK(q[0] >= l && q[1] <= r && q[2] >= b && q[3] <= t);
        if (i)
            CHECK(box[0][1] <= q[0] || q[1] <= box[0][0] || box[0][3] <= q[2] || q[3] <= box[0][2]);
        for (int k = 0; k < np; k++)
            hit |= px[k] > q[0] - 3 && px[k] < q[1] + 3 && py[k] > q[2] - 3 && py[k] < q[3] + 3;
        for (int k = 0; k + 1 < nf; k++) /* steps: across at y_k, then down to y_k+1 */
            for (int m = 0; m <= 200; m++) {
                double x = fx[k] + (fx[k + 1] - fx[k]) * m / 200, y = fy[k] + (fy[k + 1] - fy[k]) * m / 200;
                hit |= x > q[0] && x < q[1] && fy[k] > q[2] && fy[k] < q[3];
                hit |= fx[k + 1] > q[0] && fx[k + 1] < q[1] && y > q[2] && y < q[3];
            }
        if (target > 0)
            hit |= PY(target) > q[2] && PY(target) < q[3];
        CHECK(!hit);
    }
#undef PX
#undef PY
    csv_free(c);
    model_scenario_free(&s);
}

/* A data directory of its own (FORKCAST_DATA) with an empty plots/common.gp
 * and these experiments files; returns its path. */
static const char *data_dir_with(const char *const *names, const char *const *texts, int n)
{
    static char dir[256];
    char path[2048];
    snprintf(dir, sizeof dir, "/tmp/forkcast-test-plot-%d-data", (int)getpid());
    snprintf(path, sizeof path, "mkdir -p %s/plots %s/data/experiments && rm -f %s/data/experiments/*.json && "
             ": > %s/plots/common.gp", dir, dir, dir, dir);
    CHECK(system(path) == 0);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/data/experiments/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f) {
            fputs(texts[i], f);
            fclose(f);
        }
    }
    setenv("FORKCAST_DATA", dir, 1);
    return dir;
}

/* The labels come from the files: a T50 of 2.5x at 0.9x the cost, and one
 * with walls only (100 s at 1 GPU, 60 s at 2, 40 s at 8 of a warm pool of 2:
 * the headline is 8 GPUs at 2.50x, cost 360 / 100 = 3.60x). A file without
 * its job is an input error naming it; no files, no experiments. */
static void test_map_experiments(void)
{
    model_scenario s = scen_default();
    plot_opts o = {.points = 4};
    int rc;
    static const char *names[] = {"a.json", "b.json"};
    static const char *texts[] = {
        "{\"name\": \"T50 again\", \"known\": {\"job.frames\": 300, \"stage.per_frame_s\": 0.68, "
        "\"platform.min_containers\": 4}, \"observations\": [{\"gpus\": 4, \"speedup\": 2.5, \"cost_ratio\": 0.9}]}",
        "{\"name\": \"X9 walls\", \"known\": {\"job.frames\": 5000, \"stage.per_frame_s\": 0.01, "
        "\"platform.min_containers\": 2}, \"observations\": [{\"gpus\": 1, \"wall_s\": 100, \"cost_usd\": 1}, "
        "{\"gpus\": 2, \"wall_s\": 60, \"cost_usd\": 1.2}, {\"gpus\": 8, \"wall_s\": 40, \"cost_usd\": 3.6}]}"};
    const char *dir = data_dir_with(names, texts, 2);
    csv *c = csv_of(PLOT_MAP, &s, &o, NULL, &rc);
    CHECK(rc == 0 && c);
    int seen = 0;
    for (int r = 0; c && r < c->n; r++) {
        if (strcmp(c->f[r][0], "experiment"))
            continue;
        const char *label = c->f[r][col(c, "label")];
        if (!strncmp(label, "T50", 3)) {
            seen |= 1;
            CHECK_STR(label, "T50 measured: 2.50x on 4 warm GPUs (cost 0.90x)");
        } else {
            seen |= 2;
            CHECK_STR(label, "X9 measured: 2.50x on 8 GPUs (2 warm) (cost 3.60x)");
            CHECK(num(c, r, "frames") == 5000 && num(c, r, "per_frame_s") == 0.01);
        }
        CHECK(*c->f[r][col(c, "label_x")]); /* inside the plot: placed */
    }
    CHECK(seen == 3);
    csv_free(c);
    static const char *bad[] = {"{\"name\": \"Y\", \"known\": {\"stage.per_frame_s\": 0.1}, \"observations\": []}"};
    data_dir_with(names, bad, 1);
    c = csv_of(PLOT_MAP, &s, &o, NULL, &rc);
    CHECK(rc == BASE_EINPUT && !c && strstr(err, "a.json: known: needs job.frames"));
    data_dir_with(names, texts, 0);
    c = csv_of(PLOT_MAP, &s, &o, NULL, &rc);
    CHECK(rc == 0 && c);
    for (int r = 0; c && r < c->n; r++)
        CHECK(strcmp(c->f[r][0], "experiment"));
    csv_free(c);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    unsetenv("FORKCAST_DATA");
    model_scenario_free(&s);
}

static void test_breakdown_csv(void)
{
    model_scenario s = scen_default();
    plot_opts o = {0};
    model_eval e;
    int rc;
    CHECK(model_evaluate(&s, &(model_opts){.skip_break_even = 1}, &e, err, sizeof err) == 0);
    csv *c = csv_of(PLOT_BREAKDOWN, &s, &o, NULL, &rc);
    CHECK(rc == 0 && c && c->n == e.nk);
    for (int r = 0; c && r < c->n && r < e.nk; r++) {
        const model_breakdown *b = &e.k[r].breakdown;
        CHECK(num(c, r, "gpus") == e.k[r].gpus);
        CHECK_REL(num(c, r, "start"), b->start, 1e-8);
        CHECK_REL(num(c, r, "process"), b->process, 1e-8);
        CHECK_NEAR(num(c, r, "concat"), b->concat, 1e-12);
        /* The phases add up to the mean wall time. */
        double sum = 0;
        static const char *ph[] = {"start", "request", "download", "ffmpeg_start", "seek", "process", "upload", "concat"};
        for (int i = 0; i < 8; i++)
            sum += num(c, r, ph[i]);
        CHECK_REL(sum, num(c, r, "wall_mean_s"), 1e-7);
        CHECK_REL(num(c, r, "wall_mean_s"), e.k[r].wall_mean, 1e-8);
    }
    csv_free(c);
    model_scenario_free(&s);
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/forkcast-test-plot-%d-%s", (int)getpid(), name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

/* cdf: samples 1..100 for k = 2 (shuffled) and 10, 20 for k = 1: p95 is
 * GSL's linear interpolation, x[94] + 0.05 (x[95] - x[94]) = 95.05 and
 * 10 + 0.95 * 10 = 19.5. */
static void test_cdf_csv(void)
{
    char text[4096] = "k,wall_s\n1,20\n1,10\n";
    size_t len = strlen(text);
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "2,%d\n", (i * 37) % 100 + 1);
    plot_opts o = {.input = write_tmp("walls.csv", text)};
    plot_vars v = {.buf = ""};
    int rc, n1 = 0, n2 = 0;
    csv *c = csv_of(PLOT_CDF, NULL, &o, &v, &rc);
    CHECK(rc == 0 && c);
    double prev = 0;
    for (int r = 0; c && r < c->n; r++) {
        int k = (int)num(c, r, "gpus");
        if (!strcmp(c->f[r][0], "p95")) {
            CHECK_NEAR(num(c, r, "wall_s"), k == 1 ? 19.5 : 95.05, 1e-9);
            CHECK(num(c, r, "cdf") == 0.95);
            continue;
        }
        k == 1 ? n1++ : n2++;
        if (k == 2) {
            CHECK(num(c, r, "cdf") > prev); /* sorted, increasing */
            prev = num(c, r, "cdf");
            CHECK_NEAR(num(c, r, "cdf"), num(c, r, "wall_s") / 100, 1e-12);
        }
    }
    CHECK(n1 == 2 && n2 == 100);
    CHECK(strstr(v.buf, "gpus='1 2'") && strstr(v.buf, "p95s='19.5 95.0'"));
    csv_free(c);
    unlink(o.input);
}

/* cdf and gantt without an input: the simulator's own replications. */
static void test_sim_charts(void)
{
    model_scenario s = scen_default();
    model_eval *sim = malloc(sizeof *sim);
    plot_opts o = {.replications = 500};
    sim_montecarlo_opts so = {.replications = 500, .seed = s.seed, .threads = 1};
    int rc, np95 = 0;
    CHECK(sim && sim_montecarlo_eval(&s, &(model_opts){0}, &so, sim, NULL, err, sizeof err) == 0);
    csv *c = csv_of(PLOT_CDF, &s, &o, NULL, &rc);
    CHECK(rc == 0 && c);
    for (int r = 0; c && sim && r < c->n; r++) {
        if (strcmp(c->f[r][0], "p95"))
            continue;
        np95++;
        for (int i = 0; i < sim->nk; i++)
            if (sim->k[i].gpus == (int)num(c, r, "gpus"))
                CHECK_REL(num(c, r, "wall_s"), sim->k[i].wall_p95, 1e-8);
    }
    CHECK(np95 == s.ngpus);
    csv_free(c);
    /* gantt: k = 1 has one container (6 phases: no seek, no concat), k = 8
     * eight containers and one concat. */
    c = csv_of(PLOT_GANTT, &s, &o, NULL, &rc);
    CHECK(rc == 0 && c);
    int n1 = 0, concat8 = 0, conts8[8] = {0};
    for (int r = 0; c && r < c->n; r++) {
        int k = (int)num(c, r, "k");
        if (k == 1)
            n1++;
        if (k == 8 && !strcmp(c->f[r][col(c, "phase")], "concat"))
            concat8++;
        else if (k == 8 && num(c, r, "container") >= 0 && num(c, r, "container") < 8)
            conts8[(int)num(c, r, "container")] = 1;
        CHECK(num(c, r, "end_s") >= num(c, r, "start_s"));
    }
    CHECK(n1 == 6 && concat8 == 1); /* k = 1: start request download ffmpeg_start process upload */
    for (int i = 0; i < 8; i++)
        CHECK(conts8[i]);
    csv_free(c);
    free(sim);
    model_scenario_free(&s);
}

static void test_gantt_csv(void)
{
    const char *trace = "k,container,chunk,phase,start_s,end_s\n"
                        "2,1,1,start,0,30\n2,0,0,start,0,20\n2,0,0,process,20,25\n2,-1,-1,concat,35,36\n"
                        "2,1,1,process,30,35\n1,0,0,start,0,25\n1,0,0,process,25,35\n2,1,1,retry,36,37\n";
    plot_opts o = {.input = write_tmp("trace.csv", trace)};
    plot_vars v = {.buf = ""};
    int rc;
    csv *c = csv_of(PLOT_GANTT, NULL, &o, &v, &rc);
    CHECK(rc == 0 && c && c->n == 8);
    /* Rows: k=1 #0 -> 0; blank; k=2 #0 -> 2, #1 -> 3, concat -> 4. */
    for (int r = 0; c && r < c->n; r++) {
        int k = (int)num(c, r, "k"), cont = (int)num(c, r, "container"), row = (int)num(c, r, "row");
        const char *ph = c->f[r][col(c, "phase")];
        int want = k == 1 ? 0 : !strcmp(ph, "concat") ? 4 : 2 + cont;
        CHECK(row == want);
        int pi = (int)num(c, r, "phase_index");
        CHECK(pi == (!strcmp(ph, "start") ? 0 : !strcmp(ph, "process") ? 5 : !strcmp(ph, "concat") ? 7 : 8));
    }
    CHECK(strstr(v.buf, "rows=5;") && strstr(v.buf, "tmax=37;") && strstr(v.buf, "has_other=1;"));
    csv_free(c);
    unlink(o.input);
}

static void expect_input_error(plot_kind kind, const char *text, const char *needle)
{
    plot_opts o = {.input = write_tmp("bad.csv", text)};
    int rc;
    csv *c = csv_of(kind, NULL, &o, NULL, &rc);
    CHECK(rc == BASE_EINPUT && !c);
    if (!strstr(err, needle))
        fprintf(stderr, "  error '%s' lacks '%s'\n", err, needle);
    CHECK(strstr(err, needle) != NULL);
    CHECK(strchr(err, '\n') == NULL);
    csv_free(c);
    unlink(o.input);
}

static void test_bad_inputs(void)
{
    expect_input_error(PLOT_CDF, "k,wall\n1,3\n", "missing column 'wall_s'");
    expect_input_error(PLOT_CDF, "k,wall_s\n1,abc\n", "wall_s: not a finite number (got 'abc')");
    expect_input_error(PLOT_CDF, "k,wall_s\n0,3\n", "integer k >= 1");
    expect_input_error(PLOT_CDF, "k,wall_s\n1,3,4\n", "3 fields, header has 2");
    expect_input_error(PLOT_CDF, "k,wall_s\n", "no data rows");
    expect_input_error(PLOT_CDF, "", "empty");
    expect_input_error(PLOT_GANTT, "k,container,chunk,phase,start_s,end_s\n1,0,0,start,5,4\n", "before start_s");
    expect_input_error(PLOT_CAPACITY, "t_s,busy,idle,queue,p95_s\n10,1,1,0,5\n5,1,1,0,5\n", "t_s must not decrease");
    plot_opts o = {.input = "/nonexistent/x.csv"};
    int rc;
    csv *c = csv_of(PLOT_CDF, NULL, &o, NULL, &rc);
    CHECK(rc == BASE_EINPUT && !c && strstr(err, "cannot open"));
    o.input = NULL;
    c = csv_of(PLOT_GANTT, NULL, &o, NULL, &rc);
    CHECK(rc == BASE_EINPUT && !c && strstr(err, "needs a scenario"));
}

/* capacity --input: rows 60 s apart need no aggregation (the step is
 * never finer than the input's); the pool rows carry them, the latency
 * percentiles go to "latency" rows, an empty window stays out. */
static void test_capacity_csv(void)
{
    plot_opts o = {.input = write_tmp("series.csv", "t_s,queue,busy,idle,p99_s,p50_s\n0,0,1,2,50,40\n60,1,2,0,,\n")};
    plot_vars v = {.buf = ""};
    int rc;
    csv *c = csv_of(PLOT_CAPACITY, NULL, &o, &v, &rc);
    CHECK(rc == 0 && c && c->n == 3);
    if (c && c->n == 3) {
        CHECK_STR(c->f[0][col(c, "series")], "pool");
        CHECK(num(c, 0, "busy") == 1 && num(c, 0, "idle") == 2 && num(c, 0, "queue") == 0);
        CHECK(num(c, 0, "t_end_s") == 60 && num(c, 0, "live_min") == 3 && num(c, 0, "live_max") == 3);
        CHECK(num(c, 1, "t_s") == 60 && num(c, 1, "busy") == 2 && num(c, 1, "queue_max") == 1);
        CHECK_STR(c->f[2][col(c, "series")], "latency");
        CHECK(num(c, 2, "t_s") == 0 && num(c, 2, "p50_s") == 40 && num(c, 2, "p99_s") == 50);
        CHECK(!*c->f[2][col(c, "p95_s")]);
    }
    CHECK(var_of(&v, "step_s") == 60 && var_of(&v, "has_lat") == 0); /* no p95: no band */
    csv_free(c);
    unlink(o.input);
}

/* The step rule against hand values: the smallest listed step with
 * D / step < 250, at least the input's own. */
static void test_capacity_step(void)
{
    static const double d[][3] = {{86400, 0, 600},  {7200, 0, 30},      {100, 0, 1},
                                  {2592000, 0, 10800}, {1e9, 0, 7 * 604800}, {600, 60, 60},
                                  {249, 0, 1},      {250, 0, 2},        {86400 * 7, 0, 3600}};
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        CHECK_NEAR(plot_capacity_step(d[i][0], d[i][1]), d[i][2], 0);
    /* Windows floor(D / step) + 1: 101..250 for any run longer than 250 s. */
    for (double D = 251; D < 1e8; D *= 1.07) {
        double w = floor(D / plot_capacity_step(D, 0)) + 1;
        CHECK(w >= 101 && w <= 250);
    }
}

typedef struct {
    double step;
    double sum[512][3];
    int n[512];
} agg_t;

static void agg_sample(double t, int busy, int idle, int queue, void *ctx)
{
    agg_t *a = ctx;
    int b = (int)floor(t / a->step + 1e-9);
    if (b < 512) {
        a->sum[b][0] += busy;
        a->sum[b][1] += idle;
        a->sum[b][2] += queue;
        a->n[b]++;
    }
}

/* capacity from a workload (2 h of 90 jobs/h, a warm-up of 10): the pool
 * rows are floor(t_end / 30 s) + 1 windows, each the mean of the pool
 * sampled 10 times per window by sim/capacity.h here; the latency rows are
 * min(60, jobs / 20) windows by arrival with p95 >= mean, their jobs adding
 * up to the jobs served; the run's p95 is forkcast capacity's. The warm-up
 * does not change the pool's path (the latency windows rely on it). */
static void test_capacity_run(void)
{
    static const char *js =
        "{\"name\": \"stream\", \"job\": {\"frames\": {\"dist\": \"lognormal\", \"median\": 300, \"p95\": 3000}},"
        " \"stage\": {\"per_frame_s\": 0.025, \"ffmpeg_start_s\": 1.5},"
        " \"platform\": {\"cold_start_s\": {\"dist\": \"lognormal\", \"median\": 33.3, \"p95\": 47.7}, \"warm_start_s\": 1,"
        " \"gpu_per_s\": 0.000164, \"max_containers\": 6, \"scaledown_window_s\": 60},"
        " \"parallel\": {\"gpus\": [1, 2, 4], \"policy\": \"auto\"},"
        " \"workload\": {\"rate_per_hour\": 90, \"hours\": 2, \"warmup_jobs\": 10}}";
    model_scenario s, t;
    CHECK(model_scenario_load(write_tmp("stream.json", js), NULL, 0, &s, err, sizeof err) == 0);
    sim_cap *cap = NULL, *cap0 = NULL;
    sim_cap_result res, res0;
    CHECK(sim_cap_new(&s, &cap, err, sizeof err) == 0 && sim_cap_run(cap, s.seed, NULL, &res, err, sizeof err) == 0);
    double step = 30; /* 7200 s / 30 s = 240 < 250; 15 s would give 480 */
    CHECK(plot_capacity_step(res.t_end, 0) == step);
    agg_t *a = calloc(1, sizeof *a), *a0 = calloc(1, sizeof *a0);
    a->step = a0->step = step;
    sim_cap_series ser = {step / 10, agg_sample, a}, ser0 = {step / 10, agg_sample, a0};
    CHECK(sim_cap_run(cap, s.seed, &ser, &res0, err, sizeof err) == 0);
    t = s;
    t.warmup_jobs = 0;
    CHECK(sim_cap_new(&t, &cap0, err, sizeof err) == 0 && sim_cap_run(cap0, s.seed, &ser0, &res0, err, sizeof err) == 0);
    CHECK(memcmp(a->sum, a0->sum, sizeof a->sum) == 0 && memcmp(a->n, a0->n, sizeof a->n) == 0);
    plot_opts o = {0};
    plot_vars v = {.buf = ""};
    int rc, npool = 0, nlat = 0;
    long jobs = 0;
    csv *c = csv_of(PLOT_CAPACITY, &s, &o, &v, &rc);
    CHECK(rc == 0 && c);
    for (int r = 0; c && r < c->n; r++) {
        if (!strcmp(c->f[r][col(c, "series")], "pool")) {
            int b = (int)(num(c, r, "t_s") / step);
            CHECK(b == npool && a->n[b] > 0);
            npool++;
            if (b < 512 && a->n[b]) {
                CHECK_NEAR(num(c, r, "busy"), a->sum[b][0] / a->n[b], 1e-5);
                CHECK_NEAR(num(c, r, "idle"), a->sum[b][1] / a->n[b], 1e-5);
                CHECK_NEAR(num(c, r, "queue"), a->sum[b][2] / a->n[b], 1e-5);
            }
            CHECK(num(c, r, "live_min") <= num(c, r, "busy") + num(c, r, "idle") + 1e-9);
            CHECK(num(c, r, "live_max") >= num(c, r, "busy") + num(c, r, "idle") - 1e-9);
            CHECK(num(c, r, "live_max") <= 6);
        } else {
            CHECK_STR(c->f[r][col(c, "series")], "latency");
            nlat++;
            CHECK(num(c, r, "p95_s") >= num(c, r, "latency_mean_s"));
            CHECK(num(c, r, "p50_s") > 0 && num(c, r, "p50_s") <= num(c, r, "p95_s") &&
                  num(c, r, "p95_s") <= num(c, r, "p99_s"));
            jobs += (long)num(c, r, "jobs");
        }
    }
    CHECK(npool == (int)floor(res.t_end / step) + 1);
    long windows = res0.jobs_total / 20 < 60 ? res0.jobs_total / 20 : 60;
    CHECK(nlat >= windows - 1 && nlat <= windows); /* a window without a served job is left out */
    CHECK(jobs == res0.served);
    CHECK(var_of(&v, "has_lat") == 2);
    CHECK_REL(var_of(&v, "lat_p95"), res.latency_p95, 1e-5);
    CHECK_NEAR(var_of(&v, "lat_window_s"), 7200.0 / (double)windows, 1e-6);
    csv_free(c);
    free(a);
    free(a0);
    sim_cap_free(cap);
    sim_cap_free(cap0);
    model_scenario_free(&s);
    unlink(write_tmp("stream.json", ""));
}

static void test_names(void)
{
    plot_kind k;
    for (int i = 0; i < PLOT_NKINDS; i++) {
        CHECK(plot_kind_parse(plot_kind_name((plot_kind)i), &k) == 0 && k == (plot_kind)i);
        CHECK(plot_kind_takes_input((plot_kind)i) == (i == PLOT_GANTT || i == PLOT_CDF || i == PLOT_CAPACITY));
    }
    CHECK(plot_kind_parse("pie", &k) == -1);
    const char *fmt;
    CHECK(plot_format("a/b.png", &fmt) == 0 && !strcmp(fmt, "png"));
    CHECK(plot_format("b.svg", &fmt) == 0 && !strcmp(fmt, "svg"));
    CHECK(plot_format("b.jpg", &fmt) == -1 && plot_format("dir.png/b", &fmt) == -1);
    plot_vars v = {.buf = ""};
    plot_var_str(&v, "t", "it's");
    plot_var_num(&v, "x", 0.5);
    CHECK_STR(v.buf, "t='it''s'; x=0.5; ");
}

TEST_MAIN(test_speedup_csv, test_frames_csv, test_map_csv, test_map_labels, test_pareto_labels, test_map_experiments, test_breakdown_csv, test_cdf_csv, test_sim_charts, test_gantt_csv,
          test_bad_inputs, test_capacity_csv, test_capacity_step, test_capacity_run, test_names)
