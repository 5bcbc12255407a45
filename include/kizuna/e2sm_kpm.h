/*
 * kizuna/e2sm_kpm.h -- E2SM-KPM v03.00 helpers for xApps and the emulator, on top of the
 * generated model (kizuna/e2sm_kpm_types.h; conventions in kizuna/asn.h).
 *
 * Why: the generated structs are the whole of KPM, which is a lot to fill for "send me these
 * metrics of these cells every second".  This module does the four things everybody needs:
 *
 *   1. subscriptions: the event trigger (format 1, reportingPeriod) and action definitions --
 *      format 1 per cell for cell-level metrics, format 4 for per-UE reports (message format 3);
 *   2. reading indications as (cell or UE, metric, timestamp, value) samples: an iterator that
 *      walks message formats 1, 2 and 3 without allocating;
 *   3. the TimeStamp trap: KPM says NTP (seconds since 1900 + fraction), agents write other
 *      things; keep the raw bytes, read them the spec's way or the way the user says, and guess;
 *   4. the other side, for the emulator: indication header/message formats 1 and 3 from arrays,
 *      and the RAN function definition (build and parse).
 *
 * Memory: every builder encodes into the caller's buffer and returns the length (> 0) or a
 * negative KZ_E* code (KZ_ENOSPC: buffer too small; KZ_EINVAL: bad argument; KZ_ERANGE: a value
 * outside its ASN.1 constraint).  Builders that need temporary arrays take a scratch arena; they
 * give back what they took before returning, so one scratch arena serves any number of calls.
 * Decoders put the value in the caller's arena and point into the input (which must outlive it).
 * Nothing here calls malloc, and nothing keeps state between calls.
 */
#ifndef KIZUNA_E2SM_KPM_H
#define KIZUNA_E2SM_KPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kizuna/asn.h"
#include "kizuna/e2sm_kpm_types.h"

/* The KPM OID.  O-RAN kept the same OID for KPM v2 and v3: tell versions apart by decoding
 * (kz_kpm_decode_ran_function succeeds only on a v3 definition), not by OID. */
#define KZ_KPM_OID "1.3.6.1.4.1.53148.1.3.2.2"
#define KZ_KPM_SHORT_NAME "ORAN-E2SM-KPM"

/* Report styles (KPM 7.4.1) and the action definition / indication message formats they use. */
enum kz_kpm_style {
    KZ_KPM_STYLE_NODE = 1,          /* E2 node measurement: action f1 -> message f1 */
    KZ_KPM_STYLE_SINGLE_UE = 2,     /* one UE: action f2 -> message f1 */
    KZ_KPM_STYLE_COND_UE = 3,       /* condition-based UE-level: action f3 -> message f2 */
    KZ_KPM_STYLE_COMMON_COND_UE = 4,/* common condition-based UE-level: action f4 -> message f3 */
    KZ_KPM_STYLE_MULTI_UE = 5       /* several UEs by ID: action f5 -> message f3 */
};

/* ---- cells ---------------------------------------------------------------------------------- */

/* PLMN identity (TS 38.413 9.3.3.5, BCD, filler F for a 2-digit MNC) of mcc/mnc. */
void kz_kpm_plmn(uint8_t out[3], unsigned mcc, unsigned mnc, unsigned mnc_digits);

/* Fill *out as an NR CGI (plmn, 36-bit NCI).  The value points into storage (8 octets), which
 * must outlive it. */
void kz_kpm_nr_cgi(kz_e2sm_CGI *out, uint8_t storage[8], const uint8_t plmn[3], uint64_t nci);

/* The 36-bit NCI (NR) or 28-bit ECI (E-UTRA) of a CGI; UINT64_MAX if it has neither. */
uint64_t kz_kpm_cgi_cell_id(const kz_e2sm_CGI *cgi);

/* ---- subscriptions -------------------------------------------------------------------------- */

/* A metric to ask for (or, in an indication, to report): by name, or by measID when name is
 * NULL.  label: the measurement label, or NULL for "noLabel". */
typedef struct kz_kpm_metric {
    const char *name;
    uint32_t id;
    const kz_kpm_MeasurementLabel *label;
} kz_kpm_metric;

