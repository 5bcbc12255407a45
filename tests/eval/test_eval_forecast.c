/*
 * Unit tests of eval/forecast: exact on constant series, trend models follow a ramp,
 * seasonal models learn a diurnal profile from previous days, errors are scored against the
 * right targets, selection moves to the better model.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "eval/forecast.h"
#include "kizuna/error.h"

static const double earth12[24] = {.71, .52, .36, .25, .18, .15, .17, .22, .32, .45, .56, .62,
                                   .65, .67, .71, .74, .77, .80, .83, .90, .97, 1.00, .97, .86};

static double profile(double t)
{
    double h = fmod(t, 86400.0) / 3600.0 - 0.5;
    if (h < 0)
        h += 24;
    int a = (int)h;
    double f = h - a;
    return earth12[a % 24] * (1 - f) + earth12[(a + 1) % 24] * f;
}

/* deterministic noise in [-1, 1] */
static double noise(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(*s >> 11) / 9007199254740992.0) * 2 - 1;
}

static void test_cfg(void **state)
{
    (void)state;
    struct kz_fc_cfg c;
    struct kz_fc *f = malloc(sizeof *f);
    kz_fc_cfg_default(&c, 300, 9);
    assert_int_equal(c.season, 288);
    assert_int_equal(kz_fc_init(f, &c), 0);
    c.horizon = KZ_FC_MAX_H + 1;
    assert_int_equal(kz_fc_init(f, &c), KZ_EINVAL);
    kz_fc_cfg_default(&c, 60, 4); /* 1440 slots a day: too many */
    assert_int_equal(kz_fc_init(f, &c), KZ_EINVAL);
    free(f);
}

static void test_constant(void **state)
{
    (void)state;
    struct kz_fc_cfg c;
    struct kz_fc *f = malloc(sizeof *f);
    kz_fc_cfg_default(&c, 300, 6);
    assert_int_equal(kz_fc_init(f, &c), 0);
    assert_true(kz_fc_predict(f, -1, 1) == 0);
    for (int k = 0; k < 400; k++)
        kz_fc_update(f, k * 300.0, 42.0);
    for (int m = 0; m < KZ_FC_NMODELS; m++)
        for (unsigned h = 1; h <= 6; h++)
            assert_true(fabs(kz_fc_predict(f, m, h) - 42.0) < 1e-6);
    double mae, mape, n;
    kz_fc_error(f, KZ_FC_SEASONAL, 0, &mae, &mape, &n);
    assert_true(mae < 1e-9 && mape < 1e-9);
    assert_true(n > 6 * 390);
    double rm, pk = kz_fc_peak(f, 6, &rm);
    assert_true(fabs(pk - 42) < 1e-6 && rm < 1e-6);
    free(f);
}

/* A ramp: trend models (Holt-Winters, ridge) extrapolate, seasonal-naive lags behind. */
static void test_ramp(void **state)
{
    (void)state;
    struct kz_fc_cfg c;
    struct kz_fc *f = malloc(sizeof *f);
    kz_fc_cfg_default(&c, 300, 6);
    assert_int_equal(kz_fc_init(f, &c), 0);
    for (int k = 0; k < 200; k++)
        kz_fc_update(f, k * 300.0, 10.0 + 0.5 * k);
    double e_sn, e_hw, e_rg;
    kz_fc_error(f, KZ_FC_SEASONAL, 6, &e_sn, NULL, NULL);
    kz_fc_error(f, KZ_FC_HW, 6, &e_hw, NULL, NULL);
    kz_fc_error(f, KZ_FC_RIDGE, 6, &e_rg, NULL, NULL);
    /* persistence with an EWMA level is 3 (6 slots x 0.5) + the level lag behind */
    assert_true(e_sn > 3.0);
    assert_true(e_hw < e_sn);
    assert_true(e_rg < e_sn);
    assert_true(kz_fc_best(f) != KZ_FC_SEASONAL);
    /* the next value is 10 + 0.5 x 200 = 110; six slots ahead 112.5 */
    double y6 = kz_fc_predict(f, -1, 6);
    assert_true(fabs(y6 - 112.5) < 3.0);
    free(f);
}

