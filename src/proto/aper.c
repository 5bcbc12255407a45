/*
 * aper.c -- aligned PER primitives (ITU-T X.691, ALIGNED variant); the contract is aper.h.
 *
 * Why: every E2AP / E2SM codec is built from these calls, so they are the one place that must
 * get X.691's alignment rules right and must never trust a length read off the wire.
 *
 * Guarantees kept throughout this file:
 *   - a decoder checks the remaining input before every read (kz__need) and fails with
 *     KZ_ETRUNC, recording the offset; nothing is copied before the whole value is known to fit;
 *   - an encoder checks its capacity before every write and keeps its first error;
 *   - no malloc: fragmented decodes are reassembled into the caller's arena, sized by a first
 *     pass over the fragment headers;
 *   - error codes: KZ_ETRUNC (input too short), KZ_ERANGE (a value or encoding the type cannot
 *     have: out of a constraint, a reserved form, a bad character, an unexpected fragment),
 *     KZ_ENOSPC (output full), KZ_ENOMEM (arena full or absent), KZ_EINVAL (caller misuse),
 *     KZ_ENOTSUP (a legal but absurdly long REAL decimal form).
 *
 * Where the oracle (Erlang asn1ct, the project's reference codec) and a reading of X.691
 * could differ, the oracle's choice is taken and marked "oracle:" below.
 */
#include "proto/aper.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KZ__FRAG 16384u        /* 16K: fragment unit of unbounded lengths (X.691 11.9.3.8) */
#define KZ__64K 65536u

const uint8_t kz__empty[1];

/* ---- setup ------------------------------------------------------------------------------ */

void kz_per_enc_init(kz_per_enc *e, uint8_t *buf, size_t cap)
{
    e->buf = buf;
    e->cap = cap > SIZE_MAX / 8 ? SIZE_MAX / 8 : cap;   /* so that cap * 8 never overflows */
    e->bit = 0;
    e->err = 0;
}

void kz_per_dec_init(kz_per_dec *d, const uint8_t *buf, size_t len)
{
    d->buf = buf;
    d->len_bits = len > SIZE_MAX / 8 ? (SIZE_MAX / 8) * 8 : len * 8;
    d->bit = 0;
    d->err = 0;
    d->err_bit = 0;
    d->readable_end = buf + d->len_bits / 8;
}

size_t kz_per_enc_bytes(const kz_per_enc *e) { return (e->bit + 7) / 8; }

long kz_per_enc_finish(kz_per_enc *e)
{
    if (!e->err && e->bit == 0)
        kz_per_put_bits(e, 0, 8);                  /* an empty PDU is one zero octet (11.1) */
    kz_per_put_align(e);
    if (e->err)
        return e->err;
    return (long)(e->bit / 8);
}

static void kz__efail(kz_per_enc *e, int code)
{
    if (!e->err)
        e->err = code;
}

int kz_per_dec_fail(kz_per_dec *d, int code)
{
    if (!d->err) {
        d->err = code;
        d->err_bit = d->bit;
    }
    return code;
}

/* Fails with KZ_ETRUNC unless nbits more bits are available. */
static inline int kz__need(kz_per_dec *d, size_t nbits)
{
    if (nbits > d->len_bits - d->bit)
        return kz_per_dec_fail(d, KZ_ETRUNC);
    return 0;
}

static inline int kz__need_octets(kz_per_dec *d, size_t n)
{
    if (n > (d->len_bits - d->bit) / 8)
        return kz_per_dec_fail(d, KZ_ETRUNC);
    return 0;
}

/* Capacity check for nbits more output bits; sets KZ_ENOSPC. */
static inline bool kz__room(kz_per_enc *e, size_t nbits)
{
    if (e->err)
        return false;
    if (nbits > e->cap * 8 - e->bit) {
        kz__efail(e, KZ_ENOSPC);
        return false;
    }
    return true;
}

/* ---- bits and alignment ------------------------------------------------------------------ */

void kz__per_put_bits_slow(kz_per_enc *e, uint64_t value, unsigned nbits)
{
    size_t byte = e->bit >> 3;
    unsigned off = (unsigned)(e->bit & 7);
    if (nbits > 64 || (nbits < 64 && (value >> nbits) != 0)) {
        kz__efail(e, nbits > 64 ? KZ_EINVAL : KZ_ERANGE);
        return;
    }
    if (!kz__room(e, nbits) || nbits == 0)
        return;
    uint8_t *b = e->buf + byte;
    e->bit += nbits;
    if (off == 0 && (nbits & 7) == 0) {           /* fast path: whole aligned octets */
        while (nbits) {
            nbits -= 8;
            *b++ = (uint8_t)(value >> nbits);
        }
        return;
    }
    if (off == 0)
        *b = 0;
    unsigned room = 8 - off;
    if (nbits <= room) {                          /* fits in the current octet */
        *b |= (uint8_t)(value << (room - nbits));
        return;
    }
    nbits -= room;
    *b++ |= (uint8_t)(value >> nbits);
    while (nbits >= 8) {
        nbits -= 8;
        *b++ = (uint8_t)(value >> nbits);
    }
    if (nbits)
        *b = (uint8_t)(value << (8 - nbits));
}

int kz__per_get_bits_slow(kz_per_dec *d, unsigned nbits, uint64_t *value)
{
    if (nbits > 64)
        return kz_per_dec_fail(d, KZ_EINVAL);
    int rc = kz__need(d, nbits);
    if (rc)
        return rc;
    if (nbits == 0) {
        *value = 0;
        return 0;
    }
    const uint8_t *b = d->buf + (d->bit >> 3);
    unsigned off = (unsigned)(d->bit & 7);
    d->bit += nbits;
    if (off + nbits <= 8) {                       /* within one octet: the common case */
        *value = (uint64_t)((b[0] >> (8 - off - nbits)) & ((1u << nbits) - 1));
        return 0;
    }
    uint64_t v = b[0] & (0xffu >> off);
    unsigned got = 8 - off;
    b++;
    while (got + 8 <= nbits) {
        v = (v << 8) | *b++;
        got += 8;
    }
    if (got < nbits) {
        unsigned r = nbits - got;
        v = (v << r) | (uint64_t)(*b >> (8 - r));
    }
    *value = v;
    return 0;
}


