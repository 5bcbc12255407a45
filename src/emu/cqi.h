/*
 * emu/cqi.h -- from SINR to CQI to spectral efficiency to bits per second.
 *
 * Why: KPM reports CQI and throughput, and the scheduler needs what one PRB is worth to each
 * UE.  Both must follow the tables a real gNB uses, so that "cell throughput" means the same
 * thing here as on a drive test.
 *
 * Sources (../shared/spec/MODELS.md "Link to throughput"):
 *  - TS 38.214 Table 5.2.2.1-2 (4-bit CQI table 1, up to 64QAM) and Table 5.2.2.1-3 (table 2,
 *    up to 256QAM): modulation order Qm, code rate x 1024, spectral efficiency = Qm x R.
 *    Both are transcribed below; a unit test checks SE = Qm x rate / 1024 row by row.
 *  - SINR thresholds for a 10 % BLER: 3GPP does not publish them (they depend on the receiver).
 *    We use an APPROXIMATION: the Shannon bound with an SNR gap,
 *        SINR_th(i) = 10 log10(2^SE_i - 1) + Gamma,   Gamma = 2.5 dB,
 *    i.e. each CQI needs 2.5 dB more than capacity would for its spectral efficiency (a
 *    typical gap of practical LDPC coding at 10 % BLER).  This puts CQI 1 at -7.0 dB, table 1
 *    CQI 15 at 19.1 dB and table 2 CQI 15 at 24.8 dB.  The table is precomputed (a unit test
 *    recomputes it from the formula) so the per-step mapping is a table scan.
 *  - TR 36.942 Annex A.2 attenuated, truncated Shannon (0 below -10 dB, 0.6 log2(1 + SINR),
 *    capped at 4.4 bit/s/Hz) is offered as the alternative MODELS.md lists.
 *  - Throughput per TS 38.306 §4.1.2:  layers x SE x (N_PRB x 12) x (14 x 2^mu / 1 ms)
 *    x (1 - OH) x DL fraction, with OH = 0.14 for FR1 downlink (0.18 FR2 DL, 0.08 FR1 UL,
 *    0.10 FR2 UL) and the TDD DL fraction of the slot pattern (1 for FDD).  The 38.306 scaling
 *    factor f is 1.  Example: 100 MHz @ 30 kHz (273 PRBs), table 2 CQI 15 (7.4063), 1 layer,
 *    DDDSU (0.743): 434 Mbit/s; 4 layers 1.74 Gbit/s.  20 MHz FDD (106 PRBs), table 1 CQI 15
 *    (5.5547), 2 layers: 170 Mbit/s.
 *
 * Pure functions, no state, no allocation.
 */
#ifndef KZ_EMU_CQI_H
#define KZ_EMU_CQI_H

#include <stdint.h>

#define KZ_CQI_MAX 15
#define KZ_CQI_GAP_DB 2.5
#define KZ_CQI_OH_FR1_DL 0.14
#define KZ_CQI_OH_FR2_DL 0.18
#define KZ_CQI_OH_FR1_UL 0.08
#define KZ_CQI_OH_FR2_UL 0.10

enum kz_cqi_table {
    KZ_CQI_TABLE1 = 1, /* TS 38.214 Table 5.2.2.1-2, 64QAM */
    KZ_CQI_TABLE2 = 2  /* TS 38.214 Table 5.2.2.1-3, 256QAM */
};

/* One row of a CQI table.  CQI 0 is "out of range": qm = 0, se = 0. */
struct kz_cqi_entry {
    uint8_t qm;          /* 2 QPSK, 4 16QAM, 6 64QAM, 8 256QAM */
    uint16_t rate_x1024; /* code rate x 1024 */
    double se;           /* spectral efficiency, bit/s/Hz, as printed (4 decimals) */
    double sinr_db;      /* our 10 % BLER threshold (approximation, see above) */
};

/* Row cqi (0..15) of a table, or NULL for an unknown table or index. */
const struct kz_cqi_entry *kz_cqi_entry(enum kz_cqi_table table, unsigned cqi);

/* Spectral efficiency of a CQI (0 for CQI 0 or out of range). */
double kz_cqi_se(enum kz_cqi_table table, unsigned cqi);

/* The highest CQI whose threshold is <= sinr_db; 0 when even CQI 1 is not reached. */
unsigned kz_cqi_from_sinr(enum kz_cqi_table table, double sinr_db);

/* The threshold formula itself, for tests and docs: 10 log10(2^se - 1) + KZ_CQI_GAP_DB. */
double kz_cqi_threshold_formula_db(double se);

/* TR 36.942 Annex A.2 truncated Shannon SE, bit/s/Hz. */
double kz_cqi_se_36942(double sinr_db);

/* Bit/s carried by one PRB at spectral efficiency se (38.306 style, see above). */
double kz_cqi_rate_per_prb_bps(double se, unsigned layers, unsigned scs_khz, double dl_fraction,
                               double overhead);

/* Bit/s over n_prb PRBs: n_prb x kz_cqi_rate_per_prb_bps(). */
double kz_cqi_throughput_bps(double se, unsigned layers, unsigned n_prb, unsigned scs_khz,
                             double dl_fraction, double overhead);

#endif
