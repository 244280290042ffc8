/* sim/cap_check.h -- the finite-output guard of a capacity run: what no
 * `forkcast capacity` output may hold.
 *
 * sim_cap_check() looks at a public sim_cap_result (sim/capacity.h): every
 * time, rate, count and cost finite and >= 0; utilization and the cold-start
 * fraction in [0, 1]; a priced pool (a positive container rate) that billed
 * any container time has a positive cost, and so a positive cost per job
 * and per hour when jobs were counted. sim_cap_sweep_check() runs it on
 * every run of a sweep. A result that fails is a bug, not an input error:
 * BASE_ERUNTIME, one line naming the quantity (and the pool size in a
 * sweep). Borrows everything; O(1) per result.
 */
#ifndef FORKCAST_SIM_CAP_CHECK_H
#define FORKCAST_SIM_CAP_CHECK_H

#include "model/scenario.h"
#include "sim/cap_sweep.h"
#include "sim/capacity.h"

#include <stddef.h>

int sim_cap_check(const model_scenario *s, const sim_cap_result *r, char *err, size_t errsz);
int sim_cap_sweep_check(const model_scenario *s, const sim_cap_sweep *sw, char *err, size_t errsz);

#endif
