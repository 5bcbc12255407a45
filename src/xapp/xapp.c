/*
 * xapp/xapp.c -- the xApp SDK (kizuna/xapp.h): one bus connection to the RIC, kept alive.
 *
 * Why: every xApp needs the same dull, error-prone machinery -- reconnect with backoff, say hello,
 * learn the nodes, re-subscribe after a reconnect, match answers to requests, time them out.  It
 * lives here once, on the caller's loop, so an xApp is only its callbacks.
 *
 * State:
 *
 *   IDLE --timer--> CONNECTING --on_up/HELLO--> HELLO_SENT --WELCOME--> UP
 *     ^                 |                            |                    |
 *     +----backoff------+-------- on_down -----------+--------------------+
 *
 * Subscriptions live in a slot table (id = generation << 16 | slot + 1), so the indication path
 * finds one with an index and a compare, without hashing or allocating.  Each keeps its encoded
 * SUB message to send again after a reconnect.  Controls are a short list with a timer each (the
 * RIC times them out too; ours only covers a RIC that vanished).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "kizuna/transport.h"
#include "kizuna/xapp.h"
#include "xapp/wire.h"

enum xstate { XS_IDLE, XS_CONNECTING, XS_HELLO_SENT, XS_UP };

typedef struct xsub {
    kz_xapp *x;
    uint32_t id;                /* 0: free slot */
    uint16_t gen;
    bool unsubscribing;
    bool over;                  /* reported FAILED/DELETED: free on the deferred sweep */
    enum kz_xapp_sub_state state;
    kz_xapp_sub_cbs cbs;
    void *ud;
    uint8_t *req;               /* the SUB message */
    size_t req_len;
    kz_timer timer;             /* answer wait */
} xsub;

typedef struct xctl {
    struct xctl *next;
    kz_xapp *x;
    uint32_t corr;
    kz_xapp_control_cb cb;
    void *ud;
    kz_timer timer;
} xctl;

typedef struct xnode {
    kz_xapp_node pub;
    kz_xapp_ran_function *fns;
    char *blob;                 /* names, OIDs and definitions */
} xnode;

struct kz_xapp {
    kz_loop *loop;
    kz_xapp_cfg cfg;
    char *url, *name, *token;
    kz_xapp_cbs cbs;
    void *ud;
    kz_transport *tr;
    kz_assoc *as;
    enum xstate st;
    uint64_t session;
    uint32_t backoff_ms;
    kz_timer reconnect;
    kz_defer sweep;
    xsub **subs;                /* slot table */
    size_t nsubs, capsubs;
    xctl *ctls;
    uint32_t next_corr;
    xnode *nodes;
    size_t nnodes, capnodes;
    kz_xapp_stats stats;
    uint8_t buf[1024];          /* small outbound messages */
};

/* ---- helpers --------------------------------------------------------------------------------- */
static int send_wire(kz_xapp *x, const kz_wbuf *w)
{
    if (w->err)
        return KZ_EINVAL;
    if (x->st != XS_UP && !(x->st == XS_HELLO_SENT && w->p[0] == KZ_WIRE_HELLO))
        return KZ_ECLOSED;
    kz_msg m = {.data = w->p, .len = w->len, .ppid = KZ_WIRE_PPID, .stream = 0};
    return kz_assoc_send(x->as, &m);
}

static void post_sweep(kz_xapp *x);

static xsub *sub_find(kz_xapp *x, uint32_t id)
{
    size_t slot = (id & 0xffffu);
    if (slot == 0 || slot > x->capsubs)
        return NULL;
    xsub *s = x->subs[slot - 1];
    return s && s->id == id && !s->over ? s : NULL;
}

static void sub_event(kz_xapp *x, xsub *s, enum kz_xapp_sub_state st, int error,
                      kz_xapp_cause cause, const uint16_t *adm, size_t nadm)
{
    s->state = st;
    if (st == KZ_XAPP_SUB_FAILED || st == KZ_XAPP_SUB_DELETED) {
        s->over = true;
        kz_timer_stop(&s->timer);
        post_sweep(x);   /* freed on a later turn: the callback below may still use it */
    }
    if (s->cbs.on_state) {
        kz_xapp_sub_event ev = {.sub = s->id, .state = st, .error = error, .cause = cause,
                                .n_admitted = nadm, .admitted = adm};
        s->cbs.on_state(x, &ev, s->ud);
    }
}

