/*
 * eval/e2_runner.h -- the energy saver judged with the RIC and E2 in the loop: one process, one
 * deterministic simulator (kz_sim, virtual clock), the emulator's gNBs as E2 nodes over mem://
 * to a kz_ric, the energy-saver xApp (energy_xapp.h, the code of `kizuna-energy-saver`) and a
 * KPM monitor xApp on the SDK over a mem:// bus.
 *
 * Why: the in-process runner (run.h) calls the decision core and the emulator directly; it says
 * what the decisions are worth, not that the xApp gets them right over E2.  Here every
 * measurement the energy saver sees is a KPM indication (node -> RIC -> xApp), every action a
 * control (xApp -> RIC -> node: RC handover per UE, CCC sleep/wake) with its outcome.  The
 * figures still come from the emulator's ground truth (kz_emu_truth, per step), never from KPM,
 * and fill the same struct kz_run_result as the in-process runner, so the two can be compared.
 *
 * The KPM monitor: kizuna-kpimon is an executable (main, a terminal table) that cannot be
 * embedded, so the runner runs a minimal monitor of its own: a second SDK connection that
 * subscribes to the cell-level KPM of every cell (PRB use, throughput, every period) and counts
 * what it receives -- the second xApp of issue 7's picture, with its own RIC queue.
 *
 * With real_time the same components run on a real kz_loop over real sockets (sctp+udp:// E2,
 * unix:// bus) at `speed`; the figures still come from the ground truth, step by step.
 *
 * Learning days run in-process (run.h, the same decision core and KPM-equivalent reports) and
 * the trained core is handed to the xApp (cfg.run.trained); only the evaluated day runs over E2.
 * Neighbour relations reach the core over E2 only (the xApp's RC REPORT style 3 subscription;
 * learning days, always-on, give the core none; cfg.run.no_nrt: the xApp does not ask).
 */
#ifndef KZ_EVAL_E2_RUNNER_H
#define KZ_EVAL_E2_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "eval/run.h"

struct kz_e2_run_cfg {
    struct kz_run_cfg run;      /* scenario, seed, duration, es (mode KZ_ES_AI), trained core,
                                 * t_offset_s, log, progress; record and schedule unused */
    bool rc_handover;           /* RC handover of the UEs before a sleep (true) */
    bool monitor;               /* the KPM monitor xApp alongside (true) */
    int64_t latency_ns;         /* one-way mem:// latency of the simulator (1 ms) */
    FILE *ric_log;              /* the RIC's log lines (NULL: errors only, to stderr) */
    /* real time: a real event loop and real sockets instead of the simulator -- E2 over
     * sctp+udp:// (usrsctp on loopback), the xApp bus over unix:// -- with the emulator and the
     * xApp at `speed` simulated seconds per second.  Not deterministic (the OS schedules). */
    bool real_time;
    double speed;               /* (600: a day in 144 s) */
    const char *e2_url;         /* (sctp+udp://127.0.0.1:36421) */
    const char *bus_url;        /* (unix://@kizuna-demo-<pid>) */
};

void kz_e2_run_cfg_default(struct kz_e2_run_cfg *cfg, const struct kz_scenario *sc);

/* What went over E2, counted at each end. */
struct kz_e2_run_stats {
    /* nodes and subscriptions */
    uint32_t nodes, nodes_setup;
    uint64_t subs_ok, subs_failed, subs_merged;
    /* indications: sent by the nodes, received/routed/dropped by the RIC, decoded by the xApps */
    uint64_t node_indications, ric_indications_rx, ric_routed, ric_dropped, ric_orphan;
    uint64_t xapp_indications, xapp_ue_indications, xapp_ue_reports, monitor_indications;
    uint64_t decisions;
    /* controls: sent by the xApp, acknowledged and accepted / failed (refused, timed out) */
    uint64_t ccc_sent, ccc_ok, ccc_failed;
    uint64_t rc_sent, rc_ok, rc_failed, handovers_without_ues;
    uint64_t ric_controls, ric_controls_ok, ric_controls_failed, ric_controls_timeout;
    /* neighbour relations over E2 (RC REPORT style 3): reports decoded, cells with a list */
    uint64_t nrt_reports, nrt_cells, nrt_bad;
    /* the simulator */
    uint64_t sim_messages, sim_trace_hash;
};

/* Runs one energy-saver day over E2.  res as kz_run_policy fills it (ue_handovers = RC
 * handovers acknowledged, ctrl_failed = CCC controls refused or failed); st may be NULL.
 * Errors: KZ_EINVAL (err says what), KZ_ENOMEM, KZ_EIO / KZ_EAGAIN from the RIC. */
int kz_e2_run(const struct kz_e2_run_cfg *cfg, struct kz_run_result *res,
              struct kz_e2_run_stats *st, char *err, size_t errlen);

/* The statistics as `kizuna demo` prints them (a few lines). */
void kz_e2_run_stats_print(FILE *f, const struct kz_e2_run_stats *st);

#endif
