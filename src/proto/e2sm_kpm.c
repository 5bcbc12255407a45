/*
 * e2sm_kpm.c -- E2SM-KPM v03.00 helpers (see kizuna/e2sm_kpm.h).
 *
 * Thin by design: every byte on the wire is written and read by the generated descriptors
 * (e2sm_kpm_desc.c, interpreted by asn.c); this file only fills and walks the generated structs.
 * Builders borrow arrays from a scratch arena and hand them back before returning (the
 * SCRATCH_BEGIN/END pair), so they allocate nothing that outlives the call.  The iterator is a
 * flat state machine over (UE report, period, value) with the names of ID-only measurements
 * resolved once per list position, so a value costs about 90 instructions (callgrind).
 */
#include <math.h>
#include <string.h>

#include "kizuna/e2sm_kpm.h"

#define SCRATCH_BEGIN(a) size_t scratch_mark__ = (a)->used
#define SCRATCH_END(a) ((a)->used = scratch_mark__)

static kz_octets cstr(const char *s)
{
    kz_octets o = { (const uint8_t *)s, s ? (uint32_t)strlen(s) : 0 };
    return o;
}

static long encode(const kz_asn_type *t, const void *v, uint8_t *buf, size_t cap)
{
    if (!buf && cap)
        return KZ_EINVAL;
    return kz_asn_encode(t, v, buf, cap, NULL);
}

/* ---- cells -------------------------------------------------------------------------------- */

void kz_kpm_plmn(uint8_t out[3], unsigned mcc, unsigned mnc, unsigned mnc_digits)
{
    unsigned m1 = mcc / 100 % 10, m2 = mcc / 10 % 10, m3 = mcc % 10;
    unsigned n1, n2, n3;
    if (mnc_digits == 3) {
        n1 = mnc / 100 % 10, n2 = mnc / 10 % 10, n3 = mnc % 10;
    } else {
        n1 = mnc / 10 % 10, n2 = mnc % 10, n3 = 0xF;
    }
    out[0] = (uint8_t)(m2 << 4 | m1);
    out[1] = (uint8_t)(n3 << 4 | m3);
    out[2] = (uint8_t)(n2 << 4 | n1);
}

void kz_kpm_nr_cgi(kz_e2sm_CGI *out, uint8_t storage[8], const uint8_t plmn[3], uint64_t nci)
{
    memcpy(storage, plmn, 3);
    uint64_t v = (nci & 0xFFFFFFFFFull) << 4;   /* 36 bits, left-aligned in 40 */
    for (int i = 0; i < 5; i++)
        storage[3 + i] = (uint8_t)(v >> (32 - 8 * i));
    memset(out, 0, sizeof *out);
    out->present = kz_e2sm_CGI_nR_CGI;
    out->u.nR_CGI.pLMNIdentity.buf = storage;
    out->u.nR_CGI.pLMNIdentity.len = 3;
    out->u.nR_CGI.nRCellIdentity.buf = storage + 3;
    out->u.nR_CGI.nRCellIdentity.nbits = 36;
}

static uint64_t bits_value(const kz_bits *b)
{
    uint64_t v = 0;
    uint32_t nbytes = (b->nbits + 7) / 8;
    if (!b->buf || b->nbits > 64)
        return UINT64_MAX;
    for (uint32_t i = 0; i < nbytes; i++)
        v = v << 8 | b->buf[i];
    return v >> (nbytes * 8 - b->nbits);
}

uint64_t kz_kpm_cgi_cell_id(const kz_e2sm_CGI *cgi)
{
    if (!cgi)
        return UINT64_MAX;
    if (cgi->present == kz_e2sm_CGI_nR_CGI)
        return bits_value(&cgi->u.nR_CGI.nRCellIdentity);
    if (cgi->present == kz_e2sm_CGI_eUTRA_CGI)
        return bits_value(&cgi->u.eUTRA_CGI.eUTRACellIdentity);
    return UINT64_MAX;
}

/* ---- subscriptions ------------------------------------------------------------------------ */

static const kz_kpm_MeasurementLabel no_label = { .has_noLabel = true,
                                                  .noLabel = kz_kpm_MeasurementLabel__noLabel_true };

static int fill_meas_type(kz_kpm_MeasurementType *t, const kz_kpm_metric *m)
{
    if (m->name) {
        t->present = kz_kpm_MeasurementType_measName;
        t->u.measName = cstr(m->name);
        return t->u.measName.len ? 0 : KZ_EINVAL;
    }
    if (m->id == 0)
        return KZ_EINVAL;
    t->present = kz_kpm_MeasurementType_measID;
    t->u.measID = m->id;
    return 0;
}

/* measInfoList of n metrics (one label each) in the scratch arena. */
static int fill_meas_info(kz_kpm_MeasurementInfoList *l, const kz_kpm_metric *m, size_t n,
                          kz_arena *a)
{
    if (!m || n == 0 || n > 65535)
        return KZ_EINVAL;
    kz_kpm_MeasurementInfoItem *items = kz_arena_alloc(a, n * sizeof *items);
    kz_kpm_LabelInfoItem *labels = kz_arena_alloc(a, n * sizeof *labels);
    if (!items || !labels)
        return KZ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int rc = fill_meas_type(&items[i].measType, &m[i]);
        if (rc)
            return rc;
        labels[i].measLabel = m[i].label ? *m[i].label : no_label;
        items[i].labelInfoList.count = 1;
        items[i].labelInfoList.items = &labels[i];
    }
    l->count = (uint32_t)n;
    l->items = items;
    return 0;
}

