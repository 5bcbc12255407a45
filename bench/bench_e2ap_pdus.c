/*
 * bench_e2ap_pdus.c -- builds the five reference PDUs of `make bench` (see bench_e2ap_pdus.h).
 *
 * The content follows what open E2 agents (OAI, srsRAN) send: KPM v3 metric names from
 * TS 28.552, a GUAMI-based gNB UE ID, the RC "Handover Control" parameter tree of
 * E2SM-RC 8.4.4.1.  Nothing is chosen to make a codec look good: the sizes are those of
 * real messages, and the E2SM payloads are real encodings made with the generated
 * KPM / RC descriptors.  Everything lives in the caller's arena.
 */
#include <stdio.h>
#include <string.h>

#include "kizuna/e2sm_kpm_types.h"
#include "kizuna/e2sm_rc_types.h"

#include "bench_e2ap_pdus.h"

#define NEW(a, T, n) ((T *)kz_arena_alloc((a), sizeof(T) * (size_t)(n)))
#define TRY_ALLOC(p) do { if (!(p)) return KZ_ENOMEM; } while (0)

static const uint8_t plmn_00101[3] = { 0x00, 0xf1, 0x10 };   /* MCC 001, MNC 01 */

/* Ten cell-level KPM metrics (TS 28.552 names as E2 agents report them). */
static const char *const cell_metrics[10] = {
    "DRB.UEThpDl", "DRB.UEThpUl", "RRU.PrbUsedDl", "RRU.PrbUsedUl", "RRU.PrbAvailDl",
    "RRU.PrbAvailUl", "DRB.RlcSduDelayDl", "DRB.PdcpSduVolumeDL", "DRB.PdcpSduVolumeUL",
    "RRC.ConnMean",
};
/* Five UE-level metrics for the format 3 report. */
static const char *const ue_metrics[5] = {
    "DRB.UEThpDl", "DRB.UEThpUl", "RRU.PrbUsedDl", "RRU.PrbUsedUl", "DRB.RlcSduDelayDl",
};

static kz_octets str(const char *s)
{
    return (kz_octets){ (const uint8_t *)s, (uint32_t)strlen(s) };
}

static kz_octets plmn(void)
{
    return (kz_octets){ plmn_00101, 3 };
}

/* The low nbits of v as a left-aligned BIT STRING in the arena. */
static int bits(kz_arena *a, uint64_t v, unsigned nbits, kz_bits *out)
{
    unsigned nbytes = (nbits + 7) / 8;
    uint8_t *p = NEW(a, uint8_t, nbytes);
    TRY_ALLOC(p);
    uint64_t aligned = v << (nbytes * 8 - nbits);
    for (unsigned i = 0; i < nbytes; i++)
        p[i] = (uint8_t)(aligned >> (8 * (nbytes - 1 - i)));
    *out = (kz_bits){ p, nbits };
    return 0;
}

/* Encode an E2SM value with its generated descriptor into the arena. */
static int e2sm_encode(kz_arena *a, const kz_asn_type *t, const void *v, kz_octets *out)
{
    static const size_t cap = 32768;
    uint8_t *p = NEW(a, uint8_t, cap);
    TRY_ALLOC(p);
    kz_asn_diag diag;
    long n = kz_asn_encode(t, v, p, cap, &diag);
    if (n < 0) {
        char msg[512];
        fprintf(stderr, "bench: encoding %s failed: %s\n", t->name,
                kz_asn_diag_format(&diag, msg, sizeof msg));
        return (int)n;
    }
    a->used -= cap - (size_t)n;   /* give back what the encoding did not use */
    *out = (kz_octets){ p, (uint32_t)n };
    return 0;
}

static int guami(kz_arena *a, kz_e2sm_GUAMI *g)
{
    int rc;
    g->pLMNIdentity = plmn();
    if ((rc = bits(a, 0x80, 8, &g->aMFRegionID)) ||
        (rc = bits(a, 1, 10, &g->aMFSetID)) ||
        (rc = bits(a, 1, 6, &g->aMFPointer)))
        return rc;
    return 0;
}

