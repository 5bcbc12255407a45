/*
 * asn_json.c -- JSON view of any generated ASN.1 value (see include/kizuna/asn_json.h).
 *
 * Why: engineers read E2AP as JSON (kizuna decode), write test PDUs as JSON (kizuna encode),
 * and our conformance tests compare our JSON with the independent oracle's.  Walking the same
 * descriptors as the APER engine keeps the JSON and the wire in step with no per-type code.
 * Guarantees: from_json never trusts its input: every key, type, range and hex digit is
 * checked and a failure names the JSON path ("value.protocolIEs[2].value.ricRequestorID").
 */
#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kizuna/asn_json.h"
#include "proto/asn_internal.h"

static const char *const crit_names[3] = { "reject", "ignore", "notify" };

/* ---- value -> JSON ------------------------------------------------------------------------ */

static json_t *hex_string(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n == 0)
        return json_string("");
    char stack[256];
    char *s = n * 2 + 1 <= sizeof stack ? stack : malloc(n * 2 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    json_t *j = json_stringn(s, n * 2);
    if (s != stack)
        free(s);
    return j;
}

static json_t *field_to_json(const kz_asn_type *t, const void *base, uint32_t off, uint32_t flags)
{
    const void *v = (const char *)base + off;
    if (flags & KZ_ASN_F_PTR) {
        v = *(const void *const *)v;
        if (!v)
            return json_null();
    }
    return kz_asn_to_json(t, v);
}

static bool has(const void *base, uint32_t off)
{
    return off == KZ_ASN_NO_FLAG || *(const bool *)((const char *)base + off);
}

static json_t *ie_to_json(const kz_asn_ie *ie, const void *base)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ie->id));
    json_object_set_new(o, "criticality", json_string(crit_names[ie->criticality % 3]));
    json_object_set_new(o, "value", field_to_json(ie->type, base, ie->offset, ie->flags));
    return o;
}

json_t *kz_asn_to_json(const kz_asn_type *t, const void *v)
{
    switch (t->kind) {
    case KZ_ASN_INT:
        return json_integer(*(const int64_t *)v);
    case KZ_ASN_ENUM: {
        uint32_t x = *(const uint32_t *)v;
        return x < t->n ? json_string(t->names[x]) : json_integer(x);   /* unknown extension */
    }
    case KZ_ASN_BOOL:
        return json_boolean(*(const bool *)v);
    case KZ_ASN_NULL:
        return json_null();
    case KZ_ASN_REAL: {
        double d = *(const double *)v;
        int64_t m = 0;
        int e = 0;
        if (d == 0 && signbit(d))
            return json_pack("{ss}", "decimal", "-0");   /* {"mantissa":0} would read back as +0 */
        if (kz_real_split(d, &m, &e))
            return json_pack("{sIsisi}", "mantissa", (json_int_t)m, "base", 2, "exponent", e);
        return json_pack("{ss}", "decimal", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    }
    case KZ_ASN_BITS: {
        const kz_bits *b = v;
        json_t *hex = hex_string(b->buf, (b->nbits + 7) / 8);
        return json_pack("{sIso}", "bits", (json_int_t)b->nbits, "hex", hex);
    }
    case KZ_ASN_OCTETS: {
        const kz_octets *o = v;
        return hex_string(o->buf, o->len);
    }
    case KZ_ASN_CHARS: {
        const kz_octets *o = v;
        return json_stringn((const char *)o->buf, o->len);
    }
    case KZ_ASN_SEQ: {
        json_t *o = json_object();
        for (unsigned i = 0; i < t->n; i++) {
            const kz_asn_field *f = &t->fields[i];
            if (has(v, f->has_offset))
                json_object_set_new(o, f->name, field_to_json(f->type, v, f->offset, f->flags));
        }
        return o;
    }
    case KZ_ASN_SEQOF: {
        const kz_asn_seqof *s = v;
        json_t *a = json_array();
        for (uint32_t i = 0; i < s->count; i++)
            json_array_append_new(a, kz_asn_to_json(t->elem, (const char *)s->items + (size_t)i * t->elem->size));
        return a;
    }
    case KZ_ASN_CHOICE: {
        uint32_t p = *(const uint32_t *)v;
        json_t *o = json_object();
        if (p >= 1 && p <= t->n) {
            const kz_asn_field *f = &t->fields[p - 1];
            json_object_set_new(o, f->name, field_to_json(f->type, v, f->offset, f->flags));
        } else {
            char name[40];
            snprintf(name, sizeof name, "unknown-extension-%u", p ? p - 1 : 0);
            json_object_set_new(o, name, json_null());
        }
        return o;
    }
    case KZ_ASN_ALIAS:
        return kz_asn_to_json(t->elem, v);
    case KZ_ASN_IES: {
        json_t *a = json_array();
        for (unsigned i = 0; i < t->n; i++)
            if (has(v, t->ies[i].has_offset))
                json_array_append_new(a, ie_to_json(&t->ies[i], v));
        return a;
    }
    case KZ_ASN_IESINGLE:
        return ie_to_json(&t->ies[0], v);
    case KZ_ASN_PROCMSG: {
        uint32_t p = *(const uint32_t *)v;
        if (p < 1 || p > t->n)
            return json_null();
        const kz_asn_ie *m = &t->ies[p - 1];
        json_t *o = json_object();
        json_object_set_new(o, "procedureCode", json_integer(m->id));
        json_object_set_new(o, "criticality", json_string(crit_names[m->criticality % 3]));
        json_object_set_new(o, "value", kz_asn_to_json(m->type, (const char *)v + m->offset));
        return o;
    }
    }
    return json_null();
}

/* ---- JSON -> value ------------------------------------------------------------------------ */

typedef struct jctx {
    kz_arena *a;
    kz_asn_diag *diag;
    int depth;
} jctx;

static int jfail(jctx *c, const char *fmt, ...)
{
    if (c->diag && c->diag->code == 0) {
        c->diag->code = KZ_EJSON;
        c->diag->path[0] = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->diag->detail, sizeof c->diag->detail, fmt, ap);
        va_end(ap);
    }
    return KZ_EJSON;
}

