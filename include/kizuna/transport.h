/*
 * kizuna/transport.h -- E2 associations, whatever carries them.
 *
 * Why: E2 runs over SCTP (port 36421, PPID 70), but many places a RIC runs have no kernel SCTP, and
 * the simulator has no network at all.  The E2 termination, the emulator's gNBs and the tests talk
 * to this one interface; the backend is chosen by the address:
 *
 *   sctp://host:36421       kernel SCTP, one-to-one sockets (KZ_ENOTSUP where the kernel lacks it)
 *   sctp+udp://host:9899    SCTP over UDP (RFC 6951) via usrsctp; the port is the UDP port, the
 *                           SCTP port inside the tunnel is cfg.sctp_port (default 36421)
 *   mem://name              in-memory, on the same loop (the simulator's network)
 *   unix:///path, unix://@n a Unix stream socket (@: abstract namespace), tcp://host:port: byte
 *                           streams with length-prefixed framing (transport_stream.c), for the
 *                           xApp bus; same message contract, streams not carried (all on 0)
 *
 * Model: a kz_transport is a local endpoint with one set of callbacks.  It may listen on one
 * address per scheme and connect to any number of peers; each connection is a kz_assoc.  Messages
 * are whole (SCTP message boundaries), carry a PPID and a stream number, and arrive in order per
 * stream.
 *
 * Guarantees:
 *  - Every callback runs on the loop thread (usrsctp's own threads only wake the loop).
 *  - Every kz_assoc handed out (by kz_transport_connect or on_up) gets exactly one on_down.  After
 *    on_down returns the pointer is invalid.  on_down is never called from inside a kz_* call the
 *    application made: failures found there are reported on a later loop turn.
 *  - If kz_transport_connect() returns an error, no callback runs for that attempt.
 *  - Caller owns memory: kz_assoc_send() copies what it queues, so the message buffer may be reused
 *    at once; a received kz_msg points into transport memory valid only during on_msg.
 *  - Bounded send queues, with BACKPRESSURE (not silent drops): each association queues at most
 *    cfg.sndq_bytes that the network has not taken yet; past that kz_assoc_send() returns
 *    KZ_EAGAIN, counts the refusal in kz_assoc_stats.send_refused, and on_writable fires once the
 *    queue has drained below half.  Nothing accepted by kz_assoc_send() is dropped while the
 *    association is up.  Inbound messages larger than cfg.max_msg are discarded and counted
 *    (recv_dropped): a peer cannot make us buffer without bound.
 *  - A slow reader (one association not read, see kz_assoc_pause) fills only its own queue.
 */
#ifndef KIZUNA_TRANSPORT_H
#define KIZUNA_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/loop.h"

#define KZ_E2AP_PPID 70u
#define KZ_E2AP_SCTP_PORT 36421u

typedef struct kz_transport kz_transport;
typedef struct kz_assoc kz_assoc;

typedef struct kz_msg {
    const uint8_t *data;
    size_t len;
    uint32_t ppid;     /* host byte order; E2AP is KZ_E2AP_PPID */
    uint16_t stream;   /* must be < the association's outbound streams */
} kz_msg;

typedef struct kz_transport_cbs {
    void (*on_up)(kz_assoc *a, void *ud);                      /* established (either side) */
    void (*on_msg)(kz_assoc *a, const kz_msg *m, void *ud);
    /* reason: 0 orderly shutdown; KZ_ECLOSED aborted/refused/dropped; KZ_ETIMEOUT peer
     * unreachable (heartbeats or INIT unanswered); KZ_EIO anything else. */
    void (*on_down)(kz_assoc *a, int reason, void *ud);
    void (*on_writable)(kz_assoc *a, void *ud);                /* optional; after KZ_EAGAIN */
} kz_transport_cbs;