/* A 5G gNB UE ID: AMF UE NGAP ID and GUAMI (the mandatory part, as OAI and srsRAN send it). */
static int gnb_ueid(kz_arena *a, int64_t amf_ue_ngap_id, kz_e2sm_UEID *u)
{
    u->present = kz_e2sm_UEID_gNB_UEID;
    u->u.gNB_UEID.amf_UE_NGAP_ID = amf_ue_ngap_id;
    return guami(a, &u->u.gNB_UEID.guami);
}

/* ---- E2SM-KPM payloads ------------------------------------------------------------------ */

static int kpm_ranfunction_definition(kz_arena *a, kz_octets *out)
{
    kz_kpm_E2SM_KPM_RANfunction_Description d;
    memset(&d, 0, sizeof d);
    d.ranFunction_Name.ranFunction_ShortName = str("ORAN-E2SM-KPM");
    d.ranFunction_Name.ranFunction_E2SM_OID = str("1.3.6.1.4.1.53148.1.3.2.2");
    d.ranFunction_Name.ranFunction_Description = str("KPM Monitor");
    d.ranFunction_Name.has_ranFunction_Instance = true;
    d.ranFunction_Name.ranFunction_Instance = 1;

    d.has_ric_EventTriggerStyle_List = true;
    d.ric_EventTriggerStyle_List.count = 1;
    kz_kpm_RIC_EventTriggerStyle_Item *et = NEW(a, kz_kpm_RIC_EventTriggerStyle_Item, 1);
    TRY_ALLOC(et);
    et->ric_EventTriggerStyle_Type = 1;
    et->ric_EventTriggerStyle_Name = str("Periodic Report");
    et->ric_EventTriggerFormat_Type = 1;
    d.ric_EventTriggerStyle_List.items = et;

    /* Styles 1 (E2 node measurement), 4 (condition-based UE-level) and 5 (UE-level for a
     * list of UEs), each offering the ten cell metrics with their IDs. */
    static const struct { int64_t style, action_fmt, msg_fmt; const char *name; } styles[3] = {
        { 1, 1, 1, "E2 Node Measurement" },
        { 4, 4, 3, "Common Condition-based, UE-level Measurement" },
        { 5, 5, 3, "E2 Node Measurement for multiple UEs" },
    };
    d.has_ric_ReportStyle_List = true;
    d.ric_ReportStyle_List.count = 3;
    kz_kpm_RIC_ReportStyle_Item *rs = NEW(a, kz_kpm_RIC_ReportStyle_Item, 3);
    TRY_ALLOC(rs);
    d.ric_ReportStyle_List.items = rs;
    for (unsigned s = 0; s < 3; s++) {
        rs[s].ric_ReportStyle_Type = styles[s].style;
        rs[s].ric_ReportStyle_Name = str(styles[s].name);
        rs[s].ric_ActionFormat_Type = styles[s].action_fmt;
        rs[s].ric_IndicationHeaderFormat_Type = 1;
        rs[s].ric_IndicationMessageFormat_Type = styles[s].msg_fmt;
        kz_kpm_MeasurementInfo_Action_Item *mi = NEW(a, kz_kpm_MeasurementInfo_Action_Item, 10);
        TRY_ALLOC(mi);
        for (unsigned m = 0; m < 10; m++) {
            mi[m].measName = str(cell_metrics[m]);
            mi[m].has_measID = true;
            mi[m].measID = m + 1;
        }
        rs[s].measInfo_Action_List.count = 10;
        rs[s].measInfo_Action_List.items = mi;
    }
    return e2sm_encode(a, &kz_kpm_E2SM_KPM_RANfunction_Description_desc, &d, out);
}

