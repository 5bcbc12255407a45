/*
 * transport_sctp.c -- sctp:// associations on the kernel's SCTP (one-to-one sockets).
 *
 * Why: where the kernel has SCTP (most Linux servers, the gNBs and DUs E2 nodes run on), it is
 * the E2 transport everybody else speaks: plain SCTP, port 36421, PPID 70.  No library is needed
 * beyond the kernel's UAPI header <linux/sctp.h>: PPIDs travel in SCTP_SNDINFO / SCTP_RCVINFO
 * control messages, so libsctp is not linked.
 *
 * Guarantees (as for every backend, see kizuna/transport.h): whole messages (MSG_EOR; pieces are
 * reassembled by the core), PPID and stream kept, SCTP_NODELAY, association events from
 * SCTP_ASSOC_CHANGE / SHUTDOWN notifications, a dead peer declared within about
 * cfg.dead_peer_ms (heartbeat and RTO derived from it as for usrsctp).  Where the kernel has no
 * SCTP (socket() fails with EPROTONOSUPPORT), listen and connect return KZ_ENOTSUP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/sctp.h>

#include "kizuna/error.h"
#include "net/net_int.h"

#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP 132
#endif

typedef struct ksock {
    kz_io io;
    int fd;
    kz_assoc *a;          /* NULL for a listener */
    kz_transport *t;
    bool unreachable;
    bool want_write;
} ksock;

static int open_socket(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_SCTP);
    if (fd < 0)
        return (errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT || errno == EAFNOSUPPORT)
                   ? KZ_ENOTSUP : KZ_EIO;
    return fd;
}

static int set_opts(int fd, const kz_transport_cfg *c)
{
    const int on = 1;
    int rcv = (int)c->rcvbuf_bytes, snd = (int)(c->rcvbuf_bytes > c->max_msg ? c->rcvbuf_bytes
                                                                             : c->max_msg);
    uint32_t dead = c->dead_peer_ms < 500 ? 500 : c->dead_peer_ms;   /* see transport_usrsctp.c */
    struct sctp_initmsg init = {.sinit_num_ostreams = c->streams, .sinit_max_instreams = c->streams,
                                .sinit_max_attempts = 4, .sinit_max_init_timeo = 1000};
    struct sctp_rtoinfo rto = {.srto_assoc_id = 0, .srto_initial = dead / 16,
                               .srto_max = dead / 16, .srto_min = dead / 32};
    struct sctp_assocparams ap;
    memset(&ap, 0, sizeof ap);
    ap.sasoc_asocmaxrxt = 4;
    struct sctp_paddrparams pp;
    memset(&pp, 0, sizeof pp);
    pp.spp_hbinterval = dead / 12;
    pp.spp_pathmaxrxt = 4;
    pp.spp_flags = SPP_HB_ENABLE;
    struct sctp_event_subscribe ev;
    memset(&ev, 0, sizeof ev);
    ev.sctp_association_event = 1;
    ev.sctp_address_event = 1;
    ev.sctp_shutdown_event = 1;
    if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on) < 0 ||
        setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on) < 0 ||
        setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init) < 0 ||
        setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof ev) < 0)
        return KZ_EIO;
    /* Armed from the start: if this process dies or exits with the association up, the kernel
     * sends ABORT and the peer sees a loss (KZ_ECLOSED), as with usrsctp, instead of a graceful
     * SHUTDOWN that would read as an orderly close.  k_release disarms it. */
    const struct linger abort_on_close = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close) < 0)
        return KZ_EIO;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
    setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto);
    setsockopt(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, sizeof ap);
    setsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp);
    return 0;
}

static uint16_t out_streams(int fd, uint16_t dflt)
{
    struct sctp_status st;
    socklen_t len = sizeof st;
    memset(&st, 0, sizeof st);
    if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0 && st.sstat_outstrms)
        return st.sstat_outstrms;
    return dflt;
}

static int err_reason(int e)
{
    switch (e) {
    case ETIMEDOUT: return KZ_ETIMEOUT;
    case ECONNREFUSED:
    case ECONNRESET:
    case EPIPE: return KZ_ECLOSED;
    default: return KZ_EIO;
    }
}

static void update_events(ksock *ks)
{
    if (ks->fd < 0)
        return;
    unsigned ev = (ks->a && ks->a->paused) ? 0u : KZ_IO_READ;
    if (ks->want_write)
        ev |= KZ_IO_WRITE;
    kz_io_set(&ks->io, ev);
}

/* Why an association was lost.  Linux fails it on retransmission or heartbeat timeouts without
 * an ADDR_UNREACHABLE notification when path and association retransmission limits are equal (as
 * here), but it sets the socket error: ETIMEDOUT for a peer that stopped answering, ECONNRESET for
 * an ABORT received. */
