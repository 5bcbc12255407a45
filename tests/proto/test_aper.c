/*
 * test_aper.c -- unit tests of the APER primitives (src/proto/aper.c).
 *
 * Expected bytes come from the independent codec ../shared/tools/asn1-oracle (Erlang asn1ct,
 * aligned PER) and are hard-coded so the test runs without it.  Two kinds of source:
 *
 *   - real E2 types, e.g.  asn1-oracle encode e2ap RICrequestID '{"ricRequestorID":1,"ricInstanceID":2}'
 *   - scratch types that exercise one rule each.  They were appended to a copy of
 *     e2sm-kpm-v3.00.asn and compiled with ASN1_ORACLE_SPEC=<copy> (set kpm):
 *       TInt255 ::= INTEGER (0..254)        TInt256 ::= INTEGER (0..255)
 *       TInt257 ::= INTEGER (0..256)        TInt64K ::= INTEGER (0..65535)
 *       TInt64K1 ::= INTEGER (0..65536)     TInt2p32 ::= INTEGER (0..4294967296)
 *       TIntBig ::= INTEGER (-9223372036854775808..9223372036854775807)
 *       TIntSemi ::= INTEGER (-5..MAX)      TIntUnc ::= INTEGER
 *       TIntExt ::= INTEGER (0..7, ...)     TIntNeg ::= INTEGER (-1000..-900)
 *       TEnum3 ::= ENUMERATED { a, b, c }   TEnumExt ::= ENUMERATED { a, b, ..., c, d }
 *       TOct ::= OCTET STRING               TOct0/1/2/3 ::= OCTET STRING (SIZE(0/1/2/3))
 *       TOctV10 ::= OCTET STRING (SIZE(0..10))   TOctV2 ::= OCTET STRING (SIZE(0..2))
 *       TOctExt ::= OCTET STRING (SIZE(1..4, ...))
 *       TBit ::= BIT STRING   TBit5/16/17 ::= BIT STRING (SIZE(5/16/17))
 *       TBitV ::= BIT STRING (SIZE(0..20))   TBitExt ::= BIT STRING (SIZE(1..160, ...))
 *       TPS1/2/3 ::= PrintableString (SIZE(1/2/3))   TPSV2 ::= PrintableString (SIZE(0..2))
 *       TPS ::= PrintableString   TVS ::= VisibleString (SIZE(1..4))   TIA5 ::= IA5String
 *       TIA5V2 ::= IA5String (SIZE(1..2))   TUTF8 ::= UTF8String   TUTF8S ::= UTF8String (SIZE(1..4))
 *       WX ::= SEQUENCE { f BOOLEAN, v TX }          -- a leading bit shows the alignment
 *       XX ::= SEQUENCE { f BOOLEAN, v TX, g BOOLEAN } -- and a trailing one what follows
 *     e.g.  ASN1_ORACLE_SPEC=/tmp/aper-spec asn1-oracle encode kpm WInt257 '{"f":true,"v":256}'
 *
 * Large values (fragmentation) are checked by length, header octets and an FNV-1a hash of the
 * oracle's output for contents byte i = i*7 % 251.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>

#include <cmocka.h>

#include "proto/aper.h"

static uint8_t g_out[300000];
static uint8_t g_in[300000];
static uint8_t g_pat[300000];
static uint8_t g_arena_mem[400000];


/* ---- helpers ------------------------------------------------------------------------------ */

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void enc_start(kz_per_enc *e) { kz_per_enc_init(e, g_out, sizeof g_out); }

/* Finishes e and compares its bytes with hex. */
static void enc_check(kz_per_enc *e, const char *hex)
{
    long n = kz_per_enc_finish(e);
    assert_int_equal(e->err, 0);
    assert_true(n > 0);
    char got[512];
    assert_true((size_t)n * 2 < sizeof got);
    for (long i = 0; i < n; i++)
        snprintf(got + 2 * i, 3, "%02x", g_out[i]);
    assert_string_equal(got, hex);
}

static void dec_start(kz_per_dec *d, const char *hex)
{
    size_t n = unhex(hex, g_in);
    kz_per_dec_init(d, g_in, n);
}

/* The whole input was consumed up to the final padding. */
static void dec_done(const kz_per_dec *d)
{
    assert_int_equal(d->err, 0);
    assert_true(d->len_bits - d->bit < 8);
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x01000193u;
    }
    return h;
}

static void make_pattern(size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_pat[i] = (uint8_t)(i * 7 % 251);
}

/* ---- bits, alignment, encoder errors ------------------------------------------------------ */

static void test_bits_roundtrip(void **state)
{
    (void)state;
    static const unsigned widths[] = { 1, 3, 7, 8, 9, 13, 16, 17, 31, 32, 33, 57, 63, 64 };
    for (unsigned lead = 0; lead < 8; lead++) {
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bits(&e, 0, lead);
        for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
            unsigned w = widths[i];
            uint64_t v = (w == 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1) & UINT64_C(0xa5c3f00f5a3c0ff5);
            kz_per_put_bits(&e, v, w);
        }
        long n = kz_per_enc_finish(&e);
        assert_true(n > 0);
        kz_per_dec d;
        kz_per_dec_init(&d, g_out, (size_t)n);
        uint64_t v;
        assert_int_equal(kz_per_get_bits(&d, lead, &v), 0);
        assert_int_equal(v, 0);
        for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
            unsigned w = widths[i];
            uint64_t want = (w == 64 ? UINT64_MAX : (UINT64_C(1) << w) - 1) & UINT64_C(0xa5c3f00f5a3c0ff5);
            assert_int_equal(kz_per_get_bits(&d, w, &v), 0);
            assert_true(v == want);
        }
        dec_done(&d);
    }
}

static void test_encoder_errors(void **state)
{
    (void)state;
    uint8_t buf[2];
    kz_per_enc e;
    kz_per_enc_init(&e, buf, sizeof buf);
    kz_per_put_bits(&e, 4, 2);                    /* 4 does not fit 2 bits */
    assert_int_equal(e.err, KZ_ERANGE);
    kz_per_enc_init(&e, buf, sizeof buf);
    kz_per_put_bits(&e, 0, 65);
    assert_int_equal(e.err, KZ_EINVAL);

    kz_per_enc_init(&e, buf, sizeof buf);
    kz_per_put_bits(&e, 0xabc, 12);
    kz_per_put_bits(&e, 0x1f, 5);                 /* 17 bits > 16 */
    assert_int_equal(e.err, KZ_ENOSPC);
    size_t at = e.bit;
    kz_per_put_bits(&e, 1, 1);                    /* sticky: no-op */
    kz_per_put_cwhole(&e, 5, 3);                  /* would be ERANGE, first error kept */
    assert_int_equal(e.err, KZ_ENOSPC);
    assert_int_equal(e.bit, at);
    assert_int_equal(kz_per_enc_finish(&e), KZ_ENOSPC);

    /* An empty PDU is one zero octet. */
    kz_per_enc_init(&e, buf, sizeof buf);
    buf[0] = 0xff;
    assert_int_equal(kz_per_enc_finish(&e), 1);
    assert_int_equal(buf[0], 0);
    kz_per_enc_init(&e, buf, 0);
    assert_int_equal(kz_per_enc_finish(&e), KZ_ENOSPC);

    /* Garbage in the output buffer never leaks into partial octets. */
    memset(buf, 0xff, sizeof buf);
    kz_per_enc_init(&e, buf, sizeof buf);
    kz_per_put_bool(&e, true);
    kz_per_put_align(&e);
    kz_per_put_bits(&e, 1, 2);
    assert_int_equal(kz_per_enc_finish(&e), 2);
    assert_int_equal(buf[0], 0x80);
    assert_int_equal(buf[1], 0x40);
}

