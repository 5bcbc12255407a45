/*
 * test_eval_mute.c -- the antenna-muting lever of the decision core (es.h): network-wide levels
 * that follow the relative load, the guards that unmute one cell, dwell, the lever on by default
 * for the energy saver and never in the baselines, the clairvoyant's level schedule.
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
static const struct kz_es_cell sector[2] = {{0x10, KZ_ES_COVERAGE, -1, 2, 1},
                                            {0x13, KZ_ES_CAPACITY, 0, 64, 1}};
/* one sector with two capacity cells: 0 coverage (20 Mbit/s at full PRB use), 1 and 2 capacity
 * (200 Mbit/s each) */
static const struct kz_es_cell sector3[3] = {{0x10, KZ_ES_COVERAGE, -1, 2, 1},
                                             {0x13, KZ_ES_CAPACITY, 0, 64, 1},
                                             {0x16, KZ_ES_CAPACITY, 0, 64, 1}};

/* two sectors of one coverage and one capacity cell each, on two sites */
static const struct kz_es_cell two[4] = {{0x10, KZ_ES_COVERAGE, -1, 2, 1},
                                         {0x13, KZ_ES_CAPACITY, 0, 64, 1},
                                         {0x20, KZ_ES_COVERAGE, -1, 2, 2},
                                         {0x23, KZ_ES_CAPACITY, 2, 64, 2}};

static void obs_set(struct kz_es_obs *o, double cov_prb, double cap_prb, double cap_ue_thr)
{
    memset(o, 0, 2 * sizeof *o);
    o[0] = (struct kz_es_obs){cov_prb, 20 * cov_prb, 20, 5, 300, 1, -1};
    o[1] = (struct kz_es_obs){cap_prb, 200 * cap_prb, cap_ue_thr, 10, 600, 1, -1};
}

static void obs3(struct kz_es_obs *o, double cov_prb, double prb1, double prb2, double ue_thr)
{
    o[0] = (struct kz_es_obs){cov_prb, 20 * cov_prb, 20, 5, 300, 1, -1};
    o[1] = (struct kz_es_obs){prb1, 200 * prb1, ue_thr, 10, 600, 1, -1};
    o[2] = (struct kz_es_obs){prb2, 200 * prb2, ue_thr, 10, 600, 1, -1};
}

/* What the core did to each cell over a stretch: the last MUTE/UNMUTE per cell and counts. */
struct seen {
    struct kz_es_action last[3];
    int n_mute[3], n_unmute[3], n_guard[3];
    double t_first_deeper[3];
};

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

static void run3(kz_es *es, double *t, double t_end, const struct kz_es_obs *o, struct seen *s)
{
    memset(s, 0, sizeof *s);
    struct kz_es_action a[8];
    for (; *t < t_end; *t += 60) {
        size_t n = kz_es_step(es, *t, o, a, 8);
        for (size_t i = 0; i < n; i++) {
            uint32_t c = a[i].cell;
            assert_true(c < 3);
            if (a[i].kind == KZ_ES_MUTE)
                s->n_mute[c]++;
            else if (a[i].kind == KZ_ES_UNMUTE)
                s->n_unmute[c]++;
            else
                fail_msg("unexpected %s of cell %u", kz_es_kind_name(a[i].kind), c);
            s->n_guard[c] += a[i].why == KZ_WHY_GUARD;
            s->last[c] = a[i];
        }
    }
}

static kz_es *open_ai3_crowd(double frac, double crowd_mbps)
{
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    p.sleep_util = 0.0; /* never sleep: test the lever alone */
    kz_es_params_mute(&p, frac >= 0 ? frac : 0.125);
    p.mute_history_s = 0; /* the busy hours are in the first 3 h of these tests */
    p.tail_floor_mbps = -1; /* the load rule alone (the tail guard: test_tail_guard) */
    p.mute_max_lvl_cov = 1; /* and coverage MIMO sleep (off in the defaults) */
    p.mute_rho_cov[1] = 0.30;
    p.surge_unmute_mbps = crowd_mbps;
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, sector3, 3), 0);
    return es;
}

/* The lever's load rule alone: a sudden return of the load is not taken for a crowd (the
 * crowd: test_crowd_unmutes_sector). */
static kz_es *open_ai3(double frac)
{
    return open_ai3_crowd(frac, 0);
}

