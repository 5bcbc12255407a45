/*
 * cli/pcap_e2ap.c -- peel captured frames down to E2AP messages (see pcap_e2ap.h for what is
 * understood).  Every length is checked against what was captured before it is used: a
 * capture is input like any other.
 */
#include "cli/pcap_e2ap.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define KZ__MAX_PARTIAL 32                 /* user messages being reassembled at once */
#define KZ__MAX_MESSAGE (16u * 1024 * 1024) /* a reassembled message larger than this is dropped */

typedef struct kz__partial {
    bool used;
    bool idata, unordered;
    char src[64], dst[64];
    uint16_t stream;
    uint32_t key;          /* SSN (DATA) or MID (I-DATA) */
    uint32_t next;         /* TSN (DATA) or FSN (I-DATA) expected next */
    uint32_t ppid;
    unsigned count;
    uint64_t age;          /* frame that started it, to evict the oldest */
    uint8_t *buf;
    size_t len, cap;
} kz__partial;

typedef struct kz__reader {
    kz_pcap_msg_cb cb;
    void *arg;
    int stop;              /* non-zero once the callback asked to stop */
    uint64_t frame;
    int64_t sec;
    uint32_t nsec;
    kz__partial part[KZ__MAX_PARTIAL];
} kz__reader;

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void emit(kz__reader *r, const char *src, const char *dst, uint16_t stream, uint32_t ppid,
                 unsigned fragments, const uint8_t *data, size_t len, const char *error)
{
    if (r->stop)
        return;
    kz_pcap_msg m = {.frame = r->frame, .ts_sec = r->sec, .ts_nsec = r->nsec, .stream = stream,
                     .ppid = ppid, .fragments = fragments, .data = data, .len = len,
                     .error = error};
    snprintf(m.src, sizeof m.src, "%s", src);
    snprintf(m.dst, sizeof m.dst, "%s", dst);
    r->stop = r->cb(&m, r->arg);
}

static void partial_free(kz__partial *p)
{
    free(p->buf);
    memset(p, 0, sizeof *p);
}

static kz__partial *partial_find(kz__reader *r, const char *src, const char *dst, bool idata,
                                 bool unordered, uint16_t stream, uint32_t key)
{
    for (int i = 0; i < KZ__MAX_PARTIAL; i++) {
        kz__partial *p = &r->part[i];
        if (p->used && p->idata == idata && p->unordered == unordered && p->stream == stream &&
            (unordered && !idata ? true : p->key == key) && !strcmp(p->src, src) &&
            !strcmp(p->dst, dst))
            return p;
    }
    return NULL;
}

static kz__partial *partial_new(kz__reader *r)
{
    kz__partial *oldest = &r->part[0];
    for (int i = 0; i < KZ__MAX_PARTIAL; i++) {
        if (!r->part[i].used)
            return &r->part[i];
        if (r->part[i].age < oldest->age)
            oldest = &r->part[i];
    }
    partial_free(oldest);   /* a capture with 32 messages in flight at once: drop the oldest */
    return oldest;
}

static int partial_append(kz__partial *p, const uint8_t *data, size_t len)
{
    if (p->len + len > KZ__MAX_MESSAGE)
        return -1;
    if (p->len + len > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + len)
            cap *= 2;
        uint8_t *b = realloc(p->buf, cap);
        if (!b)
            return -1;
        p->buf = b;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, data, len);
    p->len += len;
    return 0;
}

/* One fragment of a user message: B = first, E = last. seq is the TSN (DATA) or FSN (I-DATA). */
static void fragment(kz__reader *r, const char *src, const char *dst, bool idata, bool unordered,
                     bool b, bool e, uint16_t stream, uint32_t key, uint32_t seq, uint32_t ppid,
                     const uint8_t *data, size_t len)
{
    char msg[160];
    kz__partial *p = partial_find(r, src, dst, idata, unordered, stream, key);
    if (b) {
        if (p)
            partial_free(p);   /* the previous message lost its end */
        p = partial_new(r);
        p->used = true;
        p->idata = idata;
        p->unordered = unordered;
        snprintf(p->src, sizeof p->src, "%s", src);
        snprintf(p->dst, sizeof p->dst, "%s", dst);
        p->stream = stream;
        p->key = key;
        p->ppid = ppid;
        p->age = r->frame;
    } else if (!p) {
        snprintf(msg, sizeof msg, "SCTP fragment (%s %u, stream %u) without its first fragment: "
                 "skipped", idata ? "FSN" : "TSN", seq, stream);
        emit(r, src, dst, stream, ppid, 0, NULL, 0, msg);
        return;
    } else if (seq != p->next) {
        snprintf(msg, sizeof msg, "SCTP fragment lost (expected %s %u, got %u, stream %u): "
                 "message dropped", idata ? "FSN" : "TSN", p->next, seq, stream);
        partial_free(p);
        emit(r, src, dst, stream, ppid, 0, NULL, 0, msg);
        return;
    }
    if (partial_append(p, data, len)) {
        partial_free(p);
        emit(r, src, dst, stream, ppid, 0, NULL, 0, "reassembled SCTP message too large: dropped");
        return;
    }
    p->count++;
    p->next = seq + 1;
    if (e) {
        emit(r, src, dst, stream, p->ppid, p->count, p->buf, p->len, NULL);
        partial_free(p);
    }
}

