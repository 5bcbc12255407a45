/*
 * e2sm_rc.c -- E2SM-RC v01.03 helpers (see kizuna/e2sm_rc.h).
 *
 * The handover tree is small and fixed, so it is built in automatic storage and encoded with
 * the generated descriptors in one call: no arena, no malloc.  Reading goes the other way:
 * decode with the descriptors, then search the parameter tree by ID, since a node may order
 * the items or nest them however the tree allows.
 */
#include <math.h>
#include <string.h>

#include "kizuna/e2sm_rc.h"

static kz_octets cstr(const char *s)
{
    kz_octets o = { (const uint8_t *)s, (uint32_t)strlen(s) };
    return o;
}

void kz_rc_ueid_gnb(kz_e2sm_UEID *out, kz_rc_guami_store *st, int64_t amf_ue_ngap_id,
                    const uint8_t plmn[3], uint8_t region, uint16_t set_id, uint8_t pointer)
{
    memcpy(st->plmn, plmn, 3);
    st->region[0] = region;
    st->set[0] = (uint8_t)(set_id >> 2);            /* 10 bits, left-aligned */
    st->set[1] = (uint8_t)((set_id & 3) << 6);
    st->pointer[0] = (uint8_t)((pointer & 0x3F) << 2);
    memset(out, 0, sizeof *out);
    out->present = kz_e2sm_UEID_gNB_UEID;
    kz_e2sm_UEID_GNB *g = &out->u.gNB_UEID;
    g->amf_UE_NGAP_ID = amf_ue_ngap_id;
    g->guami.pLMNIdentity.buf = st->plmn;
    g->guami.pLMNIdentity.len = 3;
    g->guami.aMFRegionID.buf = st->region;
    g->guami.aMFRegionID.nbits = 8;
    g->guami.aMFSetID.buf = st->set;
    g->guami.aMFSetID.nbits = 10;
    g->guami.aMFPointer.buf = st->pointer;
    g->guami.aMFPointer.nbits = 6;
}

/* ---- handover control ------------------------------------------------------------------------ */

long kz_rc_build_handover_header(const kz_e2sm_UEID *ue, uint8_t *buf, size_t cap)
{
    if (!ue)
        return KZ_EINVAL;
    kz_rc_E2SM_RC_ControlHeader h;
    memset(&h, 0, sizeof h);
    h.ric_controlHeader_formats.present =
        kz_rc_E2SM_RC_ControlHeader__ric_controlHeader_formats_controlHeader_Format1;
    kz_rc_E2SM_RC_ControlHeader_Format1 *f = &h.ric_controlHeader_formats.u.controlHeader_Format1;
    f->ueID = *ue;
    f->ric_Style_Type = KZ_RC_STYLE_MOBILITY;
    f->ric_ControlAction_ID = KZ_RC_ACTION_HANDOVER;
    return kz_asn_encode(&kz_rc_E2SM_RC_ControlHeader_desc, &h, buf, cap, NULL);
}

static void set_structure(kz_rc_RANParameter_STRUCTURE_Item *it, int64_t id,
                          kz_rc_RANParameter_STRUCTURE_Item *child)
{
    it->ranParameter_ID = id;
    it->ranParameter_valueType.present = kz_rc_RANParameter_ValueType_ranP_Choice_Structure;
    kz_rc_RANParameter_STRUCTURE *s =
        &it->ranParameter_valueType.u.ranP_Choice_Structure.ranParameter_Structure;
    s->has_sequence_of_ranParameters = true;
    s->sequence_of_ranParameters.count = 1;
    s->sequence_of_ranParameters.items = child;
}

long kz_rc_build_handover_message(const kz_rc_nr_cgi *target, uint8_t *buf, size_t cap)
{
    if (!target || target->nci > 0xFFFFFFFFFull)
        return KZ_EINVAL;
    /* NR CGI as the APER bytes of the E2SM NR-CGI IE (at most 9 octets) */
    uint8_t nci[5], cgi_bytes[16];
    uint64_t v = target->nci << 4;
    for (int i = 0; i < 5; i++)
        nci[i] = (uint8_t)(v >> (32 - 8 * i));
    kz_e2sm_NR_CGI cgi = { { target->plmn, 3 }, { nci, 36 } };
    long n = kz_asn_encode(&kz_e2sm_NR_CGI_desc, &cgi, cgi_bytes, sizeof cgi_bytes, NULL);
    if (n < 0)
        return n;

    kz_rc_RANParameter_STRUCTURE_Item p1, p2, p3, p4;
    memset(&p4, 0, sizeof p4);
    p4.ranParameter_ID = KZ_RC_P_NR_CGI;
    p4.ranParameter_valueType.present = kz_rc_RANParameter_ValueType_ranP_Choice_ElementFalse;
    kz_rc_RANParameter_ValueType_Choice_ElementFalse *e =
        &p4.ranParameter_valueType.u.ranP_Choice_ElementFalse;
    e->has_ranParameter_value = true;
    e->ranParameter_value.present = kz_rc_RANParameter_Value_valueOctS;
    e->ranParameter_value.u.valueOctS.buf = cgi_bytes;
    e->ranParameter_value.u.valueOctS.len = (uint32_t)n;
    memset(&p3, 0, sizeof p3);
    set_structure(&p3, KZ_RC_P_NR_CELL, &p4);
    memset(&p2, 0, sizeof p2);
    set_structure(&p2, KZ_RC_P_TARGET_CELL_CHOICE, &p3);
    memset(&p1, 0, sizeof p1);
    set_structure(&p1, KZ_RC_P_TARGET_PRIMARY_CELL, &p2);

    /* Format1_Item and STRUCTURE_Item have the same fields; the list wants Format1_Item. */
    kz_rc_E2SM_RC_ControlMessage_Format1_Item top;
    top.ranParameter_ID = p1.ranParameter_ID;
    top.ranParameter_valueType = p1.ranParameter_valueType;
    kz_rc_E2SM_RC_ControlMessage m;
    memset(&m, 0, sizeof m);
    m.ric_controlMessage_formats.present =
        kz_rc_E2SM_RC_ControlMessage__ric_controlMessage_formats_controlMessage_Format1;
    m.ric_controlMessage_formats.u.controlMessage_Format1.ranP_List.count = 1;
    m.ric_controlMessage_formats.u.controlMessage_Format1.ranP_List.items = &top;
    return kz_asn_encode(&kz_rc_E2SM_RC_ControlMessage_desc, &m, buf, cap, NULL);
}

