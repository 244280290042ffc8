/* cli/print_eval.c -- result table, verdict line, break-even line. */
#include "cli/print_eval.h"
#include "cli/cli.h"
#include "model/output.h"

#include <stdlib.h>
#include <string.h>

/* "; with profiles a.json, kern.json (KERNEL ONLY: decode/encode excluded)":
 * the files whose fields are in effect, so a saved table says what it
 * assumed; the applied lines on stderr say how each field was measured. */
static void print_profiles(FILE *f, const model_scenario *s)
{
    const cJSON *seen[64];
    int n = 0;
    for (const cJSON *e = s->applied ? s->applied->child : NULL; e && n < 64; e = e->next) {
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(e, "file");
        int dup = 0;
        for (int i = 0; i < n; i++)
            dup |= !strcmp(cJSON_GetObjectItemCaseSensitive(seen[i], "file")->valuestring, file->valuestring);
        if (dup)
            continue;
        int kern = 0;
        for (const cJSON *g = e; g; g = g->next)
            kern |= !strcmp(cJSON_GetObjectItemCaseSensitive(g, "file")->valuestring, file->valuestring) &&
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(g, "kernel_only"));
        fprintf(f, "%s%s%s", n ? ", " : "; with profiles ", file->valuestring,
                kern ? " (KERNEL ONLY: decode/encode excluded)" : "");
        seen[n++] = e;
    }
}

void cli_print_eval(FILE *f, const model_scenario *s, const model_eval *e, const model_eval *sim)
{
    char buf[64];
    int is_sim = !strcmp(e->method, "sim");
    fprintf(f, "%s: %s frames, %s", s->name, model_format_count(e->frames, buf, sizeof buf),
            is_sim ? "Monte Carlo simulation" : "closed-form model");
    print_profiles(f, s);
    fprintf(f, "\n\n");
    fprintf(f, "GPUs  wall mean  wall p95%s  cost mean   speedup  cost change  beneficial\n",
            sim ? "  sim p95" : "");
    for (int i = 0; i < e->nk; i++) {
        const model_kresult *r = &e->k[i];
        char simcol[32] = "";
        if (sim)
            snprintf(simcol, sizeof simcol, "  %6.1f s", sim->k[i].wall_p95);
        fprintf(f, "%4d  %7.1f s  %6.1f s%s  $%-9.5f  %6.2fx  %+10.1f%%  %s\n", r->gpus, r->wall_mean,
                r->wall_p95, simcol, r->cost_mean, r->speedup, (r->cost_ratio - 1) * 100,
                r->gpus == 1 ? "(baseline)" : r->beneficial ? "yes" : "no");
    }
    fprintf(f, "\n%s\n", e->summary);
    int any = 0;
    for (int i = 0; i < e->nk; i++) {
        if (e->k[i].gpus == 1 || e->break_even[i] == -2)
            continue;
        fprintf(f, "%s%d GPUs ", any ? "; " : "break-even: ", e->k[i].gpus);
        if (e->break_even[i] < 0)
            fprintf(f, "never (up to 10^8 frames)");
        else
            fprintf(f, "from %s frames", model_format_count(e->break_even[i], buf, sizeof buf));
        any = 1;
    }
    if (any)
        fprintf(f, "\n");
}

int cli_emit_json(const model_scenario *s, const model_eval *e)
{
    cJSON *j = model_eval_json(s, e);
    int rc = cli_write_json(j, NULL);
    cJSON_Delete(j);
    return rc;
}

int cli_emit_csv(FILE *f, const model_scenario *s, const model_eval *e, int simcol, const model_eval *sim)
{
    char *text = simcol ? model_eval_csv_sim(s, e, sim) : model_eval_csv(s, e);
    if (!text)
        return cli_fail(CLI_ERUNTIME, "out of memory");
    fputs(text, f);
    free(text);
    return CLI_OK;
}
