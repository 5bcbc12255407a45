/*
 * eval/energy_xapp.h -- the energy-saver xApp as a component: the E2 side of the energy saver
 * (KPM in, RC handover and CCC sleep/wake out) on the xApp SDK, on a caller's kz_loop.
 *
 * Why a component: the `kizuna-energy-saver` executable (src/xapp/xapps/energy_saver.c) and the
 * E2-path evaluation runner (e2_runner.h, `kizuna demo`) must run ONE implementation; the
 * executable is this plus flags and signals, the runner is this on the simulator's loop next to
 * the RIC and the emulator.  The decisions themselves live in the pure decision core (es.h).
 *
 * What it does (docs/energy-saver.md):
 *   - every node the RIC announces: cells from the node's E2SM-CCC RAN function definition;
 *     one cell-level KPM subscription (style 1, one action per cell) for RRU.PrbTotDl (%),
 *     DRB.PdcpSduVolumeDL (Mbit), DRB.UEThpDl (kbit/s), RRC.ConnMean, PEE.AvgPower (W) every
 *     period; with rc_handover, one UE-level subscription (style 4, format 3 reports, one action
 *     per capacity cell) whose reports say which UEs (AMF UE NGAP id) the cell serves;
 *   - a decision once every subscribed cell has reported for the period (plus a short settle
 *     delay so the UE-level reports of the same period are in), or at the latest 1.5 periods
 *     after the previous one: the latest reports -> kz_es_step() -> actions;
 *   - HANDOVER: one E2SM-RC handover control (style 3, action 1) per UE last reported on the
 *     cell, to the coverage cell (without rc_handover or an RC function: logged only; the node's
 *     CCC sleep then hands the UEs over itself);
 *   - SLEEP / WAKE: an E2SM-CCC control (energySavingControl); a refused, failed or timed-out
 *     control puts the cell back in the core's state (kz_es_action_failed);
 *   - any other kind of action (a lever this xApp does not send yet): logged, counted and
 *     handed back with kz_es_action_failed;
 *   - neighbour relations: a node whose E2SM-RC RAN function definition offers REPORT style 3
 *     ("E2 Node Information") gets one RC subscription (event trigger format 3, action format 1
 *     asking for the neighbour relation table); each indication (message format 3) replaces
 *     its cells' neighbour lists (by NCI), which go to the core (kz_es_set_neighbours) as soon
 *     as both ends are cells of the core.  A node without the style, a refused subscription
 *     or an undecodable report leaves the core without those relations: the surge guard then
 *     keeps to the surging sector's own site, as without an NRT (logged and counted).
 *
 * Topology: given (cfg.cells: roles and coverage peers by NCI, e.g. from the emulator or a
 * deployment's configuration) or derived from NCIs (local id >= pair_offset: capacity cell of
 * coverage cell nci - pair_offset, the emulator's numbering).  With given cells the decision core
 * can be given too (cfg.core: e.g. trained on history days); its cell i is cfg.cells[i].
 *
 * Memory: kz_esx_open allocates the state (a few MiB for 1024 cells); contexts of subscriptions
 * and controls in flight are freed by kz_esx_close even when the SDK drops their callbacks.
 * Single-threaded: everything on the loop's thread.
 */
#ifndef KZ_EVAL_ENERGY_XAPP_H
#define KZ_EVAL_ENERGY_XAPP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "eval/es.h"
#include "kizuna/loop.h"
#include "kizuna/xapp.h"

typedef struct kz_esx kz_esx;

struct kz_esx_cfg {
    struct kz_es_params p;              /* policy; p.period_s is also the KPM period */
    unsigned pair_offset;               /* derived topology (3) */
    const struct kz_es_cell *cells;     /* given topology (NULL: derived); copied */
    size_t n_cells;
    kz_es *core;                        /* with cells: use this core (not closed); NULL: own */
    /* decision clock, seconds since the scenario's midnight (NULL: loop s - t0_s) */
    double (*clock)(void *ud);
    double t0_s;
    double speed;                       /* simulated s per loop s, scales the timers (1) */
    bool rc_handover;                   /* UE-level KPM + RC handover before a sleep */
    bool no_nrt;                        /* do not subscribe to RC REPORT style 3 (NRT) */
    FILE *log;                          /* logfmt, one line per event/action (NULL: none) */
    /* every action as decided, before it is sent (the runner's guard-reaction probe) */
    void (*on_action)(void *ud, const struct kz_es_action *a, double t_s);
    void *ud;
};

void kz_esx_cfg_default(struct kz_esx_cfg *cfg);

struct kz_esx_stats {
    uint64_t nodes, cells, subs_active, subs_failed;
    uint64_t indications, ue_indications, ue_reports, decisions;
    uint64_t ccc_sent, ccc_ok, ccc_failed;
    uint64_t rc_sent, rc_ok, rc_failed, handovers_without_ues;
    uint64_t unsupported;       /* actions of a kind not sent over E2 (put back in the core) */
    uint64_t nrt_subs, nrt_reports, nrt_bad; /* RC REPORT style 3: subscriptions asked,
                                   indications used, indications refused (undecodable) */
    uint64_t nrt_cells;         /* cells whose neighbour list came over E2 */
};

/* Opens the SDK connection (xc: url, name, token...) and starts.  Errors: KZ_EINVAL (bad
 * parameters or topology, bad url), KZ_ENOMEM. */
int kz_esx_open(kz_esx **out, kz_loop *loop, const kz_xapp_cfg *xc, const struct kz_esx_cfg *cfg);
/* Closes the connection and frees everything (the core only if it is its own). */
void kz_esx_close(kz_esx *s);

void kz_esx_stats_get(const kz_esx *s, struct kz_esx_stats *st);
/* Whether a node's KPM RAN function definition (def, len) lists DRB.PdcpSduVolumeDL for
 * report style 4: the UE-level subscription asks for it only then (its seconds transmitting
 * weigh the tail guard, es.h tail_weighted), so a node that lacks it is not refused the whole
 * action.  mem is decode scratch.  Undecodable: false. */
bool kz_esx_kpm_offers_ue_volume(const uint8_t *def, size_t len, uint8_t *mem, size_t mem_len);
/* The decision core (NULL before the first decision in derived-topology mode). */
const kz_es *kz_esx_core(const kz_esx *s);
const kz_xapp *kz_esx_xapp(const kz_esx *s);

#endif