static int lost_reason(ksock *ks)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(ks->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ETIMEDOUT)
        return KZ_ETIMEOUT;
    return ks->unreachable ? KZ_ETIMEOUT : KZ_ECLOSED;
}

static void on_notification(ksock *ks, const uint8_t *buf, size_t n)
{
    const union sctp_notification *sn = (const void *)buf;
    kz_assoc *a = ks->a;
    if (n < sizeof sn->sn_header)
        return;
    switch (sn->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
        if (n < sizeof sn->sn_assoc_change)
            return;
        switch (sn->sn_assoc_change.sac_state) {
        case SCTP_COMM_UP:
            kz__assoc_up(a, sn->sn_assoc_change.sac_outbound_streams);
            break;
        case SCTP_COMM_LOST:
        case SCTP_CANT_STR_ASSOC:
            kz__assoc_down(a, lost_reason(ks));
            break;
        case SCTP_RESTART:
            kz__assoc_down(a, KZ_ECLOSED);
            break;
        case SCTP_SHUTDOWN_COMP:
            kz__assoc_down(a, 0);
            break;
        default:
            break;
        }
        break;
    case SCTP_PEER_ADDR_CHANGE:
        if (n >= sizeof sn->sn_paddr_change &&
            sn->sn_paddr_change.spc_state == SCTP_ADDR_UNREACHABLE)
            ks->unreachable = true;
        break;
    case SCTP_SHUTDOWN_EVENT:
        kz__assoc_down(a, 0);
        break;
    default:
        break;
    }
}

static void read_all(ksock *ks)
{
    kz_assoc *a = ks->a;
    uint8_t buf[65536];
    char cbuf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
    while (ks->fd >= 0 && a->state != KZ__A_DOWN && !a->paused) {
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                            .msg_controllen = sizeof cbuf};
        ssize_t n = recvmsg(ks->fd, &mh, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            kz__assoc_down(a, err_reason(errno));
            return;
        }
        if (n == 0) {
            kz__assoc_down(a, 0);
            return;
        }
        if (mh.msg_flags & MSG_NOTIFICATION) {
            on_notification(ks, buf, (size_t)n);
            continue;
        }
        uint32_t ppid = 0;
        uint16_t sid = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == IPPROTO_SCTP && c->cmsg_type == SCTP_RCVINFO) {
                struct sctp_rcvinfo ri;
                memcpy(&ri, CMSG_DATA(c), sizeof ri);
                ppid = ntohl(ri.rcv_ppid);
                sid = ri.rcv_sid;
            }
        }
        if (a->state == KZ__A_CONNECTING)
            kz__assoc_up(a, out_streams(ks->fd, a->streams));
        kz__assoc_piece(a, buf, (size_t)n, (mh.msg_flags & MSG_EOR) != 0, ppid, sid);
    }
}

static void assoc_io(kz_io *io, unsigned rev, void *ud)
{
    ksock *ks = ud;
    kz_assoc *a = ks->a;
    (void)io;
    if (a->state == KZ__A_CONNECTING && (rev & (KZ_IO_WRITE | KZ_IO_ERROR))) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(ks->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            kz__assoc_down(a, err_reason(err));
            return;
        }
        ks->want_write = false;
        update_events(ks);
        kz__assoc_up(a, out_streams(ks->fd, a->streams));
    }
    if (rev & (KZ_IO_READ | KZ_IO_ERROR))
        read_all(ks);
    if ((rev & KZ_IO_WRITE) && a->state != KZ__A_DOWN && ks->want_write) {
        ks->want_write = false;
        update_events(ks);
        kz__assoc_writable(a);
    }
}

static ksock *ksock_new(kz_loop *loop, int fd, kz_io_cb cb, unsigned ev)
{
    ksock *ks = calloc(1, sizeof *ks);
    if (!ks)
        return NULL;
    ks->fd = fd;
    if (kz_io_start(loop, &ks->io, fd, ev, cb, ks) < 0) {
        free(ks);
        return NULL;
    }
    return ks;
}

/* abort: close with SO_LINGER {1, 0}, i.e. send ABORT; otherwise a graceful close, which lets the
 * kernel finish a SHUTDOWN the peer started (SHUTDOWN-ACK) rather than abort it. */