static int kpm_event_trigger(kz_arena *a, kz_octets *out)
{
    kz_kpm_E2SM_KPM_EventTriggerDefinition t;
    memset(&t, 0, sizeof t);
    t.eventDefinition_formats.present =
        kz_kpm_E2SM_KPM_EventTriggerDefinition__eventDefinition_formats_eventDefinition_Format1;
    t.eventDefinition_formats.u.eventDefinition_Format1.reportingPeriod = 1000;
    return e2sm_encode(a, &kz_kpm_E2SM_KPM_EventTriggerDefinition_desc, &t, out);
}

/* n measInfo items by name, each with the one "noLabel" label KPM asks for. */
static int meas_info_list(kz_arena *a, const char *const *names, unsigned n,
                          kz_kpm_MeasurementInfoList *out)
{
    kz_kpm_MeasurementInfoItem *it = NEW(a, kz_kpm_MeasurementInfoItem, n);
    kz_kpm_LabelInfoItem *lab = NEW(a, kz_kpm_LabelInfoItem, n);
    TRY_ALLOC(it);
    TRY_ALLOC(lab);
    for (unsigned i = 0; i < n; i++) {
        it[i].measType.present = kz_kpm_MeasurementType_measName;
        it[i].measType.u.measName = str(names[i]);
        lab[i].measLabel.has_noLabel = true;
        lab[i].measLabel.noLabel = kz_kpm_MeasurementLabel__noLabel_true;
        it[i].labelInfoList.count = 1;
        it[i].labelInfoList.items = &lab[i];
    }
    out->count = n;
    out->items = it;
    return 0;
}

static int nr_cgi(kz_arena *a, uint64_t nci, kz_e2sm_CGI *c)
{
    c->present = kz_e2sm_CGI_nR_CGI;
    c->u.nR_CGI.pLMNIdentity = plmn();
    return bits(a, nci, 36, &c->u.nR_CGI.nRCellIdentity);
}

static int kpm_action_definition(kz_arena *a, kz_octets *out)
{
    kz_kpm_E2SM_KPM_ActionDefinition d;
    memset(&d, 0, sizeof d);
    d.ric_Style_Type = 1;
    d.actionDefinition_formats.present =
        kz_kpm_E2SM_KPM_ActionDefinition__actionDefinition_formats_actionDefinition_Format1;
    kz_kpm_E2SM_KPM_ActionDefinition_Format1 *f = &d.actionDefinition_formats.u.actionDefinition_Format1;
    int rc;
    if ((rc = meas_info_list(a, cell_metrics, 10, &f->measInfoList)))
        return rc;
    f->granulPeriod = 1000;
    f->has_cellGlobalID = true;
    if ((rc = nr_cgi(a, 0x000e00001, &f->cellGlobalID)))
        return rc;
    return e2sm_encode(a, &kz_kpm_E2SM_KPM_ActionDefinition_desc, &d, out);
}

static int kpm_indication_header(kz_arena *a, kz_octets *out)
{
    /* NTP time 2024-08-06 10:00:00 UTC (seconds since 1900, then the fraction). */
    static const uint8_t ntp[8] = { 0xea, 0x5c, 0x8c, 0xd0, 0x00, 0x00, 0x00, 0x00 };
    kz_kpm_E2SM_KPM_IndicationHeader h;
    memset(&h, 0, sizeof h);
    h.indicationHeader_formats.present =
        kz_kpm_E2SM_KPM_IndicationHeader__indicationHeader_formats_indicationHeader_Format1;
    kz_kpm_E2SM_KPM_IndicationHeader_Format1 *f = &h.indicationHeader_formats.u.indicationHeader_Format1;
    f->colletStartTime = (kz_octets){ ntp, sizeof ntp };
    f->has_senderName = true;
    f->senderName = str("gnb-0001");
    f->has_senderType = true;
    f->senderType = str("gNB");
    f->has_vendorName = true;
    f->vendorName = str("kizuna-emu");
    return e2sm_encode(a, &kz_kpm_E2SM_KPM_IndicationHeader_desc, &h, out);
}

