/*
 * net_int.h -- what the runtime's modules share and nobody else sees (kz__ prefix).
 *
 * Why: the transport core (transport.c) owns everything that is the same for every backend --
 * association lifetime, the bounded send queue, statistics, message reassembly, the rule that
 * on_down never runs inside an application call -- and each backend (transport_mem.c,
 * transport_usrsctp.c, transport_sctp.c) only moves bytes.  This header is the contract between
 * them.  The loop also lends each backend one "slot" for per-loop state (the mem:// registry, the
 * usrsctp hub) with a finaliser run by kz_loop_close(): that is how the runtime keeps its state in
 * the loop instead of in globals.
 */
#ifndef KZ_NET_INT_H
#define KZ_NET_INT_H

#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/loop.h"
#include "kizuna/transport.h"

/* ---- loop slots ------------------------------------------------------------------------------ */
enum { KZ__SLOT_MEM, KZ__SLOT_USRSCTP, KZ__SLOT_MAX };
void *kz__loop_slot(kz_loop *loop, int slot);
void kz__loop_set_slot(kz_loop *loop, int slot, void *p, void (*fini)(void *p));

/* ---- addresses ------------------------------------------------------------------------------- */
enum kz__scheme { KZ__SCHEME_MEM, KZ__SCHEME_UDP, KZ__SCHEME_SCTP, KZ__SCHEME_UNIX, KZ__SCHEME_TCP,
                  KZ__SCHEME_N };

typedef struct kz__addr {
    enum kz__scheme scheme;
    char host[256];     /* sctp, sctp+udp, tcp: host name or literal (no brackets); mem: the name;
                         * unix: the socket path ("@name": abstract namespace) */
    uint16_t port;      /* sctp: SCTP port; sctp+udp: UDP port; tcp: TCP port; mem, unix: 0 */
} kz__addr;

/* "sctp://h:p", "sctp+udp://h:p", "sctp+udp://[::1]:p", "mem://name", "tcp://h:p",
 * "unix:///path", "unix://@name".  KZ_EINVAL if malformed. */
int kz__addr_parse(const char *url, kz__addr *out);

/* host:port -> socket address (first getaddrinfo answer for the socket type), KZ_EINVAL if
 * it does not resolve; and the peer as "ip:port" / "[ip6]:port" for kz_assoc_peer(). */
int kz__resolve(int socktype, const char *host, uint16_t port, struct sockaddr_storage *ss,
                socklen_t *len);
void kz__format_peer(char *buf, size_t n, const struct sockaddr *sa);

/* ---- backends -------------------------------------------------------------------------------- */
typedef struct kz__backend {
    const char *scheme;
    int (*listen)(kz_transport *t, const kz__addr *addr);
    int (*connect)(kz_transport *t, kz_assoc *a, const kz__addr *addr);
    /* Hand one whole message to the network: 0 taken; KZ_EAGAIN not now (the backend then calls
     * kz__assoc_writable() when it can take more); another code: the association is broken. */
    int (*send)(kz_assoc *a, const kz_msg *m);
    void (*shutdown)(kz_assoc *a);           /* orderly close, send queue is empty */
    void (*abort)(kz_assoc *a);              /* tear down now; no more events for a afterwards */
    void (*pause)(kz_assoc *a, bool paused);
    void (*release)(kz_assoc *a);            /* free backend state (after abort or down) */
    void (*close_listener)(kz_transport *t); /* stop listening; free listener state */
} kz__backend;

extern const kz__backend kz__mem_backend;
extern const kz__backend kz__usrsctp_backend;
extern const kz__backend kz__sctp_backend;
extern const kz__backend kz__unix_backend;   /* transport_stream.c: length-prefixed framing */
extern const kz__backend kz__tcp_backend;

/* ---- transport and association (owned by transport.c, read by backends) --------------------- */
/* The send queue: one contiguous FIFO of records [kz__qhdr][data] per association, consumed from
 * q_off and appended at q_len, compacted or grown (to at most twice the bound) when the end is
 * reached -- no allocation per queued message.  Emptied buffers over KZ__Q_KEEP are freed. */
typedef struct kz__qhdr {
    uint32_t len;
    uint32_t ppid;
    uint16_t stream;
    uint16_t pad;
} kz__qhdr;
#define KZ__Q_KEEP ((size_t)1 << 20)

enum kz__astate { KZ__A_CONNECTING, KZ__A_UP, KZ__A_CLOSING, KZ__A_DOWN };