/* The lever is off in the core's defaults (the baselines never mute), and kz_es_params_mute
 * switches it on: 1/2 .. 1/8 of the TxRUs, coverage MIMO sleep off, tail guard learned. */
static void test_lever_off_by_default(void **state)
{
    (void)state;
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    assert_true(p.mute_frac == 0);
    kz_es_params_mute(&p, 0.125);
    assert_true(p.mute_frac == 0.125 && p.mute_max_lvl_cov == 0);
    assert_true(p.tail_floor_mbps == 0 && p.tail_margin == 1.5 && p.tail_weighted == 1);
    assert_true(p.surge_unmute_mbps == 30);
    assert_true(p.mute_rho[1] > p.mute_rho[2] && p.mute_rho[2] > p.mute_rho[3]);
    assert_true(kz_es_mute_level_frac(0) == 1 && kz_es_mute_level_frac(3) == 0.125);
    kz_es_params_default(&p, KZ_ES_THRESHOLD);
    assert_true(p.mute_frac == 0);
}

/* Network-wide levels follow the relative load: deeper one level per dwell while the load stays
 * low, every capacity cell alike; coverage cells only at the lowest load; back to all TxRUs at
 * once when the load returns. */
static void test_levels_follow_load(void **state)
{
    (void)state;
    kz_es *es = open_ai3(-1);
    struct kz_es_obs o[3];
    struct seen s;
    double t = 0;
    obs3(o, 0.5, 0.5, 0.5, 40); /* 210 Mbit/s: the busiest slot so far */
    run3(es, &t, 3 * 3600, o, &s);
    assert_int_equal(s.n_mute[1] + s.n_mute[2] + s.n_mute[0], 0);
    obs3(o, 0.2, 0.2, 0.2, 40); /* 84 Mbit/s: rho 0.4 -> 1/2 then 1/4, not 1/8 */
    run3(es, &t, 6 * 3600, o, &s);
    for (int c = 1; c <= 2; c++) {
        assert_int_equal(s.n_mute[c], 2);
        assert_true(s.last[c].txru == 0.25 && s.last[c].why == KZ_WHY_FORECAST);
        assert_int_equal(kz_es_cell_muted(es, (size_t)c), 2);
    }
    assert_int_equal(s.n_mute[0], 0); /* 0.4 > coverage bound 0.30 */
    printf("# %s\n", s.last[1].reason);
    obs3(o, 0.1, 0.05, 0.05, 40); /* 22 Mbit/s: rho 0.1 -> 1/8; coverage to half its TxRUs */
    run3(es, &t, 9 * 3600, o, &s);
    assert_true(s.last[1].txru == 0.125 && s.last[2].txru == 0.125);
    assert_true(s.n_mute[0] == 1 && s.last[0].txru == 0.5 && kz_es_cell_muted(es, 0) == 1);
    obs3(o, 0.4, 0.5, 0.5, 40); /* the load is back (no guard fires): all TxRUs at once */
    double t0 = t;
    run3(es, &t, t0 + 60, o, &s);
    for (int c = 0; c <= 2; c++) {
        assert_int_equal(s.n_unmute[c], 1);
        assert_true(s.last[c].txru == 1.0);
        assert_int_equal(kz_es_cell_muted(es, (size_t)c), 0);
    }
    struct kz_es_stats st;
    kz_es_stats_get(es, &st);
    assert_true(st.mutes == 7 && st.unmutes == 3 && st.unmutes_guard == 0 && st.muted_s > 0);
    kz_es_close(es);
}

/* A cell whose own PRB use passes unmute_prb is unmuted at once (guard), its neighbours keep
 * the network level, and it is not muted again before mute_min_s. */
