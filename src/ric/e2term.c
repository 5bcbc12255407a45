/*
 * ric/e2term.c -- E2 termination and the node registry: every E2AP message from and to E2 nodes.
 *
 * Why: this is the RIC's border with the RAN, where a misbehaving node must not be able to hurt
 * anything.  Each inbound message is decoded into one preallocated arena (no malloc), dispatched
 * by procedure, and anything that cannot be read or is not allowed in the association's state is
 * answered with the ErrorIndication E2AP 10.3 asks for (Cause + CriticalityDiagnostics) and
 * counted.  Nothing from the wire is asserted.
 *
 * Association lifecycle:
 *
 *   on_up --> WAIT_SETUP --E2setupRequest ok--> NODE (c->node set) --on_down--> node down
 *                 |  \--refused: E2setupFailure, stays WAIT_SETUP (the node may retry)
 *                 +--setup_wait_ms: abort
 *
 * Registry: a node is known by its global E2 node id rendered as text ("gnb/00101/0x00000e00").
 * The same id on a new association replaces the stale one (aborted), and the node keeps its
 * handle, so subscriptions are re-established on the new association (subs.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "ric/ric_int.h"

/* ---- sending ------------------------------------------------------------------------------- */
int kz__e2_send(kz_ric *ric, kz__e2conn *c, const kz_e2ap_pdu *pdu)
{
    if (!c || !c->as)
        return KZ_ECLOSED;
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    long n = kz_e2ap_encode(pdu, ric->txbuf, ric->txcap, &diag);
    if (n < 0) {
        char b[512];
        kz__log(ric, KZ_RIC_LOG_ERROR, "encode failed", "what=%s err=\"%s\"",
                kz_e2ap_message_name(pdu), kz_asn_diag_format(&diag, b, sizeof b));
        return (int)n;
    }
    kz_msg m = {.data = ric->txbuf, .len = (size_t)n, .ppid = KZ_E2AP_PPID, .stream = 0};
    int rc = kz_assoc_send(c->as, &m);
    if (rc == 0) {
        ric->st.e2_msgs_tx++;
        if (ric->pcap)
            kz__pcap_write(ric, c->as, 1, ric->txbuf, (size_t)n);
    }
    return rc;
}

/* ErrorIndication budget per association (a token bucket in loop time, so the simulator stays
 * deterministic): up to KZ__EI_BURST answers at once, then KZ__EI_PER_S per second.  A node (or
 * anything that reached the port) flooding malformed PDUs would otherwise make the RIC send -- and
 * log -- one ErrorIndication per PDU, as fast as it can decode.  Past the budget the PDU is still
 * counted (e2_bad_pdus) but not answered (e2_error_ind_suppressed) and not logged one by one.
 * A well-behaved node never comes near it: the malformed-input test sends ~225 bad PDUs in 0.3 s,
 * all answered. */
#define KZ__EI_BURST 256
#define KZ__EI_PER_S 100
#define KZ__EI_COST (KZ_NS_PER_S / KZ__EI_PER_S)

static void ei_refill(kz_ric *ric, kz__e2conn *c)
{
    int64_t now = kz_loop_now(ric->loop);
    c->ei_credit += now - c->ei_last;
    c->ei_last = now;
    if (c->ei_credit > (int64_t)KZ__EI_BURST * KZ__EI_COST)
        c->ei_credit = (int64_t)KZ__EI_BURST * KZ__EI_COST;
}

static bool ei_allowed(kz_ric *ric, kz__e2conn *c)
{
    ei_refill(ric, c);
    if (c->ei_credit < KZ__EI_COST) {
        if (!ric->st.e2_error_ind_suppressed++ || !(c->bad % 1000))
            kz__log(ric, KZ_RIC_LOG_WARN, "error indications rate-limited", "peer=%s bad=%llu "
                    "suppressed_total=%llu", kz_assoc_peer(c->as), (unsigned long long)c->bad,
                    (unsigned long long)ric->st.e2_error_ind_suppressed);
        return false;
    }
    c->ei_credit -= KZ__EI_COST;
    return true;
}

static void send_error_ind(kz_ric *ric, kz__e2conn *c, kz_e2ap_Cause cause, int proc, int trig,
                           const kz_e2ap_RICrequestID *rid, const int64_t *tid)
{
    if (!ei_allowed(ric, c))
        return;
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_ErrorIndication;
    kz_e2ap_ErrorIndication *ei = &pdu.u.initiatingMessage.u.ErrorIndication;
    ei->has_Cause = true;
    ei->Cause = cause;
    if (rid) {
        ei->has_RICrequestID = true;
        ei->RICrequestID = *rid;
    }
    if (tid) {
        ei->has_TransactionID = true;
        ei->TransactionID = *tid;
    }
    if (proc >= 0) {
        ei->has_CriticalityDiagnostics = true;
        ei->CriticalityDiagnostics.has_procedureCode = true;
        ei->CriticalityDiagnostics.procedureCode = proc;
        ei->CriticalityDiagnostics.has_triggeringMessage = trig >= 0;
        ei->CriticalityDiagnostics.triggeringMessage = (uint32_t)(trig >= 0 ? trig : 0);
        if (rid) {
            ei->CriticalityDiagnostics.has_ricRequestorID = true;
            ei->CriticalityDiagnostics.ricRequestorID = *rid;
        }
    }
    kz__e2_send(ric, c, &pdu);
}

/* ---- node names and admission ------------------------------------------------------------- */
static void plmn_digits(const kz_octets *p, char out[8])
{
    static const char hex[] = "0123456789ABCDEF";
    if (p->len != 3) {
        strcpy(out, "?");
        return;
    }
    const uint8_t *b = p->buf;
    size_t k = 0;
    out[k++] = hex[b[0] & 15];
    out[k++] = hex[b[0] >> 4];
    out[k++] = hex[b[1] & 15];
    out[k++] = hex[b[2] & 15];
    out[k++] = hex[b[2] >> 4];
    if ((b[1] >> 4) != 15)
        out[k++] = hex[b[1] >> 4];
    out[k] = '\0';
}

