/*
 * eval/e2_runner.c -- RIC + emulator + energy-saver xApp + KPM monitor in one simulator.
 * See e2_runner.h.  Wiring, all on the simulator's loop:
 *
 *     emulator gNBs --E2 over mem://kz-eval-e2--> kz_ric <--bus mem://kz-eval-bus-- energy saver
 *                                                                               \-- KPM monitor
 *
 * The emulator steps on the loop (kz_emu_start, speed 1: simulated time is loop time); after each
 * step its ground truth goes into the metrics (as in run.c) and the guard-reaction probe.  The
 * run ends at the emulator's last step.
 */
#include "eval/e2_runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "emu/scenario.h"
#include "eval/energy_xapp.h"
#include "kizuna/e2sm_ccc.h"
#include "kizuna/e2sm_kpm.h"
#include "kizuna/emu.h"
#include "kizuna/error.h"
#include "kizuna/ric.h"
#include "kizuna/sim.h"
#include "kizuna/xapp.h"

#define E2_URL "mem://kz-eval-e2"
#define BUS_URL "mem://kz-eval-bus"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void kz_e2_run_cfg_default(struct kz_e2_run_cfg *cfg, const struct kz_scenario *sc)
{
    memset(cfg, 0, sizeof *cfg);
    kz_run_cfg_default(&cfg->run, sc, KZ_ES_AI);
    cfg->rc_handover = true;
    cfg->monitor = true;
    cfg->latency_ns = KZ_NS_PER_MS;
    cfg->speed = 600;
}

/* ---- the KPM monitor: a second xApp, cell-level KPM of every cell, counted ---------------- */

#define MON_CELLS 16

struct monitor {
    kz_xapp *x;
    uint32_t period_ms;
    uint64_t indications, subs_active;
    uint32_t *done;             /* nodes subscribed */
    size_t n_done, cap_done;
    uint8_t arena_mem[1 << 16], text_mem[1 << 16], buf[1 << 15];
    kz_ccc_ran_function_def def;
};

static void mon_ind(kz_xapp *x, const kz_xapp_indication *ind, void *ud)
{
    struct monitor *m = ud;
    (void)x;
    kz_arena ar;
    kz_arena_init(&ar, m->arena_mem, sizeof m->arena_mem);
    const kz_kpm_E2SM_KPM_IndicationMessage *msg;
    if (kz_kpm_decode_message(ind->msg, ind->msg_len, &ar, &msg, NULL) == 0)
        m->indications++;
}

static void mon_state(kz_xapp *x, const kz_xapp_sub_event *ev, void *ud)
{
    (void)x;
    if (ev->state == KZ_XAPP_SUB_ACTIVE)
        ((struct monitor *)ud)->subs_active++;
}

