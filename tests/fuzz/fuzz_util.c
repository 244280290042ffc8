/* tests/fuzz/fuzz_util.c -- the helpers of tests/fuzz/fuzz.h. */
#include "fuzz.h"
#include "base/status.h"
#include "model/evaluate.h"

#include <gsl/gsl_errno.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char paths[8][160];
static const char *names[8];

static void remove_dir(void)
{
    for (int i = 0; i < 8 && names[i]; i++)
        unlink(paths[i]);
    rmdir(dir);
}

const char *fuzz_file(const char *name, const void *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/forkcast-fuzz-XXXXXX");
        FUZZ_ASSERT(mkdtemp(dir), "cannot make a temp folder");
        atexit(remove_dir);
        gsl_set_error_handler_off();
    }
    int i = 0;
    while (i < 8 && names[i] && strcmp(names[i], name))
        i++;
    FUZZ_ASSERT(i < 8, "too many fuzz files");
    if (!names[i]) {
        names[i] = name;
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, name);
    }
    FILE *f = fopen(paths[i], "wb");
    FUZZ_ASSERT(f && fwrite(data, 1, size, f) == size && fclose(f) == 0, "cannot write %s", paths[i]);
    return paths[i];
}

void fuzz_check_status(int rc, const char *err, const char *const *who, int nwho)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "  status %d%s%s\n", rc, rc ? ": " : "", rc ? err : "");
    FUZZ_ASSERT(rc == BASE_OK || rc == BASE_EINPUT || (rc == BASE_ERUNTIME && strstr(err, "out of memory")),
                "status %d: %s", rc, err);
    if (rc == BASE_OK)
        return;
    int named = 0;
    for (int i = 0; i < nwho; i++) {
        size_t n = strlen(who[i]);
        named |= !strncmp(err, who[i], n) && !strncmp(err + n, ": ", 2) && err[n + 2];
    }
    FUZZ_ASSERT(named, "the message does not start with the file it read: %s", err);
}

void fuzz_model(model_scenario *s)
{
    char err[1024];
    model_scenario t = *s; /* a borrowed view */
    if (t.ngpus > 4) {
        t.gpus[3] = t.gpus[t.ngpus - 1];
        t.ngpus = 4;
    }
    model_opts o = {.skip_break_even = !model_dist_is_fixed(&t.per_frame)};
    model_eval e;
    int rc = model_evaluate(&t, &o, &e, err, sizeof err);
    FUZZ_ASSERT(rc == BASE_OK, "the model refused an accepted scenario (%d): %s", rc, err);
    rc = model_eval_check(&t, &e, err, sizeof err);
    FUZZ_ASSERT(rc == BASE_OK, "%s", err);
}
