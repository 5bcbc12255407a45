/*
 * End-to-end regression test of the energy-saving evaluation.  test_day: the whole small-city
 * day with a learning day, the saving and QoS bounds (below).  test_compare: a shortened
 * scenario, the small city from 00:00 to 06:00 without a learning day (so the sleep logic alone:
 * the muting lever waits for a day of history), every policy on the same seed, judged by the
 * emulator's ground truth.  test_compare asserts:
 *   - determinism: the same seed and policy give the same ground truth bit for bit;
 *   - QoS bounds of the energy saver with its default guards: 5th-percentile user throughput
 *     within 2 % of always-on, unmet demand at most always-on + 0.5 percentage points;
 *   - it never costs energy, and the clairvoyant replay saves at least as much as it does
 *     (up to 1 % of the reference, the replay's own variance);
 *   - safety: a guard wake is serving within a decision period plus the wake-up delay;
 *   - no cell flaps: sleeps per capacity cell bounded by the dwell times.
 * test_stadium_served / test_stadium_day: issue 7's surge requirement on
 * scenarios/small-city-stadium.json -- the surge guard, through the neighbour relations (the
 * emulator's NRT in-process, RC REPORT style 3 over E2), wakes the stadium's sleeping cell 16
 * although the surge shows at another site (comments there).
 * Skips (77) without the scenario file.  Figures are printed for the log.  KZ_TEST_FILTER=name
 * runs one test (cmocka_set_test_filter); KZ_TEST_VERBOSE=1 prints every decision.
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

#include "emu/scenario.h"
#include "eval/e2_runner.h"
#include "eval/report.h"
#include "eval/run.h"
#include "kizuna/emu.h"
#include "eval/bound.h"
#include "kizuna/error.h"

static struct kz_scenario *sc;

static void test_compare(void **state)
{
    (void)state;
    struct kz_eval_cfg ec;
    kz_eval_cfg_default(&ec, sc);
    ec.duration_s = 6 * 3600;
    ec.history_days = 0;
    struct kz_bound_info bi;
    ec.bound_info = &bi;
    struct kz_eval_thr_bar tb;
    ec.thr_bar_info = &tb;
    static struct kz_run_result res[KZ_EVAL_NRUNS];
    char err[256];
    int rc = kz_eval_compare(&ec, res, err, sizeof err);
    if (rc)
        print_error("compare: %s\n", err);
    assert_int_equal(rc, 0);
    kz_eval_print_table(stdout, res, KZ_EVAL_NRUNS);
    const struct kz_metrics_result *a0 = &res[KZ_EVAL_ALWAYS_ON].m, *ai = &res[KZ_EVAL_AI].m;
    const struct kz_metrics_result *cv = &res[KZ_EVAL_CLAIRVOYANT].m;
    /* the clairvoyant bound: found a schedule, and its replay (measured) keeps the bar */
    printf("# bound: feasible %d after %u replays, scale %.2f\n", bi.feasible, bi.replays, bi.scale);
    assert_true(bi.feasible);
    assert_true(fabs(bi.p5_ref_mbps - a0->thp_p5_mbps) < 1e-9);
    assert_true(cv->thp_p5_mbps >= 0.98 * a0->thp_p5_mbps);
    assert_true(cv->unmet_pct <= a0->unmet_pct + 0.5);
    assert_true(cv->energy_kwh < a0->energy_kwh);
    /* the threshold rule at the bar: its search ran, the row kept meets the bar and saves
     * energy, and the rule at its defaults (more energy saved) is the one that breaks it */
    const struct kz_run_result *tr = &res[KZ_EVAL_THRESHOLD_BAR], *t0 = &res[KZ_EVAL_THRESHOLD];
    printf("# threshold@bar: x %.3f after %u runs, met %d\n", tb.sleep_prb, tb.runs, tb.met);
    assert_int_equal(tb.runs, ec.thr_bar_runs);
    assert_true(tb.met);
    assert_string_equal(tr->name, "threshold@bar");
    assert_true(kz_eval_meets_bar(&res[KZ_EVAL_ALWAYS_ON], tr, 0.02, 0.5));
    assert_true(tr->m.energy_kwh < a0->energy_kwh);
    assert_false(kz_eval_meets_bar(&res[KZ_EVAL_ALWAYS_ON], t0, 0.02, 0.5));
    assert_true(t0->m.energy_kwh < tr->m.energy_kwh);
    /* QoS bounds */
    assert_true(ai->thp_p5_mbps >= 0.98 * a0->thp_p5_mbps);
    assert_true(ai->unmet_pct <= a0->unmet_pct + 0.5);
    /* energy */
    assert_true(ai->energy_kwh <= a0->energy_kwh * 1.001);
    assert_true(cv->energy_kwh <= ai->energy_kwh + 0.01 * a0->energy_kwh);
    /* safety and flapping */
    const struct kz_run_result *r = &res[KZ_EVAL_AI];
    assert_true(r->max_guard_reaction_s <= ec.ai.period_s + 15.0);
    double per_cell = r->n_capacity ? (double)r->es.sleeps / (double)r->n_capacity : 0;
    assert_true(per_cell <= ec.duration_s / (ec.ai.min_sleep_s + ec.ai.min_awake_s) + 1);
    assert_int_equal(r->ctrl_failed, 0);
    /* determinism of the reference */
    struct kz_run_cfg c;
    kz_run_cfg_default(&c, sc, KZ_ES_ALWAYS_ON);
    c.duration_s = 3600;
    struct kz_run_result x, y;
    assert_int_equal(kz_run_policy(&c, &x, err, sizeof err), 0);
    assert_int_equal(kz_run_policy(&c, &y, err, sizeof err), 0);
    assert_true(x.truth_hash == y.truth_hash);
    kz_run_result_free(&x);
    kz_run_result_free(&y);
    for (int k = 0; k < KZ_EVAL_NRUNS; k++)
        kz_run_result_free(&res[k]);
}

