/*
 * Unit tests of emu/radio: TR 38.901 path loss, LOS probability, O2I, antenna, noise, SINR and
 * the determinism of the seeded LOS / shadowing draws.  Expected values are worked out by hand
 * from the formulas in ../shared/spec/MODELS.md (TR 38.901 Table 7.4.1-1 etc.) in comments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/radio.h"
#include "emu/topology.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* d'BP = 4 (hBS-1)(hUT-1) fc / c.  UMa 3.5 GHz: 4 x 24 x 0.5 x 3.5e9 / 3e8 = 560 m.
 * UMi 3.5 GHz: 4 x 9 x 0.5 x 3.5e9 / 3e8 = 210 m.  UMa 1.8425 GHz: 48 x 6.1417 = 294.8 m. */
static void test_breakpoint(void **state)
{
    (void)state;
    NEAR(kz_radio_breakpoint_m(3.5, 25.0, 1.5), 560.0, 1e-9);
    NEAR(kz_radio_breakpoint_m(3.5, 10.0, 1.5), 210.0, 1e-9);
    NEAR(kz_radio_breakpoint_m(1.8425, 25.0, 1.5), 294.8, 1e-9);
}

/* UMa, fc 3.5 GHz, hBS 25 m, hUT 1.5 m (dh = 23.5 m), log10(3.5) = 0.544068.
 *  d2D 100 m: d3D = sqrt(100^2 + 23.5^2) = 102.7241, log10 = 2.011673
 *    LOS (d2D < 560): 28 + 22 x 2.011673 + 20 x 0.544068 = 28 + 44.2568 + 10.8814 = 83.138
 *    NLOS': 13.54 + 39.08 x 2.011673 + 10.8814 = 13.54 + 78.6162 + 10.8814 = 103.038
 *  d2D 500 m: d3D = 500.5519, log10 = 2.699449
 *    LOS: 28 + 59.3879 + 10.8814 = 98.269;  NLOS': 13.54 + 105.4945 + 10.8814 = 129.916
 *  d2D 1000 m (beyond d'BP): d3D = 1000.2761, log10 = 3.000120;
 *    log10(560^2 + 23.5^2) = log10(314152.25) = 5.497140
 *    LOS: 28 + 40 x 3.000120 + 10.8814 - 9 x 5.497140 = 28 + 120.0048 + 10.8814 - 49.4743
 *         = 109.412;  NLOS': 13.54 + 117.2447 + 10.8814 = 141.666 */
static void test_uma_pathloss(void **state)
{
    (void)state;
    double d3 = sqrt(100.0 * 100.0 + 23.5 * 23.5);
    NEAR(kz_radio_pl_uma_los(100.0, d3, 3.5, 25.0, 1.5), 83.138, 0.002);
    NEAR(kz_radio_pl_uma_nlos(100.0, d3, 3.5, 25.0, 1.5), 103.038, 0.002);
    d3 = sqrt(500.0 * 500.0 + 23.5 * 23.5);
    NEAR(kz_radio_pl_uma_los(500.0, d3, 3.5, 25.0, 1.5), 98.269, 0.002);
    NEAR(kz_radio_pl_uma_nlos(500.0, d3, 3.5, 25.0, 1.5), 129.916, 0.002);
    d3 = sqrt(1000.0 * 1000.0 + 23.5 * 23.5);
    NEAR(kz_radio_pl_uma_los(1000.0, d3, 3.5, 25.0, 1.5), 109.412, 0.002);
    NEAR(kz_radio_pl_uma_nlos(1000.0, d3, 3.5, 25.0, 1.5), 141.666, 0.002);
    /* Coverage band 1.8425 GHz, d2D 300 m (beyond d'BP 294.8 m): d3D = 300.9190,
     * LOS = 28 + 40 log10(300.919) + 20 log10(1.8425) - 9 log10(294.8^2 + 23.5^2)
     *     = 28 + 99.1380 + 5.3081 - 44.4763 = 87.970; NLOS' = 13.54 + 96.8578 + 5.3081
     *     = 115.706 */
    d3 = sqrt(300.0 * 300.0 + 23.5 * 23.5);
    NEAR(kz_radio_pl_uma_los(300.0, d3, 1.8425, 25.0, 1.5), 87.970, 0.002);
    NEAR(kz_radio_pl_uma_nlos(300.0, d3, 1.8425, 25.0, 1.5), 115.706, 0.002);
    /* Continuity at the breakpoint: both branches meet (within 0.05 dB) at d2D = d'BP. */
    d3 = sqrt(560.0 * 560.0 + 23.5 * 23.5);
    double below = 28.0 + 22.0 * log10(d3) + 20.0 * log10(3.5);
    double above = 28.0 + 40.0 * log10(d3) + 20.0 * log10(3.5) -
                   9.0 * log10(560.0 * 560.0 + 23.5 * 23.5);
    NEAR(below, above, 0.05);
    /* Path loss grows with distance and frequency. */
    assert_true(kz_radio_pathloss_db(KZ_ENV_UMA, 0, 200, 201, 3.5, 25, 1.5) >
                kz_radio_pathloss_db(KZ_ENV_UMA, 0, 200, 201, 1.8, 25, 1.5));
}