static void test_guard_unmutes_one_cell(void **state)
{
    (void)state;
    kz_es *es = open_ai3(-1);
    struct kz_es_obs o[3];
    struct seen s;
    double t = 0;
    obs3(o, 0.5, 0.9, 0.9, 40); /* 370 Mbit/s peak */
    run3(es, &t, 3 * 3600, o, &s);
    obs3(o, 0.2, 0.3, 0.3, 40); /* 124: rho 0.34 -> 1/4 */
    run3(es, &t, 5 * 3600, o, &s);
    assert_int_equal(kz_es_cell_muted(es, 1), 2);
    obs3(o, 0.2, 0.55, 0.05, 40); /* cell 1 busy (PRB 0.75 > 0.70 once muted... */
    o[1].prb = 0.75;              /* ...), same total */
    run3(es, &t, t + 60, o, &s);
    assert_true(s.n_unmute[1] == 1 && s.n_guard[1] == 1 && s.last[1].txru == 1.0);
    printf("# %s\n", s.last[1].reason);
    assert_int_equal(s.n_unmute[2], 0);
    obs3(o, 0.2, 0.3, 0.3, 40); /* light again: held unmuted for the dwell (900 s) */
    double t0 = t;
    run3(es, &t, t0 + 840, o, &s);
    assert_int_equal(s.n_mute[1], 0);
    run3(es, &t, t0 + 1200, o, &s);
    assert_true(s.n_mute[1] == 1 && s.last[1].txru == 0.25);
    /* users' throughput below mute_ue_thr_mbps (5) unmutes too */
    obs3(o, 0.2, 0.3, 0.3, 3);
    run3(es, &t, t + 60, o, &s);
    assert_true(s.n_unmute[1] == 1 && s.n_unmute[2] == 1 && s.n_guard[1] == 1);
    kz_es_close(es);
}

/* A crowd in a sector (its load far above the forecast, surge_unmute_mbps) unmutes the
 * sector's capacity cells to all TxRUs at once and holds them there for surge_hold_s after it
 * was last seen; a smaller surge -- a morning ramp the forecast is late on -- leaves the
 * network level alone. */
static void test_crowd_unmutes_sector(void **state)
{
    (void)state;
    struct kz_es_params d;
    kz_es_params_energy_saver(&d);
    kz_es *es = open_ai3_crowd(-1, d.surge_unmute_mbps);
    struct kz_es_obs o[3];
    struct seen s;
    double t = 0;
    obs3(o, 0.5, 0.5, 0.5, 40); /* 210 Mbit/s: the busiest slot */
    run3(es, &t, 3 * 3600, o, &s);
    obs3(o, 0.1, 0.05, 0.05, 40); /* 22 Mbit/s for hours: 1/8, forecast ~22 */
    run3(es, &t, 8 * 3600, o, &s);
    assert_true(kz_es_cell_muted(es, 1) == 3 && kz_es_cell_muted(es, 2) == 3);
    obs3(o, 0.1, 0.1, 0.1, 40); /* 42 Mbit/s: a surge, 20 above the forecast, no crowd */
    run3(es, &t, t + 600, o, &s);
    assert_int_equal(s.n_unmute[1] + s.n_unmute[2], 0);
    obs3(o, 0.1, 0.05, 0.05, 40);
    run3(es, &t, t + 3600, o, &s);
    obs3(o, 0.1, 0.2, 0.2, 40); /* 82 Mbit/s: a crowd, 60 above the forecast */
    run3(es, &t, t + 600, o, &s);
    for (int c = 1; c <= 2; c++) {
        assert_true(s.last[c].kind == KZ_ES_UNMUTE && s.last[c].txru == 1.0);
        assert_true(s.last[c].why == KZ_WHY_GUARD && strstr(s.last[c].reason, "surge guard"));
        assert_int_equal(kz_es_cell_muted(es, (size_t)c), 0);
    }
    printf("# %s\n", s.last[1].reason);
    obs3(o, 0.1, 0.05, 0.05, 40); /* the crowd leaves: held for surge_hold_s (1800 s) */
    double t0 = t;
    run3(es, &t, t0 + 1500, o, &s);
    assert_int_equal(s.n_mute[1] + s.n_mute[2], 0);
    run3(es, &t, t0 + 7200, o, &s);
    assert_true(kz_es_cell_muted(es, 1) > 0 && kz_es_cell_muted(es, 2) > 0);
    kz_es_close(es);
}

/* The sector cap: with two sectors, one near its own busiest slot while the network is quiet
 * keeps more TxRUs than the network level would give it; the quiet one follows the network
 * level; with the cap off (mute_rho_sector[1] = 0) both follow the network level. */