static void test_decoder_bounds(void **state)
{
    (void)state;
    kz_per_dec d;
    uint64_t v;
    dec_start(&d, "a5");
    assert_int_equal(kz_per_get_bits(&d, 3, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(kz_per_get_bits(&d, 6, &v), KZ_ETRUNC);
    assert_int_equal(d.err, KZ_ETRUNC);
    assert_int_equal(d.err_bit, 3);
    assert_int_equal(kz_per_get_bits(&d, 5, &v), 0);  /* a failed get consumes nothing */
    assert_int_equal(v, 5);
    assert_int_equal(kz_per_get_bits(&d, 65, &v), KZ_EINVAL);
    assert_int_equal(d.err, KZ_ETRUNC);              /* first error kept */

    /* get_octets wants an aligned position and enough input. */
    const uint8_t *p;
    dec_start(&d, "0102");
    assert_int_equal(kz_per_get_bits(&d, 1, &v), 0);
    assert_int_equal(kz_per_get_octets(&d, 1, &p), KZ_EINVAL);
    kz_per_get_align(&d);
    assert_int_equal(kz_per_get_octets(&d, 2, &p), KZ_ETRUNC);
    assert_int_equal(kz_per_get_octets(&d, 1, &p), 0);
    assert_ptr_equal(p, g_in + 1);

    /* Empty input. */
    kz_per_dec_init(&d, NULL, 0);
    assert_int_equal(kz_per_get_bits(&d, 0, &v), 0);
    assert_int_equal(kz_per_get_bits(&d, 1, &v), KZ_ETRUNC);
}

/* ---- whole numbers and INTEGER -------------------------------------------------------------- */

struct cint_vec {
    int64_t lb, ub;
    int64_t v;
    const char *hex;   /* W<type> {"f":true,"v":v} */
};

static void test_int_constrained(void **state)
{
    (void)state;
    static const struct cint_vec vecs[] = {
        { 0, 254, 254, "ff00" },                  /* WInt255: 8-bit field, unaligned */
        { 0, 254, 0, "8000" },
        { 0, 255, 255, "80ff" },                  /* WInt256: one aligned octet */
        { 0, 256, 256, "800100" },                /* WInt257: two aligned octets */
        { 0, 65535, 65535, "80ffff" },            /* WInt64K */
        { 0, 65536, 65536, "c0010000" },          /* WInt64K1: length 1..3 (2 bits) + octets */
        { 0, 65536, 0, "8000" },
        { 0, 4294967296, 0, "8000" },             /* WInt2p32: length 1..5 (3 bits) */
        { 0, 4294967296, 4294967295, "b0ffffffff" },
        { 0, 4294967296, 4294967296, "c00100000000" },
        { INT64_MIN, INT64_MAX, 0, "f08000000000000000" },   /* WIntBig: range 2^64 */
        { INT64_MIN, INT64_MAX, INT64_MAX, "f0ffffffffffffffff" },
        { INT64_MIN, INT64_MAX, INT64_MIN, "8000" },
        { -1000, -900, -950, "b2" },              /* WIntNeg: 7 bits */
    };
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        kz_per_int_c c = { vecs[i].lb, vecs[i].ub, true, true, false };
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bool(&e, true);
        kz_per_put_int(&e, vecs[i].v, &c);
        enc_check(&e, vecs[i].hex);

        kz_per_dec d;
        bool f;
        int64_t v;
        dec_start(&d, vecs[i].hex);
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_true(f);
        assert_int_equal(kz_per_get_int(&d, &c, &v), 0);
        assert_true(v == vecs[i].v);
        dec_done(&d);
    }
    /* Out of a non-extensible constraint. */
    kz_per_int_c c = { 0, 255, true, true, false };
    kz_per_enc e;
    enc_start(&e);
    kz_per_put_int(&e, 256, &c);
    assert_int_equal(e.err, KZ_ERANGE);
    /* A decoded value above the range: INTEGER (0..4) in 3 bits holding 7. */
    kz_per_int_c c4 = { 0, 4, true, true, false };
    kz_per_dec d;
    int64_t v;
    dec_start(&d, "e0");
    assert_int_equal(kz_per_get_int(&d, &c4, &v), KZ_ERANGE);
    /* INTEGER (0..65536) with a length of 4 octets where 1..3 are allowed: 2-bit field 11. */
    kz_per_int_c c64 = { 0, 65536, true, true, false };
    dec_start(&d, "c000000000");
    assert_int_equal(kz_per_get_int(&d, &c64, &v), KZ_ERANGE);
}

static void test_int_real_types(void **state)
{
    (void)state;
    kz_per_enc e;
    kz_per_dec d;
    int64_t v;
    uint64_t u;

    /* asn1-oracle encode e2ap RICrequestID '{"ricRequestorID":1,"ricInstanceID":2}' -> 0000010002 */
    kz_per_int_c c16 = { 0, 65535, true, true, false };
    enc_start(&e);
    kz_per_put_bits(&e, 0, 1);                    /* SEQUENCE extension bit */
    kz_per_put_int(&e, 1, &c16);
    kz_per_put_int(&e, 2, &c16);
    enc_check(&e, "0000010002");
    dec_start(&d, "00ffff0000");                  /* ... {"ricRequestorID":65535,"ricInstanceID":0} */
    assert_int_equal(kz_per_get_bits(&d, 1, &u), 0);
    assert_int_equal(kz_per_get_int(&d, &c16, &v), 0);
    assert_int_equal(v, 65535);
    assert_int_equal(kz_per_get_int(&d, &c16, &v), 0);
    assert_int_equal(v, 0);
    dec_done(&d);

    /* asn1-oracle encode e2ap RANfunctionID 4095 -> 0fff; 300 -> 012c */
    kz_per_int_c c4k = { 0, 4095, true, true, false };
    enc_start(&e);
    kz_per_put_int(&e, 4095, &c4k);
    enc_check(&e, "0fff");
    enc_start(&e);
    kz_per_put_int(&e, 300, &c4k);
    enc_check(&e, "012c");

    /* asn1-oracle encode e2ap TransactionID 255 -> 00ff; 256 -> 80020100; -1 -> 8001ff */
    static const struct { int64_t v; const char *hex; } tid[] = {
        { 255, "00ff" }, { 0, "0000" }, { 256, "80020100" }, { -1, "8001ff" },
    };
    kz_per_int_c ctid = { 0, 255, true, true, true };
    for (size_t i = 0; i < 4; i++) {
        enc_start(&e);
        kz_per_put_int(&e, tid[i].v, &ctid);
        enc_check(&e, tid[i].hex);
        dec_start(&d, tid[i].hex);
        assert_int_equal(kz_per_get_int(&d, &ctid, &v), 0);
        assert_int_equal(v, tid[i].v);
        dec_done(&d);
    }

    /* asn1-oracle encode rc RANParameter-ID N  (INTEGER (1..4294967296, ...)) */
    static const struct { uint64_t v; const char *hex; } rp[] = {
        { 4294967296u, "60ffffffff" }, { 1, "0000" }, { 4294967297u, "80050100000001" },
        { 0, "800100" },
    };
    for (size_t i = 0; i < 4; i++) {
        enc_start(&e);
        kz_per_put_uint(&e, rp[i].v, 1, 4294967296u, true);
        enc_check(&e, rp[i].hex);
        dec_start(&d, rp[i].hex);
        assert_int_equal(kz_per_get_uint(&d, 1, 4294967296u, true, &u), 0);
        assert_true(u == rp[i].v);
        dec_done(&d);
    }

    /* asn1-oracle encode kpm MeasurementRecordItem '{"integer":N}': CHOICE ext bit, index of
     * 3 (2 bits), INTEGER (0..4294967295) */
    static const struct { uint64_t v; const char *hex; } mri[] = {
        { 0, "0000" }, { 4294967295u, "18ffffffff" }, { 256, "080100" },
    };
    for (size_t i = 0; i < 3; i++) {
        enc_start(&e);
        kz_per_put_bits(&e, 0, 1);
        kz_per_put_cwhole(&e, 0, 3);
        kz_per_put_uint(&e, mri[i].v, 0, 4294967295u, false);
        enc_check(&e, mri[i].hex);
        dec_start(&d, mri[i].hex);
        assert_int_equal(kz_per_get_bits(&d, 3, &u), 0);
        assert_int_equal(kz_per_get_uint(&d, 0, 4294967295u, false, &u), 0);
        assert_true(u == mri[i].v);
        dec_done(&d);
    }

    /* Extension values of a uint beyond INT64_MAX take 9 octets; negatives do not fit. */
    enc_start(&e);
    kz_per_put_uint(&e, UINT64_MAX, 0, 10, true);
    enc_check(&e, "8009" "00ffffffffffffffff");
    dec_start(&d, "800900ffffffffffffffff");
    assert_int_equal(kz_per_get_uint(&d, 0, 10, true, &u), 0);
    assert_true(u == UINT64_MAX);
    dec_start(&d, "8001ff");
    assert_int_equal(kz_per_get_uint(&d, 0, 10, true, &u), KZ_ERANGE);
    /* Full uint64 range (range "0" = 2^64). */
    enc_start(&e);
    kz_per_put_uint(&e, UINT64_MAX, 0, UINT64_MAX, false);
    enc_check(&e, "e0ffffffffffffffff");
    dec_start(&d, "e0ffffffffffffffff");
    assert_int_equal(kz_per_get_uint(&d, 0, UINT64_MAX, false, &u), 0);
    assert_true(u == UINT64_MAX);
}

static void test_int_semi_unconstrained(void **state)
{
    (void)state;
    static const struct {
        kz_per_int_c c;
        int64_t v;
        const char *hex;   /* W<type> {"f":true,"v":v} */
    } vecs[] = {
        { { -5, 0, true, false, false }, -5, "800100" },          /* WIntSemi */
        { { -5, 0, true, false, false }, 300, "80020131" },
        { { 0, 0, false, false, false }, -129, "8002ff7f" },       /* WIntUnc */
        { { 0, 0, false, false, false }, 127, "80017f" },
        { { 0, 0, false, false, false }, 128, "80020080" },
        { { 0, 7, true, true, true }, 7, "b8" },                   /* WIntExt */
        { { 0, 7, true, true, true }, 8, "c00108" },
        { { 0, 7, true, true, true }, -1, "c001ff" },
    };
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bool(&e, true);
        kz_per_put_int(&e, vecs[i].v, &vecs[i].c);
        enc_check(&e, vecs[i].hex);
        kz_per_dec d;
        bool f;
        int64_t v;
        dec_start(&d, vecs[i].hex);
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_int_equal(kz_per_get_int(&d, &vecs[i].c, &v), 0);
        assert_true(v == vecs[i].v);
        dec_done(&d);
    }
    /* Round trips at the int64 edges. */
    static const int64_t edges[] = { INT64_MIN, INT64_MIN + 1, -32769, -32768, -1, 0, 255, 32767,
                                     32768, INT64_MAX };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        kz_per_enc e;
        kz_per_dec d;
        int64_t v;
        uint64_t u;
        enc_start(&e);
        kz_per_put_uwhole(&e, edges[i]);
        kz_per_put_swhole(&e, (uint64_t)edges[i]);
        long n = kz_per_enc_finish(&e);
        assert_true(n > 0);
        kz_per_dec_init(&d, g_out, (size_t)n);
        assert_int_equal(kz_per_get_uwhole(&d, &v), 0);
        assert_true(v == edges[i]);
        assert_int_equal(kz_per_get_swhole(&d, &u), 0);
        assert_true(u == (uint64_t)edges[i]);
        dec_done(&d);
    }
    /* Semi-constrained overflow: lb 10 + 2^63-1 does not fit an int64. */
    kz_per_int_c c = { 10, 0, true, false, false };
    kz_per_dec d;
    int64_t v;
    dec_start(&d, "087fffffffffffffff");
    assert_int_equal(kz_per_get_int(&d, &c, &v), KZ_ERANGE);
    /* A 9-octet unconstrained number beyond int64, and a redundant sign octet (accepted). */
    dec_start(&d, "09010000000000000000");
    assert_int_equal(kz_per_get_uwhole(&d, &v), KZ_ERANGE);
    dec_start(&d, "03ffff80");
    assert_int_equal(kz_per_get_uwhole(&d, &v), 0);
    assert_int_equal(v, -128);
}

