/* sim/cap_hist.c -- the capacity simulator's latency and wait histograms
 * (sim/cap_impl.h): 1 + HIST_DECADES * HIST_PER_DECADE log-spaced bins. */
#include "sim/cap_impl.h"

#include <gsl/gsl_errno.h>
#include <stdlib.h>

#define HIST_LO 1e-4          /* s; bin 0 is [0, HIST_LO) */
#define HIST_DECADES 12       /* up to 1e8 s */
#define HIST_PER_DECADE 1000  /* bin width 10^(1/1000) - 1 = 0.23% */


int sim_cap_hist_init(sim_cap_hist *q)
{
    size_t n = 1 + HIST_DECADES * HIST_PER_DECADE;
    double *range = malloc((n + 1) * sizeof *range);
    q->h = gsl_histogram_alloc(n);
    q->min = INFINITY;
    q->max = -INFINITY;
    q->n = 0;
    int rc = -1;
    if (!range || !q->h)
        goto cleanup;
    range[0] = 0;
    for (size_t i = 1; i <= n; i++)
        range[i] = HIST_LO * pow(10.0, (double)(i - 1) / HIST_PER_DECADE);
    if (gsl_histogram_set_ranges(q->h, range, n + 1) == GSL_SUCCESS)
        rc = 0;
cleanup:
    free(range);
    return rc;
}

int sim_cap_hist_quantiles(const sim_cap_hist *q, const double *p, double *out, int np)
{
    if (q->n == 0) {
        for (int i = 0; i < np; i++)
            out[i] = 0;
        return 0;
    }
    gsl_histogram_pdf *pdf = gsl_histogram_pdf_alloc(q->h->n);
    if (!pdf || gsl_histogram_pdf_init(pdf, q->h) != GSL_SUCCESS) {
        gsl_histogram_pdf_free(pdf);
        return -1;
    }
    for (int i = 0; i < np; i++)
        out[i] = fmin(q->max, fmax(q->min, gsl_histogram_pdf_sample(pdf, p[i])));
    gsl_histogram_pdf_free(pdf);
    return 0;
}

void sim_cap_hist_free(sim_cap_hist *q)
{
    gsl_histogram_free(q->h);
    q->h = NULL;
}