/* UMi-Street Canyon, fc 3.5 GHz, hBS 10 m, hUT 1.5 m (dh 8.5 m).
 *  d2D 50 m: d3D = 50.7174; LOS = 32.4 + 21 log10(50.7174) + 20 log10(3.5)
 *    = 32.4 + 35.8082 + 10.8814 = 79.090; NLOS' = 22.4 + 35.3 x 1.705157 + 21.3 x 0.544068
 *    = 22.4 + 60.1920 + 11.5886 = 94.181
 *  d2D 300 m (beyond d'BP 210): d3D = 300.1204, log10 = 2.477296;
 *    log10(210^2 + 8.5^2) = 4.645150; LOS = 32.4 + 99.0918 + 10.8814 - 44.1289 = 98.244 */
static void test_umi_pathloss(void **state)
{
    (void)state;
    double d3 = sqrt(50.0 * 50.0 + 8.5 * 8.5);
    NEAR(kz_radio_pl_umi_los(50.0, d3, 3.5, 10.0, 1.5), 79.090, 0.002);
    NEAR(kz_radio_pl_umi_nlos(50.0, d3, 3.5, 10.0, 1.5), 94.181, 0.002);
    d3 = sqrt(300.0 * 300.0 + 8.5 * 8.5);
    NEAR(kz_radio_pl_umi_los(300.0, d3, 3.5, 10.0, 1.5), 98.244, 0.002);
    assert_true(kz_radio_pl_valid(KZ_ENV_UMI, 300.0, 3.5, 1.5));
    assert_false(kz_radio_pl_valid(KZ_ENV_UMI, 5.0, 3.5, 1.5));
    assert_false(kz_radio_pl_valid(KZ_ENV_UMA, 6000.0, 3.5, 1.5));
    assert_false(kz_radio_pl_valid(KZ_ENV_UMA, 100.0, 0.3, 1.5));
}

/* Table 7.4.2-1.  UMa (hUT <= 13 m): 18/d + exp(-d/63)(1 - 18/d):
 *   d 50: 0.36 + 0.45158 x 0.64 = 0.649402;  d 100: 0.18 + 0.20424 x 0.82 = 0.347671
 *   d 200: 0.09 + 0.04182 x 0.91 = 0.128048
 * UMi: 18/d + exp(-d/36)(1 - 18/d):  d 50: 0.36 + 0.24935 x 0.64 = 0.519585;
 *   d 100: 0.18 + 0.06218 x 0.82 = 0.230985
 * UMa hUT 20 m, d 100: C' = (0.7)^1.5 = 0.585662; factor 1 + C' x 1.25 x 1 x exp(-2/3)
 *   = 1.375871; 0.347671 x 1.375871 = 0.478347 */
static void test_los_probability(void **state)
{
    (void)state;
    NEAR(kz_radio_los_prob(KZ_ENV_UMA, 10.0, 1.5), 1.0, 0.0);
    NEAR(kz_radio_los_prob(KZ_ENV_UMA, 18.0, 1.5), 1.0, 0.0);
    NEAR(kz_radio_los_prob(KZ_ENV_UMA, 50.0, 1.5), 0.649402, 1e-5);
    NEAR(kz_radio_los_prob(KZ_ENV_UMA, 100.0, 1.5), 0.347671, 1e-5);
    NEAR(kz_radio_los_prob(KZ_ENV_UMA, 200.0, 1.5), 0.128048, 1e-5);
    NEAR(kz_radio_los_prob(KZ_ENV_UMI, 50.0, 1.5), 0.519585, 1e-5);
    NEAR(kz_radio_los_prob(KZ_ENV_UMI, 100.0, 1.5), 0.230985, 1e-5);
    NEAR(kz_radio_los_prob(KZ_ENV_UMA, 100.0, 20.0), 0.478347, 1e-5);
    NEAR(kz_radio_sf_sigma_db(KZ_ENV_UMA, 1), 4.0, 0);
    NEAR(kz_radio_sf_sigma_db(KZ_ENV_UMA, 0), 6.0, 0);
    NEAR(kz_radio_sf_sigma_db(KZ_ENV_UMI, 0), 7.82, 0);
}

