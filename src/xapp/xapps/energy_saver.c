/*
 * xapps/energy_saver.c -- `kizuna-energy-saver`: puts capacity cells to sleep when their
 * coverage cells can carry the load, and wakes them before it returns (docs/energy-saver.md).
 *
 * Why an xApp and a library: the decisions live in src/eval/es.c (forecasters, guards, dwell
 * times, reasons) so that `kizuna demo` and the tests judge exactly what runs here.  This file
 * is only the E2 side on the SDK (kizuna/xapp.h):
 *   - every node the RIC announces: a cell-level KPM subscription (one action per cell, cells
 *     from the node's E2SM-CCC RAN function definition) for PRB use (RRU.PrbTotDl, %), served
 *     volume (DRB.PdcpSduVolumeDL, Mbit), mean UE throughput (DRB.UEThpDl, kbit/s), connected
 *     UEs (RRC.ConnMean) and power (PEE.AvgPower, W), reported every --period;
 *   - every period: the latest reports of every cell -> kz_es_step() -> actions;
 *   - SLEEP / WAKE: an E2SM-CCC control (O-CESManagementFunction energySavingControl) to the
 *     cell's node; a refused or timed-out control puts the decision core's cell back;
 *   - every action is logged (logfmt, stderr or --log) with its reason, forecast and guards.
 *
 * Topology: which cell is a capacity cell and which coverage cell takes its users is not in
 * any E2 definition.  Kizuna's emulator numbers cells gNB id << 14 | local, coverage cells
 * local 0-2 and capacity cells 3-5 of the same sector; that is what this xApp assumes
 * (--pair-offset 3).  A real deployment would give the pairs as configuration.
 *
 * Not yet: the per-UE RC handover before a sleep (needs UE-level KPM reports for the UE ids);
 * the emulator's CCC sleep hands the UEs over itself (blind handover), and the HANDOVER
 * decision is logged.  A1 policies for the guards are a later step; today they are flags.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/es.h"
#include "kizuna/e2sm_ccc.h"
#include "kizuna/e2sm_kpm.h"
#include "kizuna/error.h"
#include "kizuna/loop.h"
#include "kizuna/xapp.h"

#define MAX_CELLS 1024
#define CELLS_PER_NODE 16

enum { M_PRB = 0, M_VOL, M_UETHP, M_CONN, M_POWER, M_N };
static const char *const metric_names[M_N] = {"RRU.PrbTotDl", "DRB.PdcpSduVolumeDL",
                                              "DRB.UEThpDl", "RRC.ConnMean", "PEE.AvgPower"};

struct cell {
    uint32_t node;
    uint16_t ccc_ranf;
    bool has_ccc;
    kz_ccc_nr_cgi cgi;
    double v[M_N];
    bool seen[M_N];
};

struct saver {
    kz_loop *loop;
    kz_xapp *x;
    struct kz_es_params p;
    unsigned pair_offset;
    FILE *log;
    struct cell cells[MAX_CELLS];
    size_t n_cells, n_cells_core;
    kz_es *es;
    struct kz_es_cell topo[MAX_CELLS];
    struct kz_es_obs obs[MAX_CELLS];
    struct kz_es_action act[2 * MAX_CELLS];
    kz_timer tick, stop;
    kz_async sig;
    double t0;
    uint64_t controls_ok, controls_failed;
    uint8_t arena_mem[1 << 18];
};

struct subctx {
    struct saver *s;
    uint32_t node;
    size_t cell_idx[CELLS_PER_NODE];
    size_t n;
};

static kz_async *g_sig;
static void on_signal(int sig)
{
    (void)sig;
    if (g_sig)
        kz_async_send(g_sig);
}

static double now_s(const struct saver *s)
{
    return (double)kz_loop_now(s->loop) / 1e9 - s->t0;
}

static int cell_find(struct saver *s, uint64_t nci)
{
    for (size_t i = 0; i < s->n_cells; i++)
        if (s->cells[i].cgi.nci == nci)
            return (int)i;
    return -1;
}

static void on_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    struct subctx *c = ud;
    struct saver *s = c->s;
    (void)x;
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
    kz_kpm_iter it;
    kz_kpm_iter_opts o;
    memset(&o, 0, sizeof o);
    o.granul_ms = (uint32_t)(s->p.period_s * 1000);
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
}

static void on_sub_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    struct subctx *c = ud;
    (void)x;
    static const char *const names[] = {"?", "active", "suspended", "failed", "deleted"};
    fprintf(c->s->log, "msg=subscription node=%u state=%s error=%d\n", c->node,
            names[ev->state], ev->error);
    if (ev->state == KZ_XAPP_SUB_FAILED || ev->state == KZ_XAPP_SUB_DELETED)
        free(c);
}

/* Cells of a node from its CCC RAN function definition; subscribe to their KPM. */
static void subscribe_node(struct saver *s, const kz_xapp_node *xn)
{
    const kz_xapp_ran_function *kpm = kz_xapp_node_function_by_oid(xn, KZ_KPM_OID);
    if (!kpm)
        return;
    struct subctx *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->s = s;
    c->node = xn->id;
    uint8_t plmn[3], st[CELLS_PER_NODE][8];
    kz_e2sm_CGI cgis[CELLS_PER_NODE];
    for (size_t i = 0; i < xn->n_functions; i++) {
        const char *oid = xn->functions[i].oid;
        size_t ol = strlen(oid);
        if (strncmp(oid, KZ_CCC_OID_PREFIX, strlen(KZ_CCC_OID_PREFIX)) || ol < 4 ||
            strcmp(oid + ol - 4, ".2.4"))
            continue;
        static kz_ccc_ran_function_def def; /* large; single-threaded */
        static uint8_t text_mem[1 << 16];
        kz_arena text;
        kz_arena_init(&text, text_mem, sizeof text_mem);
        if (kz_ccc_ran_function_def_parse(xn->functions[i].def, xn->functions[i].def_len, &def,
                                          &text, NULL) < 0)
            continue;
        for (uint8_t k = 0; k < def.n_cells && c->n < CELLS_PER_NODE; k++) {
            const kz_ccc_nr_cgi *g = &def.cells[k].cgi;
            int idx = cell_find(s, g->nci);
            if (idx < 0) {
                if (s->n_cells >= MAX_CELLS)
                    break;
                idx = (int)s->n_cells++;
            }
            struct cell *cl = &s->cells[idx];
            cl->node = xn->id;
            cl->cgi = *g;
            cl->has_ccc = true;
            cl->ccc_ranf = xn->functions[i].id;
            kz_kpm_plmn(plmn, (unsigned)atoi(g->plmn.mcc), (unsigned)atoi(g->plmn.mnc),
                        (unsigned)strlen(g->plmn.mnc));
            kz_kpm_nr_cgi(&cgis[c->n], st[c->n], plmn, g->nci);
            c->cell_idx[c->n++] = (size_t)idx;
        }
    }
    if (!c->n) {
        fprintf(s->log, "msg=\"node without CCC cells, ignored\" node=%s\n", xn->name);
        free(c);
        return;
    }
    kz_kpm_metric ms[M_N];
    for (int i = 0; i < M_N; i++)
        ms[i] = (kz_kpm_metric){.name = metric_names[i]};
    kz_kpm_cell_subscription cs = {.period_ms = (uint32_t)(s->p.period_s * 1000),
                                   .metrics = ms, .n_metrics = M_N, .cells = cgis,
                                   .n_cells = c->n};
    static uint8_t buf[65536], scratch_mem[1 << 16];
    kz_arena scratch;
    kz_arena_init(&scratch, scratch_mem, sizeof scratch_mem);
    kz_kpm_blob trig, acts[CELLS_PER_NODE];
    int na = kz_kpm_build_cell_subscription(&cs, &scratch, buf, sizeof buf, &trig, acts,
                                            CELLS_PER_NODE);
    if (na < 0) {
        fprintf(s->log, "msg=\"cannot build subscription\" node=%s error=\"%s\"\n", xn->name,
                kz_strerror(na));
        free(c);
        return;
    }
    kz_xapp_action xa[CELLS_PER_NODE];
    for (int i = 0; i < na; i++)
        xa[i] = (kz_xapp_action){.id = (uint16_t)(i + 1), .type = KZ_XAPP_ACTION_REPORT,
                                 .def = acts[i].buf, .def_len = acts[i].len};
    kz_xapp_sub_req req = {.node = xn->id, .ran_function = kpm->id, .trigger = trig.buf,
                           .trigger_len = trig.len, .actions = xa, .n_actions = (size_t)na};
    kz_xapp_sub_cbs cbs = {.on_state = on_sub_state, .on_indication = on_ind};
    uint32_t id;
    if (kz_xapp_subscribe(s->x, &req, &cbs, c, &id) != 0)
        free(c);
}

