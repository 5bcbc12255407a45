/*
 * ric/subs.c -- the subscription manager: xApp requests merged into E2 subscriptions, kept alive
 * across node reconnects, deleted when nobody wants them.
 *
 * Why: a RIC's most common failure reports are here -- subscriptions that time out silently,
 * duplicates that make a node report the same thing twice, subscriptions lost when a node
 * reconnects until someone restarts the xApp.  The rules:
 *
 *  1. Merge: requests for the same (node, RAN function, event trigger, actions) -- byte-equal
 *     E2SM payloads -- share one E2 subscription; each xApp is a member with its own id.
 *  2. Every request the RIC sends has a timer: a subscription request is sent up to
 *     1 + sub_retries times, then every member gets FAILED(KZ_ETIMEOUT) and the RIC sends a
 *     delete to clear anything half-made on the node.  Deletes are retried the same way, then
 *     forgotten.
 *  3. A node that goes down keeps its subscriptions (SUSPENDED, members told); when it completes
 *     E2 setup again (same global id) each is requested again, under the same RICrequestID.
 *  4. The last member leaving deletes the E2 subscription.
 *
 * States (kz__sub.state):
 *
 *            request sent             response
 *   (new) --------------> PENDING --------------> ACTIVE
 *     |                     |  \--failure / timeout--> (freed; members FAILED)
 *     | node down           |node down                  | node down
 *     v                     v                           v
 *   SUSPENDED <-------------+---------------------------+   --node up--> PENDING
 *   ACTIVE/PENDING --last member leaves--> DELETING --response/failure/timeout--> (freed)
 *
 * RICrequestID: requestor 1 + slot / 65536, instance slot % 65536 (requestor 0 is for controls).
 */
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "kizuna/xapp.h"
#include "ric/ric_int.h"
#include "xapp/wire.h"

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int64_t reqid_requestor(const kz__sub *s) { return 1 + (int64_t)(s->slot >> 16); }
static int64_t reqid_instance(const kz__sub *s) { return (int64_t)(s->slot & 0xffffu); }

kz__sub *kz__subs_by_reqid(kz_ric *ric, int64_t requestor, int64_t instance)
{
    if (requestor < 1 || instance < 0 || instance > 0xffff)
        return NULL;
    uint64_t slot = (uint64_t)(requestor - 1) << 16 | (uint64_t)instance;
    if (slot >= ric->capsubs)
        return NULL;
    return ric->subs[slot];
}

/* Parses the merge key (ranf, trigger, actions) into s; false if malformed. */
static bool key_parse(kz__sub *s)
{
    kz_rbuf r = {.p = s->key, .len = s->key_len, .off = 0, .err = false};
    s->ranf = kz_wire_get_u16(&r);
    s->trigger = kz_wire_get_bytes(&r, &s->trigger_len);
    uint8_t n = kz_wire_get_u8(&r);
    if (r.err || n == 0 || n > 16 || s->ranf > 4095)
        return false;
    for (uint8_t i = 0; i < n; i++) {
        s->actions[i].id = kz_wire_get_u16(&r);
        s->actions[i].type = kz_wire_get_u8(&r);
        s->actions[i].def = kz_wire_get_bytes(&r, &s->actions[i].def_len);
        if (s->actions[i].id > 255 || s->actions[i].type > 2)
            return false;
        for (uint8_t j = 0; j < i; j++)
            if (s->actions[j].id == s->actions[i].id)
                return false;
    }
    s->nactions = n;
    return !r.err && r.off == r.len;
}

static void notify(kz_ric *ric, kz__sub *s, int state, int error, const kz_e2ap_Cause *cause)
{
    for (kz__member *m = s->members; m; m = m->sub_next)
        kz__xbus_sub_state(ric, m->sess, m->xsub, state, error, cause,
                           state == KZ_XAPP_SUB_ACTIVE ? s->admitted : NULL,
                           state == KZ_XAPP_SUB_ACTIVE ? s->nadmitted : 0);
}

