/*
 * Unit tests of eval/es, the decision core, on hand-made reports of one sector (coverage cell 0,
 * capacity cell 1): the energy saver drains then sleeps a lightly loaded cell, refuses when the
 * coverage cell could not carry the load, wakes at once on a guard breach and ahead of a
 * forecast rise, never flaps faster than the dwell times; the baselines do what they say.
 * And on two sectors at two sites (test_surge_neighbour): a surge in one sector wakes a
 * sleeping capacity cell of the other site only when the cells are neighbours
 * (kz_es_set_neighbours), names the neighbour in its reason, and keeps it awake while it holds.
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
#include "kizuna/error.h"

static const struct kz_es_cell sector[2] = {
    {.nci = 0x10, .role = KZ_ES_COVERAGE, .cover = -1},
    {.nci = 0x13, .role = KZ_ES_CAPACITY, .cover = 0},
};

/* The sector with total demand D Mbit/s: the capacity cell carries share of it when awake;
 * the coverage cell has capacity 60 Mbit/s at full PRB use, the capacity cell 200. */
static void fill(struct kz_es_obs *o, double D, int cap_awake)
{
    double on_cap = cap_awake ? 0.7 * D : 0, on_cov = D - on_cap;
    memset(o, 0, 2 * sizeof *o);
    o[0].thr_mbps = on_cov;
    o[0].prb = on_cov / 60.0;
    o[0].ue_thr_mbps = 20;
    o[0].n_ue = 10;
    o[0].serving = 1;
    o[1].thr_mbps = on_cap;
    o[1].prb = on_cap / 200.0;
    o[1].n_ue = cap_awake ? 20 : 0;
    o[1].serving = cap_awake;
}

struct run {
    kz_es *es;
    int asleep;     /* what the "network" did with our actions */
    int sleeps, wakes, handovers;
    double last_change;
    double min_dwell_asleep, min_dwell_awake;
    enum kz_es_why last_why;
};

static void drive(struct run *r, double t, double D)
{
    struct kz_es_obs o[2];
    struct kz_es_action a[4];
    fill(o, D, !r->asleep);
    size_t n = kz_es_step(r->es, t, o, a, 4);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].cell, 1);
        assert_true(a[i].reason[0] != 0);
        if (a[i].kind == KZ_ES_HANDOVER) {
            assert_int_equal(a[i].target, 0);
            r->handovers++;
        } else if (a[i].kind == KZ_ES_SLEEP) {
            assert_false(r->asleep);
            double d = t - r->last_change;
            if (d < r->min_dwell_awake)
                r->min_dwell_awake = d;
            r->asleep = 1;
            r->sleeps++;
            r->last_change = t;
        } else {
            assert_true(r->asleep);
            double d = t - r->last_change;
            if (d < r->min_dwell_asleep && a[i].why != KZ_WHY_GUARD)
                r->min_dwell_asleep = d;
            r->asleep = 0;
            r->wakes++;
            r->last_change = t;
            r->last_why = a[i].why;
        }
    }
}

/* The loads below are designed around these thresholds (not the shipped defaults). */
static void set_thresholds(struct kz_es_params *p)
{
    p->sleep_util = 0.50;
    p->wake_util = 0.65;
    p->guard_util = 0.80;
}

static void open_run(struct run *r, enum kz_es_mode mode, struct kz_es_params *pp)
{
    memset(r, 0, sizeof *r);
    struct kz_es_params p;
    if (!pp) {
        kz_es_params_default(&p, mode);
        set_thresholds(&p);
        pp = &p;
    }
    /* these tests are about sleeping: the antenna-muting lever (test_eval_mute.c) is off */
    struct kz_es_params q = *pp;
    q.mute_frac = 0;
    assert_int_equal(kz_es_open(&r->es, &q, sector, 2), 0);
    r->min_dwell_asleep = r->min_dwell_awake = INFINITY;
    r->last_change = -1e9;
}

static void test_open_errors(void **state)
{
    (void)state;
    struct kz_es_params p;
    kz_es *es;
    kz_es_params_default(&p, KZ_ES_AI);
    struct kz_es_cell bad[2] = {sector[0], sector[1]};
    bad[1].cover = 1; /* a capacity cell is not a coverage cell */
    assert_int_equal(kz_es_open(&es, &p, bad, 2), KZ_EINVAL);
    bad[1].cover = 5;
    assert_int_equal(kz_es_open(&es, &p, bad, 2), KZ_EINVAL);
    p.sleep_util = 0.9; /* above wake_util: no hysteresis */
    assert_int_equal(kz_es_open(&es, &p, sector, 2), KZ_EINVAL);
}

