/* tests/fuzz/fuzz_csv.c -- the CSV readers: the charts' reader
 * (plots/csv_in.h: every field of every row, as numbers) and the capacity
 * trace (sim/capacity.h: sim_cap_new validates it, sim_cap_run replays it
 * on the built-in scenario with a fixed policy of 2 GPUs, and the run
 * passes sim_cap_check). Errors name the file (the scenario for the
 * trace's). */
#include "fuzz.h"
#include "base/status.h"
#include "plots/csv_in.h"
#include "sim/cap_check.h"
#include "sim/capacity.h"

#include <math.h>
#include <string.h>

static void chart_reader(const char *path)
{
    const char *const who[] = {path};
    char err[1024] = "";
    plot_csvin c;
    int rc = plot_csvin_read(&c, path, err, sizeof err);
    fuzz_check_status(rc, err, who, 1);
    for (int r = 0; !rc && r < c.nrows; r++) {
        char *f[PLOT_CSVIN_MAXCOLS];
        int frc = plot_csvin_fields(&c, r, f, err, sizeof err);
        fuzz_check_status(frc, err, who, 1);
        for (int i = 0; !frc && i < c.ncol; i++) {
            double v;
            int nrc = plot_csvin_num(&c, r, c.head[i], f[i], &v, err, sizeof err);
            fuzz_check_status(nrc, err, who, 1);
            FUZZ_ASSERT(nrc || isfinite(v), "csv: a number %g", v);
        }
    }
    plot_csvin_free(&c);
}

static void trace_reader(const char *path)
{
    static model_scenario s;
    static int loaded;
    char err[1024] = "";
    if (!loaded) {
        FUZZ_ASSERT(!model_scenario_default(NULL, 0, &s, err, sizeof err), "%s", err);
        loaded = 1;
    }
    model_scenario t = s;
    t.has_workload = 1;
    t.rate_per_hour = 0;
    t.has_rate_by_hour = 0;
    t.hours = 0;
    t.jobs = 0;
    t.policy = MODEL_POLICY_FIXED;
    t.policy_k = 2;
    snprintf(t.trace, sizeof t.trace, "%s", path);
    const char *const who[] = {t.file};
    sim_cap *cap = NULL;
    int rc = sim_cap_new(&t, &cap, err, sizeof err);
    fuzz_check_status(rc, err, who, 1);
    if (!rc) {
        sim_cap_result r;
        rc = sim_cap_run(cap, 1, NULL, &r, err, sizeof err);
        fuzz_check_status(rc, err, who, 1);
        if (!rc)
            FUZZ_ASSERT(!sim_cap_check(&t, &r, err, sizeof err), "%s", err);
    }
    sim_cap_free(cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    const char *path = fuzz_file("in.csv", data, size);
    chart_reader(path);
    trace_reader(path);
    return 0;
}