static int fill_action_f1(kz_kpm_E2SM_KPM_ActionDefinition_Format1 *f, const kz_kpm_metric *m,
                          size_t n, uint32_t granul_ms, const kz_e2sm_CGI *cell, kz_arena *a)
{
    if (granul_ms == 0)
        return KZ_EINVAL;
    int rc = fill_meas_info(&f->measInfoList, m, n, a);
    if (rc)
        return rc;
    f->granulPeriod = granul_ms;
    if (cell) {
        f->has_cellGlobalID = true;
        f->cellGlobalID = *cell;
    }
    return 0;
}

long kz_kpm_build_event_trigger(uint32_t period_ms, uint8_t *buf, size_t cap)
{
    if (period_ms == 0)
        return KZ_EINVAL;
    kz_kpm_E2SM_KPM_EventTriggerDefinition t;
    memset(&t, 0, sizeof t);
    t.eventDefinition_formats.present =
        kz_kpm_E2SM_KPM_EventTriggerDefinition__eventDefinition_formats_eventDefinition_Format1;
    t.eventDefinition_formats.u.eventDefinition_Format1.reportingPeriod = period_ms;
    return encode(&kz_kpm_E2SM_KPM_EventTriggerDefinition_desc, &t, buf, cap);
}

long kz_kpm_build_action_f1(const kz_kpm_metric *metrics, size_t n_metrics, uint32_t granul_ms,
                            const kz_e2sm_CGI *cell, kz_arena *scratch, uint8_t *buf, size_t cap)
{
    if (!scratch)
        return KZ_EINVAL;
    kz_kpm_E2SM_KPM_ActionDefinition d;
    memset(&d, 0, sizeof d);
    d.ric_Style_Type = KZ_KPM_STYLE_NODE;
    d.actionDefinition_formats.present =
        kz_kpm_E2SM_KPM_ActionDefinition__actionDefinition_formats_actionDefinition_Format1;
    SCRATCH_BEGIN(scratch);
    long rc = fill_action_f1(&d.actionDefinition_formats.u.actionDefinition_Format1, metrics,
                             n_metrics, granul_ms, cell, scratch);
    if (rc == 0)
        rc = encode(&kz_kpm_E2SM_KPM_ActionDefinition_desc, &d, buf, cap);
    SCRATCH_END(scratch);
    return rc;
}

int kz_kpm_build_cell_subscription(const kz_kpm_cell_subscription *s, kz_arena *scratch,
                                   uint8_t *buf, size_t cap, kz_kpm_blob *trigger,
                                   kz_kpm_blob *actions, size_t max_actions)
{
    if (!s || !trigger || !actions || (s->n_cells && !s->cells))
        return KZ_EINVAL;
    size_t n_actions = s->n_cells ? s->n_cells : 1;
    if (n_actions > max_actions)
        return KZ_ENOSPC;
    if (n_actions > 65535)   /* E2AP: at most 16 actions anyway; keep the count in an int */
        return KZ_EINVAL;
    long n = kz_kpm_build_event_trigger(s->period_ms, buf, cap);
    if (n < 0)
        return (int)n;
    trigger->buf = buf;
    trigger->len = (size_t)n;
    size_t off = (size_t)n;
    uint32_t granul = s->granul_ms ? s->granul_ms : s->period_ms;
    for (size_t i = 0; i < n_actions; i++) {
        n = kz_kpm_build_action_f1(s->metrics, s->n_metrics, granul,
                                   s->n_cells ? &s->cells[i] : NULL, scratch, buf + off, cap - off);
        if (n < 0)
            return (int)n;
        actions[i].buf = buf + off;
        actions[i].len = (size_t)n;
        off += (size_t)n;
    }
    return (int)n_actions;
}

long kz_kpm_build_ue_action(const kz_kpm_ue_subscription *s, kz_arena *scratch, uint8_t *buf,
                            size_t cap)
{
    if (!s || !scratch || !s->conds || s->n_conds == 0 || s->n_conds > 32768)
        return KZ_EINVAL;
    kz_kpm_E2SM_KPM_ActionDefinition d;
    memset(&d, 0, sizeof d);
    d.ric_Style_Type = KZ_KPM_STYLE_COMMON_COND_UE;
    d.actionDefinition_formats.present =
        kz_kpm_E2SM_KPM_ActionDefinition__actionDefinition_formats_actionDefinition_Format4;
    kz_kpm_E2SM_KPM_ActionDefinition_Format4 *f4 =
        &d.actionDefinition_formats.u.actionDefinition_Format4;
    f4->matchingUeCondList.count = (uint32_t)s->n_conds;
    /* the encoder only reads through this pointer */
    f4->matchingUeCondList.items = (kz_kpm_MatchingUeCondPerSubItem *)(uintptr_t)s->conds;
    SCRATCH_BEGIN(scratch);
    long rc = fill_action_f1(&f4->subscriptionInfo, s->metrics, s->n_metrics, s->granul_ms,
                             s->cell, scratch);
    if (rc == 0)
        rc = encode(&kz_kpm_E2SM_KPM_ActionDefinition_desc, &d, buf, cap);
    SCRATCH_END(scratch);
    return rc;
}