#define MAX_TREE_DEPTH 16

static const kz_rc_RANParameter_ValueType *find_in_value(const kz_rc_RANParameter_ValueType *vt,
                                                         int64_t id, int depth);

static const kz_rc_RANParameter_ValueType *find_in_structure(const kz_rc_RANParameter_STRUCTURE *s,
                                                             int64_t id, int depth)
{
    if (!s->has_sequence_of_ranParameters)
        return NULL;
    for (uint32_t i = 0; i < s->sequence_of_ranParameters.count; i++) {
        const kz_rc_RANParameter_STRUCTURE_Item *it = &s->sequence_of_ranParameters.items[i];
        if (it->ranParameter_ID == id)
            return &it->ranParameter_valueType;
        const kz_rc_RANParameter_ValueType *r = find_in_value(&it->ranParameter_valueType, id, depth + 1);
        if (r)
            return r;
    }
    return NULL;
}

static const kz_rc_RANParameter_ValueType *find_in_value(const kz_rc_RANParameter_ValueType *vt,
                                                         int64_t id, int depth)
{
    if (depth > MAX_TREE_DEPTH)
        return NULL;
    if (vt->present == kz_rc_RANParameter_ValueType_ranP_Choice_Structure)
        return find_in_structure(&vt->u.ranP_Choice_Structure.ranParameter_Structure, id, depth);
    if (vt->present == kz_rc_RANParameter_ValueType_ranP_Choice_List) {
        const kz_rc_RANParameter_LIST *l = &vt->u.ranP_Choice_List.ranParameter_List;
        for (uint32_t i = 0; i < l->list_of_ranParameter.count; i++) {
            const kz_rc_RANParameter_ValueType *r =
                find_in_structure(&l->list_of_ranParameter.items[i], id, depth + 1);
            if (r)
                return r;
        }
    }
    return NULL;
}

const kz_rc_RANParameter_ValueType *
kz_rc_find_param(const kz_rc_E2SM_RC_ControlMessage_Format1 *f1, int64_t id)
{
    if (!f1)
        return NULL;
    for (uint32_t i = 0; i < f1->ranP_List.count; i++) {
        const kz_rc_E2SM_RC_ControlMessage_Format1_Item *it = &f1->ranP_List.items[i];
        if (it->ranParameter_ID == id)
            return &it->ranParameter_valueType;
        const kz_rc_RANParameter_ValueType *r = find_in_value(&it->ranParameter_valueType, id, 1);
        if (r)
            return r;
    }
    return NULL;
}

/* The elementary value of a parameter, whichever element choice carries it. */
static const kz_rc_RANParameter_Value *element_value(const kz_rc_RANParameter_ValueType *vt)
{
    if (!vt)
        return NULL;
    if (vt->present == kz_rc_RANParameter_ValueType_ranP_Choice_ElementTrue)
        return &vt->u.ranP_Choice_ElementTrue.ranParameter_value;
    if (vt->present == kz_rc_RANParameter_ValueType_ranP_Choice_ElementFalse &&
        vt->u.ranP_Choice_ElementFalse.has_ranParameter_value)
        return &vt->u.ranP_Choice_ElementFalse.ranParameter_value;
    return NULL;
}

