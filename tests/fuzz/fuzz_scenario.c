/* tests/fuzz/fuzz_scenario.c -- the scenario parser (strict JSON reading,
 * the field walk, the bounds) and, on what it accepts, the model with its
 * finite-output guard. */
#include "fuzz.h"
#include "base/json.h"
#include "base/status.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    static const char *const who[] = {"fuzz.json"};
    char err[1024] = "";
    char *text = malloc(size + 1);
    FUZZ_ASSERT(text, "out of memory");
    memcpy(text, data, size);
    text[size] = 0;
    cJSON *root = NULL;
    int rc = base_json_parse(text, size, "fuzz.json", &root, err, sizeof err);
    fuzz_check_status(rc, err, who, 1);
    if (!rc) {
        model_scenario s;
        rc = model_scenario_from_json(root, "fuzz.json", &s, err, sizeof err);
        fuzz_check_status(rc, err, who, 1);
        if (!rc) {
            fuzz_model(&s);
            model_scenario_free(&s);
        }
    }
    cJSON_Delete(root);
    free(text);
    return 0;
}