static void on_node(kz_xapp *x, const kz_xapp_node *xn, bool up, void *ud)
{
    struct saver *s = ud;
    (void)x;
    fprintf(s->log, "msg=node name=%s up=%d\n", xn->name, up);
    if (up)
        subscribe_node(s, xn);
}

static void on_conn(kz_xapp *x, bool up, void *ud)
{
    (void)x;
    fprintf(((struct saver *)ud)->log, "msg=ric connected=%d\n", up);
}

/* (Re)build the decision core when the set of cells changed: roles by the pair offset. */
static int ensure_core(struct saver *s)
{
    if (s->es && s->n_cells_core == s->n_cells)
        return 0;
    for (size_t i = 0; i < s->n_cells; i++) {
        uint64_t nci = s->cells[i].cgi.nci, local = nci & 0x3fff;
        s->topo[i] = (struct kz_es_cell){.nci = nci, .role = KZ_ES_COVERAGE, .cover = -1};
        if (local >= s->pair_offset) {
            int v = cell_find(s, nci - s->pair_offset);
            s->topo[i].role = v >= 0 ? KZ_ES_CAPACITY : KZ_ES_OTHER;
            s->topo[i].cover = v;
        }
    }
    kz_es_close(s->es);
    s->es = NULL;
    int rc = kz_es_open(&s->es, &s->p, s->topo, s->n_cells);
    if (rc == 0) {
        s->n_cells_core = s->n_cells;
        fprintf(s->log, "msg=\"decision core\" cells=%zu\n", s->n_cells);
    }
    return rc;
}

