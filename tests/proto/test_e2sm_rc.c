/*
 * test_e2sm_rc.c -- the E2SM-RC helpers (kizuna/e2sm_rc.h): the handover control for every UE ID
 * variant, the control outcome in all three formats, the RAN function definition -- each
 * builder's bytes decode to what was put in and round-trip byte-exact through
 * ../shared/tools/asn1-oracle with the same JSON; the shared RC samples read with the helpers;
 * REPORT style 3 (neighbour relation tables): event trigger format 3, action definition format 1,
 * header format 1, indication message format 3 -- built, parsed back field by field, checked by
 * the oracle, refused when out of range, and every truncation and bit flip of a message parses
 * to an error or to a consistent result (never past its arrays); 2,000 random valid format-3
 * messages (asn_random.h: any CGI choice, any neighbour choice, optional fields either way)
 * parse to exactly their NR cells and NR neighbours.
 * Without the oracle the rest still runs and the program exits 77.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "kizuna/asn_json.h"
#include "kizuna/e2sm_rc.h"
#include "proto/asn_random.h"
#include "test_util.h"

static uint8_t arena_mem[4 << 20];
static kz_arena arena;
static uint8_t buf[1 << 16], buf2[1 << 16];

static int setup(void **state)
{
    (void)state;
    kz_arena_init(&arena, arena_mem, sizeof arena_mem);
    return 0;
}

/* ---- the oracle (queued by oracle_queue, checked in test_util.c) ---------------------------- */

static char oracle_why[256];

static void test_oracle(void **state)
{
    (void)state;
    if (!oracle_present(oracle_why, sizeof oracle_why))
        skip();
    oracle_check_queue("rc", &arena);
}

static const uint8_t PLMN_001_01[3] = { 0x00, 0xf1, 0x10 };

/* ---- handover control ---------------------------------------------------------------------- */

/* Build header + message for ue and target, check they parse back and go to the oracle. */
static void handover_roundtrip(const kz_e2sm_UEID *ue, const kz_rc_nr_cgi *target)
{
    long hl = kz_rc_build_handover_header(ue, buf, sizeof buf);
    long ml = kz_rc_build_handover_message(target, buf2, sizeof buf2);
    assert_true(hl > 0 && ml > 0);
    kz_rc_handover ho;
    assert_int_equal(kz_rc_parse_handover(buf, (size_t)hl, buf2, (size_t)ml, &arena, &ho, NULL), 0);
    assert_int_equal(ho.style, KZ_RC_STYLE_MOBILITY);
    assert_int_equal(ho.action, KZ_RC_ACTION_HANDOVER);
    assert_true(kz_asn_equal(&kz_e2sm_UEID_desc, ue, ho.ue));
    assert_memory_equal(ho.target.plmn, target->plmn, 3);
    assert_int_equal(ho.target.nci, target->nci);
    oracle_queue("E2SM-RC-ControlHeader", &kz_rc_E2SM_RC_ControlHeader_desc, buf, (size_t)hl);
    oracle_queue("E2SM-RC-ControlMessage", &kz_rc_E2SM_RC_ControlMessage_desc, buf2, (size_t)ml);
}