static uint64_t bits_value(const kz_bits *b)
{
    uint64_t v = 0;
    size_t nb = (b->nbits + 7) / 8;
    if (nb > 8)
        nb = 8;
    for (size_t i = 0; i < nb; i++)
        v = v << 8 | b->buf[i];
    if (nb * 8 > b->nbits)
        v >>= nb * 8 - b->nbits;
    return v;
}

static void node_name(const kz_e2ap_GlobalE2node_ID *g, char *out, size_t cap, char plmn[8])
{
    char sfx[64] = "";
    switch (g->present) {
    case kz_e2ap_GlobalE2node_ID_gNB: {
        const kz_e2ap_GlobalE2node_gNB_ID *x = &g->u.gNB;
        plmn_digits(&x->global_gNB_ID.plmn_id, plmn);
        size_t k = 0;
        if (x->has_gNB_CU_UP_ID)
            k += (size_t)snprintf(sfx + k, sizeof sfx - k, "/cuup%" PRId64, x->gNB_CU_UP_ID);
        if (x->has_gNB_DU_ID && k < sizeof sfx)
            snprintf(sfx + k, sizeof sfx - k, "/du%" PRId64, x->gNB_DU_ID);
        snprintf(out, cap, "gnb/%s/0x%08" PRIx64 "%s", plmn,
                 bits_value(&x->global_gNB_ID.gnb_id.u.gnb_ID), sfx);
        return;
    }
    case kz_e2ap_GlobalE2node_ID_en_gNB: {
        const kz_e2ap_GlobalE2node_en_gNB_ID *x = &g->u.en_gNB;
        plmn_digits(&x->global_en_gNB_ID.pLMN_Identity, plmn);
        if (x->has_en_gNB_DU_ID)
            snprintf(sfx, sizeof sfx, "/du%" PRId64, x->en_gNB_DU_ID);
        snprintf(out, cap, "en-gnb/%s/0x%08" PRIx64 "%s", plmn,
                 bits_value(&x->global_en_gNB_ID.gNB_ID.u.gNB_ID), sfx);
        return;
    }
    case kz_e2ap_GlobalE2node_ID_ng_eNB: {
        const kz_e2ap_GlobalE2node_ng_eNB_ID *x = &g->u.ng_eNB;
        plmn_digits(&x->global_ng_eNB_ID.plmn_id, plmn);
        const kz_e2ap_ENB_ID_Choice *e = &x->global_ng_eNB_ID.enb_id;
        snprintf(out, cap, "ng-enb/%s/%u-0x%06" PRIx64, plmn, (unsigned)e->present,
                 bits_value(&e->u.enb_ID_macro));
        return;
    }
    case kz_e2ap_GlobalE2node_ID_eNB: {
        const kz_e2ap_GlobalENB_ID *x = &g->u.eNB.global_eNB_ID;
        plmn_digits(&x->pLMN_Identity, plmn);
        snprintf(out, cap, "enb/%s/%u-0x%06" PRIx64, plmn, (unsigned)x->eNB_ID.present,
                 bits_value(&x->eNB_ID.u.macro_eNB_ID));
        return;
    }
    default:
        strcpy(plmn, "?");
        snprintf(out, cap, "unknown");
    }
}

static bool admitted(const kz_ric *ric, const char *name, const char *plmn)
{
    if (!ric->cfg.n_allow)
        return true;
    for (size_t i = 0; i < ric->cfg.n_allow; i++) {
        const char *e = ric->cfg.allow[i];
        if (!strcmp(e, name) || !strcmp(e, plmn))
            return true;
    }
    return false;
}

/* ---- registry ------------------------------------------------------------------------------ */
kz__node *kz__node_by_id(kz_ric *ric, uint32_t id)
{
    if (id == 0 || id > ric->nnodes)
        return NULL;
    kz__node *n = ric->nodes[id - 1];
    return n->known ? n : NULL;
}

const kz__fn *kz__node_fn(const kz__node *n, uint16_t ranf)
{
    for (size_t i = 0; i < n->nfns; i++)
        if (n->fns[i].id == ranf)
            return &n->fns[i];
    return NULL;
}

static kz__node *node_find(kz_ric *ric, const char *name)
{
    for (size_t i = 0; i < ric->nnodes; i++)
        if (ric->nodes[i]->known && !strcmp(ric->nodes[i]->name, name))
            return ric->nodes[i];
    return NULL;
}

static kz__node *node_new(kz_ric *ric, const char *name)
{
    for (size_t i = 0; i < ric->nnodes; i++)   /* reuse a slot E2 removal freed */
        if (!ric->nodes[i]->known && !ric->nodes[i]->nsubs) {
            kz__node *n = ric->nodes[i];
            snprintf(n->name, sizeof n->name, "%s", name);
            n->known = true;
            return n;
        }
    if (ric->nnodes >= ric->cfg.max_nodes)
        return NULL;
    if (ric->nnodes == ric->capnodes) {
        size_t cap = ric->capnodes ? ric->capnodes * 2 : 64;
        kz__node **nn = realloc(ric->nodes, cap * sizeof *nn);
        if (!nn)
            return NULL;
        ric->nodes = nn;
        ric->capnodes = cap;
    }
    kz__node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    ric->nodes[ric->nnodes] = n;
    n->id = (uint32_t)++ric->nnodes;
    snprintf(n->name, sizeof n->name, "%s", name);
    n->known = true;
    n->reset_tid = -1;
    kz_timer_init(ric->loop, &n->reset_timer);
    ric->st.nodes_known++;
    return n;
}

static void fns_free(kz__node *n)
{
    for (size_t i = 0; i < n->nfns; i++) {
        free(n->fns[i].oid);
        free(n->fns[i].def);
    }
    free(n->fns);
    n->fns = NULL;
    n->nfns = 0;
}