/* A whole day with one learning day, in-process: the default energy saver (forecast and
 * empty-cell sleep, antenna muting with the tail guard: kz_es_params_energy_saver) against
 * always-on and the clairvoyant bound.  Asserts the QoS bar (p5 within 2 %, unmet
 * <= +0.5 pp), a saving of at least 9 % and at least 80 % of the bound's (measured: 9.5 % and
 * 87 %, p5 -1.01 %, with the time-weighted tail guard and same-city learning days; 8.4 % and
 * 77 % without the weighting), and that every control is taken.  The 20 % is not met: the bound itself is 10.9 % on this
 * city (docs/energy-saving.md).  Under the sanitizers (10x slower) it is skipped. */
static void test_day(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip();
#endif
    struct kz_eval_cfg ec;
    kz_eval_cfg_default(&ec, sc);
    ec.ai_direct = 1;
    struct kz_eval_thr_bar tb;
    ec.thr_bar_info = &tb;
    static struct kz_run_result res[KZ_EVAL_NRUNS];
    char err[256];
    int rc = kz_eval_compare(&ec, res, err, sizeof err);
    if (rc)
        print_error("compare: %s\n", err);
    assert_int_equal(rc, 0);
    kz_eval_print_table(stdout, res, KZ_EVAL_NRUNS);
    const struct kz_run_result *r = &res[KZ_EVAL_AI];
    const struct kz_metrics_result *a0 = &res[KZ_EVAL_ALWAYS_ON].m, *ai = &r->m;
    const struct kz_metrics_result *cv = &res[KZ_EVAL_CLAIRVOYANT].m;
    double save = 1 - ai->energy_kwh / a0->energy_kwh, bound = 1 - cv->energy_kwh / a0->energy_kwh;
    printf("# energy saver: %.1f %% saved (clairvoyant %.1f %%); %llu mutes, %llu unmutes "
           "(%llu guard), %.1f cell-h muted\n", 100 * save, 100 * bound,
           (unsigned long long)r->es.mutes, (unsigned long long)r->es.unmutes,
           (unsigned long long)r->es.unmutes_guard, r->es.muted_s / 3600);
    assert_true(save >= 0.09);
    assert_true(save >= 0.8 * bound);
    /* the threshold rule at the bar was tuned on the learning day, not with hindsight: its
     * always-on, the bisection, then the evaluated day; its verdict is the evaluated day's */
    printf("# threshold@bar: x %.3f tuned on the learning day, %u runs, meets the day's bar %d\n",
           tb.sleep_prb, tb.runs, tb.met);
    assert_false(tb.hindsight);
    assert_int_equal(tb.runs, ec.thr_bar_runs + 2);
    assert_true(tb.sleep_prb > 0 && tb.sleep_prb < ec.thr_bar_max_prb);
    assert_int_equal(tb.met, kz_eval_meets_bar(&res[KZ_EVAL_ALWAYS_ON],
                                               &res[KZ_EVAL_THRESHOLD_BAR], 0.02, 0.5));
    assert_true(ai->thp_p5_mbps >= 0.98 * a0->thp_p5_mbps);
    assert_true(ai->unmet_pct <= a0->unmet_pct + 0.5);
    assert_int_equal(r->ctrl_failed, 0);
    /* level changes: at most one deeper step per dwell per cell, plus the way back up */
    double cells = (double)r->n_cells;
    assert_true((double)(r->es.mutes + r->es.unmutes) <= cells * (86400 / ec.ai.mute_min_s + 1));
    for (int k = 0; k < KZ_EVAL_NRUNS; k++)
        kz_run_result_free(&res[k]);
}