int kz_rc_parse_handover(const uint8_t *hdr, size_t hdr_len, const uint8_t *msg, size_t msg_len,
                         kz_arena *a, kz_rc_handover *out, kz_asn_diag *diag)
{
    kz_rc_E2SM_RC_ControlHeader *h;
    kz_rc_E2SM_RC_ControlMessage *m;
    memset(out, 0, sizeof *out);
    int rc = kz_asn_decode(&kz_rc_E2SM_RC_ControlHeader_desc, hdr, hdr_len, a, (void **)&h, diag);
    if (rc)
        return rc;
    rc = kz_asn_decode(&kz_rc_E2SM_RC_ControlMessage_desc, msg, msg_len, a, (void **)&m, diag);
    if (rc)
        return rc;
    if (h->ric_controlHeader_formats.present !=
        kz_rc_E2SM_RC_ControlHeader__ric_controlHeader_formats_controlHeader_Format1)
        return KZ_EPROTO;
    const kz_rc_E2SM_RC_ControlHeader_Format1 *f = &h->ric_controlHeader_formats.u.controlHeader_Format1;
    out->ue = &f->ueID;
    out->style = f->ric_Style_Type;
    out->action = f->ric_ControlAction_ID;
    if (out->style != KZ_RC_STYLE_MOBILITY || out->action != KZ_RC_ACTION_HANDOVER ||
        m->ric_controlMessage_formats.present !=
            kz_rc_E2SM_RC_ControlMessage__ric_controlMessage_formats_controlMessage_Format1)
        return KZ_EPROTO;
    const kz_rc_RANParameter_Value *v =
        element_value(kz_rc_find_param(&m->ric_controlMessage_formats.u.controlMessage_Format1,
                                       KZ_RC_P_NR_CGI));
    if (!v || v->present != kz_rc_RANParameter_Value_valueOctS)
        return KZ_EPROTO;
    kz_e2sm_NR_CGI *cgi;
    rc = kz_asn_decode(&kz_e2sm_NR_CGI_desc, v->u.valueOctS.buf, v->u.valueOctS.len, a,
                       (void **)&cgi, diag);
    if (rc)
        return rc;
    if (cgi->pLMNIdentity.len != 3 || cgi->nRCellIdentity.nbits != 36)
        return KZ_EPROTO;
    memcpy(out->target.plmn, cgi->pLMNIdentity.buf, 3);
    uint64_t nci = 0;
    for (int i = 0; i < 5; i++)
        nci = nci << 8 | cgi->nRCellIdentity.buf[i];
    out->target.nci = nci >> 4;
    return 0;
}

/* ---- control outcome ------------------------------------------------------------------------ */

int kz_rc_decode_control_outcome(const uint8_t *buf, size_t len, kz_arena *a,
                                 const kz_rc_E2SM_RC_ControlOutcome **out, kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_rc_E2SM_RC_ControlOutcome_desc, buf, len, a, (void **)out, diag);
}

typedef struct flat {
    kz_rc_outcome_param *out;
    size_t max, n;
} flat;

static void flat_add(flat *f, int64_t style, int64_t action, int64_t id,
                     const kz_rc_RANParameter_Value *v)
{
    if (f->n < f->max) {
        kz_rc_outcome_param *p = &f->out[f->n];
        p->style = style;
        p->action = action;
        p->id = id;
        p->value = v;
    }
    f->n++;
}

static void flat_value(flat *f, int64_t id, const kz_rc_RANParameter_ValueType *vt, int depth);

static void flat_structure(flat *f, const kz_rc_RANParameter_STRUCTURE *s, int depth)
{
    if (!s->has_sequence_of_ranParameters)
        return;
    for (uint32_t i = 0; i < s->sequence_of_ranParameters.count; i++)
        flat_value(f, s->sequence_of_ranParameters.items[i].ranParameter_ID,
                   &s->sequence_of_ranParameters.items[i].ranParameter_valueType, depth + 1);
}

static void flat_value(flat *f, int64_t id, const kz_rc_RANParameter_ValueType *vt, int depth)
{
    if (depth > MAX_TREE_DEPTH)
        return;
    const kz_rc_RANParameter_Value *v = element_value(vt);
    if (v) {
        flat_add(f, 0, 0, id, v);
    } else if (vt->present == kz_rc_RANParameter_ValueType_ranP_Choice_Structure) {
        flat_structure(f, &vt->u.ranP_Choice_Structure.ranParameter_Structure, depth);
    } else if (vt->present == kz_rc_RANParameter_ValueType_ranP_Choice_List) {
        const kz_rc_RANParameter_LIST *l = &vt->u.ranP_Choice_List.ranParameter_List;
        for (uint32_t i = 0; i < l->list_of_ranParameter.count; i++)
            flat_structure(f, &l->list_of_ranParameter.items[i], depth + 1);
    }
}

size_t kz_rc_outcome_params(const kz_rc_E2SM_RC_ControlOutcome *o, kz_rc_outcome_param *out,
                            size_t max)
{
    flat f = { out, out ? max : 0, 0 };
    if (!o)
        return 0;
    const kz_rc_E2SM_RC_ControlOutcome__ric_controlOutcome_formats *u = &o->ric_controlOutcome_formats;
    switch (u->present) {
    case kz_rc_E2SM_RC_ControlOutcome__ric_controlOutcome_formats_controlOutcome_Format1:
        for (uint32_t i = 0; i < u->u.controlOutcome_Format1.ranP_List.count; i++) {
            const kz_rc_E2SM_RC_ControlOutcome_Format1_Item *it =
                &u->u.controlOutcome_Format1.ranP_List.items[i];
            flat_add(&f, 0, 0, it->ranParameter_ID, &it->ranParameter_value);
        }
        break;
    case kz_rc_E2SM_RC_ControlOutcome__ric_controlOutcome_formats_controlOutcome_Format2:
        for (uint32_t s = 0; s < u->u.controlOutcome_Format2.ric_ControlStyle_List.count; s++) {
            const kz_rc_E2SM_RC_ControlOutcome_Format2_Style_Item *st =
                &u->u.controlOutcome_Format2.ric_ControlStyle_List.items[s];
            for (uint32_t a = 0; a < st->ric_ControlOutcome_List.count; a++) {
                const kz_rc_E2SM_RC_ControlOutcome_Format2_ControlOutcome_Item *ac =
                    &st->ric_ControlOutcome_List.items[a];
                for (uint32_t i = 0; i < ac->ranP_List.count; i++)
                    flat_add(&f, st->indicated_Control_Style_Type, ac->ric_ControlAction_ID,
                             ac->ranP_List.items[i].ranParameter_ID,
                             &ac->ranP_List.items[i].ranParameter_value);
            }
        }
        break;
    case kz_rc_E2SM_RC_ControlOutcome__ric_controlOutcome_formats_controlOutcome_Format3:
        for (uint32_t i = 0; i < u->u.controlOutcome_Format3.ranP_List.count; i++) {
            const kz_rc_E2SM_RC_ControlOutcome_Format3_Item *it =
                &u->u.controlOutcome_Format3.ranP_List.items[i];
            flat_value(&f, it->ranParameter_ID, &it->ranParameter_valueType, 1);
        }
        break;
    default:
        break;
    }
    return f.n;
}

