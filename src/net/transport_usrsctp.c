/*
 * transport_usrsctp.c -- sctp+udp:// associations: SCTP over UDP (RFC 6951) with usrsctp.
 *
 * Why: many places a RIC must run have no kernel SCTP (this host, Docker Desktop, WSL2, gVisor).
 * usrsctp (Debian libusrsctp-dev) is a whole SCTP stack in user space that tunnels over one UDP
 * port; Linux >= 5.11 speaks the same encapsulation natively (net.sctp.udp_port/encap_port), so a
 * kernel-SCTP E2 node can reach us without code changes.
 *
 * How it joins the loop without busy-waiting: usrsctp runs its own threads (UDP receive, timers).
 * Every socket gets an upcall, which runs on those threads and does only two things: append the
 * socket pointer to the hub's ready list under a mutex, and poke an eventfd (kz_async) when the
 * list was empty.  The loop thread then drains the list and services each socket with
 * non-blocking calls (accept, recvv until EWOULDBLOCK, flush the send queue if writable).  So every
 * application callback runs on the loop thread, and usrsctp is never called while the hub mutex
 * is held (no lock-order cycle with usrsctp's socket locks).  A socket pointer found in the ready
 * list after its socket was closed is simply not in the hub's table any more and is ignored.
 *
 * The one global: usrsctp itself is process-wide -- one stack, one UDP port, initialised once
 * (usrsctp_init).  The hub that owns it lives in the first loop that uses sctp+udp://; a second
 * loop in the same process gets KZ_ENOTSUP.  `kz__usrsctp_owner` records which loop that is: it
 * is the only mutable global in the runtime, and it exists because usrsctp's is.
 *
 * One-to-one style sockets (SOCK_STREAM): one listening socket per transport, one socket per
 * association, PPID per message (SCTP_SNDINFO/RCVINFO), SCTP_NODELAY, heartbeat and RTO tuned so
 * a dead peer is declared within about cfg.dead_peer_ms.  Each association's path MTU is the
 * kernel's route MTU to the peer, capped (set_path_mtu): usrsctp would assume 1,500 octets even
 * on loopback, and a packet per four messages is most of its cost under load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <usrsctp.h>

#include "kizuna/error.h"
#include "net/net_int.h"

static _Atomic(kz_loop *) kz__usrsctp_owner;   /* see the file comment: usrsctp is process-wide */

typedef struct usock {
    struct socket *so;
    struct uhub *hub;
    kz_assoc *a;            /* NULL for a listener */
    kz_transport *t;        /* the listener's transport */
    bool unreachable;       /* a path went unreachable before the loss: a timeout, not an abort */
    bool eof;
} usock;

typedef struct uhub {
    kz_loop *loop;
    kz_async wake;
    uint16_t udp_port;
    pthread_mutex_t mu;
    struct socket **ready;  /* filled by upcalls (usrsctp threads), drained by the loop */
    size_t nready, capready;
    struct socket **batch;  /* the loop's copy being serviced */
    size_t capbatch;
    usock **tab;            /* open addressing: socket pointer -> usock (loop thread only) */
    size_t captab, ntab;
} uhub;

/* ---- socket table (loop thread) ------------------------------------------------------------ */
static size_t hash_ptr(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static usock *tab_find(uhub *h, const struct socket *so)
{
    if (!h->captab)
        return NULL;
    for (size_t i = hash_ptr(so, h->captab);; i = (i + 1) & (h->captab - 1)) {
        if (!h->tab[i])
            return NULL;
        if (h->tab[i]->so == so)
            return h->tab[i];
    }
}

static int tab_put(uhub *h, usock *us);

static int tab_grow(uhub *h)
{
    size_t cap = h->captab ? h->captab * 2 : 256;
    usock **old = h->tab;
    size_t oldcap = h->captab;
    h->tab = calloc(cap, sizeof *h->tab);
    if (!h->tab) {
        h->tab = old;
        return KZ_ENOMEM;
    }
    h->captab = cap;
    h->ntab = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i])
            tab_put(h, old[i]);
    free(old);
    return 0;
}

static int tab_put(uhub *h, usock *us)
{
    if ((h->ntab + 1) * 2 > h->captab && tab_grow(h) < 0)
        return KZ_ENOMEM;
    size_t i = hash_ptr(us->so, h->captab);
    while (h->tab[i])
        i = (i + 1) & (h->captab - 1);
    h->tab[i] = us;
    h->ntab++;
    return 0;
}

