/*
 * eval/es.h -- the energy-saving decision core: which capacity cells sleep, and why.
 *
 * Why a pure module: the same decisions must be made by the energy-saver xApp (fed by KPM over
 * E2), by `kizuna demo` and the tests (fed in-process), and be unit-testable on hand-made time
 * series.  So this module takes measurements and returns actions with reasons; it does no I/O,
 * reads no clock and knows nothing of E2.  The baselines (always-on, night schedule, threshold
 * rule) and the replay of the clairvoyant schedule are modes of the same state machine, so every
 * policy drains, sleeps and wakes cells in exactly the same way and only the decision differs.
 *
 * Inputs, every decision period (period_s, e.g. one KPM report period of 60 s):
 *   per cell a struct kz_es_obs (PRB use, throughput, mean UE throughput, UEs, power), and once
 *   at start the topology: each cell's role and, for a capacity cell, the coverage cell that
 *   takes its users when it sleeps (the co-sited coverage cell of the same sector).
 *
 * The energy saver (KZ_ES_AI) per capacity cell c with coverage cell v:
 *   - Forecast target: G = throughput of v + throughput of the capacity cells mapped to v --
 *     the load v would carry alone if they slept.  G is observable whether c is awake or not,
 *     so learning never stops.  Averaged per forecast slot (slot_s) and fed to a kz_fc
 *     (forecast.h: seasonal-naive, Holt-Winters, ridge; the best one per group is used).
 *   - Coverage capacity C: what v carries at 100 % PRB use, learned as sum(thr) / sum(PRB use)
 *     over v's own reports (EWMA, prior cov_capacity_mbps); used to turn Mbit/s into PRB use.
 *   - Sleep when, for at least min_awake_s since the last change: the measured load would put
 *     v below sleep_util now, and the forecast peak over lookahead_s plus margin_sigma times the
 *     forecast's recent RMS error, divided by C, stays below sleep_util.  First a HANDOVER
 *     action (move c's users to v), one period later SLEEP -- unless the condition no longer
 *     holds, then c stays awake.
 *   - Wake at once (GUARD, dwell ignored) when v's PRB use exceeds guard_util or its mean UE
 *     throughput falls below guard_ue_thr_mbps.  Wake ahead (FORECAST) when asleep for at least
 *     min_sleep_s and the forecast peak over wake_lead_s (+ margin) / C exceeds wake_util, or
 *     the measured PRB use of v exceeds wake_util.  sleep_util < wake_util < guard_util is
 *     the hysteresis.
 *   - Antenna muting (MUTE / UNMUTE, opt-in): between sleeping and all-on, every capacity
 *     cell of the network goes down to 1/2, 1/4, 1/8 of its TxRUs, and coverage cells to 1/2,
 *     as the network's forecast load relative to its busiest slot falls (rules at mute_frac);
 *     how low it must fall is set by the tail risk learned from the UE-level KPM (risk_lo);
 *     at a low risk a sector quiet against its own peak may go deeper (risk_sector).
 *   - Surge guard: a sector whose load jumps far above its forecast wakes the sleeping capacity
 *     cells of its whole site and, with neighbour relations (kz_es_set_neighbours), every
 *     sleeping capacity cell that neighbours a cell of the sector (surge_*): a crowd next to a
 *     sleeping cell camps on whatever awake cell it hears next, often at another site.
 * Baselines: KZ_ES_NIGHT sleeps every capacity cell from night_from_s to night_to_s (time of
 * day); KZ_ES_THRESHOLD sleeps c when its PRB use is below thr_sleep_prb (awake >= min_awake_s)
 * and wakes it when v's PRB use is above thr_wake_prb; KZ_ES_SCHEDULE replays a schedule given
 * by kz_es_set_schedule (the clairvoyant optimum, oracle.h); KZ_ES_ALWAYS_ON does nothing.
 *
 * Memory: kz_es_open allocates everything once (about 46 KiB per capacity group for the
 * forecaster); kz_es_step allocates nothing.  Not thread-safe; one instance per policy run.
 */
#ifndef KZ_EVAL_ES_H
#define KZ_EVAL_ES_H

#include <stddef.h>
#include <stdint.h>

#include "eval/forecast.h"

enum kz_es_role { KZ_ES_COVERAGE = 0, KZ_ES_CAPACITY = 1, KZ_ES_OTHER = 2 };

