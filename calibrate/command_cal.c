/* calibrate/command_cal.c -- line fit and `calibrate command`. See
 * command_cal.h for the contracts. */
#include "calibrate/command_cal.h"

#include "base/status.h"
#include "calibrate/provenance.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

/* ---- line fit ---------------------------------------------------------- */

int cal_line_fit(const double *x, const double *y, size_t n, cal_line *out, char *err,
                 size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (n < 3)
        return base_errf(err, errsz, BASE_EINPUT,
                          "a line fit with 95%% intervals needs at least 3 points (got %zu)", n);
    size_t i = 1;
    while (i < n && x[i] == x[0])
        i++;
    if (i == n)
        return base_errf(err, errsz, BASE_EINPUT,
                          "a line fit needs at least two distinct x values (all are %g)", x[0]);
    double c0, c1, cov00, cov01, cov11, sumsq;
    int s = gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    if (s != GSL_SUCCESS)
        return base_errf(err, errsz, BASE_ERUNTIME, "gsl_fit_linear: %s", gsl_strerror(s));
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 2));
    double h0 = t * sqrt(cov00), h1 = t * sqrt(cov11);
    double tss = gsl_stats_tss(y, 1, n);
    *out = (cal_line){
        .c0 = c0, .c1 = c1,
        .c0_ci = {c0 - h0, c0 + h0}, .c1_ci = {c1 - h1, c1 + h1},
        .cov00 = cov00, .cov01 = cov01, .cov11 = cov11,
        .r2 = tss > 0 ? 1.0 - sumsq / tss : 1.0,
        .n = n,
    };
    assert(out->c0_ci[0] <= out->c0_ci[1] && out->c1_ci[0] <= out->c1_ci[1]);
    return BASE_OK;
}

cJSON *cal_value_ci_json(double v, const double ci[2])
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "value", v);
    cJSON *a = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(a, cJSON_CreateNumber(ci[0]));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(ci[1]));
    return o;
}

cJSON *cal_line_json(const cal_line *f, const char *c0_name, const char *c1_name)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, c1_name, cal_value_ci_json(f->c1, f->c1_ci));
    cJSON_AddItemToObject(o, c0_name, cal_value_ci_json(f->c0, f->c0_ci));
    cJSON_AddNumberToObject(o, "r2", f->r2);
    return o;
}

/* ---- calibrate command ------------------------------------------------- */

/* Copy of s with every "{frames}", "{input}", "{output}" replaced; NULL on
 * out of memory. */
static char *substitute(const char *s, const char *frames, const char *input, const char *output)
{
    static const char *const keys[] = {"{frames}", "{input}", "{output}"};
    const char *vals[] = {frames, input ? input : "", output};
    size_t cap = strlen(s) + 1, len = 0;
    for (const char *p = s; *p; p++)
        for (int k = 0; k < 3; k++)
            if (!strncmp(p, keys[k], strlen(keys[k])))
                cap += strlen(vals[k]);
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = s; *p;) {
        int hit = -1;
        for (int k = 0; k < 3 && hit < 0; k++)
            if (!strncmp(p, keys[k], strlen(keys[k])))
                hit = k;
        if (hit >= 0) {
            size_t vl = strlen(vals[hit]);
            memcpy(out + len, vals[hit], vl);
            len += vl;
            p += strlen(keys[hit]);
        } else {
            out[len++] = *p++;
        }
    }
    out[len] = 0;
    assert(len < cap);
    return out;
}