/* One measData entry with n values: throughput and delay as REAL, counts as INTEGER. */
static int meas_record(kz_arena *a, const char *const *names, unsigned n, unsigned seed,
                       kz_kpm_MeasurementData *out)
{
    kz_kpm_MeasurementDataItem *di = NEW(a, kz_kpm_MeasurementDataItem, 1);
    kz_kpm_MeasurementRecordItem *r = NEW(a, kz_kpm_MeasurementRecordItem, n);
    TRY_ALLOC(di);
    TRY_ALLOC(r);
    for (unsigned i = 0; i < n; i++) {
        if (strstr(names[i], "Thp") || strstr(names[i], "Delay")) {
            r[i].present = kz_kpm_MeasurementRecordItem_real;
            r[i].u.real = 1234.5 + 97.25 * (double)((seed * 7 + i * 13) % 50);
        } else {
            r[i].present = kz_kpm_MeasurementRecordItem_integer;
            r[i].u.integer = (int64_t)((seed * 31 + i * 17) % 273);
        }
    }
    di->measRecord.count = n;
    di->measRecord.items = r;
    out->count = 1;
    out->items = di;
    return 0;
}

static int kpm_indication_message_f1(kz_arena *a, kz_octets *out)
{
    kz_kpm_E2SM_KPM_IndicationMessage m;
    memset(&m, 0, sizeof m);
    m.indicationMessage_formats.present =
        kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format1;
    kz_kpm_E2SM_KPM_IndicationMessage_Format1 *f = &m.indicationMessage_formats.u.indicationMessage_Format1;
    int rc;
    if ((rc = meas_record(a, cell_metrics, 10, 1, &f->measData)))
        return rc;
    f->has_measInfoList = true;
    if ((rc = meas_info_list(a, cell_metrics, 10, &f->measInfoList)))
        return rc;
    f->has_granulPeriod = true;
    f->granulPeriod = 1000;
    return e2sm_encode(a, &kz_kpm_E2SM_KPM_IndicationMessage_desc, &m, out);
}

static int kpm_indication_message_f3(kz_arena *a, unsigned nues, kz_octets *out)
{
    kz_kpm_E2SM_KPM_IndicationMessage m;
    memset(&m, 0, sizeof m);
    m.indicationMessage_formats.present =
        kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format3;
    kz_kpm_UEMeasurementReportList *l = &m.indicationMessage_formats.u.indicationMessage_Format3.ueMeasReportList;
    kz_kpm_UEMeasurementReportItem *ue = NEW(a, kz_kpm_UEMeasurementReportItem, nues);
    TRY_ALLOC(ue);
    int rc;
    for (unsigned i = 0; i < nues; i++) {
        if ((rc = gnb_ueid(a, 4096 + i, &ue[i].ueID)) ||
            (rc = meas_record(a, ue_metrics, 5, i, &ue[i].measReport.measData)))
            return rc;
        ue[i].measReport.has_measInfoList = true;
        if ((rc = meas_info_list(a, ue_metrics, 5, &ue[i].measReport.measInfoList)))
            return rc;
        ue[i].measReport.has_granulPeriod = true;
        ue[i].measReport.granulPeriod = 1000;
    }
    l->count = nues;
    l->items = ue;
    return e2sm_encode(a, &kz_kpm_E2SM_KPM_IndicationMessage_desc, &m, out);
}

/* ---- E2SM-RC payloads ------------------------------------------------------------------- */

