/*
 * Unit tests of emu/cqi: TS 38.214 CQI tables, the SINR thresholds and the TS 38.306 style
 * throughput, including the peak cell throughputs against bandwidth x best efficiency.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/cqi.h"
#include "emu/topology.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* MODELS.md lists table 1's efficiencies; the rows must match it and Qm x rate / 1024. */
static void test_table1(void **state)
{
    (void)state;
    static const double models_se[15] = {0.1523, 0.2344, 0.3770, 0.6016, 0.8770,
                                         1.1758, 1.4766, 1.9141, 2.4063, 2.7305,
                                         3.3223, 3.9023, 4.5234, 5.1152, 5.5547};
    for (unsigned i = 1; i <= 15; i++) {
        const struct kz_cqi_entry *e = kz_cqi_entry(KZ_CQI_TABLE1, i);
        assert_non_null(e);
        NEAR(e->se, models_se[i - 1], 1e-12);
        NEAR(e->se, e->qm * e->rate_x1024 / 1024.0, 0.00006); /* printed to 4 decimals */
        assert_true(e->qm <= 6);
    }
    const struct kz_cqi_entry *e = kz_cqi_entry(KZ_CQI_TABLE1, 7);
    assert_int_equal(e->qm, 4);
    assert_int_equal(e->rate_x1024, 378);
    e = kz_cqi_entry(KZ_CQI_TABLE1, 15);
    assert_int_equal(e->qm, 6);
    assert_int_equal(e->rate_x1024, 948);
    assert_int_equal(kz_cqi_entry(KZ_CQI_TABLE1, 0)->qm, 0);
    assert_null(kz_cqi_entry(KZ_CQI_TABLE1, 16));
    assert_null(kz_cqi_entry((enum kz_cqi_table)3, 1));
    NEAR(kz_cqi_se(KZ_CQI_TABLE1, 0), 0.0, 0);
}

/* Table 2: 256QAM rows 12..15 = 711, 797, 885, 948 x 8 / 1024 = 5.5547, 6.2266, 6.9141,
 * 7.4063; rows 2..11 are table 1's odd-step subset. */
static void test_table2(void **state)
{
    (void)state;
    static const uint16_t rate[16] = {0,   78,  193, 449, 378, 490, 616, 466,
                                      567, 666, 772, 873, 711, 797, 885, 948};
    for (unsigned i = 1; i <= 15; i++) {
        const struct kz_cqi_entry *e = kz_cqi_entry(KZ_CQI_TABLE2, i);
        assert_int_equal(e->rate_x1024, rate[i]);
        NEAR(e->se, e->qm * e->rate_x1024 / 1024.0, 0.00006);
        if (i > 1)
            assert_true(e->se > kz_cqi_entry(KZ_CQI_TABLE2, i - 1)->se);
    }
    NEAR(kz_cqi_se(KZ_CQI_TABLE2, 15), 7.4063, 1e-12);
    NEAR(kz_cqi_se(KZ_CQI_TABLE2, 12), 5.5547, 1e-12);
    assert_int_equal(kz_cqi_entry(KZ_CQI_TABLE2, 12)->qm, 8);
}

/* Thresholds are the documented formula 10 log10(2^SE - 1) + 2.5 dB, increasing, and the
 * SINR -> CQI mapping is the highest CQI whose threshold is met. */
static void test_thresholds(void **state)
{
    (void)state;
    for (int t = 1; t <= 2; t++) {
        for (unsigned i = 1; i <= 15; i++) {
            const struct kz_cqi_entry *e = kz_cqi_entry((enum kz_cqi_table)t, i);
            NEAR(e->sinr_db, kz_cqi_threshold_formula_db(e->se), 1e-5);
            if (i > 1)
                assert_true(e->sinr_db > kz_cqi_entry((enum kz_cqi_table)t, i - 1)->sinr_db);
            assert_int_equal(kz_cqi_from_sinr((enum kz_cqi_table)t, e->sinr_db), i);
            assert_int_equal(kz_cqi_from_sinr((enum kz_cqi_table)t, e->sinr_db - 1e-3), i - 1);
        }
    }
    /* CQI 1 at 10 log10(2^0.1523 - 1) + 2.5 = -9.533 + 2.5 = -7.03 dB */
    NEAR(kz_cqi_entry(KZ_CQI_TABLE1, 1)->sinr_db, -7.033, 0.001);
    assert_int_equal(kz_cqi_from_sinr(KZ_CQI_TABLE1, -20.0), 0);
    assert_int_equal(kz_cqi_from_sinr(KZ_CQI_TABLE1, 40.0), 15);
    assert_int_equal(kz_cqi_from_sinr(KZ_CQI_TABLE2, 40.0), 15);
    assert_int_equal(kz_cqi_from_sinr(KZ_CQI_TABLE1, NAN), 0);
    assert_int_equal(kz_cqi_from_sinr(KZ_CQI_TABLE1, -INFINITY), 0);
    /* 20 dB: table 1 reaches CQI 15 (19.13), table 2 only CQI 12 (19.13 <= 20 < 21.19). */
    assert_int_equal(kz_cqi_from_sinr(KZ_CQI_TABLE2, 20.0), 12);
}