void kz_per_put_octets(kz_per_enc *e, const uint8_t *p, size_t n)
{
    if (e->err)
        return;
    if ((e->bit & 7) == 0) {
        if (n > SIZE_MAX / 8 || !kz__room(e, n * 8))
            return;
        if (n)
            memcpy(e->buf + e->bit / 8, p, n);
        e->bit += n * 8;
        return;
    }
    for (size_t i = 0; i < n && !e->err; i++)
        kz_per_put_bits(e, p[i], 8);
}

int kz_per_get_octets(kz_per_dec *d, size_t n, const uint8_t **p)
{
    if (d->bit & 7)
        return kz_per_dec_fail(d, KZ_EINVAL);
    int rc = kz__need_octets(d, n);
    if (rc)
        return rc;
    *p = n ? d->buf + d->bit / 8 : kz__empty;
    d->bit += n * 8;
    return 0;
}

/* ---- whole numbers ----------------------------------------------------------------------- */

/* Octets needed for x as an unsigned number (at least 1). */
static unsigned kz__octets(uint64_t x)
{
    return x ? (unsigned)(71 - __builtin_clzll(x)) / 8 : 1;
}

/* Bits needed for x (0 for x == 0). */
static unsigned kz__bits(uint64_t x)
{
    return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

static void kz__put_ubytes(kz_per_enc *e, uint64_t v, unsigned n)
{
    kz_per_put_bits(e, n == 8 ? v : v & ((UINT64_C(1) << (8 * n)) - 1), 8 * n);
}

void kz__per_put_cwhole_slow(kz_per_enc *e, uint64_t v, uint64_t range)
{
    if (e->err)
        return;
    if (range != 0 && v >= range) {
        kz__efail(e, KZ_ERANGE);
        return;
    }
    if (range == 1)
        return;
    if (range != 0 && range <= 255) {             /* 11.5.7.2: minimal bit-field, unaligned */
        kz_per_put_bits(e, v, kz__bits(range - 1));
    } else if (range == 256) {                    /* 11.5.7.3: one aligned octet */
        kz_per_put_align(e);
        kz_per_put_bits(e, v, 8);
    } else if (range != 0 && range <= KZ__64K) {  /* two aligned octets */
        kz_per_put_align(e);
        kz_per_put_bits(e, v, 16);
    } else {                                      /* 11.5.7.4 indefinite length case */
        unsigned n = kz__octets(v);
        kz_per_put_cwhole(e, n - 1, kz__octets(range - 1));
        kz_per_put_align(e);
        kz__put_ubytes(e, v, n);
    }
}

int kz__per_get_cwhole_slow(kz_per_dec *d, uint64_t range, uint64_t *v)
{
    int rc;
    if (range == 1) {
        *v = 0;
        return 0;
    }
    if (range != 0 && range <= 255) {
        rc = kz_per_get_bits(d, kz__bits(range - 1), v);
    } else if (range == 256) {
        kz_per_get_align(d);
        rc = kz_per_get_bits(d, 8, v);
    } else if (range != 0 && range <= KZ__64K) {
        kz_per_get_align(d);
        rc = kz_per_get_bits(d, 16, v);
    } else {
        uint64_t n;
        if ((rc = kz_per_get_cwhole(d, kz__octets(range - 1), &n)) != 0)
            return rc;
        kz_per_get_align(d);
        rc = kz_per_get_bits(d, (unsigned)(n + 1) * 8, v);
    }
    if (rc)
        return rc;
    if (range != 0 && *v >= range)
        return kz_per_dec_fail(d, KZ_ERANGE);
    return 0;
}

void kz_per_put_swhole(kz_per_enc *e, uint64_t v)
{
    unsigned n = kz__octets(v);
    kz_per_put_length(e, n, 0, KZ_PER_UNBOUNDED);
    kz__put_ubytes(e, v, n);
}

int kz_per_get_swhole(kz_per_dec *d, uint64_t *v)
{
    size_t n;
    const uint8_t *p;
    int rc = kz_per_get_length(d, 0, KZ_PER_UNBOUNDED, &n);
    if (rc || (rc = kz_per_get_octets(d, n, &p)) != 0)
        return rc;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (x >> 56) {                             /* a 9th significant octet */
            d->bit -= (n - i) * 8;
            return kz_per_dec_fail(d, KZ_ERANGE);
        }
        x = (x << 8) | p[i];
    }
    *v = x;
    return 0;
}

/* Two's complement in the fewest octets; big = v is an unsigned value above INT64_MAX. */
static void kz__put_twos(kz_per_enc *e, uint64_t raw, bool big)
{
    if (big) {
        kz_per_put_length(e, 9, 0, KZ_PER_UNBOUNDED);
        kz_per_put_bits(e, 0, 8);
        kz_per_put_bits(e, raw, 64);
        return;
    }
    int64_t v = (int64_t)raw;
    unsigned n = 1;
    while (n < 8) {
        int64_t lim = INT64_C(1) << (8 * n - 1);
        if (v >= -lim && v < lim)
            break;
        n++;
    }
    kz_per_put_length(e, n, 0, KZ_PER_UNBOUNDED);
    kz__put_ubytes(e, raw, n);
}

