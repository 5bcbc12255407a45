/*
 * aper.h -- aligned PER (ITU-T X.691, ALIGNED variant) primitives.
 *
 * Why this exists: E2AP and the E2SMs are APER on the wire.  The codecs built on these
 * primitives must be fast (no malloc, no per-bit function-pointer dispatch) and must never read
 * past their input whatever a length field claims.  Everything here works on a caller's buffer:
 *
 *   kz_per_enc  writes bits into a fixed buffer.  Errors are sticky: after the first failure
 *               (KZ_ENOSPC, KZ_ERANGE ...) every later put is a no-op and e->err keeps the first
 *               code, so an encoder can run straight through and check once at the end.
 *   kz_per_dec  reads bits from a fixed buffer.  Every get returns 0 or a negative KZ_E* code
 *               and records the first error and the bit offset where it happened in d->err /
 *               d->err_bit, so diagnostics can name the offset.  A get never reads past len_bits.
 *
 * Constraints are passed as plain numbers; "range" always means ub - lb + 1 of a constrained
 * whole number (so INTEGER (0..255) has range 256).  A range of 0 means 2^64 (unused by E2).
 *
 * Guarantees: decoding is bounded by the input (no read past buf + len); a length that claims
 * more than the remaining input fails with KZ_ETRUNC before anything is copied; no function
 * here allocates, except kz_per_get_open / kz_per_get_octets_frag, which take an arena only to
 * reassemble fragmented (>= 16K) contents.
 */
#ifndef KIZUNA_PROTO_APER_H
#define KIZUNA_PROTO_APER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kizuna/arena.h"
#include "kizuna/asn.h"
#include "kizuna/error.h"

typedef struct kz_per_enc {
    uint8_t *buf;
    size_t cap;      /* bytes available in buf */
    size_t bit;      /* next bit to write (0 = MSB of buf[0]) */
    int err;         /* first error, 0 if none; sticky */
} kz_per_enc;

typedef struct kz_per_dec {
    const uint8_t *buf;
    size_t len_bits; /* input size in bits */
    size_t bit;      /* next bit to read */
    int err;         /* first error, 0 if none */
    size_t err_bit;  /* bit offset of the first error */
    const uint8_t *readable_end;  /* memory that may be loaded (>= buf + len): an open type's
                                     decoder sees its octets, but may word-load up to the end
                                     of the enclosing input; values never use those bits */
} kz_per_dec;

/* ---- setup ---------------------------------------------------------------------------- */

void kz_per_enc_init(kz_per_enc *e, uint8_t *buf, size_t cap);
void kz_per_dec_init(kz_per_dec *d, const uint8_t *buf, size_t len);

/* Bytes written so far, counting a partly written last octet (the complete PDU length once
 * the outermost value is done: APER pads the PDU to a whole octet, and an empty PDU is one
 * zero octet per X.691 11.1). */
size_t kz_per_enc_bytes(const kz_per_enc *e);
/* Finish a complete encoding: pad to an octet, write the single 0x00 octet if nothing was
 * written.  Returns the length in bytes or a negative error. */
long kz_per_enc_finish(kz_per_enc *e);

/* Record an error at the current position (first one wins); returns code. */
int kz_per_dec_fail(kz_per_dec *d, int code);
static inline size_t kz_per_dec_remaining_bits(const kz_per_dec *d) { return d->len_bits - d->bit; }

/* ---- bits and alignment ----------------------------------------------------------------- */

static inline void kz_per_put_bits(kz_per_enc *e, uint64_t value, unsigned nbits);  /* nbits <= 64 */
static inline int kz_per_get_bits(kz_per_dec *d, unsigned nbits, uint64_t *value);  /* nbits <= 64 */
static inline void kz_per_put_align(kz_per_enc *e);   /* zero bits up to the next octet boundary */
static inline int kz_per_get_align(kz_per_dec *d);    /* skip to the next boundary (padding not checked) */
void kz_per_put_octets(kz_per_enc *e, const uint8_t *p, size_t n);     /* raw, caller aligned */
/* Point *p at n raw octets in the input (caller aligned first); no copy. */
int kz_per_get_octets(kz_per_dec *d, size_t n, const uint8_t **p);