static void test_enum_nsnn_bool(void **state)
{
    (void)state;
    kz_per_enc e;
    kz_per_dec d;
    uint64_t v;

    /* asn1-oracle encode e2ap RICactionType '"policy"' -> 40 (report, insert, policy, ...) */
    enc_start(&e);
    kz_per_put_enum(&e, 2, 3, true);
    enc_check(&e, "40");
    /* asn1-oracle encode e2ap TimeToWait '"v60s"' -> 50; '"v1s"' -> 00 */
    enc_start(&e);
    kz_per_put_enum(&e, 5, 6, true);
    enc_check(&e, "50");
    dec_start(&d, "50");
    assert_int_equal(kz_per_get_enum(&d, 6, true, &v), 0);
    assert_int_equal(v, 5);
    /* WEnum3 "c" -> c0; WEnumExt "b" -> a0; WEnumExt "d" (2nd extension value) -> c080 */
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_enum(&e, 2, 3, false);
    enc_check(&e, "c0");
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_enum(&e, 1, 2, true);
    enc_check(&e, "a0");
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_enum(&e, 3, 2, true);
    enc_check(&e, "c080");
    dec_start(&d, "c080");
    bool f;
    assert_int_equal(kz_per_get_bool(&d, &f), 0);
    assert_int_equal(kz_per_get_enum(&d, 2, true, &v), 0);
    assert_int_equal(v, 3);
    /* An unknown extension value (index 100 -> 102) is returned, not rejected. */
    enc_start(&e);
    kz_per_put_enum(&e, 102, 2, true);
    long n = kz_per_enc_finish(&e);
    kz_per_dec_init(&d, g_out, (size_t)n);
    assert_int_equal(kz_per_get_enum(&d, 2, true, &v), 0);
    assert_int_equal(v, 102);
    /* Out of range without an extension marker. */
    enc_start(&e);
    kz_per_put_enum(&e, 3, 3, false);
    assert_int_equal(e.err, KZ_ERANGE);
    dec_start(&d, "c0");                          /* ENUMERATED {a,b,c}: 2 bits = 3 */
    assert_int_equal(kz_per_get_enum(&d, 3, false, &v), KZ_ERANGE);

    /* Normally small numbers: 63 -> 0 111111; 64 -> 1 + semi-constrained. */
    static const uint64_t ns[] = { 0, 1, 63, 64, 300, 1u << 20 };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        enc_start(&e);
        kz_per_put_nsnn(&e, ns[i]);
        n = kz_per_enc_finish(&e);
        kz_per_dec_init(&d, g_out, (size_t)n);
        assert_int_equal(kz_per_get_nsnn(&d, &v), 0);
        assert_true(v == ns[i]);
    }
    enc_start(&e);
    kz_per_put_nsnn(&e, 63);
    enc_check(&e, "7e");
    enc_start(&e);
    kz_per_put_nsnn(&e, 64);
    enc_check(&e, "800140");

    /* BOOLEAN: asn1-oracle encode kpm TBool true -> 80 */
    enc_start(&e);
    kz_per_put_bool(&e, true);
    enc_check(&e, "80");
}

/* ---- length determinants -------------------------------------------------------------------- */