static void tab_del(uhub *h, usock *us)
{
    if (!h->captab)
        return;
    size_t i = hash_ptr(us->so, h->captab);
    while (h->tab[i] && h->tab[i] != us)
        i = (i + 1) & (h->captab - 1);
    if (!h->tab[i])
        return;
    h->tab[i] = NULL;
    h->ntab--;
    /* re-insert the rest of the cluster (linear probing deletion) */
    for (size_t j = (i + 1) & (h->captab - 1); h->tab[j]; j = (j + 1) & (h->captab - 1)) {
        usock *x = h->tab[j];
        h->tab[j] = NULL;
        h->ntab--;
        tab_put(h, x);
    }
}

/* ---- upcall (usrsctp threads!) --------------------------------------------------------------- */
static void upcall(struct socket *so, void *arg, int flags)
{
    uhub *h = arg;
    (void)flags;
    bool poke = false;
    pthread_mutex_lock(&h->mu);
    if (h->nready == h->capready) {
        size_t cap = h->capready ? h->capready * 2 : 256;
        struct socket **r = realloc(h->ready, cap * sizeof *r);
        if (r) {
            h->ready = r;
            h->capready = cap;
        }
    }
    if (h->nready < h->capready) {
        poke = h->nready == 0;
        h->ready[h->nready++] = so;
    }
    pthread_mutex_unlock(&h->mu);
    if (poke)
        kz_async_send(&h->wake);
}

static void kick(uhub *h, struct socket *so)
{
    upcall(so, h, 0);   /* same path from the loop thread: service on the next turn */
}

/* ---- hub ----------------------------------------------------------------------------------- */
static void service(uhub *h, usock *us);

static void wake_cb(kz_async *as, void *ud)
{
    uhub *h = ud;
    (void)as;
    pthread_mutex_lock(&h->mu);
    struct socket **b = h->ready;   /* swap the arrays: upcalls fill the other one meanwhile */
    size_t n = h->nready, capb = h->capready;
    h->ready = h->batch;
    h->capready = h->capbatch;
    h->nready = 0;
    h->batch = b;
    h->capbatch = capb;
    pthread_mutex_unlock(&h->mu);
    for (size_t i = 0; i < n; i++) {
        struct socket *so = h->batch[i];
        bool dup = false;
        for (size_t j = i; j-- > 0 && j + 8 > i;)   /* cheap de-duplication of bursts */
            if (h->batch[j] == so) {
                dup = true;
                break;
            }
        if (dup)
            continue;
        usock *us = tab_find(h, so);
        if (us)
            service(h, us);
    }
}

/* KZ_USRSCTP_STATS=1 in the environment: the stack's packet counters on stderr at close (how
 * well DATA chunks were bundled, how many SACKs) -- a measuring aid, off by default. */
static void print_stats(void)
{
    const char *e = getenv("KZ_USRSCTP_STATS");
    struct sctpstat st;
    if (!e || *e != '1')
        return;
    usrsctp_get_stat(&st);
    static const char *crc[] = {"library", "slice8", "sse4.2"};
    fprintf(stderr, "usrsctp_stats pid=%d crc32c=%s sendpackets=%u senddata=%u sendsacks=%u "
            "recvpackets=%u recvdata=%u recvsacks=%u retrans=%u fastretrans=%u\n", (int)getpid(),
            crc[kz__usrsctp_crc_mode()],
            st.sctps_sendpackets, st.sctps_senddata, st.sctps_sendsacks, st.sctps_recvpackets,
            st.sctps_recvdata, st.sctps_recvsacks, st.sctps_sendretransdata,
            st.sctps_sendfastretrans);
}

static void hub_fini(void *p)
{
    uhub *h = p;
    print_stats();
    for (size_t i = 0; i < h->captab; i++) {
        usock *us = h->tab[i];
        if (us) {
            usrsctp_set_upcall(us->so, NULL, NULL);
            usrsctp_close(us->so);
        }
    }
    kz_async_close(&h->wake);
    /* usrsctp_finish fails while associations are still shutting down; give them a moment */
    int ok = -1;
    for (int i = 0; i < 300 && (ok = usrsctp_finish()) != 0; i++)
        usleep(10000);
    if (ok != 0) {
        /* the stack is still running and may call upcall(h): keep h alive, keep ownership */
        fprintf(stderr, "kizuna: usrsctp_finish did not complete; leaving the stack running\n");
        return;
    }
    atomic_store(&kz__usrsctp_owner, NULL);
    pthread_mutex_destroy(&h->mu);
    free(h->ready);
    free(h->batch);
    free(h->tab);
    free(h);
}