static void sub_free(kz_xapp *x, xsub *s)
{
    size_t slot = (s->id & 0xffffu) - 1;
    kz_timer_stop(&s->timer);
    x->subs[slot] = NULL;
    x->nsubs--;
    free(s->req);
    free(s);
}

static void sweep_cb(kz_defer *d, void *ud)
{
    kz_xapp *x = ud;
    (void)d;
    for (size_t i = 0; i < x->capsubs; i++) {
        xsub *s = x->subs[i];
        if (!s)
            continue;
        if (s->unsubscribing && x->st != XS_UP && !s->over) {
            /* unsubscribed while disconnected: the RIC drops it with our session */
            kz_xapp_cause none = {0, 0};
            sub_event(x, s, KZ_XAPP_SUB_DELETED, 0, none, NULL, 0);
        }
        if (s->over)
            sub_free(x, s);
    }
}

static void post_sweep(kz_xapp *x) { kz_defer_post(x->loop, &x->sweep, sweep_cb, x); }

static void sub_timeout(kz_timer *t, void *ud)
{
    xsub *s = ud;
    kz_xapp *x = s->x;
    (void)t;
    kz_xapp_cause none = {0, 0};
    if (x->st == XS_UP) {
        kz_wbuf w;
        kz_wire_init(&w, x->buf, sizeof x->buf, KZ_WIRE_UNSUB);
        kz_wire_u32(&w, s->id);
        send_wire(x, &w);
    }
    sub_event(x, s, KZ_XAPP_SUB_FAILED, KZ_ETIMEOUT, none, NULL, 0);
    post_sweep(x);
}

static void sub_send(kz_xapp *x, xsub *s)
{
    kz_msg m = {.data = s->req, .len = s->req_len, .ppid = KZ_WIRE_PPID, .stream = 0};
    if (x->st == XS_UP && kz_assoc_send(x->as, &m) == 0)
        kz_timer_start(&s->timer, (int64_t)x->cfg.request_timeout_ms * KZ_NS_PER_MS, 0,
                       sub_timeout, s);
}