static void test_lengths(void **state)
{
    (void)state;
    static const struct { size_t n; const char *hex; } unb[] = {
        { 0, "00" }, { 127, "7f" }, { 128, "8080" }, { 16383, "bfff" },
    };
    kz_per_enc e;
    kz_per_dec d;
    size_t n;
    bool more;
    for (size_t i = 0; i < 4; i++) {
        enc_start(&e);
        kz_per_put_bool(&e, true);
        kz_per_put_length(&e, unb[i].n, 0, KZ_PER_UNBOUNDED);
        char want[16];
        snprintf(want, sizeof want, "80%s", unb[i].hex);
        enc_check(&e, want);
        dec_start(&d, want);
        assert_int_equal(kz_per_get_bits(&d, 1, &(uint64_t){ 0 }), 0);
        assert_int_equal(kz_per_get_length(&d, 0, KZ_PER_UNBOUNDED, &n), 0);
        assert_int_equal(n, unb[i].n);
    }
    enc_start(&e);
    kz_per_put_length(&e, 16384, 0, KZ_PER_UNBOUNDED);    /* needs put_length_frag */
    assert_int_equal(e.err, KZ_ERANGE);
    enc_start(&e);
    kz_per_put_length(&e, 5, 6, 10);
    assert_int_equal(e.err, KZ_ERANGE);
    /* Constrained: SIZE(1..1000) -> two aligned octets; SIZE(0..10) -> 4 bits; fixed -> none. */
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_length(&e, 1, 1, 1000);
    enc_check(&e, "800000");
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_length(&e, 10, 0, 10);
    kz_per_put_length(&e, 3, 3, 3);
    enc_check(&e, "d0");
    /* Large ub (>= 64K) is encoded as unconstrained, the count itself (not n - lb). */
    enc_start(&e);
    kz_per_put_length(&e, 5, 2, 70000);
    enc_check(&e, "05");
    dec_start(&d, "01");
    assert_int_equal(kz_per_get_length(&d, 2, 70000, &n), KZ_ERANGE);

    /* get_length rejects fragments; get_length_frag reads them; m must be 1..4. */
    dec_start(&d, "c1");
    assert_int_equal(kz_per_get_length(&d, 0, KZ_PER_UNBOUNDED, &n), KZ_ERANGE);
    assert_int_equal(d.bit, 0);
    assert_int_equal(kz_per_get_length_frag(&d, &n, &more), 0);
    assert_int_equal(n, 16384);
    assert_true(more);
    dec_start(&d, "c4");
    assert_int_equal(kz_per_get_length_frag(&d, &n, &more), 0);
    assert_int_equal(n, 65536);
    dec_start(&d, "c5");
    assert_int_equal(kz_per_get_length_frag(&d, &n, &more), KZ_ERANGE);
    dec_start(&d, "c0");
    assert_int_equal(kz_per_get_length_frag(&d, &n, &more), KZ_ERANGE);
    dec_start(&d, "80");                          /* 2-octet form cut short */
    assert_int_equal(kz_per_get_length_frag(&d, &n, &more), KZ_ETRUNC);

    /* put_length_frag: 70000 = 64K + 4464 -> c4 ... 9170 ... */
    enc_start(&e);
    assert_int_equal(kz_per_put_length_frag(&e, 70000), 65536);
    assert_int_equal(kz_per_put_length_frag(&e, 4464), 4464);
    assert_int_equal(kz_per_put_length_frag(&e, 16384), 16384);
    assert_int_equal(kz_per_put_length_frag(&e, 0), 0);
    enc_check(&e, "c49170c100");
}

/* ---- OCTET STRING ----------------------------------------------------------------------------- */

struct str_vec {
    kz_per_size_c c;
    const char *val;   /* hex contents (octet / bit strings) or text */
    size_t nbits;      /* bit strings */
    const char *hex;   /* oracle encoding of W<type> {"f":true,"v":val} */
};

static void test_octet_string_small(void **state)
{
    (void)state;
    static const struct str_vec vecs[] = {
        { { 0, KZ_PER_UNBOUNDED, false }, "", 0, "8000" },            /* WOct */
        { { 0, KZ_PER_UNBOUNDED, false }, "abcd", 0, "8002abcd" },
        { { 0, 0, false }, "", 0, "80" },                              /* WOct0 */
        { { 1, 1, false }, "ab", 0, "d580" },                          /* WOct1: unaligned */
        { { 2, 2, false }, "abcd", 0, "d5e680" },                      /* WOct2: unaligned */
        { { 3, 3, false }, "abcdef", 0, "80abcdef" },                  /* WOct3: aligned */
        { { 0, 10, false }, "ab", 0, "88ab" },                         /* WOctV10 */
        { { 0, 2, false }, "ab", 0, "a0ab" },                          /* WOctV2: aligned */
        { { 0, 2, false }, "abcd", 0, "c0abcd" },
        { { 1, 4, true }, "ab", 0, "80ab" },                           /* WOctExt */
        { { 1, 4, true }, "0102030405", 0, "c0050102030405" },
    };
    uint8_t val[16];
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        size_t n = unhex(vecs[i].val, val);
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bool(&e, true);
        kz_per_put_octet_string(&e, val, n, &vecs[i].c);
        enc_check(&e, vecs[i].hex);

        kz_per_dec d;
        kz_arena a;
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        const uint8_t *p;
        size_t got;
        bool f;
        dec_start(&d, vecs[i].hex);
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_int_equal(kz_per_get_octet_string(&d, &vecs[i].c, &a, &p, &got), 0);
        assert_int_equal(got, n);
        assert_memory_equal(p, val, n);
        dec_done(&d);
    }
    /* Empty contents after a constrained length are still aligned (oracle):
     * XOctV10 {"f":true,"v":"","g":true} -> 8080; XOct (unbounded) -> 800080;
     * XOctExt {"f":true,"v":"","g":true} -> c00080 */
    kz_per_size_c v10 = { 0, 10, false }, ext = { 1, 4, true };
    kz_per_enc e;
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_octet_string(&e, NULL, 0, &v10);
    kz_per_put_bool(&e, true);
    enc_check(&e, "8080");
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_octet_string(&e, NULL, 0, NULL);
    kz_per_put_bool(&e, true);
    enc_check(&e, "800080");
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_octet_string(&e, NULL, 0, &ext);
    kz_per_put_bool(&e, true);
    enc_check(&e, "c00080");
    /* asn1-oracle encode e2ap RICcallProcessID '""' -> 00; '"0102"' -> 020102 */
    enc_start(&e);
    kz_per_put_octet_string(&e, (const uint8_t *)"\x01\x02", 2, NULL);
    enc_check(&e, "020102");
    /* Aligned contents point into the input. */
    kz_per_dec d;
    const uint8_t *p;
    size_t n;
    dec_start(&d, "020102");
    assert_int_equal(kz_per_get_octet_string(&d, NULL, NULL, &p, &n), 0);
    assert_ptr_equal(p, g_in + 1);
    /* Size violations. */
    enc_start(&e);
    kz_per_put_octet_string(&e, val, 3, &(kz_per_size_c){ 0, 2, false });
    assert_int_equal(e.err, KZ_ERANGE);
    dec_start(&d, "e0");                          /* SIZE(0..2): 2-bit length 3 */
    assert_int_equal(kz_per_get_octet_string(&d, &(kz_per_size_c){ 0, 2, false }, NULL, &p, &n),
                     KZ_ERANGE);
    /* Unaligned fixed contents need an arena: none -> KZ_ENOMEM. */
    dec_start(&d, "d5e680");
    assert_int_equal(kz_per_get_bits(&d, 1, &(uint64_t){ 0 }), 0);
    assert_int_equal(kz_per_get_octet_string(&d, &(kz_per_size_c){ 2, 2, false }, NULL, &p, &n),
                     KZ_ENOMEM);
    /* Fixed size of 65535 octets: aligned, no length. */
    make_pattern(65535);
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_octet_string(&e, g_pat, 65535, &(kz_per_size_c){ 65535, 65535, false });
    assert_int_equal(kz_per_enc_finish(&e), 65536);
    assert_int_equal(g_out[0], 0x80);
    assert_memory_equal(g_out + 1, g_pat, 65535);
}

struct big_vec {
    size_t n;
    size_t len;
    uint32_t fnv;
};