static uint16_t ephemeral_udp_port(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
        return 0;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof a;
    uint16_t port = 0;
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(s);   /* small race until usrsctp binds it; acceptable for a client port */
    return port;
}

/* usrsctp keeps its UDP sockets to itself and leaves their receive buffers at the system default
 * (208 KiB here): a burst of DATA or INIT chunks overflows it, the kernel drops datagrams (Udp
 * RcvbufErrors) and SCTP retransmits and halves its window -- bench_ric --udp3 saw 100-1,200
 * retransmissions per 200,000 indications.  There is no API for it, but the sockets are ordinary
 * fds of this process bound to our UDP port: we find them and raise SO_RCVBUF to KZ__UDP_RCVBUF
 * (the kernel caps it at net.core.rmem_max, 4 MiB here; no privilege needed).  With it: 0-1
 * retransmissions, 21 % less CPU per indication in the three-process bench (docs/ric.md).
 * KZ_USRSCTP_UDP_RCVBUF=bytes overrides it, 0 leaves the system default. */
#define KZ__UDP_RCVBUF (4 << 20)
static int raise_udp_buffers(uint16_t udp_port, int bytes)
{
    int found = 0;
    for (int fd = 0; fd < 4096 && found < 2; fd++) {
        int type = 0;
        socklen_t tl = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_DGRAM)
            continue;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
            continue;
        uint16_t port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
                      : ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                                 : 0;
        if (port != udp_port)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
        found++;
    }
    return found;
}

/* The loop's hub, starting usrsctp on udp_port (0: any) if this is the first use. */
static int hub_get(kz_loop *loop, uint16_t udp_port, uhub **out)
{
    uhub *h = kz__loop_slot(loop, KZ__SLOT_USRSCTP);
    if (h) {
        if (udp_port && udp_port != h->udp_port)
            return KZ_ENOTSUP;   /* usrsctp has one UDP port per process */
        *out = h;
        return 0;
    }
    kz_loop *expected = NULL;
    if (!atomic_compare_exchange_strong(&kz__usrsctp_owner, &expected, loop))
        return KZ_ENOTSUP;       /* another loop in this process owns usrsctp */
    h = calloc(1, sizeof *h);
    if (!h) {
        atomic_store(&kz__usrsctp_owner, NULL);
        return KZ_ENOMEM;
    }
    if (!udp_port)
        udp_port = ephemeral_udp_port();
    h->loop = loop;
    h->udp_port = udp_port;
    pthread_mutex_init(&h->mu, NULL);
    int rc = kz_async_init(loop, &h->wake, wake_cb, h);
    if (rc < 0) {
        pthread_mutex_destroy(&h->mu);
        free(h);
        atomic_store(&kz__usrsctp_owner, NULL);
        return rc;
    }
    kz__usrsctp_crc_mode();   /* usrsctp_crc.c: the checksum the stack will use, chosen once */
    usrsctp_init(udp_port, NULL, NULL);
    const char *ub = getenv("KZ_USRSCTP_UDP_RCVBUF");   /* bytes; 0: leave the default */
    int rcvbuf = ub ? atoi(ub) : KZ__UDP_RCVBUF;
    if (rcvbuf > 0)
        raise_udp_buffers(udp_port, rcvbuf);
    usrsctp_sysctl_set_sctp_blackhole(0);          /* answer INIT to closed ports with ABORT */
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    kz__loop_set_slot(loop, KZ__SLOT_USRSCTP, h, hub_fini);
    *out = h;
    return 0;
}