/* One encoded payload inside a caller's buffer. */
typedef struct kz_kpm_blob {
    const uint8_t *buf;
    size_t len;
} kz_kpm_blob;

/* E2SM-KPM-EventTriggerDefinition format 1: report every period_ms (1 .. 2^32-1). */
long kz_kpm_build_event_trigger(uint32_t period_ms, uint8_t *buf, size_t cap);

/* E2SM-KPM-ActionDefinition, style 1, format 1: metrics of one cell (cell NULL: the E2 node as
 * a whole -- the optional cellGlobalID left out), measured over granul_ms. */
long kz_kpm_build_action_f1(const kz_kpm_metric *metrics, size_t n_metrics, uint32_t granul_ms,
                            const kz_e2sm_CGI *cell, kz_arena *scratch, uint8_t *buf, size_t cap);

/* "These metrics of these cells every N ms".  KPM v3 has no action definition for a list of
 * cells (format 1 carries at most one cellGlobalID; formats 2-5 are UE-level), so a gNB expects
 * one RIC action per cell: this builds the event trigger and n_cells action definitions (format
 * 1, one cell each; n_cells == 0: one action for the whole node).  The caller gives them action
 * IDs (e.g. 1..n) in one RICsubscriptionRequest; each indication then comes with the action ID
 * that names its cell (the KPM message itself does not say which cell it is about). */
typedef struct kz_kpm_cell_subscription {
    uint32_t period_ms;                 /* event trigger reportingPeriod */
    uint32_t granul_ms;                 /* granularity period; 0 = period_ms */
    const kz_kpm_metric *metrics;
    size_t n_metrics;
    const kz_e2sm_CGI *cells;
    size_t n_cells;
} kz_kpm_cell_subscription;

/* Everything goes into buf; *trigger and actions[0 .. ret-1] point into it.  Returns the
 * number of actions (>= 1) or a negative KZ_E* (KZ_ENOSPC also when max_actions is too small). */
int kz_kpm_build_cell_subscription(const kz_kpm_cell_subscription *s, kz_arena *scratch,
                                   uint8_t *buf, size_t cap, kz_kpm_blob *trigger,
                                   kz_kpm_blob *actions, size_t max_actions);

/* Per-UE reports: action definition style 4, format 4 -- the UEs that match every condition
 * (n_conds >= 1; logicalOR on a condition ORs it with the next one) report metrics, and each
 * indication is a message format 3 with one report per UE. */
typedef struct kz_kpm_ue_subscription {
    uint32_t granul_ms;
    const kz_kpm_metric *metrics;
    size_t n_metrics;
    const kz_kpm_MatchingUeCondPerSubItem *conds;
    size_t n_conds;
    const kz_e2sm_CGI *cell;            /* optional: only UEs of this cell */
} kz_kpm_ue_subscription;

long kz_kpm_build_ue_action(const kz_kpm_ue_subscription *s, kz_arena *scratch, uint8_t *buf,
                            size_t cap);

/* ---- decoding (thin wrappers of kz_asn_decode; diag may be NULL) ------------------------------ */

int kz_kpm_decode_event_trigger(const uint8_t *buf, size_t len, kz_arena *a,
                                const kz_kpm_E2SM_KPM_EventTriggerDefinition **out,
                                kz_asn_diag *diag);
int kz_kpm_decode_action(const uint8_t *buf, size_t len, kz_arena *a,
                         const kz_kpm_E2SM_KPM_ActionDefinition **out, kz_asn_diag *diag);
int kz_kpm_decode_header(const uint8_t *buf, size_t len, kz_arena *a,
                         const kz_kpm_E2SM_KPM_IndicationHeader **out, kz_asn_diag *diag);
int kz_kpm_decode_message(const uint8_t *buf, size_t len, kz_arena *a,
                          const kz_kpm_E2SM_KPM_IndicationMessage **out, kz_asn_diag *diag);
int kz_kpm_decode_ran_function(const uint8_t *buf, size_t len, kz_arena *a,
                               const kz_kpm_E2SM_KPM_RANfunction_Description **out,
                               kz_asn_diag *diag);

