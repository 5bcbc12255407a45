/*
 * kizuna/e2sm_ccc.h -- E2SM-CCC (Cell Configuration and Control) as JSON.
 *
 * Why: E2SM-CCC is how the RIC puts a cell into energy saving (and changes its RRM quotas).
 * Unlike KPM and RC it is JSON carried in E2AP octet strings; these functions turn those
 * bytes into caller-owned typed structs and back.  docs/e2sm-ccc.md lists what is read
 * (interop variants included) and what is written.
 *
 * Conventions (every function here):
 *   - parse:  (const uint8_t *bytes, size_t len, T *out, kz_arena *text, kz_ccc_err *err)
 *             returns 0 or a negative KZ_E* code (kizuna/error.h); on error err->path names
 *             the JSON path and err->text reads "<path>: <reason>".  *out is zeroed first and
 *             is only meaningful on success.  Input is never trusted: wrong types, missing
 *             keys, lists longer than the bounds below, bad identities all fail with a code.
 *   - text:   pass-through JSON (unknown structures, attributes we do not type) is kept as
 *             compact JSON text in the caller's arena; out points into it, so out lives
 *             as long as the arena does (kz_arena_reset() ends both).  text may be NULL:
 *             pass-through text is then dropped and values.json_dropped is set; an encoder
 *             refuses such a value rather than silently lose it.  A full arena is KZ_ENOMEM.
 *   - encode: (const T *in, uint8_t *buf, size_t cap, kz_ccc_err *err) returns the byte length
 *             written (compact JSON, no NUL) or a negative code: KZ_ENOSPC when cap is too
 *             small, KZ_EINVAL with a path when in holds something not representable.
 *   - err may be NULL.  Nothing here keeps state between calls; all functions are reentrant.
 *
 * Bounds (chosen so a control message struct is ~36 KiB, an outcome ~45 KiB, a definition
 * ~23 KiB: allocate once and reuse, not on a small stack).  The spec allows 64 of each; a
 * longer list fails with KZ_ENOMEM naming the bound.
 */
#ifndef KIZUNA_E2SM_CCC_H
#define KIZUNA_E2SM_CCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/arena.h"
#include "kizuna/error.h"

#define KZ_CCC_MAX_CELLS        16   /* cells per control message / outcome / definition */
#define KZ_CCC_MAX_STRUCTS      8    /* configuration structures per cell (or per format-1 msg) */
#define KZ_CCC_MAX_RRM_MEMBERS  4    /* rRMPolicyMemberList entries per O-RRMPolicyRatio */
#define KZ_CCC_DEF_MAX_STRUCTS  64   /* structures in a RAN function definition, all levels */
#define KZ_CCC_DEF_MAX_ATTRS    256  /* attributes in a RAN function definition, all structures */
#define KZ_CCC_MAX_CTRL_STYLES  8    /* distinct control styles in a RAN function definition */
#define KZ_CCC_NAME_MAX         48   /* structure / attribute names, incl. NUL */
#define KZ_CCC_TS_MAX           40   /* timestamps kept as text, incl. NUL */
#define KZ_CCC_MAX_INPUT        (256u * 1024u) /* larger payloads are refused (KZ_ERANGE) */

#define KZ_CCC_SHORT_NAME  "ORAN-E2SM-CCC"
#define KZ_CCC_DESCRIPTION "Cell Configuration and Control"
#define KZ_CCC_OID_PREFIX  "1.3.6.1.4.1.53148.1."   /* + <version> + ".2.4" */
#define KZ_CCC_RAN_FUNCTION_ID 4                    /* usual choice (KPM 2, RC 3) */

/* Where a parse or encode failed: path like
 * "controlMessageFormat.listOfCellsControlled[0].cellGlobalId.nRCellIdentity". */
typedef struct kz_ccc_err {
    int code;        /* first error, 0 if none */
    char path[256];  /* truncated (never overflowed) beyond 255 characters */
    char text[512];  /* "<path>: <reason>" */
} kz_ccc_err;

/* ---- identities --------------------------------------------------------------------- */

typedef struct kz_ccc_plmn {
    char mcc[4];     /* 3 digits, NUL-terminated */
    char mnc[4];     /* 2 or 3 digits, NUL-terminated (leading zeros matter: "01" != "001") */
} kz_ccc_plmn;

typedef struct kz_ccc_nr_cgi {
    kz_ccc_plmn plmn;
    uint64_t nci;    /* NR cell identity, 36 bits; written as 9 upper-case hex digits */
} kz_ccc_nr_cgi;

bool kz_ccc_cgi_equal(const kz_ccc_nr_cgi *a, const kz_ccc_nr_cgi *b);

/* ---- typed configuration structures (0 in an enum field = attribute absent) ---------- */