/* Safety: the stadium (scenarios/small-city-stadium.json: 600 extra UEs at site 2 sector 1 from
 * 03:00 to 04:00, ~107 Mbit/s offered, more than the 20 MHz coverage cell of the sector carries)
 * arrives while the energy saver has capacity cells asleep.  The core runs with its sleep and
 * wake-ahead bounds raised to 0.90 / 0.95 (lever off), so cells sleep whenever the guard (at its
 * default 0.45) allows and only the guards wake them.  The sector's own capacity cell 16 must
 * be asleep when the surge starts.  With cell 16 asleep the stadium's users camp on awake
 * capacity cells of other sectors -- cell 21 at site 3 above all -- so the surge shows there,
 * not in cell 16's sector; with the emulator's neighbour relations (kz_emu_cell_neighbours:
 * 21 and its coverage cell 18 neighbour 16) the surge guard must wake cell 16, within the
 * surge's detection time (the guard's load is smoothed over ~3 periods: 3 x period_s after the
 * event begins) plus one decision period, so that it serves after its wake-up delay at most.
 * No capacity cell of the stadium's site (15, 16, 17) may go to sleep while that surge guard
 * holds (surge_hold_s after it first woke one), and every guard wake serves within one period
 * plus the wake-up delay.  The same run without the neighbour relations (the old same-site
 * rule) must not wake cell 16 through the surge guard.  Then both again over E2 (the xApp with
 * and without its RC REPORT style 3 subscription): the same outcome.  The event hour's 15-min p5 values are
 * printed for both: with the NRT the worst is better than without, but it stays well below
 * always-on, because this sleep-happy core also keeps cells far from the stadium asleep (the
 * p5 is the whole network's); test_stadium_day measures the shipped energy saver. */
struct stadium {
    int asleep16;        /* cell 16 asleep at 03:00 (decision log) */
    double woke16;       /* its first wake after 03:00 (any reason), -1: none */
    double surge16;      /* its first surge-guard wake after 03:00, -1: none */
    double surge_t;      /* the first surge-guard wake of a cell of the site (15, 16, 17) */
    int site_sleeps;     /* sleeps of 15, 16, 17 while that surge holds */
    double p5[4], p5_min, p5_a0[4], p5_a0_min;
    struct kz_run_result r;
};