static int rc_ranfunction_definition(kz_arena *a, kz_octets *out)
{
    kz_rc_E2SM_RC_RANFunctionDefinition d;
    memset(&d, 0, sizeof d);
    d.ranFunction_Name.ranFunction_ShortName = str("ORAN-E2SM-RC");
    d.ranFunction_Name.ranFunction_E2SM_OID = str("1.3.6.1.4.1.53148.1.1.2.3");
    d.ranFunction_Name.ranFunction_Description = str("RAN Control");
    d.ranFunction_Name.has_ranFunction_Instance = true;
    d.ranFunction_Name.ranFunction_Instance = 1;

    d.has_ranFunctionDefinition_EventTrigger = true;
    kz_rc_RANFunctionDefinition_EventTrigger_Style_Item *et =
        NEW(a, kz_rc_RANFunctionDefinition_EventTrigger_Style_Item, 2);
    TRY_ALLOC(et);
    et[0] = (kz_rc_RANFunctionDefinition_EventTrigger_Style_Item){ 1, str("Message Event"), 1 };
    et[1] = (kz_rc_RANFunctionDefinition_EventTrigger_Style_Item){ 4, str("UE Information Change"), 4 };
    d.ranFunctionDefinition_EventTrigger.ric_EventTriggerStyle_List.count = 2;
    d.ranFunctionDefinition_EventTrigger.ric_EventTriggerStyle_List.items = et;

    /* Report style 4 "UE Information" (RRC state). */
    d.has_ranFunctionDefinition_Report = true;
    kz_rc_RANFunctionDefinition_Report_Item *rs = NEW(a, kz_rc_RANFunctionDefinition_Report_Item, 1);
    kz_rc_Report_RANParameter_Item *rp = NEW(a, kz_rc_Report_RANParameter_Item, 1);
    TRY_ALLOC(rs);
    TRY_ALLOC(rp);
    rp->ranParameter_ID = 202;
    rp->ranParameter_name = str("RRC State Changed To");
    rs->ric_ReportStyle_Type = 4;
    rs->ric_ReportStyle_Name = str("UE Information");
    rs->ric_SupportedEventTriggerStyle_Type = 4;
    rs->ric_ReportActionFormat_Type = 1;
    rs->ric_IndicationHeaderFormat_Type = 1;
    rs->ric_IndicationMessageFormat_Type = 2;
    rs->has_ran_ReportParameters_List = true;
    rs->ran_ReportParameters_List.count = 1;
    rs->ran_ReportParameters_List.items = rp;
    d.ranFunctionDefinition_Report.ric_ReportStyle_List.count = 1;
    d.ranFunctionDefinition_Report.ric_ReportStyle_List.items = rs;

    /* Control style 3 "Connected Mode Mobility", action 1 "Handover Control" with the
     * parameter tree of E2SM-RC 8.4.4.1. */
    static const struct { int64_t id; const char *name; } ho_params[6] = {
        { 1, "Target Primary Cell ID" }, { 2, "CHOICE Target Cell" }, { 3, "NR Cell" },
        { 4, "NR CGI" }, { 5, "E-UTRA Cell" }, { 6, "E-UTRA CGI" },
    };
    kz_rc_ControlAction_RANParameter_Item *cp = NEW(a, kz_rc_ControlAction_RANParameter_Item, 6);
    kz_rc_RANFunctionDefinition_Control_Action_Item *ca =
        NEW(a, kz_rc_RANFunctionDefinition_Control_Action_Item, 1);
    kz_rc_RANFunctionDefinition_Control_Item *cs = NEW(a, kz_rc_RANFunctionDefinition_Control_Item, 1);
    TRY_ALLOC(cp);
    TRY_ALLOC(ca);
    TRY_ALLOC(cs);
    for (unsigned i = 0; i < 6; i++) {
        cp[i].ranParameter_ID = ho_params[i].id;
        cp[i].ranParameter_name = str(ho_params[i].name);
    }
    ca->ric_ControlAction_ID = 1;
    ca->ric_ControlAction_Name = str("Handover Control");
    ca->has_ran_ControlActionParameters_List = true;
    ca->ran_ControlActionParameters_List.count = 6;
    ca->ran_ControlActionParameters_List.items = cp;
    cs->ric_ControlStyle_Type = 3;
    cs->ric_ControlStyle_Name = str("Connected Mode Mobility Control");
    cs->has_ric_ControlAction_List = true;
    cs->ric_ControlAction_List.count = 1;
    cs->ric_ControlAction_List.items = ca;
    cs->ric_ControlHeaderFormat_Type = 1;
    cs->ric_ControlMessageFormat_Type = 1;
    cs->ric_ControlOutcomeFormat_Type = 1;
    d.has_ranFunctionDefinition_Control = true;
    d.ranFunctionDefinition_Control.ric_ControlStyle_List.count = 1;
    d.ranFunctionDefinition_Control.ric_ControlStyle_List.items = cs;
    return e2sm_encode(a, &kz_rc_E2SM_RC_RANFunctionDefinition_desc, &d, out);
}

