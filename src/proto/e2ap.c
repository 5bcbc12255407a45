/*
 * e2ap.c -- the E2AP entry points on top of the generated tables (see kizuna/e2ap.h).
 * Thin by design: the encoding rules live in asn.c, the message model in e2ap_desc.c; this
 * file adds what is E2AP-specific -- naming a PDU, and answering a bad one with the
 * ErrorIndication E2AP 10.3 describes.
 */
#include <string.h>

#include "kizuna/e2ap.h"

long kz_e2ap_encode(const kz_e2ap_pdu *pdu, uint8_t *buf, size_t cap, kz_asn_diag *diag)
{
    return kz_asn_encode(&kz_e2ap_E2AP_PDU_desc, pdu, buf, cap, diag);
}

int kz_e2ap_decode(const uint8_t *buf, size_t len, kz_arena *a, kz_e2ap_pdu **out,
                   kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_e2ap_E2AP_PDU_desc, buf, len, a, (void **)out, diag);
}

/* The procedure table entry of the PDU's message, or NULL. */
static const kz_asn_ie *message_entry(const kz_e2ap_pdu *pdu)
{
    if (!pdu || pdu->present < 1 || pdu->present > 3)
        return NULL;
    const kz_asn_field *alt = &kz_e2ap_E2AP_PDU_desc.fields[pdu->present - 1];
    const kz_asn_type *msg = alt->type;
    uint32_t which = *(const uint32_t *)((const char *)pdu + alt->offset);
    if (which < 1 || which > msg->n)
        return NULL;
    return &msg->ies[which - 1];
}

const char *kz_e2ap_message_name(const kz_e2ap_pdu *pdu)
{
    const kz_asn_ie *m = message_entry(pdu);
    return m ? m->name : "?";
}

int kz_e2ap_procedure_code(const kz_e2ap_pdu *pdu)
{
    const kz_asn_ie *m = message_entry(pdu);
    return m ? (int)m->id : -1;
}

void kz_e2ap_error_indication(const kz_asn_diag *diag, kz_e2ap_pdu *out,
                              kz_e2ap_CriticalityDiagnostics_IE_Item *items)
{
    memset(out, 0, sizeof *out);
    out->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    out->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_ErrorIndication;
    kz_e2ap_ErrorIndication *ei = &out->u.initiatingMessage.u.ErrorIndication;

    ei->has_Cause = true;
    ei->Cause.present = kz_e2ap_Cause_protocol;
    bool syntax = diag->code == KZ_ETRUNC || diag->code == KZ_ERANGE || diag->code == KZ_ECHOICE ||
                  diag->code == KZ_ETRAILING || diag->procedure_code < 0;
    if (syntax && diag->n_ies == 0)
        ei->Cause.u.protocol = kz_e2ap_CauseProtocol_transfer_syntax_error;
    else if (diag->code == KZ_EUNKNOWN || diag->code == KZ_EMISSING)
        ei->Cause.u.protocol = kz_e2ap_CauseProtocol_abstract_syntax_error_reject;
    else
        ei->Cause.u.protocol = kz_e2ap_CauseProtocol_abstract_syntax_error_falsely_constructed_message;

    if (diag->procedure_code < 0 && diag->n_ies == 0)
        return;
    ei->has_CriticalityDiagnostics = true;
    kz_e2ap_CriticalityDiagnostics *cd = &ei->CriticalityDiagnostics;
    if (diag->procedure_code >= 0) {
        cd->has_procedureCode = true;
        cd->procedureCode = diag->procedure_code;
        cd->has_triggeringMessage = diag->triggering_message >= 0;
        cd->triggeringMessage = (uint32_t)(diag->triggering_message >= 0 ? diag->triggering_message : 0);
        cd->has_procedureCriticality = diag->procedure_criticality >= 0;
        cd->procedureCriticality = (uint32_t)(diag->procedure_criticality >= 0 ? diag->procedure_criticality : 0);
    }
    if (diag->n_ies) {
        cd->has_iEsCriticalityDiagnostics = true;
        cd->iEsCriticalityDiagnostics.count = diag->n_ies;
        cd->iEsCriticalityDiagnostics.items = items;
        for (unsigned i = 0; i < diag->n_ies; i++) {
            memset(&items[i], 0, sizeof items[i]);
            items[i].iECriticality = diag->ies[i].criticality;
            items[i].iE_ID = diag->ies[i].id;
            items[i].typeOfError = diag->ies[i].type_of_error;
        }
    }
}
