/*
 * kizuna/e2sm_rc.h -- E2SM-RC v01.03 helpers: the handover control a traffic-steering xApp
 * sends, the control outcome it gets back, and the RAN function definition that says a node
 * can take it -- on top of the generated model (kizuna/e2sm_rc_types.h, conventions in
 * kizuna/asn.h).
 *
 * Handover control (E2SM-RC 7.6.4 / 8.4.4.1): control header format 1 with the UE ID, RIC
 * style type 3 ("Connected mode mobility control"), control action ID 1 ("Handover Control");
 * control message format 1 with the RAN parameter tree
 *
 *     Target Primary Cell ID (1)  STRUCTURE
 *       CHOICE Target Cell (2)    STRUCTURE
 *         NR Cell (3)             STRUCTURE
 *           NR CGI (4)            ELEMENT  valueOctS = APER encoding of the E2SM NR-CGI
 *         E-UTRA Cell (5)         STRUCTURE
 *           E-UTRA CGI (6)        ELEMENT  valueOctS = APER encoding of the E2SM EUTRA-CGI
 *
 * The NR CGI travels as the APER bytes of the E2SM common NR-CGI IE in an OCTET STRING value
 * (what the O-RAN SC RC xApp and e2sim send); the element is written ranP-Choice-ElementFalse
 * (not a key parameter) and either element choice is read.
 *
 * Memory: builders encode into the caller's buffer and return the length or a negative KZ_E*;
 * decoders put values in the caller's arena, pointing into the input.  No malloc, no state.
 */
#ifndef KIZUNA_E2SM_RC_H
#define KIZUNA_E2SM_RC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/asn.h"
#include "kizuna/e2sm_rc_types.h"

#define KZ_RC_OID "1.3.6.1.4.1.53148.1.1.2.3"
#define KZ_RC_SHORT_NAME "ORAN-E2SM-RC"

enum {
    KZ_RC_STYLE_MOBILITY = 3,          /* control style 3: connected mode mobility control */
    KZ_RC_ACTION_HANDOVER = 1,         /* its control action 1: handover control */
    KZ_RC_P_TARGET_PRIMARY_CELL = 1,   /* RAN parameter IDs of 8.4.4.1 */
    KZ_RC_P_TARGET_CELL_CHOICE = 2,
    KZ_RC_P_NR_CELL = 3,
    KZ_RC_P_NR_CGI = 4,
    KZ_RC_P_EUTRA_CELL = 5,
    KZ_RC_P_EUTRA_CGI = 6
};

/* REPORT style 3 "E2 Node Information" (E2SM-RC 7.4.4): event trigger format 3 (E2 node
 * information change), action definition format 1 naming the RAN parameter to report,
 * indication header format 1, indication message format 3 -- per cell its CGI and its
 * neighbour relation table (NeighborRelation-Info, NeighborCell-Item-Choice-NR items).
 * The numbering below is ours where we could not check the spec's tables (no spec text in
 * ../shared/spec): the node reports the table for any e2NodeInfoChange-ID and parameter ID it
 * advertises, the xApp asks for exactly these. */
enum {
    KZ_RC_REPORT_STYLE_E2_NODE_INFO = 3,
    KZ_RC_EVENT_STYLE_E2_NODE_INFO = 3, /* event trigger style 3: E2 node information change */
    KZ_RC_E2NODE_CHANGE_NRT = 2,        /* e2NodeInfoChange-ID: cell neighbour relation change */
    KZ_RC_P_NRT = 3                     /* style 3 RAN parameter: neighbour relation table */
};
#define KZ_RC_NRT_MAX_NBR 64   /* neighbours per cell the helpers below read or write */

/* An NR cell global identity by value: PLMN identity (3 octets, TS 38.413 BCD) + 36-bit NCI. */
typedef struct kz_rc_nr_cgi {
    uint8_t plmn[3];
    uint64_t nci;
} kz_rc_nr_cgi;