/* ---- decoding ------------------------------------------------------------------------------ */

int kz_kpm_decode_event_trigger(const uint8_t *buf, size_t len, kz_arena *a,
                                const kz_kpm_E2SM_KPM_EventTriggerDefinition **out,
                                kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_kpm_E2SM_KPM_EventTriggerDefinition_desc, buf, len, a,
                         (void **)out, diag);
}

int kz_kpm_decode_action(const uint8_t *buf, size_t len, kz_arena *a,
                         const kz_kpm_E2SM_KPM_ActionDefinition **out, kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_kpm_E2SM_KPM_ActionDefinition_desc, buf, len, a, (void **)out, diag);
}

int kz_kpm_decode_header(const uint8_t *buf, size_t len, kz_arena *a,
                         const kz_kpm_E2SM_KPM_IndicationHeader **out, kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_kpm_E2SM_KPM_IndicationHeader_desc, buf, len, a, (void **)out,
                         diag);
}

int kz_kpm_decode_message(const uint8_t *buf, size_t len, kz_arena *a,
                          const kz_kpm_E2SM_KPM_IndicationMessage **out, kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_kpm_E2SM_KPM_IndicationMessage_desc, buf, len, a, (void **)out,
                         diag);
}

int kz_kpm_decode_ran_function(const uint8_t *buf, size_t len, kz_arena *a,
                               const kz_kpm_E2SM_KPM_RANfunction_Description **out,
                               kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_kpm_E2SM_KPM_RANfunction_Description_desc, buf, len, a,
                         (void **)out, diag);
}

/* ---- timestamps ---------------------------------------------------------------------------- */

uint64_t kz_kpm_ts_raw(const uint8_t raw[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | raw[i];
    return v;
}

static uint64_t bswap64(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++, v >>= 8)
        r = r << 8 | (v & 0xFF);
    return r;
}

int kz_kpm_ts_to_unix_ns(const uint8_t raw[8], kz_kpm_ts_reading r, int64_t *ns)
{
    uint64_t v = kz_kpm_ts_raw(raw);
    int64_t sec;
    uint64_t frac_ns;
    switch (r) {
    case KZ_KPM_TS_NTP:
    case KZ_KPM_TS_UNIX_NTP_LAYOUT:
        sec = (int64_t)(v >> 32) - (r == KZ_KPM_TS_NTP ? KZ_KPM_NTP_UNIX_OFFSET : 0);
        frac_ns = ((v & 0xFFFFFFFFu) * 1000000000u) >> 32;
        *ns = sec * 1000000000 + (int64_t)frac_ns;   /* |sec| < 2^33: no overflow */
        return 0;
    case KZ_KPM_TS_UNIX_US_SWAPPED:
        v = bswap64(v);
        /* fall through */
    case KZ_KPM_TS_UNIX_US:
        if (v > (uint64_t)INT64_MAX / 1000)
            return KZ_ERANGE;
        *ns = (int64_t)v * 1000;
        return 0;
    default:
        return KZ_ERANGE;
    }
}

double kz_kpm_ts_to_unix_s(const uint8_t raw[8], kz_kpm_ts_reading r)
{
    uint64_t v = kz_kpm_ts_raw(raw);
    switch (r) {
    case KZ_KPM_TS_NTP:
    case KZ_KPM_TS_UNIX_NTP_LAYOUT:
        return (double)((int64_t)(v >> 32) - (r == KZ_KPM_TS_NTP ? KZ_KPM_NTP_UNIX_OFFSET : 0)) +
               (double)(v & 0xFFFFFFFFu) / 4294967296.0;
    case KZ_KPM_TS_UNIX_US:
        return (double)v / 1e6;
    case KZ_KPM_TS_UNIX_US_SWAPPED:
        return (double)bswap64(v) / 1e6;
    default:
        return NAN;
    }
}

int kz_kpm_ts_from_unix_ns(int64_t ns, kz_kpm_ts_reading r, uint8_t out[8])
{
    if (ns < 0)
        return KZ_ERANGE;
    uint64_t v, sec = (uint64_t)ns / 1000000000u, rem = (uint64_t)ns % 1000000000u;
    switch (r) {
    case KZ_KPM_TS_NTP:
    case KZ_KPM_TS_UNIX_NTP_LAYOUT:
        if (r == KZ_KPM_TS_NTP)
            sec += KZ_KPM_NTP_UNIX_OFFSET;
        if (sec > 0xFFFFFFFFu)
            return KZ_ERANGE;
        /* round the fraction up so that reading it back truncates to the same ns */
        v = sec << 32 | (((rem << 32) + 999999999u) / 1000000000u);
        break;
    case KZ_KPM_TS_UNIX_US:
        v = (uint64_t)ns / 1000u;
        break;
    case KZ_KPM_TS_UNIX_US_SWAPPED:
        v = bswap64((uint64_t)ns / 1000u);
        break;
    default:
        return KZ_EINVAL;
    }
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)(v & 0xFF);
    return 0;
}

