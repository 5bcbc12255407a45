/*
 * tests/ric/agent.c -- the scriptable test E2 agent (agent.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "kizuna/e2sm_kpm.h"

#define ARENA_SZ (1u << 20)

int agent_send_pdu(agent *ag, const kz_e2ap_pdu *pdu)
{
    long n = kz_e2ap_encode(pdu, ag->tx, sizeof ag->tx, NULL);
    if (n < 0) {
        fprintf(stderr, "agent: encode %s failed: %ld\n", kz_e2ap_message_name(pdu), n);
        return (int)n;
    }
    if (!ag->as)
        return -1;
    kz_msg m = {.data = ag->tx, .len = (size_t)n, .ppid = KZ_E2AP_PPID, .stream = 0};
    return kz_assoc_send(ag->as, &m);
}

void agent_send_raw(agent *ag, const uint8_t *buf, size_t len)
{
    kz_msg m = {.data = buf, .len = len, .ppid = KZ_E2AP_PPID, .stream = 0};
    if (ag->as)
        kz_assoc_send(ag->as, &m);
}

static void fill_setup(agent *ag, kz_e2ap_pdu *pdu, uint8_t *gnb, uint8_t *plmn,
                       kz_e2ap_RANfunctions_List__item *fns, uint8_t *kpmdef, size_t kpmlen,
                       kz_e2ap_E2nodeComponentConfigAddition_List__item *comp)
{
    memset(pdu, 0, sizeof *pdu);
    pdu->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_E2setupRequest;
    kz_e2ap_E2setupRequest *r = &pdu->u.initiatingMessage.u.E2setupRequest;
    r->TransactionID = 1;
    r->GlobalE2node_ID.present = kz_e2ap_GlobalE2node_ID_gNB;
    plmn[0] = 0x00; plmn[1] = 0xf1; plmn[2] = 0x10;
    r->GlobalE2node_ID.u.gNB.global_gNB_ID.plmn_id.buf = plmn;
    r->GlobalE2node_ID.u.gNB.global_gNB_ID.plmn_id.len = 3;
    r->GlobalE2node_ID.u.gNB.global_gNB_ID.gnb_id.present = kz_e2ap_GNB_ID_Choice_gnb_ID;
    uint32_t v = ag->gnb_id << 2;   /* 22 bits, left-aligned in 3 octets */
    gnb[0] = (uint8_t)(v >> 16); gnb[1] = (uint8_t)(v >> 8); gnb[2] = (uint8_t)v;
    r->GlobalE2node_ID.u.gNB.global_gNB_ID.gnb_id.u.gnb_ID.buf = gnb;
    r->GlobalE2node_ID.u.gNB.global_gNB_ID.gnb_id.u.gnb_ID.nbits = 22;
    memset(fns, 0, 2 * sizeof *fns);
    fns[0].value.ranFunctionID = 2;
    fns[0].value.ranFunctionRevision = 1;
    fns[0].value.ranFunctionOID.buf = (const uint8_t *)KZ_KPM_OID;
    fns[0].value.ranFunctionOID.len = (uint32_t)strlen(KZ_KPM_OID);
    fns[0].value.ranFunctionDefinition.buf = kpmdef;
    fns[0].value.ranFunctionDefinition.len = (uint32_t)kpmlen;
    static const char rcoid[] = "1.3.6.1.4.1.53148.1.1.2.3";
    static const uint8_t rcdef[] = {0x00, 0x01, 0x02};
    fns[1].value.ranFunctionID = 3;
    fns[1].value.ranFunctionRevision = 1;
    fns[1].value.ranFunctionOID.buf = (const uint8_t *)rcoid;
    fns[1].value.ranFunctionOID.len = (uint32_t)strlen(rcoid);
    fns[1].value.ranFunctionDefinition.buf = rcdef;
    fns[1].value.ranFunctionDefinition.len = sizeof rcdef;
    r->RANfunctionsAdded.count = 2;
    r->RANfunctionsAdded.items = fns;
    memset(comp, 0, sizeof *comp);
    static const uint8_t amf[] = "amf1", req[] = "rq", rsp[] = "rs";
    comp->value.e2nodeComponentInterfaceType = kz_e2ap_E2nodeComponentInterfaceType_ng;
    comp->value.e2nodeComponentID.present = kz_e2ap_E2nodeComponentID_e2nodeComponentInterfaceTypeNG;
    comp->value.e2nodeComponentID.u.e2nodeComponentInterfaceTypeNG.amf_name.buf = amf;
    comp->value.e2nodeComponentID.u.e2nodeComponentInterfaceTypeNG.amf_name.len = 4;
    comp->value.e2nodeComponentConfiguration.e2nodeComponentRequestPart.buf = req;
    comp->value.e2nodeComponentConfiguration.e2nodeComponentRequestPart.len = 2;
    comp->value.e2nodeComponentConfiguration.e2nodeComponentResponsePart.buf = rsp;
    comp->value.e2nodeComponentConfiguration.e2nodeComponentResponsePart.len = 2;
    r->E2nodeComponentConfigAddition.count = 1;
    r->E2nodeComponentConfigAddition.items = comp;
}

