/*
 * The emulator's gNBs as E2 nodes, against a test RIC built here from the codecs, inside the
 * deterministic simulator (mem:// transport, virtual time):
 *  - E2 setup from every site, with KPM (2), RC (3) and CCC (4) RAN functions whose
 *    definitions decode; answered;
 *  - a KPM cell-level subscription served at its period, values equal to the ground truth
 *    accumulated over the same window; a UE-level (style 4, format 3) subscription;
 *  - RC handover executed; failure causes (unknown UE);
 *  - CCC: a capacity cell put to sleep moves its UEs and drops to the sleep power; woken it
 *    serves again after the wake-up delay; failure causes (unknown cell, cesSwitch off);
 *  - malformed E2AP answered with ErrorIndication, node stays up.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu/scenario.h"
#include "kizuna/e2ap.h"
#include "kizuna/e2sm_ccc.h"
#include "kizuna/e2sm_kpm.h"
#include "kizuna/e2sm_rc.h"
#include "kizuna/emu.h"
#include "kizuna/error.h"
#include "kizuna/sim.h"
#include "kizuna/transport.h"

#define EPOCH0 INT64_C(1700000000000000000)
#define MAXN 16

/* ---- the test RIC ----------------------------------------------------------------------- */

typedef struct ric {
    kz_transport *tr;
    kz_assoc *node[MAXN];     /* by gNB id - 1 */
    int n_setup;
    bool defs_ok;
    /* last outcome seen */
    int last_proc, last_kind;  /* procedure code, 0 init / 1 success / 2 unsuccessful */
    int64_t last_cause;        /* ricRequest cause of the last failure */
    uint8_t outcome[65536];
    size_t outcome_len;
    int n_error_ind;
    /* KPM */
    int n_cell_ind, n_ue_ind, n_ue_reports, n_with_traffic;
    bool values_ok;
    double max_err;
    int ue_rsrp_seen;
    /* UE-level DRB.UEThpDl against the ground truth of the same windows (site 0's cells) */
    int ue_thp_reported, ue_thp_match, ue_thp_truth;
    /* RC REPORT style 3 */
    int n_rc_ind, rc_cells, rc_nbrs;
    bool rc_ok;
} ric;

static ric R;
static kz_emu *E;
static uint8_t arena_mem[1 << 21];

/* truth of the watched cell, per step (t_end, values) */
#define MAXSTEPS 4096
static struct {
    double t, power, prb, served, conn;
} T[MAXSTEPS];
static int n_T;
static uint32_t watch_cell;

/* Per UE, cumulative ground truth: DL bits and bits / throughput (transmit time), the last cell
 * that served it data; snapshots at the last UE-level report (one report per window here). */
#define MAXUE 4096
static double ue_bits[MAXUE], ue_tx[MAXUE], ue_bits0[MAXUE], ue_tx0[MAXUE];
static int32_t ue_cell[MAXUE];

static void on_step(kz_emu *e, const kz_emu_truth *t, void *ud)
{
    (void)e;
    (void)ud;
    size_t k = 0;
    for (size_t c = 0; c < t->n_cells; c++)
        for (uint32_t j = 0; j < t->cells[c].n_active && k < t->n_thp; j++, k++) {
            uint32_t ui = t->ue_index[k];
            double b = t->ue_served_bits[k], v = t->ue_thp_bps[k];
            if (ui < MAXUE && b > 0 && v > 0) {
                ue_bits[ui] += b;
                ue_tx[ui] += b / v;
                ue_cell[ui] = (int32_t)c;
            }
        }
    if (n_T < MAXSTEPS) {
        const kz_emu_cell_truth *c = &t->cells[watch_cell];
        T[n_T].t = t->t_s;
        T[n_T].power = c->power_w;
        T[n_T].prb = c->prb_util;
        T[n_T].served = c->served_bits;
        T[n_T].conn = c->n_conn;
        n_T++;
    }
}

static void send_pdu(kz_assoc *a, const kz_e2ap_pdu *pdu)
{
    static uint8_t buf[65536];
    long n = kz_e2ap_encode(pdu, buf, sizeof buf, NULL);
    assert_true(n > 0);
    kz_msg m = {buf, (size_t)n, KZ_E2AP_PPID, 0};
    assert_int_equal(kz_assoc_send(a, &m), 0);
}