/* O2I low loss at 3.5 GHz: L_glass = 2 + 0.7 = 2.7 dB, L_concrete = 5 + 14 = 19 dB;
 * 0.3 x 10^-0.27 + 0.7 x 10^-1.9 = 0.161109 + 0.008812 = 0.169922; PL_tw = 5 + 7.6978
 * = 12.698 dB; with d_in 10 m add 5 dB -> 17.698. */
static void test_o2i(void **state)
{
    (void)state;
    NEAR(kz_radio_o2i_low_db(3.5, 0.0), 12.698, 0.001);
    NEAR(kz_radio_o2i_low_db(3.5, 10.0), 17.698, 0.001);
    assert_true(kz_radio_o2i_low_db(1.8425, 0.0) < kz_radio_o2i_low_db(3.5, 0.0));
}

/* Table 7.3-1 horizontal cut, HPBW 65 deg, A_max 30 dB: A_H(0) = 0;
 * A_H(60) = -12 (60/65)^2 = -10.225 dB; A_H(180) = -min(12 (180/65)^2 = 92.0, 30) = -30. */
static void test_antenna(void **state)
{
    (void)state;
    struct kz_antenna a = {14.0, 65.0, 30.0, 10.0, 20.0, 6.0};
    NEAR(kz_radio_ant_h_db(&a, 0.0), 0.0, 1e-12);
    NEAR(kz_radio_ant_h_db(&a, 60.0), -10.224852, 1e-6);
    NEAR(kz_radio_ant_h_db(&a, -60.0), -10.224852, 1e-6);
    NEAR(kz_radio_ant_h_db(&a, 180.0), -30.0, 1e-12);
    NEAR(kz_radio_ant_h_db(&a, 300.0), -10.224852, 1e-6); /* wraps to -60 */
    /* 3 dB down at half the HPBW. */
    NEAR(kz_radio_ant_h_db(&a, 32.5), -3.0, 1e-9);
    /* Vertical: peak at the downtilt (theta = 96), 12 (6/10)^2 = 4.32 dB down at the horizon,
     * capped at SLA_V = 20 dB. */
    NEAR(kz_radio_ant_v_db(&a, 96.0), 0.0, 1e-12);
    NEAR(kz_radio_ant_v_db(&a, 90.0), -4.32, 1e-9);
    NEAR(kz_radio_ant_v_db(&a, 150.0), -20.0, 1e-12);
    /* Combined: boresight at the tilt gives the full 14 dBi; behind, capped at A_max 30. */
    NEAR(kz_radio_ant_gain_dbi(&a, 0.0, 96.0), 14.0, 1e-12);
    NEAR(kz_radio_ant_gain_dbi(&a, 60.0, 90.0), 14.0 - 10.224852 - 4.32, 1e-6);
    NEAR(kz_radio_ant_gain_dbi(&a, 180.0, 150.0), 14.0 - 30.0, 1e-12);
    /* Omni: no horizontal dependence. */
    struct kz_antenna o = {5.0, 0.0, 30.0, 65.0, 30.0, 0.0};
    NEAR(kz_radio_ant_gain_dbi(&o, 0.0, 90.0), kz_radio_ant_gain_dbi(&o, 137.0, 90.0), 0);
}

/* Noise: -174 + 10 log10(273 x 12 x 30 kHz = 98.28 MHz) + 9 = -174 + 79.925 + 9 = -85.075;
 * 106 PRB x 12 x 15 kHz = 19.08 MHz: -174 + 72.806 + 9 = -92.194. */
static void test_noise(void **state)
{
    (void)state;
    struct kz_cell c = {0};
    c.n_prb = 273;
    c.scs_khz = 30;
    NEAR(kz_radio_cell_noise_dbm(&c, 9.0), -85.0753, 1e-3);
    c.n_prb = 106;
    c.scs_khz = 15;
    NEAR(kz_radio_cell_noise_dbm(&c, 9.0), -92.1942, 1e-3);
    NEAR(kz_radio_noise_dbm(1e6, 0.0), -114.0, 1e-9);
}

