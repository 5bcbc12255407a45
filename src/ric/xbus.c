/*
 * ric/xbus.c -- the RIC's xApp bus: sessions, node announcements, and the routing of indications
 * (RIC -> xApps) and controls (xApps -> RIC -> node -> back).
 *
 * Why: the RIC routes bytes and xApps decode (DESIGN.md principle 3).  An indication is decoded
 * as E2AP only; its E2SM header and message are copied once into a preallocated bus message, and
 * that message goes to every member of the E2 subscription with only the 4-octet xApp
 * subscription id patched in.  No malloc on this path.
 *
 * Bounded queues, no head-of-line blocking: each xApp connection has its own transport send
 * bound (cfg.xapp_queue_bytes).  An indication for an xApp whose queue is not empty beyond what
 * the network took is dropped for that xApp and counted (per xApp and in the RIC's stats); the
 * others get theirs.  Control answers and subscription states are never dropped (they queue).
 *
 * Sessions: an xApp that disconnects keeps its session (and its subscriptions) for
 * cfg.xapp_grace_ms; the SDK presents the session id on reconnect and resumes it.  When the
 * grace period ends, its subscriptions are removed (deleted on the nodes if nobody else wants
 * them).
 *
 * Controls: each gets a slot (RICrequestID requestor 0, instance = slot) and a timer; exactly one
 * CTRL_RES goes back to the asker: the node's acknowledge or failure, or KZ_ETIMEOUT.
 */
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "kizuna/xapp.h"
#include "ric/ric_int.h"
#include "xapp/wire.h"

static int xsend(kz__xconn *c, const kz_wbuf *w)
{
    if (!c || w->err)
        return KZ_EINVAL;
    kz_msg m = {.data = w->p, .len = w->len, .ppid = KZ_WIRE_PPID, .stream = 0};
    return kz_assoc_send(c->as, &m);
}

/* ---- outbound ---------------------------------------------------------------------------------- */
static void node_msg(kz_ric *ric, const kz__node *n, kz_wbuf *w)
{
    kz_wire_init(w, ric->busbuf, ric->buscap, KZ_WIRE_NODE);
    kz_wire_u32(w, n->id);
    kz_wire_u8(w, n->up ? 1 : 0);
    kz_wire_str(w, n->name);
    kz_wire_u16(w, (uint16_t)n->nfns);
    for (size_t i = 0; i < n->nfns; i++) {
        kz_wire_u16(w, n->fns[i].id);
        kz_wire_u16(w, n->fns[i].rev);
        kz_wire_str(w, n->fns[i].oid);
        kz_wire_bytes(w, n->fns[i].def, n->fns[i].def_len);
    }
}

void kz__xbus_node_event(kz_ric *ric, const kz__node *n)
{
    kz_wbuf w;
    node_msg(ric, n, &w);
    for (kz__xconn *c = ric->xconns; c; c = c->next)
        if (c->sess)
            xsend(c, &w);
}

void kz__xbus_sub_state(kz_ric *ric, kz__xsess *s, uint32_t xsub, int state, int error,
                        const kz_e2ap_Cause *cause, const uint16_t *adm, size_t nadm)
{
    if (!s || !s->conn)
        return;
    uint8_t buf[128];
    kz_wbuf w;
    kz_wire_init(&w, buf, sizeof buf, KZ_WIRE_SUB_STATE);
    kz_wire_u32(&w, xsub);
    kz_wire_u8(&w, (uint8_t)state);
    kz_wire_u32(&w, (uint32_t)error);
    kz_wire_u8(&w, cause ? (uint8_t)cause->present : 0);
    kz_wire_u8(&w, cause ? (uint8_t)cause->u.ricRequest : 0);
    if (nadm > 16)
        nadm = 16;
    kz_wire_u8(&w, (uint8_t)nadm);
    for (size_t i = 0; i < nadm; i++)
        kz_wire_u16(&w, adm[i]);
    (void)ric;
    xsend(s->conn, &w);
}

