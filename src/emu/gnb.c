/*
 * emu/gnb.c -- the E2 agent of every emulated gNB.  See gnb.h for what it guarantees.
 *
 * One kz_transport carries all the nodes' associations (one per site).  A node's life:
 *
 *     DOWN --connect--> CONNECTING --on_up / E2setupRequest--> SETUP --E2setupResponse--> UP
 *       ^                                      |  E2setupFailure or timeout: retry    |
 *       +---------------- on_down: subscriptions dropped, reconnect after reconnect_ms +
 *
 * KPM: a subscription holds up to KZ__MAX_ACTIONS report actions; each closes a granularity
 * window at the first world step at or after its end, computing the values from differences
 * of the world's cumulative counters (world.h), and sends one RICindication once it has the
 * reporting period's windows.  Values follow TS 28.552 units (docs/emulator.md lists them).
 *
 * RC REPORT style 3 (E2 node information): a subscription with event trigger format 3 gets,
 * right after its response, one indication (header format 1, message format 3) with every
 * cell of the node and its neighbour relation table (nrt.h).  The table is built once, at the
 * emulator's creation, and never changes, so there is no later "change" to report; a RIC that
 * re-subscribes after a reconnect gets it again.
 */
#include "emu/gnb.h"
#include "emu/nrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/e2ap.h"
#include "kizuna/e2sm_ccc.h"
#include "kizuna/e2sm_kpm.h"
#include "kizuna/e2sm_rc.h"
#include "kizuna/error.h"
#include "kizuna/transport.h"

#define KZ__MAX_SUBS 32
#define KZ__MAX_ACTIONS 16
#define KZ__MAX_METRICS 24
#define KZ__MAX_PERIODS 8
#define KZ__BUF (256 * 1024)
#define KZ__ARENA (2 * 1024 * 1024)

enum { KZ__RF_KPM = 2, KZ__RF_RC = 3, KZ__RF_CCC = 4 };
enum { KZ__DOWN = 0, KZ__CONNECTING, KZ__SETUP, KZ__UP };

/* ---- metrics ---------------------------------------------------------------------------- */

enum kz__metric {
    /* cell level (style 1) */
    M_THP_DL, M_THP_UL, M_PRB_USED_DL, M_PRB_USED_UL, M_PRB_AVAIL_DL, M_PRB_AVAIL_UL,
    M_PRB_TOT_DL, M_PRB_TOT_UL, M_VOL_DL, M_VOL_UL, M_CONN_MEAN, M_CONN_MAX, M_PEE_AVG,
    M_PEE_ENERGY,
    M_N_CELL,
    /* UE level (style 4) */
    U_THP_DL = M_N_CELL, U_THP_UL, U_VOL_DL, U_VOL_UL, U_PRB_DL, U_PRB_UL, U_DELAY_DL, U_RSRP,
    U_SINR, U_CQI, U_NBR1_NCI, U_NBR1_RSRP, U_NBR2_NCI, U_NBR2_RSRP,
    M_N_ALL,
    M_UNKNOWN = 0xff
};

static const char *const kz__metric_names[M_N_ALL] = {
    "DRB.UEThpDl", "DRB.UEThpUl", "RRU.PrbUsedDl", "RRU.PrbUsedUl", "RRU.PrbAvailDl",
    "RRU.PrbAvailUl", "RRU.PrbTotDl", "RRU.PrbTotUl", "DRB.PdcpSduVolumeDL",
    "DRB.PdcpSduVolumeUL", "RRC.ConnMean", "RRC.ConnMax", "PEE.AvgPower", "PEE.Energy",
    /* UE level */
    "DRB.UEThpDl", "DRB.UEThpUl", "DRB.PdcpSduVolumeDL", "DRB.PdcpSduVolumeUL", "RRU.PrbUsedDl",
    "RRU.PrbUsedUl", "DRB.RlcSduDelayDl", "RSRP", "SINR", "CQI", "Nbr1.NCI", "Nbr1.RSRP",
    "Nbr2.NCI", "Nbr2.RSRP"};

#define KZ__CELL_ID0 1   /* measIDs we advertise: cell metrics 1.., UE metrics 101.. */
#define KZ__UE_ID0 101

static uint8_t kz__metric_lookup(const kz_kpm_MeasurementType *mt, int ue_level)
{
    int lo = ue_level ? M_N_CELL : 0, hi = ue_level ? M_N_ALL : M_N_CELL;
    if (mt->present == kz_kpm_MeasurementType_measID) {
        int64_t id = mt->u.measID - (ue_level ? KZ__UE_ID0 : KZ__CELL_ID0) + lo;
        return id >= lo && id < hi ? (uint8_t)id : M_UNKNOWN;
    }
    if (mt->present != kz_kpm_MeasurementType_measName)
        return M_UNKNOWN;
    for (int m = lo; m < hi; m++) {
        size_t n = strlen(kz__metric_names[m]);
        if (mt->u.measName.len == n && memcmp(mt->u.measName.buf, kz__metric_names[m], n) == 0)
            return (uint8_t)m;
    }
    return M_UNKNOWN;
}

/* ---- state ------------------------------------------------------------------------------- */

struct kz__snap { /* cumulative counters of a cell set, or of one UE */
    double t, avail_prb_s, dl, ul, thp_bits, thp_time, ul_thp_bits, ul_thp_time, prb_dl, prb_ul,
        conn_s, energy, tx_time;
};

struct kz__action {
    int64_t id;
    uint8_t ue_level;
    int32_t cell;               /* world cell index, -1: every cell of the node */
    uint8_t n_metrics;
    uint8_t metric[KZ__MAX_METRICS];
    uint32_t granul_ms;
    struct kz__snap start;
    uint32_t conn_max;
    double win_start, win_end;  /* sim s */
    size_t n_periods, want_periods;
    kz_kpm_value values[KZ__MAX_PERIODS * KZ__MAX_METRICS];
    struct kz__snap *ue_start;  /* UE level: per UE, allocated at subscription */
    double ue_t0;
};

struct kz__sub {
    bool used;
    bool rc_nrt;                /* RC REPORT style 3: no KPM windows, one report at start */
    int64_t requestor, instance, ran_function;
    uint32_t period_ms;
    size_t n_actions;
    struct kz__action actions[KZ__MAX_ACTIONS];
};

struct kz__node {
    struct kz_gnbs *g;
    uint32_t site, gnb_id;
    uint32_t cells[16];
    size_t n_cells;
    kz_assoc *assoc;
    int state;
    kz_timer timer;
    int64_t txid;
    uint64_t ind_sn;
    bool ces_switch[16];
    struct kz__sub subs[KZ__MAX_SUBS];
    uint8_t ccc_def[32768];
    long ccc_def_len;
    char ccc_oid[64];
};

struct kz_gnbs {
    struct kz_world *w;
    const struct kz_nrt *nrt;   /* may be NULL: RC REPORT style 3 not offered */
    kz_loop *loop;
    kz_transport *tr;
    char url[256];
    kz_emu_e2_cfg cfg;
    kz_emu_e2_stats st;
    struct kz__node *nodes;
    size_t n_nodes;
    int64_t epoch0_ns;
    double t0;
    uint8_t *buf, *buf2, *arena_mem, *scratch_mem;
    kz_arena arena, scratch;
    uint8_t kpm_def[4096], rc_def[4096];
    long kpm_def_len, rc_def_len;
    kz_ccc_control_message *ccc_msg;
    kz_ccc_control_outcome *ccc_out;
};

/* ---- sending ---------------------------------------------------------------------------------- */

static int kz__send_pdu(struct kz__node *n, const kz_e2ap_pdu *pdu, bool is_indication)
{
    struct kz_gnbs *g = n->g;
    if (!n->assoc)
        return KZ_ECLOSED;
    long len = kz_e2ap_encode(pdu, g->buf, KZ__BUF, NULL);
    if (len < 0)
        return (int)len;
    kz_msg m = {g->buf, (size_t)len, KZ_E2AP_PPID, 0};
    int rc = kz_assoc_send(n->assoc, &m);
    if (is_indication) {
        if (rc == 0) {
            g->st.indications++;
            g->st.indication_bytes += (uint64_t)len;
        } else {
            g->st.indications_refused++;
        }
    }
    return rc;
}

static void kz__cause(kz_e2ap_Cause *c, uint32_t present, uint32_t value)
{
    memset(c, 0, sizeof *c);
    c->present = present;
    switch (present) {
    case kz_e2ap_Cause_ricRequest: c->u.ricRequest = value; break;
    case kz_e2ap_Cause_ricService: c->u.ricService = value; break;
    case kz_e2ap_Cause_protocol: c->u.protocol = value; break;
    default: c->u.misc = value; break;
    }
}

static void kz__error_indication(struct kz__node *n, const kz_asn_diag *diag)
{
    kz_e2ap_pdu pdu;
    kz_e2ap_CriticalityDiagnostics_IE_Item items[KZ_ASN_DIAG_MAX_IES];
    memset(&pdu, 0, sizeof pdu);
    kz_e2ap_error_indication(diag, &pdu, items);
    if (kz__send_pdu(n, &pdu, false) == 0)
        n->g->st.error_indications_sent++;
}

static void kz__error_indication_cause(struct kz__node *n, uint32_t present, uint32_t value,
                                       const kz_e2ap_RICrequestID *req, int64_t rf)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_ErrorIndication;
    kz_e2ap_ErrorIndication *ei = &pdu.u.initiatingMessage.u.ErrorIndication;
    if (req) {
        ei->has_RICrequestID = true;
        ei->RICrequestID = *req;
    }
    if (rf >= 0) {
        ei->has_RANfunctionID = true;
        ei->RANfunctionID = rf;
    }
    ei->has_Cause = true;
    kz__cause(&ei->Cause, present, value);
    if (kz__send_pdu(n, &pdu, false) == 0)
        n->g->st.error_indications_sent++;
}

/* ---- E2 setup ------------------------------------------------------------------------------- */