static void test_octet_string_fragmented(void **state)
{
    (void)state;
    /* asn1-oracle --batch encode e2ap - with 'RICcallProcessID "<hex of i*7%251 for i < n>"' */
    static const struct big_vec vecs[] = {
        { 127, 128, 0xb943428a },  { 128, 130, 0x3c43c4f5 },    { 16383, 16385, 0xd6eb5d02 },
        { 16384, 16386, 0xfa52efde }, { 65536, 65538, 0xa8189f72 }, { 70000, 70003, 0x22bf52bd },
    };
    make_pattern(200000);
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_octet_string(&e, g_pat, vecs[i].n, NULL);
        long len = kz_per_enc_finish(&e);
        assert_int_equal(len, vecs[i].len);
        assert_int_equal(fnv1a(g_out, (size_t)len), vecs[i].fnv);

        /* Decode from an exactly sized heap copy so ASan sees any over-read. */
        uint8_t *in = malloc((size_t)len);
        assert_non_null(in);
        memcpy(in, g_out, (size_t)len);
        kz_per_dec d;
        kz_arena a;
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        const uint8_t *p;
        size_t n;
        kz_per_dec_init(&d, in, (size_t)len);
        assert_int_equal(kz_per_get_octet_string(&d, NULL, &a, &p, &n), 0);
        assert_int_equal(n, vecs[i].n);
        assert_memory_equal(p, g_pat, n);
        dec_done(&d);
        if (vecs[i].n < 16384)
            assert_ptr_equal(p, in + len - (long)n);   /* contiguous: no copy */
        else
            assert_int_equal(a.used >= n, 1);          /* reassembled in the arena */

        /* Too small an arena. */
        if (vecs[i].n >= 16384) {
            kz_arena_init(&a, g_arena_mem, n - 1);
            kz_per_dec_init(&d, in, (size_t)len);
            assert_int_equal(kz_per_get_octet_string(&d, NULL, &a, &p, &n), KZ_ENOMEM);
            /* A bound below the total is a range error found before copying. */
            kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
            kz_per_dec_init(&d, in, (size_t)len);
            assert_int_equal(kz_per_get_octet_string(&d, &(kz_per_size_c){ 0, 65546, false },
                                                     &a, &p, &n),
                             vecs[i].n > 65546 ? KZ_ERANGE : 0);
        }
        free(in);
    }
    /* Exact multiples get an empty final fragment: 131072 -> c4 <64K> c4 <64K> 00. */
    kz_per_enc e;
    enc_start(&e);
    kz_per_put_octet_string(&e, g_pat, 131072, NULL);
    assert_int_equal(kz_per_enc_finish(&e), 131072 + 3);
    assert_int_equal(g_out[0], 0xc4);
    assert_int_equal(g_out[65537], 0xc4);
    assert_int_equal(g_out[131074], 0x00);
    /* 49152 = 3 * 16K -> c3 <48K> 00 */
    enc_start(&e);
    kz_per_put_octet_string(&e, g_pat, 49152, NULL);
    assert_int_equal(kz_per_enc_finish(&e), 49152 + 2);
    assert_int_equal(g_out[0], 0xc3);
    assert_int_equal(g_out[49153], 0x00);
}

/* ---- BIT STRING ------------------------------------------------------------------------------- */