static int rc_control_header(kz_arena *a, kz_octets *out)
{
    kz_rc_E2SM_RC_ControlHeader h;
    memset(&h, 0, sizeof h);
    h.ric_controlHeader_formats.present =
        kz_rc_E2SM_RC_ControlHeader__ric_controlHeader_formats_controlHeader_Format1;
    kz_rc_E2SM_RC_ControlHeader_Format1 *f = &h.ric_controlHeader_formats.u.controlHeader_Format1;
    int rc = gnb_ueid(a, 4101, &f->ueID);
    if (rc)
        return rc;
    f->ric_Style_Type = 3;          /* Connected Mode Mobility Control */
    f->ric_ControlAction_ID = 1;    /* Handover Control */
    return e2sm_encode(a, &kz_rc_E2SM_RC_ControlHeader_desc, &h, out);
}

/* A STRUCTURE parameter holding one item. */
static void rc_structure(kz_rc_RANParameter_ValueType *vt, kz_rc_RANParameter_STRUCTURE_Item *inner)
{
    vt->present = kz_rc_RANParameter_ValueType_ranP_Choice_Structure;
    kz_rc_RANParameter_STRUCTURE *s = &vt->u.ranP_Choice_Structure.ranParameter_Structure;
    s->has_sequence_of_ranParameters = true;
    s->sequence_of_ranParameters.count = 1;
    s->sequence_of_ranParameters.items = inner;
}

static int rc_control_message(kz_arena *a, kz_octets *out)
{
    /* Target Primary Cell ID > CHOICE Target Cell > NR Cell > NR CGI (PLMN + 36-bit NCI). */
    static const uint8_t target_cgi[8] = { 0x00, 0xf1, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x20 };
    kz_rc_E2SM_RC_ControlMessage m;
    memset(&m, 0, sizeof m);
    m.ric_controlMessage_formats.present =
        kz_rc_E2SM_RC_ControlMessage__ric_controlMessage_formats_controlMessage_Format1;
    kz_rc_E2SM_RC_ControlMessage_Format1_Item *top = NEW(a, kz_rc_E2SM_RC_ControlMessage_Format1_Item, 1);
    kz_rc_RANParameter_STRUCTURE_Item *p = NEW(a, kz_rc_RANParameter_STRUCTURE_Item, 3);
    TRY_ALLOC(top);
    TRY_ALLOC(p);
    top->ranParameter_ID = 1;                       /* Target Primary Cell ID */
    rc_structure(&top->ranParameter_valueType, &p[0]);
    p[0].ranParameter_ID = 2;                       /* CHOICE Target Cell */
    rc_structure(&p[0].ranParameter_valueType, &p[1]);
    p[1].ranParameter_ID = 3;                       /* NR Cell */
    rc_structure(&p[1].ranParameter_valueType, &p[2]);
    p[2].ranParameter_ID = 4;                       /* NR CGI */
    p[2].ranParameter_valueType.present = kz_rc_RANParameter_ValueType_ranP_Choice_ElementFalse;
    kz_rc_RANParameter_ValueType_Choice_ElementFalse *el = &p[2].ranParameter_valueType.u.ranP_Choice_ElementFalse;
    el->has_ranParameter_value = true;
    el->ranParameter_value.present = kz_rc_RANParameter_Value_valueOctS;
    el->ranParameter_value.u.valueOctS = (kz_octets){ target_cgi, sizeof target_cgi };
    m.ric_controlMessage_formats.u.controlMessage_Format1.ranP_List.count = 1;
    m.ric_controlMessage_formats.u.controlMessage_Format1.ranP_List.items = top;
    return e2sm_encode(a, &kz_rc_E2SM_RC_ControlMessage_desc, &m, out);
}