static void test_handover_gnb_ue(void **state)
{
    (void)state;
    kz_e2sm_UEID ue;
    kz_rc_guami_store st;
    kz_rc_ueid_gnb(&ue, &st, 12345, PLMN_001_01, 0x80, 1, 1);
    kz_rc_nr_cgi target = { { 0x00, 0xf1, 0x10 }, 0x000066C01ull };
    handover_roundtrip(&ue, &target);
    target.nci = 0xFFFFFFFFFull;   /* all 36 bits */
    handover_roundtrip(&ue, &target);

    /* the tree is 1 > 2 > 3 > 4 with the NR CGI as APER NR-CGI octets */
    long ml = kz_rc_build_handover_message(&target, buf2, sizeof buf2);
    const kz_rc_E2SM_RC_ControlMessage *m;
    assert_int_equal(kz_asn_decode(&kz_rc_E2SM_RC_ControlMessage_desc, buf2, (size_t)ml, &arena,
                                   (void **)&m, NULL), 0);
    const kz_rc_E2SM_RC_ControlMessage_Format1 *f1 = &m->ric_controlMessage_formats.u.controlMessage_Format1;
    assert_int_equal(f1->ranP_List.count, 1);
    assert_int_equal(f1->ranP_List.items[0].ranParameter_ID, 1);
    const kz_rc_RANParameter_ValueType *p2 = kz_rc_find_param(f1, 2), *p3 = kz_rc_find_param(f1, 3),
                                       *p4 = kz_rc_find_param(f1, 4);
    assert_true(p2 && p2->present == kz_rc_RANParameter_ValueType_ranP_Choice_Structure);
    assert_true(p3 && p3->present == kz_rc_RANParameter_ValueType_ranP_Choice_Structure);
    assert_true(p4 && p4->present == kz_rc_RANParameter_ValueType_ranP_Choice_ElementFalse);
    assert_null(kz_rc_find_param(f1, 5));
    kz_e2sm_NR_CGI *cgi;
    const kz_octets *o = &p4->u.ranP_Choice_ElementFalse.ranParameter_value.u.valueOctS;
    assert_int_equal(kz_asn_decode(&kz_e2sm_NR_CGI_desc, o->buf, o->len, &arena, (void **)&cgi, NULL), 0);
    assert_int_equal(cgi->nRCellIdentity.nbits, 36);

    /* errors */
    assert_int_equal(kz_rc_build_handover_header(NULL, buf, sizeof buf), KZ_EINVAL);
    target.nci = 1ull << 36;
    assert_int_equal(kz_rc_build_handover_message(&target, buf2, sizeof buf2), KZ_EINVAL);
    target.nci = 1;
    assert_int_equal(kz_rc_build_handover_message(&target, buf2, 4), KZ_ENOSPC);
    long hl = kz_rc_build_handover_header(&ue, buf, sizeof buf);
    ml = kz_rc_build_handover_message(&target, buf2, sizeof buf2);
    kz_rc_handover ho;
    for (long cut = 0; cut < ml; cut++)
        assert_true(kz_rc_parse_handover(buf, (size_t)hl, buf2, (size_t)cut, &arena, &ho, NULL) < 0);
}

static void test_handover_ue_variants(void **state)
{
    (void)state;
    static const uint8_t region[1] = { 0x80 }, set[2] = { 0x00, 0x40 }, ptr[1] = { 0x04 };
    static const uint8_t ranueid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, enb[3] = { 0x12, 0x34, 0x50 };
    static const uint8_t mmegi[2] = { 0x80, 0x01 }, mmec[1] = { 0x02 };
    kz_rc_nr_cgi target = { { 0x13, 0x00, 0x14 }, 0x123456789ull };
    kz_e2sm_UEID ue;

    memset(&ue, 0, sizeof ue);   /* gNB-DU: CU UE F1AP ID (+ RAN UE ID) */
    ue.present = kz_e2sm_UEID_gNB_DU_UEID;
    ue.u.gNB_DU_UEID.gNB_CU_UE_F1AP_ID = 4294967295LL;
    ue.u.gNB_DU_UEID.has_ran_UEID = true;
    ue.u.gNB_DU_UEID.ran_UEID.buf = ranueid;
    ue.u.gNB_DU_UEID.ran_UEID.len = 8;
    handover_roundtrip(&ue, &target);

    memset(&ue, 0, sizeof ue);   /* gNB-CU-UP: CU-CP UE E1AP ID */
    ue.present = kz_e2sm_UEID_gNB_CU_UP_UEID;
    ue.u.gNB_CU_UP_UEID.gNB_CU_CP_UE_E1AP_ID = 7;
    handover_roundtrip(&ue, &target);

    memset(&ue, 0, sizeof ue);   /* ng-eNB: AMF UE NGAP ID + GUAMI (+ W1AP ID) */
    ue.present = kz_e2sm_UEID_ng_eNB_UEID;
    ue.u.ng_eNB_UEID.amf_UE_NGAP_ID = 1099511627775LL;   /* 2^40 - 1 */
    ue.u.ng_eNB_UEID.guami.pLMNIdentity.buf = PLMN_001_01;
    ue.u.ng_eNB_UEID.guami.pLMNIdentity.len = 3;
    ue.u.ng_eNB_UEID.guami.aMFRegionID.buf = region;
    ue.u.ng_eNB_UEID.guami.aMFRegionID.nbits = 8;
    ue.u.ng_eNB_UEID.guami.aMFSetID.buf = set;
    ue.u.ng_eNB_UEID.guami.aMFSetID.nbits = 10;
    ue.u.ng_eNB_UEID.guami.aMFPointer.buf = ptr;
    ue.u.ng_eNB_UEID.guami.aMFPointer.nbits = 6;
    ue.u.ng_eNB_UEID.has_ng_eNB_CU_UE_W1AP_ID = true;
    ue.u.ng_eNB_UEID.ng_eNB_CU_UE_W1AP_ID = 3;
    handover_roundtrip(&ue, &target);

    memset(&ue, 0, sizeof ue);   /* ng-eNB-DU */
    ue.present = kz_e2sm_UEID_ng_eNB_DU_UEID;
    ue.u.ng_eNB_DU_UEID.ng_eNB_CU_UE_W1AP_ID = 99;
    handover_roundtrip(&ue, &target);

    memset(&ue, 0, sizeof ue);   /* en-gNB: MeNB UE X2AP ID + global eNB ID */
    ue.present = kz_e2sm_UEID_en_gNB_UEID;
    ue.u.en_gNB_UEID.m_eNB_UE_X2AP_ID = 4095;
    ue.u.en_gNB_UEID.globalENB_ID.pLMNIdentity.buf = PLMN_001_01;
    ue.u.en_gNB_UEID.globalENB_ID.pLMNIdentity.len = 3;
    ue.u.en_gNB_UEID.globalENB_ID.eNB_ID.present = kz_e2sm_ENB_ID_macro_eNB_ID;
    ue.u.en_gNB_UEID.globalENB_ID.eNB_ID.u.macro_eNB_ID.buf = enb;
    ue.u.en_gNB_UEID.globalENB_ID.eNB_ID.u.macro_eNB_ID.nbits = 20;
    handover_roundtrip(&ue, &target);

    memset(&ue, 0, sizeof ue);   /* eNB: MME UE S1AP ID + GUMMEI */
    ue.present = kz_e2sm_UEID_eNB_UEID;
    ue.u.eNB_UEID.mME_UE_S1AP_ID = 4294967295LL;
    ue.u.eNB_UEID.gUMMEI.pLMN_Identity.buf = PLMN_001_01;
    ue.u.eNB_UEID.gUMMEI.pLMN_Identity.len = 3;
    ue.u.eNB_UEID.gUMMEI.mME_Group_ID.buf = mmegi;
    ue.u.eNB_UEID.gUMMEI.mME_Group_ID.len = 2;
    ue.u.eNB_UEID.gUMMEI.mME_Code.buf = mmec;
    ue.u.eNB_UEID.gUMMEI.mME_Code.len = 1;
    handover_roundtrip(&ue, &target);
}