/* ---- whole numbers (X.691 11.5 - 11.8) ------------------------------------------------ */

/* Constrained whole number: v in 0 .. range-1 (value minus lower bound). */
static inline void kz_per_put_cwhole(kz_per_enc *e, uint64_t v, uint64_t range);
static inline int kz_per_get_cwhole(kz_per_dec *d, uint64_t range, uint64_t *v);
/* Semi-constrained (lower bound only): v = value - lb >= 0; length-prefixed octets. */
void kz_per_put_swhole(kz_per_enc *e, uint64_t v);
int kz_per_get_swhole(kz_per_dec *d, uint64_t *v);
/* Unconstrained: two's complement, length-prefixed. */
void kz_per_put_uwhole(kz_per_enc *e, int64_t v);
int kz_per_get_uwhole(kz_per_dec *d, int64_t *v);
/* Normally small non-negative whole number (X.691 11.6): CHOICE / ENUMERATED extension index,
 * extension-addition bitmap length. */
void kz_per_put_nsnn(kz_per_enc *e, uint64_t n);
int kz_per_get_nsnn(kz_per_dec *d, uint64_t *n);

/* ---- length determinants (X.691 11.9) ----------------------------------------------------
 * For a constrained length (ub < 65536) call with lb/ub; otherwise pass ub = KZ_PER_UNBOUNDED.
 * Unbounded lengths of 16384 or more are fragmented: the put/get_length_frag pair handles one
 * fragment at a time:
 *
 *     size_t left = n, chunk;
 *     do { chunk = kz_per_put_length_frag(e, left); ...write chunk items...; left -= chunk; }
 *     while (chunk >= 16384);   // a full fragment is always followed by another length
 *
 * kz_per_get_length_frag sets *n to the items that follow and *more when another length
 * follows after them.  Helpers below do this for octet / bit / character strings. */
#define KZ_PER_UNBOUNDED UINT64_MAX

void kz_per_put_length(kz_per_enc *e, size_t n, uint64_t lb, uint64_t ub);   /* n < 16384 if unbounded */
int kz_per_get_length(kz_per_dec *d, uint64_t lb, uint64_t ub, size_t *n);   /* rejects fragments */
size_t kz_per_put_length_frag(kz_per_enc *e, size_t n);
int kz_per_get_length_frag(kz_per_dec *d, size_t *n, bool *more);

/* ---- simple types ------------------------------------------------------------------------ */

void kz_per_put_bool(kz_per_enc *e, bool v);
int kz_per_get_bool(kz_per_dec *d, bool *v);

/* ENUMERATED with nroot root values; ext = the type has "...".  Values >= nroot are extension
 * values (index v - nroot as a normally small number).  Decoding an unknown extension value
 * succeeds and returns its index (>= nroot): the caller decides. */
void kz_per_put_enum(kz_per_enc *e, uint64_t v, uint64_t nroot, bool ext);
int kz_per_get_enum(kz_per_dec *d, uint64_t nroot, bool ext, uint64_t *v);

/* INTEGER.  Constraint flags say which bounds exist; ext = "..." in the constraint (values
 * outside lb..ub are then encoded unconstrained after a 1 bit). */
typedef kz_asn_int_c kz_per_int_c;   /* the descriptors' own struct: no copy per value */
void kz_per_put_int(kz_per_enc *e, int64_t v, const kz_per_int_c *c);
int kz_per_get_int(kz_per_dec *d, const kz_per_int_c *c, int64_t *v);
/* Unsigned 64-bit variant for INTEGER (0..2^64-1)-style fields (e.g. RANParameter-ID 1..2^32). */
void kz_per_put_uint(kz_per_enc *e, uint64_t v, uint64_t lb, uint64_t ub, bool ext);
int kz_per_get_uint(kz_per_dec *d, uint64_t lb, uint64_t ub, bool ext, uint64_t *v);