long kz_rc_build_control_outcome(const kz_rc_E2SM_RC_ControlOutcome_Format1_Item *items,
                                 size_t n, uint8_t *buf, size_t cap)
{
    if (!items || n == 0)
        return KZ_EINVAL;
    kz_rc_E2SM_RC_ControlOutcome o;
    memset(&o, 0, sizeof o);
    o.ric_controlOutcome_formats.present =
        kz_rc_E2SM_RC_ControlOutcome__ric_controlOutcome_formats_controlOutcome_Format1;
    o.ric_controlOutcome_formats.u.controlOutcome_Format1.ranP_List.count = (uint32_t)n;
    o.ric_controlOutcome_formats.u.controlOutcome_Format1.ranP_List.items =
        (kz_rc_E2SM_RC_ControlOutcome_Format1_Item *)(uintptr_t)items;   /* read only */
    return kz_asn_encode(&kz_rc_E2SM_RC_ControlOutcome_desc, &o, buf, cap, NULL);
}

/* ---- neighbour relations: REPORT style 3 -------------------------------------------------- */

uint32_t kz_rc_nr_arfcn(double f_mhz)
{
    /* TS 38.104 Table 5.4.2.1-1: F_REF = F_REF-Offs + dF_Global (N_REF - N_REF-Offs) */
    if (!(f_mhz >= 0))
        return 0;
    if (f_mhz < 3000)
        return (uint32_t)llround(f_mhz / 0.005);
    if (f_mhz < 24250)
        return (uint32_t)llround(600000 + (f_mhz - 3000) / 0.015);
    if (f_mhz <= 100000)
        return (uint32_t)llround(2016667 + (f_mhz - 24250.08) / 0.060);
    return 0;
}

long kz_rc_build_nrt_event_trigger(uint8_t *buf, size_t cap)
{
    kz_rc_E2SM_RC_EventTrigger_Format3_Item it;
    memset(&it, 0, sizeof it);
    it.ric_eventTriggerCondition_ID = 1;
    it.e2NodeInfoChange_ID = KZ_RC_E2NODE_CHANGE_NRT;
    kz_rc_E2SM_RC_EventTrigger t;
    memset(&t, 0, sizeof t);
    t.ric_eventTrigger_formats.present =
        kz_rc_E2SM_RC_EventTrigger__ric_eventTrigger_formats_eventTrigger_Format3;
    t.ric_eventTrigger_formats.u.eventTrigger_Format3.e2NodeInfoChange_List.count = 1;
    t.ric_eventTrigger_formats.u.eventTrigger_Format3.e2NodeInfoChange_List.items = &it;
    return kz_asn_encode(&kz_rc_E2SM_RC_EventTrigger_desc, &t, buf, cap, NULL);
}

long kz_rc_build_nrt_action(uint8_t *buf, size_t cap)
{
    kz_rc_E2SM_RC_ActionDefinition_Format1_Item it;
    memset(&it, 0, sizeof it);
    it.ranParameter_ID = KZ_RC_P_NRT;
    kz_rc_E2SM_RC_ActionDefinition d;
    memset(&d, 0, sizeof d);
    d.ric_Style_Type = KZ_RC_REPORT_STYLE_E2_NODE_INFO;
    d.ric_actionDefinition_formats.present =
        kz_rc_E2SM_RC_ActionDefinition__ric_actionDefinition_formats_actionDefinition_Format1;
    d.ric_actionDefinition_formats.u.actionDefinition_Format1.ranP_ToBeReported_List.count = 1;
    d.ric_actionDefinition_formats.u.actionDefinition_Format1.ranP_ToBeReported_List.items = &it;
    return kz_asn_encode(&kz_rc_E2SM_RC_ActionDefinition_desc, &d, buf, cap, NULL);
}

long kz_rc_build_nrt_header(uint8_t *buf, size_t cap)
{
    kz_rc_E2SM_RC_IndicationHeader h;
    memset(&h, 0, sizeof h);
    h.ric_indicationHeader_formats.present =
        kz_rc_E2SM_RC_IndicationHeader__ric_indicationHeader_formats_indicationHeader_Format1;
    h.ric_indicationHeader_formats.u.indicationHeader_Format1.has_ric_eventTriggerCondition_ID =
        true;
    h.ric_indicationHeader_formats.u.indicationHeader_Format1.ric_eventTriggerCondition_ID = 1;
    return kz_asn_encode(&kz_rc_E2SM_RC_IndicationHeader_desc, &h, buf, cap, NULL);
}

