/*
 * eval/energy_xapp.c -- the energy-saver xApp's E2 side on the SDK.  See energy_xapp.h.
 *
 * State per cell: where it lives (node, CCC and RC function ids, CGI), the latest value of each
 * cell-level metric, whether it reported since the last decision, and the UEs its last UE-level
 * report listed, and the NCIs of its neighbours from the node's last RC REPORT style 3
 * indication.  A period's decision runs once every subscribed cell is fresh (after a settle
 * delay for the UE-level reports that the node sends right after the cell-level ones), or from
 * the fallback timer when some cell stays silent.  Neighbour lists reach the core at the next
 * decision after a report (or after the core was rebuilt for new cells), by NCI, so a relation
 * to a cell of a node that is not up yet counts once that node is.
 */
#include "eval/energy_xapp.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/e2sm_ccc.h"
#include "kizuna/e2sm_kpm.h"
#include "kizuna/e2sm_rc.h"
#include "kizuna/error.h"

#define MAX_CELLS 1024
#define MAX_NODES 1024
#define CELLS_PER_NODE 16
#define SETTLE_S 0.05       /* loop s after the last fresh cell before deciding */
#define MAX_NBR 32          /* neighbours per cell kept from the RC NRT reports */

enum { M_PRB = 0, M_VOL, M_UETHP, M_CONN, M_POWER, M_N };
static const char *const metric_names[M_N] = {"RRU.PrbTotDl", "DRB.PdcpSduVolumeDL",
                                              "DRB.UEThpDl", "RRC.ConnMean", "PEE.AvgPower"};

struct cell {
    uint32_t node;
    uint16_t ccc_ranf, rc_ranf;
    bool has_ccc, has_rc, subscribed, fresh;
    kz_ccc_nr_cgi cgi;
    uint8_t plmn[3];
    double v[M_N];
    bool seen[M_N];
    int64_t *ues;           /* AMF UE NGAP ids of the last UE-level report */
    float *ue_thp;          /* and their DRB.UEThpDl (kbit/s; 0: not reported) */
    float *ue_vol;          /* and DRB.PdcpSduVolumeDL (Mbit; 0: not reported) */
    size_t n_ues, cap_ues;
    double ue_stamp;        /* decision clock of that report (-1: none) */
    double ue_used;         /* the report's stamp when the tail guard took it */
    uint64_t nbr[MAX_NBR];  /* NCIs of its neighbours from the last RC NRT report */
    uint8_t n_nbr;
    bool has_nrt;           /* an NRT report listed this cell */
};

struct subctx {
    struct subctx *next;
    kz_esx *s;
    uint32_t node;
    bool ue_level, over, nrt;
    bool ue_volume;         /* UE level: ask DRB.PdcpSduVolumeDL too (the node offers it) */
    size_t cell_idx[CELLS_PER_NODE];
    size_t n;
};

struct ctrlctx {
    struct ctrlctx *prev, *next;
    kz_esx *s;
    struct kz_es_action a;
    bool rc;
};

struct kz_esx {
    kz_loop *loop;
    kz_xapp *x;
    struct kz_esx_cfg cfg;
    bool fixed_topo, own_core;
    struct cell cells[MAX_CELLS];
    size_t n_cells, n_cells_core, n_fresh, n_subscribed;
    uint32_t nodes_done[MAX_NODES];
    size_t n_nodes_done;
    kz_es *es;
    struct kz_es_cell topo[MAX_CELLS];
    struct kz_es_obs obs[MAX_CELLS];
    struct kz_es_action act[2 * MAX_CELLS];
    kz_timer settle, fallback;
    double last_decision;
    struct subctx *subs;
    struct ctrlctx *ctrls;
    struct kz_esx_stats st;
    uint8_t arena_mem[1 << 18];
    uint8_t text_mem[1 << 16];
    uint8_t buf[1 << 16], scratch_mem[1 << 16];
    kz_ccc_ran_function_def def;
    bool nrt_dirty;         /* NRT reports not yet given to the core */
    kz_rc_cell_nrt nrt_cells[CELLS_PER_NODE];
    kz_rc_nr_nbr nrt_nbrs[CELLS_PER_NODE * KZ_RC_NRT_MAX_NBR];
    struct kz_es_ue_sample *tail_buf; /* scratch for a cell's UE samples (ue_tail) */
    size_t tail_cap;
};

