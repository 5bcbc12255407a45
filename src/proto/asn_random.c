/*
 * asn_random.c -- random valid values of generated types (see asn_random.h).
 * Why here and not in a test: the property tests, the fuzzers' seed corpora and the
 * benchmarks all need the same generator, and it must know the descriptors as well as the
 * encoder does.  Recursive types (E2SM-RC's RAN parameter tree) are cut off at a depth by
 * taking the first CHOICE alternative and the smallest SEQUENCE OF.
 */
#include <math.h>
#include <string.h>

#include "proto/asn_internal.h"
#include "proto/asn_random.h"

#define DEEP 6

uint64_t kz_asn_random_next(kz_asn_random_opts *o)
{
    uint64_t z = (o->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t below(kz_asn_random_opts *o, uint64_t n)
{
    return n ? kz_asn_random_next(o) % n : kz_asn_random_next(o);
}

static bool coin(kz_asn_random_opts *o) { return kz_asn_random_next(o) & 1; }

/* A size in the constraint; biased to the bounds, capped for unbounded sizes. */
static uint64_t pick_size(kz_asn_random_opts *o, const kz_asn_size_c *sc, uint64_t cap)
{
    uint64_t lb = sc->lb, ub = sc->ub;
    if (ub == UINT64_MAX || ub - lb > cap)
        ub = lb + cap;
    switch (below(o, 8)) {
    case 0: return lb;
    case 1: return ub;
    default: return lb + below(o, ub - lb + 1);
    }
}

static int gen(const kz_asn_type *t, kz_asn_random_opts *o, kz_arena *a, void *v, int depth);

/* Least nesting a value of t needs (mandatory parts only), searched up to `budget` levels;
 * budget + 1 means "more than that".  Used to leave recursive types by the shortest way. */
static int min_nesting(const kz_asn_type *t, int budget)
{
    if (budget < 0)
        return 1;
    switch (t->kind) {
    case KZ_ASN_ALIAS:
        return min_nesting(t->elem, budget);
    case KZ_ASN_CHOICE: {
        int best = budget + 1;
        for (unsigned i = 0; i < t->n && best > 0; i++) {
            int c = 1 + min_nesting(t->fields[i].type, best - 2);
            if (c < best)
                best = c;
        }
        return best;
    }
    case KZ_ASN_SEQ: {
        int worst = 0;
        for (unsigned i = 0; i < t->n && worst <= budget; i++)
            if (t->fields[i].has_offset == KZ_ASN_NO_FLAG) {
                int c = 1 + min_nesting(t->fields[i].type, budget - 1);
                if (c > worst)
                    worst = c;
            }
        return worst;
    }
    case KZ_ASN_SEQOF:
        return t->sc.lb == 0 ? 0 : 1 + min_nesting(t->elem, budget - 1);
    default:
        return 0;
    }
}

/* The CHOICE alternative that ends the recursion soonest. */
static unsigned shallowest_alternative(const kz_asn_type *t)
{
    unsigned best = 0;
    int best_cost = 1 << 30;
    for (unsigned i = 0; i < t->n; i++) {
        int c = min_nesting(t->fields[i].type, 8);
        if (c < best_cost) {
            best_cost = c;
            best = i;
        }
    }
    return best;
}

static int gen_field(const kz_asn_type *t, kz_asn_random_opts *o, kz_arena *a, void *base,
                     uint32_t off, uint32_t flags, int depth)
{
    void *v = (char *)base + off;
    if (flags & KZ_ASN_F_PTR) {
        void *p = kz_arena_alloc(a, t->size);
        if (!p)
            return KZ_ENOMEM;
        *(void **)v = p;
        v = p;
    }
    return gen(t, o, a, v, depth + 1);
}

static const char printable[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?";

static int gen(const kz_asn_type *t, kz_asn_random_opts *o, kz_arena *a, void *v, int depth)
{
    switch (t->kind) {
    case KZ_ASN_INT: {
        const kz_asn_int_c *c = &t->ic;
        int64_t x;
        if (c->has_lb && c->has_ub) {
            uint64_t range = (uint64_t)(c->ub - c->lb);
            switch (below(o, 6)) {
            case 0: x = c->lb; break;
            case 1: x = c->ub; break;
            default: x = c->lb + (int64_t)below(o, range == UINT64_MAX ? 0 : range + 1);
            }
            if (c->ext && below(o, 10) == 0)
                x = c->ub + 1 + (int64_t)below(o, 1000);   /* an extension value */
        } else if (c->has_lb) {
            x = c->lb + (int64_t)below(o, 1ull << (below(o, 40) + 1));
        } else {
            x = (int64_t)below(o, 1ull << (below(o, 40) + 1)) - (int64_t)(1ull << 20);
        }
        *(int64_t *)v = x;
        return 0;
    }
    case KZ_ASN_ENUM:
        *(uint32_t *)v = (uint32_t)below(o, t->n);
        return 0;
    case KZ_ASN_BOOL:
        *(bool *)v = coin(o);
        return 0;
    case KZ_ASN_NULL:
        return 0;
    case KZ_ASN_REAL: {
        double d;
        switch (below(o, 5)) {
        case 0: d = o->no_real_specials ? 1.0 : 0.0; break;   /* the oracle cannot read 0.0 */
        case 1: d = (double)((int64_t)below(o, 2000) - 1000); break;
        default: {
            int64_t m = (int64_t)(below(o, 1ull << 52) | 1);
            d = ldexp(coin(o) ? (double)m : -(double)m, (int)below(o, 120) - 100);
        }
        }
        if (d == 0 && o->no_real_specials)
            d = 1;   /* the oracle cannot read 0.0 */
        if (!o->no_real_specials && below(o, 20) == 0) {
            static const double specials[] = { INFINITY, -INFINITY };
            d = specials[below(o, 2)];
        }
        *(double *)v = d;
        return 0;
    }
    case KZ_ASN_BITS: {
        kz_bits *b = v;
        uint64_t n = pick_size(o, &t->sc, o->max_octets * 8);
        uint8_t *p = kz_arena_alloc(a, n / 8 + 1);
        if (!p)
            return KZ_ENOMEM;
        for (uint64_t i = 0; i < (n + 7) / 8; i++)
            p[i] = (uint8_t)kz_asn_random_next(o);
        if (n & 7)
            p[n / 8] &= (uint8_t)(0xFF00u >> (n & 7));
        b->buf = p;
        b->nbits = (uint32_t)n;
        return 0;
    }
    case KZ_ASN_OCTETS:
    case KZ_ASN_CHARS: {
        kz_octets *s = v;
        uint64_t n = pick_size(o, &t->sc, o->max_octets);
        if (t->kind == KZ_ASN_OCTETS && t->sc.ub == UINT64_MAX && o->big_octets_per_mille &&
            below(o, 1000) < o->big_octets_per_mille)
            n = 16384 + below(o, 24000);
        uint8_t *p = kz_arena_alloc(a, n + 1);
        if (!p)
            return KZ_ENOMEM;
        for (uint64_t i = 0; i < n; i++)
            p[i] = t->kind == KZ_ASN_OCTETS ? (uint8_t)kz_asn_random_next(o)
                                            : (uint8_t)printable[below(o, sizeof printable - 1)];
        s->buf = p;
        s->len = (uint32_t)n;
        return 0;
    }
    case KZ_ASN_SEQ:
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_field *f = &t->fields[i];
            if (f->has_offset != KZ_ASN_NO_FLAG) {
                if (depth > DEEP || !coin(o))
                    continue;
                *(bool *)((char *)v + f->has_offset) = true;
            }
            int rc = gen_field(f->type, o, a, v, f->offset, f->flags, depth);
            if (rc)
                return rc;
        }
        return 0;
    case KZ_ASN_SEQOF: {
        kz_asn_seqof *s = v;
        uint64_t n = depth > DEEP ? t->sc.lb : pick_size(o, &t->sc, o->max_items);
        char *items = kz_arena_alloc(a, n * t->elem->size + 1);
        if (!items)
            return KZ_ENOMEM;
        for (uint64_t i = 0; i < n; i++) {
            int rc = gen(t->elem, o, a, items + i * t->elem->size, depth + 1);
            if (rc)
                return rc;
        }
        s->count = (uint32_t)n;
        s->items = items;
        return 0;
    }
    case KZ_ASN_CHOICE: {
        unsigned i = depth > DEEP ? shallowest_alternative(t) : (unsigned)below(o, t->n);
        *(uint32_t *)v = i + 1;
        return gen_field(t->fields[i].type, o, a, v, t->fields[i].offset, t->fields[i].flags, depth);
    }
    case KZ_ASN_ALIAS:
        return gen(t->elem, o, a, v, depth);
    case KZ_ASN_IES:
    case KZ_ASN_IESINGLE:
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_ie *ie = &t->ies[i];
            if (ie->has_offset != KZ_ASN_NO_FLAG) {
                if (!coin(o))
                    continue;
                *(bool *)((char *)v + ie->has_offset) = true;
            }
            int rc = gen_field(ie->type, o, a, v, ie->offset, ie->flags, depth);
            if (rc)
                return rc;
        }
        return 0;
    case KZ_ASN_PROCMSG: {
        unsigned i = (unsigned)below(o, t->n);
        *(uint32_t *)v = i + 1;
        return gen(t->ies[i].type, o, a, (char *)v + t->ies[i].offset, depth + 1);
    }
    }
    return KZ_EINVAL;
}

int kz_asn_random(const kz_asn_type *t, kz_asn_random_opts *o, kz_arena *a, void *out)
{
    if (o->max_octets == 0)
        o->max_octets = 24;
    if (o->max_items == 0)
        o->max_items = 3;
    return gen(t, o, a, out, 0);
}
