/* tests/fuzz/fuzz_profile.c -- profiles (--with): the input is one or two
 * profile files (split at a line "---") merged into the built-in scenario
 * written to a file, loaded by model_scenario_load as the CLI does; on
 * success, the model with its guard. Errors name the scenario or the
 * profile. */
#include "fuzz.h"
#include "base/status.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    const char *base = fuzz_file("base.json", model_default_scenario_json, strlen(model_default_scenario_json));
    const char *cut = memmem(data, size, "\n---\n", 5);
    size_t n1 = cut ? (size_t)(cut - (const char *)data) : size;
    const char *p1 = fuzz_file("profile1.json", data, n1), *p2 = NULL;
    if (cut)
        p2 = fuzz_file("profile2.json", cut + 5, size - n1 - 5);
    const char *profiles[2] = {p1, p2};
    const char *const who[] = {base, p1, p2 ? p2 : p1};
    char err[1024] = "";
    model_scenario s;
    int rc = model_scenario_load(base, profiles, p2 ? 2 : 1, &s, err, sizeof err);
    fuzz_check_status(rc, err, who, 3);
    if (!rc)
        fuzz_model(&s);
    model_scenario_free(&s);
    return 0;
}