/* SINR: serving -70 dBm, noise -90 dBm, one co-channel neighbour at -80 dBm.
 *  neighbour idle (load 0): SINR = -70 - (-90) = 20 dB.
 *  load 1: I + N = 1e-8 + 1e-9 mW = 1.1e-8 -> SINR = -70 + 79.586 = 9.586 dB.
 *  load 0.5: 5e-9 + 1e-9 = 6e-9 -> 12.218 dB.  Neighbour off: 20 dB.  Other carrier: 20 dB. */
static void test_sinr(void **state)
{
    (void)state;
    struct kz_cell cells[3] = {{0}};
    cells[0].carrier = 1;
    cells[1].carrier = 1;
    cells[2].carrier = 0;
    double rx[3] = {kz_radio_dbm_to_mw(-70), kz_radio_dbm_to_mw(-80), kz_radio_dbm_to_mw(-60)};
    uint8_t on[3] = {1, 1, 1};
    double load[3] = {0.3, 0.0, 1.0};
    double n = kz_radio_dbm_to_mw(-90);
    NEAR(kz_radio_sinr_db(cells, 3, rx, on, load, 0, n), 20.0, 1e-9);
    load[1] = 1.0;
    NEAR(kz_radio_sinr_db(cells, 3, rx, on, load, 0, n), 9.586, 1e-3);
    load[1] = 0.5;
    NEAR(kz_radio_sinr_db(cells, 3, rx, on, load, 0, n), 12.218, 1e-3);
    on[1] = 0;
    NEAR(kz_radio_sinr_db(cells, 3, rx, on, load, 0, n), 20.0, 1e-9);
    on[0] = 0;
    assert_true(isinf(kz_radio_sinr_db(cells, 3, rx, on, load, 0, n)));
}

/* A full link: LOS state, shadowing and O2I are functions of (seed, UE, site) only. */
static void test_link_determinism(void **state)
{
    (void)state;
    struct kz_topo_cfg cfg;
    kz_topo_cfg_default(&cfg);
    struct kz_site sites[7];
    struct kz_cell cells[42];
    struct kz_topo t;
    kz_topo_init(&t, sites, 7, cells, 42);
    assert_int_equal(kz_topo_build(&t, &cfg), 0);

    struct kz_radio_cfg rc;
    kz_radio_cfg_default(&rc);
    rc.seed = 42;
    struct kz_ue_geo ue = {7, 120.0, 250.0, 1.5, 8.0};
    struct kz_link a, b;
    kz_radio_link(&rc, &cells[3], &ue, &a);
    kz_radio_link(&rc, &cells[3], &ue, &b);
    assert_memory_equal(&a, &b, sizeof a);
    /* Co-sited cells share LOS state and shadowing (per site), differ in PL by frequency. */
    kz_radio_link(&rc, &cells[0], &ue, &b);
    assert_int_equal(a.los, b.los);
    NEAR(a.sf_db, b.sf_db, 0);
    /* The same numbers whatever else was computed in between. */
    for (size_t i = 0; i < t.n_cells; i++)
        kz_radio_link(&rc, &cells[i], &ue, &b);
    kz_radio_link(&rc, &cells[3], &ue, &b);
    assert_memory_equal(&a, &b, sizeof a);
    /* Another seed changes the draw. */
    rc.seed = 43;
    kz_radio_link(&rc, &cells[3], &ue, &b);
    assert_true(a.sf_db != b.sf_db);
    /* The budget adds up. */
    NEAR(a.gain_db, a.ant_db - a.pl_db - a.sf_db - a.o2i_db, 1e-12);
}

/* Shadowing statistics: over many UEs the per-link draw has mean ~0 and sigma ~6 dB (UMa
 * NLOS); the spatial field keeps sigma and is close for points 1 m apart. */