static void jpath(jctx *c, const char *fmt, ...)
{
    if (!c->diag)
        return;
    char comp[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(comp, sizeof comp, fmt, ap);
    va_end(ap);
    size_t cl = strlen(comp), pl = strlen(c->diag->path);
    if (cl + pl + 1 > sizeof c->diag->path)
        return;
    memmove(c->diag->path + cl, c->diag->path, pl + 1);
    memcpy(c->diag->path, comp, cl);
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int from_hex(jctx *c, const json_t *j, const uint8_t **out, size_t *n)
{
    if (!json_is_string(j))
        return jfail(c, "expected a hex string");
    size_t len = json_string_length(j);
    const char *s = json_string_value(j);
    if (len % 2)
        return jfail(c, "hex string of odd length %zu", len);
    uint8_t *p = kz_arena_alloc(c->a, len / 2 + 1);
    if (!p)
        return jfail(c, "arena exhausted");
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return jfail(c, "not a hex digit at position %zu", 2 * i + (hi < 0 ? 0 : 1));
        p[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = p;
    *n = len / 2;
    return 0;
}

static int value_from_json(jctx *c, const kz_asn_type *t, const json_t *j, void *v);

static int field_from_json(jctx *c, const kz_asn_type *t, const json_t *j, void *base, uint32_t off,
                           uint32_t flags)
{
    void *v = (char *)base + off;
    if (flags & KZ_ASN_F_PTR) {
        void *p = kz_arena_alloc(c->a, t->size);
        if (!p)
            return jfail(c, "arena exhausted");
        *(void **)v = p;
        if (++c->depth > 64)
            return jfail(c, "nesting too deep");
        int rc = value_from_json(c, t, j, p);
        c->depth--;
        return rc;
    }
    return value_from_json(c, t, j, v);
}

static int crit_from_json(jctx *c, const json_t *j, unsigned expect)
{
    if (!j)
        return 0;   /* optional on input: the table knows it */
    const char *s = json_string_value(j);
    if (!s || (strcmp(s, "reject") && strcmp(s, "ignore") && strcmp(s, "notify")))
        return jfail(c, "criticality must be reject, ignore or notify");
    (void)expect;
    return 0;
}

static int ie_from_json(jctx *c, const kz_asn_ie *ies, unsigned n, const json_t *j, void *v,
                        uint64_t *seen)
{
    if (!json_is_object(j))
        return jfail(c, "expected an IE object {id, criticality, value}");
    json_t *jid = json_object_get(j, "id");
    if (!json_is_integer(jid))
        return jfail(c, "IE without an integer \"id\"");
    json_int_t id = json_integer_value(jid);
    unsigned i = 0;
    while (i < n && ies[i].id != id)
        i++;
    if (i == n)
        return jfail(c, "IE id %lld is not in this IE set", (long long)id);
    if (*seen & (1ull << i))
        return jfail(c, "IE id %lld given twice", (long long)id);
    *seen |= 1ull << i;
    int rc = crit_from_json(c, json_object_get(j, "criticality"), ies[i].criticality);
    if (rc)
        return rc;
    json_t *val = json_object_get(j, "value");
    if (!val)
        return jfail(c, "IE id %lld without \"value\"", (long long)id);
    if (ies[i].has_offset != KZ_ASN_NO_FLAG)
        *(bool *)((char *)v + ies[i].has_offset) = true;
    rc = field_from_json(c, ies[i].type, val, v, ies[i].offset, ies[i].flags);
    if (rc)
        jpath(c, ".value");
    return rc;
}

static int value_from_json(jctx *c, const kz_asn_type *t, const json_t *j, void *v)
{
    /* nesting is counted on SEQUENCE OF and pointer fields, as the APER codec counts it, so
     * whatever decodes also converts */
    bool counted = t->kind == KZ_ASN_SEQOF;
    if (counted && ++c->depth > 64)
        return jfail(c, "nesting too deep");
    int rc = 0;
    switch (t->kind) {
    case KZ_ASN_INT: {
        if (!json_is_integer(j)) {
            rc = jfail(c, "%s: expected an integer", t->name);
            break;
        }
        json_int_t x = json_integer_value(j);
        if (!t->ic.ext && ((t->ic.has_lb && x < t->ic.lb) || (t->ic.has_ub && x > t->ic.ub))) {
            rc = jfail(c, "%s: %lld outside %lld..%lld", t->name, (long long)x,
                       (long long)t->ic.lb, (long long)t->ic.ub);
            break;
        }
        *(int64_t *)v = x;
        break;
    }
    case KZ_ASN_ENUM: {
        const char *s = json_string_value(j);
        unsigned i = 0;
        if (!s) {
            rc = jfail(c, "%s: expected one of its names as a string", t->name);
            break;
        }
        while (i < t->n && strcmp(t->names[i], s))
            i++;
        if (i == t->n) {
            rc = jfail(c, "%s: \"%s\" is not one of its values", t->name, s);
            break;
        }
        *(uint32_t *)v = i;
        break;
    }
    case KZ_ASN_BOOL:
        if (!json_is_boolean(j))
            rc = jfail(c, "%s: expected true or false", t->name);
        else
            *(bool *)v = json_is_true(j);
        break;
    case KZ_ASN_NULL:
        if (!json_is_null(j))
            rc = jfail(c, "%s: expected null", t->name);
        break;
    case KZ_ASN_REAL: {
        double d;
        if (json_is_number(j)) {
            d = json_number_value(j);
        } else if (json_is_object(j) && json_object_get(j, "mantissa")) {
            json_t *m = json_object_get(j, "mantissa"), *b = json_object_get(j, "base"),
                   *e = json_object_get(j, "exponent");
            if (!json_is_integer(m) || !json_is_integer(e) || (b && !json_is_integer(b))) {
                rc = jfail(c, "%s: mantissa/base/exponent must be integers", t->name);
                break;
            }
            json_int_t base = b ? json_integer_value(b) : 2;
            if (base != 2 && base != 10) {
                rc = jfail(c, "%s: base must be 2 or 10", t->name);
                break;
            }
            d = (double)json_integer_value(m) * pow((double)base, (double)json_integer_value(e));
        } else if (json_is_object(j) && json_is_string(json_object_get(j, "decimal"))) {
            const char *s = json_string_value(json_object_get(j, "decimal"));
            char *end;
            d = strtod(s, &end);
            if (end == s || *end) {
                rc = jfail(c, "%s: \"%s\" is not a decimal number", t->name, s);
                break;
            }
        } else {
            rc = jfail(c, "%s: expected a number or {mantissa, base, exponent}", t->name);
            break;
        }
        *(double *)v = d;
        break;
    }
    case KZ_ASN_BITS: {
        kz_bits *b = v;
        json_t *nb = json_object_get(j, "bits");
        size_t n;
        if (!json_is_object(j) || !json_is_integer(nb)) {
            rc = jfail(c, "%s: expected {\"bits\": N, \"hex\": \"..\"}", t->name);
            break;
        }
        if ((rc = from_hex(c, json_object_get(j, "hex"), &b->buf, &n)))
            break;
        json_int_t bits = json_integer_value(nb);
        if (bits < 0 || (size_t)(bits + 7) / 8 != n) {
            rc = jfail(c, "%s: %lld bits do not fit %zu hex octets", t->name, (long long)bits, n);
            break;
        }
        b->nbits = (uint32_t)bits;
        break;
    }
    case KZ_ASN_OCTETS: {
        kz_octets *o = v;
        size_t n;
        if ((rc = from_hex(c, j, &o->buf, &n)))
            break;
        o->len = (uint32_t)n;
        break;
    }
    case KZ_ASN_CHARS: {
        kz_octets *o = v;
        if (!json_is_string(j)) {
            rc = jfail(c, "%s: expected a string", t->name);
            break;
        }
        o->buf = (const uint8_t *)json_string_value(j);   /* lives as long as the JSON tree */
        o->len = (uint32_t)json_string_length(j);
        uint8_t *copy = kz_arena_alloc(c->a, o->len + 1);
        if (!copy) {
            rc = jfail(c, "arena exhausted");
            break;
        }
        memcpy(copy, o->buf, o->len);
        o->buf = copy;
        break;
    }
    case KZ_ASN_SEQ: {
        if (!json_is_object(j)) {
            rc = jfail(c, "%s: expected an object", t->name);
            break;
        }
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)j, key, val) {
            unsigned i = 0;
            while (i < t->n && strcmp(t->fields[i].name, key))
                i++;
            if (i == t->n) {
                rc = jfail(c, "%s has no field \"%s\"", t->name, key);
                break;
            }
        }
        if (rc)
            break;
        for (unsigned i = 0; i < t->n && !rc; i++) {
            const kz_asn_field *f = &t->fields[i];
            json_t *fj = json_object_get(j, f->name);
            if (!fj) {
                if (f->has_offset == KZ_ASN_NO_FLAG && i < t->nroot)
                    rc = jfail(c, "%s: field \"%s\" missing", t->name, f->name);
                continue;
            }
            if (f->has_offset != KZ_ASN_NO_FLAG)
                *(bool *)((char *)v + f->has_offset) = true;
            rc = field_from_json(c, f->type, fj, v, f->offset, f->flags);
            if (rc)
                jpath(c, ".%s", f->name);
        }
        break;
    }
    case KZ_ASN_SEQOF: {
        kz_asn_seqof *s = v;
        if (!json_is_array(j)) {
            rc = jfail(c, "%s: expected an array", t->name);
            break;
        }
        size_t n = json_array_size(j);
        if (n > UINT32_MAX || (!t->sc.ext && (n < t->sc.lb || n > t->sc.ub))) {
            rc = jfail(c, "%s: %zu items outside %llu..%llu", t->name, n,
                       (unsigned long long)t->sc.lb, (unsigned long long)t->sc.ub);
            break;
        }
        char *items = kz_arena_alloc(c->a, n * t->elem->size + 1);
        if (!items) {
            rc = jfail(c, "arena exhausted");
            break;
        }
        for (size_t i = 0; i < n && !rc; i++) {
            rc = value_from_json(c, t->elem, json_array_get(j, i), items + i * t->elem->size);
            if (rc)
                jpath(c, "[%zu]", i);
        }
        s->count = (uint32_t)n;
        s->items = items;
        break;
    }
    case KZ_ASN_CHOICE: {
        if (!json_is_object(j) || json_object_size(j) != 1) {
            rc = jfail(c, "%s: expected {\"alternative\": value}", t->name);
            break;
        }
        const char *key = json_object_iter_key(json_object_iter((json_t *)j));
        unsigned i = 0;
        while (i < t->n && strcmp(t->fields[i].name, key))
            i++;
        if (i == t->n) {
            rc = jfail(c, "%s has no alternative \"%s\"", t->name, key);
            break;
        }
        *(uint32_t *)v = i + 1;
        rc = field_from_json(c, t->fields[i].type, json_object_get(j, key), v, t->fields[i].offset,
                             t->fields[i].flags);
        if (rc)
            jpath(c, ".%s", key);
        break;
    }
    case KZ_ASN_ALIAS:
        if (counted)
            c->depth--;
        return value_from_json(c, t->elem, j, v);
    case KZ_ASN_IES: {
        if (!json_is_array(j)) {
            rc = jfail(c, "expected an array of IEs");
            break;
        }
        uint64_t seen = 0;
        for (size_t k = 0; k < json_array_size(j) && !rc; k++) {
            rc = ie_from_json(c, t->ies, t->n, json_array_get(j, k), v, &seen);
            if (rc)
                jpath(c, "[%zu]", k);
        }
        for (unsigned i = 0; i < t->n && !rc; i++)
            if (t->ies[i].presence == KZ_PRESENCE_MANDATORY && !(seen & (1ull << i)))
                rc = jfail(c, "mandatory IE %s (id %u) missing", t->ies[i].name, t->ies[i].id);
        break;
    }
    case KZ_ASN_IESINGLE: {
        uint64_t seen = 0;
        rc = ie_from_json(c, t->ies, 1, j, v, &seen);
        break;
    }
    case KZ_ASN_PROCMSG: {
        json_t *pc = json_object_get(j, "procedureCode");
        if (!json_is_object(j)) {
            rc = jfail(c, "%s: expected {procedureCode, criticality, value}", t->name);
            break;
        }
        if (!json_is_integer(pc)) {
            rc = jfail(c, "%s: procedureCode must be an integer", t->name);
            jpath(c, ".procedureCode");
            break;
        }
        json_int_t code = json_integer_value(pc);
        unsigned i = 0;
        while (i < t->n && t->ies[i].id != code)
            i++;
        if (i == t->n) {
            rc = jfail(c, "%s: no procedure with code %lld", t->name, (long long)code);
            break;
        }
        if ((rc = crit_from_json(c, json_object_get(j, "criticality"), t->ies[i].criticality)))
            break;
        json_t *val = json_object_get(j, "value");
        if (!val) {
            rc = jfail(c, "%s: no \"value\"", t->name);
            break;
        }
        *(uint32_t *)v = i + 1;
        rc = value_from_json(c, t->ies[i].type, val, (char *)v + t->ies[i].offset);
        if (rc)
            jpath(c, ".value");
        break;
    }
    default:
        rc = jfail(c, "bad descriptor");
    }
    if (counted)
        c->depth--;
    return rc;
}

int kz_asn_from_json(const kz_asn_type *t, const json_t *j, kz_arena *a, void **out,
                     kz_asn_diag *diag)
{
    jctx c = { a, diag, 0 };
    void *v = kz_arena_alloc(a, t->size);
    if (!v)
        return jfail(&c, "arena exhausted");
    int rc = value_from_json(&c, t, j, v);
    if (rc) {
        if (diag && diag->code == 0)
            diag->code = rc;
        return rc;
    }
    *out = v;
    return 0;
}