/* Size constraint of a string or SEQUENCE OF: SIZE(lb..ub[, ...]); ub = KZ_PER_UNBOUNDED
 * when there is none. */
typedef kz_asn_size_c kz_per_size_c;   /* the descriptors' own struct: no copy per value */

/* OCTET STRING.  Decoding points *p into the input when the contents are contiguous; a
 * fragmented (>= 16K, unbounded) value is reassembled into the arena. */
void kz_per_put_octet_string(kz_per_enc *e, const uint8_t *p, size_t n, const kz_per_size_c *c);
static inline int kz_per_get_octet_string(kz_per_dec *d, const kz_per_size_c *c, kz_arena *a,
                                          const uint8_t **p, size_t *n);

/* BIT STRING of nbits bits, stored left-aligned in ceil(nbits/8) octets (unused low bits of
 * the last octet are zero).  Decoding copies into the arena only when the bits are not
 * octet-aligned in the input (fixed sizes <= 16 bits), when nbits is not a multiple of 8 (so
 * the unused bits of the last octet read back as zero) or when fragmented. */
void kz_per_put_bit_string(kz_per_enc *e, const uint8_t *p, size_t nbits, const kz_per_size_c *c);
int kz_per_get_bit_string(kz_per_dec *d, const kz_per_size_c *c, kz_arena *a,
                          const uint8_t **p, size_t *nbits);

/* PrintableString / VisibleString / IA5String / UTF8String without a PermittedAlphabet:
 * 8 bits per character in APER (UTF8String: octet-string-like, unconstrained).  kind tells
 * which characters are legal; decoding rejects a character outside the type's set. */
enum kz_per_str_kind { KZ_STR_PRINTABLE, KZ_STR_VISIBLE, KZ_STR_IA5, KZ_STR_UTF8 };
void kz_per_put_char_string(kz_per_enc *e, const char *s, size_t n, const kz_per_size_c *c,
                            enum kz_per_str_kind kind);
int kz_per_get_char_string(kz_per_dec *d, const kz_per_size_c *c, enum kz_per_str_kind kind,
                           kz_arena *a, const char **s, size_t *n);

/* REAL (X.691 15 -> X.690 8.5 contents, length-prefixed).  Writes the canonical binary form
 * (base 2, odd mantissa, scale 0, minimal exponent; 0 as empty; specials as X.690 8.5.9).
 * Reads every X.690 form: bases 2/8/16, scale factors, the redundant leading zero octet
 * some asn1c versions write, and decimal NR1/NR2/NR3. */
void kz_per_put_real(kz_per_enc *e, double v);
int kz_per_get_real(kz_per_dec *d, double *v);
/* The same value as the oracle's JSON {"mantissa":M,"base":2,"exponent":E}: v = M * 2^E,
 * M odd (or 0).  Returns false for inf/nan. */
bool kz_real_split(double v, int64_t *mantissa, int *exponent);

/* ---- open types (X.691 11.2) -------------------------------------------------------------
 * An open type is a complete encoding wrapped as an unbounded octet string.  To encode one in
 * place without a second buffer:
 *     size_t mark = kz_per_open_begin(e);  ...encode the inner value with e...;  kz_per_open_end(e, mark);
 * open_end pads the inner value, writes its length in front (moving the contents when the
 * length takes other than the 2 octets reserved) and handles contents of 16K and more. */
size_t kz_per_open_begin(kz_per_enc *e);
void kz_per_open_end(kz_per_enc *e, size_t mark);
/* Read an open type's contents: *inner is a decoder over exactly those octets (pointing into
 * the input; reassembled into the arena if fragmented).  The caller decodes the inner value and
 * may ignore what it does not know: the outer decoder has already moved past it. */
static inline int kz_per_get_open(kz_per_dec *d, kz_arena *a, kz_per_dec *inner);

