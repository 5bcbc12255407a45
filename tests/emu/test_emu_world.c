/*
 * Tests of the model layer (emu/world) and the embedding API (kizuna/emu.h) without E2:
 *  - the cached link budget equals kz_radio_link() (the physics module it shortcuts);
 *  - attach by the capacity-first policy; A3 handover only after time-to-trigger, not when
 *    the condition goes away before it expires, not below the offset; layer change to the
 *    coverage cell below the capacity threshold;
 *  - direct energy-saving controls: sleeping a cell moves its UEs and drops it to the sleep
 *    power; waking takes the wake-up delay;
 *  - a 24-hour small-city run whose traffic and power follow the diurnal profile (figures
 *    printed), every UE served by some cell;
 *  - determinism: same seed -> same ground-truth hash; another seed -> another; and demand is
 *    independent of controls.
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

#include "emu/radio.h"
#include "emu/scenario.h"
#include "emu/traffic.h"
#include "emu/world.h"
#include "kizuna/emu.h"
#include "kizuna/error.h"

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

/* A one-site world with static UEs and no traffic, for mobility tests. */
static void one_site(struct kz_world *w, double dt, uint32_t n_ues)
{
    struct kz_scenario s;
    kz_scenario_default(&s);
    s.topo.rings = 0;
    s.n_sites = 1;
    s.n_ues = n_ues;
    s.mob_static = 1.0;
    s.mob_pedestrian = s.mob_vehicle = 0.0;
    s.peak_sessions_per_ue_per_hour = 0.0;
    s.radio.shadow = KZ_SHADOW_OFF;
    s.radio.random_los = 0;
    s.radio.o2i_random = 0;
    s.indoor_fraction = 0.0;
    s.capacity_min_rsrp_dbm = -118.0;
    s.a3_offset_db = 3.0;
    s.ttt_ms = 320.0;
    char err[128];
    assert_int_equal(kz_world_init(w, &s, 7, 0, dt, 0.0, 2e6, KZ_SLEEP_LIGHT, err, sizeof err), 0);
}

/* bearing (deg clockwise from north) and distance -> position around site 0 at (0, 0) */
static void at(double bearing, double d, double *x, double *y)
{
    *x = d * sin(bearing * M_PI / 180.0);
    *y = d * cos(bearing * M_PI / 180.0);
}

static void test_link_cache_matches_radio(void **state)
{
    (void)state;
    struct kz_scenario *s = load_small();
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = s;
    struct kz_world w;
    char err[128];
    assert_int_equal(kz_world_init(&w, s, s->seed, 0, 1.0, 0.0, 2e6, KZ_SLEEP_LIGHT, err, sizeof err),
                     0);
    double worst = 0.0;
    for (uint32_t u = 0; u < 200; u++) {
        const struct kz_world_ue *ue = &w.ues[u];
        struct kz_ue_geo g = {u, ue->x0, ue->y0, s->ue_height_m, ue->d_in};
        for (size_t c = 0; c < w.n_cells; c++) {
            struct kz_link l;
            kz_radio_link(&w.sc.radio, &w.cells[c], &g, &l);
            double d = fabs(l.gain_db - w.gain_db[(size_t)u * w.n_cells + c]);
            if (d > worst)
                worst = d;
        }
    }
    printf("# cached link budget vs kz_radio_link: worst difference %.2e dB\n", worst);
    assert_true(worst < 1e-3); /* float storage */
    kz_world_free(&w);
    kz_emu_scenario_free(s);
}