static int fn_set(kz__fn *f, const kz_e2ap_RANfunction_Item *it)
{
    f->id = (uint16_t)it->ranFunctionID;
    f->rev = (uint16_t)it->ranFunctionRevision;
    f->oid = malloc(it->ranFunctionOID.len + 1);
    f->def = malloc(it->ranFunctionDefinition.len ? it->ranFunctionDefinition.len : 1);
    if (!f->oid || !f->def) {
        free(f->oid);
        free(f->def);
        f->oid = NULL;
        f->def = NULL;
        return KZ_ENOMEM;
    }
    memcpy(f->oid, it->ranFunctionOID.buf, it->ranFunctionOID.len);
    f->oid[it->ranFunctionOID.len] = '\0';
    memcpy(f->def, it->ranFunctionDefinition.buf, it->ranFunctionDefinition.len);
    f->def_len = it->ranFunctionDefinition.len;
    return 0;
}

static void node_down(kz_ric *ric, kz__node *n, const char *why)
{
    if (!n->up)
        return;
    n->up = false;
    n->conn = NULL;
    kz_timer_stop(&n->reset_timer);
    n->reset_tid = -1;
    ric->st.nodes_up--;
    kz__log(ric, KZ_RIC_LOG_INFO, "node down", "node=%s id=%u why=%s", n->name, n->id, why);
    kz__subs_node_down(ric, n);
    kz__xbus_node_event(ric, n);
}

/* ---- procedures ------------------------------------------------------------------------------ */
static void setup_failure(kz_ric *ric, kz__e2conn *c, int64_t tid, kz_e2ap_Cause cause)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
    pdu.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_E2setupFailure;
    kz_e2ap_E2setupFailure *f = &pdu.u.unsuccessfulOutcome.u.E2setupFailure;
    f->TransactionID = tid;
    f->Cause = cause;
    f->has_TimeToWait = true;
    f->TimeToWait = kz_e2ap_TimeToWait_v10s;
    kz__e2_send(ric, c, &pdu);
}

static void on_setup(kz_ric *ric, kz__e2conn *c, const kz_e2ap_E2setupRequest *r)
{
    char name[96], plmn[8];
    node_name(&r->GlobalE2node_ID, name, sizeof name, plmn);
    if (!admitted(ric, name, plmn)) {
        ric->st.setups_refused++;
        kz__log(ric, KZ_RIC_LOG_WARN, "setup refused", "node=%s peer=%s why=admission", name,
                kz_assoc_peer(c->as));
        setup_failure(ric, c, r->TransactionID, kz__cause(kz_e2ap_Cause_misc,
                                                          kz_e2ap_CauseMisc_om_intervention));
        return;
    }
    kz__node *n = node_find(ric, name);
    if (n && n->conn && n->conn != c) {
        kz__e2conn *old = n->conn;
        ric->st.nodes_replaced++;
        kz__log(ric, KZ_RIC_LOG_WARN, "duplicate node id: replacing stale association",
                "node=%s old_peer=%s new_peer=%s", name, kz_assoc_peer(old->as),
                kz_assoc_peer(c->as));
        node_down(ric, n, "replaced");
        old->node = NULL;
        kz_assoc_abort(old->as);
    } else if (n && n->conn == c) {
        node_down(ric, n, "setup-again");   /* a second setup restarts the E2 session */
    }
    if (c->node && c->node != n) {   /* this association carried another node before */
        kz__node *prev = c->node;
        node_down(ric, prev, "setup-other-id");
        c->node = NULL;
    }
    if (!n)
        n = node_new(ric, name);
    if (!n) {
        ric->st.setups_refused++;
        setup_failure(ric, c, r->TransactionID, kz__cause(kz_e2ap_Cause_ricService,
                                                          kz_e2ap_CauseRICservice_ric_resource_limit));
        return;
    }
    /* RAN functions: keep the first of each id, reject repeats */
    uint32_t nf = r->RANfunctionsAdded.count;
    kz__fn *fns = calloc(nf ? nf : 1, sizeof *fns);
    kz_e2ap_RANfunctionsID_List__item *acc = calloc(nf ? nf : 1, sizeof *acc);
    kz_e2ap_RANfunctionsIDcause_List__item *rej = calloc(nf ? nf : 1, sizeof *rej);
    uint32_t ncomp = r->E2nodeComponentConfigAddition.count;
    kz_e2ap_E2nodeComponentConfigAdditionAck_List__item *cack =
        calloc(ncomp ? ncomp : 1, sizeof *cack);
    if (!fns || !acc || !rej || !cack)
        goto oom;
    size_t nacc = 0, nrej = 0;
    for (uint32_t i = 0; i < nf; i++) {
        const kz_e2ap_RANfunction_Item *it = &r->RANfunctionsAdded.items[i].value;
        bool dup = false;
        for (size_t j = 0; j < nacc; j++)
            if (fns[j].id == it->ranFunctionID)
                dup = true;
        if (dup) {
            rej[nrej].value.ranFunctionID = it->ranFunctionID;
            rej[nrej++].value.cause = kz__cause(kz_e2ap_Cause_ricRequest,
                                                kz_e2ap_CauseRICrequest_ran_function_id_invalid);
            continue;
        }
        if (fn_set(&fns[nacc], it) < 0)
            goto oom;
        acc[nacc].value.ranFunctionID = it->ranFunctionID;
        acc[nacc].value.ranFunctionRevision = it->ranFunctionRevision;
        nacc++;
    }
    for (uint32_t i = 0; i < ncomp; i++) {
        const kz_e2ap_E2nodeComponentConfigAddition_Item *it =
            &r->E2nodeComponentConfigAddition.items[i].value;
        cack[i].value.e2nodeComponentInterfaceType = it->e2nodeComponentInterfaceType;
        cack[i].value.e2nodeComponentID = it->e2nodeComponentID;
        cack[i].value.e2nodeComponentConfigurationAck.updateOutcome =
            kz_e2ap_E2nodeComponentConfigurationAck__updateOutcome_success;
    }
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_E2setupResponse;
    kz_e2ap_E2setupResponse *resp = &pdu.u.successfulOutcome.u.E2setupResponse;
    uint8_t ricid[3] = {(uint8_t)(ric->cfg.ric_id >> 12), (uint8_t)(ric->cfg.ric_id >> 4),
                        (uint8_t)(ric->cfg.ric_id << 4)};
    resp->TransactionID = r->TransactionID;
    resp->GlobalRIC_ID.pLMN_Identity.buf = ric->cfg.plmn;
    resp->GlobalRIC_ID.pLMN_Identity.len = 3;
    resp->GlobalRIC_ID.ric_ID.buf = ricid;
    resp->GlobalRIC_ID.ric_ID.nbits = 20;
    resp->has_RANfunctionsAccepted = nacc > 0;
    resp->RANfunctionsAccepted.count = (uint32_t)nacc;
    resp->RANfunctionsAccepted.items = acc;
    resp->has_RANfunctionsRejected = nrej > 0;
    resp->RANfunctionsRejected.count = (uint32_t)nrej;
    resp->RANfunctionsRejected.items = rej;
    resp->E2nodeComponentConfigAdditionAck.count = ncomp;
    resp->E2nodeComponentConfigAdditionAck.items = cack;

    fns_free(n);
    n->fns = fns;
    n->nfns = nacc;
    fns = NULL;
    n->conn = c;
    c->node = n;
    kz_timer_stop(&c->setup_timer);
    int rc = kz__e2_send(ric, c, &pdu);
    free(acc);
    free(rej);
    free(cack);
    if (rc < 0) {
        c->node = NULL;
        n->conn = NULL;
        kz_assoc_abort(c->as);
        return;
    }
    n->up = true;
    ric->st.nodes_up++;
    ric->st.setups_ok++;
    kz__log(ric, KZ_RIC_LOG_INFO, "node up", "node=%s id=%u peer=%s functions=%zu", n->name,
            n->id, kz_assoc_peer(c->as), n->nfns);
    kz__xbus_node_event(ric, n);
    kz__subs_node_up(ric, n);
    return;
oom:
    if (fns) {
        for (uint32_t i = 0; i < nf; i++) {
            free(fns[i].oid);
            free(fns[i].def);
        }
    }
    free(fns);
    free(acc);
    free(rej);
    free(cack);
    setup_failure(ric, c, r->TransactionID, kz__cause(kz_e2ap_Cause_misc,
                                                      kz_e2ap_CauseMisc_control_processing_overload));
}