static void kz__send_setup(struct kz__node *n)
{
    struct kz_gnbs *g = n->g;
    const struct kz_cell *c0 = &g->w->cells[n->cells[0]];
    uint8_t plmn[3], gnb_bits[4];
    kz_kpm_plmn(plmn, c0->plmn.mcc, c0->plmn.mnc, c0->plmn.mnc_digits);
    uint32_t id = n->gnb_id << 10; /* 22 bits, left-aligned in 32 */
    gnb_bits[0] = (uint8_t)(id >> 24);
    gnb_bits[1] = (uint8_t)(id >> 16);
    gnb_bits[2] = (uint8_t)(id >> 8);
    gnb_bits[3] = (uint8_t)id;

    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_E2setupRequest;
    kz_e2ap_E2setupRequest *r = &pdu.u.initiatingMessage.u.E2setupRequest;
    r->TransactionID = n->txid = (n->txid + 1) % 256;
    r->GlobalE2node_ID.present = kz_e2ap_GlobalE2node_ID_gNB;
    kz_e2ap_GlobalgNB_ID *gid = &r->GlobalE2node_ID.u.gNB.global_gNB_ID;
    gid->plmn_id = (kz_octets){plmn, 3};
    gid->gnb_id.present = kz_e2ap_GNB_ID_Choice_gnb_ID;
    gid->gnb_id.u.gnb_ID = (kz_bits){gnb_bits, 22};

    kz_e2ap_RANfunctions_List__item rf[3];
    memset(rf, 0, sizeof rf);
    static const char kpm_oid[] = KZ_KPM_OID, rc_oid[] = KZ_RC_OID;
    rf[0].value.ranFunctionID = KZ__RF_KPM;
    rf[0].value.ranFunctionDefinition = (kz_octets){g->kpm_def, (uint32_t)g->kpm_def_len};
    rf[0].value.ranFunctionRevision = 1;
    rf[0].value.ranFunctionOID = (kz_octets){(const uint8_t *)kpm_oid, sizeof kpm_oid - 1};
    rf[1].value.ranFunctionID = KZ__RF_RC;
    rf[1].value.ranFunctionDefinition = (kz_octets){g->rc_def, (uint32_t)g->rc_def_len};
    rf[1].value.ranFunctionRevision = 1;
    rf[1].value.ranFunctionOID = (kz_octets){(const uint8_t *)rc_oid, sizeof rc_oid - 1};
    rf[2].value.ranFunctionID = KZ__RF_CCC;
    rf[2].value.ranFunctionDefinition = (kz_octets){n->ccc_def, (uint32_t)n->ccc_def_len};
    rf[2].value.ranFunctionRevision = 1;
    rf[2].value.ranFunctionOID = (kz_octets){(const uint8_t *)n->ccc_oid,
                                             (uint32_t)strlen(n->ccc_oid)};
    r->RANfunctionsAdded.count = 3;
    r->RANfunctionsAdded.items = rf;

    static const char amf[] = "kizuna-amf", req[] = "NGSetupRequest", rsp[] = "NGSetupResponse";
    kz_e2ap_E2nodeComponentConfigAddition_List__item comp;
    memset(&comp, 0, sizeof comp);
    comp.value.e2nodeComponentInterfaceType = kz_e2ap_E2nodeComponentInterfaceType_ng;
    comp.value.e2nodeComponentID.present = kz_e2ap_E2nodeComponentID_e2nodeComponentInterfaceTypeNG;
    comp.value.e2nodeComponentID.u.e2nodeComponentInterfaceTypeNG.amf_name =
        (kz_octets){(const uint8_t *)amf, sizeof amf - 1};
    comp.value.e2nodeComponentConfiguration.e2nodeComponentRequestPart =
        (kz_octets){(const uint8_t *)req, sizeof req - 1};
    comp.value.e2nodeComponentConfiguration.e2nodeComponentResponsePart =
        (kz_octets){(const uint8_t *)rsp, sizeof rsp - 1};
    r->E2nodeComponentConfigAddition.count = 1;
    r->E2nodeComponentConfigAddition.items = &comp;

    n->state = KZ__SETUP;
    g->st.setups++;
    kz__send_pdu(n, &pdu, false);
}

static void kz__drop_subs(struct kz__node *n)
{
    for (size_t s = 0; s < KZ__MAX_SUBS; s++) {
        struct kz__sub *sub = &n->subs[s];
        for (size_t a = 0; a < sub->n_actions; a++)
            free(sub->actions[a].ue_start);
        memset(sub, 0, sizeof *sub);
    }
}

static void kz__connect(struct kz__node *n);

static void kz__on_node_timer(kz_timer *t, void *ud)
{
    struct kz__node *n = ud;
    (void)t;
    if (n->state == KZ__DOWN)
        kz__connect(n);
    else if (n->state == KZ__SETUP)
        kz__send_setup(n); /* unanswered: try again */
}

static void kz__connect(struct kz__node *n)
{
    struct kz_gnbs *g = n->g;
    kz_assoc *a = NULL;
    int rc = kz_transport_connect(g->tr, g->url, &a);
    if (rc < 0) {
        n->state = KZ__DOWN;
        kz_timer_start(&n->timer, (int64_t)g->cfg.reconnect_ms * KZ_NS_PER_MS, 0,
                       kz__on_node_timer, n);
        return;
    }
    n->assoc = a;
    kz_assoc_set_ud(a, n);
    n->state = KZ__CONNECTING;
}

/* ---- KPM ------------------------------------------------------------------------------------- */

static void kz__snap_cells(const struct kz_gnbs *g, const struct kz__node *n, int32_t cell,
                           struct kz__snap *s)
{
    const struct kz_world *w = g->w;
    memset(s, 0, sizeof *s);
    s->t = w->t;
    for (size_t k = 0; k < n->n_cells; k++) {
        uint32_t c = n->cells[k];
        if (cell >= 0 && (uint32_t)cell != c)
            continue;
        const struct kz_world_cell *wc = &w->wc[c];
        s->avail_prb_s += wc->c_avail_s * w->cells[c].n_prb;
        s->dl += wc->c_dl_bits;
        s->ul += wc->c_ul_bits;
        s->thp_bits += wc->c_thp_bits;
        s->thp_time += wc->c_thp_time;
        s->ul_thp_bits += wc->c_ul_thp_bits;
        s->ul_thp_time += wc->c_ul_thp_time;
        s->prb_dl += wc->c_prb_dl_s;
        s->prb_ul += wc->c_prb_ul_s;
        s->conn_s += wc->c_conn_s;
        s->energy += wc->pw.energy_j;
    }
}

static uint32_t kz__conn_now(const struct kz_gnbs *g, const struct kz__node *n, int32_t cell)
{
    uint32_t k = 0;
    for (size_t i = 0; i < n->n_cells; i++)
        if (cell < 0 || (uint32_t)cell == n->cells[i])
            k += g->w->wc[n->cells[i]].n_conn;
    return k;
}

static kz_kpm_value kz__real(double v)
{
    kz_kpm_value x = {KZ_KPM_VALUE_REAL, 0, v};
    return x;
}

static kz_kpm_value kz__int(double v)
{
    kz_kpm_value x = {KZ_KPM_VALUE_INT, v < 0 ? 0 : (int64_t)llround(v), 0.0};
    return x;
}

/* The value of a cell-level metric over a window (differences of two snapshots). */
static kz_kpm_value kz__cell_value(uint8_t m, const struct kz__snap *a, const struct kz__snap *b,
                                   uint32_t conn_max)
{
    double dt = b->t - a->t;
    if (!(dt > 0.0))
        dt = 1e-9;
    double avail = (b->avail_prb_s - a->avail_prb_s) / dt; /* PRBs the cells offered */
    double used_dl = (b->prb_dl - a->prb_dl) / dt, used_ul = (b->prb_ul - a->prb_ul) / dt;
    double tt = b->thp_time - a->thp_time, ut = b->ul_thp_time - a->ul_thp_time;
    switch (m) {
    case M_THP_DL: return kz__real(tt > 0 ? (b->thp_bits - a->thp_bits) / tt / 1e3 : 0.0);
    case M_THP_UL: return kz__real(ut > 0 ? (b->ul_thp_bits - a->ul_thp_bits) / ut / 1e3 : 0.0);
    case M_PRB_USED_DL: return kz__int(used_dl);
    case M_PRB_USED_UL: return kz__int(used_ul);
    case M_PRB_AVAIL_DL: return kz__int(avail - used_dl);
    case M_PRB_AVAIL_UL: return kz__int(avail - used_ul);
    case M_PRB_TOT_DL: return kz__int(avail > 0 ? 100.0 * used_dl / avail : 0.0);
    case M_PRB_TOT_UL: return kz__int(avail > 0 ? 100.0 * used_ul / avail : 0.0);
    case M_VOL_DL: return kz__real((b->dl - a->dl) / 1e6);
    case M_VOL_UL: return kz__real((b->ul - a->ul) / 1e6);
    case M_CONN_MEAN: return kz__real((b->conn_s - a->conn_s) / dt);
    case M_CONN_MAX: return kz__int(conn_max);
    case M_PEE_AVG: return kz__real((b->energy - a->energy) / dt);
    case M_PEE_ENERGY: return kz__real((b->energy - a->energy) / 3.6e6);
    default: {
        kz_kpm_value x = {KZ_KPM_VALUE_NONE, 0, 0.0};
        return x;
    }
    }
}

static void kz__snap_ue(const struct kz_world *w, uint32_t ui, struct kz__snap *s)
{
    const struct kz_world_ue *u = &w->ues[ui];
    s->t = w->t;
    s->dl = u->c_dl_bits;
    s->ul = u->c_ul_bits;
    s->tx_time = u->c_tx_time;
    s->prb_dl = u->c_prb_dl_s;
    s->prb_ul = u->c_prb_ul_s;
}