static void stadium_run(const struct kz_scenario *st, const struct kz_es_params *p, int no_nrt,
                        const struct kz_run_result *a0, struct stadium *o,
                        struct kz_e2_run_stats *e2)
{
    char err[256];
    struct kz_run_cfg c;
    kz_run_cfg_default(&c, st, KZ_ES_AI);
    c.duration_s = 3.5 * 3600;
    c.es = *p;
    c.no_nrt = no_nrt;
    FILE *log = tmpfile();
    assert_non_null(log);
    c.log = log;
    if (e2) { /* the same over E2: emulator gNBs -> RIC -> the energy-saver xApp */
        struct kz_e2_run_cfg ec;
        kz_e2_run_cfg_default(&ec, st);
        ec.run = c;
        ec.monitor = false;
        int rc = kz_e2_run(&ec, &o->r, e2, err, sizeof err);
        if (rc)
            print_error("E2 run: %s\n", err);
        assert_int_equal(rc, 0);
    } else {
        assert_int_equal(kz_run_policy(&c, &o->r, err, sizeof err), 0);
    }
    o->asleep16 = 0;
    o->woke16 = o->surge16 = o->surge_t = -1;
    o->site_sleeps = 0;
    char line[512];
    rewind(log);
    while (fgets(line, sizeof line, log)) {
        double t;
        if (getenv("KZ_TEST_VERBOSE"))
            printf("# %s", line);
        int site = strstr(line, " cell=15 ") || strstr(line, " cell=16 ") ||
                   strstr(line, " cell=17 ");
        if (!site || sscanf(line, "t=%lf", &t) != 1)
            continue;
        int sleep = strstr(line, "action=sleep") != NULL, wake = strstr(line, "action=wake") != NULL;
        int surge = wake && strstr(line, "surge guard") != NULL;
        if (o->surge_t < 0 && surge && t > 3 * 3600) {
            o->surge_t = t;
            printf("# %s", line);
        }
        if (sleep && o->surge_t > 0 && t < o->surge_t + p->surge_hold_s)
            o->site_sleeps++;
        if (!strstr(line, " cell=16 "))
            continue;
        if (t <= 3 * 3600)
            o->asleep16 = sleep ? 1 : wake ? 0 : o->asleep16;
        else if (wake && o->woke16 < 0)
            o->woke16 = t;
        if (surge && t > 3 * 3600 && o->surge16 < 0)
            o->surge16 = t;
    }
    fclose(log);
    /* the event's hour: windows of 15 min from 01:00, so 03:00-04:00 is windows 8..11 */
    o->p5_min = o->p5_a0_min = 1e9;
    for (int w = 8; w < 12; w++) {
        o->p5[w - 8] = o->r.m.w_p5[w];
        o->p5_a0[w - 8] = a0->m.w_p5[w];
        o->p5_min = fmin(o->p5_min, o->r.m.w_p5[w]);
        o->p5_a0_min = fmin(o->p5_a0_min, a0->m.w_p5[w]);
    }
}

static void stadium_print(const char *name, const struct stadium *o, const struct kz_run_result *a0)
{
    printf("# stadium, %s: cell 16 asleep at 03:00: %d, woken %.0f s after 03:00 (surge guard: "
           "%.0f s); first surge wake in the site %.0f s after 03:00; guard wakes %llu, worst "
           "reaction %.1f s; unmet %.2f %% (always-on %.2f %%); event-hour 15-min p5 %.2f %.2f "
           "%.2f %.2f Mbit/s, worst %.2f (always-on %.2f %.2f %.2f %.2f, worst %.2f); energy "
           "%.1f kWh (always-on %.1f)\n",
           name, o->asleep16, o->woke16 < 0 ? -1 : o->woke16 - 3 * 3600,
           o->surge16 < 0 ? -1 : o->surge16 - 3 * 3600,
           o->surge_t < 0 ? -1 : o->surge_t - 3 * 3600, (unsigned long long)o->r.es.wakes_guard,
           o->r.max_guard_reaction_s, o->r.m.unmet_pct, a0->m.unmet_pct, o->p5[0], o->p5[1],
           o->p5[2], o->p5[3], o->p5_min, o->p5_a0[0], o->p5_a0[1], o->p5_a0[2], o->p5_a0[3],
           o->p5_a0_min, o->r.m.energy_kwh, a0->m.energy_kwh);
}

