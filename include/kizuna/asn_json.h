/*
 * kizuna/asn_json.h -- any generated ASN.1 value to and from JSON, in the shape
 * ../shared/tools/asn1-oracle prints, so that our output and the oracle's compare mechanically.
 *
 * Shape: SEQUENCE = object (absent OPTIONAL fields omitted); CHOICE = {"alternative": value};
 * SEQUENCE OF = array; INTEGER = number; ENUMERATED = string; BOOLEAN = true/false;
 * NULL = null; OCTET STRING = hex string; BIT STRING = {"bits": N, "hex": ".."};
 * character strings = string; REAL = {"mantissa":M,"base":2,"exponent":E} (also read: a plain
 * number, {"decimal":".."}); E2AP IE containers = [{"id","criticality","value"}];
 * Initiating/Successful/UnsuccessfulMessage = {"procedureCode","criticality","value"}.
 *
 * Not a hot path (CLI, tests): uses jansson and the heap for the JSON tree; values read from
 * JSON are built in the caller's arena (octet strings are decoded from hex into it).
 */
#ifndef KIZUNA_ASN_JSON_H
#define KIZUNA_ASN_JSON_H

#include <jansson.h>

#include "kizuna/asn.h"

/* A new JSON tree for value v of type t (caller json_decref()s it), or NULL on out of memory. */
json_t *kz_asn_to_json(const kz_asn_type *t, const void *v);

/* Build a value of type t from JSON into the arena (*out).  Returns 0 or a negative KZ_E*
 * (KZ_EJSON with diag->path naming the JSON location and what was expected). */
int kz_asn_from_json(const kz_asn_type *t, const json_t *j, kz_arena *a, void **out,
                     kz_asn_diag *diag);

#endif