static void test_shadowing_statistics(void **state)
{
    (void)state;
    struct kz_radio_cfg rc;
    kz_radio_cfg_default(&rc);
    rc.seed = 2024;
    const int n = 20000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double v = kz_radio_shadow_db(&rc, KZ_ENV_UMA, 0, (uint32_t)i, 3, 0, 0);
        s += v;
        s2 += v * v;
    }
    double mean = s / n, sd = sqrt(s2 / n - mean * mean);
    NEAR(mean, 0.0, 0.15);
    NEAR(sd, 6.0, 0.15);

    rc.shadow = KZ_SHADOW_SPATIAL;
    s = s2 = 0;
    double maxstep = 0;
    for (int i = 0; i < n; i++) {
        double x = 13.7 * i, y = 7.1 * (i % 97);
        double v = kz_radio_shadow_db(&rc, KZ_ENV_UMA, 0, 0, 5, x, y);
        double w = kz_radio_shadow_db(&rc, KZ_ENV_UMA, 0, 0, 5, x + 1.0, y);
        s += v;
        s2 += v * v;
        if (fabs(v - w) > maxstep)
            maxstep = fabs(v - w);
    }
    mean = s / n;
    sd = sqrt(s2 / n - mean * mean);
    NEAR(mean, 0.0, 0.3);
    NEAR(sd, 6.0, 0.3);
    assert_true(maxstep < 3.0); /* 1 m against a 50 m decorrelation distance */
    rc.shadow = KZ_SHADOW_OFF;
    NEAR(kz_radio_shadow_db(&rc, KZ_ENV_UMA, 0, 1, 1, 0, 0), 0.0, 0);
}

/* A UE 100 m in front of the capacity cell of sector 0 of site 0 with everything random
 * switched off: gain = 14 dBi - A_V - PL_UMa-NLOS(100 m), RSRP = 46 - 10 log10(3276) + gain. */
static void test_rsrp(void **state)
{
    (void)state;
    struct kz_topo_cfg cfg;
    kz_topo_cfg_default(&cfg);
    struct kz_site sites[7];
    struct kz_cell cells[42];
    struct kz_topo t;
    kz_topo_init(&t, sites, 7, cells, 42);
    assert_int_equal(kz_topo_build(&t, &cfg), 0);
    const struct kz_cell *cap0 = &cells[3];
    assert_int_equal(cap0->layer, KZ_LAYER_CAPACITY);
    assert_int_equal(cap0->sector, 0);

    struct kz_radio_cfg rc;
    kz_radio_cfg_default(&rc);
    rc.shadow = KZ_SHADOW_OFF;
    rc.random_los = 0;
    rc.o2i_random = 0;
    struct kz_ue_geo ue = {1, 0.0, 100.0, 1.5, 0.0}; /* due north = boresight of sector 0 */
    struct kz_link l;
    kz_radio_link(&rc, cap0, &ue, &l);
    /* theta = 90 + atan(23.5/100) = 103.224 deg; A_V = -12 ((103.224 - 96)/10)^2 = -6.263 */
    double theta = 90.0 + atan2(23.5, 100.0) * 180.0 / 3.14159265358979323846;
    double av = -12.0 * pow((theta - 96.0) / 10.0, 2);
    NEAR(l.ant_db, 14.0 + av, 1e-9);
    NEAR(l.pl_db, 103.038, 0.002);
    NEAR(l.gain_db, 14.0 + av - 103.038, 0.002);
    /* 46 - 35.153 + (14 - 6.263 - 103.038) = -84.45 dBm */
    NEAR(kz_radio_rsrp_dbm(cap0, l.gain_db), 46.0 - 10.0 * log10(3276.0) + l.gain_db, 1e-9);
    NEAR(kz_radio_rsrp_dbm(cap0, l.gain_db), -84.45, 0.01);
    /* The same UE seen by sector 1 (azimuth 120) is 120 deg off boresight: capped 30 dB. */
    kz_radio_link(&rc, &cells[4], &ue, &l);
    NEAR(l.ant_db, 14.0 - 30.0, 1e-9);
    /* Too close: clamped to 35 m (TR 38.901 Table 7.2-1 UMa minimum). */
    ue.y = 5.0;
    kz_radio_link(&rc, cap0, &ue, &l);
    NEAR(l.d2d_m, 35.0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breakpoint),
        cmocka_unit_test(test_uma_pathloss),
        cmocka_unit_test(test_umi_pathloss),
        cmocka_unit_test(test_los_probability),
        cmocka_unit_test(test_o2i),
        cmocka_unit_test(test_antenna),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_sinr),
        cmocka_unit_test(test_link_determinism),
        cmocka_unit_test(test_shadowing_statistics),
        cmocka_unit_test(test_rsrp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