/* The n-th strongest up neighbour of UE ui (not its serving cell); -1 if none. */
static int32_t kz__nbr(const struct kz_world *w, uint32_t ui, int nth, double *rsrp)
{
    int32_t best[2] = {-1, -1};
    double rb[2] = {-INFINITY, -INFINITY};
    for (size_t c = 0; c < w->n_cells; c++) {
        if ((int32_t)c == w->ues[ui].serving || !w->wc[c].serving_ok)
            continue;
        double r = kz_world_rsrp(w, ui, (uint32_t)c);
        if (r > rb[0]) {
            rb[1] = rb[0];
            best[1] = best[0];
            rb[0] = r;
            best[0] = (int32_t)c;
        } else if (r > rb[1]) {
            rb[1] = r;
            best[1] = (int32_t)c;
        }
    }
    *rsrp = rb[nth];
    return best[nth];
}

static kz_kpm_value kz__ue_value(const struct kz_world *w, uint8_t m, uint32_t ui,
                                 const struct kz__snap *a, const struct kz__snap *b)
{
    const struct kz_world_ue *u = &w->ues[ui];
    double dt = b->t - a->t;
    if (!(dt > 0.0))
        dt = 1e-9;
    double tx = b->tx_time - a->tx_time, r;
    int32_t c;
    switch (m) {
    case U_THP_DL: return kz__real(tx > 0 ? (b->dl - a->dl) / tx / 1e3 : 0.0);
    case U_THP_UL: return kz__real(tx > 0 ? (b->ul - a->ul) / tx / 1e3 : 0.0);
    case U_VOL_DL: return kz__real((b->dl - a->dl) / 1e6);
    case U_VOL_UL: return kz__real((b->ul - a->ul) / 1e6);
    case U_PRB_DL: return kz__real((b->prb_dl - a->prb_dl) / dt);
    case U_PRB_UL: return kz__real((b->prb_ul - a->prb_ul) / dt);
    case U_DELAY_DL: /* queueing delay of what is left, ms */
        return kz__real(u->thp_bps > 0 ? 1e3 * u->backlog_bits / u->thp_bps : 0.0);
    case U_RSRP:
        return kz__real(u->serving >= 0 ? kz_world_rsrp(w, ui, (uint32_t)u->serving) : -156.0);
    case U_SINR: {
        double s = kz_world_sinr(w, ui);
        return kz__real(isfinite(s) ? s : -30.0);
    }
    case U_CQI: return kz__int(u->cqi);
    case U_NBR1_NCI: c = kz__nbr(w, ui, 0, &r); return kz__real(c >= 0 ? (double)w->cells[c].nci : 0.0);
    case U_NBR1_RSRP: c = kz__nbr(w, ui, 0, &r); return kz__real(c >= 0 ? r : -156.0);
    case U_NBR2_NCI: c = kz__nbr(w, ui, 1, &r); return kz__real(c >= 0 ? (double)w->cells[c].nci : 0.0);
    case U_NBR2_RSRP: c = kz__nbr(w, ui, 1, &r); return kz__real(c >= 0 ? r : -156.0);
    default: {
        kz_kpm_value x = {KZ_KPM_VALUE_NONE, 0, 0.0};
        return x;
    }
    }
}

static void kz__send_indication(struct kz__node *n, struct kz__sub *sub, struct kz__action *a,
                                const uint8_t *hdr, size_t hdr_len, const uint8_t *msg,
                                size_t msg_len)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_initiatingMessage;
    pdu.u.initiatingMessage.present = kz_e2ap_InitiatingMessage_RICindication;
    kz_e2ap_RICindication *ind = &pdu.u.initiatingMessage.u.RICindication;
    ind->RICrequestID.ricRequestorID = sub->requestor;
    ind->RICrequestID.ricInstanceID = sub->instance;
    ind->RANfunctionID = sub->ran_function;
    ind->RICactionID = a->id;
    ind->has_RICindicationSN = true;
    ind->RICindicationSN = (int64_t)(n->ind_sn++ % 65536);
    ind->RICindicationType = kz_e2ap_RICindicationType_report;
    ind->RICindicationHeader = (kz_octets){hdr, (uint32_t)hdr_len};
    ind->RICindicationMessage = (kz_octets){msg, (uint32_t)msg_len};
    kz__send_pdu(n, &pdu, true);
}

static long kz__header(struct kz_gnbs *g, double win_start, uint8_t *buf, size_t cap)
{
    kz_kpm_header_info h = {0};
    h.unix_ns = g->epoch0_ns + (int64_t)llround((win_start - g->t0) * 1e9);
    if (h.unix_ns < 0)
        h.unix_ns = 0;
    h.reading = KZ_KPM_TS_NTP;
    h.sender_name = "kizuna-emu";
    h.sender_type = "gNB";
    h.vendor_name = "Kizuna";
    return kz_kpm_build_header(&h, buf, cap);
}

static void kz__report_cells(struct kz__node *n, struct kz__sub *sub, struct kz__action *a)
{
    struct kz_gnbs *g = n->g;
    uint8_t hdr[256];
    long hl = kz__header(g, a->win_start, hdr, sizeof hdr);
    kz_kpm_metric metrics[KZ__MAX_METRICS];
    for (size_t m = 0; m < a->n_metrics; m++) {
        metrics[m].name = kz__metric_names[a->metric[m] == M_UNKNOWN ? 0 : a->metric[m]];
        metrics[m].id = 0;
        metrics[m].label = NULL;
    }
    kz_kpm_report r = {metrics, a->n_metrics, a->values, a->n_periods, NULL, a->granul_ms};
    kz_arena_reset(&g->scratch);
    long ml = kz_kpm_build_message_f1(&r, &g->scratch, g->buf2, KZ__BUF);
    if (hl > 0 && ml > 0)
        kz__send_indication(n, sub, a, hdr, (size_t)hl, g->buf2, (size_t)ml);
}

static void kz__report_ues(struct kz__node *n, struct kz__sub *sub, struct kz__action *a)
{
    struct kz_gnbs *g = n->g;
    struct kz_world *w = g->w;
    uint8_t hdr[256];
    long hl = kz__header(g, a->win_start, hdr, sizeof hdr);
    kz_kpm_metric metrics[KZ__MAX_METRICS];
    for (size_t m = 0; m < a->n_metrics; m++) {
        metrics[m].name = kz__metric_names[a->metric[m] == M_UNKNOWN ? U_THP_DL : a->metric[m]];
        metrics[m].id = 0;
        metrics[m].label = NULL;
    }
    size_t max = g->cfg.max_ue_reports;
    kz_kpm_ue_report reps[256];
    kz_e2sm_UEID ids[256];
    kz_rc_guami_store gs[256];
    kz_kpm_value *vals = (kz_kpm_value *)g->arena_mem; /* free between messages */
    if (max > 256)
        max = 256;
    size_t k = 0;
    struct kz__snap now;
    /* Every UE the action's cells serve at the window's close that is RRC-connected now or had
     * DL data in the window: a UE whose session ended and went idle before the close was
     * served in the window and belongs in its report (reporting only w->conn missed three
     * quarters of the samples, the fast finishers).  Each UE's counters are snapshotted at
     * every close, reported or not, so a value covers exactly this window. */
    for (size_t i = 0; i <= w->n_ues; i++) {
        bool flush = i == w->n_ues;
        if (!flush) {
            uint32_t ui = (uint32_t)i;
            int32_t s = w->ues[ui].serving;
            struct kz__snap *st = &a->ue_start[ui];
            kz__snap_ue(w, ui, &now);
            bool mine = false;
            for (size_t c = 0; c < n->n_cells && !mine && s >= 0; c++)
                mine = (int32_t)n->cells[c] == s && (a->cell < 0 || a->cell == s);
            if (!mine || !(w->ues[ui].in_conn || now.dl != st->dl)) {
                *st = now;
                continue;
            }
            st->t = a->win_start;
            for (size_t m = 0; m < a->n_metrics; m++)
                vals[k * KZ__MAX_METRICS + m] = kz__ue_value(w, a->metric[m], ui, st, &now);
            *st = now;
            uint8_t plmn[3];
            const struct kz_cell *c0 = &w->cells[n->cells[0]];
            kz_kpm_plmn(plmn, c0->plmn.mcc, c0->plmn.mnc, c0->plmn.mnc_digits);
            kz_rc_ueid_gnb(&ids[k], &gs[k], (int64_t)ui + 1, plmn, 1, 1, 1);
            reps[k].ue = &ids[k];
            reps[k].report = (kz_kpm_report){metrics, a->n_metrics, &vals[k * KZ__MAX_METRICS],
                                             1, NULL, a->granul_ms};
            k++;
        }
        if ((flush && k > 0) || k == max) {
            kz_arena_reset(&g->scratch);
            long ml = kz_kpm_build_message_f3(reps, k, &g->scratch, g->buf2, KZ__BUF);
            if (hl > 0 && ml > 0)
                kz__send_indication(n, sub, a, hdr, (size_t)hl, g->buf2, (size_t)ml);
            k = 0;
        }
    }
}

/* After a world step: close the windows that ended, send what is due. */
static void kz__kpm_step(struct kz__node *n)
{
    struct kz_gnbs *g = n->g;
    double now = g->w->t;
    for (size_t s = 0; s < KZ__MAX_SUBS; s++) {
        struct kz__sub *sub = &n->subs[s];
        if (!sub->used || sub->rc_nrt)
            continue;
        for (size_t k = 0; k < sub->n_actions; k++) {
            struct kz__action *a = &sub->actions[k];
            if (!a->ue_level) {
                uint32_t c = kz__conn_now(g, n, a->cell);
                if (c > a->conn_max)
                    a->conn_max = c;
            }
            if (now + 1e-9 < a->win_end)
                continue;
            if (a->ue_level) {
                kz__report_ues(n, sub, a);
            } else {
                struct kz__snap b;
                kz__snap_cells(g, n, a->cell, &b);
                for (size_t m = 0; m < a->n_metrics; m++)
                    a->values[a->n_periods * a->n_metrics + m] =
                        kz__cell_value(a->metric[m], &a->start, &b, a->conn_max);
                a->n_periods++;
                a->start = b;
                a->conn_max = kz__conn_now(g, n, a->cell);
                if (a->n_periods >= a->want_periods) {
                    kz__report_cells(n, sub, a);
                    a->n_periods = 0;
                }
            }
            if (a->ue_level || a->n_periods == 0)
                a->win_start = now;
            double gr = a->granul_ms / 1e3;
            a->win_end += gr;
            if (a->win_end <= now)
                a->win_end = now + gr;
        }
    }
}

