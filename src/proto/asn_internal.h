/*
 * asn_internal.h -- what the codec engine's parts (asn.c, asn_json.c, asn_random.c, the
 * E2AP / E2SM wrappers) share and the public API does not show.
 */
#ifndef KIZUNA_PROTO_ASN_INTERNAL_H
#define KIZUNA_PROTO_ASN_INTERNAL_H

#include "kizuna/asn.h"
#include "proto/aper.h"

/* Every generated SEQUENCE OF struct has this layout (count, then the item pointer). */
typedef struct kz_asn_seqof {
    uint32_t count;
    void *items;
} kz_asn_seqof;

/* Encode / decode one value at the current position of an APER stream (no padding, no
 * trailing check): for values nested in hand-built encodings. */
int kz_asn_encode_per(const kz_asn_type *t, const void *value, kz_per_enc *e, kz_asn_diag *diag);
int kz_asn_decode_per(const kz_asn_type *t, kz_per_dec *d, kz_arena *a, void *out, kz_asn_diag *diag);

#endif