/* Reads a length-prefixed two's complement number.  *big: a non-negative value in
 * 2^63 .. 2^64-1 (raw is then the value); otherwise raw holds an int64 bit pattern. */
static int kz__get_twos(kz_per_dec *d, uint64_t *raw, bool *big)
{
    size_t n;
    const uint8_t *p;
    size_t start = d->bit;
    int rc = kz_per_get_length(d, 0, KZ_PER_UNBOUNDED, &n);
    if (rc || (rc = kz_per_get_octets(d, n, &p)) != 0)
        return rc;
    *big = false;
    if (n == 0) {                                  /* not canonical; read as 0 */
        *raw = 0;
        return 0;
    }
    bool neg = p[0] & 0x80;
    uint8_t sx = neg ? 0xff : 0x00;
    while (n > 1 && p[0] == sx && ((p[1] ^ sx) & 0x80) == 0) {
        p++;
        n--;
    }
    if (n > 9 || (n == 9 && (neg || p[0] != 0))) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ERANGE);
    }
    uint64_t x = neg ? UINT64_MAX : 0;
    for (size_t i = 0; i < n; i++)
        x = (x << 8) | p[i];
    *raw = x;
    *big = n == 9;
    return 0;
}

void kz_per_put_uwhole(kz_per_enc *e, int64_t v) { kz__put_twos(e, (uint64_t)v, false); }

int kz_per_get_uwhole(kz_per_dec *d, int64_t *v)
{
    uint64_t raw;
    bool big;
    size_t start = d->bit;
    int rc = kz__get_twos(d, &raw, &big);
    if (rc)
        return rc;
    if (big) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ERANGE);
    }
    *v = (int64_t)raw;
    return 0;
}

void kz_per_put_nsnn(kz_per_enc *e, uint64_t n)
{
    if (n <= 63) {
        kz_per_put_bits(e, n, 7);                  /* 0 bit + 6-bit value */
    } else {
        kz_per_put_bits(e, 1, 1);
        kz_per_put_swhole(e, n);
    }
}

int kz_per_get_nsnn(kz_per_dec *d, uint64_t *n)
{
    uint64_t big;
    int rc = kz_per_get_bits(d, 1, &big);
    if (rc)
        return rc;
    return big ? kz_per_get_swhole(d, n) : kz_per_get_bits(d, 6, n);
}

/* ---- length determinants ------------------------------------------------------------------ */

void kz_per_put_length(kz_per_enc *e, size_t n, uint64_t lb, uint64_t ub)
{
    if (e->err)
        return;
    if (lb > ub) {
        kz__efail(e, KZ_EINVAL);
        return;
    }
    if (n < lb || n > ub) {
        kz__efail(e, KZ_ERANGE);
        return;
    }
    if (ub < KZ__64K) {                            /* 11.9.4.1: constrained whole number */
        if (lb != ub)
            kz_per_put_cwhole(e, n - lb, ub - lb + 1);
        return;
    }
    if (n >= KZ__FRAG) {                           /* needs the _frag form */
        kz__efail(e, KZ_ERANGE);
        return;
    }
    kz_per_put_align(e);
    if (n < 128)
        kz_per_put_bits(e, n, 8);
    else
        kz_per_put_bits(e, 0x8000u | n, 16);
}

int kz_per_get_length(kz_per_dec *d, uint64_t lb, uint64_t ub, size_t *n)
{
    if (lb > ub)
        return kz_per_dec_fail(d, KZ_EINVAL);
    if (ub < KZ__64K) {
        uint64_t v = 0;
        if (lb != ub) {
            int rc = kz_per_get_cwhole(d, ub - lb + 1, &v);
            if (rc)
                return rc;
        }
        *n = (size_t)(lb + v);
        return 0;
    }
    size_t start = d->bit;
    bool more;
    int rc = kz_per_get_length_frag(d, n, &more);
    if (rc)
        return rc;
    if (more || *n < lb || *n > ub) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ERANGE);
    }
    return 0;
}

size_t kz_per_put_length_frag(kz_per_enc *e, size_t n)
{
    if (n < KZ__FRAG) {
        kz_per_put_length(e, n, 0, KZ_PER_UNBOUNDED);
        return n;
    }
    size_t m = n / KZ__FRAG;
    if (m > 4)
        m = 4;
    kz_per_put_align(e);
    kz_per_put_bits(e, 0xc0u | m, 8);
    return m * KZ__FRAG;
}

int kz_per_get_length_frag(kz_per_dec *d, size_t *n, bool *more)
{
    uint64_t b, b2;
    kz_per_get_align(d);
    int rc = kz_per_get_bits(d, 8, &b);
    if (rc)
        return rc;
    *more = false;
    if ((b & 0x80) == 0) {
        *n = (size_t)b;
    } else if ((b & 0xc0) == 0x80) {
        if ((rc = kz_per_get_bits(d, 8, &b2)) != 0)
            return rc;
        *n = (size_t)(((b & 0x3f) << 8) | b2);
    } else {
        size_t m = (size_t)(b & 0x3f);
        if (m < 1 || m > 4) {
            d->bit -= 8;
            return kz_per_dec_fail(d, KZ_ERANGE);
        }
        *n = m * KZ__FRAG;
        *more = true;
    }
    return 0;
}

/* ---- simple types --------------------------------------------------------------------------- */

void kz_per_put_bool(kz_per_enc *e, bool v) { kz_per_put_bits(e, v ? 1 : 0, 1); }

int kz_per_get_bool(kz_per_dec *d, bool *v)
{
    uint64_t b;
    int rc = kz_per_get_bits(d, 1, &b);
    if (rc == 0)
        *v = b != 0;
    return rc;
}

