/*
 * tests/net/test_crc.c -- the CRC32c that usrsctp's packets get (src/net/usrsctp_crc.c).
 *
 * kz_net defines usrsctp's calculate_crc32c so that the library (built at -O0 by Debian) uses a
 * fast one.  A wrong checksum would make every peer drop every packet, so: the RFC 3720 check
 * value, agreement with a bit-at-a-time reference on every length 0..2048 at every alignment,
 * from two starting values, through both our entry points; and through the library itself
 * (usrsctp_crc32c calls calculate_crc32c via its PLT), which proves the interposition took.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net_int.h"

uint32_t calculate_crc32c(uint32_t crc32c, const unsigned char *buffer, unsigned int length);
uint32_t usrsctp_crc32c(void *buffer, size_t length);   /* libusrsctp */

static uint32_t ref(uint32_t c, const uint8_t *p, size_t n)
{
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
    }
    return c;
}

static void test_check_value(void **st)
{
    (void)st;
    const char *s = "123456789";
    assert_int_equal(~kz__crc32c_update(0xffffffffu, s, 9), 0xe3069283u);
    assert_int_equal(~calculate_crc32c(0xffffffffu, (const unsigned char *)s, 9), 0xe3069283u);
    /* an SCTP-sized buffer of zeros (RFC 3720 B.4: 32 octets of 0 -> 0x8a9136aa) */
    uint8_t z[32] = {0};
    assert_int_equal(~kz__crc32c_update(0xffffffffu, z, 32), 0x8a9136aau);
}

static void test_against_reference(void **st)
{
    (void)st;
    static uint8_t buf[2048 + 8];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 2048; n += (n < 80 ? 1 : 37)) {
            uint32_t a = ref(0xffffffffu, buf + off, n), b = ref(0x1234abcdu, buf + off, n);
            assert_int_equal(kz__crc32c_update(0xffffffffu, buf + off, n), a);
            assert_int_equal(calculate_crc32c(0xffffffffu, buf + off, (unsigned)n), a);
            assert_int_equal(kz__crc32c_update(0x1234abcdu, buf + off, n), b);
            assert_int_equal(calculate_crc32c(0x1234abcdu, buf + off, (unsigned)n), b);
        }
}

static void test_library_uses_it(void **st)
{
    (void)st;
    int mode = kz__usrsctp_crc_mode();
    const char *e = getenv("KZ_USRSCTP_CRC");
    printf("crc32c for usrsctp: %s\n", mode == KZ__CRC_SSE42    ? "sse4.2"
                                       : mode == KZ__CRC_SLICE8 ? "slicing-by-8"
                                                                : "the library's own");
    if (!(e && !strcmp(e, "lib")))
        assert_int_not_equal(mode, KZ__CRC_LIB);   /* our self-test agreed with the library */
    if (e && !strcmp(e, "slice8"))
        assert_int_equal(mode, KZ__CRC_SLICE8);
    /* the dynamic linker's answer for the name is ours -- what the library's PLT is bound to */
    assert_ptr_equal((void *)(uintptr_t)dlsym(RTLD_DEFAULT, "calculate_crc32c"),
                     (void *)(uintptr_t)&calculate_crc32c);
    char s[] = "123456789";
    uint32_t v = usrsctp_crc32c(s, 9);   /* the library's code, calling calculate_crc32c */
    assert_true(v == 0xe3069283u || v == 0x839206e3u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_library_uses_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
