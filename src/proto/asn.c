/*
 * asn.c -- APER encode / decode of any generated type by walking its descriptor.
 *
 * Why a descriptor walker and not asn1c: asn1c's generated code mallocs every node of every
 * message and asserts on what it does not expect; E2AP here is ~150 types and the E2SMs ~250
 * more, so one small, fuzzed interpreter over const tables (tools/asn1gen.py) is both less code
 * to trust and faster: values land in one caller arena, octet strings point into the input, and
 * the per-node work is a switch plus the APER primitive (aper.c).
 *
 * Guarantees:
 *  - decoding never reads past the input (aper.c checks every length) and never allocates
 *    outside the caller's arena; nesting is bounded (KZ_ASN_MAX_DEPTH) for recursive E2SM types;
 *  - unknown SEQUENCE extension additions, CHOICE extension alternatives and ENUMERATED
 *    extension values are skipped / kept as an index, never fatal (a newer peer must work);
 *  - E2AP IE containers follow E2AP 10.3 (abstract syntax errors): unknown IEs are skipped,
 *    listed (notify) or refused (reject) by their criticality; missing mandatory IEs are listed;
 *  - the first error is reported with its ASN.1 path and bit offset in kz_asn_diag.
 * Encoding writes the canonical APER; it checks every constraint and fails (KZ_ERANGE) rather
 * than writing bytes a peer would reject.
 *
 * The E2SM types also have generated code (descriptor .fenc / .fdec, src/proto/e2sm_*_codec.c,
 * docs/codec.md): kz_asn_encode / kz_asn_decode try it first -- an E2SM payload is a large tree
 * of small elements, where this walker's per-element cost dominated -- and run the walker from
 * the start when it gives up, so errors, paths and offsets always come from here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kizuna/asn.h"
#include "proto/aper.h"
#include "proto/asn_internal.h"

#define KZ_ASN_MAX_DEPTH 64

#if defined(__GNUC__)
#define KZ_NOINLINE __attribute__((noinline))
#else
#define KZ_NOINLINE
#endif

/* ---- diagnostics -------------------------------------------------------------------------- */

void kz_asn_diag_init(kz_asn_diag *diag)
{
    /* Not a memset of the whole struct: this runs before every decode, and the text buffers
     * only matter once code != 0 (fail() writes them then). */
    diag->code = 0;
    diag->bit = 0;
    diag->path[0] = 0;
    diag->detail[0] = 0;
    diag->n_ies = 0;
    diag->procedure_code = -1;
    diag->triggering_message = -1;
    diag->procedure_criticality = -1;
}

const char *kz_asn_diag_format(const kz_asn_diag *diag, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s: %s (bit %zu)", diag->path[0] ? diag->path : "(top)",
             diag->detail[0] ? diag->detail : kz_strerror(diag->code), diag->bit);
    return buf;
}

