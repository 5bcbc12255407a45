/*
 * eval/oracle.h -- the clairvoyant optimum: the most sleep any policy could schedule, given the
 * future.
 *
 * Why: "saves 25 %" means little without knowing how much could have been saved.  The bound
 * answers "how much energy could a policy with perfect knowledge of tomorrow's load save, under
 * the same QoS guard and the same switching constraints?".
 *
 * Input (computed by the caller from the emulator's ground truth of an always-on run of the
 * same scenario and seed): for each capacity cell and each slot, u[i][k] = the PRB use its
 * coverage cell would reach during slot k if the capacity cell slept (the peak over the
 * slot, not the mean).  A slot is eligible when u <= u_max.
 *
 * Output: the schedule that maximises the number of asleep slots such that
 *   - a cell is asleep only in eligible slots (the QoS guard is never crossed, with hindsight),
 *   - every asleep run lasts at least min_sleep slots and every awake run between two asleep
 *     runs at least min_awake slots (the same dwell rules the policies obey; the first awake
 *     run of the day counts as long enough).
 * This is solved exactly per cell by dynamic programming over (state, slots in state capped at
 * the dwell), O(n_slots x (min_sleep + min_awake)).  The wake-up delay is covered by the
 * replay (kz_es SCHEDULE mode wakes a cell one period before its awake slot begins, and the
 * delay is shorter than a period), so it costs the bound nothing but the transition energy.
 *
 * Assumptions that make it a bound only relative to this policy space: cells are switched as a
 * whole (no antenna muting or partial sleep); "could carry" is judged by the coverage cell's PRB
 * use on the always-on run's demand (u_max is the QoS guard), not by re-simulating every
 * candidate schedule; the clairvoyant schedule is then replayed in the emulator, so its energy
 * and QoS in the results are measured, not assumed.
 */
#ifndef KZ_EVAL_ORACLE_H
#define KZ_EVAL_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* u: n_cells x n_slots (row per cell); a row whose first value is negative is not scheduled
 * (not a capacity cell).  asleep_out: n_cells x n_slots, 1 = asleep.  Returns the number of
 * asleep cell-slots, or KZ_EINVAL / KZ_ENOMEM. */
long kz_oracle_schedule(const double *u, size_t n_cells, size_t n_slots, double u_max,
                        unsigned min_sleep, unsigned min_awake, uint8_t *asleep_out);

#endif