static void test_bit_string(void **state)
{
    (void)state;
    static const struct str_vec vecs[] = {
        { { 0, KZ_PER_UNBOUNDED, false }, "", 0, "8000" },            /* WBit */
        { { 0, KZ_PER_UNBOUNDED, false }, "a0", 3, "8003a0" },
        { { 5, 5, false }, "a8", 5, "d4" },                            /* WBit5 */
        { { 16, 16, false }, "abcd", 16, "d5e680" },                   /* WBit16: unaligned */
        { { 17, 17, false }, "abcd80", 17, "80abcd80" },               /* WBit17: aligned */
        { { 0, 20, false }, "", 0, "80" },                             /* WBitV */
        { { 0, 20, false }, "a0", 3, "8ca0" },
        { { 1, 160, true }, "a0", 3, "8080a0" },                       /* WBitExt */
        { { 22, 32, false }, "000004", 22, NULL },                     /* see GlobalE2node-ID */
    };
    uint8_t val[16];
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        if (!vecs[i].hex)
            continue;
        unhex(vecs[i].val, val);
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bool(&e, true);
        kz_per_put_bit_string(&e, val, vecs[i].nbits, &vecs[i].c);
        enc_check(&e, vecs[i].hex);

        kz_per_dec d;
        kz_arena a;
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        const uint8_t *p;
        size_t got;
        bool f;
        dec_start(&d, vecs[i].hex);
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_int_equal(kz_per_get_bit_string(&d, &vecs[i].c, &a, &p, &got), 0);
        assert_int_equal(got, vecs[i].nbits);
        assert_memory_equal(p, val, (got + 7) / 8);
        dec_done(&d);
    }
    /* XBitV {"f":true,"v":{"bits":3,"hex":"a0"},"g":true} -> 8cb0: the decoded copy has its
     * unused bits zero although the input octet holds g. */
    kz_per_dec d;
    kz_arena a;
    kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
    const uint8_t *p;
    size_t n;
    bool g;
    dec_start(&d, "8cb0");
    assert_int_equal(kz_per_get_bits(&d, 1, &(uint64_t){ 0 }), 0);
    assert_int_equal(kz_per_get_bit_string(&d, &(kz_per_size_c){ 0, 20, false }, &a, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(p[0], 0xa0);
    assert_int_equal(kz_per_get_bool(&d, &g), 0);
    assert_true(g);
    /* Extended size outside the root: 200 bits of TBitExt -> c080c8 + 25 octets (oracle). */
    uint8_t bits200[25];
    memset(bits200, 0xab, sizeof bits200);
    kz_per_enc e;
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_bit_string(&e, bits200, 200, &(kz_per_size_c){ 1, 160, true });
    enc_check(&e, "c080c8ababababababababababababababababababababababababab");

    /* asn1-oracle encode e2ap GlobalE2node-ID
     *   '{"gNB":{"global-gNB-ID":{"plmn-id":"00f110","gnb-id":{"gnb-ID":{"bits":22,"hex":"000004"}}}}}'
     *   -> 0000f11000000004 */
    enc_start(&e);
    kz_per_put_bits(&e, 0, 1);                    /* CHOICE ext */
    kz_per_put_cwhole(&e, 0, 4);                  /* gNB */
    kz_per_put_bits(&e, 0, 1 + 3);                /* GlobalE2node-gNB-ID: ext + 3 optionals */
    kz_per_put_bits(&e, 0, 1);                    /* GlobalgNB-ID ext */
    kz_per_put_octet_string(&e, (const uint8_t *)"\x00\xf1\x10", 3, &(kz_per_size_c){ 3, 3, false });
    kz_per_put_bits(&e, 0, 1);                    /* GNB-ID-Choice ext (one alternative) */
    kz_per_put_bit_string(&e, (const uint8_t *)"\x00\x00\x04", 22, &(kz_per_size_c){ 22, 32, false });
    enc_check(&e, "0000f11000000004");

    /* Fragmented: asn1-oracle encode kpm TBit {"bits":N,"hex":<i*7%251, zero padded>} */
    static const struct big_vec big[] = { { 16384, 2050, 0x41313f84 }, { 70001, 8754, 0xc2fb5a81 } };
    make_pattern(200000);
    for (size_t i = 0; i < 2; i++) {
        enc_start(&e);
        kz_per_put_bit_string(&e, g_pat, big[i].n, NULL);
        long len = kz_per_enc_finish(&e);
        assert_int_equal(len, big[i].len);
        assert_int_equal(fnv1a(g_out, (size_t)len), big[i].fnv);
        uint8_t *in = malloc((size_t)len);
        memcpy(in, g_out, (size_t)len);
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        kz_per_dec_init(&d, in, (size_t)len);
        assert_int_equal(kz_per_get_bit_string(&d, NULL, &a, &p, &n), 0);
        assert_int_equal(n, big[i].n);
        assert_memory_equal(p, g_pat, n / 8);
        if (n % 8)
            assert_int_equal(p[n / 8], g_pat[n / 8] & (0xff << (8 - n % 8)) & 0xff);
        dec_done(&d);
        free(in);
    }
}

/* ---- character strings ---------------------------------------------------------------------- */

static void test_char_strings(void **state)
{
    (void)state;
    static const struct {
        kz_per_size_c c;
        enum kz_per_str_kind kind;
        const char *s;
        const char *hex;   /* W<type> {"f":true,"v":s} */
    } vecs[] = {
        { { 1, 1, false }, KZ_STR_PRINTABLE, "A", "a080" },           /* WPS1: unaligned */
        { { 2, 2, false }, KZ_STR_PRINTABLE, "AB", "804142" },        /* WPS2: aligned (oracle) */
        { { 3, 3, false }, KZ_STR_PRINTABLE, "ABC", "80414243" },     /* WPS3 */
        { { 0, 2, false }, KZ_STR_PRINTABLE, "", "80" },              /* WPSV2 */
        { { 0, 2, false }, KZ_STR_PRINTABLE, "A", "a041" },           /* aligned although ub*8 = 16 */
        { { 0, 2, false }, KZ_STR_PRINTABLE, "AB", "c04142" },
        { { 0, 3, false }, KZ_STR_PRINTABLE, "A", "a041" },           /* WPSV3 */
        { { 1, 1000, true }, KZ_STR_PRINTABLE, "A", "80000041" },     /* WPSV1k */
        { { 0, KZ_PER_UNBOUNDED, false }, KZ_STR_PRINTABLE, "AB", "80024142" },   /* WPS */
        { { 1, 4, false }, KZ_STR_VISIBLE, "A~", "a0417e" },          /* WVS */
        { { 0, KZ_PER_UNBOUNDED, false }, KZ_STR_IA5, "A", "800141" },            /* WIA5 */
        { { 1, 2, false }, KZ_STR_IA5, "AB", "c04142" },              /* WIA5V2 */
        { { 0, KZ_PER_UNBOUNDED, false }, KZ_STR_UTF8, "A", "800141" },           /* WUTF8 */
        { { 1, 4, false }, KZ_STR_UTF8, "AB", "80024142" },           /* WUTF8S: not PER-visible */
    };
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        size_t len = strlen(vecs[i].s);
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bool(&e, true);
        kz_per_put_char_string(&e, vecs[i].s, len, &vecs[i].c, vecs[i].kind);
        enc_check(&e, vecs[i].hex);

        kz_per_dec d;
        kz_arena a;
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        const char *s;
        size_t n;
        bool f;
        dec_start(&d, vecs[i].hex);
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_int_equal(kz_per_get_char_string(&d, &vecs[i].c, vecs[i].kind, &a, &s, &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(s, vecs[i].s, len);
        dec_done(&d);
    }
    /* XPSV2 {"f":true,"v":"","g":true} -> 8080 (aligned after an empty string) */
    kz_per_enc e;
    enc_start(&e);
    kz_per_put_bool(&e, true);
    kz_per_put_char_string(&e, "", 0, &(kz_per_size_c){ 0, 2, false }, KZ_STR_PRINTABLE);
    kz_per_put_bool(&e, true);
    enc_check(&e, "8080");

    /* asn1-oracle encode e2ap RANfunctionOID '"1.3.6.1.4.1.53148.1.1.2.2"' */
    const char *oid = "1.3.6.1.4.1.53148.1.1.2.2";
    kz_per_size_c coid = { 1, 1000, true };
    enc_start(&e);
    kz_per_put_char_string(&e, oid, strlen(oid), &coid, KZ_STR_PRINTABLE);
    enc_check(&e, "000018312e332e362e312e342e312e35333134382e312e312e322e32");
    enc_start(&e);
    kz_per_put_char_string(&e, "A", 1, &coid, KZ_STR_PRINTABLE);   /* -> 00000041 */
    enc_check(&e, "00000041");

    /* Characters outside the type are refused both ways. */
    enc_start(&e);
    kz_per_put_char_string(&e, "a_b", 3, NULL, KZ_STR_PRINTABLE);
    assert_int_equal(e.err, KZ_ERANGE);
    enc_start(&e);
    kz_per_put_char_string(&e, "\x7f", 1, NULL, KZ_STR_VISIBLE);
    assert_int_equal(e.err, KZ_ERANGE);
    enc_start(&e);
    kz_per_put_char_string(&e, "\x80", 1, NULL, KZ_STR_IA5);
    assert_int_equal(e.err, KZ_ERANGE);
    enc_start(&e);
    kz_per_put_char_string(&e, "\xc0\xaf", 2, NULL, KZ_STR_UTF8);    /* overlong '/' */
    assert_int_equal(e.err, KZ_ERANGE);
    enc_start(&e);
    kz_per_put_char_string(&e, "\xe6\x97\xa5", 3, NULL, KZ_STR_UTF8);
    enc_check(&e, "03e697a5");
    enc_start(&e);
    kz_per_put_char_string(&e, "ABCDE", 5, &(kz_per_size_c){ 1, 4, false }, KZ_STR_VISIBLE);
    assert_int_equal(e.err, KZ_ERANGE);

    kz_per_dec d;
    const char *s;
    size_t n;
    dec_start(&d, "0000005f");                    /* RANfunctionOID "_": not printable */
    assert_int_equal(kz_per_get_char_string(&d, &coid, KZ_STR_PRINTABLE, NULL, &s, &n), KZ_ERANGE);
    assert_int_equal(d.err, KZ_ERANGE);
    dec_start(&d, "02c328");                      /* bad UTF-8 continuation */
    assert_int_equal(kz_per_get_char_string(&d, NULL, KZ_STR_UTF8, NULL, &s, &n), KZ_ERANGE);
}

/* ---- REAL ------------------------------------------------------------------------------------- */

static void test_real_oracle(void **state)
{
    (void)state;
    /* asn1-oracle encode kpm MeasurementRecordItem '{"real":X}': 20 = CHOICE ext 0 + index 1
     * of 3, then the length and the X.690 contents. */
    static const struct { double v; const char *hex; } vecs[] = {
        { 1.5, "200380ff03" },                    /* {"mantissa":3,"base":2,"exponent":-1} */
        { 1.0, "2003800001" },
        { -1.5, "2003c0ff03" },
        { 1e300, "200a8103b205f90f22001d67" },
        { 1e-300, "200a81fbe7156e1fc2f8f359" },
        { 0x1p-1074, "200481fbce01" },            /* smallest denormal */
        { 0x0.fffffffffffffp-1022, "200a81fbce0fffffffffffff" },   /* largest denormal */
        { DBL_MAX, "200a8103cb1fffffffffffff" },
        { 0.1, "200980c90ccccccccccccd" },
    };
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bits(&e, 0, 1);
        kz_per_put_cwhole(&e, 1, 3);
        kz_per_put_real(&e, vecs[i].v);
        enc_check(&e, vecs[i].hex);
        kz_per_dec d;
        uint64_t alt;
        double v;
        dec_start(&d, vecs[i].hex);
        assert_int_equal(kz_per_get_bits(&d, 3, &alt), 0);
        assert_int_equal(alt, 1);
        assert_int_equal(kz_per_get_real(&d, &v), 0);
        assert_true(v == vecs[i].v);
        dec_done(&d);
    }
    /* kz_real_split gives the oracle's JSON form. */
    int64_t m;
    int ex;
    assert_true(kz_real_split(1.5, &m, &ex));
    assert_true(m == 3 && ex == -1);
    assert_true(kz_real_split(-1.5, &m, &ex));
    assert_true(m == -3 && ex == -1);
    assert_true(kz_real_split(256.0, &m, &ex));
    assert_true(m == 1 && ex == 8);
    assert_true(kz_real_split(0x1p-1074, &m, &ex));
    assert_true(m == 1 && ex == -1074);
    assert_true(kz_real_split(DBL_MAX, &m, &ex));
    assert_true(m == INT64_C(9007199254740991) && ex == 971);
    assert_true(kz_real_split(0.0, &m, &ex));
    assert_true(m == 0 && ex == 0);
    assert_false(kz_real_split(INFINITY, &m, &ex));
    assert_false(kz_real_split(NAN, &m, &ex));
}

static void test_real_special_roundtrip(void **state)
{
    (void)state;
    /* X.690 8.5: +0 empty, -0 43, +inf 40, -inf 41, NaN 42 (the oracle cannot encode these). */
    static const struct { double v; const char *hex; } sp[] = {
        { 0.0, "00" }, { -0.0, "0143" }, { INFINITY, "0140" }, { -INFINITY, "0141" },
        { NAN, "0142" },
    };
    for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++) {
        kz_per_enc e;
        kz_per_dec d;
        double v;
        enc_start(&e);
        kz_per_put_real(&e, sp[i].v);
        enc_check(&e, sp[i].hex);
        dec_start(&d, sp[i].hex);
        assert_int_equal(kz_per_get_real(&d, &v), 0);
        if (isnan(sp[i].v)) {
            assert_true(isnan(v));
        } else {
            assert_true(v == sp[i].v);
            assert_int_equal(!!signbit(v), !!signbit(sp[i].v));
        }
    }
    static const double vals[] = { 1, -1, 1.5, -1.5, 3.141592653589793, 1e300, -1e300, 1e-300,
                                   DBL_MIN, DBL_MAX, -DBL_MAX, 0x1p-1074, 0x1.8p-1070,
                                   0x0.fffffffffffffp-1022, 123456789.0, 2.5e-10, 65536.0 };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        kz_per_enc e;
        kz_per_dec d;
        double v;
        enc_start(&e);
        kz_per_put_bool(&e, true);
        kz_per_put_real(&e, vals[i]);
        long n = kz_per_enc_finish(&e);
        assert_true(n > 0);
        kz_per_dec_init(&d, g_out, (size_t)n);
        bool f;
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_int_equal(kz_per_get_real(&d, &v), 0);
        assert_true(v == vals[i]);
        /* canonical: base 2, F = 0, odd mantissa */
        const uint8_t *c = g_out + 2;
        assert_int_equal(c[0] & 0xbc, 0x80);
        assert_int_equal(g_out[n - 1] & 1, 1);
    }
}

