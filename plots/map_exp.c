/* plots/map_exp.c -- the decision map's experiments (as measured) and the
 * placement of its labels. See map_exp.h. */
#include "plots/map_exp.h"
#include "base/status.h"

#include <cjson/cJSON.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- experiments ------------------------------------------------------------ */

#define OBS_MAXK 64

typedef struct {
    int k;
    double wall, cost, speedup, cost_ratio; /* NAN when not observed */
} obs_k;

static const cJSON *num_field(const cJSON *o, const char *name)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(j) && isfinite(j->valuedouble) ? j : NULL;
}

static obs_k *obs_slot(obs_k *t, int *n, int k)
{
    for (int i = 0; i < *n; i++)
        if (t[i].k == k)
            return &t[i];
    if (*n == OBS_MAXK)
        return NULL;
    t[*n] = (obs_k){k, NAN, NAN, NAN, NAN};
    return &t[(*n)++];
}

/* The first value of each quantity per GPU count. */
static void take(double *dst, const cJSON *o, const char *name)
{
    const cJSON *j = num_field(o, name);
    if (j && isnan(*dst) && j->valuedouble > 0)
        *dst = j->valuedouble;
}

/* The headline of one parsed experiments file. */
static int exp_from_json(const cJSON *doc, const char *file, plot_exp *e, char *err, size_t errsz)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
    const cJSON *known = cJSON_GetObjectItemCaseSensitive(doc, "known");
    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(doc, "observations");
    const cJSON *fr = num_field(known, "job.frames"), *pf = num_field(known, "stage.per_frame_s");
    const cJSON *mc = num_field(known, "platform.min_containers");
    obs_k t[OBS_MAXK];
    int n = 0;
    memset(e, 0, sizeof *e);
    snprintf(e->file, sizeof e->file, "%s", file);
    if (!cJSON_IsString(name) || !*name->valuestring)
        return base_errf(err, errsz, BASE_EINPUT, "%s: name: missing (the map labels an experiment by it)", file);
    if (!fr || fr->valuedouble < 1 || !pf || pf->valuedouble <= 0)
        return base_errf(err, errsz, BASE_EINPUT,
                         "%s: known: needs job.frames >= 1 and stage.per_frame_s > 0 to place it on the map", file);
    sscanf(name->valuestring, "%31s", e->tag);
    e->frames = fr->valuedouble;
    e->per_frame = pf->valuedouble;
    e->min_containers = mc ? (int)mc->valuedouble : -1;
    for (const cJSON *o = cJSON_IsArray(obs) ? obs->child : NULL; o; o = o->next) {
        const cJSON *g = num_field(o, "gpus");
        obs_k *s = g && g->valuedouble >= 1 && g->valuedouble == floor(g->valuedouble) ? obs_slot(t, &n, g->valueint)
                                                                                         : NULL;
        if (!s)
            continue;
        take(&s->wall, o, "wall_s");
        take(&s->cost, o, "cost_usd");
        take(&s->speedup, o, "speedup");
        take(&s->cost_ratio, o, "cost_ratio");
    }
    const obs_k *one = NULL;
    for (int i = 0; i < n; i++)
        if (t[i].k == 1)
            one = &t[i];
    e->speedup = -1;
    for (int i = 0; i < n; i++) {
        double sp = t[i].speedup, cr = t[i].cost_ratio;
        if (t[i].k == 1)
            continue;
        if (isnan(sp) && one && !isnan(one->wall) && !isnan(t[i].wall))
            sp = one->wall / t[i].wall;
        if (isnan(cr) && one && !isnan(one->cost) && !isnan(t[i].cost))
            cr = t[i].cost / one->cost;
        if (!isnan(sp) && sp > e->speedup) {
            e->speedup = sp;
            e->cost_ratio = cr;
            e->gpus = t[i].k;
        }
    }
    if (e->speedup < 0)
        return base_errf(err, errsz, BASE_EINPUT,
                         "%s: observations: no GPU count > 1 with a speedup (or wall_s at it and at 1 GPU)", file);
    return BASE_OK;
}

