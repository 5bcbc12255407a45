/*
 * emu/power.h -- how many watts a cell draws, asleep or at a given load, and the energy used.
 *
 * Why: an energy-saving xApp is judged by the kWh it saves, so the emulator needs a power
 * model whose numbers come from the literature, with sleep states that cost something to leave
 * (a wake-up delay during which the cell does not serve, and transition energy).
 *
 * Two published models, chosen per cell (../shared/spec/MODELS.md "Base-station power"):
 *
 *  KZ_POWER_EARTH -- Auer et al., "How much energy is needed to run a wireless network?",
 *    IEEE Wireless Commun. 18(5), 2011 (EARTH):
 *        P_in = N_TRX (P0 + dp x P_out),  P_out = load x P_max,   P_sleep x N_TRX asleep.
 *    The PRB utilisation is used as P_out / P_max (NR transmits at constant power spectral
 *    density on the PRBs it uses).  Presets are the paper's table rows; Macro with its
 *    N_TRX = 6 gives 780 W idle, 1062 W at 50 %, 1344 W full, 450 W asleep.  The 6 TRX of the
 *    macro row are 3 sectors x 2 antennas, so ONE sector cell is N_TRX = 2
 *    (KZ_PWR_EARTH_MACRO_SECTOR: 260 / 354 / 448 W, 150 W asleep).  EARTH has one sleep
 *    power and no transition figures: all three depths draw N_TRX x P_sleep, transition
 *    times are borrowed from TR 38.864 Category 2 (light 640 ms, deep 10 s, micro 0) and the
 *    transition energy is 0 unless configured.
 *
 *  KZ_POWER_38864 -- 3GPP TR 38.864 V18.1.0 §5.1 relative power model, Category 1:
 *        set 1 (FR1 TDD 100 MHz, 64 TxRU): deep 1, light 25, micro 55, DL 280, UL 110
 *        set 2 (FR1 FDD 20 MHz, 32 TxRU):  deep 1, light 25, micro 50, DL 200, UL 90
 *    Active DL power follows the TR's scaling
 *        P_DL = P_micro + s_a (P_DL,ref - P_micro) [A + (s_f s_p / eta)(1 - A)],  A = 0.4,
 *    with s_f = PRB utilisation, s_a = s_p = eta = 1 by default.  Time-averaged over a TDD
 *    pattern: P = f_DL x P_DL + (1 - f_DL) x P_UL (UL slots with receivers on); FDD: f_DL = 1,
 *    UL reception not added (the TR counts DL and UL separately; we model DL).
 *    The TR is relative; we convert with unit_w.  Set 1 is anchored to the O-RAN WG1 NES TR
 *    (2023) §5.5 measured 64T64R O-RU at 3.5 GHz / 100 MHz: busy hour 1100 W = a full DL slot
 *    (280 units), so unit_w = 1100 / 280 = 3.93 W.  That puts light sleep at 98 W, inside the
 *    O-RAN 60-140 W sleep range, and the DDDSU average at 534 W idle / 928 W full.  Set 2 is
 *    anchored to the O-RAN 4T4R busy-hour 550 W = 200 units, unit_w = 2.75 W.
 *    Transitions: MODELS.md gives Category 1 (deep 50 ms / 1000 units x ms, light 6 ms / 90)
 *    and Category 2 (deep 10 s / 17000, light 640 ms / 1088).  Presets use Category 2, since
 *    the emulator switches whole cells (CCC energy saving) at a 1 s step and slot-scale
 *    Category 1 sleeps would be invisible; kz_power_set_transitions() selects Category 1.
 *
 * Sleep-state machine of one cell (struct kz_power_cell):
 *
 *      ACTIVE --kz_power_sleep(depth)--> ASLEEP(depth)          (immediate; the caller hands
 *        ^                                  |                    the UEs over first)
 *        |                        kz_power_wake()
 *        |                                  v
 *        +------ transition_s elapses --- WAKING(depth)   (not serving; draws sleep power plus
 *                                                          transition_extra_j / transition_s)
 *
 * The whole TR 38.864 transition time is charged to waking up (the cell serves no one during
 * it), which is the conservative choice for the cost of sleeping.  kz_power_step() integrates
 * power over a step exactly, splitting a step in which a wake-up completes.  Energy is a
 * double in joules in the caller-owned cell record.  No global state, no allocation.
 */
#ifndef KZ_EMU_POWER_H
#define KZ_EMU_POWER_H

enum kz_power_model { KZ_POWER_EARTH = 0, KZ_POWER_38864 = 1 };

enum kz_sleep { KZ_SLEEP_MICRO = 0, KZ_SLEEP_LIGHT = 1, KZ_SLEEP_DEEP = 2 };
#define KZ_SLEEP_LEVELS 3

