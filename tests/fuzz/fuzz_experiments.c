/* tests/fuzz/fuzz_experiments.c -- experiments files (calibrate fit): the
 * loader, then (small fits only) the fit against the built-in scenario.
 * Errors name the experiments file (or the base scenario for its own
 * errors); a fit that runs gives finite parameters within their bounds and
 * a finite chi-square. */
#include "fuzz.h"
#include "base/status.h"
#include "calibrate/fit.h"

#include <math.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    const char *path = fuzz_file("exp.json", data, size);
    const char *const who[] = {path, "base.json"};
    char err[1024] = "";
    cal_fit f;
    int rc = cal_fit_load(path, &f, err, sizeof err);
    fuzz_check_status(rc, err, who, 1);
    if (rc)
        return 0;
    if (f.np <= 3 && f.nobs <= 12) {
        static cJSON *base;
        if (!base)
            base = cJSON_Parse(model_default_scenario_json);
        cJSON *out = NULL;
        rc = cal_fit_run(&f, base, "base.json", &out, err, sizeof err);
        fuzz_check_status(rc, err, who, 2);
        if (!rc) {
            FUZZ_ASSERT(out && isfinite(f.chi2) && f.chi2 >= 0, "fit: chi2 %g", f.chi2);
            for (int i = 0; i < f.np; i++)
                FUZZ_ASSERT(isfinite(f.p[i].value) && f.p[i].value >= f.p[i].lo && f.p[i].value <= f.p[i].hi,
                            "fit: %s = %g outside [%g, %g]", f.p[i].field, f.p[i].value, f.p[i].lo, f.p[i].hi);
        }
        cJSON_Delete(out);
    }
    cal_fit_free(&f);
    return 0;
}
