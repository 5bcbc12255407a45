/*
 * test_emu_txru.c -- antenna muting (active TxRU fraction): the TR 38.864 s_a power scaling and
 * the radio effect of a muted array, through the direct API (kz_emu_cell_set_txru).  The E2
 * side (O-NESPolicy antennaMask over CCC) is in test_emu_e2.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emu/power.h"
#include "emu/scenario.h"
#include "kizuna/emu.h"
#include "kizuna/error.h"

/* TR 38.864 set 1 by hand: f_DL (P_micro + s_a (P_DL - P_micro)(A + s_f (1 - A))) + (1 - f_DL) P_UL */
static double set1_w(double load, double s_a)
{
    double f = (3.0 + 10.0 / 14.0) / 5.0;
    double dl = 55.0 + s_a * (280.0 - 55.0) * (0.4 + load * 0.6);
    return (f * dl + (1.0 - f) * 110.0) * 1100.0 / 280.0;
}

static void test_power_txru(void **state)
{
    (void)state;
    struct kz_power_params p, e;
    assert_int_equal(kz_power_preset(&p, KZ_PWR_38864_SET1), 0);
    assert_int_equal(kz_power_preset(&e, KZ_PWR_EARTH_MACRO_SECTOR), 0);
    assert_true(p.n_txru == 64.0 && e.n_trx == 2.0 && e.n_txru == 2.0);
    static const double loads[3] = {0.0, 0.5, 1.0}, fr[3] = {1.0, 0.5, 0.25};
    for (int l = 0; l < 3; l++) {
        /* all TxRUs on: bit for bit the unmuted model */
        assert_true(kz_power_active_txru_w(&p, loads[l], 1.0) == kz_power_active_w(&p, loads[l]));
        assert_true(kz_power_active_txru_w(&e, loads[l], 1.0) == kz_power_active_w(&e, loads[l]));
        for (int k = 0; k < 3; k++) {
            double w = kz_power_active_txru_w(&p, loads[l], fr[k]);
            assert_true(fabs(w - set1_w(loads[l], fr[k])) < 1e-9);
            double we = kz_power_active_txru_w(&e, loads[l], fr[k]);
            assert_true(fabs(we - fr[k] * kz_power_active_w(&e, loads[l])) < 1e-9);
            printf("# 64T64R at %3.0f %% load, %2.0f/64 TxRU: %6.1f W   EARTH sector %5.1f W\n",
                   100 * loads[l], 64 * fr[k], w, we);
        }
    }
    /* the figures quoted in power.h and docs */
    assert_true(fabs(kz_power_active_txru_w(&p, 0, 1) - 534.3) < 0.5);
    assert_true(fabs(kz_power_active_txru_w(&p, 0, 0.5) - 403.2) < 0.5);
    assert_true(fabs(kz_power_active_txru_w(&p, 0, 0.25) - 337.6) < 0.5);
    assert_true(fabs(kz_power_active_txru_w(&p, 1, 0.5) - 600.0) < 1.0);
    /* never below the micro-sleep floor of the DL part, and monotone in the fraction */
    assert_true(kz_power_active_txru_w(&p, 0, 1.0 / 64) > kz_power_sleep_w(&p, KZ_SLEEP_LIGHT));
    /* out-of-range fractions read as all on */
    assert_true(kz_power_active_txru_w(&p, 0.3, 0) == kz_power_active_w(&p, 0.3));
    assert_true(kz_power_active_txru_w(&p, 0.3, 2) == kz_power_active_w(&p, 0.3));
    /* the cell record integrates the muted power */
    struct kz_power_cell c;
    kz_power_cell_init(&c);
    assert_true(c.txru == 1.0);
    c.txru = 0.5;
    double pw = kz_power_step(&c, &p, 0.5, 10.0);
    assert_true(fabs(pw - set1_w(0.5, 0.5)) < 1e-9);
    assert_true(fabs(c.energy_j - 10.0 * pw) < 1e-6);
}

