/*
 * kizuna/asn.h -- the typed model behind every Kizuna codec, and the one engine that encodes,
 * decodes and prints it.
 *
 * Why: E2AP, E2SM-KPM and E2SM-RC are ~400 ASN.1 types.  tools/asn1gen.py turns the ASN.1 into
 * C structs (kizuna/e2ap_types.h, ...) and a const descriptor per type; src/proto/asn.c walks
 * the descriptors for APER, src/proto/asn_json.c for the JSON the oracle speaks.  One engine,
 * reviewed and fuzzed once, instead of hand code per message that can drift from the spec.
 *
 * Conventions of the generated structs (how to read and fill them):
 *   INTEGER            int64_t
 *   ENUMERATED         uint32_t index in declaration order (root values, then extension
 *                      values); a decoded unknown extension value keeps its index (>= n)
 *   BOOLEAN / REAL     bool / double;  NULL: uint8_t placeholder
 *   BIT STRING         kz_bits   { buf, nbits }: left-aligned bits
 *   OCTET / character  kz_octets { buf, len }: not NUL-terminated
 *   SEQUENCE           struct; each OPTIONAL field X has `bool has_X` before it
 *   SEQUENCE OF        { uint32_t count; T *items; }
 *   CHOICE             { uint32_t present; union { ... } u; }: present = <Type>_<alt>, 1-based
 *   E2AP message       struct with one field per IE of its IE set (named after the IE id,
 *                      e.g. RICrequestID), `has_` flags for optional IEs
 *
 * Lifetimes: a decoded value lives in the caller's arena; its kz_octets / kz_bits point into
 * the input buffer (or into the arena when the input had to be reassembled), so the input must
 * outlive the value.  Encoding reads the struct and writes into the caller's buffer only.
 */
#ifndef KIZUNA_ASN_H
#define KIZUNA_ASN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/arena.h"
#include "kizuna/error.h"

typedef struct kz_octets {
    const uint8_t *buf;
    uint32_t len;
} kz_octets;

typedef struct kz_bits {
    const uint8_t *buf;   /* ceil(nbits / 8) octets, first bit = MSB of buf[0] */
    uint32_t nbits;
} kz_bits;

enum kz_asn_kind {
    KZ_ASN_INT = 1, KZ_ASN_ENUM, KZ_ASN_BOOL, KZ_ASN_NULL, KZ_ASN_REAL,
    KZ_ASN_BITS, KZ_ASN_OCTETS, KZ_ASN_CHARS,
    KZ_ASN_SEQ, KZ_ASN_SEQOF, KZ_ASN_CHOICE,
    KZ_ASN_ALIAS,     /* X ::= Y: same as elem */
    KZ_ASN_IES,       /* ProtocolIE-Container: ies[] -> fields of the message struct */
    KZ_ASN_IESINGLE,  /* ProtocolIE-SingleContainer with one IE: the value at offset 0 */
    KZ_ASN_PROCMSG    /* Initiating/Successful/UnsuccessfulMessage: choice by procedureCode */
};

enum kz_criticality { KZ_CRIT_REJECT = 0, KZ_CRIT_IGNORE = 1, KZ_CRIT_NOTIFY = 2 };
enum kz_presence { KZ_PRESENCE_OPTIONAL = 0, KZ_PRESENCE_CONDITIONAL = 1, KZ_PRESENCE_MANDATORY = 2 };

#define KZ_ASN_NO_FLAG UINT32_MAX   /* a field without a has_ flag (mandatory) */
#define KZ_ASN_F_PTR 1u             /* field stored as a pointer (breaks a recursive type) */

/* The constraint structs are shared with the APER primitives. */
typedef struct kz_asn_int_c {
    int64_t lb, ub;
    bool has_lb, has_ub, ext;
} kz_asn_int_c;
typedef struct kz_asn_size_c {
    uint64_t lb, ub;   /* ub = UINT64_MAX: no upper bound */
    bool ext;
} kz_asn_size_c;

typedef struct kz_asn_type kz_asn_type;
struct kz_per_enc;
struct kz_per_dec;

/* A SEQUENCE field or CHOICE alternative. */
typedef struct kz_asn_field {
    const char *name;
    const kz_asn_type *type;
    uint32_t offset;        /* of the value in the struct (CHOICE: of the union) */
    uint32_t has_offset;    /* of the bool has_ flag, or KZ_ASN_NO_FLAG */
    uint32_t flags;         /* KZ_ASN_F_* */
} kz_asn_field;

