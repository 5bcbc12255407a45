/*
 * transport_mem.c -- mem://name associations: SCTP's contract without a network.
 *
 * Why: the simulator must run the real RIC and emulator code over associations whose timing and
 * failures it decides, and tests need an association without ports and threads.  Nothing here
 * knows about time except through the loop's timers, so on a virtual clock a run is a pure
 * function of its inputs and the simulator's policy.
 *
 * What it guarantees (the same as SCTP gives E2):
 *  - whole messages, PPID and stream kept; FIFO per association (a per-direction pipe, each
 *    message due at max(now + delay, previous due));
 *  - the handshake travels in the pipes as markers (INIT one way, UP back), so a message never
 *    overtakes the association's on_up, and an address nobody listens on is refused after one
 *    trip (on_down(KZ_ECLOSED)), as SCTP answers an INIT to a closed port with ABORT;
 *  - a receive window: a direction holds at most the receiver's rcvbuf_bytes in flight or unread;
 *    past that the sender's core queue fills (backpressure), so a paused reader blocks only its
 *    own association;
 *  - an abort reaches the other end after one delay; a drop (fault injection) kills both ends
 *    at once and counts the messages in flight as lost.
 *
 * The registry of listeners lives in the loop (slot KZ__SLOT_MEM), not in a global: two loops are
 * two separate networks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "net/net_int.h"

enum mkind { MK_DATA, MK_INIT, MK_UP, MK_SHUTDOWN };

typedef struct mnode {
    struct mnode *next;
    int64_t due;
    enum mkind kind;
    size_t len;
    uint32_t ppid;
    uint16_t stream;
    uint8_t data[];
} mnode;

typedef struct mlisten {
    struct mlisten *next;
    kz_transport *t;
    char name[256];
} mlisten;

struct kz__memnet {
    mlisten *listeners;
    uint64_t next_conn;
    uint64_t lost;
    kz__mem_policy policy;
    bool has_policy;
};

typedef struct mend {
    kz_assoc *a;
    struct mend *peer;
    kz__memnet *net;
    uint64_t conn;
    int dir;                 /* 0: this end connected; 1: this end accepted */
    char name[256];
    /* the pipe from this end to its peer */
    mnode *head, *tail;
    size_t inflight;         /* bytes in the pipe */
    int64_t last_due;
    kz_timer pipe_timer;     /* due time of head */
    kz_timer abort_timer;    /* the peer's abort reaches this end */
    int abort_reason;
    bool wait_window;        /* the core was told KZ_EAGAIN */
} mend;

/* ---- registry ------------------------------------------------------------------------------ */
static void memnet_fini(void *p)
{
    kz__memnet *net = p;
    while (net->listeners) {
        mlisten *l = net->listeners;
        net->listeners = l->next;
        free(l);
    }
    free(net);
}

kz__memnet *kz__memnet_get(kz_loop *loop)
{
    kz__memnet *net = kz__loop_slot(loop, KZ__SLOT_MEM);
    if (net)
        return net;
    net = calloc(1, sizeof *net);
    if (net)
        kz__loop_set_slot(loop, KZ__SLOT_MEM, net, memnet_fini);
    return net;
}

void kz__memnet_set_policy(kz__memnet *net, const kz__mem_policy *policy)
{
    net->has_policy = policy != NULL;
    if (policy)
        net->policy = *policy;
}

uint64_t kz__memnet_lost(const kz__memnet *net) { return net->lost; }

static mlisten *find_listener(kz__memnet *net, const char *name)
{
    for (mlisten *l = net->listeners; l; l = l->next)
        if (!strcmp(l->name, name))
            return l;
    return NULL;
}

/* ---- pipes --------------------------------------------------------------------------------- */
static kz_loop *loop_of(const mend *e) { return e->a->t->loop; }

static int64_t delay_of(mend *e, size_t len)
{
    if (!e->net->has_policy || !e->net->policy.delay)
        return 0;
    int64_t d = e->net->policy.delay(e->net->policy.ud, e->conn, e->dir, len);
    return d < 0 ? 0 : d;
}

static void pipe_cb(kz_timer *tm, void *ud);

static void pipe_arm(mend *e)
{
    if (!e->head) {
        kz_timer_stop(&e->pipe_timer);
        return;
    }
    if (e->peer && e->peer->a->paused && e->head->kind == MK_DATA) {
        kz_timer_stop(&e->pipe_timer);
        return;
    }
    int64_t now = kz_loop_now(loop_of(e));
    int64_t d = e->head->due > now ? e->head->due - now : 0;
    if (kz_timer_active(&e->pipe_timer) && e->pipe_timer.due == now + d)
        return;
    kz_timer_start(&e->pipe_timer, d, 0, pipe_cb, e);
}