static void test_stadium_served(void **state)
{
    (void)state;
    struct kz_scenario *st = NULL;
    char err[256];
    if (kz_emu_scenario_load(KZ_SOURCE_DIR "/scenarios/small-city-stadium.json", &st, err,
                             sizeof err)) {
        print_message("skip: %s\n", err);
        skip();
    }
    st->start_s = 3600; /* 01:00 .. 04:30 */
    struct kz_run_cfg ca;
    kz_run_cfg_default(&ca, st, KZ_ES_ALWAYS_ON);
    ca.duration_s = 3.5 * 3600;
    struct kz_run_result a0;
    assert_int_equal(kz_run_policy(&ca, &a0, err, sizeof err), 0);
    struct kz_es_params p;
    kz_es_params_default(&p, KZ_ES_AI);
    p.mute_frac = 0;
    p.sleep_util = 0.90;
    p.wake_util = 0.95;
    static struct stadium nrt, old;
    stadium_run(st, &p, 0, &a0, &nrt, NULL);
    stadium_print("sleep-happy core, with the NRT", &nrt, &a0);
    stadium_run(st, &p, 1, &a0, &old, NULL);
    stadium_print("sleep-happy core, no NRT (same-site rule)", &old, &a0);

    assert_true(nrt.asleep16);
    /* cell 16 is woken by the surge guard (through its neighbour relations) within detection
     * (3 periods) + one period of the surge's start: it serves a wake-up delay later */
    kz_emu_cell_info ci;
    {
        kz_emu_cfg ec;
        kz_emu_cfg_default(&ec);
        ec.scenario = st;
        kz_emu *e = NULL;
        assert_int_equal(kz_emu_create(&e, &ec, err, sizeof err), 0);
        kz_emu_cell_info_get(e, 16, &ci);
        kz_emu_destroy(e);
    }
    assert_true(nrt.surge16 > 3 * 3600);
    assert_true(nrt.surge16 - 3 * 3600 <= 3 * p.period_s + p.period_s);
    printf("# cell 16 woken by the surge guard %.0f s after the surge began, serving %.0f s "
           "after it (wake-up delay %.0f s)\n",
           nrt.surge16 - 3 * 3600, nrt.surge16 - 3 * 3600 + ci.wake_s, ci.wake_s);
    /* without the NRT the same-site rule does not wake it (the surge shows at other sites) */
    assert_true(old.surge16 < 0);
    /* none of the site's capacity cells (15, 16, 17) goes to sleep while the surge guard holds */
    assert_int_equal(nrt.site_sleeps, 0);
    assert_true(nrt.r.max_guard_reaction_s <= p.period_s + 15.0);
    assert_true(nrt.r.m.energy_kwh < a0.m.energy_kwh);
    /* the event hour's p5: better than without the NRT */
    assert_true(nrt.p5_min > old.p5_min);

    /* the same over E2: the xApp gets the neighbour relations from every gNB (RC REPORT style
     * 3) and its surge guard wakes cell 16 within the same bound */
    static struct stadium e2;
    struct kz_e2_run_stats es2;
    memset(&es2, 0, sizeof es2);
    stadium_run(st, &p, 0, &a0, &e2, &es2);
    stadium_print("sleep-happy core over E2, NRT over E2", &e2, &a0);
    printf("# over E2: %llu NRT reports, %llu cells with a neighbour list, %llu bad\n",
           (unsigned long long)es2.nrt_reports, (unsigned long long)es2.nrt_cells,
           (unsigned long long)es2.nrt_bad);
    assert_int_equal(es2.nrt_reports, 7);
    assert_int_equal(es2.nrt_cells, 42);
    assert_int_equal(es2.nrt_bad, 0);
    assert_true(e2.asleep16);
    assert_true(e2.surge16 > 3 * 3600);
    assert_true(e2.surge16 - 3 * 3600 <= 3 * p.period_s + p.period_s);
    assert_int_equal(e2.site_sleeps, 0);
    kz_run_result_free(&e2.r);
    /* over E2 without the NRT subscription (no_nrt: as with a node that does not offer RC
     * REPORT style 3): the xApp runs as before, with the same-site rule */
    memset(&es2, 0, sizeof es2);
    stadium_run(st, &p, 1, &a0, &e2, &es2);
    stadium_print("sleep-happy core over E2, no NRT", &e2, &a0);
    assert_int_equal(es2.nrt_reports, 0);
    assert_true(e2.asleep16);
    assert_true(e2.surge16 < 0);
    assert_true(e2.r.max_guard_reaction_s <= p.period_s + 15.0);
    assert_true(e2.r.m.energy_kwh < a0.m.energy_kwh);
    kz_run_result_free(&e2.r);
    kz_run_result_free(&nrt.r);
    kz_run_result_free(&old.r);
    kz_run_result_free(&a0);
    kz_emu_scenario_free(st);
}