/* ---- inline fast paths ---------------------------------------------------------------------
 * The bit put/get run a few dozen times per message: the common case (<= 56 bits, 8 octets of
 * buffer left) is one big-endian word access, inlined; everything else (ends of buffers,
 * errors, wide fields) goes to the checked out-of-line code in aper.c. */
void kz__per_put_bits_slow(kz_per_enc *e, uint64_t value, unsigned nbits);
int kz__per_get_bits_slow(kz_per_dec *d, unsigned nbits, uint64_t *value);

static inline uint64_t kz__load_be64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return __builtin_bswap64(w);
}

static inline void kz__store_be64(uint8_t *p, uint64_t w)
{
    w = __builtin_bswap64(w);
    memcpy(p, &w, 8);
}

/* Forced inline: with the constant widths of the generated codecs each use folds to a few
 * instructions, which gcc's size heuristics otherwise trade for a call. */
#if defined(__GNUC__)
#define KZ_PER_INLINE static inline __attribute__((always_inline))
#else
#define KZ_PER_INLINE static inline
#endif

KZ_PER_INLINE void kz_per_put_bits(kz_per_enc *e, uint64_t value, unsigned nbits)
{
    size_t byte = e->bit >> 3;
    /* Octets past the new end are written as zero: that keeps the "partial octet is
     * zero-filled" invariant, and later puts overwrite them. */
    if (nbits <= 56 && !e->err && (value >> nbits) == 0 && byte + 8 <= e->cap) {
        unsigned off = (unsigned)(e->bit & 7);
        uint8_t *b = e->buf + byte;
        uint64_t keep = (uint64_t)(b[0] & (uint8_t)(0xFF00u >> off)) << 56;
        kz__store_be64(b, keep | (nbits ? value << (64 - off - nbits) : 0));
        e->bit += nbits;
        return;
    }
    kz__per_put_bits_slow(e, value, nbits);
}

KZ_PER_INLINE int kz_per_get_bits(kz_per_dec *d, unsigned nbits, uint64_t *value)
{
    if (nbits - 1u < 56u && nbits <= d->len_bits - d->bit) {
        size_t avail = (size_t)(d->readable_end - d->buf);
        if (avail >= (d->bit >> 3) + 8) {
            unsigned off = (unsigned)(d->bit & 7);
            uint64_t w = kz__load_be64(d->buf + (d->bit >> 3));
            *value = (w << off) >> (64 - nbits);
            d->bit += nbits;
            return 0;
        }
        if (avail >= 8) {
            /* within 8 octets of the end: the last 8 readable octets hold the bits */
            size_t pos = d->bit - (avail - 8) * 8;
            uint64_t w = kz__load_be64(d->readable_end - 8);
            *value = (w << pos) >> (64 - nbits);
            d->bit += nbits;
            return 0;
        }
    }
    return kz__per_get_bits_slow(d, nbits, value);
}

void kz__per_put_cwhole_slow(kz_per_enc *e, uint64_t v, uint64_t range);
int kz__per_get_cwhole_slow(kz_per_dec *d, uint64_t range, uint64_t *v);

/* Constrained whole numbers of range 2..65536 (X.691 11.5.7.1-3), the ones E2 uses most:
 * a minimal bit field up to 255, one aligned octet for 256, two aligned octets up to 64K. */
KZ_PER_INLINE void kz_per_put_cwhole(kz_per_enc *e, uint64_t v, uint64_t range)
{
    if (v < range && range - 2 < 65535) {
        if (range <= 255) {
            kz_per_put_bits(e, v, 64u - (unsigned)__builtin_clzll(range - 1));
        } else {
            if (!e->err)
                e->bit = (e->bit + 7) & ~(size_t)7;
            kz_per_put_bits(e, v, range == 256 ? 8 : 16);
        }
        return;
    }
    kz__per_put_cwhole_slow(e, v, range);
}