void kz__xbus_route_indication(kz_ric *ric, kz__sub *sub, const kz_e2ap_RICindication *ind)
{
    kz_wbuf w;
    kz_wire_init(&w, ric->busbuf, ric->buscap, KZ_WIRE_IND);
    kz_wire_u32(&w, 0);   /* xsub, patched per member */
    kz_wire_u32(&w, sub->node->id);
    kz_wire_u16(&w, (uint16_t)ind->RANfunctionID);
    kz_wire_u16(&w, (uint16_t)ind->RICactionID);
    kz_wire_u64(&w, ind->has_RICindicationSN ? (uint64_t)ind->RICindicationSN : UINT64_MAX);
    kz_wire_u8(&w, (uint8_t)ind->RICindicationType);
    kz_wire_u64(&w, (uint64_t)kz_loop_now(ric->loop));
    kz_wire_bytes(&w, ind->RICindicationHeader.buf, ind->RICindicationHeader.len);
    kz_wire_bytes(&w, ind->RICindicationMessage.buf, ind->RICindicationMessage.len);
    kz_wire_bytes(&w, ind->has_RICcallProcessID ? ind->RICcallProcessID.buf : NULL,
                  ind->has_RICcallProcessID ? ind->RICcallProcessID.len : 0);
    if (w.err)
        return;
    kz_msg m = {.data = w.p, .len = w.len, .ppid = KZ_WIRE_PPID, .stream = 0};
    uint8_t *x = w.p + KZ_WIRE_IND_XSUB_OFF;
    for (kz__member *mb = sub->members; mb; mb = mb->sub_next) {
        kz__xsess *s = mb->sess;
        if (!s->conn) {   /* in its grace period: nobody to give it to */
            s->dropped++;
            ric->st.indications_dropped++;
            continue;
        }
        kz_assoc_stats as;
        kz_assoc_stats_get(s->conn->as, &as);
        if (as.sndq_msgs) {   /* its queue is full: drop for this xApp only */
            s->dropped++;
            ric->st.indications_dropped++;
            continue;
        }
        x[0] = (uint8_t)(mb->xsub >> 24);
        x[1] = (uint8_t)(mb->xsub >> 16);
        x[2] = (uint8_t)(mb->xsub >> 8);
        x[3] = (uint8_t)mb->xsub;
        if (kz_assoc_send(s->conn->as, &m) == 0) {
            s->indications++;
            ric->st.indications_routed++;
        } else {
            s->dropped++;
            ric->st.indications_dropped++;
        }
    }
}

static void ctl_release(kz_ric *ric, uint32_t slot)
{
    kz__ctl *c = &ric->ctls[slot];
    kz_timer_stop(&c->timer);
    c->used = false;
    c->sess = NULL;
}

static void ctl_res(kz__xsess *s, uint32_t corr, int status, const kz_e2ap_Cause *cause,
                    const kz_octets *outcome)
{
    if (!s || !s->conn)
        return;
    uint8_t stackbuf[2048];
    size_t need = 32 + (outcome ? outcome->len : 0);
    uint8_t *buf = need <= sizeof stackbuf ? stackbuf : malloc(need);
    if (!buf)
        return;
    kz_wbuf w;
    kz_wire_init(&w, buf, need, KZ_WIRE_CTRL_RES);
    kz_wire_u32(&w, corr);
    kz_wire_u32(&w, (uint32_t)status);
    kz_wire_u8(&w, cause ? (uint8_t)cause->present : 0);
    kz_wire_u8(&w, cause ? (uint8_t)cause->u.ricRequest : 0);
    kz_wire_bytes(&w, outcome ? outcome->buf : NULL, outcome ? outcome->len : 0);
    xsend(s->conn, &w);
    if (buf != stackbuf)
        free(buf);
}

void kz__xbus_control_result(kz_ric *ric, uint32_t slot, int status, const kz_e2ap_Cause *cause,
                             const kz_octets *outcome)
{
    kz__ctl *c = &ric->ctls[slot];
    if (status == 0)
        ric->st.controls_ok++;
    else
        ric->st.controls_failed++;
    ctl_res(c->sess, c->corr, status, cause, outcome);
    ctl_release(ric, slot);
}