static void on_service_update(kz_ric *ric, kz__e2conn *c, const kz_e2ap_RICserviceUpdate *u)
{
    kz__node *n = c->node;
    uint32_t nadd = u->has_RANfunctionsAdded ? u->RANfunctionsAdded.count : 0;
    uint32_t nmod = u->has_RANfunctionsModified ? u->RANfunctionsModified.count : 0;
    uint32_t ndel = u->has_RANfunctionsDeleted ? u->RANfunctionsDeleted.count : 0;
    kz_e2ap_RANfunctionsID_List__item *acc = calloc(nadd + nmod + 1, sizeof *acc);
    kz__fn *fns = calloc(n->nfns + nadd + 1, sizeof *fns);
    if (!acc || !fns) {
        free(acc);
        free(fns);
        return;
    }
    /* start from the current list minus deleted and modified ones */
    size_t k = 0, nacc = 0;
    for (size_t i = 0; i < n->nfns; i++) {
        bool drop = false;
        for (uint32_t j = 0; j < ndel; j++)
            if (u->RANfunctionsDeleted.items[j].value.ranFunctionID == n->fns[i].id)
                drop = true;
        for (uint32_t j = 0; j < nmod; j++)
            if (u->RANfunctionsModified.items[j].value.ranFunctionID == n->fns[i].id)
                drop = true;
        if (drop) {
            bool deleted = false;
            for (uint32_t j = 0; j < ndel; j++)
                if (u->RANfunctionsDeleted.items[j].value.ranFunctionID == n->fns[i].id)
                    deleted = true;
            if (deleted)
                kz__subs_function_gone(ric, n, n->fns[i].id);
            free(n->fns[i].oid);
            free(n->fns[i].def);
        } else {
            fns[k++] = n->fns[i];
        }
    }
    for (uint32_t pass = 0; pass < 2; pass++) {
        const kz_e2ap_RANfunctions_List *l = pass ? &u->RANfunctionsModified : &u->RANfunctionsAdded;
        uint32_t cnt = pass ? nmod : nadd;
        for (uint32_t j = 0; j < cnt; j++) {
            const kz_e2ap_RANfunction_Item *it = &l->items[j].value;
            bool dup = false;
            for (size_t i = 0; i < k; i++)
                if (fns[i].id == it->ranFunctionID)
                    dup = true;
            if (dup || fn_set(&fns[k], it) < 0)
                continue;
            k++;
            acc[nacc].value.ranFunctionID = it->ranFunctionID;
            acc[nacc++].value.ranFunctionRevision = it->ranFunctionRevision;
        }
    }
    free(n->fns);
    n->fns = fns;
    n->nfns = k;
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_RICserviceUpdateAcknowledge;
    kz_e2ap_RICserviceUpdateAcknowledge *a = &pdu.u.successfulOutcome.u.RICserviceUpdateAcknowledge;
    a->TransactionID = u->TransactionID;
    a->has_RANfunctionsAccepted = nacc > 0;
    a->RANfunctionsAccepted.count = (uint32_t)nacc;
    a->RANfunctionsAccepted.items = acc;
    kz__e2_send(ric, c, &pdu);
    free(acc);
    kz__log(ric, KZ_RIC_LOG_INFO, "service update", "node=%s functions=%zu", n->name, n->nfns);
    kz__xbus_node_event(ric, n);
}