long agent_setup_bytes(agent *ag, uint8_t *buf, size_t cap)
{
    kz_e2ap_pdu pdu;
    uint8_t gnb[3], plmn[3], kpmdef[4096], scratch_mem[65536];
    kz_arena scratch;
    kz_arena_init(&scratch, scratch_mem, sizeof scratch_mem);
    long kl = kz_kpm_build_ran_function_gnb(&scratch, kpmdef, sizeof kpmdef);
    if (kl < 0)
        kl = 0;
    kz_e2ap_RANfunctions_List__item fns[2];
    kz_e2ap_E2nodeComponentConfigAddition_List__item comp;
    fill_setup(ag, &pdu, gnb, plmn, fns, kpmdef, (size_t)kl, &comp);
    return kz_e2ap_encode(&pdu, buf, cap, NULL);
}

static void send_setup(agent *ag)
{
    uint8_t buf[8192];
    long n = agent_setup_bytes(ag, buf, sizeof buf);
    if (n > 0)
        agent_send_raw(ag, buf, (size_t)n);
}

void agent_indicate(agent *ag, const kz_e2ap_RICrequestID *rid, int64_t ranf, const uint8_t *hdr,
                    size_t hl, const uint8_t *msg, size_t ml, int64_t sn)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
    kz_e2ap_RICindication *ind = &pdu.u.initiatingMessage.u.RICindication;
    ind->RICrequestID = rid ? *rid : ag->last_sub;
    ind->RANfunctionID = ranf >= 0 ? ranf : ag->last_ranf;
    ind->RICactionID = 1;
    ind->has_RICindicationSN = sn >= 0;
    ind->RICindicationSN = sn;
    ind->RICindicationType = kz_e2ap_RICindicationType_report;
    ind->RICindicationHeader.buf = hdr;
    ind->RICindicationHeader.len = (uint32_t)hl;
    ind->RICindicationMessage.buf = msg;
    ind->RICindicationMessage.len = (uint32_t)ml;
    agent_send_pdu(ag, &pdu);
}