/* ---- sockets ------------------------------------------------------------------------------- */
static int set_opts(struct socket *so, const kz_transport_cfg *c)
{
    const int on = 1;
    int rcv = (int)c->rcvbuf_bytes, snd = (int)(c->rcvbuf_bytes > c->max_msg ? c->rcvbuf_bytes
                                                                             : c->max_msg);
    /* Dead-peer bound: an idle association sends a HEARTBEAT every hb ms (plus up to one RTO of
     * jitter); the association fails after asocmaxrxt+1 unanswered ones, each waiting one RTO.
     * Measured on loopback that is about asocmaxrxt + 3 (hb + rto_max) cycles; with 4 retries
     * (a burst that overflows usrsctp's UDP socket must not kill associations) that is 7 cycles,
     * so hb + rto_max = dead / 7. */
    uint32_t dead = c->dead_peer_ms < 500 ? 500 : c->dead_peer_ms;
    struct sctp_initmsg init = {.sinit_num_ostreams = c->streams, .sinit_max_instreams = c->streams,
                                .sinit_max_attempts = 4, .sinit_max_init_timeo = 1000};
    struct sctp_rtoinfo rto = {.srto_assoc_id = SCTP_FUTURE_ASSOC, .srto_initial = dead / 16,
                               .srto_max = dead / 16, .srto_min = dead / 32};
    struct sctp_assocparams ap = {.sasoc_assoc_id = SCTP_FUTURE_ASSOC, .sasoc_asocmaxrxt = 4};
    struct sctp_paddrparams pp;
    memset(&pp, 0, sizeof pp);
    pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
    pp.spp_hbinterval = dead / 12;
    pp.spp_pathmaxrxt = 4;
    pp.spp_flags = SPP_HB_ENABLE;
    uint16_t evs[] = {SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_EVENT, SCTP_PEER_ADDR_CHANGE};
    if (usrsctp_set_non_blocking(so, 1) < 0 ||
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on) < 0 ||
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on) < 0 ||
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init) < 0 ||
        usrsctp_setsockopt(so, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv) < 0 ||
        usrsctp_setsockopt(so, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd) < 0)
        return KZ_EIO;
    /* tuning: best effort (an old usrsctp may refuse some; the defaults still work) */
    usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto);
    usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, sizeof ap);
    usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp);
    for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++) {
        struct sctp_event ev = {.se_assoc_id = SCTP_FUTURE_ASSOC, .se_type = evs[i], .se_on = 1};
        if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev) < 0)
            return KZ_EIO;
    }
    return 0;
}

static usock *usock_new(uhub *h, struct socket *so)
{
    usock *us = calloc(1, sizeof *us);
    if (!us)
        return NULL;
    us->so = so;
    us->hub = h;
    if (tab_put(h, us) < 0) {
        free(us);
        return NULL;
    }
    usrsctp_set_upcall(so, upcall, h);
    return us;
}

