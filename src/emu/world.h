/*
 * emu/world.h -- the model layer: UEs that live in the city, move, attach, hand over and want
 * data, on top of the physics modules (topology, radio, cqi, scheduler, power, traffic).
 *
 * Why: the physics modules answer "how strong is this cell here" and "how many watts at this
 * load"; an emulator needs a world that uses them step after step -- who is where, served by
 * which cell, wanting how many bytes -- and that records what really happened (the ground
 * truth of kizuna/emu.h).  No I/O, no E2, no loop: src/emu/gnb.c and src/emu/emu.c put those
 * around it.
 *
 * The step (kz_world_step, dt seconds of simulated time), in this order:
 *   0. scenario events: event UEs join / leave (below);
 *   1. mobility events due (random waypoint legs and pauses); a UE whose position moved more
 *      than refresh_m since its gains were computed gets them recomputed (all cells);
 *   2. session arrivals per area class (Poisson, diurnal rate), each to a random UE of the class,
 *      adding an exponential volume to its backlog; then per event with UEs present (Poisson,
 *      its flat rate), each to a random present UE of the event;
 *   3. cell selection / handover for the UEs that need it (moved, TTT pending, a cell changed
 *      state): A3 within a layer, A4/A2-like layer changes, time-to-trigger;
 *   4. per serving cell: SINR of each UE with data (interference = neighbours' PRB utilisation
 *      of the previous step), rank and CQI, PF water-filling of the PRBs; backlog drained;
 *   5. power per cell (sleep states, wake-ups), energy; ground truth.
 * Per-step cost is O(events + UEs with data + cells), not O(UEs): idle, parked UEs cost nothing.
 *
 * Randomness: three xoshiro streams seeded from the seed -- placement, mobility, arrivals --
 * plus the radio hashes, and two per scenario event (its UEs' placement and join / leave
 * times, drawn at init; its sessions).  None is drawn by anything a control can change, so
 * demand and movement are the same for every policy run on the same seed (see kizuna/emu.h);
 * a scenario without events draws exactly what it drew before events existed.
 *
 * Events (step 0, before mobility): the UEs of a surge whose join time falls in the step
 * appear (absent -> present, attached at step 3), those whose leave time does disappear; a
 * backlog they leave with is counted as unmet (dropped) on their cell, in that step.
 *
 * Memory: kz_world_init() allocates every array once; kz_world_step() allocates nothing.
 */
#ifndef KZ_EMU_WORLD_H
#define KZ_EMU_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "emu/power.h"
#include "emu/rng.h"
#include "emu/scenario.h"
#include "emu/topology.h"
#include "kizuna/emu.h"

#define KZ_WORLD_MIN_RSRP_DBM (-140.0) /* q-RxLevMin floor (TS 38.331): below it no camping */
#define KZ_WORLD_LAYER_HYST_DB 2.0     /* hysteresis around capacity_min_rsrp_dbm */
#define KZ_WORLD_INACTIVITY_S 10.0     /* RRC inactivity timer: connected this long after data */
#define KZ_WORLD_DROP_S 30.0           /* a backlog unserved this long is dropped (unmet) */
#define KZ_WORLD_UL_RATIO 0.12         /* UL volume per DL volume (approximation) */
/* Antenna muting: a cell with a fraction f of its TxRUs on radiates
 * KZ_WORLD_TXRU_GAIN_EXP x 10 log10(f) dB less, on every link (RSRP, the serving signal and the
 * interference it causes) -- 1: the muted chains' power amplifiers are lost, the array gain
 * of the remaining ones is assumed to be kept (see docs/emulator.md "Antenna muting"). */
#define KZ_WORLD_TXRU_GAIN_EXP 1.0

enum kz_mob { KZ_MOB_STATIC = 0, KZ_MOB_PEDESTRIAN = 1, KZ_MOB_VEHICLE = 2 };

