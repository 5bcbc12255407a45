/*
 * emu/radio.h -- how strongly each cell is heard by each UE, and the SINR that results.
 *
 * Why: the point of the emulator is that an xApp's decisions have physical consequences --
 * switching a cell off removes its interference and its coverage, loading a neighbour raises
 * interference.  That needs a path-loss model that 3GPP evaluations agree on, not random
 * numbers.  All formulas are from 3GPP TR 38.901 (V17) as summarised in
 * ../shared/spec/MODELS.md "Propagation":
 *  - Table 7.4.1-1 path loss, UMa and UMi-Street Canyon, LOS and NLOS, breakpoint distance
 *    d'BP = 4 h'BS h'UT fc / c with effective heights h' = h - 1 m (hE = 1 m: exact for
 *    hUT <= 13 m, where C(d2D, hUT) = 0; used as an approximation above).  Ranges of
 *    validity: 10 m <= d2D <= 5 km, 1.5 m <= hUT <= 22.5 m, 0.5 <= fc <= 100 GHz.
 *    kz_radio_link() places a UE closer than the Table 7.2-1 minimum BS-UE distance (35 m UMa,
 *    10 m UMi) at that distance; beyond 5 km the formula is extrapolated.
 *  - Table 7.4.2-1 LOS probability (outdoor part of the 2-D distance).
 *  - Table 7.4.1-1 log-normal shadow fading sigma (UMa 4 / 6 dB, UMi 4 / 7.82 dB).
 *  - §7.4.3 O2I building penetration, low-loss model (Table 7.4.3-2: 30 % glass, 70 %
 *    concrete, PL_in = 0.5 d2D-in, sigma_P = 4.4 dB).
 *  - Table 7.3-1 antenna pattern (horizontal HPBW 65 deg, A_max 30 dB) with a vertical
 *    pattern around a downtilt (see struct kz_antenna in topology.h).
 *  - Thermal noise -174 dBm/Hz over the occupied bandwidth (N_PRB x 12 x SCS) + UE noise
 *    figure (9 dB, Table 7.8-2 / MODELS.md).
 *
 * Randomness is a pure function of (seed, UE id, site id): the LOS state, the shadowing and the
 * O2I loss of a link are drawn by hashing (rng.h), so the same scenario gives the same radio
 * map on every run and every machine, regardless of evaluation order.  Shadowing and LOS are
 * per site (co-sited cells share them), as in TR 38.901 where large-scale parameters belong to
 * the BS-UT link.  A per-link draw stays fixed as the UE moves; KZ_SHADOW_SPATIAL instead
 * draws from a seeded grid of decorrelation-distance spacing (37 m UMa LOS, 50 m NLOS,
 * 10 / 13 m UMi, Table 7.5-6) with normalised bilinear interpolation, so shadowing varies
 * smoothly along a UE's path and keeps its N(0, sigma^2) marginal.
 *
 * Nothing here allocates or keeps state; the per-step path is kz_radio_sinr_db() over caller
 * arrays of received powers.
 */
#ifndef KZ_EMU_RADIO_H
#define KZ_EMU_RADIO_H

#include <stddef.h>
#include <stdint.h>

#include "emu/topology.h"

#define KZ_RADIO_C_M_PER_S 3.0e8 /* TR 38.901 uses c = 3.0e8 m/s */

enum kz_shadow_mode {
    KZ_SHADOW_OFF = 0,
    KZ_SHADOW_PER_LINK = 1, /* one draw per (UE, site), fixed while the UE moves */
    KZ_SHADOW_SPATIAL = 2   /* seeded grid per site, varies with UE position */
};

struct kz_radio_cfg {
    uint64_t seed;
    double ue_nf_db;           /* UE noise figure, 9 dB */
    enum kz_shadow_mode shadow;
    int random_los;            /* 1: draw LOS with the Table 7.4.2-1 probability; 0: NLOS */
    int o2i_random;            /* 1: add the N(0, 4.4^2) O2I term */
};

/* Where a UE is.  d_in_m > 0 marks it indoor with that 2-D distance inside the building. */
struct kz_ue_geo {
    uint32_t id;
    double x, y, h_m;
    double d_in_m;
};

/* One BS-UE link, filled by kz_radio_link(). */
struct kz_link {
    double d2d_m, d3d_m;
    double pl_db;     /* basic path loss for the drawn LOS state, without shadowing */
    double sf_db;     /* shadow fading added */
    double o2i_db;    /* building penetration (0 outdoors) */
    double ant_db;    /* antenna gain towards the UE, dBi (boresight gain minus attenuation) */
    double gain_db;   /* coupling gain = ant_db - pl_db - sf_db - o2i_db */
    int los;
};

/* Defaults: seed 1, NF 9 dB, per-link shadowing, random LOS, random O2I. */
void kz_radio_cfg_default(struct kz_radio_cfg *cfg);