KZ_PER_INLINE int kz_per_get_cwhole(kz_per_dec *d, uint64_t range, uint64_t *v)
{
    if (range - 2 < 65535) {
        int rc;
        if (range <= 255) {
            rc = kz_per_get_bits(d, 64u - (unsigned)__builtin_clzll(range - 1), v);
        } else {
            d->bit = (d->bit + 7) & ~(size_t)7;
            if (d->bit > d->len_bits)
                d->bit = d->len_bits;
            rc = kz_per_get_bits(d, range == 256 ? 8 : 16, v);
        }
        if (rc)
            return rc;
        return *v < range ? 0 : kz_per_dec_fail(d, KZ_ERANGE);
    }
    return kz__per_get_cwhole_slow(d, range, v);
}

int kz__per_get_open_slow(kz_per_dec *d, kz_arena *a, kz_per_dec *inner);

/* Open type with a one-octet length (< 128 octets, the usual E2AP IE): no call, no copy. */
static inline int kz_per_get_open(kz_per_dec *d, kz_arena *a, kz_per_dec *inner)
{
    size_t byte = (d->bit + 7) >> 3, have = d->len_bits >> 3;
    if (byte < have) {
        size_t n = d->buf[byte];
        if (n < 0x80 && n <= have - byte - 1) {
            inner->buf = d->buf + byte + 1;
            inner->len_bits = n * 8;
            inner->bit = 0;
            inner->err = 0;
            inner->err_bit = 0;
            inner->readable_end = d->readable_end;
            d->bit = (byte + 1 + n) * 8;
            return 0;
        }
    }
    return kz__per_get_open_slow(d, a, inner);
}

static inline void kz_per_put_align(kz_per_enc *e)
{
    if (!e->err)
        e->bit = (e->bit + 7) & ~(size_t)7;   /* the partial octet is already zero-filled */
}

static inline int kz_per_get_align(kz_per_dec *d)
{
    d->bit = (d->bit + 7) & ~(size_t)7;
    if (d->bit > d->len_bits)
        d->bit = d->len_bits;
    return 0;
}

/* Unfragmented unbounded length (< 16K) at an aligned position with the contents present:
 * the fast path of open types and octet strings.  Returns false to fall back to the general
 * code (which then reports whatever is wrong). */
static inline bool kz__fast_len(kz_per_dec *d, size_t *n)
{
    size_t byte = (d->bit + 7) >> 3;
    size_t have = d->len_bits / 8;
    if (byte + 2 > have)
        return false;
    unsigned b0 = d->buf[byte];
    size_t len, hdr;
    if (b0 < 0x80) {
        len = b0;
        hdr = 1;
    } else if ((b0 & 0xc0) == 0x80) {
        len = (size_t)(b0 & 0x3f) << 8 | d->buf[byte + 1];
        hdr = 2;
    } else {
        return false;
    }
    if (len > have - byte - hdr)
        return false;
    d->bit = (byte + hdr) * 8;
    *n = len;
    return true;
}

extern const uint8_t kz__empty[1];      /* what a decoded empty string points at */
int kz__per_get_octet_string_sized(kz_per_dec *d, const kz_per_size_c *c, kz_arena *a,
                                   const uint8_t **p, size_t *n);

/* The unbounded, unfragmented case (E2AP's E2SM payloads) inline; the rest in aper.c. */
static inline int kz_per_get_octet_string(kz_per_dec *d, const kz_per_size_c *c, kz_arena *a,
                                          const uint8_t **p, size_t *n)
{
    if ((!c || (c->ub == KZ_PER_UNBOUNDED && !c->ext && c->lb == 0)) && kz__fast_len(d, n)) {
        *p = *n ? d->buf + d->bit / 8 : kz__empty;
        d->bit += *n * 8;
        return 0;
    }
    return kz__per_get_octet_string_sized(d, c, a, p, n);
}

/* ---- inline helpers for the generated codecs (src/proto/e2sm_*_codec.c) ------------------
 * The common cases of the primitives above, for code that knows the constraint at compile
 * time; each writes / reads exactly what the general function would, and falls back to it
 * (or fails) otherwise. */

