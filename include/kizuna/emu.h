/*
 * kizuna/emu.h -- the RAN emulator as a component: a city's radio network whose gNBs are real
 * E2 nodes, embeddable in any process that runs a kz_loop (`kizuna emu`, `kizuna demo`, tests).
 *
 * Why: an energy-saving or traffic-steering xApp is only worth something if switching a cell
 * off or moving a UE has physical consequences.  The emulator runs the models of src/emu
 * (TR 38.901 radio, TS 38.214 CQI, PF scheduling, EARTH / TR 38.864 power with sleep states,
 * a published diurnal profile; docs/emulator-models.md) over a scenario file, and
 *   - exposes each site as one E2 node (E2 setup with KPM id 2, RC id 3, CCC id 4) that serves
 *     KPM subscriptions and obeys RC handover and CCC energy-saving controls (kz_emu_connect);
 *   - records a per-step GROUND TRUTH (kz_emu_truth) that does not depend on what KPM reports,
 *     so evaluations judge an xApp by what really happened;
 *   - lets an offline evaluator drive the same network directly, without E2 (kz_emu_cell_sleep,
 *     kz_emu_cell_wake, kz_emu_handover), so baselines (always-on, a fixed night schedule, a
 *     threshold rule, a clairvoyant optimum) run on exactly the same scenario and seed.
 *
 * Time.  The world advances in steps of step_s SIMULATED seconds.  On a loop, kz_emu_start()
 * fires a timer every step_s / speed seconds of loop time: on a virtual loop (kz_sim) with
 * speed 1, simulated time IS loop time, which is how `kizuna demo` runs RIC, xApps and emulator
 * together; on a wall loop speed 1 is real time and speed N is N times faster.  Without a loop
 * (cfg.loop NULL) the caller steps with kz_emu_step() / kz_emu_run_for().  KPM reporting
 * periods and granularities are in simulated time; an indication is sent at the first step
 * boundary at or after each period end (a period shorter than step_s is reported once per step).
 *
 * Determinism.  Everything random is a function of the scenario seed (or cfg.seed): UE
 * placement, classes, mobility, shadowing, session arrivals and sizes.  The DEMAND SIDE IS
 * INDEPENDENT OF CONTROL: arrivals, session sizes and UE movement are drawn from streams that
 * no control decision touches, so two runs with the same seed see the same UEs wanting the
 * same bytes at the same places and times whatever cells sleep -- the property an honest
 * comparison of energy-saving policies needs.  kz_emu_truth_hash() folds every step's truth.
 *
 * Memory and threads.  kz_emu_create() allocates everything up front; stepping, KPM encoding
 * and control handling allocate nothing.  Single-threaded: call everything on the loop's
 * thread.  Pointers returned by the getters stay valid until the next step or kz_emu_destroy().
 *
 * Errors are negative codes from kizuna/error.h (KZ_EINVAL bad argument or index, KZ_ENOMEM,
 * KZ_ENOTSUP needs a loop, KZ_EPROTO the action is not possible in the cell's state, KZ_EIO).
 */
#ifndef KIZUNA_EMU_H
#define KIZUNA_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kizuna/loop.h"

struct kz_scenario; /* src/emu/scenario.h: filled by kz_scenario_parse() or kz_emu_scenario_load() */

typedef struct kz_emu kz_emu;

/* ---- scenarios -------------------------------------------------------------------------------- */

/* Read and parse a scenario file (format kizuna-scenario/1).  *out is heap-allocated; free it
 * with kz_emu_scenario_free().  On error err gets one line naming the file and JSON path.
 * Errors: KZ_EIO (unreadable), KZ_EJSON, KZ_EINVAL, KZ_ENOMEM. */
int kz_emu_scenario_load(const char *path, struct kz_scenario **out, char *err, size_t errlen);
void kz_emu_scenario_free(struct kz_scenario *s);

/* ---- creation ------------------------------------------------------------------------------- */

struct kz_emu_truth;
typedef void (*kz_emu_step_cb)(kz_emu *e, const struct kz_emu_truth *t, void *ud);