enum kz_es_mode {
    KZ_ES_AI = 0,        /* the energy saver: forecast + guards */
    KZ_ES_ALWAYS_ON,
    KZ_ES_NIGHT,         /* fixed night schedule */
    KZ_ES_THRESHOLD,     /* reactive PRB threshold rule */
    KZ_ES_SCHEDULE       /* replay of a given schedule (clairvoyant optimum) */
};

struct kz_es_cell {
    uint64_t nci;
    enum kz_es_role role;
    int cover;           /* capacity cell: index of its coverage cell; else -1 */
    unsigned n_txru;     /* transmit chains (the antenna mask's length); 0: unknown, taken as
                            the emulator's 64 (capacity) / 2 (coverage) */
    uint32_t site;       /* cells of one site (E2 node) share it; 0: unknown (the surge guard
                            then watches the cell's own sector only) */
};

/* One cell's measurements over the last period.  Unknown values: negative. */
struct kz_es_obs {
    double prb;          /* DL PRB use, 0..1 */
    double thr_mbps;     /* DL cell throughput */
    double ue_thr_mbps;  /* mean DL throughput of the cell's active UEs */
    double n_ue;         /* connected UEs */
    double power_w;
    int serving;         /* 1 serving, 0 asleep/waking, -1 unknown */
    double ue_thr_lo_mbps; /* 10th percentile of the cell's UE throughput samples this period
                            (UE-level KPM DRB.UEThpDl); <= 0: unknown (no samples) */
};

/* MUTE / UNMUTE: antenna muting (only with the lever on, kz_es_params_mute): set the cell's
 * active TxRU fraction to action.txru (MUTE: mute_frac; UNMUTE: 1).  Over E2 it is a CCC
 * O-NESPolicy antennaMask control; in-process kz_emu_cell_set_txru (docs/energy-saver.md). */
enum { KZ_ES_MUTE_MAX_LVL = 6 }; /* muting levels: TxRU fraction 2^-level, 1 .. 1/64 */
/* The active TxRU fraction of muting level lvl (0: 1, 1: 0.5, 2: 0.25 ...). */
double kz_es_mute_level_frac(int lvl);

enum kz_es_kind { KZ_ES_HANDOVER = 1, KZ_ES_SLEEP = 2, KZ_ES_WAKE = 3, KZ_ES_MUTE = 4,
                  KZ_ES_UNMUTE = 5 };
enum kz_es_why { KZ_WHY_FORECAST = 0, KZ_WHY_GUARD, KZ_WHY_LOAD, KZ_WHY_SCHEDULE,
                 KZ_WHY_THRESHOLD };

struct kz_es_action {
    enum kz_es_kind kind;
    enum kz_es_why why;
    uint32_t cell;       /* the capacity cell */
    uint32_t target;     /* HANDOVER: the coverage cell that takes the users */
    double t_s;
    double forecast_util;  /* predicted coverage PRB use behind the decision (-1: none) */
    double cov_util, cov_ue_thr; /* coverage cell's measured PRB use and UE throughput */
    char reason[224];
    double txru;         /* MUTE / UNMUTE: active TxRU fraction to set; else 0 */
};