typedef enum kz_ccc_struct_kind {
    KZ_CCC_STRUCT_OTHER = 0,         /* passes through as JSON text (values.json) */
    KZ_CCC_STRUCT_CES,               /* O-CESManagementFunction */
    KZ_CCC_STRUCT_NRCELLDU,          /* O-NRCellDU */
    KZ_CCC_STRUCT_RRM_POLICY_RATIO   /* O-RRMPolicyRatio */
} kz_ccc_struct_kind;

typedef enum { KZ_CCC_TO_BE_ENERGY_SAVING = 1, KZ_CCC_TO_BE_NOT_ENERGY_SAVING } kz_ccc_es_control;
typedef enum { KZ_CCC_IS_NOT_ENERGY_SAVING = 1, KZ_CCC_IS_ENERGY_SAVING } kz_ccc_es_state;
typedef enum { KZ_CCC_ADMIN_LOCKED = 1, KZ_CCC_ADMIN_SHUTTINGDOWN,
               KZ_CCC_ADMIN_UNLOCKED } kz_ccc_admin_state;
typedef enum { KZ_CCC_OPER_ENABLED = 1, KZ_CCC_OPER_DISABLED } kz_ccc_oper_state;
typedef enum { KZ_CCC_CELL_IDLE = 1, KZ_CCC_CELL_INACTIVE, KZ_CCC_CELL_ACTIVE } kz_ccc_cell_state;
typedef enum { KZ_CCC_RES_PRB = 1, KZ_CCC_RES_PRB_UL, KZ_CCC_RES_PRB_DL, KZ_CCC_RES_RRC,
               KZ_CCC_RES_DRB } kz_ccc_resource_type;

typedef struct kz_ccc_ces {                 /* O-CESManagementFunction (TS 28.541) */
    kz_ccc_es_control es_control;           /* energySavingControl */
    kz_ccc_es_state es_state;               /* energySavingState (read-only in 28.541) */
    bool has_ces_switch;
    bool ces_switch;                        /* cesSwitch */
} kz_ccc_ces;

typedef struct kz_ccc_nrcelldu {            /* O-NRCellDU: the state attributes */
    kz_ccc_admin_state admin_state;         /* administrativeState */
    kz_ccc_oper_state oper_state;           /* operationalState */
    kz_ccc_cell_state cell_state;           /* cellState */
} kz_ccc_nrcelldu;

typedef struct kz_ccc_rrm_member {          /* RRMPolicyMember: PLMN + optional S-NSSAI */
    bool has_plmn;
    kz_ccc_plmn plmn;                       /* "plmnId" */
    bool has_sst;
    uint8_t sst;                            /* "snssai"."sst" 0..255 */
    bool has_sd;
    uint32_t sd;                            /* "snssai"."sd", 24 bits, 6 hex digits */
} kz_ccc_rrm_member;

typedef struct kz_ccc_rrm_policy_ratio {    /* O-RRMPolicyRatio (TS 28.541 RRMPolicyRatio) */
    kz_ccc_resource_type resource_type;     /* resourceType */
    bool has_max, has_min, has_dedicated;
    uint8_t max_ratio;                      /* rRMPolicyMaxRatio 0..100 */
    uint8_t min_ratio;                      /* rRMPolicyMinRatio 0..100 */
    uint8_t dedicated_ratio;                /* rRMPolicyDedicatedRatio 0..100 */
    bool has_members;                       /* rRMPolicyMemberList present (may be []) */
    uint8_t n_members;
    kz_ccc_rrm_member members[KZ_CCC_MAX_RRM_MEMBERS];
} kz_ccc_rrm_policy_ratio;

/* "ranConfigurationStructure" of one old/new/current/requested values object.  The typed
 * member that matches the item's kind is used; json holds what is not typed: the whole
 * structure for KZ_CCC_STRUCT_OTHER, or the attributes we do not model for the others (as a
 * JSON object text, merged back in on encode).  json == NULL means none. */
typedef struct kz_ccc_values {
    union {
        kz_ccc_ces ces;
        kz_ccc_nrcelldu du;
        kz_ccc_rrm_policy_ratio rrm;
    };
    const char *json;
    size_t json_len;
    bool json_dropped;     /* parse had no arena: json was lost; encoders refuse this value */
} kz_ccc_values;

/* ---- control header / message -------------------------------------------------------- */

typedef struct kz_ccc_control_header {
    uint32_t style;        /* ricStyleType: 1 node level (message format 1), 2 cell level (2) */
} kz_ccc_control_header;

typedef struct kz_ccc_config_item {         /* ConfigurationStructureWrite */
    char name[KZ_CCC_NAME_MAX];             /* ranConfigurationStructureName, as received */
    kz_ccc_struct_kind kind;                /* from the name (or, absent a name, the keys) */
    bool has_old;
    kz_ccc_values old_values;               /* oldValuesOfAttributes */
    kz_ccc_values new_values;               /* newValuesOfAttributes */
} kz_ccc_config_item;