static int pipe_push(mend *e, enum mkind kind, const kz_msg *m)
{
    size_t len = m ? m->len : 0;
    mnode *n = malloc(sizeof *n + len);
    if (!n)
        return KZ_ENOMEM;
    n->next = NULL;
    n->kind = kind;
    n->len = len;
    n->ppid = m ? m->ppid : 0;
    n->stream = m ? m->stream : 0;
    if (len)
        memcpy(n->data, m->data, len);
    int64_t due = kz_loop_now(loop_of(e)) + delay_of(e, len);
    if (due < e->last_due)
        due = e->last_due;
    n->due = e->last_due = due;
    bool was_empty = !e->head;
    if (e->tail)
        e->tail->next = n;
    else
        e->head = n;
    e->tail = n;
    e->inflight += len;
    if (was_empty)
        pipe_arm(e);
    return 0;
}

static size_t pipe_clear(mend *e)
{
    size_t n = 0;
    while (e->head) {
        mnode *x = e->head;
        e->head = x->next;
        n += x->kind == MK_DATA;
        free(x);
    }
    e->tail = NULL;
    e->inflight = 0;
    kz_timer_stop(&e->pipe_timer);
    return n;
}

static void detach(mend *e)
{
    if (e->peer)
        e->peer->peer = NULL;
    e->peer = NULL;
}

static void end_down(mend *e, int reason)
{
    e->net->lost += pipe_clear(e);
    kz_timer_stop(&e->abort_timer);
    detach(e);
    kz__assoc_down(e->a, reason);
}

static void abort_arrives(kz_timer *tm, void *ud)
{
    mend *e = ud;
    (void)tm;
    end_down(e, e->abort_reason);
}

static mend *end_new(kz_assoc *a, kz__memnet *net, uint64_t conn, int dir, const char *name)
{
    mend *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->a = a;
    e->net = net;
    e->conn = conn;
    e->dir = dir;
    snprintf(e->name, sizeof e->name, "%s", name);
    kz_timer_init(a->t->loop, &e->pipe_timer);
    kz_timer_init(a->t->loop, &e->abort_timer);
    snprintf(a->peer, sizeof a->peer, "mem://%.60s#%llu", name, (unsigned long long)conn);
    a->bk = e;
    return e;
}

/* INIT arrived at the listener side: accept, or refuse. */
static void init_arrives(mend *c)
{
    mlisten *l = find_listener(c->net, c->name);
    kz_assoc *sa = l ? kz__assoc_new(l->t, &kz__mem_backend) : NULL;
    mend *s = sa ? end_new(sa, c->net, c->conn, 1, c->name) : NULL;
    if (!s) {
        if (sa)
            kz__assoc_discard(sa);
        end_down(c, KZ_ECLOSED);
        return;
    }
    s->peer = c;
    c->peer = s;
    if (pipe_push(s, MK_UP, NULL) < 0) {
        kz__assoc_discard(sa);
        end_down(c, KZ_ECLOSED);
        return;
    }
    kz__assoc_up(sa, sa->t->cfg.streams < c->a->t->cfg.streams ? sa->t->cfg.streams
                                                               : c->a->t->cfg.streams);
}

static void deliver_one(mend *e, mnode *n)
{
    mend *r = e->peer;
    switch (n->kind) {
    case MK_INIT:
        init_arrives(e);
        return;
    case MK_UP:
        if (r)
            kz__assoc_up(r->a, r->a->streams < e->a->streams ? r->a->streams : e->a->streams);
        return;
    case MK_SHUTDOWN:
        if (r) {
            mend *s = e;
            /* the peer completes the shutdown; this end hears it one trip later */
            end_down(r, 0);
            s->abort_reason = 0;
            kz_timer_start(&s->abort_timer, delay_of(s, 0), 0, abort_arrives, s);
        }
        return;
    case MK_DATA:
        break;
    }
    if (!r)
        return;
    kz__memnet *net = e->net;
    if (net->has_policy && net->policy.lose_assoc && net->policy.lose_assoc(net->policy.ud, e->conn)) {
        net->lost++;   /* this one */
        kz__mem_drop(e->a);
        return;
    }
    if (net->has_policy && net->policy.corrupt)
        net->policy.corrupt(net->policy.ud, n->data, n->len);
    kz_msg m = {.data = n->data, .len = n->len, .ppid = n->ppid, .stream = n->stream};
    if (net->has_policy && net->policy.delivered)
        net->policy.delivered(net->policy.ud, e->conn, e->dir, e->name, &m);
    if (m.len > r->a->t->cfg.max_msg) {
        r->a->st.recv_dropped++;
        return;
    }
    kz__assoc_deliver(r->a, &m);
}

