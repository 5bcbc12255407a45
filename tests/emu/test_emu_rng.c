/*
 * Unit tests of emu/rng: the seeded streams and hashes are deterministic, seed-sensitive and
 * have the right moments.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "emu/rng.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* splitmix64 reference: seed 1234567 gives 6457827717110365317 first (Vigna's reference
 * implementation, https://prng.di.unimi.it/splitmix64.c). */
static void test_splitmix_reference(void **state)
{
    (void)state;
    uint64_t st = 1234567;
    assert_true(kz_rng_splitmix64(&st) == 6457827717110365317ULL);
    assert_true(kz_rng_splitmix64(&st) == 3203168211198807973ULL);
}

static void test_determinism(void **state)
{
    (void)state;
    struct kz_rng a, b, c;
    kz_rng_seed(&a, 42);
    kz_rng_seed(&b, 42);
    kz_rng_seed(&c, 43);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = kz_rng_next(&a), y = kz_rng_next(&b), z = kz_rng_next(&c);
        assert_true(x == y);
        differ += x != z;
    }
    assert_true(differ > 990);
    assert_true(kz_rng_hash3(1, 2, 3, 4) == kz_rng_hash3(1, 2, 3, 4));
    assert_true(kz_rng_hash3(1, 2, 3, 4) != kz_rng_hash3(1, 2, 4, 3));
    assert_true(kz_rng_hash3(1, 2, 3, 4) != kz_rng_hash3(2, 2, 3, 4));
    NEAR(kz_rng_normal_from_bits(99), kz_rng_normal_from_bits(99), 0);
}

static void test_moments(void **state)
{
    (void)state;
    struct kz_rng r;
    kz_rng_seed(&r, 7);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0, se = 0;
    for (int i = 0; i < n; i++) {
        double u = kz_rng_uniform(&r);
        assert_true(u > 0.0 && u < 1.0);
        su += u;
        double z = kz_rng_normal(&r);
        sn += z;
        sn2 += z * z;
        se += kz_rng_exponential(&r, 3.0);
    }
    NEAR(su / n, 0.5, 0.005);
    NEAR(sn / n, 0.0, 0.01);
    NEAR(sn2 / n, 1.0, 0.02);
    NEAR(se / n, 3.0, 0.03);
    /* Poisson: mean and variance equal the parameter, small and large means. */
    const double means[3] = {0.3, 5.0, 80.0};
    for (int m = 0; m < 3; m++) {
        double s = 0, s2 = 0;
        const int k = 50000;
        for (int i = 0; i < k; i++) {
            double v = kz_rng_poisson(&r, means[m]);
            s += v;
            s2 += v * v;
        }
        double mean = s / k, var = s2 / k - mean * mean;
        NEAR(mean, means[m], 0.03 * means[m] + 0.01);
        NEAR(var, means[m], 0.05 * means[m] + 0.02);
    }
    assert_int_equal(kz_rng_poisson(&r, 0.0), 0);
    assert_int_equal(kz_rng_poisson(&r, -1.0), 0);
    assert_int_equal(kz_rng_poisson(&r, NAN), 0);
    NEAR(kz_rng_exponential(&r, 0.0), 0.0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix_reference),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
