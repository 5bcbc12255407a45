/*
 * xapp/wire.h -- the xApp bus wire format, shared by the RIC (src/ric/xbus.c) and the SDK.
 *
 * Why one module: the two ends must agree byte for byte, and the RIC must read whatever a
 * misbehaving xApp sends without trusting it.  A bus message is one kz_transport message with
 * PPID KZ_WIRE_PPID; its body is a type octet, a version octet, then the fields of that type in
 * network byte order:  u8/u16/u32/u64 as such, "bytes" as u32 length + octets, "str" as u16
 * length + octets (no NUL).  Readers check every length before reading; a short or inconsistent
 * message sets the reader's error flag and is dropped whole (counted by the receiver).
 *
 *   HELLO      x->r  u32 version, str name, str token, u64 session (0: new)
 *   WELCOME    r->x  u64 session, u8 resumed
 *   DENY       r->x  i32 error                      (then the RIC closes)
 *   NODE       r->x  u32 node, u8 up, str name, u16 n, n x {u16 id, u16 rev, str oid, bytes def}
 *   SUB        x->r  u32 xsub, u32 node, u16 ranf, bytes trigger, u8 n, n x {u16 id, u8 type,
 *                    bytes def}
 *   SUB_STATE  r->x  u32 xsub, u8 state, i32 error, u8 cause group, u8 cause value, u8 n,
 *                    n x u16 admitted
 *   UNSUB      x->r  u32 xsub
 *   IND        r->x  u32 xsub, u32 node, u16 ranf, u16 action, i64 sn, u8 type, i64 rx_ns,
 *                    bytes hdr, bytes msg, bytes cpid       (xsub at offset 2: patched per xApp)
 *   CTRL       x->r  u32 corr, u32 node, u16 ranf, u8 ack, u32 timeout_ms, bytes hdr, bytes msg,
 *                    bytes cpid
 *   CTRL_RES   r->x  u32 corr, i32 status, u8 cause group, u8 cause value, bytes outcome
 *   STATS      r->x  u64 indications, u64 dropped
 */
#ifndef KZ_XAPP_WIRE_H
#define KZ_XAPP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KZ_WIRE_PPID 0x4b5a4231u   /* "KZB1" */
#define KZ_WIRE_VERSION 1u
#define KZ_WIRE_IND_XSUB_OFF 2u    /* where IND carries xsub */

enum kz_wire_type {
    KZ_WIRE_HELLO = 1, KZ_WIRE_WELCOME, KZ_WIRE_DENY, KZ_WIRE_NODE, KZ_WIRE_SUB, KZ_WIRE_SUB_STATE,
    KZ_WIRE_UNSUB, KZ_WIRE_IND, KZ_WIRE_CTRL, KZ_WIRE_CTRL_RES, KZ_WIRE_STATS,
};

/* Writer into a caller's buffer; `err` sticks once the buffer is too small. */
typedef struct kz_wbuf {
    uint8_t *p;
    size_t len, cap;
    bool err;
} kz_wbuf;

void kz_wire_init(kz_wbuf *w, uint8_t *buf, size_t cap, enum kz_wire_type type);
void kz_wire_u8(kz_wbuf *w, uint8_t v);
void kz_wire_u16(kz_wbuf *w, uint16_t v);
void kz_wire_u32(kz_wbuf *w, uint32_t v);
void kz_wire_u64(kz_wbuf *w, uint64_t v);
void kz_wire_bytes(kz_wbuf *w, const uint8_t *b, size_t n);
void kz_wire_str(kz_wbuf *w, const char *s);

/* Reader over a received message; `err` sticks on the first short read. */
typedef struct kz_rbuf {
    const uint8_t *p;
    size_t len, off;
    bool err;
} kz_rbuf;

/* Returns the message type (0 if the header is bad: short, wrong version). */
int kz_wire_open(kz_rbuf *r, const uint8_t *buf, size_t len);
uint8_t kz_wire_get_u8(kz_rbuf *r);
uint16_t kz_wire_get_u16(kz_rbuf *r);
uint32_t kz_wire_get_u32(kz_rbuf *r);
uint64_t kz_wire_get_u64(kz_rbuf *r);
/* Points into the message (no copy); *n = 0 and NULL on error. */
const uint8_t *kz_wire_get_bytes(kz_rbuf *r, size_t *n);
/* Copies a str into out (NUL-terminated, truncated to cap-1). */
void kz_wire_get_str(kz_rbuf *r, char *out, size_t cap);
/* A str as pointer + length into the message. */
const uint8_t *kz_wire_get_strp(kz_rbuf *r, size_t *n);

#endif