static void test_samples(void **state)
{
    (void)state;
    uint8_t hb[256], mb[512];
    size_t hn = read_sample("rc-control-header-f1.hex", hb, sizeof hb);
    size_t mn = read_sample("rc-control-message-f1.hex", mb, sizeof mb);
    if (!hn || !mn)
        skip();
    /* the sample's UE is the one kz_rc_ueid_gnb makes from the same numbers */
    const kz_rc_E2SM_RC_ControlHeader *h;
    assert_int_equal(kz_asn_decode(&kz_rc_E2SM_RC_ControlHeader_desc, hb, hn, &arena, (void **)&h, NULL), 0);
    kz_e2sm_UEID ue;
    kz_rc_guami_store st;
    kz_rc_ueid_gnb(&ue, &st, 12345, PLMN_001_01, 0x80, 1, 1);
    assert_true(kz_asn_equal(&kz_e2sm_UEID_desc, &ue, &h->ric_controlHeader_formats.u.controlHeader_Format1.ueID));
    /* the sample is style 2 / action 6 (slice PRB quota), not a handover */
    kz_rc_handover ho;
    assert_int_equal(kz_rc_parse_handover(hb, hn, mb, mn, &arena, &ho, NULL), KZ_EPROTO);
    assert_int_equal(ho.style, 2);
    assert_int_equal(ho.action, 6);
    /* its tree, searched by ID through structure > list > structure */
    const kz_rc_E2SM_RC_ControlMessage *m;
    assert_int_equal(kz_asn_decode(&kz_rc_E2SM_RC_ControlMessage_desc, mb, mn, &arena, (void **)&m, NULL), 0);
    const kz_rc_E2SM_RC_ControlMessage_Format1 *f1 = &m->ric_controlMessage_formats.u.controlMessage_Format1;
    const kz_rc_RANParameter_ValueType *p10 = kz_rc_find_param(f1, 10);
    assert_non_null(p10);
    assert_int_equal(p10->u.ranP_Choice_ElementFalse.ranParameter_value.u.valueInt, 20);
    const kz_rc_RANParameter_ValueType *pbig = kz_rc_find_param(f1, 4294967296LL);
    assert_non_null(pbig);
    assert_int_equal(pbig->present, kz_rc_RANParameter_ValueType_ranP_Choice_ElementTrue);
    const kz_octets *s = &pbig->u.ranP_Choice_ElementTrue.ranParameter_value.u.valuePrintableString;
    assert_true(oct_eq(*s, "slice-1"));
    assert_null(kz_rc_find_param(f1, 11));
}

