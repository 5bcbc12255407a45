/*
 * tests/cli/mkpcap.c -- write a small capture of E2AP over SCTP for the `kizuna decode --pcap`
 * tests, the way Wireshark would have recorded it.  Written by hand (not pcap_dump) so the test
 * controls every byte: link type, IPv6, SCTP over UDP, bundling, fragments, I-DATA, pcapng.
 *
 *   mkpcap OUT [options] HEX...      each HEX is one E2AP PDU (one user message)
 *     --link eth|vlan|sll|sll2|raw|null   link type (default eth)
 *     --ipv6 / --udp                      IPv6 instead of IPv4 / SCTP over UDP port 9899
 *     --bundle                            all messages as DATA chunks of one packet
 *     --frag N                            split each message into fragments of N bytes
 *     --idata                             I-DATA chunks instead of DATA
 *     --ppid P / --port P                 PPID (default 70) / RIC port (default 36421)
 *     --noise                             add non-E2AP packets (UDP, SCTP INIT, PPID 18)
 *     --truncate                          a last E2AP packet whose chunk length is too large
 *     --pcapng                            write pcapng instead of pcap
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static bool pcapng, ipv6, udp, idata;
static int link_type = 1; /* LINKTYPE_ETHERNET */
static bool vlan;
static uint32_t ppid = 70;
static uint16_t ric_port = 36421, node_port = 38472;
static uint32_t tsn = 1000, ts = 1722938400;
static uint16_t ssn, mid;

static void put(const void *p, size_t n) { fwrite(p, 1, n, out); }
static void le32(uint32_t v) { uint8_t b[4] = {v, v >> 8, v >> 16, v >> 24}; put(b, 4); }
static void le16(uint16_t v) { uint8_t b[2] = {v, v >> 8}; put(b, 2); }
static void be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void be32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

static uint32_t crc32c(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78 & (0u - (c & 1)));
    }
    return ~c;
}

