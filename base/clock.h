/* base/clock.h -- the one wall clock for measurements and progress.
 *
 * base_now_s(): CLOCK_MONOTONIC in seconds (never goes back; unrelated to
 * the date). Cost: one vDSO call, ~20 ns.
 */
#ifndef FORKCAST_BASE_CLOCK_H
#define FORKCAST_BASE_CLOCK_H

double base_now_s(void);

#endif