static void answer_setup(kz_assoc *a, const kz_e2ap_E2setupRequest *rq)
{
    /* definitions must decode */
    kz_arena ar;
    static uint8_t mem[1 << 20];
    kz_arena_init(&ar, mem, sizeof mem);
    int seen = 0;
    for (uint32_t i = 0; i < rq->RANfunctionsAdded.count; i++) {
        const kz_e2ap_RANfunction_Item *f = &rq->RANfunctionsAdded.items[i].value;
        const kz_octets *d = &f->ranFunctionDefinition;
        if (f->ranFunctionID == 2) {
            const kz_kpm_E2SM_KPM_RANfunction_Description *def;
            if (kz_kpm_decode_ran_function(d->buf, d->len, &ar, &def, NULL) == 0 &&
                kz_kpm_ran_function_has_metric(def, 1, "PEE.AvgPower") &&
                kz_kpm_ran_function_has_metric(def, 4, "RSRP"))
                seen |= 1;
        } else if (f->ranFunctionID == 3) {
            const kz_rc_E2SM_RC_RANFunctionDefinition *def;
            if (kz_rc_decode_ran_function(d->buf, d->len, &ar, &def, NULL) == 0 &&
                kz_rc_ran_function_control_action(def, 3, 1))
                seen |= 2;
        } else if (f->ranFunctionID == 4) {
            static kz_ccc_ran_function_def def;
            if (kz_ccc_ran_function_def_parse(d->buf, d->len, &def, &ar, NULL) == 0 &&
                def.n_cells == 6 && strstr(def.oid, "53148.1.6.2.4")) {
                /* every cell advertises O-NESPolicy antennaMask (antenna muting) */
                int nes = 0;
                for (int c = 0; c < def.n_cells; c++)
                    for (int k = 0; k < def.cells[c].n_structs; k++) {
                        const kz_ccc_def_struct *st = &def.structs[def.cells[c].first_struct + k];
                        if (strcmp(st->name, "O-NESPolicy") != 0)
                            continue;
                        for (int at = 0; at < st->n_attrs; at++)
                            nes += strcmp(def.attrs[st->first_attr + at].name, "antennaMask") == 0;
                    }
                if (nes == 6)
                    seen |= 4;
            }
        }
    }
    if (seen != 7)
        R.defs_ok = false;
    const kz_e2ap_GlobalgNB_ID *gid = &rq->GlobalE2node_ID.u.gNB.global_gNB_ID;
    const uint8_t *b = gid->gnb_id.u.gnb_ID.buf;
    uint32_t id = ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]) >> 10;
    assert_true(id >= 1 && id <= MAXN);
    R.node[id - 1] = a;
    R.n_setup++;

    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_E2setupResponse;
    kz_e2ap_E2setupResponse *r = &pdu.u.successfulOutcome.u.E2setupResponse;
    r->TransactionID = rq->TransactionID;
    static const uint8_t plmn[3] = {0x00, 0xf1, 0x10}, ricid[3] = {0, 0, 0x10};
    r->GlobalRIC_ID.pLMN_Identity = (kz_octets){plmn, 3};
    r->GlobalRIC_ID.ric_ID = (kz_bits){ricid, 20};
    kz_e2ap_RANfunctionsID_List__item acc[3];
    memset(acc, 0, sizeof acc);
    for (int i = 0; i < 3; i++) {
        acc[i].value.ranFunctionID = 2 + i;
        acc[i].value.ranFunctionRevision = 1;
    }
    r->has_RANfunctionsAccepted = true;
    r->RANfunctionsAccepted.count = 3;
    r->RANfunctionsAccepted.items = acc;
    kz_e2ap_E2nodeComponentConfigAdditionAck_List__item ack;
    memset(&ack, 0, sizeof ack);
    const kz_e2ap_E2nodeComponentConfigAddition_Item *ci =
        &rq->E2nodeComponentConfigAddition.items[0].value;
    ack.value.e2nodeComponentInterfaceType = ci->e2nodeComponentInterfaceType;
    ack.value.e2nodeComponentID = ci->e2nodeComponentID;
    r->E2nodeComponentConfigAdditionAck.count = 1;
    r->E2nodeComponentConfigAdditionAck.items = &ack;
    send_pdu(a, &pdu);
}

/* truth over (t0, t1]: mean power, mean PRB use, served bits */
static void truth_window(double t0, double t1, double *pw, double *prb, double *bits)
{
    double sp = 0, su = 0, sb = 0;
    int n = 0;
    for (int i = 0; i < n_T; i++)
        if (T[i].t > t0 + 1e-9 && T[i].t <= t1 + 1e-9) {
            sp += T[i].power;
            su += T[i].prb;
            sb += T[i].served;
            n++;
        }
    *pw = n ? sp / n : NAN;
    *prb = n ? su / n : NAN;
    *bits = sb;
}

typedef struct {
    double pw, prb_used, vol, ts, thp;
} cell_sample;

static int cell_sample_cb(const kz_kpm_sample *s, void *u)
{
    cell_sample *c = u;
    double v = s->v.kind == KZ_KPM_VALUE_INT ? (double)s->v.i : s->v.r;
    c->ts = (double)(s->ts_ns - EPOCH0) / 1e9;
    if (s->name.len == 12 && memcmp(s->name.buf, "PEE.AvgPower", 12) == 0)
        c->pw = v;
    else if (s->name.len == 13 && memcmp(s->name.buf, "RRU.PrbUsedDl", 13) == 0)
        c->prb_used = v;
    else if (s->name.len == 19 && memcmp(s->name.buf, "DRB.PdcpSduVolumeDL", 19) == 0)
        c->vol = v;
    else if (s->name.len == 11 && memcmp(s->name.buf, "DRB.UEThpDl", 11) == 0)
        c->thp = v;
    return 0;
}

