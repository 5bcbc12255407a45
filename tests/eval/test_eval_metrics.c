/*
 * Unit tests of eval/metrics: energy is the sum of power x dt, percentiles from the histogram
 * are within the bin width of the exact ones, unmet demand counts UE-steps, windows split time.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "eval/metrics.h"
#include "kizuna/error.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_percentiles(void **state)
{
    (void)state;
    kz_metrics *m;
    assert_int_equal(kz_metrics_open(&m, 3600, 900), 0);
    enum { N = 20000 };
    double *v = malloc(N * sizeof *v);
    uint64_t s = 1;
    for (int i = 0; i < N; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        v[i] = 1e6 * exp(6 * u); /* 1 .. 400 Mbit/s, log-uniform */
        kz_metrics_add_thp(m, (double)(i % 3600), v[i]);
    }
    qsort(v, N, sizeof *v, cmp);
    double p5 = v[N / 20], p50 = v[N / 2];
    assert_true(fabs(kz_metrics_quantile(m, 0.05) / p5 - 1) < 0.005);
    assert_true(fabs(kz_metrics_quantile(m, 0.50) / p50 - 1) < 0.005);
    struct kz_metrics_result *r = malloc(sizeof *r);
    kz_metrics_result(m, r);
    assert_int_equal(r->n_windows, 4);
    assert_true(fabs(r->thp_p5_mbps - p5 / 1e6) / (p5 / 1e6) < 0.005);
    /* coarse per-window percentiles within ~5 % */
    assert_true(fabs(r->w_p50[0] / (p50 / 1e6) - 1) < 0.08);
    free(r);
    free(v);
    kz_metrics_close(m);
}

static void test_energy_unmet(void **state)
{
    (void)state;
    kz_metrics *m;
    assert_int_equal(kz_metrics_open(&m, 7200, 3600), 0);
    kz_emu_cell_truth cells[2] = {{.state = KZ_EMU_CELL_ON, .power_w = 300},
                                  {.state = KZ_EMU_CELL_ASLEEP, .power_w = 100}};
    uint8_t layer[2] = {KZ_EMU_LAYER_COVERAGE, KZ_EMU_LAYER_CAPACITY};
    float thp[2] = {10e6f, 0};
    for (int k = 1; k <= 7200; k++) {
        kz_emu_truth t = {.step = (uint64_t)k, .t_s = k, .dt_s = 1, .n_cells = 2,
                          .cells = cells, .power_w = 400, .n_active = 2, .n_met = 1,
                          .n_thp = 2, .ue_thp_bps = thp, .served_bits = 1e6};
        kz_metrics_add(m, &t, layer);
    }
    struct kz_metrics_result *r = malloc(sizeof *r);
    kz_metrics_result(m, r);
    assert_true(fabs(r->energy_kwh - 0.8) < 1e-9);      /* 400 W x 2 h */
    assert_true(fabs(r->energy_cov_kwh - 0.6) < 1e-9);
    assert_true(fabs(r->energy_cap_kwh - 0.2) < 1e-9);
    assert_true(fabs(r->unmet_pct - 50) < 1e-9);
    assert_true(fabs(r->cell_hours_asleep - 2) < 1e-9);
    assert_true(fabs(r->w_power[1] - 400) < 1e-9);
    assert_true(fabs(r->w_asleep[0] - 1) < 1e-9);
    assert_true(r->thp_p5_mbps == 0); /* half the samples are 0 bit/s */
    assert_true(fabs(r->thp_mean_mbps - 5) < 1e-6);
    free(r);
    kz_metrics_close(m);
    assert_int_equal(kz_metrics_open(&m, 0, 900), KZ_EINVAL);
}

/* Event UEs (index >= the first event UE) get their own percentiles; the network's include
 * them; without kz_metrics_set_event_ues nobody is an event UE. */
static void test_event_ues(void **state)
{
    (void)state;
    kz_emu_cell_truth cell = {.state = KZ_EMU_CELL_ON, .power_w = 300};
    float thp[4] = {100e6f, 200e6f, 2e6f, 4e6f};
    uint32_t ue[4] = {0, 1, 10, 11}; /* UEs 10 and 11: a crowd */
    for (int set = 0; set < 2; set++) {
        kz_metrics *m;
        assert_int_equal(kz_metrics_open(&m, 600, 300), 0);
        if (set)
            kz_metrics_set_event_ues(m, 10);
        for (int k = 1; k <= 600; k++) {
            kz_emu_truth t = {.step = (uint64_t)k, .t_s = k, .dt_s = 1, .n_cells = 1,
                              .cells = &cell, .power_w = 300, .n_active = 4, .n_met = 4,
                              .n_thp = 4, .ue_thp_bps = thp, .ue_index = ue};
            kz_metrics_add(m, &t, NULL);
        }
        struct kz_metrics_result *r = malloc(sizeof *r);
        kz_metrics_result(m, r);
        if (!set) {
            assert_true(r->event_steps == 0 && r->event_p5_mbps == 0);
        } else {
            assert_true(r->event_steps == 1200);
            assert_true(fabs(r->event_p5_mbps - 2) < 0.01);   /* half the crowd at 2 */
            assert_true(fabs(r->event_p50_mbps - 2) < 0.01);
            assert_true(fabs(r->event_mean_mbps - 3) < 1e-6);
        }
        assert_true(fabs(r->thp_p5_mbps - 2) < 0.01); /* the network's: everyone */
        free(r);
        kz_metrics_close(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_energy_unmet),
        cmocka_unit_test(test_event_ues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