static void kz__sub_fail(struct kz__node *n, const kz_e2ap_RICsubscriptionRequest *rq,
                         uint32_t present, uint32_t cause)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
    pdu.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_RICsubscriptionFailure;
    kz_e2ap_RICsubscriptionFailure *f = &pdu.u.unsuccessfulOutcome.u.RICsubscriptionFailure;
    f->RICrequestID = rq->RICrequestID;
    f->RANfunctionID = rq->RANfunctionID;
    kz__cause(&f->Cause, present, cause);
    n->g->st.sub_failures++;
    kz__send_pdu(n, &pdu, false);
}

static int32_t kz__node_cell_by_cgi(const struct kz__node *n, const struct kz_world *w,
                                    const kz_e2sm_CGI *cgi)
{
    uint64_t nci = kz_kpm_cgi_cell_id(cgi);
    for (size_t k = 0; k < n->n_cells; k++)
        if (w->cells[n->cells[k]].nci == nci)
            return (int32_t)n->cells[k];
    return -1;
}

/* One RC indication (header format 1, message format 3) with the node's cells and their
 * neighbour relation tables, for action a of sub. */
static void kz__report_nrt(struct kz__node *n, struct kz__sub *sub, struct kz__action *a)
{
    struct kz_gnbs *g = n->g;
    const struct kz_world *w = g->w;
    kz_rc_cell_nrt cells[16];
    kz_rc_nr_nbr nbr[16 * KZ_NRT_MAX_PER_CELL];
    uint32_t idx[KZ_NRT_MAX_PER_CELL];
    size_t nn = 0;
    for (size_t k = 0; k < n->n_cells; k++) {
        const struct kz_cell *c = &w->cells[n->cells[k]];
        kz_rc_cell_nrt *o = &cells[k];
        memset(o, 0, sizeof *o);
        kz_kpm_plmn(o->cgi.plmn, c->plmn.mcc, c->plmn.mnc, c->plmn.mnc_digits);
        o->cgi.nci = c->nci;
        o->pci = c->pci;
        o->arfcn = kz_rc_nr_arfcn(c->fc_ghz * 1000.0);
        o->nbr = &nbr[nn];
        size_t m = kz_nrt_get(g->nrt, n->cells[k], idx, KZ_NRT_MAX_PER_CELL);
        for (size_t j = 0; j < m && j < KZ_NRT_MAX_PER_CELL; j++) {
            const struct kz_cell *d = &w->cells[idx[j]];
            kz_rc_nr_nbr *b = &nbr[nn++];
            memset(b, 0, sizeof *b);
            kz_kpm_plmn(b->cgi.plmn, d->plmn.mcc, d->plmn.mnc, d->plmn.mnc_digits);
            b->cgi.nci = d->nci;
            b->pci = d->pci;
            b->arfcn = kz_rc_nr_arfcn(d->fc_ghz * 1000.0);
            b->band = d->band >= 1 && d->band <= 1024 ? d->band : 1;
            b->tac = 1;               /* the emulator has one tracking area */
            b->tdd = d->duplex == KZ_DUPLEX_TDD;
            b->xn = true;             /* every gNB can hand over to every other */
            b->ho_validated = true;
            b->version = 1;           /* the table never changes */
            o->n_nbr++;
        }
    }
    uint8_t hdr[64];
    long hl = kz_rc_build_nrt_header(hdr, sizeof hdr);
    kz_arena_reset(&g->scratch);
    long ml = kz_rc_build_nrt_message(cells, n->n_cells, &g->scratch, g->buf2, KZ__BUF);
    if (hl > 0 && ml > 0)
        kz__send_indication(n, sub, a, hdr, (size_t)hl, g->buf2, (size_t)ml);
}

/* A free subscription slot of node n for rq, or NULL after answering rq with the failure
 * (its request ID already in use, or no slot left). */
static struct kz__sub *kz__sub_slot(struct kz__node *n, const kz_e2ap_RICsubscriptionRequest *rq)
{
    struct kz__sub *sub = NULL;
    for (size_t s = 0; s < KZ__MAX_SUBS; s++) {
        struct kz__sub *x = &n->subs[s];
        if (x->used && x->requestor == rq->RICrequestID.ricRequestorID &&
            x->instance == rq->RICrequestID.ricInstanceID) {
            kz__sub_fail(n, rq, kz_e2ap_Cause_ricRequest,
                         kz_e2ap_CauseRICrequest_duplicate_ric_request_id);
            return NULL;
        }
        if (!x->used && !sub)
            sub = x;
    }
    if (!sub)
        kz__sub_fail(n, rq, kz_e2ap_Cause_ricRequest,
                     kz_e2ap_CauseRICrequest_function_resource_limit);
    return sub;
}

/* Records action id as not admitted with cause (up to KZ__MAX_ACTIONS; the rest are dropped
 * from the answer, which still refuses them by omission). */
static void kz__not_admitted(kz_e2ap_RICaction_NotAdmitted_List__item *nadm, size_t *n_nadm,
                             int64_t id, uint32_t cause)
{
    if (*n_nadm >= KZ__MAX_ACTIONS)
        return;
    memset(&nadm[*n_nadm], 0, sizeof nadm[*n_nadm]);
    nadm[*n_nadm].value.ricActionID = id;
    kz__cause(&nadm[*n_nadm].value.cause, kz_e2ap_Cause_ricRequest, cause);
    (*n_nadm)++;
}

/* No action admitted: free the slot and refuse rq with the first action's cause. */
static void kz__sub_fail_none_admitted(struct kz__node *n, const kz_e2ap_RICsubscriptionRequest *rq,
                                       struct kz__sub *sub,
                                       const kz_e2ap_RICaction_NotAdmitted_List__item *nadm,
                                       size_t n_nadm)
{
    uint32_t cause = n_nadm ? nadm[0].value.cause.u.ricRequest
                            : kz_e2ap_CauseRICrequest_action_not_supported;
    memset(sub, 0, sizeof *sub);
    kz__sub_fail(n, rq, kz_e2ap_Cause_ricRequest, cause);
}

/* RICsubscriptionResponse to rq with the admitted and (if any) not admitted actions. */
static void kz__sub_response(struct kz__node *n, const kz_e2ap_RICsubscriptionRequest *rq,
                             kz_e2ap_RICaction_Admitted_List__item *adm, size_t n_adm,
                             kz_e2ap_RICaction_NotAdmitted_List__item *nadm, size_t n_nadm)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
    pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_RICsubscriptionResponse;
    kz_e2ap_RICsubscriptionResponse *r = &pdu.u.successfulOutcome.u.RICsubscriptionResponse;
    r->RICrequestID = rq->RICrequestID;
    r->RANfunctionID = rq->RANfunctionID;
    r->RICactions_Admitted.count = (uint32_t)n_adm;
    r->RICactions_Admitted.items = adm;
    if (n_nadm) {
        r->has_RICactions_NotAdmitted = true;
        r->RICactions_NotAdmitted.count = (uint32_t)n_nadm;
        r->RICactions_NotAdmitted.items = nadm;
    }
    kz__send_pdu(n, &pdu, false);
}

/* RC subscriptions: REPORT style 3 (event trigger format 3, action definition style 3 format 1
 * asking for the neighbour relation table, or no action definition) is served; anything else
 * is refused with a cause, as before. */
static void kz__on_subscription_rc(struct kz__node *n, const kz_e2ap_RICsubscriptionRequest *rq)
{
    struct kz_gnbs *g = n->g;
    const kz_e2ap_RICsubscriptionDetails *d = &rq->RICsubscriptionDetails;
    int64_t change = 0;
    kz_arena_reset(&g->scratch);
    if (!g->nrt || kz_rc_parse_nrt_event_trigger(d->ricEventTriggerDefinition.buf,
                                                 d->ricEventTriggerDefinition.len, &g->scratch,
                                                 &change, NULL) < 0) {
        kz__sub_fail(n, rq, kz_e2ap_Cause_ricRequest,
                     g->nrt ? kz_e2ap_CauseRICrequest_eventTriggerNotSupported
                            : kz_e2ap_CauseRICrequest_action_not_supported);
        return;
    }
    struct kz__sub *sub = kz__sub_slot(n, rq);
    if (!sub)
        return;
    memset(sub, 0, sizeof *sub);
    kz_e2ap_RICaction_Admitted_List__item adm[KZ__MAX_ACTIONS];
    kz_e2ap_RICaction_NotAdmitted_List__item nadm[KZ__MAX_ACTIONS];
    size_t n_adm = 0, n_nadm = 0;
    for (uint32_t i = 0; i < d->ricAction_ToBeSetup_List.count; i++) {
        const kz_e2ap_RICaction_ToBeSetup_Item *it = &d->ricAction_ToBeSetup_List.items[i].value;
        uint32_t cause = kz_e2ap_CauseRICrequest_action_not_supported;
        bool ok = it->ricActionType == kz_e2ap_RICactionType_report;
        for (size_t k = 0; k < sub->n_actions && ok; k++)
            if (sub->actions[k].id == it->ricActionID) {
                ok = false;
                cause = kz_e2ap_CauseRICrequest_duplicate_action;
            }
        if (ok && sub->n_actions >= KZ__MAX_ACTIONS) {
            ok = false;
            cause = kz_e2ap_CauseRICrequest_excessive_actions;
        }
        if (ok && it->has_ricActionDefinition) {
            kz_rc_E2SM_RC_ActionDefinition *ad = NULL;
            ok = false;
            if (kz_asn_decode(&kz_rc_E2SM_RC_ActionDefinition_desc, it->ricActionDefinition.buf,
                              it->ricActionDefinition.len, &g->scratch, (void **)&ad, NULL) == 0 &&
                ad->ric_Style_Type == KZ_RC_REPORT_STYLE_E2_NODE_INFO &&
                ad->ric_actionDefinition_formats.present ==
                    kz_rc_E2SM_RC_ActionDefinition__ric_actionDefinition_formats_actionDefinition_Format1) {
                const kz_rc_E2SM_RC_ActionDefinition_Format1 *f1 =
                    &ad->ric_actionDefinition_formats.u.actionDefinition_Format1;
                for (uint32_t k = 0; k < f1->ranP_ToBeReported_List.count; k++)
                    ok |= f1->ranP_ToBeReported_List.items[k].ranParameter_ID == KZ_RC_P_NRT;
                if (!ok)
                    cause = kz_e2ap_CauseRICrequest_requested_information_unavailable;
            }
        }
        if (ok) {
            struct kz__action *a = &sub->actions[sub->n_actions++];
            memset(a, 0, sizeof *a);
            a->id = it->ricActionID;
            a->cell = -1;
            memset(&adm[n_adm], 0, sizeof adm[n_adm]);
            adm[n_adm++].value.ricActionID = it->ricActionID;
        } else {
            kz__not_admitted(nadm, &n_nadm, it->ricActionID, cause);
        }
    }
    if (n_adm == 0) {
        kz__sub_fail_none_admitted(n, rq, sub, nadm, n_nadm);
        return;
    }
    sub->used = true;
    sub->rc_nrt = true;
    sub->requestor = rq->RICrequestID.ricRequestorID;
    sub->instance = rq->RICrequestID.ricInstanceID;
    sub->ran_function = rq->RANfunctionID;
    g->st.subscriptions++;
    kz__sub_response(n, rq, adm, n_adm, nadm, n_nadm);
    for (size_t k = 0; k < sub->n_actions; k++) /* the table as it stands: the first report */
        kz__report_nrt(n, sub, &sub->actions[k]);
}