unsigned kz_kpm_ts_plausible(const uint8_t raw[8], int64_t lo_unix_s, int64_t hi_unix_s)
{
    unsigned mask = 0;
    for (int r = 0; r < KZ_KPM_TS_READINGS; r++) {
        double t = kz_kpm_ts_to_unix_s(raw, (kz_kpm_ts_reading)r);
        if (t >= (double)lo_unix_s && t <= (double)hi_unix_s)
            mask |= 1u << r;
    }
    return mask;
}

int kz_kpm_ts_detect(const uint8_t raw[8], int64_t lo_unix_s, int64_t hi_unix_s)
{
    unsigned mask = kz_kpm_ts_plausible(raw, lo_unix_s, hi_unix_s);
    for (int r = 0; r < KZ_KPM_TS_READINGS; r++)
        if (mask & (1u << r))
            return r;
    return -1;
}

/* ---- iterating ----------------------------------------------------------------------------- */

kz_octets kz_kpm_ran_function_meas_name(const kz_kpm_E2SM_KPM_RANfunction_Description *def,
                                        int64_t id)
{
    kz_octets none = { NULL, 0 };
    if (!def || !def->has_ric_ReportStyle_List)
        return none;
    for (uint32_t s = 0; s < def->ric_ReportStyle_List.count; s++) {
        const kz_kpm_MeasurementInfo_Action_List *l =
            &def->ric_ReportStyle_List.items[s].measInfo_Action_List;
        for (uint32_t i = 0; i < l->count; i++)
            if (l->items[i].has_measID && l->items[i].measID == id)
                return l->items[i].measName;
    }
    return none;
}

static kz_octets type_name(const kz_kpm_iter *it, const kz_kpm_MeasurementType *t)
{
    if (t->present == kz_kpm_MeasurementType_measName)
        return t->u.measName;
    if (t->present == kz_kpm_MeasurementType_measID)
        return kz_kpm_ran_function_meas_name(it->o.ran_function, t->u.measID);
    kz_octets none = { NULL, 0 };
    return none;
}

/* The name of measType t at list position slot.  A name is a pointer into the message; an ID
 * is looked up in opts.ran_function, and the answer kept per position: the UE reports of a
 * format 3 message usually repeat one measInfoList, so the next report finds it there.  Off
 * the fast path (noinline): most agents send names. */
__attribute__((noinline)) static kz_octets slot_name(kz_kpm_iter *it, uint32_t slot,
                                                     const kz_kpm_MeasurementType *t)
{
    if (t->present != kz_kpm_MeasurementType_measID || slot >= KZ_KPM_ITER_NAMES)
        return type_name(it, t);
    if (it->name_ids[slot] != t->u.measID) {
        it->names[slot] = type_name(it, t);
        it->name_ids[slot] = t->u.measID;
    }
    return it->names[slot];
}

static void load_period(kz_kpm_iter *it)
{
    const kz_kpm_MeasurementDataItem *d = &it->data->items[it->p];
    it->rec = &d->measRecord;
    it->items = d->measRecord.items;
    it->nrec = d->measRecord.count;
    it->nfast = it->nrec < it->ninfo ? it->nrec : it->ninfo;
    it->by_k = true;   /* value k is measurement k until emit_value takes over */
    it->incomplete = d->has_incompleteFlag;
    it->k = 0;
    it->ts_cur = it->has_ts ? it->base_ns + (int64_t)it->p * it->step_ns : 0;
    it->last = NULL;   /* the per-period fields of the next sample change */
}

static inline void load_report(kz_kpm_iter *it, const kz_kpm_E2SM_KPM_IndicationMessage_Format1 *f)
{
    it->data = &f->measData;
    const kz_kpm_MeasurementInfoList *info = f->has_measInfoList ? &f->measInfoList : it->o.sub_meas;
    it->info = info;
    it->mis = info ? info->items : NULL;
    it->ninfo = info ? info->count : 0;
    int64_t g = f->has_granulPeriod ? f->granulPeriod : (int64_t)it->o.granul_ms;
    it->step_ns = g * 1000000;
    it->p = 0;
    if (it->data->count) {
        load_period(it);
    } else {
        it->items = NULL;
        it->nrec = it->nfast = it->k = 0;
        it->last = NULL;
    }
}

int kz_kpm_iter_init(kz_kpm_iter *it, const kz_kpm_E2SM_KPM_IndicationHeader *hdr,
                     const kz_kpm_E2SM_KPM_IndicationMessage *msg, const kz_kpm_iter_opts *opts)
{
    memset(it, 0, offsetof(kz_kpm_iter, names));
    for (uint32_t i = 0; i < KZ_KPM_ITER_NAMES; i++)
        it->name_ids[i] = INT64_MIN;   /* no position resolved yet (names[] unread until then) */
    if (opts)
        it->o = *opts;
    if (!msg)
        return KZ_EINVAL;
    it->msg = msg;
    it->fmt = msg->indicationMessage_formats.present;
    const kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats *f =
        &msg->indicationMessage_formats;
    switch (it->fmt) {
    case kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format1:
        load_report(it, &f->u.indicationMessage_Format1);
        break;
    case kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format2: {
        const kz_kpm_E2SM_KPM_IndicationMessage_Format2 *f2 = &f->u.indicationMessage_Format2;
        it->data = &f2->measData;
        it->conds = &f2->measCondUEidList;
        it->step_ns = (f2->has_granulPeriod ? f2->granulPeriod : (int64_t)it->o.granul_ms) * 1000000;
        if (it->data->count)
            load_period(it);
        break;
    }
    case kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format3:
        it->ues = &f->u.indicationMessage_Format3.ueMeasReportList;
        if (it->ues->count) {
            it->ue = &it->ues->items[0].ueID;
            load_report(it, &it->ues->items[0].measReport);
        }
        break;
    default:
        return KZ_EINVAL;
    }
    if (hdr && hdr->indicationHeader_formats.present ==
                   kz_kpm_E2SM_KPM_IndicationHeader__indicationHeader_formats_indicationHeader_Format1) {
        const kz_kpm_TimeStamp *ts =
            &hdr->indicationHeader_formats.u.indicationHeader_Format1.colletStartTime;
        if (ts->len != 8 || kz_kpm_ts_to_unix_ns(ts->buf, it->o.ts_reading, &it->base_ns) != 0)
            return KZ_ERANGE;
        it->has_ts = true;
        it->ts_cur = it->base_ns;   /* period 0 was loaded before the time was known */
    }
    return 0;
}