extern const uint8_t kz__char_bad[256]; /* bit KZ_STR_<kind>: the octet is not in that set */
bool kz__utf8_ok(const uint8_t *s, size_t n);

/* Every character of s[0..n) is in the set of kind (UTF8String: well-formed UTF-8). */
static inline bool kz_per_chars_ok(const uint8_t *s, size_t n, enum kz_per_str_kind kind)
{
    if (kind == KZ_STR_UTF8)
        return kz__utf8_ok(s, n);
    /* 8 characters a step; the rest as an overlapping group of 8 (or 4) ending at the end:
     * characters looked at twice change nothing in an OR */
#define KZ__BAD4(q) (kz__char_bad[(q)[0]] | kz__char_bad[(q)[1]] | kz__char_bad[(q)[2]] | kz__char_bad[(q)[3]])
    unsigned bad = 0;
    const uint8_t *end = s + n;
    if (n >= 8) {
        for (; end - s > 8; s += 8)
            bad |= KZ__BAD4(s) | KZ__BAD4(s + 4);
        bad |= KZ__BAD4(end - 8) | KZ__BAD4(end - 4);
    } else if (n >= 4) {
        bad = KZ__BAD4(s) | KZ__BAD4(end - 4);
    } else {
        for (; s < end; s++)
            bad |= kz__char_bad[*s];
    }
#undef KZ__BAD4
    return !(bad & (1u << kind));
}

/* n octets at an aligned position (kz_per_put_octets), short ones without a call. */
static inline void kz_per_put_octets_aligned(kz_per_enc *e, const uint8_t *p, size_t n)
{
    size_t byte = e->bit >> 3;
    if (n <= 16 && !e->err && !(e->bit & 7) && byte + 16 <= e->cap) {
        uint8_t *o = e->buf + byte;
        if (n >= 8) {
            memcpy(o, p, 8);
            memcpy(o + n - 8, p + n - 8, 8);
        } else if (n >= 4) {
            memcpy(o, p, 4);
            memcpy(o + n - 4, p + n - 4, 4);
        } else {
            for (size_t i = 0; i < n; i++)
                o[i] = p[i];
        }
        e->bit += n * 8;
        return;
    }
    kz_per_put_octets(e, p, n);
}

/* n octets at an aligned position (kz_per_get_octets): *p points into the input. */
static inline int kz_per_get_octets_aligned(kz_per_dec *d, size_t n, const uint8_t **p)
{
    if (!(d->bit & 7) && n <= (d->len_bits - d->bit) / 8) {
        *p = n ? d->buf + d->bit / 8 : kz__empty;
        d->bit += n * 8;
        return 0;
    }
    return kz_per_get_octets(d, n, p);
}

/* kz_per_put_bits for a value the caller has checked to fit nbits (the generated encoders
 * check every value before writing): no range check and no sticky-error test -- after an
 * error the caller discards the output anyway, and the write stays inside the buffer. */
KZ_PER_INLINE void kz_per_put_bits_fit(kz_per_enc *e, uint64_t value, unsigned nbits)
{
    size_t byte = e->bit >> 3;
    if (nbits <= 56 && byte + 8 <= e->cap) {
        unsigned off = (unsigned)(e->bit & 7);
        uint8_t *b = e->buf + byte;
        uint64_t keep = (uint64_t)(b[0] & (uint8_t)(0xFF00u >> off)) << 56;
        kz__store_be64(b, keep | (nbits ? value << (64 - off - nbits) : 0));
        e->bit += nbits;
        return;
    }
    kz__per_put_bits_slow(e, value, nbits);
}

/* kz_arena_alloc (zeroed, 8-aligned, NULL when full), inline: the generated decoders take
 * their list items and pointer fields from the arena as the interpreter does. */
static inline void *kz_per_arena_alloc(kz_arena *a, size_t n)
{
    size_t start = (a->used + 7u) & ~(size_t)7u;
    if (start < a->used || n > a->cap || start > a->cap - n)
        return NULL;
    a->used = start + n;
    memset(a->base + start, 0, n);
    return a->base + start;
}