/* ---- UE IDs ------------------------------------------------------------------------------------
 * The header takes the generated kz_e2sm_UEID, so every variant of the CHOICE works (gNB,
 * gNB-DU, gNB-CU-UP, ng-eNB, ng-eNB-DU, en-gNB, eNB: fill the generated struct).  The common
 * one -- a gNB UE by AMF UE NGAP ID + GUAMI -- has a helper; *out points into *store, which
 * must outlive it. */
typedef struct kz_rc_guami_store {
    uint8_t plmn[3], region[1], set[2], pointer[1];
} kz_rc_guami_store;

/* region 8 bits, set_id 10 bits, pointer 6 bits (TS 38.413 GUAMI). */
void kz_rc_ueid_gnb(kz_e2sm_UEID *out, kz_rc_guami_store *store, int64_t amf_ue_ngap_id,
                    const uint8_t plmn[3], uint8_t region, uint16_t set_id, uint8_t pointer);

/* ---- handover control ------------------------------------------------------------------------ */

/* Control header format 1: ue, style 3, action 1, no control decision. */
long kz_rc_build_handover_header(const kz_e2sm_UEID *ue, uint8_t *buf, size_t cap);
/* Control message format 1 with the 8.4.4.1 tree pointing at target. */
long kz_rc_build_handover_message(const kz_rc_nr_cgi *target, uint8_t *buf, size_t cap);

/* A decoded handover control (the emulator's side). */
typedef struct kz_rc_handover {
    const kz_e2sm_UEID *ue;   /* in the arena */
    int64_t style, action;
    kz_rc_nr_cgi target;
} kz_rc_handover;

/* Decode header + message and pull out the UE and target NR CGI.  KZ_EPROTO when they decode
 * but are not a style 3 / action 1 handover to an NR cell (style and action are still set). */
int kz_rc_parse_handover(const uint8_t *hdr, size_t hdr_len, const uint8_t *msg, size_t msg_len,
                         kz_arena *a, kz_rc_handover *out, kz_asn_diag *diag);

/* Find RAN parameter id anywhere in a parameter tree list (depth first); NULL if absent. */
const kz_rc_RANParameter_ValueType *
kz_rc_find_param(const kz_rc_E2SM_RC_ControlMessage_Format1 *f1, int64_t id);

/* ---- control outcome ------------------------------------------------------------------------ */

int kz_rc_decode_control_outcome(const uint8_t *buf, size_t len, kz_arena *a,
                                 const kz_rc_E2SM_RC_ControlOutcome **out, kz_asn_diag *diag);

/* An outcome parameter, flattened from any outcome format: format 1 and 2 items, and format 3
 * elements (structures and lists are descended into). style/action are 0 unless format 2
 * says them. */
typedef struct kz_rc_outcome_param {
    int64_t style, action, id;
    const kz_rc_RANParameter_Value *value;
} kz_rc_outcome_param;

/* Fill out[0 .. max-1]; returns the total number of parameters (may exceed max). */
size_t kz_rc_outcome_params(const kz_rc_E2SM_RC_ControlOutcome *o, kz_rc_outcome_param *out,
                            size_t max);

/* Outcome format 1 from (id, value) pairs (the emulator's side). */
long kz_rc_build_control_outcome(const kz_rc_E2SM_RC_ControlOutcome_Format1_Item *items,
                                 size_t n, uint8_t *buf, size_t cap);

/* ---- neighbour relations: REPORT style 3 -------------------------------------------------- */

/* One NR neighbour as NeighborCell-Item-Choice-NR carries it.  arfcn: NR-ARFCN (TS 38.104
 * 5.4.2.1, 0..3279165); band: NR band number (1..1024); tac: 24 bits; version 1..65535. */
typedef struct kz_rc_nr_nbr {
    kz_rc_nr_cgi cgi;
    uint16_t pci;            /* 0..1007 */
    uint32_t arfcn;
    uint16_t band;
    uint32_t tac;
    bool tdd;
    bool xn, ho_validated;   /* x2-Xn-established, hO-validated */
    uint16_t version;
} kz_rc_nr_nbr;