static void mon_node(kz_xapp *x, const kz_xapp_node *xn, bool up, void *ud)
{
    struct monitor *m = ud;
    const kz_xapp_ran_function *kpm = kz_xapp_node_function_by_oid(xn, KZ_KPM_OID);
    if (!up || !kpm)
        return;
    for (size_t i = 0; i < m->n_done; i++)
        if (m->done[i] == xn->id)
            return;
    if (m->n_done == m->cap_done) {
        size_t nc = m->cap_done ? 2 * m->cap_done : 64;
        uint32_t *p = realloc(m->done, nc * sizeof *p);
        if (!p)
            return;
        m->done = p;
        m->cap_done = nc;
    }
    m->done[m->n_done++] = xn->id;
    kz_e2sm_CGI cgis[MON_CELLS];
    uint8_t st[MON_CELLS][8];
    size_t n = 0;
    for (size_t i = 0; i < xn->n_functions; i++) {
        const char *oid = xn->functions[i].oid;
        if (strncmp(oid, KZ_CCC_OID_PREFIX, strlen(KZ_CCC_OID_PREFIX)))
            continue;
        kz_arena text;
        kz_arena_init(&text, m->text_mem, sizeof m->text_mem);
        if (kz_ccc_ran_function_def_parse(xn->functions[i].def, xn->functions[i].def_len,
                                          &m->def, &text, NULL) < 0)
            continue;
        for (uint8_t k = 0; k < m->def.n_cells && n < MON_CELLS; k++) {
            const kz_ccc_nr_cgi *g = &m->def.cells[k].cgi;
            uint8_t plmn[3];
            kz_kpm_plmn(plmn, (unsigned)atoi(g->plmn.mcc), (unsigned)atoi(g->plmn.mnc),
                        (unsigned)strlen(g->plmn.mnc));
            kz_kpm_nr_cgi(&cgis[n], st[n], plmn, g->nci);
            n++;
        }
        break;
    }
    static const kz_kpm_metric ms[] = {{"RRU.PrbTotDl", 0, NULL}, {"DRB.UEThpDl", 0, NULL}};
    kz_kpm_cell_subscription cs = {.period_ms = m->period_ms, .metrics = ms, .n_metrics = 2,
                                   .cells = n ? cgis : NULL, .n_cells = n};
    kz_arena scratch;
    kz_arena_init(&scratch, m->arena_mem, sizeof m->arena_mem);
    kz_kpm_blob trig, acts[MON_CELLS];
    int na = kz_kpm_build_cell_subscription(&cs, &scratch, m->buf, sizeof m->buf, &trig, acts,
                                            MON_CELLS);
    if (na <= 0)
        return;
    kz_xapp_action xa[MON_CELLS];
    for (int i = 0; i < na; i++)
        xa[i] = (kz_xapp_action){.id = (uint16_t)(i + 1), .type = KZ_XAPP_ACTION_REPORT,
                                 .def = acts[i].buf, .def_len = acts[i].len};
    kz_xapp_sub_req req = {.node = xn->id, .ran_function = kpm->id, .trigger = trig.buf,
                           .trigger_len = trig.len, .actions = xa, .n_actions = (size_t)na};
    kz_xapp_sub_cbs cbs = {.on_state = mon_state, .on_indication = mon_ind};
    uint32_t id;
    kz_xapp_subscribe(x, &req, &cbs, m, &id);
}

/* ---- the run ------------------------------------------------------------------------------ */

struct e2run {
    const struct kz_e2_run_cfg *cfg;
    struct kz_run_result *res;
    kz_loop *loop;
    kz_emu *e;
    kz_metrics *m;
    double tod0, dur, next_progress;
    double *wake_at;            /* emulator time of a guard wake, per cell (0: none) */
    size_t nc;
};

static double run_clock(void *ud)
{
    const struct e2run *r = ud;
    return r->cfg->run.t_offset_s + r->tod0 + kz_emu_time_s(r->e);
}

static void on_action(void *ud, const struct kz_es_action *a, double t_s)
{
    struct e2run *r = ud;
    (void)t_s;
    if (a->kind == KZ_ES_WAKE && a->why == KZ_WHY_GUARD && a->cell < r->nc)
        r->wake_at[a->cell] = kz_emu_time_s(r->e);
}

static void on_step(kz_emu *e, const kz_emu_truth *t, void *ud)
{
    struct e2run *r = ud;
    struct kz_run_result *res = r->res;
    kz_metrics_add(r->m, t, res->layer);
    double period = r->cfg->run.es.period_s;
    for (size_t i = 0; i < r->nc; i++)
        if (r->wake_at[i] > 0 && t->cells[i].state == KZ_EMU_CELL_ON) {
            double d = t->t_s - r->wake_at[i] + period; /* breach somewhere in the last period */
            if (d > res->max_guard_reaction_s)
                res->max_guard_reaction_s = d;
            r->wake_at[i] = 0;
        }
    const struct kz_run_cfg *rc = &r->cfg->run;
    if (rc->progress && t->t_s >= r->next_progress) {
        rc->progress(rc->ud, res->name, t->t_s / r->dur);
        r->next_progress += r->dur / 50;
    }
    if (kz_emu_done(e))
        kz_loop_stop(r->loop);
}

int kz_e2_run(const struct kz_e2_run_cfg *cfg, struct kz_run_result *res,
              struct kz_e2_run_stats *st, char *err, size_t errlen)
{
    const struct kz_run_cfg *rc = &cfg->run;
    memset(res, 0, sizeof *res);
    if (st)
        memset(st, 0, sizeof *st);
    snprintf(res->name, sizeof res->name, "energy-saver");
    double w0 = wall_now();
    struct e2run r = {.cfg = cfg, .res = res};
    r.dur = rc->duration_s > 0 ? rc->duration_s : rc->sc->duration_s;
    r.tod0 = rc->sc->start_s;