typedef struct kz_transport_cfg {
    size_t max_msg;           /* largest inbound message kept (default 256 KiB) */
    size_t sndq_bytes;        /* per-association send queue bound (default 1 MiB) */
    size_t rcvbuf_bytes;      /* receive window: socket buffer / mem in-flight bound (256 KiB) */
    uint16_t streams;         /* outbound streams asked for (default 4) */
    uint32_t dead_peer_ms;    /* bound on detecting a dead peer: heartbeats+retransmits (3000) */
    uint32_t connect_ms;      /* give up connecting after this (default 5000) */
    uint16_t sctp_port;       /* sctp+udp: SCTP port inside the tunnel (default 36421) */
    uint16_t local_udp_port;  /* sctp+udp client in a process that has not listened: local UDP
                               * port (0: an ephemeral one).  usrsctp has ONE per process. */
    int backlog;              /* listen backlog (default 128) */
    size_t sndbuf_bytes;      /* unix://, tcp://: what the stream's own output buffer holds before
                               * sends go to the bounded queue -- its "socket buffer", like
                               * SO_SNDBUF for SCTP (default 256 KiB) */
} kz_transport_cfg;

void kz_transport_cfg_default(kz_transport_cfg *cfg);

/* cfg may be NULL (defaults).  cbs is copied.  Errors: KZ_ENOMEM, KZ_EINVAL. */
int kz_transport_open(kz_transport **out, kz_loop *loop, const kz_transport_cfg *cfg,
                      const kz_transport_cbs *cbs, void *ud);

/* Listens at url.  One listen per scheme per transport.  Errors: KZ_EINVAL (bad url),
 * KZ_ENOTSUP (backend unavailable here, e.g. no kernel SCTP), KZ_EIO (bind/listen failed,
 * e.g. address in use), KZ_EAGAIN (mem:// name already taken). */
int kz_transport_listen(kz_transport *t, const char *url);

/* Starts an association to url; *out is valid at once (for kz_assoc_set_ud), on_up or on_down
 * follows.  Errors: as kz_transport_listen. */
int kz_transport_connect(kz_transport *t, const char *url, kz_assoc **out);

/* Aborts every association without calling back, stops listening, frees t.  For an orderly end,
 * kz_assoc_close() each association and wait for on_down first. */
void kz_transport_close(kz_transport *t);

size_t kz_transport_assoc_count(const kz_transport *t);
kz_loop *kz_transport_loop(const kz_transport *t);

/* ---- associations --------------------------------------------------------------------------- */
/* 0, or KZ_EAGAIN (send queue full: retry after on_writable), KZ_ECLOSED (not up / closing),
 * KZ_EINVAL (stream out of range, empty message), KZ_ENOMEM. */
int kz_assoc_send(kz_assoc *a, const kz_msg *m);

/* Orderly shutdown after the queued messages are sent; on_down(0) follows (or KZ_ETIMEOUT if the
 * peer does not complete it within dead_peer_ms). */
void kz_assoc_close(kz_assoc *a);
/* Immediate abort; on_down(KZ_ECLOSED) follows on a later turn. */
void kz_assoc_abort(kz_assoc *a);

/* Stops (true) or resumes reading this association.  While paused its peer fills the receive
 * window and then its own send queue; other associations are unaffected. */
void kz_assoc_pause(kz_assoc *a, bool paused);

typedef struct kz_assoc_stats {
    uint64_t msgs_sent, msgs_recv;     /* handed to / taken from the network */
    uint64_t bytes_sent, bytes_recv;
    uint64_t send_refused;             /* kz_assoc_send() calls refused with KZ_EAGAIN */
    uint64_t recv_dropped;             /* inbound messages over max_msg, discarded */
    size_t sndq_bytes, sndq_msgs;      /* queued now */
} kz_assoc_stats;
void kz_assoc_stats_get(const kz_assoc *a, kz_assoc_stats *st);

/* "127.0.0.1:9899", "[::1]:36421", "mem://ric#3". */
const char *kz_assoc_peer(const kz_assoc *a);
uint64_t kz_assoc_id(const kz_assoc *a);          /* unique within its transport */
bool kz_assoc_is_up(const kz_assoc *a);
uint16_t kz_assoc_streams(const kz_assoc *a);     /* outbound streams negotiated */
kz_transport *kz_assoc_transport(const kz_assoc *a);
void kz_assoc_set_ud(kz_assoc *a, void *ud);      /* per-association user pointer */
void *kz_assoc_ud(const kz_assoc *a);

#endif
