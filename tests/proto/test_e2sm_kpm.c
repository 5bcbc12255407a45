/*
 * test_e2sm_kpm.c -- the E2SM-KPM helpers (kizuna/e2sm_kpm.h): every builder's bytes decode to
 * what was put in and round-trip byte-exact through ../shared/tools/asn1-oracle (and equal its
 * JSON); the shared samples decode and iterate to the expected tuples; the timestamp readings
 * on known values; iteration over message formats 1, 2 and 3 with REAL and missing values.
 *
 * Oracle checks are queued and run in two batch calls at the end (hex only crosses the
 * process boundary).  Without the oracle the rest still runs and the program exits 77.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "kizuna/asn_json.h"
#include "kizuna/e2sm_kpm.h"
#include "test_util.h"

static uint8_t arena_mem[8 << 20], scratch_mem[1 << 20];
static kz_arena arena, scratch;
static uint8_t buf[1 << 20];

static int setup(void **state)
{
    (void)state;
    kz_arena_init(&arena, arena_mem, sizeof arena_mem);
    kz_arena_init(&scratch, scratch_mem, sizeof scratch_mem);
    return 0;
}

/* ---- the oracle (queued by oracle_queue, checked in test_util.c) ---------------------------- */

static char oracle_why[256];

static void test_oracle(void **state)
{
    (void)state;
    if (!oracle_present(oracle_why, sizeof oracle_why))
        skip();
    oracle_check_queue("kpm", &arena);
}

static const uint8_t PLMN_001_01[3] = { 0x00, 0xf1, 0x10 };

/* ---- subscriptions ------------------------------------------------------------------------- */

static void test_plmn_and_cgi(void **state)
{
    (void)state;
    uint8_t p[3], st[8];
    kz_kpm_plmn(p, 1, 1, 2);
    assert_memory_equal(p, PLMN_001_01, 3);
    kz_kpm_plmn(p, 310, 410, 3);
    assert_memory_equal(p, ((uint8_t[]){ 0x13, 0x00, 0x14 }), 3);
    kz_e2sm_CGI c;
    kz_kpm_nr_cgi(&c, st, PLMN_001_01, 0x123456789ull);
    assert_int_equal(kz_kpm_cgi_cell_id(&c), 0x123456789ull);
    assert_int_equal(c.u.nR_CGI.nRCellIdentity.nbits, 36);
    assert_int_equal(st[7], 0x90);
}

static void test_event_trigger_matches_sample(void **state)
{
    (void)state;
    uint8_t sample[64];
    size_t n = read_sample("kpm-event-trigger.hex", sample, sizeof sample);
    if (n == 0)
        skip();
    long len = kz_kpm_build_event_trigger(1000, buf, sizeof buf);
    assert_int_equal(len, (long)n);
    assert_memory_equal(buf, sample, n);
    const kz_kpm_E2SM_KPM_EventTriggerDefinition *t;
    assert_int_equal(kz_kpm_decode_event_trigger(buf, (size_t)len, &arena, &t, NULL), 0);
    assert_int_equal(t->eventDefinition_formats.u.eventDefinition_Format1.reportingPeriod, 1000);
    assert_int_equal(kz_kpm_build_event_trigger(0, buf, sizeof buf), KZ_EINVAL);
    assert_int_equal(kz_kpm_build_event_trigger(1000, buf, 1), KZ_ENOSPC);
    oracle_queue("E2SM-KPM-EventTriggerDefinition", &kz_kpm_E2SM_KPM_EventTriggerDefinition_desc,
                 buf, (size_t)len);
}

static void test_action_f1_matches_sample(void **state)
{
    (void)state;
    uint8_t sample[256], st[8];
    size_t n = read_sample("kpm-action-definition-f1.hex", sample, sizeof sample);
    if (n == 0)
        skip();
    kz_kpm_MeasurementLabel lab;
    memset(&lab, 0, sizeof lab);
    const uint8_t sd[3] = { 0, 0, 1 }, sst[1] = { 1 };
    lab.has_plmnID = true;
    lab.plmnID.buf = PLMN_001_01;
    lab.plmnID.len = 3;
    lab.has_sliceID = true;
    lab.sliceID.sST.buf = sst;
    lab.sliceID.sST.len = 1;
    lab.sliceID.has_sD = true;
    lab.sliceID.sD.buf = sd;
    lab.sliceID.sD.len = 3;
    lab.has_fiveQI = true;
    lab.fiveQI = 9;
    const kz_kpm_metric m[] = { { "DRB.UEThpDl", 0, NULL }, { NULL, 2, &lab } };
    kz_e2sm_CGI cell;
    kz_kpm_nr_cgi(&cell, st, PLMN_001_01, 1);
    size_t used = scratch.used;
    long len = kz_kpm_build_action_f1(m, 2, 1000, &cell, &scratch, buf, sizeof buf);
    assert_int_equal(scratch.used, used);   /* scratch given back */
    assert_int_equal(len, (long)n);
    assert_memory_equal(buf, sample, n);
    oracle_queue("E2SM-KPM-ActionDefinition", &kz_kpm_E2SM_KPM_ActionDefinition_desc, buf,
                 (size_t)len);
}

static void test_cell_subscription(void **state)
{
    (void)state;
    uint8_t st[3][8];
    kz_e2sm_CGI cells[3];
    for (int i = 0; i < 3; i++)
        kz_kpm_nr_cgi(&cells[i], st[i], PLMN_001_01, 0x000066C00ull + (uint64_t)i);
    const kz_kpm_metric m[] = { { "RRU.PrbUsedDl", 0, NULL }, { "RRU.PrbTotDl", 0, NULL },
                                { "PEE.AvgPower", 0, NULL } };
    kz_kpm_cell_subscription s = { 1000, 0, m, 3, cells, 3 };
    kz_kpm_blob trig, act[4];
    assert_int_equal(kz_kpm_build_cell_subscription(&s, &scratch, buf, sizeof buf, &trig, act, 2),
                     KZ_ENOSPC);
    int n = kz_kpm_build_cell_subscription(&s, &scratch, buf, sizeof buf, &trig, act, 4);
    assert_int_equal(n, 3);
    oracle_queue("E2SM-KPM-EventTriggerDefinition", &kz_kpm_E2SM_KPM_EventTriggerDefinition_desc,
                 trig.buf, trig.len);
    for (int i = 0; i < n; i++) {
        const kz_kpm_E2SM_KPM_ActionDefinition *d;
        assert_int_equal(kz_kpm_decode_action(act[i].buf, act[i].len, &arena, &d, NULL), 0);
        assert_int_equal(d->ric_Style_Type, 1);
        const kz_kpm_E2SM_KPM_ActionDefinition_Format1 *f1 =
            &d->actionDefinition_formats.u.actionDefinition_Format1;
        assert_int_equal(f1->granulPeriod, 1000);
        assert_true(f1->has_cellGlobalID);
        assert_int_equal(kz_kpm_cgi_cell_id(&f1->cellGlobalID), 0x000066C00ull + (uint64_t)i);
        assert_int_equal(f1->measInfoList.count, 3);
        assert_true(oct_eq(f1->measInfoList.items[2].measType.u.measName, "PEE.AvgPower"));
        assert_true(f1->measInfoList.items[0].labelInfoList.items[0].measLabel.has_noLabel);
        oracle_queue("E2SM-KPM-ActionDefinition", &kz_kpm_E2SM_KPM_ActionDefinition_desc,
                     act[i].buf, act[i].len);
    }
    /* no cells: one node-level action without cellGlobalID */
    s.n_cells = 0;
    assert_int_equal(kz_kpm_build_cell_subscription(&s, &scratch, buf, sizeof buf, &trig, act, 4), 1);
    const kz_kpm_E2SM_KPM_ActionDefinition *d;
    assert_int_equal(kz_kpm_decode_action(act[0].buf, act[0].len, &arena, &d, NULL), 0);
    assert_false(d->actionDefinition_formats.u.actionDefinition_Format1.has_cellGlobalID);
    /* errors */
    s.metrics = NULL;
    assert_int_equal(kz_kpm_build_cell_subscription(&s, &scratch, buf, sizeof buf, &trig, act, 4),
                     KZ_EINVAL);
    s.metrics = m;
    assert_true(kz_kpm_build_cell_subscription(&s, &scratch, buf, 8, &trig, act, 4) == KZ_ENOSPC);
}

