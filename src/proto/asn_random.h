/*
 * asn_random.h -- random valid values of any generated ASN.1 type, for property tests, the
 * fuzzers' seed corpora and benchmarks.  Deterministic: the same seed gives the same values.
 * Values honour every constraint, so a correct encoder must accept all of them.
 */
#ifndef KIZUNA_PROTO_ASN_RANDOM_H
#define KIZUNA_PROTO_ASN_RANDOM_H

#include "kizuna/asn.h"

typedef struct kz_asn_random_opts {
    uint64_t rng;             /* splitmix64 state: seed it */
    uint32_t max_octets;      /* cap for unbounded OCTET STRING / BIT STRING / char lengths */
    uint32_t max_items;       /* cap for SEQUENCE OF counts above their lower bound */
    uint32_t big_octets_per_mille; /* chance (per 1000) of an unbounded octet string of 16K..40K */
    bool no_real_specials;    /* only finite, non-zero REALs: the oracle's JSON has no inf, and
                                 Erlang's PER codec cannot decode the X.690 encoding of 0.0
                                 (empty contents) -- it writes 0.0 as c0 00 instead */
} kz_asn_random_opts;

uint64_t kz_asn_random_next(kz_asn_random_opts *o);

/* A random value of type t in *out (t->size bytes, caller-zeroed), its parts in the arena.
 * Returns 0 or KZ_ENOMEM. */
int kz_asn_random(const kz_asn_type *t, kz_asn_random_opts *o, kz_arena *a, void *out);

#endif