static void test_attach_and_a3_ttt(void **state)
{
    (void)state;
    struct kz_world w;
    one_site(&w, 0.1, 1);
    /* cells of site 0: coverage 0..2, capacity 3..5 (sector 0 at 0 deg, 1 at 120, 2 at 240) */
    double x, y;
    at(0.0, 150.0, &x, &y);
    kz_world_ue_place(&w, 0, x, y);
    for (int i = 0; i < 6; i++)
        kz_world_step(&w);
    assert_int_equal(w.ues[0].serving, 3); /* capacity-first: capacity cell of sector 0 */
    uint64_t ho0 = w.ho_total;

    /* to bearing 100: sector 1 stronger by more than the offset -> A3, after TTT only */
    at(100.0, 150.0, &x, &y);
    assert_true(kz_world_rsrp(&w, 0, 4) < kz_world_rsrp(&w, 0, 3) + 3.0); /* not yet moved */
    kz_world_ue_place(&w, 0, x, y);
    assert_true(kz_world_rsrp(&w, 0, 4) > kz_world_rsrp(&w, 0, 3) + 3.0);
    double t_detect = w.t + w.dt;
    int steps = 0;
    while (w.ues[0].serving == 3 && steps < 20) {
        kz_world_step(&w);
        steps++;
    }
    assert_int_equal(w.ues[0].serving, 4);
    double waited = w.t - t_detect;
    printf("# A3 handover %.2f s after the condition was first seen (TTT 0.32 s, step 0.1 s)\n",
           waited);
    assert_true(waited >= 0.32 - 1e-9);
    assert_true(waited < 0.32 + w.dt + 1e-9);
    assert_int_equal(w.ho_total, ho0 + 1);

    /* condition that goes away before TTT expires: no handover */
    at(15.0, 150.0, &x, &y); /* back towards sector 0: A3 towards cell 3 */
    kz_world_ue_place(&w, 0, x, y);
    assert_true(kz_world_rsrp(&w, 0, 3) > kz_world_rsrp(&w, 0, 4) + 3.0);
    kz_world_step(&w);
    kz_world_step(&w); /* 0.1 s into TTT */
    at(100.0, 150.0, &x, &y);
    kz_world_ue_place(&w, 0, x, y);
    for (int i = 0; i < 10; i++)
        kz_world_step(&w);
    assert_int_equal(w.ues[0].serving, 4);
    assert_int_equal(w.ho_total, ho0 + 1);

    /* on the sector border the difference is below the offset: no handover */
    at(60.0, 150.0, &x, &y);
    kz_world_ue_place(&w, 0, x, y);
    assert_true(fabs(kz_world_rsrp(&w, 0, 4) - kz_world_rsrp(&w, 0, 3)) < 3.0);
    for (int i = 0; i < 10; i++)
        kz_world_step(&w);
    assert_int_equal(w.ues[0].serving, 4);

    /* far out: capacity RSRP below -118 - 2 dB -> coverage layer after TTT */
    at(100.0, 1500.0, &x, &y);
    kz_world_ue_place(&w, 0, x, y);
    printf("# at 1.5 km: capacity %.1f dBm, coverage %.1f dBm\n", kz_world_rsrp(&w, 0, 4),
           kz_world_rsrp(&w, 0, 1));
    assert_true(kz_world_rsrp(&w, 0, 4) < -120.0);
    for (int i = 0; i < 10; i++)
        kz_world_step(&w);
    assert_int_equal(w.ues[0].serving, 1);
    kz_world_free(&w);
}