/* NR CGI into the generated CHOICE, its octets in st[8] (3 PLMN + 5 NCI). */
static void put_cgi(kz_e2sm_NR_CGI *out, uint8_t st[8], const kz_rc_nr_cgi *c)
{
    memcpy(st, c->plmn, 3);
    uint64_t v = c->nci << 4;
    for (int i = 0; i < 5; i++)
        st[3 + i] = (uint8_t)(v >> (32 - 8 * i));
    out->pLMNIdentity.buf = st;
    out->pLMNIdentity.len = 3;
    out->nRCellIdentity.buf = st + 3;
    out->nRCellIdentity.nbits = 36;
}

static int get_cgi(const kz_e2sm_NR_CGI *in, kz_rc_nr_cgi *c)
{
    if (in->pLMNIdentity.len != 3 || !in->pLMNIdentity.buf || in->nRCellIdentity.nbits != 36 ||
        !in->nRCellIdentity.buf)
        return KZ_EPROTO;
    memcpy(c->plmn, in->pLMNIdentity.buf, 3);
    uint64_t nci = 0;
    for (int i = 0; i < 5; i++)
        nci = nci << 8 | in->nRCellIdentity.buf[i];
    c->nci = nci >> 4;
    return 0;
}

static int nr_cgi_ok(const kz_rc_nr_cgi *c)
{
    return c->nci <= 0xFFFFFFFFFull;
}

long kz_rc_build_nrt_message(const kz_rc_cell_nrt *cells, size_t n, kz_arena *scratch,
                             uint8_t *buf, size_t cap)
{
    if (!cells || n == 0 || n > 65535 || !scratch)
        return KZ_EINVAL;
    kz_rc_E2SM_RC_IndicationMessage_Format3_Item *items =
        kz_arena_alloc(scratch, n * sizeof *items);
    uint8_t *st = kz_arena_alloc(scratch, n * 8);
    if (!items || !st)
        return KZ_ENOSPC;
    for (size_t i = 0; i < n; i++) {
        const kz_rc_cell_nrt *c = &cells[i];
        kz_rc_E2SM_RC_IndicationMessage_Format3_Item *it = &items[i];
        if (!nr_cgi_ok(&c->cgi) || c->n_nbr > KZ_RC_NRT_MAX_NBR || (c->n_nbr && !c->nbr) ||
            c->pci > 1007 || c->arfcn > 3279165)
            return KZ_EINVAL;
        it->cellGlobal_ID.present = kz_e2sm_CGI_nR_CGI;
        put_cgi(&it->cellGlobal_ID.u.nR_CGI, st + 8 * i, &c->cgi);
        if (!c->n_nbr)
            continue;
        it->has_neighborRelation_Table = true;
        kz_rc_NeighborRelation_Info *nr = &it->neighborRelation_Table;
        nr->servingCellPCI.present = kz_e2sm_ServingCell_PCI_nR;
        nr->servingCellPCI.u.nR = c->pci;
        nr->servingCellARFCN.present = kz_e2sm_ServingCell_ARFCN_nR;
        nr->servingCellARFCN.u.nR.nRARFCN = c->arfcn;
        kz_rc_NeighborCell_Item *ni = kz_arena_alloc(scratch, c->n_nbr * sizeof *ni);
        kz_e2sm_NRFrequencyBandItem *bi = kz_arena_alloc(scratch, c->n_nbr * sizeof *bi);
        uint8_t *nst = kz_arena_alloc(scratch, c->n_nbr * 11);
        if (!ni || !bi || !nst)
            return KZ_ENOSPC;
        nr->neighborCell_List.count = (uint32_t)c->n_nbr;
        nr->neighborCell_List.items = ni;
        for (size_t k = 0; k < c->n_nbr; k++) {
            const kz_rc_nr_nbr *b = &c->nbr[k];
            if (!nr_cgi_ok(&b->cgi) || b->pci > 1007 || b->arfcn > 3279165 || b->band < 1 ||
                b->band > 1024 || b->tac > 0xFFFFFF || b->version < 1)
                return KZ_EINVAL;
            ni[k].present = kz_rc_NeighborCell_Item_ranType_Choice_NR;
            kz_rc_NeighborCell_Item_Choice_NR *x = &ni[k].u.ranType_Choice_NR;
            uint8_t *o = nst + 11 * k;
            put_cgi(&x->nR_CGI, o, &b->cgi);
            o[8] = (uint8_t)(b->tac >> 16);
            o[9] = (uint8_t)(b->tac >> 8);
            o[10] = (uint8_t)b->tac;
            x->nR_PCI = b->pci;
            x->fiveGS_TAC.buf = o + 8;
            x->fiveGS_TAC.len = 3;
            x->nR_mode_info = b->tdd ? kz_rc_NeighborCell_Item_Choice_NR__nR_mode_info_tdd
                                     : kz_rc_NeighborCell_Item_Choice_NR__nR_mode_info_fdd;
            x->nR_FreqInfo.nrARFCN.nRARFCN = b->arfcn;
            bi[k].freqBandIndicatorNr = b->band;
            x->nR_FreqInfo.frequencyBand_List.count = 1;
            x->nR_FreqInfo.frequencyBand_List.items = &bi[k];
            x->x2_Xn_established = b->xn ? kz_rc_NeighborCell_Item_Choice_NR__x2_Xn_established_true
                                         : kz_rc_NeighborCell_Item_Choice_NR__x2_Xn_established_false;
            x->hO_validated = b->ho_validated ? kz_rc_NeighborCell_Item_Choice_NR__hO_validated_true
                                              : kz_rc_NeighborCell_Item_Choice_NR__hO_validated_false;
            x->version = b->version;
        }
    }
    kz_rc_E2SM_RC_IndicationMessage m;
    memset(&m, 0, sizeof m);
    m.ric_indicationMessage_formats.present =
        kz_rc_E2SM_RC_IndicationMessage__ric_indicationMessage_formats_indicationMessage_Format3;
    m.ric_indicationMessage_formats.u.indicationMessage_Format3.cellInfo_List.count = (uint32_t)n;
    m.ric_indicationMessage_formats.u.indicationMessage_Format3.cellInfo_List.items = items;
    return kz_asn_encode(&kz_rc_E2SM_RC_IndicationMessage_desc, &m, buf, cap, NULL);
}