typedef struct kz_ccc_cell_control {
    kz_ccc_nr_cgi cgi;                      /* cellGlobalId */
    uint8_t n_items;
    kz_ccc_config_item items[KZ_CCC_MAX_STRUCTS];
} kz_ccc_cell_control;

typedef struct kz_ccc_control_message {
    int format;                             /* 1: node level, 2: per cell */
    uint8_t n_items;                        /* format 1 */
    kz_ccc_config_item items[KZ_CCC_MAX_STRUCTS];
    uint8_t n_cells;                        /* format 2 */
    kz_ccc_cell_control cells[KZ_CCC_MAX_CELLS];
} kz_ccc_control_message;

/* ---- control outcome ---------------------------------------------------------------- */

typedef enum kz_ccc_cause {
    KZ_CCC_ACCEPTED = 0,                    /* item came from ...AcceptedList */
    KZ_CCC_CAUSE_NOT_SUPPORTED,
    KZ_CCC_CAUSE_NOT_AVAILABLE,
    KZ_CCC_CAUSE_INCOMPATIBLE_STATE,
    KZ_CCC_CAUSE_JSON_ERROR,
    KZ_CCC_CAUSE_SEMANTIC_ERROR,
    KZ_CCC_CAUSE_UNSPECIFIED
} kz_ccc_cause;

const char *kz_ccc_cause_name(kz_ccc_cause c);   /* "NotSupported" ...; "Accepted" for 0 */

typedef struct kz_ccc_ts {                  /* a timestamp kept as the text the peer sent */
    bool present;
    bool numeric;                           /* sent as a JSON integer, not a string */
    char text[KZ_CCC_TS_MAX];
} kz_ccc_ts;

typedef struct kz_ccc_outcome_item {        /* ConfigurationStructureAccepted / ...Failed */
    char name[KZ_CCC_NAME_MAX];
    kz_ccc_struct_kind kind;
    kz_ccc_cause cause;                     /* KZ_CCC_ACCEPTED or why it failed */
    bool has_old;
    kz_ccc_values old_values;               /* oldValuesOfAttributes */
    bool has_values;
    kz_ccc_values values;                   /* currentValuesOfAttributes (accepted) or
                                               requestedValuesOfAttributes (failed) */
    kz_ccc_ts applied;                      /* appliedTimestamp (accepted only) */
} kz_ccc_outcome_item;

typedef struct kz_ccc_cell_outcome {
    kz_ccc_nr_cgi cgi;
    uint8_t n_items;                        /* accepted items first, then failed, as received */
    kz_ccc_outcome_item items[KZ_CCC_MAX_STRUCTS];
} kz_ccc_cell_outcome;

typedef struct kz_ccc_control_outcome {
    int format;                             /* 1: node level, 2: per cell */
    kz_ccc_ts received;                     /* receivedTimestamp */
    uint8_t n_items;                        /* format 1 */
    kz_ccc_outcome_item items[KZ_CCC_MAX_STRUCTS];
    uint8_t n_cells;                        /* format 2 */
    kz_ccc_cell_outcome cells[KZ_CCC_MAX_CELLS];
} kz_ccc_control_outcome;

/* ---- RAN function definition ---------------------------------------------------------
 * The spec repeats the control styles under every attribute.  Here each distinct style is
 * declared once (ctrl_styles[]) and an attribute carries a bit mask of the styles that can
 * control it (bit i = ctrl_styles[i]); the encoder expands it back.  Structures and
 * attributes live in two pools that node level and cells index into. */

typedef struct kz_ccc_ctrl_style {
    uint32_t style;                         /* controlServiceStyleType */
    char name[64];                          /* controlServiceStyleName */
    uint32_t header_format;                 /* controlServiceHeaderFormatType */
    uint32_t message_format;                /* controlServiceMessageFormatType */
    uint32_t outcome_format;                /* controlServiceControlOutcomeFormatType */
    bool has_call_process_id_format;
    uint32_t call_process_id_format;        /* ricCallProcessIDFormatType */
} kz_ccc_ctrl_style;

typedef struct kz_ccc_def_attr {
    char name[KZ_CCC_NAME_MAX];             /* attributeName */
    uint32_t ctrl_styles;                   /* mask over def->ctrl_styles[] */
    const char *services_json;              /* other supportedServices members (eventTrigger,
                                               reportService, ...) as a JSON object, or NULL */
    size_t services_json_len;
} kz_ccc_def_attr;

typedef struct kz_ccc_def_struct {
    char name[KZ_CCC_NAME_MAX];             /* ranConfigurationStructureName */
    uint16_t first_attr, n_attrs;           /* def->attrs[first_attr .. +n_attrs) */
} kz_ccc_def_struct;

