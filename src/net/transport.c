/*
 * transport.c -- the backend-independent half of every E2 association (kizuna/transport.h).
 *
 * Why here and not in each backend: the promises the application relies on -- exactly one on_down
 * per association and never from inside its own call, a bounded send queue with backpressure and
 * counters, whole messages no larger than max_msg -- must hold identically over kernel SCTP,
 * usrsctp and the simulator, or code tested in simulation would behave differently in the field.
 *
 * Association states:
 *
 *   CONNECTING --kz__assoc_up--> UP --kz_assoc_close--> CLOSING
 *        |                        |                        |
 *        +------------------------+------------------------+--kz__assoc_down--> DOWN
 *                                                          (on_down on a later turn, then free)
 *
 * The send queue holds copies of messages the backend could not take yet (it said KZ_EAGAIN).
 * While the queue is non-empty, new messages go behind it, so order per association is kept.
 * It is one growing buffer per association (kz__qhdr records), not an allocation per message:
 * a sender that overruns the network's buffer queues thousands of messages per second.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "net/net_int.h"

void kz_transport_cfg_default(kz_transport_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->max_msg = 256 * 1024;
    c->sndq_bytes = 1024 * 1024;
    c->rcvbuf_bytes = 256 * 1024;
    c->streams = 4;
    c->dead_peer_ms = 3000;
    c->connect_ms = 5000;
    c->sctp_port = KZ_E2AP_SCTP_PORT;
    c->backlog = 128;
    c->sndbuf_bytes = 256 * 1024;
}

static const kz__backend *backend_for(enum kz__scheme s)
{
    switch (s) {
    case KZ__SCHEME_MEM: return &kz__mem_backend;
    case KZ__SCHEME_UNIX: return &kz__unix_backend;
    case KZ__SCHEME_TCP: return &kz__tcp_backend;
#ifdef KZ_HAVE_USRSCTP
    case KZ__SCHEME_UDP: return &kz__usrsctp_backend;
#endif
#ifdef KZ_HAVE_KSCTP
    case KZ__SCHEME_SCTP: return &kz__sctp_backend;
#endif
    default: return NULL;
    }
}

int kz__addr_parse(const char *url, kz__addr *out)
{
    static const struct { const char *prefix; enum kz__scheme s; } schemes[] = {
        {"mem://", KZ__SCHEME_MEM}, {"sctp+udp://", KZ__SCHEME_UDP}, {"sctp://", KZ__SCHEME_SCTP},
        {"unix://", KZ__SCHEME_UNIX}, {"tcp://", KZ__SCHEME_TCP}};
    memset(out, 0, sizeof *out);
    if (!url)
        return KZ_EINVAL;
    const char *rest = NULL;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i].prefix);
        if (!strncmp(url, schemes[i].prefix, n)) {
            out->scheme = schemes[i].s;
            rest = url + n;
            break;
        }
    }
    if (!rest || !*rest)
        return KZ_EINVAL;
    if (out->scheme == KZ__SCHEME_MEM || out->scheme == KZ__SCHEME_UNIX) {
        if (strlen(rest) >= sizeof out->host || (out->scheme == KZ__SCHEME_MEM && strchr(rest, '#')))
            return KZ_EINVAL;
        strcpy(out->host, rest);
        return 0;
    }
    const char *host = rest, *hend, *colon;
    if (*rest == '[') {
        host = rest + 1;
        hend = strchr(host, ']');
        if (!hend || hend[1] != ':')
            return KZ_EINVAL;
        colon = hend + 1;
    } else {
        colon = strrchr(rest, ':');
        if (!colon)
            return KZ_EINVAL;
        hend = colon;
    }
    size_t hl = (size_t)(hend - host);
    if (hl == 0 || hl >= sizeof out->host)
        return KZ_EINVAL;
    memcpy(out->host, host, hl);
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port == 0 || port > 65535)
        return KZ_EINVAL;
    out->port = (uint16_t)port;
    return 0;
}

int kz_transport_open(kz_transport **out, kz_loop *loop, const kz_transport_cfg *cfg,
                      const kz_transport_cbs *cbs, void *ud)
{
    if (!out || !loop || !cbs || !cbs->on_up || !cbs->on_msg || !cbs->on_down)
        return KZ_EINVAL;
    kz_transport *t = calloc(1, sizeof *t);
    if (!t)
        return KZ_ENOMEM;
    kz_transport_cfg_default(&t->cfg);
    if (cfg) {
        kz_transport_cfg d = t->cfg;
        t->cfg = *cfg;
        /* zero means "default" for every field, nginx-style */
        if (!t->cfg.max_msg) t->cfg.max_msg = d.max_msg;
        if (!t->cfg.sndq_bytes) t->cfg.sndq_bytes = d.sndq_bytes;
        if (!t->cfg.rcvbuf_bytes) t->cfg.rcvbuf_bytes = d.rcvbuf_bytes;
        if (!t->cfg.streams) t->cfg.streams = d.streams;
        if (!t->cfg.dead_peer_ms) t->cfg.dead_peer_ms = d.dead_peer_ms;
        if (!t->cfg.connect_ms) t->cfg.connect_ms = d.connect_ms;
        if (!t->cfg.sctp_port) t->cfg.sctp_port = d.sctp_port;
        if (!t->cfg.backlog) t->cfg.backlog = d.backlog;
        if (!t->cfg.sndbuf_bytes) t->cfg.sndbuf_bytes = d.sndbuf_bytes;
    }
    t->loop = loop;
    t->cbs = *cbs;
    t->ud = ud;
    t->next_id = 1;
    *out = t;
    return 0;
}

