/*
 * bench_e2ap_full.c -- the E2SM side of `make bench` (declared in bench_e2ap_pdus.h):
 *
 *   - the full cost of P1..P5: encode = every E2SM payload from its typed value with the
 *     generated KPM / RC descriptors, then the E2AP PDU that carries them; decode = the E2AP PDU,
 *     then every E2SM payload in it, all into one arena.  That is what an xApp pays per message,
 *     and what issue 3's asn1c figures count.
 *   - the KPM iterator over a format 3 indication of 200 UEs x 8 metrics (issue 3, point 4).
 *
 * Which E2SM a payload is follows from where it sits and from the RAN function ID of the PDU
 * (2 = KPM, 3 = RC, as bench_e2ap_pdus.c builds them), the way a RIC routes it.
 */
#include <stdio.h>
#include <string.h>

#include "kizuna/e2sm_kpm.h"
#include "kizuna/e2sm_kpm_types.h"
#include "kizuna/e2sm_rc_types.h"

#include "bench_e2ap_pdus.h"

#define KPM_RAN_FUNCTION 2
#define RC_RAN_FUNCTION 3

static void add(kz_bench_e2sm_slots *s, const kz_asn_type *t, kz_octets *slot)
{
    if (s->n < KZ_BENCH_MAX_E2SM) {
        s->type[s->n] = t;
        s->slot[s->n] = slot;
        s->n++;
    }
}

/* The E2SM payloads of pdu, in PDU order; unknown RAN functions are not listed. */
void kz_bench_e2sm_find(kz_e2ap_pdu *pdu, kz_bench_e2sm_slots *s)
{
    s->n = 0;
    if (pdu->present != kz_e2ap_E2AP_PDU_initiatingMessage)
        return;
    kz_e2ap_InitiatingMessage *im = &pdu->u.initiatingMessage;
    switch (im->present) {
    case kz_e2ap_InitiatingMessage_E2setupRequest: {
        kz_e2ap_RANfunctions_List *l = &im->u.E2setupRequest.RANfunctionsAdded;
        for (uint32_t i = 0; i < l->count; i++) {
            kz_e2ap_RANfunction_Item *f = &l->items[i].value;
            if (f->ranFunctionID == KPM_RAN_FUNCTION)
                add(s, &kz_kpm_E2SM_KPM_RANfunction_Description_desc, &f->ranFunctionDefinition);
            else if (f->ranFunctionID == RC_RAN_FUNCTION)
                add(s, &kz_rc_E2SM_RC_RANFunctionDefinition_desc, &f->ranFunctionDefinition);
        }
        break;
    }
    case kz_e2ap_InitiatingMessage_RICsubscriptionRequest: {
        kz_e2ap_RICsubscriptionRequest *r = &im->u.RICsubscriptionRequest;
        if (r->RANfunctionID != KPM_RAN_FUNCTION)
            break;
        add(s, &kz_kpm_E2SM_KPM_EventTriggerDefinition_desc,
            &r->RICsubscriptionDetails.ricEventTriggerDefinition);
        kz_e2ap_RICactions_ToBeSetup_List *l = &r->RICsubscriptionDetails.ricAction_ToBeSetup_List;
        for (uint32_t i = 0; i < l->count; i++)
            if (l->items[i].value.has_ricActionDefinition)
                add(s, &kz_kpm_E2SM_KPM_ActionDefinition_desc, &l->items[i].value.ricActionDefinition);
        break;
    }
    case kz_e2ap_InitiatingMessage_RICindication: {
        kz_e2ap_RICindication *r = &im->u.RICindication;
        if (r->RANfunctionID != KPM_RAN_FUNCTION)
            break;
        add(s, &kz_kpm_E2SM_KPM_IndicationHeader_desc, &r->RICindicationHeader);
        add(s, &kz_kpm_E2SM_KPM_IndicationMessage_desc, &r->RICindicationMessage);
        break;
    }
    case kz_e2ap_InitiatingMessage_RICcontrolRequest: {
        kz_e2ap_RICcontrolRequest *r = &im->u.RICcontrolRequest;
        if (r->RANfunctionID != RC_RAN_FUNCTION)
            break;
        add(s, &kz_rc_E2SM_RC_ControlHeader_desc, &r->RICcontrolHeader);
        add(s, &kz_rc_E2SM_RC_ControlMessage_desc, &r->RICcontrolMessage);
        break;
    }
    default:
        break;
    }
}

int kz_bench_full_init(kz_bench_full *f, kz_e2ap_pdu *pdu, kz_arena *a, uint8_t *scratch,
                       size_t scratch_cap)
{
    f->pdu = pdu;
    f->scratch = scratch;
    f->scratch_cap = scratch_cap;
    kz_bench_e2sm_find(pdu, &f->slots);
    for (unsigned i = 0; i < f->slots.n; i++) {
        const kz_octets *o = f->slots.slot[i];
        kz_asn_diag diag;
        kz_asn_diag_init(&diag);
        int rc = kz_asn_decode(f->slots.type[i], o->buf, o->len, a, &f->value[i], &diag);
        if (rc) {
            char msg[512];
            fprintf(stderr, "bench: the %s payload does not decode: %s\n", f->slots.type[i]->name,
                    kz_asn_diag_format(&diag, msg, sizeof msg));
            return rc;
        }
    }
    return 0;
}