static void on_config_update(kz_ric *ric, kz__e2conn *c, const kz_e2ap_E2nodeConfigurationUpdate *u)
{
    uint32_t na = u->has_E2nodeComponentConfigAddition ? u->E2nodeComponentConfigAddition.count : 0;
    uint32_t nu = u->has_E2nodeComponentConfigUpdate ? u->E2nodeComponentConfigUpdate.count : 0;
    uint32_t nr = u->has_E2nodeComponentConfigRemoval ? u->E2nodeComponentConfigRemoval.count : 0;
    kz_e2ap_E2nodeComponentConfigAdditionAck_List__item *aa = calloc(na + 1, sizeof *aa);
    kz_e2ap_E2nodeComponentConfigUpdateAck_List__item *ua = calloc(nu + 1, sizeof *ua);
    kz_e2ap_E2nodeComponentConfigRemovalAck_List__item *ra = calloc(nr + 1, sizeof *ra);
    if (aa && ua && ra) {
        for (uint32_t i = 0; i < na; i++) {
            aa[i].value.e2nodeComponentInterfaceType =
                u->E2nodeComponentConfigAddition.items[i].value.e2nodeComponentInterfaceType;
            aa[i].value.e2nodeComponentID =
                u->E2nodeComponentConfigAddition.items[i].value.e2nodeComponentID;
        }
        for (uint32_t i = 0; i < nu; i++) {
            ua[i].value.e2nodeComponentInterfaceType =
                u->E2nodeComponentConfigUpdate.items[i].value.e2nodeComponentInterfaceType;
            ua[i].value.e2nodeComponentID = u->E2nodeComponentConfigUpdate.items[i].value.e2nodeComponentID;
        }
        for (uint32_t i = 0; i < nr; i++) {
            ra[i].value.e2nodeComponentInterfaceType =
                u->E2nodeComponentConfigRemoval.items[i].value.e2nodeComponentInterfaceType;
            ra[i].value.e2nodeComponentID = u->E2nodeComponentConfigRemoval.items[i].value.e2nodeComponentID;
        }
        kz_e2ap_pdu pdu;
        memset(&pdu, 0, sizeof pdu);
        pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
        pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_E2nodeConfigurationUpdateAcknowledge;
        kz_e2ap_E2nodeConfigurationUpdateAcknowledge *a =
            &pdu.u.successfulOutcome.u.E2nodeConfigurationUpdateAcknowledge;
        a->TransactionID = u->TransactionID;
        a->has_E2nodeComponentConfigAdditionAck = na > 0;
        a->E2nodeComponentConfigAdditionAck.count = na;
        a->E2nodeComponentConfigAdditionAck.items = aa;
        a->has_E2nodeComponentConfigUpdateAck = nu > 0;
        a->E2nodeComponentConfigUpdateAck.count = nu;
        a->E2nodeComponentConfigUpdateAck.items = ua;
        a->has_E2nodeComponentConfigRemovalAck = nr > 0;
        a->E2nodeComponentConfigRemovalAck.count = nr;
        a->E2nodeComponentConfigRemovalAck.items = ra;
        kz__e2_send(ric, c, &pdu);
    }
    free(aa);
    free(ua);
    free(ra);
}

static void on_reset_request(kz_ric *ric, kz__e2conn *c, const kz_e2ap_ResetRequest *r)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_ResetResponse;
    pdu.u.successfulOutcome.u.ResetResponse.TransactionID = r->TransactionID;
    kz__node *n = c->node;
    kz__log(ric, KZ_RIC_LOG_INFO, "reset by node", "node=%s", n->name);
    /* the node forgot every subscription: ours are suspended, then asked again */
    n->up = false;
    kz__subs_node_down(ric, n);
    n->up = true;
    kz__e2_send(ric, c, &pdu);
    kz__subs_node_up(ric, n);
}

static void reset_timeout(kz_timer *t, void *ud)
{
    kz__node *n = ud;
    (void)t;
    kz_ric *ric = n->conn ? n->conn->ric : NULL;
    n->reset_tid = -1;
    if (ric) {
        kz__log(ric, KZ_RIC_LOG_WARN, "reset timed out: dropping association", "node=%s", n->name);
        kz_assoc_abort(n->conn->as);
    }
}

int kz_ric_reset_node(kz_ric *ric, uint32_t node_id)
{
    kz__node *n = kz__node_by_id(ric, node_id);
    if (!n)
        return KZ_EINVAL;
    if (!n->up)
        return KZ_ECLOSED;
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_ResetRequest;
    n->reset_tid = n->next_tid++;
    pdu.u.initiatingMessage.u.ResetRequest.TransactionID = n->reset_tid;
    pdu.u.initiatingMessage.u.ResetRequest.Cause = kz__cause(kz_e2ap_Cause_misc,
                                                             kz_e2ap_CauseMisc_om_intervention);
    n->up = false;
    kz__subs_node_down(ric, n);
    n->up = true;
    int rc = kz__e2_send(ric, n->conn, &pdu);
    if (rc < 0)
        return rc;
    kz_timer_start(&n->reset_timer, (int64_t)ric->cfg.reset_timeout_ms * KZ_NS_PER_MS, 0,
                   reset_timeout, n);
    return 0;
}

int kz_ric_query_node(kz_ric *ric, uint32_t node_id)
{
    kz__node *n = kz__node_by_id(ric, node_id);
    if (!n)
        return KZ_EINVAL;
    if (!n->up || !n->conn)
        return KZ_ECLOSED;
    kz_e2ap_RANfunctionsID_List__item items[64];
    size_t k = n->nfns < 64 ? n->nfns : 64;   /* E2AP maxofRANfunctionID is 256; 64 is ours */
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICserviceQuery;
    kz_e2ap_RICserviceQuery *q = &pdu.u.initiatingMessage.u.RICserviceQuery;
    q->TransactionID = n->next_tid++;
    for (size_t i = 0; i < k; i++) {
        items[i].value.ranFunctionID = n->fns[i].id;
        items[i].value.ranFunctionRevision = n->fns[i].rev;
    }
    q->has_RANfunctionsAccepted = k > 0;
    q->RANfunctionsAccepted.count = (uint32_t)k;
    q->RANfunctionsAccepted.items = items;
    int rc = kz__e2_send(ric, n->conn, &pdu);
    if (rc == 0) {
        ric->st.service_queries++;
        kz__log(ric, KZ_RIC_LOG_INFO, "service query sent", "node=%s functions=%zu", n->name, k);
    }
    return rc < 0 ? rc : 0;
}