static void file_header(void)
{
    if (!pcapng) {
        le32(0xa1b2c3d4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32((uint32_t)link_type);
        return;
    }
    le32(0x0a0d0d0a); le32(28); le32(0x1a2b3c4d); le16(1); le16(0);
    le32(0xffffffff); le32(0xffffffff); le32(28);                           /* SHB */
    le32(1); le32(20); le16((uint16_t)link_type); le16(0); le32(65535); le32(20); /* IDB */
}

static void record(const uint8_t *p, size_t n)
{
    ts++;
    if (!pcapng) {
        le32(ts); le32(123456); le32((uint32_t)n); le32((uint32_t)n);
        put(p, n);
        return;
    }
    size_t pad = (4 - n % 4) % 4;
    uint32_t total = (uint32_t)(32 + n + pad);
    uint64_t us = (uint64_t)ts * 1000000 + 123456;
    le32(6); le32(total); le32(0); le32((uint32_t)(us >> 32)); le32((uint32_t)us);
    le32((uint32_t)n); le32((uint32_t)n);
    put(p, n);
    static const uint8_t zero[4];
    put(zero, pad);
    le32(total);
}

/* Wrap an SCTP packet (or any IP payload of protocol proto) in IP and the link layer. */
static void packet(uint8_t proto, const uint8_t *l4, size_t n, bool to_ric)
{
    uint8_t buf[70000];
    size_t off = 0;
    uint16_t ethertype = ipv6 ? 0x86dd : 0x0800;
    switch (link_type) {
    case 1:
        memcpy(buf, "\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa", 12);
        off = 12;
        if (vlan) {
            be16(buf + off, 0x8100); be16(buf + off + 2, 100);
            off += 4;
        }
        be16(buf + off, ethertype);
        off += 2;
        break;
    case 113:
        memset(buf, 0, 16);
        be16(buf + 2, 1); be16(buf + 4, 6); be16(buf + 14, ethertype);
        off = 16;
        break;
    case 276:
        memset(buf, 0, 20);
        be16(buf, ethertype); be16(buf + 8, 1); buf[10] = 6;
        off = 20;
        break;
    case 0:
        buf[0] = ipv6 ? 30 : 2; buf[1] = buf[2] = buf[3] = 0; /* host order, little endian */
        off = 4;
        break;
    default: /* raw */
        break;
    }
    if (udp) {
        uint8_t u[70000];
        be16(u, 9899); be16(u + 2, 9899); be16(u + 4, (uint16_t)(8 + n)); be16(u + 6, 0);
        memcpy(u + 8, l4, n);
        l4 = u;
        n += 8;
        proto = 17;
        memcpy(buf + off + (ipv6 ? 40 : 20), u, n);
    } else {
        memcpy(buf + off + (ipv6 ? 40 : 20), l4, n);
    }
    uint8_t *ip = buf + off;
    static const uint8_t a4[2][4] = {{10, 0, 0, 2}, {10, 0, 0, 1}};
    static const uint8_t a6[2][16] = {{0x20, 0x01, 0x0d, 0xb8, [15] = 2}, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
    if (ipv6) {
        memset(ip, 0, 40);
        ip[0] = 0x60;
        be16(ip + 4, (uint16_t)n);
        ip[6] = proto;
        ip[7] = 64;
        memcpy(ip + 8, a6[to_ric ? 0 : 1], 16);
        memcpy(ip + 24, a6[to_ric ? 1 : 0], 16);
        off += 40 + n;
    } else {
        memset(ip, 0, 20);
        ip[0] = 0x45;
        be16(ip + 2, (uint16_t)(20 + n));
        ip[8] = 64;
        ip[9] = proto;
        memcpy(ip + 12, a4[to_ric ? 0 : 1], 4);
        memcpy(ip + 16, a4[to_ric ? 1 : 0], 4);
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2)
            sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
        while (sum >> 16)
            sum = (sum & 0xffff) + (sum >> 16);
        be16(ip + 10, (uint16_t)~sum);
        off += 20 + n;
    }
    record(buf, off);
}

/* An SCTP packet from the E2 node to the RIC holding the given chunks. */
static void sctp(const uint8_t *chunks, size_t n, uint16_t sport, uint16_t dport)
{
    uint8_t p[70000];
    be16(p, sport); be16(p + 2, dport); be32(p + 4, 0x12345678); be32(p + 8, 0);
    memcpy(p + 12, chunks, n);
    uint32_t c = crc32c(p, 12 + n);
    p[8] = c; p[9] = c >> 8; p[10] = c >> 16; p[11] = c >> 24; /* CRC32c goes little endian */
    packet(132, p, 12 + n, true);
}

/* Append one DATA / I-DATA chunk for data[0..n) with flags B/E. Returns its length. */
static size_t chunk(uint8_t *c, const uint8_t *data, size_t n, bool b, bool e, uint32_t fsn)
{
    size_t hdr = idata ? 20 : 16, len = hdr + n;
    memset(c, 0, hdr);
    c[0] = idata ? 64 : 0;
    c[1] = (b ? 2 : 0) | (e ? 1 : 0);
    be16(c + 2, (uint16_t)len);
    be32(c + 4, tsn++);
    be16(c + 8, 0);
    if (idata) {
        be32(c + 12, mid);
        be32(c + 16, b ? ppid : fsn);
    } else {
        be16(c + 10, ssn);
        be32(c + 12, ppid);
    }
    memcpy(c + hdr, data, n);
    while (len % 4)
        c[len++] = 0;
    return len;
}

static size_t unhex(const char *s, uint8_t *out_buf)
{
    size_t n = 0;
    for (; s[0] && s[1]; s += 2) {
        unsigned v;
        sscanf(s, "%2x", &v);
        out_buf[n++] = (uint8_t)v;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mkpcap OUT [options] HEX...\n");
        return 2;
    }
    bool bundle = false, noise = false, truncate_last = false;
    size_t frag = 0;
    int first = 2;
    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *o = argv[first];
        if (!strcmp(o, "--link")) {
            const char *l = argv[++first];
            link_type = !strcmp(l, "sll") ? 113 : !strcmp(l, "sll2") ? 276 : !strcmp(l, "raw") ? 101
                      : !strcmp(l, "null") ? 0 : 1;
            vlan = !strcmp(l, "vlan");
        } else if (!strcmp(o, "--ipv6")) ipv6 = true;
        else if (!strcmp(o, "--udp")) udp = true;
        else if (!strcmp(o, "--bundle")) bundle = true;
        else if (!strcmp(o, "--idata")) idata = true;
        else if (!strcmp(o, "--noise")) noise = true;
        else if (!strcmp(o, "--truncate")) truncate_last = true;
        else if (!strcmp(o, "--pcapng")) pcapng = true;
        else if (!strcmp(o, "--frag")) frag = (size_t)atoi(argv[++first]);
        else if (!strcmp(o, "--ppid")) ppid = (uint32_t)atoi(argv[++first]);
        else if (!strcmp(o, "--port")) ric_port = (uint16_t)atoi(argv[++first]);
        else {
            fprintf(stderr, "mkpcap: unknown option %s\n", o);
            return 2;
        }
    }
    out = fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 2;
    }
    file_header();
    static uint8_t chunks[65536], pdu[16384];
    size_t nc = 0;
    if (noise) {
        uint8_t u[12] = {0x13, 0x89, 0x00, 0x35, 0, 12, 0, 0, 'd', 'n', 's', '!'};
        packet(17, u, sizeof u, true);                     /* UDP 5001 -> 53 */
        uint8_t init[20] = {1, 0, 0, 20};                  /* INIT chunk */
        sctp(init, sizeof init, node_port, ric_port);
        uint8_t d[16 + 4];
        uint32_t save = ppid;
        ppid = 18;                                         /* S1AP on another port */
        size_t n = chunk(d, (const uint8_t *)"s1ap", 4, true, true, 0);
        ppid = save;
        sctp(d, n, 36412, 36412);
    }
    for (int i = first; i < argc; i++) {
        size_t n = unhex(argv[i], pdu);
        if (frag && n > frag) {
            uint32_t fsn = 0;
            for (size_t off = 0; off < n; off += frag) {
                size_t m = n - off < frag ? n - off : frag;
                size_t cl = chunk(chunks, pdu + off, m, off == 0, off + m == n, fsn++);
                sctp(chunks, cl, node_port, ric_port);
            }
        } else {
            nc += chunk(chunks + nc, pdu, n, true, true, 0);
            if (!bundle) {
                if (noise) {   /* a SACK bundled in front of the DATA chunk */
                    uint8_t both[65536] = {3, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 0, 0};
                    memcpy(both + 16, chunks, nc);
                    sctp(both, 16 + nc, node_port, ric_port);
                } else {
                    sctp(chunks, nc, node_port, ric_port);
                }
                nc = 0;
            }
        }
        ssn++;
        mid++;
    }
    if (nc)
        sctp(chunks, nc, node_port, ric_port);
    if (truncate_last) {
        uint8_t c[20];
        size_t n = chunk(c, (const uint8_t *)"\x00\x05", 2, true, true, 0);
        (void)n;
        be16(c + 2, 400);   /* claims more than the packet holds */
        sctp(c, 20, node_port, ric_port);
    }
    return fclose(out) ? 2 : 0;
}
