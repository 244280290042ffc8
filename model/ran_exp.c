/* model/ran_exp.c -- exponential draws by the ziggurat method.
 *
 * Marsaglia & Tsang, "The Ziggurat Method for Generating Random Variables"
 * (J. Stat. Softw. 5(8), 2000), exponential case with 256 layers: r =
 * 7.697117470131487, common area v = 3.949659822581572e-3. Layer i
 * (1..255) is the rectangle [0, x_i] x [f(x_i), f(x_{i-1})], x_0 = 0; layer
 * 0 is the base rectangle [0, v / f(r)] x [0, f(r)] with the tail beyond r
 * folded in by area. One 32-bit draw picks the layer (low 8 bits) and the
 * abscissa (high 24 bits, as GSL's gaussian ziggurat splits its draw, so the
 * two are independent -- the original takes both from one number). 98.9% of
 * draws end at the first comparison: one generator call and one multiply.
 *
 * GSL has no ziggurat exponential: gsl_ran_exponential is -mu log1p(-U),
 * and the log is most of a draw's cost (bench/bench_engine.c: ~15 ns of an
 * M/M/c event's ~60 ns went to log). tests/test_dist.c checks the law.
 */
/* GSL's documented switch: gsl_rng_get & co. inline (C99 inline under C11) */
#define HAVE_INLINE 1
#include "model/dist.h"

#include <math.h>
#include <stdint.h>

#define ZR 7.697117470131487
#define ZV 3.949659822581572e-3
#define M24 16777216.0 /* 2^24 */

static uint32_t zk[256];   /* j < zk[i]: inside layer i, accept at once */
static double zw[256];     /* x = j * zw[i] */
static double zf[256];     /* f(x_i) = exp(-x_i) */

/* The tables are pure functions of r and v: filled before main(), once. */
__attribute__((constructor)) static void ran_exp_tables(void)
{
    double x = ZR, x_prev = ZR, q = ZV / exp(-ZR);
    zk[0] = (uint32_t)(ZR / q * M24);
    zk[1] = 0;
    zw[0] = q / M24;
    zw[255] = ZR / M24;
    zf[0] = 1.0;
    zf[255] = exp(-ZR);
    for (int i = 254; i >= 1; i--) {
        x = -log(ZV / x + exp(-x)); /* x_i from x_{i+1}: equal areas */
        zk[i + 1] = (uint32_t)(x / x_prev * M24);
        x_prev = x;
        zf[i] = exp(-x);
        zw[i] = x / M24;
    }
}

static double ran_exp_slow(gsl_rng *r, uint32_t i, uint32_t j)
{
    for (;;) {
        if (i == 0) /* the tail: r + Exp(1), memoryless */
            return ZR - log(gsl_rng_uniform_pos(r));
        double x = j * zw[i];
        /* the wedge: under the curve at a uniform height in the layer? */
        if (zf[i] + gsl_rng_uniform(r) * (zf[i - 1] - zf[i]) < exp(-x))
            return x;
        uint32_t u = (uint32_t)(gsl_rng_get(r) - r->type->min);
        i = u & 0xff;
        j = u >> 8;
        if (j < zk[i])
            return j * zw[i];
    }
}

double model_ran_exp(gsl_rng *r, double mean)
{
    /* needs 32 random bits per gsl_rng_get (taus2, mt19937, ...) */
    if (r->type->max - r->type->min < 0xffffffffUL)
        return -mean * log(gsl_rng_uniform_pos(r));
    uint32_t u = (uint32_t)(gsl_rng_get(r) - r->type->min);
    uint32_t i = u & 0xff, j = u >> 8;
    if (j < zk[i])
        return mean * (j * zw[i]);
    return mean * ran_exp_slow(r, i, j);
}
