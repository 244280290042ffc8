/* sim/mc_rand.c -- see sim/mc_rand.h. */
#include "sim/mc_rand.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MC_RAND_X86 1
#endif

#define GAMMA UINT64_C(0x9e3779b97f4a7c15)
#define M1 UINT64_C(0xbf58476d1ce4e5b9)
#define M2 UINT64_C(0x94d049bb133111eb)
#define NL 256                      /* layers */
#define TWO52 4503599627370496.0    /* 2^52: the abscissa's scale */
#define SIGN UINT64_C(0x8000000000000000)

static double zw[NL];   /* x = j * zw[i], j the 52-bit abscissa */
static double zk[NL];   /* j < zk[i]: inside layer i's rectangle, accept */
static double zf[NL];   /* f(x_i), zf[0] = f(0) = 1 (the top cap's upper edge) */
static double zr;       /* r: where the tail starts */

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * M1;
    z = (z ^ (z >> 27)) * M2;
    return z ^ (z >> 31);
}

static inline uint64_t ctr(uint64_t slot, uint64_t r) { return slot << 40 | r; }

void sim_rand_init(sim_rand *g, uint64_t seed)
{
    g->key = mix64(seed + GAMMA);
    g->key2 = mix64(g->key ^ UINT64_C(0x6a09e667f3bcc909));
}

uint64_t sim_rand_u64(const sim_rand *g, uint64_t slot, uint64_t r)
{
    return mix64(g->key + ctr(slot, r) * GAMMA);
}

/* ---- tables ---------------------------------------------------------------- */

static double fz(double x) { return exp(-0.5 * x * x); }

/* Layers of equal area v(r) = r f(r) + the tail beyond r, from the bottom
 * (x_255 = r) up: f(x_{i-1}) = f(x_i) + v / x_i. Returns how far the top
 * cap's upper edge falls short of f(x_0) = 1 (negative, or -1 when the
 * layers pass 1 early: r too small); fills the tables if asked. */
static double layers(double r, int fill)
{
    double v = r * fz(r) + sqrt(M_PI / 2) * erfc(r / sqrt(2.0));
    double x[NL];
    x[NL - 1] = r;
    for (int i = NL - 1; i >= 2; i--) {
        double y = fz(x[i]) + v / x[i];
        if (y >= 1)
            return -1;
        x[i - 1] = sqrt(-2 * log(y));
    }
    if (fill) {
        double q = v / fz(r); /* the base layer's width: its strip beyond r is the tail's area */
        zw[0] = q / TWO52;
        zk[0] = floor(r / q * TWO52);
        zf[0] = 1.0;
        for (int i = 1; i < NL; i++) {
            zw[i] = x[i] / TWO52;
            zf[i] = fz(x[i]);
            zk[i] = i == 1 ? 0 : floor(x[i - 1] / x[i] * TWO52);
        }
    }
    return 1 - (fz(x[1]) + v / x[1]);
}

/* r by bisection on the top cap's area (the published r for 256 layers is
 * 3.6541528853610088; this gives it to the last digit or two). */
__attribute__((constructor)) static void ran_tables(void)
{
    double lo = 3.0, hi = 4.5;
    for (int it = 0; it < 200 && hi - lo > 0; it++) {
        double m = 0.5 * (lo + hi);
        if (m <= lo || m >= hi)
            break;
        if (layers(m, 0) > 0)
            hi = m;
        else
            lo = m;
    }
    zr = 0.5 * (lo + hi);
    layers(zr, 1);
}

/* ---- one draw ---------------------------------------------------------------- */

static inline double u01(uint64_t *s) /* [0, 1) */
{
    return (double)(mix64(*s += GAMMA) >> 11) * 0x1p-53;
}

static inline double u01_pos(uint64_t *s) /* (0, 1] */
{
    return (double)((mix64(*s += GAMMA) >> 11) + 1) * 0x1p-53;
}

static inline double with_sign(double x, uint64_t u)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b |= (u << 55) & SIGN; /* bit 8 of u */
    memcpy(&x, &b, sizeof x);
    return x;
}

/* Point (x, y) of layer i's wedge (x in about [x_{i-1}, x_i], y in [f_i,
 * f_{i-1}]): 1 surely under f, -1 surely above, 0 undecided. Where f is
 * convex it lies under its chord and above its tangents at the ends; where
 * concave, the other way round. */
static int wedge(unsigned i, double x, double y)
{
    double x0 = i > 1 ? zw[i - 1] * TWO52 : 0, x1 = zw[i] * TWO52, f0 = zf[i - 1], f1 = zf[i];
    double chord = f0 + (f1 - f0) * (x - x0) / (x1 - x0);
    double t0 = f0 - x0 * f0 * (x - x0), t1 = f1 - x1 * f1 * (x - x1); /* f'(x) = -x f(x) */
    if (x0 >= 1) /* convex: tangents <= f <= chord */
        return y >= chord ? -1 : y < (t0 > t1 ? t0 : t1) ? 1 : 0;
    if (x1 <= 1) /* concave: chord <= f <= tangents */
        return y < chord ? 1 : y >= (t0 < t1 ? t0 : t1) ? -1 : 0;
    return 0;
}

