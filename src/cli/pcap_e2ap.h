/*
 * cli/pcap_e2ap.h -- the E2AP messages in a pcap / pcapng capture, as Wireshark writes them.
 *
 * Why: when an E2 node and a RIC disagree, the evidence is a capture.  This reads one with
 * libpcap (pcap and pcapng) and hands back each E2AP message with where it came from.
 *
 * What is understood:
 *   link types   Ethernet (with 802.1Q / 802.1ad VLAN tags), Linux cooked SLL and SLL2, raw IP
 *                (DLT_RAW, IPv4, IPv6), BSD loopback (NULL, LOOP)
 *   network      IPv4 (options skipped; IP fragments are skipped, not reassembled),
 *                IPv6 (hop-by-hop, routing, destination options and unfragmented fragment
 *                headers skipped; fragments skipped)
 *   transport    SCTP, and SCTP over UDP (RFC 6951) when either UDP port is 9899
 *   SCTP chunks  every chunk of every packet (bundling); DATA (type 0) and I-DATA (type 64)
 *                carry E2AP when the PPID is 70 or either port is 36421; other chunks and
 *                other payloads are skipped
 *   fragments    SCTP user messages split over several DATA / I-DATA chunks are reassembled
 *                when the fragments are seen in order (B..E, consecutive TSN / FSN, same
 *                stream); a gap drops the message and reports it.  Retransmitted chunks are
 *                delivered again, as they appear on the wire.
 *
 * Lifetimes: a kz_pcap_msg and the bytes it points to are valid only during the callback.
 */
#ifndef KIZUNA_CLI_PCAP_E2AP_H
#define KIZUNA_CLI_PCAP_E2AP_H

#include <stddef.h>
#include <stdint.h>

#define KZ_PCAP_E2AP_PPID 70
#define KZ_PCAP_E2AP_PORT 36421
#define KZ_PCAP_SCTP_UDP_PORT 9899

typedef struct kz_pcap_msg {
    uint64_t frame;          /* 1-based frame number, as Wireshark counts (of the last fragment) */
    int64_t ts_sec;          /* capture time */
    uint32_t ts_nsec;
    char src[64], dst[64];   /* "10.0.0.1:36421", "[2001:db8::1]:36421" */
    uint16_t stream;         /* SCTP stream identifier */
    uint32_t ppid;
    unsigned fragments;      /* 1, or how many chunks were reassembled */
    const uint8_t *data;     /* the E2AP PDU; NULL when error is set */
    size_t len;
    const char *error;       /* a problem with this frame (truncated chunk, lost fragment) */
} kz_pcap_msg;

/* Called for each E2AP message (or frame problem), in capture order.  Return 0 to go on,
 * non-zero to stop (kz_pcap_e2ap_read then returns that value). */
typedef int (*kz_pcap_msg_cb)(const kz_pcap_msg *m, void *arg);

/* Read the capture at path ("-" = stdin).  Returns 0 when the whole file was read, the
 * callback's non-zero value if it stopped, or -1 with a message in err (not a capture file,
 * unsupported link type, file truncated in a packet header). */
int kz_pcap_e2ap_read(const char *path, kz_pcap_msg_cb cb, void *arg, char *err, size_t errcap);

#endif