/* ---- the five E2AP PDUs ----------------------------------------------------------------- */

static int p1_e2setup_request(kz_arena *a, kz_e2ap_pdu *pdu)
{
    pdu->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_E2setupRequest;
    kz_e2ap_E2setupRequest *r = &pdu->u.initiatingMessage.u.E2setupRequest;
    int rc;
    r->TransactionID = 1;
    r->GlobalE2node_ID.present = kz_e2ap_GlobalE2node_ID_gNB;
    kz_e2ap_GlobalgNB_ID *g = &r->GlobalE2node_ID.u.gNB.global_gNB_ID;
    g->plmn_id = plmn();
    g->gnb_id.present = kz_e2ap_GNB_ID_Choice_gnb_ID;
    if ((rc = bits(a, 0xe00, 22, &g->gnb_id.u.gnb_ID)))
        return rc;

    kz_e2ap_RANfunctions_List__item *rf = NEW(a, kz_e2ap_RANfunctions_List__item, 2);
    TRY_ALLOC(rf);
    rf[0].value.ranFunctionID = 2;
    rf[0].value.ranFunctionRevision = 1;
    rf[0].value.ranFunctionOID = str("1.3.6.1.4.1.53148.1.3.2.2");
    if ((rc = kpm_ranfunction_definition(a, &rf[0].value.ranFunctionDefinition)))
        return rc;
    rf[1].value.ranFunctionID = 3;
    rf[1].value.ranFunctionRevision = 1;
    rf[1].value.ranFunctionOID = str("1.3.6.1.4.1.53148.1.1.2.3");
    if ((rc = rc_ranfunction_definition(a, &rf[1].value.ranFunctionDefinition)))
        return rc;
    r->RANfunctionsAdded.count = 2;
    r->RANfunctionsAdded.items = rf;

    /* The NG interface, with the NGSetupRequest / NGSetupResponse it carried (opaque here:
     * E2AP keeps them as octet strings; 58 and 41 octets are typical sizes). */
    enum { NG_REQ = 58, NG_RESP = 41 };
    uint8_t *ng_req = NEW(a, uint8_t, NG_REQ), *ng_resp = NEW(a, uint8_t, NG_RESP);
    TRY_ALLOC(ng_req);
    TRY_ALLOC(ng_resp);
    for (unsigned i = 0; i < NG_REQ; i++)
        ng_req[i] = (uint8_t)(i * 37 + 11);
    for (unsigned i = 0; i < NG_RESP; i++)
        ng_resp[i] = (uint8_t)(i * 53 + 7);
    kz_e2ap_E2nodeComponentConfigAddition_List__item *cc =
        NEW(a, kz_e2ap_E2nodeComponentConfigAddition_List__item, 1);
    TRY_ALLOC(cc);
    cc->value.e2nodeComponentInterfaceType = kz_e2ap_E2nodeComponentInterfaceType_ng;
    cc->value.e2nodeComponentID.present = kz_e2ap_E2nodeComponentID_e2nodeComponentInterfaceTypeNG;
    cc->value.e2nodeComponentID.u.e2nodeComponentInterfaceTypeNG.amf_name = str("amf1.mnc001.mcc001");
    cc->value.e2nodeComponentConfiguration.e2nodeComponentRequestPart = (kz_octets){ ng_req, NG_REQ };
    cc->value.e2nodeComponentConfiguration.e2nodeComponentResponsePart = (kz_octets){ ng_resp, NG_RESP };
    r->E2nodeComponentConfigAddition.count = 1;
    r->E2nodeComponentConfigAddition.items = cc;
    return 0;
}