/* ---- the TimeStamp trap ------------------------------------------------------------------
 * KPM's TimeStamp is OCTET STRING (SIZE(8)): "the first 64 bits of an NTP timestamp" -- seconds
 * since 1900-01-01 in the upper 32 bits (big-endian), a binary fraction in the lower 32.  In the
 * field one also finds Unix seconds in the same layout, and a microsecond count since 1970 as a
 * big-endian or byte-swapped (little-endian) uint64.  Keep the 8 raw bytes (the decoded header
 * points at them); read them the spec's way unless you know better.  NTP era 0 is assumed
 * (1900-2036); RFC 4330's rollover rule is not applied, so its readings stay predictable. */
typedef enum kz_kpm_ts_reading {
    KZ_KPM_TS_NTP = 0,            /* the spec: NTP seconds since 1900 . fraction */
    KZ_KPM_TS_UNIX_NTP_LAYOUT,    /* Unix seconds since 1970 . fraction (NTP layout, Unix epoch) */
    KZ_KPM_TS_UNIX_US,            /* uint64 big-endian microseconds since 1970 */
    KZ_KPM_TS_UNIX_US_SWAPPED,    /* uint64 little-endian microseconds since 1970 */
    KZ_KPM_TS_READINGS
} kz_kpm_ts_reading;

#define KZ_KPM_NTP_UNIX_OFFSET 2208988800LL   /* seconds from 1900-01-01 to 1970-01-01 */

/* The 8 octets as a big-endian uint64 (what a log should show). */
uint64_t kz_kpm_ts_raw(const uint8_t raw[8]);
/* Unix time in ns under a reading: 0 or KZ_ERANGE (before 1678 / after 2262 or unknown
 * reading; *ns untouched). */
int kz_kpm_ts_to_unix_ns(const uint8_t raw[8], kz_kpm_ts_reading r, int64_t *ns);
/* Unix time in seconds (with fraction) under a reading; NAN for an unknown reading. */
double kz_kpm_ts_to_unix_s(const uint8_t raw[8], kz_kpm_ts_reading r);
/* Write Unix time ns (>= 0) the way reading r does (KZ_KPM_TS_NTP for anything we send). */
int kz_kpm_ts_from_unix_ns(int64_t ns, kz_kpm_ts_reading r, uint8_t out[8]);
/* Which readings put raw within [lo_unix_s, hi_unix_s]: bit (1u << reading) per plausible one. */
unsigned kz_kpm_ts_plausible(const uint8_t raw[8], int64_t lo_unix_s, int64_t hi_unix_s);
/* The plausible reading, preferring the spec's (then the order of the enum); -1 if none. */
int kz_kpm_ts_detect(const uint8_t raw[8], int64_t lo_unix_s, int64_t hi_unix_s);

/* ---- iterating an indication ------------------------------------------------------------------
 * One sample per measurement value, in the order of the message: format 3 UE by UE; within a
 * report, granularity period (measData item) by period; within a period, value by value.
 *
 * Which metric a value belongs to: format 1/3 pair the values of a measRecord with the
 * (measInfo item, label) pairs of measInfoList in order -- one value per label of each
 * measurement (KPM 8.2.1.4.1); format 2 pairs them with measCondUEidList items.  When the
 * message leaves measInfoList out, opts.sub_meas (the action definition's list) stands in.  A
 * value beyond the list gets an empty name and id 0.  A measurement given as an ID gets its
 * name from opts.ran_function (its measInfo-Action-List) when that lists the ID.
 *
 * Timestamp of period p = header colletStartTime (read with opts.ts_reading) + p * granularity
 * period (the message's, else opts.granul_ms). */
typedef enum kz_kpm_value_kind {
    KZ_KPM_VALUE_NONE = 0,      /* noValue: the node had nothing to report */
    KZ_KPM_VALUE_INT = 1,
    KZ_KPM_VALUE_REAL = 2
} kz_kpm_value_kind;

typedef struct kz_kpm_value {
    kz_kpm_value_kind kind;
    int64_t i;                  /* KZ_KPM_VALUE_INT (in a sample: meaningless otherwise) */
    double r;                   /* KZ_KPM_VALUE_REAL (in a sample: meaningless otherwise) */
} kz_kpm_value;