typedef struct kz_ccc_def_cell {
    kz_ccc_nr_cgi cgi;
    uint16_t first_struct, n_structs;       /* def->structs[first_struct .. +n_structs) */
} kz_ccc_def_cell;

typedef struct kz_ccc_ran_function_def {
    char short_name[32];                    /* ranFunctionShortName */
    char oid[64];                           /* ranFunctionServiceModelOID */
    char description[128];                  /* ranFunctionDescription */
    bool has_instance;
    uint32_t instance;                      /* ranFunctionInstance */
    int version;                            /* <version> from a CCC OID, 0 if not one */
    uint8_t n_ctrl_styles;
    kz_ccc_ctrl_style ctrl_styles[KZ_CCC_MAX_CTRL_STYLES];
    uint16_t first_node_struct, n_node_structs;
    uint8_t n_cells;
    kz_ccc_def_cell cells[KZ_CCC_MAX_CELLS];
    uint16_t n_structs;
    kz_ccc_def_struct structs[KZ_CCC_DEF_MAX_STRUCTS];
    uint16_t n_attrs;
    kz_ccc_def_attr attrs[KZ_CCC_DEF_MAX_ATTRS];
    bool json_dropped;     /* parsed without an arena: services_json lost; encode refuses */
} kz_ccc_ran_function_def;

/* ---- parse / encode ------------------------------------------------------------------ */

int kz_ccc_ran_function_def_parse(const uint8_t *bytes, size_t len, kz_ccc_ran_function_def *out,
                                  kz_arena *text, kz_ccc_err *err);
long kz_ccc_ran_function_def_encode(const kz_ccc_ran_function_def *in, uint8_t *buf, size_t cap,
                                    kz_ccc_err *err);

/* What a gNB-DU of ours advertises: OID version `version` (6 for v6.00), control style 1
 * (node level: O-RRMPolicyRatio) and style 2 (per cell: O-NRCellDU administrativeState,
 * O-CESManagementFunction energySavingControl and cesSwitch, O-RRMPolicyRatio quotas and
 * members) for each of the n_cells cells.  Only writable attributes are listed.  Returns 0,
 * or KZ_ENOMEM if n_cells > KZ_CCC_MAX_CELLS. */
int kz_ccc_ran_function_def_gnb(kz_ccc_ran_function_def *def, int version,
                                const kz_ccc_nr_cgi *cells, size_t n_cells);

int kz_ccc_control_header_parse(const uint8_t *bytes, size_t len, kz_ccc_control_header *out,
                                kz_ccc_err *err);
long kz_ccc_control_header_encode(const kz_ccc_control_header *in, uint8_t *buf, size_t cap,
                                  kz_ccc_err *err);

int kz_ccc_control_message_parse(const uint8_t *bytes, size_t len, kz_ccc_control_message *out,
                                 kz_arena *text, kz_ccc_err *err);
long kz_ccc_control_message_encode(const kz_ccc_control_message *in, uint8_t *buf, size_t cap,
                                   kz_ccc_err *err);

int kz_ccc_control_outcome_parse(const uint8_t *bytes, size_t len, kz_ccc_control_outcome *out,
                                 kz_arena *text, kz_ccc_err *err);
long kz_ccc_control_outcome_encode(const kz_ccc_control_outcome *in, uint8_t *buf, size_t cap,
                                   kz_ccc_err *err);

/* ---- helpers for xApps --------------------------------------------------------------- */

/* Build the header (style 2) and message (format 2) that ask `cell` to enter energy saving
 * (to_energy_saving) or leave it.  The one O-CESManagementFunction item carries
 * energySavingControl and, for peers that recognise the structure by its keys (srsRAN),
 * the matching energySavingState, in newValues; oldValues holds the opposite pair.
 * Returns 0 and the two lengths, or a negative code (KZ_ENOSPC, KZ_EINVAL). */
int kz_ccc_es_control_encode(const kz_ccc_nr_cgi *cell, bool to_energy_saving,
                             uint8_t *hdr, size_t hdr_cap, size_t *hdr_len,
                             uint8_t *msg, size_t msg_cap, size_t *msg_len, kz_ccc_err *err);

typedef struct kz_ccc_es_result {
    bool accepted;
    kz_ccc_cause cause;                     /* KZ_CCC_ACCEPTED when accepted */
} kz_ccc_es_result;

/* Read the outcome of such a control: the O-CESManagementFunction item for `cell` (format 2)
 * or the outcome's own item (format 1).  Returns 0, KZ_EMISSING when the outcome does not
 * mention it, or a parse error.  Allocates (and frees) one kz_ccc_control_outcome. */
int kz_ccc_es_outcome_parse(const uint8_t *bytes, size_t len, const kz_ccc_nr_cgi *cell,
                            kz_ccc_es_result *res, kz_ccc_err *err);

#endif