/* The draw whose first u missed its layer's rectangle. */
static double slow(const sim_rand *g, uint64_t slot, uint64_t r, uint64_t u)
{
    uint64_t s = mix64(g->key2 + ctr(slot, r) * GAMMA);
    for (;;) {
        unsigned i = (unsigned)(u & (NL - 1));
        double jd = (double)(u >> 12);
        double x = jd * zw[i];
        if (jd < zk[i])
            return with_sign(x, u);
        if (i == 0) { /* the tail beyond r: Marsaglia's exponential rejection */
            double t, y;
            do {
                t = -log(u01_pos(&s)) / zr;
                y = -log(u01_pos(&s));
            } while (y + y < t * t);
            return with_sign(zr + t, u);
        }
        /* the wedge of layer i (i = 1: the top cap): a uniform height,
         * under the curve? Decided by the chord and the tangents where they
         * settle it (f is concave below 1, convex above), by exp otherwise. */
        double y = zf[i] + u01(&s) * (zf[i - 1] - zf[i]);
        int in = wedge(i, x, y);
        if (in > 0 || (in == 0 && y < fz(x)))
            return with_sign(x, u);
        u = mix64(s += GAMMA);
    }
}

static inline double fast_or_slow(const sim_rand *g, uint64_t slot, uint64_t r, uint64_t u)
{
    unsigned i = (unsigned)(u & (NL - 1));
    double jd = (double)(u >> 12);
    return jd < zk[i] ? with_sign(jd * zw[i], u) : slow(g, slot, r, u);
}

double sim_rand_normal(const sim_rand *g, uint64_t slot, uint64_t r, double a, double b)
{
    return a + b * fast_or_slow(g, slot, r, sim_rand_u64(g, slot, r));
}

static void normals_scalar(const sim_rand *g, uint64_t slot, uint64_t r0, size_t n, double a, double b,
                           double *z)
{
    uint64_t s = g->key + ctr(slot, r0) * GAMMA;
    for (size_t t = 0; t < n; t++, s += GAMMA)
        z[t] = a + b * fast_or_slow(g, slot, r0 + t, mix64(s));
}

/* ---- vector rows: the fast path of every lane, then the rare misses -------- */

#ifdef MC_RAND_X86
__attribute__((target("avx2"))) static inline __m256i mul64_avx2(__m256i a, __m256i b)
{
    __m256i lo = _mm256_mul_epu32(a, b);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b),
                                     _mm256_mul_epu32(a, _mm256_srli_epi64(b, 32)));
    return _mm256_add_epi64(lo, _mm256_slli_epi64(cross, 32));
}

__attribute__((target("avx2"))) static void normals_avx2(const sim_rand *g, uint64_t slot, uint64_t r0,
                                                         size_t n, double a, double b, double *z)
{
    const __m256d va = _mm256_set1_pd(a), vb = _mm256_set1_pd(b);
    uint64_t s0 = g->key + ctr(slot, r0) * GAMMA;
    __m256i s = _mm256_set_epi64x((long long)(s0 + 3 * GAMMA), (long long)(s0 + 2 * GAMMA),
                                  (long long)(s0 + GAMMA), (long long)s0);
    const __m256i step = _mm256_set1_epi64x((long long)(4 * GAMMA)), c1 = _mm256_set1_epi64x((long long)M1),
                  c2 = _mm256_set1_epi64x((long long)M2), lay = _mm256_set1_epi64x(NL - 1),
                  sgn = _mm256_set1_epi64x((long long)SIGN),
                  magic = _mm256_set1_epi64x(0x4330000000000000LL); /* 2^52 as a double */
    const __m256d two52 = _mm256_set1_pd(TWO52);
    size_t t = 0;
    for (; t + 4 <= n; t += 4) {
        __m256i u = s;
        s = _mm256_add_epi64(s, step);
        u = mul64_avx2(_mm256_xor_si256(u, _mm256_srli_epi64(u, 30)), c1);
        u = mul64_avx2(_mm256_xor_si256(u, _mm256_srli_epi64(u, 27)), c2);
        u = _mm256_xor_si256(u, _mm256_srli_epi64(u, 31));
        __m256i i = _mm256_and_si256(u, lay);
        __m256d jd = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(u, 12), magic)), two52);
        __m256d x = _mm256_mul_pd(jd, _mm256_i64gather_pd(zw, i, 8));
        x = _mm256_castsi256_pd(_mm256_or_si256(_mm256_castpd_si256(x),
                                                _mm256_and_si256(_mm256_slli_epi64(u, 55), sgn)));
        _mm256_storeu_pd(z + t, _mm256_add_pd(va, _mm256_mul_pd(vb, x)));
        int ok = _mm256_movemask_pd(_mm256_cmp_pd(jd, _mm256_i64gather_pd(zk, i, 8), _CMP_LT_OQ));
        for (int m = ~ok & 0xf; m; m &= m - 1) {
            int l = __builtin_ctz((unsigned)m);
            z[t + l] = a + b * slow(g, slot, r0 + t + l, sim_rand_u64(g, slot, r0 + t + l));
        }
    }
    normals_scalar(g, slot, r0 + t, n - t, a, b, z + t);
}