static void two_sectors(double *cap_a, double *cap_b, int sector_cap)
{
    struct kz_es_params p;
    kz_es_params_energy_saver(&p);
    p.sleep_util = 0.0;
    p.empty_prb = 0;
    p.mute_history_s = 0;
    p.tail_floor_mbps = -1;
    if (!sector_cap)
        p.mute_rho_sector[1] = 0;
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, two, 4), 0);
    struct kz_es_obs o[4];
    struct kz_es_action a[8];
    double load_a = 200, load_b = 200; /* Mbit/s per sector, capacity cell 200 x PRB */
    for (double t = 0; t < 10 * 3600; t += 60) {
        if (t >= 3 * 3600) /* sector A at 0.75 of its peak, B at 0.05: network 0.40 */
            load_a = 150, load_b = 10;
        double la[2] = {load_a, load_b};
        for (int s = 0; s < 2; s++) {
            o[2 * s] = (struct kz_es_obs){0.2, 10, 20, 5, 300, 1, -1};
            o[2 * s + 1] = (struct kz_es_obs){(la[s] - 10) / 400, la[s] - 10, 40, 10, 600, 1, -1};
        }
        kz_es_step(es, t, o, a, 8);
    }
    *cap_a = kz_es_mute_level_frac(kz_es_cell_muted(es, 1));
    *cap_b = kz_es_mute_level_frac(kz_es_cell_muted(es, 3));
    kz_es_close(es);
}

static void test_sector_cap(void **state)
{
    (void)state;
    struct kz_es_params d;
    kz_es_params_energy_saver(&d);
    assert_true(d.mute_rho_sector[1] == 1.0 && d.mute_rho_sector[2] == 0.75 &&
                d.mute_rho_sector[3] == 0.5);
    double a, b;
    two_sectors(&a, &b, 1);
    printf("# sector cap on: sector A (0.75 of its peak) at %.3f of its TxRUs, B at %.3f\n", a, b);
    assert_true(a == 0.5 && b == 0.25); /* network 0.40: level 2 (1/4); A's own: level 1 */
    two_sectors(&a, &b, 0);
    printf("# sector cap off: A at %.3f, B at %.3f\n", a, b);
    assert_true(a == 0.25 && b == 0.25);
}

static void test_lever_off(void **state)
{
    (void)state;
    struct kz_es_obs o[3];
    struct seen s;
    double t = 0;
    kz_es *es = open_ai3(0); /* mute_frac 0: off */
    obs3(o, 0.5, 0.5, 0.5, 40);
    run3(es, &t, 3 * 3600, o, &s);
    obs3(o, 0.05, 0.01, 0.01, 40);
    run3(es, &t, 9 * 3600, o, &s);
    assert_int_equal(s.n_mute[0] + s.n_mute[1] + s.n_mute[2], 0);
    kz_es_close(es);
    /* the lever on: no muting before the core has seen a whole day (what "busy" is) */
    struct kz_es_params d;
    kz_es_params_default(&d, KZ_ES_AI);
    kz_es_params_mute(&d, 0.125);
    d.sleep_util = 0;
    d.tail_floor_mbps = -1;   /* the history gate alone */
    d.mute_max_lvl_cov = 1;
    d.mute_rho_cov[1] = 0.30;
    assert_int_equal(kz_es_open(&es, &d, sector3, 3), 0);
    t = 0;
    obs3(o, 0.5, 0.5, 0.5, 40);
    run3(es, &t, 3 * 3600, o, &s);
    obs3(o, 0.05, 0.01, 0.01, 40);
    run3(es, &t, 23.5 * 3600, o, &s);
    assert_int_equal(s.n_mute[0] + s.n_mute[1] + s.n_mute[2], 0);
    run3(es, &t, 25 * 3600, o, &s);
    assert_true(s.n_mute[1] > 0 && s.n_mute[0] > 0);
    kz_es_close(es);
    /* baselines never mute, even with the lever's parameters set */
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_THRESHOLD);
    kz_es_params_mute(&p, 0.25);
    p.thr_sleep_prb = 0;
    assert_int_equal(kz_es_open(&es, &p, sector, 2), 0);
    t = 0;
    struct kz_es_obs o2[2];
    obs_set(o2, 0.05, 0.01, 40);
    assert_int_equal(run(es, &t, 7200, o2, KZ_ES_MUTE, NULL), 0);
    kz_es_close(es);
}

/* The tail guard: a cell goes deeper only while its users' 10th percentile, halved per level,
 * stays above the floor; the coverage cell's tail below it sends its capacity cells one level
 * up at once; with no floor learned nothing goes deeper; the learned floor is tail_margin x the
 * 5th percentile of the UE samples. */