static void ctl_timeout(kz_timer *t, void *ud)
{
    kz__ctl *c = ud;
    (void)t;
    kz__xsess *s = c->sess;
    kz_ric *ric = s ? s->ric : NULL;
    uint32_t corr = c->corr;
    c->used = false;
    c->sess = NULL;
    if (ric) {
        ric->st.controls_timeout++;
        ctl_res(s, corr, KZ_ETIMEOUT, NULL, NULL);
    }
}

/* ---- inbound ----------------------------------------------------------------------------------- */
static void on_control(kz_ric *ric, kz__xconn *xc, kz_rbuf *r)
{
    uint32_t corr = kz_wire_get_u32(r), node_id = kz_wire_get_u32(r);
    uint16_t ranf = kz_wire_get_u16(r);
    bool ack = kz_wire_get_u8(r) != 0;
    uint32_t tmo = kz_wire_get_u32(r);
    size_t hl, ml, cl;
    const uint8_t *hdr = kz_wire_get_bytes(r, &hl), *msg = kz_wire_get_bytes(r, &ml),
                  *cpid = kz_wire_get_bytes(r, &cl);
    if (r->err) {
        ric->st.bus_bad_msgs++;
        return;
    }
    kz__node *n = kz__node_by_id(ric, node_id);
    if (!n || !kz__node_fn(n, ranf)) {
        ctl_res(xc->sess, corr, KZ_EINVAL, NULL, NULL);
        return;
    }
    if (!n->up) {
        ctl_res(xc->sess, corr, KZ_ECLOSED, NULL, NULL);
        return;
    }
    uint32_t slot = UINT32_MAX;
    for (uint32_t i = 0; i < KZ__MAX_CTLS; i++) {
        uint32_t k = (ric->ctl_cursor + i) % KZ__MAX_CTLS;
        if (!ric->ctls[k].used) {
            slot = k;
            break;
        }
    }
    if (slot == UINT32_MAX) {
        ctl_res(xc->sess, corr, KZ_EAGAIN, NULL, NULL);
        return;
    }
    ric->ctl_cursor = (slot + 1) % KZ__MAX_CTLS;
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICcontrolRequest;
    kz_e2ap_RICcontrolRequest *cr = &pdu.u.initiatingMessage.u.RICcontrolRequest;
    cr->RICrequestID.ricRequestorID = 0;
    cr->RICrequestID.ricInstanceID = slot;
    cr->RANfunctionID = ranf;
    cr->RICcontrolHeader.buf = hdr;
    cr->RICcontrolHeader.len = (uint32_t)hl;
    cr->RICcontrolMessage.buf = msg;
    cr->RICcontrolMessage.len = (uint32_t)ml;
    cr->has_RICcallProcessID = cl > 0;
    cr->RICcallProcessID.buf = cpid;
    cr->RICcallProcessID.len = (uint32_t)cl;
    cr->has_RICcontrolAckRequest = true;
    cr->RICcontrolAckRequest = ack ? kz_e2ap_RICcontrolAckRequest_ack : kz_e2ap_RICcontrolAckRequest_noAck;
    int rc = kz__e2_send(ric, n->conn, &pdu);
    ric->st.controls_tx++;
    if (rc < 0) {
        ctl_res(xc->sess, corr, rc == KZ_EAGAIN ? KZ_EAGAIN : KZ_ECLOSED, NULL, NULL);
        return;
    }
    if (!ack) {
        ric->st.controls_ok++;
        ctl_res(xc->sess, corr, 0, NULL, NULL);
        return;
    }
    kz__ctl *c = &ric->ctls[slot];
    c->used = true;
    c->sess = xc->sess;
    c->corr = corr;
    c->node_id = node_id;
    c->ranf = ranf;
    if (!tmo)
        tmo = ric->cfg.control_timeout_ms;
    kz_timer_init(ric->loop, &c->timer);
    kz_timer_start(&c->timer, (int64_t)tmo * KZ_NS_PER_MS, 0, ctl_timeout, c);
}

