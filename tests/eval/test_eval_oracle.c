/*
 * Unit tests of eval/oracle: the clairvoyant schedule sleeps in every eligible slot when the
 * dwell rules allow, drops runs shorter than the sleep dwell, keeps awake gaps at least the
 * awake dwell, and finds the optimum when dwell rules make runs compete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eval/oracle.h"
#include "kizuna/error.h"

static long sched(const char *pat, unsigned ms, unsigned ma, char *out)
{
    size_t n = strlen(pat);
    double u[64] = {0};
    uint8_t a[64];
    for (size_t k = 0; k < n; k++)
        u[k] = pat[k] == '.' ? 0.2 : 0.9; /* '.' eligible, 'X' not */
    long r = kz_oracle_schedule(u, 1, n, 0.5, ms, ma, a);
    for (size_t k = 0; k < n; k++)
        out[k] = a[k] ? 'z' : '-';
    out[n] = 0;
    return r;
}

static void test_no_dwell(void **state)
{
    (void)state;
    char o[64];
    assert_int_equal(sched("..XX.X...", 1, 1, o), 6);
    assert_string_equal(o, "zz--z-zzz");
}

static void test_min_sleep(void **state)
{
    (void)state;
    char o[64];
    /* runs of 2, 1 and 3 eligible slots with min_sleep 3: only the last survives */
    assert_int_equal(sched("..XX.X...", 3, 1, o), 3);
    assert_string_equal(o, "------zzz");
}

static void test_min_awake(void **state)
{
    (void)state;
    char o[64];
    /* two long runs separated by one busy slot, awake dwell 3: the second run starts 3 slots
     * after the first ends (the day starts "awake long enough") */
    assert_int_equal(sched("....X.....", 2, 3, o), 4 + 3);
    assert_string_equal(o, "zzzz---zzz");
}

static void test_dwell_combinations(void **state)
{
    (void)state;
    char o[64];
    /* sleep 0-1, the busy slot 2 plus one more awake for the awake dwell, then 4-7 */
    assert_int_equal(sched("..X.....", 2, 2, o), 6);
    assert_string_equal(o, "zz--zzzz");
    /* awake dwell 3: 0-1 then 5-7, or 3-7 -- both 5 slots, nothing does better */
    assert_int_equal(sched("..X.....", 2, 3, o), 5);
    /* sleeping slot 0 (dwell 1) forces 1-3 awake: 0 + 4-8 or 3-8, both 6 */
    assert_int_equal(sched(".XX......", 1, 3, o), 6);
}

static void test_skips_other_cells(void **state)
{
    (void)state;
    double u[2 * 4] = {-1, -1, -1, -1, 0.1, 0.1, 0.1, 0.1};
    uint8_t a[8];
    assert_int_equal(kz_oracle_schedule(u, 2, 4, 0.5, 1, 1, a), 4);
    assert_int_equal(a[0] + a[1] + a[2] + a[3], 0);
    assert_int_equal(kz_oracle_schedule(NULL, 2, 4, 0.5, 1, 1, a), KZ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_dwell),
        cmocka_unit_test(test_min_sleep),
        cmocka_unit_test(test_min_awake),
        cmocka_unit_test(test_dwell_combinations),
        cmocka_unit_test(test_skips_other_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