/* The per-value fields of a value the fast path does not serve (the caller checked there is
 * one): index, value, and for formats 1/3 the metric (name, id, label), walking measInfoList
 * label by label from where the fast path left it.  The per-period fields are the caller's. */
__attribute__((noinline)) static void emit_value(kz_kpm_iter *it, kz_kpm_sample *s)
{
    uint32_t k = it->k;
    const kz_kpm_MeasurementRecordItem *ri = &it->items[k];
    it->k = k + 1;
    s->index = k;
    s->v.kind = (kz_kpm_value_kind)(ri->present < 3 ? ri->present : KZ_KPM_VALUE_NONE);
    s->v.i = ri->u.integer;   /* both views of the union (defined in C11) */
    s->v.r = ri->u.real;
    if (it->by_k) {   /* values 0..k-1 were measurements 0..k-1, one label each */
        const kz_kpm_MeasurementInfoItem *mk = k < it->ninfo ? &it->mis[k] : NULL;
        if (mk && mk->labelInfoList.count == 1) {   /* an ID: still in step, fast path next */
            s->label = &mk->labelInfoList.items[0].measLabel;
            s->name = slot_name(it, k, &mk->measType);
            s->id = mk->measType.present == kz_kpm_MeasurementType_measID ? mk->measType.u.measID : 0;
            return;
        }
        it->mi = mk;
        it->l = 0;
        it->by_k = false;
        it->nfast = 0;   /* the rest of this period is ours */
    }
    const kz_kpm_MeasurementInfoItem *mi = it->mi;
    if (mi) {
        const kz_kpm_MeasurementType *mt = &mi->measType;
        uint32_t l = it->l, nl = mi->labelInfoList.count;
        s->label = l < nl ? &mi->labelInfoList.items[l].measLabel : NULL;
        if (mt->present == kz_kpm_MeasurementType_measName) {
            s->name = mt->u.measName;
            s->id = 0;
        } else {
            s->name = slot_name(it, (uint32_t)(mi - it->mis), mt);
            s->id = mt->present == kz_kpm_MeasurementType_measID ? mt->u.measID : 0;
        }
        if (++l < nl) {
            it->l = l;
        } else {   /* next measurement of measInfoList, if any */
            it->l = 0;
            mi++;
            it->mi = mi < it->mis + it->ninfo ? mi : NULL;
        }
    } else {   /* no list, or a value beyond it */
        s->label = NULL;
        s->name.buf = NULL;
        s->name.len = 0;
        s->id = 0;
    }
}

/* Format 2: the k-th value belongs to the k-th measCondUEidList item. */
__attribute__((noinline)) static void emit_cond(kz_kpm_iter *it, kz_kpm_sample *s)
{
    uint32_t k = it->k;
    const kz_kpm_MeasurementRecordItem *ri = &it->items[k];
    it->k = k + 1;
    s->index = k;
    s->v.kind = (kz_kpm_value_kind)(ri->present < 3 ? ri->present : KZ_KPM_VALUE_NONE);
    s->v.i = ri->u.integer;
    s->v.r = ri->u.real;
    s->label = NULL;
    s->cond = NULL;
    s->name.buf = NULL;
    s->name.len = 0;
    s->id = 0;
    if (k < it->conds->count) {
        s->cond = &it->conds->items[k];
        const kz_kpm_MeasurementType *mt = &s->cond->measType;
        s->name = slot_name(it, k, mt);
        s->id = mt->present == kz_kpm_MeasurementType_measID ? mt->u.measID : 0;
    }
}

/* The fast path's test: value k is measurement k, given by name, with one label. */
static inline bool fast_ok(const kz_kpm_iter *it, kz_kpm_sample *s, uint32_t k)
{
    return s == it->last && k < it->nfast &&
           it->mis[k].measType.present == kz_kpm_MeasurementType_measName &&
           it->mis[k].labelInfoList.count == 1;
}