/* TR 36.942 A.2: 0.6 log2(1 + 10) = 2.0757 at 10 dB; capped at 4.4; 0 below -10 dB. */
static void test_shannon_36942(void **state)
{
    (void)state;
    NEAR(kz_cqi_se_36942(10.0), 2.07566, 1e-5);
    NEAR(kz_cqi_se_36942(30.0), 4.4, 0);
    NEAR(kz_cqi_se_36942(-10.5), 0.0, 0);
    assert_true(kz_cqi_se_36942(-10.0) > 0.0);
}

/*
 * Peak throughput at CQI 15.
 *  100 MHz TDD, 30 kHz, 273 PRBs, table 2 (7.4063), DDDSU (3 + 10/14)/5 = 0.742857, OH 0.14:
 *    273 x 12 x 28000 sym/s x 7.4063 x 0.86 x 0.742857 = 434.0 Mbit/s per layer,
 *    4 layers 1736 Mbit/s.  Commercial 4x4 n78 100 MHz DDDSU peaks are quoted at 1.5-2 Gbit/s;
 *    we require 400-470 Mbit/s per layer and 1.5-2.0 Gbit/s with 4 layers.
 *    Check against bandwidth x best SE: 100 MHz x 7.4063 x 0.86 x 0.742857 = 473.2 Mbit/s;
 *    ours is that times the occupancy 273 x 12 x 30 kHz / 100 MHz = 0.9828 and the cyclic
 *    prefix share 14 x 2 kHz / 30 kHz = 0.9333, i.e. x 0.9173 = 434.0.
 *  20 MHz FDD, 15 kHz, 106 PRBs, table 1 (5.5547), 2 layers:
 *    106 x 12 x 14000 x 5.5547 x 0.86 x 2 = 170.1 Mbit/s (LTE 20 MHz 2x2 64QAM: 150 Mbit/s);
 *    required 150-180 Mbit/s.
 */
static void test_peak_throughput(void **state)
{
    (void)state;
    uint16_t nprb = kz_topo_nrb(100, 30);
    assert_int_equal(nprb, 273);
    double f = kz_topo_tdd_dl_fraction("DDDSU", 10);
    NEAR(f, 0.742857, 1e-6);
    double se = kz_cqi_se(KZ_CQI_TABLE2, 15);
    double one = kz_cqi_throughput_bps(se, 1, nprb, 30, f, KZ_CQI_OH_FR1_DL);
    NEAR(one / 1e6, 434.017, 0.01);
    assert_true(one > 400e6 && one < 470e6);
    double four = kz_cqi_throughput_bps(se, 4, nprb, 30, f, KZ_CQI_OH_FR1_DL);
    NEAR(four / 1e6, 1736.07, 0.05);
    assert_true(four > 1.5e9 && four < 2.0e9);
    /* Consistent with bandwidth x best SE x (1 - OH) x DL share x occupancy x CP share. */
    double bound = 100e6 * se * (1 - KZ_CQI_OH_FR1_DL) * f;
    NEAR(one / bound, 0.9828 * (28.0 / 30.0), 1e-4);

    nprb = kz_topo_nrb(20, 15);
    assert_int_equal(nprb, 106);
    double fdd = kz_cqi_throughput_bps(kz_cqi_se(KZ_CQI_TABLE1, 15), 2, nprb, 15, 1.0,
                                       KZ_CQI_OH_FR1_DL);
    NEAR(fdd / 1e6, 170.139, 0.01);
    assert_true(fdd > 150e6 && fdd < 180e6);
    /* 20 MHz: occupancy 106 x 12 x 15 kHz / 20 MHz = 0.954, CP share 14 / 15. */
    bound = 2 * 20e6 * 5.5547 * (1 - KZ_CQI_OH_FR1_DL);
    NEAR(fdd / bound, 0.954 * (14.0 / 15.0), 1e-4);

    /* Per-PRB rate times PRBs is the cell rate; zero SE gives zero. */
    NEAR(kz_cqi_rate_per_prb_bps(se, 1, 30, f, 0.14) * 273, one, 1e-3);
    NEAR(kz_cqi_throughput_bps(0.0, 4, 273, 30, f, 0.14), 0.0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table1),        cmocka_unit_test(test_table2),
        cmocka_unit_test(test_thresholds),    cmocka_unit_test(test_shannon_36942),
        cmocka_unit_test(test_peak_throughput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