enum kz_emu_sleep_depth { /* the sleep state a cell enters for energy saving (emu/power.h) */
    KZ_EMU_SLEEP_DEFAULT = 0, /* LIGHT */
    KZ_EMU_SLEEP_MICRO = 1,
    KZ_EMU_SLEEP_LIGHT = 2,   /* TR 38.864 light sleep: 98 W for a 64T64R O-RU, inside the range
                                 O-RAN WG1 measured for a sleeping O-RU (60-140 W) */
    KZ_EMU_SLEEP_DEEP = 3
};

typedef struct kz_emu_cfg {
    const struct kz_scenario *scenario; /* required; copied */
    kz_loop *loop;           /* NULL: offline, stepped by the caller; E2 needs a loop */
    double step_s;           /* world step in simulated s; 0: the scenario's time.step_s */
    double speed;            /* simulated s per loop s; 0: 1 */
    uint64_t seed;           /* 0: the scenario's seed.  The CITY: UE placement, classes and
                                homes, shadowing, LOS, O2I */
    uint64_t day_seed;       /* the DAY: session arrivals and sizes, mobility, events (0: seed).
                                Same seed, other day_seed: the same network on another day */
    double duration_s;       /* 0: the scenario's time.duration_s; the step timer stops after */
    double start_s;          /* < 0: the scenario's time.start_s (time of day at step 0) */
    double qos_min_bps;      /* a UE's demand in a step is met when it got all it asked for or
                                at least this rate while it had data; 0: 2 Mbit/s */
    enum kz_emu_sleep_depth es_depth; /* sleep state entered for energy saving */
    kz_emu_step_cb on_step;  /* optional: after every step, with its truth */
    void *ud;
} kz_emu_cfg;

/* Zero cfg and fill the defaults above (scenario and loop left NULL; start_s = -1).  A cfg
 * zeroed by hand works too, except that start_s 0 then means midnight. */
void kz_emu_cfg_default(kz_emu_cfg *cfg);

/* Build the network and place the UEs (attached to their best cell).  Time is at step 0.
 * Errors: KZ_EINVAL (bad scenario or cfg, err says what), KZ_ENOMEM. */
int kz_emu_create(kz_emu **out, const kz_emu_cfg *cfg, char *err, size_t errlen);

/* Stops the timer, closes the E2 associations (without waiting for their on_down), frees. */
void kz_emu_destroy(kz_emu *e);

/* ---- time --------------------------------------------------------------------------------- */

/* On the loop: a step every step_s / speed of loop time until duration_s has been simulated.
 * Errors: KZ_ENOTSUP (no loop), KZ_ENOMEM. */
int kz_emu_start(kz_emu *e);
void kz_emu_stop(kz_emu *e);
/* One step now (offline or inside a callback).  Returns 0, or 1 when duration_s is reached. */
int kz_emu_step(kz_emu *e);
/* Steps until sim_s more simulated seconds have passed (offline use).  Returns as kz_emu_step. */
int kz_emu_run_for(kz_emu *e, double sim_s);

double kz_emu_step_s(const kz_emu *e);
uint64_t kz_emu_steps_done(const kz_emu *e);
double kz_emu_time_s(const kz_emu *e);        /* simulated seconds since step 0 */
double kz_emu_time_of_day_s(const kz_emu *e); /* start_s + time, modulo 86400 */
bool kz_emu_done(const kz_emu *e);

/* ---- the network ---------------------------------------------------------------------------- */

enum kz_emu_layer { KZ_EMU_LAYER_COVERAGE = 0, KZ_EMU_LAYER_CAPACITY = 1, KZ_EMU_LAYER_SMALL = 2 };

