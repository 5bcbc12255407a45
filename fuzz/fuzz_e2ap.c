/*
 * fuzz_e2ap.c -- libFuzzer target for the E2AP decoder: any bytes, as they could come off an
 * SCTP association.  Checks the round-trip properties of fuzz_common.h on every input that
 * decodes (in an arena of the size KZ_E2AP_ARENA_FOR documents as enough), and on every input
 * that does not, that the ErrorIndication the RIC would answer with encodes.
 */
#include <stdlib.h>

#include "kizuna/e2ap.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int rc = kz_fuzz_roundtrip(&kz_e2ap_E2AP_PDU_desc, data, size, KZ_E2AP_ARENA_FOR(size), true);
    if (rc == 0)
        return 0;

    /* The answer to a PDU we could not read must itself be a valid PDU. */
    kz_arena a;
    size_t cap = KZ_E2AP_ARENA_FOR(size);
    kz_arena_init(&a, malloc(cap), cap);
    kz_e2ap_pdu *pdu;
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    if (kz_e2ap_decode(data, size, &a, &pdu, &diag) == 0)
        kz_fuzz_fail("decode is not deterministic", &kz_e2ap_E2AP_PDU_desc, NULL, data, size);
    kz_e2ap_pdu ei;
    kz_e2ap_CriticalityDiagnostics_IE_Item items[KZ_ASN_DIAG_MAX_IES];
    kz_e2ap_error_indication(&diag, &ei, items);
    uint8_t out[2048];
    kz_asn_diag ediag;
    kz_asn_diag_init(&ediag);
    if (kz_e2ap_encode(&ei, out, sizeof out, &ediag) < 0)
        kz_fuzz_fail("the ErrorIndication for a bad PDU does not encode", &kz_e2ap_E2AP_PDU_desc,
                     &ediag, data, size);
    free(a.base);
    return 0;
}