int plot_exp_load(const char *dir, plot_exp *out, int max, int *n, char *err, size_t errsz)
{
    char pat[1024];
    glob_t g;
    int rc = BASE_OK;
    *n = 0;
    if (snprintf(pat, sizeof pat, "%s/data/experiments/*.json", dir) >= (int)sizeof pat)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", dir);
    int gr = glob(pat, 0, NULL, &g);
    if (gr == GLOB_NOMATCH)
        return BASE_OK;
    if (gr != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot list the experiments", pat);
    for (size_t i = 0; i < g.gl_pathc && *n < max && !rc; i++) {
        char *text = NULL;
        if ((rc = base_read_file(g.gl_pathv[i], &text, NULL, err, errsz)))
            break;
        cJSON *doc = cJSON_Parse(text);
        free(text);
        if (!doc)
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: invalid JSON", g.gl_pathv[i]);
        else if (!(rc = exp_from_json(doc, g.gl_pathv[i], &out[*n], err, errsz)))
            (*n)++;
        cJSON_Delete(doc);
    }
    globfree(&g);
    return rc;
}

void plot_exp_label(const plot_exp *e, char *buf, size_t n)
{
    char warm[32] = "";
    if (e->min_containers >= e->gpus)
        snprintf(warm, sizeof warm, " warm");
    else if (e->min_containers == 0)
        snprintf(warm, sizeof warm, " cold");
    int len = snprintf(buf, n, "%s measured: %.2fx on %d%s GPUs", e->tag, e->speedup, e->gpus, warm);
    if (len > 0 && (size_t)len < n && e->min_containers > 0 && e->min_containers < e->gpus)
        len += snprintf(buf + len, n - (size_t)len, " (%d warm)", e->min_containers);
    if (len > 0 && (size_t)len < n && !isnan(e->cost_ratio))
        snprintf(buf + len, n - (size_t)len, " (cost %.2fx)", e->cost_ratio);
}

/* ---- label placement ---------------------------------------------------------- */

static double to_px(double v, double lo, double hi, double p0, double p1, int lin)
{
    if (lin)
        return p0 + (v - lo) / (hi - lo) * (p1 - p0);
    return p0 + (log(v) - log(lo)) / (log(hi) - log(lo)) * (p1 - p0);
}

static double from_px(double p, double lo, double hi, double p0, double p1, int lin)
{
    if (lin)
        return lo + (p - p0) / (p1 - p0) * (hi - lo);
    return exp(log(lo) + (p - p0) / (p1 - p0) * (log(hi) - log(lo)));
}

#define PX(f, v) to_px(v, (f)->xlo, (f)->xhi, (f)->l, (f)->r, (f)->linx)
#define PY(f, v) to_px(v, (f)->ylo, (f)->yhi, (f)->b, (f)->t, (f)->liny)
#define DX(f, p) from_px(p, (f)->xlo, (f)->xhi, (f)->l, (f)->r, (f)->linx)
#define DY(f, p) from_px(p, (f)->ylo, (f)->yhi, (f)->b, (f)->t, (f)->liny)

/* Does the segment (ax, ay)-(bx, by) meet the box? Liang-Barsky clipping. */
static int seg_hits(double ax, double ay, double bx, double by, double x0, double x1, double y0, double y1)
{
    double t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {ax - x0, x1 - ax, ay - y0, y1 - ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0)
            t0 = fmax(t0, r);
        else
            t1 = fmin(t1, r);
        if (t0 > t1)
            return 0;
    }
    return 1;
}

/* Do the segments a-b and c-d cross (proper or touching)? */
static int seg_cross(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy)
{
    double d1 = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx), d2 = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx);
    double d3 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax), d4 = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax);
    return d1 * d2 <= 0 && d3 * d4 <= 0;
}

static double overlap(double a0, double a1, double b0, double b1)
{
    return fmax(0, fmin(a1, b1) - fmax(a0, b0));
}

#define MARKER_R_PX 13.0

/* What a box at x0..x1, y0..y1 collides with: 1000 per px outside the plot
 * area's inner edge, 100 per segment or point obstacle within 3 px, the
 * overlapping area with the boxes before it and with the markers. 0 is a
 * free place. */
static double box_cost(const plot_frame *f, const double *sx, const double *sy, int np, const plot_label *lab,
                       int i, int n, double x0, double x1, double y0, double y1)
{
    double c = 0, in = 3;
    c += 1000 * (fmax(0, f->l + in - x0) + fmax(0, x1 - (f->r - in)) + fmax(0, f->b + in - y0) + fmax(0, y1 - (f->t - in)));
    for (int s = 0; s < np; s++) {
        if (isnan(sx[s]) || isnan(sy[s]))
            continue;
        int alone = (s == 0 || isnan(sx[s - 1])) && (s + 1 == np || isnan(sx[s + 1]));
        if (alone) /* a point obstacle */
            c += 100 * seg_hits(sx[s], sy[s], sx[s], sy[s], x0 - 4, x1 + 4, y0 - 4, y1 + 4);
        else if (s + 1 < np && !isnan(sx[s + 1]) && !isnan(sy[s + 1])) /* 3 px clear of the box */
            c += 100 * seg_hits(sx[s], sy[s], sx[s + 1], sy[s + 1], x0 - 3, x1 + 3, y0 - 3, y1 + 3);
    }
    for (int j = 0; j < n; j++) {
        if (!lab[j].placed)
            continue;
        double mx = PX(f, lab[j].x), my = PY(f, lab[j].y);
        c += overlap(x0, x1, mx - MARKER_R_PX, mx + MARKER_R_PX) * overlap(y0, y1, my - MARKER_R_PX, my + MARKER_R_PX);
        if (j < i)
            c += overlap(x0, x1, lab[j].x0 - 4, lab[j].x1 + 4) * overlap(y0, y1, lab[j].y0 - 4, lab[j].y1 + 4);
    }
    return c;
}