static void test_ue_action_f4_logicalor(void **state)
{
    (void)state;
    kz_kpm_MatchingUeCondPerSubItem c[2];
    memset(c, 0, sizeof c);
    c[0].testCondInfo.testType.present = kz_kpm_TestCond_Type_ul_rSRP;
    c[0].testCondInfo.has_testExpr = true;
    c[0].testCondInfo.testExpr = kz_kpm_TestCond_Expression_lessthan;
    c[0].testCondInfo.has_testValue = true;
    c[0].testCondInfo.testValue.present = kz_kpm_TestCond_Value_valueInt;
    c[0].testCondInfo.testValue.u.valueInt = 1000;
    c[0].has_logicalOR = true;
    c[0].logicalOR = kz_kpm_LogicalOR_true;
    c[1].testCondInfo.testType.present = kz_kpm_TestCond_Type_cQI;
    c[1].testCondInfo.has_testExpr = true;
    c[1].testCondInfo.testExpr = kz_kpm_TestCond_Expression_greaterthan;
    c[1].testCondInfo.has_testValue = true;
    c[1].testCondInfo.testValue.present = kz_kpm_TestCond_Value_valueReal;
    c[1].testCondInfo.testValue.u.valueReal = 7.5;
    const kz_kpm_metric m[] = { { "DRB.UEThpDl", 0, NULL }, { NULL, 101, NULL } };
    kz_kpm_ue_subscription s = { 500, m, 2, c, 2, NULL };
    long len = kz_kpm_build_ue_action(&s, &scratch, buf, sizeof buf);
    assert_true(len > 0);
    const kz_kpm_E2SM_KPM_ActionDefinition *d;
    assert_int_equal(kz_kpm_decode_action(buf, (size_t)len, &arena, &d, NULL), 0);
    assert_int_equal(d->ric_Style_Type, 4);
    const kz_kpm_E2SM_KPM_ActionDefinition_Format4 *f4 =
        &d->actionDefinition_formats.u.actionDefinition_Format4;
    assert_int_equal(f4->matchingUeCondList.count, 2);
    assert_true(f4->matchingUeCondList.items[0].has_logicalOR);
    assert_false(f4->matchingUeCondList.items[1].has_logicalOR);
    assert_true(f4->matchingUeCondList.items[1].testCondInfo.testValue.u.valueReal == 7.5);
    assert_int_equal(f4->subscriptionInfo.measInfoList.items[1].measType.u.measID, 101);
    oracle_queue("E2SM-KPM-ActionDefinition", &kz_kpm_E2SM_KPM_ActionDefinition_desc, buf,
                 (size_t)len);
    s.n_conds = 0;
    assert_int_equal(kz_kpm_build_ue_action(&s, &scratch, buf, sizeof buf), KZ_EINVAL);
}

/* KPM's LogicalOR is ENUMERATED {true, ...} by its own text (RC's has 'false' too, one more
 * bit).  A label with logicalOR followed by another matching condition shows the difference
 * in alignment; the expected bytes are the oracle's encoding of the same value:
 *   asn1-oracle encode kpm E2SM-KPM-ActionDefinition '{"ric-Style-Type":3,
 *    "actionDefinition-formats":{"actionDefinition-Format3":{"measCondList":[{"measType":
 *    {"measName":"DRB.UEThpDl"},"matchingCond":[{"matchingCondChoice":{"measLabel":{"fiveQI":9}},
 *    "logicalOR":"true"},{"matchingCondChoice":{"measLabel":{"fiveQI":7}}}]}],"granulPeriod":1000}}}' */
static void test_logicalor_label_matches_oracle(void **state)
{
    (void)state;
    static const char expect[] = "00010340000000a04452422e5545546870446c0001408000000900400000074003e7";
    kz_kpm_MatchingCondItem mc[2];
    memset(mc, 0, sizeof mc);
    mc[0].matchingCondChoice.present = kz_kpm_MatchingCondItem_Choice_measLabel;
    mc[0].matchingCondChoice.u.measLabel.has_fiveQI = true;
    mc[0].matchingCondChoice.u.measLabel.fiveQI = 9;
    mc[0].has_logicalOR = true;
    mc[0].logicalOR = kz_kpm_LogicalOR_true;
    mc[1].matchingCondChoice.present = kz_kpm_MatchingCondItem_Choice_measLabel;
    mc[1].matchingCondChoice.u.measLabel.has_fiveQI = true;
    mc[1].matchingCondChoice.u.measLabel.fiveQI = 7;
    kz_kpm_MeasurementCondItem ci;
    memset(&ci, 0, sizeof ci);
    ci.measType.present = kz_kpm_MeasurementType_measName;
    ci.measType.u.measName.buf = (const uint8_t *)"DRB.UEThpDl";
    ci.measType.u.measName.len = 11;
    ci.matchingCond.count = 2;
    ci.matchingCond.items = mc;
    kz_kpm_E2SM_KPM_ActionDefinition d;
    memset(&d, 0, sizeof d);
    d.ric_Style_Type = 3;
    d.actionDefinition_formats.present =
        kz_kpm_E2SM_KPM_ActionDefinition__actionDefinition_formats_actionDefinition_Format3;
    d.actionDefinition_formats.u.actionDefinition_Format3.measCondList.count = 1;
    d.actionDefinition_formats.u.actionDefinition_Format3.measCondList.items = &ci;
    d.actionDefinition_formats.u.actionDefinition_Format3.granulPeriod = 1000;
    long len = kz_asn_encode(&kz_kpm_E2SM_KPM_ActionDefinition_desc, &d, buf, sizeof buf, NULL);
    assert_true(len > 0);
    char *hex = to_hex(buf, (size_t)len);
    assert_string_equal(hex, expect);
    free(hex);
    const kz_kpm_E2SM_KPM_ActionDefinition *back;
    assert_int_equal(kz_kpm_decode_action(buf, (size_t)len, &arena, &back, NULL), 0);
    assert_true(kz_asn_equal(&kz_kpm_E2SM_KPM_ActionDefinition_desc, &d, back));
    oracle_queue("E2SM-KPM-ActionDefinition", &kz_kpm_E2SM_KPM_ActionDefinition_desc, buf,
                 (size_t)len);
}