static void test_tail_guard(void **state)
{
    (void)state;
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    kz_es_params_mute(&p, 0.125);
    p.sleep_util = 0;
    p.mute_history_s = 0;
    p.tail_floor_mbps = 10;
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, sector3, 3), 0);
    struct kz_es_obs o[3];
    struct kz_es_action act[16];
    const double base[3] = {50, 30, 90}; /* users' 10th percentile with every TxRU on */
    double t = 0;
    int guard_up = 0;
    for (; t < 12 * 3600; t += 60) {
        int light = t >= 3 * 3600;
        obs3(o, light ? 0.05 : 0.5, light ? 0.05 : 0.5, light ? 0.05 : 0.5, 40);
        for (int i = 0; i < 3; i++) /* the tail follows the muting, as a noise-limited user's */
            o[i].ue_thr_lo_mbps = base[i] * kz_es_mute_level_frac(kz_es_cell_muted(es, (size_t)i));
        if (t >= 9 * 3600)
            o[0].ue_thr_lo_mbps = 5; /* the coverage cell's users now under the floor */
        size_t n = kz_es_step(es, t, o, act, 16);
        for (size_t k = 0; k < n; k++)
            if (act[k].kind == KZ_ES_UNMUTE || (act[k].kind == KZ_ES_MUTE && act[k].why == KZ_WHY_GUARD))
                guard_up += t >= 9 * 3600;
        if (t == 9 * 3600 - 60) {
            /* 30 -> 15 at 1/2, 7.5 at 1/4: cell 1 stays at 1/2; 90 -> 11.25 at 1/8: cell 2 at 1/8 */
            assert_int_equal(kz_es_cell_muted(es, 1), 1);
            assert_int_equal(kz_es_cell_muted(es, 2), 3);
        }
        if (t == 9 * 3600) {
            assert_int_equal(kz_es_cell_muted(es, 1), 0);
            assert_int_equal(kz_es_cell_muted(es, 2), 2);
        }
    }
    assert_true(guard_up >= 2);
    kz_es_close(es);
    /* learned: none before samples (and then no cell goes deeper), 1.5 x p5 after; first one
     * sample per UE */
    p.tail_floor_mbps = 0;
    p.tail_weighted = 0;
    p.tail_margin = 1.5;
    assert_int_equal(kz_es_open(&es, &p, sector3, 3), 0);
    obs3(o, 0.5, 0.5, 0.5, 40);
    kz_es_step(es, 0, o, act, 16);
    assert_true(kz_es_tail_floor(es) == 0);
    /* uniform 1..100 Mbit/s, every UE the same volume (so a UE at v Mbit/s transmits 100 / v
     * seconds): one per UE, p5 5.95; weighted by time, F(x) = ln x / ln 100, p5 100^0.05 */
    static struct kz_es_ue_sample v[2000];
    for (int k = 0; k < 2000; k++) {
        v[k].mbps = (float)(1.0 + 99.0 * k / 1999.0);
        v[k].tx_s = 100.0f / v[k].mbps;
    }
    kz_es_ue_samples(es, v, 2000);
    kz_es_step(es, 60, o, act, 16);
    double f = kz_es_tail_floor(es);
    printf("# learned floor %.2f Mbit/s\n", f);
    assert_true(f > 1.5 * 5.95 * 0.9 && f <= 1.5 * 5.95);
    double q = kz_es_ue_quantile(es, v, 2000, 0.1); /* one per UE: 10.9 */
    assert_true(q > 10.8 && q < 11.0);
    kz_es_close(es);
    p.tail_weighted = 1;
    assert_int_equal(kz_es_open(&es, &p, sector3, 3), 0);
    kz_es_step(es, 0, o, act, 16);
    kz_es_ue_samples(es, v, 2000);
    kz_es_step(es, 60, o, act, 16);
    f = kz_es_tail_floor(es);
    printf("# learned floor, weighted by time transmitting %.2f Mbit/s\n", f);
    assert_true(f > 1.5 * 1.259 * 0.9 && f <= 1.5 * 1.259 * 1.001);
    q = kz_es_ue_quantile(es, v, 2000, 0.1); /* 100^0.1 = 1.585 */
    printf("# weighted 10th percentile %.3f Mbit/s\n", q);
    assert_true(q > 1.50 && q < 1.62); /* 1.545: 2000 discrete values */
    kz_es_close(es);
}

