/*
 * fuzz_e2sm.c -- libFuzzer target for the E2SM-KPM and E2SM-RC decoders, which xApps run on
 * payloads the RIC forwards unread.  The first input byte picks the top-level type (modulo the
 * table in fuzz_e2sm_types.h), the rest is the encoding.  Same properties as fuzz_e2ap
 * (fuzz_common.h); running out of the arena is a refusal here, not a bug: E2SMs document no arena bound.
 */
#include "fuzz_common.h"
#include "fuzz_e2sm_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const kz_asn_type *t = kz_fuzz_e2sm_types[data[0] % KZ_FUZZ_N_E2SM_TYPES];
    kz_fuzz_roundtrip(t, data + 1, size - 1, 65536 + 256 * (size - 1), false);
    return 0;
}