int kz_transport_listen(kz_transport *t, const char *url)
{
    kz__addr addr;
    int rc = kz__addr_parse(url, &addr);
    if (rc < 0)
        return rc;
    const kz__backend *be = backend_for(addr.scheme);
    if (!be)
        return KZ_ENOTSUP;
    if (t->listener[addr.scheme])
        return KZ_EINVAL;
    return be->listen(t, &addr);
}

static void free_queue(kz_assoc *a)
{
    free(a->q);
    a->q = NULL;
    a->q_off = a->q_len = a->q_cap = 0;
    a->st.sndq_bytes = a->st.sndq_msgs = 0;
}

static bool q_empty(const kz_assoc *a) { return a->q_off == a->q_len; }

/* Appends one record; KZ_ENOMEM if the buffer cannot grow.  The caller checked the bound. */
static int q_push(kz_assoc *a, const kz_msg *m)
{
    size_t need = sizeof(kz__qhdr) + m->len;
    if (a->q_len + need > a->q_cap && a->q_off) {   /* compact: move the live records down */
        memmove(a->q, a->q + a->q_off, a->q_len - a->q_off);
        a->q_len -= a->q_off;
        a->q_off = 0;
    }
    if (a->q_len + need > a->q_cap) {
        /* Room for twice what is live, so a compaction is followed by at least as many appends
         * as it moved bytes: amortised O(1) per message. */
        size_t cap = a->q_cap ? a->q_cap : 16384;
        while (cap < 2 * (a->q_len + need))
            cap *= 2;
        uint8_t *b = realloc(a->q, cap);
        if (!b)
            return KZ_ENOMEM;
        a->q = b;
        a->q_cap = cap;
    }
    kz__qhdr h = {.len = (uint32_t)m->len, .ppid = m->ppid, .stream = m->stream};
    memcpy(a->q + a->q_len, &h, sizeof h);
    memcpy(a->q + a->q_len + sizeof h, m->data, m->len);
    a->q_len += need;
    a->st.sndq_bytes += m->len;
    a->st.sndq_msgs++;
    return 0;
}

/* The oldest record, not removed. */
static void q_front(const kz_assoc *a, kz_msg *m)
{
    kz__qhdr h;
    memcpy(&h, a->q + a->q_off, sizeof h);
    m->data = a->q + a->q_off + sizeof h;
    m->len = h.len;
    m->ppid = h.ppid;
    m->stream = h.stream;
}

static void q_pop(kz_assoc *a, size_t len)
{
    a->q_off += sizeof(kz__qhdr) + len;
    a->st.sndq_bytes -= len;
    a->st.sndq_msgs--;
    if (a->q_off == a->q_len) {
        a->q_off = a->q_len = 0;
        if (a->q_cap > KZ__Q_KEEP) {   /* a burst is over: give a large buffer back */
            free(a->q);
            a->q = NULL;
            a->q_cap = 0;
        }
    }
}

static void assoc_free(kz_assoc *a)
{
    kz_transport *t = a->t;
    kz_timer_stop(&a->timer);
    kz_defer_cancel(t->loop, &a->down_defer);
    if (a->be->release)
        a->be->release(a);
    free_queue(a);
    free(a->rx);
    if (a->prev)
        a->prev->next = a->next;
    else
        t->assocs = a->next;
    if (a->next)
        a->next->prev = a->prev;
    t->nassoc--;
    free(a);
}

kz_assoc *kz__assoc_new(kz_transport *t, const kz__backend *be)
{
    kz_assoc *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->t = t;
    a->be = be;
    a->id = t->next_id++;
    a->state = KZ__A_CONNECTING;
    a->streams = t->cfg.streams;
    kz_timer_init(t->loop, &a->timer);
    kz_defer_init(&a->down_defer);
    a->next = t->assocs;
    if (t->assocs)
        t->assocs->prev = a;
    t->assocs = a;
    t->nassoc++;
    return a;
}