/* d'BP in metres (fc in GHz, heights in m; h' = h - 1 m). */
double kz_radio_breakpoint_m(double fc_ghz, double h_bs, double h_ut);

/* Table 7.4.1-1 path loss in dB.  d2d, d3d in m, fc in GHz.  NLOS is max(LOS, NLOS'). */
double kz_radio_pl_uma_los(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut);
double kz_radio_pl_uma_nlos(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut);
double kz_radio_pl_umi_los(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut);
double kz_radio_pl_umi_nlos(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut);
double kz_radio_pathloss_db(enum kz_env env, int los, double d2d, double d3d, double fc_ghz,
                            double h_bs, double h_ut);

/* 1 if (d2d, h_ut, fc) is inside the table's range of validity, else 0. */
int kz_radio_pl_valid(enum kz_env env, double d2d, double fc_ghz, double h_ut);

/* Table 7.4.2-1 LOS probability for the outdoor 2-D distance. */
double kz_radio_los_prob(enum kz_env env, double d2d_out, double h_ut);

/* Table 7.4.1-1 shadow fading standard deviation, dB. */
double kz_radio_sf_sigma_db(enum kz_env env, int los);

/* Table 7.5-6 shadowing decorrelation distance, m. */
double kz_radio_sf_dcorr_m(enum kz_env env, int los);

/* §7.4.3 low-loss O2I: PL_tw + PL_in (deterministic part), dB. */
double kz_radio_o2i_low_db(double fc_ghz, double d_in_m);

/* Antenna attenuation cuts and the combined gain (dBi) of Table 7.3-1.  phi: horizontal angle
 * off boresight in degrees (any value, wrapped to [-180, 180]); theta: zenith angle in degrees
 * (90 = horizon, > 90 below the horizon). */
double kz_radio_ant_h_db(const struct kz_antenna *a, double phi_deg);
double kz_radio_ant_v_db(const struct kz_antenna *a, double theta_deg);
double kz_radio_ant_gain_dbi(const struct kz_antenna *a, double phi_deg, double theta_deg);

/* Thermal noise power in dBm over bw_hz with noise figure nf_db. */
double kz_radio_noise_dbm(double bw_hz, double nf_db);

/* Noise over a cell's occupied bandwidth, N_PRB x 12 x SCS. */
double kz_radio_cell_noise_dbm(const struct kz_cell *c, double nf_db);

/* Shadowing in dB for the link UE -> site (see the mode comment above). */
double kz_radio_shadow_db(const struct kz_radio_cfg *cfg, enum kz_env env, int los,
                          uint32_t ue_id, uint32_t site, double x, double y);

/* The random parts of a link, for callers that cache them per (UE, site) instead of hashing
 * on every evaluation: the uniform that decides LOS (LOS iff u < kz_radio_los_prob()), the
 * N(0,1) of per-link shadowing (times kz_radio_sf_sigma_db()), and the N(0,1) of the O2I
 * term (per UE, times 4.4 dB).  kz_radio_link() uses exactly these values. */
double kz_radio_los_u(const struct kz_radio_cfg *cfg, uint32_t ue_id, uint32_t site);
double kz_radio_sf_z(const struct kz_radio_cfg *cfg, uint32_t ue_id, uint32_t site);
double kz_radio_o2i_z(const struct kz_radio_cfg *cfg, uint32_t ue_id);

/* The whole link budget of one cell towards one UE. */
void kz_radio_link(const struct kz_radio_cfg *cfg, const struct kz_cell *cell,
                   const struct kz_ue_geo *ue, struct kz_link *out);

/* Total received power (all PRBs, cell fully loaded) in dBm for a coupling gain. */
double kz_radio_rx_dbm(const struct kz_cell *cell, double gain_db);

/* RSRP (per resource element, TS 38.215) in dBm: Tx power spread evenly over N_PRB x 12 REs. */
double kz_radio_rsrp_dbm(const struct kz_cell *cell, double gain_db);

/*
 * Downlink SINR in dB of a UE served by cells[serving].
 *   rx_mw[j]  received power from cell j at full load, mW (kz_radio_rx_dbm converted);
 *   on[j]     non-zero if cell j transmits (not asleep / not switched off);
 *   load[j]   PRB utilisation of cell j in [0, 1].
 * Interference = sum over on cells j != serving on the same carrier of load[j] x rx_mw[j]
 * (a neighbour that uses a fraction of its PRBs collides with that fraction of ours).
 * noise_mw is the noise over the serving cell's bandwidth.  Returns -INFINITY when the
 * serving cell is off.  O(n_cells), no allocation.
 */
double kz_radio_sinr_db(const struct kz_cell *cells, size_t n_cells, const double *rx_mw,
                        const uint8_t *on, const double *load, size_t serving, double noise_mw);

/* dBm <-> mW. */
double kz_radio_dbm_to_mw(double dbm);
double kz_radio_mw_to_dbm(double mw);

#endif
