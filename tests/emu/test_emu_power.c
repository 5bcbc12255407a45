/*
 * Unit tests of emu/power: EARTH and TR 38.864 power at 0 / 50 / 100 % load and asleep
 * (../shared/spec/MODELS.md "Base-station power"), the sleep-state machine with its wake-up
 * delay and transition energy, and energy = integral of power.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/power.h"
#include "kizuna/error.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* EARTH macro, N_TRX 6: idle 6 x 130 = 780 W; 50 %: 6 x (130 + 4.7 x 10) = 1062 W;
 * full: 6 x (130 + 4.7 x 20) = 1344 W; asleep 6 x 75 = 450 W -- MODELS.md's per-TRX figures. */
static void test_earth_macro(void **state)
{
    (void)state;
    struct kz_power_params p;
    assert_int_equal(kz_power_preset(&p, KZ_PWR_EARTH_MACRO), 0);
    NEAR(kz_power_active_w(&p, 0.0), 780.0, 1e-9);
    NEAR(kz_power_active_w(&p, 0.5), 1062.0, 1e-9);
    NEAR(kz_power_active_w(&p, 1.0), 1344.0, 1e-9);
    NEAR(kz_power_active_w(&p, 1.7), 1344.0, 1e-9); /* clamped */
    NEAR(kz_power_sleep_w(&p, KZ_SLEEP_DEEP), 450.0, 1e-9);
    /* One sector (N_TRX 2): 260 / 354 / 448 W, 150 W asleep. */
    assert_int_equal(kz_power_preset(&p, KZ_PWR_EARTH_MACRO_SECTOR), 0);
    NEAR(kz_power_active_w(&p, 0.0), 260.0, 1e-9);
    NEAR(kz_power_active_w(&p, 0.5), 354.0, 1e-9);
    NEAR(kz_power_active_w(&p, 1.0), 448.0, 1e-9);
    NEAR(kz_power_sleep_w(&p, KZ_SLEEP_LIGHT), 150.0, 1e-9);
    /* RRH: 6 x 84 = 504, 6 x (84 + 2.8 x 20) = 840, 6 x 56 = 336. */
    assert_int_equal(kz_power_preset(&p, KZ_PWR_EARTH_RRH), 0);
    NEAR(kz_power_active_w(&p, 0.0), 504.0, 1e-9);
    NEAR(kz_power_active_w(&p, 1.0), 840.0, 1e-9);
    NEAR(kz_power_sleep_w(&p, KZ_SLEEP_DEEP), 336.0, 1e-9);
    /* Micro: 2 x (56 + 2.6 x 6.3) = 144.76; pico 2 x (6.8 + 4 x 0.13) = 14.64. */
    assert_int_equal(kz_power_preset(&p, KZ_PWR_EARTH_MICRO), 0);
    NEAR(kz_power_active_w(&p, 1.0), 144.76, 1e-9);
    assert_int_equal(kz_power_preset(&p, KZ_PWR_EARTH_PICO), 0);
    NEAR(kz_power_active_w(&p, 1.0), 14.64, 1e-9);
    assert_int_equal(kz_power_preset(&p, (enum kz_power_preset)99), KZ_EINVAL);
}

/* TR 38.864 set 1, unit 1100/280 = 3.928571 W, DDDSU f_DL = 0.742857:
 *  P_DL(s_f) = 55 + 225 (0.4 + 0.6 s_f); average = f_DL P_DL + (1 - f_DL) 110.
 *  0 %:   P_DL 145   -> 107.714 + 28.286 = 136.000 units = 534.29 W
 *  50 %:  P_DL 212.5 -> 157.857 + 28.286 = 186.143 units = 731.28 W
 *  100 %: P_DL 280   -> 208.000 + 28.286 = 236.286 units = 928.27 W
 *  light sleep 25 units = 98.21 W (O-RAN 64T64R sleep 60-140 W); deep 3.93 W; micro 216.07 W.
 * Set 2 (FDD, unit 2.75 W): P_DL = 50 + 150 (0.4 + 0.6 s_f): 110 / 155 / 200 units
 *  = 302.5 / 426.25 / 550 W. */
static void test_38864(void **state)
{
    (void)state;
    struct kz_power_params p;
    assert_int_equal(kz_power_preset(&p, KZ_PWR_38864_SET1), 0);
    NEAR(kz_power_active_w(&p, 0.0), 534.2857, 1e-3);
    NEAR(kz_power_active_w(&p, 0.5), 731.2755, 1e-3);
    NEAR(kz_power_active_w(&p, 1.0), 928.2653, 1e-3);
    NEAR(kz_power_sleep_w(&p, KZ_SLEEP_LIGHT), 98.2143, 1e-3);
    NEAR(kz_power_sleep_w(&p, KZ_SLEEP_DEEP), 3.9286, 1e-3);
    NEAR(kz_power_sleep_w(&p, KZ_SLEEP_MICRO), 216.0714, 1e-3);
    assert_true(kz_power_sleep_w(&p, KZ_SLEEP_LIGHT) >= 60.0 &&
                kz_power_sleep_w(&p, KZ_SLEEP_LIGHT) <= 140.0);
    /* A full DL slot is the O-RAN busy-hour anchor. */
    NEAR(280.0 * p.unit_w, 1100.0, 1e-9);
    assert_int_equal(kz_power_preset(&p, KZ_PWR_38864_SET2), 0);
    NEAR(kz_power_active_w(&p, 0.0), 302.5, 1e-9);
    NEAR(kz_power_active_w(&p, 0.5), 426.25, 1e-9);
    NEAR(kz_power_active_w(&p, 1.0), 550.0, 1e-9);
    /* Category 2 transitions by default, Category 1 on request. */
    NEAR(p.sleep[KZ_SLEEP_DEEP].transition_s, 10.0, 0);
    NEAR(p.sleep[KZ_SLEEP_DEEP].transition_extra_j, 17000.0 * 2.75 / 1000.0, 1e-9);
    assert_int_equal(kz_power_set_transitions(&p, 1), 0);
    NEAR(p.sleep[KZ_SLEEP_DEEP].transition_s, 0.050, 0);
    NEAR(p.sleep[KZ_SLEEP_LIGHT].transition_s, 0.006, 0);
    NEAR(p.sleep[KZ_SLEEP_LIGHT].transition_extra_j, 90.0 * 2.75 / 1000.0, 1e-12);
    assert_int_equal(kz_power_set_transitions(&p, 3), KZ_EINVAL);
}