__attribute__((target("avx512f,avx512dq"))) static void normals_avx512(const sim_rand *g, uint64_t slot,
                                                                       uint64_t r0, size_t n, double a, double b,
                                                                       double *z)
{
    const __m512d va = _mm512_set1_pd(a), vb = _mm512_set1_pd(b);
    uint64_t s0 = g->key + ctr(slot, r0) * GAMMA;
    __m512i s = _mm512_add_epi64(_mm512_set1_epi64((long long)s0),
                                 _mm512_mullo_epi64(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
                                                    _mm512_set1_epi64((long long)GAMMA)));
    const __m512i step = _mm512_set1_epi64((long long)(8 * GAMMA)), c1 = _mm512_set1_epi64((long long)M1),
                  c2 = _mm512_set1_epi64((long long)M2), lay = _mm512_set1_epi64(NL - 1),
                  sgn = _mm512_set1_epi64((long long)SIGN);
    /* lanes that missed their rectangle, compressed into miss[] (no branch),
     * then drawn again one by one */
    long long miss[256];
    __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i eight = _mm512_set1_epi64(8);
    size_t t = 0, nm = 0;
    for (; t + 8 <= n; t += 8) {
        __m512i u = s;
        s = _mm512_add_epi64(s, step);
        u = _mm512_mullo_epi64(_mm512_xor_si512(u, _mm512_srli_epi64(u, 30)), c1);
        u = _mm512_mullo_epi64(_mm512_xor_si512(u, _mm512_srli_epi64(u, 27)), c2);
        u = _mm512_xor_si512(u, _mm512_srli_epi64(u, 31));
        __m512i i = _mm512_and_si512(u, lay);
        __m512d jd = _mm512_cvtepu64_pd(_mm512_srli_epi64(u, 12));
        __m512d x = _mm512_mul_pd(jd, _mm512_i64gather_pd(i, zw, 8));
        x = _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(x),
                                                _mm512_and_si512(_mm512_slli_epi64(u, 55), sgn)));
        _mm512_storeu_pd(z + t, _mm512_add_pd(va, _mm512_mul_pd(vb, x)));
        __mmask8 bad = _mm512_cmp_pd_mask(jd, _mm512_i64gather_pd(i, zk, 8), _CMP_NLT_UQ);
        _mm512_mask_compressstoreu_epi64(miss + nm, bad, lane);
        nm += (size_t)__builtin_popcount((unsigned)bad);
        lane = _mm512_add_epi64(lane, eight);
        if (nm > 256 - 8 || t + 16 > n) { /* room for the next 8, or the end */
            for (size_t q = 0; q < nm; q++) {
                size_t at = (size_t)miss[q];
                z[at] = a + b * slow(g, slot, r0 + at, sim_rand_u64(g, slot, r0 + at));
            }
            nm = 0;
        }
    }
    normals_scalar(g, slot, r0 + t, n - t, a, b, z + t);
}
#endif

typedef void (*normals_fn)(const sim_rand *, uint64_t, uint64_t, size_t, double, double, double *);

static _Atomic int isa_cap = 2;

void sim_rand_cap_isa(int cap) { isa_cap = cap < 0 ? 0 : cap > 2 ? 2 : cap; }

int sim_rand_isa(void)
{
    int best = 0;
#ifdef MC_RAND_X86
    best = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") ? 2
           : __builtin_cpu_supports("avx2")                                        ? 1
                                                                                   : 0;
#endif
    return best < isa_cap ? best : isa_cap;
}

static normals_fn pick(int isa)
{
#ifdef MC_RAND_X86
    if (isa == 2)
        return normals_avx512;
    if (isa == 1)
        return normals_avx2;
#endif
    return isa == 0 ? normals_scalar : NULL;
}

int sim_rand_normals_isa(int isa, const sim_rand *g, uint64_t slot, uint64_t r0, size_t n, double a, double b,
                         double *z)
{
    int have = isa_cap;
    isa_cap = 2;
    int ok = isa >= 0 && isa <= sim_rand_isa();
    isa_cap = have;
    if (!ok)
        return -1;
    pick(isa)(g, slot, r0, n, a, b, z);
    return 0;
}

void sim_rand_normals(const sim_rand *g, uint64_t slot, uint64_t r0, size_t n, double a, double b, double *z)
{
    pick(sim_rand_isa())(g, slot, r0, n, a, b, z);
}