static kz__xsess *sess_find(kz_ric *ric, uint64_t id)
{
    for (size_t i = 0; i < ric->nxapps; i++)
        if (ric->xapps[i]->session == id && !ric->xapps[i]->conn)
            return ric->xapps[i];
    return NULL;
}

static void sess_free(kz_ric *ric, kz__xsess *s)
{
    for (size_t i = 0; i < ric->nxapps; i++)
        if (ric->xapps[i] == s) {
            memmove(&ric->xapps[i], &ric->xapps[i + 1], (ric->nxapps - i - 1) * sizeof s);
            ric->nxapps--;
            break;
        }
    for (uint32_t i = 0; i < KZ__MAX_CTLS; i++)
        if (ric->ctls[i].sess == s)
            ric->ctls[i].sess = NULL;
    kz_timer_stop(&s->grace);
    free(s);
}

static void grace_expired(kz_timer *t, void *ud)
{
    kz__xsess *s = ud;
    kz_ric *ric = s->ric;
    (void)t;
    kz__log(ric, KZ_RIC_LOG_INFO, "xapp grace period over: removing its subscriptions",
            "xapp=%s subs=%u", s->name, s->nmembers);
    ric->st.xapps_expired++;
    kz__subs_drop_session(ric, s);
    sess_free(ric, s);
}

static void on_hello(kz_ric *ric, kz__xconn *xc, kz_rbuf *r)
{
    uint32_t ver = kz_wire_get_u32(r);
    char name[64], token[256];
    kz_wire_get_str(r, name, sizeof name);
    kz_wire_get_str(r, token, sizeof token);
    uint64_t session = kz_wire_get_u64(r);
    if (r->err || ver != KZ_WIRE_VERSION) {
        ric->st.bus_bad_msgs++;
        kz_assoc_abort(xc->as);
        return;
    }
    if (xc->bus->need_token) {
        const char *want = ric->cfg.bus_token;
        size_t a = strlen(want), b = strlen(token);
        unsigned diff = (unsigned)(a ^ b);
        for (size_t i = 0; i < a && i < b; i++)
            diff |= (unsigned)(want[i] ^ token[i]);
        if (diff) {
            kz__log(ric, KZ_RIC_LOG_WARN, "xapp refused: bad token", "xapp=%s peer=%s", name,
                    kz_assoc_peer(xc->as));
            uint8_t buf[16];
            kz_wbuf w;
            kz_wire_init(&w, buf, sizeof buf, KZ_WIRE_DENY);
            kz_wire_u32(&w, (uint32_t)KZ_EINVAL);
            xsend(xc, &w);
            kz_assoc_close(xc->as);
            return;
        }
    }
    kz_timer_stop(&xc->hello_timer);
    kz__xsess *s = session ? sess_find(ric, session) : NULL;
    bool resumed = s != NULL;
    if (s) {
        kz_timer_stop(&s->grace);
    } else {
        if (ric->nxapps == ric->capxapps) {
            size_t cap = ric->capxapps ? ric->capxapps * 2 : 16;
            kz__xsess **nx = realloc(ric->xapps, cap * sizeof *nx);
            if (!nx) {
                kz_assoc_abort(xc->as);
                return;
            }
            ric->xapps = nx;
            ric->capxapps = cap;
        }
        s = calloc(1, sizeof *s);
        if (!s) {
            kz_assoc_abort(xc->as);
            return;
        }
        s->ric = ric;
        /* not guessable from outside in practice: loop time mixed with a counter */
        s->session = (++ric->next_session << 20) ^ (uint64_t)kz_loop_now(ric->loop);
        if (!s->session)
            s->session = 1;
        kz_timer_init(ric->loop, &s->grace);
        ric->xapps[ric->nxapps++] = s;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->conn = xc;
    xc->sess = s;
    ric->st.xapps_connected++;
    ric->st.xapps_up++;
    kz__log(ric, KZ_RIC_LOG_INFO, "xapp connected", "xapp=%s peer=%s resumed=%d subs=%u", s->name,
            kz_assoc_peer(xc->as), resumed, s->nmembers);
    uint8_t buf[32];
    kz_wbuf w;
    kz_wire_init(&w, buf, sizeof buf, KZ_WIRE_WELCOME);
    kz_wire_u64(&w, s->session);
    kz_wire_u8(&w, resumed ? 1 : 0);
    xsend(xc, &w);
    for (size_t i = 0; i < ric->nnodes; i++)
        if (ric->nodes[i]->known) {
            node_msg(ric, ric->nodes[i], &w);
            xsend(xc, &w);
        }
}

static void bus_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    kz__bus *bus = ud;
    kz_ric *ric = bus->ric;
    kz__xconn *xc = kz_assoc_ud(a);
    if (!xc)
        return;
    kz_rbuf r;
    int type = m->ppid == KZ_WIRE_PPID ? kz_wire_open(&r, m->data, m->len) : 0;
    if (!xc->sess && type != KZ_WIRE_HELLO) {
        ric->st.bus_bad_msgs++;
        kz_assoc_abort(a);
        return;
    }
    switch (type) {
    case KZ_WIRE_HELLO:
        if (xc->sess) {
            ric->st.bus_bad_msgs++;
            return;
        }
        on_hello(ric, xc, &r);
        return;
    case KZ_WIRE_SUB: {
        uint32_t xsub = kz_wire_get_u32(&r), node = kz_wire_get_u32(&r);
        if (r.err) {
            ric->st.bus_bad_msgs++;
            return;
        }
        kz__subs_request(ric, xc->sess, xsub, node, m->data + r.off, m->len - r.off);
        return;
    }
    case KZ_WIRE_UNSUB: {
        uint32_t xsub = kz_wire_get_u32(&r);
        if (!r.err)
            kz__subs_unsubscribe(ric, xc->sess, xsub);
        return;
    }
    case KZ_WIRE_CTRL:
        on_control(ric, xc, &r);
        return;
    default:
        ric->st.bus_bad_msgs++;
        return;
    }
}

