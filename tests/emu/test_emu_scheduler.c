/*
 * Unit tests of emu/scheduler: long-run proportional-fair sharing with finite demands.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/cqi.h"
#include "emu/scheduler.h"
#include "kizuna/error.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* Equal spectral efficiency, all backlogged: equal PRB shares and equal throughput. */
static void test_equal_shares(void **state)
{
    (void)state;
    double r = kz_cqi_rate_per_prb_bps(3.9023, 2, 30, 0.742857, 0.14);
    double rate[4] = {r, r, r, r};
    double dem[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
    double prb[4], thp[4];
    struct kz_sched_result res;
    assert_int_equal(kz_sched_pf(rate, dem, 4, 273, prb, thp, &res), 0);
    for (int i = 0; i < 4; i++) {
        NEAR(prb[i], 273.0 / 4, 1e-9);
        NEAR(thp[i], thp[0], 1e-6);
    }
    NEAR(res.utilisation, 1.0, 1e-12);
    NEAR(res.thp_bps, 273 * r, 1e-3);
    assert_int_equal(res.n_active, 4);
    assert_int_equal(res.n_satisfied, 0);
}

/* Backlogged UEs with SE 1 : 2 : 4 get equal PRBs and throughput in the ratio 1 : 2 : 4
 * (PF long run: equal resource share, rate proportional to the UE's own efficiency). */
static void test_throughput_ratios(void **state)
{
    (void)state;
    double rate[3] = {1e5, 2e5, 4e5};
    double dem[3] = {INFINITY, INFINITY, INFINITY};
    double prb[3], thp[3];
    assert_int_equal(kz_sched_pf(rate, dem, 3, 90, prb, thp, NULL), 0);
    NEAR(prb[0], 30, 1e-9);
    NEAR(prb[2], 30, 1e-9);
    NEAR(thp[1] / thp[0], 2.0, 1e-12);
    NEAR(thp[2] / thp[0], 4.0, 1e-12);
}

/* Water-filling: a UE that needs less than the equal share keeps only what it needs, the
 * others share the rest.  100 PRBs, 3 UEs at 1e5 bit/s per PRB: UE0 wants 1 Mbit/s = 10 PRBs,
 * UE1 and UE2 backlogged get 45 each. */
static void test_water_filling(void **state)
{
    (void)state;
    double rate[3] = {1e5, 1e5, 1e5};
    double dem[3] = {1e6, INFINITY, INFINITY};
    double prb[3], thp[3];
    struct kz_sched_result res;
    assert_int_equal(kz_sched_pf(rate, dem, 3, 100, prb, thp, &res), 0);
    NEAR(prb[0], 10, 1e-9);
    NEAR(thp[0], 1e6, 1e-6);
    NEAR(prb[1], 45, 1e-9);
    NEAR(prb[2], 45, 1e-9);
    assert_int_equal(res.n_satisfied, 1);
    /* Light load: everybody satisfied, utilisation = need / total. */
    double dem2[3] = {1e6, 2e6, 5e5};
    assert_int_equal(kz_sched_pf(rate, dem2, 3, 100, prb, thp, &res), 0);
    NEAR(res.prb_used, 35, 1e-9);
    NEAR(res.utilisation, 0.35, 1e-12);
    NEAR(res.thp_bps, 3.5e6, 1e-6);
    assert_int_equal(res.n_satisfied, 3);
    /* Cascade: needs 5, 20, 40, inf with 100 PRBs -> 5, 20, 37.5, 37.5. */
    double rate4[4] = {1e5, 1e5, 1e5, 1e5};
    double dem4[4] = {5e5, 2e6, 4e6, INFINITY};
    double prb4[4], thp4[4];
    assert_int_equal(kz_sched_pf(rate4, dem4, 4, 100, prb4, thp4, &res), 0);
    NEAR(prb4[0], 5, 1e-9);
    NEAR(prb4[1], 20, 1e-9);
    NEAR(prb4[2], 37.5, 1e-9);
    NEAR(prb4[3], 37.5, 1e-9);
    NEAR(res.prb_used, 100, 1e-9);
}

/* Inactive UEs and UEs without a usable link (CQI 0) get nothing; no UEs -> idle cell. */
static void test_inactive_and_errors(void **state)
{
    (void)state;
    double rate[3] = {1e5, 0.0, 1e5};
    double dem[3] = {INFINITY, INFINITY, 0.0};
    double prb[3], thp[3];
    struct kz_sched_result res;
    assert_int_equal(kz_sched_pf(rate, dem, 3, 50, prb, thp, &res), 0);
    NEAR(prb[0], 50, 1e-9);
    NEAR(prb[1], 0, 0);
    NEAR(prb[2], 0, 0);
    NEAR(thp[1], 0, 0);
    assert_int_equal(res.n_active, 1);
    assert_int_equal(kz_sched_pf(NULL, NULL, 0, 50, NULL, NULL, &res), 0);
    NEAR(res.utilisation, 0, 0);
    assert_int_equal(kz_sched_pf(NULL, dem, 3, 50, prb, thp, &res), KZ_EINVAL);
    assert_int_equal(kz_sched_pf(rate, dem, 3, -1, prb, thp, &res), KZ_EINVAL);
    assert_int_equal(kz_sched_pf(rate, dem, 3, NAN, prb, thp, &res), KZ_EINVAL);
}

/* A larger random cell: invariants hold (sum <= N_PRB, thp <= demand, max-min fairness:
 * every unsatisfied UE has at least as many PRBs as any other UE). */
static void test_invariants(void **state)
{
    (void)state;
    enum { N = 200 };
    double rate[N], dem[N], prb[N], thp[N];
    uint64_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        rate[i] = 1e4 + (double)(x >> 40) / 16.0;
        dem[i] = (i % 5 == 0) ? INFINITY : (double)((x >> 20) & 0xfffff) * 4.0;
    }
    struct kz_sched_result res;
    assert_int_equal(kz_sched_pf(rate, dem, N, 273, prb, thp, &res), 0);
    double sum = 0, maxp = 0;
    for (int i = 0; i < N; i++) {
        sum += prb[i];
        assert_true(thp[i] <= dem[i] + 1e-6);
        maxp = fmax(maxp, prb[i]);
    }
    assert_true(sum <= 273 + 1e-6);
    for (int i = 0; i < N; i++)
        if (thp[i] < dem[i] - 1e-6)
            NEAR(prb[i], maxp, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_shares),        cmocka_unit_test(test_throughput_ratios),
        cmocka_unit_test(test_water_filling),       cmocka_unit_test(test_inactive_and_errors),
        cmocka_unit_test(test_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
