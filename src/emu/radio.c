/*
 * emu/radio.c -- TR 38.901 path loss, LOS probability, shadowing, O2I, antenna, noise, SINR.
 * See radio.h for why this exists, what it guarantees and which tables it follows.
 */
#include "emu/radio.h"

#include <math.h>

#include "emu/rng.h"

#define KZ__PI 3.14159265358979323846

/* Salts that keep the per-link draws independent of each other. */
enum { KZ__SALT_LOS = 1, KZ__SALT_SF = 2, KZ__SALT_O2I = 3, KZ__SALT_GRID = 4 };

void kz_radio_cfg_default(struct kz_radio_cfg *cfg)
{
    cfg->seed = 1;
    cfg->ue_nf_db = 9.0;
    cfg->shadow = KZ_SHADOW_PER_LINK;
    cfg->random_los = 1;
    cfg->o2i_random = 1;
}

double kz_radio_breakpoint_m(double fc_ghz, double h_bs, double h_ut)
{
    return 4.0 * (h_bs - 1.0) * (h_ut - 1.0) * fc_ghz * 1e9 / KZ_RADIO_C_M_PER_S;
}

double kz_radio_pl_uma_los(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut)
{
    double dbp = kz_radio_breakpoint_m(fc_ghz, h_bs, h_ut);
    if (d2d <= dbp)
        return 28.0 + 22.0 * log10(d3d) + 20.0 * log10(fc_ghz);
    double dh = h_bs - h_ut;
    return 28.0 + 40.0 * log10(d3d) + 20.0 * log10(fc_ghz) - 9.0 * log10(dbp * dbp + dh * dh);
}

double kz_radio_pl_uma_nlos(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut)
{
    double los = kz_radio_pl_uma_los(d2d, d3d, fc_ghz, h_bs, h_ut);
    double nlos = 13.54 + 39.08 * log10(d3d) + 20.0 * log10(fc_ghz) - 0.6 * (h_ut - 1.5);
    return nlos > los ? nlos : los;
}

double kz_radio_pl_umi_los(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut)
{
    double dbp = kz_radio_breakpoint_m(fc_ghz, h_bs, h_ut);
    if (d2d <= dbp)
        return 32.4 + 21.0 * log10(d3d) + 20.0 * log10(fc_ghz);
    double dh = h_bs - h_ut;
    return 32.4 + 40.0 * log10(d3d) + 20.0 * log10(fc_ghz) - 9.5 * log10(dbp * dbp + dh * dh);
}

double kz_radio_pl_umi_nlos(double d2d, double d3d, double fc_ghz, double h_bs, double h_ut)
{
    double los = kz_radio_pl_umi_los(d2d, d3d, fc_ghz, h_bs, h_ut);
    double nlos = 22.4 + 35.3 * log10(d3d) + 21.3 * log10(fc_ghz) - 0.3 * (h_ut - 1.5);
    return nlos > los ? nlos : los;
}

double kz_radio_pathloss_db(enum kz_env env, int los, double d2d, double d3d, double fc_ghz,
                            double h_bs, double h_ut)
{
    if (env == KZ_ENV_UMI)
        return los ? kz_radio_pl_umi_los(d2d, d3d, fc_ghz, h_bs, h_ut)
                   : kz_radio_pl_umi_nlos(d2d, d3d, fc_ghz, h_bs, h_ut);
    return los ? kz_radio_pl_uma_los(d2d, d3d, fc_ghz, h_bs, h_ut)
               : kz_radio_pl_uma_nlos(d2d, d3d, fc_ghz, h_bs, h_ut);
}

int kz_radio_pl_valid(enum kz_env env, double d2d, double fc_ghz, double h_ut)
{
    (void)env; /* both rows share the ranges used here */
    return d2d >= 10.0 && d2d <= 5000.0 && fc_ghz >= 0.5 && fc_ghz <= 100.0 && h_ut >= 1.5 &&
           h_ut <= 22.5;
}

double kz_radio_los_prob(enum kz_env env, double d2d_out, double h_ut)
{
    if (d2d_out <= 18.0)
        return 1.0;
    double d = d2d_out;
    if (env == KZ_ENV_UMI)
        return 18.0 / d + exp(-d / 36.0) * (1.0 - 18.0 / d);
    double c = 0.0;
    if (h_ut > 13.0)
        c = pow((h_ut - 13.0) / 10.0, 1.5);
    return (18.0 / d + exp(-d / 63.0) * (1.0 - 18.0 / d)) *
           (1.0 + c * 1.25 * pow(d / 100.0, 3.0) * exp(-d / 150.0));
}