static void usock_close(usock *us, bool abort)
{
    if (!us->so)
        return;
    if (abort) {
        struct linger l = {.l_onoff = 1, .l_linger = 0};   /* close = ABORT */
        usrsctp_setsockopt(us->so, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    usrsctp_set_upcall(us->so, NULL, NULL);
    tab_del(us->hub, us);
    usrsctp_close(us->so);
    us->so = NULL;
}

static uint16_t out_streams(struct socket *so, uint16_t dflt)
{
    struct sctp_status st;
    socklen_t len = sizeof st;
    memset(&st, 0, sizeof st);
    if (usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0 && st.sstat_outstrms)
        return st.sstat_outstrms;
    return dflt;
}

/* usrsctp cannot ask the kernel for a route's MTU, so over UDP it assumes 1,500 octets for every
 * path (and its path-MTU discovery never learns more: it gets no ICMP on this path).  Then a packet
 * holds at most four of our ~300-octet E2AP messages, and every packet costs the same whatever it
 * carries: a sendmsg() and a CRC on the sender, a wake-up of the UDP receive thread, a recvmsg()
 * and the input path of the receiver, and a SACK every second packet going back -- under load,
 * most of the CPU per message, in the kernel more than in usrsctp.  The kernel knows the route's
 * MTU: we open a UDP socket connected to the peer and read IP_MTU / IPV6_MTU.  An Ethernet path
 * says 1,500 and nothing changes; loopback says 65,535 (here), a jumbo-frame network 9,000: then
 * we give the association that MTU, capped at KZ__MTU_CAP (KZ_USRSCTP_MTU_CAP=octets overrides,
 * at most KZ__MTU_MAX; 0 or 1500 leaves usrsctp's default), with usrsctp's PMTU probing off for
 * that path.  Why 9,000: on loopback larger measured no faster, and it is what jumbo-frame
 * networks carry; at 65,535 Debian's usrsctp 0.9.5 stalls (full-size packets never acknowledged,
 * measured), so the override stops at 32 KiB.  The datagrams stay within the route's MTU, so the
 * kernel does not fragment them -- unless a hop beyond is narrower than our route (jumbo frames
 * on this side only): then the first large datagram is lost, and the kernel, once an ICMP reply
 * tells it the path MTU, fragments larger UDP datagrams (Linux's default for UDP sockets); where
 * such a path also filters ICMP, large packets never arrive and KZ_USRSCTP_MTU_CAP=1500 is the
 * way out.  Bundling still happens only when messages queue up (SCTP_NODELAY stays on): a lone
 * control message goes out at once, as before. */
#define KZ__MTU_CAP 9000
#define KZ__MTU_MAX 32768
static uint32_t mtu_cap(void)
{
    const char *e = getenv("KZ_USRSCTP_MTU_CAP");
    if (!e)
        return KZ__MTU_CAP;
    long v = strtol(e, NULL, 10);
    return v < 0 ? 0 : v > KZ__MTU_MAX ? KZ__MTU_MAX : (uint32_t)v;
}

static uint32_t route_mtu(const struct sockaddr *peer, socklen_t len)
{
    int fam = peer->sa_family;
    if (fam != AF_INET && fam != AF_INET6)
        return 0;
    int s = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return 0;
    int mtu = 0;
    socklen_t ml = sizeof mtu;
    if (connect(s, peer, len) < 0 ||
        getsockopt(s, fam == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, fam == AF_INET ? IP_MTU : IPV6_MTU,
                   &mtu, &ml) < 0)
        mtu = 0;
    close(s);
    return mtu > 0 ? (uint32_t)mtu : 0;
}

/* Give the association's path to `peer` (an address it has: the connect target, or the accepted
 * peer) the route's MTU, see above.  Best effort: on any failure usrsctp's default stays. */
static void set_path_mtu(struct socket *so, const struct sockaddr *peer, socklen_t len)
{
    uint32_t mtu = route_mtu(peer, len), cap = mtu_cap();
    if (mtu > cap)
        mtu = cap;
    if (mtu <= 1500 || len > sizeof(struct sockaddr_storage))
        return;
    struct sctp_paddrparams pp;
    memset(&pp, 0, sizeof pp);
    memcpy(&pp.spp_address, peer, len);
    pp.spp_flags = SPP_PMTUD_DISABLE;
    /* spp_pathmtu counts what follows the IP and SCTP common headers; usrsctp adds the UDP
     * header on top: IP (20 / 40) + UDP 8 + SCTP 12 */
    pp.spp_pathmtu = mtu - (peer->sa_family == AF_INET ? 40 : 60);
    usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp);
}

uint32_t kz__usrsctp_path_mtu(const kz_assoc *a)
{
    const usock *us = a && a->be == &kz__usrsctp_backend ? a->bk : NULL;
    if (!us || !us->so)
        return 0;
    struct sctp_status st;
    socklen_t len = sizeof st;
    memset(&st, 0, sizeof st);
    if (usrsctp_getsockopt(us->so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0)
        return 0;
    return st.sstat_primary.spinfo_mtu;
}

/* ---- servicing a socket (loop thread) ------------------------------------------------------ */
static void accept_all(uhub *h, usock *ls)
{
    kz_transport *t = ls->t;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        memset(&ss, 0, sizeof ss);
        struct socket *so = usrsctp_accept(ls->so, (struct sockaddr *)&ss, &len);
        if (!so)
            return;   /* EWOULDBLOCK (or a transient error: the next upcall retries) */
        kz_assoc *a = kz__assoc_new(t, &kz__usrsctp_backend);
        usock *us = a ? usock_new(h, so) : NULL;
        if (!us || set_opts(so, &t->cfg) < 0) {
            if (us) {
                usock_close(us, true);
                free(us);
            } else {
                usrsctp_close(so);
            }
            if (a)
                kz__assoc_discard(a);
            continue;
        }
        us->a = a;
        a->bk = us;
        kz__format_peer(a->peer, sizeof a->peer, (struct sockaddr *)&ss);
        set_path_mtu(so, (struct sockaddr *)&ss, len);
        kz__assoc_up(a, out_streams(so, t->cfg.streams));
        service(h, us);   /* data may have arrived before the upcall was set */
    }
}

static void on_notification(usock *us, const uint8_t *buf, size_t n)
{
    const struct sctp_tlv *tlv = (const void *)buf;
    if (n < sizeof *tlv)
        return;
    kz_assoc *a = us->a;
    switch (tlv->sn_type) {
    case SCTP_ASSOC_CHANGE: {
        const struct sctp_assoc_change *ac = (const void *)buf;
        if (n < sizeof *ac)
            return;
        switch (ac->sac_state) {
        case SCTP_COMM_UP:
            kz__assoc_up(a, ac->sac_outbound_streams ? ac->sac_outbound_streams : a->streams);
            break;
        case SCTP_COMM_LOST:
            kz__assoc_down(a, us->unreachable ? KZ_ETIMEOUT : KZ_ECLOSED);
            break;
        case SCTP_CANT_STR_ASSOC:
            kz__assoc_down(a, us->unreachable ? KZ_ETIMEOUT : KZ_ECLOSED);
            break;
        case SCTP_RESTART:   /* the peer lost its state: for E2 that is a new association */
            kz__assoc_down(a, KZ_ECLOSED);
            break;
        case SCTP_SHUTDOWN_COMP:
            kz__assoc_down(a, 0);
            break;
        default:
            break;
        }
        break;
    }
    case SCTP_PEER_ADDR_CHANGE: {
        const struct sctp_paddr_change *pc = (const void *)buf;
        if (n >= sizeof *pc && pc->spc_state == SCTP_ADDR_UNREACHABLE)
            us->unreachable = true;
        break;
    }
    case SCTP_SHUTDOWN_EVENT:
        /* the peer started an orderly close: nothing more will arrive */
        kz__assoc_down(a, 0);
        break;
    default:
        break;
    }
}

static void service(uhub *h, usock *us)
{
    (void)h;
    if (!us->a) {
        accept_all(h, us);
        return;
    }
    kz_assoc *a = us->a;
    uint8_t buf[65536];
    while (us->so && a->state != KZ__A_DOWN && !a->paused) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        struct sctp_rcvinfo rcv;
        socklen_t infolen = sizeof rcv;
        unsigned int infotype = 0;
        int flags = 0;
        memset(&rcv, 0, sizeof rcv);
        ssize_t n = usrsctp_recvv(us->so, buf, sizeof buf, (struct sockaddr *)&from, &fromlen, &rcv,
                                  &infolen, &infotype, &flags);
        if (n < 0) {
            if (errno == EWOULDBLOCK || errno == EAGAIN || errno == EINTR)
                break;
            if (errno == ENOTCONN && a->state == KZ__A_CONNECTING)
                break;   /* the handshake is still running */
            kz__assoc_down(a, errno == ETIMEDOUT ? KZ_ETIMEOUT
                                : (errno == ECONNRESET || errno == ECONNREFUSED) ? KZ_ECLOSED
                                                                                 : KZ_EIO);
            break;
        }
        if (n == 0) {
            us->eof = true;
            if (a->state != KZ__A_CONNECTING)
                kz__assoc_down(a, 0);   /* orderly shutdown by the peer */
            break;
        }
        if (flags & MSG_NOTIFICATION) {
            on_notification(us, buf, (size_t)n);
            continue;
        }
        if (a->state == KZ__A_CONNECTING)   /* data before COMM_UP was read: it is up */
            kz__assoc_up(a, out_streams(us->so, a->streams));
        kz__assoc_piece(a, buf, (size_t)n, (flags & MSG_EOR) != 0,
                        infotype == SCTP_RECVV_RCVINFO ? ntohl(rcv.rcv_ppid) : 0,
                        infotype == SCTP_RECVV_RCVINFO ? rcv.rcv_sid : 0);
    }
    if (us->so && a->state != KZ__A_DOWN && a->in_backend_wait &&
        (usrsctp_get_events(us->so) & SCTP_EVENT_WRITE))
        kz__assoc_writable(a);
}