/* The shipped energy saver (kz_es_params_energy_saver) on the stadium day, in-process, after
 * one learning day of the plain small city (a forecaster that had seen the stadium before
 * would not be surprised by it): 24 h from midnight, the event at 03:00-04:00 (15-min windows
 * 12..15), with and without the emulator's neighbour relations.  Printed: cell 16's state at
 * 03:00 and its first surge-guard wake after, the event hour's p5 against always-on on the same
 * day, the day's saving.  Asserted: with the NRT, if cell 16 is asleep at 03:00 the surge guard
 * wakes it within detection (3 periods) + one period; unmet demand within +0.5 pp of
 * always-on (both); with the NRT, the stadium crowd's own p5 (its UE-steps alone, metrics.h)
 * at least 95 % of always-on's -- the surge guard unmutes the crowd's cell (es.h surge_unmute_mbps; without it
 * the crowd's p5 was 154 against 206 Mbit/s).  The event hour's whole-network p5 is printed,
 * not asserted: it stays well below always-on's, as in every night hour, because the saver
 * keeps muting and sleeping cells away from the stadium (night users at half their always-on
 * throughput, far above the day's p5).  Skipped under the sanitizers (slow). */
struct stadium_day {
    int asleep16;
    double surge16;      /* first surge-guard wake of cell 16 after 03:00, s after 03:00 */
    double p5[4], p5_min, save;
    struct kz_run_result r;
};

static void stadium_day_run(const struct kz_scenario *st, int no_nrt, struct stadium_day *o)
{
    char err[256];
    struct kz_es_params p;
    kz_es_params_energy_saver(&p);
    kz_emu_cfg ec;
    kz_emu_cfg_default(&ec);
    ec.scenario = sc;
    kz_emu *probe = NULL;
    assert_int_equal(kz_emu_create(&probe, &ec, err, sizeof err), 0);
    size_t n;
    struct kz_es_cell *cells = kz_run_es_cells(probe, &n);
    kz_emu_destroy(probe);
    assert_non_null(cells);
    struct kz_es_params ph = p;
    ph.mode = KZ_ES_ALWAYS_ON;
    kz_es *es = NULL;
    assert_int_equal(kz_es_open(&es, &ph, cells, n), 0);
    free(cells);
    struct kz_run_cfg hc; /* the learning day: the plain city, another day, observing only */
    kz_run_cfg_default(&hc, sc, KZ_ES_ALWAYS_ON);
    hc.es = ph;
    hc.seed = sc->seed;
    hc.day_seed = sc->seed + 1000;
    hc.duration_s = 86400;
    hc.trained = es;
    struct kz_run_result h;
    assert_int_equal(kz_run_policy(&hc, &h, err, sizeof err), 0);
    kz_run_result_free(&h);
    kz_es_set_mode(es, KZ_ES_AI);
    struct kz_run_cfg c;
    kz_run_cfg_default(&c, st, KZ_ES_AI);
    c.es = p;
    c.duration_s = 86400;
    c.trained = es;
    c.t_offset_s = 86400;
    c.no_nrt = no_nrt;
    FILE *log = tmpfile();
    assert_non_null(log);
    c.log = log;
    assert_int_equal(kz_run_policy(&c, &o->r, err, sizeof err), 0);
    char line[512];
    o->asleep16 = 0;
    o->surge16 = -1;
    rewind(log);
    while (fgets(line, sizeof line, log)) {
        double t;
        if (sscanf(line, "t=%lf", &t) != 1)
            continue;
        t -= 86400;
        if (getenv("KZ_TEST_VERBOSE"))
            printf("# %s", line);
        if (!strstr(line, " cell=16 "))
            continue;
        int sleep = strstr(line, "action=sleep") != NULL, wake = strstr(line, "action=wake") != NULL;
        if (t <= 3 * 3600)
            o->asleep16 = sleep ? 1 : wake ? 0 : o->asleep16;
        else if (wake && o->surge16 < 0 && strstr(line, "surge guard")) {
            o->surge16 = t - 3 * 3600;
            printf("# %s", line);
        }
    }
    fclose(log);
    kz_es_close(es);
}