struct kz_es_params {
    enum kz_es_mode mode;
    double period_s;          /* decision period (60) */
    double slot_s;            /* forecaster slot (300) */
    double sleep_util;        /* max predicted coverage PRB use to sleep (0.25) */
    double wake_util;         /* predicted/measured coverage PRB use that wakes (0.35) */
    double guard_util;        /* measured coverage PRB use that wakes at once (0.45) */
    double guard_ue_thr_mbps; /* measured coverage mean UE throughput that wakes at once (0: off) */
    double margin_sigma;      /* forecast + this x RMS error (1.0) */
    /* surge guard: a sector's measured load G above its forecast by more than
     * max(surge_sigma x RMS error, surge_frac x forecast) and surge_min_mbps is a surge; it
     * wakes at once every sleeping capacity cell of the sector's site and every sleeping
     * capacity cell that is a neighbour (kz_es_set_neighbours, either direction) of a cell of
     * the sector, and none of these goes to sleep while it lasts (muting keeps its own per-cell guards) -- a hotspot next to a sleeping cell lands on
     * neighbours at poor SINR without loading the coverage cell the other guards watch.  G is
     * smoothed over ~3 periods; a surge holds for surge_hold_s after it was last seen */
    double surge_sigma, surge_frac, surge_min_mbps, surge_hold_s; /* (3, 0.5, 10, 1800) */
    double lookahead_s;       /* sleep only if fine for this long (2700) */
    double wake_lead_s;       /* wake this long before forecast demand returns (900) */
    double min_sleep_s;       /* dwell asleep, except for guard wakes (900) */
    double min_awake_s;       /* dwell awake (1800) */
    double cov_capacity_mbps; /* prior of a coverage cell's throughput at full PRB use (60) */
    double night_from_s, night_to_s;   /* KZ_ES_NIGHT (3600, 21600) */
    double thr_sleep_prb, thr_wake_prb; /* KZ_ES_THRESHOLD (0.15, 0.60) */
    /* Antenna-muting lever (KZ_ES_AI and KZ_ES_SCHEDULE only; off by default -- switched on by
     * kz_es_params_mute(p, 0.125) -- because it loses p5, docs/energy-saving.md; never in the
     * baselines).  Network-wide, because muting one
     * cell among unmuted neighbours costs its users SINR while muting every cell alike leaves the
     * interference-limited SINR as it was (docs/energy-saving.md measures both).  Every period:
     *   rho = (sum over sectors of the forecast peak over mute_lookahead_s + mute_margin_sigma x
     *          RMS error, or the measured load when higher) / the busiest 5-min slot of the
     *          whole network seen so far;  no level before mute_history_s of observation;
     *   capacity cells go to level l (TxRUs 2^-l, l <= log2(1/mute_frac)) while
     *   rho <= mute_rho[l]; coverage cells to level 1 (MIMO sleep, half the TxRUs) while
     *   rho <= mute_rho_cov[1] (mute_max_lvl_cov); deeper one level per mute_min_s and only
     *   below the bound by mute_hyst; shallower at once.
     * A capacity cell goes no deeper than its own sector allows (mute_rho_sector): the same
     * rule with the sector's load (coverage + capacity cells, forecast or measured) relative
     * to the sector's own busiest slot.  A sector near its own peak while the network is
     * quiet -- a crowd the forecast has learned, a night-time hotspot -- keeps its TxRUs.
     * Per-cell guards take a cell back to all its TxRUs at once, then hold it there for
     * mute_min_s: its PRB use > unmute_prb, its mean UE throughput < mute_ue_thr_mbps, or
     * (capacity cell) its coverage cell's PRB use > guard_util, (coverage cell) its own PRB use
     * > unmute_prb_cov.  A cell is unmuted before it sleeps. */
    double mute_frac;         /* deepest active TxRU fraction (0: lever off; 0.125 = 8 of 64) */
    double unmute_prb;        /* measured PRB use that unmutes (0.70) */
    double mute_ue_thr_mbps;  /* mean UE throughput below which a cell unmutes (5) */
    double mute_min_s;        /* dwell between mute changes, guard unmutes excepted (900) */
    double mute_rho[KZ_ES_MUTE_MAX_LVL + 1]; /* KZ_ES_AI: level l (TxRUs 2^-l) allowed while the
                                 network's relative load forecast <= mute_rho[l] (0.60 0.45 0.30) */
    /* the sector's own bound per level (1.0 0.75 0.5: mute_rho / 0.6; [1] <= 0: no sector cap).
     * On the small city's seven seeds it costs nothing on average (9.76 vs 9.77 % in-process,
     * -0.4 to +0.4 per seed, every seed within the bar); on the stadium day with the event in
     * the learning day the crowd's p5 went from -50 % to -0.2 % of always-on (seed 20240611)
     * and from -46 % to +20 % (seed 3); seed 1 -17 % either way (docs/energy-saving.md) */
    double mute_rho_sector[KZ_ES_MUTE_MAX_LVL + 1];
    double mute_hyst;         /* go deeper only below mute_rho x (1 - mute_hyst) (0.1) */
    double mute_margin_sigma; /* the level's forecast + this x RMS error (0: the forecast) */
    double mute_lookahead_s;  /* the level's forecast peak over this horizon (900; 0: lookahead_s) */
    double mute_history_s;    /* no muting before the core has observed this long: "busy" is
                                 learned from a whole day (86400 - period_s) */
    /* coverage cells (MIMO sleep: 2T -> 1T), KZ_ES_AI; KZ_ES_SCHEDULE follows the schedule */
    int mute_max_lvl_cov;     /* deepest level of a coverage cell (0: never muted) */
    double mute_rho_cov[KZ_ES_MUTE_MAX_LVL + 1]; /* as mute_rho, for coverage cells */
    double unmute_prb_cov;    /* a muted coverage cell's PRB use that unmutes it (0.45) */
    /* Tail guard of the lever (KZ_ES_AI): a cell goes one level deeper only while its users'
     * 10th-percentile throughput (obs.ue_thr_lo_mbps), halved per level (a TxRU halving costs
     * a noise-limited user 3 dB, about half its rate), stays at or above the floor, and goes one
     * level up at once when the tail is below it.  The floor protects what the QoS bar counts:
     * UE-steps under the network's 5th percentile.  tail_floor_mbps 0: learned -- tail_margin x
     * the 5th percentile of every UE throughput sample seen (kz_es_ue_samples), after
     * mute_history_s (until then no cell goes deeper); < 0: off. */
    double tail_floor_mbps;   /* 0 (learned) */
    /* Weight every UE sample by its seconds transmitting (the learned floor and each cell's
     * 10th percentile): the day's p5 counts UE-STEPS, and a UE slowed down transmits longer,
     * so per-UE means unweighted sit far above it (small city: the unweighted KPM p5 is 2.8x
     * to 5.2x the truth's p5, depending on the seed); weighted, the floor follows the tail
     * the bar judges.  (1 in kz_es_params_mute; 0: one sample per UE) */
    int tail_weighted;
    /* KZ_ES_AI, empty-cell sleep: a capacity cell whose own PRB use is below empty_prb sleeps
     * (handover first, dwell and guards as above) while its coverage cell's PRB use is below
     * empty_wake_prb and its users' 10th percentile is at or above the tail guard's floor (none
     * learned yet: no empty-cell sleep), and wakes when the coverage PRB use passes
     * empty_wake_prb -- the threshold rule's criterion inside the energy saver (0: off) */
    double empty_prb, empty_wake_prb;
    /* KZ_ES_AI, a crowd: a surge of a capacity cell's own sector (surge guard above) that is
     * also more than surge_unmute_mbps above the forecast unmutes the cell to all its TxRUs
     * at once, held for surge_hold_s after last seen.  Without it the stadium's crowd, on a
     * cell at 1/4 of its TxRUs, got a p5 25 % below always-on's, which the day's p5 never
     * sees.  The bar in Mbit/s, not only relative: the surge guard also fires on morning
     * ramps the forecast is late on (seeds 1, 2, 3: up to 18.6 Mbit/s above a forecast of
     * 7-28), and unmuting on every one cost 0.5 points of saving on average; the stadium is
     * 39 Mbit/s above its forecast one minute after it is first seen.  Own sector only: a
     * site- or neighbour-wide unmute cost 0.8 points for little p5.
     * (30 in kz_es_params_mute; 0: off, muting keeps its per-cell guards only) */
    double surge_unmute_mbps;
    /* The quantile of a cell's users' throughputs the tail guard reads (0.1; the 5th and 2nd
     * percentiles held cells back for 0.4-0.5 points less saving at the same day's p5: a
     * cell's own slowest users are not where its muting harms the day's tail) */
    double tail_q;
    /* Tail risk (KZ_ES_AI with the lever): how far the day's 5th percentile moves when muting
     * slows the users who are near it.  Learned from the UE samples of periods in which the
     * policy had no cell muted or asleep (the network as always-on runs it):
     *   X = their 5th percentile, slope = (q7 - q3) / 4 % / X (how fast the quantile grows),
     *   at_risk = the share of all samples with X <= thr < 2X taken in hours of the day whose
     *             mean network load is below mute_rho_roomy[1] of the busiest hour's (a TxRU
     *             halving halves a noise-limited user's rate: these fall under X),
     *   risk = slope x at_risk (the relative shift of the 5th percentile per unit pushed).
     * Muting harms the day's tail mostly on the coverage cells that take the muted cells' users
     * (docs/energy-saving.md), so no cell's own tail shows it; this one figure does.  The
     * network bounds are mute_rho_roomy at risk <= risk_lo, mute_rho at risk >= risk_hi, and
     * linear in between (risk_hi <= 0 or no risk learned yet: mute_rho). */
    double risk_lo, risk_hi;  /* (0.02, 0.06) */
    /* At a tail risk <= risk_sector, while the network's relative load is at or below its roomy
     * level-1 bound (mute_rho_roomy[1]), a capacity cell may go deeper than the network's level:
     * to the level the network's bounds give its own sector's load relative to the sector's own
     * busiest slot (the sector cap still applies).  The clairvoyant mutes and sleeps by site;
     * a network-wide level leaves quiet sectors of a busy network on.  Deeper sector levels at
     * any risk broke the bar on 4 of 43 seeds (harm on the sectors' neighbours, which the risk
     * does not see per sector), so only the networks with the most room get them
     * (docs/energy-saving.md).  (0.02 = risk_lo, where the network bounds are the roomy ones;
     * 0.03 gained 0.06 points more on average but took seed 1 over E2 from p5 -1.38 % to
     * -1.83 %; 0: never).  The levels the network did not grant also need risk_sector_tail
     * times the tail guard's floor (2; 1: the same floor): it kept 70 % of the gain for less of
     * the p5 on the seeds nearest the bar.  Not while a surge of the cell's own or a
     * neighbouring sector holds it (a stadium crowd lands on its neighbours). */
    double risk_sector;
    double risk_sector_tail;
    double mute_rho_roomy[KZ_ES_MUTE_MAX_LVL + 1]; /* (0.70 0.50 0.35) */
    /* coverage cells' MIMO sleep (level 1) at low tail risk: its bound moves from mute_rho_cov[1]
     * (or none, mute_max_lvl_cov 0) to this one as the capacity bounds move (0.30; 0: none) */
    double mute_rho_cov_roomy;
    double tail_margin;       /* 1.5 with tail_weighted (tuned on seed 7: 1.0 spent 50 % more of
                                 the p5 bar for 0.5 points); unweighted it was 0.7, the per-UE
                                 means sitting far above the per-step values the p5 counts */
};