void kz_per_put_enum(kz_per_enc *e, uint64_t v, uint64_t nroot, bool ext)
{
    if (e->err)
        return;
    if (nroot == 0 && !ext) {
        kz__efail(e, KZ_EINVAL);
        return;
    }
    if (v >= nroot && !ext) {
        kz__efail(e, KZ_ERANGE);
        return;
    }
    if (ext)
        kz_per_put_bits(e, v >= nroot, 1);
    if (v < nroot)
        kz_per_put_cwhole(e, v, nroot);
    else
        kz_per_put_nsnn(e, v - nroot);
}

int kz_per_get_enum(kz_per_dec *d, uint64_t nroot, bool ext, uint64_t *v)
{
    uint64_t x = 0;
    int rc;
    if (nroot == 0 && !ext)
        return kz_per_dec_fail(d, KZ_EINVAL);
    if (ext) {
        if ((rc = kz_per_get_bits(d, 1, &x)) != 0)
            return rc;
        if (x) {
            if ((rc = kz_per_get_nsnn(d, &x)) != 0)
                return rc;
            if (x > UINT64_MAX - nroot)
                return kz_per_dec_fail(d, KZ_ERANGE);
            *v = nroot + x;
            return 0;
        }
    }
    if ((rc = kz_per_get_cwhole(d, nroot, &x)) != 0)
        return rc;
    *v = x;
    return 0;
}

void kz_per_put_int(kz_per_enc *e, int64_t v, const kz_per_int_c *c)
{
    if (e->err)
        return;
    if (c->has_lb && c->has_ub && c->lb > c->ub) {
        kz__efail(e, KZ_EINVAL);
        return;
    }
    bool in = (!c->has_lb || v >= c->lb) && (!c->has_ub || v <= c->ub);
    if (c->ext) {
        kz_per_put_bits(e, !in, 1);
        if (!in) {                                 /* 13.1: outside the root: unconstrained */
            kz_per_put_uwhole(e, v);
            return;
        }
    } else if (!in) {
        kz__efail(e, KZ_ERANGE);
        return;
    }
    if (c->has_lb && c->has_ub)
        kz_per_put_cwhole(e, (uint64_t)v - (uint64_t)c->lb, (uint64_t)c->ub - (uint64_t)c->lb + 1);
    else if (c->has_lb)
        kz_per_put_swhole(e, (uint64_t)v - (uint64_t)c->lb);
    else
        kz_per_put_uwhole(e, v);                    /* no lower bound: unconstrained */
}

int kz_per_get_int(kz_per_dec *d, const kz_per_int_c *c, int64_t *v)
{
    int rc;
    if (c->has_lb && c->has_ub && c->lb > c->ub)
        return kz_per_dec_fail(d, KZ_EINVAL);
    if (c->ext) {
        uint64_t x;
        if ((rc = kz_per_get_bits(d, 1, &x)) != 0)
            return rc;
        if (x)
            return kz_per_get_uwhole(d, v);
    }
    size_t start = d->bit;
    if (c->has_lb && c->has_ub) {
        uint64_t x;
        rc = kz_per_get_cwhole(d, (uint64_t)c->ub - (uint64_t)c->lb + 1, &x);
        if (rc == 0)
            *v = (int64_t)((uint64_t)c->lb + x);
        return rc;
    }
    if (c->has_lb) {
        uint64_t x;
        if ((rc = kz_per_get_swhole(d, &x)) != 0)
            return rc;
        if (x > (uint64_t)INT64_MAX - (uint64_t)c->lb) {
            d->bit = start;
            return kz_per_dec_fail(d, KZ_ERANGE);
        }
        *v = (int64_t)((uint64_t)c->lb + x);
        return 0;
    }
    if ((rc = kz_per_get_uwhole(d, v)) != 0)
        return rc;
    if (!c->ext && c->has_ub && *v > c->ub) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ERANGE);
    }
    return 0;
}

void kz_per_put_uint(kz_per_enc *e, uint64_t v, uint64_t lb, uint64_t ub, bool ext)
{
    if (e->err)
        return;
    if (lb > ub) {
        kz__efail(e, KZ_EINVAL);
        return;
    }
    bool in = v >= lb && v <= ub;
    if (ext) {
        kz_per_put_bits(e, !in, 1);
        if (!in) {
            kz__put_twos(e, v, v > (uint64_t)INT64_MAX);
            return;
        }
    } else if (!in) {
        kz__efail(e, KZ_ERANGE);
        return;
    }
    kz_per_put_cwhole(e, v - lb, ub - lb + 1);
}

int kz_per_get_uint(kz_per_dec *d, uint64_t lb, uint64_t ub, bool ext, uint64_t *v)
{
    int rc;
    if (lb > ub)
        return kz_per_dec_fail(d, KZ_EINVAL);
    if (ext) {
        uint64_t x;
        if ((rc = kz_per_get_bits(d, 1, &x)) != 0)
            return rc;
        if (x) {
            size_t start = d->bit;
            bool big;
            if ((rc = kz__get_twos(d, &x, &big)) != 0)
                return rc;
            if (!big && (int64_t)x < 0) {          /* negative: no uint64 holds it */
                d->bit = start;
                return kz_per_dec_fail(d, KZ_ERANGE);
            }
            *v = x;
            return 0;
        }
    }
    uint64_t x;
    if ((rc = kz_per_get_cwhole(d, ub - lb + 1, &x)) != 0)
        return rc;
    *v = lb + x;
    return 0;
}

/* ---- strings: one layout engine for BIT / OCTET / character strings ----------------------
 * Units are bits (BIT STRING) or octets.  unaligned_max is the largest fixed size whose
 * contents go in a bit-field without alignment: 16 bits (16.9), 2 octets (17.6), and for
 * 8-bit characters 1 (oracle: asn1ct aligns a fixed 2-character string and any variable-size
 * one, even when ub*8 <= 16).  After a constrained length the contents are aligned even when
 * empty (oracle). */