static void ctl_finish(kz_xapp *x, xctl *c, const kz_xapp_control_result *r)
{
    for (xctl **pp = &x->ctls; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    kz_timer_stop(&c->timer);
    if (r->status == 0)
        x->stats.controls_ok++;
    else
        x->stats.controls_failed++;
    kz_xapp_control_cb cb = c->cb;
    void *ud = c->ud;
    free(c);
    if (cb)
        cb(x, r, ud);
}

static void ctl_timeout(kz_timer *t, void *ud)
{
    xctl *c = ud;
    (void)t;
    kz_xapp_control_result r = {.status = KZ_ETIMEOUT};
    ctl_finish(c->x, c, &r);
}

static void nodes_clear(kz_xapp *x)
{
    for (size_t i = 0; i < x->nnodes; i++) {
        free(x->nodes[i].fns);
        free(x->nodes[i].blob);
    }
    x->nnodes = 0;
}

/* ---- connection ------------------------------------------------------------------------------ */
static void schedule_reconnect(kz_xapp *x);

static void do_connect(kz_timer *t, void *ud)
{
    kz_xapp *x = ud;
    (void)t;
    kz_assoc *a = NULL;
    x->st = XS_CONNECTING;
    int rc = kz_transport_connect(x->tr, x->url, &a);
    if (rc < 0) {
        x->st = XS_IDLE;
        schedule_reconnect(x);
        return;
    }
    x->as = a;
}

static void schedule_reconnect(kz_xapp *x)
{
    uint32_t d = x->backoff_ms;
    x->backoff_ms = x->backoff_ms * 2 > x->cfg.reconnect_max_ms ? x->cfg.reconnect_max_ms
                                                                 : x->backoff_ms * 2;
    kz_timer_start(&x->reconnect, (int64_t)d * KZ_NS_PER_MS, 0, do_connect, x);
}

static void tr_up(kz_assoc *a, void *ud)
{
    kz_xapp *x = ud;
    if (a != x->as)
        return;
    x->st = XS_HELLO_SENT;
    kz_wbuf w;
    kz_wire_init(&w, x->buf, sizeof x->buf, KZ_WIRE_HELLO);
    kz_wire_u32(&w, KZ_WIRE_VERSION);
    kz_wire_str(&w, x->name);
    kz_wire_str(&w, x->token);
    kz_wire_u64(&w, x->session);
    if (send_wire(x, &w) < 0)
        kz_assoc_abort(a);
}

static void tr_down(kz_assoc *a, int reason, void *ud)
{
    kz_xapp *x = ud;
    (void)reason;
    if (a != x->as)
        return;
    bool was_up = x->st == XS_UP;
    x->as = NULL;
    x->st = XS_IDLE;
    /* pending controls cannot be answered any more */
    while (x->ctls) {
        kz_xapp_control_result r = {.status = KZ_ECLOSED};
        ctl_finish(x, x->ctls, &r);
    }
    if (was_up) {
        for (size_t i = 0; i < x->capsubs; i++) {
            xsub *s = x->subs[i];
            if (s && !s->over) {
                kz_timer_stop(&s->timer);
                if (s->state == KZ_XAPP_SUB_ACTIVE) {
                    kz_xapp_cause none = {0, 0};
                    sub_event(x, s, KZ_XAPP_SUB_SUSPENDED, 0, none, NULL, 0);
                }
            }
        }
        for (size_t i = 0; i < x->nnodes; i++)
            x->nodes[i].pub.up = false;
        if (x->cbs.on_connection)
            x->cbs.on_connection(x, false, x->ud);
    }
    post_sweep(x);
    schedule_reconnect(x);
}

static void on_welcome(kz_xapp *x, kz_rbuf *r)
{
    uint64_t session = kz_wire_get_u64(r);
    kz_wire_get_u8(r);
    if (r->err)
        return;
    x->session = session;
    x->st = XS_UP;
    x->backoff_ms = x->cfg.reconnect_min_ms;
    x->stats.connects++;
    if (x->cbs.on_connection)
        x->cbs.on_connection(x, true, x->ud);
    /* re-send every subscription (the RIC treats a known xsub as a no-op) */
    for (size_t i = 0; i < x->capsubs && x->st == XS_UP; i++) {
        xsub *s = x->subs[i];
        if (!s || s->over)
            continue;
        if (s->unsubscribing) {
            kz_wbuf w;
            kz_wire_init(&w, x->buf, sizeof x->buf, KZ_WIRE_UNSUB);
            kz_wire_u32(&w, s->id);
            send_wire(x, &w);
        } else {
            sub_send(x, s);
        }
    }
}

static void on_node(kz_xapp *x, kz_rbuf *r)
{
    uint32_t id = kz_wire_get_u32(r);
    bool up = kz_wire_get_u8(r) != 0;
    size_t name_len;
    const uint8_t *name = kz_wire_get_strp(r, &name_len);
    uint16_t nf = kz_wire_get_u16(r);
    if (r->err)
        return;
    /* pass 1: size the blob */
    size_t save = r->off, blob = name_len + 1;
    for (uint16_t i = 0; i < nf; i++) {
        size_t n;
        kz_wire_get_u16(r);
        kz_wire_get_u16(r);
        kz_wire_get_strp(r, &n);
        blob += n + 1;
        kz_wire_get_bytes(r, &n);
        blob += n;
    }
    if (r->err) {
        x->stats.bad_msgs++;
        return;
    }
    r->off = save;
    xnode *n = NULL;
    for (size_t i = 0; i < x->nnodes; i++)
        if (x->nodes[i].pub.id == id)
            n = &x->nodes[i];
    if (!n) {
        if (x->nnodes == x->capnodes) {
            size_t cap = x->capnodes ? x->capnodes * 2 : 16;
            xnode *nn = realloc(x->nodes, cap * sizeof *nn);
            if (!nn)
                return;
            x->nodes = nn;
            x->capnodes = cap;
        }
        n = &x->nodes[x->nnodes++];
        memset(n, 0, sizeof *n);
    }
    char *b = malloc(blob);
    kz_xapp_ran_function *fns = calloc(nf ? nf : 1, sizeof *fns);
    if (!b || !fns) {
        free(b);
        free(fns);
        return;
    }
    free(n->blob);
    free(n->fns);
    n->blob = b;
    n->fns = fns;
    memcpy(b, name, name_len);
    b[name_len] = '\0';
    n->pub.id = id;
    n->pub.name = b;
    n->pub.up = up;
    b += name_len + 1;
    for (uint16_t i = 0; i < nf; i++) {
        size_t len;
        fns[i].id = kz_wire_get_u16(r);
        fns[i].revision = kz_wire_get_u16(r);
        const uint8_t *oid = kz_wire_get_strp(r, &len);
        memcpy(b, oid, len);
        b[len] = '\0';
        fns[i].oid = b;
        b += len + 1;
        const uint8_t *def = kz_wire_get_bytes(r, &len);
        if (len)
            memcpy(b, def, len);
        fns[i].def = (const uint8_t *)b;
        fns[i].def_len = len;
        b += len;
    }
    n->pub.n_functions = nf;
    n->pub.functions = fns;
    if (x->cbs.on_node)
        x->cbs.on_node(x, &n->pub, up, x->ud);
}

static void on_sub_state(kz_xapp *x, kz_rbuf *r)
{
    uint32_t id = kz_wire_get_u32(r);
    uint8_t st = kz_wire_get_u8(r);
    int32_t err = (int32_t)kz_wire_get_u32(r);
    kz_xapp_cause cause;
    cause.group = kz_wire_get_u8(r);
    cause.value = kz_wire_get_u8(r);
    uint8_t n = kz_wire_get_u8(r);
    uint16_t adm[256];
    for (unsigned i = 0; i < n; i++)
        adm[i] = kz_wire_get_u16(r);
    if (r->err || st < KZ_XAPP_SUB_ACTIVE || st > KZ_XAPP_SUB_DELETED) {
        x->stats.bad_msgs++;
        return;
    }
    xsub *s = sub_find(x, id);
    if (!s)
        return;
    if (st != KZ_XAPP_SUB_SUSPENDED)
        kz_timer_stop(&s->timer);
    if (s->unsubscribing && st != KZ_XAPP_SUB_DELETED && st != KZ_XAPP_SUB_FAILED)
        return;
    sub_event(x, s, (enum kz_xapp_sub_state)st, err, cause, adm, n);
    if (s->over)
        post_sweep(x);
}

static void on_ind(kz_xapp *x, kz_rbuf *r)
{
    kz_xapp_indication ind;
    ind.sub = kz_wire_get_u32(r);
    ind.node = kz_wire_get_u32(r);
    ind.ran_function = kz_wire_get_u16(r);
    ind.action = kz_wire_get_u16(r);
    ind.sn = (int64_t)kz_wire_get_u64(r);
    ind.type = kz_wire_get_u8(r);
    ind.ric_rx_ns = (int64_t)kz_wire_get_u64(r);
    ind.hdr = kz_wire_get_bytes(r, &ind.hdr_len);
    ind.msg = kz_wire_get_bytes(r, &ind.msg_len);
    ind.call_process_id = kz_wire_get_bytes(r, &ind.call_process_id_len);
    if (r->err) {
        x->stats.bad_msgs++;
        return;
    }
    if (!ind.call_process_id_len)
        ind.call_process_id = NULL;
    xsub *s = sub_find(x, ind.sub);
    if (!s || s->unsubscribing)
        return;
    x->stats.indications++;
    if (s->cbs.on_indication)
        s->cbs.on_indication(x, &ind, s->ud);
}

static void on_ctrl_res(kz_xapp *x, kz_rbuf *r)
{
    uint32_t corr = kz_wire_get_u32(r);
    kz_xapp_control_result res;
    memset(&res, 0, sizeof res);
    res.status = (int32_t)kz_wire_get_u32(r);
    res.cause.group = kz_wire_get_u8(r);
    res.cause.value = kz_wire_get_u8(r);
    res.outcome = kz_wire_get_bytes(r, &res.outcome_len);
    if (r->err) {
        x->stats.bad_msgs++;
        return;
    }
    if (!res.outcome_len)
        res.outcome = NULL;
    for (xctl *c = x->ctls; c; c = c->next)
        if (c->corr == corr) {
            ctl_finish(x, c, &res);
            return;
        }
}

static void tr_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    kz_xapp *x = ud;
    if (a != x->as || m->ppid != KZ_WIRE_PPID) {
        x->stats.bad_msgs++;
        return;
    }
    kz_rbuf r;
    int type = kz_wire_open(&r, m->data, m->len);
    if (x->st == XS_HELLO_SENT && type != KZ_WIRE_WELCOME && type != KZ_WIRE_DENY) {
        x->stats.bad_msgs++;
        return;
    }
    switch (type) {
    case KZ_WIRE_WELCOME: on_welcome(x, &r); break;
    case KZ_WIRE_DENY:
        kz_assoc_abort(a);   /* wrong token: keep retrying, backoff caps the rate */
        break;
    case KZ_WIRE_NODE: on_node(x, &r); break;
    case KZ_WIRE_SUB_STATE: on_sub_state(x, &r); break;
    case KZ_WIRE_IND: on_ind(x, &r); break;
    case KZ_WIRE_CTRL_RES: on_ctrl_res(x, &r); break;
    case KZ_WIRE_STATS:
        kz_wire_get_u64(&r);
        x->stats.ric_dropped = kz_wire_get_u64(&r);
        break;
    default: x->stats.bad_msgs++; break;
    }
}