struct kz_assoc {
    kz_transport *t;
    const kz__backend *be;
    void *bk;                   /* backend state */
    kz_assoc *prev, *next;      /* in t's list */
    uint64_t id;
    void *ud;
    enum kz__astate state;
    bool was_up;
    bool paused;
    bool want_writable;         /* a send was refused: tell on_writable when the queue drains */
    bool in_backend_wait;       /* backend said KZ_EAGAIN; it will call kz__assoc_writable */
    int down_reason;
    uint16_t streams;
    uint8_t *q;                 /* send queue records, see kz__qhdr; q_off == q_len: empty */
    size_t q_off, q_len, q_cap;
    kz_assoc_stats st;
    kz_timer timer;             /* connect timeout, then close timeout */
    kz_defer down_defer;        /* on_down is always delivered from here */
    uint8_t *rx;                /* reassembly of a message that arrives in pieces */
    size_t rx_len, rx_cap;
    bool rx_discard;            /* the piece in progress is over max_msg */
    char peer[96];
};

struct kz_transport {
    kz_loop *loop;
    kz_transport_cfg cfg;
    kz_transport_cbs cbs;
    void *ud;
    kz_assoc *assocs;
    size_t nassoc;
    uint64_t next_id;
    void *listener[KZ__SCHEME_N];   /* backend listener state, NULL if not listening */
};

/* New association in t, state CONNECTING (backends call this for accepted ones too). */
kz_assoc *kz__assoc_new(kz_transport *t, const kz__backend *be);
/* Drops a half-made association that was never handed to the application (no callbacks). */
void kz__assoc_discard(kz_assoc *a);
/* The association is established: on_up now (backends call these from loop events only). */
void kz__assoc_up(kz_assoc *a, uint16_t streams);
/* A whole inbound message: on_msg now (unless the association is going down). */
void kz__assoc_deliver(kz_assoc *a, const kz_msg *m);
/* A piece of an inbound message; eor marks the last.  Delivers when whole. */
void kz__assoc_piece(kz_assoc *a, const uint8_t *p, size_t n, bool eor, uint32_t ppid,
                     uint16_t stream);
/* The backend can take more: flush the queue. */
void kz__assoc_writable(kz_assoc *a);
/* The association is gone: on_down(reason) on a later turn, then release and free. */
void kz__assoc_down(kz_assoc *a, int reason);

/* ---- usrsctp's checksum (usrsctp_crc.c) ----------------------------------------------------- */
/* Which CRC32c usrsctp's packets get: ours with the SSE4.2 instruction, ours table-driven, or the
 * library's own (KZ_USRSCTP_CRC=lib, or ours disagreed with it on the self-test). */
enum { KZ__CRC_LIB, KZ__CRC_SLICE8, KZ__CRC_SSE42 };
int kz__usrsctp_crc_mode(void);
/* The raw reflected CRC32c update (no inversions), as usrsctp's calculate_crc32c. */
uint32_t kz__crc32c_update(uint32_t crc, const void *p, size_t n);

/* ---- usrsctp's path MTU (transport_usrsctp.c) ---------------------------------------------- */
/* The path MTU usrsctp uses now towards a's primary peer address, as it reports it (SCTP_STATUS):
 * the octets left for chunks after the IP, UDP and SCTP common headers -- 1,460 for a 1,500-octet
 * IPv4 path.  0 if a is not an sctp+udp:// association or is gone.  For tests. */
uint32_t kz__usrsctp_path_mtu(const kz_assoc *a);

/* ---- the in-memory network (transport_mem.c), as the simulator steers it ------------------ */
typedef struct kz__memnet kz__memnet;
typedef struct kz__mem_policy {
    void *ud;
    /* Delay of one message or handshake step on connection `conn`, direction dir (0: from the
     * connecting side).  Per-association FIFO order is kept whatever this returns. */
    int64_t (*delay)(void *ud, uint64_t conn, int dir, size_t len);
    /* Asked before each delivery: true kills the association instead (both ends see on_down). */
    bool (*lose_assoc)(void *ud, uint64_t conn);
    /* May flip bits of a message before delivery. */
    void (*corrupt)(void *ud, uint8_t *data, size_t len);
    /* Every delivered message, in delivery order (the simulator's trace). */
    void (*delivered)(void *ud, uint64_t conn, int dir, const char *name, const kz_msg *m);
} kz__mem_policy;

/* The loop's in-memory network, created on first use. NULL only when out of memory. */
kz__memnet *kz__memnet_get(kz_loop *loop);
void kz__memnet_set_policy(kz__memnet *net, const kz__mem_policy *policy);
/* Kills a mem:// association now: both ends see on_down(KZ_ECLOSED); in-flight messages are
 * lost (counted).  KZ_EINVAL if a is not a mem:// association, KZ_ECLOSED if already down. */
int kz__mem_drop(kz_assoc *a);
uint64_t kz__memnet_lost(const kz__memnet *net);   /* messages lost by drops so far */
uint64_t kz__mem_conn_id(const kz_assoc *a);       /* connection number (same at both ends) */

#endif