/* Low steady load: handover first, sleep one period later; no wake while it stays low. */
static void test_sleeps_when_low(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_AI, NULL);
    for (int k = 1; k <= 120; k++)
        drive(&r, k * 60.0, 12.0); /* 12 Mbit/s: 0.2 of the coverage cell */
    assert_int_equal(r.handovers, 1);
    assert_int_equal(r.sleeps, 1);
    assert_int_equal(r.wakes, 0);
    assert_true(kz_es_cell_asleep(r.es, 1));
    assert_false(kz_es_cell_asleep(r.es, 0));
    kz_es_close(r.es);
}

/* High load: the coverage cell could not carry it, never sleeps. */
static void test_stays_when_high(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_AI, NULL);
    for (int k = 1; k <= 240; k++)
        drive(&r, k * 60.0, 45.0); /* 0.75 of the coverage cell */
    assert_int_equal(r.sleeps, 0);
    assert_int_equal(r.handovers, 0);
    kz_es_close(r.es);
}

/* A surge while asleep wakes the cell at once (guard), before the sleep dwell is over. */
static void test_guard_wakes_at_once(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_AI, NULL);
    int k = 1;
    for (; k <= 60 && !r.asleep; k++)
        drive(&r, k * 60.0, 10.0);
    assert_true(r.asleep);
    double slept_at = r.last_change;
    drive(&r, (k + 1) * 60.0, 55.0); /* stadium: 0.92 of the coverage cell */
    assert_false(r.asleep);
    assert_int_equal(r.last_why, KZ_WHY_GUARD);
    assert_true(r.last_change - slept_at <= 120.0);
    /* and the dwell then keeps it awake even when the surge ends at once */
    int sleeps = r.sleeps;
    double woke = r.last_change;
    for (int j = 1; j <= 20; j++)
        drive(&r, woke + j * 60.0, 10.0);
    assert_int_equal(r.sleeps, sleeps);
    kz_es_close(r.es);
}

/* A slow morning ramp: woken by the forecast before the coverage cell reaches the guard. */
static void test_forecast_wakes_ahead(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_AI, NULL);
    double t = 0;
    for (int k = 1; k <= 180; k++) {
        t = k * 60.0;
        drive(&r, t, 10.0);
    }
    assert_true(r.asleep);
    double max_u_asleep = 0;
    for (int k = 1; k <= 240 && r.asleep; k++) {
        double D = 10.0 + k * 0.25; /* +15 Mbit/s per hour */
        if (D / 60 > max_u_asleep)
            max_u_asleep = D / 60;
        drive(&r, t + k * 60.0, D);
    }
    assert_false(r.asleep);
    assert_int_equal(r.last_why, KZ_WHY_FORECAST);
    assert_true(max_u_asleep < 0.65);
    kz_es_close(r.es);
}

/* Load oscillating across the thresholds: transitions respect the dwell times. */
static void test_no_flapping(void **state)
{
    (void)state;
    struct run r;
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    set_thresholds(&p);
    open_run(&r, KZ_ES_AI, &p);
    for (int k = 1; k <= 24 * 60; k++) {
        /* 20-minute wiggle around 0.55 for 12 h, then a 4-hour swing 0.1 .. 0.9 */
        double D = k < 720 ? 33.0 + 8.0 * sin(k * 2 * M_PI / 20.0)
                           : 30.0 + 24.0 * sin(k * 2 * M_PI / 240.0);
        drive(&r, k * 60.0, D);
    }
    print_message("oscillation: %d sleeps, %d wakes, min dwell asleep %.0f s awake %.0f s\n",
                  r.sleeps, r.wakes, r.min_dwell_asleep, r.min_dwell_awake);
    assert_true(r.sleeps >= 2); /* the swing is slow enough to sleep in its troughs */
    assert_true(r.min_dwell_awake >= p.min_awake_s);
    assert_true(r.min_dwell_asleep >= p.min_sleep_s || r.wakes == 0);
    assert_true(r.sleeps <= 24 * 3600 / (p.min_awake_s + p.min_sleep_s) + 1);
    kz_es_close(r.es);
}