static int ue_sample_cb(const kz_kpm_sample *s, void *u)
{
    bool thp_check = u != NULL;
    if (s->name.len == 4 && memcmp(s->name.buf, "RSRP", 4) == 0 && s->ue &&
        s->v.kind == KZ_KPM_VALUE_REAL && s->v.r < -40 && s->v.r > -150)
        R.ue_rsrp_seen++;
    if (thp_check && s->name.len == 11 && memcmp(s->name.buf, "DRB.UEThpDl", 11) == 0 && s->ue &&
        s->ue->present == kz_e2sm_UEID_gNB_UEID && s->v.kind == KZ_KPM_VALUE_REAL && s->v.r > 0) {
        int64_t ui = (int64_t)s->ue->u.gNB_UEID.amf_UE_NGAP_ID - 1; /* AMF UE NGAP ID = index + 1 */
        R.ue_thp_reported++;
        if (ui >= 0 && ui < MAXUE) {
            double b = ue_bits[ui] - ue_bits0[ui], tx = ue_tx[ui] - ue_tx0[ui];
            double want = tx > 0 ? b / tx / 1e3 : 0; /* kbit/s */
            R.ue_thp_match += want > 0 && fabs(s->v.r - want) <= 1e-4 * want;
        }
    }
    return 0;
}

/* After a UE-level report of node 1 (site 0, cells 0..5): the UEs the truth says were served
 * data there in the window; then the window's snapshot. */
static void ue_window_close(void)
{
    kz_emu_cell_info ci;
    for (uint32_t ui = 0; ui < MAXUE && ui < kz_emu_n_ues(E); ui++) {
        if (ue_bits[ui] > ue_bits0[ui] && kz_emu_cell_info_get(E, (uint32_t)ue_cell[ui], &ci) == 0 &&
            ci.site == 0)
            R.ue_thp_truth++;
        ue_bits0[ui] = ue_bits[ui];
        ue_tx0[ui] = ue_tx[ui];
    }
}

/* An RC neighbour relation report: every cell's table must be the emulator's (by NCI). */
static void on_rc_indication(const kz_e2ap_RICindication *ind)
{
    kz_arena ar;
    kz_arena_init(&ar, arena_mem + (1 << 20), 1 << 20);
    static kz_rc_cell_nrt cells[16];
    static kz_rc_nr_nbr nbrs[16 * KZ_RC_NRT_MAX_NBR];
    int n = kz_rc_parse_nrt_message(ind->RICindicationMessage.buf, ind->RICindicationMessage.len,
                                    &ar, cells, 16, nbrs, 16 * KZ_RC_NRT_MAX_NBR, NULL);
    R.n_rc_ind++;
    R.rc_ok = n > 0;
    R.rc_cells = n;
    for (int i = 0; i < n; i++) {
        int32_t c = kz_emu_cell_by_nci(E, cells[i].cgi.nci);
        uint32_t want[64];
        int m = c >= 0 ? kz_emu_cell_neighbours(E, (uint32_t)c, want, 64) : -1;
        if (m != (int)cells[i].n_nbr) {
            R.rc_ok = false;
            continue;
        }
        for (int k = 0; k < m; k++)
            R.rc_ok &= kz_emu_cell_by_nci(E, cells[i].nbr[k].cgi.nci) == (int32_t)want[k];
        R.rc_nbrs += m;
    }
}

static void on_indication(const kz_e2ap_RICindication *ind)
{
    if (ind->RANfunctionID == 3) {
        on_rc_indication(ind);
        return;
    }
    kz_arena ar;
    kz_arena_init(&ar, arena_mem + (1 << 20), 1 << 20);
    const kz_kpm_E2SM_KPM_IndicationHeader *h;
    const kz_kpm_E2SM_KPM_IndicationMessage *m;
    assert_int_equal(kz_kpm_decode_header(ind->RICindicationHeader.buf,
                                          ind->RICindicationHeader.len, &ar, &h, NULL),
                     0);
    assert_int_equal(kz_kpm_decode_message(ind->RICindicationMessage.buf,
                                           ind->RICindicationMessage.len, &ar, &m, NULL),
                     0);
    kz_kpm_iter_opts o = {0};
    o.ts_reading = KZ_KPM_TS_NTP;
    if (ind->RICrequestID.ricRequestorID == 1) { /* cell subscription, 1 s */
        cell_sample c = {NAN, NAN, NAN, NAN, NAN};
        kz_kpm_foreach(h, m, &o, cell_sample_cb, &c);
        R.n_cell_ind++;
        R.n_with_traffic += c.vol > 0 && c.prb_used >= 0;
        double pw, prb, bits;
        truth_window(c.ts, c.ts + 1.0, &pw, &prb, &bits);
        kz_emu_cell_info ci;
        kz_emu_cell_info_get(E, watch_cell, &ci);
        double e1 = fabs(c.pw - pw), e2 = fabs(c.prb_used - prb * ci.n_prb),
               e3 = fabs(c.vol - bits / 1e6);
        if (!(e1 < 1e-6 * pw + 1e-9 && e2 <= 0.5 + 1e-9 && e3 < 1e-6 * (bits / 1e6) + 1e-9)) {
            printf("# mismatch at %.1f: power %.3f vs %.3f, PRB %.1f vs %.2f, vol %.4f vs %.4f\n",
                   c.ts, c.pw, pw, c.prb_used, prb * ci.n_prb, c.vol, bits / 1e6);
            R.values_ok = false;
        }
        if (R.n_cell_ind == 5)
            printf("# KPM at t=%.0f s: PEE.AvgPower %.1f W (truth %.1f), RRU.PrbUsedDl %.0f "
                   "(truth %.1f), DRB.PdcpSduVolumeDL %.2f Mbit (truth %.2f), DRB.UEThpDl "
                   "%.0f kbit/s\n",
                   c.ts, c.pw, pw, c.prb_used, prb * ci.n_prb, c.vol, bits / 1e6, c.thp);
    } else {
        bool thp_check = ind->RICrequestID.ricRequestorID == 6; /* the 30-s subscription */
        R.n_ue_ind += !thp_check;
        kz_kpm_foreach(h, m, &o, ue_sample_cb, thp_check ? &R : NULL);
        if (thp_check) {
            ue_window_close();
            return;
        }
        if (m->indicationMessage_formats.present == 3)
            R.n_ue_reports +=
                (int)m->indicationMessage_formats.u.indicationMessage_Format3.ueMeasReportList.count;
    }
}

