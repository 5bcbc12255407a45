/*
 * usrsctp_crc.c -- a fast CRC32c for usrsctp's own checksum routine (ELF symbol interposition).
 *
 * Why: every SCTP packet carries a CRC32c over the whole packet (RFC 9260 6.8).  usrsctp computes
 * it for each packet it sends over UDP, and for each one it receives from another host, in
 * calculate_crc32c().  Debian's libusrsctp2 0.9.5 is built without optimisation (-O0: every
 * variable on the stack), so that table-driven loop costs ~12 instructions per byte: 27 % of an
 * E2 node's instructions when it streams indications (callgrind, bench_ric --udp3).  usrsctp has
 * no hook to supply a checksum on its UDP path (usrsctp_enable_crc32c_offload only applies to
 * AF_CONN sockets), but it calls calculate_crc32c through the PLT, so a definition in the program
 * takes precedence over the library's (the dynamic linker resolves the program first).
 *
 * What: the same function, the same result -- the reflected Castagnoli CRC update without pre- or
 * post-inversion (usrsctp starts from 0xffffffff and inverts in sctp_finalize_crc32c) -- with the
 * SSE4.2 crc32 instruction when the CPU has it, else a slicing-by-8 table built at first use.
 * Nothing is skipped: every packet is still checksummed and verified exactly as before.
 *
 * Safety: on first use we look up the library's own calculate_crc32c (dlsym RTLD_NEXT) and compare
 * both on test buffers of every length 0..64 and a few offsets; if they ever disagree (another
 * usrsctp version with another contract), every call is forwarded to the library's and
 * kz__usrsctp_crc_mode() says so.  KZ_USRSCTP_CRC=lib in the environment forwards always;
 * KZ_USRSCTP_CRC=slice8 uses the table even where SSE4.2 is available (to test it).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_int.h"

typedef uint32_t (*crc_fn)(uint32_t, const unsigned char *, unsigned int);

static uint32_t tab[8][256];
static crc_fn lib_crc;          /* the library's calculate_crc32c */
static int mode;                /* KZ__CRC_* */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint32_t crc_bytes(uint32_t c, const unsigned char *p, size_t n)
{
    while (n--)
        c = tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

/* Slicing-by-8: eight table lookups per 8 octets (little-endian load). */
static uint32_t crc_slice8(uint32_t c, const unsigned char *p, size_t n)
{
    while (n && ((uintptr_t)p & 7)) {
        c = tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        n--;
    }
    while (n >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
        lo ^= c;
        c = tab[7][lo & 0xff] ^ tab[6][(lo >> 8) & 0xff] ^ tab[5][(lo >> 16) & 0xff] ^
            tab[4][lo >> 24] ^ tab[3][hi & 0xff] ^ tab[2][(hi >> 8) & 0xff] ^
            tab[1][(hi >> 16) & 0xff] ^ tab[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    return crc_bytes(c, p, n);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_sse42(uint32_t c, const unsigned char *p,
                                                            size_t n)
{
    uint64_t c64 = c;
    while (n && ((uintptr_t)p & 7)) {
        c64 = __builtin_ia32_crc32qi((uint32_t)c64, *p++);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c64;
    while (n--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

static uint32_t crc_fast(uint32_t c, const unsigned char *p, size_t n)
{
#if defined(__x86_64__)
    if (mode == KZ__CRC_SSE42)
        return crc_sse42(c, p, n);
#endif
    return crc_slice8(c, p, n);
}

static void init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
        tab[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++)
            tab[t][i] = (tab[t - 1][i] >> 8) ^ tab[0][tab[t - 1][i] & 0xff];
    mode = KZ__CRC_SLICE8;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2"))
        mode = KZ__CRC_SSE42;
#endif
    lib_crc = (crc_fn)(uintptr_t)dlsym(RTLD_NEXT, "calculate_crc32c");
    const char *e = getenv("KZ_USRSCTP_CRC");
    if (lib_crc && e && !strcmp(e, "lib")) {
        mode = KZ__CRC_LIB;
        return;
    }
    if (e && !strcmp(e, "slice8"))   /* the table path on a CPU with SSE4.2 (tests) */
        mode = KZ__CRC_SLICE8;
    if (!lib_crc)
        return;   /* nothing to compare with (usrsctp not loaded dynamically): ours */
    unsigned char buf[80];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    for (unsigned int off = 0; off < 8; off++)
        for (unsigned int n = 0; n + off <= 72; n++)
            if (crc_fast(0xffffffffu, buf + off, n) != lib_crc(0xffffffffu, buf + off, n) ||
                crc_fast(0x12345678u, buf + off, n) != lib_crc(0x12345678u, buf + off, n)) {
                mode = KZ__CRC_LIB;   /* a different contract: use the library's own */
                return;
            }
}

int kz__usrsctp_crc_mode(void)
{
    pthread_once(&once, init);
    return mode;
}

uint32_t kz__crc32c_update(uint32_t crc, const void *p, size_t n)
{
    pthread_once(&once, init);
    if (mode == KZ__CRC_LIB && lib_crc)
        return lib_crc(crc, p, (unsigned int)n);
    return crc_fast(crc, p, n);
}

/* The interposed symbol: usrsctp's sctp_calculate_cksum() calls this (via its PLT) for every
 * packet.  Called from usrsctp's threads and ours: init is pthread_once, the rest is pure. */
uint32_t calculate_crc32c(uint32_t crc32c, const unsigned char *buffer, unsigned int length);
uint32_t calculate_crc32c(uint32_t crc32c, const unsigned char *buffer, unsigned int length)
{
    pthread_once(&once, init);
    if (mode == KZ__CRC_LIB && lib_crc)
        return lib_crc(crc32c, buffer, length);
    return crc_fast(crc32c, buffer, length);
}