static void free_argv(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void cal_command_result_free(cal_command_result *r)
{
    if (!r)
        return;
    free(r->frames);
    free(r->seconds);
    free(r);
}

/* The options' contract (command_cal.h), checked before any run. */
static int check_opts(const cal_command_opts *o, char *err, size_t errsz)
{
    if (!o->argv || o->argc < 1 || !o->argv[0] || !o->argv[0][0])
        return base_errf(err, errsz, BASE_EINPUT, "no command given after --");
    if (o->nframes < 1)
        return base_errf(err, errsz, BASE_EINPUT, "--frames: empty list");
    if (o->repeats < 1)
        return base_errf(err, errsz, BASE_EINPUT, "--repeats: must be at least 1 (got %d)",
                          o->repeats);
    if (!(o->timeout_s > 0))
        return base_errf(err, errsz, BASE_EINPUT, "--timeout: must be positive");
    int distinct = 0;
    for (size_t i = 0; i < o->nframes; i++) {
        if (o->frames[i] < 1)
            return base_errf(err, errsz, BASE_EINPUT,
                              "--frames: frame counts must be at least 1 (got %d)", o->frames[i]);
        if (o->frames[i] != o->frames[0])
            distinct = 1;
    }
    if (!distinct)
        return base_errf(err, errsz, BASE_EINPUT,
                          "--frames: need at least two different frame counts to fit a line");
    size_t n = o->nframes * (size_t)o->repeats;
    if (n < 3)
        return base_errf(err, errsz, BASE_EINPUT,
                          "--frames x --repeats: need at least 3 runs for 95%% intervals "
                          "(got %zu)",
                          n);
    int has_frames = 0;
    for (int i = 0; i < o->argc; i++) {
        if (strstr(o->argv[i], "{input}") && !o->input)
            return base_errf(err, errsz, BASE_EINPUT,
                              "command argument '%s' uses {input} but no --input was given",
                              o->argv[i]);
        has_frames |= strstr(o->argv[i], "{frames}") != NULL;
    }
    if (!has_frames)
        return base_errf(err, errsz, BASE_EINPUT,
                         "no argument of the command contains {frames}: its runs cannot depend on the "
                         "frame count, so the fit would measure nothing (e.g. ffmpeg ... -frames:v {frames})");
    return BASE_OK;
}

/* `ffmpeg -version`'s version when an argument mentions ffmpeg: argv[0]
 * itself when that is an ffmpeg, else the ffmpeg on PATH (what `sh -c
 * 'ffmpeg ...'` runs). "" when none answers. */
static void ffmpeg_version(const cal_command_opts *o, const char *tmp, char *ver, size_t n)
{
    int mentions = 0;
    ver[0] = 0;
    for (int i = 0; i < o->argc; i++)
        mentions |= strstr(o->argv[i], "ffmpeg") != NULL;
    if (!mentions)
        return;
    const char *base = strrchr(o->argv[0], '/');
    base = base ? base + 1 : o->argv[0];
    char out[4200], *text = NULL, e[256];
    snprintf(out, sizeof out, "%s/version.txt", tmp);
    char *argv[] = {!strncmp(base, "ffmpeg", 6) ? o->argv[0] : "ffmpeg", "-version", NULL};
    base_proc_result pr;
    if (base_proc_run(argv, out, NULL, 30, o->cancel, &pr, e, sizeof e) == BASE_OK &&
        pr.how == BASE_PROC_EXITED && pr.code == 0 && base_read_file(out, &text, NULL, NULL, 0) == BASE_OK) {
        char v[64] = "";
        if (sscanf(text, "ffmpeg version %63s", v) == 1)
            snprintf(ver, n, "%s", v);
    }
    free(text);
    unlink(out);
}

/* r->warn[]: why this fit may mislead (command_cal.h). */
static void add_warnings(const cal_command_opts *o, cal_command_result *r)
{
    const cal_line *f = &r->fit;
    r->nwarn = 0;
    if (f->r2 < CAL_COMMAND_MIN_R2)
        snprintf(r->warn[r->nwarn++], sizeof r->warn[0],
                 "poor fit: r\u00b2 %.3g < %.2f: wall time is not a straight line in the frame count "
                 "(noise, or work that does not follow {frames})",
                 f->r2, CAL_COMMAND_MIN_R2);
    if (f->c1_ci[0] <= 0) {
        r->warn_field[r->nwarn] = "stage.per_frame_s";
        snprintf(r->warn[r->nwarn++], sizeof r->warn[0],
                 "the per-frame 95%% interval [%.3g, %.3g] s includes 0: the runs show no per-frame cost; "
                 "raise --frames or --repeats",
                 f->c1_ci[0], f->c1_ci[1]);
    }
    if (r->fixed_s > r->per_frame_s * r->max_frames) {
        r->warn_field[r->nwarn] = "stage.per_frame_s";
        snprintf(r->warn[r->nwarn++], sizeof r->warn[0],
                 "the fixed cost dominates: %.3g s against %.3g s of per-frame work at %d frames, the "
                 "largest count; raise --frames so the frames outweigh the fixed part",
                 r->fixed_s, r->per_frame_s * r->max_frames, r->max_frames);
    }
    if (o->input_frames > 0 && r->max_frames > o->input_frames)
        snprintf(r->warn[r->nwarn++], sizeof r->warn[0],
                 "--frames goes up to %d but the input has %ld frames: a command reading {input} once "
                 "processes fewer frames than {frames} says",
                 r->max_frames, o->input_frames);
}

/* Run the template once at `frames` with its output at TMP/out-J.EXT
 * (removed after); argv is the caller's scratch of argc + 1 entries. */
static int run_once(const cal_command_opts *o, int frames, size_t j, const char *tmp,
                    const char *errpath, char **argv, double *wall_s, char *err, size_t errsz)
{
    int rc;
    char fr[32], outpath[4200];
    const char *ext = o->output_ext && o->output_ext[0] ? o->output_ext : "mp4";
    snprintf(fr, sizeof fr, "%d", frames);
    snprintf(outpath, sizeof outpath, "%s/out-%zu.%s", tmp, j, ext);
    for (int a = 0; a < o->argc; a++) {
        free(argv[a]);
        argv[a] = substitute(o->argv[a], fr, o->input, outpath);
        if (!argv[a])
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    }
    base_proc_result pr;
    if ((rc = base_proc_run(argv, NULL, errpath, o->timeout_s, o->cancel, &pr, err, errsz)))
        return rc;
    base_tmpdir_remove(outpath); /* file or directory the run made */
    if (pr.how != BASE_PROC_EXITED || pr.code != 0) {
        char why[512];
        base_proc_describe(&pr, o->timeout_s, errpath, why, sizeof why);
        return base_errf(err, errsz, BASE_EINPUT, "command '%s' at frames=%d: %s", o->argv[0],
                         frames, why);
    }
    *wall_s = pr.wall_s;
    return BASE_OK;
}

int cal_command_run(const cal_command_opts *o, cal_command_result **out, char *err,
                    size_t errsz)
{
    int rc = BASE_OK;
    cal_command_result *r = NULL;
    char **argv = NULL;
    double *x = NULL;
    char tmp[4096] = "", errpath[4200];
    *out = NULL;
    if ((rc = check_opts(o, err, errsz)))
        return rc;
    size_t n = o->nframes * (size_t)o->repeats;

    r = calloc(1, sizeof *r);
    argv = calloc((size_t)o->argc + 1, sizeof *argv);
    x = calloc(n, sizeof *x);
    if (r) {
        r->frames = calloc(n, sizeof *r->frames);
        r->seconds = calloc(n, sizeof *r->seconds);
    }
    if (!r || !argv || !x || !r->frames || !r->seconds) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if ((rc = base_tmpdir_new(tmp, sizeof tmp, err, errsz)))
        goto cleanup;
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmp);
    ffmpeg_version(o, tmp, r->ffmpeg, sizeof r->ffmpeg);

    size_t j = 0;
    for (int rep = 0; rep < o->repeats; rep++) {
        for (size_t i = 0; i < o->nframes; i++, j++) {
            if ((rc = run_once(o, o->frames[i], j, tmp, errpath, argv, &r->seconds[j], err,
                               errsz)))
                goto cleanup;
            r->frames[j] = o->frames[i];
            x[j] = o->frames[i];
            if (o->progress) {
                char line[128];
                snprintf(line, sizeof line, "run %zu/%zu: frames=%d %.4f s", j + 1, n,
                         o->frames[i], r->seconds[j]);
                o->progress(o->progress_ctx, line);
            }
        }
    }
    assert(j == n);
    r->n = n;
    if ((rc = cal_line_fit(x, r->seconds, n, &r->fit, err, errsz)))
        goto cleanup;
    r->fixed_clamped = r->fit.c0 < 0;
    r->fixed_s = r->fixed_clamped ? 0.0 : r->fit.c0;
    r->per_frame_clamped = r->fit.c1 < 0;
    r->per_frame_s = r->per_frame_clamped ? 0.0 : r->fit.c1;
    for (size_t i = 0; i < o->nframes; i++)
        if (o->frames[i] > r->max_frames)
            r->max_frames = o->frames[i];
    add_warnings(o, r);
    *out = r;
    r = NULL;

cleanup:
    base_tmpdir_remove(tmp);
    free_argv(argv, o->argc);
    free(x);
    cal_command_result_free(r);
    return rc;
}