static void sctp(kz__reader *r, const char *sip, const char *dip, const uint8_t *d, size_t len)
{
    if (len < 12)
        return;
    uint16_t sport = rd16(d), dport = rd16(d + 2);
    bool e2ap_port = sport == KZ_PCAP_E2AP_PORT || dport == KZ_PCAP_E2AP_PORT;
    char src[64], dst[64], msg[160];
    snprintf(src, sizeof src, "%s:%u", sip, sport);
    snprintf(dst, sizeof dst, "%s:%u", dip, dport);
    size_t off = 12;
    while (off + 4 <= len && !r->stop) {
        uint8_t type = d[off], flags = d[off + 1];
        uint16_t clen = rd16(d + off + 2);
        if (clen < 4 || off + clen > len) {
            if (e2ap_port) {
                snprintf(msg, sizeof msg, "SCTP chunk (type %u) at offset %zu: length %u %s",
                         type, off, clen, clen < 4 ? "too small" :
                         "goes past the captured packet (snap length?)");
                emit(r, src, dst, 0, 0, 0, NULL, 0, msg);
            }
            return;
        }
        const uint8_t *c = d + off;
        if (type == 0 && clen >= 16) {                      /* DATA */
            uint32_t tsn = rd32(c + 4), ppid = rd32(c + 12);
            uint16_t stream = rd16(c + 8), ssn = rd16(c + 10);
            if (ppid == KZ_PCAP_E2AP_PPID || e2ap_port) {
                bool b = flags & 2, e = flags & 1, u = flags & 4;
                if (b && e)
                    emit(r, src, dst, stream, ppid, 1, c + 16, clen - 16u, NULL);
                else
                    fragment(r, src, dst, false, u, b, e, stream, ssn, tsn, ppid, c + 16,
                             clen - 16u);
            }
        } else if (type == 64 && clen >= 20) {              /* I-DATA (RFC 8260) */
            uint16_t stream = rd16(c + 8);
            uint32_t mid = rd32(c + 12), ppid_fsn = rd32(c + 16);
            bool b = flags & 2, e = flags & 1, u = flags & 4;
            kz__partial *p = b ? NULL : partial_find(r, src, dst, true, u, stream, mid);
            bool e2ap = b ? (ppid_fsn == KZ_PCAP_E2AP_PPID || e2ap_port) : (p || e2ap_port);
            if (e2ap) {
                if (b && e)
                    emit(r, src, dst, stream, ppid_fsn, 1, c + 20, clen - 20u, NULL);
                else
                    fragment(r, src, dst, true, u, b, e, stream, mid, b ? 0 : ppid_fsn,
                             b ? ppid_fsn : 0, c + 20, clen - 20u);
            }
        }
        off += ((size_t)clen + 3) & ~(size_t)3;
    }
}

static void transport(kz__reader *r, unsigned proto, const char *sip, const char *dip,
                      const uint8_t *d, size_t len)
{
    if (proto == 132) {
        sctp(r, sip, dip, d, len);
    } else if (proto == 17 && len >= 8) {
        uint16_t sport = rd16(d), dport = rd16(d + 2), ulen = rd16(d + 4);
        if (sport != KZ_PCAP_SCTP_UDP_PORT && dport != KZ_PCAP_SCTP_UDP_PORT)
            return;
        if (ulen >= 8 && ulen < len)
            len = ulen;
        sctp(r, sip, dip, d + 8, len - 8);
    }
}

static void ipv4(kz__reader *r, const uint8_t *d, size_t len)
{
    if (len < 20)
        return;
    size_t ihl = (size_t)(d[0] & 15) * 4, total = rd16(d + 2);
    if (ihl < 20 || ihl > len)
        return;
    if (total >= ihl && total < len)
        len = total;   /* Ethernet padding after a short packet */
    uint16_t frag = rd16(d + 6);
    if ((frag & 0x2000) || (frag & 0x1fff))
        return;        /* IP fragment: not reassembled */
    char s[INET_ADDRSTRLEN], t[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, d + 12, s, sizeof s);
    inet_ntop(AF_INET, d + 16, t, sizeof t);
    transport(r, d[9], s, t, d + ihl, len - ihl);
}

