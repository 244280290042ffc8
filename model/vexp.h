/* model/vexp.h -- exp over an array, vectorised where glibc's vector math
 * library (libmvec) is there.
 *
 * model_vexp(x, n) sets x[i] = exp(x[i]) for i < n. On x86-64 with glibc it
 * calls libmvec four lanes at a time (AVX2, chosen at run time) or two (SSE,
 * every x86-64 CPU): ~1.2-4 ns per value here against ~8 ns for the scalar
 * exp. libmvec's exp is within 4 ulp of the correctly rounded value (glibc's
 * documented bound), so results can differ from exp() and between CPUs in
 * the last bits; on one machine they are the same whatever the thread count.
 * Elsewhere it is the scalar loop. Link with -lmvec on x86-64 (Makefile).
 */
#ifndef FORKCAST_MODEL_VEXP_H
#define FORKCAST_MODEL_VEXP_H

#include <stddef.h>

void model_vexp(double *x, size_t n);

#endif