    kz_sim *sim = NULL;
    kz_loop *real = NULL;
    kz_ric *ric = NULL;
    kz_esx *esx = NULL;
    struct monitor *mon = NULL;
    struct kz_es_cell *cells = NULL;
    const char *e2_url = E2_URL, *bus_url = BUS_URL;
    char bus_buf[64];
    const double speed = cfg->real_time ? cfg->speed : 1;
    int ret;
    if (cfg->real_time) {
        if (!(speed > 0 && speed <= 1e5)) {
            kz_eval_errf(err, errlen, "real time: speed %g out of (0, 100000]", speed);
            return KZ_EINVAL;
        }
        snprintf(bus_buf, sizeof bus_buf, "unix://@kizuna-demo-%ld", (long)getpid());
        e2_url = cfg->e2_url ? cfg->e2_url : "sctp+udp://127.0.0.1:36421";
        bus_url = cfg->bus_url ? cfg->bus_url : bus_buf;
        if ((ret = kz_loop_open(&real, NULL)) != 0) {
            kz_eval_errf(err, errlen, "event loop: %s", kz_strerror(ret));
            return ret;
        }
        r.loop = real;
    } else {
        kz_sim_cfg sc = {.seed = rc->seed ? rc->seed : rc->sc->seed,
                         .latency_ns = cfg->latency_ns};
        if ((ret = kz_sim_open(&sim, &sc)) != 0) {
            kz_eval_errf(err, errlen, "simulator: %s", kz_strerror(ret));
            return ret;
        }
        r.loop = kz_sim_loop(sim);
    }

    kz_ric_cfg ricc;
    kz_ric_cfg_default(&ricc);
    const char *e2l[] = {e2_url}, *busl[] = {bus_url};
    ricc.e2_listen = e2l;
    ricc.n_e2_listen = 1;
    ricc.bus_listen = busl;
    ricc.n_bus_listen = 1;
    ricc.log = cfg->ric_log;
    ricc.log_level = cfg->ric_log ? KZ_RIC_LOG_INFO : KZ_RIC_LOG_ERROR;
    if ((ret = kz_ric_open(&ric, r.loop, &ricc)) != 0) {
        kz_eval_errf(err, errlen, "RIC on %s / %s: %s", e2_url, bus_url, kz_strerror(ret));
        goto out;
    }

    kz_emu_cfg ec;
    kz_emu_cfg_default(&ec);
    ec.scenario = rc->sc;
    ec.loop = r.loop;
    ec.seed = rc->seed;
    ec.duration_s = rc->duration_s;
    ec.step_s = rc->step_s;
    ec.on_step = on_step;
    ec.ud = &r;
    ec.speed = speed;
    if ((ret = kz_emu_create(&r.e, &ec, err, errlen)) != 0)
        goto out;
    r.nc = kz_emu_n_cells(r.e);
    cells = kz_run_es_cells(r.e, &res->n_cells);
    r.wake_at = calloc(r.nc ? r.nc : 1, sizeof *r.wake_at);
    res->layer = calloc(r.nc ? r.nc : 1, 1);
    res->cover = calloc(r.nc ? r.nc : 1, sizeof *res->cover);
    ret = KZ_ENOMEM;
    if (!cells || !r.wake_at || !res->layer || !res->cover)
        goto out;
    for (size_t i = 0; i < r.nc; i++) {
        kz_emu_cell_info ci;
        kz_emu_cell_info_get(r.e, (uint32_t)i, &ci);
        res->layer[i] = ci.layer;
        res->cover[i] = cells[i].role == KZ_ES_CAPACITY ? cells[i].cover : -1;
        if (cells[i].role == KZ_ES_CAPACITY)
            res->n_capacity++;
    }
    res->n_periods = (size_t)ceil(r.dur / rc->es.period_s - 1e-9);
    if ((ret = kz_metrics_open(&r.m, r.dur, rc->window_s > 0 ? rc->window_s : 900)) != 0) {
        kz_eval_errf(err, errlen, "metrics: duration %.0f s / window %.0f s", r.dur, rc->window_s);
        goto out;
    }
    kz_metrics_set_event_ues(r.m, kz_emu_first_event_ue(r.e));
    if ((ret = kz_emu_connect(r.e, e2_url, NULL)) != 0) {
        kz_eval_errf(err, errlen, "emulator E2: %s", kz_strerror(ret));
        goto out;
    }

