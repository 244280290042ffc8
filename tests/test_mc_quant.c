/* tests/test_mc_quant.c -- sim/mc_quant against sorting: p50/p95/p99 of
 * arrays with ties, atoms, a constant, a heavy tail and values an ulp
 * apart, equal to gsl_stats_quantile_from_sorted_data on the sorted arrays
 * (R up to 10^6), for any split of the values over threads, with the
 * default budget (pilot + one pass) and with small ones (more passes). */
#include "sim/mc_quant.h"

#include "base/status.h"
#include "tests/harness.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdint.h>
#include <stdlib.h>

enum { NA = 6 };

static double value(int a, uint64_t r)
{
    uint64_t z = r * UINT64_C(0x9e3779b97f4a7c15) + (uint64_t)a * UINT64_C(0xd1b54a32d192ed03);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    z ^= z >> 31;
    double u = (double)(z >> 11) * 0x1p-53;
    switch (a) {
    case 0: return -log1p(-u);                         /* continuous */
    case 1: return floor(u * 20) * 0.5;                /* 20 values: ties everywhere */
    case 2: return 7.0;                                /* one value */
    case 3: return u < 0.3 ? 1.0 : u < 0.6 ? 2.0 : 2 + u; /* two atoms under a continuous part */
    case 4: return 1 / (u + 1e-12);                    /* a heavy tail: 1 .. 1e12 */
    default: return 100 + floor(u * 64) * 0x1p-46;     /* 64 values a few ulps apart */
    }
}

/* Stream every pass, blocks of `blk` replications dealt to T threads in a
 * scrambled order; the quantiles into out[NA][3]. Returns the passes. */
static int run(uint64_t n, unsigned T, size_t budget, uint64_t blk, double out[NA][SIM_QUANT_NF], size_t *peak)
{
    char err[256];
    sim_quant *q = NULL;
    CHECK(sim_quant_new(NA, n, T, budget, &q, err, sizeof err) == BASE_OK);
    if (!q)
        return 0;
    double *x = malloc(blk * sizeof *x);
    uint64_t m;
    int kind;
    while ((kind = sim_quant_begin(q, &m, err, sizeof err)) != SIM_QUANT_DONE) {
        CHECK(kind == SIM_QUANT_PILOT || kind == SIM_QUANT_FULL);
        if (kind < 0)
            break;
        uint64_t nb = (m + blk - 1) / blk;
        for (uint64_t i = 0; i < nb; i++) {
            uint64_t b = (i * 7919) % nb; /* any order: 7919 is prime, nb mostly coprime */
            b = nb % 7919 ? b : i;
            uint64_t lo = b * blk, hi = lo + blk < m ? lo + blk : m;
            for (int a = 0; a < NA; a++) {
                for (uint64_t r = lo; r < hi; r++)
                    x[r - lo] = value(a, r);
                sim_quant_add(q, (unsigned)(b % T), a, x, (size_t)(hi - lo));
            }
        }
        int rc = sim_quant_end(q, err, sizeof err);
        CHECK(rc == BASE_OK);
        if (rc) {
            fprintf(stderr, "test_mc_quant: n=%llu budget %zu: %s\n", (unsigned long long)n, budget, err);
            break;
        }
    }
    for (int a = 0; a < NA; a++)
        sim_quant_get(q, a, out[a]);
    int passes = sim_quant_passes(q);
    *peak = sim_quant_peak_kept(q);
    free(x);
    sim_quant_free(q);
    return passes;
}

static void check_case(uint64_t n, unsigned T, size_t budget, uint64_t blk, double **sorted)
{
    double got[NA][SIM_QUANT_NF];
    size_t peak = 0;
    int passes = run(n, T, budget, blk, got, &peak);
    static const double f[SIM_QUANT_NF] = {0.50, 0.95, 0.99};
    int equal = 1;
    for (int a = 0; a < NA; a++)
        for (int k = 0; k < SIM_QUANT_NF; k++) {
            double want = gsl_stats_quantile_from_sorted_data(sorted[a], 1, (size_t)n, f[k]);
            if (got[a][k] != want) {
                equal = 0;
                fprintf(stderr, "test_mc_quant: n=%llu budget %zu array %d p%g: %.17g, sorting gives %.17g\n",
                        (unsigned long long)n, budget, a, 100 * f[k], got[a][k], want);
            }
        }
    CHECK(equal);
    fprintf(stderr, "test_mc_quant: n=%llu, %u threads, budget %zu: %d passes, at most %zu values kept\n",
            (unsigned long long)n, T, budget, passes, peak);
}

static double **sorted_arrays(uint64_t n)
{
    double **s = malloc(NA * sizeof *s);
    for (int a = 0; a < NA; a++) {
        s[a] = malloc(n * sizeof **s);
        for (uint64_t r = 0; r < n; r++)
            s[a][r] = value(a, r);
        gsl_sort(s[a], 1, (size_t)n);
    }
    return s;
}

static void free_arrays(double **s)
{
    for (int a = 0; a < NA; a++)
        free(s[a]);
    free(s);
}

static void test_small(void)
{
    uint64_t P = sim_quant_pilot_size(NA, 0);
    uint64_t ns[] = {1, 2, 3, 1000, P, P + 1, 100003};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        double **s = sorted_arrays(ns[i]);
        check_case(ns[i], 1 + (unsigned)(i % 3), 0, 97, s);
        if (ns[i] > 1000)
            check_case(ns[i], 3, 600, 256, s); /* a tiny budget: many passes */
        free_arrays(s);
    }
}

/* The Monte Carlo's case: R = 10^6, ties included. */
static void test_million(void)
{
    uint64_t n = 1000000;
    double **s = sorted_arrays(n);
    check_case(n, 2, 0, 977, s);       /* default budget: pilot + one pass */
    check_case(n, 3, 1 << 14, 4096, s); /* binned brackets, then kept bins */
    check_case(n, 1, 2000, 1000, s);    /* bins of bins */
    free_arrays(s);
}

static void test_errors(void)
{
    char err[128];
    sim_quant *q = NULL;
    CHECK(sim_quant_new(0, 10, 1, 0, &q, err, sizeof err) == BASE_EINPUT && !q);
    CHECK(sim_quant_new(1, 0, 1, 0, &q, err, sizeof err) == BASE_EINPUT && !q);
    /* a replay that differs between passes is caught */
    CHECK(sim_quant_new(1, 100000, 1, 1000, &q, err, sizeof err) == BASE_OK);
    uint64_t m;
    int kind, pass = 0, rc = BASE_OK;
    double x[1000];
    while (rc == BASE_OK && (kind = sim_quant_begin(q, &m, err, sizeof err)) != SIM_QUANT_DONE && kind > 0) {
        for (uint64_t lo = 0; lo < m; lo += 1000) {
            for (int i = 0; i < 1000; i++)
                x[i] = value(0, lo + (uint64_t)i) * (pass >= 2 ? 1.001 : 1);
            sim_quant_add(q, 0, 0, x, 1000);
        }
        rc = sim_quant_end(q, err, sizeof err);
        pass++;
    }
    CHECK(rc == BASE_ERUNTIME && strstr(err, "not deterministic"));
    sim_quant_free(q);
}

TEST_MAIN(test_small, test_million, test_errors)
