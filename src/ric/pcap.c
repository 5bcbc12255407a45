/*
 * ric/pcap.c -- `--pcap FILE`: every E2AP message the RIC sends or receives, as a capture that
 * Wireshark / tshark dissect as E2AP.
 *
 * Why synthesize packets: the RIC sees whole SCTP messages (usrsctp, kernel SCTP or mem://), not
 * packets, and may run where nothing can be captured (the simulator).  Each message becomes one
 * IPv4 packet (LINKTYPE_RAW) carrying one SCTP DATA chunk with PPID 70 and the E2AP port 36421 on
 * the RIC's side, so the dissector chain IPv4 -> SCTP -> E2AP applies with no "decode as".
 * Addresses: the RIC is 10.0.0.1; an association is 10.x.y.z from its id, port 36421 + 1 + id
 * low bits.  The SCTP checksum is a real CRC32c; TSNs count per direction and association.
 *
 * Guarantees: a write error stops the capture (logged once), never the RIC.  Timestamps are the
 * loop's calendar time (virtual in the simulator).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "ric/ric_int.h"

static uint32_t crc32c(const uint8_t *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

int kz__pcap_open(kz_ric *ric, const char *path)
{
    ric->pcapbuf = malloc(65536 + 64);
    if (!ric->pcapbuf)
        return KZ_ENOMEM;
    FILE *f = fopen(path, "wb");
    if (!f)
        return KZ_EIO;
    uint8_t h[24];
    le32(h, 0xa1b2c3d4u);          /* microsecond timestamps */
    h[4] = 2; h[5] = 0; h[6] = 4; h[7] = 0;
    le32(h + 8, 0);
    le32(h + 12, 0);
    le32(h + 16, 65535);
    le32(h + 20, 101);             /* LINKTYPE_RAW: IPv4/IPv6 by version nibble */
    if (fwrite(h, sizeof h, 1, f) != 1) {
        fclose(f);
        return KZ_EIO;
    }
    fflush(f);
    ric->pcap = f;
    return 0;
}

void kz__pcap_write(kz_ric *ric, const kz_assoc *as, int dir, const uint8_t *buf, size_t len)
{
    if (!ric->pcap)
        return;
    if (len > 65535 - 20 - 12 - 16 - 3) {   /* one IPv4 packet; larger ones are cut (rare) */
        len = 65535 - 20 - 12 - 16 - 3;
    }
    uint64_t id = kz_assoc_id(as);
    size_t pad = (4 - (len & 3)) & 3;
    size_t sctp_len = 12 + 16 + len + pad, ip_len = 20 + sctp_len;
    uint8_t *pkt = ric->pcapbuf;
    uint8_t *ip = pkt, *sc = pkt + 20, *ch = sc + 12;
    uint32_t node_ip = 0x0a000000u | (uint32_t)((id + 1) & 0xffffffu);
    if (node_ip == 0x0a000001u)
        node_ip = 0x0a800001u;
    uint32_t ric_ip = 0x0a000001u;
    uint16_t node_port = (uint16_t)(36422 + (id % 20000));
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)ip_len);
    put16(ip + 4, (uint16_t)ric->pcap_seq);
    ip[8] = 64;
    ip[9] = 132;                                /* SCTP */
    put32(ip + 12, dir ? ric_ip : node_ip);
    put32(ip + 16, dir ? node_ip : ric_ip);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put16(ip + 10, (uint16_t)~sum);
    put16(sc, dir ? KZ_E2AP_SCTP_PORT : node_port);
    put16(sc + 2, dir ? node_port : KZ_E2AP_SCTP_PORT);
    put32(sc + 4, (uint32_t)(id * 2654435761u) | 1u);   /* verification tag */
    put32(sc + 8, 0);
    ch[0] = 0;                                  /* DATA */
    ch[1] = 0x03;                               /* B and E: a whole message */
    put16(ch + 2, (uint16_t)(16 + len));
    put32(ch + 4, ++ric->pcap_seq);             /* TSN */
    put16(ch + 8, 0);                           /* stream */
    put16(ch + 10, 0);                          /* stream sequence */
    put32(ch + 12, KZ_E2AP_PPID);
    memcpy(ch + 16, buf, len);
    memset(ch + 16 + len, 0, pad);
    uint32_t crc = crc32c(sc, sctp_len, 0);
    sc[8] = (uint8_t)crc; sc[9] = (uint8_t)(crc >> 8); sc[10] = (uint8_t)(crc >> 16);
    sc[11] = (uint8_t)(crc >> 24);              /* CRC32c goes little-endian on the wire */
    int64_t ns = kz_loop_epoch_ns(ric->loop);
    uint8_t rh[16];
    le32(rh, (uint32_t)(ns / KZ_NS_PER_S));
    le32(rh + 4, (uint32_t)((ns % KZ_NS_PER_S) / 1000));
    le32(rh + 8, (uint32_t)ip_len);
    le32(rh + 12, (uint32_t)ip_len);
    if (fwrite(rh, sizeof rh, 1, ric->pcap) != 1 || fwrite(pkt, ip_len, 1, ric->pcap) != 1 ||
        fflush(ric->pcap) != 0) {
        kz__log(ric, KZ_RIC_LOG_ERROR, "pcap write failed: capture stopped", "%s", "");
        fclose(ric->pcap);
        ric->pcap = NULL;
    }
}

void kz__pcap_close(kz_ric *ric)
{
    if (ric->pcap)
        fclose(ric->pcap);
    ric->pcap = NULL;
    free(ric->pcapbuf);
    ric->pcapbuf = NULL;
}