static void member_unlink(kz__member *m)
{
    kz__sub *s = m->sub;
    for (kz__member **pp = &s->members; *pp; pp = &(*pp)->sub_next)
        if (*pp == m) {
            *pp = m->sub_next;
            break;
        }
    s->nmembers--;
    kz__xsess *x = m->sess;
    for (kz__member **pp = &x->members; *pp; pp = &(*pp)->sess_next)
        if (*pp == m) {
            *pp = m->sess_next;
            break;
        }
    x->nmembers--;
    free(m);
}

static void sub_free(kz_ric *ric, kz__sub *s)
{
    while (s->members)
        member_unlink(s->members);
    kz_timer_stop(&s->timer);
    kz__node *n = s->node;
    for (kz__sub **pp = &n->subs; *pp; pp = &(*pp)->node_next)
        if (*pp == s) {
            *pp = s->node_next;
            break;
        }
    n->nsubs--;
    ric->subs[s->slot] = NULL;
    ric->nsubs--;
    ric->st.e2_subs = ric->nsubs;
    free(s->key);
    free(s);
}

static void sub_timer(kz_timer *t, void *ud);

static void send_request(kz_ric *ric, kz__sub *s)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICsubscriptionRequest;
    kz_e2ap_RICsubscriptionRequest *r = &pdu.u.initiatingMessage.u.RICsubscriptionRequest;
    kz_e2ap_RICactions_ToBeSetup_List__item items[16];
    memset(items, 0, sizeof items);
    r->RICrequestID.ricRequestorID = reqid_requestor(s);
    r->RICrequestID.ricInstanceID = reqid_instance(s);
    r->RANfunctionID = s->ranf;
    r->RICsubscriptionDetails.ricEventTriggerDefinition.buf = s->trigger;
    r->RICsubscriptionDetails.ricEventTriggerDefinition.len = (uint32_t)s->trigger_len;
    for (uint8_t i = 0; i < s->nactions; i++) {
        items[i].value.ricActionID = s->actions[i].id;
        items[i].value.ricActionType = s->actions[i].type;
        items[i].value.has_ricActionDefinition = s->actions[i].def_len > 0;
        items[i].value.ricActionDefinition.buf = s->actions[i].def;
        items[i].value.ricActionDefinition.len = (uint32_t)s->actions[i].def_len;
    }
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.count = s->nactions;
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.items = items;
    s->state = KZ__SUB_PENDING;
    s->tries++;
    ric->st.subs_requested++;
    kz__e2_send(ric, s->node->conn, &pdu);   /* a failed send is a lost message: the timer */
    kz_timer_start(&s->timer, (int64_t)ric->cfg.sub_timeout_ms * KZ_NS_PER_MS, 0, sub_timer, s);
}

static void send_delete(kz_ric *ric, kz__sub *s)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICsubscriptionDeleteRequest;
    kz_e2ap_RICsubscriptionDeleteRequest *r = &pdu.u.initiatingMessage.u.RICsubscriptionDeleteRequest;
    r->RICrequestID.ricRequestorID = reqid_requestor(s);
    r->RICrequestID.ricInstanceID = reqid_instance(s);
    r->RANfunctionID = s->ranf;
    if (s->state != KZ__SUB_DELETING)
        s->tries = 0;
    s->state = KZ__SUB_DELETING;
    s->tries++;
    kz__e2_send(ric, s->node->conn, &pdu);
    kz_timer_start(&s->timer, (int64_t)ric->cfg.del_timeout_ms * KZ_NS_PER_MS, 0, sub_timer, s);
}

static void sub_timer(kz_timer *t, void *ud)
{
    kz__sub *s = ud;
    kz_ric *ric = s->ric;
    (void)t;
    if (s->state == KZ__SUB_PENDING) {
        if (s->tries <= ric->cfg.sub_retries) {
            ric->st.subs_retries++;
            kz__log(ric, KZ_RIC_LOG_WARN, "subscription request timed out: retrying",
                    "node=%s ranf=%u try=%u", s->node->name, s->ranf, s->tries + 1);
            send_request(ric, s);
            return;
        }
        ric->st.subs_timeouts++;
        kz__log(ric, KZ_RIC_LOG_WARN, "subscription request timed out", "node=%s ranf=%u tries=%u",
                s->node->name, s->ranf, s->tries);
        notify(ric, s, KZ_XAPP_SUB_FAILED, KZ_ETIMEOUT, NULL);
        while (s->members)
            member_unlink(s->members);
        send_delete(ric, s);   /* clear whatever the node may have half-made */
        return;
    }
    if (s->state == KZ__SUB_DELETING) {
        if (s->tries <= ric->cfg.sub_retries) {
            send_delete(ric, s);
            return;
        }
        kz__log(ric, KZ_RIC_LOG_WARN, "subscription delete timed out: forgetting it",
                "node=%s ranf=%u", s->node->name, s->ranf);
        sub_free(ric, s);
    }
}