/* ---- timestamps ---------------------------------------------------------------------------- */

static void put64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

static void test_timestamp_readings(void **state)
{
    (void)state;
    uint8_t raw[8];
    int64_t ns;
    /* NTP epoch offset: the Unix epoch is NTP second 2208988800 */
    put64(raw, 2208988800ull << 32);
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_NTP, &ns), 0);
    assert_int_equal(ns, 0);
    assert_true(kz_kpm_ts_to_unix_s(raw, KZ_KPM_TS_NTP) == 0.0);
    /* 2023-11-14 22:13:20.5 UTC = Unix 1700000000.5 */
    put64(raw, (1700000000ull + 2208988800ull) << 32 | 0x80000000u);
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_NTP, &ns), 0);
    assert_int_equal(ns, 1700000000500000000LL);
    assert_true(fabs(kz_kpm_ts_to_unix_s(raw, KZ_KPM_TS_NTP) - 1700000000.5) < 1e-6);
    assert_int_equal(kz_kpm_ts_detect(raw, 1420070400 /* 2015 */, 2208988800 /* 2040 */),
                     KZ_KPM_TS_NTP);
    assert_int_equal(kz_kpm_ts_raw(raw), (1700000000ull + 2208988800ull) << 32 | 0x80000000u);
    /* the same instant in each other reading */
    put64(raw, 1700000000ull << 32 | 0x80000000u);
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_UNIX_NTP_LAYOUT, &ns), 0);
    assert_int_equal(ns, 1700000000500000000LL);
    assert_int_equal(kz_kpm_ts_plausible(raw, 1420070400, 2208988800), 1u << KZ_KPM_TS_UNIX_NTP_LAYOUT);
    put64(raw, 1700000000500000ull);
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_UNIX_US, &ns), 0);
    assert_int_equal(ns, 1700000000500000000LL);
    assert_int_equal(kz_kpm_ts_detect(raw, 1420070400, 2208988800), KZ_KPM_TS_UNIX_US);
    uint8_t sw[8];
    for (int i = 0; i < 8; i++)
        sw[i] = raw[7 - i];
    assert_int_equal(kz_kpm_ts_to_unix_ns(sw, KZ_KPM_TS_UNIX_US_SWAPPED, &ns), 0);
    assert_int_equal(ns, 1700000000500000000LL);
    assert_int_equal(kz_kpm_ts_plausible(sw, 1420070400, 2208988800), 1u << KZ_KPM_TS_UNIX_US_SWAPPED);
    /* nothing plausible */
    put64(raw, 0);
    assert_int_equal(kz_kpm_ts_detect(raw, 1420070400, 2208988800), -1);
    /* writing then reading gives the same ns, every reading */
    int64_t t = 1722938016123456789LL;
    for (int r = 0; r < KZ_KPM_TS_READINGS; r++) {
        assert_int_equal(kz_kpm_ts_from_unix_ns(t, (kz_kpm_ts_reading)r, raw), 0);
        assert_int_equal(kz_kpm_ts_to_unix_ns(raw, (kz_kpm_ts_reading)r, &ns), 0);
        int64_t want = r >= KZ_KPM_TS_UNIX_US ? t / 1000 * 1000 : t;
        assert_int_equal(ns, want);
        assert_int_equal(kz_kpm_ts_detect(raw, 1420070400, 2208988800), r);
    }
    for (int64_t x = 0; x < 2000000000LL; x += 99999989) {   /* sub-second spread */
        kz_kpm_ts_from_unix_ns(1700000000000000000LL + x, KZ_KPM_TS_NTP, raw);
        kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_NTP, &ns);
        assert_int_equal(ns, 1700000000000000000LL + x);
    }
    assert_int_equal(kz_kpm_ts_from_unix_ns(-1, KZ_KPM_TS_NTP, raw), KZ_ERANGE);
    put64(raw, UINT64_MAX);
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_UNIX_US, &ns), KZ_ERANGE);
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_READINGS, &ns), KZ_ERANGE);
}

/* ---- the shared samples -------------------------------------------------------------------- */

typedef struct expect_sample {
    const char *name;   /* NULL: unknown */
    int64_t id;
    kz_kpm_value_kind kind;
    int64_t i;
    double r;
    uint32_t period;
    bool incomplete;
} expect_sample;

static void check_samples(kz_kpm_iter *it, const expect_sample *e, size_t n, int64_t t0,
                          int64_t step_ns)
{
    kz_kpm_sample s;
    size_t k = 0;
    while (kz_kpm_iter_next(it, &s)) {
        assert_true(k < n);
        if (e[k].name)
            assert_true(oct_eq(s.name, e[k].name));
        else
            assert_int_equal(s.name.len, 0);
        assert_int_equal(s.id, e[k].id);
        assert_int_equal(s.v.kind, e[k].kind);
        if (e[k].kind == KZ_KPM_VALUE_INT)
            assert_int_equal(s.v.i, e[k].i);
        if (e[k].kind == KZ_KPM_VALUE_REAL)
            assert_true(s.v.r == e[k].r);
        assert_int_equal(s.period, e[k].period);
        assert_int_equal(s.incomplete, e[k].incomplete);
        assert_int_equal(s.ts_ns, t0 + (int64_t)s.period * step_ns);
        k++;
    }
    assert_int_equal(k, n);
    assert_false(kz_kpm_iter_next(it, &s));
}