typedef struct kz_kpm_iter_opts {
    kz_kpm_ts_reading ts_reading;
    uint32_t granul_ms;
    const kz_e2sm_CGI *cell;    /* the subscription's cell, copied into each sample */
    const kz_kpm_MeasurementInfoList *sub_meas;
    const kz_kpm_E2SM_KPM_RANfunction_Description *ran_function;
} kz_kpm_iter_opts;

typedef struct kz_kpm_sample {
    const kz_e2sm_CGI *cell;                 /* opts.cell (may be NULL) */
    const kz_e2sm_UEID *ue;                  /* format 3: the UE; else NULL */
    kz_octets name;                          /* len 0: unknown */
    int64_t id;                              /* measID if the message gave one, else 0 */
    const kz_kpm_MeasurementLabel *label;    /* format 1/3: label of this value */
    const kz_kpm_MeasurementCondUEidItem *cond; /* format 2: conditions + matched UEs */
    uint32_t period;                         /* measData index */
    uint32_t index;                          /* value index within the period's record */
    bool incomplete;                         /* the period's incompleteFlag */
    int64_t ts_ns;                           /* Unix ns of the period's start (0 if unknown) */
    kz_kpm_value v;
} kz_kpm_sample;

#define KZ_KPM_ITER_NAMES 64   /* ID -> name resolutions cached per measInfoList position
                                  (kept across the UE reports of a format 3 message) */

typedef struct kz_kpm_iter {
    /* private: */
    kz_kpm_iter_opts o;
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    const kz_kpm_UEMeasurementReportList *ues;
    const kz_e2sm_UEID *ue;
    const kz_kpm_MeasurementData *data;
    const kz_kpm_MeasurementInfoList *info;          /* format 1/3 */
    const kz_kpm_MeasurementCondUEidList *conds;     /* format 2 */
    const kz_kpm_MeasurementRecord *rec;
    const kz_kpm_MeasurementRecordItem *items;       /* rec's values, nrec of them */
    const kz_kpm_MeasurementInfoItem *mis;           /* info's items, ninfo of them */
    const kz_kpm_MeasurementInfoItem *mi;            /* emit_value: item of value k, or NULL */
    kz_kpm_sample *last;     /* the sample whose per-period fields are current, or NULL */
    uint32_t fmt, u, p, k, l, nrec;
    uint32_t ninfo, nfast;   /* values k < nfast may take the fast path (value k is mis[k]) */
    bool by_k;               /* so far this period, value k was mis[k] (emit_value not used) */
    int64_t base_ns, step_ns, ts_cur;
    bool incomplete, has_ts;
    kz_octets names[KZ_KPM_ITER_NAMES];              /* valid where name_ids[i] is a measID */
    int64_t name_ids[KZ_KPM_ITER_NAMES];             /* measID names[i] was resolved for */
} kz_kpm_iter;

/* Start iterating msg (hdr may be NULL: timestamps 0).  Returns 0, KZ_EINVAL (no format),
 * or KZ_ERANGE (the timestamp does not read under opts->ts_reading: samples get ts_ns 0).
 * The iterator points into msg, hdr and opts' pointees, which must outlive it. */
int kz_kpm_iter_init(kz_kpm_iter *it, const kz_kpm_E2SM_KPM_IndicationHeader *hdr,
                     const kz_kpm_E2SM_KPM_IndicationMessage *msg, const kz_kpm_iter_opts *opts);
/* Next sample into *s: true, or false at the end.  Cost: the per-period fields of *s (cell, ue,
 * period, incomplete, ts_ns, cond) are written when the period or UE report changes, or when s
 * is not the struct the previous call filled; otherwise only index, v, name, id and label are
 * (~45 instructions per value in a format 3 message of named, one-label metrics, per-UE work
 * included; docs/bench.md).  So pass the same *s back unchanged -- or another struct, which is
 * then filled in full; copying a sample out is always fine. */
bool kz_kpm_iter_next(kz_kpm_iter *it, kz_kpm_sample *s);

/* The same as a callback: cb runs once per sample until it returns non-zero, which is then
 * returned; 0 after the last sample; a negative KZ_E* from init (cb never runs then). */