static kz__member *member_find(kz__xsess *x, uint32_t xsub)
{
    for (kz__member *m = x->members; m; m = m->sess_next)
        if (m->xsub == xsub)
            return m;
    return NULL;
}

static int member_add(kz__sub *s, kz__xsess *x, uint32_t xsub)
{
    kz__member *m = calloc(1, sizeof *m);
    if (!m)
        return KZ_ENOMEM;
    m->sub = s;
    m->sess = x;
    m->xsub = xsub;
    m->sub_next = s->members;
    s->members = m;
    s->nmembers++;
    m->sess_next = x->members;
    x->members = m;
    x->nmembers++;
    return 0;
}

static void tell_current(kz_ric *ric, kz__sub *s, kz__xsess *x, uint32_t xsub)
{
    if (s->state == KZ__SUB_ACTIVE)
        kz__xbus_sub_state(ric, x, xsub, KZ_XAPP_SUB_ACTIVE, 0, NULL, s->admitted, s->nadmitted);
    else if (s->state == KZ__SUB_SUSPENDED)
        kz__xbus_sub_state(ric, x, xsub, KZ_XAPP_SUB_SUSPENDED, 0, NULL, NULL, 0);
}

void kz__subs_request(kz_ric *ric, kz__xsess *x, uint32_t xsub, uint32_t node_id,
                      const uint8_t *key, size_t key_len)
{
    kz__member *old = member_find(x, xsub);
    if (old) {   /* the SDK re-sends after a reconnect: already known */
        tell_current(ric, old->sub, x, xsub);
        return;
    }
    kz__node *n = kz__node_by_id(ric, node_id);
    kz__sub probe;
    memset(&probe, 0, sizeof probe);
    probe.key = (uint8_t *)key;
    probe.key_len = key_len;
    if (!n || !key_parse(&probe) || !kz__node_fn(n, probe.ranf)) {
        kz_e2ap_Cause c = kz__cause(kz_e2ap_Cause_ricRequest,
                                    n && key_parse(&probe) ? kz_e2ap_CauseRICrequest_ran_function_id_invalid
                                                           : kz_e2ap_CauseRICrequest_unspecified);
        ric->st.subs_failed++;
        kz__xbus_sub_state(ric, x, xsub, KZ_XAPP_SUB_FAILED, KZ_EINVAL, &c, NULL, 0);
        return;
    }
    uint64_t h = fnv1a(key, key_len, 0xcbf29ce484222325ull);
    for (kz__sub *s = n->subs; s; s = s->node_next)
        if (s->state != KZ__SUB_DELETING && s->hash == h && s->key_len == key_len &&
            !memcmp(s->key, key, key_len)) {
            if (member_add(s, x, xsub) < 0)
                goto busy;
            ric->st.subs_merged++;
            tell_current(ric, s, x, xsub);
            return;
        }
    if (ric->nsubs >= ric->cfg.max_subs)
        goto busy;
    /* a free slot, searching from the cursor so ids are not reused at once */
    if (ric->nsubs == ric->capsubs) {
        size_t cap = ric->capsubs ? ric->capsubs * 2 : 256;
        if (cap > ric->cfg.max_subs)
            cap = ric->cfg.max_subs;
        kz__sub **ns = realloc(ric->subs, cap * sizeof *ns);
        if (!ns)
            goto busy;
        memset(ns + ric->capsubs, 0, (cap - ric->capsubs) * sizeof *ns);
        ric->subs = ns;
        ric->capsubs = cap;
    }
    size_t slot = ric->sub_cursor % ric->capsubs;
    while (ric->subs[slot])
        slot = (slot + 1) % ric->capsubs;
    ric->sub_cursor = (uint32_t)(slot + 1);
    kz__sub *s = calloc(1, sizeof *s);
    uint8_t *k = malloc(key_len);
    if (!s || !k) {
        free(s);
        free(k);
        goto busy;
    }
    memcpy(k, key, key_len);
    s->ric = ric;
    s->slot = (uint32_t)slot;
    s->node = n;
    s->key = k;
    s->key_len = key_len;
    s->hash = h;
    key_parse(s);
    kz_timer_init(ric->loop, &s->timer);
    s->node_next = n->subs;
    n->subs = s;
    n->nsubs++;
    ric->subs[slot] = s;
    ric->nsubs++;
    ric->st.e2_subs = ric->nsubs;
    if (member_add(s, x, xsub) < 0) {
        sub_free(ric, s);
        goto busy;
    }
    if (n->up && n->reset_tid < 0) {
        send_request(ric, s);
    } else {
        s->state = KZ__SUB_SUSPENDED;
        tell_current(ric, s, x, xsub);
    }
    return;
busy: {
        kz_e2ap_Cause c = kz__cause(kz_e2ap_Cause_ricService, kz_e2ap_CauseRICservice_ric_resource_limit);
        ric->st.subs_failed++;
        kz__xbus_sub_state(ric, x, xsub, KZ_XAPP_SUB_FAILED, KZ_ENOMEM, &c, NULL, 0);
    }
}