static void test_sample_indication_iterates(void **state)
{
    (void)state;
    uint8_t hb[256], mb[512], rb[512];
    size_t hn = read_sample("kpm-indication-header-f1.hex", hb, sizeof hb);
    size_t mn = read_sample("kpm-indication-message-f1.hex", mb, sizeof mb);
    size_t rn = read_sample("kpm-ranfunction-description.hex", rb, sizeof rb);
    if (!hn || !mn || !rn)
        skip();
    const kz_kpm_E2SM_KPM_IndicationHeader *h;
    const kz_kpm_E2SM_KPM_IndicationMessage *m;
    const kz_kpm_E2SM_KPM_RANfunction_Description *rf;
    assert_int_equal(kz_kpm_decode_header(hb, hn, &arena, &h, NULL), 0);
    assert_int_equal(kz_kpm_decode_message(mb, mn, &arena, &m, NULL), 0);
    assert_int_equal(kz_kpm_decode_ran_function(rb, rn, &arena, &rf, NULL), 0);
    assert_true(oct_eq(rf->ranFunction_Name.ranFunction_E2SM_OID, KZ_KPM_OID));
    assert_true(oct_eq(kz_kpm_ran_function_meas_name(rf, 1), "DRB.UEThpDl"));
    assert_true(kz_kpm_ran_function_has_metric(rf, 1, "RRU.PrbTotDl"));
    assert_false(kz_kpm_ran_function_has_metric(rf, 2, "RRU.PrbTotDl"));

    /* The sample's colletStartTime 66b1f2a0 00000000 is Unix seconds in the NTP layout
     * (2024-08-06T09:53:36Z): read the spec's way it is 1954; the detector says so. */
    const uint8_t *raw = h->indicationHeader_formats.u.indicationHeader_Format1.colletStartTime.buf;
    assert_int_equal(kz_kpm_ts_detect(raw, 1420070400, 2208988800), KZ_KPM_TS_UNIX_NTP_LAYOUT);
    int64_t ntp_ns, unix_ns;
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_NTP, &ntp_ns), 0);
    assert_int_equal(ntp_ns, (0x66b1f2a0LL - KZ_KPM_NTP_UNIX_OFFSET) * 1000000000LL);
    assert_int_equal(kz_kpm_ts_to_unix_ns(raw, KZ_KPM_TS_UNIX_NTP_LAYOUT, &unix_ns), 0);
    assert_int_equal(unix_ns, 1722938016LL * 1000000000LL);

    static const expect_sample e[] = {
        { "DRB.UEThpDl", 0, KZ_KPM_VALUE_INT, 42, 0, 0, false },
        { "DRB.UEThpUl", 0, KZ_KPM_VALUE_REAL, 0, 1.5, 0, false },
        { NULL, 3, KZ_KPM_VALUE_NONE, 0, 0, 0, false },   /* ID 3: not in this RAN function */
        { "DRB.UEThpDl", 0, KZ_KPM_VALUE_INT, 4294967295LL, 0, 1, true },
        { "DRB.UEThpUl", 0, KZ_KPM_VALUE_INT, 0, 0, 1, true },
        { NULL, 3, KZ_KPM_VALUE_INT, 7, 0, 1, true },
    };
    kz_kpm_iter it;
    kz_kpm_iter_opts o = { .ts_reading = KZ_KPM_TS_NTP, .ran_function = rf };
    assert_int_equal(kz_kpm_iter_init(&it, h, m, &o), 0);
    check_samples(&it, e, 6, ntp_ns, 1000000000LL);
    o.ts_reading = KZ_KPM_TS_UNIX_NTP_LAYOUT;
    assert_int_equal(kz_kpm_iter_init(&it, h, m, &o), 0);
    check_samples(&it, e, 6, unix_ns, 1000000000LL);
    /* the label of the third measurement comes with its value */
    kz_kpm_sample s;
    kz_kpm_iter_init(&it, h, m, &o);
    kz_kpm_iter_next(&it, &s);
    kz_kpm_iter_next(&it, &s);
    kz_kpm_iter_next(&it, &s);
    assert_non_null(s.label);
    assert_true(s.label->has_fiveQI && s.label->fiveQI == 9 && s.label->has_sUM);
}

static int count_cb(const kz_kpm_sample *s, void *user)
{
    (void)s;
    return ++*(int *)user == 4 ? 99 : 0;
}

static void test_foreach_and_bad_input(void **state)
{
    (void)state;
    uint8_t mb[512];
    size_t mn = read_sample("kpm-indication-message-f1.hex", mb, sizeof mb);
    if (!mn)
        skip();
    const kz_kpm_E2SM_KPM_IndicationMessage *m;
    assert_int_equal(kz_kpm_decode_message(mb, mn, &arena, &m, NULL), 0);
    int n = 0;
    assert_int_equal(kz_kpm_foreach(NULL, m, NULL, count_cb, &n), 99);   /* stopped at the 4th */
    assert_int_equal(n, 4);
    kz_kpm_E2SM_KPM_IndicationMessage empty;
    memset(&empty, 0, sizeof empty);
    kz_kpm_iter it;
    assert_int_equal(kz_kpm_iter_init(&it, NULL, &empty, NULL), KZ_EINVAL);
    /* every truncation of the sample is rejected with a path, never a crash */
    for (size_t cut = 0; cut < mn; cut++) {
        kz_asn_diag d;
        kz_asn_diag_init(&d);
        kz_arena_reset(&arena);
        assert_true(kz_kpm_decode_message(mb, cut, &arena, &m, &d) < 0);
    }
}

/* ---- building indications, iterating them -------------------------------------------------- */

static void test_build_f1_iterate(void **state)
{
    (void)state;
    const kz_kpm_metric m[] = { { "RRU.PrbUsedDl", 0, NULL }, { "PEE.AvgPower", 0, NULL },
                                { NULL, 14, NULL } };
    const kz_kpm_value v[] = {
        { KZ_KPM_VALUE_INT, 17, 0 },   { KZ_KPM_VALUE_REAL, 0, 0.25 },   { KZ_KPM_VALUE_NONE, 0, 0 },
        { KZ_KPM_VALUE_INT, 0, 0 },    { KZ_KPM_VALUE_REAL, 0, -2.5 },  { KZ_KPM_VALUE_REAL, 0, 1e-300 },
        { KZ_KPM_VALUE_INT, 4294967295LL, 0 }, { KZ_KPM_VALUE_REAL, 0, 1e300 }, { KZ_KPM_VALUE_REAL, 0, 0.1 },
    };
    const bool inc[] = { false, true, false };
    kz_kpm_report r = { m, 3, v, 3, inc, 100 };
    int64_t t0 = 1722938016250000000LL;
    kz_kpm_header_info hi = { t0, KZ_KPM_TS_NTP, "v3", "kizuna-emu", "gNB", "kizuna" };
    long hl = kz_kpm_build_header(&hi, buf, sizeof buf);
    assert_true(hl > 0);
    uint8_t *mbuf = buf + hl;
    long ml = kz_kpm_build_message_f1(&r, &scratch, mbuf, sizeof buf - (size_t)hl);
    assert_true(ml > 0);
    assert_int_equal(scratch.used, 0);
    oracle_queue("E2SM-KPM-IndicationHeader", &kz_kpm_E2SM_KPM_IndicationHeader_desc, buf, (size_t)hl);
    oracle_queue("E2SM-KPM-IndicationMessage", &kz_kpm_E2SM_KPM_IndicationMessage_desc, mbuf, (size_t)ml);

    const kz_kpm_E2SM_KPM_IndicationHeader *h;
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    assert_int_equal(kz_kpm_decode_header(buf, (size_t)hl, &arena, &h, NULL), 0);
    assert_int_equal(kz_kpm_decode_message(mbuf, (size_t)ml, &arena, &msg, NULL), 0);
    assert_true(oct_eq(h->indicationHeader_formats.u.indicationHeader_Format1.senderName, "kizuna-emu"));
    uint8_t rf_buf[2048];
    long rl = kz_kpm_build_ran_function_gnb(&scratch, rf_buf, sizeof rf_buf);
    assert_true(rl > 0);
    const kz_kpm_E2SM_KPM_RANfunction_Description *rf;
    assert_int_equal(kz_kpm_decode_ran_function(rf_buf, (size_t)rl, &arena, &rf, NULL), 0);

    static const expect_sample e[] = {
        { "RRU.PrbUsedDl", 0, KZ_KPM_VALUE_INT, 17, 0, 0, false },
        { "PEE.AvgPower", 0, KZ_KPM_VALUE_REAL, 0, 0.25, 0, false },
        { "PEE.Energy", 14, KZ_KPM_VALUE_NONE, 0, 0, 0, false },   /* ID 14 resolved */
        { "RRU.PrbUsedDl", 0, KZ_KPM_VALUE_INT, 0, 0, 1, true },
        { "PEE.AvgPower", 0, KZ_KPM_VALUE_REAL, 0, -2.5, 1, true },
        { "PEE.Energy", 14, KZ_KPM_VALUE_REAL, 0, 1e-300, 1, true },
        { "RRU.PrbUsedDl", 0, KZ_KPM_VALUE_INT, 4294967295LL, 0, 2, false },
        { "PEE.AvgPower", 0, KZ_KPM_VALUE_REAL, 0, 1e300, 2, false },
        { "PEE.Energy", 14, KZ_KPM_VALUE_REAL, 0, 0.1, 2, false },
    };
    uint8_t st[8];
    kz_e2sm_CGI cell;
    kz_kpm_nr_cgi(&cell, st, PLMN_001_01, 42);
    kz_kpm_iter it;
    kz_kpm_iter_opts o = { .ts_reading = KZ_KPM_TS_NTP, .ran_function = rf, .cell = &cell };
    assert_int_equal(kz_kpm_iter_init(&it, h, msg, &o), 0);
    check_samples(&it, e, 9, t0, 100000000LL);
    kz_kpm_sample s;
    kz_kpm_iter_init(&it, h, msg, &o);
    assert_true(kz_kpm_iter_next(&it, &s));
    assert_ptr_equal(s.cell, &cell);
    assert_null(s.ue);
    assert_true(s.label && s.label->has_noLabel);

    /* a value out of INTEGER (0..4294967295) is refused */
    kz_kpm_value bad[3] = { { KZ_KPM_VALUE_INT, -1, 0 }, { 0, 0, 0 }, { 0, 0, 0 } };
    kz_kpm_report rb = { m, 3, bad, 1, NULL, 0 };
    assert_int_equal(kz_kpm_build_message_f1(&rb, &scratch, mbuf, 4096), KZ_ERANGE);
    assert_int_equal(scratch.used, 0);
}

