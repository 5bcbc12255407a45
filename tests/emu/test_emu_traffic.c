/*
 * Unit tests of emu/traffic: the published diurnal profiles, interpolation, area factors and
 * the seeded Poisson session arrivals.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/rng.h"
#include "emu/traffic.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* The tables are MODELS.md's, peak 1 at 21:00 (EARTH'12) and 20:00 (Vienna). */
static void test_profiles(void **state)
{
    (void)state;
    const double *e = kz_traffic_profile_hours(KZ_PROFILE_EARTH12);
    const double *v = kz_traffic_profile_hours(KZ_PROFILE_VIENNA);
    assert_non_null(e);
    assert_non_null(v);
    NEAR(e[0], 0.71, 0);
    NEAR(e[5], 0.15, 0);
    NEAR(e[21], 1.00, 0);
    NEAR(e[23], 0.86, 0);
    NEAR(v[4], 0.09, 0);
    NEAR(v[20], 1.00, 0);
    int emax = 0, vmax = 0;
    for (int h = 0; h < 24; h++) {
        emax = e[h] > e[emax] ? h : emax;
        vmax = v[h] > v[vmax] ? h : vmax;
    }
    assert_int_equal(emax, 21);
    assert_int_equal(vmax, 20);
    /* sum of EARTH'12 = 14.38 -> mean 0.599167 */
    NEAR(kz_traffic_profile_mean(KZ_PROFILE_EARTH12), 14.38 / 24.0, 1e-12);
    assert_null(kz_traffic_profile_hours((enum kz_profile)9));
}

/* Value h at h:30; halfway between centres is the average; wraps at midnight. */
static void test_interpolation(void **state)
{
    (void)state;
    NEAR(kz_traffic_profile_at(KZ_PROFILE_EARTH12, 21 * 3600 + 1800), 1.00, 1e-12);
    NEAR(kz_traffic_profile_at(KZ_PROFILE_EARTH12, 5 * 3600 + 1800), 0.15, 1e-12);
    NEAR(kz_traffic_profile_at(KZ_PROFILE_EARTH12, 6 * 3600), (0.15 + 0.17) / 2, 1e-12);
    /* 00:00 is between 23:30 (0.86) and 00:30 (0.71). */
    NEAR(kz_traffic_profile_at(KZ_PROFILE_EARTH12, 0), (0.86 + 0.71) / 2, 1e-12);
    NEAR(kz_traffic_profile_at(KZ_PROFILE_EARTH12, 86400), (0.86 + 0.71) / 2, 1e-12);
    NEAR(kz_traffic_profile_at(KZ_PROFILE_EARTH12, -3600 + 1800), 0.86, 1e-12);
    NEAR(kz_traffic_profile_at(KZ_PROFILE_EARTH12, 2 * 86400 + 1800), 0.71, 1e-12);
    /* Continuous: per second no more than the steepest hourly step (Vienna 23h -> 0h:
     * 0.78 -> 0.47 = 0.31) / 3600. */
    double prev = kz_traffic_profile_at(KZ_PROFILE_VIENNA, 0);
    for (int t = 1; t <= 86400; t++) {
        double x = kz_traffic_profile_at(KZ_PROFILE_VIENNA, t);
        assert_true(fabs(x - prev) <= 0.31 / 3600 + 1e-12);
        prev = x;
    }
    NEAR(kz_traffic_profile_at(KZ_PROFILE_FLAT, 12345), 1.0, 0);
}

static void test_areas_names(void **state)
{
    (void)state;
    assert_true(kz_traffic_area_factor(KZ_AREA_STATION) > kz_traffic_area_factor(KZ_AREA_BUSINESS));
    assert_true(kz_traffic_area_factor(KZ_AREA_BUSINESS) > kz_traffic_area_factor(KZ_AREA_SUBURB));
    assert_int_equal(kz_traffic_area_from_name("station"), KZ_AREA_STATION);
    assert_int_equal(kz_traffic_area_from_name("mall"), -1);
    assert_string_equal(kz_traffic_area_name(KZ_AREA_SUBURB), "suburb");
    assert_int_equal(kz_traffic_profile_from_name("vienna"), KZ_PROFILE_VIENNA);
    assert_int_equal(kz_traffic_profile_from_name(NULL), -1);
    assert_string_equal(kz_traffic_profile_name(KZ_PROFILE_EARTH12), "earth12");
}

/* Over a day at 1 s steps, arrivals per hour follow the profile: hour h gets
 * peak_rate x factor x 3600 x (mean of the interpolated curve over that hour). */
static void test_arrivals_follow_profile(void **state)
{
    (void)state;
    struct kz_rng r;
    kz_rng_seed(&r, 99);
    const double peak = 0.5, factor = 2.0; /* 3600 sessions in the peak hour */
    double per_hour[24] = {0};
    for (int t = 0; t < 86400; t++)
        per_hour[t / 3600] +=
            kz_traffic_arrivals(&r, KZ_PROFILE_EARTH12, peak, factor, (double)t, 1.0);
    for (int h = 0; h < 24; h++) {
        double expect = 0.0;
        for (int s = 0; s < 3600; s++)
            expect += kz_traffic_rate(KZ_PROFILE_EARTH12, peak, factor, h * 3600.0 + s);
        /* Poisson: sd = sqrt(expect) <= 60; allow 5 sd. */
        NEAR(per_hour[h], expect, 5.0 * sqrt(expect));
    }
    assert_true(per_hour[21] > 4 * per_hour[5]);

    /* Same seed, same day. */
    struct kz_rng a, b;
    kz_rng_seed(&a, 5);
    kz_rng_seed(&b, 5);
    for (int t = 0; t < 1000; t++)
        assert_int_equal(kz_traffic_arrivals(&a, KZ_PROFILE_VIENNA, 3.0, 1.0, t, 1.0),
                         kz_traffic_arrivals(&b, KZ_PROFILE_VIENNA, 3.0, 1.0, t, 1.0));
    /* Session sizes: exponential with the mean asked for. */
    double s = 0;
    for (int i = 0; i < 100000; i++)
        s += kz_traffic_session_bytes(&a, KZ_TRAFFIC_DEFAULT_SESSION_BYTES);
    NEAR(s / 100000, KZ_TRAFFIC_DEFAULT_SESSION_BYTES, 0.02 * KZ_TRAFFIC_DEFAULT_SESSION_BYTES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_interpolation),
        cmocka_unit_test(test_areas_names),
        cmocka_unit_test(test_arrivals_follow_profile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