void kz_es_params_default(struct kz_es_params *p, enum kz_es_mode mode);
/* The energy saver's defaults as shipped (kizuna demo, the xApp): KZ_ES_AI, the muting lever at
 * 0.125 with its tail guard, and empty-cell sleep at 3 % / 25 % -- tuned on seed 7 of the small
 * city, the 25 % on seven seeds and checked on six fresh ones (docs/energy-saving.md). */
void kz_es_params_energy_saver(struct kz_es_params *p);
/* Switch the antenna-muting lever on with its defaults (above) and TxRU fraction frac. */
void kz_es_params_mute(struct kz_es_params *p, double frac);
const char *kz_es_mode_name(enum kz_es_mode m);
const char *kz_es_kind_name(enum kz_es_kind k);
const char *kz_es_why_name(enum kz_es_why w);

typedef struct kz_es kz_es;

/* Cells are copied.  Errors: KZ_EINVAL (a capacity cell without a valid coverage cell, bad
 * parameters), KZ_ENOMEM. */
int kz_es_open(kz_es **out, const struct kz_es_params *p, const struct kz_es_cell *cells,
               size_t n_cells);
void kz_es_close(kz_es *es);

/* One decision at time t_s (seconds since the scenario's midnight) with obs[n_cells].  Writes at
 * most cap actions to out and returns how many (more are deferred to the next step). */