    struct kz_esx_cfg xc;
    kz_esx_cfg_default(&xc);
    xc.p = rc->es;
    xc.p.mode = KZ_ES_AI;
    xc.cells = cells;
    xc.n_cells = res->n_cells;
    xc.core = rc->trained;
    xc.clock = run_clock;
    xc.rc_handover = cfg->rc_handover;
    xc.no_nrt = rc->no_nrt != 0;
    xc.log = rc->log;
    xc.on_action = on_action;
    xc.ud = &r;
    xc.speed = speed;
    kz_xapp_cfg xa;
    kz_xapp_cfg_default(&xa);
    xa.url = bus_url;
    xa.name = "energy-saver";
    /* Over mem:// the xApp's receive window is its indication queue at the RIC: every node
     * reports in the same simulated millisecond, and the large city's UE-level burst (~3,500
     * UE reports a minute) overflowed the transport's 256 KiB (3.5 % of indications dropped).
     * The RIC's documented per-xApp queue, xapp_queue_bytes, is the bound meant. */
    xa.rcvbuf_bytes = ricc.xapp_queue_bytes;
    if ((ret = kz_esx_open(&esx, r.loop, &xa, &xc)) != 0) {
        kz_eval_errf(err, errlen, "energy-saver xApp: %s", kz_strerror(ret));
        goto out;
    }
    if (cfg->monitor) {
        mon = calloc(1, sizeof *mon);
        ret = KZ_ENOMEM;
        if (!mon)
            goto out;
        mon->period_ms = (uint32_t)(rc->es.period_s * 1000);
        kz_xapp_cfg ma;
        kz_xapp_cfg_default(&ma);
        ma.url = bus_url;
        ma.name = "kpm-monitor";
        ma.rcvbuf_bytes = ricc.xapp_queue_bytes;
        kz_xapp_cbs mc = {.on_node = mon_node};
        if ((ret = kz_xapp_open(&mon->x, r.loop, &ma, &mc, mon)) != 0) {
            kz_eval_errf(err, errlen, "KPM monitor: %s", kz_strerror(ret));
            goto out;
        }
    }
    if ((ret = kz_emu_start(r.e)) != 0) {
        kz_eval_errf(err, errlen, "emulator start: %s", kz_strerror(ret));
        goto out;
    }
    if (sim)
        ret = kz_sim_run_until(sim, (int64_t)((r.dur + 3600) * 1e9));
    else /* a real clock: the day at `speed`, plus a minute of slack */
        ret = kz_loop_run_until(real, kz_loop_now(real) + (int64_t)((r.dur / speed + 60) * 1e9));
    if (ret || !kz_emu_done(r.e)) {
        kz_eval_errf(err, errlen, "the simulation stopped before the emulator's end (%s)",
             ret ? kz_strerror(ret) : "stopped");
        ret = ret ? ret : KZ_EIO;
        goto out;
    }
    if (rc->progress)
        rc->progress(rc->ud, res->name, 1.0);
    kz_metrics_result(r.m, &res->m);
    kz_es_stats_get(kz_esx_core(esx), &res->es);
    res->truth_hash = kz_emu_truth_hash(r.e);
    struct kz_esx_stats xs;
    kz_esx_stats_get(esx, &xs);
    res->ue_handovers = xs.rc_ok;
    res->ctrl_failed = xs.ccc_failed;
    if (st) {
        kz_emu_e2_stats es2;
        kz_emu_e2_stats_get(r.e, &es2);
        kz_ric_stats rs;
        kz_ric_stats_get(ric, &rs);
        kz_sim_stats ss;
        memset(&ss, 0, sizeof ss);
        if (sim)
            kz_sim_stats_get(sim, &ss);
        st->nodes = es2.nodes;
        st->nodes_setup = es2.nodes_setup;
        st->subs_ok = rs.subs_ok;
        st->subs_failed = rs.subs_failed;
        st->subs_merged = rs.subs_merged;
        st->node_indications = es2.indications;
        st->ric_indications_rx = rs.indications_rx;
        st->ric_routed = rs.indications_routed;
        st->ric_dropped = rs.indications_dropped;
        st->ric_orphan = rs.indications_orphan;
        st->xapp_indications = xs.indications;
        st->nrt_reports = xs.nrt_reports;
        st->nrt_cells = xs.nrt_cells;
        st->nrt_bad = xs.nrt_bad;
        st->xapp_ue_indications = xs.ue_indications;
        st->xapp_ue_reports = xs.ue_reports;
        st->monitor_indications = mon ? mon->indications : 0;
        st->decisions = xs.decisions;
        st->ccc_sent = xs.ccc_sent;
        st->ccc_ok = xs.ccc_ok;
        st->ccc_failed = xs.ccc_failed;
        st->rc_sent = xs.rc_sent;
        st->rc_ok = xs.rc_ok;
        st->rc_failed = xs.rc_failed;
        st->handovers_without_ues = xs.handovers_without_ues;
        st->ric_controls = rs.controls_tx;
        st->ric_controls_ok = rs.controls_ok;
        st->ric_controls_failed = rs.controls_failed;
        st->ric_controls_timeout = rs.controls_timeout;
        st->sim_messages = ss.delivered;
        st->sim_trace_hash = ss.trace_hash;
    }
    ret = 0;
out:
    kz_esx_close(esx);
    if (mon) {
        if (mon->x)
            kz_xapp_close(mon->x);
        free(mon->done);
        free(mon);
    }
    kz_emu_destroy(r.e);
    if (ric)
        kz_ric_close(ric);
    if (sim)
        kz_sim_close(sim);
    if (real) {
        kz_loop_run_until(real, kz_loop_now(real) + 100 * KZ_NS_PER_MS); /* let closes go out */
        kz_loop_close(real);
    }
    kz_metrics_close(r.m);
    free(cells);
    free(r.wake_at);
    if (ret)
        kz_run_result_free(res);
    res->wall_s = wall_now() - w0;
    return ret;
}

