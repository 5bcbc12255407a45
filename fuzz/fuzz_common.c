/*
 * fuzz_common.c -- the round-trip properties of fuzz_common.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kizuna/asn_json.h"
#include "proto/asn_internal.h"

#include "fuzz_common.h"

static bool flag_set_at(const void *base, uint32_t off)
{
    return off == KZ_ASN_NO_FLAG || *(const bool *)((const char *)base + off);
}

static bool field_unknown(const kz_asn_type *t, const void *base, uint32_t off, uint32_t flags)
{
    const void *v = (const char *)base + off;
    if (flags & KZ_ASN_F_PTR) {
        v = *(const void *const *)v;
        if (!v)
            return false;
    }
    return kz_fuzz_has_unknown(t, v);
}

bool kz_fuzz_has_unknown(const kz_asn_type *t, const void *v)
{
    switch (t->kind) {
    case KZ_ASN_ENUM:
        return *(const uint32_t *)v >= t->n;
    case KZ_ASN_SEQ:
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_field *f = &t->fields[i];
            if (flag_set_at(v, f->has_offset) && field_unknown(f->type, v, f->offset, f->flags))
                return true;
        }
        return false;
    case KZ_ASN_SEQOF: {
        const kz_asn_seqof *s = v;
        for (uint32_t i = 0; i < s->count; i++)
            if (kz_fuzz_has_unknown(t->elem, (const char *)s->items + (size_t)i * t->elem->size))
                return true;
        return false;
    }
    case KZ_ASN_CHOICE: {
        uint32_t p = *(const uint32_t *)v;
        if (p == 0 || p > t->n)
            return true;
        const kz_asn_field *f = &t->fields[p - 1];
        return field_unknown(f->type, v, f->offset, f->flags);
    }
    case KZ_ASN_ALIAS:
        return kz_fuzz_has_unknown(t->elem, v);
    case KZ_ASN_IES:
    case KZ_ASN_IESINGLE:
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_ie *ie = &t->ies[i];
            if (flag_set_at(v, ie->has_offset) && field_unknown(ie->type, v, ie->offset, ie->flags))
                return true;
        }
        return false;
    case KZ_ASN_PROCMSG: {
        uint32_t p = *(const uint32_t *)v;
        if (p == 0 || p > t->n)
            return true;
        return kz_fuzz_has_unknown(t->ies[p - 1].type, (const char *)v + t->ies[p - 1].offset);
    }
    default:
        return false;
    }
}

_Noreturn void kz_fuzz_fail(const char *what, const kz_asn_type *t, const kz_asn_diag *diag,
                            const uint8_t *data, size_t size)
{
    char msg[600];
    fprintf(stderr, "fuzz: PROPERTY VIOLATED (%s): %s\n", t->name, what);
    if (diag && diag->code)
        fprintf(stderr, "fuzz:   diag: %s [%s]\n", kz_asn_diag_format(diag, msg, sizeof msg),
                kz_strerror(diag->code));
    fprintf(stderr, "fuzz:   input (%zu octets): ", size);
    for (size_t i = 0; i < size && i < 512; i++)
        fprintf(stderr, "%02x", data[i]);
    fprintf(stderr, "%s\n", size > 512 ? "..." : "");
    abort();
}

/* Property 4: value -> JSON text -> value. */
static void json_roundtrip(const kz_asn_type *t, const void *v1, size_t arena_cap,
                           const uint8_t *data, size_t size)
{
    json_t *j = kz_asn_to_json(t, v1);
    if (!j)
        kz_fuzz_fail("to_json returned NULL", t, NULL, data, size);
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(j);
    if (!text)
        kz_fuzz_fail("json_dumps of to_json's tree failed", t, NULL, data, size);
    json_error_t err;
    json_t *back = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!back) {
        fprintf(stderr, "fuzz:   json: %s\n", text);
        free(text);
        kz_fuzz_fail("to_json printed text jansson cannot read back", t, NULL, data, size);
    }
    kz_arena a;
    kz_arena_init(&a, malloc(arena_cap), arena_cap);
    void *v3 = NULL;
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    int rc = kz_asn_from_json(t, back, &a, &v3, &diag);
    json_decref(back);
    if (rc || !kz_asn_equal(t, v1, v3)) {
        fprintf(stderr, "fuzz:   json: %.2000s\n", text);
        free(text);
        kz_fuzz_fail(rc ? "from_json refused what to_json printed"
                        : "from_json(to_json(v)) differs from v", t, &diag, data, size);
    }
    free(text);
    free(a.base);
}