void kz__assoc_discard(kz_assoc *a)
{
    assoc_free(a);
}

static void connect_timeout(kz_timer *tm, void *ud)
{
    kz_assoc *a = ud;
    (void)tm;
    if (a->state == KZ__A_CONNECTING || a->state == KZ__A_CLOSING) {
        a->be->abort(a);
        kz__assoc_down(a, KZ_ETIMEOUT);
    }
}

int kz_transport_connect(kz_transport *t, const char *url, kz_assoc **out)
{
    kz__addr addr;
    int rc = kz__addr_parse(url, &addr);
    if (rc < 0)
        return rc;
    const kz__backend *be = backend_for(addr.scheme);
    if (!be)
        return KZ_ENOTSUP;
    kz_assoc *a = kz__assoc_new(t, be);
    if (!a)
        return KZ_ENOMEM;
    rc = be->connect(t, a, &addr);
    if (rc < 0) {
        assoc_free(a);
        return rc;
    }
    if (a->state == KZ__A_CONNECTING)
        kz_timer_start(&a->timer, (int64_t)t->cfg.connect_ms * KZ_NS_PER_MS, 0, connect_timeout, a);
    if (out)
        *out = a;
    return 0;
}

void kz_transport_close(kz_transport *t)
{
    while (t->assocs) {
        kz_assoc *a = t->assocs;
        if (a->state != KZ__A_DOWN)
            a->be->abort(a);
        a->state = KZ__A_DOWN;
        assoc_free(a);
    }
    for (int s = 0; s < KZ__SCHEME_N; s++) {
        const kz__backend *be = backend_for((enum kz__scheme)s);
        if (t->listener[s] && be)
            be->close_listener(t);
    }
    free(t);
}

size_t kz_transport_assoc_count(const kz_transport *t) { return t->nassoc; }
kz_loop *kz_transport_loop(const kz_transport *t) { return t->loop; }

/* ---- association events from backends ------------------------------------------------------ */
void kz__assoc_up(kz_assoc *a, uint16_t streams)
{
    if (a->state != KZ__A_CONNECTING)
        return;
    kz_timer_stop(&a->timer);
    a->state = KZ__A_UP;
    a->was_up = true;
    if (streams)
        a->streams = streams;
    a->t->cbs.on_up(a, a->t->ud);
}

void kz__assoc_deliver(kz_assoc *a, const kz_msg *m)
{
    if (a->state == KZ__A_DOWN)
        return;
    a->st.msgs_recv++;
    a->st.bytes_recv += m->len;
    a->t->cbs.on_msg(a, m, a->t->ud);
}

void kz__assoc_piece(kz_assoc *a, const uint8_t *p, size_t n, bool eor, uint32_t ppid,
                     uint16_t stream)
{
    if (eor && a->rx_len == 0 && !a->rx_discard) {   /* the common case: whole in one read */
        if (n > a->t->cfg.max_msg) {
            a->st.recv_dropped++;
            return;
        }
        kz_msg m = {.data = p, .len = n, .ppid = ppid, .stream = stream};
        kz__assoc_deliver(a, &m);
        return;
    }
    if (!a->rx_discard) {
        if (a->rx_len + n > a->t->cfg.max_msg) {
            a->rx_discard = true;
        } else {
            if (a->rx_len + n > a->rx_cap) {
                size_t cap = a->rx_cap ? a->rx_cap : 4096;
                while (cap < a->rx_len + n)
                    cap *= 2;
                uint8_t *b = realloc(a->rx, cap);
                if (!b) {
                    a->rx_discard = true;
                } else {
                    a->rx = b;
                    a->rx_cap = cap;
                }
            }
            if (!a->rx_discard) {
                memcpy(a->rx + a->rx_len, p, n);
                a->rx_len += n;
            }
        }
    }
    if (!eor)
        return;
    if (a->rx_discard) {
        a->st.recv_dropped++;
    } else {
        kz_msg m = {.data = a->rx, .len = a->rx_len, .ppid = ppid, .stream = stream};
        kz__assoc_deliver(a, &m);
    }
    a->rx_len = 0;
    a->rx_discard = false;
}

static void down_cb(kz_defer *d, void *ud)
{
    kz_assoc *a = ud;
    (void)d;
    kz_transport *t = a->t;
    t->cbs.on_down(a, a->down_reason, t->ud);
    assoc_free(a);
}

void kz__assoc_down(kz_assoc *a, int reason)
{
    if (a->state == KZ__A_DOWN)
        return;
    a->state = KZ__A_DOWN;
    a->down_reason = reason;
    kz_timer_stop(&a->timer);
    kz_defer_post(a->t->loop, &a->down_defer, down_cb, a);
}

