/* model/chunk.c -- the split, transfers and prices of one chunked job. */
#include "model/chunk.h"

model_chunk_group model_chunk_group_of(const model_scenario *s)
{
    return (model_chunk_group){
        .per_frame = &s->per_frame,
        .nstages = 1,
        .in_mb = s->input_mb,
        .out_mb = s->output_mb,
        .download_mb_s = s->download_mb_s,
        .upload_mb_s = s->upload_mb_s,
    };
}

double model_chunk_process_sample(const model_chunk_group *g, double n, gsl_rng *r)
{
    double t = 0;
    for (int i = 0; i < g->nstages; i++) {
        model_dist d = model_dist_sum(&g->per_frame[i], n);
        t += model_dist_sample(&d, r);
    }
    return t;
}

model_billing model_chunk_billing(const model_scenario *s)
{
    return (model_billing){s->bill_granularity_s, s->bill_minimum_s, s->bill_includes_cold_start};
}

double model_chunk_concat_rate(const model_scenario *s)
{
    switch (s->concat_billed) {
    case MODEL_BILL_GPU: return model_scenario_rate(s);
    case MODEL_BILL_CPU: return s->cores * s->cpu_per_core_s + s->mem_gib * s->mem_per_gib_s;
    case MODEL_BILL_NONE: break;
    }
    return 0;
}