static void ric_on_msg(kz_assoc *a, const kz_msg *msg, void *ud)
{
    (void)ud;
    kz_arena ar;
    kz_arena_init(&ar, arena_mem, 1 << 20);
    kz_e2ap_pdu *pdu;
    int rc = kz_e2ap_decode(msg->data, msg->len, &ar, &pdu, NULL);
    assert_int_equal(rc, 0);
    int proc = kz_e2ap_procedure_code(pdu);
    if (pdu->present == kz_e2ap_E2AP_PDU_initiatingMessage) {
        const kz_e2ap_InitiatingMessage *im = &pdu->u.initiatingMessage;
        if (im->present == kz_e2ap_InitiatingMessage_E2setupRequest)
            answer_setup(a, &im->u.E2setupRequest);
        else if (im->present == kz_e2ap_InitiatingMessage_RICindication)
            on_indication(&im->u.RICindication);
        else if (im->present == kz_e2ap_InitiatingMessage_ErrorIndication)
            R.n_error_ind++;
        return;
    }
    R.last_proc = proc;
    R.last_kind = pdu->present == kz_e2ap_E2AP_PDU_successfulOutcome ? 1 : 2;
    R.outcome_len = 0;
    R.last_cause = -1;
    if (pdu->present == kz_e2ap_E2AP_PDU_successfulOutcome &&
        pdu->u.successfulOutcome.present == kz_e2ap_SuccessfulOutcome_RICcontrolAcknowledge) {
        const kz_e2ap_RICcontrolAcknowledge *ack = &pdu->u.successfulOutcome.u.RICcontrolAcknowledge;
        if (ack->has_RICcontrolOutcome) {
            memcpy(R.outcome, ack->RICcontrolOutcome.buf, ack->RICcontrolOutcome.len);
            R.outcome_len = ack->RICcontrolOutcome.len;
        }
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_unsuccessfulOutcome) {
        const kz_e2ap_UnsuccessfulOutcome *uo = &pdu->u.unsuccessfulOutcome;
        if (uo->present == kz_e2ap_UnsuccessfulOutcome_RICcontrolFailure) {
            const kz_e2ap_RICcontrolFailure *f = &uo->u.RICcontrolFailure;
            R.last_cause = f->Cause.u.ricRequest;
            if (f->has_RICcontrolOutcome) {
                memcpy(R.outcome, f->RICcontrolOutcome.buf, f->RICcontrolOutcome.len);
                R.outcome_len = f->RICcontrolOutcome.len;
            }
        } else if (uo->present == kz_e2ap_UnsuccessfulOutcome_RICsubscriptionFailure) {
            R.last_cause = uo->u.RICsubscriptionFailure.Cause.u.ricRequest;
        }
    }
}

static void ric_on_up(kz_assoc *a, void *ud) { (void)a, (void)ud; }
static void ric_on_down(kz_assoc *a, int r, void *ud) { (void)a, (void)r, (void)ud; }

/* ---- helpers -------------------------------------------------------------------------------- */

static void subscribe(kz_assoc *a, int64_t requestor, const kz_kpm_blob *trig,
                      const kz_kpm_blob *act, int ran_function)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICsubscriptionRequest;
    kz_e2ap_RICsubscriptionRequest *r = &pdu.u.initiatingMessage.u.RICsubscriptionRequest;
    r->RICrequestID.ricRequestorID = requestor;
    r->RICrequestID.ricInstanceID = 1;
    r->RANfunctionID = ran_function;
    r->RICsubscriptionDetails.ricEventTriggerDefinition = (kz_octets){trig->buf, (uint32_t)trig->len};
    kz_e2ap_RICactions_ToBeSetup_List__item it;
    memset(&it, 0, sizeof it);
    it.value.ricActionID = 1;
    it.value.ricActionType = kz_e2ap_RICactionType_report;
    it.value.has_ricActionDefinition = true;
    it.value.ricActionDefinition = (kz_octets){act->buf, (uint32_t)act->len};
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.count = 1;
    r->RICsubscriptionDetails.ricAction_ToBeSetup_List.items = &it;
    send_pdu(a, &pdu);
}