static void close_timeout(kz_timer *tm, void *ud)
{
    connect_timeout(tm, ud);
}

static void flush(kz_assoc *a)
{
    a->in_backend_wait = false;
    while (!q_empty(a) && a->state != KZ__A_DOWN) {
        kz_msg m;
        q_front(a, &m);
        int rc = a->be->send(a, &m);
        if (rc == KZ_EAGAIN) {
            a->in_backend_wait = true;
            return;
        }
        if (rc < 0) {
            a->be->abort(a);
            kz__assoc_down(a, rc);
            return;
        }
        a->st.msgs_sent++;
        a->st.bytes_sent += m.len;
        q_pop(a, m.len);
    }
}

void kz__assoc_writable(kz_assoc *a)
{
    if (a->state == KZ__A_DOWN)
        return;
    flush(a);
    if (a->state == KZ__A_DOWN)
        return;
    if (a->state == KZ__A_CLOSING && q_empty(a)) {
        a->be->shutdown(a);
        return;
    }
    if (a->want_writable && a->st.sndq_bytes <= a->t->cfg.sndq_bytes / 2) {
        a->want_writable = false;
        if (a->t->cbs.on_writable)
            a->t->cbs.on_writable(a, a->t->ud);
    }
}

/* ---- association calls from the application ----------------------------------------------- */
int kz_assoc_send(kz_assoc *a, const kz_msg *m)
{
    if (a->state != KZ__A_UP)
        return KZ_ECLOSED;
    if (!m || (!m->data && m->len) || m->len == 0 || m->stream >= a->streams)
        return KZ_EINVAL;
    if (m->len > UINT32_MAX)
        return KZ_EINVAL;
    if (q_empty(a)) {
        int rc = a->be->send(a, m);
        if (rc == 0) {
            a->st.msgs_sent++;
            a->st.bytes_sent += m->len;
            return 0;
        }
        if (rc != KZ_EAGAIN) {
            a->be->abort(a);
            kz__assoc_down(a, rc);   /* reported on a later turn */
            return KZ_ECLOSED;
        }
        a->in_backend_wait = true;
    } else if (a->st.sndq_bytes + m->len > a->t->cfg.sndq_bytes) {
        a->st.send_refused++;
        a->want_writable = true;
        return KZ_EAGAIN;
    }
    return q_push(a, m);
}

void kz_assoc_close(kz_assoc *a)
{
    if (a->state == KZ__A_DOWN || a->state == KZ__A_CLOSING)
        return;
    if (a->state == KZ__A_CONNECTING) {
        a->be->abort(a);
        kz__assoc_down(a, KZ_ECLOSED);
        return;
    }
    a->state = KZ__A_CLOSING;
    kz_timer_start(&a->timer, (int64_t)a->t->cfg.dead_peer_ms * KZ_NS_PER_MS, 0, close_timeout, a);
    if (q_empty(a))
        a->be->shutdown(a);
}

void kz_assoc_abort(kz_assoc *a)
{
    if (a->state == KZ__A_DOWN)
        return;
    a->be->abort(a);
    kz__assoc_down(a, KZ_ECLOSED);
}

void kz_assoc_pause(kz_assoc *a, bool paused)
{
    if (a->paused == paused || a->state == KZ__A_DOWN)
        return;
    a->paused = paused;
    a->be->pause(a, paused);
}

void kz_assoc_stats_get(const kz_assoc *a, kz_assoc_stats *st) { *st = a->st; }
const char *kz_assoc_peer(const kz_assoc *a) { return a->peer; }
uint64_t kz_assoc_id(const kz_assoc *a) { return a->id; }
bool kz_assoc_is_up(const kz_assoc *a) { return a->state == KZ__A_UP; }
uint16_t kz_assoc_streams(const kz_assoc *a) { return a->streams; }
kz_transport *kz_assoc_transport(const kz_assoc *a) { return a->t; }
void kz_assoc_set_ud(kz_assoc *a, void *ud) { a->ud = ud; }
void *kz_assoc_ud(const kz_assoc *a) { return a->ud; }

/* ---- address helpers shared by the socket backends ---------------------------------------- */

int kz__resolve(int socktype, const char *host, uint16_t port, struct sockaddr_storage *ss,
                socklen_t *len)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = socktype}, *res;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res)
        return KZ_EINVAL;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

void kz__format_peer(char *buf, size_t n, const struct sockaddr *sa)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const void *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(buf, n, "%s:%u", ip, ntohs(s4->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const void *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(buf, n, "[%s]:%u", ip, ntohs(s6->sin6_port));
    } else {
        snprintf(buf, n, "?");
    }
}