static void on_removal(kz_ric *ric, kz__e2conn *c, const kz_e2ap_E2RemovalRequest *r)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_E2RemovalResponse;
    pdu.u.successfulOutcome.u.E2RemovalResponse.TransactionID = r->TransactionID;
    kz__e2_send(ric, c, &pdu);
    kz__node *n = c->node;
    kz__log(ric, KZ_RIC_LOG_INFO, "node removed", "node=%s", n->name);
    node_down(ric, n, "removal");
    /* a removed node's subscriptions are over for good */
    for (size_t i = 0; i < n->nfns; i++)
        kz__subs_function_gone(ric, n, n->fns[i].id);
    fns_free(n);
    n->known = false;
    c->node = NULL;
    kz_assoc_close(c->as);
}

static void on_mod_required(kz_ric *ric, kz__e2conn *c,
                            const kz_e2ap_RICsubscriptionModificationRequired *r)
{
    /* accept what the node says it must change: confirm every removal and modification */
    uint32_t nm = r->has_RICactionsRequiredToBeModified_List ? r->RICactionsRequiredToBeModified_List.count : 0;
    uint32_t nr = r->has_RICactionsRequiredToBeRemoved_List ? r->RICactionsRequiredToBeRemoved_List.count : 0;
    kz_e2ap_RICactions_ConfirmedForModification_List__item *cm = calloc(nm + 1, sizeof *cm);
    kz_e2ap_RICactions_ConfirmedForRemoval_List__item *cr = calloc(nr + 1, sizeof *cr);
    if (cm && cr) {
        for (uint32_t i = 0; i < nm; i++)
            cm[i].value.ricActionID = r->RICactionsRequiredToBeModified_List.items[i].value.ricActionID;
        for (uint32_t i = 0; i < nr; i++)
            cr[i].value.ricActionID = r->RICactionsRequiredToBeRemoved_List.items[i].value.ricActionID;
        kz_e2ap_pdu pdu;
        memset(&pdu, 0, sizeof pdu);
        pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
        pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_RICsubscriptionModificationConfirm;
        kz_e2ap_RICsubscriptionModificationConfirm *m =
            &pdu.u.successfulOutcome.u.RICsubscriptionModificationConfirm;
        m->RICrequestID = r->RICrequestID;
        m->RANfunctionID = r->RANfunctionID;
        m->has_RICactionsConfirmedForModification_List = nm > 0;
        m->RICactionsConfirmedForModification_List.count = nm;
        m->RICactionsConfirmedForModification_List.items = cm;
        m->has_RICactionsConfirmedForRemoval_List = nr > 0;
        m->RICactionsConfirmedForRemoval_List.count = nr;
        m->RICactionsConfirmedForRemoval_List.items = cr;
        kz__e2_send(ric, c, &pdu);
    }
    free(cm);
    free(cr);
}

/* ---- dispatch -------------------------------------------------------------------------------- */
static void unexpected(kz_ric *ric, kz__e2conn *c, const kz_e2ap_pdu *pdu)
{
    ric->st.e2_bad_pdus++;
    ei_refill(ric, c);
    if (c->ei_credit >= KZ__EI_COST)   /* not one line per PDU of a flood */
        kz__log(ric, KZ_RIC_LOG_WARN, "unexpected message", "what=%s peer=%s setup=%d",
                kz_e2ap_message_name(pdu), kz_assoc_peer(c->as), c->node != NULL);
    send_error_ind(ric, c, kz__cause(kz_e2ap_Cause_protocol,
                                     kz_e2ap_CauseProtocol_message_not_compatible_with_receiver_state),
                   kz_e2ap_procedure_code(pdu), (int)pdu->present - 1, NULL, NULL);
}

static void control_answer(kz_ric *ric, kz__e2conn *c, const kz_e2ap_RICrequestID *rid,
                           int status, const kz_e2ap_Cause *cause, const kz_octets *outcome,
                           bool has_outcome)
{
    if (rid->ricRequestorID != 0 || rid->ricInstanceID < 0 || rid->ricInstanceID >= KZ__MAX_CTLS ||
        !ric->ctls[rid->ricInstanceID].used ||
        ric->ctls[rid->ricInstanceID].node_id != c->node->id) {
        send_error_ind(ric, c, kz__cause(kz_e2ap_Cause_ricRequest,
                                         kz_e2ap_CauseRICrequest_request_id_unknown),
                       4, status == 0 ? 1 : 2, rid, NULL);
        return;
    }
    kz__xbus_control_result(ric, (uint32_t)rid->ricInstanceID, status, cause,
                            has_outcome ? outcome : NULL);
}