/* One learning day (always-on) then the first hours of the next with the network at 0.55 of
 * its busiest slot: between the shipped first bound (0.6, deeper only below 0.54) and the roomy
 * one (0.7).  The day's users: busy hours uniform 1..100 Mbit/s (p5 about 10.9); at night
 * (night_mbps) far above twice that, or just above it, where a TxRU halving takes them under.
 * Returns the capacity cells' muting level after two hours; *risk the risk learned. */
static int tail_risk_day(double night_mbps, double risk_hi, double *risk, char *reason)
{
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    p.sleep_util = 0.0;
    kz_es_params_mute(&p, 0.125);
    p.mode = KZ_ES_ALWAYS_ON;
    p.mute_history_s = 0;
    p.tail_floor_mbps = -1; /* the load rule alone */
    p.surge_frac = 100;     /* day 2's return of the load is no surge */
    p.surge_min_mbps = 1e6;
    if (risk_hi >= 0)
        p.risk_hi = risk_hi;
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, sector3, 3), 0);
    assert_true(kz_es_tail_risk(es) < 0);
    struct kz_es_obs o[3];
    struct kz_es_action act[16];
    static struct kz_es_ue_sample v[100];
    double t = 0;
    for (; t < 86400; t += 60) {
        int busy = t >= 12 * 3600;
        if (busy)
            obs3(o, 0.5, 0.5, 0.5, 40); /* 210 Mbit/s */
        else
            obs3(o, 0.1, 0.05, 0.05, 40); /* 22 */
        for (int k = 0; k < 100; k++)
            v[k] = (struct kz_es_ue_sample){busy ? (float)(1 + 99.0 * k / 99.0) : (float)night_mbps,
                                            1.0f};
        kz_es_ue_samples(es, v, 100);
        assert_int_equal(kz_es_step(es, t, o, act, 16), 0);
    }
    kz_es_set_mode(es, KZ_ES_AI);
    obs3(o, 0.3, 0.274, 0.274, 40); /* 115.6 Mbit/s: 0.55 of the busiest slot */
    for (; t < 86400 + 2 * 3600; t += 60) {
        for (int k = 0; k < 100; k++)
            v[k] = (struct kz_es_ue_sample){(float)night_mbps, 1.0f};
        kz_es_ue_samples(es, v, 100);
        size_t n = kz_es_step(es, t, o, act, 16);
        for (size_t k = 0; k < n; k++)
            if (act[k].kind == KZ_ES_MUTE && reason)
                snprintf(reason, 224, "%s", act[k].reason);
    }
    *risk = kz_es_tail_risk(es);
    int lvl = kz_es_cell_muted(es, 1);
    assert_int_equal(kz_es_cell_muted(es, 2), lvl);
    kz_es_close(es);
    return lvl;
}

/* The tail risk picks the network bounds: night users far above the day's p5 -> risk 0, the
 * roomy bounds, muted at 0.55; night users just above it -> a high risk, the shipped bounds, not
 * muted; with the risk off (risk_hi 0) the shipped bounds whatever the risk. */
static void test_tail_risk(void **state)
{
    (void)state;
    double risk = -1;
    char reason[224] = "";
    int lvl = tail_risk_day(50, -1, &risk, reason);
    printf("# night users at 50 Mbit/s: tail risk %.3f, level %d: %s\n", risk, lvl, reason);
    assert_true(risk >= 0 && risk < 0.005); /* the boundary period: busy samples in hour 11 */
    assert_int_equal(lvl, 1);
    assert_non_null(strstr(reason, "level bound 0.70"));
    lvl = tail_risk_day(15, -1, &risk, NULL);
    printf("# night users at 15 Mbit/s: tail risk %.3f, level %d\n", risk, lvl);
    /* at risk: half the samples; slope (q7 - q3) / 4 % / p5 = (14.9 - 6.9) / 0.04 / 10.9 = 18 */
    assert_true(risk > 5 && risk < 12);
    assert_int_equal(lvl, 0);
    lvl = tail_risk_day(50, 0, &risk, NULL);
    assert_true(risk >= 0 && risk < 0.005); /* the boundary period: busy samples in hour 11 */
    assert_int_equal(lvl, 0);
}

/* Empty-cell sleep (the threshold rule's criterion inside the energy saver): a capacity cell
 * with almost no PRB use sleeps even when the coverage cell could not carry the sector's load
 * by the forecast rule -- but not while the coverage cell's users are under the tail floor --
 * hands its users over first, and wakes when the coverage cell's PRB use passes
 * empty_wake_prb; off (empty_prb 0), it stays awake. */