/* The contents of a BIT STRING of n <= 56 bits (left-aligned in buf) as kz__put_units writes
 * them (the whole octets, then the leading bits of the last), as one bit-field. */
static inline void kz_per_put_bits_msb(kz_per_enc *e, const uint8_t *buf, size_t n)
{
    if (n == 0)
        return;
    size_t nb = (n + 7) / 8;
    uint64_t w = 0;
    for (size_t i = 0; i < nb; i++)
        w = w << 8 | buf[i];
    kz_per_put_bits(e, w >> (nb * 8 - n), (unsigned)n);
}

/* n <= 56 bits of a BIT STRING at an aligned position, as kz__get_units reads them: whole
 * octets point into the input, otherwise a copy in the arena with the unused bits zero. */
static inline int kz_per_get_bits_msb(kz_per_dec *d, kz_arena *a, size_t n, const uint8_t **p)
{
    if ((n & 7) == 0 && (d->bit & 7) == 0)
        return kz_per_get_octets_aligned(d, n / 8, p);
    uint64_t w;
    if (kz_per_get_bits(d, (unsigned)n, &w))
        return -1;
    size_t nb = (n + 7) / 8;
    uint8_t *o = (uint8_t *)kz_per_arena_alloc(a, nb);
    if (!o)
        return kz_per_dec_fail(d, KZ_ENOMEM);
    w <<= 64 - n;
    for (size_t i = 0; i < nb; i++)
        o[i] = (uint8_t)(w >> (56 - 8 * i));
    *p = o;
    return 0;
}

/* Constrained whole number of a range above 64K (X.691 11.5.7.4, kz_per_put_cwhole's slow
 * case): the octet count as a constrained number, then the octets, aligned. */
KZ_PER_INLINE void kz_per_put_cwhole_wide(kz_per_enc *e, uint64_t v, uint64_t range)
{
    if (v < range && range > 65536 && !e->err) {
        unsigned n = v ? (unsigned)(71 - __builtin_clzll(v)) / 8 : 1;
        unsigned lr = (unsigned)(71 - __builtin_clzll(range - 1)) / 8;
        kz_per_put_cwhole(e, n - 1, lr);
        kz_per_put_align(e);
        kz_per_put_bits(e, v, 8 * n);
        return;
    }
    kz__per_put_cwhole_slow(e, v, range);
}

KZ_PER_INLINE int kz_per_get_cwhole_wide(kz_per_dec *d, uint64_t range, uint64_t *v)
{
    if (range <= 65536)
        return kz__per_get_cwhole_slow(d, range, v);
    uint64_t n;
    int rc = kz_per_get_cwhole(d, (unsigned)(71 - __builtin_clzll(range - 1)) / 8, &n);
    if (rc)
        return rc;
    kz_per_get_align(d);
    if ((rc = kz_per_get_bits(d, (unsigned)(n + 1) * 8, v)) != 0)
        return rc;
    return *v < range ? 0 : kz_per_dec_fail(d, KZ_ERANGE);
}

/* Unconstrained INTEGER (kz_per_put_int / kz_per_get_int without bounds): values that fit
 * one octet are a length octet 1 and the octet. */
static inline void kz_per_put_int_unc(kz_per_enc *e, int64_t v, const kz_per_int_c *c)
{
    if (v >= -128 && v <= 127 && !e->err) {
        kz_per_put_align(e);
        kz_per_put_bits(e, 0x100u | (uint8_t)v, 16);
        return;
    }
    kz_per_put_int(e, v, c);
}

static inline int kz_per_get_int_unc(kz_per_dec *d, const kz_per_int_c *c, int64_t *v)
{
    size_t byte = (d->bit + 7) >> 3;
    if (byte + 2 <= d->len_bits / 8 && d->buf[byte] == 1) {
        *v = (int8_t)d->buf[byte + 1];
        d->bit = (byte + 2) * 8;
        return 0;
    }
    return kz_per_get_int(d, c, v);
}

#endif