double kz_radio_sf_sigma_db(enum kz_env env, int los)
{
    if (env == KZ_ENV_UMI)
        return los ? 4.0 : 7.82;
    return los ? 4.0 : 6.0;
}

double kz_radio_sf_dcorr_m(enum kz_env env, int los)
{
    if (env == KZ_ENV_UMI)
        return los ? 10.0 : 13.0;
    return los ? 37.0 : 50.0;
}

double kz_radio_o2i_low_db(double fc_ghz, double d_in_m)
{
    double l_glass = 2.0 + 0.2 * fc_ghz;
    double l_concrete = 5.0 + 4.0 * fc_ghz;
    double tw = 5.0 - 10.0 * log10(0.3 * pow(10.0, -l_glass / 10.0) +
                                   0.7 * pow(10.0, -l_concrete / 10.0));
    return tw + 0.5 * d_in_m;
}

static double kz__wrap180(double deg)
{
    if (deg >= -540.0 && deg <= 540.0) { /* the usual case (bearing - azimuth): no fmod */
        if (deg > 180.0)
            deg -= 360.0;
        else if (deg < -180.0)
            deg += 360.0;
        if (deg > 180.0)
            deg -= 360.0;
        else if (deg < -180.0)
            deg += 360.0;
        return deg;
    }
    deg = fmod(deg, 360.0);
    if (deg > 180.0)
        deg -= 360.0;
    else if (deg < -180.0)
        deg += 360.0;
    return deg;
}

double kz_radio_ant_h_db(const struct kz_antenna *a, double phi_deg)
{
    if (!(a->hpbw_h_deg > 0.0))
        return 0.0; /* omni */
    double r = kz__wrap180(phi_deg) / a->hpbw_h_deg;
    double att = 12.0 * r * r;
    return -(att < a->a_max_db ? att : a->a_max_db);
}

double kz_radio_ant_v_db(const struct kz_antenna *a, double theta_deg)
{
    if (!(a->hpbw_v_deg > 0.0))
        return 0.0;
    double r = (theta_deg - 90.0 - a->downtilt_deg) / a->hpbw_v_deg;
    double att = 12.0 * r * r;
    return -(att < a->sla_v_db ? att : a->sla_v_db);
}

double kz_radio_ant_gain_dbi(const struct kz_antenna *a, double phi_deg, double theta_deg)
{
    double att = -(kz_radio_ant_h_db(a, phi_deg) + kz_radio_ant_v_db(a, theta_deg));
    if (att > a->a_max_db)
        att = a->a_max_db;
    return a->gain_dbi - att;
}

double kz_radio_noise_dbm(double bw_hz, double nf_db)
{
    return -174.0 + 10.0 * log10(bw_hz) + nf_db;
}

double kz_radio_cell_noise_dbm(const struct kz_cell *c, double nf_db)
{
    return kz_radio_noise_dbm((double)c->n_prb * 12.0 * (double)c->scs_khz * 1e3, nf_db);
}

/* Normalised bilinear interpolation of i.i.d. N(0,1) grid values: the weights w_i give
 * sum(w_i z_i) / sqrt(sum w_i^2), which is exactly N(0,1) at every point. */