/* ---- public ---------------------------------------------------------------------------------- */
void kz_xapp_cfg_default(kz_xapp_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->reconnect_min_ms = 100;
    c->reconnect_max_ms = 5000;
    c->request_timeout_ms = 10000;
    c->control_timeout_ms = 2000;
    c->max_msg = 256 * 1024;
    c->sndq_bytes = 1024 * 1024;
}

static char *dupstr(const char *s) { return s ? strdup(s) : NULL; }

int kz_xapp_open(kz_xapp **out, kz_loop *loop, const kz_xapp_cfg *cfg, const kz_xapp_cbs *cbs,
                 void *ud)
{
    if (!out || !loop || !cfg || !cfg->url)
        return KZ_EINVAL;
    kz_xapp *x = calloc(1, sizeof *x);
    if (!x)
        return KZ_ENOMEM;
    kz_xapp_cfg d;
    kz_xapp_cfg_default(&d);
    x->cfg = *cfg;
    if (!x->cfg.reconnect_min_ms) x->cfg.reconnect_min_ms = d.reconnect_min_ms;
    if (!x->cfg.reconnect_max_ms) x->cfg.reconnect_max_ms = d.reconnect_max_ms;
    if (!x->cfg.request_timeout_ms) x->cfg.request_timeout_ms = d.request_timeout_ms;
    if (!x->cfg.control_timeout_ms) x->cfg.control_timeout_ms = d.control_timeout_ms;
    if (!x->cfg.max_msg) x->cfg.max_msg = d.max_msg;
    if (!x->cfg.sndq_bytes) x->cfg.sndq_bytes = d.sndq_bytes;
    x->loop = loop;
    x->url = dupstr(cfg->url);
    x->name = dupstr(cfg->name ? cfg->name : "xapp");
    x->token = dupstr(cfg->token ? cfg->token : "");
    if (cbs)
        x->cbs = *cbs;
    x->ud = ud;
    x->next_corr = 1;
    x->backoff_ms = x->cfg.reconnect_min_ms;
    kz_timer_init(loop, &x->reconnect);
    kz_defer_init(&x->sweep);
    kz_transport_cfg tc;
    kz_transport_cfg_default(&tc);
    tc.max_msg = x->cfg.max_msg;
    tc.sndq_bytes = x->cfg.sndq_bytes;
    if (x->cfg.rcvbuf_bytes)
        tc.rcvbuf_bytes = x->cfg.rcvbuf_bytes;
    tc.streams = 1;
    kz_transport_cbs tcb = {.on_up = tr_up, .on_msg = tr_msg, .on_down = tr_down};
    int rc = KZ_ENOMEM;
    if (!x->url || !x->name || !x->token ||
        (rc = kz_transport_open(&x->tr, loop, &tc, &tcb, x)) < 0) {
        free(x->url);
        free(x->name);
        free(x->token);
        free(x);
        return rc;
    }
    kz_assoc *a = NULL;
    x->st = XS_CONNECTING;
    rc = kz_transport_connect(x->tr, x->url, &a);
    if (rc == KZ_EINVAL || rc == KZ_ENOTSUP) {
        kz_transport_close(x->tr);
        free(x->url);
        free(x->name);
        free(x->token);
        free(x);
        return KZ_EINVAL;
    }
    if (rc < 0) {
        x->st = XS_IDLE;
        schedule_reconnect(x);
    } else {
        x->as = a;
    }
    *out = x;
    return 0;
}