struct ctrl_ctx {
    struct saver *s;
    struct kz_es_action a;
};

static void on_control(kz_xapp *x, const kz_xapp_control_result *r, void *ud)
{
    struct ctrl_ctx *c = ud;
    struct saver *s = c->s;
    (void)x;
    kz_ccc_es_result er = {0};
    bool ok = r->status == 0;
    if (ok && r->outcome && kz_ccc_es_outcome_parse(r->outcome, r->outcome_len,
                                                    &s->cells[c->a.cell].cgi, &er, NULL) == 0)
        ok = er.accepted;
    if (ok) {
        s->controls_ok++;
    } else {
        s->controls_failed++;
        if (s->es && c->a.cell < s->n_cells_core)
            kz_es_action_failed(s->es, &c->a);
    }
    fprintf(s->log, "msg=control action=%s nci=%09llx ok=%d status=\"%s\"\n",
            kz_es_kind_name(c->a.kind), (unsigned long long)s->cells[c->a.cell].cgi.nci, ok,
            r->status ? kz_strerror(r->status) : "acknowledged");
    free(c);
}

static void send_ccc(struct saver *s, const struct kz_es_action *a)
{
    struct cell *cl = &s->cells[a->cell];
    uint8_t hdr[512], msg[4096];
    size_t hl, ml;
    if (!cl->has_ccc ||
        kz_ccc_es_control_encode(&cl->cgi, a->kind == KZ_ES_SLEEP, hdr, sizeof hdr, &hl, msg,
                                 sizeof msg, &ml, NULL) < 0) {
        kz_es_action_failed(s->es, a);
        return;
    }
    struct ctrl_ctx *c = malloc(sizeof *c);
    if (!c) {
        kz_es_action_failed(s->es, a);
        return;
    }
    c->s = s;
    c->a = *a;
    kz_xapp_control_req req = {.node = cl->node, .ran_function = cl->ccc_ranf, .hdr = hdr,
                               .hdr_len = hl, .msg = msg, .msg_len = ml, .ack = true};
    if (kz_xapp_control(s->x, &req, on_control, c) != 0) {
        kz_es_action_failed(s->es, a);
        free(c);
    }
}