/* Sleep, then wake with a 10 s delay at 1 s steps: asleep power, then 10 s of waking (not
 * serving, sleep power + extra / 10 s), then active again.  Energy equals the sum of
 * power x time of each phase. */
static void test_state_machine_energy(void **state)
{
    (void)state;
    struct kz_power_params p;
    assert_int_equal(kz_power_preset(&p, KZ_PWR_38864_SET1), 0);
    struct kz_power_cell c;
    kz_power_cell_init(&c);
    assert_true(kz_power_serving(&c));

    double e = 0.0;
    for (int i = 0; i < 60; i++) /* one minute at 30 % load */
        e += kz_power_step(&c, &p, 0.3, 1.0) * 1.0;
    NEAR(c.energy_j, 60.0 * kz_power_active_w(&p, 0.3), 1e-6);

    assert_int_equal(kz_power_sleep(&c, KZ_SLEEP_DEEP), 0);
    assert_false(kz_power_serving(&c));
    for (int i = 0; i < 100; i++)
        e += kz_power_step(&c, &p, 0.3, 1.0);
    NEAR(c.last_power_w, 3.928571, 1e-5);

    assert_int_equal(kz_power_wake(&c, &p), 0);
    assert_int_equal(c.state, KZ_PWR_WAKING);
    double waking_w = 3.928571 + (17000.0 * p.unit_w / 1000.0) / 10.0;
    int steps_not_serving = 0;
    while (!kz_power_serving(&c)) {
        e += kz_power_step(&c, &p, 0.3, 1.0);
        steps_not_serving++;
        assert_true(steps_not_serving < 100);
    }
    assert_int_equal(steps_not_serving, 10);
    NEAR(c.last_power_w, waking_w, 1e-4);
    e += kz_power_step(&c, &p, 0.3, 1.0);
    NEAR(c.last_power_w, kz_power_active_w(&p, 0.3), 1e-9);

    /* energy = integral of power */
    double expect = 61.0 * kz_power_active_w(&p, 0.3) + 100.0 * p.sleep[KZ_SLEEP_DEEP].power_w +
                    10.0 * p.sleep[KZ_SLEEP_DEEP].power_w +
                    p.sleep[KZ_SLEEP_DEEP].transition_extra_j;
    NEAR(c.energy_j, expect, 1e-6);
    NEAR(c.energy_j, e, 1e-6);
}

/* A wake-up that completes inside a step splits it: 0.64 s waking then 0.36 s active. */
static void test_split_step(void **state)
{
    (void)state;
    struct kz_power_params p;
    assert_int_equal(kz_power_preset(&p, KZ_PWR_38864_SET1), 0);
    struct kz_power_cell c;
    kz_power_cell_init(&c);
    kz_power_sleep(&c, KZ_SLEEP_LIGHT);
    kz_power_wake(&c, &p);
    const struct kz_power_sleep_level *s = &p.sleep[KZ_SLEEP_LIGHT];
    double w = kz_power_step(&c, &p, 1.0, 1.0);
    double expect = s->power_w * 0.64 + s->transition_extra_j + kz_power_active_w(&p, 1.0) * 0.36;
    NEAR(w, expect, 1e-9);
    NEAR(c.energy_j, expect, 1e-9);
    assert_true(kz_power_serving(&c));
    /* Micro sleep has no transition time: waking is immediate. */
    kz_power_sleep(&c, KZ_SLEEP_MICRO);
    kz_power_wake(&c, &p);
    assert_true(kz_power_serving(&c));
    /* Waking an active cell is a no-op; an unknown depth is refused. */
    assert_int_equal(kz_power_wake(&c, &p), 0);
    assert_int_equal(kz_power_sleep(&c, (enum kz_sleep)7), KZ_EINVAL);
    /* Zero-length step adds nothing. */
    double before = c.energy_j;
    NEAR(kz_power_step(&c, &p, 0.5, 0.0), 0.0, 0);
    NEAR(c.energy_j, before, 0);
}

/* A day of EARTH macro sector at constant 50 %: 354 W x 86400 s = 30.586 MJ = 8.496 kWh. */
static void test_day_energy(void **state)
{
    (void)state;
    struct kz_power_params p;
    kz_power_preset(&p, KZ_PWR_EARTH_MACRO_SECTOR);
    struct kz_power_cell c;
    kz_power_cell_init(&c);
    for (int i = 0; i < 86400; i++)
        kz_power_step(&c, &p, 0.5, 1.0);
    NEAR(c.energy_j / 3.6e6, 8.496, 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_earth_macro),
        cmocka_unit_test(test_38864),
        cmocka_unit_test(test_state_machine_energy),
        cmocka_unit_test(test_split_step),
        cmocka_unit_test(test_day_energy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