static void test_direct_sleep_wake(void **state)
{
    (void)state;
    struct kz_scenario *s = load_small();
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = s;
    cfg.start_s = 12 * 3600.0;
    kz_emu *e;
    assert_int_equal(kz_emu_create(&e, &cfg, NULL, 0), 0);
    assert_int_equal(kz_emu_run_for(e, 10.0), 0);
    kz_emu_cell_info ci;
    assert_int_equal(kz_emu_cell_info_get(e, 3, &ci), 0); /* site 0 capacity sector 0 */
    assert_int_equal(ci.layer, KZ_EMU_LAYER_CAPACITY);
    assert_int_equal(ci.coverage_peer, 0);
    const kz_emu_truth *t = kz_emu_truth_get(e);
    uint32_t before = t->cells[3].n_ues, peer_before = t->cells[0].n_ues;
    assert_true(before > 0);
    assert_int_equal(kz_emu_cell_sleep(e, 3), 0);
    assert_int_equal(kz_emu_cell_sleep(e, 3), KZ_EPROTO);
    assert_int_equal(kz_emu_cell_state(e, 3), KZ_EMU_CELL_ASLEEP);
    kz_emu_step(e);
    t = kz_emu_truth_get(e);
    assert_int_equal(t->cells[3].n_ues, 0);
    assert_true(fabs(t->cells[3].power_w - ci.p_sleep_w) < 1e-6);
    printf("# cell 3 asleep: %u UEs moved (coverage peer %u -> %u), power %.1f W (idle %.1f W)\n",
           before, peer_before, t->cells[0].n_ues, t->cells[3].power_w, ci.p_idle_w);
    assert_true(t->cells[0].n_ues > peer_before);
    for (uint32_t u = 0; u < kz_emu_n_ues(e); u++) {
        kz_emu_ue_info ui;
        kz_emu_ue_info_get(e, u, &ui);
        assert_true(ui.serving != 3);
    }
    assert_int_equal(kz_emu_cell_wake(e, 3), 0);
    assert_int_equal(kz_emu_cell_state(e, 3), KZ_EMU_CELL_WAKING);
    kz_emu_step(e); /* light sleep wakes in 0.64 s: within this 1 s step */
    t = kz_emu_truth_get(e);
    assert_int_equal(t->cells[3].state, KZ_EMU_CELL_ON);
    kz_emu_step(e);
    kz_emu_step(e);
    t = kz_emu_truth_get(e);
    assert_true(t->cells[3].n_ues > 0); /* UEs came back */
    assert_true(t->cells[3].power_w >= ci.p_idle_w - 1e-6);
    assert_int_equal(kz_emu_cell_wake(e, 3), KZ_EPROTO);
    /* faults */
    assert_int_equal(kz_emu_fault_set(e, 3, KZ_EMU_FAULT_SLEEPING, 0), 0);
    kz_emu_run_for(e, 30.0);
    t = kz_emu_truth_get(e);
    assert_true(t->cells[3].served_bits == 0.0 && t->cells[3].n_ues > 0);
    assert_int_equal(t->cells[3].n_conn, 0);
    assert_int_equal(kz_emu_fault_set(e, 3, KZ_EMU_FAULT_DEGRADED, 1.5), KZ_EINVAL);
    assert_int_equal(kz_emu_fault_set(e, 3, KZ_EMU_FAULT_DEGRADED, 0.3), 0);
    kz_emu_destroy(e);
    kz_emu_scenario_free(s);
}

/* 24 hours of the small city: the hourly traffic follows the EARTH'12 profile, power follows
 * the load, capacity cells reach 50-80 % on average in the busy hour, every UE has a cell. */