static void tick_cb(kz_timer *t, void *ud)
{
    struct saver *s = ud;
    (void)t;
    if (!s->n_cells || ensure_core(s) != 0)
        return;
    for (size_t i = 0; i < s->n_cells; i++) {
        const struct cell *c = &s->cells[i];
        struct kz_es_obs *o = &s->obs[i];
        o->prb = c->seen[M_PRB] ? c->v[M_PRB] / 100.0 : -1;
        o->thr_mbps = c->seen[M_VOL] ? c->v[M_VOL] / s->p.period_s : -1;
        o->ue_thr_mbps = c->seen[M_UETHP] ? c->v[M_UETHP] / 1000.0 : -1;
        o->n_ue = c->seen[M_CONN] ? c->v[M_CONN] : -1;
        o->power_w = c->seen[M_POWER] ? c->v[M_POWER] : -1;
        o->serving = -1;
    }
    double ts = now_s(s);
    size_t n = kz_es_step(s->es, ts, s->obs, s->act, 2 * MAX_CELLS);
    for (size_t k = 0; k < n; k++) {
        const struct kz_es_action *a = &s->act[k];
        fprintf(s->log,
                "t=%.0f action=%s why=%s nci=%09llx target=%09llx fc_util=%.3f cov_prb=%.3f "
                "cov_ue_thr=%.1f reason=\"%s\"\n",
                ts, kz_es_kind_name(a->kind), kz_es_why_name(a->why),
                (unsigned long long)s->cells[a->cell].cgi.nci,
                (unsigned long long)s->cells[a->target].cgi.nci, a->forecast_util, a->cov_util,
                a->cov_ue_thr, a->reason);
        if (a->kind != KZ_ES_HANDOVER)
            send_ccc(s, a);
    }
    fflush(s->log);
}

static void stop_cb(kz_timer *t, void *ud)
{
    (void)t;
    kz_loop_stop(((struct saver *)ud)->loop);
}

static void sig_cb(kz_async *a, void *ud)
{
    (void)a;
    kz_loop_stop(((struct saver *)ud)->loop);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kizuna-energy-saver [--bus URL] [--token T] [--period S] [--log FILE]\n"
        "         [--sleep-util U] [--wake-util U] [--guard-util U] [--guard-ue-thr MBPS]\n"
        "         [--min-sleep S] [--min-awake S] [--lookahead S] [--wake-lead S]\n"
        "         [--pair-offset N] [--time-of-day S] [--duration S]\n"
        "Puts capacity cells to sleep over E2SM-CCC when their coverage cells can carry the\n"
        "load, and wakes them ahead of forecast demand or at once on a guard breach.\n");
}