static void dispatch(kz_ric *ric, kz__e2conn *c, const kz_e2ap_pdu *pdu)
{
    bool setup = c->node != NULL;
    if (pdu->present == kz_e2ap_E2AP_PDU_initiatingMessage) {
        const kz_e2ap_InitiatingMessage *im = &pdu->u.initiatingMessage;
        switch (im->present) {
        case kz_e2ap_InitiatingMessage_E2setupRequest:
            on_setup(ric, c, &im->u.E2setupRequest);
            return;
        case kz_e2ap_InitiatingMessage_ErrorIndication: {
            ric->st.e2_error_ind_rx++;
            const kz_e2ap_ErrorIndication *ei = &im->u.ErrorIndication;
            kz__log(ric, KZ_RIC_LOG_WARN, "error indication from node",
                    "peer=%s node=%s cause=%u/%u request=%" PRId64 "/%" PRId64,
                    kz_assoc_peer(c->as), setup ? c->node->name : "-",
                    ei->has_Cause ? (unsigned)ei->Cause.present : 0,
                    ei->has_Cause ? (unsigned)ei->Cause.u.ricRequest : 0,
                    ei->has_RICrequestID ? ei->RICrequestID.ricRequestorID : -1,
                    ei->has_RICrequestID ? ei->RICrequestID.ricInstanceID : -1);
            return;
        }
        default:
            break;
        }
        if (!setup) {
            unexpected(ric, c, pdu);
            return;
        }
        switch (im->present) {
        case kz_e2ap_InitiatingMessage_RICindication: {
            const kz_e2ap_RICindication *ind = &im->u.RICindication;
            ric->st.indications_rx++;
            kz__sub *s = kz__subs_by_reqid(ric, ind->RICrequestID.ricRequestorID,
                                           ind->RICrequestID.ricInstanceID);
            if (!s || s->node != c->node || s->ranf != ind->RANfunctionID ||
                s->state == KZ__SUB_DELETING || s->state == KZ__SUB_SUSPENDED) {
                ric->st.indications_orphan++;
                if (!s || s->node != c->node)
                    send_error_ind(ric, c, kz__cause(kz_e2ap_Cause_ricRequest,
                                                     kz_e2ap_CauseRICrequest_request_id_unknown),
                                   5, 0, &ind->RICrequestID, NULL);
                return;
            }
            kz__xbus_route_indication(ric, s, ind);
            return;
        }
        case kz_e2ap_InitiatingMessage_ResetRequest:
            on_reset_request(ric, c, &im->u.ResetRequest);
            return;
        case kz_e2ap_InitiatingMessage_RICserviceUpdate:
            on_service_update(ric, c, &im->u.RICserviceUpdate);
            return;
        case kz_e2ap_InitiatingMessage_E2nodeConfigurationUpdate:
            on_config_update(ric, c, &im->u.E2nodeConfigurationUpdate);
            return;
        case kz_e2ap_InitiatingMessage_RICsubscriptionDeleteRequired:
            kz__subs_on_delete_required(ric, c->node, &im->u.RICsubscriptionDeleteRequired);
            return;
        case kz_e2ap_InitiatingMessage_E2RemovalRequest:
            on_removal(ric, c, &im->u.E2RemovalRequest);
            return;
        case kz_e2ap_InitiatingMessage_RICsubscriptionModificationRequired:
            on_mod_required(ric, c, &im->u.RICsubscriptionModificationRequired);
            return;
        default:
            unexpected(ric, c, pdu);
            return;
        }
    }
    if (!setup) {
        unexpected(ric, c, pdu);
        return;
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_successfulOutcome) {
        const kz_e2ap_SuccessfulOutcome *so = &pdu->u.successfulOutcome;
        switch (so->present) {
        case kz_e2ap_SuccessfulOutcome_RICsubscriptionResponse:
            kz__subs_on_response(ric, c->node, &so->u.RICsubscriptionResponse);
            return;
        case kz_e2ap_SuccessfulOutcome_RICsubscriptionDeleteResponse:
            kz__subs_on_delete_done(ric, c->node,
                                    so->u.RICsubscriptionDeleteResponse.RICrequestID.ricRequestorID,
                                    so->u.RICsubscriptionDeleteResponse.RICrequestID.ricInstanceID);
            return;
        case kz_e2ap_SuccessfulOutcome_RICcontrolAcknowledge: {
            const kz_e2ap_RICcontrolAcknowledge *a = &so->u.RICcontrolAcknowledge;
            control_answer(ric, c, &a->RICrequestID, 0, NULL, &a->RICcontrolOutcome,
                           a->has_RICcontrolOutcome);
            return;
        }
        case kz_e2ap_SuccessfulOutcome_ResetResponse: {
            kz__node *n = c->node;
            if (n->reset_tid >= 0 && so->u.ResetResponse.TransactionID == n->reset_tid) {
                kz_timer_stop(&n->reset_timer);
                n->reset_tid = -1;
                kz__subs_node_up(ric, n);
                return;
            }
            unexpected(ric, c, pdu);
            return;
        }
        case kz_e2ap_SuccessfulOutcome_RICsubscriptionModificationResponse:
        case kz_e2ap_SuccessfulOutcome_E2connectionUpdateAcknowledge:
        case kz_e2ap_SuccessfulOutcome_E2RemovalResponse:
        case kz_e2ap_SuccessfulOutcome_RICQueryResponse:
            return;   /* answers to procedures this RIC does not start: harmless */
        default:
            unexpected(ric, c, pdu);
            return;
        }
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_unsuccessfulOutcome) {
        const kz_e2ap_UnsuccessfulOutcome *uo = &pdu->u.unsuccessfulOutcome;
        switch (uo->present) {
        case kz_e2ap_UnsuccessfulOutcome_RICsubscriptionFailure:
            kz__subs_on_failure(ric, c->node, &uo->u.RICsubscriptionFailure);
            return;
        case kz_e2ap_UnsuccessfulOutcome_RICsubscriptionDeleteFailure:
            kz__subs_on_delete_done(ric, c->node,
                                    uo->u.RICsubscriptionDeleteFailure.RICrequestID.ricRequestorID,
                                    uo->u.RICsubscriptionDeleteFailure.RICrequestID.ricInstanceID);
            return;
        case kz_e2ap_UnsuccessfulOutcome_RICcontrolFailure: {
            const kz_e2ap_RICcontrolFailure *f = &uo->u.RICcontrolFailure;
            control_answer(ric, c, &f->RICrequestID, KZ_EPROTO, &f->Cause, &f->RICcontrolOutcome,
                           f->has_RICcontrolOutcome);
            return;
        }
        case kz_e2ap_UnsuccessfulOutcome_RICsubscriptionModificationFailure:
        case kz_e2ap_UnsuccessfulOutcome_E2connectionUpdateFailure:
        case kz_e2ap_UnsuccessfulOutcome_E2RemovalFailure:
        case kz_e2ap_UnsuccessfulOutcome_RICQueryFailure:
            return;
        default:
            unexpected(ric, c, pdu);
            return;
        }
    }
    unexpected(ric, c, pdu);
}