void kz_e2_run_stats_print(FILE *f, const struct kz_e2_run_stats *s)
{
    fprintf(f,
            "E2: %u/%u nodes set up; subscriptions %llu ok, %llu failed (%llu merged in the RIC)\n"
            "    indications: %llu sent by the nodes, %llu received and %llu routed by the RIC, "
            "%llu dropped, %llu orphan;\n"
            "      energy saver decoded %llu cell-level + %llu UE-level (%llu UE reports), "
            "KPM monitor %llu; %llu decisions\n"
            "    controls: CCC sleep/wake/antenna mask %llu sent, %llu acknowledged+accepted, %llu failed; "
            "RC handover %llu sent, %llu acknowledged, %llu failed\n"
            "      (RIC: %llu controls, %llu acknowledged, %llu failed, %llu timed out; "
            "%llu sleeps without UE list)\n",
            s->nodes_setup, s->nodes, (unsigned long long)s->subs_ok,
            (unsigned long long)s->subs_failed, (unsigned long long)s->subs_merged,
            (unsigned long long)s->node_indications, (unsigned long long)s->ric_indications_rx,
            (unsigned long long)s->ric_routed, (unsigned long long)s->ric_dropped,
            (unsigned long long)s->ric_orphan, (unsigned long long)s->xapp_indications,
            (unsigned long long)s->xapp_ue_indications, (unsigned long long)s->xapp_ue_reports,
            (unsigned long long)s->monitor_indications, (unsigned long long)s->decisions,
            (unsigned long long)s->ccc_sent, (unsigned long long)s->ccc_ok,
            (unsigned long long)s->ccc_failed, (unsigned long long)s->rc_sent,
            (unsigned long long)s->rc_ok, (unsigned long long)s->rc_failed,
            (unsigned long long)s->ric_controls, (unsigned long long)s->ric_controls_ok,
            (unsigned long long)s->ric_controls_failed,
            (unsigned long long)s->ric_controls_timeout,
            (unsigned long long)s->handovers_without_ues);
    fprintf(f, "    neighbour relations (RC REPORT style 3): %llu reports, %llu cells, %llu bad\n",
            (unsigned long long)s->nrt_reports, (unsigned long long)s->nrt_cells,
            (unsigned long long)s->nrt_bad);
    if (s->sim_messages)
        fprintf(f, "    simulator: %llu messages delivered, trace hash %016llx\n",
                (unsigned long long)s->sim_messages, (unsigned long long)s->sim_trace_hash);
    else
        fprintf(f, "    real sockets (sctp+udp:// E2, unix:// bus): no simulator trace\n");
}