void kz_xapp_close(kz_xapp *x)
{
    if (!x)
        return;
    kz_timer_stop(&x->reconnect);
    kz_defer_cancel(x->loop, &x->sweep);
    kz_transport_close(x->tr);   /* no callbacks */
    while (x->ctls) {
        xctl *c = x->ctls;
        x->ctls = c->next;
        kz_timer_stop(&c->timer);
        free(c);
    }
    for (size_t i = 0; i < x->capsubs; i++)
        if (x->subs[i]) {
            kz_timer_stop(&x->subs[i]->timer);
            free(x->subs[i]->req);
            free(x->subs[i]);
        }
    free(x->subs);
    nodes_clear(x);
    free(x->nodes);
    free(x->url);
    free(x->name);
    free(x->token);
    free(x);
}

bool kz_xapp_connected(const kz_xapp *x) { return x->st == XS_UP; }

size_t kz_xapp_node_count(const kz_xapp *x) { return x->nnodes; }

const kz_xapp_node *kz_xapp_node_at(const kz_xapp *x, size_t i)
{
    return i < x->nnodes ? &x->nodes[i].pub : NULL;
}

const kz_xapp_node *kz_xapp_node_find(const kz_xapp *x, uint32_t id)
{
    for (size_t i = 0; i < x->nnodes; i++)
        if (x->nodes[i].pub.id == id)
            return &x->nodes[i].pub;
    return NULL;
}

