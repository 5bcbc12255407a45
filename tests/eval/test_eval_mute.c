/*
 * test_eval_mute.c -- the antenna-muting lever of the decision core (es.h): when it mutes, the
 * guards that unmute, dwell, the lever off by default and in the baselines.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "eval/es.h"

/* cell 0 coverage, cell 1 its capacity cell */
static const struct kz_es_cell sector[2] = {{0x10, KZ_ES_COVERAGE, -1}, {0x13, KZ_ES_CAPACITY, 0}};

static void obs_set(struct kz_es_obs *o, double cov_prb, double cap_prb, double cap_ue_thr)
{
    memset(o, 0, 2 * sizeof *o);
    o[0] = (struct kz_es_obs){cov_prb, 20 * cov_prb, 20, 5, 300, 1};
    o[1] = (struct kz_es_obs){cap_prb, 200 * cap_prb, cap_ue_thr, 10, 600, 1};
}

/* Run the core with constant observations from t to t_end (60 s periods); returns the number of
 * actions of kind k seen, the last one in *last. */
static int run(kz_es *es, double *t, double t_end, const struct kz_es_obs *o, enum kz_es_kind k,
               struct kz_es_action *last)
{
    int seen = 0;
    struct kz_es_action a[8];
    for (; *t < t_end; *t += 60) {
        size_t n = kz_es_step(es, *t, o, a, 8);
        for (size_t i = 0; i < n; i++)
            if (a[i].kind == k) {
                seen++;
                if (last)
                    *last = a[i];
            }
    }
    return seen;
}

static kz_es *open_ai(int lever)
{
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    p.sleep_util = 0.0; /* never sleep: test the lever alone */
    if (lever)
        kz_es_params_mute(&p, 0.25);
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, sector, 2), 0);
    return es;
}

static void test_mutes_when_light(void **state)
{
    (void)state;
    kz_es *es = open_ai(1);
    struct kz_es_obs o[2];
    struct kz_es_action a;
    double t = 0;
    obs_set(o, 0.10, 0.10, 40); /* 0.10 / 0.6 = 0.17 < 0.30; 40 x 0.6 = 24 >= 10 Mbit/s */
    assert_int_equal(run(es, &t, 600, o, KZ_ES_MUTE, &a), 1);
    assert_true(a.txru == 0.25 && a.cell == 1 && a.why == KZ_WHY_LOAD);
    assert_true(kz_es_cell_muted(es, 1));
    printf("# mute: %s\n", a.reason);
    /* guard: own PRB use above unmute_prb -> unmuted at once, dwell ignored */
    obs_set(o, 0.10, 0.50, 40);
    assert_int_equal(run(es, &t, t + 60, o, KZ_ES_UNMUTE, &a), 1);
    assert_true(a.txru == 1.0 && a.why == KZ_WHY_GUARD);
    printf("# unmute: %s\n", a.reason);
    /* dwell: light again, but not re-muted before mute_min_s (900 s) */
    obs_set(o, 0.10, 0.10, 40);
    double t0 = t;
    assert_int_equal(run(es, &t, t0 + 840, o, KZ_ES_MUTE, NULL), 0);
    assert_int_equal(run(es, &t, t0 + 1200, o, KZ_ES_MUTE, NULL), 1);
    /* guard: users' throughput below the minimum unmutes */
    obs_set(o, 0.10, 0.10, 5);
    assert_int_equal(run(es, &t, t + 60, o, KZ_ES_UNMUTE, &a), 1);
    struct kz_es_stats st;
    kz_es_stats_get(es, &st);
    assert_true(st.mutes == 2 && st.unmutes == 2 && st.unmutes_guard == 2 && st.muted_s > 0);
    kz_es_close(es);
}

static void test_mute_guards_hold(void **state)
{
    (void)state;
    struct kz_es_obs o[2];
    double t;
    kz_es *es = open_ai(1);
    t = 0; /* too loaded after the gain loss: 0.20 / 0.6 = 0.33 >= 0.30 */
    obs_set(o, 0.10, 0.20, 40);
    assert_int_equal(run(es, &t, 3600, o, KZ_ES_MUTE, NULL), 0);
    /* users would fall below 10 Mbit/s: 15 x 0.6 = 9 */
    obs_set(o, 0.10, 0.05, 15);
    assert_int_equal(run(es, &t, 7200, o, KZ_ES_MUTE, NULL), 0);
    /* coverage cell too busy to take the edge users (> wake_util 0.35) */
    obs_set(o, 0.40, 0.05, 40);
    assert_int_equal(run(es, &t, 10800, o, KZ_ES_MUTE, NULL), 0);
    kz_es_close(es);
    /* lever off (the default): never a MUTE, whatever the load */
    es = open_ai(0);
    t = 0;
    obs_set(o, 0.05, 0.01, 40);
    assert_int_equal(run(es, &t, 7200, o, KZ_ES_MUTE, NULL), 0);
    kz_es_close(es);
    /* baselines never mute, even with the lever's parameters set */
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_THRESHOLD);
    kz_es_params_mute(&p, 0.25);
    p.thr_sleep_prb = 0;
    assert_int_equal(kz_es_open(&es, &p, sector, 2), 0);
    t = 0;
    assert_int_equal(run(es, &t, 7200, o, KZ_ES_MUTE, NULL), 0);
    kz_es_close(es);
}

static void test_unmute_before_sleep(void **state)
{
    (void)state;
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_SCHEDULE);
    kz_es_params_mute(&p, 0.5);
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, sector, 2), 0);
    /* 60 slots of 60 s: muted 0..29, asleep 30..59 */
    uint8_t sl[2 * 60] = {0}, mu[2 * 60] = {0};
    for (int k = 0; k < 30; k++)
        mu[60 + k] = 1;
    for (int k = 30; k < 60; k++)
        sl[60 + k] = mu[60 + k] = 1;
    assert_int_equal(kz_es_set_schedule(es, 0, 60, 60, sl), 0);
    assert_int_equal(kz_es_set_mute_schedule(es, 0, 60, 60, mu), 0);
    struct kz_es_obs o[2];
    obs_set(o, 0.1, 0.1, 40);
    struct kz_es_action a[8];
    int muted_at = -1, unmuted_at = -1, ho_at = -1;
    for (int k = 0; k < 60; k++) {
        size_t n = kz_es_step(es, k * 60.0, o, a, 8);
        for (size_t i = 0; i < n; i++) {
            if (a[i].kind == KZ_ES_MUTE && muted_at < 0)
                muted_at = k;
            if (a[i].kind == KZ_ES_UNMUTE && unmuted_at < 0)
                unmuted_at = k;
            if (a[i].kind == KZ_ES_HANDOVER && ho_at < 0) {
                ho_at = k;
                assert_true(unmuted_at == k && i > 0); /* unmute comes first, same step */
            }
        }
    }
    assert_true(muted_at == 0 && ho_at == 29 && unmuted_at == 29);
    assert_false(kz_es_cell_muted(es, 1));
    kz_es_close(es);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutes_when_light),
        cmocka_unit_test(test_mute_guards_hold),
        cmocka_unit_test(test_unmute_before_sleep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
