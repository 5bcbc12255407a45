/*
 * transport_stream.c -- unix:// and tcp:// associations: SCTP's message contract over a byte
 * stream, for the RIC's xApp bus.
 *
 * Why: xApps are separate processes on the RIC's host (a Unix socket: no port, file permissions)
 * or elsewhere (TCP).  Both are byte streams, but everything above the transport -- the RIC's bus
 * server, the xApp SDK -- is written against kz_transport's whole messages, backpressure and
 * exactly-one on_down.  This backend gives them that, so the same bus code also runs over mem://
 * in the simulator.
 *
 * Wire framing: each message is an 8-octet header -- length (32 bits, big endian) and PPID (32
 * bits, big endian) -- then the message.  Streams are not carried (every message arrives on
 * stream 0; order is the stream's order).
 *
 * Addresses: "unix:///path/to/sock", "unix://@name" (Linux abstract namespace), "tcp://host:port",
 * "tcp://[::1]:port".
 *
 * What it guarantees:
 *  - Whole messages in order.  An inbound message longer than cfg.max_msg is skipped and counted
 *    (recv_dropped), the stream stays in sync.
 *  - Bounded memory: one output buffer per association, at most cfg.sndbuf_bytes, allocated as it
 *    grows (not per message); past that send() says KZ_EAGAIN and the core's bounded queue
 *    (cfg.sndq_bytes) and backpressure apply, as above a socket buffer for SCTP.
 *  - Orderly close: shutdown(SHUT_WR) once the buffer is empty, on_down(0) when the peer closes
 *    too; reset / error: on_down(KZ_ECLOSED).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kizuna/error.h"
#include "net/net_int.h"

#define SHDR 8u
#define KZ__SFLUSH ((size_t)64 * 1024)   /* buffered this much in one turn: write now */

typedef struct slisten {
    kz_transport *t;
    kz_io io;
    int fd;
    enum kz__scheme scheme;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unix: unlinked on close */
} slisten;

typedef struct sconn {
    kz_io io;
    kz_defer flush;          /* writes what this turn buffered, once, before the loop polls */
    kz_assoc *a;
    int fd;
    bool connecting;
    bool wr_shut;
    /* output: out[out_off .. out_len) not yet written */
    uint8_t *out;
    size_t out_off, out_len, out_cap;
    /* input */
    uint8_t *in;
    size_t in_len, in_cap;
    size_t skip;             /* bytes of an oversize message still to discard */
} sconn;

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

static int unix_sockaddr(const char *path, struct sockaddr_un *sun, socklen_t *len)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof sun->sun_path)
        return KZ_EINVAL;
    memcpy(sun->sun_path, path, n);
    if (path[0] == '@')
        sun->sun_path[0] = '\0';   /* abstract namespace */
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
    return 0;
}

static int resolve(const kz__addr *addr, bool passive, struct addrinfo **res)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    char port[8];
    snprintf(port, sizeof port, "%u", addr->port);
    return getaddrinfo(addr->host, port, &hints, res) ? KZ_EINVAL : 0;
}

static void s_io(kz_io *io, unsigned ev, void *ud);

static void update_events(kz_assoc *a)
{
    sconn *c = a->bk;
    if (!c || c->fd < 0)
        return;
    unsigned ev = 0;
    if (!a->paused || c->connecting)
        ev |= KZ_IO_READ;
    if (c->connecting || c->out_off < c->out_len)
        ev |= KZ_IO_WRITE;
    if (c->connecting)
        ev = KZ_IO_WRITE;
    kz_io_set(&c->io, ev);
}

static sconn *conn_new(kz_assoc *a, int fd)
{
    sconn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    c->a = a;
    kz_defer_init(&c->flush);
    a->bk = c;
    if (kz_io_start(a->t->loop, &c->io, fd, KZ_IO_READ, s_io, a) < 0) {
        free(c);
        a->bk = NULL;
        return NULL;
    }
    return c;
}

static void conn_fail(kz_assoc *a, int reason)
{
    sconn *c = a->bk;
    if (c)
        kz_defer_cancel(a->t->loop, &c->flush);
    if (c && c->fd >= 0) {
        kz_io_stop(&c->io);
        close(c->fd);
        c->fd = -1;
    }
    kz__assoc_down(a, reason);
}

/* Writes what the buffer holds.  0, or a negative code when the connection is broken. */
static int flush_out(kz_assoc *a)
{
    sconn *c = a->bk;
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            if (errno == EINTR)
                continue;
            return KZ_ECLOSED;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    return 0;
}