/* An IE of an E2AP IE set (or a procedure of the elementary procedure table). */
typedef struct kz_asn_ie {
    uint32_t id;            /* ProtocolIE-ID, or procedureCode */
    uint8_t criticality;    /* enum kz_criticality */
    uint8_t presence;       /* enum kz_presence */
    const char *name;       /* "id-RICrequestID", or the message type name */
    const kz_asn_type *type;
    uint32_t offset;
    uint32_t has_offset;
    uint32_t flags;
} kz_asn_ie;

struct kz_asn_type {
    uint8_t kind;              /* enum kz_asn_kind */
    bool ext;                  /* "..." present (SEQUENCE, CHOICE, ENUMERATED) */
    uint8_t str_kind;          /* CHARS: enum kz_per_str_kind */
    uint16_t nroot;            /* ENUM values / SEQ fields / CHOICE alternatives in the root */
    uint16_t n;                /* all of them (root + extension additions), or IEs */
    uint32_t size;             /* sizeof the C type */
    const char *name;          /* ASN.1 type name, for paths and JSON */
    kz_asn_int_c ic;           /* INT */
    kz_asn_size_c sc;          /* BITS, OCTETS, CHARS, SEQOF */
    const char *const *names;  /* ENUM value names */
    const kz_asn_field *fields;/* SEQ, CHOICE */
    const kz_asn_type *elem;   /* SEQOF element, ALIAS target */
    const kz_asn_ie *ies;      /* IES, IESINGLE, PROCMSG */
    /* Specialised code for this type (E2SM SEQUENCE / CHOICE / SEQUENCE OF, generated into
     * src/proto/e2sm_*_codec.c), or NULL.  Same bits and values as the interpreter; 0 or -1,
     * no diagnostics: on -1 kz_asn_encode / kz_asn_decode rerun the interpreter, which reports. */
    int (*fenc)(struct kz_per_enc *e, const void *v, int depth);
    int (*fdec)(struct kz_per_dec *d, kz_arena *a, void *v, int depth);
};

/* ---- diagnostics ----------------------------------------------------------------------------
 * Filled by decode and encode.  `path` names where the first error happened, e.g.
 * "E2AP-PDU.initiatingMessage.value(RICindication).protocolIEs[2](id 26)" with the bit offset.
 * IE-level problems the receiver must report in CriticalityDiagnostics (unknown IEs with
 * criticality notify/reject, missing mandatory IEs, IEs that did not decode) are listed in
 * `ies`, as E2AP 10.3 (abstract syntax errors) asks. */
enum kz_type_of_error { KZ_TOE_NOT_UNDERSTOOD = 0, KZ_TOE_MISSING = 1 };

#define KZ_ASN_DIAG_MAX_IES 16
typedef struct kz_asn_diag {
    int code;                   /* first error (0 if none) */
    size_t bit;                 /* bit offset of the first error */
    char path[320];             /* ASN.1 path of the first error */
    char detail[128];           /* what was wrong there */
    int32_t procedure_code;     /* -1 until known */
    int8_t triggering_message;  /* 0 initiating, 1 successful, 2 unsuccessful; -1 unknown */
    int8_t procedure_criticality;
    uint8_t n_ies;
    struct { uint32_t id; uint8_t criticality; uint8_t type_of_error; } ies[KZ_ASN_DIAG_MAX_IES];
} kz_asn_diag;

void kz_asn_diag_init(kz_asn_diag *diag);
/* "path: detail (bit N)" into buf; returns buf. */
const char *kz_asn_diag_format(const kz_asn_diag *diag, char *buf, size_t cap);

/* ---- whole-value entry points ---------------------------------------------------------------- */

/* Encode a complete value of type t (APER, padded to an octet).  Returns the length in bytes or
 * a negative KZ_E* code; diag (may be NULL) says where it failed. */
long kz_asn_encode(const kz_asn_type *t, const void *value, uint8_t *buf, size_t cap,
                   kz_asn_diag *diag);

/* Decode a complete value of type t from buf into *out, allocated from the arena.  Trailing
 * octets are an error (KZ_ETRUNC / KZ_ETRAILING); unknown extensions are skipped; unknown IEs
 * are handled by their criticality (ignore: skipped; notify: skipped and listed in diag;
 * reject: KZ_EUNKNOWN).  Returns 0 or a negative KZ_E* code. */
int kz_asn_decode(const kz_asn_type *t, const uint8_t *buf, size_t len, kz_arena *a,
                  void **out, kz_asn_diag *diag);

/* Structural equality of two values of type t (used by tests and the CLI). */
bool kz_asn_equal(const kz_asn_type *t, const void *x, const void *y);

#endif