/* The fast path's work: index, value, name, label. */
static inline bool emit_fast(kz_kpm_iter *it, kz_kpm_sample *s, uint32_t k)
{
    const kz_kpm_MeasurementRecordItem *ri = &it->items[k];
    const kz_kpm_MeasurementInfoItem *mi = &it->mis[k];
    uint32_t present = ri->present;
    it->k = k + 1;
    s->index = k;
    /* CHOICE integer = 1 and real = 2 are KZ_KPM_VALUE_INT and _REAL; noValue (3), none (0)
     * and unknown alternatives are KZ_KPM_VALUE_NONE */
    s->v.kind = (kz_kpm_value_kind)(present < 3 ? present : KZ_KPM_VALUE_NONE);
    s->v.i = ri->u.integer;   /* both views of the union (defined in C11) */
    s->v.r = ri->u.real;
    s->name = mi->measType.u.measName;
    s->label = &mi->labelInfoList.items[0].measLabel;
    s->id = 0;
    return true;
}

/* The slow path: a new period or UE report, another sample struct, a metric given by ID or
 * with several labels, format 2 -- or the end.  Writes the per-period fields of *s (cell,
 * UE, period, incomplete flag, timestamp) when they are not already there, then the value. */
__attribute__((noinline)) static bool next_slow(kz_kpm_iter *it, kz_kpm_sample *s)
{
    while (it->k >= it->nrec) {
        if (it->data && it->p + 1 < it->data->count) {
            it->p++;
            load_period(it);
        } else if (it->ues && it->u + 1 < it->ues->count) {
            it->u++;
            it->ue = &it->ues->items[it->u].ueID;
            load_report(it, &it->ues->items[it->u].measReport);
        } else {
            it->items = NULL;
            it->nrec = it->nfast = 0;
            it->last = NULL;
            return false;
        }
    }
    if (s != it->last) {
        s->cell = it->o.cell;
        s->ue = it->ue;
        s->period = it->p;
        s->incomplete = it->incomplete;
        s->ts_ns = it->ts_cur;
        s->cond = NULL;
    }
    if (it->conds) {
        emit_cond(it, s);   /* writes cond each time; last stays NULL */
        return true;
    }
    it->last = s;
    if (fast_ok(it, s, it->k))
        return emit_fast(it, s, it->k);
    emit_value(it, s);
    return true;
}

/* The fast path: the same sample struct as last time, same period, value k of measurement k
 * by name with one label: only the per-value fields change (see kz_kpm_iter_next in the
 * header).  No calls, so no registers to save. */
bool kz_kpm_iter_next(kz_kpm_iter *it, kz_kpm_sample *s)
{
    uint32_t k = it->k;
    if (!fast_ok(it, s, k))
        return next_slow(it, s);
    return emit_fast(it, s, k);
}