int kz_rc_parse_nrt_event_trigger(const uint8_t *buf, size_t len, kz_arena *a,
                                  int64_t *change_id, kz_asn_diag *diag)
{
    kz_rc_E2SM_RC_EventTrigger *t;
    int rc = kz_asn_decode(&kz_rc_E2SM_RC_EventTrigger_desc, buf, len, a, (void **)&t, diag);
    if (rc)
        return rc;
    if (t->ric_eventTrigger_formats.present !=
            kz_rc_E2SM_RC_EventTrigger__ric_eventTrigger_formats_eventTrigger_Format3 ||
        t->ric_eventTrigger_formats.u.eventTrigger_Format3.e2NodeInfoChange_List.count < 1)
        return KZ_EPROTO;
    *change_id =
        t->ric_eventTrigger_formats.u.eventTrigger_Format3.e2NodeInfoChange_List.items[0]
            .e2NodeInfoChange_ID;
    return 0;
}

int kz_rc_parse_nrt_message(const uint8_t *buf, size_t len, kz_arena *a, kz_rc_cell_nrt *cells,
                            size_t max_cells, kz_rc_nr_nbr *nbrs, size_t max_nbrs,
                            kz_asn_diag *diag)
{
    kz_rc_E2SM_RC_IndicationMessage *m;
    int rc = kz_asn_decode(&kz_rc_E2SM_RC_IndicationMessage_desc, buf, len, a, (void **)&m, diag);
    if (rc)
        return rc;
    if (m->ric_indicationMessage_formats.present !=
        kz_rc_E2SM_RC_IndicationMessage__ric_indicationMessage_formats_indicationMessage_Format3)
        return KZ_EPROTO;
    const kz_rc_E2SM_RC_IndicationMessage_Format3 *f3 =
        &m->ric_indicationMessage_formats.u.indicationMessage_Format3;
    size_t nc = 0, nn = 0;
    for (uint32_t i = 0; i < f3->cellInfo_List.count; i++) {
        const kz_rc_E2SM_RC_IndicationMessage_Format3_Item *it = &f3->cellInfo_List.items[i];
        if (it->cellGlobal_ID.present != kz_e2sm_CGI_nR_CGI)
            continue; /* an E-UTRA cell: not ours to use */
        if (nc >= max_cells)
            return KZ_ENOSPC;
        kz_rc_cell_nrt *c = &cells[nc];
        memset(c, 0, sizeof *c);
        if (get_cgi(&it->cellGlobal_ID.u.nR_CGI, &c->cgi) < 0)
            return KZ_EPROTO;
        c->nbr = nbrs + nn;
        if (it->has_neighborRelation_Table) {
            const kz_rc_NeighborRelation_Info *nr = &it->neighborRelation_Table;
            if (nr->servingCellPCI.present == kz_e2sm_ServingCell_PCI_nR)
                c->pci = (uint16_t)nr->servingCellPCI.u.nR;
            if (nr->servingCellARFCN.present == kz_e2sm_ServingCell_ARFCN_nR)
                c->arfcn = (uint32_t)nr->servingCellARFCN.u.nR.nRARFCN;
            for (uint32_t k = 0; k < nr->neighborCell_List.count; k++) {
                const kz_rc_NeighborCell_Item *ni = &nr->neighborCell_List.items[k];
                if (ni->present != kz_rc_NeighborCell_Item_ranType_Choice_NR)
                    continue;
                if (nn >= max_nbrs)
                    return KZ_ENOSPC;
                const kz_rc_NeighborCell_Item_Choice_NR *x = &ni->u.ranType_Choice_NR;
                kz_rc_nr_nbr *b = &nbrs[nn];
                memset(b, 0, sizeof *b);
                if (get_cgi(&x->nR_CGI, &b->cgi) < 0 || x->fiveGS_TAC.len != 3 ||
                    !x->fiveGS_TAC.buf)
                    return KZ_EPROTO;
                b->pci = (uint16_t)x->nR_PCI;
                b->arfcn = (uint32_t)x->nR_FreqInfo.nrARFCN.nRARFCN;
                if (x->nR_FreqInfo.frequencyBand_List.count)
                    b->band = (uint16_t)x->nR_FreqInfo.frequencyBand_List.items[0].freqBandIndicatorNr;
                b->tac = (uint32_t)x->fiveGS_TAC.buf[0] << 16 |
                         (uint32_t)x->fiveGS_TAC.buf[1] << 8 | x->fiveGS_TAC.buf[2];
                b->tdd = x->nR_mode_info == kz_rc_NeighborCell_Item_Choice_NR__nR_mode_info_tdd;
                b->xn = x->x2_Xn_established ==
                        kz_rc_NeighborCell_Item_Choice_NR__x2_Xn_established_true;
                b->ho_validated =
                    x->hO_validated == kz_rc_NeighborCell_Item_Choice_NR__hO_validated_true;
                b->version = (uint16_t)(x->version > 65535 ? 65535 : x->version < 0 ? 0 : x->version);
                nn++;
                c->n_nbr++;
            }
        }
        nc++;
    }
    return (int)nc;
}

