/* model/vexp.c -- see model/vexp.h. The vector entry points follow the x86-64
 * vector function ABI (b: SSE, 2 lanes; d: AVX2, 4 lanes); glibc exports
 * them from libmvec, which is what GCC calls when it vectorises exp itself
 * (-ffast-math): here they are called directly, without fast-math. */
#include "model/vexp.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GLIBC__)
#include <immintrin.h>

__m128d _ZGVbN2v_exp(__m128d x);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_exp(__m256d x);

__attribute__((target("avx2"))) static void vexp4(double *x, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(x + i, _ZGVdN4v_exp(_mm256_loadu_pd(x + i)));
    for (; i < n; i++)
        x[i] = exp(x[i]);
}

static void vexp2(double *x, size_t n)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2)
        _mm_storeu_pd(x + i, _ZGVbN2v_exp(_mm_loadu_pd(x + i)));
    for (; i < n; i++)
        x[i] = exp(x[i]);
}

void model_vexp(double *x, size_t n)
{
    if (__builtin_cpu_supports("avx2"))
        vexp4(x, n);
    else
        vexp2(x, n);
}

#else

void model_vexp(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = exp(x[i]);
}

#endif
