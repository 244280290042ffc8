/* cli/cal_fit.c -- `forkcast calibrate fit EXPERIMENTS.json --scenario BASE.json [-o OUT.json]`. */
#include "calibrate/fit.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "base/json.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: forkcast calibrate fit EXPERIMENTS.json [--scenario BASE.json] [--free SPEC]\n"
            "                              [-o OUT.json] [--json]\n\n"
            "Fit free scenario fields (cold start, concat, ...) to observed wall time, cost,\n"
            "speedup or cost ratio by weighted nonlinear least squares on the closed-form\n"
            "model. Prints the parameters with 95%% intervals and a residual table; writes\n"
            "the fitted scenario to OUT.json (or to stdout, tables then go to stderr).\n\n"
            "  --scenario BASE   base scenario (default: the experiments file's \"scenario\")\n"
            "  --free SPEC       replace the free list: FIELD=INIT[:MIN:MAX],...\n"
            "                    e.g. platform.cold_start_s.median=25:1:300\n"
            "  -o OUT.json       write the fitted scenario here (atomically)\n"
            "  --json            print the fit (parameters, residuals) as JSON\n"
            "  --quiet           accepted for uniformity (this mode prints no progress)\n"
            "See docs/calibrate.md for the experiments format.\n");
}

static void print_tables(FILE *out, const cal_fit *f)
{
    fprintf(out, "fit: %s (%d observations, %d free, chi2 %.4g on %d dof, %s after %d iterations)\n\n",
            f->name, f->nobs, f->np, f->chi2, f->dof, f->converged ? "converged" : "NOT converged",
            f->iterations);
    fprintf(out, "%-40s %12s  %s\n", "parameter", "value", "95% interval");
    for (int i = 0; i < f->np; i++) {
        const cal_fit_param *p = &f->p[i];
        if (p->has_ci)
            fprintf(out, "%-40s %12.5g  [%.5g, %.5g]\n", p->field, p->value, p->ci_lo, p->ci_hi);
        else
            fprintf(out, "%-40s %12.5g  (none: %s)\n", p->field, p->value,
                    p->at_bound ? "at its bound" : f->dof > 0 ? "singular" : "no degrees of freedom");
    }
    fprintf(out, "\n%4s  %-10s %12s %12s %8s\n", "GPUs", "quantity", "observed", "predicted", "error");
    for (int i = 0; i < f->nobs; i++) {
        const cal_fit_obs *o = &f->obs[i];
        fprintf(out, "%4d  %-10s %12.5g %12.5g %+7.2f%%\n", o->gpus, cal_fit_quantity_name(o->q), o->observed,
                o->predicted, (o->predicted / o->observed - 1) * 100);
    }
}

enum { O_SCENARIO = 256, O_FREE, O_JSON };

static const struct option options[] = {
    {"scenario", required_argument, NULL, O_SCENARIO},
    {"free", required_argument, NULL, O_FREE},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, O_JSON},
    {NULL, 0, NULL, 0},
};

int cli_calibrate_fit(int argc, char **argv)
{
    const char *exp = NULL, *base_path = NULL, *free_spec = NULL, *outp = NULL;
    int json = 0, rc = CLI_OK;
    char err[1024];
    cal_fit f;
    cJSON *base = NULL, *fitted = NULL;
    memset(&f, 0, sizeof f);
    cli_parser p;
    cli_parser_init(&p, "calibrate fit", "o:", options, NULL);
    for (int c; (c = cli_parser_next(&p, argc, argv)) != CLI_P_END;) {
        switch (c) {
        case CLI_P_ERR: return CLI_EUSAGE;
        case CLI_P_HELP: usage(stdout); return CLI_OK;
        case O_SCENARIO: base_path = p.val; break;
        case O_FREE: free_spec = p.val; break;
        case 'o': outp = p.val; break;
        case O_JSON: json = 1; break;
        case CLI_P_POS:
            if (exp)
                return cli_usage_error("calibrate fit: one experiments file only (got '%s')", p.val);
            exp = p.val;
            break;
        }
    }
    if (p.rest < argc && (exp || p.rest + 1 < argc))
        return cli_usage_error("calibrate fit: one experiments file only (got '%s')", argv[argc - 1]);
    if (p.rest < argc)
        exp = argv[p.rest];
    if (!exp)
        return cli_usage_error("calibrate fit: missing EXPERIMENTS.json (see --help)");
    if ((rc = cal_fit_load(exp, &f, err, sizeof err)))
        return cli_fail(rc, "%s", err);
    if (free_spec && (rc = cal_fit_set_free(&f, free_spec, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if (!base_path)
        base_path = f.scenario[0] ? f.scenario : NULL;
    if (!base_path) {
        rc = cli_usage_error("calibrate fit: no base scenario (--scenario BASE.json or \"scenario\" in %s)", exp);
        goto cleanup;
    }
    if ((rc = base_json_load(base_path, &base, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    if ((rc = cal_fit_run(&f, base, base_path, &fitted, err, sizeof err))) {
        rc = cli_fail(rc, "%s", err);
        goto cleanup;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(fitted, "_fit");
    cJSON_AddItemToObject(fitted, "_fit", cal_fit_json(&f));
    cJSON_DeleteItemFromObjectCaseSensitive(fitted, "_provenance");
    cJSON_AddItemToObject(fitted, "_provenance", cal_fit_provenance_json(&f));
    if (json) {
        cJSON *j = cal_fit_json(&f);
        rc = cli_write_json(j, NULL);
        cJSON_Delete(j);
        if (rc)
            goto cleanup;
    } else {
        print_tables(outp ? stdout : stderr, &f);
    }
    if (outp || !json)
        rc = cli_write_json(fitted, outp);
cleanup:
    cJSON_Delete(base);
    cJSON_Delete(fitted);
    cal_fit_free(&f);
    return rc;
}