/* ---- backend ops --------------------------------------------------------------------------- */
static int u_listen(kz_transport *t, const kz__addr *addr)
{
    uhub *h;
    int rc = hub_get(t->loop, addr->port, &h);
    if (rc < 0)
        return rc;
    struct sockaddr_storage ss;
    socklen_t len;
    if ((rc = kz__resolve(SOCK_DGRAM, addr->host, t->cfg.sctp_port, &ss, &len)) < 0)
        return rc;
    struct socket *so = usrsctp_socket(ss.ss_family, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    if (!so)
        return KZ_EIO;
    usock *us = NULL;
    if (set_opts(so, &t->cfg) < 0 || usrsctp_bind(so, (struct sockaddr *)&ss, len) < 0 ||
        usrsctp_listen(so, t->cfg.backlog) < 0 || !(us = usock_new(h, so))) {
        usrsctp_close(so);
        return KZ_EIO;
    }
    us->t = t;
    t->listener[KZ__SCHEME_UDP] = us;
    kick(h, so);
    return 0;
}

static void u_close_listener(kz_transport *t)
{
    usock *us = t->listener[KZ__SCHEME_UDP];
    usock_close(us, true);
    free(us);
    t->listener[KZ__SCHEME_UDP] = NULL;
}

static int u_connect(kz_transport *t, kz_assoc *a, const kz__addr *addr)
{
    uhub *h;
    int rc = hub_get(t->loop, t->cfg.local_udp_port, &h);
    if (rc == KZ_ENOTSUP && t->cfg.local_udp_port)
        rc = hub_get(t->loop, 0, &h);   /* already running on another port: use that one */
    if (rc < 0)
        return rc;
    struct sockaddr_storage ss;
    socklen_t len;
    if ((rc = kz__resolve(SOCK_DGRAM, addr->host, t->cfg.sctp_port, &ss, &len)) < 0)
        return rc;
    struct socket *so = usrsctp_socket(ss.ss_family, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    if (!so)
        return KZ_EIO;
    struct sctp_udpencaps enc;
    memset(&enc, 0, sizeof enc);
    enc.sue_address.ss_family = ss.ss_family;
    enc.sue_port = htons(addr->port);
    usock *us = NULL;
    if (set_opts(so, &t->cfg) < 0 ||
        usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, sizeof enc) < 0 ||
        !(us = usock_new(h, so))) {
        usrsctp_close(so);
        return KZ_EIO;
    }
    us->a = a;
    a->bk = us;
    kz__format_peer(a->peer, sizeof a->peer, (struct sockaddr *)&ss);
    if (usrsctp_connect(so, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
        if (errno == ECONNREFUSED || errno == ECONNRESET || errno == ETIMEDOUT) {
            /* the stack answered at once (a local peer): report it like any refusal, later */
            kz__assoc_down(a, errno == ETIMEDOUT ? KZ_ETIMEOUT : KZ_ECLOSED);
            return 0;
        }
        usock_close(us, true);
        free(us);
        a->bk = NULL;
        return KZ_EIO;
    }
    set_path_mtu(so, (struct sockaddr *)&ss, len);   /* the association exists from here on */
    return 0;
}

static int u_send(kz_assoc *a, const kz_msg *m)
{
    usock *us = a->bk;
    if (!us->so)
        return KZ_ECLOSED;
    struct sctp_sndinfo snd = {.snd_sid = m->stream, .snd_ppid = htonl(m->ppid)};
    if (usrsctp_sendv(us->so, m->data, m->len, NULL, 0, &snd, sizeof snd, SCTP_SENDV_SNDINFO, 0) >= 0)
        return 0;
    if (errno == EWOULDBLOCK || errno == EAGAIN || errno == ENOBUFS) {
        kick(us->hub, us->so);   /* space may already be back: look again on the next turn */
        return KZ_EAGAIN;
    }
    return errno == EMSGSIZE ? KZ_EINVAL : KZ_ECLOSED;
}

static void u_shutdown(kz_assoc *a)
{
    usock *us = a->bk;
    if (us->so && usrsctp_shutdown(us->so, SHUT_WR) < 0)
        kz__assoc_down(a, 0);
}

static void u_abort(kz_assoc *a)
{
    usock *us = a->bk;
    if (us)
        usock_close(us, true);
}

static void u_pause(kz_assoc *a, bool paused)
{
    usock *us = a->bk;
    if (!paused && us->so)
        kick(us->hub, us->so);   /* read what piled up, on the next turn */
}

static void u_release(kz_assoc *a)
{
    usock *us = a->bk;
    if (!us)
        return;
    usock_close(us, false);   /* already down or aborted: a plain close */
    free(us);
    a->bk = NULL;
}

const kz__backend kz__usrsctp_backend = {
    .scheme = "sctp+udp",
    .listen = u_listen,
    .connect = u_connect,
    .send = u_send,
    .shutdown = u_shutdown,
    .abort = u_abort,
    .pause = u_pause,
    .release = u_release,
    .close_listener = u_close_listener,
};