/* ---- control outcome ----------------------------------------------------------------------- */

static void test_control_outcome(void **state)
{
    (void)state;
    static const uint8_t cgi[] = { 0x00, 0xf1, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00 };
    kz_rc_E2SM_RC_ControlOutcome_Format1_Item it[2];
    memset(it, 0, sizeof it);
    it[0].ranParameter_ID = 4;
    it[0].ranParameter_value.present = kz_rc_RANParameter_Value_valueOctS;
    it[0].ranParameter_value.u.valueOctS.buf = cgi;
    it[0].ranParameter_value.u.valueOctS.len = sizeof cgi;
    it[1].ranParameter_ID = 17;
    it[1].ranParameter_value.present = kz_rc_RANParameter_Value_valueBoolean;
    it[1].ranParameter_value.u.valueBoolean = true;
    long n = kz_rc_build_control_outcome(it, 2, buf, sizeof buf);
    assert_true(n > 0);
    oracle_queue("E2SM-RC-ControlOutcome", &kz_rc_E2SM_RC_ControlOutcome_desc, buf, (size_t)n);
    const kz_rc_E2SM_RC_ControlOutcome *o;
    assert_int_equal(kz_rc_decode_control_outcome(buf, (size_t)n, &arena, &o, NULL), 0);
    kz_rc_outcome_param p[4];
    assert_int_equal(kz_rc_outcome_params(o, p, 4), 2);
    assert_int_equal(p[0].id, 4);
    assert_int_equal(p[0].value->u.valueOctS.len, sizeof cgi);
    assert_int_equal(p[1].id, 17);
    assert_true(p[1].value->u.valueBoolean);
    assert_int_equal(kz_rc_outcome_params(o, p, 1), 2);   /* count beyond max */

    /* format 2: per style and action */
    kz_rc_E2SM_RC_ControlOutcome_Format2_RANP_Item rp[1];
    memset(rp, 0, sizeof rp);
    rp[0].ranParameter_ID = 9;
    rp[0].ranParameter_value.present = kz_rc_RANParameter_Value_valueReal;
    rp[0].ranParameter_value.u.valueReal = -1.25;
    kz_rc_E2SM_RC_ControlOutcome_Format2_ControlOutcome_Item ai[1];
    memset(ai, 0, sizeof ai);
    ai[0].ric_ControlAction_ID = 1;
    ai[0].ranP_List.count = 1;
    ai[0].ranP_List.items = rp;
    kz_rc_E2SM_RC_ControlOutcome_Format2_Style_Item si[1];
    memset(si, 0, sizeof si);
    si[0].indicated_Control_Style_Type = 3;
    si[0].ric_ControlOutcome_List.count = 1;
    si[0].ric_ControlOutcome_List.items = ai;
    kz_rc_E2SM_RC_ControlOutcome v;
    memset(&v, 0, sizeof v);
    v.ric_controlOutcome_formats.present = kz_rc_E2SM_RC_ControlOutcome__ric_controlOutcome_formats_controlOutcome_Format2;
    v.ric_controlOutcome_formats.u.controlOutcome_Format2.ric_ControlStyle_List.count = 1;
    v.ric_controlOutcome_formats.u.controlOutcome_Format2.ric_ControlStyle_List.items = si;
    n = kz_asn_encode(&kz_rc_E2SM_RC_ControlOutcome_desc, &v, buf, sizeof buf, NULL);
    assert_true(n > 0);
    oracle_queue("E2SM-RC-ControlOutcome", &kz_rc_E2SM_RC_ControlOutcome_desc, buf, (size_t)n);
    assert_int_equal(kz_rc_decode_control_outcome(buf, (size_t)n, &arena, &o, NULL), 0);
    assert_int_equal(kz_rc_outcome_params(o, p, 4), 1);
    assert_true(p[0].style == 3 && p[0].action == 1 && p[0].id == 9 && p[0].value->u.valueReal == -1.25);

    /* format 3: a structure whose elements are flattened */
    kz_rc_RANParameter_STRUCTURE_Item sub[2];
    memset(sub, 0, sizeof sub);
    sub[0].ranParameter_ID = 21;
    sub[0].ranParameter_valueType.present = kz_rc_RANParameter_ValueType_ranP_Choice_ElementTrue;
    sub[0].ranParameter_valueType.u.ranP_Choice_ElementTrue.ranParameter_value.present = kz_rc_RANParameter_Value_valueInt;
    sub[0].ranParameter_valueType.u.ranP_Choice_ElementTrue.ranParameter_value.u.valueInt = -5;
    sub[1].ranParameter_ID = 22;
    sub[1].ranParameter_valueType.present = kz_rc_RANParameter_ValueType_ranP_Choice_ElementFalse;   /* no value */
    kz_rc_E2SM_RC_ControlOutcome_Format3_Item f3[1];
    memset(f3, 0, sizeof f3);
    f3[0].ranParameter_ID = 20;
    f3[0].ranParameter_valueType.present = kz_rc_RANParameter_ValueType_ranP_Choice_Structure;
    kz_rc_RANParameter_STRUCTURE *s = &f3[0].ranParameter_valueType.u.ranP_Choice_Structure.ranParameter_Structure;
    s->has_sequence_of_ranParameters = true;
    s->sequence_of_ranParameters.count = 2;
    s->sequence_of_ranParameters.items = sub;
    memset(&v, 0, sizeof v);
    v.ric_controlOutcome_formats.present = kz_rc_E2SM_RC_ControlOutcome__ric_controlOutcome_formats_controlOutcome_Format3;
    v.ric_controlOutcome_formats.u.controlOutcome_Format3.ranP_List.count = 1;
    v.ric_controlOutcome_formats.u.controlOutcome_Format3.ranP_List.items = f3;
    n = kz_asn_encode(&kz_rc_E2SM_RC_ControlOutcome_desc, &v, buf, sizeof buf, NULL);
    assert_true(n > 0);
    oracle_queue("E2SM-RC-ControlOutcome", &kz_rc_E2SM_RC_ControlOutcome_desc, buf, (size_t)n);
    assert_int_equal(kz_rc_decode_control_outcome(buf, (size_t)n, &arena, &o, NULL), 0);
    assert_int_equal(kz_rc_outcome_params(o, p, 4), 1);
    assert_true(p[0].id == 21 && p[0].value->u.valueInt == -5);
    assert_int_equal(kz_rc_outcome_params(NULL, p, 4), 0);
    assert_int_equal(kz_rc_build_control_outcome(it, 0, buf, sizeof buf), KZ_EINVAL);
}