/* ---- transport callbacks ----------------------------------------------------------------------- */
static void setup_wait_expired(kz_timer *t, void *ud)
{
    kz__e2conn *c = ud;
    (void)t;
    kz__log(c->ric, KZ_RIC_LOG_WARN, "no E2 setup in time: closing", "peer=%s",
            kz_assoc_peer(c->as));
    kz_assoc_abort(c->as);
}

static void e2_up(kz_assoc *a, void *ud)
{
    kz_ric *ric = ud;
    kz__e2conn *c = calloc(1, sizeof *c);
    if (!c || ric->shutting_down) {
        free(c);
        kz_assoc_abort(a);
        return;
    }
    c->ric = ric;
    c->as = a;
    c->ei_last = kz_loop_now(ric->loop);
    c->ei_credit = (int64_t)KZ__EI_BURST * KZ__EI_COST;
    c->next = ric->e2conns;
    if (c->next)
        c->next->prev = c;
    ric->e2conns = c;
    kz_assoc_set_ud(a, c);
    kz_timer_init(ric->loop, &c->setup_timer);
    kz_timer_start(&c->setup_timer, (int64_t)ric->cfg.setup_wait_ms * KZ_NS_PER_MS, 0,
                   setup_wait_expired, c);
    kz__log(ric, KZ_RIC_LOG_DEBUG, "e2 association up", "peer=%s", kz_assoc_peer(a));
}

static void e2_down(kz_assoc *a, int reason, void *ud)
{
    kz_ric *ric = ud;
    kz__e2conn *c = kz_assoc_ud(a);
    if (!c)
        return;
    kz_timer_stop(&c->setup_timer);
    if (c->node && c->node->conn == c)
        node_down(ric, c->node, reason == 0 ? "closed" : kz_strerror(reason));
    kz__log(ric, KZ_RIC_LOG_DEBUG, "e2 association down", "peer=%s reason=%d", kz_assoc_peer(a),
            reason);
    if (c->prev)
        c->prev->next = c->next;
    else
        ric->e2conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

static void e2_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    kz_ric *ric = ud;
    kz__e2conn *c = kz_assoc_ud(a);
    if (!c)
        return;
    ric->st.e2_msgs_rx++;
    if (ric->pcap)
        kz__pcap_write(ric, a, 0, m->data, m->len);
    kz_arena_reset(&ric->arena);
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    kz_e2ap_pdu *pdu = NULL;
    int rc = kz_e2ap_decode(m->data, m->len, &ric->arena, &pdu, &diag);
    if (rc < 0 || diag.n_ies) {
        kz_e2ap_pdu ei;
        kz_e2ap_CriticalityDiagnostics_IE_Item items[KZ_ASN_DIAG_MAX_IES];
        kz_e2ap_error_indication(&diag, &ei, items);
        if (rc == 0)   /* decoded, but with IEs to report (criticality notify) */
            ei.u.initiatingMessage.u.ErrorIndication.Cause.u.protocol =
                kz_e2ap_CauseProtocol_abstract_syntax_error_ignore_and_notify;
        else {
            ric->st.e2_bad_pdus++;
            c->bad++;
        }
        if (ei_allowed(ric, c)) {
            char b[512];
            kz__log(ric, rc < 0 ? KZ_RIC_LOG_WARN : KZ_RIC_LOG_INFO,
                    rc < 0 ? "malformed E2AP PDU" : "E2AP PDU with IEs to report",
                    "peer=%s len=%zu err=\"%s\"", kz_assoc_peer(a), m->len,
                    kz_asn_diag_format(&diag, b, sizeof b));
            kz__e2_send(ric, c, &ei);
        }
        if (rc < 0)
            return;
    }
    dispatch(ric, c, pdu);
}

int kz__e2term_open(kz_ric *ric)
{
    ric->e2tr = calloc(ric->cfg.n_e2_listen + 1, sizeof *ric->e2tr);
    if (!ric->e2tr)
        return KZ_ENOMEM;
    kz_transport_cfg tc;
    kz_transport_cfg_default(&tc);
    tc.max_msg = ric->cfg.max_msg;
    kz_transport_cbs cbs = {.on_up = e2_up, .on_msg = e2_msg, .on_down = e2_down};
    for (size_t i = 0; i < ric->cfg.n_e2_listen; i++) {
        int rc = kz_transport_open(&ric->e2tr[i], ric->loop, &tc, &cbs, ric);
        if (rc < 0)
            return rc;
        ric->ne2tr++;
        rc = kz_transport_listen(ric->e2tr[i], ric->cfg.e2_listen[i]);
        if (rc < 0) {
            kz__log(ric, KZ_RIC_LOG_ERROR, "cannot listen", "url=%s err=\"%s\"",
                    ric->cfg.e2_listen[i], kz_strerror(rc));
            return rc;
        }
        kz__log(ric, KZ_RIC_LOG_INFO, "e2 listening", "url=%s", ric->cfg.e2_listen[i]);
    }
    return 0;
}

void kz__e2term_shutdown(kz_ric *ric)
{
    for (kz__e2conn *c = ric->e2conns; c; c = c->next)
        kz_assoc_close(c->as);
}

void kz__e2term_close(kz_ric *ric)
{
    /* kz_transport_close calls no callback: free the per-association state here */
    for (size_t i = 0; i < ric->ne2tr; i++)
        if (ric->e2tr[i])
            kz_transport_close(ric->e2tr[i]);
    free(ric->e2tr);
    ric->e2tr = NULL;
    ric->ne2tr = 0;
    while (ric->e2conns) {
        kz__e2conn *c = ric->e2conns;
        ric->e2conns = c->next;
        kz_timer_stop(&c->setup_timer);
        free(c);
    }
    for (size_t i = 0; i < ric->nnodes; i++) {
        kz__node *n = ric->nodes[i];
        kz_timer_stop(&n->reset_timer);
        fns_free(n);
        free(n);
    }
    free(ric->nodes);
    ric->nodes = NULL;
    ric->nnodes = 0;
}