typedef struct kz__szc {
    uint64_t lb, ub;
    bool ext;
} kz__szc;

static kz__szc kz__sz(const kz_per_size_c *c)
{
    kz__szc s = { 0, KZ_PER_UNBOUNDED, false };
    if (c) {
        s.lb = c->lb;
        s.ub = c->ub;
        s.ext = c->ext;
    }
    return s;
}

/* Writes n units from p (bits: left-aligned in octets) at the current position. */
static void kz__put_units(kz_per_enc *e, const uint8_t *p, size_t n, bool bits)
{
    if (!bits) {
        kz_per_put_octets(e, p, n);
        return;
    }
    kz_per_put_octets(e, p, n / 8);
    unsigned r = (unsigned)(n & 7);
    if (r)
        kz_per_put_bits(e, (uint64_t)(p[n / 8] >> (8 - r)), r);
}

static void kz__put_sized(kz_per_enc *e, const uint8_t *p, size_t n, const kz_per_size_c *c,
                          bool bits, uint64_t unaligned_max)
{
    if (e->err)
        return;
    kz__szc s = kz__sz(c);
    if (s.lb > s.ub) {
        kz__efail(e, KZ_EINVAL);
        return;
    }
    bool in = n >= s.lb && n <= s.ub;
    if (s.ext) {
        kz_per_put_bits(e, !in, 1);
        if (!in) {
            s.lb = 0;
            s.ub = KZ_PER_UNBOUNDED;
        }
    } else if (!in) {
        kz__efail(e, KZ_ERANGE);
        return;
    }
    if (s.ub == 0)
        return;
    if (s.lb == s.ub && s.ub <= unaligned_max) {
        kz__put_units(e, p, n, bits);
        return;
    }
    if (s.lb == s.ub && s.ub < KZ__64K) {
        kz_per_put_align(e);
        kz__put_units(e, p, n, bits);
        return;
    }
    if (s.ub < KZ__64K) {
        kz_per_put_length(e, n, s.lb, s.ub);
        kz_per_put_align(e);
        kz__put_units(e, p, n, bits);
        return;
    }
    size_t done = 0, chunk;
    do {
        chunk = kz_per_put_length_frag(e, n - done);
        if (chunk)                                 /* p may be NULL when n == 0 */
            kz__put_units(e, bits ? p + done / 8 : p + done, chunk, bits);
        done += chunk;
    } while (chunk >= KZ__FRAG && !e->err);
}

/* Takes n units at the (aligned) position: points into the input when whole octets, else
 * copies into the arena (bits: masked so the unused low bits are zero). */
static int kz__get_units(kz_per_dec *d, size_t n, bool bits, kz_arena *a, const uint8_t **p)
{
    int rc;
    if (!bits)
        return kz_per_get_octets(d, n, p);
    if ((rc = kz__need(d, n)) != 0)
        return rc;
    if ((n & 7) == 0 && (d->bit & 7) == 0)
        return kz_per_get_octets(d, n / 8, p);
    uint8_t *out = a ? kz_arena_alloc(a, (n + 7) / 8) : NULL;
    if (!out)
        return kz_per_dec_fail(d, KZ_ENOMEM);
    size_t i = 0;
    uint64_t v = 0;
    for (; i + 8 <= n; i += 8) {
        kz_per_get_bits(d, 8, &v);
        out[i / 8] = (uint8_t)v;
    }
    if (i < n) {
        unsigned r = (unsigned)(n - i);
        kz_per_get_bits(d, r, &v);
        out[i / 8] = (uint8_t)(v << (8 - r));
    }
    *p = out;
    return 0;
}

/* Unaligned octets (fixed sizes of 1-2 octets / 1 character): copy unless aligned. */
static int kz__get_octets_any(kz_per_dec *d, size_t n, kz_arena *a, const uint8_t **p)
{
    if ((d->bit & 7) == 0)
        return kz_per_get_octets(d, n, p);
    int rc = kz__need_octets(d, n);
    if (rc)
        return rc;
    uint8_t *out = a ? kz_arena_alloc(a, n) : NULL;
    if (!out)
        return kz_per_dec_fail(d, KZ_ENOMEM);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = 0;
        kz_per_get_bits(d, 8, &v);
        out[i] = (uint8_t)v;
    }
    *p = out;
    return 0;
}

/* Fragmented contents: a first pass checks every fragment against the input and sums them,
 * the second copies into one arena block. */
static int kz__get_frags(kz_per_dec *d, size_t first, bool bits, uint64_t lb, uint64_t ub,
                         kz_arena *a, const uint8_t **p, size_t *n)
{
    size_t start = d->bit, total = 0, k = first;
    bool more = true;
    int rc;
    for (;;) {                                     /* pass 1: d is just after a header */
        if (!bits && k > SIZE_MAX / 8)
            return kz_per_dec_fail(d, KZ_ETRUNC);
        size_t kb = bits ? k : k * 8;
        if ((rc = kz__need(d, kb)) != 0)
            return rc;
        d->bit += kb;
        total += k;
        if (total > ub) {
            d->bit = start;
            return kz_per_dec_fail(d, KZ_ERANGE);
        }
        if (!more)
            break;
        if ((rc = kz_per_get_length_frag(d, &k, &more)) != 0)
            return rc;
    }
    if (total < lb) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ERANGE);
    }
    size_t end = d->bit;
    size_t bytes = bits ? (total + 7) / 8 : total;
    uint8_t *out = a ? kz_arena_alloc(a, bytes ? bytes : 1) : NULL;
    if (!out) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ENOMEM);
    }
    d->bit = start;                                /* pass 2: cannot fail */
    size_t done = 0;
    k = first;
    more = true;
    for (;;) {
        size_t kbytes = bits ? (k + 7) / 8 : k;
        memcpy(out + (bits ? done / 8 : done), d->buf + d->bit / 8, kbytes);
        d->bit += bits ? k : k * 8;
        done += k;
        if (!more)
            break;
        kz_per_get_length_frag(d, &k, &more);
    }
    if (bits && (total & 7))
        out[total / 8] &= (uint8_t)(0xff << (8 - (total & 7)));
    d->bit = end;
    *p = out;
    *n = total;
    return 0;
}