size_t kz_es_step(kz_es *es, double t_s, const struct kz_es_obs *obs, struct kz_es_action *out,
                  size_t cap);

/* One UE over one period, what the tail guard counts: its DL throughput while transmitting
 * (UE-level KPM DRB.UEThpDl) and the seconds it was transmitting (DRB.PdcpSduVolumeDL /
 * DRB.UEThpDl; <= 0: unknown, counts as one second), or their in-process equivalents. */
struct kz_es_ue_sample {
    float mbps, tx_s;
};
/* Samples for the tail guard's learned floor; mbps <= 0 is ignored.  No allocation. */
void kz_es_ue_samples(kz_es *es, const struct kz_es_ue_sample *s, size_t n);
/* The q-quantile (Mbit/s) of one cell's samples, s sorted in place; weighted by tx_s when the
 * core's tail_weighted is set, else one per UE.  -1 when there is none. */
double kz_es_ue_quantile(const kz_es *es, struct kz_es_ue_sample *s, size_t n, double q);
/* The tail guard's input for one cell: kz_es_ue_quantile at the core's tail_q. */
double kz_es_cell_tail(const kz_es *es, struct kz_es_ue_sample *s, size_t n);
/* The tail guard's floor now (Mbit/s; 0: none yet or off). */
double kz_es_tail_floor(const kz_es *es);
/* The tail risk now (es.h, risk_lo); -1 while not learned (fewer than a day of samples). */
double kz_es_tail_risk(const kz_es *es);