typedef int (*kz_kpm_sample_cb)(const kz_kpm_sample *s, void *user);
int kz_kpm_foreach(const kz_kpm_E2SM_KPM_IndicationHeader *hdr,
                   const kz_kpm_E2SM_KPM_IndicationMessage *msg, const kz_kpm_iter_opts *opts,
                   kz_kpm_sample_cb cb, void *user);

/* ---- building indications (the emulator's side) ---------------------------------------------- */

/* Header format 1: colletStartTime = unix_ns written per reading r (KZ_KPM_TS_NTP unless you
 * are imitating a broken agent); the strings are optional (NULL: left out). */
typedef struct kz_kpm_header_info {
    int64_t unix_ns;
    kz_kpm_ts_reading reading;
    const char *file_format_version, *sender_name, *sender_type, *vendor_name;
} kz_kpm_header_info;

long kz_kpm_build_header(const kz_kpm_header_info *h, uint8_t *buf, size_t cap);

/* A measurement report: n_periods measData items of n_metrics values each (values is
 * period-major: values[p * n_metrics + m]); measInfoList lists the metrics (one label each).
 * incomplete: NULL or one flag per period.  granul_ms 0: granulPeriod left out. */
typedef struct kz_kpm_report {
    const kz_kpm_metric *metrics;
    size_t n_metrics;
    const kz_kpm_value *values;
    size_t n_periods;
    const bool *incomplete;
    uint32_t granul_ms;
} kz_kpm_report;

long kz_kpm_build_message_f1(const kz_kpm_report *r, kz_arena *scratch, uint8_t *buf,
                             size_t cap);

typedef struct kz_kpm_ue_report {
    const kz_e2sm_UEID *ue;
    kz_kpm_report report;
} kz_kpm_ue_report;

long kz_kpm_build_message_f3(const kz_kpm_ue_report *ues, size_t n_ues, kz_arena *scratch,
                             uint8_t *buf, size_t cap);

/* ---- RAN function definition ------------------------------------------------------------------ */

typedef struct kz_kpm_report_style_info {
    int64_t type;                       /* enum kz_kpm_style */
    const char *name;
    const char *const *metrics;         /* measInfo-Action-List names */
    size_t n_metrics;
    uint32_t first_id;                  /* 0: no measIDs; else metrics[i] gets first_id + i */
} kz_kpm_report_style_info;

typedef struct kz_kpm_ran_function_info {
    const char *short_name;             /* NULL: KZ_KPM_SHORT_NAME */
    const char *description;            /* NULL: "KPM Monitor" */
    int64_t instance;                   /* < 0: left out */
    const kz_kpm_report_style_info *styles;
    size_t n_styles;
} kz_kpm_ran_function_info;

/* Event trigger style 1 "Periodic Report" (format 1) and the given report styles, each with
 * the action / header / message formats its type implies (see enum kz_kpm_style). */
long kz_kpm_build_ran_function(const kz_kpm_ran_function_info *f, kz_arena *scratch,
                               uint8_t *buf, size_t cap);

/* What Kizuna's emulated gNB advertises: report style 1 with the cell-level metrics below,
 * styles 2-5 with the UE-level ones; measIDs 1.. (cell) and 101.. (UE). */
extern const char *const kz_kpm_gnb_cell_metrics[];
extern const size_t kz_kpm_gnb_n_cell_metrics;
extern const char *const kz_kpm_gnb_ue_metrics[];
extern const size_t kz_kpm_gnb_n_ue_metrics;
long kz_kpm_build_ran_function_gnb(kz_arena *scratch, uint8_t *buf, size_t cap);

/* The name of measID id in any report style of def (len 0 if not listed). */
kz_octets kz_kpm_ran_function_meas_name(const kz_kpm_E2SM_KPM_RANfunction_Description *def,
                                        int64_t id);
/* The report style item of type style, or NULL. */
const kz_kpm_RIC_ReportStyle_Item *
kz_kpm_ran_function_style(const kz_kpm_E2SM_KPM_RANfunction_Description *def, int64_t style);
/* Whether report style `style` lists metric name (NUL-terminated). */
bool kz_kpm_ran_function_has_metric(const kz_kpm_E2SM_KPM_RANfunction_Description *def,
                                    int64_t style, const char *name);

#endif