static int kz__get_sized(kz_per_dec *d, const kz_per_size_c *c, bool bits, uint64_t unaligned_max,
                         kz_arena *a, const uint8_t **p, size_t *n)
{
    kz__szc s = kz__sz(c);
    int rc;
    if (s.lb > s.ub)
        return kz_per_dec_fail(d, KZ_EINVAL);
    if (s.ext) {
        uint64_t x;
        if ((rc = kz_per_get_bits(d, 1, &x)) != 0)
            return rc;
        if (x) {
            s.lb = 0;
            s.ub = KZ_PER_UNBOUNDED;
        }
    }
    if (s.ub == 0) {
        *p = kz__empty;
        *n = 0;
        return 0;
    }
    if (s.lb == s.ub && s.ub <= unaligned_max) {
        *n = (size_t)s.ub;
        return bits ? kz__get_units(d, *n, true, a, p) : kz__get_octets_any(d, *n, a, p);
    }
    if (s.lb == s.ub && s.ub < KZ__64K) {
        kz_per_get_align(d);
        *n = (size_t)s.ub;
        return kz__get_units(d, *n, bits, a, p);
    }
    if (s.ub < KZ__64K) {
        if ((rc = kz_per_get_length(d, s.lb, s.ub, n)) != 0)
            return rc;
        kz_per_get_align(d);
        return kz__get_units(d, *n, bits, a, p);
    }
    size_t start = d->bit, k;
    bool more;
    if ((rc = kz_per_get_length_frag(d, &k, &more)) != 0)
        return rc;
    if (more)
        return kz__get_frags(d, k, bits, s.lb, s.ub, a, p, n);
    if (k < s.lb || k > s.ub) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ERANGE);
    }
    *n = k;
    return kz__get_units(d, k, bits, a, p);
}

void kz_per_put_octet_string(kz_per_enc *e, const uint8_t *p, size_t n, const kz_per_size_c *c)
{
    if ((!c || (c->ub == KZ_PER_UNBOUNDED && !c->ext && c->lb == 0)) && n < KZ__FRAG && !e->err) {
        kz_per_put_align(e);                       /* fast path: unbounded, unfragmented */
        if (n < 128)
            kz_per_put_bits(e, n, 8);
        else
            kz_per_put_bits(e, 0x8000 | n, 16);
        kz_per_put_octets(e, p, n);
        return;
    }
    kz__put_sized(e, p, n, c, false, 2);
}

int kz__per_get_octet_string_sized(kz_per_dec *d, const kz_per_size_c *c, kz_arena *a,
                                   const uint8_t **p, size_t *n)
{
    return kz__get_sized(d, c, false, 2, a, p, n);
}

void kz_per_put_bit_string(kz_per_enc *e, const uint8_t *p, size_t nbits, const kz_per_size_c *c)
{
    kz__put_sized(e, p, nbits, c, true, 16);
}

int kz_per_get_bit_string(kz_per_dec *d, const kz_per_size_c *c, kz_arena *a,
                          const uint8_t **p, size_t *nbits)
{
    return kz__get_sized(d, c, true, 16, a, p, nbits);
}

/* ---- character strings ----------------------------------------------------------------------- */

/* One table for the 8-bit character sets: bit KZ_STR_<kind> of kz__char_bad[ch] is set when ch
 * is not in that set.  PrintableString (X.680 41.4): A-Z a-z 0-9 space ' ( ) + , - . / : = ?;
 * VisibleString: 0x20..0x7e; IA5String: 0x00..0x7f.  A string is checked by OR-ing the entries
 * of its octets (kz_per_chars_ok in aper.h): a few instructions per character, no branch. */
#define KZ__NP (1u << KZ_STR_PRINTABLE)
#define KZ__NV (1u << KZ_STR_VISIBLE)
#define KZ__NI (1u << KZ_STR_IA5)
#define KZ__CC4(b) kz__cc((b)), kz__cc((b) + 1), kz__cc((b) + 2), kz__cc((b) + 3)
#define KZ__CC16(b) KZ__CC4(b), KZ__CC4((b) + 4), KZ__CC4((b) + 8), KZ__CC4((b) + 12)
#define KZ__CC64(b) KZ__CC16(b), KZ__CC16((b) + 16), KZ__CC16((b) + 32), KZ__CC16((b) + 48)
#define kz__cc(c) ((uint8_t)(( \
    (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') || \
     (c) == ' ' || (c) == '\'' || (c) == '(' || (c) == ')' || (c) == '+' || (c) == ',' || \
     (c) == '-' || (c) == '.' || (c) == '/' || (c) == ':' || (c) == '=' || (c) == '?') ? 0 : KZ__NP) | \
    ((c) >= 0x20 && (c) <= 0x7e ? 0 : KZ__NV) | ((c) <= 0x7f ? 0 : KZ__NI)))
const uint8_t kz__char_bad[256] = { KZ__CC64(0), KZ__CC64(64), KZ__CC64(128), KZ__CC64(192) };

/* Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
bool kz__utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (k > n - i - 1)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

void kz_per_put_char_string(kz_per_enc *e, const char *s, size_t n, const kz_per_size_c *c,
                            enum kz_per_str_kind kind)
{
    if (e->err)
        return;
    if (!kz_per_chars_ok((const uint8_t *)s, n, kind)) {
        kz__efail(e, KZ_ERANGE);
        return;
    }
    /* UTF8String: size constraints are not PER-visible; an unbounded octet string. */
    kz__put_sized(e, (const uint8_t *)s, n, kind == KZ_STR_UTF8 ? NULL : c, false, 1);
}

int kz_per_get_char_string(kz_per_dec *d, const kz_per_size_c *c, enum kz_per_str_kind kind,
                           kz_arena *a, const char **s, size_t *n)
{
    const uint8_t *p;
    size_t start = d->bit;
    int rc = kz__get_sized(d, kind == KZ_STR_UTF8 ? NULL : c, false, 1, a, &p, n);
    if (rc)
        return rc;
    if (!kz_per_chars_ok(p, *n, kind)) {
        d->bit = start;
        return kz_per_dec_fail(d, KZ_ERANGE);
    }
    *s = (const char *)p;
    return 0;
}

/* ---- REAL ------------------------------------------------------------------------------------ */

bool kz_real_split(double v, int64_t *mantissa, int *exponent)
{
    if (!isfinite(v))
        return false;
    if (v == 0) {
        *mantissa = 0;
        *exponent = 0;
        return true;
    }
    int e;
    double fr = frexp(v, &e);                      /* 0.5 <= |fr| < 1, exact for denormals */
    int64_t m = (int64_t)ldexp(fr, 53);            /* exact: a double has 53 significant bits */
    e -= 53;
    int tz = __builtin_ctzll((uint64_t)m);         /* m != 0: make the mantissa odd at once */
    m /= (int64_t)1 << tz;
    e += tz;
    *mantissa = m;
    *exponent = e;
    return true;
}

void kz_per_put_real(kz_per_enc *e, double v)
{
    uint8_t c[1 + 2 + 8];
    size_t n = 0;
    int64_t m = 0;
    int ex = 0;
    if (e->err)
        return;
    if (isnan(v)) {
        c[n++] = 0x42;                             /* X.690 8.5.9 special values */
    } else if (isinf(v)) {
        c[n++] = v > 0 ? 0x40 : 0x41;
    } else if (v == 0) {
        if (signbit(v))
            c[n++] = 0x43;                         /* -0; +0 has empty contents (8.5.2) */
    } else {
        kz_real_split(v, &m, &ex);
        uint64_t mag = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
        unsigned el = ex >= -128 && ex <= 127 ? 1 : 2;   /* a double's exponent fits 2 */
        c[n++] = (uint8_t)(0x80 | (m < 0 ? 0x40 : 0) | (el - 1));
        if (el == 2)
            c[n++] = (uint8_t)((unsigned)ex >> 8);
        c[n++] = (uint8_t)ex;
        unsigned ml = kz__octets(mag);
        for (unsigned i = ml; i-- > 0;)
            c[n++] = (uint8_t)(mag >> (8 * i));
    }
    kz_per_put_length(e, n, 0, KZ_PER_UNBOUNDED);
    kz_per_put_octets(e, c, n);
}

/* ISO 6093 NR1/NR2/NR3 (X.690 8.5.8): [spaces][sign]digits[.|,digits][E|e[sign]digits]. */
static int kz__real_decimal(const uint8_t *s, size_t n, double *v)
{
    char buf[128];
    size_t i = 0, o = 0, mant_digits = 0, exp_digits = 0;
    while (i < n && s[i] == ' ')
        i++;
    if (n - i >= sizeof buf)
        return KZ_ENOTSUP;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        buf[o++] = (char)s[i++];
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, mant_digits++)
        buf[o++] = (char)s[i];
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        buf[o++] = '.';
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, mant_digits++)
            buf[o++] = (char)s[i];
    }
    if (mant_digits == 0)
        return KZ_ERANGE;
    if (i < n && (s[i] == 'E' || s[i] == 'e')) {
        buf[o++] = 'e';
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            buf[o++] = (char)s[i++];
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, exp_digits++)
            buf[o++] = (char)s[i];
        if (exp_digits == 0)
            return KZ_ERANGE;
    }
    if (i != n)
        return KZ_ERANGE;
    buf[o] = '\0';
    *v = strtod(buf, NULL);
    return 0;
}

/* X.690 8.5.7 binary form: value = (-1)^S * N * 2^F * B^E. */
static int kz__real_binary(const uint8_t *c, size_t n, double *v)
{
    uint8_t f = c[0];
    unsigned base_log2 = (f >> 4) & 3;             /* 0: 2, 1: 8, 2: 16 */
    if (base_log2 == 3)
        return KZ_ERANGE;
    base_log2 = base_log2 == 0 ? 1 : base_log2 == 1 ? 3 : 4;
    unsigned scale = (f >> 2) & 3;
    size_t i = 1, el;
    if ((f & 3) < 3) {
        el = (f & 3) + 1u;
    } else {
        if (n < 2)
            return KZ_ERANGE;
        el = c[1];
        i = 2;
        if (el == 0)
            return KZ_ERANGE;
    }
    if (el > n - i)
        return KZ_ERANGE;
    /* Exponent, saturated: beyond +-2^40 every double is already 0 or inf. */
    int64_t ex = (c[i] & 0x80) ? -1 : 0;
    for (size_t j = 0; j < el; j++) {
        if (ex > (INT64_C(1) << 40) || ex < -(INT64_C(1) << 40))
            break;                                 /* later octets only grow |ex| */
        ex = (int64_t)((uint64_t)ex << 8) | c[i + j];
    }
    i += el;
    /* Mantissa N: leading zero octets skipped (asn1c writes one); the top 64 bits kept, a
     * sticky low bit for the rest so the conversion to double rounds correctly. */
    while (i < n && c[i] == 0)
        i++;
    uint64_t mant = 0;
    int64_t shift = 0;
    bool sticky = false;
    for (; i < n; i++) {
        if (mant >> 56) {
            shift += 8;
            sticky |= c[i] != 0;
        } else {
            mant = (mant << 8) | c[i];
        }
    }
    if (sticky)
        mant |= 1;
    int64_t e2 = ex * (int64_t)base_log2 + (int64_t)scale + shift;
    if (e2 > 100000)
        e2 = 100000;
    if (e2 < -100000)
        e2 = -100000;
    double r = mant == 0 ? 0.0 : ldexp((double)mant, (int)e2);
    *v = (f & 0x40) ? -r : r;
    return 0;
}

