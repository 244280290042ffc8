/* tests/test_chunk.c -- model/chunk.h: the split, a chunk's processing law,
 * transfers, billing rounding and the concat rate, against hand counts and
 * closed forms. */
#include "harness.h"
#include "model/chunk.h"

static void test_split(void)
{
    /* 10 frames into 4 chunks: 3, 3, 2, 2 */
    model_split sp = model_chunk_split(10, 4);
    CHECK(sp.chunks == 4 && sp.extra == 2);
    CHECK_NEAR(sp.base, 2, 0);
    double want[4] = {3, 3, 2, 2};
    for (long i = 0; i < 4; i++)
        CHECK_NEAR(model_chunk_frames(&sp, i), want[i], 0);
    /* every (N, M): frames sum to N, differ by at most one, the larger first */
    int bad = 0;
    for (long n = 1; n <= 60; n++)
        for (long m = 1; m <= 70; m++) {
            model_split q = model_chunk_split((double)n, m);
            double sum = 0, prev = INFINITY;
            for (long i = 0; i < m; i++) {
                double f = model_chunk_frames(&q, i);
                bad += f > prev || f != floor(f) || f < floor((double)n / m) || f > ceil((double)n / m);
                sum += f;
                prev = f;
            }
            bad += sum != (double)n;
        }
    CHECK(bad == 0);
    /* fractional N: an even split, no extra */
    model_split fr = model_chunk_split(10.5, 4);
    CHECK(fr.extra == 0);
    CHECK_NEAR(fr.base, 10.5 / 4, 1e-15);
    CHECK_NEAR(model_chunk_frames(&fr, 0), 10.5 / 4, 1e-15);
}

static void test_group(void)
{
    model_scenario s;
    memset(&s, 0, sizeof s);
    s.per_frame = model_dist_gamma_mcv(0.02, 0.5);
    s.input_mb = 120;
    s.output_mb = 80;
    s.download_mb_s = 40;
    s.upload_mb_s = 20;
    model_chunk_group g = model_chunk_group_of(&s);
    CHECK(g.nstages == 1 && g.per_frame == &s.per_frame);
    CHECK_NEAR(model_chunk_download_s(&g), 3.0, 1e-15);
    /* a chunk of 250 of 1000 frames uploads a quarter of 80 MB at 20 MB/s */
    CHECK_NEAR(model_chunk_upload_s(&g, 1000, 250), 1.0, 1e-15);
    CHECK_NEAR(model_chunk_upload_per_frame_s(&g, 1000), 80.0 / 20 / 1000, 1e-18);
    model_dist out[MODEL_CHUNK_MAX_STAGES];
    CHECK(model_chunk_process(&g, 250, out) == 1);
    CHECK_REL(model_dist_mean(&out[0]), 250 * 0.02, 1e-12);
    CHECK_REL(model_dist_sd(&out[0]), sqrt(250.0) * 0.02 * 0.5, 1e-12);
    /* no bandwidth: no transfer time */
    g.download_mb_s = g.upload_mb_s = 0;
    CHECK(model_chunk_download_s(&g) == 0 && model_chunk_upload_s(&g, 1000, 250) == 0);
    /* a group of two stages: one law per stage */
    model_dist two[2] = {model_dist_fixed(0.01), model_dist_gamma_mcv(0.03, 0.2)};
    model_chunk_group g2 = {two, 2, 10, 10, 0, 0};
    CHECK(model_chunk_process(&g2, 100, out) == 2);
    CHECK_NEAR(model_dist_mean(&out[0]), 1.0, 1e-12);
    CHECK_REL(model_dist_mean(&out[1]), 3.0, 1e-12);
    /* one draw of the chunk: fixed stages add exactly; random ones average
     * to the sum of the means (20000 draws, within 4 standard errors) */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    model_dist fixed2[2] = {model_dist_fixed(0.01), model_dist_fixed(0.02)};
    model_chunk_group gf = {fixed2, 2, 0, 0, 0, 0};
    CHECK_NEAR(model_chunk_process_sample(&gf, 100, r), 3.0, 1e-12);
    double sum = 0, sd = sqrt(100.0) * 0.03 * 0.2;
    for (int i = 0; i < 20000; i++)
        sum += model_chunk_process_sample(&g2, 100, r);
    CHECK_NEAR(sum / 20000, 4.0, 4 * sd / sqrt(20000.0));
    gsl_rng_free(r);
}

static void test_billing(void)
{
    model_billing b = {1.0, 5.0, 1};
    CHECK_NEAR(model_chunk_billed_s(&b, 0.3), 5, 0);      /* the minimum */
    CHECK_NEAR(model_chunk_billed_s(&b, 7.2), 8, 0);      /* rounded up */
    CHECK_NEAR(model_chunk_billed_s(&b, 8 + 1e-12), 8, 0); /* a hair over a granule is not a granule */
    CHECK_NEAR(model_chunk_billed_s(&b, -3), 5, 0);
    model_billing per_s = {0, 0, 1};
    CHECK_NEAR(model_chunk_billed_s(&per_s, 7.25), 7.25, 0);
    CHECK_NEAR(model_chunk_billed_s(&per_s, -1), 0, 0);
    model_billing g100 = {0.1, 0, 1};
    CHECK_NEAR(model_chunk_billed_s(&g100, 0.25), 0.30000000000000004, 1e-15);
    /* the cold start: billed, or not (never more than the whole life) */
    CHECK_NEAR(model_chunk_billable_s(&b, 1, 30, 12), 30, 0);
    model_billing nocold = {1.0, 5.0, 0};
    CHECK_NEAR(model_chunk_billable_s(&nocold, 1, 30, 12), 18, 0);
    CHECK_NEAR(model_chunk_billable_s(&nocold, 0, 30, 12), 30, 0);  /* a warm start is billed */
    CHECK_NEAR(model_chunk_billable_s(&nocold, 1, 10, 12), 0, 0);
}

static void test_concat_rate(void)
{
    model_scenario s;
    memset(&s, 0, sizeof s);
    s.gpu_per_s = 0.000164;
    s.cores = 4;
    s.cpu_per_core_s = 0.0000131;
    s.mem_gib = 16;
    s.mem_per_gib_s = 0.0000022;
    s.concat_billed = MODEL_BILL_NONE;
    CHECK(model_chunk_concat_rate(&s) == 0);
    s.concat_billed = MODEL_BILL_CPU;
    CHECK_REL(model_chunk_concat_rate(&s), 4 * 0.0000131 + 16 * 0.0000022, 1e-15);
    s.concat_billed = MODEL_BILL_GPU;
    CHECK_REL(model_chunk_concat_rate(&s), 0.000164 + 4 * 0.0000131 + 16 * 0.0000022, 1e-15);
}

TEST_MAIN(test_split, test_group, test_billing, test_concat_rate)