int kz_fuzz_roundtrip(const kz_asn_type *t, const uint8_t *data, size_t size, size_t arena_cap,
                      bool enomem_is_bug)
{
    kz_arena a1;
    kz_arena_init(&a1, malloc(arena_cap), arena_cap);
    void *v1 = NULL;
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    int rc = kz_asn_decode(t, data, size, &a1, &v1, &diag);
    if (rc) {
        char msg[600];
        kz_asn_diag_format(&diag, msg, sizeof msg);   /* must not crash on any diag */
        if (rc == KZ_ENOMEM && enomem_is_bug) {
            /* Out of the documented arena: a bug only if the input is a value that a bigger
             * arena would have held.  (A list count far beyond what the input can hold also
             * runs out first, because the decoder reserves the items before reading them:
             * then ENOMEM stands for "truncated", a wrong code but no crash.) */
            size_t big = ((size_t)1 << 20) + 4096 * size;   /* 64 x the documented bound */
            kz_arena b;
            kz_arena_init(&b, malloc(big), big);
            void *vb = NULL;
            kz_asn_diag bdiag;
            kz_asn_diag_init(&bdiag);
            if (kz_asn_decode(t, data, size, &b, &vb, &bdiag) == 0)
                kz_fuzz_fail("a PDU decodes, but needs more arena than the documented bound", t,
                             &diag, data, size);
            free(b.base);
        }
        free(a1.base);
        return rc;
    }
    bool unknown = kz_fuzz_has_unknown(t, v1);
    /* A mandatory IE of criticality ignore / notify may be missing (E2AP 10.3.5): the decode
     * succeeds, lists it in the diag, and leaves its field zeroed -- which the encoder may
     * rightly refuse (a list of 0 items where 1.. are required). */
    bool missing = false;
    for (unsigned i = 0; i < diag.n_ies; i++)
        missing |= diag.ies[i].type_of_error == KZ_TOE_MISSING;

    /* Property 2.  The canonical form is never much longer than what was read; the slack
     * covers non-canonical short forms a peer might use. */
    size_t cap = 4 * size + 4096;
    uint8_t *b2 = malloc(cap), *b3 = malloc(cap);
    kz_asn_diag_init(&diag);
    long n2 = kz_asn_encode(t, v1, b2, cap, &diag);
    if (n2 < 0) {
        if (!unknown && !missing)
            kz_fuzz_fail("a decoded value without unknown parts or missing IEs does not encode", t,
                         &diag, data, size);
        if (!missing && diag.code != KZ_ECHOICE)
            kz_fuzz_fail("a value with unknown parts failed to encode for another reason", t, &diag,
                         data, size);
        free(b2);
        free(b3);
        free(a1.base);
        return 0;
    }

    /* Property 3. */
    kz_arena a2;
    kz_arena_init(&a2, malloc(arena_cap + 64 * (size_t)n2), arena_cap + 64 * (size_t)n2);
    void *v2 = NULL;
    kz_asn_diag_init(&diag);
    if (kz_asn_decode(t, b2, (size_t)n2, &a2, &v2, &diag))
        kz_fuzz_fail("our own encoding does not decode", t, &diag, data, size);
    if (!kz_asn_equal(t, v1, v2))
        kz_fuzz_fail("decode(encode(v)) differs from v", t, NULL, data, size);
    kz_asn_diag_init(&diag);
    long n3 = kz_asn_encode(t, v2, b3, cap, &diag);
    if (n3 != n2 || memcmp(b2, b3, (size_t)n2))
        kz_fuzz_fail("encode(decode(encode(v))) differs from encode(v)", t, &diag, data, size);

    /* Property 4. */
    if (!unknown)
        json_roundtrip(t, v1, arena_cap + 64 * (size_t)n2, data, size);

    free(a2.base);
    free(b2);
    free(b3);
    free(a1.base);
    return 0;
}