static void test_real_noncanonical(void **state)
{
    (void)state;
    static const struct { const char *hex; double v; } forms[] = {
        { "03900103", 24.0 },                     /* base 8: 3 * 8^1 */
        { "03a0ff01", 0.0625 },                   /* base 16: 1 * 16^-1 */
        { "03840003", 6.0 },                      /* F = 1: 3 * 2^1 * 2^0 */
        { "038cff03", 12.0 },                     /* F = 3: 3 * 2^3 * 2^-1 */
        { "0480ff0003", 1.5 },                    /* asn1c's redundant leading zero octet */
        { "0580ff000003", 1.5 },
        { "0380000c", 12.0 },                     /* even mantissa */
        { "0483010003", 3.0 },                    /* exponent length in its own octet */
        { "048101ff03", 3 * 0x1p511 },            /* 2-octet exponent, 0x01ff */
        { "0bc000000000000000000003", -3.0 },     /* 8 redundant zero octets */
        { "0c80f801000000000000000001", 0x1p64 },   /* (2^72 + 1) * 2^-8: > 64 bits, rounded */
        { "060331352e4532", 1500.0 },             /* NR3 "15.E2": oracle's encoding of 1.5E3 */
        { "0603302e452b30", 0.0 },                /* oracle's {"decimal":"0"}: NR3 "0.E+0" */
        { "0401202d34", -4.0 },                   /* NR1 " -4" */
        { "0502332c3235", 3.25 },                 /* NR2 "3,25" (comma) */
        { "0502312e3565", NAN },                  /* NR2 "1.5e": no exponent digits -> error */
        { "0703312e35452d32", 0.015 },            /* NR3 "1.5E-2" */
        { "0a80800000000000000001", 0x1p-128 },   /* exponent -128, mantissa 1 in 8 octets */
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        kz_per_dec d;
        double v;
        dec_start(&d, forms[i].hex);
        int rc = kz_per_get_real(&d, &v);
        if (isnan(forms[i].v)) {
            assert_int_equal(rc, KZ_ERANGE);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_true(v == forms[i].v);
        dec_done(&d);
    }
    /* Malformed or reserved forms. */
    static const char *bad[] = {
        "024300",          /* -0 with a trailing octet */
        "0144",            /* reserved special value */
        "03b00001",        /* base "11" is reserved */
        "028300",          /* exponent length 0 */
        "0183",            /* exponent length octet missing */
        "028101",          /* 2-octet exponent cut short */
        "0304312e",        /* decimal form 4 does not exist */
        "03012b2d",        /* "+-": no digits */
        "0401312e78",      /* "1.x" */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kz_per_dec d;
        double v;
        dec_start(&d, bad[i]);
        assert_int_equal(kz_per_get_real(&d, &v), KZ_ERANGE);
        assert_int_equal(d.err, KZ_ERANGE);
        assert_int_equal(d.err_bit, 0);
    }
    /* Huge exponents saturate to inf / 0 instead of overflowing. */
    kz_per_dec d;
    double v;
    dec_start(&d, "0d830a7fffffffffffffffffff01");
    assert_int_equal(kz_per_get_real(&d, &v), 0);
    assert_true(isinf(v) && v > 0);
    dec_start(&d, "0dc30a80000000000000000000ff");
    assert_int_equal(kz_per_get_real(&d, &v), 0);
    assert_true(v == 0 && signbit(v));
}

/* ---- open types -------------------------------------------------------------------------------- */

static void test_open_type(void **state)
{
    (void)state;
    static const size_t sizes[] = { 0, 1, 5, 126, 127, 128, 16382, 16383, 16384, 16385, 49152,
                                    65535, 65536, 70000, 131072, 150000 };
    make_pattern(200000);
    static uint8_t ref[300000];
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        /* Reference: a bit, then the inner encoding as an unbounded OCTET STRING (an empty
         * inner encoding is one zero octet). */
        kz_per_enc r;
        kz_per_enc_init(&r, ref, sizeof ref);
        kz_per_put_bool(&r, true);
        if (n == 0)
            kz_per_put_octet_string(&r, (const uint8_t *)"", 1, NULL);
        else
            kz_per_put_octet_string(&r, g_pat, n, NULL);
        kz_per_put_bool(&r, true);
        long rlen = kz_per_enc_finish(&r);
        assert_true(rlen > 0);

        kz_per_enc e;
        enc_start(&e);
        kz_per_put_bool(&e, true);
        size_t mark = kz_per_open_begin(&e);
        kz_per_put_octets(&e, g_pat, n);
        kz_per_open_end(&e, mark);
        kz_per_put_bool(&e, true);
        long len = kz_per_enc_finish(&e);
        assert_int_equal(len, rlen);
        assert_memory_equal(g_out, ref, (size_t)len);

        uint8_t *in = malloc((size_t)len);
        memcpy(in, g_out, (size_t)len);
        kz_per_dec d, inner;
        kz_arena a;
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        bool f;
        kz_per_dec_init(&d, in, (size_t)len);
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_int_equal(kz_per_get_open(&d, &a, &inner), 0);
        assert_int_equal(inner.len_bits, (n ? n : 1) * 8);
        if (n)
            assert_memory_equal(inner.buf, g_pat, n);
        assert_int_equal(kz_per_get_bool(&d, &f), 0);
        assert_true(f);
        dec_done(&d);
        free(in);
    }
    /* An inner value of a few bits is padded: open(INTEGER (0..7) = 5) -> 01 a0 */
    kz_per_enc e;
    enc_start(&e);
    size_t mark = kz_per_open_begin(&e);
    kz_per_put_cwhole(&e, 5, 8);
    kz_per_open_end(&e, mark);
    enc_check(&e, "01a0");
    /* The inner decoder is bounded by the open type; the outer one has moved past it. */
    kz_per_dec d, inner;
    dec_start(&d, "01a0ff");
    assert_int_equal(kz_per_get_open(&d, NULL, &inner), 0);
    uint64_t v;
    assert_int_equal(kz_per_get_cwhole(&inner, 8, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(kz_per_get_bits(&inner, 8, &v), KZ_ETRUNC);
    assert_int_equal(d.bit, 8 * 2);
    /* 64K + 128 octets need 3 header octets (c4, then 80 80), one more than reserved: with
     * exactly the contents' room the end fails with KZ_ENOSPC; one octet more is enough. */
    enum { BIGN = 65536 + 128 };
    static uint8_t room[BIGN + 3];
    kz_per_enc_init(&e, room, BIGN + 2);
    mark = kz_per_open_begin(&e);
    kz_per_put_octets(&e, g_pat, BIGN);
    assert_int_equal(e.err, 0);
    kz_per_open_end(&e, mark);
    assert_int_equal(e.err, KZ_ENOSPC);
    kz_per_enc_init(&e, room, BIGN + 3);
    mark = kz_per_open_begin(&e);
    kz_per_put_octets(&e, g_pat, BIGN);
    kz_per_open_end(&e, mark);
    assert_int_equal(kz_per_enc_finish(&e), BIGN + 3);
    assert_int_equal(room[0], 0xc4);
    assert_memory_equal(room + 1, g_pat, 65536);
    assert_int_equal(room[65537], 0x80);
    assert_int_equal(room[65538], 0x80);
    assert_memory_equal(room + 65539, g_pat + 65536, 128);
}

/* ---- hostile input ------------------------------------------------------------------------------ */

/* Decodes a value with one of the decoders below. */
typedef int (*dec_fn)(kz_per_dec *d, kz_arena *a);

static int dec_mri_real(kz_per_dec *d, kz_arena *a)
{
    (void)a;
    uint64_t alt;
    double v;
    int rc = kz_per_get_bits(d, 3, &alt);
    return rc ? rc : kz_per_get_real(d, &v);
}

static int dec_oid(kz_per_dec *d, kz_arena *a)
{
    const char *s;
    size_t n;
    return kz_per_get_char_string(d, &(kz_per_size_c){ 1, 1000, true }, KZ_STR_PRINTABLE, a, &s, &n);
}

static int dec_reqid(kz_per_dec *d, kz_arena *a)
{
    (void)a;
    kz_per_int_c c = { 0, 65535, true, true, false };
    int64_t v;
    uint64_t x;
    int rc = kz_per_get_bits(d, 1, &x);
    if (!rc)
        rc = kz_per_get_int(d, &c, &v);
    if (!rc)
        rc = kz_per_get_int(d, &c, &v);
    return rc;
}

static int dec_bigint(kz_per_dec *d, kz_arena *a)
{
    (void)a;
    kz_per_int_c c = { INT64_MIN, INT64_MAX, true, true, false };
    int64_t v;
    bool f;
    int rc = kz_per_get_bool(d, &f);
    return rc ? rc : kz_per_get_int(d, &c, &v);
}

static int dec_octets(kz_per_dec *d, kz_arena *a)
{
    const uint8_t *p;
    size_t n;
    return kz_per_get_octet_string(d, NULL, a, &p, &n);
}

static int dec_bits(kz_per_dec *d, kz_arena *a)
{
    const uint8_t *p;
    size_t n;
    return kz_per_get_bit_string(d, NULL, a, &p, &n);
}

static int dec_open(kz_per_dec *d, kz_arena *a)
{
    kz_per_dec inner;
    return kz_per_get_open(d, a, &inner);
}

static int dec_gnb(kz_per_dec *d, kz_arena *a)
{
    const uint8_t *p;
    size_t n;
    uint64_t x;
    int rc = kz_per_get_bits(d, 8, &x);
    if (!rc)
        rc = kz_per_get_octet_string(d, &(kz_per_size_c){ 3, 3, false }, a, &p, &n);
    if (!rc)
        rc = kz_per_get_bits(d, 1, &x);
    if (!rc)
        rc = kz_per_get_bit_string(d, &(kz_per_size_c){ 22, 32, false }, a, &p, &n);
    return rc;
}

/* Every strict prefix of a valid encoding fails with KZ_ETRUNC, reading only the prefix (the
 * input is an exactly sized heap block, so ASan reports any over-read). */
static void check_truncations(const uint8_t *enc, size_t len, dec_fn fn)
{
    kz_arena a;
    for (size_t cut = 0; cut <= len; cut++) {
        uint8_t *in = malloc(cut ? cut : 1);
        assert_non_null(in);
        memcpy(in, enc, cut);
        kz_per_dec d;
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        kz_per_dec_init(&d, in, cut);
        int rc = fn(&d, &a);
        if (cut == len) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, KZ_ETRUNC);
            assert_int_equal(d.err, KZ_ETRUNC);
            assert_true(d.err_bit <= cut * 8);
        }
        free(in);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    static const struct { const char *hex; dec_fn fn; } vecs[] = {
        { "200a8103b205f90f22001d67", dec_mri_real },
        { "000018312e332e362e312e342e312e35333134382e312e312e322e32", dec_oid },
        { "0000010002", dec_reqid },
        { "f0ffffffffffffffff", dec_bigint },
        { "0000f11000000004", dec_gnb },
        { "8003a0", dec_bits },
    };
    uint8_t buf[128];
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        size_t n = unhex(vecs[i].hex, buf);
        check_truncations(buf, n, vecs[i].fn);
    }
    /* Fragmented octet string / bit string / open type: cut at every fragment boundary and
     * around it, and at a stride through the contents. */
    make_pattern(200000);
    static const size_t big[] = { 200, 16385, 70000 };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        for (int kind = 0; kind < 3; kind++) {
            kz_per_enc e;
            enc_start(&e);
            if (kind == 0)
                kz_per_put_octet_string(&e, g_pat, big[i], NULL);
            else if (kind == 1)
                kz_per_put_bit_string(&e, g_pat, big[i] * 3, NULL);
            else {
                size_t mark = kz_per_open_begin(&e);
                kz_per_put_octets(&e, g_pat, big[i]);
                kz_per_open_end(&e, mark);
            }
            long len = kz_per_enc_finish(&e);
            assert_true(len > 0);
            dec_fn fn = kind == 0 ? dec_octets : kind == 1 ? dec_bits : dec_open;
            kz_arena a;
            for (size_t cut = 0; cut < (size_t)len; cut += (cut < 8 || (size_t)len - cut < 8) ? 1 : 997) {
                uint8_t *in = malloc(cut ? cut : 1);
                memcpy(in, g_out, cut);
                kz_per_dec d;
                kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
                kz_per_dec_init(&d, in, cut);
                assert_int_equal(fn(&d, &a), KZ_ETRUNC);
                assert_int_equal(a.used, 0);          /* nothing copied before it all fits */
                free(in);
            }
        }
    }
}

