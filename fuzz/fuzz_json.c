/*
 * fuzz_json.c -- libFuzzer target for the JSON reader behind `kizuna encode`: any text as an
 * E2AP-PDU.  from_json may refuse it but must not crash; what it accepts and the encoder
 * writes must decode back to an equal value (the encoder checks every constraint, so a
 * value that encodes is a valid one).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kizuna/asn_json.h"
#include "kizuna/e2ap.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &err);
    if (!j)
        return 0;
    const kz_asn_type *t = &kz_e2ap_E2AP_PDU_desc;
    size_t cap = 65536 + 64 * size;
    kz_arena a;
    kz_arena_init(&a, malloc(cap), cap);
    void *v = NULL;
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    int rc = kz_asn_from_json(t, j, &a, &v, &diag);
    json_decref(j);
    if (rc) {
        char msg[600];
        kz_asn_diag_format(&diag, msg, sizeof msg);
        free(a.base);
        return 0;
    }
    size_t ecap = 16 * size + 4096;
    uint8_t *buf = malloc(ecap);
    kz_asn_diag_init(&diag);
    long n = kz_asn_encode(t, v, buf, ecap, &diag);
    if (n >= 0) {
        size_t dcap = KZ_E2AP_ARENA_FOR((size_t)n);
        kz_arena b;
        kz_arena_init(&b, malloc(dcap), dcap);
        void *back = NULL;
        kz_asn_diag_init(&diag);
        if (kz_asn_decode(t, buf, (size_t)n, &b, &back, &diag))
            kz_fuzz_fail("a value read from JSON encodes but does not decode", t, &diag, data, size);
        if (!kz_asn_equal(t, v, back))
            kz_fuzz_fail("a value read from JSON changes through encode/decode", t, NULL, data, size);
        free(b.base);
    }
    free(buf);
    free(a.base);
    return 0;
}