static void test_night_schedule(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_NIGHT, NULL);
    double slept = -1, woke = -1;
    for (int k = 1; k <= 24 * 60; k++) {
        int was = r.asleep;
        drive(&r, k * 60.0, 40.0); /* load does not matter */
        if (!was && r.asleep)
            slept = k * 60.0;
        if (was && !r.asleep)
            woke = k * 60.0;
    }
    assert_true(slept == 3660.0);  /* handover at 01:00, asleep from 01:01 */
    assert_true(woke == 21600.0);  /* wake ordered at 06:00 */
    assert_int_equal(r.sleeps, 1);
    kz_es_close(r.es);
}

static void test_threshold_rule(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_THRESHOLD, NULL);
    /* capacity PRB = 0.7 D / 200: below 0.15 for D < 42.8 -> sleeps at once */
    for (int k = 1; k <= 10; k++)
        drive(&r, k * 60.0, 30.0);
    assert_true(r.asleep);
    /* wake when the coverage cell passes 0.60 PRB: D > 36 */
    drive(&r, 11 * 60.0, 35.0);
    assert_true(r.asleep);
    drive(&r, 12 * 60.0, 40.0);
    assert_false(r.asleep);
    kz_es_close(r.es);
}

static void test_schedule_replay(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_SCHEDULE, NULL);
    uint8_t s[2 * 10] = {0};
    for (int k = 3; k < 7; k++)
        s[1 * 10 + k] = 1; /* cell 1 asleep in slots 3..6 of 60 s */
    assert_int_equal(kz_es_set_schedule(r.es, 0, 60, 10, s), 0);
    int asleep_at[12];
    for (int k = 1; k <= 11; k++) {
        drive(&r, k * 60.0, 20);
        asleep_at[k] = r.asleep;
    }
    /* handover at t=120 (slot 3 starts at 180), asleep from 180 (decision at t = 180 covers
     * [180, 240)), wake ordered at 360 for slot 7 */
    assert_int_equal(asleep_at[2], 0);
    assert_int_equal(asleep_at[3], 1);
    assert_int_equal(asleep_at[5], 1);
    assert_int_equal(asleep_at[6], 0);
    kz_es_close(r.es);
}

/* Two sectors at two sites: A = coverage 0 + capacity 1 (site 1), B = coverage 2 + capacity 3
 * (site 2).  Both quiet until the capacity cells sleep, then B's load jumps (a crowd that camps
 * on B because A's capacity cell is asleep).  With 1 and 2 neighbours the surge guard must wake
 * cell 1 at once, and no capacity cell may sleep while it holds; without the relation (same
 * run, no kz_es_set_neighbours) cell 1 must stay asleep -- the old same-site rule. */
static const struct kz_es_cell two[4] = {
    {.nci = 0x10, .role = KZ_ES_COVERAGE, .cover = -1, .site = 1},
    {.nci = 0x13, .role = KZ_ES_CAPACITY, .cover = 0, .site = 1},
    {.nci = 0x20, .role = KZ_ES_COVERAGE, .cover = -1, .site = 2},
    {.nci = 0x23, .role = KZ_ES_CAPACITY, .cover = 2, .site = 2},
};

static void fill_two(struct kz_es_obs *o, double DA, double DB, const int *asleep)
{
    fill(o, DA, !asleep[1]);
    fill(o + 2, DB, !asleep[3]);
    /* the surge's users land on B's coverage cell at good rates: no other guard fires */
    o[2].prb = fmin(o[2].prb, 0.3);
}

/* Returns the time cell 1 was woken by the surge guard (-1: never); *sleeps_in_hold counts
 * sleeps of any capacity cell between the surge's start and the end of its hold. */
