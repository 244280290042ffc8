/* tests/harness.h -- the tiny test harness every tests/test_*.c includes.
 *
 * CHECK(cond) records a failure and goes on; CHECK_NEAR(a, b, tol) compares
 * with an absolute tolerance, CHECK_REL(a, b, rel) with a relative one.
 * TEST_MAIN() runs the listed functions and exits 1 if any check failed.
 * Output: one line per failed check (file:line and the values), then a
 * summary line "test_x: N checks, F failed".
 */
#ifndef FORKCAST_TESTS_HARNESS_H
#define FORKCAST_TESTS_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int th_checks, th_failed;

#define CHECK(cond) do { th_checks++; if (!(cond)) { th_failed++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_NEAR(a, b, tol) do { double th_a = (a), th_b = (b); th_checks++; \
    if (!(fabs(th_a - th_b) <= (tol))) { th_failed++; \
    fprintf(stderr, "%s:%d: %s = %.9g, expected %s = %.9g (tol %g)\n", __FILE__, __LINE__, \
            #a, th_a, #b, th_b, (double)(tol)); } } while (0)

#define CHECK_REL(a, b, rel) do { double th_a = (a), th_b = (b); th_checks++; \
    if (!(fabs(th_a - th_b) <= (rel) * fabs(th_b))) { th_failed++; \
    fprintf(stderr, "%s:%d: %s = %.9g, expected %s = %.9g (rel %g, got %.3g)\n", __FILE__, \
            __LINE__, #a, th_a, #b, th_b, (double)(rel), fabs(th_a - th_b) / fabs(th_b)); } } while (0)

#define CHECK_STR(a, b) do { const char *th_a = (a), *th_b = (b); th_checks++; \
    if (!th_a || !th_b || strcmp(th_a, th_b) != 0) { th_failed++; \
    fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
            th_a ? th_a : "(null)", th_b ? th_b : "(null)"); } } while (0)

#define TEST_MAIN(...) int main(void) { \
    void (*th_fns[])(void) = { __VA_ARGS__ }; \
    for (size_t th_i = 0; th_i < sizeof th_fns / sizeof th_fns[0]; th_i++) th_fns[th_i](); \
    fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, th_checks, th_failed); \
    return th_failed ? 1 : 0; }

#endif