/* First error wins: record what and where. */
static int fail(kz_asn_diag *diag, int code, size_t bit, const char *fmt, ...)
{
    if (diag && diag->code == 0) {
        diag->code = code;
        diag->bit = bit;
        diag->path[0] = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diag->detail, sizeof diag->detail, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* While unwinding an error, put one path component in front of the path. */
static void path_push(kz_asn_diag *diag, const char *fmt, ...)
{
    if (!diag)
        return;
    char comp[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(comp, sizeof comp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t clen = strlen(comp), plen = strlen(diag->path);
    if (clen + plen + 1 > sizeof diag->path) {
        if (clen >= sizeof diag->path)
            return;
        plen = sizeof diag->path - 1 - clen;   /* keep the head, cut the tail */
    }
    memmove(diag->path + clen, diag->path, plen);
    memcpy(diag->path, comp, clen);
    diag->path[clen + plen] = 0;
}

static void diag_ie(kz_asn_diag *diag, uint32_t id, unsigned crit, unsigned toe)
{
    if (!diag || diag->n_ies >= KZ_ASN_DIAG_MAX_IES)
        return;
    diag->ies[diag->n_ies].id = id;
    diag->ies[diag->n_ies].criticality = (uint8_t)crit;
    diag->ies[diag->n_ies].type_of_error = (uint8_t)toe;
    diag->n_ies++;
}

static inline bool flag_get(const void *base, uint32_t off)
{
    return off == KZ_ASN_NO_FLAG || *(const bool *)((const char *)base + off);
}

static inline void flag_set(void *base, uint32_t off)
{
    if (off != KZ_ASN_NO_FLAG)
        *(bool *)((char *)base + off) = true;
}

/* ---- encoder ------------------------------------------------------------------------------- */

typedef struct enc_ctx {
    kz_per_enc *e;
    kz_asn_diag *diag;
    int depth;
} enc_ctx;

static int enc_value(enc_ctx *c, const kz_asn_type *t, const void *v);

/* ProtocolIE-Field header: id INTEGER (0..65535) is two aligned octets, criticality
 * ENUMERATED {reject, ignore, notify} two bits -- written as one 18-bit field. */
static inline void put_ie_header(kz_per_enc *e, uint32_t id, unsigned crit)
{
    kz_per_put_align(e);
    kz_per_put_bits(e, (uint64_t)id << 2 | crit, 18);
}

static inline int get_ie_header(kz_per_dec *d, uint64_t *id, uint64_t *crit)
{
    uint64_t w;
    kz_per_get_align(d);
    int rc = kz_per_get_bits(d, 18, &w);
    if (rc)
        return rc;
    *id = w >> 2;
    *crit = w & 3;
    return *crit == 3 ? kz_per_dec_fail(d, KZ_ERANGE) : 0;
}

static int enc_field(enc_ctx *c, const kz_asn_type *t, const void *base, uint32_t off, uint32_t flags)
{
    const void *v = (const char *)base + off;
    if (flags & KZ_ASN_F_PTR) {
        v = *(const void *const *)v;
        if (!v)
            return fail(c->diag, KZ_EINVAL, c->e->bit, "NULL pointer for %s", t->name);
        /* nesting is counted where recursion can pass, exactly as the decoder counts it */
        if (++c->depth > KZ_ASN_MAX_DEPTH) {
            c->depth--;
            return fail(c->diag, KZ_EDEPTH, c->e->bit, "%s: nesting deeper than %d", t->name, KZ_ASN_MAX_DEPTH);
        }
        int rc = enc_value(c, t, v);
        c->depth--;
        return rc;
    }
    return enc_value(c, t, v);
}

static int enc_open(enc_ctx *c, const kz_asn_type *t, const void *base, uint32_t off, uint32_t flags)
{
    size_t mark = kz_per_open_begin(c->e);
    int rc = enc_field(c, t, base, off, flags);
    if (rc)
        return rc;
    kz_per_open_end(c->e, mark);
    return c->e->err;
}

static bool size_ok(const kz_asn_size_c *sc, uint64_t n)
{
    return n >= sc->lb && n <= sc->ub;
}

static int enc_seq(enc_ctx *c, const kz_asn_type *t, const void *v)
{
    kz_per_enc *e = c->e;
    bool any_add = false;
    for (unsigned i = t->nroot; i < t->n; i++)
        if (flag_get(v, t->fields[i].has_offset))
            any_add = true;
    if (t->ext)
        kz_per_put_bits(e, any_add, 1);
    for (unsigned i = 0; i < t->nroot; i++)
        if (t->fields[i].has_offset != KZ_ASN_NO_FLAG)
            kz_per_put_bits(e, flag_get(v, t->fields[i].has_offset), 1);
    for (unsigned i = 0; i < t->nroot; i++) {
        const kz_asn_field *f = &t->fields[i];
        if (!flag_get(v, f->has_offset))
            continue;
        int rc = enc_field(c, f->type, v, f->offset, f->flags);
        if (rc) {
            path_push(c->diag, ".%s", f->name);
            return rc;
        }
    }
    if (any_add) {
        unsigned nadd = t->n - t->nroot;
        kz_per_put_nsnn(e, nadd - 1);
        for (unsigned i = t->nroot; i < t->n; i++)
            kz_per_put_bits(e, flag_get(v, t->fields[i].has_offset), 1);
        for (unsigned i = t->nroot; i < t->n; i++) {
            const kz_asn_field *f = &t->fields[i];
            if (!flag_get(v, f->has_offset))
                continue;
            int rc = enc_open(c, f->type, v, f->offset, f->flags);
            if (rc) {
                path_push(c->diag, ".%s", f->name);
                return rc;
            }
        }
    }
    return e->err;
}

static int enc_choice(enc_ctx *c, const kz_asn_type *t, const void *v)
{
    uint32_t present = *(const uint32_t *)v;
    if (present == 0 || present > t->n)
        return fail(c->diag, KZ_ECHOICE, c->e->bit, "%s: no valid alternative (present=%u)",
                    t->name, present);
    unsigned i = present - 1;
    const kz_asn_field *f = &t->fields[i];
    int rc;
    if (i < t->nroot) {
        if (t->ext)
            kz_per_put_bits(c->e, 0, 1);
        kz_per_put_cwhole(c->e, i, t->nroot);
        rc = enc_field(c, f->type, v, f->offset, f->flags);
    } else {
        kz_per_put_bits(c->e, 1, 1);
        kz_per_put_nsnn(c->e, i - t->nroot);
        rc = enc_open(c, f->type, v, f->offset, f->flags);
    }
    if (rc)
        path_push(c->diag, ".%s", f->name);
    return rc ? rc : c->e->err;
}

/* Length of a SEQUENCE OF / string with its size constraint; returns true when the contents
 * must be written with the fragmenting (unbounded) length form. */
static int enc_size(enc_ctx *c, const kz_asn_type *t, uint64_t n, bool *unbounded)
{
    const kz_asn_size_c *sc = &t->sc;
    bool in_root = size_ok(sc, n);
    if (!in_root && !sc->ext)
        return fail(c->diag, KZ_ERANGE, c->e->bit, "%s: size %llu outside %llu..%llu", t->name,
                    (unsigned long long)n, (unsigned long long)sc->lb, (unsigned long long)sc->ub);
    if (sc->ext)
        kz_per_put_bits(c->e, !in_root, 1);
    *unbounded = !in_root || sc->ub >= 65536;
    if (!*unbounded)
        kz_per_put_length(c->e, (size_t)n, sc->lb, sc->ub);
    return 0;
}

static int enc_seqof_items(enc_ctx *c, const kz_asn_type *t, const void *v);

static int enc_seqof(enc_ctx *c, const kz_asn_type *t, const void *v)
{
    if (++c->depth > KZ_ASN_MAX_DEPTH) {
        c->depth--;
        return fail(c->diag, KZ_EDEPTH, c->e->bit, "%s: nesting deeper than %d", t->name, KZ_ASN_MAX_DEPTH);
    }
    int rc = enc_seqof_items(c, t, v);
    c->depth--;
    return rc;
}

static int enc_seqof_items(enc_ctx *c, const kz_asn_type *t, const void *v)
{
    const kz_asn_seqof *s = v;
    if (s->count && !s->items)
        return fail(c->diag, KZ_EINVAL, c->e->bit, "%s: count %u with no items", t->name, s->count);
    bool unbounded = false;
    int rc = enc_size(c, t, s->count, &unbounded);
    if (rc)
        return rc;
    const kz_asn_type *et = t->elem;
    const char *item = s->items;
    size_t left = s->count, idx = 0;
    do {
        size_t chunk = unbounded ? kz_per_put_length_frag(c->e, left) : left;
        for (size_t k = 0; k < chunk; k++, idx++) {
            rc = enc_value(c, et, item + idx * et->size);
            if (rc) {
                path_push(c->diag, "[%zu]", idx);
                return rc;
            }
        }
        left -= chunk;
        if (!unbounded || chunk < 16384)
            break;
    } while (1);
    return c->e->err;
}

static int enc_ies(enc_ctx *c, const kz_asn_type *t, const void *v)
{
    unsigned count = 0;
    for (unsigned i = 0; i < t->n; i++)
        count += flag_get(v, t->ies[i].has_offset);
    kz_per_put_length(c->e, count, 0, 65535);
    for (unsigned i = 0, k = 0; i < t->n; i++) {
        const kz_asn_ie *ie = &t->ies[i];
        if (!flag_get(v, ie->has_offset))
            continue;
        put_ie_header(c->e, ie->id, ie->criticality);
        int rc = enc_open(c, ie->type, v, ie->offset, ie->flags);
        if (rc) {
            path_push(c->diag, "[%u](id %u)", k, ie->id);
            return rc;
        }
        k++;
    }
    return c->e->err;
}

static int enc_value(enc_ctx *c, const kz_asn_type *t, const void *v)
{
    kz_per_enc *e = c->e;
    int rc = 0;
    switch (t->kind) {
    case KZ_ASN_INT: {
        int64_t x = *(const int64_t *)v;
        const kz_asn_int_c *ic = &t->ic;
        if (!ic->ext && ((ic->has_lb && x < ic->lb) || (ic->has_ub && x > ic->ub))) {
            rc = fail(c->diag, KZ_ERANGE, e->bit, "%s: %lld outside %lld..%lld", t->name,
                      (long long)x, (long long)ic->lb, (long long)ic->ub);
            break;
        }
        if (ic->has_lb && ic->has_ub && !ic->ext) {   /* the common case: (lb..ub) */
            kz_per_put_cwhole(e, (uint64_t)x - (uint64_t)ic->lb, (uint64_t)ic->ub - (uint64_t)ic->lb + 1);
            break;
        }
        kz_per_put_int(e, x, ic);
        break;
    }
    case KZ_ASN_ENUM: {
        uint32_t x = *(const uint32_t *)v;
        if (x >= t->nroot && !t->ext) {
            rc = fail(c->diag, KZ_ERANGE, e->bit, "%s: value index %u outside 0..%u", t->name, x,
                      t->nroot - 1);
            break;
        }
        kz_per_put_enum(e, x, t->nroot, t->ext);
        break;
    }
    case KZ_ASN_BOOL:
        kz_per_put_bool(e, *(const bool *)v);
        break;
    case KZ_ASN_NULL:
        break;
    case KZ_ASN_REAL:
        kz_per_put_real(e, *(const double *)v);
        break;
    case KZ_ASN_BITS: {
        const kz_bits *b = v;
        if (!size_ok(&t->sc, b->nbits) && !t->sc.ext) {
            rc = fail(c->diag, KZ_ERANGE, e->bit, "%s: %u bits outside %llu..%llu", t->name,
                      b->nbits, (unsigned long long)t->sc.lb, (unsigned long long)t->sc.ub);
            break;
        }
        const kz_per_size_c *sc = &t->sc;
        kz_per_put_bit_string(e, b->buf, b->nbits, sc);
        break;
    }
    case KZ_ASN_OCTETS:
    case KZ_ASN_CHARS: {
        const kz_octets *o = v;
        if (!size_ok(&t->sc, o->len) && !t->sc.ext) {
            rc = fail(c->diag, KZ_ERANGE, e->bit, "%s: length %u outside %llu..%llu", t->name,
                      o->len, (unsigned long long)t->sc.lb, (unsigned long long)t->sc.ub);
            break;
        }
        if (o->len && !o->buf) {
            rc = fail(c->diag, KZ_EINVAL, e->bit, "%s: length %u with no buffer", t->name, o->len);
            break;
        }
        const kz_per_size_c *sc = &t->sc;
        if (t->kind == KZ_ASN_OCTETS)
            kz_per_put_octet_string(e, o->buf, o->len, sc);
        else
            kz_per_put_char_string(e, (const char *)o->buf, o->len, sc,
                                   (enum kz_per_str_kind)t->str_kind);
        break;
    }
    case KZ_ASN_SEQ:
        rc = enc_seq(c, t, v);
        break;
    case KZ_ASN_SEQOF:
        rc = enc_seqof(c, t, v);
        break;
    case KZ_ASN_CHOICE:
        rc = enc_choice(c, t, v);
        break;
    case KZ_ASN_ALIAS:
        rc = enc_value(c, t->elem, v);
        break;
    case KZ_ASN_IES:
        rc = enc_ies(c, t, v);
        break;
    case KZ_ASN_IESINGLE: {
        const kz_asn_ie *ie = &t->ies[0];
        put_ie_header(e, ie->id, ie->criticality);
        rc = enc_open(c, ie->type, v, ie->offset, ie->flags);
        if (rc)
            path_push(c->diag, "(id %u)", ie->id);
        break;
    }
    case KZ_ASN_PROCMSG: {
        uint32_t present = *(const uint32_t *)v;
        if (present == 0 || present > t->n) {
            rc = fail(c->diag, KZ_ECHOICE, e->bit, "%s: no message (present=%u)", t->name, present);
            break;
        }
        const kz_asn_ie *p = &t->ies[present - 1];
        kz_per_put_cwhole(e, p->id, 256);
        kz_per_put_enum(e, p->criticality, 3, false);
        rc = enc_open(c, p->type, v, p->offset, 0);
        if (rc)
            path_push(c->diag, ".value(%s)", p->name);
        break;
    }
    default:
        rc = fail(c->diag, KZ_EINVAL, e->bit, "bad descriptor kind %d", t->kind);
    }
    return rc;   /* aper errors are sticky in e->err: kz_asn_encode reports them at the end */
}

int kz_asn_encode_per(const kz_asn_type *t, const void *value, kz_per_enc *e, kz_asn_diag *diag)
{
    enc_ctx c = { e, diag, 0 };
    return enc_value(&c, t, value);
}

/* The generated code of t (src/proto/e2sm_*_codec.c): the length, or -1 when it gave up (the
 * caller then starts again with the interpreter, which writes the same bits or fails with the
 * diagnostics).  Out of line, so that the interpreter's callers (E2AP) do not pay for it. */
static KZ_NOINLINE long encode_generated(const kz_asn_type *t, const void *value, uint8_t *buf,
                                        size_t cap)
{
    kz_per_enc e = { buf, cap > SIZE_MAX / 8 ? SIZE_MAX / 8 : cap, 0, 0 };   /* kz_per_enc_init */
    if (t->fenc(&e, value, 0) == 0 && !e.err) {
        if (e.bit == 0)
            kz_per_put_bits(&e, 0, 8);   /* kz_per_enc_finish: an empty value is one octet */
        kz_per_put_align(&e);
        if (!e.err)
            return (long)(e.bit / 8);
    }
    return -1;
}

long kz_asn_encode(const kz_asn_type *t, const void *value, uint8_t *buf, size_t cap,
                   kz_asn_diag *diag)
{
    if (t->fenc) {
        long n = encode_generated(t, value, buf, cap);
        if (n >= 0)
            return n;
    }
    kz_per_enc e;
    kz_per_enc_init(&e, buf, cap);
    int rc = kz_asn_encode_per(t, value, &e, diag);
    if (rc) {
        path_push(diag, "%s", t->name);
        return rc;
    }
    long n = kz_per_enc_finish(&e);
    if (n < 0)
        fail(diag, (int)n, e.bit, "%s", kz_strerror((int)n));
    return n;
}

/* ---- decoder ------------------------------------------------------------------------------- */

typedef struct dec_ctx {
    kz_arena *a;
    kz_asn_diag *diag;
    int depth;
} dec_ctx;

static int dec_value(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *out);

/* APER primitive failed: record it with the type's name. */
static int dfail(dec_ctx *c, kz_per_dec *d, const kz_asn_type *t, int rc)
{
    return fail(c->diag, rc, d->err ? d->err_bit : d->bit, "%s: %s", t->name, kz_strerror(rc));
}

/* dec_field and dec_open are forced inline: they sit between every pair of dec_value calls,
 * and a frame each costs more than their bodies (measured: P5 decode). */
#if defined(__GNUC__)
#define KZ_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define KZ_ALWAYS_INLINE inline
#endif

static KZ_ALWAYS_INLINE int dec_field(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *base,
                                      uint32_t off, uint32_t flags)
{
    void *out = (char *)base + off;
    if (flags & KZ_ASN_F_PTR) {
        void *p = kz_arena_alloc(c->a, t->size);
        if (!p)
            return fail(c->diag, KZ_ENOMEM, d->bit, "%s: arena exhausted", t->name);
        *(void **)out = p;
        /* Recursion (E2SM-RC's RAN parameter tree) only passes pointer fields and SEQUENCE OF:
         * nesting is counted there, not on every value. */
        if (++c->depth > KZ_ASN_MAX_DEPTH) {
            c->depth--;
            return fail(c->diag, KZ_EDEPTH, d->bit, "%s: nesting deeper than %d", t->name, KZ_ASN_MAX_DEPTH);
        }
        int rc = dec_value(c, t, d, p);
        c->depth--;
        return rc;
    }
    return dec_value(c, t, d, out);
}

/* Decode an open type's contents as type t (trailing bits inside the open type are allowed:
 * X.691 pads the inner encoding). */
static KZ_ALWAYS_INLINE int dec_open(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *base,
                                     uint32_t off, uint32_t flags)
{
    kz_per_dec inner;
    int rc = kz_per_get_open(d, c->a, &inner);
    if (rc)
        return dfail(c, d, t, rc);
    bool clean = !c->diag || c->diag->code == 0;
    rc = dec_field(c, t, &inner, base, off, flags);
    /* An error recorded inside has an offset relative to the open type's octets: make it
     * relative to ours (each enclosing open type does the same on the way out).  Contents
     * reassembled from fragments live in the arena: their offset is left as it is. */
    if (rc && clean && c->diag && c->diag->code && inner.buf >= d->buf &&
        inner.buf < d->buf + d->len_bits / 8)
        c->diag->bit += (size_t)(inner.buf - d->buf) * 8;
    return rc;
}

static int skip_open(dec_ctx *c, kz_per_dec *d, const char *what)
{
    kz_per_dec inner;
    int rc = kz_per_get_open(d, c->a, &inner);
    if (rc)
        return fail(c->diag, rc, d->err ? d->err_bit : d->bit, "%s: %s", what, kz_strerror(rc));
    return 0;
}

static int dec_seq(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *v)
{
    uint64_t ext = 0, bit;
    int rc;
    if (t->ext && (rc = kz_per_get_bits(d, 1, &ext)))
        return dfail(c, d, t, rc);
    uint64_t present_mask = 0;   /* bit i = optional root field i present */
    for (unsigned i = 0; i < t->nroot; i++) {
        if (t->fields[i].has_offset == KZ_ASN_NO_FLAG)
            continue;
        if ((rc = kz_per_get_bits(d, 1, &bit)))
            return dfail(c, d, t, rc);
        if (bit)
            present_mask |= 1ull << (i & 63);
    }
    for (unsigned i = 0; i < t->nroot; i++) {
        const kz_asn_field *f = &t->fields[i];
        if (f->has_offset != KZ_ASN_NO_FLAG) {
            if (!(present_mask & (1ull << (i & 63))))
                continue;
            flag_set(v, f->has_offset);
        }
        rc = dec_field(c, f->type, d, v, f->offset, f->flags);
        if (rc) {
            path_push(c->diag, ".%s", f->name);
            return rc;
        }
    }
    if (!ext)
        return 0;
    uint64_t nm1;
    if ((rc = kz_per_get_nsnn(d, &nm1)))
        return dfail(c, d, t, rc);
    uint64_t nadd = nm1 + 1;
    if (nadd > kz_per_dec_remaining_bits(d))
        return dfail(c, d, t, kz_per_dec_fail(d, KZ_ETRUNC));
    size_t bitmap_at = d->bit;
    d->bit += nadd;   /* checked above; read the bitmap from bitmap_at as we go */
    unsigned known = t->n - t->nroot;
    for (uint64_t i = 0; i < nadd; i++) {
        size_t pos = bitmap_at + i;
        bool on = (d->buf[pos >> 3] >> (7 - (pos & 7))) & 1;
        if (!on)
            continue;
        if (i < known) {
            const kz_asn_field *f = &t->fields[t->nroot + i];
            flag_set(v, f->has_offset);
            rc = dec_open(c, f->type, d, v, f->offset, f->flags);
            if (rc) {
                path_push(c->diag, ".%s", f->name);
                return rc;
            }
        } else if ((rc = skip_open(c, d, t->name))) {
            path_push(c->diag, ".<extension %llu>", (unsigned long long)i);
            return rc;
        }
    }
    return 0;
}

/* Decoding fills storage that must start zeroed (has_ flags, counts).  A CHOICE's union is
 * as large as its largest alternative -- for E2AP-PDU, the largest message -- so instead of
 * zeroing whole unions, the decoder zeroes the alternative it is about to fill. */
static inline void clear_alternative(void *v, const kz_asn_field *f)
{
    char *p = (char *)v + f->offset;
    if (f->flags & KZ_ASN_F_PTR)
        memset(p, 0, sizeof(void *));
    else if (f->type->kind == KZ_ASN_CHOICE || f->type->kind == KZ_ASN_PROCMSG)
        *(uint32_t *)p = 0;   /* it clears its own alternative in turn */
    else
        memset(p, 0, f->type->size);
}

static int dec_choice(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *v)
{
    uint64_t ext = 0, idx;
    int rc;
    if (t->ext && (rc = kz_per_get_bits(d, 1, &ext)))
        return dfail(c, d, t, rc);
    if (!ext) {
        if ((rc = kz_per_get_cwhole(d, t->nroot, &idx)))
            return dfail(c, d, t, rc);
        const kz_asn_field *f = &t->fields[idx];
        *(uint32_t *)v = (uint32_t)idx + 1;
        clear_alternative(v, f);
        rc = dec_field(c, f->type, d, v, f->offset, f->flags);
        if (rc)
            path_push(c->diag, ".%s", f->name);
        return rc;
    }
    if ((rc = kz_per_get_nsnn(d, &idx)))
        return dfail(c, d, t, rc);
    idx += t->nroot;
    if (idx < t->n) {
        const kz_asn_field *f = &t->fields[idx];
        *(uint32_t *)v = (uint32_t)idx + 1;
        clear_alternative(v, f);
        rc = dec_open(c, f->type, d, v, f->offset, f->flags);
        if (rc)
            path_push(c->diag, ".%s", f->name);
        return rc;
    }
    /* an alternative from a newer version: skip it, remember that it was unknown */
    *(uint32_t *)v = idx > UINT32_MAX - 1 ? UINT32_MAX : (uint32_t)idx + 1;
    return skip_open(c, d, t->name);
}

/* Size of a string / SEQUENCE OF: *n, and whether the contents use the fragmenting form. */
static int dec_size(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, size_t *n, bool *unbounded)
{
    uint64_t ext = 0;
    int rc;
    if (t->sc.ext && (rc = kz_per_get_bits(d, 1, &ext)))
        return dfail(c, d, t, rc);
    *unbounded = ext || t->sc.ub >= 65536;
    if (*unbounded)
        return 0;
    if ((rc = kz_per_get_length(d, t->sc.lb, t->sc.ub, n)))
        return dfail(c, d, t, rc);
    return 0;
}

/* A lower bound on the bits any value of t takes (0 when it can be empty), looking `depth`
 * levels down: used to refuse list counts the remaining input cannot hold. */
static size_t min_bits(const kz_asn_type *t, int depth)
{
    if (depth < 0)
        return 0;
    switch (t->kind) {
    case KZ_ASN_IESINGLE:
        return 32;   /* id, criticality, an open type's length octet */
    case KZ_ASN_BOOL:
        return 1;
    case KZ_ASN_INT:
        return t->ic.ext || !t->ic.has_lb || !t->ic.has_ub || t->ic.ub > t->ic.lb;
    case KZ_ASN_ENUM:
    case KZ_ASN_CHOICE:
        return t->ext || t->nroot > 1;
    case KZ_ASN_ALIAS:
        return min_bits(t->elem, depth);
    case KZ_ASN_SEQ: {
        size_t b = t->ext;
        for (unsigned i = 0; i < t->nroot; i++)
            b += t->fields[i].has_offset == KZ_ASN_NO_FLAG ? min_bits(t->fields[i].type, depth - 1) : 1;
        return b;
    }
    default:
        return 0;
    }
}

static int dec_seqof_items(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *v);

static int dec_seqof(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *v)
{
    if (++c->depth > KZ_ASN_MAX_DEPTH) {
        c->depth--;
        return fail(c->diag, KZ_EDEPTH, d->bit, "%s: nesting deeper than %d", t->name, KZ_ASN_MAX_DEPTH);
    }
    int rc = dec_seqof_items(c, t, d, v);
    c->depth--;
    return rc;
}

static int dec_seqof_items(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *v)
{
    kz_asn_seqof *s = v;
    const kz_asn_type *et = t->elem;
    size_t n = 0;
    bool unbounded = false, more = false;
    int rc = dec_size(c, t, d, &n, &unbounded);
    if (rc)
        return rc;
    size_t total = 0;
    char *items = NULL;
    do {
        if (unbounded && (rc = kz_per_get_length_frag(d, &n, &more)))
            return dfail(c, d, t, rc);
        if (total + n > UINT32_MAX || (et->size && n > (SIZE_MAX / 2) / et->size))
            return fail(c->diag, KZ_ERANGE, d->bit, "%s: %zu items", t->name, total + n);
        /* A count the input cannot hold is a truncated PDU, not a reason to reserve memory. */
        if (n > 64 && n > kz_per_dec_remaining_bits(d) / (min_bits(et, 4) | 1) + 1 && min_bits(et, 4))
            return fail(c->diag, KZ_ETRUNC, d->bit, "%s: %zu items cannot fit in %zu remaining bits",
                        t->name, n, kz_per_dec_remaining_bits(d));
        char *grown = kz_arena_alloc(c->a, (total + n) * et->size + 1);
        if (!grown)
            return fail(c->diag, KZ_ENOMEM, d->bit, "%s: %zu items exhaust the arena", t->name, total + n);
        if (total)
            memcpy(grown, items, total * et->size);   /* only for fragmented lists */
        items = grown;
        for (size_t k = 0; k < n; k++) {
            rc = dec_value(c, et, d, items + (total + k) * et->size);
            if (rc) {
                path_push(c->diag, "[%zu]", total + k);
                return rc;
            }
        }
        total += n;
    } while (more);
    if (unbounded && !t->sc.ext && !size_ok(&t->sc, total))
        return fail(c->diag, KZ_ERANGE, d->bit, "%s: %zu items outside %llu..%llu", t->name,
                    total, (unsigned long long)t->sc.lb, (unsigned long long)t->sc.ub);
    s->count = (uint32_t)total;
    s->items = items;
    return 0;
}

static int dec_ies(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *v)
{
    size_t count;
    int rc = kz_per_get_length(d, 0, 65535, &count);
    if (rc)
        return dfail(c, d, t, rc);
    uint64_t seen = 0;   /* IE sets have fewer than 64 entries (asserted by the generator) */
    unsigned guess = 0;
    int deferred = 0;    /* unknown reject IE: finish the list to report everything */
    for (size_t k = 0; k < count; k++) {
        uint64_t id, crit;
        if ((rc = get_ie_header(d, &id, &crit))) {
            rc = dfail(c, d, t, rc);
            path_push(c->diag, "[%zu]", k);
            return rc;
        }
        /* IEs usually come in the order of the set, some optional ones left out: look from
         * after the previous one onwards, then from the start. */
        unsigned i;
        for (i = guess; i < t->n && t->ies[i].id != id; i++)
            ;
        if (i >= t->n)
            for (i = 0; i < t->n && t->ies[i].id != id; i++)
                ;
        if (i < t->n)
            guess = i + 1;
        if (i == t->n) {
            size_t at = d->bit;
            if ((rc = skip_open(c, d, "ProtocolIE-Field"))) {
                path_push(c->diag, "[%zu](id %llu)", k, (unsigned long long)id);
                return rc;
            }
            if (crit != KZ_CRIT_IGNORE)
                diag_ie(c->diag, (uint32_t)id, (unsigned)crit, KZ_TOE_NOT_UNDERSTOOD);
            if (crit == KZ_CRIT_REJECT && !deferred) {
                deferred = fail(c->diag, KZ_EUNKNOWN, at, "unknown IE id %llu with criticality reject",
                                (unsigned long long)id);
                path_push(c->diag, "[%zu](id %llu)", k, (unsigned long long)id);
            }
            continue;
        }
        const kz_asn_ie *ie = &t->ies[i];
        if (seen & (1ull << i)) {
            diag_ie(c->diag, (uint32_t)id, (unsigned)crit, KZ_TOE_NOT_UNDERSTOOD);
            rc = fail(c->diag, KZ_EPROTO, d->bit, "IE id %llu appears twice", (unsigned long long)id);
            path_push(c->diag, "[%zu](id %llu)", k, (unsigned long long)id);
            return rc;
        }
        seen |= 1ull << i;
        flag_set(v, ie->has_offset);
        rc = dec_open(c, ie->type, d, v, ie->offset, ie->flags);
        if (rc) {
            diag_ie(c->diag, (uint32_t)id, (unsigned)crit, KZ_TOE_NOT_UNDERSTOOD);
            path_push(c->diag, "[%zu](id %llu)", k, (unsigned long long)id);
            return rc;
        }
    }
    for (unsigned i = 0; i < t->n; i++) {
        const kz_asn_ie *ie = &t->ies[i];
        if (ie->presence != KZ_PRESENCE_MANDATORY || (seen & (1ull << i)))
            continue;
        diag_ie(c->diag, ie->id, ie->criticality, KZ_TOE_MISSING);
        if (ie->criticality == KZ_CRIT_REJECT && !deferred)
            deferred = fail(c->diag, KZ_EMISSING, d->bit, "mandatory IE %s (id %u) missing",
                            ie->name, ie->id);
    }
    return deferred;
}

static int dec_value(dec_ctx *c, const kz_asn_type *t, kz_per_dec *d, void *v)
{
    int rc = 0;
    switch (t->kind) {
    case KZ_ASN_INT: {
        const kz_asn_int_c *ic = &t->ic;
        if (ic->has_lb && ic->has_ub && !ic->ext) {   /* the common case: (lb..ub) */
            uint64_t x;
            if ((rc = kz_per_get_cwhole(d, (uint64_t)ic->ub - (uint64_t)ic->lb + 1, &x)))
                rc = dfail(c, d, t, rc);
            else
                *(int64_t *)v = (int64_t)((uint64_t)ic->lb + x);
            break;
        }
        if ((rc = kz_per_get_int(d, ic, (int64_t *)v)))
            rc = dfail(c, d, t, rc);
        break;
    }
    case KZ_ASN_ENUM: {
        uint64_t x;
        if ((rc = kz_per_get_enum(d, t->nroot, t->ext, &x)))
            rc = dfail(c, d, t, rc);
        else
            *(uint32_t *)v = x > UINT32_MAX ? UINT32_MAX : (uint32_t)x;
        break;
    }
    case KZ_ASN_BOOL:
        if ((rc = kz_per_get_bool(d, (bool *)v)))
            rc = dfail(c, d, t, rc);
        break;
    case KZ_ASN_NULL:
        break;
    case KZ_ASN_REAL:
        if ((rc = kz_per_get_real(d, (double *)v)))
            rc = dfail(c, d, t, rc);
        break;
    case KZ_ASN_BITS: {
        kz_bits *b = v;
        size_t nbits;
        const kz_per_size_c *sc = &t->sc;
        if ((rc = kz_per_get_bit_string(d, sc, c->a, &b->buf, &nbits)))
            rc = dfail(c, d, t, rc);
        else if (nbits > UINT32_MAX)
            rc = fail(c->diag, KZ_ERANGE, d->bit, "%s: %zu bits", t->name, nbits);
        else
            b->nbits = (uint32_t)nbits;
        break;
    }
    case KZ_ASN_OCTETS:
    case KZ_ASN_CHARS: {
        kz_octets *o = v;
        size_t n;
        const kz_per_size_c *sc = &t->sc;
        if (t->kind == KZ_ASN_OCTETS)
            rc = kz_per_get_octet_string(d, sc, c->a, &o->buf, &n);
        else
            rc = kz_per_get_char_string(d, sc, (enum kz_per_str_kind)t->str_kind, c->a,
                                        (const char **)&o->buf, &n);
        if (rc)
            rc = dfail(c, d, t, rc);
        else if (n > UINT32_MAX)
            rc = fail(c->diag, KZ_ERANGE, d->bit, "%s: %zu octets", t->name, n);
        else
            o->len = (uint32_t)n;
        break;
    }
    case KZ_ASN_SEQ:
        rc = dec_seq(c, t, d, v);
        break;
    case KZ_ASN_SEQOF:
        rc = dec_seqof(c, t, d, v);
        break;
    case KZ_ASN_CHOICE:
        rc = dec_choice(c, t, d, v);
        break;
    case KZ_ASN_ALIAS:
        rc = dec_value(c, t->elem, d, v);
        break;
    case KZ_ASN_IES:
        rc = dec_ies(c, t, d, v);
        break;
    case KZ_ASN_IESINGLE: {
        const kz_asn_ie *ie = &t->ies[0];
        uint64_t id, crit;
        if ((rc = get_ie_header(d, &id, &crit))) {
            rc = dfail(c, d, t, rc);
            break;
        }
        if (id != ie->id) {
            diag_ie(c->diag, (uint32_t)id, (unsigned)crit, KZ_TOE_NOT_UNDERSTOOD);
            rc = fail(c->diag, KZ_EUNKNOWN, d->bit, "IE id %llu where %s (id %u) belongs",
                      (unsigned long long)id, ie->name, ie->id);
            break;
        }
        rc = dec_open(c, ie->type, d, v, ie->offset, ie->flags);
        if (rc) {
            diag_ie(c->diag, (uint32_t)id, (unsigned)crit, KZ_TOE_NOT_UNDERSTOOD);
            path_push(c->diag, "(id %u)", ie->id);
        }
        break;
    }
    case KZ_ASN_PROCMSG: {
        uint64_t code, crit;
        if ((rc = kz_per_get_cwhole(d, 256, &code)) || (rc = kz_per_get_enum(d, 3, false, &crit))) {
            rc = dfail(c, d, t, rc);
            break;
        }
        if (c->diag) {
            c->diag->procedure_code = (int32_t)code;
            c->diag->procedure_criticality = (int8_t)crit;
            c->diag->triggering_message = t->name[0] == 'I' ? 0 : t->name[0] == 'S' ? 1 : 2;
        }
        /* procedure codes are nearly consecutive in the table: try the direct slot first */
        unsigned i = code >= t->ies[0].id ? (unsigned)(code - t->ies[0].id) : 0;
        if (i >= t->n || t->ies[i].id != code)
            for (i = 0; i < t->n && t->ies[i].id != code; i++)
                ;
        if (i == t->n) {
            rc = fail(c->diag, KZ_EUNKNOWN, d->bit, "unknown procedureCode %llu for %s",
                      (unsigned long long)code, t->name);
            break;
        }
        *(uint32_t *)v = i + 1;
        memset((char *)v + t->ies[i].offset, 0, t->ies[i].type->size);   /* see clear_alternative */
        rc = dec_open(c, t->ies[i].type, d, v, t->ies[i].offset, 0);
        if (rc)
            path_push(c->diag, ".value(%s)", t->ies[i].name);
        break;
    }
    default:
        rc = fail(c->diag, KZ_EINVAL, d->bit, "bad descriptor kind %d", t->kind);
    }
    return rc;
}

int kz_asn_decode_per(const kz_asn_type *t, kz_per_dec *d, kz_arena *a, void *out, kz_asn_diag *diag)
{
    dec_ctx c = { a, diag, 0 };
    return dec_value(&c, t, d, out);
}

/* The generated code of t (src/proto/e2sm_*_codec.c), with the interpreter's allocations: 0,
 * or -1 with the arena as it was (the caller then lets the interpreter decode and report). */
static inline int decode_generated(const kz_asn_type *t, const uint8_t *buf, size_t len,
                                   kz_arena *a, void **out, bool choice)
{
    size_t mark = a->used;
    void *v;
    if (choice) {
        v = kz_arena_alloc_uninit(a, t->size);
        if (v)
            *(uint32_t *)v = 0;
    } else {
        v = kz_per_arena_alloc(a, t->size);
    }
    if (v && len) {
        kz_per_dec d = { buf, len > SIZE_MAX / 8 ? (SIZE_MAX / 8) * 8 : len * 8, 0, 0, 0, NULL };
        d.readable_end = buf + d.len_bits / 8;   /* kz_per_dec_init */
        if (t->fdec(&d, a, v, 0) == 0 && (d.bit + 7) / 8 >= len) {
            *out = v;
            return 0;
        }
    }
    a->used = mark;
    return -1;
}

int kz_asn_decode(const kz_asn_type *t, const uint8_t *buf, size_t len, kz_arena *a,
                  void **out, kz_asn_diag *diag)
{
    /* A CHOICE at the top (E2AP-PDU) zeroes only the alternative it fills. */
    bool choice = t->kind == KZ_ASN_CHOICE || t->kind == KZ_ASN_PROCMSG;
    if (t->fdec && decode_generated(t, buf, len, a, out, choice) == 0)
        return 0;
    void *v = choice ? kz_arena_alloc_uninit(a, t->size) : kz_arena_alloc(a, t->size);
    if (!v)
        return fail(diag, KZ_ENOMEM, 0, "%s: arena exhausted", t->name);
    if (choice)
        *(uint32_t *)v = 0;
    kz_per_dec d;
    kz_per_dec_init(&d, buf, len);
    int rc = kz_asn_decode_per(t, &d, a, v, diag);
    if (rc && diag && diag->code)
        rc = diag->code;   /* the first error found (an unknown reject IE listed before a later
                              hard error) is the one reported, so code and diag agree */
    if (!rc && (d.bit + 7) / 8 < len)
        rc = fail(diag, KZ_ETRAILING, d.bit, "%zu trailing octets", len - (d.bit + 7) / 8);
    if (!rc && len == 0)
        rc = fail(diag, KZ_ETRUNC, 0, "empty input");
    if (rc) {
        path_push(diag, "%s", t->name);
        return rc;
    }
    *out = v;
    return 0;
}

/* ---- equality -------------------------------------------------------------------------------- */

static bool eq_field(const kz_asn_type *t, const void *x, const void *y, uint32_t flags)
{
    if (flags & KZ_ASN_F_PTR) {
        x = *(const void *const *)x;
        y = *(const void *const *)y;
        if (!x || !y)
            return x == y;
    }
    return kz_asn_equal(t, x, y);
}

bool kz_asn_equal(const kz_asn_type *t, const void *x, const void *y)
{
    switch (t->kind) {
    case KZ_ASN_INT:
        return *(const int64_t *)x == *(const int64_t *)y;
    case KZ_ASN_ENUM:
        return *(const uint32_t *)x == *(const uint32_t *)y;
    case KZ_ASN_BOOL:
        return *(const bool *)x == *(const bool *)y;
    case KZ_ASN_NULL:
        return true;
    case KZ_ASN_REAL: {
        double a = *(const double *)x, b = *(const double *)y;
        return a == b ? (a != 0 || memcmp(&a, &b, sizeof a) == 0) : (a != a && b != b);
    }
    case KZ_ASN_BITS: {
        const kz_bits *a = x, *b = y;
        if (a->nbits != b->nbits)
            return false;
        size_t full = a->nbits / 8;
        if (full && memcmp(a->buf, b->buf, full))
            return false;
        unsigned rest = a->nbits & 7;
        return !rest || ((a->buf[full] ^ b->buf[full]) & (0xFF00u >> rest) & 0xFF) == 0;
    }
    case KZ_ASN_OCTETS:
    case KZ_ASN_CHARS: {
        const kz_octets *a = x, *b = y;
        return a->len == b->len && (!a->len || memcmp(a->buf, b->buf, a->len) == 0);
    }
    case KZ_ASN_SEQ:
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_field *f = &t->fields[i];
            bool hx = flag_get(x, f->has_offset), hy = flag_get(y, f->has_offset);
            if (hx != hy)
                return false;
            if (hx && !eq_field(f->type, (const char *)x + f->offset, (const char *)y + f->offset, f->flags))
                return false;
        }
        return true;
    case KZ_ASN_SEQOF: {
        const kz_asn_seqof *a = x, *b = y;
        if (a->count != b->count)
            return false;
        for (uint32_t i = 0; i < a->count; i++)
            if (!kz_asn_equal(t->elem, (const char *)a->items + i * t->elem->size,
                              (const char *)b->items + i * t->elem->size))
                return false;
        return true;
    }
    case KZ_ASN_CHOICE: {
        uint32_t p = *(const uint32_t *)x;
        if (p != *(const uint32_t *)y)
            return false;
        if (p == 0 || p > t->n)
            return true;
        const kz_asn_field *f = &t->fields[p - 1];
        return eq_field(f->type, (const char *)x + f->offset, (const char *)y + f->offset, f->flags);
    }
    case KZ_ASN_ALIAS:
        return kz_asn_equal(t->elem, x, y);
    case KZ_ASN_IES:
    case KZ_ASN_IESINGLE:
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_ie *ie = &t->ies[i];
            bool hx = flag_get(x, ie->has_offset), hy = flag_get(y, ie->has_offset);
            if (hx != hy)
                return false;
            if (hx && !eq_field(ie->type, (const char *)x + ie->offset, (const char *)y + ie->offset, ie->flags))
                return false;
        }
        return true;
    case KZ_ASN_PROCMSG: {
        uint32_t p = *(const uint32_t *)x;
        if (p != *(const uint32_t *)y)
            return false;
        if (p == 0 || p > t->n)
            return true;
        const kz_asn_ie *ie = &t->ies[p - 1];
        return kz_asn_equal(ie->type, (const char *)x + ie->offset, (const char *)y + ie->offset);
    }
    }
    return false;
}
