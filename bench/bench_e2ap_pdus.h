/*
 * bench_e2ap_pdus.h -- the five reference E2AP PDUs of `make bench` (issue 2), built as typed
 * structs with realistic content, so that our figures can be set beside the asn1c (FlexRIC)
 * ones for the same messages.  The fuzzers reuse them as seeds.
 *
 *   P1 E2setupRequest: gNB (PLMN 00101, 22-bit gNB ID), KPM and RC RAN functions whose
 *      definitions are real E2SM-KPM / E2SM-RC RANfunction-Description encodings, one NG
 *      E2 node component configuration
 *   P2 RICsubscriptionRequest: KPM event trigger format 1 (1000 ms), one REPORT action,
 *      KPM action definition format 1 with 10 metric names
 *   P3 RICindication: KPM indication header format 1, message format 1, 10 metrics x 1 record
 *   P4 RICindication: KPM indication message format 3, 64 UEs x 5 metrics
 *   P5 RICcontrolRequest: RC control header format 1 (gNB UE ID, style 3, action 1 =
 *      handover), control message format 1 carrying the target NR CGI
 *
 * The E2SM payloads are encoded once, here, with the generated KPM / RC descriptors; the
 * E2AP structs carry them as octet strings, as the RIC does.
 */
#ifndef KIZUNA_BENCH_E2AP_PDUS_H
#define KIZUNA_BENCH_E2AP_PDUS_H

#include "kizuna/e2ap.h"

#define KZ_BENCH_NPDUS 5

typedef struct kz_bench_pdu {
    const char *name;   /* "P1" .. "P5" */
    const char *what;   /* one line: what the PDU holds */
    kz_e2ap_pdu pdu;    /* its parts live in the arena given to kz_bench_pdus_build */
} kz_bench_pdu;

/* Build the five PDUs into out[0..4]; every array and E2SM payload is carved from the arena
 * (about 64 KiB is enough).  Returns 0, or a negative KZ_E* code after printing to stderr which
 * E2SM payload failed to encode. */
int kz_bench_pdus_build(kz_arena *a, kz_bench_pdu out[KZ_BENCH_NPDUS]);

/* ---- the E2SM side (bench_e2ap_full.c): full cost of a PDU, KPM iterator input ---------- */

#include "kizuna/e2sm_kpm_types.h"

#define KZ_BENCH_MAX_E2SM 4   /* E2SM payloads in one PDU: P1..P5 carry 2 each */

/* Where the E2SM payloads of a PDU sit (pointers into the PDU) and of which type each is. */
typedef struct kz_bench_e2sm_slots {
    unsigned n;
    const kz_asn_type *type[KZ_BENCH_MAX_E2SM];
    kz_octets *slot[KZ_BENCH_MAX_E2SM];
} kz_bench_e2sm_slots;

/* Lists pdu's payloads (RAN function 2 = KPM, 3 = RC, as kz_bench_pdus_build makes them). */
void kz_bench_e2sm_find(kz_e2ap_pdu *pdu, kz_bench_e2sm_slots *s);

/* A PDU whose E2SM payloads are typed values, encoded afresh with the PDU each time. */
typedef struct kz_bench_full {
    kz_e2ap_pdu *pdu;                    /* its payload octet strings are rewritten per encode */
    kz_bench_e2sm_slots slots;
    void *value[KZ_BENCH_MAX_E2SM];      /* the typed payloads (decoded once, in init) */
    uint8_t *scratch;                    /* where the payloads are encoded */
    size_t scratch_cap;
} kz_bench_full;

/* Takes pdu (which must outlive f) and decodes its payloads into typed values in a. */
int kz_bench_full_init(kz_bench_full *f, kz_e2ap_pdu *pdu, kz_arena *a, uint8_t *scratch,
                       size_t scratch_cap);
/* Full encode: each payload from its typed value (kz_asn_encode), then kz_e2ap_encode.
 * Returns the PDU's length or a negative KZ_E*. */
long kz_bench_full_encode(kz_bench_full *f, uint8_t *out, size_t cap);

typedef struct kz_bench_decoded {
    kz_e2ap_pdu *pdu;
    kz_bench_e2sm_slots slots;
    void *value[KZ_BENCH_MAX_E2SM];
} kz_bench_decoded;

/* Full decode: kz_asn_diag_init + kz_e2ap_decode, then kz_asn_decode of every payload, all
 * into a.  Returns 0 or a negative KZ_E*. */
int kz_bench_full_decode(const uint8_t *wire, size_t len, kz_arena *a, kz_bench_decoded *d);

/* A KPM indication as an xApp receives it: header format 1 and message format 3 with n_ues UE
 * reports of n_metrics (<= 8) named metrics, one period, REAL and integer values; decoded
 * into a (needs about 64 KiB + 1 KiB per UE). */
int kz_bench_kpm_f3(kz_arena *a, unsigned n_ues, unsigned n_metrics,
                    const kz_kpm_E2SM_KPM_IndicationHeader **hdr,
                    const kz_kpm_E2SM_KPM_IndicationMessage **msg);

#endif