static void test_build_f3_iterate(void **state)
{
    (void)state;
    /* two UEs: gNB UE IDs by AMF UE NGAP ID + GUAMI */
    const uint8_t region[1] = { 0x80 }, set[2] = { 0x00, 0x40 }, ptr[1] = { 0x04 };
    kz_e2sm_UEID ue[2];
    memset(ue, 0, sizeof ue);
    for (int i = 0; i < 2; i++) {
        ue[i].present = kz_e2sm_UEID_gNB_UEID;
        ue[i].u.gNB_UEID.amf_UE_NGAP_ID = 1000 + i;
        ue[i].u.gNB_UEID.guami.pLMNIdentity.buf = PLMN_001_01;
        ue[i].u.gNB_UEID.guami.pLMNIdentity.len = 3;
        ue[i].u.gNB_UEID.guami.aMFRegionID.buf = region;
        ue[i].u.gNB_UEID.guami.aMFRegionID.nbits = 8;
        ue[i].u.gNB_UEID.guami.aMFSetID.buf = set;
        ue[i].u.gNB_UEID.guami.aMFSetID.nbits = 10;
        ue[i].u.gNB_UEID.guami.aMFPointer.buf = ptr;
        ue[i].u.gNB_UEID.guami.aMFPointer.nbits = 6;
    }
    const kz_kpm_metric m[] = { { "DRB.UEThpDl", 0, NULL }, { "DRB.UEThpUl", 0, NULL } };
    const kz_kpm_value v0[] = { { KZ_KPM_VALUE_REAL, 0, 12.25 }, { KZ_KPM_VALUE_NONE, 0, 0 } };
    const kz_kpm_value v1[] = { { KZ_KPM_VALUE_INT, 5, 0 }, { KZ_KPM_VALUE_INT, 6, 0 },
                                { KZ_KPM_VALUE_INT, 7, 0 }, { KZ_KPM_VALUE_REAL, 0, -0.125 } };
    kz_kpm_ue_report ur[2] = { { &ue[0], { m, 2, v0, 1, NULL, 1000 } },
                               { &ue[1], { m, 2, v1, 2, NULL, 0 } } };
    long ml = kz_kpm_build_message_f3(ur, 2, &scratch, buf, sizeof buf);
    assert_true(ml > 0);
    oracle_queue("E2SM-KPM-IndicationMessage", &kz_kpm_E2SM_KPM_IndicationMessage_desc, buf, (size_t)ml);
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    assert_int_equal(kz_kpm_decode_message(buf, (size_t)ml, &arena, &msg, NULL), 0);
    kz_kpm_iter it;
    kz_kpm_iter_opts o = { .granul_ms = 250 };   /* for the UE whose report has no granulPeriod */
    assert_int_equal(kz_kpm_iter_init(&it, NULL, msg, &o), 0);
    kz_kpm_sample s;
    struct { int64_t amf; const char *name; kz_kpm_value_kind k; double x; uint32_t p; } e[] = {
        { 1000, "DRB.UEThpDl", KZ_KPM_VALUE_REAL, 12.25, 0 },
        { 1000, "DRB.UEThpUl", KZ_KPM_VALUE_NONE, 0, 0 },
        { 1001, "DRB.UEThpDl", KZ_KPM_VALUE_INT, 5, 0 },
        { 1001, "DRB.UEThpUl", KZ_KPM_VALUE_INT, 6, 0 },
        { 1001, "DRB.UEThpDl", KZ_KPM_VALUE_INT, 7, 1 },
        { 1001, "DRB.UEThpUl", KZ_KPM_VALUE_REAL, -0.125, 1 },
    };
    for (size_t k = 0; k < 6; k++) {
        assert_true(kz_kpm_iter_next(&it, &s));
        assert_non_null(s.ue);
        assert_int_equal(s.ue->present, kz_e2sm_UEID_gNB_UEID);
        assert_int_equal(s.ue->u.gNB_UEID.amf_UE_NGAP_ID, e[k].amf);
        assert_true(oct_eq(s.name, e[k].name));
        assert_int_equal(s.v.kind, e[k].k);
        assert_int_equal(s.period, e[k].p);
        assert_int_equal(s.ts_ns, 0);   /* no header */
        if (e[k].k == KZ_KPM_VALUE_INT)
            assert_int_equal(s.v.i, (int64_t)e[k].x);
        if (e[k].k == KZ_KPM_VALUE_REAL)
            assert_true(s.v.r == e[k].x && signbit(s.v.r) == signbit(e[k].x));
    }
    assert_false(kz_kpm_iter_next(&it, &s));
}