void plot_label_place(const plot_frame *f, const double *px, const double *py, int np, plot_label *lab, int n)
{
    double *sx = malloc((size_t)(np > 0 ? np : 1) * sizeof *sx), *sy = malloc((size_t)(np > 0 ? np : 1) * sizeof *sy);
    if (!sx || !sy)
        np = 0; /* placement without the line: still inside the plot and apart */
    for (int s = 0; s < np; s++) {
        sx[s] = isnan(px[s]) || isnan(py[s]) ? NAN : PX(f, px[s]);
        sy[s] = isnan(px[s]) || isnan(py[s]) ? NAN : PY(f, py[s]);
    }
    for (int i = 0; i < n; i++)
        lab[i].placed = lab[i].x >= f->xlo && lab[i].x <= f->xhi && lab[i].y >= f->ylo && lab[i].y <= f->yhi;
    for (int i = 0; i < n; i++) {
        plot_label *L = &lab[i];
        if (!L->placed)
            continue;
        double mx = PX(f, L->x), my = PY(f, L->y);
        double w = L->chars * PLOT_LABEL_CHAR_PX + 2 * PLOT_LABEL_PAD_X_PX;
        double h = L->lines * PLOT_LABEL_LINE_PX + 2 * PLOT_LABEL_PAD_Y_PX;
        /* Candidates: the box right or left of the marker (its near edge
         * 14..224 px away), centred on it, or starting or ending at it,
         * each at vertical offsets 0 or +-(14..224 px + half the box),
         * moved inside the plot area. The nearest free one wins: free
         * (box_cost 0, and no other marker within 30 px of the box and as
         * near as its own) first, then the distance to the marker plus 50 px per line
         * its leader would cross and 200 per marker it would pass. */
        double xs[13], ys[11], best = INFINITY;
        int na = 0, nb = 0;
        for (double g = 14; g <= 224; g *= 2) {
            xs[na++] = mx + g + w / 2;
            xs[na++] = mx - g - w / 2;
        }
        xs[na++] = mx;
        xs[na++] = mx - MARKER_R_PX + w / 2;
        xs[na++] = mx + MARKER_R_PX - w / 2;
        ys[nb++] = my;
        for (double g = 14; g <= 224; g *= 2) {
            ys[nb++] = my - g - h / 2;
            ys[nb++] = my + g + h / 2;
        }
        for (int a = 0; a < na; a++)
            for (int b = 0; b < nb; b++) {
                double cx = fmin(fmax(xs[a], f->l + 4 + w / 2), f->r - 4 - w / 2);
                double cy = fmin(fmax(ys[b], f->b + 4 + h / 2), f->t - 4 - h / 2);
                double x0 = cx - w / 2, x1 = cx + w / 2, y0 = cy - h / 2, y1 = cy + h / 2;
                double c = box_cost(f, sx, sy, np, lab, i, n, x0, x1, y0, y1);
                double px = fmin(fmax(mx, x0), x1), py = fmin(fmax(my, y0), y1), d = hypot(px - mx, py - my);
                for (int j = 0; j < n; j++) { /* beside another marker, as near as its own: read as that one's */
                    if (j == i || !lab[j].placed)
                        continue;
                    double ox = PX(f, lab[j].x), oy = PY(f, lab[j].y);
                    double dj = hypot(fmin(fmax(ox, x0), x1) - ox, fmin(fmax(oy, y0), y1) - oy);
                    if (dj < 30 && dj < d + 8)
                        c += 50;
                }
                if (d > 20) {
                    for (int s = 0; s + 1 < np; s++)
                        if (!isnan(sx[s]) && !isnan(sx[s + 1]))
                            d += 50 * seg_cross(mx, my, px, py, sx[s], sy[s], sx[s + 1], sy[s + 1]);
                    for (int j = 0; j < n; j++) /* a leader through another marker */
                        if (j != i && lab[j].placed &&
                            seg_hits(mx, my, px, py, PX(f, lab[j].x) - MARKER_R_PX, PX(f, lab[j].x) + MARKER_R_PX,
                                     PY(f, lab[j].y) - MARKER_R_PX, PY(f, lab[j].y) + MARKER_R_PX))
                            d += 200;
                }
                double score = (c > 0 ? 1e9 + c * 1e3 : 0) + d;
                if (score < best) {
                    best = score;
                    L->x0 = x0;
                    L->x1 = x1;
                    L->y0 = y0;
                    L->y1 = y1;
                }
            }
        L->ax = DX(f, L->x0 + PLOT_LABEL_PAD_X_PX);
        L->ay = DY(f, L->y1 - PLOT_LABEL_PAD_Y_PX - PLOT_LABEL_LINE_PX / 2);
        double nx = fmin(fmax(mx, L->x0), L->x1), ny = fmin(fmax(my, L->y0), L->y1);
        L->lx = L->ly = NAN;
        if (hypot(nx - mx, ny - my) > 20) {
            L->lx = DX(f, nx);
            L->ly = DY(f, ny);
        }
    }
    free(sx);
    free(sy);
}