static void control(kz_assoc *a, int ran_function, const uint8_t *h, size_t hl, const uint8_t *m,
                    size_t ml)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICcontrolRequest;
    kz_e2ap_RICcontrolRequest *r = &pdu.u.initiatingMessage.u.RICcontrolRequest;
    r->RICrequestID.ricRequestorID = 7;
    r->RICrequestID.ricInstanceID = 1;
    r->RANfunctionID = ran_function;
    r->RICcontrolHeader = (kz_octets){h, (uint32_t)hl};
    r->RICcontrolMessage = (kz_octets){m, (uint32_t)ml};
    R.last_proc = -1;
    send_pdu(a, &pdu);
}

static kz_sim *SIM;

static void run_for(double s)
{
    int64_t now = kz_loop_now(kz_sim_loop(SIM));
    kz_sim_run_until(SIM, now + (int64_t)llround(s * 1e9));
}

static void cell_cgi(uint32_t cell, kz_ccc_nr_cgi *cg)
{
    kz_emu_cell_info ci;
    kz_emu_cell_info_get(E, cell, &ci);
    memset(cg, 0, sizeof *cg);
    memcpy(cg->plmn.mcc, ci.mcc, 4);
    memcpy(cg->plmn.mnc, ci.mnc, 4);
    cg->nci = ci.nci;
}

static void ccc_es(kz_assoc *a, const kz_ccc_nr_cgi *cg, bool sleep)
{
    uint8_t h[256], m[4096];
    size_t hl, ml;
    assert_int_equal(kz_ccc_es_control_encode(cg, sleep, h, sizeof h, &hl, m, sizeof m, &ml, NULL),
                     0);
    control(a, 4, h, hl, m, ml);
}

/* ---- the test --------------------------------------------------------------------------------- */