static void ksock_close(ksock *ks, bool abort)
{
    if (ks->fd < 0)
        return;
    struct linger l = {.l_onoff = abort ? 1 : 0, .l_linger = 0};
    setsockopt(ks->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    kz_io_stop(&ks->io);
    close(ks->fd);
    ks->fd = -1;
}

static void listen_io(kz_io *io, unsigned rev, void *ud)
{
    ksock *ls = ud;
    kz_transport *t = ls->t;
    (void)io;
    (void)rev;
    for (;;) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept(ls->fd, (struct sockaddr *)&ss, &len);   /* accept4 is _GNU_SOURCE */
        if (fd < 0)
            return;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        kz_assoc *a = kz__assoc_new(t, &kz__sctp_backend);
        ksock *ks = a ? ksock_new(t->loop, fd, assoc_io, KZ_IO_READ) : NULL;
        if (!ks || set_opts(fd, &t->cfg) < 0) {
            if (ks)
                ksock_close(ks, true);
            else
                close(fd);
            free(ks);
            if (a)
                kz__assoc_discard(a);
            continue;
        }
        ks->a = a;
        a->bk = ks;
        kz__format_peer(a->peer, sizeof a->peer, (struct sockaddr *)&ss);
        kz__assoc_up(a, out_streams(fd, t->cfg.streams));
    }
}

static int k_listen(kz_transport *t, const kz__addr *addr)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = kz__resolve(SOCK_STREAM, addr->host, addr->port, &ss, &len);
    if (rc < 0)
        return rc;
    int fd = open_socket(ss.ss_family);
    if (fd < 0)
        return fd;
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    ksock *ks = NULL;
    if (set_opts(fd, &t->cfg) < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
        listen(fd, t->cfg.backlog) < 0 || !(ks = ksock_new(t->loop, fd, listen_io, KZ_IO_READ))) {
        close(fd);
        return KZ_EIO;
    }
    ks->t = t;
    t->listener[KZ__SCHEME_SCTP] = ks;
    return 0;
}

static void k_close_listener(kz_transport *t)
{
    ksock *ks = t->listener[KZ__SCHEME_SCTP];
    ksock_close(ks, false);
    free(ks);
    t->listener[KZ__SCHEME_SCTP] = NULL;
}

static int k_connect(kz_transport *t, kz_assoc *a, const kz__addr *addr)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int rc = kz__resolve(SOCK_STREAM, addr->host, addr->port, &ss, &len);
    if (rc < 0)
        return rc;
    int fd = open_socket(ss.ss_family);
    if (fd < 0)
        return fd;
    if (set_opts(fd, &t->cfg) < 0) {
        close(fd);
        return KZ_EIO;
    }
    kz__format_peer(a->peer, sizeof a->peer, (struct sockaddr *)&ss);
    int crc = connect(fd, (struct sockaddr *)&ss, len);
    int cerr = errno;
    ksock *ks = ksock_new(t->loop, fd, assoc_io, KZ_IO_READ | KZ_IO_WRITE);
    if (!ks) {
        close(fd);
        return KZ_ENOMEM;
    }
    ks->a = a;
    ks->t = t;
    ks->want_write = true;   /* connect completion */
    a->bk = ks;
    if (crc < 0 && cerr != EINPROGRESS)
        kz__assoc_down(a, err_reason(cerr));   /* reported on a later turn */
    return 0;
}

static int k_send(kz_assoc *a, const kz_msg *m)
{
    ksock *ks = a->bk;
    if (ks->fd < 0)
        return KZ_ECLOSED;
    char cbuf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec iov = {.iov_base = (void *)m->data, .iov_len = m->len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                        .msg_controllen = sizeof cbuf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = IPPROTO_SCTP;
    c->cmsg_type = SCTP_SNDINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct sctp_sndinfo));
    struct sctp_sndinfo si;
    memset(&si, 0, sizeof si);
    si.snd_sid = m->stream;
    si.snd_ppid = htonl(m->ppid);
    memcpy(CMSG_DATA(c), &si, sizeof si);
    if (sendmsg(ks->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
        return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        ks->want_write = true;
        update_events(ks);
        return KZ_EAGAIN;
    }
    return errno == EMSGSIZE ? KZ_EINVAL : KZ_ECLOSED;
}

static void k_shutdown(kz_assoc *a)
{
    ksock *ks = a->bk;
    if (ks->fd >= 0 && shutdown(ks->fd, SHUT_WR) < 0)
        kz__assoc_down(a, 0);
}

static void k_abort(kz_assoc *a)
{
    ksock *ks = a->bk;
    if (ks)
        ksock_close(ks, true);
}

static void k_pause(kz_assoc *a, bool paused)
{
    ksock *ks = a->bk;
    (void)paused;
    update_events(ks);   /* level-triggered: resuming re-reports what is waiting */
}

static void k_release(kz_assoc *a)
{
    ksock *ks = a->bk;
    if (!ks)
        return;
    ksock_close(ks, false);
    free(ks);
    a->bk = NULL;
}

const kz__backend kz__sctp_backend = {
    .scheme = "sctp",
    .listen = k_listen,
    .connect = k_connect,
    .send = k_send,
    .shutdown = k_shutdown,
    .abort = k_abort,
    .pause = k_pause,
    .release = k_release,
    .close_listener = k_close_listener,
};
