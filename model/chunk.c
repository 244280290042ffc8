/* model/chunk.c -- the split, transfers and prices of one chunked job. */
#include "model/chunk.h"

#include <assert.h>

model_split model_chunk_split(double frames, long chunks)
{
    assert(chunks >= 1);
    model_split sp = {frames / (double)chunks, 0, chunks};
    if (floor(frames) == frames && frames < 9e15) {
        long n = (long)frames;
        sp.base = (double)(n / chunks);
        sp.extra = n % chunks;
    }
    return sp;
}

double model_chunk_frames(const model_split *sp, long i)
{
    return sp->base + (i < sp->extra ? 1 : 0);
}

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

int model_chunk_process(const model_chunk_group *g, double n, model_dist *out)
{
    assert(g->nstages >= 1 && g->nstages <= MODEL_CHUNK_MAX_STAGES);
    for (int i = 0; i < g->nstages; i++)
        out[i] = model_dist_sum(&g->per_frame[i], n);
    return g->nstages;
}

double model_chunk_download_s(const model_chunk_group *g)
{
    return g->download_mb_s > 0 ? g->in_mb / g->download_mb_s : 0;
}

double model_chunk_upload_per_frame_s(const model_chunk_group *g, double frames)
{
    return g->upload_mb_s > 0 ? g->out_mb / g->upload_mb_s / frames : 0;
}

double model_chunk_upload_s(const model_chunk_group *g, double frames, double n)
{
    return model_chunk_upload_per_frame_s(g, frames) * n;
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