/* ---- RAN function definition ---------------------------------------------------------------- */

long kz_rc_build_ran_function_handover(uint8_t *buf, size_t cap)
{
    return kz_rc_build_ran_function(false, buf, cap);
}

long kz_rc_build_ran_function(bool nrt_report, uint8_t *buf, size_t cap)
{
    /* Parameter 1 is described as the tree it heads (a STRUCTURE of STRUCTUREs); the list
     * also names every parameter of the tree, as the 8.4.4.1 table does. */
    kz_rc_RANParameter_Definition_Choice_STRUCTURE_Item nr_cell_items[1], eutra_cell_items[1],
        choice_items[2], target_items[1];
    kz_rc_RANParameter_Definition nr_def, eutra_def, choice_def, target_def;
    memset(nr_cell_items, 0, sizeof nr_cell_items);
    memset(eutra_cell_items, 0, sizeof eutra_cell_items);
    memset(choice_items, 0, sizeof choice_items);
    memset(target_items, 0, sizeof target_items);
    memset(&nr_def, 0, sizeof nr_def);
    memset(&eutra_def, 0, sizeof eutra_def);
    memset(&choice_def, 0, sizeof choice_def);
    memset(&target_def, 0, sizeof target_def);

    nr_cell_items[0].ranParameter_ID = KZ_RC_P_NR_CGI;
    nr_cell_items[0].ranParameter_name = cstr("NR CGI");
    nr_def.ranParameter_Definition_Choice.present = kz_rc_RANParameter_Definition_Choice_choiceSTRUCTURE;
    nr_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.count = 1;
    nr_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.items = nr_cell_items;

    eutra_cell_items[0].ranParameter_ID = KZ_RC_P_EUTRA_CGI;
    eutra_cell_items[0].ranParameter_name = cstr("E-UTRA CGI");
    eutra_def.ranParameter_Definition_Choice.present = kz_rc_RANParameter_Definition_Choice_choiceSTRUCTURE;
    eutra_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.count = 1;
    eutra_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.items = eutra_cell_items;

    choice_items[0].ranParameter_ID = KZ_RC_P_NR_CELL;
    choice_items[0].ranParameter_name = cstr("NR Cell");
    choice_items[0].has_ranParameter_Definition = true;
    choice_items[0].ranParameter_Definition = nr_def;
    choice_items[1].ranParameter_ID = KZ_RC_P_EUTRA_CELL;
    choice_items[1].ranParameter_name = cstr("E-UTRA Cell");
    choice_items[1].has_ranParameter_Definition = true;
    choice_items[1].ranParameter_Definition = eutra_def;
    choice_def.ranParameter_Definition_Choice.present = kz_rc_RANParameter_Definition_Choice_choiceSTRUCTURE;
    choice_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.count = 2;
    choice_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.items = choice_items;

    target_items[0].ranParameter_ID = KZ_RC_P_TARGET_CELL_CHOICE;
    target_items[0].ranParameter_name = cstr("CHOICE Target Cell");
    target_items[0].has_ranParameter_Definition = true;
    target_items[0].ranParameter_Definition = choice_def;
    target_def.ranParameter_Definition_Choice.present = kz_rc_RANParameter_Definition_Choice_choiceSTRUCTURE;
    target_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.count = 1;
    target_def.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.items = target_items;

    static const char *const names[6] = { "Target Primary Cell ID", "CHOICE Target Cell", "NR Cell",
                                          "NR CGI", "E-UTRA Cell", "E-UTRA CGI" };
    kz_rc_ControlAction_RANParameter_Item params[6];
    memset(params, 0, sizeof params);
    for (int i = 0; i < 6; i++) {
        params[i].ranParameter_ID = i + 1;
        params[i].ranParameter_name = cstr(names[i]);
    }
    params[0].has_ranParameter_Definition = true;
    params[0].ranParameter_Definition = target_def;

    kz_rc_RANFunctionDefinition_Control_Action_Item action;
    memset(&action, 0, sizeof action);
    action.ric_ControlAction_ID = KZ_RC_ACTION_HANDOVER;
    action.ric_ControlAction_Name = cstr("Handover Control");
    action.has_ran_ControlActionParameters_List = true;
    action.ran_ControlActionParameters_List.count = 6;
    action.ran_ControlActionParameters_List.items = params;

    kz_rc_RANFunctionDefinition_Control_Item style;
    memset(&style, 0, sizeof style);
    style.ric_ControlStyle_Type = KZ_RC_STYLE_MOBILITY;
    style.ric_ControlStyle_Name = cstr("Connected Mode Mobility Control");
    style.has_ric_ControlAction_List = true;
    style.ric_ControlAction_List.count = 1;
    style.ric_ControlAction_List.items = &action;
    style.ric_ControlHeaderFormat_Type = 1;
    style.ric_ControlMessageFormat_Type = 1;
    style.ric_ControlOutcomeFormat_Type = 1;

    kz_rc_E2SM_RC_RANFunctionDefinition d;
    memset(&d, 0, sizeof d);
    d.ranFunction_Name.ranFunction_ShortName = cstr(KZ_RC_SHORT_NAME);
    d.ranFunction_Name.ranFunction_E2SM_OID = cstr(KZ_RC_OID);
    d.ranFunction_Name.ranFunction_Description = cstr("RAN Control");
    d.ranFunction_Name.has_ranFunction_Instance = true;
    d.ranFunction_Name.ranFunction_Instance = 1;
    d.has_ranFunctionDefinition_Control = true;
    d.ranFunctionDefinition_Control.ric_ControlStyle_List.count = 1;
    d.ranFunctionDefinition_Control.ric_ControlStyle_List.items = &style;

    /* REPORT style 3 and the event trigger style it rides on */
    kz_rc_RANFunctionDefinition_EventTrigger_Style_Item ets;
    memset(&ets, 0, sizeof ets);
    ets.ric_EventTriggerStyle_Type = KZ_RC_EVENT_STYLE_E2_NODE_INFO;
    ets.ric_EventTriggerStyle_Name = cstr("E2 Node Information Change");
    ets.ric_EventTriggerFormat_Type = 3;
    kz_rc_Report_RANParameter_Item rp;
    memset(&rp, 0, sizeof rp);
    rp.ranParameter_ID = KZ_RC_P_NRT;
    rp.ranParameter_name = cstr("Neighbour Relation Table");
    kz_rc_RANFunctionDefinition_Report_Item rs;
    memset(&rs, 0, sizeof rs);
    rs.ric_ReportStyle_Type = KZ_RC_REPORT_STYLE_E2_NODE_INFO;
    rs.ric_ReportStyle_Name = cstr("E2 Node Information");
    rs.ric_SupportedEventTriggerStyle_Type = KZ_RC_EVENT_STYLE_E2_NODE_INFO;
    rs.ric_ReportActionFormat_Type = 1;
    rs.ric_IndicationHeaderFormat_Type = 1;
    rs.ric_IndicationMessageFormat_Type = 3;
    rs.has_ran_ReportParameters_List = true;
    rs.ran_ReportParameters_List.count = 1;
    rs.ran_ReportParameters_List.items = &rp;
    if (nrt_report) {
        d.has_ranFunctionDefinition_EventTrigger = true;
        d.ranFunctionDefinition_EventTrigger.ric_EventTriggerStyle_List.count = 1;
        d.ranFunctionDefinition_EventTrigger.ric_EventTriggerStyle_List.items = &ets;
        d.has_ranFunctionDefinition_Report = true;
        d.ranFunctionDefinition_Report.ric_ReportStyle_List.count = 1;
        d.ranFunctionDefinition_Report.ric_ReportStyle_List.items = &rs;
    }
    return kz_asn_encode(&kz_rc_E2SM_RC_RANFunctionDefinition_desc, &d, buf, cap, NULL);
}