typedef struct kz_emu_cell_info {
    uint32_t index;          /* 0 .. kz_emu_n_cells()-1 */
    uint32_t site;           /* one site = one gNB = one E2 node */
    uint32_t gnb_id;         /* 22 bits */
    uint64_t nci;            /* NR cell identity, 36 bits */
    uint8_t plmn[3];         /* TS 38.413 BCD, as KPM/RC/E2AP carry it */
    char mcc[4], mnc[4];     /* digits, as CCC JSON carries them */
    uint16_t pci, band, n_prb;
    uint8_t layer;           /* enum kz_emu_layer */
    uint8_t sector;          /* 0..2, 0xff omni */
    double fc_ghz, bw_mhz, x, y, azimuth_deg;
    int32_t coverage_peer;   /* capacity cell: the co-sector coverage cell (-1 if none) */
    double p_idle_w, p_full_w, p_sleep_w; /* power model at 0 % / 100 % load, asleep (es_depth) */
    double wake_s;           /* wake-up delay from es_depth */
} kz_emu_cell_info;

size_t kz_emu_n_cells(const kz_emu *e);
size_t kz_emu_n_sites(const kz_emu *e);
/* UEs: the scenario's ues.count, then the UEs of its events (docs/emulator.md "Events"), which
 * exist only during their event: outside it their serving cell is -1 and they have no data. */
size_t kz_emu_n_ues(const kz_emu *e);
/* The first UE index of the scenario's events (= ues.count): UEs from it on are event UEs. */
size_t kz_emu_first_event_ue(const kz_emu *e);
int kz_emu_cell_info_get(const kz_emu *e, uint32_t cell, kz_emu_cell_info *out);
/* The cell's neighbour relation table, as an ANR would have learned it from the regular UEs
 * at step 0 (src/emu/nrt.h: two cells are neighbours when at least two UEs, and at least 10 %
 * of the UEs that hear the less-heard of them, hear both within 6 dB of their carrier's
 * strongest cell; inter- and intra-frequency; symmetric; scenario-event UEs not used: about 7
 * neighbours per cell in the small city).  Up to cap cell indices into out, most-heard first; returns how many neighbours the
 * cell has (may exceed cap), or KZ_EINVAL (bad index; out NULL with cap > 0).  The same table
 * the gNBs report over E2 (E2SM-RC REPORT style 3, indication message format 3). */
int kz_emu_cell_neighbours(const kz_emu *e, uint32_t cell, uint32_t *out, size_t cap);
/* Cell index of an NCI, or -1. */
int32_t kz_emu_cell_by_nci(const kz_emu *e, uint64_t nci);

/* ---- ground truth ----------------------------------------------------------------------------- */

enum kz_emu_cell_state {
    KZ_EMU_CELL_ON = 0,      /* serving */
    KZ_EMU_CELL_ASLEEP = 1,  /* energy saving */
    KZ_EMU_CELL_WAKING = 2   /* woken, not serving yet (wake-up delay) */
};

enum kz_emu_fault {
    KZ_EMU_FAULT_NONE = 0,
    KZ_EMU_FAULT_SLEEPING = 1, /* "sleeping cell": still on air (UEs camp, it interferes, it
                                  draws idle power) but serves nothing and reports no traffic */
    KZ_EMU_FAULT_DEGRADED = 2  /* every UE's rate per PRB multiplied by a factor < 1 */
};

typedef struct kz_emu_cell_truth {
    uint8_t state;           /* enum kz_emu_cell_state */
    uint8_t fault;           /* enum kz_emu_fault */
    uint8_t layer;
    double prb_util;         /* DL PRB utilisation over the step, 0..1 */
    double prb_util_ul;
    double power_w;          /* mean input power over the step */
    double energy_j;         /* accumulated since step 0 */
    double demand_bits;      /* DL bits its UEs wanted this step (backlog + arrivals) */
    double served_bits;      /* DL bits delivered this step */
    double unmet_bits;       /* DL backlog dropped this step (sessions that waited too long) */
    uint32_t n_ues;          /* UEs camped on the cell at the end of the step */
    uint32_t n_active;       /* UEs with data this step */
    uint32_t n_unmet;        /* active UEs whose demand was not met */
    uint32_t n_conn;         /* RRC-connected UEs (data within the inactivity timer) */
    double txru_frac;        /* active TxRU fraction (antenna muting, kz_emu_cell_set_txru): 1 all */
} kz_emu_cell_truth;