/* The deferred write: everything s_send() buffered since the last one goes out in one send(). */
static void flush_deferred(kz_defer *d, void *ud)
{
    sconn *c = ud;
    kz_assoc *a = c->a;
    (void)d;
    if (c->fd < 0 || c->connecting || a->state == KZ__A_DOWN)
        return;
    if (flush_out(a) < 0) {
        conn_fail(a, KZ_ECLOSED);
        return;
    }
    if (c->out_len)
        update_events(a);   /* the rest when the socket is writable */
}

static void read_ready(kz_assoc *a)
{
    sconn *c = a->bk;
    size_t max = a->t->cfg.max_msg;
    for (int rounds = 0; rounds < 16 && c->fd >= 0 && !a->paused && a->state != KZ__A_DOWN;
         rounds++) {
        if (c->in_cap - c->in_len < 4096) {
            size_t cap = c->in_cap ? c->in_cap * 2 : 65536;
            if (cap > max + SHDR + 65536)
                cap = max + SHDR + 65536;
            if (cap <= c->in_cap) {
                if (c->in_cap == c->in_len) { /* cannot happen: frames are consumed below */
                    conn_fail(a, KZ_EIO);
                    return;
                }
            } else {
                uint8_t *b = realloc(c->in, cap);
                if (!b) {
                    conn_fail(a, KZ_ENOMEM);
                    return;
                }
                c->in = b;
                c->in_cap = cap;
            }
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n == 0) {
            /* peer closed: orderly if we were closing or nothing was half-sent */
            conn_fail(a, 0);
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            conn_fail(a, KZ_ECLOSED);
            return;
        }
        c->in_len += (size_t)n;
        size_t off = 0;
        while (a->state != KZ__A_DOWN) {
            if (c->skip) {
                size_t k = c->in_len - off < c->skip ? c->in_len - off : c->skip;
                off += k;
                c->skip -= k;
                if (c->skip)
                    break;
                continue;
            }
            if (c->in_len - off < SHDR)
                break;
            const uint8_t *h = c->in + off;
            size_t len = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
            uint32_t ppid = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
            if (len > max || len == 0) {
                a->st.recv_dropped++;
                off += SHDR;
                c->skip = len;
                continue;
            }
            if (c->in_len - off < SHDR + len)
                break;
            kz_msg m = {.data = h + SHDR, .len = len, .ppid = ppid, .stream = 0};
            off += SHDR + len;
            kz__assoc_deliver(a, &m);
            if (a->paused)
                break;
        }
        if (a->state == KZ__A_DOWN || c->fd < 0)
            return;
        if (off) {
            memmove(c->in, c->in + off, c->in_len - off);
            c->in_len -= off;
        }
    }
}

static void s_io(kz_io *io, unsigned ev, void *ud)
{
    kz_assoc *a = ud;
    sconn *c = a->bk;
    (void)io;
    if (c->connecting) {
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
            conn_fail(a, KZ_ECLOSED);
            return;
        }
        c->connecting = false;
        update_events(a);
        kz__assoc_up(a, 1);
        return;
    }
    if (ev & KZ_IO_WRITE) {
        if (flush_out(a) < 0) {
            conn_fail(a, KZ_ECLOSED);
            return;
        }
        update_events(a);
        if (c->out_len == 0) {
            if (a->state == KZ__A_CLOSING && a->q_off == a->q_len && !c->wr_shut) {
                c->wr_shut = true;
                shutdown(c->fd, SHUT_WR);
            }
            kz__assoc_writable(a);
            if (a->state == KZ__A_DOWN || c->fd < 0)
                return;
        }
    }
    if (ev & (KZ_IO_READ | KZ_IO_ERROR))
        read_ready(a);
}

/* ---- backend ------------------------------------------------------------------------------- */
static void accept_cb(kz_io *io, unsigned ev, void *ud)
{
    slisten *l = ud;
    (void)io;
    (void)ev;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept(l->fd, (struct sockaddr *)&ss, &sl);
        if (fd < 0)
            return;
        if (set_nonblock(fd) < 0) {
            close(fd);
            continue;
        }
        kz_assoc *a = kz__assoc_new(l->t, l->scheme == KZ__SCHEME_UNIX ? &kz__unix_backend
                                                                        : &kz__tcp_backend);
        if (!a) {
            close(fd);
            continue;
        }
        if (l->scheme == KZ__SCHEME_TCP) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            char host[64] = "?", serv[16] = "?";
            getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, serv, sizeof serv,
                        NI_NUMERICHOST | NI_NUMERICSERV);
            snprintf(a->peer, sizeof a->peer, "%s:%s", host, serv);
        } else {
            snprintf(a->peer, sizeof a->peer, "unix#%llu", (unsigned long long)a->id);
        }
        if (!conn_new(a, fd)) {
            close(fd);
            kz__assoc_discard(a);
            continue;
        }
        kz__assoc_up(a, 1);
    }
}

