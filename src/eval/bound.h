/*
 * eval/bound.h -- the clairvoyant bound under the QoS bar: the most energy a policy that knows
 * the whole day could save with the energy saver's levers (capacity cells asleep or muted to
 * 1/2, 1/4, 1/8 of their TxRUs, coverage cells to half) while keeping the bar: 5th-
 * percentile user throughput within p5_tol of always-on, unmet demand within unmet_pp.
 *
 * Why: the sleep-only oracle (oracle.h) guards only a coverage PRB threshold, and with the
 * muting lever on hindsight loads it broke the p5 bar by 30 % -- not a bound "under the same
 * QoS guards" at all.  Here the bar itself is the constraint and every figure is measured.
 *
 * Method (bound.c has the details):
 *   1. probes: one day per action of a fixed catalogue, the action at every site all day, on
 *      the same scenario and seed (action 0 is always-on).  Per window and site, from the
 *      emulator's ground truth: energy, UE-steps below T = (1 - p5_tol) x always-on p5 and
 *      UE-steps with unmet demand (each UE charged to the site of its serving cell);
 *   2. selection: per (window, site) one action -- the multiple-choice knapsack "most energy
 *      saved for at most the UE-steps below T and the unmet UE-steps the bar allows", solved
 *      through its Lagrangian, with a scale on the budgets;
 *   3. verification: each selection is replayed in the emulator (KZ_ES_SCHEDULE) and judged by
 *      the metrics; the scale is searched over a few rounds and the best replay that meets the
 *      bar is the bound.
 * What it is: a schedule that exists and meets the bar, so a LOWER bound on the true optimum
 * and a reference for "how much of what was possible did the energy saver get".  What it is
 * not: exact -- probes see an action taken at every site at once, so site-to-site effects (less
 * interference from a muted neighbour, load moved to a neighbour) are those of a uniform
 * network; the replay measures the real effect and the search absorbs the error.
 */
#ifndef KZ_EVAL_BOUND_H
#define KZ_EVAL_BOUND_H

#include <stddef.h>
#include <stdint.h>

#include "eval/run.h"

#define KZ_BOUND_ACTIONS 6   /* the catalogue (kz_bound_action) */
#define KZ_BOUND_SLEEP 255   /* a capacity "level": asleep */

struct kz_bound_cfg {
    const struct kz_scenario *sc;
    uint64_t seed;              /* 0: the scenario's */
    double duration_s;          /* 0: the scenario's */
    struct kz_es_params es;     /* replay parameters: period_s (schedule slot), dwell times */
    double window_s;            /* one decision per window and site (900) */
    double p5_tol;              /* p5 >= (1 - p5_tol) x always-on (0.02) */
    double unmet_pp;            /* unmet <= always-on + unmet_pp percentage points (0.5) */
    unsigned rounds;            /* verification rounds, two replays each (2) */
    unsigned threads;           /* parallel probe / replay runs (2) */
    double p5_ref_mbps;         /* always-on p5 of this scenario and seed when known (0: a
                                   first always-on run measures it) */
    void (*progress)(void *ud, const char *name, double frac);
    void *ud;
};

struct kz_bound_info {
    int feasible;               /* a replay met the bar (else the result is always-on) */
    double scale;               /* budget scale of the replay kept */
    unsigned replays;           /* replays run */
    double p5_ref_mbps, unmet_ref_pct; /* always-on's, from the probe */
    double window_share[KZ_BOUND_ACTIONS]; /* share of (window, site) decisions per action */
    double budget_below, budget_unmet; /* the bar's allowance in UE-steps (scale 1) */
    struct kz_bound_try {       /* every replay, in order: measured, then as the probes
                                   predicted (extra UE-steps below T / unmet, kWh saved) */
        double scale, energy_kwh, p5_mbps, unmet_pct, sel_below, sel_unmet, sel_saved_kwh;
    } tried[16];
};

void kz_bound_cfg_default(struct kz_bound_cfg *cfg, const struct kz_scenario *sc);

/* The catalogue (on; capacity cells at 1/2, 1/4, 1/8 of their TxRUs; 1/8 with the coverage
 * cells at half; capacity cells asleep -- coverage-only muting and sleep with muted coverage
 * were probed too and never chosen on the small city, so they went to save demo time): action a's capacity layer (0..3: muting level, KZ_BOUND_SLEEP: asleep) and
 * coverage layer level; its name for logs and the report. */
void kz_bound_action(int a, uint8_t *cap, uint8_t *cov, const char **name);

/* Search, then leave the best replay that meets the bar in *res (named "clairvoyant"; when
 * none does, the always-on probe, info->feasible = 0).  Errors: KZ_EINVAL, KZ_ENOMEM (err
 * says what); res is then empty. */
int kz_bound_search(const struct kz_bound_cfg *cfg, struct kz_run_result *res,
                    struct kz_bound_info *info, char *err, size_t errlen);

#endif