static void kz__on_subscription(struct kz__node *n, const kz_e2ap_RICsubscriptionRequest *rq)
{
    struct kz_gnbs *g = n->g;
    struct kz_world *w = g->w;
    if (rq->RANfunctionID == KZ__RF_RC) {
        kz__on_subscription_rc(n, rq);
        return;
    }
    if (rq->RANfunctionID != KZ__RF_KPM) {
        kz__sub_fail(n, rq, kz_e2ap_Cause_ricRequest,
                     rq->RANfunctionID == KZ__RF_RC || rq->RANfunctionID == KZ__RF_CCC
                         ? kz_e2ap_CauseRICrequest_action_not_supported
                         : kz_e2ap_CauseRICrequest_ran_function_id_invalid);
        return;
    }
    struct kz__sub *sub = kz__sub_slot(n, rq);
    if (!sub)
        return;
    const kz_e2ap_RICsubscriptionDetails *d = &rq->RICsubscriptionDetails;
    const kz_kpm_E2SM_KPM_EventTriggerDefinition *et = NULL;
    kz_arena_reset(&g->scratch);
    if (kz_kpm_decode_event_trigger(d->ricEventTriggerDefinition.buf,
                                    d->ricEventTriggerDefinition.len, &g->scratch, &et,
                                    NULL) < 0 ||
        et->eventDefinition_formats.present !=
            kz_kpm_E2SM_KPM_EventTriggerDefinition__eventDefinition_formats_eventDefinition_Format1 ||
        et->eventDefinition_formats.u.eventDefinition_Format1.reportingPeriod <= 0) {
        kz__sub_fail(n, rq, kz_e2ap_Cause_ricRequest,
                     kz_e2ap_CauseRICrequest_eventTriggerNotSupported);
        return;
    }
    uint32_t period_ms =
        (uint32_t)et->eventDefinition_formats.u.eventDefinition_Format1.reportingPeriod;
    memset(sub, 0, sizeof *sub);
    kz_e2ap_RICaction_Admitted_List__item adm[KZ__MAX_ACTIONS];
    kz_e2ap_RICaction_NotAdmitted_List__item nadm[KZ__MAX_ACTIONS];
    size_t n_adm = 0, n_nadm = 0;
    uint32_t n_req = d->ricAction_ToBeSetup_List.count;
    for (uint32_t i = 0; i < n_req; i++) {
        const kz_e2ap_RICaction_ToBeSetup_Item *it = &d->ricAction_ToBeSetup_List.items[i].value;
        uint32_t cause = kz_e2ap_CauseRICrequest_action_not_supported;
        bool dup = false;
        for (size_t k = 0; k < sub->n_actions; k++)
            dup |= sub->actions[k].id == it->ricActionID;
        const kz_kpm_E2SM_KPM_ActionDefinition *ad = NULL;
        const kz_kpm_E2SM_KPM_ActionDefinition_Format1 *f1 = NULL;
        int ue_level = 0;
        if (dup) {
            cause = kz_e2ap_CauseRICrequest_duplicate_action;
        } else if (sub->n_actions >= KZ__MAX_ACTIONS) {
            cause = kz_e2ap_CauseRICrequest_excessive_actions;
        } else if (it->ricActionType == kz_e2ap_RICactionType_report &&
                   it->has_ricActionDefinition &&
                   kz_kpm_decode_action(it->ricActionDefinition.buf, it->ricActionDefinition.len,
                                        &g->scratch, &ad, NULL) == 0) {
            uint32_t p = ad->actionDefinition_formats.present;
            if (p == kz_kpm_E2SM_KPM_ActionDefinition__actionDefinition_formats_actionDefinition_Format1) {
                f1 = &ad->actionDefinition_formats.u.actionDefinition_Format1;
            } else if (p == kz_kpm_E2SM_KPM_ActionDefinition__actionDefinition_formats_actionDefinition_Format4) {
                f1 = &ad->actionDefinition_formats.u.actionDefinition_Format4.subscriptionInfo;
                ue_level = 1;
            }
        }
        struct kz__action *a = &sub->actions[sub->n_actions];
        if (f1) {
            memset(a, 0, sizeof *a);
            a->id = it->ricActionID;
            a->ue_level = (uint8_t)ue_level;
            a->cell = -1;
            size_t known = 0;
            for (uint32_t m = 0; m < f1->measInfoList.count && a->n_metrics < KZ__MAX_METRICS; m++) {
                uint8_t id = kz__metric_lookup(&f1->measInfoList.items[m].measType, ue_level);
                a->metric[a->n_metrics++] = id;
                known += id != M_UNKNOWN;
            }
            bool cell_ok = true;
            if (f1->has_cellGlobalID) {
                a->cell = kz__node_cell_by_cgi(n, w, &f1->cellGlobalID);
                cell_ok = a->cell >= 0;
            }
            if (!known || !cell_ok || f1->granulPeriod <= 0) {
                cause = kz_e2ap_CauseRICrequest_requested_information_unavailable;
                f1 = NULL;
            } else {
                a->granul_ms = (uint32_t)f1->granulPeriod;
                if (a->granul_ms > period_ms)
                    a->granul_ms = period_ms;
                a->want_periods = (period_ms + a->granul_ms - 1) / a->granul_ms;
                if (a->want_periods > KZ__MAX_PERIODS) {
                    a->want_periods = KZ__MAX_PERIODS;
                    a->granul_ms = (period_ms + KZ__MAX_PERIODS - 1) / KZ__MAX_PERIODS;
                }
                if (ue_level) { /* one window per report */
                    a->granul_ms = period_ms;
                    a->want_periods = 1;
                    a->ue_start = calloc(w->n_ues, sizeof *a->ue_start);
                    if (!a->ue_start) {
                        cause = kz_e2ap_CauseRICrequest_function_resource_limit;
                        f1 = NULL;
                    } else {
                        for (uint32_t u = 0; u < w->n_ues; u++)
                            kz__snap_ue(w, u, &a->ue_start[u]);
                    }
                }
            }
        }
        if (f1) {
            a->win_start = w->t;
            a->win_end = w->t + a->granul_ms / 1e3;
            kz__snap_cells(g, n, a->cell, &a->start);
            a->conn_max = kz__conn_now(g, n, a->cell);
            sub->n_actions++;
            memset(&adm[n_adm], 0, sizeof adm[n_adm]);
            adm[n_adm++].value.ricActionID = it->ricActionID;
        } else {
            kz__not_admitted(nadm, &n_nadm, it->ricActionID, cause);
        }
    }
    if (n_adm == 0) {
        kz__sub_fail_none_admitted(n, rq, sub, nadm, n_nadm);
        return;
    }
    sub->used = true;
    sub->requestor = rq->RICrequestID.ricRequestorID;
    sub->instance = rq->RICrequestID.ricInstanceID;
    sub->ran_function = rq->RANfunctionID;
    sub->period_ms = period_ms;
    g->st.subscriptions++;

    kz__sub_response(n, rq, adm, n_adm, nadm, n_nadm);
}

static void kz__on_sub_delete(struct kz__node *n, const kz_e2ap_RICsubscriptionDeleteRequest *rq)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    for (size_t s = 0; s < KZ__MAX_SUBS; s++) {
        struct kz__sub *sub = &n->subs[s];
        if (sub->used && sub->requestor == rq->RICrequestID.ricRequestorID &&
            sub->instance == rq->RICrequestID.ricInstanceID &&
            sub->ran_function == rq->RANfunctionID) {
            for (size_t a = 0; a < sub->n_actions; a++)
                free(sub->actions[a].ue_start);
            memset(sub, 0, sizeof *sub);
            n->g->st.sub_deletes++;
            pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
            pdu.u.successfulOutcome.present =
                kz_e2ap_SuccessfulOutcome_RICsubscriptionDeleteResponse;
            kz_e2ap_RICsubscriptionDeleteResponse *r =
                &pdu.u.successfulOutcome.u.RICsubscriptionDeleteResponse;
            r->RICrequestID = rq->RICrequestID;
            r->RANfunctionID = rq->RANfunctionID;
            kz__send_pdu(n, &pdu, false);
            return;
        }
    }
    pdu.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
    pdu.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_RICsubscriptionDeleteFailure;
    kz_e2ap_RICsubscriptionDeleteFailure *f =
        &pdu.u.unsuccessfulOutcome.u.RICsubscriptionDeleteFailure;
    f->RICrequestID = rq->RICrequestID;
    f->RANfunctionID = rq->RANfunctionID;
    kz__cause(&f->Cause, kz_e2ap_Cause_ricRequest, kz_e2ap_CauseRICrequest_request_id_unknown);
    kz__send_pdu(n, &pdu, false);
}