/* The end-to-end record: the machine, the template, how each field came
 * out of the line, the warnings. */
static cJSON *command_prov(const cal_command_result *r, const cal_command_opts *o)
{
    cJSON *p = cal_prov_new("calibrate command", "end_to_end", "unknown", 1, r->ffmpeg[0] ? r->ffmpeg : NULL);
    if (!p)
        return NULL;
    cJSON *cmd = cJSON_AddArrayToObject(p, "command");
    for (int i = 0; o && i < o->argc; i++)
        cJSON_AddItemToArray(cmd, cJSON_CreateString(o->argv[i]));
    cJSON *f = cal_prov_field(p, "stage.per_frame_s", "slope of wall time (fork to exit) against frames, "
                                                      "least squares over every run");
    cal_prov_fit(f, r->fit.c1, r->fit.c1_ci, r->fit.r2, (long)r->n);
    f = cal_prov_field(p, "stage.ffmpeg_start_s", "intercept of wall time (fork to exit) against frames: "
                                                  "process start, open, setup");
    cal_prov_fit(f, r->fit.c0, r->fit.c0_ci, r->fit.r2, (long)r->n);
    for (int i = 0; i < r->nwarn; i++)
        cal_prov_warn(p, r->warn_field[i], "%s", r->warn[i]);
    return p;
}

cJSON *cal_command_result_json(const cal_command_result *r, const cal_command_opts *o)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *stage = cJSON_AddObjectToObject(root, "stage");
    cJSON_AddNumberToObject(stage, "per_frame_s", r->per_frame_s);
    cJSON_AddNumberToObject(stage, "ffmpeg_start_s", r->fixed_s);
    cJSON *fit = cal_line_json(&r->fit, "fixed_s", "per_frame_s");
    cJSON_AddItemToObject(root, "fit", fit);
    cJSON *pts = cJSON_AddArrayToObject(fit, "points");
    for (size_t i = 0; i < r->n; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "frames", r->frames[i]);
        cJSON_AddNumberToObject(p, "seconds", r->seconds[i]);
        cJSON_AddItemToArray(pts, p);
    }
    cJSON_AddItemToObject(root, "_provenance", command_prov(r, o));
    if (!cJSON_GetObjectItem(root, "_provenance")) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
