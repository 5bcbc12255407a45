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

#endif