static int p2_subscription_request(kz_arena *a, kz_e2ap_pdu *pdu)
{
    pdu->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICsubscriptionRequest;
    kz_e2ap_RICsubscriptionRequest *r = &pdu->u.initiatingMessage.u.RICsubscriptionRequest;
    int rc;
    r->RICrequestID.ricRequestorID = 1001;
    r->RICrequestID.ricInstanceID = 1;
    r->RANfunctionID = 2;
    if ((rc = kpm_event_trigger(a, &r->RICsubscriptionDetails.ricEventTriggerDefinition)))
        return rc;
    kz_e2ap_RICactions_ToBeSetup_List__item *act = NEW(a, kz_e2ap_RICactions_ToBeSetup_List__item, 1);
    TRY_ALLOC(act);
    act->value.ricActionID = 1;
    act->value.ricActionType = kz_e2ap_RICactionType_report;
    act->value.has_ricActionDefinition = true;
    if ((rc = kpm_action_definition(a, &act->value.ricActionDefinition)))
        return rc;
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.count = 1;
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.items = act;
    return 0;
}

static int indication(kz_arena *a, kz_e2ap_pdu *pdu, unsigned nues)
{
    pdu->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
    kz_e2ap_RICindication *r = &pdu->u.initiatingMessage.u.RICindication;
    int rc;
    r->RICrequestID.ricRequestorID = 1001;
    r->RICrequestID.ricInstanceID = 1;
    r->RANfunctionID = 2;
    r->RICactionID = 1;
    r->has_RICindicationSN = true;
    r->RICindicationSN = 4711;
    r->RICindicationType = kz_e2ap_RICindicationType_report;
    if ((rc = kpm_indication_header(a, &r->RICindicationHeader)))
        return rc;
    return nues ? kpm_indication_message_f3(a, nues, &r->RICindicationMessage)
                : kpm_indication_message_f1(a, &r->RICindicationMessage);
}

static int p5_control_request(kz_arena *a, kz_e2ap_pdu *pdu)
{
    pdu->present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu->u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICcontrolRequest;
    kz_e2ap_RICcontrolRequest *r = &pdu->u.initiatingMessage.u.RICcontrolRequest;
    int rc;
    r->RICrequestID.ricRequestorID = 1002;
    r->RICrequestID.ricInstanceID = 1;
    r->RANfunctionID = 3;
    if ((rc = rc_control_header(a, &r->RICcontrolHeader)) ||
        (rc = rc_control_message(a, &r->RICcontrolMessage)))
        return rc;
    r->has_RICcontrolAckRequest = true;
    r->RICcontrolAckRequest = kz_e2ap_RICcontrolAckRequest_ack;
    return 0;
}

int kz_bench_pdus_build(kz_arena *a, kz_bench_pdu out[KZ_BENCH_NPDUS])
{
    memset(out, 0, sizeof(kz_bench_pdu) * KZ_BENCH_NPDUS);
    out[0].name = "P1";
    out[0].what = "E2setupRequest: gNB, KPM + RC RAN functions, 1 component config";
    out[1].name = "P2";
    out[1].what = "RICsubscriptionRequest: KPM trigger 1000 ms, 1 REPORT action, 10 metrics";
    out[2].name = "P3";
    out[2].what = "RICindication: KPM header f1 + message f1, 10 metrics x 1 record";
    out[3].name = "P4";
    out[3].what = "RICindication: KPM message f3, 64 UEs x 5 metrics";
    out[4].name = "P5";
    out[4].what = "RICcontrolRequest: RC header f1 (UE ID) + message f1, handover to NR CGI";
    int rc;
    if ((rc = p1_e2setup_request(a, &out[0].pdu)) ||
        (rc = p2_subscription_request(a, &out[1].pdu)) ||
        (rc = indication(a, &out[2].pdu, 0)) ||
        (rc = indication(a, &out[3].pdu, 64)) ||
        (rc = p5_control_request(a, &out[4].pdu)))
        return rc;
    return 0;
}
