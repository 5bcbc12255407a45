/*
 * xapp/wire.c -- bounds-checked writer and reader for the xApp bus format (xapp/wire.h).
 *
 * Guarantees: no allocation; a writer never writes past cap, a reader never reads past len;
 * both report trouble through a sticky flag so callers check once at the end.
 */
#include <string.h>

#include "xapp/wire.h"

static uint8_t *wroom(kz_wbuf *w, size_t n)
{
    if (w->err || w->cap - w->len < n) {
        w->err = true;
        return NULL;
    }
    uint8_t *p = w->p + w->len;
    w->len += n;
    return p;
}

void kz_wire_init(kz_wbuf *w, uint8_t *buf, size_t cap, enum kz_wire_type type)
{
    w->p = buf;
    w->cap = cap;
    w->len = 0;
    w->err = false;
    kz_wire_u8(w, (uint8_t)type);
    kz_wire_u8(w, KZ_WIRE_VERSION);
}

void kz_wire_u8(kz_wbuf *w, uint8_t v)
{
    uint8_t *p = wroom(w, 1);
    if (p)
        p[0] = v;
}

void kz_wire_u16(kz_wbuf *w, uint16_t v)
{
    uint8_t *p = wroom(w, 2);
    if (p) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
    }
}

void kz_wire_u32(kz_wbuf *w, uint32_t v)
{
    uint8_t *p = wroom(w, 4);
    if (p)
        for (int i = 0; i < 4; i++)
            p[i] = (uint8_t)(v >> (24 - 8 * i));
}

void kz_wire_u64(kz_wbuf *w, uint64_t v)
{
    uint8_t *p = wroom(w, 8);
    if (p)
        for (int i = 0; i < 8; i++)
            p[i] = (uint8_t)(v >> (56 - 8 * i));
}

void kz_wire_bytes(kz_wbuf *w, const uint8_t *b, size_t n)
{
    if (n > UINT32_MAX) {
        w->err = true;
        return;
    }
    kz_wire_u32(w, (uint32_t)n);
    uint8_t *p = wroom(w, n);
    if (p && n)
        memcpy(p, b, n);
}

void kz_wire_str(kz_wbuf *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > UINT16_MAX)
        n = UINT16_MAX;
    kz_wire_u16(w, (uint16_t)n);
    uint8_t *p = wroom(w, n);
    if (p && n)
        memcpy(p, s, n);
}

static const uint8_t *rtake(kz_rbuf *r, size_t n)
{
    if (r->err || r->len - r->off < n) {
        r->err = true;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

int kz_wire_open(kz_rbuf *r, const uint8_t *buf, size_t len)
{
    r->p = buf;
    r->len = len;
    r->off = 0;
    r->err = false;
    uint8_t type = kz_wire_get_u8(r), ver = kz_wire_get_u8(r);
    if (r->err || ver != KZ_WIRE_VERSION || type < KZ_WIRE_HELLO || type > KZ_WIRE_STATS) {
        r->err = true;
        return 0;
    }
    return type;
}

uint8_t kz_wire_get_u8(kz_rbuf *r)
{
    const uint8_t *p = rtake(r, 1);
    return p ? p[0] : 0;
}

uint16_t kz_wire_get_u16(kz_rbuf *r)
{
    const uint8_t *p = rtake(r, 2);
    return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t kz_wire_get_u32(kz_rbuf *r)
{
    const uint8_t *p = rtake(r, 4);
    return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

uint64_t kz_wire_get_u64(kz_rbuf *r)
{
    const uint8_t *p = rtake(r, 8);
    uint64_t v = 0;
    if (p)
        for (int i = 0; i < 8; i++)
            v = v << 8 | p[i];
    return v;
}

const uint8_t *kz_wire_get_bytes(kz_rbuf *r, size_t *n)
{
    uint32_t len = kz_wire_get_u32(r);
    const uint8_t *p = rtake(r, len);
    *n = p ? len : 0;
    return p;
}

const uint8_t *kz_wire_get_strp(kz_rbuf *r, size_t *n)
{
    uint16_t len = kz_wire_get_u16(r);
    const uint8_t *p = rtake(r, len);
    *n = p ? len : 0;
    return p;
}

void kz_wire_get_str(kz_rbuf *r, char *out, size_t cap)
{
    size_t n;
    const uint8_t *p = kz_wire_get_strp(r, &n);
    if (!cap)
        return;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, p, n);
    out[n] = '\0';
}