/* ---- RAN function definition ---------------------------------------------------------------- */

static void test_ran_function(void **state)
{
    (void)state;
    long n = kz_rc_build_ran_function_handover(buf, sizeof buf);
    assert_true(n > 0);
    oracle_queue("E2SM-RC-RANFunctionDefinition", &kz_rc_E2SM_RC_RANFunctionDefinition_desc, buf, (size_t)n);
    const kz_rc_E2SM_RC_RANFunctionDefinition *d;
    assert_int_equal(kz_rc_decode_ran_function(buf, (size_t)n, &arena, &d, NULL), 0);
    assert_true(oct_eq(d->ranFunction_Name.ranFunction_E2SM_OID, KZ_RC_OID));
    assert_true(oct_eq(d->ranFunction_Name.ranFunction_ShortName, KZ_RC_SHORT_NAME));
    const kz_rc_RANFunctionDefinition_Control_Action_Item *a = kz_rc_ran_function_control_action(d, 3, 1);
    assert_non_null(a);
    assert_true(oct_eq(a->ric_ControlAction_Name, "Handover Control"));
    assert_int_equal(a->ran_ControlActionParameters_List.count, 6);
    const kz_rc_ControlAction_RANParameter_Item *p1 = &a->ran_ControlActionParameters_List.items[0];
    assert_true(p1->has_ranParameter_Definition);   /* the extension addition */
    const kz_rc_RANParameter_Definition_Choice_STRUCTURE_Item *c =
        &p1->ranParameter_Definition.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.items[0];
    assert_int_equal(c->ranParameter_ID, 2);
    assert_int_equal(c->ranParameter_Definition.ranParameter_Definition_Choice.u.choiceSTRUCTURE.ranParameter_STRUCTURE.count, 2);
    assert_int_equal(a->ran_ControlActionParameters_List.items[3].ranParameter_ID, KZ_RC_P_NR_CGI);
    assert_null(kz_rc_ran_function_control_action(d, 3, 2));
    assert_null(kz_rc_ran_function_control_action(d, 2, 1));
    assert_int_equal(kz_rc_build_ran_function_handover(buf, 20), KZ_ENOSPC);
    for (long cut = 0; cut < n; cut++) {
        kz_arena_reset(&arena);
        assert_true(kz_rc_decode_ran_function(buf, (size_t)cut, &arena, &d, NULL) < 0);
    }
}

/* ---- REPORT style 3: neighbour relation tables --------------------------------------------- */