long kz_bench_full_encode(kz_bench_full *f, uint8_t *out, size_t cap)
{
    uint8_t *p = f->scratch;
    size_t room = f->scratch_cap;
    for (unsigned i = 0; i < f->slots.n; i++) {
        long n = kz_asn_encode(f->slots.type[i], f->value[i], p, room, NULL);
        if (n < 0)
            return n;
        *f->slots.slot[i] = (kz_octets){ p, (uint32_t)n };
        p += n;
        room -= (size_t)n;
    }
    return kz_e2ap_encode(f->pdu, out, cap, NULL);
}

int kz_bench_full_decode(const uint8_t *wire, size_t len, kz_arena *a, kz_bench_decoded *d)
{
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);   /* as the RIC does before each decode */
    int rc = kz_e2ap_decode(wire, len, a, &d->pdu, &diag);
    if (rc)
        return rc;
    kz_bench_e2sm_find(d->pdu, &d->slots);
    for (unsigned i = 0; i < d->slots.n; i++) {
        const kz_octets *o = d->slots.slot[i];
        kz_asn_diag_init(&diag);   /* as an xApp does before each E2SM decode */
        rc = kz_asn_decode(d->slots.type[i], o->buf, o->len, a, &d->value[i], &diag);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the KPM iterator's input: format 3, 200 UEs x 8 metrics, one period ------------------ */

static const uint8_t plmn_00101[3] = { 0x00, 0xf1, 0x10 };
static const uint8_t amf_region[1] = { 0x80 }, amf_set[2] = { 0x00, 0x40 }, amf_ptr[1] = { 0x04 };

int kz_bench_kpm_f3(kz_arena *a, unsigned n_ues, unsigned n_metrics,
                    const kz_kpm_E2SM_KPM_IndicationHeader **hdr,
                    const kz_kpm_E2SM_KPM_IndicationMessage **msg)
{
    static const char *const names[8] = { "DRB.UEThpDl", "DRB.UEThpUl", "RRU.PrbUsedDl",
                                          "RRU.PrbUsedUl", "DRB.RlcSduDelayDl",
                                          "DRB.PdcpSduVolumeDL", "DRB.PdcpSduVolumeUL",
                                          "CARR.WBCQIDist" };
    if (n_metrics > 8)
        return KZ_EINVAL;
    kz_kpm_metric metrics[8];
    for (unsigned m = 0; m < n_metrics; m++)
        metrics[m] = (kz_kpm_metric){ names[m], 0, NULL };
    kz_e2sm_UEID *ids = kz_arena_alloc(a, sizeof *ids * n_ues);
    kz_kpm_value *vals = kz_arena_alloc(a, sizeof *vals * n_ues * n_metrics);
    kz_kpm_ue_report *reps = kz_arena_alloc(a, sizeof *reps * n_ues);
    if (!ids || !vals || !reps)
        return KZ_ENOMEM;
    for (unsigned u = 0; u < n_ues; u++) {
        memset(&ids[u], 0, sizeof ids[u]);
        ids[u].present = kz_e2sm_UEID_gNB_UEID;
        ids[u].u.gNB_UEID.amf_UE_NGAP_ID = 1000 + u;
        kz_e2sm_GUAMI *g = &ids[u].u.gNB_UEID.guami;
        g->pLMNIdentity = (kz_octets){ plmn_00101, 3 };
        g->aMFRegionID = (kz_bits){ amf_region, 8 };
        g->aMFSetID = (kz_bits){ amf_set, 10 };
        g->aMFPointer = (kz_bits){ amf_ptr, 6 };
        for (unsigned m = 0; m < n_metrics; m++) {
            kz_kpm_value *v = &vals[u * n_metrics + m];
            /* throughputs and delays as REAL, the rest as integers, as agents send them */
            if (m < 2 || m == 4)
                *v = (kz_kpm_value){ KZ_KPM_VALUE_REAL, 0, 1234.5 + u * 3.25 + m };
            else
                *v = (kz_kpm_value){ KZ_KPM_VALUE_INT, (int64_t)(u * 7 + m * 13), 0 };
        }
        reps[u] = (kz_kpm_ue_report){ &ids[u], { metrics, n_metrics, &vals[u * n_metrics], 1,
                                                  NULL, 1000 } };
    }
    static const size_t cap = 256 * 1024;
    uint8_t *buf = kz_arena_alloc(a, cap), *hbuf = kz_arena_alloc(a, 64);
    static uint8_t scratch_mem[1u << 20];
    kz_arena scratch;
    kz_arena_init(&scratch, scratch_mem, sizeof scratch_mem);
    if (!buf || !hbuf)
        return KZ_ENOMEM;
    long n = kz_kpm_build_message_f3(reps, n_ues, &scratch, buf, cap);
    if (n < 0)
        return (int)n;
    kz_kpm_header_info hi = { 1764381600LL * 1000000000LL, KZ_KPM_TS_NTP, NULL, NULL, NULL, NULL };
    long hn = kz_kpm_build_header(&hi, hbuf, 64);
    if (hn < 0)
        return (int)hn;
    int rc = kz_kpm_decode_message(buf, (size_t)n, a, msg, NULL);
    if (!rc)
        rc = kz_kpm_decode_header(hbuf, (size_t)hn, a, hdr, NULL);
    return rc;
}