struct kz_world_ue {
    double x0, y0, t0;       /* position at t0 ... */
    double vx, vy;           /* ... and velocity since (0 while parked) */
    double ref_x, ref_y;     /* where the gains were computed */
    double next_ev;          /* sim time of its next mobility event */
    double leg_end;          /* moving: when the destination is reached */
    /* cumulative per-UE counters (UE-level KPM windows are differences) */
    double c_dl_bits, c_ul_bits, c_tx_time, c_prb_dl_s, c_prb_ul_s;
    double home_x, home_y;
    double backlog_bits;
    double backlog_since;    /* sim time the backlog became non-zero */
    double last_data;        /* sim time it last had data (RRC inactivity) */
    double ttt_since;
    float thp_bps, sinr_db;
    float d_in;              /* indoor distance, 0 outdoors */
    float o2i_z;             /* N(0,1) of its O2I loss */
    int32_t serving;
    int32_t ttt_target;
    uint32_t heap_idx;
    uint32_t home_site;
    uint8_t mob, indoor, cls, area, cqi, moving, queued, met, in_conn;
    uint8_t absent;          /* an event's UE outside its event: not in the world */
};

/* A scenario event (scenario.h) in the world: its UEs are indices first .. first + n - 1,
 * static, placed at init.  They join in the order of their index at times t_join[] (sorted)
 * and leave in the order leave_order[] at times t_leave[] (sorted), world time; both drawn at
 * init from the event's own stream.  Sessions come from another stream of its own.  Nothing
 * here is touched by a control, so the event's demand is the same for every policy. */
struct kz_world_event {
    struct kz_rng rng_arr;   /* the event's session arrivals and volumes */
    uint32_t first, n;
    double rate;             /* sessions/s per present UE */
    double session_bytes;
    double *t_join, *t_leave;
    uint32_t *leave_order;
    uint32_t next_join, next_leave;
    uint32_t *present;       /* the UEs present now (order: joins, swap-removal on leave) */
    uint32_t *slot;          /* by k = ui - first: position in present[] */
    uint32_t n_present;
    double cx, cy;           /* where it is (the centre of the disc, or the site) */
};

struct kz_world_cell {
    struct kz_power_params pp;
    struct kz_power_cell pw;
    double noise_mw;
    double rsrp_off_db;      /* RSRP = rsrp_off_db + gain_db */
    double o2i_tw_db;        /* O2I through-wall loss at its frequency */
    double tx_mw;
    double load;             /* DL PRB utilisation of the last step (interference) */
    double degrade;          /* rate multiplier (1 unless degraded) */
    double txru;             /* active TxRU fraction (antenna muting), (0, 1] */
    double txru_lin, txru_db; /* its radiated-power factor: f^KZ_WORLD_TXRU_GAIN_EXP, in dB */
    uint8_t max_layers;      /* MIMO layers with the active TxRUs (<= the cell's max_layers) */
    uint8_t fault, cqi_table, serving_ok; /* serving_ok: ACTIVE power state */
    uint8_t state;           /* enum kz_emu_cell_state */
    /* cumulative counters since step 0 (KPM windows are differences of these) */
    double c_time_s, c_avail_s;       /* time, time x 1 when the cell could serve */
    double c_dl_bits, c_ul_bits;
    double c_thp_bits, c_thp_time;    /* UEThpDl: bits / time spent transmitting */
    double c_ul_thp_bits, c_ul_thp_time;
    double c_prb_dl_s, c_prb_ul_s;    /* PRBs x seconds used */
    double c_conn_s;                  /* connected UEs x seconds */
    uint32_t n_conn;                  /* at the end of the last step */
    uint32_t n_ues;                   /* camped on it now */
};