static void ipv6(kz__reader *r, const uint8_t *d, size_t len)
{
    if (len < 40)
        return;
    size_t plen = rd16(d + 4);
    if (40 + plen < len && plen)
        len = 40 + plen;
    unsigned next = d[6];
    size_t off = 40;
    for (;;) {
        if (next == 0 || next == 43 || next == 60) {      /* hop-by-hop, routing, dest opts */
            if (off + 8 > len)
                return;
            unsigned nh = d[off];
            off += ((size_t)d[off + 1] + 1) * 8;
            next = nh;
        } else if (next == 44) {                          /* fragment header */
            if (off + 8 > len)
                return;
            uint16_t fo = rd16(d + off + 2);
            if ((fo & 0xfff8) || (fo & 1))
                return;   /* a real fragment: not reassembled */
            next = d[off];
            off += 8;
        } else {
            break;
        }
        if (off > len)
            return;
    }
    char s[INET6_ADDRSTRLEN + 2], t[INET6_ADDRSTRLEN + 2], a[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, d + 8, a, sizeof a);
    snprintf(s, sizeof s, "[%s]", a);
    inet_ntop(AF_INET6, d + 24, a, sizeof a);
    snprintf(t, sizeof t, "[%s]", a);
    transport(r, next, s, t, d + off, len - off);
}

static void ip(kz__reader *r, const uint8_t *d, size_t len)
{
    if (len < 1)
        return;
    if ((d[0] >> 4) == 4)
        ipv4(r, d, len);
    else if ((d[0] >> 4) == 6)
        ipv6(r, d, len);
}

static void by_ethertype(kz__reader *r, uint16_t type, const uint8_t *d, size_t len)
{
    if (type == 0x0800)
        ipv4(r, d, len);
    else if (type == 0x86dd)
        ipv6(r, d, len);
}

static void ethernet(kz__reader *r, const uint8_t *d, size_t len)
{
    if (len < 14)
        return;
    size_t off = 12;
    uint16_t type = rd16(d + off);
    while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && off + 6 <= len) {
        off += 4;
        type = rd16(d + off);
    }
    off += 2;
    if (off <= len)
        by_ethertype(r, type, d + off, len - off);
}

static int link_supported(int dlt)
{
    return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 || dlt == DLT_RAW ||
           dlt == DLT_IPV4 || dlt == DLT_IPV6 || dlt == DLT_NULL || dlt == DLT_LOOP ||
           dlt == 12 || dlt == 14 || dlt == 101;   /* DLT_RAW's values on other platforms */
}

static void frame(kz__reader *r, int dlt, const uint8_t *d, size_t len)
{
    switch (dlt) {
    case DLT_EN10MB:
        ethernet(r, d, len);
        break;
    case DLT_LINUX_SLL:
        if (len >= 16)
            by_ethertype(r, rd16(d + 14), d + 16, len - 16);
        break;
    case DLT_LINUX_SLL2:
        if (len >= 20)
            by_ethertype(r, rd16(d), d + 20, len - 20);
        break;
    case DLT_NULL:
    case DLT_LOOP:
        if (len >= 4)
            ip(r, d + 4, len - 4);   /* the family word's byte order varies: look at IP itself */
        break;
    default:   /* raw IP of every flavour */
        ip(r, d, len);
        break;
    }
}

int kz_pcap_e2ap_read(const char *path, kz_pcap_msg_cb cb, void *arg, char *err, size_t errcap)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
    if (!p) {
        snprintf(err, errcap, "%s: not a readable pcap or pcapng file: %s", path, perr);
        return -1;
    }
    int dlt = pcap_datalink(p);
    if (!link_supported(dlt)) {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(err, errcap, "%s: link type %d (%s) not supported (Ethernet, Linux SLL/SLL2, "
                 "raw IP and loopback are)", path, dlt, name ? name : "?");
        pcap_close(p);
        return -1;
    }
    kz__reader *r = calloc(1, sizeof *r);
    if (!r) {
        pcap_close(p);
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    r->cb = cb;
    r->arg = arg;
    int rc = 0;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int got = pcap_next_ex(p, &h, &data);
        if (got == PCAP_ERROR_BREAK)
            break;   /* end of file */
        if (got != 1) {
            snprintf(err, errcap, "%s: after frame %llu: %s", path, (unsigned long long)r->frame,
                     pcap_geterr(p));
            rc = -1;
            break;
        }
        r->frame++;
        r->sec = (int64_t)h->ts.tv_sec;
        r->nsec = (uint32_t)h->ts.tv_usec;   /* nanoseconds: opened with nano precision */
        frame(r, dlt, data, h->caplen);
        if (r->stop) {
            rc = r->stop;
            break;
        }
    }
    for (int i = 0; i < KZ__MAX_PARTIAL; i++)
        partial_free(&r->part[i]);
    free(r);
    pcap_close(p);
    return rc;
}