static void test_lying_lengths(void **state)
{
    (void)state;
    static const struct { const char *hex; dec_fn fn; } vecs[] = {
        { "7f0102", dec_octets },                 /* 127 octets claimed, 2 present */
        { "bfff00", dec_octets },                 /* 16383 claimed */
        { "c4000000", dec_octets },               /* a 64K fragment, 3 octets present */
        { "c1", dec_octets },                     /* fragment header only */
        { "bf", dec_bits },                       /* 2-octet length cut */
        { "8fff01", dec_bits },                   /* 4095 bits claimed */
        { "7f", dec_open },
        { "c30000", dec_open },
        { "2064", dec_mri_real },                 /* REAL of 100 octets */
        { "2008800001", dec_mri_real },
        { "f0ff", dec_bigint },                   /* 8-octet integer, 1 present */
        { "000100", dec_oid },                    /* RANfunctionOID of 257 chars, 0 present */
    };
    uint8_t buf[16];
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        size_t n = unhex(vecs[i].hex, buf);
        uint8_t *in = malloc(n);
        memcpy(in, buf, n);
        kz_per_dec d;
        kz_arena a;
        kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
        kz_per_dec_init(&d, in, n);
        assert_int_equal(vecs[i].fn(&d, &a), KZ_ETRUNC);
        assert_int_equal(d.err, KZ_ETRUNC);
        free(in);
    }
    /* A fragment sequence whose total is huge but whose input is short fails in pass one. */
    static uint8_t frag[2 + 65536];
    frag[0] = 0xc4;
    frag[65537] = 0xc4;                           /* second 64K fragment: absent */
    kz_per_dec d;
    kz_arena a;
    kz_arena_init(&a, g_arena_mem, sizeof g_arena_mem);
    kz_per_dec_init(&d, frag, sizeof frag);
    assert_int_equal(dec_octets(&d, &a), KZ_ETRUNC);
    assert_int_equal(a.used, 0);
    /* Semi-constrained numbers wider than 64 bits. */
    uint64_t v;
    dec_start(&d, "09010000000000000000");
    assert_int_equal(kz_per_get_swhole(&d, &v), KZ_ERANGE);
    dec_start(&d, "09000102030405060708");      /* a leading zero octet is fine */
    assert_int_equal(kz_per_get_swhole(&d, &v), 0);
    assert_true(v == UINT64_C(0x0102030405060708));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits_roundtrip),
        cmocka_unit_test(test_encoder_errors),
        cmocka_unit_test(test_decoder_bounds),
        cmocka_unit_test(test_int_constrained),
        cmocka_unit_test(test_int_real_types),
        cmocka_unit_test(test_int_semi_unconstrained),
        cmocka_unit_test(test_enum_nsnn_bool),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_octet_string_small),
        cmocka_unit_test(test_octet_string_fragmented),
        cmocka_unit_test(test_bit_string),
        cmocka_unit_test(test_char_strings),
        cmocka_unit_test(test_real_oracle),
        cmocka_unit_test(test_real_special_roundtrip),
        cmocka_unit_test(test_real_noncanonical),
        cmocka_unit_test(test_open_type),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_lying_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