enum kz_power_preset {
    KZ_PWR_EARTH_MACRO = 0,    /* N_TRX 6, P_max 20 W, P0 130 W, dp 4.7, P_sleep 75 W */
    KZ_PWR_EARTH_RRH,          /* N_TRX 6, 20 W, 84 W, 2.8, 56 W */
    KZ_PWR_EARTH_MICRO,        /* N_TRX 2, 6.3 W, 56 W, 2.6, 39 W */
    KZ_PWR_EARTH_PICO,         /* N_TRX 2, 0.13 W, 6.8 W, 4.0, 4.3 W */
    KZ_PWR_EARTH_FEMTO,        /* N_TRX 2, 0.05 W, 4.8 W, 8.0, 2.9 W */
    KZ_PWR_EARTH_MACRO_SECTOR, /* the macro row with N_TRX 2: one sector */
    KZ_PWR_38864_SET1,         /* TDD 100 MHz 64 TxRU, unit 1100/280 W */
    KZ_PWR_38864_SET2          /* FDD 20 MHz 32 TxRU, unit 550/200 W */
};

enum kz_power_state { KZ_PWR_ACTIVE = 0, KZ_PWR_ASLEEP = 1, KZ_PWR_WAKING = 2 };

struct kz_power_sleep_level {
    double power_w;            /* draw while asleep at this depth */
    double transition_s;       /* wake-up delay: from kz_power_wake() to serving again */
    double transition_extra_j; /* energy on top of power_w x transition_s */
};

/* Configuration of one cell's power model (data, copied per cell type). */
struct kz_power_params {
    enum kz_power_model model;
    /* EARTH */
    double n_trx, p_max_w, p0_w, delta_p;
    /* TR 38.864 (relative units) */
    double unit_w;             /* watts per relative unit */
    double rel_dl, rel_ul, rel_micro;
    double a, eta, s_a, s_p;
    double dl_fraction;        /* TDD DL share of time; 1 for FDD */
    struct kz_power_sleep_level sleep[KZ_SLEEP_LEVELS];
    double n_txru;             /* transmit chains (TxRUs / TRX) of the cell: 64 / 32 for the
                                  TR 38.864 sets, N_TRX for EARTH (antenna muting, below) */
};

/* Per-cell power state; caller-owned, initialised by kz_power_cell_init(). */
struct kz_power_cell {
    enum kz_power_state state;
    enum kz_sleep depth;   /* meaningful when ASLEEP or WAKING */
    double wake_left_s;    /* WAKING: seconds until serving */
    double energy_j;       /* accumulated since init */
    double last_power_w;   /* mean power over the last kz_power_step() */
    double txru;           /* active TxRU fraction (antenna muting), (0, 1]; 0 reads as 1 */
};

/* Fill p with a preset (table rows above).  Returns 0 or KZ_EINVAL. */
int kz_power_preset(struct kz_power_params *p, enum kz_power_preset which);

/* Use TR 38.864 Category 1 (category = 1) or Category 2 (= 2) transition times and energies.
 * For EARTH presets the energies stay 0 (only times change).  Returns 0 or KZ_EINVAL. */
int kz_power_set_transitions(struct kz_power_params *p, int category);

/* Mean power in W of an active cell at PRB utilisation load (clamped to [0, 1]). */
double kz_power_active_w(const struct kz_power_params *p, double load);

/* Antenna muting (O-NESPolicy antenna masks): mean power in W of an active cell with only a
 * fraction txru in (0, 1] of its transmit chains on (<= 0 or > 1 reads as 1).
 *   TR 38.864: s_a = p->s_a x txru in P_DL = P_micro + s_a (P_DL,ref - P_micro)[A + ...]: the
 *     muted chains' share of the load-dependent AND the A = 0.4 static part of the active DL
 *     power goes; the micro-sleep floor (baseband, common parts) stays.  UL slots are left at
 *     P_UL (receivers assumed kept on: the mask is a TX mask; conservative).
 *   EARTH: per-TRX by construction, P_in = txru x N_TRX (P0 + dp P_out) (the active TRX carry
 *     the same per-TRX output power).
 * kz_power_active_txru_w(p, load, 1) == kz_power_active_w(p, load) exactly.  Examples, TR
 * 38.864 set 1 (64T64R, DDDSU): 0 % load 534 / 403 / 337 W, 100 % 928 / 600 / 436 W with
 * 1, 1/2, 1/4 of the TxRUs. */
double kz_power_active_txru_w(const struct kz_power_params *p, double load, double txru);

/* Power in W asleep at a depth. */
double kz_power_sleep_w(const struct kz_power_params *p, enum kz_sleep depth);

void kz_power_cell_init(struct kz_power_cell *c);

/* ACTIVE or WAKING -> ASLEEP(depth) (a wake in progress is abandoned); ASLEEP -> new depth.
 * Returns 0 or KZ_EINVAL for an unknown depth. */
int kz_power_sleep(struct kz_power_cell *c, enum kz_sleep depth);

/* ASLEEP -> WAKING (or straight to ACTIVE if that depth's transition time is 0).  No-op on a
 * cell that is ACTIVE or already WAKING.  Returns 0. */
int kz_power_wake(struct kz_power_cell *c, const struct kz_power_params *p);

/* 1 if the cell serves UEs (ACTIVE). */
int kz_power_serving(const struct kz_power_cell *c);

/* Advance dt_s seconds at PRB utilisation load (used while ACTIVE, with c->txru of the TxRUs);
 * adds the energy and returns the mean power over the step. */
double kz_power_step(struct kz_power_cell *c, const struct kz_power_params *p, double load,
                     double dt_s);

#endif