static void answer_sub(agent *ag, const kz_e2ap_RICsubscriptionRequest *r)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    if (ag->sub_mode == AGENT_SILENT)
        return;
    if (ag->sub_mode == AGENT_REFUSE) {
        pdu.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
        pdu.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_RICsubscriptionFailure;
        kz_e2ap_RICsubscriptionFailure *f = &pdu.u.unsuccessfulOutcome.u.RICsubscriptionFailure;
        f->RICrequestID = r->RICrequestID;
        f->RANfunctionID = r->RANfunctionID;
        f->Cause.present = kz_e2ap_Cause_ricRequest;
        f->Cause.u.ricRequest = kz_e2ap_CauseRICrequest_action_not_supported;
        agent_send_pdu(ag, &pdu);
        return;
    }
    kz_e2ap_RICaction_Admitted_List__item adm[16];
    memset(adm, 0, sizeof adm);
    uint32_t n = r->RICsubscriptionDetails.ricAction_ToBeSetup_List.count;
    for (uint32_t i = 0; i < n && i < 16; i++)
        adm[i].value.ricActionID = r->RICsubscriptionDetails.ricAction_ToBeSetup_List.items[i].value.ricActionID;
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_RICsubscriptionResponse;
    kz_e2ap_RICsubscriptionResponse *s = &pdu.u.successfulOutcome.u.RICsubscriptionResponse;
    s->RICrequestID = r->RICrequestID;
    s->RANfunctionID = r->RANfunctionID;
    s->RICactions_Admitted.count = n < 16 ? n : 16;
    s->RICactions_Admitted.items = adm;
    agent_send_pdu(ag, &pdu);
}

static void answer_ctl(agent *ag, const kz_e2ap_RICcontrolRequest *r)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    static const uint8_t outcome[] = {0xca, 0xfe};
    if (ag->ctl_mode == AGENT_SILENT)
        return;
    if (ag->ctl_mode == AGENT_REFUSE) {
        pdu.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
        pdu.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_RICcontrolFailure;
        kz_e2ap_RICcontrolFailure *f = &pdu.u.unsuccessfulOutcome.u.RICcontrolFailure;
        f->RICrequestID = r->RICrequestID;
        f->RANfunctionID = r->RANfunctionID;
        f->Cause.present = kz_e2ap_Cause_ricRequest;
        f->Cause.u.ricRequest = kz_e2ap_CauseRICrequest_control_message_invalid;
        agent_send_pdu(ag, &pdu);
        return;
    }
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_RICcontrolAcknowledge;
    kz_e2ap_RICcontrolAcknowledge *a = &pdu.u.successfulOutcome.u.RICcontrolAcknowledge;
    a->RICrequestID = r->RICrequestID;
    a->RANfunctionID = r->RANfunctionID;
    a->has_RICcontrolOutcome = true;
    a->RICcontrolOutcome.buf = outcome;
    a->RICcontrolOutcome.len = sizeof outcome;
    agent_send_pdu(ag, &pdu);
}

static void ag_up(kz_assoc *a, void *ud)
{
    agent *ag = ud;
    if (a != ag->as)
        return;
    ag->up = true;
    send_setup(ag);
}

static void ag_down(kz_assoc *a, int reason, void *ud)
{
    agent *ag = ud;
    (void)reason;
    if (a != ag->as)
        return;
    ag->as = NULL;
    ag->up = false;
    ag->setup_done = false;
    ag->downs++;
}