const kz_xapp_ran_function *kz_xapp_node_function_by_oid(const kz_xapp_node *n, const char *oid)
{
    for (size_t i = 0; n && oid && i < n->n_functions; i++)
        if (!strcmp(n->functions[i].oid, oid))
            return &n->functions[i];
    return NULL;
}

int kz_xapp_subscribe(kz_xapp *x, const kz_xapp_sub_req *req, const kz_xapp_sub_cbs *cbs,
                      void *ud, uint32_t *sub_out)
{
    if (!x || !req || !req->n_actions || req->n_actions > 16 || req->trigger_len > 65536 ||
        (req->trigger_len && !req->trigger) || !req->actions)
        return KZ_EINVAL;
    size_t need = 32 + req->trigger_len;
    for (size_t i = 0; i < req->n_actions; i++) {
        if (req->actions[i].def_len > 65536 || req->actions[i].id > 255 ||
            req->actions[i].type > KZ_XAPP_ACTION_POLICY)
            return KZ_EINVAL;
        need += 8 + req->actions[i].def_len;
    }
    size_t slot = SIZE_MAX;
    for (size_t i = 0; i < x->capsubs; i++)
        if (!x->subs[i]) {
            slot = i;
            break;
        }
    if (slot == SIZE_MAX) {
        if (x->capsubs >= 0xffff)
            return KZ_ENOMEM;
        size_t cap = x->capsubs ? x->capsubs * 2 : 16;
        if (cap > 0xffff)
            cap = 0xffff;
        xsub **ns = realloc(x->subs, cap * sizeof *ns);
        if (!ns)
            return KZ_ENOMEM;
        memset(ns + x->capsubs, 0, (cap - x->capsubs) * sizeof *ns);
        slot = x->capsubs;
        x->subs = ns;
        x->capsubs = cap;
    }
    xsub *s = calloc(1, sizeof *s);
    uint8_t *buf = malloc(need);
    if (!s || !buf) {
        free(s);
        free(buf);
        return KZ_ENOMEM;
    }
    s->x = x;
    s->gen = (uint16_t)(x->stats.connects + x->nsubs + slot * 7 + 1);
    s->id = (uint32_t)s->gen << 16 | (uint32_t)(slot + 1);
    if (sub_find(x, s->id))   /* cannot happen: the slot is free */
        s->id ^= 0x10000u;
    s->cbs = cbs ? *cbs : (kz_xapp_sub_cbs){0};
    s->ud = ud;
    kz_timer_init(x->loop, &s->timer);
    kz_wbuf w;
    kz_wire_init(&w, buf, need, KZ_WIRE_SUB);
    kz_wire_u32(&w, s->id);
    kz_wire_u32(&w, req->node);
    kz_wire_u16(&w, req->ran_function);
    kz_wire_bytes(&w, req->trigger, req->trigger_len);
    kz_wire_u8(&w, (uint8_t)req->n_actions);
    for (size_t i = 0; i < req->n_actions; i++) {
        kz_wire_u16(&w, req->actions[i].id);
        kz_wire_u8(&w, req->actions[i].type);
        kz_wire_bytes(&w, req->actions[i].def, req->actions[i].def_len);
    }
    if (w.err) {
        free(s);
        free(buf);
        return KZ_EINVAL;
    }
    s->req = buf;
    s->req_len = w.len;
    x->subs[slot] = s;
    x->nsubs++;
    *sub_out = s->id;
    sub_send(x, s);
    return 0;
}

