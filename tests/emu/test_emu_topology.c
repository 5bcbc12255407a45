/*
 * Unit tests of emu/topology: hexagonal layout, sector azimuths, NR CGI / PCI, TS 38.101-1
 * PRB counts and the small and large city cell counts.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/topology.h"
#include "kizuna/error.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* TS 38.101-1 Table 5.3.2-1 spot checks. */
static void test_nrb(void **state)
{
    (void)state;
    assert_int_equal(kz_topo_nrb(100, 30), 273);
    assert_int_equal(kz_topo_nrb(20, 15), 106);
    assert_int_equal(kz_topo_nrb(10, 15), 52);
    assert_int_equal(kz_topo_nrb(5, 15), 25);
    assert_int_equal(kz_topo_nrb(40, 30), 106);
    assert_int_equal(kz_topo_nrb(50, 15), 270);
    assert_int_equal(kz_topo_nrb(100, 60), 135);
    assert_int_equal(kz_topo_nrb(100, 15), 0); /* not defined */
    assert_int_equal(kz_topo_nrb(5, 60), 0);
    assert_int_equal(kz_topo_nrb(12, 15), 0);
    assert_int_equal(kz_topo_nrb(20, 120), 0);
}

static void test_tdd_fraction(void **state)
{
    (void)state;
    NEAR(kz_topo_tdd_dl_fraction("DDDSU", 10), (3 + 10.0 / 14) / 5, 1e-12);
    NEAR(kz_topo_tdd_dl_fraction("DDDDDDDSUU", 6), (7 + 6.0 / 14) / 10, 1e-12);
    NEAR(kz_topo_tdd_dl_fraction("D", 0), 1.0, 0);
    assert_true(kz_topo_tdd_dl_fraction("DDXU", 10) < 0);
    assert_true(kz_topo_tdd_dl_fraction("", 10) < 0);
}

static void build(struct kz_topo *t, struct kz_site *s, size_t ns, struct kz_cell *c, size_t nc,
                  unsigned rings, int expect)
{
    struct kz_topo_cfg cfg;
    kz_topo_cfg_default(&cfg);
    cfg.rings = rings;
    kz_topo_init(t, s, ns, c, nc);
    assert_int_equal(kz_topo_build(t, &cfg), expect);
}

/* 1 ring: 7 sites, 42 cells; all neighbours of the centre at exactly ISD. */
static void test_small_city(void **state)
{
    (void)state;
    struct kz_site s[7];
    struct kz_cell c[42];
    struct kz_topo t;
    assert_int_equal(kz_topo_sites_for_rings(1), 7);
    assert_int_equal(kz_topo_sites_for_rings(2), 19);
    build(&t, s, 7, c, 42, 1, 0);
    assert_int_equal(t.n_sites, 7);
    assert_int_equal(t.n_cells, 42);
    NEAR(s[0].x, 0, 1e-9);
    NEAR(s[0].y, 0, 1e-9);
    for (int i = 1; i < 7; i++) {
        NEAR(hypot(s[i].x, s[i].y), 500.0, 1e-9);
        NEAR(hypot(s[i].x - s[i % 6 + 1].x, s[i].y - s[i % 6 + 1].y), 500.0, 1e-9);
        assert_int_equal(s[i].ring, 1);
    }
    for (size_t i = 0; i < t.n_cells; i++) {
        const struct kz_cell *x = &c[i];
        assert_int_equal(x->id, i);
        assert_int_equal(x->site, i / 6);
        assert_int_equal(x->gnb_id, 1 + i / 6);
        assert_int_equal(x->sector, i % 3);
        NEAR(x->azimuth_deg, 120.0 * (double)(i % 3), 0);
        assert_int_equal(x->layer, (i % 6) < 3 ? KZ_LAYER_COVERAGE : KZ_LAYER_CAPACITY);
        assert_int_equal(x->cell_local, i % 6);
        /* NCI = gNB id (22 bits) << 14 | local index */
        assert_true(x->nci == (((uint64_t)(1 + i / 6) << 14) | (i % 6)));
        assert_true(x->nci < (1ULL << 36));
        assert_true(x->pci < 1008);
        assert_int_equal(x->pci % 3, x->sector);
        if (x->layer == KZ_LAYER_CAPACITY) {
            assert_int_equal(x->n_prb, 273);
            assert_int_equal(x->duplex, KZ_DUPLEX_TDD);
            NEAR(x->fc_ghz, 3.5, 0);
            assert_int_equal(x->band, 78);
            assert_int_equal(x->carrier, 1);
        } else {
            assert_int_equal(x->n_prb, 106);
            assert_int_equal(x->duplex, KZ_DUPLEX_FDD);
            NEAR(x->dl_fraction, 1.0, 0);
            assert_int_equal(x->carrier, 0);
        }
        assert_ptr_equal(kz_topo_find_nci(&t, x->nci), x);
    }
    /* PCIs unique within a carrier. */
    for (size_t i = 0; i < t.n_cells; i++)
        for (size_t j = i + 1; j < t.n_cells; j++)
            if (c[i].carrier == c[j].carrier)
                assert_int_not_equal(c[i].pci, c[j].pci);
    assert_null(kz_topo_find_nci(&t, 12345));
}