int kz_rc_decode_ran_function(const uint8_t *buf, size_t len, kz_arena *a,
                              const kz_rc_E2SM_RC_RANFunctionDefinition **out, kz_asn_diag *diag)
{
    return kz_asn_decode(&kz_rc_E2SM_RC_RANFunctionDefinition_desc, buf, len, a, (void **)out,
                         diag);
}

bool kz_rc_ran_function_report_style(const kz_rc_E2SM_RC_RANFunctionDefinition *def,
                                     int64_t style)
{
    if (!def || !def->has_ranFunctionDefinition_Report)
        return false;
    const kz_rc_RANFunctionDefinition_Report *r = &def->ranFunctionDefinition_Report;
    for (uint32_t i = 0; i < r->ric_ReportStyle_List.count; i++)
        if (r->ric_ReportStyle_List.items[i].ric_ReportStyle_Type == style)
            return true;
    return false;
}

const kz_rc_RANFunctionDefinition_Control_Action_Item *
kz_rc_ran_function_control_action(const kz_rc_E2SM_RC_RANFunctionDefinition *def, int64_t style,
                                  int64_t action)
{
    if (!def || !def->has_ranFunctionDefinition_Control)
        return NULL;
    const kz_rc_RANFunctionDefinition_Control *c = &def->ranFunctionDefinition_Control;
    for (uint32_t s = 0; s < c->ric_ControlStyle_List.count; s++) {
        const kz_rc_RANFunctionDefinition_Control_Item *st = &c->ric_ControlStyle_List.items[s];
        if (st->ric_ControlStyle_Type != style || !st->has_ric_ControlAction_List)
            continue;
        for (uint32_t i = 0; i < st->ric_ControlAction_List.count; i++)
            if (st->ric_ControlAction_List.items[i].ric_ControlAction_ID == action)
                return &st->ric_ControlAction_List.items[i];
    }
    return NULL;
}