static double kz__grid_normal(uint64_t seed, uint32_t site, int los, double x, double y,
                              double spacing)
{
    double gx = x / spacing, gy = y / spacing;
    double fx = floor(gx), fy = floor(gy);
    double tx = gx - fx, ty = gy - fy;
    int64_t ix = (int64_t)fx, iy = (int64_t)fy;
    double w[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
    double sum = 0.0, norm = 0.0;
    for (int k = 0; k < 4; k++) {
        uint64_t cx = (uint64_t)(ix + (k & 1)), cy = (uint64_t)(iy + (k >> 1));
        uint64_t key = (cx << 32) ^ (cy & 0xffffffffULL);
        uint64_t salt = ((uint64_t)KZ__SALT_GRID << 32) | ((uint64_t)site << 1) | (uint64_t)!!los;
        sum += w[k] * kz_rng_normal_from_bits(kz_rng_hash3(seed, salt, key, 0));
        norm += w[k] * w[k];
    }
    return sum / sqrt(norm);
}

double kz_radio_shadow_db(const struct kz_radio_cfg *cfg, enum kz_env env, int los,
                          uint32_t ue_id, uint32_t site, double x, double y)
{
    double sigma = kz_radio_sf_sigma_db(env, los);
    switch (cfg->shadow) {
    case KZ_SHADOW_PER_LINK:
        return sigma * kz_rng_normal_from_bits(
                           kz_rng_hash3(cfg->seed, KZ__SALT_SF, ue_id, site));
    case KZ_SHADOW_SPATIAL:
        return sigma * kz__grid_normal(cfg->seed, site, los, x, y, kz_radio_sf_dcorr_m(env, los));
    case KZ_SHADOW_OFF:
    default:
        return 0.0;
    }
}

double kz_radio_los_u(const struct kz_radio_cfg *cfg, uint32_t ue_id, uint32_t site)
{
    return kz_rng_u01_from_bits(kz_rng_hash3(cfg->seed, KZ__SALT_LOS, ue_id, site));
}

double kz_radio_sf_z(const struct kz_radio_cfg *cfg, uint32_t ue_id, uint32_t site)
{
    return kz_rng_normal_from_bits(kz_rng_hash3(cfg->seed, KZ__SALT_SF, ue_id, site));
}

double kz_radio_o2i_z(const struct kz_radio_cfg *cfg, uint32_t ue_id)
{
    return kz_rng_normal_from_bits(kz_rng_hash3(cfg->seed, KZ__SALT_O2I, ue_id, 0));
}

void kz_radio_link(const struct kz_radio_cfg *cfg, const struct kz_cell *cell,
                   const struct kz_ue_geo *ue, struct kz_link *out)
{
    enum kz_env env = (enum kz_env)cell->env;
    double dx = ue->x - cell->x, dy = ue->y - cell->y;
    double dmin = env == KZ_ENV_UMI ? 10.0 : 35.0; /* TR 38.901 Table 7.2-1 */
    double d2d = sqrt(dx * dx + dy * dy);
    if (d2d < dmin)
        d2d = dmin;
    double dh = cell->height_m - ue->h_m;
    double d3d = sqrt(d2d * d2d + dh * dh);
    int indoor = ue->d_in_m > 0.0;
    double d_out = d2d - (indoor ? ue->d_in_m : 0.0);
    if (d_out < 0.0)
        d_out = 0.0;

    int los = 0;
    if (cfg->random_los) {
        double p = kz_radio_los_prob(env, d_out, ue->h_m);
        double u = kz_rng_u01_from_bits(kz_rng_hash3(cfg->seed, KZ__SALT_LOS, ue->id, cell->site));
        los = u < p;
    }
    out->d2d_m = d2d;
    out->d3d_m = d3d;
    out->los = los;
    out->pl_db = kz_radio_pathloss_db(env, los, d2d, d3d, cell->fc_ghz, cell->height_m, ue->h_m);
    out->sf_db = kz_radio_shadow_db(cfg, env, los, ue->id, cell->site, ue->x, ue->y);
    out->o2i_db = 0.0;
    if (indoor) {
        out->o2i_db = kz_radio_o2i_low_db(cell->fc_ghz, ue->d_in_m);
        if (cfg->o2i_random)
            out->o2i_db += 4.4 * kz_rng_normal_from_bits(
                                     kz_rng_hash3(cfg->seed, KZ__SALT_O2I, ue->id, 0));
    }

    /* Bearing of the UE from the cell, clockwise from north, then off boresight. */
    double bearing = atan2(dx, dy) * 180.0 / KZ__PI;
    double phi = bearing - cell->azimuth_deg;
    double theta = 90.0 + atan2(dh, d2d) * 180.0 / KZ__PI;
    out->ant_db = kz_radio_ant_gain_dbi(&cell->ant, phi, theta);
    out->gain_db = out->ant_db - out->pl_db - out->sf_db - out->o2i_db;
}

double kz_radio_rx_dbm(const struct kz_cell *cell, double gain_db)
{
    return cell->tx_power_dbm + gain_db;
}

double kz_radio_rsrp_dbm(const struct kz_cell *cell, double gain_db)
{
    return cell->tx_power_dbm - 10.0 * log10(12.0 * (double)cell->n_prb) + gain_db;
}

double kz_radio_sinr_db(const struct kz_cell *cells, size_t n_cells, const double *rx_mw,
                        const uint8_t *on, const double *load, size_t serving, double noise_mw)
{
    if (serving >= n_cells || !on[serving])
        return -INFINITY;
    uint16_t carrier = cells[serving].carrier;
    double interference = 0.0;
    for (size_t j = 0; j < n_cells; j++) {
        if (j == serving || !on[j] || cells[j].carrier != carrier)
            continue;
        double l = load[j];
        if (l > 1.0)
            l = 1.0;
        if (l > 0.0)
            interference += l * rx_mw[j];
    }
    return 10.0 * log10(rx_mw[serving] / (noise_mw + interference));
}

double kz_radio_dbm_to_mw(double dbm)
{
    return pow(10.0, dbm / 10.0);
}

double kz_radio_mw_to_dbm(double mw)
{
    return 10.0 * log10(mw);
}