/* A learning day (always-on: two sectors at 200 Mbit/s each from 12:00, 20 at night, UE samples
 * spread 1..100 Mbit/s by day and night_mbps at night), then 3 hours deciding with sector A at
 * 0.9 of its own peak and B at 0.1: the network at 0.5 of its busiest slot.  Capacity cells'
 * TxRU fractions at the end in cap_a, cap_b; floor > 0: the tail guard's floor, with every
 * cell's users' 10th percentile at 30 Mbit/s. */
static void sector_deeper_day(double night_mbps, double risk_sector, double tail_x, double floor,
                              double *cap_a, double *cap_b)
{
    struct kz_es_params p;
    kz_es_params_energy_saver(&p);
    assert_true(p.risk_sector == 0.02 && p.risk_sector_tail == 2); /* the shipped ones */
    p.mode = KZ_ES_ALWAYS_ON;
    p.sleep_util = 0.0;
    p.empty_prb = 0;
    p.mute_history_s = 0;
    p.tail_floor_mbps = floor > 0 ? floor : -1;
    p.surge_frac = 100; /* day 2's sector A is no surge */
    p.surge_min_mbps = 1e6;
    p.risk_sector = risk_sector;
    p.risk_sector_tail = tail_x;
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &p, two, 4), 0);
    struct kz_es_obs o[4];
    struct kz_es_action a[8];
    static struct kz_es_ue_sample v[100];
    char reason_b[224] = ""; /* sector B's capacity cell's last MUTE */
    for (double t = 0; t < 86400 + 3 * 3600; t += 60) {
        int busy = t >= 12 * 3600 && t < 86400;
        if (t == 86400)
            kz_es_set_mode(es, KZ_ES_AI);
        double la[2] = {busy ? 200 : t >= 86400 ? 180 : 20, busy ? 200 : 20};
        for (int s = 0; s < 2; s++) {
            o[2 * s] = (struct kz_es_obs){0.2, 10, 20, 5, 300, 1, floor > 0 ? 30 : -1};
            o[2 * s + 1] = (struct kz_es_obs){(la[s] - 10) / 400, la[s] - 10, 40, 10, 600, 1,
                                              floor > 0 ? 30 : -1};
        }
        for (int k = 0; k < 100; k++)
            v[k] = (struct kz_es_ue_sample){busy ? (float)(1 + k) : (float)night_mbps, 1.0f};
        kz_es_ue_samples(es, v, 100);
        size_t n = kz_es_step(es, t, o, a, 8);
        for (size_t k = 0; k < n; k++)
            if (a[k].kind == KZ_ES_MUTE && a[k].cell == 3)
                snprintf(reason_b, sizeof reason_b, "%s", a[k].reason);
    }
    *cap_a = kz_es_mute_level_frac(kz_es_cell_muted(es, 1));
    *cap_b = kz_es_mute_level_frac(kz_es_cell_muted(es, 3));
    struct kz_es_stats st;
    kz_es_stats_get(es, &st);
    printf("# risk %.3f (sector levels at <= %.2f, tail x %.0f, floor %.0f): A at %.3f of its "
           "TxRUs, B at %.3f; %llu mutes deeper than the network\n",
           st.tail_risk, risk_sector, tail_x, floor, *cap_a, *cap_b,
           (unsigned long long)st.mutes_sector);
    assert_true((st.mutes_sector > 0) == (*cap_b < 0.5));
    assert_true((strstr(reason_b, "deeper than the network's") != NULL) == (*cap_b < 0.5));
    kz_es_close(es);
}

/* At a low tail risk a sector quiet against its own peak goes deeper than the network: the
 * network at 0.5 of its peak is at level 1 (1/2), sector B at 0.1 of its own goes to 1/8 while
 * sector A near its own peak keeps the network's 1/2.  Not at a high risk, not with risk_sector
 * 0, and not when its users' tail clears only the ordinary floor (risk_sector_tail). */