struct kz_world {
    struct kz_scenario sc;
    double dt, t, tod0, qos_min_bps, refresh_m, far_m;
    uint64_t seed, steps;
    uint64_t day_seed;                /* the day's randomness (kz_world_init) */
    enum kz_sleep es_depth;
    struct kz_topo topo;
    struct kz_site *sites;
    struct kz_cell *cells;
    struct kz_world_cell *wc;
    size_t n_cells, n_sites, n_macro_sites, n_ues;
    struct kz_world_ue *ues;
    float *gain_db;          /* n_ues x n_cells coupling gains */
    float *rx_mw;            /* n_ues x n_cells received power at full load, mW */
    float *los_u, *sf_z;     /* n_ues x n_sites cached random draws (radio.h) */
    uint32_t *area_ues[KZ_AREA_COUNT];
    size_t n_area_ues[KZ_AREA_COUNT];
    uint32_t class_n[KZ_EMU_UE_CLASSES];
    double area_rate[KZ_AREA_COUNT];  /* busy-hour sessions/s per UE x factor */
    struct kz_rng rng_mob, rng_arr;
    /* events: n_ues counts their UEs too (after the n_base_ues regular ones) */
    struct kz_world_event *ev;
    size_t n_ev;
    uint32_t n_base_ues;
    /* mobility event heap (by next_ev, then UE index) */
    uint32_t *heap;
    size_t heap_n;
    /* UEs to re-evaluate (dedup by ue.queued) */
    uint32_t *evalq;
    size_t evalq_n;
    int all_dirty;
    /* UEs with data */
    uint32_t *active;
    size_t n_active;
    /* UEs RRC-connected (data within the inactivity timer) */
    uint32_t *conn;
    size_t n_conn;
    /* scratch for the scheduler, by position in a cell's list */
    uint32_t *order, *cell_start;
    double *s_rate, *s_dem, *s_prb, *s_thp;
    float *thp_out;
    float *served_out;   /* bits served to the UE of thp_out[k] this step */
    /* truth */
    kz_emu_cell_truth *ct;
    kz_emu_truth truth;
    uint64_t hash;
    uint64_t ho_total;
    uint32_t ho_step;
};

/* Build the world from a scenario: topology, power parameters, UEs placed and attached.
 * seed is the CITY: UE placement, classes and homes, shadowing, LOS and O2I.  day_seed is the
 * DAY: session arrivals and sizes, mobility, events (0: seed, one seed for both).  Two days of
 * one city share every radio link and every UE's home and differ in what the users do.
 * err gets a reason on KZ_EINVAL.  Errors: KZ_EINVAL, KZ_ENOMEM. */
int kz_world_init(struct kz_world *w, const struct kz_scenario *sc, uint64_t seed,
                  uint64_t day_seed, double dt, double tod0, double qos_min_bps, enum kz_sleep es_depth, char *err,
                  size_t errlen);
void kz_world_free(struct kz_world *w);

/* Advance dt seconds. */
void kz_world_step(struct kz_world *w);

/* Position of a UE now. */
void kz_world_ue_pos(const struct kz_world *w, const struct kz_world_ue *u, double *x, double *y);

/* RSRP of cell c at UE u (from the cached gains). */
double kz_world_rsrp(const struct kz_world *w, uint32_t u, uint32_t c);

/* SINR now (interference from the last step's loads); -INFINITY if no serving cell. */
double kz_world_sinr(const struct kz_world *w, uint32_t u);

/* Put UE ui at (x, y) now (tests; keeps its velocity): gains recomputed, re-evaluated at the
 * next step. */
void kz_world_ue_place(struct kz_world *w, uint32_t ui, double x, double y);

/* Controls (see kizuna/emu.h for the semantics). */
int kz_world_sleep(struct kz_world *w, uint32_t cell);
int kz_world_wake(struct kz_world *w, uint32_t cell);
int kz_world_handover(struct kz_world *w, uint32_t ue, uint32_t cell);
int kz_world_fault(struct kz_world *w, uint32_t cell, enum kz_emu_fault f, double factor);
/* Antenna muting: only a fraction (0, 1] of the cell's TxRUs transmit from now on (power,
 * radio and layers as above; UEs re-evaluate their cell at the next step).  Works in any power
 * state (a sleeping cell wakes with the mask).  Errors: KZ_EINVAL. */
int kz_world_set_txru(struct kz_world *w, uint32_t cell, double fraction);

/* A cell that can take UEs: powered up and serving (a faulty "sleeping cell" counts: it is on
 * air).  */
int kz_world_cell_up(const struct kz_world *w, uint32_t c);

#endif
