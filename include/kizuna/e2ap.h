/*
 * kizuna/e2ap.h -- E2AP v03.01 (O-RAN.WG3.E2AP) PDUs: encode, decode, name, answer errors.
 *
 * Every E2AP message of every elementary procedure is a generated struct in
 * kizuna/e2ap_types.h (conventions in kizuna/asn.h).  A PDU is a kz_e2ap_pdu:
 *
 *     kz_e2ap_pdu pdu = { .present = kz_e2ap_E2AP_PDU_initiatingMessage };
 *     pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
 *     kz_e2ap_RICindication *ind = &pdu.u.initiatingMessage.u.RICindication;
 *     ind->RICrequestID.ricRequestorID = 1; ...
 *     long n = kz_e2ap_encode(&pdu, buf, sizeof buf, NULL);
 *
 * Decoding allocates nothing outside the caller's arena, points octet strings (the E2SM
 * payloads) into the input, and never aborts: a malformed PDU gives a negative KZ_E* code and a
 * kz_asn_diag naming the ASN.1 path and bit offset, plus the IE-level problems from which
 * kz_e2ap_error_indication() builds the answer E2AP asks for.  E2AP v02.03 peers: v03 only
 * added optional IEs and procedures, so their PDUs decode unchanged.
 */
#ifndef KIZUNA_E2AP_H
#define KIZUNA_E2AP_H

#include "kizuna/asn.h"
#include "kizuna/e2ap_types.h"

typedef kz_e2ap_E2AP_PDU kz_e2ap_pdu;

/* The arena a decode needs at most for a PDU of len octets: a safe size to reserve. */
#define KZ_E2AP_ARENA_FOR(len) (16384 + 64 * (size_t)(len))

long kz_e2ap_encode(const kz_e2ap_pdu *pdu, uint8_t *buf, size_t cap, kz_asn_diag *diag);
int kz_e2ap_decode(const uint8_t *buf, size_t len, kz_arena *a, kz_e2ap_pdu **out,
                   kz_asn_diag *diag);

/* "RICindication", "E2setupResponse", ... or "?" for an empty PDU. */
const char *kz_e2ap_message_name(const kz_e2ap_pdu *pdu);
/* procedureCode of the PDU's message, or -1. */
int kz_e2ap_procedure_code(const kz_e2ap_pdu *pdu);

/* Fill *out with the ErrorIndication E2AP 10.3 asks for after a failed decode: Cause
 * protocol / transfer-syntax-error when the PDU could not be read at all, abstract-syntax-error-
 * reject or -falsely-constructed-message otherwise, and CriticalityDiagnostics with the
 * procedure code, triggering message and the IEs from diag.  items must have room for
 * KZ_ASN_DIAG_MAX_IES entries; the result points into it (no allocation). */
void kz_e2ap_error_indication(const kz_asn_diag *diag, kz_e2ap_pdu *out,
                              kz_e2ap_CriticalityDiagnostics_IE_Item *items);

#endif