int main(int argc, char **argv)
{
    static struct saver s;
    const char *bus = "unix:///tmp/kizuna-ric.sock", *token = NULL, *logp = NULL;
    double duration = 0, tod = 0;
    kz_es_params_default(&s.p, KZ_ES_AI);
    s.pair_offset = 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        if (!v) { usage(stderr); return 2; }
        i++;
        if (!strcmp(a, "--bus")) bus = v;
        else if (!strcmp(a, "--token")) token = v;
        else if (!strcmp(a, "--log")) logp = v;
        else if (!strcmp(a, "--period")) s.p.period_s = atof(v);
        else if (!strcmp(a, "--sleep-util")) s.p.sleep_util = atof(v);
        else if (!strcmp(a, "--wake-util")) s.p.wake_util = atof(v);
        else if (!strcmp(a, "--guard-util")) s.p.guard_util = atof(v);
        else if (!strcmp(a, "--guard-ue-thr")) s.p.guard_ue_thr_mbps = atof(v);
        else if (!strcmp(a, "--min-sleep")) s.p.min_sleep_s = atof(v);
        else if (!strcmp(a, "--min-awake")) s.p.min_awake_s = atof(v);
        else if (!strcmp(a, "--lookahead")) s.p.lookahead_s = atof(v);
        else if (!strcmp(a, "--wake-lead")) s.p.wake_lead_s = atof(v);
        else if (!strcmp(a, "--pair-offset")) s.pair_offset = (unsigned)atoi(v);
        else if (!strcmp(a, "--time-of-day")) tod = atof(v);
        else if (!strcmp(a, "--duration")) duration = atof(v);
        else { usage(stderr); return 2; }
    }
    if (s.p.period_s <= 0 || s.p.slot_s < s.p.period_s || !(s.p.sleep_util <= s.p.wake_util)) {
        fprintf(stderr, "energy-saver: need 0 < --period <= %.0f and sleep-util <= wake-util\n",
                s.p.slot_s);
        return 2;
    }
    s.log = stderr;
    if (logp && !(s.log = fopen(logp, "a"))) {
        perror(logp);
        return 2;
    }
    if (kz_loop_open(&s.loop, NULL) < 0)
        return 1;
    /* decision clock: seconds since midnight of the day the xApp started (--time-of-day) */
    s.t0 = (double)kz_loop_now(s.loop) / 1e9 - tod;
    kz_xapp_cfg cfg;
    kz_xapp_cfg_default(&cfg);
    cfg.url = bus;
    cfg.name = "energy-saver";
    cfg.token = token;
    kz_xapp_cbs cbs = {.on_connection = on_conn, .on_node = on_node};
    int rc = kz_xapp_open(&s.x, s.loop, &cfg, &cbs, &s);
    if (rc < 0) {
        fprintf(stderr, "energy-saver: %s: %s\n", bus, kz_strerror(rc));
        return 2;
    }
    kz_async_init(s.loop, &s.sig, sig_cb, &s);
    g_sig = &s.sig;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    kz_timer_init(s.loop, &s.tick);
    kz_timer_init(s.loop, &s.stop);
    int64_t per = (int64_t)(s.p.period_s * 1e9);
    kz_timer_start(&s.tick, per, per, tick_cb, &s);
    if (duration > 0)
        kz_timer_start(&s.stop, (int64_t)(duration * 1e9), 0, stop_cb, &s);
    kz_loop_run(s.loop, KZ_RUN_DEFAULT);
    kz_timer_stop(&s.tick);
    kz_timer_stop(&s.stop);
    g_sig = NULL;
    kz_async_close(&s.sig);
    kz_xapp_close(s.x);
    kz_loop_close(s.loop);
    struct kz_es_stats st;
    if (s.es) {
        kz_es_stats_get(s.es, &st);
        double mae, mape;
        kz_es_stats_fc_error(&st, KZ_FC_USED, st.fc_horizon, &mae, &mape);
        fprintf(s.log, "msg=summary sleeps=%llu wakes=%llu guard_wakes=%llu controls_ok=%llu "
                       "controls_failed=%llu fc_mae_mbps=%.2f fc_mape=%.3f\n",
                (unsigned long long)st.sleeps, (unsigned long long)st.wakes,
                (unsigned long long)st.wakes_guard, (unsigned long long)s.controls_ok,
                (unsigned long long)s.controls_failed, mae, mape);
    }
    kz_es_close(s.es);
    if (s.log != stderr)
        fclose(s.log);
    return 0;
}
