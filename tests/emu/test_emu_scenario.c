/*
 * Unit tests of emu/scenario: the shipped scenarios parse and build the promised networks;
 * malformed files fail with a message naming the JSON path.
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
#include "emu/topology.h"
#include "kizuna/error.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/%s", KZ_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static void check_city(const char *file, const char *name, size_t sites, size_t cells,
                       uint32_t ues)
{
    size_t len;
    char *json = slurp(file, &len);
    static struct kz_scenario s;
    char err[256];
    int rc = kz_scenario_parse(json, len, &s, err, sizeof err);
    if (rc)
        print_error("%s: %s\n", file, err);
    assert_int_equal(rc, 0);
    assert_string_equal(s.name, name);
    assert_int_equal(s.n_ues, ues);
    assert_int_equal(s.n_sites, sites);
    assert_true(s.seed != 0);
    assert_true(s.radio.seed == s.seed);
    NEAR(s.topo.capacity.dl_fraction, (3 + 10.0 / 14) / 5, 1e-12);
    NEAR(s.topo.coverage.fc_ghz, 1.8425, 1e-12);
    assert_int_equal(s.power[KZ_LAYER_CAPACITY], KZ_PWR_38864_SET1);
    assert_int_equal(s.power[KZ_LAYER_COVERAGE], KZ_PWR_EARTH_MACRO_SECTOR);
    assert_int_equal(s.profile, KZ_PROFILE_EARTH12);
    /* Load differs between sites: at least two area classes are used. */
    int used[KZ_AREA_COUNT] = {0};
    for (size_t i = 0; i < s.n_sites; i++)
        used[s.site_area[i]] = 1;
    assert_true(used[0] + used[1] + used[2] >= 2);

    struct kz_topo_cfg cfg;
    kz_scenario_topo_cfg(&s, &cfg);
    struct kz_site *site = calloc(sites, sizeof *site);
    struct kz_cell *cell = calloc(cells, sizeof *cell);
    struct kz_topo t;
    kz_topo_init(&t, site, sites, cell, cells);
    assert_int_equal(kz_topo_build(&t, &cfg), 0);
    assert_int_equal(t.n_sites, sites);
    assert_int_equal(t.n_cells, cells);
    free(site);
    free(cell);
    free(json);
}

static void test_small_city(void **state)
{
    (void)state;
    check_city("small-city.json", "small-city", 7, 42, 2000);
}

static void test_large_city(void **state)
{
    (void)state;
    check_city("large-city.json", "large-city", 19, 114, 20000);
}

static int parse(const char *json, char *err, size_t errlen)
{
    static struct kz_scenario s;
    return kz_scenario_parse(json, strlen(json), &s, err, errlen);
}

#define HEAD "{\"format\":\"kizuna-scenario/1\",\"name\":\"t\",\"seed\":1,"
#define NET "\"network\":{\"rings\":1},"
#define UES "\"ues\":{\"count\":10}"