static double surge_run(int with_nbr, int *sleeps_in_hold, char *reason, size_t rlen)
{
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    set_thresholds(&p);
    p.mute_frac = 0;
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, two, 4), 0);
    if (with_nbr) {
        const uint32_t n1[] = {0, 2, 3}, n2[] = {1, 3};
        assert_int_equal(kz_es_set_neighbours(es, 1, n1, 3), 0);
        assert_int_equal(kz_es_set_neighbours(es, 2, n2, 2), 0);
        uint32_t got[4];
        assert_int_equal(kz_es_neighbours(es, 2, got, 4), 2); /* 1 (both ways) and 3 */
        assert_int_equal(kz_es_neighbours(es, 0, got, 4), 1); /* 1 lists 0 */
        assert_int_equal(got[0], 1);
    }
    int asleep[4] = {0, 0, 0, 0};
    struct kz_es_obs o[4];
    struct kz_es_action a[8];
    double woke = -1, t_surge = -1;
    *sleeps_in_hold = 0;
    for (int k = 1; k <= 6 * 60; k++) {
        double t = k * 60.0;
        int surge = asleep[1] && asleep[3] && k > 180;
        if (surge && t_surge < 0)
            t_surge = t;
        fill_two(o, 10.0, t_surge > 0 ? 45.0 : 10.0, asleep);
        size_t n = kz_es_step(es, t, o, a, 8);
        for (size_t i = 0; i < n; i++) {
            if (a[i].kind == KZ_ES_SLEEP) {
                asleep[a[i].cell] = 1;
                if (t_surge > 0 && t <= t_surge + p.surge_hold_s)
                    (*sleeps_in_hold)++;
            } else if (a[i].kind == KZ_ES_WAKE) {
                asleep[a[i].cell] = 0;
                if (a[i].cell == 1 && t_surge > 0 && woke < 0 &&
                    strstr(a[i].reason, "surge guard")) {
                    woke = t - t_surge;
                    snprintf(reason, rlen, "%s", a[i].reason);
                    assert_int_equal(a[i].why, KZ_WHY_GUARD);
                }
            }
        }
    }
    assert_true(t_surge > 0); /* both capacity cells were asleep before the surge */
    kz_es_close(es);
    return woke;
}

static void test_surge_neighbour(void **state)
{
    (void)state;
    char reason[256] = "";
    int sleeps = 0;
    double w = surge_run(1, &sleeps, reason, sizeof reason);
    print_message("with neighbours: cell 1 woken %.0f s after the surge: %s\n", w, reason);
    assert_true(w >= 0);
    assert_true(w <= 3 * 60.0); /* detection over the smoothed load, then at once */
    assert_non_null(strstr(reason, "sector of cell 2 (neighbour)"));
    assert_int_equal(sleeps, 0);
    w = surge_run(0, &sleeps, reason, sizeof reason);
    assert_true(w < 0); /* another site, no relation: not woken by the surge guard */
    /* bad arguments */
    kz_es *es = NULL;
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    assert_int_equal(kz_es_open(&es, &p, two, 4), 0);
    const uint32_t bad[] = {4};
    assert_int_equal(kz_es_set_neighbours(es, 4, bad, 0), KZ_EINVAL);
    assert_int_equal(kz_es_set_neighbours(es, 1, bad, 1), KZ_EINVAL);
    assert_int_equal(kz_es_set_neighbours(es, 1, NULL, 1), KZ_EINVAL);
    assert_int_equal(kz_es_set_neighbours(es, 1, NULL, 0), 0);
    assert_int_equal(kz_es_neighbours(es, 1, NULL, 0), 0);
    kz_es_close(es);
}

static void test_always_on_and_stats(void **state)
{
    (void)state;
    struct run r;
    open_run(&r, KZ_ES_ALWAYS_ON, NULL);
    for (int k = 1; k <= 200; k++)
        drive(&r, k * 60.0, 1.0);
    assert_int_equal(r.sleeps + r.wakes + r.handovers, 0);
    struct kz_es_stats st;
    kz_es_stats_get(r.es, &st);
    assert_int_equal(st.sleeps, 0);
    /* the forecaster learned anyway: a constant 1 Mbit/s, error ~0 */
    double mae, mape;
    kz_es_stats_fc_error(&st, KZ_FC_USED, 3, &mae, &mape);
    assert_true(mae < 1e-6);
    assert_non_null(kz_es_forecaster(r.es, 1));
    assert_null(kz_es_forecaster(r.es, 0));
    kz_es_close(r.es);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_sleeps_when_low),
        cmocka_unit_test(test_stays_when_high),
        cmocka_unit_test(test_guard_wakes_at_once),
        cmocka_unit_test(test_forecast_wakes_ahead),
        cmocka_unit_test(test_no_flapping),
        cmocka_unit_test(test_night_schedule),
        cmocka_unit_test(test_threshold_rule),
        cmocka_unit_test(test_schedule_replay),
        cmocka_unit_test(test_always_on_and_stats),
        cmocka_unit_test(test_surge_neighbour),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