/* UE classes for "demand met per class": mobility x indoor. */
#define KZ_EMU_UE_CLASSES 6
const char *kz_emu_ue_class_name(unsigned cls); /* "static-indoor", "vehicle-outdoor", ... */

typedef struct kz_emu_class_truth {
    uint32_t n_ues, n_active, n_met;
    double demand_bits, served_bits;
} kz_emu_class_truth;

typedef struct kz_emu_truth {
    uint64_t step;           /* 1 for the first step */
    double t_s;              /* simulated seconds at the END of the step, since step 0 */
    double tod_s;            /* time of day at the end of the step */
    double dt_s;
    size_t n_cells;
    const kz_emu_cell_truth *cells;   /* by cell index */
    kz_emu_class_truth classes[KZ_EMU_UE_CLASSES];
    /* network totals */
    double power_w, energy_j;
    double demand_bits, served_bits, unmet_bits;
    uint32_t n_active, n_met;
    uint32_t n_unserved;     /* UEs with data and no cell able to serve them */
    uint32_t handovers;      /* this step (A3/A4/A2, RC, and moves off sleeping cells) */
    uint64_t handovers_total;
    /* throughput (bit/s while transmitting, TS 28.552 UEThpDl style) of each active UE this
     * step; n_thp == n_active.  Grouped by serving cell in cell-index order: cells[0].n_active
     * values, then cells[1].n_active ..., then the active UEs no cell serves (so a UE's value
     * can be charged to its cell) */
    size_t n_thp;
    const float *ue_thp_bps;
    const uint32_t *ue_index; /* the UE (kz_emu_ue_info_get) of each ue_thp_bps value */
    const float *ue_served_bits; /* and the bits it was served this step (UE-level KPM's
                                    DRB.UEThpDl over a period = sum(bits) / sum(bits / thp)) */
} kz_emu_truth;

/* The truth of the last step (step 0: all zero but cells' state). */
const kz_emu_truth *kz_emu_truth_get(const kz_emu *e);

/* FNV-1a over every step's truth so far (states, loads, powers, served bits): equal for equal
 * seeds and controls, bit for bit. */
uint64_t kz_emu_truth_hash(const kz_emu *e);

enum kz_emu_truth_format { KZ_EMU_TRUTH_CSV = 0, KZ_EMU_TRUTH_JSONL = 1 };

/* Write the truth to f every every_s simulated seconds (0: every step) from now on; NULL f
 * stops.  CSV: a header line, then per record one row per cell and one network row (cell
 * "all"), see docs/emulator.md.  JSON Lines: one object per record.  f stays the caller's. */
void kz_emu_truth_output(kz_emu *e, FILE *f, enum kz_emu_truth_format fmt, double every_s);

/* One UE as it stands after the last step. */
typedef struct kz_emu_ue_info {
    uint32_t index;
    int32_t serving;         /* cell index, -1 when no cell can serve it */
    uint8_t cls;             /* 0 .. KZ_EMU_UE_CLASSES-1 */
    bool indoor, connected;
    double x, y, speed_mps;
    double rsrp_dbm, sinr_db;   /* serving cell */
    uint8_t cqi;
    double thp_bps;          /* last step, 0 if idle */
    double backlog_bytes;
    int64_t amf_ue_ngap_id;  /* its E2 UE ID (gNB UE: AMF UE NGAP ID + GUAMI) */
} kz_emu_ue_info;

int kz_emu_ue_info_get(const kz_emu *e, uint32_t ue, kz_emu_ue_info *out);

/* ---- direct control (offline evaluators, tests; E2 controls end up here too) ----------------- */

/* Energy saving: the cell's UEs are handed to the best other serving cell (blind handover),
 * then it sleeps at cfg.es_depth.  Errors: KZ_EINVAL, KZ_EPROTO (already asleep). */