static void test_e2_end_to_end(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    R.defs_ok = true;
    R.values_ok = true;
    kz_sim_cfg sc = {.seed = 5, .latency_ns = 1000000, .start_epoch_ns = EPOCH0};
    assert_int_equal(kz_sim_open(&SIM, &sc), 0);
    kz_loop *loop = kz_sim_loop(SIM);
    kz_transport_cbs cbs = {ric_on_up, ric_on_msg, ric_on_down, NULL};
    assert_int_equal(kz_transport_open(&R.tr, loop, NULL, &cbs, NULL), 0);
    assert_int_equal(kz_transport_listen(R.tr, "mem://ric"), 0);

    struct kz_scenario *s;
    char err[256];
    assert_int_equal(kz_emu_scenario_load(KZ_SOURCE_DIR "/scenarios/small-city.json", &s, err,
                                          sizeof err),
                     0);
    s->n_ues = 600;
    kz_emu_cfg cfg;
    kz_emu_cfg_default(&cfg);
    cfg.scenario = s;
    cfg.loop = loop;
    cfg.start_s = 20 * 3600.0;
    cfg.on_step = on_step;
    watch_cell = 3; /* site 0, capacity, sector 0 */
    assert_int_equal(kz_emu_create(&E, &cfg, err, sizeof err), 0);
    assert_int_equal(kz_emu_connect(E, "mem://ric", NULL), 0);
    assert_int_equal(kz_emu_start(E), 0);
    run_for(0.5);
    kz_emu_e2_stats st;
    kz_emu_e2_stats_get(E, &st);
    printf("# E2 setup: %d requests answered, %u of %u nodes up\n", R.n_setup, st.nodes_setup,
           st.nodes);
    assert_int_equal(R.n_setup, 7);
    assert_int_equal(st.nodes_setup, 7);
    assert_true(R.defs_ok);
    kz_assoc *n1 = R.node[0];

    /* KPM: cell-level, 1 s */
    kz_emu_cell_info ci;
    kz_emu_cell_info_get(E, watch_cell, &ci);
    uint8_t st8[8];
    kz_e2sm_CGI cgi;
    kz_kpm_nr_cgi(&cgi, st8, ci.plmn, ci.nci);
    static const kz_kpm_metric mets[] = {
        {"PEE.AvgPower", 0, NULL}, {"RRU.PrbUsedDl", 0, NULL}, {"DRB.PdcpSduVolumeDL", 0, NULL},
        {"DRB.UEThpDl", 0, NULL},  {"RRC.ConnMean", 0, NULL},  {"PEE.Energy", 0, NULL},
        {"RRU.PrbTotDl", 0, NULL}, {"RRC.ConnMax", 0, NULL}};
    kz_kpm_cell_subscription cs = {1000, 1000, mets, 8, &cgi, 1};
    static uint8_t sbuf[8192], scr[1 << 16];
    kz_arena scratch;
    kz_arena_init(&scratch, scr, sizeof scr);
    kz_kpm_blob trig, act[2];
    assert_int_equal(kz_kpm_build_cell_subscription(&cs, &scratch, sbuf, sizeof sbuf, &trig, act, 2),
                     1);
    subscribe(n1, 1, &trig, &act[0], 2);
    run_for(0.1);
    assert_int_equal(R.last_proc, 8);
    assert_int_equal(R.last_kind, 1);
    /* UE-level: style 4 */
    static uint8_t ubuf[4096];
    kz_kpm_MatchingUeCondPerSubItem cond;
    memset(&cond, 0, sizeof cond);
    cond.testCondInfo.testType.present = kz_kpm_TestCond_Type_cQI;
    static const kz_kpm_metric um[] = {{"RSRP", 0, NULL}, {"CQI", 0, NULL}, {"DRB.UEThpDl", 0, NULL},
                                       {"Nbr1.RSRP", 0, NULL}};
    kz_kpm_ue_subscription us = {2000, um, 4, &cond, 1, NULL};
    long ul = kz_kpm_build_ue_action(&us, &scratch, ubuf, sizeof ubuf);
    assert_true(ul > 0);
    uint8_t tbuf[64];
    long tl = kz_kpm_build_event_trigger(2000, tbuf, sizeof tbuf);
    kz_kpm_blob t2 = {tbuf, (size_t)tl}, a2 = {ubuf, (size_t)ul};
    subscribe(n1, 2, &t2, &a2, 2);
    run_for(0.1);
    assert_int_equal(R.last_kind, 1);
    /* UE-level DRB.UEThpDl every 30 s, longer than the 10-s RRC inactivity timer (as the
     * energy saver's 60 s are), checked against the ground truth below */
    static const kz_kpm_metric um30[] = {{"DRB.UEThpDl", 0, NULL}};
    static uint8_t ubuf30[1024], tbuf30[64];
    kz_kpm_ue_subscription us30 = {30000, um30, 1, &cond, 1, NULL};
    long ul30 = kz_kpm_build_ue_action(&us30, &scratch, ubuf30, sizeof ubuf30);
    long tl30 = kz_kpm_build_event_trigger(30000, tbuf30, sizeof tbuf30);
    assert_true(ul30 > 0 && tl30 > 0);
    kz_kpm_blob t30 = {tbuf30, (size_t)tl30}, a30 = {ubuf30, (size_t)ul30};
    subscribe(n1, 6, &t30, &a30, 2);
    memcpy(ue_bits0, ue_bits, sizeof ue_bits); /* the first window starts at the subscription */
    memcpy(ue_tx0, ue_tx, sizeof ue_tx);
    run_for(0.1);
    assert_int_equal(R.last_kind, 1);
    /* a KPM trigger sent to the RC function: refused with a cause */
    subscribe(n1, 3, &t2, &a2, 3);
    run_for(0.1);
    assert_int_equal(R.last_kind, 2);
    assert_int_equal(R.last_cause, kz_e2ap_CauseRICrequest_eventTriggerNotSupported);
    /* RC REPORT style 3 with a KPM action definition: refused */
    uint8_t rtrig[64], ract[64];
    long rtl = kz_rc_build_nrt_event_trigger(rtrig, sizeof rtrig);
    long ral = kz_rc_build_nrt_action(ract, sizeof ract);
    assert_true(rtl > 0 && ral > 0);
    kz_kpm_blob rt = {rtrig, (size_t)rtl}, ra = {ract, (size_t)ral};
    subscribe(n1, 4, &rt, &a2, 3);
    run_for(0.1);
    assert_int_equal(R.last_kind, 2);
    assert_int_equal(R.n_rc_ind, 0);
    /* RC REPORT style 3: admitted, and one indication with the node's tables */
    subscribe(n1, 5, &rt, &ra, 3);
    run_for(0.1);
    assert_int_equal(R.n_rc_ind, 1);
    printf("# RC REPORT style 3: %d cells, %d neighbour relations, equal to the emulator's: %d\n",
           R.rc_cells, R.rc_nbrs, R.rc_ok);
    assert_int_equal(R.rc_cells, 6);
    assert_true(R.rc_nbrs >= 6);
    assert_true(R.rc_ok);

    run_for(20.0);
    printf("# 20 s: %d cell indications (1 s period), %d UE indications with %d UE reports, %d "
           "RSRP values\n",
           R.n_cell_ind, R.n_ue_ind, R.n_ue_reports, R.ue_rsrp_seen);
    assert_true(R.n_cell_ind >= 19 && R.n_cell_ind <= 21);
    assert_true(R.values_ok);
    printf("# %d of them with traffic\n", R.n_with_traffic);
    assert_true(R.n_with_traffic >= 5);
    assert_true(R.n_ue_ind >= 9);
    assert_true(R.ue_rsrp_seen > 0);
    run_for(100.0); /* three 30-s windows */
    /* Every UE served data in a window is in its report, with the window's own DRB.UEThpDl
     * (bits / transmit time of exactly that window): a UE that went idle before the report
     * is not left out, and no value carries bits of an earlier window. */
    printf("# UE-level DRB.UEThpDl: %d values > 0 reported, %d equal to the ground truth of "
           "their window; %d (UE, window) pairs served data per the truth\n",
           R.ue_thp_reported, R.ue_thp_match, R.ue_thp_truth);
    assert_true(R.ue_thp_truth >= 50); /* 168 at the last run; the old report: 67 of them, 46 right */
    assert_int_equal(R.ue_thp_reported, R.ue_thp_truth);
    assert_int_equal(R.ue_thp_match, R.ue_thp_reported);

    /* RC handover: a UE on the watched cell to its coverage peer */
    int32_t ue = -1;
    for (uint32_t u = 0; u < kz_emu_n_ues(E) && ue < 0; u++) {
        kz_emu_ue_info ui;
        kz_emu_ue_info_get(E, u, &ui);
        if (ui.serving == (int32_t)watch_cell && ui.speed_mps == 0.0)
            ue = (int32_t)u;
    }
    assert_true(ue >= 0);
    kz_e2sm_UEID id;
    kz_rc_guami_store gs;
    kz_rc_ueid_gnb(&id, &gs, ue + 1, ci.plmn, 1, 1, 1);
    uint8_t hh[256], mm[256];
    long hl = kz_rc_build_handover_header(&id, hh, sizeof hh);
    kz_emu_cell_info peer;
    kz_emu_cell_info_get(E, (uint32_t)ci.coverage_peer, &peer);
    kz_rc_nr_cgi target;
    memcpy(target.plmn, peer.plmn, 3);
    target.nci = peer.nci;
    long ml = kz_rc_build_handover_message(&target, mm, sizeof mm);
    control(n1, 3, hh, (size_t)hl, mm, (size_t)ml);
    run_for(0.01);
    assert_int_equal(R.last_proc, 4);
    assert_int_equal(R.last_kind, 1);
    kz_emu_ue_info ui;
    kz_emu_ue_info_get(E, (uint32_t)ue, &ui);
    assert_int_equal(ui.serving, ci.coverage_peer);
    printf("# RC handover of UE %d to cell %d acknowledged and executed\n", ue, ci.coverage_peer);
    /* unknown UE */
    kz_rc_ueid_gnb(&id, &gs, 999999, ci.plmn, 1, 1, 1);
    hl = kz_rc_build_handover_header(&id, hh, sizeof hh);
    control(n1, 3, hh, (size_t)hl, mm, (size_t)ml);
    run_for(0.01);
    assert_int_equal(R.last_kind, 2);
    assert_int_equal(R.last_cause, kz_e2ap_CauseRICrequest_requested_information_unavailable);

    /* CCC: sleep the watched capacity cell */
    run_for(5.0);
    const kz_emu_truth *t = kz_emu_truth_get(E);
    uint32_t ues_before = t->cells[watch_cell].n_ues;
    kz_ccc_nr_cgi cg;
    cell_cgi(watch_cell, &cg);
    ccc_es(n1, &cg, true);
    run_for(0.01);
    assert_int_equal(R.last_kind, 1);
    kz_ccc_es_result res;
    assert_int_equal(kz_ccc_es_outcome_parse(R.outcome, R.outcome_len, &cg, &res, NULL), 0);
    assert_true(res.accepted);
    assert_int_equal(kz_emu_cell_state(E, watch_cell), KZ_EMU_CELL_ASLEEP);
    run_for(2.0);
    t = kz_emu_truth_get(E);
    printf("# CCC sleep: %u UEs moved off, coverage peer now %u UEs, power %.1f W (sleep %.1f)\n",
           ues_before, t->cells[ci.coverage_peer].n_ues, t->cells[watch_cell].power_w,
           ci.p_sleep_w);
    assert_int_equal(t->cells[watch_cell].n_ues, 0);
    assert_true(fabs(t->cells[watch_cell].power_w - ci.p_sleep_w) < 1e-6);
    int before_ind = R.n_cell_ind;
    run_for(3.0);
    assert_true(R.n_cell_ind > before_ind); /* still reporting: zeros and sleep power */
    assert_true(R.values_ok);

    /* failures: unknown cell; cesSwitch off then energy saving */
    kz_ccc_nr_cgi bad = cg;
    bad.nci = 0x123456789ull;
    ccc_es(n1, &bad, true);
    run_for(0.01);
    assert_int_equal(R.last_kind, 2);
    assert_int_equal(kz_ccc_es_outcome_parse(R.outcome, R.outcome_len, &bad, &res, NULL), 0);
    assert_false(res.accepted);
    assert_int_equal(res.cause, KZ_CCC_CAUSE_NOT_AVAILABLE);
    kz_ccc_nr_cgi other;
    cell_cgi(4, &other);
    static kz_ccc_control_message cm;
    memset(&cm, 0, sizeof cm);
    cm.format = 2;
    cm.n_cells = 1;
    cm.cells[0].cgi = other;
    cm.cells[0].n_items = 1;
    kz_ccc_config_item *it = &cm.cells[0].items[0];
    snprintf(it->name, sizeof it->name, "O-CESManagementFunction");
    it->kind = KZ_CCC_STRUCT_CES;
    it->new_values.ces.has_ces_switch = true;
    it->new_values.ces.ces_switch = false;
    static uint8_t cmb[8192];
    long cml = kz_ccc_control_message_encode(&cm, cmb, sizeof cmb, NULL);
    kz_ccc_control_header chh = {2};
    uint8_t chb[128];
    long chl = kz_ccc_control_header_encode(&chh, chb, sizeof chb, NULL);
    assert_true(cml > 0 && chl > 0);
    control(n1, 4, chb, (size_t)chl, cmb, (size_t)cml);
    run_for(0.01);
    assert_int_equal(R.last_kind, 1);
    ccc_es(n1, &other, true);
    run_for(0.01);
    assert_int_equal(R.last_kind, 2);
    assert_int_equal(kz_ccc_es_outcome_parse(R.outcome, R.outcome_len, &other, &res, NULL), 0);
    assert_int_equal(res.cause, KZ_CCC_CAUSE_INCOMPATIBLE_STATE);
    assert_int_equal(kz_emu_cell_state(E, 4), KZ_EMU_CELL_ON);
    printf("# CCC failures: unknown cell -> %s, cesSwitch off -> %s\n",
           kz_ccc_cause_name(KZ_CCC_CAUSE_NOT_AVAILABLE), kz_ccc_cause_name(res.cause));

    /* O-NESPolicy antenna mask on cell 4 (capacity, 64 TxRU): 16 of 64 on, then a bad mask */
    {
        static const char *const masks[3] = {
            ("{\"policyType\":\"ANTENNA_MASKING\",\"antennaMask\":"
             "\"1111111111111111000000000000000000000000000000000000000000000000\"}"),
            "{\"antennaMask\":\"1111\"}",                      /* wrong length */
            "{\"policyType\":\"SLEEP_MODE\",\"sleepMode\":\"SLEEP_MODE2\"}"};
        static const kz_ccc_cause want[3] = {KZ_CCC_ACCEPTED, KZ_CCC_CAUSE_SEMANTIC_ERROR,
                                             KZ_CCC_CAUSE_NOT_SUPPORTED};
        for (int m = 0; m < 3; m++) {
            memset(&cm, 0, sizeof cm);
            cm.format = 2;
            cm.n_cells = 1;
            cm.cells[0].cgi = other;
            cm.cells[0].n_items = 1;
            it = &cm.cells[0].items[0];
            snprintf(it->name, sizeof it->name, "O-NESPolicy");
            it->kind = KZ_CCC_STRUCT_OTHER;
            it->new_values.json = masks[m];
            it->new_values.json_len = strlen(masks[m]);
            cml = kz_ccc_control_message_encode(&cm, cmb, sizeof cmb, NULL);
            assert_true(cml > 0);
            control(n1, 4, chb, (size_t)chl, cmb, (size_t)cml);
            run_for(0.01);
            assert_int_equal(R.last_kind, m == 0 ? 1 : 2);
            static kz_ccc_control_outcome oc;
            assert_int_equal(kz_ccc_control_outcome_parse(R.outcome, R.outcome_len, &oc, NULL,
                                                          NULL), 0);
            assert_int_equal(oc.n_cells, 1);
            assert_int_equal(oc.cells[0].n_items, 1);
            assert_int_equal(oc.cells[0].items[0].cause, want[m]);
        }
        assert_true(fabs(kz_emu_cell_txru(E, 4) - 0.25) < 1e-12);
        run_for(2.0);
        printf("# CCC O-NESPolicy: cell 4 at 16/64 TxRU, power %.1f W; bad length -> %s, "
               "sleep mode -> %s\n",
               kz_emu_truth_get(E)->cells[4].power_w, kz_ccc_cause_name(want[1]),
               kz_ccc_cause_name(want[2]));
        assert_true(fabs(kz_emu_truth_get(E)->cells[4].txru_frac - 0.25) < 1e-12);
        assert_int_equal(kz_emu_cell_set_txru(E, 4, 1.0), 0);
    }

    /* wake: serving again after the delay (light sleep 0.64 s), UEs return */
    ccc_es(n1, &cg, false);
    run_for(0.01);
    assert_int_equal(R.last_kind, 1);
    assert_int_equal(kz_emu_cell_state(E, watch_cell), KZ_EMU_CELL_WAKING);
    run_for(1.0);
    assert_int_equal(kz_emu_cell_state(E, watch_cell), KZ_EMU_CELL_ON);
    run_for(3.0);
    t = kz_emu_truth_get(E);
    printf("# CCC wake: on after %.2f s, %u UEs back, power %.1f W\n", ci.wake_s,
           t->cells[watch_cell].n_ues, t->cells[watch_cell].power_w);
    assert_true(t->cells[watch_cell].n_ues > 0);
    assert_true(t->cells[watch_cell].power_w >= ci.p_idle_w - 1e-6);

    /* malformed input: ErrorIndication, node stays up */
    static const uint8_t junk[] = {0x00, 0x08, 0xff, 0xff, 0x12, 0x34};
    kz_msg jm = {junk, sizeof junk, KZ_E2AP_PPID, 0};
    assert_int_equal(kz_assoc_send(n1, &jm), 0);
    run_for(0.01);
    assert_int_equal(R.n_error_ind, 1);
    int n_before = R.n_cell_ind;
    run_for(2.0);
    assert_true(R.n_cell_ind > n_before);
    kz_emu_e2_stats_get(E, &st);
    printf("# E2 stats: %llu indications (%llu bytes), %llu controls (%llu ok, %llu failed), "
           "%llu ErrorIndications sent\n",
           (unsigned long long)st.indications, (unsigned long long)st.indication_bytes,
           (unsigned long long)st.controls, (unsigned long long)st.controls_ok,
           (unsigned long long)st.controls_failed, (unsigned long long)st.error_indications_sent);
    assert_int_equal(st.nodes_setup, 7);

    kz_emu_destroy(E);
    kz_transport_close(R.tr);
    kz_emu_scenario_free(s);
    assert_int_equal(kz_sim_close(SIM), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2_end_to_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