static int s_listen(kz_transport *t, const kz__addr *addr)
{
    slisten *l = calloc(1, sizeof *l);
    if (!l)
        return KZ_ENOMEM;
    l->t = t;
    l->scheme = addr->scheme;
    l->fd = -1;
    int rc = KZ_EIO;
    if (addr->scheme == KZ__SCHEME_UNIX) {
        struct sockaddr_un sun;
        socklen_t sl;
        if ((rc = unix_sockaddr(addr->host, &sun, &sl)) < 0)
            goto fail;
        rc = KZ_EIO;
        if (addr->host[0] != '@') {
            struct stat st;
            if (stat(addr->host, &st) == 0 && S_ISSOCK(st.st_mode))
                unlink(addr->host);   /* a stale socket of a previous run */
            size_t n = strlen(addr->host);   /* < sizeof l->path: unix_sockaddr checked it */
            memcpy(l->path, addr->host, n < sizeof l->path ? n : sizeof l->path - 1);
        }
        l->fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sun, sl) < 0)
            goto fail;
    } else {
        struct addrinfo *res;
        if ((rc = resolve(addr, true, &res)) < 0)
            goto fail;
        rc = KZ_EIO;
        l->fd = socket(res->ai_family, SOCK_STREAM, 0);
        int one = 1;
        if (l->fd >= 0)
            setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (l->fd < 0 || bind(l->fd, res->ai_addr, res->ai_addrlen) < 0) {
            freeaddrinfo(res);
            goto fail;
        }
        freeaddrinfo(res);
    }
    if (set_nonblock(l->fd) < 0 || listen(l->fd, t->cfg.backlog) < 0)
        goto fail;
    if (kz_io_start(t->loop, &l->io, l->fd, KZ_IO_READ, accept_cb, l) < 0)
        goto fail;
    t->listener[addr->scheme] = l;
    return 0;
fail:
    if (l->fd >= 0)
        close(l->fd);
    if (l->path[0])
        unlink(l->path);
    free(l);
    return rc;
}

static int s_connect(kz_transport *t, kz_assoc *a, const kz__addr *addr)
{
    (void)t;
    int fd = -1, rc;
    if (addr->scheme == KZ__SCHEME_UNIX) {
        struct sockaddr_un sun;
        socklen_t sl;
        if ((rc = unix_sockaddr(addr->host, &sun, &sl)) < 0)
            return rc;
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || set_nonblock(fd) < 0)
            goto io_fail;
        snprintf(a->peer, sizeof a->peer, "unix://%.80s", addr->host);
        rc = connect(fd, (struct sockaddr *)&sun, sl);
    } else {
        struct addrinfo *res;
        if ((rc = resolve(addr, false, &res)) < 0)
            return rc;
        fd = socket(res->ai_family, SOCK_STREAM, 0);
        if (fd < 0 || set_nonblock(fd) < 0) {
            freeaddrinfo(res);
            goto io_fail;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        snprintf(a->peer, sizeof a->peer, "%.80s:%u", addr->host, addr->port);
        rc = connect(fd, res->ai_addr, res->ai_addrlen);
        freeaddrinfo(res);
    }
    sconn *c = conn_new(a, fd);
    if (!c)
        goto io_fail;
    /* Even a connect that completed at once reports on_up from the loop (the socket is writable
     * on the next turn): the caller has not seen *out yet. */
    if (rc == 0 || errno == EINPROGRESS || errno == EAGAIN) {
        c->connecting = true;
        update_events(a);
        return 0;
    }
    conn_fail(a, KZ_ECLOSED);   /* refused: reported on a later turn, like SCTP's ABORT */
    return 0;
io_fail:
    if (fd >= 0)
        close(fd);
    return KZ_EIO;
}