static void logf_(kz_esx *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(kz_esx *s, const char *fmt, ...)
{
    if (!s->cfg.log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(s->cfg.log, fmt, ap);
    va_end(ap);
}

void kz_esx_cfg_default(struct kz_esx_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    kz_es_params_default(&cfg->p, KZ_ES_AI);
    cfg->pair_offset = 3;
    cfg->speed = 1;
    cfg->rc_handover = true;
}

static double now_s(const kz_esx *s)
{
    if (s->cfg.clock)
        return s->cfg.clock(s->cfg.ud);
    return (double)kz_loop_now(s->loop) / 1e9 - s->cfg.t0_s;
}

static int64_t loop_ns(const kz_esx *s, double sim_s)
{
    return (int64_t)(sim_s / s->cfg.speed * 1e9);
}

static int cell_find(const kz_esx *s, uint64_t nci)
{
    for (size_t i = 0; i < s->n_cells; i++)
        if (s->cells[i].cgi.nci == nci)
            return (int)i;
    return -1;
}

static bool is_capacity(const kz_esx *s, size_t i)
{
    if (s->fixed_topo)
        return s->topo[i].role == KZ_ES_CAPACITY;
    return (s->cells[i].cgi.nci & 0x3fff) >= s->cfg.pair_offset;
}

/* ---- decisions ---------------------------------------------------------------------------- */

/* (Re)build the decision core when the set of cells changed (derived topology only). */
static int ensure_core(kz_esx *s)
{
    if (s->es && (s->fixed_topo || s->n_cells_core == s->n_cells))
        return 0;
    for (size_t i = 0; i < s->n_cells; i++) {
        uint64_t nci = s->cells[i].cgi.nci, local = nci & 0x3fff;
        s->topo[i] = (struct kz_es_cell){.nci = nci, .role = KZ_ES_COVERAGE, .cover = -1,
                                         .site = s->cells[i].node + 1};
        if (local >= s->cfg.pair_offset) {
            int v = cell_find(s, nci - s->cfg.pair_offset);
            s->topo[i].role = v >= 0 ? KZ_ES_CAPACITY : KZ_ES_OTHER;
            s->topo[i].cover = v;
        }
    }
    kz_es_close(s->es);
    s->es = NULL;
    int rc = kz_es_open(&s->es, &s->cfg.p, s->topo, s->n_cells);
    if (rc == 0) {
        s->n_cells_core = s->n_cells;
        logf_(s, "msg=\"decision core\" cells=%zu\n", s->n_cells);
    }
    return rc;
}

static bool mute_outcome_ok(const uint8_t *bytes, size_t len, const kz_ccc_nr_cgi *cgi);

static void on_control(kz_xapp *x, const kz_xapp_control_result *r, void *ud)
{
    struct ctrlctx *c = ud;
    kz_esx *s = c->s;
    (void)x;
    bool ok = r->status == 0;
    if (!c->rc) {
        kz_ccc_es_result er = {0};
        if (c->a.kind == KZ_ES_MUTE || c->a.kind == KZ_ES_UNMUTE) {
            if (ok && r->outcome)
                ok = mute_outcome_ok(r->outcome, r->outcome_len, &s->cells[c->a.cell].cgi);
        } else if (ok && r->outcome &&
            kz_ccc_es_outcome_parse(r->outcome, r->outcome_len, &s->cells[c->a.cell].cgi, &er,
                                    NULL) == 0)
            ok = er.accepted;
        if (ok) {
            s->st.ccc_ok++;
        } else {
            s->st.ccc_failed++;
            if (s->es && c->a.cell < s->n_cells_core)
                kz_es_action_failed(s->es, &c->a);
        }
        logf_(s, "t=%.0f msg=control action=%s nci=%09llx ok=%d status=\"%s\"\n", now_s(s),
              kz_es_kind_name(c->a.kind), (unsigned long long)s->cells[c->a.cell].cgi.nci, ok,
              r->status ? kz_strerror(r->status) : "acknowledged");
    } else if (ok) {
        s->st.rc_ok++;
    } else {
        /* the RIC passes the Cause CHOICE as kz_e2ap_Cause's present (1 ricRequest ...) */
        static const char *const group[] = {"none", "ricRequest", "ricService", "e2Node",
                                            "transport", "protocol", "misc"};
        s->st.rc_failed++;
        logf_(s, "t=%.0f msg=control action=handover nci=%09llx ok=0 status=\"%s\" "
                 "cause=%s/%u\n",
              now_s(s), (unsigned long long)s->cells[c->a.cell].cgi.nci, kz_strerror(r->status),
              r->cause.group < 7 ? group[r->cause.group] : "?",
              (unsigned)r->cause.value);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        s->ctrls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

static int send_control(kz_esx *s, const struct kz_es_action *a, bool rc, uint32_t node,
                        uint16_t ranf, const uint8_t *hdr, size_t hl, const uint8_t *msg,
                        size_t ml)
{
    struct ctrlctx *c = malloc(sizeof *c);
    if (!c)
        return KZ_ENOMEM;
    c->s = s;
    c->a = *a;
    c->rc = rc;
    kz_xapp_control_req req = {.node = node, .ran_function = ranf, .hdr = hdr, .hdr_len = hl,
                               .msg = msg, .msg_len = ml, .ack = true};
    int r = kz_xapp_control(s->x, &req, on_control, c);
    if (r != 0) {
        free(c);
        return r;
    }
    c->prev = NULL;
    c->next = s->ctrls;
    if (s->ctrls)
        s->ctrls->prev = c;
    s->ctrls = c;
    return 0;
}

static void send_ccc(kz_esx *s, const struct kz_es_action *a)
{
    struct cell *cl = &s->cells[a->cell];
    uint8_t hdr[512], msg[4096];
    size_t hl, ml;
    if (!cl->has_ccc ||
        kz_ccc_es_control_encode(&cl->cgi, a->kind == KZ_ES_SLEEP, hdr, sizeof hdr, &hl, msg,
                                 sizeof msg, &ml, NULL) < 0 ||
        send_control(s, a, false, cl->node, cl->ccc_ranf, hdr, hl, msg, ml) != 0) {
        s->st.ccc_failed++;
        kz_es_action_failed(s->es, a);
        return;
    }
    s->st.ccc_sent++;
}

/* Antenna muting over CCC (docs/energy-saver.md): header style 2, message format 2, one cell,
 * one O-NESPolicy item {"policyType":"ANTENNA_MASKING","antennaMask":"1..10..0"}, one character
 * per TxRU: the topology's n_txru, or when unknown the emulator's 64 for a capacity cell and 2
 * for a coverage cell (the gNB refuses any other length: SemanticError). */
#define KZ_ESX_MAX_TXRU 64

static void send_mute(kz_esx *s, const struct kz_es_action *a)
{
    struct cell *cl = &s->cells[a->cell];
    long n = s->topo[a->cell].n_txru;
    if (n <= 0)
        n = s->topo[a->cell].role == KZ_ES_COVERAGE ? 2 : KZ_ESX_MAX_TXRU;
    if (n > KZ_ESX_MAX_TXRU)
        n = KZ_ESX_MAX_TXRU;
    char js[160], mask[KZ_ESX_MAX_TXRU + 1];
    long on = (long)(a->txru * (double)n + 0.5);
    if (on < 1)
        on = 1;
    if (on > n)
        on = n;
    for (long k = 0; k < n; k++)
        mask[k] = k < on ? '1' : '0';
    mask[n] = 0;
    int jl = snprintf(js, sizeof js, "{\"policyType\":\"ANTENNA_MASKING\",\"antennaMask\":\"%s\"}",
                      mask);
    uint8_t hdr[128], msg[4096];
    long hl = -1, ml = -1;
    kz_ccc_control_header h = {.style = 2};
    kz_ccc_control_message *m = calloc(1, sizeof *m); /* ~40 KiB: not on the stack */
    if (m && jl > 0 && (size_t)jl < sizeof js && cl->has_ccc) {
        m->format = 2;
        m->n_cells = 1;
        m->cells[0].cgi = cl->cgi;
        m->cells[0].n_items = 1;
        kz_ccc_config_item *it = &m->cells[0].items[0];
        snprintf(it->name, sizeof it->name, "O-NESPolicy");
        it->kind = KZ_CCC_STRUCT_OTHER;
        it->new_values.json = js;
        it->new_values.json_len = (size_t)jl;
        hl = kz_ccc_control_header_encode(&h, hdr, sizeof hdr, NULL);
        ml = kz_ccc_control_message_encode(m, msg, sizeof msg, NULL);
    }
    free(m);
    if (hl <= 0 || ml <= 0 ||
        send_control(s, a, false, cl->node, cl->ccc_ranf, hdr, (size_t)hl, msg, (size_t)ml) != 0) {
        s->st.ccc_failed++;
        kz_es_action_failed(s->es, a);
        return;
    }
    s->st.ccc_sent++;
}

/* Outcome of an O-NESPolicy control: accepted when the cell's O-NESPolicy item says so. */
static bool mute_outcome_ok(const uint8_t *bytes, size_t len, const kz_ccc_nr_cgi *cgi)
{
    kz_ccc_control_outcome *o = calloc(1, sizeof *o);
    bool ok = false;
    if (o && kz_ccc_control_outcome_parse(bytes, len, o, NULL, NULL) == 0 && o->format == 2)
        for (unsigned i = 0; i < o->n_cells; i++)
            if (kz_ccc_cgi_equal(&o->cells[i].cgi, cgi))
                for (unsigned k = 0; k < o->cells[i].n_items; k++)
                    if (strcmp(o->cells[i].items[k].name, "O-NESPolicy") == 0)
                        ok = o->cells[i].items[k].cause == KZ_CCC_ACCEPTED;
    free(o);
    return ok;
}

/* RC handover of every UE the cell's last UE-level report listed, to the action's target. */
static void send_handovers(kz_esx *s, const struct kz_es_action *a, double t)
{
    struct cell *cl = &s->cells[a->cell], *tg = &s->cells[a->target];
    if (!s->cfg.rc_handover || !cl->has_rc || cl->ue_stamp < 0 ||
        t - cl->ue_stamp > 1.5 * s->cfg.p.period_s || !cl->n_ues) {
        s->st.handovers_without_ues++;
        return;
    }
    kz_rc_nr_cgi target;
    memcpy(target.plmn, tg->plmn, 3);
    target.nci = tg->cgi.nci;
    uint8_t msg[512], hdr[512];
    long ml = kz_rc_build_handover_message(&target, msg, sizeof msg);
    if (ml <= 0)
        return;
    for (size_t k = 0; k < cl->n_ues; k++) {
        kz_e2sm_UEID id;
        kz_rc_guami_store gs;
        kz_rc_ueid_gnb(&id, &gs, cl->ues[k], cl->plmn, 1, 1, 1);
        long hl = kz_rc_build_handover_header(&id, hdr, sizeof hdr);
        if (hl <= 0 || send_control(s, a, true, cl->node, cl->rc_ranf, hdr, (size_t)hl, msg,
                                    (size_t)ml) != 0) {
            s->st.rc_failed++;
            continue;
        }
        s->st.rc_sent++;
    }
    logf_(s, "t=%.0f msg=handover nci=%09llx ues=%zu target=%09llx\n", t,
          (unsigned long long)cl->cgi.nci, cl->n_ues, (unsigned long long)tg->cgi.nci);
}

/* The tail guard's input (es.h): the 10th percentile of the UE throughputs of the cell's last
 * UE-level report, if it is this period's, in Mbit/s (-1: none); a fresh report's samples also
 * go to the core's learned floor, once.  Each UE's seconds transmitting are its volume over its
 * throughput (Mbit x 1e3 / kbit/s). */
static double ue_tail(kz_esx *s, struct cell *c)
{
    if (c->ue_stamp < 0 || now_s(s) - c->ue_stamp > 1.5 * s->cfg.p.period_s || !c->n_ues)
        return -1;
    if (c->n_ues > s->tail_cap) { /* grows with the largest cell seen, not per report */
        struct kz_es_ue_sample *b = realloc(s->tail_buf, c->n_ues * sizeof *b);
        if (!b)
            return -1;
        s->tail_buf = b;
        s->tail_cap = c->n_ues;
    }
    struct kz_es_ue_sample *v = s->tail_buf;
    for (size_t k = 0; k < c->n_ues; k++)
        v[k] = (struct kz_es_ue_sample){c->ue_thp[k] * 1e-3f,
                                        c->ue_thp[k] > 0 ? c->ue_vol[k] * 1e3f / c->ue_thp[k]
                                                         : 0.0f};
    if (c->ue_used != c->ue_stamp) {
        kz_es_ue_samples(s->es, v, c->n_ues);
        c->ue_used = c->ue_stamp;
    }
    return kz_es_cell_tail(s->es, v, c->n_ues);
}

/* Give the core every neighbour list we have whose cells it knows (after a new report, or a
 * rebuilt core: a relation to a cell of a node that is not up yet is added when it is). */
static void apply_nrt(kz_esx *s)
{
    uint32_t idx[MAX_NBR];
    for (size_t i = 0; i < s->n_cells && i < s->n_cells_core; i++) {
        const struct cell *c = &s->cells[i];
        if (!c->has_nrt)
            continue;
        size_t m = 0;
        for (size_t k = 0; k < c->n_nbr; k++) {
            int j = cell_find(s, c->nbr[k]);
            if (j >= 0 && (size_t)j < s->n_cells_core && (size_t)j != i)
                idx[m++] = (uint32_t)j;
        }
        kz_es_set_neighbours(s->es, (uint32_t)i, idx, m);
    }
    s->nrt_dirty = false;
}

static void decide(kz_esx *s)
{
    size_t before = s->n_cells_core;
    kz_es *core_before = s->es;
    if (!s->n_cells || ensure_core(s) != 0)
        return;
    if (s->nrt_dirty || s->es != core_before || s->n_cells_core != before)
        apply_nrt(s);
    double period = s->cfg.p.period_s;
    for (size_t i = 0; i < s->n_cells; i++) {
        struct cell *c = &s->cells[i];
        struct kz_es_obs *o = &s->obs[i];
        o->prb = c->seen[M_PRB] ? c->v[M_PRB] / 100.0 : -1;
        o->thr_mbps = c->seen[M_VOL] ? c->v[M_VOL] / period : -1;
        o->ue_thr_mbps = c->seen[M_UETHP] ? c->v[M_UETHP] / 1000.0 : -1;
        o->n_ue = c->seen[M_CONN] ? c->v[M_CONN] : -1;
        o->power_w = c->seen[M_POWER] ? c->v[M_POWER] : -1;
        o->ue_thr_lo_mbps = ue_tail(s, c);
        o->serving = -1;
        c->fresh = false;
    }
    s->n_fresh = 0;
    double ts = now_s(s);
    s->last_decision = ts;
    s->st.decisions++;
    size_t n = kz_es_step(s->es, ts, s->obs, s->act, 2 * MAX_CELLS);
    for (size_t k = 0; k < n; k++) {
        const struct kz_es_action *a = &s->act[k];
        double tod = ts - 86400.0 * (double)(long long)(ts / 86400.0);
        logf_(s,
              "t=%.0f tod=%02d:%02d policy=energy-saver-e2 action=%s cell=%u nci=0x%09llx "
              "why=%s fc_util=%.3f cov_prb=%.3f cov_ue_thr=%.1f reason=\"%s\"\n",
              ts, (int)(tod / 3600), (int)(tod / 60) % 60, kz_es_kind_name(a->kind), a->cell,
              (unsigned long long)s->cells[a->cell].cgi.nci, kz_es_why_name(a->why),
              a->forecast_util, a->cov_util, a->cov_ue_thr, a->reason);
        if (s->cfg.on_action)
            s->cfg.on_action(s->cfg.ud, a, ts);
        if (a->kind == KZ_ES_HANDOVER) {
            send_handovers(s, a, ts);
        } else if (a->kind == KZ_ES_SLEEP || a->kind == KZ_ES_WAKE) {
            send_ccc(s, a);
        } else if (a->kind == KZ_ES_MUTE || a->kind == KZ_ES_UNMUTE) {
            send_mute(s, a);
        } else { /* a kind this xApp cannot send yet (e.g. a newer core's levers) */
            logf_(s, "t=%.0f msg=\"action not supported over E2\" kind=%d\n", ts, (int)a->kind);
            s->st.unsupported++;
            kz_es_action_failed(s->es, a);
        }
    }
    if (s->cfg.log)
        fflush(s->cfg.log);
}

static void settle_cb(kz_timer *t, void *ud)
{
    (void)t;
    decide(ud);
}

static void fallback_cb(kz_timer *t, void *ud)
{
    kz_esx *s = ud;
    (void)t;
    /* only once every cell has reported at least once: a decision on nothing would teach the
     * forecasters a zero load */
    if (s->st.decisions && s->n_subscribed &&
        now_s(s) - s->last_decision >= 1.5 * s->cfg.p.period_s && !kz_timer_active(&s->settle))
        decide(s);
}

/* ---- KPM in ------------------------------------------------------------------------------- */

static void ue_report(kz_esx *s, struct cell *cell, const kz_kpm_E2SM_KPM_IndicationHeader *h,
                      const kz_kpm_E2SM_KPM_IndicationMessage *m)
{
    double t = now_s(s);
    if (cell->ue_stamp < 0 || t - cell->ue_stamp > 0.5 * s->cfg.p.period_s)
        cell->n_ues = 0; /* a new period's report (one period may come in several messages) */
    cell->ue_stamp = t;
    s->st.ue_indications++;
    kz_kpm_iter it;
    kz_kpm_iter_opts o;
    memset(&o, 0, sizeof o);
    kz_kpm_iter_init(&it, h, m, &o);
    kz_kpm_sample smp;
    const kz_e2sm_UEID *last = NULL;
    static const char thp_name[] = "DRB.UEThpDl", vol_name[] = "DRB.PdcpSduVolumeDL";
    while (kz_kpm_iter_next(&it, &smp)) {
        if (!smp.ue || smp.ue->present != kz_e2sm_UEID_gNB_UEID)
            continue;
        if (smp.ue != last) { /* the UE's first value: a new entry */
            last = smp.ue;
            if (cell->n_ues == cell->cap_ues) {
                size_t nc = cell->cap_ues ? 2 * cell->cap_ues : 16;
                int64_t *p = realloc(cell->ues, nc * sizeof *p);
                if (!p)
                    return;
                cell->ues = p;
                float *q = realloc(cell->ue_thp, nc * sizeof *q);
                if (!q)
                    return;
                cell->ue_thp = q;
                q = realloc(cell->ue_vol, nc * sizeof *q);
                if (!q)
                    return;
                cell->ue_vol = q;
                cell->cap_ues = nc;
            }
            cell->ue_thp[cell->n_ues] = cell->ue_vol[cell->n_ues] = 0.0f;
            cell->ues[cell->n_ues++] = smp.ue->u.gNB_UEID.amf_UE_NGAP_ID;
            s->st.ue_reports++;
        }
        double v = smp.v.kind == KZ_KPM_VALUE_INT ? (double)smp.v.i
                   : smp.v.kind == KZ_KPM_VALUE_REAL ? smp.v.r : 0;
        float fv = v > 0 && v < 1e12 ? (float)v : 0.0f;
        if (smp.name.len == sizeof vol_name - 1 && !memcmp(smp.name.buf, vol_name, smp.name.len))
            cell->ue_vol[cell->n_ues - 1] = fv;
        else if (smp.name.len == sizeof thp_name - 1 &&
                 !memcmp(smp.name.buf, thp_name, smp.name.len))
            cell->ue_thp[cell->n_ues - 1] = fv;
    }
}

/* An RC REPORT style 3 indication: the node's cells' neighbour lists (by NCI).  Anything
 * undecodable is counted and dropped; cells we do not know are ignored. */
static void nrt_report(kz_esx *s, struct subctx *c, const kz_xapp_indication *ind)
{
    kz_arena ar;
    kz_arena_init(&ar, s->arena_mem, sizeof s->arena_mem);
    kz_asn_diag diag;
    memset(&diag, 0, sizeof diag);
    int n = kz_rc_parse_nrt_message(ind->msg, ind->msg_len, &ar, s->nrt_cells, CELLS_PER_NODE,
                                    s->nrt_nbrs, CELLS_PER_NODE * KZ_RC_NRT_MAX_NBR, &diag);
    if (n < 0) {
        s->st.nrt_bad++;
        logf_(s, "msg=\"bad NRT report\" node=%u error=\"%s\"\n", c->node, kz_strerror(n));
        return;
    }
    s->st.nrt_reports++;
    size_t used = 0, rel = 0;
    for (int i = 0; i < n; i++) {
        const kz_rc_cell_nrt *r = &s->nrt_cells[i];
        int idx = cell_find(s, r->cgi.nci);
        if (idx < 0 || s->cells[idx].node != c->node)
            continue; /* a node speaks for its own cells only */
        struct cell *cl = &s->cells[idx];
        cl->n_nbr = 0;
        for (size_t k = 0; k < r->n_nbr && cl->n_nbr < MAX_NBR; k++)
            if (r->nbr[k].cgi.nci != r->cgi.nci)
                cl->nbr[cl->n_nbr++] = r->nbr[k].cgi.nci;
        if (!cl->has_nrt)
            s->st.nrt_cells++;
        cl->has_nrt = true;
        used++;
        rel += cl->n_nbr;
    }
    s->nrt_dirty = true;
    logf_(s, "msg=\"NRT report\" node=%u cells=%zu relations=%zu\n", c->node, used, rel);
}

static void on_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    struct subctx *c = ud;
    kz_esx *s = c->s;
    (void)x;
    if (c->nrt) {
        nrt_report(s, c, ind);
        return;
    }
    size_t a = ind->action >= 1 ? (size_t)ind->action - 1 : 0;
    if (a >= c->n)
        return;
    struct cell *cell = &s->cells[c->cell_idx[a]];
    kz_arena ar;
    kz_arena_init(&ar, s->arena_mem, sizeof s->arena_mem);
    const kz_kpm_E2SM_KPM_IndicationHeader *h;
    const kz_kpm_E2SM_KPM_IndicationMessage *m;
    if (kz_kpm_decode_header(ind->hdr, ind->hdr_len, &ar, &h, NULL) < 0 ||
        kz_kpm_decode_message(ind->msg, ind->msg_len, &ar, &m, NULL) < 0)
        return;
    if (c->ue_level) {
        ue_report(s, cell, h, m);
        return;
    }
    s->st.indications++;
    kz_kpm_iter it;
    kz_kpm_iter_opts o;
    memset(&o, 0, sizeof o);
    o.granul_ms = (uint32_t)(s->cfg.p.period_s * 1000);
    kz_kpm_iter_init(&it, h, m, &o);
    kz_kpm_sample smp;
    while (kz_kpm_iter_next(&it, &smp)) {
        if (smp.v.kind == KZ_KPM_VALUE_NONE)
            continue;
        for (int k = 0; k < M_N; k++)
            if (strlen(metric_names[k]) == smp.name.len &&
                !memcmp(metric_names[k], smp.name.buf, smp.name.len)) {
                cell->v[k] = smp.v.kind == KZ_KPM_VALUE_INT ? (double)smp.v.i : smp.v.r;
                cell->seen[k] = true;
            }
    }
    if (!cell->fresh) {
        cell->fresh = true;
        s->n_fresh++;
    }
    if (s->n_fresh >= s->n_subscribed && !kz_timer_active(&s->settle))
        kz_timer_start(&s->settle, loop_ns(s, SETTLE_S * s->cfg.speed), 0, settle_cb, s);
}

static void on_sub_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    struct subctx *c = ud;
    kz_esx *s = c->s;
    (void)x;
    static const char *const names[] = {"?", "active", "suspended", "failed", "deleted"};
    logf_(s, "msg=subscription node=%u level=%s state=%s error=%d\n", c->node,
          c->nrt ? "nrt" : c->ue_level ? "ue" : "cell", names[ev->state], ev->error);
    if (c->nrt) { /* without it the core keeps the same-site surge rule for these cells */
        if (ev->state == KZ_XAPP_SUB_ACTIVE)
            s->st.subs_active++;
        else if (ev->state == KZ_XAPP_SUB_FAILED)
            s->st.subs_failed++;
        if (ev->state == KZ_XAPP_SUB_FAILED || ev->state == KZ_XAPP_SUB_DELETED)
            c->over = true;
        return;
    }
    if (ev->state == KZ_XAPP_SUB_ACTIVE)
        s->st.subs_active++;
    if (ev->state == KZ_XAPP_SUB_FAILED || ev->state == KZ_XAPP_SUB_DELETED) {
        if (ev->state == KZ_XAPP_SUB_FAILED)
            s->st.subs_failed++;
        c->over = true;
        if (!c->ue_level)
            for (size_t i = 0; i < c->n; i++)
                if (s->cells[c->cell_idx[i]].subscribed) {
                    s->cells[c->cell_idx[i]].subscribed = false;
                    s->n_subscribed--;
                }
    }
}

static struct subctx *subctx_new(kz_esx *s, uint32_t node, bool ue_level)
{
    struct subctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->s = s;
    c->node = node;
    c->ue_level = ue_level;
    c->next = s->subs;
    s->subs = c;
    return c;
}

static int subscribe(kz_esx *s, uint32_t node, uint16_t kpm_ranf, struct subctx *c,
                     const kz_e2sm_CGI *cgis)
{
    kz_arena scratch;
    kz_arena_init(&scratch, s->scratch_mem, sizeof s->scratch_mem);
    kz_kpm_blob trig, acts[CELLS_PER_NODE];
    uint32_t period_ms = (uint32_t)(s->cfg.p.period_s * 1000);
    int na;
    if (!c->ue_level) {
        kz_kpm_metric ms[M_N];
        for (int i = 0; i < M_N; i++)
            ms[i] = (kz_kpm_metric){.name = metric_names[i]};
        kz_kpm_cell_subscription cs = {.period_ms = period_ms, .metrics = ms,
                                       .n_metrics = M_N, .cells = cgis, .n_cells = c->n};
        na = kz_kpm_build_cell_subscription(&cs, &scratch, s->buf, sizeof s->buf, &trig, acts,
                                            CELLS_PER_NODE);
    } else {
        /* style 4: the UEs of one cell each (condition: any CQI -- every connected UE) */
        /* throughput, and the volume that gives each UE's seconds transmitting (volume /
         * throughput: the tail guard weighs by it, es.h tail_weighted) */
        static const kz_kpm_metric um[] = {{"DRB.UEThpDl", 0, NULL},
                                           {"DRB.PdcpSduVolumeDL", 0, NULL}};
        const size_t n_um = c->ue_volume ? 2 : 1;
        kz_kpm_MatchingUeCondPerSubItem cond;
        memset(&cond, 0, sizeof cond);
        cond.testCondInfo.testType.present = kz_kpm_TestCond_Type_cQI;
        size_t off = 0;
        long tl = kz_kpm_build_event_trigger(period_ms, s->buf, sizeof s->buf);
        na = tl > 0 ? 0 : (int)tl;
        if (tl > 0) {
            trig = (kz_kpm_blob){s->buf, (size_t)tl};
            off = (size_t)tl;
        }
        for (size_t i = 0; i < c->n && na >= 0; i++) {
            kz_kpm_ue_subscription us = {period_ms, um, n_um, &cond, 1, &cgis[i]};
            long l = kz_kpm_build_ue_action(&us, &scratch, s->buf + off, sizeof s->buf - off);
            if (l <= 0) {
                na = l < 0 ? (int)l : KZ_ENOSPC;
                break;
            }
            acts[na++] = (kz_kpm_blob){s->buf + off, (size_t)l};
            off += (size_t)l;
        }
    }
    if (na <= 0)
        return na < 0 ? na : KZ_EINVAL;
    kz_xapp_action xa[CELLS_PER_NODE];
    for (int i = 0; i < na; i++)
        xa[i] = (kz_xapp_action){.id = (uint16_t)(i + 1), .type = KZ_XAPP_ACTION_REPORT,
                                 .def = acts[i].buf, .def_len = acts[i].len};
    kz_xapp_sub_req req = {.node = node, .ran_function = kpm_ranf, .trigger = trig.buf,
                           .trigger_len = trig.len, .actions = xa, .n_actions = (size_t)na};
    kz_xapp_sub_cbs cbs = {.on_state = on_sub_state, .on_indication = on_ind};
    uint32_t id;
    return kz_xapp_subscribe(s->x, &req, &cbs, c, &id);
}

bool kz_esx_kpm_offers_ue_volume(const uint8_t *def, size_t len, uint8_t *mem, size_t mem_len)
{
    kz_arena ar;
    kz_arena_init(&ar, mem, mem_len);
    const kz_kpm_E2SM_KPM_RANfunction_Description *d = NULL;
    return def && kz_kpm_decode_ran_function(def, len, &ar, &d, NULL) == 0 &&
           kz_kpm_ran_function_has_metric(d, 4, "DRB.PdcpSduVolumeDL");
}

/* RC REPORT style 3 (the node's neighbour relation tables), if its RC RAN function definition
 * offers it. */
static void subscribe_nrt(kz_esx *s, const kz_xapp_node *xn, const kz_xapp_ran_function *rcf)
{
    kz_arena ar;
    kz_arena_init(&ar, s->arena_mem, sizeof s->arena_mem);
    const kz_rc_E2SM_RC_RANFunctionDefinition *def = NULL;
    if (kz_rc_decode_ran_function(rcf->def, rcf->def_len, &ar, &def, NULL) != 0 ||
        !kz_rc_ran_function_report_style(def, KZ_RC_REPORT_STYLE_E2_NODE_INFO)) {
        logf_(s, "msg=\"no NRT report offered: same-site surge guard\" node=%s\n", xn->name);
        return;
    }
    uint8_t trig[64], act[64];
    long tl = kz_rc_build_nrt_event_trigger(trig, sizeof trig);
    long al = kz_rc_build_nrt_action(act, sizeof act);
    struct subctx *c = tl > 0 && al > 0 ? subctx_new(s, xn->id, false) : NULL;
    if (!c)
        return;
    c->nrt = true;
    kz_xapp_action xa = {.id = 1, .type = KZ_XAPP_ACTION_REPORT, .def = act,
                         .def_len = (size_t)al};
    kz_xapp_sub_req req = {.node = xn->id, .ran_function = rcf->id, .trigger = trig,
                           .trigger_len = (size_t)tl, .actions = &xa, .n_actions = 1};
    kz_xapp_sub_cbs cbs = {.on_state = on_sub_state, .on_indication = on_ind};
    uint32_t id;
    int rc = kz_xapp_subscribe(s->x, &req, &cbs, c, &id);
    if (rc != 0) {
        logf_(s, "msg=\"cannot subscribe NRT\" node=%s error=\"%s\"\n", xn->name,
              kz_strerror(rc));
        c->over = true;
        return;
    }
    s->st.nrt_subs++;
}

/* Cells of a node from its CCC RAN function definition; subscribe to their KPM (once per node:
 * the SDK and the RIC restore subscriptions across reconnects themselves). */
static void subscribe_node(kz_esx *s, const kz_xapp_node *xn)
{
    for (size_t i = 0; i < s->n_nodes_done; i++)
        if (s->nodes_done[i] == xn->id)
            return;
    const kz_xapp_ran_function *kpm = kz_xapp_node_function_by_oid(xn, KZ_KPM_OID);
    const kz_xapp_ran_function *rcf = kz_xapp_node_function_by_oid(xn, KZ_RC_OID);
    if (!kpm || s->n_nodes_done >= MAX_NODES)
        return;
    struct subctx *c = subctx_new(s, xn->id, false), *u = subctx_new(s, xn->id, true);
    if (!c || !u)
        return;
    s->nodes_done[s->n_nodes_done++] = xn->id;
    s->st.nodes++;
    uint8_t st[CELLS_PER_NODE][8], ust[CELLS_PER_NODE][8];
    kz_e2sm_CGI cgis[CELLS_PER_NODE], ucgis[CELLS_PER_NODE];
    for (size_t i = 0; i < xn->n_functions; i++) {
        const char *oid = xn->functions[i].oid;
        size_t ol = strlen(oid);
        if (strncmp(oid, KZ_CCC_OID_PREFIX, strlen(KZ_CCC_OID_PREFIX)) || ol < 4 ||
            strcmp(oid + ol - 4, ".2.4"))
            continue;
        kz_arena text;
        kz_arena_init(&text, s->text_mem, sizeof s->text_mem);
        if (kz_ccc_ran_function_def_parse(xn->functions[i].def, xn->functions[i].def_len,
                                          &s->def, &text, NULL) < 0)
            continue;
        for (uint8_t k = 0; k < s->def.n_cells && c->n < CELLS_PER_NODE; k++) {
            const kz_ccc_nr_cgi *g = &s->def.cells[k].cgi;
            int idx = cell_find(s, g->nci);
            if (idx < 0) {
                if (s->fixed_topo || s->n_cells >= MAX_CELLS)
                    continue; /* not in the given topology */
                idx = (int)s->n_cells++;
                s->cells[idx].ue_stamp = -1;
                s->cells[idx].ue_used = -2;
            }
            struct cell *cl = &s->cells[idx];
            cl->node = xn->id;
            cl->cgi = *g;
            cl->has_ccc = true;
            cl->ccc_ranf = xn->functions[i].id;
            cl->has_rc = rcf != NULL;
            cl->rc_ranf = rcf ? rcf->id : 0;
            kz_kpm_plmn(cl->plmn, (unsigned)atoi(g->plmn.mcc), (unsigned)atoi(g->plmn.mnc),
                        (unsigned)strlen(g->plmn.mnc));
            kz_kpm_nr_cgi(&cgis[c->n], st[c->n], cl->plmn, g->nci);
            c->cell_idx[c->n++] = (size_t)idx;
            s->st.cells++;
            /* UE-level reports: a capacity cell's UEs for the RC handover before a sleep, and
             * every cell's for the tail guard of the muting lever (its floor and tails) */
            if ((s->cfg.rc_handover && rcf && is_capacity(s, (size_t)idx)) ||
                s->cfg.p.mute_frac > 0) {
                kz_kpm_nr_cgi(&ucgis[u->n], ust[u->n], cl->plmn, g->nci);
                u->cell_idx[u->n++] = (size_t)idx;
            }
        }
    }
    if (!c->n) {
        logf_(s, "msg=\"node without CCC cells, ignored\" node=%s\n", xn->name);
        c->over = u->over = true;
        return;
    }
    int rc = subscribe(s, xn->id, kpm->id, c, cgis);
    if (rc != 0) {
        logf_(s, "msg=\"cannot subscribe\" node=%s error=\"%s\"\n", xn->name, kz_strerror(rc));
        c->over = u->over = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        struct cell *cl = &s->cells[c->cell_idx[i]];
        if (!cl->subscribed) {
            cl->subscribed = true;
            s->n_subscribed++;
        }
    }
    u->ue_volume = kz_esx_kpm_offers_ue_volume(kpm->def, kpm->def_len, s->arena_mem,
                                               sizeof s->arena_mem);
    if (u->n && !u->ue_volume)
        logf_(s, "msg=\"node does not offer DRB.PdcpSduVolumeDL in KPM report style 4: "
                 "tail guard unweighted for its cells\" node=%s\n", xn->name);
    if (u->n && (rc = subscribe(s, xn->id, kpm->id, u, ucgis)) != 0) {
        logf_(s, "msg=\"cannot subscribe UE-level\" node=%s error=\"%s\"\n", xn->name,
              kz_strerror(rc));
        u->over = true;
    }
    if (rcf && !s->cfg.no_nrt)
        subscribe_nrt(s, xn, rcf);
}

static void on_node(kz_xapp *x, const kz_xapp_node *xn, bool up, void *ud)
{
    kz_esx *s = ud;
    (void)x;
    logf_(s, "msg=node name=%s up=%d\n", xn->name, up);
    if (up)
        subscribe_node(s, xn);
}

static void on_conn(kz_xapp *x, bool up, void *ud)
{
    (void)x;
    logf_(ud, "msg=ric connected=%d\n", up);
}

/* ---- life ----------------------------------------------------------------------------------- */

int kz_esx_open(kz_esx **out, kz_loop *loop, const kz_xapp_cfg *xc, const struct kz_esx_cfg *cfg)
{
    *out = NULL;
    if (cfg->p.period_s <= 0 || cfg->speed <= 0 || cfg->n_cells > MAX_CELLS ||
        (cfg->core && !cfg->cells))
        return KZ_EINVAL;
    kz_esx *s = calloc(1, sizeof *s);
    if (!s)
        return KZ_ENOMEM;
    s->loop = loop;
    s->cfg = *cfg;
    s->cfg.cells = NULL;
    s->last_decision = -1e18;
    if (cfg->cells) {
        s->fixed_topo = true;
        s->n_cells = cfg->n_cells;
        memcpy(s->topo, cfg->cells, cfg->n_cells * sizeof *cfg->cells);
        for (size_t i = 0; i < cfg->n_cells; i++) {
            s->cells[i].cgi.nci = cfg->cells[i].nci;
            s->cells[i].ue_stamp = -1;
            s->cells[i].ue_used = -2;
        }
        s->es = cfg->core;
        int rc = 0;
        if (!s->es) {
            rc = kz_es_open(&s->es, &cfg->p, s->topo, s->n_cells);
            s->own_core = true;
        }
        if (rc) {
            free(s);
            return rc;
        }
        s->n_cells_core = s->n_cells;
    } else {
        s->own_core = true;
    }
    kz_timer_init(loop, &s->settle);
    kz_timer_init(loop, &s->fallback);
    kz_xapp_cbs cbs = {.on_connection = on_conn, .on_node = on_node};
    int rc = kz_xapp_open(&s->x, loop, xc, &cbs, s);
    if (rc < 0) {
        if (s->own_core)
            kz_es_close(s->es);
        free(s);
        return rc;
    }
    int64_t per = loop_ns(s, cfg->p.period_s / 2);
    kz_timer_start(&s->fallback, per, per, fallback_cb, s);
    *out = s;
    return 0;
}

void kz_esx_close(kz_esx *s)
{
    if (!s)
        return;
    kz_timer_stop(&s->settle);
    kz_timer_stop(&s->fallback);
    kz_xapp_close(s->x);
    while (s->subs) {
        struct subctx *c = s->subs;
        s->subs = c->next;
        free(c);
    }
    while (s->ctrls) {
        struct ctrlctx *c = s->ctrls;
        s->ctrls = c->next;
        free(c);
    }
    for (size_t i = 0; i < MAX_CELLS; i++) {
        free(s->cells[i].ues);
        free(s->cells[i].ue_thp);
        free(s->cells[i].ue_vol);
    }
    free(s->tail_buf);
    if (s->own_core)
        kz_es_close(s->es);
    free(s);
}

void kz_esx_stats_get(const kz_esx *s, struct kz_esx_stats *st)
{
    *st = s->st;
}

const kz_es *kz_esx_core(const kz_esx *s)
{
    return s->es;
}

const kz_xapp *kz_esx_xapp(const kz_esx *s)
{
    return s->x;
}