static void test_diurnal_day(void **state)
{
    (void)state;
    struct kz_scenario *s = load_small();
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = s;
    cfg.step_s = 5.0;
    kz_emu *e;
    assert_int_equal(kz_emu_create(&e, &cfg, NULL, 0), 0);
    size_t nc = kz_emu_n_cells(e);
    double served[24] = {0}, power[24] = {0}, cap_util[24] = {0}, max_cell_util[24] = {0};
    double *cell_util = calloc(24 * nc, sizeof(double));
    uint32_t unserved = 0, active = 0, met = 0;
    int n[24] = {0};
    while (!kz_emu_done(e)) {
        kz_emu_step(e);
        const kz_emu_truth *t = kz_emu_truth_get(e);
        int h = (int)((t->tod_s - t->dt_s / 2) / 3600.0) % 24;
        served[h] += t->served_bits;
        power[h] += t->power_w;
        for (size_t c = 0; c < nc; c++)
            cell_util[h * nc + c] += t->cells[c].prb_util;
        n[h]++;
        unserved += t->n_unserved;
        active += t->n_active;
        met += t->n_met;
        uint32_t camped = 0;
        for (size_t c = 0; c < nc; c++)
            camped += t->cells[c].n_ues;
        assert_int_equal(camped, kz_emu_n_ues(e)); /* every UE is served by some cell */
    }
    const double *prof = kz_traffic_profile_hours(KZ_PROFILE_EARTH12);
    double peak_s = 0, peak_p = 0, min_s = 1e300, min_p = 1e300;
    printf("# hour  traffic Mbit/s  (profile)  power kW  capacity PRB use mean / max\n");
    for (int h = 0; h < 24; h++) {
        served[h] /= n[h] * cfg.step_s * 1e6;
        power[h] /= n[h] * 1e3;
        int ncap = 0;
        for (size_t c = 0; c < nc; c++) {
            kz_emu_cell_info ci;
            kz_emu_cell_info_get(e, (uint32_t)c, &ci);
            double u = cell_util[h * nc + c] / n[h];
            if (ci.layer == KZ_EMU_LAYER_CAPACITY) {
                cap_util[h] += u;
                ncap++;
                if (u > max_cell_util[h])
                    max_cell_util[h] = u;
            }
        }
        cap_util[h] /= ncap;
        printf("#  %02d   %8.1f       (%.2f)    %6.2f    %.2f / %.2f\n", h, served[h], prof[h],
               power[h], cap_util[h], max_cell_util[h]);
        peak_s = fmax(peak_s, served[h]);
        min_s = fmin(min_s, served[h]);
        peak_p = fmax(peak_p, power[h]);
        min_p = fmin(min_p, power[h]);
    }
    printf("# traffic peak/trough %.1f / %.1f Mbit/s (x%.1f); power %.2f / %.2f kW; demand met "
           "%.2f %%; energy %.1f kWh/day\n",
           peak_s, min_s, peak_s / min_s, peak_p, min_p, 100.0 * met / (active ? active : 1),
           kz_emu_truth_get(e)->energy_j / 3.6e6);
    /* shape: the traffic of each hour against the profile, normalised to the peak hour */
    double corr_num = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
    for (int h = 0; h < 24; h++) {
        double a = served[h] / peak_s, b = prof[h];
        sx += a, sy += b, sxx += a * a, syy += b * b, corr_num += a * b;
        assert_true(fabs(a - b) < 0.15);
    }
    double r = (corr_num - sx * sy / 24) / sqrt((sxx - sx * sx / 24) * (syy - sy * sy / 24));
    printf("# correlation of hourly traffic with EARTH'12: %.3f\n", r);
    assert_true(r > 0.97);
    assert_true(peak_s / min_s > 4.0);           /* profile: 1.00 / 0.15 */
    assert_true(peak_p > min_p * 1.1);           /* power follows load ... */
    assert_true(peak_p < min_p * 1.6);           /* ... on top of a large idle floor */
    int busy = 21;
    /* DESIGN.md: 50-80 % in the busy hour (0.51 since the traffic was recalibrated for idle-mode
     * reselection, world.c: UEs on their best cells need fewer PRBs for the same bytes) */
    assert_true(cap_util[busy] >= 0.50 && cap_util[busy] < 0.8);
    assert_true(max_cell_util[busy] < 0.95);
    assert_int_equal(unserved, 0);
    free(cell_util);
    kz_emu_destroy(e);
    kz_emu_scenario_free(s);
}