static void ag_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    agent *ag = ud;
    (void)a;
    kz_arena ar;
    kz_arena_init(&ar, ag->arena_mem, ARENA_SZ);
    kz_e2ap_pdu *pdu;
    if (kz_e2ap_decode(m->data, m->len, &ar, &pdu, NULL) < 0) {
        ag->other++;
        return;
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_initiatingMessage) {
        const kz_e2ap_InitiatingMessage *im = &pdu->u.initiatingMessage;
        switch (im->present) {
        case kz_e2ap_InitiatingMessage_RICsubscriptionRequest:
            ag->sub_req++;
            ag->last_sub = im->u.RICsubscriptionRequest.RICrequestID;
            ag->last_ranf = im->u.RICsubscriptionRequest.RANfunctionID;
            answer_sub(ag, &im->u.RICsubscriptionRequest);
            return;
        case kz_e2ap_InitiatingMessage_RICsubscriptionDeleteRequest: {
            ag->del_req++;
            if (ag->del_mode == AGENT_SILENT)
                return;
            kz_e2ap_pdu r;
            memset(&r, 0, sizeof r);
            r.present = kz_e2ap_E2AP_PDU_successfulOutcome;
            r.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_RICsubscriptionDeleteResponse;
            r.u.successfulOutcome.u.RICsubscriptionDeleteResponse.RICrequestID =
                im->u.RICsubscriptionDeleteRequest.RICrequestID;
            r.u.successfulOutcome.u.RICsubscriptionDeleteResponse.RANfunctionID =
                im->u.RICsubscriptionDeleteRequest.RANfunctionID;
            agent_send_pdu(ag, &r);
            return;
        }
        case kz_e2ap_InitiatingMessage_RICcontrolRequest:
            ag->ctl_req++;
            answer_ctl(ag, &im->u.RICcontrolRequest);
            return;
        case kz_e2ap_InitiatingMessage_ErrorIndication:
            ag->err_ind++;
            ag->last_err_cause = im->u.ErrorIndication.Cause;
            ag->last_err_has_diag = im->u.ErrorIndication.has_CriticalityDiagnostics;
            ag->last_err_proc = im->u.ErrorIndication.CriticalityDiagnostics.has_procedureCode
                                    ? im->u.ErrorIndication.CriticalityDiagnostics.procedureCode : -1;
            return;
        case kz_e2ap_InitiatingMessage_ResetRequest: {
            ag->reset_req++;
            kz_e2ap_pdu r;
            memset(&r, 0, sizeof r);
            r.present = kz_e2ap_E2AP_PDU_successfulOutcome;
            r.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_ResetResponse;
            r.u.successfulOutcome.u.ResetResponse.TransactionID = im->u.ResetRequest.TransactionID;
            agent_send_pdu(ag, &r);
            return;
        }
        case kz_e2ap_InitiatingMessage_RICserviceQuery: {
            const kz_e2ap_RICserviceQuery *q = &im->u.RICserviceQuery;
            ag->svc_query++;
            ag->svc_query_fns = q->has_RANfunctionsAccepted ? (int)q->RANfunctionsAccepted.count
                                                            : 0;
            /* nothing changed: a service update with no lists (E2AP 8.3.3) */
            kz_e2ap_pdu r;
            memset(&r, 0, sizeof r);
            r.present = kz_e2ap_E2AP_PDU_initiatingMessage;
            r.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICserviceUpdate;
            r.u.initiatingMessage.u.RICserviceUpdate.TransactionID = q->TransactionID;
            agent_send_pdu(ag, &r);
            return;
        }
        default:
            ag->other++;
            return;
        }
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_successfulOutcome &&
        pdu->u.successfulOutcome.present == kz_e2ap_SuccessfulOutcome_RICserviceUpdateAcknowledge) {
        ag->svc_update_ack++;
        return;
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_successfulOutcome &&
        pdu->u.successfulOutcome.present == kz_e2ap_SuccessfulOutcome_E2setupResponse) {
        ag->setup_resp++;
        ag->setup_done = true;
        return;
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_unsuccessfulOutcome &&
        pdu->u.unsuccessfulOutcome.present == kz_e2ap_UnsuccessfulOutcome_E2setupFailure) {
        ag->setup_fail++;
        return;
    }
    ag->other++;
}

void agent_open(agent *ag, kz_loop *loop, const char *url, uint32_t gnb_id)
{
    memset(ag, 0, sizeof *ag);
    ag->loop = loop;
    ag->gnb_id = gnb_id;
    ag->last_ranf = 2;
    snprintf(ag->url, sizeof ag->url, "%s", url);
    ag->arena_mem = malloc(ARENA_SZ);
    kz_transport_cbs cbs = {.on_up = ag_up, .on_msg = ag_msg, .on_down = ag_down};
    kz_transport_open(&ag->tr, loop, NULL, &cbs, ag);
    agent_connect(ag);
}

void agent_connect(agent *ag)
{
    kz_assoc *a = NULL;
    if (kz_transport_connect(ag->tr, ag->url, &a) == 0)
        ag->as = a;
}

void agent_close(agent *ag)
{
    if (ag->tr)
        kz_transport_close(ag->tr);
    ag->tr = NULL;
    ag->as = NULL;
    free(ag->arena_mem);
    ag->arena_mem = NULL;
}