static void test_format2_iterate(void **state)
{
    (void)state;
    /* format 2: values pair with measCondUEidList items; matched UEs come with them */
    kz_kpm_MatchingCondItem mc[1];
    memset(mc, 0, sizeof mc);
    mc[0].matchingCondChoice.present = kz_kpm_MatchingCondItem_Choice_measLabel;
    mc[0].matchingCondChoice.u.measLabel.has_fiveQI = true;
    mc[0].matchingCondChoice.u.measLabel.fiveQI = 9;
    kz_kpm_MatchingUEidItem mu[1];
    memset(mu, 0, sizeof mu);
    mu[0].ueID.present = kz_e2sm_UEID_gNB_DU_UEID;
    mu[0].ueID.u.gNB_DU_UEID.gNB_CU_UE_F1AP_ID = 77;
    kz_kpm_MeasurementCondUEidItem ci[2];
    memset(ci, 0, sizeof ci);
    ci[0].measType.present = kz_kpm_MeasurementType_measName;
    ci[0].measType.u.measName.buf = (const uint8_t *)"DRB.UEThpDl";
    ci[0].measType.u.measName.len = 11;
    ci[0].matchingCond.count = 1;
    ci[0].matchingCond.items = mc;
    ci[0].has_matchingUEidList = true;
    ci[0].matchingUEidList.count = 1;
    ci[0].matchingUEidList.items = mu;
    ci[1].measType.present = kz_kpm_MeasurementType_measID;
    ci[1].measType.u.measID = 102;
    ci[1].matchingCond.count = 1;
    ci[1].matchingCond.items = mc;
    kz_kpm_MeasurementRecordItem ri[4] = {
        { kz_kpm_MeasurementRecordItem_real, { .real = 3.75 } },
        { kz_kpm_MeasurementRecordItem_noValue, { .noValue = 0 } },
        { kz_kpm_MeasurementRecordItem_integer, { .integer = 9 } },
        { kz_kpm_MeasurementRecordItem_integer, { .integer = 10 } },
    };
    kz_kpm_MeasurementDataItem di[2] = { { { 2, &ri[0] }, false, 0 }, { { 2, &ri[2] }, true, 0 } };
    kz_kpm_E2SM_KPM_IndicationMessage m;
    memset(&m, 0, sizeof m);
    m.indicationMessage_formats.present =
        kz_kpm_E2SM_KPM_IndicationMessage__indicationMessage_formats_indicationMessage_Format2;
    kz_kpm_E2SM_KPM_IndicationMessage_Format2 *f2 = &m.indicationMessage_formats.u.indicationMessage_Format2;
    f2->measData.count = 2;
    f2->measData.items = di;
    f2->measCondUEidList.count = 2;
    f2->measCondUEidList.items = ci;
    f2->has_granulPeriod = true;
    f2->granulPeriod = 500;
    long ml = kz_asn_encode(&kz_kpm_E2SM_KPM_IndicationMessage_desc, &m, buf, sizeof buf, NULL);
    assert_true(ml > 0);
    oracle_queue("E2SM-KPM-IndicationMessage", &kz_kpm_E2SM_KPM_IndicationMessage_desc, buf, (size_t)ml);

    uint8_t hb[64];
    kz_kpm_header_info hi = { 1700000000000000000LL, KZ_KPM_TS_UNIX_US_SWAPPED, NULL, NULL, NULL, NULL };
    long hl = kz_kpm_build_header(&hi, hb, sizeof hb);
    assert_true(hl > 0);
    const kz_kpm_E2SM_KPM_IndicationHeader *h;
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    assert_int_equal(kz_kpm_decode_header(hb, (size_t)hl, &arena, &h, NULL), 0);
    assert_int_equal(kz_kpm_decode_message(buf, (size_t)ml, &arena, &msg, NULL), 0);
    uint8_t rf_buf[2048];
    long rl = kz_kpm_build_ran_function_gnb(&scratch, rf_buf, sizeof rf_buf);
    const kz_kpm_E2SM_KPM_RANfunction_Description *rf;
    assert_int_equal(kz_kpm_decode_ran_function(rf_buf, (size_t)rl, &arena, &rf, NULL), 0);
    kz_kpm_iter it;
    kz_kpm_iter_opts o = { .ts_reading = KZ_KPM_TS_UNIX_US_SWAPPED, .ran_function = rf };
    assert_int_equal(kz_kpm_iter_init(&it, h, msg, &o), 0);
    static const expect_sample e[] = {
        { "DRB.UEThpDl", 0, KZ_KPM_VALUE_REAL, 0, 3.75, 0, false },
        { "DRB.UEThpUl", 102, KZ_KPM_VALUE_NONE, 0, 0, 0, false },
        { "DRB.UEThpDl", 0, KZ_KPM_VALUE_INT, 9, 0, 1, true },
        { "DRB.UEThpUl", 102, KZ_KPM_VALUE_INT, 10, 0, 1, true },
    };
    check_samples(&it, e, 4, 1700000000000000000LL, 500000000LL);
    kz_kpm_sample s;
    kz_kpm_iter_init(&it, h, msg, &o);
    assert_true(kz_kpm_iter_next(&it, &s));
    assert_non_null(s.cond);
    assert_true(s.cond->has_matchingUEidList);
    assert_int_equal(s.cond->matchingUEidList.items[0].ueID.u.gNB_DU_UEID.gNB_CU_UE_F1AP_ID, 77);
    /* read with the spec's reading, the swapped bytes are nowhere near now */
    o.ts_reading = KZ_KPM_TS_NTP;
    assert_int_equal(kz_kpm_iter_init(&it, h, msg, &o), 0);
    assert_true(kz_kpm_iter_next(&it, &s));
    assert_true(s.ts_ns < 0);
}

/* REAL zero: X.690 8.5.2/8.5.9 want no contents octets for +0 and the special value 0x43 for
 * -0, which is what we write.  The oracle (Erlang asn1, OTP 25) cannot decode either, and
 * itself writes +0 as binary mantissa 0 (c0 00), so these stay out of the oracle queue; we
 * read its form too. */
