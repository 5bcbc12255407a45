/*
 * eval/metrics.h -- what a policy run cost and what its users got, from the emulator's ground
 * truth (never from KPM).
 *
 * Why: every policy -- the energy saver and each baseline -- must be judged by the same
 * yardstick on the same run.  This module folds the per-step truth (kizuna/emu.h) into:
 *   - energy (kWh) of the whole RAN, and of capacity / coverage cells;
 *   - user throughput over all active UE-steps (throughput while transmitting): mean and 5th /
 *     50th percentile, from a log-spaced histogram (8000 bins over 1 kbit/s .. 100 Gbit/s,
 *     0.23 % wide: the 2 % QoS bound is far coarser than the binning);
 *   - unmet demand: the share of active UE-steps whose demand was not met (the emulator's QoS
 *     rule: all bits delivered, or at least qos_min_bps while it had data), and dropped bits;
 *   - per window (window_s, 15 min by default) for plots: mean power, mean cells asleep, and
 *     the 5th / 50th percentile and mean of user throughput;
 *   - the same percentiles over the UE-steps of the scenario's event UEs alone (a stadium
 *     crowd): the network's p5 mixes them with everyone else, and a policy that starves the
 *     crowd can hide behind a quiet city.
 * Memory: kz_metrics_open allocates once; kz_metrics_add allocates nothing.
 */
#ifndef KZ_EVAL_METRICS_H
#define KZ_EVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "kizuna/emu.h"

#define KZ_MET_BINS 8000
#define KZ_MET_WBINS 200
#define KZ_MET_MAX_WINDOWS 1024

struct kz_metrics_window {
    double energy_j, dt;          /* power = energy_j / dt */
    double asleep_s;              /* sum over steps of cells asleep x dt */
    double thp_sum, thp_n;        /* mean throughput (bit/s) */
    uint32_t hist[KZ_MET_WBINS];  /* coarse histogram for percentiles */
};

struct kz_metrics_result {
    double energy_kwh, energy_cap_kwh, energy_cov_kwh;
    double hours;
    double thp_mean_mbps, thp_p5_mbps, thp_p50_mbps;
    double unmet_pct;             /* 100 x (1 - met / active UE-steps) */
    double dropped_pct;           /* 100 x dropped bits / served + dropped */
    double active_steps;
    double cell_hours_asleep;
    uint64_t handovers;
    /* event UEs (kz_metrics_set_event_ues): their active UE-steps and throughput p5 / p50 /
     * mean (Mbit/s), 0 when there were none */
    double event_steps, event_p5_mbps, event_p50_mbps, event_mean_mbps;
    size_t n_windows;
    double window_s;
    /* per window: mean power (W), mean cells asleep, thp p5 / p50 / mean (Mbit/s) */
    double w_power[KZ_MET_MAX_WINDOWS], w_asleep[KZ_MET_MAX_WINDOWS];
    double w_p5[KZ_MET_MAX_WINDOWS], w_p50[KZ_MET_MAX_WINDOWS], w_mean[KZ_MET_MAX_WINDOWS];
};

typedef struct kz_metrics kz_metrics;

/* duration_s and window_s set the number of windows (at most KZ_MET_MAX_WINDOWS).
 * Errors: KZ_EINVAL, KZ_ENOMEM. */
int kz_metrics_open(kz_metrics **out, double duration_s, double window_s);
void kz_metrics_close(kz_metrics *m);

/* UEs with index >= first (kz_emu_first_event_ue) are event UEs; default: none. */
void kz_metrics_set_event_ues(kz_metrics *m, size_t first);

/* Fold one step's truth; layer[i] (enum kz_emu_layer) tells capacity from coverage cells. */
void kz_metrics_add(kz_metrics *m, const kz_emu_truth *t, const uint8_t *layer);

/* Low-level entries (used by kz_metrics_add; public for tests). */
void kz_metrics_add_thp(kz_metrics *m, double t_s, double bps);

void kz_metrics_result(const kz_metrics *m, struct kz_metrics_result *r);

/* The q-quantile (0..1) of the throughput histogram, in bit/s (0 when empty). */
double kz_metrics_quantile(const kz_metrics *m, double q);

#endif