int kz_kpm_foreach(const kz_kpm_E2SM_KPM_IndicationHeader *hdr,
                   const kz_kpm_E2SM_KPM_IndicationMessage *msg, const kz_kpm_iter_opts *opts,
                   kz_kpm_sample_cb cb, void *user)
{
    kz_kpm_iter it;
    kz_kpm_sample s;
    int rc = kz_kpm_iter_init(&it, hdr, msg, opts);
    if (rc && rc != KZ_ERANGE)
        return rc;
    while (kz_kpm_iter_next(&it, &s)) {
        rc = cb(&s, user);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- building indications ------------------------------------------------------------------ */

long kz_kpm_build_header(const kz_kpm_header_info *h, uint8_t *buf, size_t cap)
{
    if (!h)
        return KZ_EINVAL;
    uint8_t ts[8];
    int rc = kz_kpm_ts_from_unix_ns(h->unix_ns, h->reading, ts);
    if (rc)
        return rc;
    kz_kpm_E2SM_KPM_IndicationHeader v;
    memset(&v, 0, sizeof v);
    v.indicationHeader_formats.present =
        kz_kpm_E2SM_KPM_IndicationHeader__indicationHeader_formats_indicationHeader_Format1;
    kz_kpm_E2SM_KPM_IndicationHeader_Format1 *f = &v.indicationHeader_formats.u.indicationHeader_Format1;
    f->colletStartTime.buf = ts;
    f->colletStartTime.len = 8;
    if ((f->has_fileFormatversion = h->file_format_version != NULL))
        f->fileFormatversion = cstr(h->file_format_version);
    if ((f->has_senderName = h->sender_name != NULL))
        f->senderName = cstr(h->sender_name);
    if ((f->has_senderType = h->sender_type != NULL))
        f->senderType = cstr(h->sender_type);
    if ((f->has_vendorName = h->vendor_name != NULL))
        f->vendorName = cstr(h->vendor_name);
    return encode(&kz_kpm_E2SM_KPM_IndicationHeader_desc, &v, buf, cap);
}

static int fill_report(kz_kpm_E2SM_KPM_IndicationMessage_Format1 *f, const kz_kpm_report *r,
                       kz_arena *a)
{
    if (!r || !r->values || r->n_periods == 0 || r->n_periods > 65535)
        return KZ_EINVAL;
    int rc = fill_meas_info(&f->measInfoList, r->metrics, r->n_metrics, a);
    if (rc)
        return rc;
    f->has_measInfoList = true;
    kz_kpm_MeasurementDataItem *d = kz_arena_alloc(a, r->n_periods * sizeof *d);
    kz_kpm_MeasurementRecordItem *v =
        kz_arena_alloc(a, r->n_periods * r->n_metrics * sizeof *v);
    if (!d || !v)
        return KZ_ENOMEM;
    for (size_t p = 0; p < r->n_periods; p++) {
        kz_kpm_MeasurementRecordItem *rec = v + p * r->n_metrics;
        for (size_t m = 0; m < r->n_metrics; m++) {
            const kz_kpm_value *x = &r->values[p * r->n_metrics + m];
            switch (x->kind) {
            case KZ_KPM_VALUE_INT:
                if (x->i < 0 || x->i > 4294967295LL)   /* integer INTEGER (0..4294967295) */
                    return KZ_ERANGE;
                rec[m].present = kz_kpm_MeasurementRecordItem_integer;
                rec[m].u.integer = x->i;
                break;
            case KZ_KPM_VALUE_REAL:
                rec[m].present = kz_kpm_MeasurementRecordItem_real;
                rec[m].u.real = x->r;
                break;
            case KZ_KPM_VALUE_NONE:
                rec[m].present = kz_kpm_MeasurementRecordItem_noValue;
                break;
            default:
                return KZ_EINVAL;
            }
        }
        d[p].measRecord.count = (uint32_t)r->n_metrics;
        d[p].measRecord.items = rec;
        d[p].has_incompleteFlag = r->incomplete && r->incomplete[p];
    }
    f->measData.count = (uint32_t)r->n_periods;
    f->measData.items = d;
    if ((f->has_granulPeriod = r->granul_ms != 0))
        f->granulPeriod = r->granul_ms;
    return 0;
}

long kz_kpm_build_message_f1(const kz_kpm_report *r, kz_arena *scratch, uint8_t *buf, size_t cap)
{
    if (!scratch)
        return KZ_EINVAL;
    kz_kpm_E2SM_KPM_IndicationMessage v;
    memset(&v, 0, sizeof v);
    v.indicationMessage_formats.present =
        kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format1;
    SCRATCH_BEGIN(scratch);
    long rc = fill_report(&v.indicationMessage_formats.u.indicationMessage_Format1, r, scratch);
    if (rc == 0)
        rc = encode(&kz_kpm_E2SM_KPM_IndicationMessage_desc, &v, buf, cap);
    SCRATCH_END(scratch);
    return rc;
}

long kz_kpm_build_message_f3(const kz_kpm_ue_report *ues, size_t n_ues, kz_arena *scratch,
                             uint8_t *buf, size_t cap)
{
    if (!scratch || !ues || n_ues == 0 || n_ues > 65535)
        return KZ_EINVAL;
    kz_kpm_E2SM_KPM_IndicationMessage v;
    memset(&v, 0, sizeof v);
    v.indicationMessage_formats.present =
        kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format3;
    kz_kpm_UEMeasurementReportList *l =
        &v.indicationMessage_formats.u.indicationMessage_Format3.ueMeasReportList;
    SCRATCH_BEGIN(scratch);
    long rc = 0;
    l->items = kz_arena_alloc(scratch, n_ues * sizeof *l->items);
    l->count = (uint32_t)n_ues;
    if (!l->items)
        rc = KZ_ENOMEM;
    for (size_t i = 0; rc == 0 && i < n_ues; i++) {
        if (!ues[i].ue) {
            rc = KZ_EINVAL;
            break;
        }
        l->items[i].ueID = *ues[i].ue;
        rc = fill_report(&l->items[i].measReport, &ues[i].report, scratch);
    }
    if (rc == 0)
        rc = encode(&kz_kpm_E2SM_KPM_IndicationMessage_desc, &v, buf, cap);
    SCRATCH_END(scratch);
    return rc;
}

/* ---- RAN function definition --------------------------------------------------------------- */

const char *const kz_kpm_gnb_cell_metrics[] = {
    "DRB.UEThpDl",         "DRB.UEThpUl",         "RRU.PrbUsedDl", "RRU.PrbUsedUl",
    "RRU.PrbAvailDl",      "RRU.PrbAvailUl",      "RRU.PrbTotDl",  "RRU.PrbTotUl",
    "DRB.PdcpSduVolumeDL", "DRB.PdcpSduVolumeUL", "RRC.ConnMean",  "RRC.ConnMax",
    "PEE.AvgPower",        "PEE.Energy",
};
const size_t kz_kpm_gnb_n_cell_metrics =
    sizeof kz_kpm_gnb_cell_metrics / sizeof kz_kpm_gnb_cell_metrics[0];

const char *const kz_kpm_gnb_ue_metrics[] = {
    "DRB.UEThpDl",   "DRB.UEThpUl",   "DRB.PdcpSduVolumeDL", "DRB.PdcpSduVolumeUL",
    "RRU.PrbUsedDl", "RRU.PrbUsedUl", "DRB.RlcSduDelayDl",
};
const size_t kz_kpm_gnb_n_ue_metrics = sizeof kz_kpm_gnb_ue_metrics / sizeof kz_kpm_gnb_ue_metrics[0];

/* Indication message format of each report style (KPM 7.4.1). */
static int64_t style_message_format(int64_t style)
{
    return style == 3 ? 2 : style >= 4 ? 3 : 1;
}

long kz_kpm_build_ran_function(const kz_kpm_ran_function_info *f, kz_arena *scratch,
                               uint8_t *buf, size_t cap)
{
    if (!f || !scratch || (f->n_styles && !f->styles) || f->n_styles > 63)
        return KZ_EINVAL;
    kz_kpm_E2SM_KPM_RANfunction_Description d;
    memset(&d, 0, sizeof d);
    d.ranFunction_Name.ranFunction_ShortName = cstr(f->short_name ? f->short_name : KZ_KPM_SHORT_NAME);
    d.ranFunction_Name.ranFunction_E2SM_OID = cstr(KZ_KPM_OID);
    d.ranFunction_Name.ranFunction_Description = cstr(f->description ? f->description : "KPM Monitor");
    if ((d.ranFunction_Name.has_ranFunction_Instance = f->instance >= 0))
        d.ranFunction_Name.ranFunction_Instance = f->instance;

    static const kz_kpm_RIC_EventTriggerStyle_Item periodic = {
        .ric_EventTriggerStyle_Type = 1,
        .ric_EventTriggerStyle_Name = { (const uint8_t *)"Periodic Report", 15 },
        .ric_EventTriggerFormat_Type = 1,
    };
    d.has_ric_EventTriggerStyle_List = true;
    d.ric_EventTriggerStyle_List.count = 1;
    d.ric_EventTriggerStyle_List.items = (kz_kpm_RIC_EventTriggerStyle_Item *)(uintptr_t)&periodic;

    SCRATCH_BEGIN(scratch);
    long rc = 0;
    if (f->n_styles) {
        kz_kpm_RIC_ReportStyle_Item *st = kz_arena_alloc(scratch, f->n_styles * sizeof *st);
        if (!st)
            rc = KZ_ENOMEM;
        for (size_t i = 0; rc == 0 && i < f->n_styles; i++) {
            const kz_kpm_report_style_info *si = &f->styles[i];
            if (!si->name || !si->metrics || si->n_metrics == 0 || si->type < 1) {
                rc = KZ_EINVAL;
                break;
            }
            st[i].ric_ReportStyle_Type = si->type;
            st[i].ric_ReportStyle_Name = cstr(si->name);
            st[i].ric_ActionFormat_Type = si->type <= 5 ? si->type : 1;
            st[i].ric_IndicationHeaderFormat_Type = 1;
            st[i].ric_IndicationMessageFormat_Type = style_message_format(si->type);
            kz_kpm_MeasurementInfo_Action_Item *m =
                kz_arena_alloc(scratch, si->n_metrics * sizeof *m);
            if (!m) {
                rc = KZ_ENOMEM;
                break;
            }
            for (size_t k = 0; k < si->n_metrics; k++) {
                m[k].measName = cstr(si->metrics[k]);
                if ((m[k].has_measID = si->first_id != 0))
                    m[k].measID = si->first_id + (int64_t)k;
            }
            st[i].measInfo_Action_List.count = (uint32_t)si->n_metrics;
            st[i].measInfo_Action_List.items = m;
        }
        d.has_ric_ReportStyle_List = true;
        d.ric_ReportStyle_List.count = (uint32_t)f->n_styles;
        d.ric_ReportStyle_List.items = st;
    }
    if (rc == 0)
        rc = encode(&kz_kpm_E2SM_KPM_RANfunction_Description_desc, &d, buf, cap);
    SCRATCH_END(scratch);
    return rc;
}

long kz_kpm_build_ran_function_gnb(kz_arena *scratch, uint8_t *buf, size_t cap)
{
    const kz_kpm_report_style_info styles[] = {
        { 1, "E2 Node Measurement", kz_kpm_gnb_cell_metrics, kz_kpm_gnb_n_cell_metrics, 1 },
        { 2, "E2 Node Measurement for a single UE", kz_kpm_gnb_ue_metrics,
          kz_kpm_gnb_n_ue_metrics, 101 },
        { 3, "Condition-based, UE-level E2 Node Measurement", kz_kpm_gnb_ue_metrics,
          kz_kpm_gnb_n_ue_metrics, 101 },
        { 4, "Common Condition-based, UE-level Measurement", kz_kpm_gnb_ue_metrics,
          kz_kpm_gnb_n_ue_metrics, 101 },
        { 5, "E2 Node Measurement for multiple UEs", kz_kpm_gnb_ue_metrics,
          kz_kpm_gnb_n_ue_metrics, 101 },
    };
    kz_kpm_ran_function_info f = { NULL, "KPM Monitor", 1, styles, 5 };
    return kz_kpm_build_ran_function(&f, scratch, buf, cap);
}

const kz_kpm_RIC_ReportStyle_Item *
kz_kpm_ran_function_style(const kz_kpm_E2SM_KPM_RANfunction_Description *def, int64_t style)
{
    if (!def || !def->has_ric_ReportStyle_List)
        return NULL;
    for (uint32_t s = 0; s < def->ric_ReportStyle_List.count; s++)
        if (def->ric_ReportStyle_List.items[s].ric_ReportStyle_Type == style)
            return &def->ric_ReportStyle_List.items[s];
    return NULL;
}

bool kz_kpm_ran_function_has_metric(const kz_kpm_E2SM_KPM_RANfunction_Description *def,
                                    int64_t style, const char *name)
{
    const kz_kpm_RIC_ReportStyle_Item *st = kz_kpm_ran_function_style(def, style);
    size_t n = name ? strlen(name) : 0;
    if (!st || n == 0)
        return false;
    for (uint32_t i = 0; i < st->measInfo_Action_List.count; i++) {
        const kz_octets *m = &st->measInfo_Action_List.items[i].measName;
        if (m->len == n && memcmp(m->buf, name, n) == 0)
            return true;
    }
    return false;
}