static void test_errors(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(parse(HEAD NET UES "}", err, sizeof err), 0);
    assert_int_equal(parse("{", err, sizeof err), KZ_EJSON);
    assert_non_null(strstr(err, "line 1"));
    assert_int_equal(parse("{\"format\":\"x/2\"}", err, sizeof err), KZ_EINVAL);
    assert_non_null(strstr(err, "format"));
    assert_int_equal(parse(HEAD NET UES ",\"colour\":1}", err, sizeof err), KZ_EINVAL);
    assert_string_equal(err, "colour: unknown key");
    assert_int_equal(
        parse(HEAD "\"network\":{\"capacity\":{\"bw_mhz\":100,\"scs_khz\":15}}," UES "}", err,
              sizeof err),
        KZ_EINVAL);
    assert_non_null(strstr(err, "network.capacity.bw_mhz: 100 MHz at 15 kHz"));
    assert_int_equal(parse(HEAD "\"network\":{\"capacity\":{\"bw_mz\":100}}," UES "}", err,
                           sizeof err),
                     KZ_EINVAL);
    assert_string_equal(err, "network.capacity.bw_mz: unknown key");
    assert_int_equal(parse(HEAD NET "\"ues\":{\"count\":-3}}", err, sizeof err), KZ_EINVAL);
    assert_non_null(strstr(err, "ues.count"));
    assert_int_equal(parse(HEAD NET "\"ues\":{}}", err, sizeof err), KZ_EINVAL);
    assert_string_equal(err, "ues.count: missing");
    assert_int_equal(parse(HEAD NET UES ",\"site_areas\":[\"suburb\",\"moon\"]}", err, sizeof err),
                     KZ_EINVAL);
    assert_non_null(strstr(err, "entry 1"));
    assert_int_equal(
        parse(HEAD NET UES ",\"site_areas\":[\"suburb\",\"suburb\",\"suburb\",\"suburb\","
                           "\"suburb\",\"suburb\",\"suburb\",\"suburb\"]}",
              err, sizeof err),
        KZ_EINVAL);
    assert_non_null(strstr(err, "8 entries for 7 sites"));
    assert_int_equal(parse(HEAD NET "\"ues\":{\"count\":10,\"mobility\":{\"static\":0.5}}}", err,
                           sizeof err),
                     KZ_EINVAL);
    assert_non_null(strstr(err, "sum to 0.5"));
    assert_int_equal(parse(HEAD "\"network\":{\"plmn\":{\"mcc\":\"1\",\"mnc\":\"01\"}}," UES "}",
                           err, sizeof err),
                     KZ_EINVAL);
    assert_string_equal(err, "network.plmn.mcc: must be 3 digits");
    assert_int_equal(parse(HEAD NET UES ",\"traffic\":{\"profile\":\"tokyo\"}}", err, sizeof err),
                     KZ_EINVAL);
    assert_string_equal(err, "traffic.profile: unknown value \"tokyo\"");
    assert_int_equal(parse(HEAD NET UES ",\"radio\":{\"ue_noise_figure_db\":\"9\"}}", err,
                           sizeof err),
                     KZ_EINVAL);
    assert_string_equal(err, "radio.ue_noise_figure_db: must be a number");
    /* Duplicate keys are rejected rather than silently resolved. */
    assert_int_equal(parse(HEAD NET UES ",\"seed\":2}", err, sizeof err), KZ_EJSON);
    /* Small cells: positions and their own layer; TDD pattern on FDD is refused. */
    assert_int_equal(parse(HEAD "\"network\":{\"small_cells\":[[10,20],[30,40]]}," UES "}", err,
                           sizeof err),
                     0);
    assert_int_equal(
        parse(HEAD "\"network\":{\"coverage\":{\"tdd_pattern\":\"DDDSU\"}}," UES "}", err,
              sizeof err),
        KZ_EINVAL);
    assert_string_equal(err, "network.coverage.tdd_pattern: only for TDD");
}

static void test_small_cells_layer(void **state)
{
    (void)state;
    static struct kz_scenario s;
    char err[256];
    const char *json = HEAD "\"network\":{\"rings\":0,\"small_cells\":{\"layer\":{\"fc_mhz\":3700,"
                            "\"bw_mhz\":40,\"power\":\"earth-pico\"},\"positions\":[[50,50]]}},"
                            UES "}";
    assert_int_equal(kz_scenario_parse(json, strlen(json), &s, err, sizeof err), 0);
    assert_int_equal(s.n_sites, 2);
    assert_int_equal(s.power[KZ_LAYER_SMALL], KZ_PWR_EARTH_PICO);
    struct kz_topo_cfg cfg;
    kz_scenario_topo_cfg(&s, &cfg);
    struct kz_site site[2];
    struct kz_cell cell[7];
    struct kz_topo t;
    kz_topo_init(&t, site, 2, cell, 7);
    assert_int_equal(kz_topo_build(&t, &cfg), 0);
    assert_int_equal(t.n_cells, 7);
    assert_int_equal(cell[6].n_prb, 106); /* 40 MHz @ 30 kHz */
    assert_int_equal(cell[6].carrier, 2);  /* its own carrier: 3.7 GHz != 3.5 GHz */
    NEAR(kz_scenario_peak_rate_per_ue(&s), 95.0 / 3600.0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_city),
        cmocka_unit_test(test_large_city),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_small_cells_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