static void test_stadium_day(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__)
    skip();
#endif
    struct kz_scenario *st = NULL;
    char err[256];
    if (kz_emu_scenario_load(KZ_SOURCE_DIR "/scenarios/small-city-stadium.json", &st, err,
                             sizeof err)) {
        print_message("skip: %s\n", err);
        skip();
    }
    st->start_s = 0;
    struct kz_run_cfg ca;
    kz_run_cfg_default(&ca, st, KZ_ES_ALWAYS_ON);
    ca.duration_s = 86400;
    struct kz_run_result a0;
    assert_int_equal(kz_run_policy(&ca, &a0, err, sizeof err), 0);
    static struct stadium_day d[2];
    double p5a = 1e9;
    for (int w = 12; w < 16; w++)
        p5a = fmin(p5a, a0.m.w_p5[w]);
    for (int k = 0; k < 2; k++) {
        stadium_day_run(st, k, &d[k]);
        const struct kz_run_result *r = &d[k].r;
        d[k].p5_min = 1e9;
        printf("# stadium day, shipped energy saver, %s: event-hour 15-min p5",
               k ? "no NRT" : "with the NRT");
        for (int w = 12; w < 16; w++) {
            printf(" %.2f/%.2f", r->m.w_p5[w], a0.m.w_p5[w]);
            d[k].p5_min = fmin(d[k].p5_min, r->m.w_p5[w]);
        }
        d[k].save = 1 - r->m.energy_kwh / a0.m.energy_kwh;
        printf(" Mbit/s (energy saver/always-on), worst %.2f vs %.2f; stadium crowd's p5 %.2f vs "
               "%.2f, mean %.2f vs %.2f (%.0f vs %.0f UE-steps); cell 16 asleep at 03:00: "
               "%d, woken by the surge guard %.0f s after 03:00; day: %.1f %% saved, p5 %.2f vs "
               "%.2f, unmet %.2f %% vs %.2f %%, guard wakes %llu\n",
               d[k].p5_min, p5a, r->m.event_p5_mbps, a0.m.event_p5_mbps, r->m.event_mean_mbps,
               a0.m.event_mean_mbps, r->m.event_steps, a0.m.event_steps, d[k].asleep16, d[k].surge16, 100 * d[k].save,
               r->m.thp_p5_mbps, a0.m.thp_p5_mbps, r->m.unmet_pct, a0.m.unmet_pct,
               (unsigned long long)r->es.wakes_guard);
        assert_true(r->m.unmet_pct <= a0.m.unmet_pct + 0.5);
        assert_true(a0.m.event_steps > 1000 && r->m.event_steps > 1000);
        /* The crowd keeps its throughput with the neighbour relations (what the xApp has over
         * E2 from any node offering RC REPORT style 3).  Without them the surge guard keeps to
         * the site and the crowd's p5 is a matter of trajectory: on four stadium seeds (event
         * learned, docs/energy-saving.md) it ranged from -50 % to +20 % of always-on with the
         * previous empty-cell wake bound, -18 % to +15 % with this one -- printed, not asserted. */
        if (k == 0)
            assert_true(r->m.event_p5_mbps >= 0.95 * a0.m.event_p5_mbps);
    }
    if (d[0].asleep16) {
        assert_true(d[0].surge16 >= 0);
        assert_true(d[0].surge16 <= 4 * 60.0);
    }
    for (int k = 0; k < 2; k++)
        kz_run_result_free(&d[k].r);
    kz_run_result_free(&a0);
    kz_emu_scenario_free(st);
}

/* The QoS bar verdict (kz_eval_meets_bar, kz_eval_print_bar) on made-up rows: its edges are
 * inclusive, and the printed line names who breaks it and by how much. */