static void test_real_zero(void **state)
{
    (void)state;
    const kz_kpm_metric m[] = { { "PEE.AvgPower", 0, NULL }, { "PEE.Energy", 0, NULL },
                                { "RRC.ConnMean", 0, NULL } };
    const kz_kpm_value v[] = { { KZ_KPM_VALUE_REAL, 0, 0.0 }, { KZ_KPM_VALUE_REAL, 0, -0.0 },
                               { KZ_KPM_VALUE_INT, 0, 0 } };
    kz_kpm_report r = { m, 3, v, 1, NULL, 1000 };
    long ml = kz_kpm_build_message_f1(&r, &scratch, buf, sizeof buf);
    assert_true(ml > 0);
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    assert_int_equal(kz_kpm_decode_message(buf, (size_t)ml, &arena, &msg, NULL), 0);
    kz_kpm_iter it;
    kz_kpm_sample s;
    assert_int_equal(kz_kpm_iter_init(&it, NULL, msg, NULL), 0);
    assert_true(kz_kpm_iter_next(&it, &s));
    assert_true(s.v.kind == KZ_KPM_VALUE_REAL && s.v.r == 0.0 && !signbit(s.v.r));
    assert_true(kz_kpm_iter_next(&it, &s));
    assert_true(s.v.kind == KZ_KPM_VALUE_REAL && s.v.r == 0.0 && signbit(s.v.r));
    assert_true(kz_kpm_iter_next(&it, &s));
    assert_true(s.v.kind == KZ_KPM_VALUE_INT && s.v.i == 0);
    assert_false(kz_kpm_iter_next(&it, &s));

    uint8_t b[8];
    kz_kpm_MeasurementRecordItem ri = { kz_kpm_MeasurementRecordItem_real, { .real = 0.0 } };
    assert_int_equal(kz_asn_encode(&kz_kpm_MeasurementRecordItem_desc, &ri, b, sizeof b, NULL), 2);
    assert_memory_equal(b, ((uint8_t[]){ 0x20, 0x00 }), 2);
    ri.u.real = -0.0;
    assert_int_equal(kz_asn_encode(&kz_kpm_MeasurementRecordItem_desc, &ri, b, sizeof b, NULL), 3);
    assert_memory_equal(b, ((uint8_t[]){ 0x20, 0x01, 0x43 }), 3);
    static const uint8_t erlang_zero[] = { 0x20, 0x02, 0xc0, 0x00 };
    kz_kpm_MeasurementRecordItem *back;
    assert_int_equal(kz_asn_decode(&kz_kpm_MeasurementRecordItem_desc, erlang_zero,
                                   sizeof erlang_zero, &arena, (void **)&back, NULL), 0);
    assert_int_equal(back->present, kz_kpm_MeasurementRecordItem_real);
    assert_true(back->u.real == 0.0);
}

static void test_ran_function_gnb(void **state)
{
    (void)state;
    long rl = kz_kpm_build_ran_function_gnb(&scratch, buf, sizeof buf);
    assert_true(rl > 0);
    assert_int_equal(scratch.used, 0);
    oracle_queue("E2SM-KPM-RANfunction-Description", &kz_kpm_E2SM_KPM_RANfunction_Description_desc,
                 buf, (size_t)rl);
    const kz_kpm_E2SM_KPM_RANfunction_Description *rf;
    assert_int_equal(kz_kpm_decode_ran_function(buf, (size_t)rl, &arena, &rf, NULL), 0);
    assert_true(oct_eq(rf->ranFunction_Name.ranFunction_ShortName, KZ_KPM_SHORT_NAME));
    assert_true(oct_eq(rf->ranFunction_Name.ranFunction_E2SM_OID, "1.3.6.1.4.1.53148.1.3.2.2"));
    assert_int_equal(rf->ric_EventTriggerStyle_List.count, 1);
    assert_int_equal(rf->ric_ReportStyle_List.count, 5);
    static const int64_t msgfmt[5] = { 1, 1, 2, 3, 3 };
    for (int s = 1; s <= 5; s++) {
        const kz_kpm_RIC_ReportStyle_Item *st = kz_kpm_ran_function_style(rf, s);
        assert_non_null(st);
        assert_int_equal(st->ric_ActionFormat_Type, s);
        assert_int_equal(st->ric_IndicationMessageFormat_Type, msgfmt[s - 1]);
    }
    for (size_t i = 0; i < kz_kpm_gnb_n_cell_metrics; i++)
        assert_true(kz_kpm_ran_function_has_metric(rf, 1, kz_kpm_gnb_cell_metrics[i]));
    assert_true(kz_kpm_ran_function_has_metric(rf, 4, "DRB.UEThpDl"));
    assert_false(kz_kpm_ran_function_has_metric(rf, 4, "PEE.Energy"));
    assert_null(kz_kpm_ran_function_style(rf, 6));
    assert_true(oct_eq(kz_kpm_ran_function_meas_name(rf, 3), "RRU.PrbUsedDl"));
    assert_true(oct_eq(kz_kpm_ran_function_meas_name(rf, 101), "DRB.UEThpDl"));
    assert_int_equal(kz_kpm_ran_function_meas_name(rf, 99).len, 0);
    assert_int_equal(kz_kpm_build_ran_function_gnb(&scratch, buf, 16), KZ_ENOSPC);
}

/* Iterating a format 3 indication: the cost per value (informational; not asserted, since
 * sanitizer builds are slow). */
/* kz_kpm_iter_next writes the per-period fields of a sample only when they change or when
 * the sample struct is not the one it filled last: iterating into one struct, alternating
 * between two, and the samples a caller copies out must all agree -- across names, IDs, a
 * measurement with two labels, several periods and UEs. */
static int sample_cmp(const kz_kpm_sample *a, const kz_kpm_sample *b)
{
    return a->cell != b->cell || a->ue != b->ue || a->name.buf != b->name.buf ||
           a->name.len != b->name.len || a->id != b->id || a->label != b->label ||
           a->cond != b->cond || a->period != b->period || a->index != b->index ||
           a->incomplete != b->incomplete || a->ts_ns != b->ts_ns || a->v.kind != b->v.kind ||
           (a->v.kind == KZ_KPM_VALUE_INT && a->v.i != b->v.i) ||
           (a->v.kind == KZ_KPM_VALUE_REAL && a->v.r != b->v.r);
}