/* Three days of a noisy diurnal profile: on day 3 the seasonal models know the shape and
 * beat what they did on day 1; every model's 30-minute-ahead MAPE is reasonable. */
static void test_diurnal(void **state)
{
    (void)state;
    struct kz_fc_cfg c;
    struct kz_fc *f = malloc(sizeof *f);
    kz_fc_cfg_default(&c, 300, 6);
    assert_int_equal(kz_fc_init(f, &c), 0);
    uint64_t s = 7;
    double mae_day1[KZ_FC_NMODELS];
    for (int k = 0; k < 3 * 288; k++) {
        double t = k * 300.0;
        kz_fc_update(f, t, 100.0 * profile(t) * (1 + 0.05 * noise(&s)));
        if (k == 288 - 1)
            for (int m = 0; m < KZ_FC_NMODELS; m++)
                kz_fc_error(f, m, 6, &mae_day1[m], NULL, NULL);
    }
    struct kz_fc_err acc[KZ_FC_MAX_H] = {{0}};
    kz_fc_error_add(f, KZ_FC_SEASONAL, acc);
    assert_true(acc[5].n > 800);
    for (int m = 0; m < KZ_FC_NMODELS; m++) {
        double mae, mape;
        kz_fc_error(f, m, 6, &mae, &mape, NULL);
        print_message("%-15s day1 MAE %.2f  3-day MAE %.2f MAPE %.1f %%\n",
                      kz_fc_model_name(m), mae_day1[m], mae, 100 * mape);
        assert_true(mape < 0.25);
    }
    /* learned the season: 3-day average error below the first day's */
    double sn3, rg3;
    kz_fc_error(f, KZ_FC_SEASONAL, 6, &sn3, NULL, NULL);
    kz_fc_error(f, KZ_FC_RIDGE, 6, &rg3, NULL, NULL);
    assert_true(sn3 < mae_day1[KZ_FC_SEASONAL]);
    assert_true(rg3 < mae_day1[KZ_FC_RIDGE]);
    /* KZ_FC_USED was scored too */
    double used;
    kz_fc_error(f, KZ_FC_USED, 6, &used, NULL, NULL);
    assert_true(used > 0 && used < 20);
    /* forecast of 05:00 -> 06:00 from 04:00 on day 4 follows the rise after the trough */
    kz_fc_update(f, 3 * 86400.0 + 4 * 3600, 100 * profile(4 * 3600));
    double rm, pk = kz_fc_peak(f, 6, &rm);
    assert_true(pk > 0 && rm >= 0);
    free(f);
}

/* Errors are scored against the target h slots after the issue, not another one. */
static void test_scoring_alignment(void **state)
{
    (void)state;
    struct kz_fc_cfg c;
    struct kz_fc *f = malloc(sizeof *f);
    kz_fc_cfg_default(&c, 300, 3);
    assert_int_equal(kz_fc_init(f, &c), 0);
    /* persistence-like seasonal-naive on a step: after the step at k = 50, horizon-h forecasts
     * issued before 50 are wrong for exactly h targets (plus the EWMA level lag) */
    for (int k = 0; k < 50; k++)
        kz_fc_update(f, k * 300.0, 10);
    double n0;
    kz_fc_error(f, KZ_FC_SEASONAL, 1, NULL, NULL, &n0);
    assert_true(n0 == 49);
    kz_fc_error(f, KZ_FC_SEASONAL, 3, NULL, NULL, &n0);
    assert_true(n0 == 47);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfg),
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_ramp),
        cmocka_unit_test(test_diurnal),
        cmocka_unit_test(test_scoring_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