static void hello_expired(kz_timer *t, void *ud)
{
    kz__xconn *xc = ud;
    (void)t;
    kz_assoc_abort(xc->as);
}

static void bus_up(kz_assoc *a, void *ud)
{
    kz__bus *bus = ud;
    kz_ric *ric = bus->ric;
    kz__xconn *xc = calloc(1, sizeof *xc);
    if (!xc || ric->shutting_down) {
        free(xc);
        kz_assoc_abort(a);
        return;
    }
    xc->ric = ric;
    xc->bus = bus;
    xc->as = a;
    xc->next = ric->xconns;
    if (xc->next)
        xc->next->prev = xc;
    ric->xconns = xc;
    kz_assoc_set_ud(a, xc);
    kz_timer_init(ric->loop, &xc->hello_timer);
    kz_timer_start(&xc->hello_timer, 5 * KZ_NS_PER_S, 0, hello_expired, xc);
}

static void xconn_unlink(kz_ric *ric, kz__xconn *xc)
{
    if (xc->prev)
        xc->prev->next = xc->next;
    else
        ric->xconns = xc->next;
    if (xc->next)
        xc->next->prev = xc->prev;
    kz_timer_stop(&xc->hello_timer);
}

static void bus_down(kz_assoc *a, int reason, void *ud)
{
    kz__bus *bus = ud;
    kz_ric *ric = bus->ric;
    kz__xconn *xc = kz_assoc_ud(a);
    (void)reason;
    if (!xc)
        return;
    xconn_unlink(ric, xc);
    kz__xsess *s = xc->sess;
    if (s) {
        ric->st.xapps_up--;
        s->conn = NULL;
        kz__log(ric, KZ_RIC_LOG_INFO, "xapp disconnected", "xapp=%s subs=%u grace_ms=%u", s->name,
                s->nmembers, ric->cfg.xapp_grace_ms);
        if (ric->shutting_down)
            kz_timer_start(&s->grace, 0, 0, grace_expired, s);
        else
            kz_timer_start(&s->grace, (int64_t)ric->cfg.xapp_grace_ms * KZ_NS_PER_MS, 0,
                           grace_expired, s);
    }
    free(xc);
}