static void test_iter_sample_reuse(void **state)
{
    (void)state;
    enum { UES = 3, MET = 3, MAXS = 64 };
    static kz_e2sm_UEID ue[UES];
    const kz_kpm_metric m[MET] = { { "DRB.UEThpDl", 0, NULL }, { NULL, 101, NULL },
                                   { "RRU.PrbUsedDl", 0, NULL } };
    kz_kpm_value v[2 * MET];
    for (int i = 0; i < 2 * MET; i++)
        v[i] = (kz_kpm_value){ i % 2 ? KZ_KPM_VALUE_REAL : KZ_KPM_VALUE_INT, i * 10, i * 0.25 };
    const bool inc[2] = { false, true };
    kz_kpm_ue_report ur[UES];
    for (int i = 0; i < UES; i++) {
        memset(&ue[i], 0, sizeof ue[i]);
        ue[i].present = kz_e2sm_UEID_gNB_DU_UEID;
        ue[i].u.gNB_DU_UEID.gNB_CU_UE_F1AP_ID = i;
        ur[i] = (kz_kpm_ue_report){ &ue[i], { m, MET, v, i == 1 ? 2 : 1, i == 1 ? inc : NULL, 1000 } };
    }
    kz_arena_reset(&arena);
    long ml = kz_kpm_build_message_f3(ur, UES, &scratch, buf, sizeof buf);
    assert_true(ml > 0);
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    assert_int_equal(kz_kpm_decode_message(buf, (size_t)ml, &arena, &msg, NULL), 0);
    /* UE 2: its first measurement gets a second label (so value 1 is DRB.UEThpDl again) */
    kz_kpm_MeasurementInfoItem *mi2 = (kz_kpm_MeasurementInfoItem *)&msg->indicationMessage_formats.u
        .indicationMessage_Format3.ueMeasReportList.items[2].measReport.measInfoList.items[0];
    kz_kpm_LabelInfoItem *two = kz_arena_alloc(&arena, 2 * sizeof *two);
    assert_non_null(two);
    two[0] = mi2->labelInfoList.items[0];
    two[1] = two[0];
    two[1].measLabel.has_fiveQI = true;
    two[1].measLabel.fiveQI = 9;
    mi2->labelInfoList.items = two;
    mi2->labelInfoList.count = 2;
    uint8_t rf_buf[2048];
    long rl = kz_kpm_build_ran_function_gnb(&scratch, rf_buf, sizeof rf_buf);
    const kz_kpm_E2SM_KPM_RANfunction_Description *rf;
    assert_int_equal(kz_kpm_decode_ran_function(rf_buf, (size_t)rl, &arena, &rf, NULL), 0);
    kz_e2sm_CGI cell;
    memset(&cell, 0, sizeof cell);
    kz_kpm_iter_opts o = { .ran_function = rf, .cell = &cell };

    static kz_kpm_sample one[MAXS], alt[MAXS];
    size_t n1 = 0, n2 = 0;
    kz_kpm_iter it;
    kz_kpm_sample s, pair[2];
    assert_int_equal(kz_kpm_iter_init(&it, NULL, msg, &o), 0);
    while (n1 < MAXS && kz_kpm_iter_next(&it, &s))
        one[n1++] = s;
    assert_int_equal(kz_kpm_iter_init(&it, NULL, msg, &o), 0);
    while (n2 < MAXS && kz_kpm_iter_next(&it, &pair[n2 % 2])) {
        alt[n2] = pair[n2 % 2];
        n2++;
    }
    assert_int_equal(n1, MET + 2 * MET + MET);   /* UE 1 has two periods */
    assert_int_equal(n2, n1);
    for (size_t i = 0; i < n1; i++) {
        if (sample_cmp(&one[i], &alt[i]))
            fail_msg("sample %zu differs between one struct and two", i);
        assert_ptr_equal(one[i].cell, &cell);
    }
    /* UE 0: name, ID 101 (named by the RAN function), name */
    assert_true(oct_eq(one[0].name, "DRB.UEThpDl"));
    assert_int_equal(one[0].id, 0);
    assert_int_equal(one[1].id, 101);
    assert_true(one[1].name.len > 0);
    assert_true(oct_eq(one[2].name, "RRU.PrbUsedDl"));
    assert_int_equal(one[2].id, 0);
    /* UE 1, period 1: incomplete, and its own UE */
    assert_ptr_equal(one[6].ue, &msg->indicationMessage_formats.u.indicationMessage_Format3
                                     .ueMeasReportList.items[1].ueID);
    assert_int_equal(one[6].period, 1);
    assert_true(one[6].incomplete);
    assert_false(one[3].incomplete);
    /* UE 2: DRB.UEThpDl twice (labels 0 and 1), then the ID; the third value is beyond */
    assert_true(oct_eq(one[9].name, "DRB.UEThpDl"));
    assert_true(oct_eq(one[10].name, "DRB.UEThpDl"));
    assert_ptr_equal(one[9].label, &two[0].measLabel);
    assert_ptr_equal(one[10].label, &two[1].measLabel);
    assert_int_equal(one[11].id, 101);
    assert_int_equal(one[11].index, 2);
}

static void test_iter_speed(void **state)
{
    (void)state;
    enum { UES = 200, MET = 8 };
    static kz_e2sm_UEID ue[UES];
    static kz_kpm_value v[MET];
    static kz_kpm_ue_report ur[UES];
    const kz_kpm_metric m[MET] = { { "DRB.UEThpDl", 0, NULL }, { "DRB.UEThpUl", 0, NULL },
                                   { NULL, 101, NULL }, { NULL, 102, NULL }, { "RRU.PrbUsedDl", 0, NULL },
                                   { "RRU.PrbUsedUl", 0, NULL }, { "DRB.RlcSduDelayDl", 0, NULL },
                                   { NULL, 103, NULL } };
    for (int i = 0; i < MET; i++)
        v[i] = (kz_kpm_value){ i % 2 ? KZ_KPM_VALUE_REAL : KZ_KPM_VALUE_INT, i * 1000, i * 0.5 };
    for (int i = 0; i < UES; i++) {
        ue[i].present = kz_e2sm_UEID_gNB_DU_UEID;
        ue[i].u.gNB_DU_UEID.gNB_CU_UE_F1AP_ID = i;
        ur[i] = (kz_kpm_ue_report){ &ue[i], { m, MET, v, 1, NULL, 1000 } };
    }
    long ml = kz_kpm_build_message_f3(ur, UES, &scratch, buf, sizeof buf);
    assert_true(ml > 0);
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    kz_arena_reset(&arena);
    assert_int_equal(kz_kpm_decode_message(buf, (size_t)ml, &arena, &msg, NULL), 0);
    uint8_t rf_buf[2048];
    long rl = kz_kpm_build_ran_function_gnb(&scratch, rf_buf, sizeof rf_buf);
    const kz_kpm_E2SM_KPM_RANfunction_Description *rf;
    assert_int_equal(kz_kpm_decode_ran_function(rf_buf, (size_t)rl, &arena, &rf, NULL), 0);
    kz_kpm_iter_opts o = { .ran_function = rf };
    struct timespec a, b;
    long total = 0;
    double sum = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int rep = 0; rep < 200; rep++) {
        kz_kpm_iter it;
        kz_kpm_sample s;
        kz_kpm_iter_init(&it, NULL, msg, &o);
        while (kz_kpm_iter_next(&it, &s)) {
            total++;
            sum += s.v.kind == KZ_KPM_VALUE_REAL ? s.v.r : (double)s.v.i;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_int_equal(total, 200L * UES * MET);
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    printf("kpm iterate format 3: %.1f ns per value (%ld values, checksum %.0f)\n", ns / (double)total,
           total, sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_plmn_and_cgi, setup),
        cmocka_unit_test_setup(test_event_trigger_matches_sample, setup),
        cmocka_unit_test_setup(test_action_f1_matches_sample, setup),
        cmocka_unit_test_setup(test_cell_subscription, setup),
        cmocka_unit_test_setup(test_ue_action_f4_logicalor, setup),
        cmocka_unit_test_setup(test_logicalor_label_matches_oracle, setup),
        cmocka_unit_test_setup(test_timestamp_readings, setup),
        cmocka_unit_test_setup(test_sample_indication_iterates, setup),
        cmocka_unit_test_setup(test_foreach_and_bad_input, setup),
        cmocka_unit_test_setup(test_build_f1_iterate, setup),
        cmocka_unit_test_setup(test_build_f3_iterate, setup),
        cmocka_unit_test_setup(test_format2_iterate, setup),
        cmocka_unit_test_setup(test_real_zero, setup),
        cmocka_unit_test_setup(test_ran_function_gnb, setup),
        cmocka_unit_test_setup(test_iter_sample_reuse, setup),
        cmocka_unit_test_setup(test_iter_speed, setup),
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