static uint64_t run_hash(const struct kz_scenario *s, uint64_t seed, int sleep_cell,
                         double *demand)
{
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = s;
    cfg.seed = seed;
    cfg.step_s = 2.0;
    cfg.start_s = 8 * 3600.0;
    cfg.duration_s = 1800.0;
    kz_emu *e;
    assert_int_equal(kz_emu_create(&e, &cfg, NULL, 0), 0);
    if (sleep_cell >= 0)
        assert_int_equal(kz_emu_cell_sleep(e, (uint32_t)sleep_cell), 0);
    double arrived = 0.0;
    while (!kz_emu_done(e)) {
        kz_emu_step(e);
        const kz_emu_truth *t = kz_emu_truth_get(e);
        arrived += t->served_bits + t->unmet_bits;
    }
    /* what is left in backlogs counts as demand too */
    for (uint32_t u = 0; u < kz_emu_n_ues(e); u++) {
        kz_emu_ue_info ui;
        kz_emu_ue_info_get(e, u, &ui);
        arrived += ui.backlog_bytes * 8.0;
    }
    *demand = arrived;
    uint64_t h = kz_emu_truth_hash(e);
    kz_emu_destroy(e);
    return h;
}

static void test_determinism(void **state)
{
    (void)state;
    struct kz_scenario *s = load_small();
    double d1, d2, d3, d4;
    uint64_t a = run_hash(s, 42, -1, &d1), b = run_hash(s, 42, -1, &d2),
             c = run_hash(s, 43, -1, &d3);
    printf("# truth hash seed 42: %016llx, again: %016llx, seed 43: %016llx\n",
           (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
    assert_true(a == b);
    assert_true(a != c);
    /* a control changes what happens, not what is asked for */
    uint64_t d = run_hash(s, 42, 3, &d4);
    assert_true(d != a);
    printf("# offered traffic with and without cell 3 asleep: %.6e / %.6e bit\n", d1, d4);
    assert_true(fabs(d1 - d4) <= 1e-6 * d1);
    kz_emu_scenario_free(s);
}

/* seed is the city, day_seed the day: another day of the same city has every UE at the same
 * home with the same radio links (so the same serving cell at step 0) but other sessions;
 * day_seed = seed is the one-seed world bit for bit. */
static void test_day_seed(void **state)
{
    (void)state;
    struct kz_scenario *s = load_small();
    kz_emu *e[3];
    uint64_t day[3] = {0, 42, 1042};
    for (int k = 0; k < 3; k++) {
        kz_emu_cfg cfg;
        kz_emu_cfg_default(&cfg);
        cfg.scenario = s;
        cfg.seed = 42;
        cfg.day_seed = day[k];
        cfg.duration_s = 600;
        char err[256];
        assert_int_equal(kz_emu_create(&e[k], &cfg, err, sizeof err), 0);
    }
    uint32_t n = (uint32_t)kz_emu_n_ues(e[0]), same = 0;
    for (uint32_t u = 0; u < n; u++) {
        kz_emu_ue_info a, b;
        assert_int_equal(kz_emu_ue_info_get(e[0], u, &a), 0);
        assert_int_equal(kz_emu_ue_info_get(e[2], u, &b), 0);
        same += a.x == b.x && a.y == b.y && a.cls == b.cls && a.serving == b.serving &&
                a.rsrp_dbm == b.rsrp_dbm;
    }
    printf("# another day of city 42: %u of %u UEs at the same place, class, cell and RSRP\n",
           same, n);
    assert_int_equal(same, n);
    double served[3];
    for (int k = 0; k < 3; k++) {
        kz_emu_run_for(e[k], 600);
        served[k] = 0;
        for (size_t c = 0; c < kz_emu_truth_get(e[k])->n_cells; c++)
            served[k] += kz_emu_truth_get(e[k])->cells[c].served_bits;
    }
    assert_true(kz_emu_truth_hash(e[0]) == kz_emu_truth_hash(e[1]));
    assert_true(kz_emu_truth_hash(e[0]) != kz_emu_truth_hash(e[2]));
    printf("# last step's served bits: day = city %.0f, another day %.0f\n", served[0], served[2]);
    for (int k = 0; k < 3; k++)
        kz_emu_destroy(e[k]);
    kz_emu_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_seed),
        cmocka_unit_test(test_link_cache_matches_radio),
        cmocka_unit_test(test_attach_and_a3_ttt),
        cmocka_unit_test(test_direct_sleep_wake),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_diurnal_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