/* ---- controls ----------------------------------------------------------------------------- */

static void kz__control_answer(struct kz__node *n, const kz_e2ap_RICcontrolRequest *rq, bool ok,
                               uint32_t cause, const uint8_t *outcome, size_t outcome_len)
{
    kz_e2ap_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    if (ok) {
        n->g->st.controls_ok++;
        pdu.present = kz_e2ap_E2AP_PDU_successfulOutcome;
        pdu.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_RICcontrolAcknowledge;
        kz_e2ap_RICcontrolAcknowledge *a = &pdu.u.successfulOutcome.u.RICcontrolAcknowledge;
        a->RICrequestID = rq->RICrequestID;
        a->RANfunctionID = rq->RANfunctionID;
        if (rq->has_RICcallProcessID) {
            a->has_RICcallProcessID = true;
            a->RICcallProcessID = rq->RICcallProcessID;
        }
        if (outcome_len) {
            a->has_RICcontrolOutcome = true;
            a->RICcontrolOutcome = (kz_octets){outcome, (uint32_t)outcome_len};
        }
    } else {
        n->g->st.controls_failed++;
        pdu.present = kz_e2ap_E2AP_PDU_unsuccessfulOutcome;
        pdu.u.unsuccessfulOutcome.present = kz_e2ap_UnsuccessfulOutcome_RICcontrolFailure;
        kz_e2ap_RICcontrolFailure *f = &pdu.u.unsuccessfulOutcome.u.RICcontrolFailure;
        f->RICrequestID = rq->RICrequestID;
        f->RANfunctionID = rq->RANfunctionID;
        if (rq->has_RICcallProcessID) {
            f->has_RICcallProcessID = true;
            f->RICcallProcessID = rq->RICcallProcessID;
        }
        kz__cause(&f->Cause, kz_e2ap_Cause_ricRequest, cause);
        if (outcome_len) {
            f->has_RICcontrolOutcome = true;
            f->RICcontrolOutcome = (kz_octets){outcome, (uint32_t)outcome_len};
        }
    }
    kz__send_pdu(n, &pdu, false);
}

static bool kz__node_has_cell(const struct kz__node *n, int32_t c)
{
    for (size_t k = 0; k < n->n_cells; k++)
        if ((int32_t)n->cells[k] == c)
            return true;
    return false;
}

static void kz__control_rc(struct kz__node *n, const kz_e2ap_RICcontrolRequest *rq)
{
    struct kz_gnbs *g = n->g;
    struct kz_world *w = g->w;
    kz_rc_handover ho;
    kz_arena_reset(&g->scratch);
    int rc = kz_rc_parse_handover(rq->RICcontrolHeader.buf, rq->RICcontrolHeader.len,
                                  rq->RICcontrolMessage.buf, rq->RICcontrolMessage.len,
                                  &g->scratch, &ho, NULL);
    if (rc == KZ_EPROTO) {
        kz__control_answer(n, rq, false, kz_e2ap_CauseRICrequest_action_not_supported, NULL, 0);
        return;
    }
    if (rc < 0) {
        kz__control_answer(n, rq, false, kz_e2ap_CauseRICrequest_control_message_invalid, NULL, 0);
        return;
    }
    int32_t ue = -1, target = -1;
    if (ho.ue && ho.ue->present == kz_e2sm_UEID_gNB_UEID) {
        int64_t id = ho.ue->u.gNB_UEID.amf_UE_NGAP_ID;
        if (id >= 1 && (uint64_t)id <= w->n_ues)
            ue = (int32_t)(id - 1);
    }
    for (size_t c = 0; c < w->n_cells; c++)
        if (w->cells[c].nci == ho.target.nci)
            target = (int32_t)c;
    if (ue < 0 || target < 0 || !kz__node_has_cell(n, w->ues[ue].serving)) {
        kz__control_answer(n, rq, false,
                           kz_e2ap_CauseRICrequest_requested_information_unavailable, NULL, 0);
        return;
    }
    rc = kz_world_handover(w, (uint32_t)ue, (uint32_t)target);
    kz__control_answer(n, rq, rc == 0, kz_e2ap_CauseRICrequest_control_failed_to_execute, NULL,
                       0);
}

/* ---- O-NESPolicy: antenna masks --------------------------------------------------------------
 * e2sm_ccc passes O-NESPolicy through as JSON text (the ranConfigurationStructure object); the
 * agent reads the one thing it models from it.  Accepted (docs/emulator.md "Antenna muting"):
 *     {"policyType": "ANTENNA_MASKING", "antennaMask": "1111...1100...00"}
 * policyType optional (any other value: NotSupported); antennaMask one character per TxRU of
 * the cell ('1' on, '0' muted), exactly as many as the cell has (64 for a 64T64R capacity
 * cell, 2 for an EARTH macro sector); at least one '1'; all '1' unmutes.  Which TxRUs are off
 * does not matter to the model, only how many.  Other attributes are ignored. */

static const char KZ__NES_NAME[] = "O-NESPolicy";

/* The string value of "key" in a flat JSON object text (no escapes handled: none of our
 * values need them).  Returns its length and *val, -1 absent, -2 malformed. */
static long kz__json_str(const char *js, size_t len, const char *key, const char **val)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 <= len; i++) {
        if (js[i] != '"' || memcmp(js + i + 1, key, kl) != 0 || js[i + 1 + kl] != '"')
            continue;
        size_t j = i + kl + 2;
        while (j < len && (js[j] == ' ' || js[j] == '\t' || js[j] == '\n' || js[j] == '\r'))
            j++;
        if (j >= len || js[j] != ':')
            continue; /* the key text appeared as a value */
        j++;
        while (j < len && (js[j] == ' ' || js[j] == '\t' || js[j] == '\n' || js[j] == '\r'))
            j++;
        if (j >= len || js[j] != '"')
            return -2;
        size_t e = j + 1;
        while (e < len && js[e] != '"' && js[e] != '\\')
            e++;
        if (e >= len || js[e] != '"')
            return -2;
        *val = js + j + 1;
        return (long)(e - j - 1);
    }
    return -1;
}

static kz_ccc_cause kz__ccc_nes(struct kz_world *w, uint32_t c, const kz_ccc_values *v)
{
    if (!v->json || v->json_len == 0)
        return KZ_CCC_CAUSE_SEMANTIC_ERROR;
    const char *pt = NULL, *mask = NULL;
    long ptl = kz__json_str(v->json, v->json_len, "policyType", &pt);
    if (ptl == -2)
        return KZ_CCC_CAUSE_JSON_ERROR;
    if (ptl >= 0 && !(ptl == 15 && memcmp(pt, "ANTENNA_MASKING", 15) == 0))
        return KZ_CCC_CAUSE_NOT_SUPPORTED; /* sleep modes, DTX/DRX: not modelled this way */
    long ml = kz__json_str(v->json, v->json_len, "antennaMask", &mask);
    if (ml == -2)
        return KZ_CCC_CAUSE_JSON_ERROR;
    if (ml < 0)
        return KZ_CCC_CAUSE_SEMANTIC_ERROR;
    long n_txru = (long)w->wc[c].pp.n_txru, on = 0;
    if (ml != n_txru)
        return KZ_CCC_CAUSE_SEMANTIC_ERROR;
    for (long i = 0; i < ml; i++) {
        if (mask[i] != '0' && mask[i] != '1')
            return KZ_CCC_CAUSE_SEMANTIC_ERROR;
        on += mask[i] == '1';
    }
    if (on == 0)
        return KZ_CCC_CAUSE_SEMANTIC_ERROR; /* all muted is a sleep: O-CESManagementFunction */
    return kz_world_set_txru(w, c, (double)on / (double)n_txru) == 0 ? KZ_CCC_ACCEPTED
                                                                      : KZ_CCC_CAUSE_UNSPECIFIED;
}

/* Advertise O-NESPolicy antennaMask (control style 2) for every cell of def: each cell's
 * structures are re-laid out with one more at the end, all sharing one new attribute. */
static int kz__ccc_def_add_nes(kz_ccc_ran_function_def *def)
{
    int style = -1;
    for (int i = 0; i < def->n_ctrl_styles; i++)
        if (def->ctrl_styles[i].style == 2)
            style = i;
    if (style < 0 || def->n_attrs + 2 > KZ_CCC_DEF_MAX_ATTRS ||
        def->n_structs + def->n_cells > KZ_CCC_DEF_MAX_STRUCTS)
        return KZ_ENOSPC;
    uint16_t a0 = def->n_attrs;
    static const char *const attrs[2] = {"policyType", "antennaMask"};
    for (int i = 0; i < 2; i++) {
        kz_ccc_def_attr *a = &def->attrs[def->n_attrs++];
        memset(a, 0, sizeof *a);
        snprintf(a->name, sizeof a->name, "%s", attrs[i]);
        a->ctrl_styles = 1u << style;
    }
    kz_ccc_def_struct old[KZ_CCC_DEF_MAX_STRUCTS];
    memcpy(old, def->structs, def->n_structs * sizeof *old);
    uint16_t n = 0;
    for (uint16_t i = 0; i < def->n_node_structs; i++)
        def->structs[n++] = old[def->first_node_struct + i];
    def->first_node_struct = 0;
    for (uint8_t c = 0; c < def->n_cells; c++) {
        kz_ccc_def_cell *cell = &def->cells[c];
        uint16_t first = n;
        for (uint16_t i = 0; i < cell->n_structs; i++)
            def->structs[n++] = old[cell->first_struct + i];
        kz_ccc_def_struct *st = &def->structs[n++];
        memset(st, 0, sizeof *st);
        snprintf(st->name, sizeof st->name, "%s", KZ__NES_NAME);
        st->first_attr = a0;
        st->n_attrs = 2;
        cell->first_struct = first;
        cell->n_structs++;
    }
    def->n_structs = n;
    return 0;
}