int kz__xbus_open(kz_ric *ric)
{
    ric->ctls = calloc(KZ__MAX_CTLS, sizeof *ric->ctls);
    ric->bus = calloc(ric->cfg.n_bus_listen + 1, sizeof *ric->bus);
    if (!ric->ctls || !ric->bus)
        return KZ_ENOMEM;
    for (uint32_t i = 0; i < KZ__MAX_CTLS; i++)
        kz_timer_init(ric->loop, &ric->ctls[i].timer);
    kz_transport_cfg tc;
    kz_transport_cfg_default(&tc);
    tc.max_msg = ric->cfg.max_msg;
    /* Indications are dropped as soon as anything is queued (route_indication), so this bound
     * only ever holds what must not be lost: node announcements, subscription states, control
     * results.  1,000+ nodes coming up at once announce > 1 MiB (a KPM function definition
     * each); bench_ric --scale-sim 10000 lost 8,934 of 10,000 node events at the bare 1 MiB. */
    tc.sndq_bytes = ric->cfg.xapp_queue_bytes + ((size_t)64 << 20);
    /* unix:// and tcp:// buffer up to sndbuf_bytes themselves before the core queue takes over:
     * that buffer is the xApp's indication queue (an indication is dropped for an xApp once
     * anything waits in the core queue).  It used to be sndq_bytes, so a stalled xApp over
     * unix:// held up to 65 MiB of indications instead of xapp_queue_bytes. */
    tc.sndbuf_bytes = ric->cfg.xapp_queue_bytes;
    tc.streams = 1;
    kz_transport_cbs cbs = {.on_up = bus_up, .on_msg = bus_msg, .on_down = bus_down};
    for (size_t i = 0; i < ric->cfg.n_bus_listen; i++) {
        const char *url = ric->cfg.bus_listen[i];
        kz__bus *b = &ric->bus[i];
        b->ric = ric;
        b->need_token = !strncmp(url, "tcp://", 6) && ric->cfg.bus_token && *ric->cfg.bus_token;
        int rc = kz_transport_open(&b->tr, ric->loop, &tc, &cbs, b);
        if (rc < 0)
            return rc;
        ric->nbus++;
        rc = kz_transport_listen(b->tr, url);
        if (rc < 0) {
            kz__log(ric, KZ_RIC_LOG_ERROR, "cannot listen", "url=%s err=\"%s\"", url,
                    kz_strerror(rc));
            return rc;
        }
        kz__log(ric, KZ_RIC_LOG_INFO, "xapp bus listening", "url=%s token=%d", url, b->need_token);
    }
    return 0;
}

void kz__xbus_shutdown(kz_ric *ric)
{
    for (kz__xconn *c = ric->xconns; c; c = c->next)
        kz_assoc_close(c->as);
}

bool kz__xbus_idle(const kz_ric *ric) { return ric->xconns == NULL; }

void kz__xbus_close(kz_ric *ric)
{
    for (size_t i = 0; i < ric->nbus; i++)
        kz_transport_close(ric->bus[i].tr);
    free(ric->bus);
    ric->bus = NULL;
    ric->nbus = 0;
    while (ric->xconns) {
        kz__xconn *xc = ric->xconns;
        xconn_unlink(ric, xc);
        free(xc);
    }
    if (ric->ctls)
        for (uint32_t i = 0; i < KZ__MAX_CTLS; i++)
            kz_timer_stop(&ric->ctls[i].timer);
    free(ric->ctls);
    ric->ctls = NULL;
    while (ric->nxapps) {
        kz__xsess *s = ric->xapps[ric->nxapps - 1];
        kz_timer_stop(&s->grace);
        ric->nxapps--;
        free(s);
    }
    free(ric->xapps);
    ric->xapps = NULL;
}
