/* sim/mc_quant_impl.h -- sim/mc_quant's state, shared by its two files
 * (mc_quant.c: plans and closes passes; mc_quant_scan.c: streams values).
 * Private: nothing outside sim/mc_quant*.c includes it. */
#ifndef FORKCAST_SIM_MC_QUANT_IMPL_H
#define FORKCAST_SIM_MC_QUANT_IMPL_H

#include "sim/mc_quant.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define QNB 1024                 /* bins of a binned interval */
#define QIV 6                    /* intervals per array and pass */
#define QRK 6                    /* ranks per array: lhs and lhs + 1 of each fraction */
#define QSTAGE 32                /* values a thread stages before copying them out */
#define FLUSH_AT (UINT64_C(1) << 31) /* a thread's 32-bit bins are flushed before this */
#define SCAN_CHUNK 64            /* values compared before the ones inside are handled */

typedef struct {
    uint64_t rank;
    int done;
    double value;
    double lo, hi;          /* open: the piece [lo, hi) known to hold it, */
    uint64_t below, count;  /* with `below` values under lo and `count` in it */
    int stuck;              /* passes in which its piece did not shrink */
} qrank;

typedef struct {
    double lo, hi;          /* [lo, hi) */
    int hist;               /* 1: QNB bins; 0: values kept */
    double *edges;          /* hist: QNB + 1, edges[0] = lo, edges[QNB] = hi */
    double inv;             /* QNB / (hi - lo): the first guess of a bin */
    int wide;               /* an unbounded end: one bin (the last), for its min and max */
    double *buf;            /* kept values: cap, filled through fill */
    size_t cap;
    int nsel;               /* kept: ranks selected here (-1 not yet), within it */
    uint64_t selk[QRK];
    double selv[QRK];
    atomic_size_t fill;
    uint64_t count, below;  /* merged: values inside, values under lo */
    double min, max;        /* merged: of the values inside */
    uint64_t *bins;         /* merged bins */
} qiv;

typedef struct {
    int nrk;
    qrank rk[QRK];
    int at[SIM_QUANT_NF];   /* fraction q: rk[at[q]] and, when delta[q] > 0, rk[at[q] + 1] */
    double delta[SIM_QUANT_NF];
    int niv;
    qiv iv[QIV];
    double out[SIM_QUANT_NF];
} qarr;

typedef struct {            /* one thread's share of one interval */
    uint64_t count, below;
    double min, max;
    uint32_t *bins;
    int nst;
    double st[QSTAGE];
} qtiv;

typedef struct {
    qtiv iv[QIV];
    uint64_t seen;          /* values binned since the last flush (array 0's entry only) */
} qtarr;

struct sim_quant {
    int A;
    uint64_t n, P;
    size_t budget;          /* values kept at once */
    unsigned T;
    int stage;              /* 0 start, 1 pilot done, 2 first full pass done */
    sim_quant_kind kind;    /* the pass running */
    int first_full;         /* this pass is the first full one: count below, min/max */
    int passes;
    qarr *arr;              /* [A] */
    qtarr *t;               /* [T][A] */
    uint32_t *tbins;        /* this pass's thread bins */
    uint64_t *mbins;        /* this pass's merged bins */
    double *kept, *edges;   /* this pass's keep buffers and bin edges */
    size_t kept_peak;
    pthread_mutex_t lock;   /* flushes of thread bins */
};

/* Copies a thread's staged values of iv into its keep buffer. */
void sim_quant_stage_flush(qiv *iv, qtiv *ti);

#endif