/* Apply one CCC configuration item to cell c.  Returns the outcome cause. */
static kz_ccc_cause kz__ccc_apply(struct kz__node *n, size_t k, const kz_ccc_config_item *it)
{
    struct kz_world *w = n->g->w;
    uint32_t c = n->cells[k];
    int want = -1; /* 1 sleep, 0 wake */
    if (it->kind == KZ_CCC_STRUCT_OTHER && strcmp(it->name, KZ__NES_NAME) == 0) {
        return kz__ccc_nes(w, c, &it->new_values);
    } else if (it->kind == KZ_CCC_STRUCT_CES) {
        const kz_ccc_ces *ces = &it->new_values.ces;
        if (ces->has_ces_switch)
            n->ces_switch[k] = ces->ces_switch;
        if (ces->es_control == KZ_CCC_TO_BE_ENERGY_SAVING ||
            (!ces->es_control && ces->es_state == KZ_CCC_IS_ENERGY_SAVING))
            want = 1;
        else if (ces->es_control == KZ_CCC_TO_BE_NOT_ENERGY_SAVING ||
                 (!ces->es_control && ces->es_state == KZ_CCC_IS_NOT_ENERGY_SAVING))
            want = 0;
        else if (!ces->has_ces_switch)
            return KZ_CCC_CAUSE_SEMANTIC_ERROR;
        if (want == 1 && !n->ces_switch[k])
            return KZ_CCC_CAUSE_INCOMPATIBLE_STATE; /* energy saving switched off here */
    } else if (it->kind == KZ_CCC_STRUCT_NRCELLDU) {
        switch (it->new_values.du.admin_state) {
        case KZ_CCC_ADMIN_LOCKED:
        case KZ_CCC_ADMIN_SHUTTINGDOWN: want = 1; break;
        case KZ_CCC_ADMIN_UNLOCKED: want = 0; break;
        default: return KZ_CCC_CAUSE_NOT_SUPPORTED; /* only administrativeState is writable */
        }
    } else {
        return KZ_CCC_CAUSE_NOT_SUPPORTED;
    }
    if (want == 1) {
        if (w->wc[c].pw.state == KZ_PWR_ASLEEP)
            return KZ_CCC_ACCEPTED; /* already there */
        /* refuse if some UE of the cell would be left without any cell */
        for (uint32_t i = 0; i < w->n_ues; i++) {
            if (w->ues[i].serving != (int32_t)c)
                continue;
            bool alt = false;
            for (size_t o = 0; o < w->n_cells && !alt; o++)
                alt = o != c && w->wc[o].serving_ok &&
                      kz_world_rsrp(w, i, (uint32_t)o) >= KZ_WORLD_MIN_RSRP_DBM;
            if (!alt)
                return KZ_CCC_CAUSE_NOT_AVAILABLE;
        }
        return kz_world_sleep(w, c) == 0 ? KZ_CCC_ACCEPTED : KZ_CCC_CAUSE_UNSPECIFIED;
    }
    if (want == 0) {
        if (w->wc[c].pw.state == KZ_PWR_ACTIVE || w->wc[c].pw.state == KZ_PWR_WAKING)
            return KZ_CCC_ACCEPTED;
        return kz_world_wake(w, c) == 0 ? KZ_CCC_ACCEPTED : KZ_CCC_CAUSE_UNSPECIFIED;
    }
    return KZ_CCC_ACCEPTED; /* cesSwitch alone */
}

static void kz__ccc_outcome_item(kz_ccc_outcome_item *o, const kz_ccc_config_item *it,
                                 kz_ccc_cause cause)
{
    memset(o, 0, sizeof *o);
    memcpy(o->name, it->name, sizeof o->name);
    o->kind = it->kind;
    o->cause = cause;
    o->has_values = true;
    o->values = it->new_values;
}

static void kz__control_ccc(struct kz__node *n, const kz_e2ap_RICcontrolRequest *rq)
{
    struct kz_gnbs *g = n->g;
    struct kz_world *w = g->w;
    kz_ccc_control_header hdr;
    kz_ccc_err err;
    kz_arena_reset(&g->scratch);
    kz_ccc_control_message *msg = g->ccc_msg;
    if (kz_ccc_control_header_parse(rq->RICcontrolHeader.buf, rq->RICcontrolHeader.len, &hdr,
                                    &err) < 0 ||
        kz_ccc_control_message_parse(rq->RICcontrolMessage.buf, rq->RICcontrolMessage.len, msg,
                                     &g->scratch, &err) < 0) {
        kz__control_answer(n, rq, false, kz_e2ap_CauseRICrequest_control_message_invalid, NULL, 0);
        return;
    }
    if ((hdr.style != 1 && hdr.style != 2) || (int)hdr.style != msg->format) {
        kz__control_answer(n, rq, false, kz_e2ap_CauseRICrequest_action_not_supported, NULL, 0);
        return;
    }
    kz_ccc_control_outcome *out = g->ccc_out;
    memset(out, 0, sizeof *out);
    out->format = msg->format;
    size_t n_ok = 0, n_fail = 0;
    if (msg->format == 2) {
        out->n_cells = msg->n_cells;
        for (size_t i = 0; i < msg->n_cells; i++) {
            const kz_ccc_cell_control *cc = &msg->cells[i];
            kz_ccc_cell_outcome *co = &out->cells[i];
            co->cgi = cc->cgi;
            int32_t k = -1;
            for (size_t j = 0; j < n->n_cells; j++)
                if (w->cells[n->cells[j]].nci == cc->cgi.nci)
                    k = (int32_t)j;
            /* accepted first, then failed (the outcome lists them that way) */
            kz_ccc_cause causes[KZ_CCC_MAX_STRUCTS];
            for (size_t j = 0; j < cc->n_items; j++)
                causes[j] = k < 0 ? KZ_CCC_CAUSE_NOT_AVAILABLE
                                  : kz__ccc_apply(n, (size_t)k, &cc->items[j]);
            for (int pass = 0; pass < 2; pass++)
                for (size_t j = 0; j < cc->n_items; j++)
                    if ((causes[j] == KZ_CCC_ACCEPTED) == (pass == 0))
                        kz__ccc_outcome_item(&co->items[co->n_items++], &cc->items[j], causes[j]);
            for (size_t j = 0; j < cc->n_items; j++) {
                n_ok += causes[j] == KZ_CCC_ACCEPTED;
                n_fail += causes[j] != KZ_CCC_ACCEPTED;
            }
        }
    } else {
        /* node level: each item applies to every cell of the node */
        kz_ccc_cause causes[KZ_CCC_MAX_STRUCTS];
        for (size_t j = 0; j < msg->n_items; j++) {
            causes[j] = KZ_CCC_ACCEPTED;
            for (size_t k = 0; k < n->n_cells; k++) {
                kz_ccc_cause c = kz__ccc_apply(n, k, &msg->items[j]);
                if (c != KZ_CCC_ACCEPTED)
                    causes[j] = c;
            }
        }
        for (int pass = 0; pass < 2; pass++)
            for (size_t j = 0; j < msg->n_items; j++)
                if ((causes[j] == KZ_CCC_ACCEPTED) == (pass == 0))
                    kz__ccc_outcome_item(&out->items[out->n_items++], &msg->items[j], causes[j]);
        for (size_t j = 0; j < msg->n_items; j++) {
            n_ok += causes[j] == KZ_CCC_ACCEPTED;
            n_fail += causes[j] != KZ_CCC_ACCEPTED;
        }
    }
    long ol = kz_ccc_control_outcome_encode(out, g->buf2, KZ__BUF, &err);
    kz__control_answer(n, rq, n_ok > 0 || n_fail == 0,
                       kz_e2ap_CauseRICrequest_control_failed_to_execute, g->buf2,
                       ol > 0 ? (size_t)ol : 0);
}

static void kz__on_control(struct kz__node *n, const kz_e2ap_RICcontrolRequest *rq)
{
    n->g->st.controls++;
    if (rq->RANfunctionID == KZ__RF_RC)
        kz__control_rc(n, rq);
    else if (rq->RANfunctionID == KZ__RF_CCC)
        kz__control_ccc(n, rq);
    else
        kz__control_answer(n, rq, false, kz_e2ap_CauseRICrequest_ran_function_id_invalid, NULL,
                           0);
}

/* ---- dispatch --------------------------------------------------------------------------------- */

static void kz__on_pdu(struct kz__node *n, const kz_e2ap_pdu *pdu)
{
    struct kz_gnbs *g = n->g;
    if (pdu->present == kz_e2ap_E2AP_PDU_successfulOutcome &&
        pdu->u.successfulOutcome.present == kz_e2ap_SuccessfulOutcome_E2setupResponse) {
        if (n->state == KZ__SETUP) {
            n->state = KZ__UP;
            kz_timer_stop(&n->timer);
        }
        return;
    }
    if (pdu->present == kz_e2ap_E2AP_PDU_unsuccessfulOutcome &&
        pdu->u.unsuccessfulOutcome.present == kz_e2ap_UnsuccessfulOutcome_E2setupFailure) {
        const kz_e2ap_E2setupFailure *f = &pdu->u.unsuccessfulOutcome.u.E2setupFailure;
        static const int64_t wait_s[] = {1, 2, 5, 10, 20, 60};
        int64_t ms = f->has_TimeToWait && f->TimeToWait < 6 ? wait_s[f->TimeToWait] * 1000
                                                             : 5 * (int64_t)g->cfg.reconnect_ms;
        g->st.setup_failures++;
        kz_timer_start(&n->timer, ms * KZ_NS_PER_MS, 0, kz__on_node_timer, n);
        return;
    }
    if (pdu->present != kz_e2ap_E2AP_PDU_initiatingMessage) {
        return; /* an outcome we did not ask for: nothing to answer */
    }
    const kz_e2ap_InitiatingMessage *im = &pdu->u.initiatingMessage;
    switch (im->present) {
    case kz_e2ap_InitiatingMessage_ErrorIndication:
        g->st.error_indications_recv++;
        return;
    case kz_e2ap_InitiatingMessage_RICsubscriptionRequest:
        if (n->state != KZ__UP)
            break;
        kz__on_subscription(n, &im->u.RICsubscriptionRequest);
        return;
    case kz_e2ap_InitiatingMessage_RICsubscriptionDeleteRequest:
        if (n->state != KZ__UP)
            break;
        kz__on_sub_delete(n, &im->u.RICsubscriptionDeleteRequest);
        return;
    case kz_e2ap_InitiatingMessage_RICcontrolRequest:
        if (n->state != KZ__UP)
            break;
        kz__on_control(n, &im->u.RICcontrolRequest);
        return;
    case kz_e2ap_InitiatingMessage_ResetRequest: {
        kz__drop_subs(n);
        kz_e2ap_pdu r;
        memset(&r, 0, sizeof r);
        r.present = kz_e2ap_E2AP_PDU_successfulOutcome;
        r.u.successfulOutcome.present = kz_e2ap_SuccessfulOutcome_ResetResponse;
        r.u.successfulOutcome.u.ResetResponse.TransactionID = im->u.ResetRequest.TransactionID;
        kz__send_pdu(n, &r, false);
        return;
    }
    default:
        break;
    }
    /* a procedure we do not offer, or one before E2 setup completed */
    kz__error_indication_cause(n, kz_e2ap_Cause_protocol,
                               kz_e2ap_CauseProtocol_message_not_compatible_with_receiver_state,
                               NULL, -1);
}