int kz_xapp_unsubscribe(kz_xapp *x, uint32_t id)
{
    xsub *s = sub_find(x, id);
    if (!s || s->unsubscribing)
        return KZ_EINVAL;
    s->unsubscribing = true;
    kz_timer_stop(&s->timer);
    if (x->st == XS_UP) {
        kz_wbuf w;
        kz_wire_init(&w, x->buf, sizeof x->buf, KZ_WIRE_UNSUB);
        kz_wire_u32(&w, id);
        if (send_wire(x, &w) == 0) {
            kz_timer_start(&s->timer, (int64_t)x->cfg.request_timeout_ms * KZ_NS_PER_MS, 0,
                           sub_timeout, s);
            return 0;
        }
    }
    post_sweep(x);   /* DELETED on a later turn */
    return 0;
}

int kz_xapp_control(kz_xapp *x, const kz_xapp_control_req *req, kz_xapp_control_cb cb, void *ud)
{
    if (!x || !req || (!req->hdr && req->hdr_len) || (!req->msg && req->msg_len) ||
        req->hdr_len > 65536 || req->msg_len > 65536 || req->call_process_id_len > 1024)
        return KZ_EINVAL;
    if (x->st != XS_UP)
        return KZ_ECLOSED;
    size_t need = 48 + req->hdr_len + req->msg_len + req->call_process_id_len;
    uint8_t stackbuf[4096];
    uint8_t *buf = need <= sizeof stackbuf ? stackbuf : malloc(need);
    xctl *c = calloc(1, sizeof *c);
    if (!buf || !c) {
        if (buf != stackbuf)
            free(buf);
        free(c);
        return KZ_ENOMEM;
    }
    uint32_t tmo = req->timeout_ms ? req->timeout_ms : x->cfg.control_timeout_ms;
    c->x = x;
    c->corr = x->next_corr++;
    if (!x->next_corr)
        x->next_corr = 1;
    c->cb = cb;
    c->ud = ud;
    kz_timer_init(x->loop, &c->timer);
    kz_wbuf w;
    kz_wire_init(&w, buf, need, KZ_WIRE_CTRL);
    kz_wire_u32(&w, c->corr);
    kz_wire_u32(&w, req->node);
    kz_wire_u16(&w, req->ran_function);
    kz_wire_u8(&w, req->ack ? 1 : 0);
    kz_wire_u32(&w, tmo);
    kz_wire_bytes(&w, req->hdr, req->hdr_len);
    kz_wire_bytes(&w, req->msg, req->msg_len);
    kz_wire_bytes(&w, req->call_process_id, req->call_process_id_len);
    int rc = send_wire(x, &w);
    if (buf != stackbuf)
        free(buf);
    if (rc < 0) {
        free(c);
        return rc == KZ_EAGAIN ? KZ_EAGAIN : rc;
    }
    /* the RIC answers by tmo; ours fires a second later in case the RIC is gone */
    kz_timer_start(&c->timer, ((int64_t)tmo + 1000) * KZ_NS_PER_MS, 0, ctl_timeout, c);
    c->next = x->ctls;
    x->ctls = c;
    x->stats.controls_sent++;
    return 0;
}

void kz_xapp_stats_get(const kz_xapp *x, kz_xapp_stats *st) { *st = x->stats; }