static void member_leave(kz_ric *ric, kz__member *m)
{
    kz__sub *s = m->sub;
    member_unlink(m);
    if (s->members)
        return;
    if (s->state == KZ__SUB_ACTIVE || s->state == KZ__SUB_PENDING) {
        ric->st.subs_deleted++;
        send_delete(ric, s);
    } else if (s->state == KZ__SUB_SUSPENDED) {
        ric->st.subs_deleted++;
        sub_free(ric, s);
    }
}

void kz__subs_unsubscribe(kz_ric *ric, kz__xsess *x, uint32_t xsub)
{
    kz__member *m = member_find(x, xsub);
    /* the xApp's view ends now either way; the E2 delete goes on without it */
    kz__xbus_sub_state(ric, x, xsub, KZ_XAPP_SUB_DELETED, 0, NULL, NULL, 0);
    if (m)
        member_leave(ric, m);
}

void kz__subs_drop_session(kz_ric *ric, kz__xsess *x)
{
    while (x->members)
        member_leave(ric, x->members);
}

static kz__sub *answer_sub(kz_ric *ric, kz__node *n, const kz_e2ap_RICrequestID *rid,
                           const char *what)
{
    kz__sub *s = kz__subs_by_reqid(ric, rid->ricRequestorID, rid->ricInstanceID);
    if (!s || s->node != n) {
        kz__log(ric, KZ_RIC_LOG_WARN, "answer for an unknown subscription", "node=%s what=%s "
                "requestor=%lld instance=%lld", n->name, what, (long long)rid->ricRequestorID,
                (long long)rid->ricInstanceID);
        return NULL;
    }
    return s;
}

void kz__subs_on_response(kz_ric *ric, kz__node *n, const kz_e2ap_RICsubscriptionResponse *r)
{
    kz__sub *s = answer_sub(ric, n, &r->RICrequestID, "response");
    if (!s || s->state != KZ__SUB_PENDING)
        return;
    kz_timer_stop(&s->timer);
    s->state = KZ__SUB_ACTIVE;
    s->nadmitted = 0;
    for (uint32_t i = 0; i < r->RICactions_Admitted.count && s->nadmitted < 16; i++)
        s->admitted[s->nadmitted++] = (uint16_t)r->RICactions_Admitted.items[i].value.ricActionID;
    ric->st.subs_ok++;
    notify(ric, s, KZ_XAPP_SUB_ACTIVE, 0, NULL);
}