/* Neighbour relations (an NRT: kz_emu_cell_neighbours in-process, E2SM-RC REPORT style 3 over
 * E2): cell's neighbours are nbr[0 .. n-1] (core cell indices), replacing what cell had.  A
 * relation counts in either direction (a node reports only its own cells' lists).  Without any
 * the surge guard keeps to the surging sector's site.  The first call allocates n_cells^2
 * bytes.  Errors: KZ_EINVAL (bad index), KZ_ENOMEM. */
int kz_es_set_neighbours(kz_es *es, uint32_t cell, const uint32_t *nbr, size_t n);
/* The cells related to cell in either direction (up to cap into out); returns how many. */
size_t kz_es_neighbours(const kz_es *es, uint32_t cell, uint32_t *out, size_t cap);

/* Change the mode, keeping what was learned (e.g. a core that only observed history days
 * in KZ_ES_ALWAYS_ON mode starts deciding as KZ_ES_AI). */
void kz_es_set_mode(kz_es *es, enum kz_es_mode mode);

/* Copy the antenna-muting lever's parameters (mute_*) of p into a core, keeping the rest. */
void kz_es_set_params_mute(kz_es *es, const struct kz_es_params *p);

/* A SLEEP or WAKE the network refused: the cell is back in its previous state. */
void kz_es_action_failed(kz_es *es, const struct kz_es_action *a);

/* KZ_ES_SCHEDULE: asleep[cell * n_slots + k] != 0 when the cell should be asleep during slot k
 * = [t0 + k slot_s, t0 + (k + 1) slot_s).  Copied.  Errors: KZ_EINVAL, KZ_ENOMEM. */
int kz_es_set_schedule(kz_es *es, double t0, double slot_s, size_t n_slots,
                       const uint8_t *asleep);

/* KZ_ES_SCHEDULE with the lever: muted[cell * n_slots + k] != 0 when the cell should be muted
 * in slot k (when not asleep).  Copied.  Errors: KZ_EINVAL, KZ_ENOMEM. */
int kz_es_set_mute_schedule(kz_es *es, double t0, double slot_s, size_t n_slots,
                            const uint8_t *muted);

/* The levels the network-wide rule (KZ_ES_AI with the lever) would choose, period after period,
 * for the relative loads rho[0..n) (one per period_s): out[k] = level in period k, capacity
 * layer, or coverage layer when coverage != 0.  Used by the clairvoyant with the true loads. */
void kz_es_level_schedule(const double *rho, size_t n, const struct kz_es_params *p, int coverage,
                          uint8_t *out);

/* Is the policy's view of cell i muted? (its muting level, 0: not muted) */
int kz_es_cell_muted(const kz_es *es, size_t i);

/* Is the policy's view of cell i asleep (or draining)?  */
int kz_es_cell_asleep(const kz_es *es, size_t i);

struct kz_es_stats {
    uint64_t sleeps, wakes, wakes_guard, wakes_forecast, handovers;
    struct kz_fc_err fc[KZ_FC_NMODELS + 1][KZ_FC_MAX_H]; /* pooled over groups, Mbit/s;
                                                          * [KZ_FC_USED]: the selected model */
    unsigned fc_horizon;
    double fc_slot_s;
    unsigned best_count[KZ_FC_NMODELS];   /* groups whose selected model is this */
    uint64_t mutes, unmutes, unmutes_guard;
    uint64_t mutes_sector;                /* of the mutes, deeper than the network's level by
                                             the cell's own sector (risk_sector) */
    double muted_s;                       /* cell-seconds muted (policy's view) */
    double tail_risk;                     /* kz_es_tail_risk at the end */
    double net_bound[KZ_ES_MUTE_MAX_LVL + 1]; /* the network level's bounds then */
    double net_bound_cov;                 /* and the coverage layer's (MIMO sleep; 0: none) */
};
void kz_es_stats_get(const kz_es *es, struct kz_es_stats *st);

/* Pooled forecast error of model m (KZ_FC_* or KZ_FC_USED) over horizons 1..h_max slots:
 * MAE (Mbit/s) and MAPE (fraction); 0 when nothing was scored. */
void kz_es_stats_fc_error(const struct kz_es_stats *st, int m, unsigned h_max, double *mae,
                          double *mape);

/* The forecaster of capacity cell i's group (NULL for other cells). */
const struct kz_fc *kz_es_forecaster(const kz_es *es, size_t i);

#endif