static void test_nrt(void **state)
{
    (void)state;
    long tl = kz_rc_build_nrt_event_trigger(buf, sizeof buf);
    assert_true(tl > 0);
    oracle_queue("E2SM-RC-EventTrigger", &kz_rc_E2SM_RC_EventTrigger_desc, buf, (size_t)tl);
    int64_t change = 0;
    assert_int_equal(kz_rc_parse_nrt_event_trigger(buf, (size_t)tl, &arena, &change, NULL), 0);
    assert_int_equal(change, KZ_RC_E2NODE_CHANGE_NRT);
    long al = kz_rc_build_nrt_action(buf, sizeof buf);
    assert_true(al > 0);
    oracle_queue("E2SM-RC-ActionDefinition", &kz_rc_E2SM_RC_ActionDefinition_desc, buf, (size_t)al);
    long hl = kz_rc_build_nrt_header(buf, sizeof buf);
    assert_true(hl > 0);
    oracle_queue("E2SM-RC-IndicationHeader", &kz_rc_E2SM_RC_IndicationHeader_desc, buf, (size_t)hl);
    /* a trigger of another format is refused */
    kz_arena_reset(&arena);
    long al2 = kz_rc_build_nrt_action(buf2, sizeof buf2);
    assert_true(kz_rc_parse_nrt_event_trigger(buf2, (size_t)al2, &arena, &change, NULL) < 0);

    /* two cells: the first with three NR neighbours, the second without a table */
    kz_rc_nr_nbr nb[3] = {
        {{{0x00, 0xf1, 0x10}, 0x000000C04ull}, 4, 630000, 78, 1, true, true, true, 1},
        {{{0x00, 0xf1, 0x10}, 0xFFFFFFFFFull}, 1007, 3279165, 1024, 0xFFFFFF, false, false, false, 65535},
        {{{0x13, 0x00, 0x14}, 0ull}, 0, 0, 1, 0, true, true, false, 7},
    };
    kz_rc_cell_nrt cells[2] = {
        {{{0x00, 0xf1, 0x10}, 0x000000C01ull}, 1, kz_rc_nr_arfcn(1800.0), nb, 3},
        {{{0x00, 0xf1, 0x10}, 0x000000C02ull}, 2, kz_rc_nr_arfcn(3500.0), NULL, 0},
    };
    /* TS 38.104 5.4.2.1: 1800 MHz -> 360000 (5 kHz raster), 3500 MHz -> 633333 (15 kHz raster:
     * 3499.995 MHz) */
    assert_int_equal(kz_rc_nr_arfcn(1800.0), 360000);
    assert_int_equal(kz_rc_nr_arfcn(3500.0), 633333);
    kz_arena_reset(&arena);
    long ml = kz_rc_build_nrt_message(cells, 2, &arena, buf, sizeof buf);
    assert_true(ml > 0);
    oracle_queue("E2SM-RC-IndicationMessage", &kz_rc_E2SM_RC_IndicationMessage_desc, buf, (size_t)ml);
    kz_rc_cell_nrt out[4];
    kz_rc_nr_nbr on[8];
    kz_arena_reset(&arena);
    assert_int_equal(kz_rc_parse_nrt_message(buf, (size_t)ml, &arena, out, 4, on, 8, NULL), 2);
    assert_int_equal(out[0].cgi.nci, cells[0].cgi.nci);
    assert_memory_equal(out[0].cgi.plmn, cells[0].cgi.plmn, 3);
    assert_int_equal(out[0].pci, 1);
    assert_int_equal(out[0].arfcn, cells[0].arfcn);
    assert_int_equal(out[0].n_nbr, 3);
    for (int k = 0; k < 3; k++) {
        const kz_rc_nr_nbr *a = &nb[k], *b = &out[0].nbr[k];
        assert_memory_equal(a->cgi.plmn, b->cgi.plmn, 3);
        assert_int_equal(a->cgi.nci, b->cgi.nci);
        assert_int_equal(a->pci, b->pci);
        assert_int_equal(a->arfcn, b->arfcn);
        assert_int_equal(a->band, b->band);
        assert_int_equal(a->tac, b->tac);
        assert_int_equal(a->tdd, b->tdd);
        assert_int_equal(a->xn, b->xn);
        assert_int_equal(a->ho_validated, b->ho_validated);
        assert_int_equal(a->version, b->version);
    }
    assert_int_equal(out[1].cgi.nci, cells[1].cgi.nci);
    assert_int_equal(out[1].n_nbr, 0);
    /* arrays too small */
    kz_arena_reset(&arena);
    assert_int_equal(kz_rc_parse_nrt_message(buf, (size_t)ml, &arena, out, 1, on, 8, NULL), KZ_ENOSPC);
    kz_arena_reset(&arena);
    assert_int_equal(kz_rc_parse_nrt_message(buf, (size_t)ml, &arena, out, 4, on, 2, NULL), KZ_ENOSPC);
    /* not format 3: an indication message of format 1 is refused */
    {
        kz_rc_E2SM_RC_IndicationMessage_Format1_Item it;
        memset(&it, 0, sizeof it);
        it.ranParameter_ID = 1;
        it.ranParameter_valueType.present = kz_rc_RANParameter_ValueType_ranP_Choice_ElementFalse;
        kz_rc_E2SM_RC_IndicationMessage im;
        memset(&im, 0, sizeof im);
        im.ric_indicationMessage_formats.present =
            kz_rc_E2SM_RC_IndicationMessage__ric_indicationMessage_formats_indicationMessage_Format1;
        im.ric_indicationMessage_formats.u.indicationMessage_Format1.ranP_Reported_List.count = 1;
        im.ric_indicationMessage_formats.u.indicationMessage_Format1.ranP_Reported_List.items = &it;
        long fl = kz_asn_encode(&kz_rc_E2SM_RC_IndicationMessage_desc, &im, buf2, sizeof buf2, NULL);
        assert_true(fl > 0);
        kz_arena_reset(&arena);
        assert_int_equal(kz_rc_parse_nrt_message(buf2, (size_t)fl, &arena, out, 4, on, 8, NULL),
                         KZ_EPROTO);
    }
    /* truncations: always an error; bit flips: an error or a result inside the arrays */
    for (long cut = 0; cut < ml; cut++) {
        kz_arena_reset(&arena);
        assert_true(kz_rc_parse_nrt_message(buf, (size_t)cut, &arena, out, 4, on, 8, NULL) < 0);
    }
    for (long bit = 0; bit < 8 * ml; bit++) {
        memcpy(buf2, buf, (size_t)ml);
        buf2[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        kz_arena_reset(&arena);
        int r = kz_rc_parse_nrt_message(buf2, (size_t)ml, &arena, out, 4, on, 8, NULL);
        assert_true(r <= 4);
        for (int i = 0; i < r; i++)
            assert_true(out[i].nbr >= on && out[i].nbr + out[i].n_nbr <= on + 8);
    }
    /* builder errors: out-of-range values, too many neighbours, nothing to send */
    kz_rc_nr_nbr bad = nb[0];
    kz_rc_cell_nrt c1 = {{{0x00, 0xf1, 0x10}, 1}, 1, 1, &bad, 1};
    bad.pci = 1008;
    kz_arena_reset(&arena);
    assert_int_equal(kz_rc_build_nrt_message(&c1, 1, &arena, buf, sizeof buf), KZ_EINVAL);
    bad = nb[0];
    bad.band = 0;
    assert_int_equal(kz_rc_build_nrt_message(&c1, 1, &arena, buf, sizeof buf), KZ_EINVAL);
    bad = nb[0];
    bad.cgi.nci = 1ull << 36;
    assert_int_equal(kz_rc_build_nrt_message(&c1, 1, &arena, buf, sizeof buf), KZ_EINVAL);
    bad = nb[0];
    bad.version = 0;
    assert_int_equal(kz_rc_build_nrt_message(&c1, 1, &arena, buf, sizeof buf), KZ_EINVAL);
    c1.n_nbr = KZ_RC_NRT_MAX_NBR + 1;
    assert_int_equal(kz_rc_build_nrt_message(&c1, 1, &arena, buf, sizeof buf), KZ_EINVAL);
    assert_int_equal(kz_rc_build_nrt_message(&c1, 0, &arena, buf, sizeof buf), KZ_EINVAL);
    kz_arena_reset(&arena);
    assert_int_equal(kz_rc_build_nrt_message(cells, 2, &arena, buf, 8), KZ_ENOSPC);

    /* the RAN function definition with REPORT style 3 */
    long n = kz_rc_build_ran_function(true, buf, sizeof buf);
    assert_true(n > 0);
    oracle_queue("E2SM-RC-RANFunctionDefinition", &kz_rc_E2SM_RC_RANFunctionDefinition_desc, buf, (size_t)n);
    const kz_rc_E2SM_RC_RANFunctionDefinition *d;
    kz_arena_reset(&arena);
    assert_int_equal(kz_rc_decode_ran_function(buf, (size_t)n, &arena, &d, NULL), 0);
    assert_true(kz_rc_ran_function_report_style(d, KZ_RC_REPORT_STYLE_E2_NODE_INFO));
    assert_false(kz_rc_ran_function_report_style(d, 1));
    assert_non_null(kz_rc_ran_function_control_action(d, 3, 1));
    n = kz_rc_build_ran_function_handover(buf, sizeof buf);
    kz_arena_reset(&arena);
    assert_int_equal(kz_rc_decode_ran_function(buf, (size_t)n, &arena, &d, NULL), 0);
    assert_false(kz_rc_ran_function_report_style(d, KZ_RC_REPORT_STYLE_E2_NODE_INFO));
}

/* Random valid indication messages of format 3: what the parser returns is exactly the NR
 * cells and, per cell, the NR neighbours of the value (E-UTRA ones skipped), field by field. */
static void test_nrt_random(void **state)
{
    (void)state;
    static uint8_t mem[1 << 20];
    static kz_rc_cell_nrt out[512];
    static kz_rc_nr_nbr on[8192];
    kz_asn_random_opts o = {.rng = 0x6e7274, .max_octets = 16, .max_items = 6};
    int n_ok = 0, n_cells = 0, n_nbrs = 0;
    for (int it = 0; it < 2000; it++) {
        kz_arena a;
        kz_arena_init(&a, mem, sizeof mem);
        kz_rc_E2SM_RC_IndicationMessage m;
        memset(&m, 0, sizeof m);
        m.ric_indicationMessage_formats.present =
            kz_rc_E2SM_RC_IndicationMessage__ric_indicationMessage_formats_indicationMessage_Format3;
        kz_rc_E2SM_RC_IndicationMessage_Format3 *f3 =
            &m.ric_indicationMessage_formats.u.indicationMessage_Format3;
        assert_int_equal(kz_asn_random(&kz_rc_E2SM_RC_IndicationMessage_Format3_desc, &o, &a, f3), 0);
        long ml = kz_asn_encode(&kz_rc_E2SM_RC_IndicationMessage_desc, &m, buf, sizeof buf, NULL);
        if (ml == KZ_ENOSPC)
            continue;
        assert_true(ml > 0);
        kz_arena_reset(&arena);
        int r = kz_rc_parse_nrt_message(buf, (size_t)ml, &arena, out, 512, on, 8192, NULL);
        assert_true(r >= 0);
        int k = 0;
        for (uint32_t i = 0; i < f3->cellInfo_List.count; i++) {
            const kz_rc_E2SM_RC_IndicationMessage_Format3_Item *ci = &f3->cellInfo_List.items[i];
            if (ci->cellGlobal_ID.present != kz_e2sm_CGI_nR_CGI)
                continue;
            assert_true(k < r);
            const kz_rc_cell_nrt *c = &out[k++];
            assert_memory_equal(c->cgi.plmn, ci->cellGlobal_ID.u.nR_CGI.pLMNIdentity.buf, 3);
            size_t want = 0;
            if (ci->has_neighborRelation_Table) {
                const kz_rc_NeighborCell_List *l = &ci->neighborRelation_Table.neighborCell_List;
                for (uint32_t j = 0; j < l->count; j++) {
                    if (l->items[j].present != kz_rc_NeighborCell_Item_ranType_Choice_NR)
                        continue;
                    const kz_rc_NeighborCell_Item_Choice_NR *x = &l->items[j].u.ranType_Choice_NR;
                    assert_true(want < c->n_nbr);
                    assert_int_equal(c->nbr[want].pci, x->nR_PCI);
                    assert_int_equal(c->nbr[want].arfcn, x->nR_FreqInfo.nrARFCN.nRARFCN);
                    assert_memory_equal(c->nbr[want].cgi.plmn, x->nR_CGI.pLMNIdentity.buf, 3);
                    want++;
                }
            }
            assert_int_equal(c->n_nbr, want);
            n_nbrs += (int)want;
        }
        assert_int_equal(k, r);
        n_cells += r;
        n_ok++;
    }
    print_message("random format-3 messages: %d parsed, %d NR cells, %d NR neighbours\n", n_ok,
                  n_cells, n_nbrs);
    assert_true(n_ok > 1000 && n_nbrs > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_handover_gnb_ue, setup),
        cmocka_unit_test_setup(test_handover_ue_variants, setup),
        cmocka_unit_test_setup(test_samples, setup),
        cmocka_unit_test_setup(test_control_outcome, setup),
        cmocka_unit_test_setup(test_ran_function, setup),
        cmocka_unit_test_setup(test_nrt, setup),
        cmocka_unit_test_setup(test_nrt_random, setup),
        cmocka_unit_test_setup(test_oracle, setup),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    oracle_queue_free();
    if (failed)
        return 1;
    if (!oracle_present(oracle_why, sizeof oracle_why)) {
        fprintf(stderr, "SKIP: oracle checks not run: %s\n", oracle_why);
        return 77;
    }
    return 0;
}