int kz_per_get_real(kz_per_dec *d, double *v)
{
    size_t n;
    const uint8_t *c;
    size_t start = d->bit;
    int rc = kz_per_get_length(d, 0, KZ_PER_UNBOUNDED, &n);
    if (rc || (rc = kz_per_get_octets(d, n, &c)) != 0)
        return rc;
    if (n == 0) {
        *v = 0.0;
        return 0;
    }
    if (c[0] & 0x80) {
        rc = kz__real_binary(c, n, v);
    } else if (c[0] & 0x40) {
        rc = 0;
        if (n != 1)
            rc = KZ_ERANGE;
        else if (c[0] == 0x40)
            *v = HUGE_VAL;
        else if (c[0] == 0x41)
            *v = -HUGE_VAL;
        else if (c[0] == 0x42)
            *v = NAN;
        else if (c[0] == 0x43)
            *v = -0.0;
        else
            rc = KZ_ERANGE;
    } else {
        unsigned nr = c[0] & 0x3f;
        rc = nr >= 1 && nr <= 3 ? kz__real_decimal(c + 1, n - 1, v) : KZ_ERANGE;
    }
    if (rc) {
        d->bit = start;
        return kz_per_dec_fail(d, rc);
    }
    return 0;
}

/* ---- open types ------------------------------------------------------------------------------ */

size_t kz_per_open_begin(kz_per_enc *e)
{
    kz_per_put_align(e);
    size_t mark = e->bit / 8;
    if (kz__room(e, 8))
        e->bit += 8;   /* one octet reserved: most open types are < 128 octets (no move then) */
    return mark;
}

void kz_per_open_end(kz_per_enc *e, size_t mark)
{
    if (e->err)
        return;
    if (mark > SIZE_MAX - 2 || (mark + 1) * 8 > e->bit) {
        kz__efail(e, KZ_EINVAL);
        return;
    }
    kz_per_put_align(e);
    if (e->bit == (mark + 1) * 8)
        kz_per_put_bits(e, 0, 8);                  /* an empty encoding is one 0 octet (11.1) */
    if (e->err)
        return;
    uint8_t *b = e->buf;
    size_t n = e->bit / 8 - mark - 1;
    if (n < 128) {
        b[mark] = (uint8_t)n;                      /* the common case: nothing moves */
        return;
    }
    if (!kz__room(e, 8))                           /* a longer length: contents move right */
        return;
    memmove(b + mark + 2, b + mark + 1, n);
    e->bit += 8;
    if (n < KZ__FRAG) {
        b[mark] = (uint8_t)(0x80 | (n >> 8));
        b[mark + 1] = (uint8_t)n;
        return;
    }
    /* Fragmented: k4 fragments of 64K, maybe one of m*16K, then the final length. */
    size_t k4 = n / KZ__64K, r = n % KZ__64K, m = r / KZ__FRAG, rem = r % KZ__FRAG;
    size_t nfrag = k4 + (m ? 1 : 0) + 1;
    size_t hdrs = nfrag - 1 + (rem < 128 ? 1 : 2);
    if (hdrs > e->cap - mark || n > e->cap - mark - hdrs) {
        kz__efail(e, KZ_ENOSPC);
        return;
    }
    /* Move the contents from the last fragment back (each moves right, or the first left by
     * one octet, never over a source not yet moved), then write the headers into the gaps. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = nfrag; j-- > 0;) {
            size_t off, len, hlen, before;             /* before: header octets up to and with j */
            uint8_t h0, h1 = 0;
            if (j < k4) {
                off = j * KZ__64K, len = KZ__64K, hlen = 1, before = j + 1, h0 = 0xc4;
            } else if (j == k4 && m) {
                off = k4 * KZ__64K, len = m * KZ__FRAG, hlen = 1, before = k4 + 1;
                h0 = (uint8_t)(0xc0 | m);
            } else {
                off = n - rem, len = rem, hlen = rem < 128 ? 1 : 2, before = hdrs;
                h0 = rem < 128 ? (uint8_t)rem : (uint8_t)(0x80 | (rem >> 8));
                h1 = (uint8_t)rem;
            }
            uint8_t *dst = b + mark + before + off;
            if (pass == 0) {
                memmove(dst, b + mark + 2 + off, len);
            } else {
                dst[-(ptrdiff_t)hlen] = h0;
                if (hlen == 2)
                    dst[-1] = h1;
            }
        }
    }
    e->bit = (mark + hdrs + n) * 8;
}

int kz__per_get_open_slow(kz_per_dec *d, kz_arena *a, kz_per_dec *inner)
{
    const uint8_t *p;
    size_t n;
    if (kz__fast_len(d, &n)) {
        kz_per_dec_init(inner, d->buf + d->bit / 8, n);
        inner->readable_end = d->readable_end;   /* contents lie inside d's input */
        d->bit += n * 8;
        return 0;
    }
    int rc = kz__get_sized(d, NULL, false, 2, a, &p, &n);
    if (rc)
        return rc;
    kz_per_dec_init(inner, p, n);
    return 0;
}