/* 2 rings: 19 sites, 114 cells; ring-2 sites at ISD x 2 or ISD x sqrt(3). */
static void test_large_city(void **state)
{
    (void)state;
    struct kz_site s[19];
    struct kz_cell c[114];
    struct kz_topo t;
    build(&t, s, 19, c, 114, 2, 0);
    assert_int_equal(t.n_sites, 19);
    assert_int_equal(t.n_cells, 114);
    for (int i = 7; i < 19; i++) {
        double r = hypot(s[i].x, s[i].y);
        assert_true(fabs(r - 1000.0) < 1e-6 || fabs(r - 500.0 * sqrt(3.0)) < 1e-6);
    }
    /* No two sites coincide and the closest pair is ISD apart. */
    double dmin = 1e9;
    for (int i = 0; i < 19; i++)
        for (int j = i + 1; j < 19; j++)
            dmin = fmin(dmin, hypot(s[i].x - s[j].x, s[i].y - s[j].y));
    NEAR(dmin, 500.0, 1e-6);
}

static void test_errors_and_small_cells(void **state)
{
    (void)state;
    struct kz_site s[20];
    struct kz_cell c[120];
    struct kz_topo t;
    build(&t, s, 6, c, 42, 1, KZ_ENOSPC);
    build(&t, s, 7, c, 41, 1, KZ_ENOSPC);

    struct kz_topo_cfg cfg;
    kz_topo_cfg_default(&cfg);
    kz_topo_init(&t, s, 20, c, 120);
    cfg.capacity.bw_mhz = 100;
    cfg.capacity.scs_khz = 15; /* not in TS 38.101-1 */
    assert_int_equal(kz_topo_build(&t, &cfg), KZ_EINVAL);
    kz_topo_cfg_default(&cfg);
    cfg.gnb_id_base = (1u << 22) - 3; /* 7 sites do not fit */
    assert_int_equal(kz_topo_build(&t, &cfg), KZ_EINVAL);
    kz_topo_cfg_default(&cfg);
    cfg.rings = KZ_TOPO_MAX_RINGS + 1;
    assert_int_equal(kz_topo_build(&t, &cfg), KZ_EINVAL);
    kz_topo_cfg_default(&cfg);
    cfg.plmn.mnc_digits = 4;
    assert_int_equal(kz_topo_build(&t, &cfg), KZ_EINVAL);

    /* Two small cells on the capacity carrier: their own gNBs, UMi, omni. */
    kz_topo_cfg_default(&cfg);
    struct kz_xy pos[2] = {{100, 50}, {-200, 300}};
    cfg.small_pos = pos;
    cfg.n_small = 2;
    assert_int_equal(kz_topo_build(&t, &cfg), 0);
    assert_int_equal(t.n_sites, 9);
    assert_int_equal(t.n_cells, 44);
    for (int k = 0; k < 2; k++) {
        const struct kz_cell *x = &c[42 + k];
        assert_int_equal(x->layer, KZ_LAYER_SMALL);
        assert_int_equal(x->env, KZ_ENV_UMI);
        assert_int_equal(x->sector, KZ_SECTOR_OMNI);
        assert_int_equal(x->carrier, c[3].carrier);
        assert_int_equal(x->gnb_id, 8 + k);
        assert_true(s[7 + k].is_small);
        NEAR(x->x, pos[k].x, 0);
        NEAR(x->height_m, 10.0, 0);
    }
    /* Coverage layer only: 3 cells per site, 10 MHz @ 15 kHz = 52 PRBs. */
    kz_topo_cfg_default(&cfg);
    cfg.capacity.enabled = 0;
    cfg.coverage.bw_mhz = 10;
    cfg.coverage.fc_ghz = 0.763;
    cfg.coverage.band = 28;
    assert_int_equal(kz_topo_build(&t, &cfg), 0);
    assert_int_equal(t.n_cells, 21);
    assert_int_equal(c[0].n_prb, 52);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nrb),        cmocka_unit_test(test_tdd_fraction),
        cmocka_unit_test(test_small_city), cmocka_unit_test(test_large_city),
        cmocka_unit_test(test_errors_and_small_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