static void test_bar(void **state)
{
    (void)state;
    static struct kz_run_result r[KZ_EVAL_NRUNS];
    memset(r, 0, sizeof r);
    const char *names[KZ_EVAL_NRUNS] = {"always-on",     "night-schedule", "threshold",
                                        "threshold@bar", "clairvoyant",    "energy-saver"};
    for (int k = 0; k < KZ_EVAL_NRUNS; k++) {
        snprintf(r[k].name, sizeof r[k].name, "%s", names[k]);
        r[k].m.thp_p5_mbps = 4.0;
        r[k].m.unmet_pct = 1.0;
    }
    r[KZ_EVAL_NIGHT].m.thp_p5_mbps = 0.4;       /* p5 -90 % */
    r[KZ_EVAL_THRESHOLD].m.unmet_pct = 1.6;     /* unmet +0.6 pp */
    r[KZ_EVAL_CLAIRVOYANT].m.thp_p5_mbps = (1 - 0.02) * 4.0; /* exactly at the edge */
    r[KZ_EVAL_AI].m.unmet_pct = 1.5;             /* exactly +0.5 pp */
    const struct kz_run_result *ao = &r[KZ_EVAL_ALWAYS_ON];
    assert_true(kz_eval_meets_bar(ao, &r[KZ_EVAL_CLAIRVOYANT], 0.02, 0.5));
    assert_true(kz_eval_meets_bar(ao, &r[KZ_EVAL_AI], 0.02, 0.5));
    assert_false(kz_eval_meets_bar(ao, &r[KZ_EVAL_NIGHT], 0.02, 0.5));
    assert_false(kz_eval_meets_bar(ao, &r[KZ_EVAL_THRESHOLD], 0.02, 0.5));
    assert_false(kz_eval_meets_bar(ao, &r[KZ_EVAL_CLAIRVOYANT], 0.01, 0.5));
    assert_true(kz_eval_meets_bar(ao, &r[KZ_EVAL_NIGHT], 0.95, 0.5)); /* a looser bar */
    char buf[1024] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    kz_eval_print_bar(f, r, KZ_EVAL_NRUNS, 0.02, 0.5);
    fclose(f);
    printf("# %s", buf);
    assert_non_null(strstr(buf, "p5 >= 3.920 Mbit/s = 98 % of always-on, unmet <= 1.50 %"));
    assert_non_null(strstr(buf, "met by threshold@bar, clairvoyant, energy-saver; broken by night-schedule "
                                "(p5 -90.00 %, unmet +0.00 pp), threshold (p5 +0.00 %, unmet "
                                "+0.60 pp)"));
    /* the HTML report's column says the same */
    char *html = NULL;
    size_t html_len = 0;
    FILE *h = open_memstream(&html, &html_len);
    assert_non_null(h);
    struct kz_report_info ri = {.title = "t", .command = "c", .bar = 1, .bar_p5_tol = 0.02,
                                .bar_unmet_pp = 0.5};
    assert_int_equal(kz_report_html(h, &ri, r, KZ_EVAL_NRUNS), 0);
    fclose(h);
    assert_non_null(strstr(html, "<th>QoS bar</th>"));
    const char *row = strstr(html, ">night-schedule<");
    assert_non_null(row);
    const char *broken = strstr(row, "<td><b>broken</b></td>");
    const char *next = strstr(row, "</tr>");
    assert_true(broken && next && broken < next);
    row = strstr(html, ">energy-saver<");
    assert_non_null(row);
    const char *met = strstr(row, "<td>met</td>");
    next = strstr(row, "</tr>");
    assert_true(met && next && met < next);
    free(html);
}

int main(void)
{
    char err[256];
    if (kz_emu_scenario_load(KZ_SOURCE_DIR "/scenarios/small-city.json", &sc, err, sizeof err)) {
        fprintf(stderr, "skip: %s\n", err);
        return 77;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bar),
                                       cmocka_unit_test(test_compare),
                                       cmocka_unit_test(test_stadium_served),
                                       cmocka_unit_test(test_stadium_day),
                                       cmocka_unit_test(test_day)};
    if (getenv("KZ_TEST_FILTER")) /* e.g. KZ_TEST_FILTER=test_stadium_served: one test only */
        cmocka_set_test_filter(getenv("KZ_TEST_FILTER"));
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    kz_emu_scenario_free(sc);
    return rc;
}
