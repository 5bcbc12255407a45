/*
 * cli/e2sm_nest.h -- show the E2SM payloads inside decoded E2AP JSON, and take them back.
 *
 * Why: E2AP carries every service-model payload (RAN function definitions, event triggers,
 * action definitions, indications, controls, queries) as an opaque OCTET STRING; a person
 * reading a capture wants to see what is inside.  Which E2SM an octet string holds depends on
 * the RAN function it belongs to, and only the E2 setup (or RIC service update) says which
 * service model a RAN function ID is: so a kz_nest remembers, per association and RAN
 * function ID, the service model learnt from the ranFunctionOID of earlier PDUs, and
 * annotates later PDUs with it.
 *
 * Shape (docs/cli.md): next to an E2SM octet string "X": "<hex>" the annotation adds
 *     "X.e2sm":    "kpm:E2SM-KPM-IndicationMessage"   (the type tried; "ccc" for E2SM-CCC JSON)
 *     "X.decoded": { ... }                            (oracle-shaped JSON of that type)
 * or, when the payload cannot be decoded, "X.error": "why" instead of X.decoded.  X is the
 * field name (ranFunctionDefinition, ricEventTriggerDefinition, ricActionDefinition) or
 * "value" for an IE (RICindicationHeader ...).  ASN.1 names never contain '.', so the added
 * keys cannot clash with real ones and kz_nest_strip() removes them again.
 */
#ifndef KIZUNA_CLI_E2SM_NEST_H
#define KIZUNA_CLI_E2SM_NEST_H

#include <stddef.h>

#include <jansson.h>

typedef enum kz_sm { KZ_SM_NONE = 0, KZ_SM_KPM, KZ_SM_RC, KZ_SM_CCC } kz_sm;

typedef struct kz_nest kz_nest;

kz_nest *kz_nest_new(void);
void kz_nest_free(kz_nest *n);

/* --ran-function: "kpm" (every RAN function) or "ID=kpm" (one).  Returns 0, or -1 with a
 * message in err. */
int kz_nest_force(kz_nest *n, const char *spec, char *err, size_t errcap);

/* The service model an OID names: 1.3.6.1.4.1.53148.1.<v>.2.2 KPM, .2.3 RC, .2.4 CCC. */
kz_sm kz_nest_sm_from_oid(const char *oid);

/* Learn the RAN functions a PDU declares (E2setupRequest, RICserviceUpdate: ranFunctionID +
 * ranFunctionOID), then annotate its E2SM payloads in place.  assoc names the association
 * (e.g. "10.0.0.1:36421|10.0.0.2:38472", endpoints sorted) so that two E2 nodes using the same
 * RAN function ID for different models do not mix; "" when unknown. */
void kz_nest_annotate(kz_nest *n, const char *assoc, json_t *pdu);

/* For encode: remove every annotation key (those with a '.') from the tree.  When "X" is absent
 * but "X.decoded" and "X.e2sm" are there, X is first encoded from them, so a person can write
 * payloads as JSON.  Returns 0, or -1 with "JSON-path: reason" in err. */
int kz_nest_strip(json_t *root, char *err, size_t errcap);

#endif