static struct kz_scenario *load_small(void)
{
    struct kz_scenario *s = NULL;
    char err[256];
    int rc = kz_emu_scenario_load(KZ_SOURCE_DIR "/scenarios/small-city.json", &s, err, sizeof err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    return s;
}

static kz_emu *noon(struct kz_scenario *s)
{
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = s;
    cfg.start_s = 12 * 3600.0;
    kz_emu *e;
    assert_int_equal(kz_emu_create(&e, &cfg, NULL, 0), 0);
    assert_int_equal(kz_emu_run_for(e, 20.0), 0);
    return e;
}

static void test_radio_txru(void **state)
{
    (void)state;
    struct kz_scenario *s = load_small();
    kz_emu *a = noon(s), *b = noon(s);
    const uint32_t cell = 3; /* site 0, capacity, sector 0 */
    assert_int_equal(kz_emu_cell_n_txru(a, cell), 64);
    assert_int_equal(kz_emu_cell_set_txru(a, cell, 0.0), KZ_EINVAL);
    assert_int_equal(kz_emu_cell_set_txru(a, cell, 1.5), KZ_EINVAL);
    assert_int_equal(kz_emu_cell_set_txru(a, 100000, 0.5), KZ_EINVAL);
    /* a UE of the cell and a UE of a co-channel neighbour (site 0 capacity sector 1) */
    int32_t u_in = -1, u_nb = -1;
    kz_emu_ue_info ui, un;
    for (uint32_t u = 0; u < kz_emu_n_ues(a) && (u_in < 0 || u_nb < 0); u++) {
        kz_emu_ue_info x;
        kz_emu_ue_info_get(a, u, &x);
        if (x.serving == (int32_t)cell && u_in < 0 && x.rsrp_dbm > -100)
            u_in = (int32_t)u;
        if (x.serving == 4 && u_nb < 0)
            u_nb = (int32_t)u;
    }
    assert_true(u_in >= 0 && u_nb >= 0);
    kz_emu_ue_info_get(a, (uint32_t)u_in, &ui);
    kz_emu_ue_info_get(a, (uint32_t)u_nb, &un);
    assert_int_equal(kz_emu_cell_set_txru(a, cell, 0.25), 0);
    assert_true(kz_emu_cell_txru(a, cell) == 0.25);
    kz_emu_ue_info ui2, un2;
    kz_emu_ue_info_get(a, (uint32_t)u_in, &ui2);
    kz_emu_ue_info_get(a, (uint32_t)u_nb, &un2);
    /* serving link: RSRP and signal 10 log10(1/4) = -6.02 dB; interference unchanged for it */
    assert_true(fabs(ui2.rsrp_dbm - ui.rsrp_dbm + 6.0206) < 1e-3);
    assert_true(fabs(ui2.sinr_db - ui.sinr_db + 6.0206) < 1e-3);
    /* the neighbour's user sees less interference from the muted cell */
    assert_true(un2.sinr_db >= un.sinr_db - 1e-9);
    printf("# 16/64 TxRU: serving UE SINR %.2f -> %.2f dB, neighbour UE %.2f -> %.2f dB\n",
           ui.sinr_db, ui2.sinr_db, un.sinr_db, un2.sinr_db);
    /* five minutes muted vs the same world unmuted: less power, no more served, truth records */
    double ea0 = kz_emu_truth_get(a)->cells[cell].energy_j;
    double eb0 = kz_emu_truth_get(b)->cells[cell].energy_j;
    double bits_a = 0, bits_b = 0, act_a = 0, act_b = 0;
    for (int k = 0; k < 300; k++) {
        kz_emu_step(a);
        kz_emu_step(b);
        const kz_emu_cell_truth *ta = &kz_emu_truth_get(a)->cells[cell];
        const kz_emu_cell_truth *tb = &kz_emu_truth_get(b)->cells[cell];
        assert_true(ta->txru_frac == 0.25 && tb->txru_frac == 1.0);
        bits_a += ta->served_bits;
        bits_b += tb->served_bits;
        act_a += ta->n_active;
        act_b += tb->n_active;
    }
    double pa = (kz_emu_truth_get(a)->cells[cell].energy_j - ea0) / 300;
    double pb = (kz_emu_truth_get(b)->cells[cell].energy_j - eb0) / 300;
    printf("# cell %u over 5 min at noon: %.1f W muted vs %.1f W; served %.1f vs %.1f Mbit/s, "
           "active UE-s %.0f vs %.0f\n", cell, pa, pb, bits_a / 300e6, bits_b / 300e6, act_a, act_b);
    assert_true(pa < pb);
    assert_true(kz_emu_truth_hash(a) != kz_emu_truth_hash(b));
    /* unmute: back to the unmuted model */
    assert_int_equal(kz_emu_cell_set_txru(a, cell, 1.0), 0);
    kz_emu_step(a);
    assert_true(kz_emu_truth_get(a)->cells[cell].txru_frac == 1.0);
    kz_emu_destroy(a);
    kz_emu_destroy(b);
    kz_emu_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_txru),
        cmocka_unit_test(test_radio_txru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