static void kz__tr_up(kz_assoc *a, void *ud)
{
    struct kz__node *n = kz_assoc_ud(a);
    (void)ud;
    if (!n)
        return;
    kz__send_setup(n);
    kz_timer_start(&n->timer, (int64_t)n->g->cfg.setup_timeout_ms * KZ_NS_PER_MS,
                   (int64_t)n->g->cfg.setup_timeout_ms * KZ_NS_PER_MS, kz__on_node_timer, n);
}

static void kz__tr_msg(kz_assoc *a, const kz_msg *m, void *ud)
{
    struct kz__node *n = kz_assoc_ud(a);
    struct kz_gnbs *g = ud;
    if (!n)
        return;
    kz_asn_diag diag;
    kz_asn_diag_init(&diag);
    kz_e2ap_pdu *pdu = NULL;
    kz_arena_init(&g->arena, g->arena_mem, KZ__ARENA);
    int rc = kz_e2ap_decode(m->data, m->len, &g->arena, &pdu, &diag);
    if (rc < 0) {
        kz__error_indication(n, &diag);
        return;
    }
    kz__on_pdu(n, pdu);
}

static void kz__tr_down(kz_assoc *a, int reason, void *ud)
{
    struct kz__node *n = kz_assoc_ud(a);
    struct kz_gnbs *g = ud;
    (void)reason;
    if (!n || n->assoc != a)
        return;
    n->assoc = NULL;
    n->state = KZ__DOWN;
    kz__drop_subs(n);
    g->st.reconnects++;
    kz_timer_start(&n->timer, (int64_t)g->cfg.reconnect_ms * KZ_NS_PER_MS, 0, kz__on_node_timer,
                   n);
}

/* ---- lifecycle -------------------------------------------------------------------------------- */

int kz_gnbs_open(struct kz_gnbs **out, struct kz_world *w, const struct kz_nrt *nrt,
                 kz_loop *loop, const char *url, const kz_emu_e2_cfg *cfg)
{
    *out = NULL;
    if (!url || strlen(url) >= sizeof((struct kz_gnbs *)0)->url)
        return KZ_EINVAL;
    struct kz_gnbs *g = calloc(1, sizeof *g);
    if (!g)
        return KZ_ENOMEM;
    g->w = w;
    g->nrt = nrt;
    g->loop = loop;
    g->cfg = *cfg;
    snprintf(g->url, sizeof g->url, "%s", url);
    g->n_nodes = w->n_sites;
    g->nodes = calloc(g->n_nodes, sizeof *g->nodes);
    g->buf = malloc(KZ__BUF);
    g->buf2 = malloc(KZ__BUF);
    g->arena_mem = malloc(KZ__ARENA);
    g->scratch_mem = malloc(KZ__ARENA);
    g->ccc_msg = malloc(sizeof *g->ccc_msg);
    g->ccc_out = malloc(sizeof *g->ccc_out);
    int rc = KZ_ENOMEM;
    if (!g->nodes || !g->buf || !g->buf2 || !g->arena_mem || !g->scratch_mem || !g->ccc_msg ||
        !g->ccc_out)
        goto fail;
    kz_arena_init(&g->scratch, g->scratch_mem, KZ__ARENA);
    g->epoch0_ns = kz_loop_epoch_ns(loop);
    g->t0 = w->t;

    /* KPM: style 1 (cell metrics, IDs 1..) and style 4 (UE metrics, IDs 101..) */
    static const char *const ue_names[M_N_ALL - M_N_CELL] = {
        "DRB.UEThpDl", "DRB.UEThpUl", "DRB.PdcpSduVolumeDL", "DRB.PdcpSduVolumeUL",
        "RRU.PrbUsedDl", "RRU.PrbUsedUl", "DRB.RlcSduDelayDl", "RSRP", "SINR", "CQI",
        "Nbr1.NCI", "Nbr1.RSRP", "Nbr2.NCI", "Nbr2.RSRP"};
    kz_kpm_report_style_info styles[2] = {
        {KZ_KPM_STYLE_NODE, "E2 Node Measurement", kz__metric_names, M_N_CELL, KZ__CELL_ID0},
        {KZ_KPM_STYLE_COMMON_COND_UE, "Common Condition-based, UE-level Measurement", ue_names,
         M_N_ALL - M_N_CELL, KZ__UE_ID0}};
    kz_kpm_ran_function_info fi = {NULL, "KPM Monitor", -1, styles, 2};
    kz_arena_reset(&g->scratch);
    g->kpm_def_len = kz_kpm_build_ran_function(&fi, &g->scratch, g->kpm_def, sizeof g->kpm_def);
    g->rc_def_len = kz_rc_build_ran_function(nrt != NULL, g->rc_def, sizeof g->rc_def);
    if (g->kpm_def_len <= 0 || g->rc_def_len <= 0) {
        rc = KZ_EINVAL;
        goto fail;
    }

    kz_ccc_ran_function_def *def = malloc(sizeof *def);
    if (!def)
        goto fail;
    for (size_t s = 0; s < g->n_nodes; s++) {
        struct kz__node *n = &g->nodes[s];
        n->g = g;
        n->site = (uint32_t)s;
        n->gnb_id = w->sites[s].gnb_id;
        kz_ccc_nr_cgi cgis[16];
        for (size_t c = 0; c < w->n_cells; c++) {
            if (w->cells[c].site != s || n->n_cells >= 16)
                continue;
            const struct kz_cell *cell = &w->cells[c];
            kz_ccc_nr_cgi *cg = &cgis[n->n_cells];
            memset(cg, 0, sizeof *cg);
            snprintf(cg->plmn.mcc, sizeof cg->plmn.mcc, "%03u", cell->plmn.mcc % 1000);
            if (cell->plmn.mnc_digits == 3)
                snprintf(cg->plmn.mnc, sizeof cg->plmn.mnc, "%03u", cell->plmn.mnc % 1000);
            else
                snprintf(cg->plmn.mnc, sizeof cg->plmn.mnc, "%02u", cell->plmn.mnc % 100);
            cg->nci = cell->nci;
            n->ces_switch[n->n_cells] = true;
            n->cells[n->n_cells++] = (uint32_t)c;
        }
        if (kz_ccc_ran_function_def_gnb(def, cfg->ccc_version, cgis, n->n_cells) < 0 ||
            kz__ccc_def_add_nes(def) < 0 ||
            (n->ccc_def_len = kz_ccc_ran_function_def_encode(def, n->ccc_def, sizeof n->ccc_def,
                                                             NULL)) <= 0) {
            free(def);
            rc = KZ_EINVAL;
            goto fail;
        }
        snprintf(n->ccc_oid, sizeof n->ccc_oid, "%s", def->oid);
        kz_timer_init(loop, &n->timer);
    }
    free(def);

    kz_transport_cbs cbs = {kz__tr_up, kz__tr_msg, kz__tr_down, NULL};
    rc = kz_transport_open(&g->tr, loop, NULL, &cbs, g);
    if (rc < 0)
        goto fail;
    for (size_t s = 0; s < g->n_nodes; s++) {
        struct kz__node *n = &g->nodes[s];
        kz_assoc *a = NULL;
        rc = kz_transport_connect(g->tr, g->url, &a);
        if (rc < 0) {
            kz_transport_close(g->tr);
            g->tr = NULL;
            goto fail;
        }
        n->assoc = a;
        kz_assoc_set_ud(a, n);
        n->state = KZ__CONNECTING;
    }
    g->st.nodes = (uint32_t)g->n_nodes;
    *out = g;
    return 0;
fail:
    free(g->nodes);
    free(g->buf);
    free(g->buf2);
    free(g->arena_mem);
    free(g->scratch_mem);
    free(g->ccc_msg);
    free(g->ccc_out);
    free(g);
    return rc;
}

void kz_gnbs_step(struct kz_gnbs *g)
{
    for (size_t s = 0; s < g->n_nodes; s++)
        if (g->nodes[s].state == KZ__UP)
            kz__kpm_step(&g->nodes[s]);
}

void kz_gnbs_close(struct kz_gnbs *g)
{
    for (size_t s = 0; s < g->n_nodes; s++) {
        kz_timer_stop(&g->nodes[s].timer);
        kz__drop_subs(&g->nodes[s]);
    }
    if (g->tr)
        kz_transport_close(g->tr);
    free(g->nodes);
    free(g->buf);
    free(g->buf2);
    free(g->arena_mem);
    free(g->scratch_mem);
    free(g->ccc_msg);
    free(g->ccc_out);
    free(g);
}

void kz_gnbs_stats(const struct kz_gnbs *g, kz_emu_e2_stats *out)
{
    *out = g->st;
    out->nodes = (uint32_t)g->n_nodes;
    out->nodes_setup = 0;
    for (size_t s = 0; s < g->n_nodes; s++)
        out->nodes_setup += g->nodes[s].state == KZ__UP;
}