void kz__subs_on_failure(kz_ric *ric, kz__node *n, const kz_e2ap_RICsubscriptionFailure *f)
{
    kz__sub *s = answer_sub(ric, n, &f->RICrequestID, "failure");
    if (!s)
        return;
    if (s->state == KZ__SUB_DELETING) {   /* never made: nothing to delete */
        sub_free(ric, s);
        return;
    }
    if (s->state != KZ__SUB_PENDING)
        return;
    ric->st.subs_failed++;
    kz__log(ric, KZ_RIC_LOG_INFO, "subscription refused", "node=%s ranf=%u cause=%u/%u", n->name,
            s->ranf, (unsigned)f->Cause.present, (unsigned)f->Cause.u.ricRequest);
    notify(ric, s, KZ_XAPP_SUB_FAILED, KZ_EPROTO, &f->Cause);
    sub_free(ric, s);
}

void kz__subs_on_delete_done(kz_ric *ric, kz__node *n, int64_t requestor, int64_t instance)
{
    kz_e2ap_RICrequestID rid = {.ricRequestorID = requestor, .ricInstanceID = instance};
    kz__sub *s = answer_sub(ric, n, &rid, "delete");
    if (s && s->state == KZ__SUB_DELETING)
        sub_free(ric, s);
}

void kz__subs_on_delete_required(kz_ric *ric, kz__node *n,
                                 const kz_e2ap_RICsubscriptionDeleteRequired *r)
{
    for (uint32_t i = 0; i < r->RICsubscriptionToBeRemoved.count; i++) {
        const kz_e2ap_RICsubscription_withCause_Item *it = &r->RICsubscriptionToBeRemoved.items[i].value;
        kz__sub *s = answer_sub(ric, n, &it->ricRequestID, "delete-required");
        if (!s || s->state == KZ__SUB_DELETING)
            continue;
        kz__log(ric, KZ_RIC_LOG_INFO, "node requires subscription delete", "node=%s ranf=%u",
                n->name, s->ranf);
        notify(ric, s, KZ_XAPP_SUB_DELETED, 0, &it->cause);
        while (s->members)
            member_unlink(s->members);
        ric->st.subs_deleted++;
        send_delete(ric, s);
    }
}

void kz__subs_node_down(kz_ric *ric, kz__node *n)
{
    kz__sub *s = n->subs;
    while (s) {
        kz__sub *next = s->node_next;
        kz_timer_stop(&s->timer);
        if (s->state == KZ__SUB_DELETING) {
            sub_free(ric, s);
        } else if (s->state != KZ__SUB_SUSPENDED) {
            s->state = KZ__SUB_SUSPENDED;
            notify(ric, s, KZ_XAPP_SUB_SUSPENDED, 0, NULL);
        }
        s = next;
    }
}

void kz__subs_node_up(kz_ric *ric, kz__node *n)
{
    kz__sub *s = n->subs;
    while (s) {
        kz__sub *next = s->node_next;
        if (s->state == KZ__SUB_SUSPENDED) {
            if (!kz__node_fn(n, s->ranf)) {
                kz_e2ap_Cause c = kz__cause(kz_e2ap_Cause_ricRequest,
                                            kz_e2ap_CauseRICrequest_ran_function_id_invalid);
                notify(ric, s, KZ_XAPP_SUB_FAILED, KZ_EINVAL, &c);
                sub_free(ric, s);
            } else {
                s->tries = 0;
                ric->st.subs_restored++;
                send_request(ric, s);
            }
        }
        s = next;
    }
}

void kz__subs_function_gone(kz_ric *ric, kz__node *n, uint16_t ranf)
{
    kz__sub *s = n->subs;
    while (s) {
        kz__sub *next = s->node_next;
        if (s->ranf == ranf) {
            kz_e2ap_Cause c = kz__cause(kz_e2ap_Cause_ricRequest,
                                        kz_e2ap_CauseRICrequest_ran_function_id_invalid);
            notify(ric, s, KZ_XAPP_SUB_DELETED, 0, &c);
            sub_free(ric, s);
        }
        s = next;
    }
}

void kz__subs_free_all(kz_ric *ric)
{
    for (size_t i = 0; i < ric->capsubs; i++)
        if (ric->subs[i])
            sub_free(ric, ric->subs[i]);
    free(ric->subs);
    ric->subs = NULL;
    ric->capsubs = 0;
}