static int s_send(kz_assoc *a, const kz_msg *m)
{
    sconn *c = a->bk;
    if (!c || c->fd < 0)
        return KZ_ECLOSED;
    size_t need = SHDR + m->len;
    size_t cap_max = a->t->cfg.sndbuf_bytes;   /* then the core's bounded queue takes over */
    if (c->out_len + need > c->out_cap) {
        if (c->out_off) {   /* compact first */
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        if (c->out_len + need > c->out_cap) {
            if (c->out_len && c->out_len + need > cap_max)
                return KZ_EAGAIN;
            size_t cap = c->out_cap ? c->out_cap : 16384;
            while (cap < c->out_len + need)
                cap *= 2;
            uint8_t *b = realloc(c->out, cap);
            if (!b)
                return KZ_EAGAIN;
            c->out = b;
            c->out_cap = cap;
        }
    }
    uint8_t *h = c->out + c->out_len;
    h[0] = (uint8_t)(m->len >> 24); h[1] = (uint8_t)(m->len >> 16);
    h[2] = (uint8_t)(m->len >> 8);  h[3] = (uint8_t)m->len;
    h[4] = (uint8_t)(m->ppid >> 24); h[5] = (uint8_t)(m->ppid >> 16);
    h[6] = (uint8_t)(m->ppid >> 8);  h[7] = (uint8_t)m->ppid;
    memcpy(h + SHDR, m->data, m->len);
    bool was_empty = c->out_off == c->out_len;
    c->out_len += need;
    /* Not written now: a deferred call writes the whole turn's output at once, so a burst of N
     * messages (an indication fan-out, a batch read from E2) costs one send(), not N.  It runs
     * before the loop next polls, so nothing waits longer than the current turn.  A turn that
     * buffers KZ__SFLUSH or more writes at once instead: the buffer is also the bound an
     * application may drop against (the RIC's per-xApp queue), and a long turn must not fill it
     * while the socket could take the bytes. */
    if (c->connecting)
        return 0;
    if (c->out_len - c->out_off >= KZ__SFLUSH && !(c->io.events & KZ_IO_WRITE)) {
        if (flush_out(a) < 0)
            return KZ_ECLOSED;
        if (c->out_off < c->out_len)
            update_events(a);
    } else if (was_empty) {
        kz_defer_post(a->t->loop, &c->flush, flush_deferred, c);
    }
    return 0;
}

static void s_shutdown(kz_assoc *a)
{
    sconn *c = a->bk;
    if (!c || c->fd < 0)
        return;
    if (c->out_len == 0 && !c->wr_shut) {
        c->wr_shut = true;
        shutdown(c->fd, SHUT_WR);
    }
    /* else: the write handler shuts down once the buffer drains; on_down(0) when the peer's EOF
     * arrives (the core's close timer bounds the wait) */
    update_events(a);
}

static void s_abort(kz_assoc *a)
{
    sconn *c = a->bk;
    if (c)
        kz_defer_cancel(a->t->loop, &c->flush);
    if (!c || c->fd < 0)
        return;
    /* What this turn buffered would have been written at send time before writes were deferred:
     * write it now (best effort, non-blocking), so a send right before an abort or a
     * kz_transport_close() still reaches a unix:// peer, as it always did. */
    if (!c->connecting && c->out_off < c->out_len)
        (void)flush_out(a);
    kz_io_stop(&c->io);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c->fd);
    c->fd = -1;
}

static void s_pause(kz_assoc *a, bool paused)
{
    (void)paused;
    update_events(a);
    sconn *c = a->bk;
    if (!paused && c && c->fd >= 0 && c->in_len)
        read_ready(a);   /* frames already buffered */
}

static void s_release(kz_assoc *a)
{
    sconn *c = a->bk;
    if (!c)
        return;
    kz_defer_cancel(a->t->loop, &c->flush);
    if (c->fd >= 0) {
        kz_io_stop(&c->io);
        close(c->fd);
    }
    free(c->out);
    free(c->in);
    free(c);
    a->bk = NULL;
}

static void close_listener_scheme(kz_transport *t, enum kz__scheme s)
{
    slisten *l = t->listener[s];
    if (!l)
        return;
    kz_io_stop(&l->io);
    close(l->fd);
    if (l->path[0])
        unlink(l->path);
    free(l);
    t->listener[s] = NULL;
}

static void s_close_listener_unix(kz_transport *t) { close_listener_scheme(t, KZ__SCHEME_UNIX); }
static void s_close_listener_tcp(kz_transport *t) { close_listener_scheme(t, KZ__SCHEME_TCP); }

const kz__backend kz__unix_backend = {
    .scheme = "unix",
    .listen = s_listen,
    .connect = s_connect,
    .send = s_send,
    .shutdown = s_shutdown,
    .abort = s_abort,
    .pause = s_pause,
    .release = s_release,
    .close_listener = s_close_listener_unix,
};

const kz__backend kz__tcp_backend = {
    .scheme = "tcp",
    .listen = s_listen,
    .connect = s_connect,
    .send = s_send,
    .shutdown = s_shutdown,
    .abort = s_abort,
    .pause = s_pause,
    .release = s_release,
    .close_listener = s_close_listener_tcp,
};
