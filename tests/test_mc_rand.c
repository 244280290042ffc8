/* tests/test_mc_rand.c -- sim/mc_rand: the same bits from every
 * implementation and from the one-draw function, streams that differ by
 * seed and slot, and the law of the normals (chi-square over 200
 * equiprobable cells, moments, the tail beyond r). */
#include "sim/mc_rand.h"

#include "tests/harness.h"

#include <gsl/gsl_cdf.h>
#include <stdint.h>
#include <stdlib.h>

static void test_same_bits(void)
{
    sim_rand g;
    sim_rand_init(&g, 42);
    enum { N = 4099 }; /* not a multiple of 8: the scalar remainder too */
    static double a[N], b[N];
    int ran = 0, same = 1, one = 1;
    sim_rand_normals_isa(0, &g, 3, 1000, N, 0.5, 2, a);
    for (int isa = 1; isa <= 2; isa++) {
        if (sim_rand_normals_isa(isa, &g, 3, 1000, N, 0.5, 2, b) < 0)
            continue;
        ran++;
        same &= memcmp(a, b, sizeof a) == 0;
    }
    sim_rand_normals(&g, 3, 1000, N, 0.5, 2, b);
    same &= memcmp(a, b, sizeof a) == 0;
    for (int t = 0; t < N; t += 7)
        one &= sim_rand_normal(&g, 3, 1000 + (uint64_t)t, 0.5, 2) == a[t];
    CHECK(same);
    CHECK(one);
    fprintf(stderr, "test_mc_rand: %d vector implementation(s) on this CPU, equal to the scalar one\n", ran);
    /* rows starting anywhere give the same draws */
    sim_rand_normals(&g, 3, 1000 + 13, 100, 0.5, 2, b);
    CHECK(memcmp(a + 13, b, 100 * sizeof *b) == 0);
}

static void test_streams_differ(void)
{
    sim_rand g, h;
    sim_rand_init(&g, 1);
    sim_rand_init(&h, 2);
    int diff_seed = 0, diff_slot = 0;
    for (uint64_t r = 0; r < 64; r++) {
        diff_seed += sim_rand_u64(&g, 0, r) != sim_rand_u64(&h, 0, r);
        diff_slot += sim_rand_u64(&g, 0, r) != sim_rand_u64(&g, 1, r);
    }
    CHECK(diff_seed == 64 && diff_slot == 64);
    /* every bit of u is fair: 64 x 20000 bits, each count within 5 sd of half */
    int fair = 1;
    long ones[64] = {0};
    for (uint64_t r = 0; r < 20000; r++) {
        uint64_t u = sim_rand_u64(&g, 7, r);
        for (int b = 0; b < 64; b++)
            ones[b] += (u >> b) & 1;
    }
    for (int b = 0; b < 64; b++)
        fair &= labs(ones[b] - 10000) < 5 * 71;
    CHECK(fair);
}

static void test_law(void)
{
    enum { N = 2000000, CELLS = 200 };
    double *z = malloc(N * sizeof *z);
    sim_rand g;
    sim_rand_init(&g, 7);
    /* several slots and offsets, as the Monte Carlo uses them */
    for (int part = 0; part < 4; part++)
        sim_rand_normals(&g, (uint64_t)part, (uint64_t)part * 12345, N / 4, 0, 1, z + part * (N / 4));
    static long cell[CELLS];
    double s1 = 0, s2 = 0, s4 = 0;
    long tail = 0;
    double r = 3.6541528853610088;
    for (long i = 0; i < N; i++) {
        double p = gsl_cdf_ugaussian_P(z[i]);
        int c = (int)(p * CELLS);
        cell[c < CELLS ? c : CELLS - 1]++;
        s1 += z[i];
        s2 += z[i] * z[i];
        s4 += z[i] * z[i] * z[i] * z[i];
        tail += fabs(z[i]) > r;
    }
    double chi2 = 0, e = (double)N / CELLS;
    for (int c = 0; c < CELLS; c++)
        chi2 += (cell[c] - e) * (cell[c] - e) / e;
    double pval = gsl_cdf_chisq_Q(chi2, CELLS - 1);
    double mean = s1 / N, var = s2 / N - mean * mean, kurt = s4 / N;
    double ptail = 2 * gsl_cdf_ugaussian_Q(r), etail = ptail * N, sdtail = sqrt(etail);
    fprintf(stderr, "test_mc_rand: %d normals: chi2 %.1f (%d dof, p = %.3f), mean %.2e, var %.5f, E z^4 %.4f, "
            "beyond r %ld (expected %.0f)\n", N, chi2, CELLS - 1, pval, mean, var, kurt, tail, etail);
    CHECK(pval > 1e-4);
    CHECK(fabs(mean) < 5 / sqrt((double)N));
    CHECK(fabs(var - 1) < 5 * sqrt(2.0 / N));
    CHECK(fabs(kurt - 3) < 5 * sqrt(96.0 / N));
    CHECK(fabs(tail - etail) < 5 * sdtail);
    free(z);
}

TEST_MAIN(test_same_bits, test_streams_differ, test_law)