static void pipe_cb(kz_timer *tm, void *ud)
{
    mend *e = ud;
    (void)tm;
    int64_t now = kz_loop_now(loop_of(e));
    kz_assoc *sender = e->a;
    bool delivered = false;
    while (e->head && e->head->due <= now) {
        mnode *n = e->head;
        if (n->kind == MK_DATA && (!e->peer || e->peer->a->paused))
            break;
        e->head = n->next;
        if (!e->head)
            e->tail = NULL;
        e->inflight -= n->len;
        delivered = true;
        deliver_one(e, n);
        free(n);
        if (sender->state == KZ__A_DOWN && !e->head)
            break;   /* dropped or refused: pipe cleared */
    }
    pipe_arm(e);
    if (delivered && e->wait_window && sender->state != KZ__A_DOWN && e->peer &&
        e->inflight < e->peer->a->t->cfg.rcvbuf_bytes) {
        e->wait_window = false;
        kz__assoc_writable(sender);
    }
}

/* ---- backend ops --------------------------------------------------------------------------- */
static int mem_listen(kz_transport *t, const kz__addr *addr)
{
    kz__memnet *net = kz__memnet_get(t->loop);
    if (!net)
        return KZ_ENOMEM;
    if (find_listener(net, addr->host))
        return KZ_EAGAIN;
    mlisten *l = calloc(1, sizeof *l);
    if (!l)
        return KZ_ENOMEM;
    l->t = t;
    snprintf(l->name, sizeof l->name, "%s", addr->host);
    l->next = net->listeners;
    net->listeners = l;
    t->listener[KZ__SCHEME_MEM] = l;
    return 0;
}

static void mem_close_listener(kz_transport *t)
{
    mlisten *me = t->listener[KZ__SCHEME_MEM];
    kz__memnet *net = kz__memnet_get(t->loop);
    for (mlisten **p = &net->listeners; *p; p = &(*p)->next) {
        if (*p == me) {
            *p = me->next;
            break;
        }
    }
    free(me);
    t->listener[KZ__SCHEME_MEM] = NULL;
}

static int mem_connect(kz_transport *t, kz_assoc *a, const kz__addr *addr)
{
    kz__memnet *net = kz__memnet_get(t->loop);
    if (!net)
        return KZ_ENOMEM;
    mend *c = end_new(a, net, ++net->next_conn, 0, addr->host);
    if (!c)
        return KZ_ENOMEM;
    int rc = pipe_push(c, MK_INIT, NULL);
    if (rc < 0) {
        free(c);
        a->bk = NULL;
    }
    return rc;
}

static int mem_send(kz_assoc *a, const kz_msg *m)
{
    mend *e = a->bk;
    if (!e->peer)
        return KZ_ECLOSED;
    if (e->head && e->inflight + m->len > e->peer->a->t->cfg.rcvbuf_bytes) {
        e->wait_window = true;
        return KZ_EAGAIN;
    }
    return pipe_push(e, MK_DATA, m);
}

static void mem_shutdown(kz_assoc *a)
{
    mend *e = a->bk;
    if (!e->peer || pipe_push(e, MK_SHUTDOWN, NULL) < 0) {
        end_down(e, 0);
    }
}

static void mem_abort(kz_assoc *a)
{
    mend *e = a->bk;
    if (!e)
        return;
    e->net->lost += pipe_clear(e);
    kz_timer_stop(&e->abort_timer);
    mend *p = e->peer;
    detach(e);
    if (p && p->a->state != KZ__A_DOWN) {
        p->abort_reason = KZ_ECLOSED;
        kz_timer_start(&p->abort_timer, delay_of(e, 0), 0, abort_arrives, p);
    }
}

static void mem_pause(kz_assoc *a, bool paused)
{
    mend *e = a->bk;
    if (!paused && e->peer)
        pipe_arm(e->peer);   /* restart deliveries into this end */
}

static void mem_release(kz_assoc *a)
{
    mend *e = a->bk;
    if (!e)
        return;
    e->net->lost += pipe_clear(e);
    kz_timer_stop(&e->abort_timer);
    detach(e);
    free(e);
    a->bk = NULL;
}

int kz__mem_drop(kz_assoc *a)
{
    if (a->be != &kz__mem_backend || !a->bk)
        return KZ_EINVAL;
    if (a->state == KZ__A_DOWN)
        return KZ_ECLOSED;
    mend *e = a->bk, *p = e->peer;
    end_down(e, KZ_ECLOSED);
    if (p && p->a->state != KZ__A_DOWN)
        end_down(p, KZ_ECLOSED);
    return 0;
}

uint64_t kz__mem_conn_id(const kz_assoc *a)
{
    const mend *e = a->be == &kz__mem_backend ? a->bk : NULL;
    return e ? e->conn : 0;
}

const kz__backend kz__mem_backend = {
    .scheme = "mem",
    .listen = mem_listen,
    .connect = mem_connect,
    .send = mem_send,
    .shutdown = mem_shutdown,
    .abort = mem_abort,
    .pause = mem_pause,
    .release = mem_release,
    .close_listener = mem_close_listener,
};