static void test_sector_deeper(void **state)
{
    (void)state;
    double a, b;
    sector_deeper_day(50, 0.02, 2, 0, &a, &b);
    assert_true(a == 0.5 && b == 0.125);
    sector_deeper_day(50, 0, 2, 0, &a, &b);
    assert_true(a == 0.5 && b == 0.5);
    sector_deeper_day(15, 0.02, 2, 0, &a, &b); /* users near p5 at night: a high risk */
    assert_true(a == 0.5 && b == 0.5);
    /* tail 30, floor 10: a level deeper leaves 15 >= 10 but not >= 2 x 10 */
    sector_deeper_day(50, 0.02, 1, 10, &a, &b);
    assert_true(a == 0.5 && b == 0.125);
    sector_deeper_day(50, 0.02, 2, 10, &a, &b);
    assert_true(a == 0.5 && b == 0.5);
}

static void test_empty_sleep(void **state)
{
    (void)state;
    for (int on = 0; on <= 1; on++) {
        struct kz_es_params p;
        kz_es_params_energy_saver(&p);
        p.mute_frac = 0; /* sleep alone */
        p.tail_floor_mbps = 10; /* a fixed floor (learned: test_tail_guard) */
        if (!on)
            p.empty_prb = 0;
        kz_es *es = NULL;
        assert_int_equal(kz_es_open(&es, &p, sector, 2), 0);
        struct kz_es_obs o[2];
        /* coverage 0.18 PRB (3.6 of 20 Mbit/s), capacity 0.025 PRB (5 Mbit/s): the coverage
         * cell would carry 0.43 > sleep_util 0.25, so the forecast rule never sleeps the cell */
        obs_set(o, 0.18, 0.025, 40);
        double t = 0;
        struct kz_es_action last;
        o[0].ue_thr_lo_mbps = 5; /* the coverage cell's users under the floor: no sleep */
        assert_int_equal(run(es, &t, 2 * 3600, o, KZ_ES_SLEEP, NULL), 0);
        o[0].ue_thr_lo_mbps = 12;
        int sleeps = run(es, &t, 3 * 3600, o, KZ_ES_SLEEP, &last);
        if (!on) {
            if (sleeps)
                printf("# off: %s\n", last.reason);
            assert_int_equal(sleeps, 0);
            kz_es_close(es);
            continue;
        }
        assert_int_equal(sleeps, 1);
        assert_true(last.why == KZ_WHY_LOAD);
        printf("# %s\n", last.reason);
        assert_true(kz_es_cell_asleep(es, 1));
        /* coverage busier but at or under empty_wake_prb: stays asleep */
        obs_set(o, p.empty_wake_prb, 0.0, 40);
        assert_int_equal(run(es, &t, t + 3600, o, KZ_ES_WAKE, NULL), 0);
        obs_set(o, p.empty_wake_prb + 0.02, 0.0, 40); /* over it: wakes */
        assert_int_equal(run(es, &t, t + 120, o, KZ_ES_WAKE, &last), 1);
        assert_true(!kz_es_cell_asleep(es, 1));
        kz_es_close(es);
    }
}

/* The clairvoyant's levels: the same rule on given loads. */
static void test_level_schedule(void **state)
{
    (void)state;
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    kz_es_params_mute(&p, 0.125);
    p.mute_max_lvl_cov = 1;
    double rho[120];
    uint8_t cap[120], cov[120];
    for (int k = 0; k < 120; k++)
        rho[k] = k < 60 ? 0.1 : 0.95;
    kz_es_level_schedule(rho, 120, &p, 0, cap);
    kz_es_level_schedule(rho, 120, &p, 1, cov);
    /* one level deeper per 15-min dwell: 1 at once, 2 after 15 min, 3 after 30 */
    assert_true(cap[0] == 1 && cap[14] == 1 && cap[15] == 2 && cap[30] == 3 && cap[59] == 3);
    assert_true(cov[0] == 1 && cov[59] == 1);
    assert_true(cap[60] == 0 && cov[60] == 0 && cap[119] == 0);
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
        cmocka_unit_test(test_lever_off_by_default),
        cmocka_unit_test(test_levels_follow_load),
        cmocka_unit_test(test_guard_unmutes_one_cell),
        cmocka_unit_test(test_crowd_unmutes_sector),
        cmocka_unit_test(test_sector_cap),
        cmocka_unit_test(test_lever_off),
        cmocka_unit_test(test_tail_guard),
        cmocka_unit_test(test_tail_risk),
        cmocka_unit_test(test_sector_deeper),
        cmocka_unit_test(test_empty_sleep),
        cmocka_unit_test(test_level_schedule),
        cmocka_unit_test(test_unmute_before_sleep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