/* One cell's table: serving cell PCI / NR-ARFCN and its neighbours nbr[0 .. n_nbr-1]. */
typedef struct kz_rc_cell_nrt {
    kz_rc_nr_cgi cgi;
    uint16_t pci;
    uint32_t arfcn;
    const kz_rc_nr_nbr *nbr;
    size_t n_nbr;            /* 0: the item carries no neighborRelation-Table */
} kz_rc_cell_nrt;

/* NR-ARFCN of a carrier frequency in MHz (TS 38.104 5.4.2.1 global raster, FR1 and FR2);
 * 0 outside 0..100 GHz. */
uint32_t kz_rc_nr_arfcn(double f_mhz);

/* Event trigger format 3, one item: condition 1, e2NodeInfoChange-ID KZ_RC_E2NODE_CHANGE_NRT. */
long kz_rc_build_nrt_event_trigger(uint8_t *buf, size_t cap);
/* Action definition: style 3, format 1 with one parameter, KZ_RC_P_NRT. */
long kz_rc_build_nrt_action(uint8_t *buf, size_t cap);
/* Indication header format 1 with event trigger condition 1. */
long kz_rc_build_nrt_header(uint8_t *buf, size_t cap);
/* Indication message format 3, one item per cell (1..65535 cells).  The generated structures
 * are built in scratch (reset by the caller; ~150 bytes per neighbour).  KZ_EINVAL: a value
 * out of its ASN.1 range, more than KZ_RC_NRT_MAX_NBR neighbours, no cells. */
long kz_rc_build_nrt_message(const kz_rc_cell_nrt *cells, size_t n, kz_arena *scratch,
                             uint8_t *buf, size_t cap);

/* What the node asked in a style 3 subscription: e2NodeInfoChange-ID of the trigger's items
 * (the first one) -- KZ_EPROTO when the trigger is not format 3. */
int kz_rc_parse_nrt_event_trigger(const uint8_t *buf, size_t len, kz_arena *a,
                                  int64_t *change_id, kz_asn_diag *diag);

/* Decode an indication message format 3 into cells[0 .. max_cells-1] and their neighbours
 * into nbrs[0 .. max_nbrs-1] (cells[i].nbr points into nbrs).  Cells identified by an
 * E-UTRA CGI and E-UTRA neighbours are skipped; every NR CGI is checked (3-octet PLMN,
 * 36-bit NCI).  Returns the number of cells, or KZ_E* (decode error with diag; KZ_EPROTO not
 * format 3 or a malformed CGI; KZ_ENOSPC arrays too small). */
int kz_rc_parse_nrt_message(const uint8_t *buf, size_t len, kz_arena *a, kz_rc_cell_nrt *cells,
                            size_t max_cells, kz_rc_nr_nbr *nbrs, size_t max_nbrs,
                            kz_asn_diag *diag);

/* ---- RAN function definition ---------------------------------------------------------------- */

/* Control style 3 "Connected Mode Mobility Control" with action 1 "Handover Control" and its
 * RAN parameters 1-6 (header format 1, message format 1, outcome format 1). */
long kz_rc_build_ran_function_handover(uint8_t *buf, size_t cap);
/* The same, plus (nrt_report) REPORT style 3 "E2 Node Information" with its event trigger
 * style 3 "E2 Node Information Change" (format 3): the neighbour relation tables above. */
long kz_rc_build_ran_function(bool nrt_report, uint8_t *buf, size_t cap);

int kz_rc_decode_ran_function(const uint8_t *buf, size_t len, kz_arena *a,
                              const kz_rc_E2SM_RC_RANFunctionDefinition **out, kz_asn_diag *diag);

/* The control action item (style, action) of def, or NULL if the node does not offer it. */
/* Does def offer REPORT style `style`? */
bool kz_rc_ran_function_report_style(const kz_rc_E2SM_RC_RANFunctionDefinition *def,
                                     int64_t style);

const kz_rc_RANFunctionDefinition_Control_Action_Item *
kz_rc_ran_function_control_action(const kz_rc_E2SM_RC_RANFunctionDefinition *def, int64_t style,
                                  int64_t action);

#endif