int kz_emu_cell_sleep(kz_emu *e, uint32_t cell);
/* Wake: serving again after the wake-up delay.  Errors: KZ_EINVAL, KZ_EPROTO (not asleep). */
int kz_emu_cell_wake(kz_emu *e, uint32_t cell);
enum kz_emu_cell_state kz_emu_cell_state(const kz_emu *e, uint32_t cell);

/* Antenna muting (O-NESPolicy antenna mask): only `fraction` (0, 1] of the cell's TxRUs
 * transmit from now on, e.g. 0.5 / 0.25 / 0.125 = 32T / 16T / 8T of a 64T64R O-RU; 1 unmutes.
 * Power: TR 38.864 s_a = fraction (EARTH: N_TRX x fraction); radio: everything the cell
 * radiates is 10 log10(fraction) dB weaker (RSRP, its users' signal, the interference it
 * causes); MIMO layers capped at the active TxRUs.  Recorded in the truth (txru_frac).  See
 * docs/emulator.md "Antenna muting".  Errors: KZ_EINVAL (index, fraction outside (0, 1]). */
int kz_emu_cell_set_txru(kz_emu *e, uint32_t cell, double fraction);
/* The cell's active TxRU fraction (1 when unmuted; 0 for a bad index). */
double kz_emu_cell_txru(const kz_emu *e, uint32_t cell);
/* The cell's number of TxRUs (transmit chains) in its power model: 64 for a 64T64R capacity
 * cell (TR 38.864 set 1), 32 for set 2, N_TRX for EARTH; 0 for a bad index. */
unsigned kz_emu_cell_n_txru(const kz_emu *e, uint32_t cell);

/* Move a UE to a cell now.  Errors: KZ_EINVAL, KZ_EPROTO (target not serving, or too weak:
 * RSRP below the coverage threshold -140 dBm, the lowest q-RxLevMin). */
int kz_emu_handover(kz_emu *e, uint32_t ue, uint32_t target_cell);
/* The UE with this AMF UE NGAP ID, or -1. */
int32_t kz_emu_ue_by_amf_id(const kz_emu *e, int64_t amf_ue_ngap_id);

/* Faults for anomaly detection: factor is the DEGRADED rate multiplier (0 < factor < 1),
 * ignored otherwise; KZ_EMU_FAULT_NONE clears.  Errors: KZ_EINVAL. */
int kz_emu_fault_set(kz_emu *e, uint32_t cell, enum kz_emu_fault f, double factor);

/* ---- E2 ---------------------------------------------------------------------------------------- */

typedef struct kz_emu_e2_cfg {
    uint32_t setup_timeout_ms;   /* E2 setup unanswered -> retry (default 5000) */
    uint32_t reconnect_ms;       /* delay before reconnecting a lost association (1000) */
    int ccc_version;             /* CCC OID version advertised (default 6: ...53148.1.6.2.4) */
    size_t max_ue_reports;       /* UEs per format-3 indication (default 64; more are split) */
} kz_emu_e2_cfg;

void kz_emu_e2_cfg_default(kz_emu_e2_cfg *cfg);

/* Every site's gNB opens an association to ric_url (mem://name, sctp+udp://host:port,
 * sctp://host:port) on the emulator's loop and runs E2 setup; lost associations are
 * reconnected.  cfg may be NULL.  Errors: KZ_ENOTSUP (no loop, or the transport is missing
 * here), KZ_EINVAL (bad URL), KZ_ENOMEM. */
int kz_emu_connect(kz_emu *e, const char *ric_url, const kz_emu_e2_cfg *cfg);

typedef struct kz_emu_e2_stats {
    uint32_t nodes, nodes_setup;          /* gNBs, of which E2 setup completed */
    uint64_t setups, setup_failures, reconnects;
    uint64_t subscriptions, sub_failures, sub_deletes;
    uint64_t indications, indication_bytes, indications_refused; /* refused: backpressure */
    uint64_t controls, controls_ok, controls_failed;
    uint64_t error_indications_sent, error_indications_recv;
} kz_emu_e2_stats;

void kz_emu_e2_stats_get(const kz_emu *e, kz_emu_e2_stats *out);

#endif
