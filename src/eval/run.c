/*
 * eval/run.c -- a policy on the emulator, offline; the comparison of all policies.
 * See run.h.  The emulator is stepped directly (no loop); reports are period means of the
 * ground truth, the same quantities the emulator's KPM carries.
 */
#include "eval/run.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/scenario.h"
#include "eval/e2_runner.h"
#include "eval/bound.h"
#include "kizuna/emu.h"
#include "kizuna/error.h"

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void kz_eval_errf(char *err, size_t len, const char *fmt, ...)
{
    if (!err || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

int kz_run_es_neighbours(const kz_emu *e, kz_es *es)
{
    uint32_t nb[64];
    for (size_t i = 0; i < kz_emu_n_cells(e); i++) {
        int n = kz_emu_cell_neighbours(e, (uint32_t)i, nb, 64);
        if (n < 0)
            return n;
        int rc = kz_es_set_neighbours(es, (uint32_t)i, nb, n > 64 ? 64 : (size_t)n);
        if (rc)
            return rc;
    }
    return 0;
}

void kz_run_cfg_default(struct kz_run_cfg *cfg, const struct kz_scenario *sc,
                        enum kz_es_mode mode)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->sc = sc;
    kz_es_params_default(&cfg->es, mode);
    cfg->window_s = 900;
}

struct kz_es_cell *kz_run_es_cells(const kz_emu *e, size_t *n)
{
    size_t nc = kz_emu_n_cells(e);
    struct kz_es_cell *c = calloc(nc ? nc : 1, sizeof *c);
    if (!c)
        return NULL;
    for (size_t i = 0; i < nc; i++) {
        kz_emu_cell_info ci;
        kz_emu_cell_info_get(e, (uint32_t)i, &ci);
        c[i].nci = ci.nci;
        c[i].cover = -1;
        c[i].n_txru = kz_emu_cell_n_txru(e, (uint32_t)i);
        c[i].site = ci.site + 1;
        if (ci.layer == KZ_EMU_LAYER_COVERAGE)
            c[i].role = KZ_ES_COVERAGE;
        else if (ci.layer == KZ_EMU_LAYER_CAPACITY && ci.coverage_peer >= 0) {
            c[i].role = KZ_ES_CAPACITY;
            c[i].cover = ci.coverage_peer;
        } else
            c[i].role = KZ_ES_OTHER;
    }
    *n = nc;
    return c;
}

void kz_run_result_free(struct kz_run_result *res)
{
    if (!res)
        return;
    free(res->served_mbps);
    free(res->prb);
    free(res->cov_cap_mbps);
    free(res->cover);
    free(res->layer);
    res->served_mbps = res->prb = res->cov_cap_mbps = NULL;
    res->cover = NULL;
    res->layer = NULL;
}

struct kz__acc {          /* one cell over the current period */
    double prb_dt, bits, act_dt, power_dt;
};

/* HANDOVER: every UE of cell to target (those the target cannot take stay for the sleep). */
static uint64_t move_users(kz_emu *e, uint32_t cell, uint32_t target)
{
    uint64_t moved = 0;
    size_t nu = kz_emu_n_ues(e);
    for (uint32_t u = 0; u < nu; u++) {
        kz_emu_ue_info ui;
        if (kz_emu_ue_info_get(e, u, &ui) == 0 && ui.serving == (int32_t)cell &&
            kz_emu_handover(e, u, target) == 0)
            moved++;
    }
    return moved;
}

/* The in-process equivalent of UE-level KPM DRB.UEThpDl for the tail guard (es.h): per UE and
 * period its bits served over its time transmitting (sum(bits) / sum(bits / throughput), the
 * node's formula, emu/gnb.c), for the cell that served its last step -- so the floor learned
 * in-process and the tails the xApp sees over E2 are the same statistic. */
struct kz__ue_tail {
    size_t nu, nc, n_touched;
    double *sum, *tx;   /* bits served, seconds transmitting */
    uint32_t *n, *touched, *count;
    int32_t *cell;
    struct kz_es_ue_sample *vals;
};

static int ue_tail_open(struct kz__ue_tail *u, size_t nu, size_t nc)
{
    memset(u, 0, sizeof *u);
    u->nu = nu;
    u->nc = nc;
    u->sum = calloc(nu ? nu : 1, sizeof *u->sum);
    u->tx = calloc(nu ? nu : 1, sizeof *u->tx);
    u->n = calloc(nu ? nu : 1, sizeof *u->n);
    u->touched = calloc(nu ? nu : 1, sizeof *u->touched);
    u->cell = calloc(nu ? nu : 1, sizeof *u->cell);
    u->vals = calloc(nu ? nu : 1, sizeof *u->vals);
    u->count = calloc(nc + 1, sizeof *u->count);
    return u->sum && u->tx && u->n && u->touched && u->cell && u->vals && u->count ? 0 : KZ_ENOMEM;
}

static void ue_tail_close(struct kz__ue_tail *u)
{
    free(u->sum);
    free(u->tx);
    free(u->n);
    free(u->touched);
    free(u->cell);
    free(u->vals);
    free(u->count);
}

static void ue_tail_step(struct kz__ue_tail *u, const kz_emu_truth *t)
{
    size_t k = 0;
    for (size_t i = 0; i < u->nc && i < t->n_cells; i++)
        for (uint32_t j = 0; j < t->cells[i].n_active && k < t->n_thp; j++, k++) {
            uint32_t ui = t->ue_index ? t->ue_index[k] : UINT32_MAX;
            double v = t->ue_thp_bps[k], bits = t->ue_served_bits ? t->ue_served_bits[k] : 0;
            if (ui >= u->nu || !(v > 0) || !(bits > 0))
                continue;
            if (!u->n[ui])
                u->touched[u->n_touched++] = ui;
            u->n[ui]++;
            u->sum[ui] += bits;
            u->tx[ui] += bits / v;
            u->cell[ui] = (int32_t)i;
        }
}

/* The period's UE means into the core's samples and each cell's 10th percentile into obs. */
static void ue_tail_period(struct kz__ue_tail *u, kz_es *es, struct kz_es_obs *obs)
{
    memset(u->count, 0, (u->nc + 1) * sizeof *u->count);
    for (size_t k = 0; k < u->n_touched; k++)
        u->count[u->cell[u->touched[k]] + 1]++;
    for (size_t i = 0; i < u->nc; i++)
        u->count[i + 1] += u->count[i]; /* count[i]: start of cell i */
    for (size_t k = 0; k < u->n_touched; k++) {
        uint32_t ui = u->touched[k];
        u->vals[u->count[u->cell[ui]]++] =
            (struct kz_es_ue_sample){(float)(u->sum[ui] / u->tx[ui] * 1e-6), (float)u->tx[ui]};
        u->sum[ui] = 0;
        u->tx[ui] = 0;
        u->n[ui] = 0;
    }
    /* count[i] is now the end of cell i */
    kz_es_ue_samples(es, u->vals, u->n_touched);
    for (size_t i = 0; i < u->nc; i++) {
        size_t b = i ? u->count[i - 1] : 0, e = u->count[i];
        obs[i].ue_thr_lo_mbps = kz_es_cell_tail(es, u->vals + b, e - b);
    }
    u->n_touched = 0;
}

int kz_run_policy(const struct kz_run_cfg *cfg, struct kz_run_result *res, char *err,
                  size_t errlen)
{
    memset(res, 0, sizeof *res);
    snprintf(res->name, sizeof res->name, "%s", kz_es_mode_name(cfg->es.mode));
    double w0 = wall_now();
    kz_emu_cfg ec;
    kz_emu_cfg_default(&ec);
    ec.scenario = cfg->sc;
    ec.seed = cfg->seed;
    ec.day_seed = cfg->day_seed;
    ec.duration_s = cfg->duration_s;
    ec.step_s = cfg->step_s;
    kz_emu *e = NULL;
    int rc = kz_emu_create(&e, &ec, err, errlen);
    if (rc)
        return rc;
    const size_t nc = kz_emu_n_cells(e);
    const double step = kz_emu_step_s(e);
    const double dur = cfg->duration_s > 0 ? cfg->duration_s : cfg->sc->duration_s;
    const double period = cfg->es.period_s;
    const size_t np = (size_t)ceil(dur / period - 1e-9);
    const double tod0 = cfg->sc->start_s;

    struct kz_es_cell *cells = kz_run_es_cells(e, &res->n_cells);
    struct kz__acc *acc = calloc(nc, sizeof *acc);
    struct kz_es_obs *obs = calloc(nc, sizeof *obs);
    struct kz_es_action *act = calloc(nc * 2 + 4, sizeof *act);
    double *wake_at = calloc(nc, sizeof *wake_at);
    double *cap_bits = calloc(nc, sizeof *cap_bits), *cap_prb = calloc(nc, sizeof *cap_prb);
    struct kz__ue_tail tail;
    int tail_rc = ue_tail_open(&tail, kz_emu_n_ues(e), nc);
    res->layer = calloc(nc, 1);
    res->cover = calloc(nc, sizeof *res->cover);
    kz_metrics *m = NULL;
    kz_es *es = cfg->trained;
    rc = KZ_ENOMEM;
    if (!cells || !acc || !obs || !act || !wake_at || !cap_bits || !cap_prb || !res->layer ||
        !res->cover || tail_rc)
        goto out;
    if ((rc = kz_metrics_open(&m, dur, cfg->window_s > 0 ? cfg->window_s : 900)) != 0) {
        kz_eval_errf(err, errlen, "metrics: duration %.0f s / window %.0f s", dur, cfg->window_s);
        goto out;
    }
    kz_metrics_set_event_ues(m, kz_emu_first_event_ue(e));
    for (size_t i = 0; i < nc; i++) {
        kz_emu_cell_info ci;
        kz_emu_cell_info_get(e, (uint32_t)i, &ci);
        res->layer[i] = ci.layer;
        res->cover[i] = cells[i].role == KZ_ES_CAPACITY ? cells[i].cover : -1;
        if (cells[i].role == KZ_ES_CAPACITY)
            res->n_capacity++;
    }
    if (!es && (rc = kz_es_open(&es, &cfg->es, cells, nc)) != 0) {
        kz_eval_errf(err, errlen, "decision core: bad parameters or topology");
        goto out;
    }
    /* the NRT goes to a deciding core only: a learning day (always-on) leaves a core that the E2
     * runner hands to the xApp, which must get its relations over E2 */
    if (!cfg->no_nrt && cfg->es.mode != KZ_ES_ALWAYS_ON &&
        (rc = kz_run_es_neighbours(e, es)) != 0) {
        kz_eval_errf(err, errlen, "decision core: neighbour relations");
        goto out;
    }
    if (cfg->es.mode == KZ_ES_SCHEDULE && cfg->schedule &&
        (rc = kz_es_set_schedule(es, cfg->t_offset_s + tod0, period, cfg->sched_slots,
                                 cfg->schedule)) != 0)
        goto out;
    if (cfg->es.mode == KZ_ES_SCHEDULE && cfg->mute_schedule &&
        (rc = kz_es_set_mute_schedule(es, cfg->t_offset_s + tod0, period, cfg->sched_slots,
                                      cfg->mute_schedule)) != 0)
        goto out;
    if (cfg->record) {
        res->served_mbps = calloc(nc * np, sizeof *res->served_mbps);
        res->prb = calloc(nc * np, sizeof *res->prb);
        res->cov_cap_mbps = calloc(nc, sizeof *res->cov_cap_mbps);
        if (!res->served_mbps || !res->prb || !res->cov_cap_mbps) {
            rc = KZ_ENOMEM;
            goto out;
        }
    }
    res->n_periods = np;

    double t_acc = 0, next_progress = 0;
    size_t period_k = 0;
    rc = 0;
    for (;;) {
        int done = kz_emu_step(e);
        const kz_emu_truth *t = kz_emu_truth_get(e);
        kz_metrics_add(m, t, res->layer);
        if (cfg->on_step)
            cfg->on_step(cfg->step_ud, t);
        ue_tail_step(&tail, t);
        for (size_t i = 0; i < nc; i++) {
            const kz_emu_cell_truth *c = &t->cells[i];
            acc[i].prb_dt += c->prb_util * t->dt_s;
            acc[i].bits += c->served_bits;
            acc[i].act_dt += c->n_active * t->dt_s;
            acc[i].power_dt += c->power_w * t->dt_s;
            if (c->prb_util > 0.05 && c->state == KZ_EMU_CELL_ON) {
                cap_bits[i] += c->served_bits;
                cap_prb[i] += c->prb_util * t->dt_s;
            }
            if (wake_at[i] > 0 && c->state == KZ_EMU_CELL_ON) {
                double r = t->t_s - wake_at[i] + period; /* breach somewhere in the last period */
                if (r > res->max_guard_reaction_s)
                    res->max_guard_reaction_s = r;
                wake_at[i] = 0;
            }
        }
        t_acc += t->dt_s;
        if (t_acc >= period - step / 2 || done) {
            for (size_t i = 0; i < nc; i++) {
                const kz_emu_cell_truth *c = &t->cells[i];
                struct kz_es_obs *o = &obs[i];
                o->prb = acc[i].prb_dt / t_acc;
                o->thr_mbps = acc[i].bits / t_acc / 1e6;
                o->ue_thr_mbps = acc[i].act_dt > 0 ? acc[i].bits / acc[i].act_dt / 1e6 : -1;
                o->n_ue = c->n_ues;
                o->power_w = acc[i].power_dt / t_acc;
                o->serving = c->state == KZ_EMU_CELL_ON;
                if (res->served_mbps && period_k < np) {
                    res->served_mbps[i * np + period_k] = o->thr_mbps;
                    res->prb[i * np + period_k] = o->prb;
                }
            }
            ue_tail_period(&tail, es, obs);
            memset(acc, 0, nc * sizeof *acc);
            t_acc = 0;
            period_k++;
            double tes = cfg->t_offset_s + tod0 + t->t_s;
            size_t na = kz_es_step(es, tes, obs, act, nc * 2 + 4);
            for (size_t a = 0; a < na; a++) {
                struct kz_es_action *x = &act[a];
                int r = 0;
                if (x->kind == KZ_ES_HANDOVER)
                    res->ue_handovers += move_users(e, x->cell, x->target);
                else if (x->kind == KZ_ES_SLEEP)
                    r = kz_emu_cell_sleep(e, x->cell);
                else if (x->kind == KZ_ES_MUTE || x->kind == KZ_ES_UNMUTE)
                    r = kz_emu_cell_set_txru(e, x->cell, x->txru);
                else {
                    r = kz_emu_cell_wake(e, x->cell);
                    if (r == 0 && x->why == KZ_WHY_GUARD)
                        wake_at[x->cell] = t->t_s;
                }
                if (r) {
                    res->ctrl_failed++;
                    kz_es_action_failed(es, x);
                }
                if (cfg->log) {
                    double tod = fmod(tes, 86400.0);
                    fprintf(cfg->log,
                            "t=%.0f tod=%02d:%02d policy=%s action=%s cell=%u nci=0x%09llx "
                            "why=%s fc_util=%.3f cov_prb=%.3f cov_ue_thr=%.1f%s reason=\"%s\"\n",
                            tes, (int)(tod / 3600), (int)fmod(tod / 60, 60), res->name,
                            kz_es_kind_name(x->kind), x->cell,
                            (unsigned long long)cells[x->cell].nci, kz_es_why_name(x->why),
                            x->forecast_util, x->cov_util, x->cov_ue_thr,
                            r ? " refused=1" : "", x->reason);
                }
            }
        }
        if (cfg->progress && t->t_s >= next_progress) {
            cfg->progress(cfg->ud, res->name, t->t_s / dur);
            next_progress += dur / 50;
        }
        if (done)
            break;
    }
    if (cfg->progress)
        cfg->progress(cfg->ud, res->name, 1.0);
    kz_metrics_result(m, &res->m);
    kz_es_stats_get(es, &res->es);
    res->truth_hash = kz_emu_truth_hash(e);
    if (res->cov_cap_mbps)
        for (size_t i = 0; i < nc; i++)
            res->cov_cap_mbps[i] = cap_prb[i] > 0 ? cap_bits[i] / cap_prb[i] / 1e6 : 0;
out:
    if (es != cfg->trained)
        kz_es_close(es);
    kz_metrics_close(m);
    free(cells);
    free(acc);
    free(obs);
    free(act);
    free(wake_at);
    free(cap_bits);
    free(cap_prb);
    ue_tail_close(&tail);
    kz_emu_destroy(e);
    if (rc)
        kz_run_result_free(res);
    res->wall_s = wall_now() - w0;
    return rc;
}

double *kz_run_oracle_u(const struct kz_run_result *ref)
{
    const size_t nc = ref->n_cells, np = ref->n_periods;
    if (!ref->served_mbps || !np)
        return NULL;
    double *u = malloc(nc * np * sizeof *u);
    if (!u)
        return NULL;
    for (size_t i = 0; i < nc; i++) {
        int v = ref->cover[i];
        for (size_t k = 0; k < np; k++) {
            if (v < 0 || ref->cov_cap_mbps[v] <= 0) {
                u[i * np + k] = -1;
                continue;
            }
            u[i * np + k] = (ref->served_mbps[(size_t)v * np + k] + ref->served_mbps[i * np + k]) /
                            ref->cov_cap_mbps[v];
        }
    }
    return u;
}

/* ---- the comparison ----------------------------------------------------------------------- */

void kz_eval_cfg_default(struct kz_eval_cfg *cfg, const struct kz_scenario *sc)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->sc = sc;
    cfg->history_days = 1;
    kz_es_params_energy_saver(&cfg->ai); /* muting with its tail guard, empty-cell sleep */
    kz_es_params_default(&cfg->night, KZ_ES_NIGHT);
    kz_es_params_default(&cfg->threshold, KZ_ES_THRESHOLD);
    cfg->bound_p5_tol = 0.02;
    cfg->bound_unmet_pp = 0.5;
    cfg->bound_rounds = 2;
    cfg->thr_bar_wake_prb = 0.30;
    cfg->thr_bar_max_prb = 0.16;
    cfg->thr_bar_runs = 4;
    cfg->threads = 2;
}

struct kz__job {
    int id;                 /* KZ_EVAL_* */
    int state;              /* 0 waiting, 1 running, 2 done */
    int rc;
};

struct kz__eval {
    const struct kz_eval_cfg *cfg;
    struct kz_run_result *res;
    struct kz__job jobs[KZ_EVAL_NRUNS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char err[256];
    int failed;
};

/* Learning day d of the evaluated city: the same city (seed), another day (run.h).  The energy
 * saver learns from these, and the threshold rule at the bar is tuned on day 0. */
static uint64_t learning_day_seed(const struct kz_eval_cfg *c, unsigned d)
{
    uint64_t seed = c->seed ? c->seed : c->sc->seed;
    return seed + 1000 + d;
}

static int run_ai(struct kz__eval *ev, struct kz_run_result *res, char *err, size_t errlen)
{
    const struct kz_eval_cfg *c = ev->cfg;
    struct kz_run_cfg rc;
    kz_run_cfg_default(&rc, c->sc, KZ_ES_AI);
    rc.es = c->ai;
    rc.es.mode = KZ_ES_AI;
    /* the antenna-muting lever only when the caller set it in cfg->ai (run.h: off by default,
     * it costs the QoS bound) */
    rc.duration_s = c->duration_s;
    rc.progress = c->progress;
    rc.ud = c->ud;
    kz_es *es = NULL;
    int r = 0;
    if (c->history_days > 0) {
        /* learning days: always-on (the decision core only observes), other days of the same
         * network (run.h) */
        struct kz_run_cfg hc = rc;
        hc.es.mode = KZ_ES_ALWAYS_ON;
        kz_emu *probe = NULL;
        kz_emu_cfg ec;
        kz_emu_cfg_default(&ec);
        ec.scenario = c->sc;
        if ((r = kz_emu_create(&probe, &ec, err, errlen)) != 0)
            return r;
        size_t n;
        struct kz_es_cell *cells = kz_run_es_cells(probe, &n);
        kz_emu_destroy(probe);
        if (!cells)
            return KZ_ENOMEM;
        struct kz_es_params p = c->ai;
        p.mode = KZ_ES_ALWAYS_ON; /* learn, decide nothing */
        r = kz_es_open(&es, &p, cells, n);
        free(cells);
        if (r)
            return r;
        uint64_t seed = c->seed ? c->seed : c->sc->seed;
        for (unsigned d = 0; d < c->history_days && !r; d++) {
            struct kz_run_result h;
            hc.seed = seed;
            hc.day_seed = learning_day_seed(c, d);
            hc.trained = es;
            hc.t_offset_s = 86400.0 * d;
            hc.duration_s = 86400;
            r = kz_run_policy(&hc, &h, err, errlen);
            kz_run_result_free(&h);
        }
        if (r) {
            kz_es_close(es);
            return r;
        }
        /* switch the trained core to deciding: reopen with the AI parameters, keep the state */
        kz_es_set_mode(es, KZ_ES_AI);
        kz_es_set_params_mute(es, &rc.es); /* the lever as asked, whatever learned */
        rc.trained = es;
        rc.t_offset_s = 86400.0 * c->history_days;
    }
    rc.seed = c->seed;
    rc.log = c->log;
    rc.no_nrt = c->ai_no_nrt; /* the E2 runner passes it on to the xApp (e2.run = rc) */
    if (c->ai_direct) {
        r = kz_run_policy(&rc, res, err, errlen);
    } else {
        struct kz_e2_run_cfg e2;
        kz_e2_run_cfg_default(&e2, c->sc);
        e2.run = rc;
        e2.rc_handover = !c->ai_no_rc;
        e2.real_time = c->ai_real_time != 0;
        if (c->ai_speed > 0)
            e2.speed = c->ai_speed;
        r = kz_e2_run(&e2, res, c->e2_stats, err, errlen);
    }
    kz_es_close(es);
    return r;
}

/* progress of the threshold rule at the bar: its runs as one, under its own name */
struct kz__thr_bar_progress {
    void (*progress)(void *ud, const char *name, double frac);
    void *ud;
    unsigned k, n;
};

static void thr_bar_progress(void *ud, const char *name, double frac)
{
    (void)name;
    struct kz__thr_bar_progress *p = ud;
    p->progress(p->ud, "threshold@bar", (p->k + frac) / p->n);
}

/* The threshold rule's sleep threshold x that meets the bar against always-on (ao) on the day
 * rc runs: bisection over (0, max_prb], c->thr_bar_runs runs.  The run kept (the most energy
 * among those meeting the bar; while none does, the smallest x) is left in *out with *x_out and
 * *met_out.  pr->k counts the runs for the progress line. */
static int thr_bar_search(const struct kz_eval_cfg *c, struct kz_run_cfg *rc,
                          const struct kz_run_result *ao, struct kz__thr_bar_progress *pr,
                          struct kz_run_result *out, double *x_out, int *met_out, char *err,
                          size_t errlen)
{
    double lo = 0, hi = c->thr_bar_max_prb, best_x = 0;
    int have = 0, met = 0;
    for (unsigned k = 0; k < c->thr_bar_runs; k++, pr->k++) {
        double x = (lo + hi) / 2;
        struct kz_run_result r;
        rc->es.thr_sleep_prb = x;
        int rr = kz_run_policy(rc, &r, err, errlen);
        if (rr) {
            if (have)
                kz_run_result_free(out);
            return rr;
        }
        int ok = kz_eval_meets_bar(ao, &r, c->bound_p5_tol, c->bound_unmet_pp);
        int keep = !have || (ok && (!met || r.m.energy_kwh < out->m.energy_kwh)) ||
                   (!ok && !met && x < best_x);
        if (keep) {
            if (have)
                kz_run_result_free(out);
            *out = r;
            best_x = x;
            met = ok;
            have = 1;
        } else {
            kz_run_result_free(&r);
        }
        if (ok)
            lo = x;
        else
            hi = x;
    }
    if (!have) /* thr_bar_runs 0 */
        return KZ_EINVAL;
    *x_out = best_x;
    *met_out = met;
    return 0;
}

/* The threshold rule at the bar (run.h): x tuned on the first learning day against that day's
 * always-on, then run on the evaluated day -- or, thr_bar_hindsight, searched on the evaluated
 * day itself. */
static int run_threshold_bar(struct kz__eval *ev, const struct kz_run_cfg *base,
                             struct kz_run_result *out, char *err, size_t errlen)
{
    const struct kz_eval_cfg *c = ev->cfg;
    const int hindsight = c->thr_bar_hindsight || c->history_days == 0;
    struct kz_run_cfg rc = *base;
    rc.es = c->threshold;
    rc.es.mode = KZ_ES_THRESHOLD;
    rc.es.thr_wake_prb = c->thr_bar_wake_prb;
    struct kz__thr_bar_progress pr = {c->progress, c->ud, 0,
                                      c->thr_bar_runs + (hindsight ? 0 : 2)};
    if (c->progress) {
        rc.progress = thr_bar_progress;
        rc.ud = &pr;
    }
    double x = 0;
    int met = 0, r;
    if (hindsight) {
        r = thr_bar_search(c, &rc, &ev->res[KZ_EVAL_ALWAYS_ON], &pr, out, &x, &met, err, errlen);
        if (r)
            return r;
    } else {
        /* yesterday: the same city on the first learning day (run_ai's), its own always-on */
        struct kz_run_cfg day = rc;
        day.seed = c->seed ? c->seed : c->sc->seed;
        day.day_seed = learning_day_seed(c, 0);
        day.es = base->es; /* always-on (run_job's) */
        struct kz_run_result ao, tuned;
        if ((r = kz_run_policy(&day, &ao, err, errlen)) != 0)
            return r;
        pr.k++;
        day.es = rc.es;
        r = thr_bar_search(c, &day, &ao, &pr, &tuned, &x, &met, err, errlen);
        kz_run_result_free(&ao);
        if (r)
            return r;
        kz_run_result_free(&tuned);
        /* today, with yesterday's x: whether it meets today's bar is the verdict line's */
        rc.es.thr_sleep_prb = x;
        if ((r = kz_run_policy(&rc, out, err, errlen)) != 0)
            return r;
        pr.k++;
        met = kz_eval_meets_bar(&ev->res[KZ_EVAL_ALWAYS_ON], out, c->bound_p5_tol,
                                c->bound_unmet_pp);
    }
    snprintf(out->name, sizeof out->name, "threshold@bar");
    if (c->thr_bar_info) {
        c->thr_bar_info->sleep_prb = x;
        c->thr_bar_info->wake_prb = c->thr_bar_wake_prb;
        c->thr_bar_info->runs = pr.k;
        c->thr_bar_info->met = met;
        c->thr_bar_info->hindsight = hindsight;
    }
    return 0;
}

static int run_job(struct kz__eval *ev, int id, char *err, size_t errlen)
{
    const struct kz_eval_cfg *c = ev->cfg;
    struct kz_run_cfg rc;
    kz_run_cfg_default(&rc, c->sc, KZ_ES_ALWAYS_ON);
    rc.seed = c->seed;
    rc.duration_s = c->duration_s;
    rc.progress = c->progress;
    rc.ud = c->ud;
    switch (id) {
    case KZ_EVAL_ALWAYS_ON:
        rc.record = 1;
        return kz_run_policy(&rc, &ev->res[id], err, errlen);
    case KZ_EVAL_NIGHT:
        rc.es = c->night;
        rc.es.mode = KZ_ES_NIGHT;
        return kz_run_policy(&rc, &ev->res[id], err, errlen);
    case KZ_EVAL_THRESHOLD:
        rc.es = c->threshold;
        rc.es.mode = KZ_ES_THRESHOLD;
        return kz_run_policy(&rc, &ev->res[id], err, errlen);
    case KZ_EVAL_THRESHOLD_BAR:
        return run_threshold_bar(ev, &rc, &ev->res[id], err, errlen);
    case KZ_EVAL_CLAIRVOYANT: {
        const struct kz_run_result *ref = &ev->res[KZ_EVAL_ALWAYS_ON];
        struct kz_bound_cfg bc;
        kz_bound_cfg_default(&bc, c->sc);
        bc.seed = c->seed;
        bc.duration_s = c->duration_s;
        bc.es.min_sleep_s = c->ai.min_sleep_s;
        bc.es.min_awake_s = c->ai.min_awake_s;
        bc.p5_tol = c->bound_p5_tol;
        bc.unmet_pp = c->bound_unmet_pp;
        bc.rounds = c->bound_rounds;
        bc.threads = c->threads;
        bc.p5_ref_mbps = ref->m.thp_p5_mbps;
        bc.progress = c->progress;
        bc.ud = c->ud;
        struct kz_bound_info info;
        int rr = kz_bound_search(&bc, &ev->res[id], &info, err, errlen);
        if (rr == 0 && c->bound_info)
            *c->bound_info = info;
        return rr;
    }
    case KZ_EVAL_AI:
        return run_ai(ev, &ev->res[id], err, errlen);
    }
    return KZ_EINVAL;
}

/* Next runnable job (the clairvoyant and the threshold rule at the bar wait for always-on, the
 * bar's reference), or -1 when none is left. */
static int next_job(struct kz__eval *ev)
{
    /* longest first: the energy saver has its learning days */
    static const int order[KZ_EVAL_NRUNS] = {KZ_EVAL_AI, KZ_EVAL_ALWAYS_ON,
                                             KZ_EVAL_CLAIRVOYANT, KZ_EVAL_THRESHOLD_BAR,
                                             KZ_EVAL_NIGHT, KZ_EVAL_THRESHOLD};
    for (;;) {
        int waiting = 0;
        for (int k = 0; k < KZ_EVAL_NRUNS; k++) {
            struct kz__job *j = &ev->jobs[order[k]];
            if (j->state != 0)
                continue;
            if (ev->failed)
                return -1;
            if ((j->id == KZ_EVAL_CLAIRVOYANT || j->id == KZ_EVAL_THRESHOLD_BAR) &&
                ev->jobs[KZ_EVAL_ALWAYS_ON].state != 2) {
                waiting = 1;
                continue;
            }
            j->state = 1;
            return j->id;
        }
        if (!waiting)
            return -1;
        pthread_cond_wait(&ev->cv, &ev->mu);
    }
}

static void *worker(void *arg)
{
    struct kz__eval *ev = arg;
    pthread_mutex_lock(&ev->mu);
    for (;;) {
        int id = next_job(ev);
        if (id < 0 || id >= KZ_EVAL_NRUNS)
            break;
        pthread_mutex_unlock(&ev->mu);
        char err[256] = "";
        int rc = run_job(ev, id, err, sizeof err);
        pthread_mutex_lock(&ev->mu);
        ev->jobs[id].rc = rc;
        ev->jobs[id].state = 2;
        if (rc && !ev->failed) {
            ev->failed = rc;
            static const char *const names[KZ_EVAL_NRUNS] = {
                "always-on", "night-schedule", "threshold", "threshold@bar", "clairvoyant",
                "energy-saver"};
            snprintf(ev->err, sizeof ev->err, "%s: %.220s", names[id],
                     err[0] ? err : kz_strerror(rc));
        }
        pthread_cond_broadcast(&ev->cv);
    }
    pthread_mutex_unlock(&ev->mu);
    return NULL;
}

int kz_eval_compare(const struct kz_eval_cfg *cfg, struct kz_run_result *res, char *err,
                    size_t errlen)
{
    struct kz__eval ev;
    memset(&ev, 0, sizeof ev);
    memset(res, 0, KZ_EVAL_NRUNS * sizeof *res);
    ev.cfg = cfg;
    ev.res = res;
    for (int k = 0; k < KZ_EVAL_NRUNS; k++)
        ev.jobs[k].id = k;
    pthread_mutex_init(&ev.mu, NULL);
    pthread_cond_init(&ev.cv, NULL);
    unsigned nt = cfg->threads ? cfg->threads : 1;
    if (nt > KZ_EVAL_NRUNS)
        nt = KZ_EVAL_NRUNS;
    pthread_t th[KZ_EVAL_NRUNS];
    unsigned started = 0;
    for (unsigned i = 1; i < nt; i++)
        if (pthread_create(&th[started], NULL, worker, &ev) == 0)
            started++;
    worker(&ev);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&ev.mu);
    pthread_cond_destroy(&ev.cv);
    if (ev.failed) {
        kz_eval_errf(err, errlen, "%s", ev.err);
        for (int k = 0; k < KZ_EVAL_NRUNS; k++)
            kz_run_result_free(&res[k]);
        return ev.failed;
    }
    snprintf(res[KZ_EVAL_AI].name, sizeof res[KZ_EVAL_AI].name, "energy-saver");
    return 0;
}

void kz_eval_print_table(FILE *f, const struct kz_run_result *res, size_t n)
{
    const struct kz_run_result *ref = &res[KZ_EVAL_ALWAYS_ON];
    double e0 = ref->m.energy_kwh;
    double best = n > KZ_EVAL_CLAIRVOYANT ? e0 - res[KZ_EVAL_CLAIRVOYANT].m.energy_kwh : 0;
    fprintf(f, "%-15s %10s %8s %9s %9s %8s %8s %7s %7s %9s %14s\n", "policy", "energy kWh",
            "saving", "thp mean", "thp p5", "p5 vs", "unmet", "sleeps", "wakes", "of bound",
            "forecast err");
    fprintf(f, "%-15s %10s %8s %9s %9s %8s %8s %7s %7s %9s %14s\n", "", "", "%", "Mbit/s",
            "Mbit/s", "a-on %", "%", "", "", "%", "MAE / MAPE");
    for (size_t k = 0; k < n; k++) {
        const struct kz_run_result *r = &res[k];
        double sav = e0 > 0 ? 100.0 * (e0 - r->m.energy_kwh) / e0 : 0;
        char fc[32] = "-", ob[16] = "-";
        if (k == KZ_EVAL_AI) {
            double mae, mape;
            kz_es_stats_fc_error(&r->es, KZ_FC_USED, r->es.fc_horizon, &mae, &mape);
            snprintf(fc, sizeof fc, "%.1f / %.1f%%", mae, 100 * mape);
        }
        if (best > 0 && k != KZ_EVAL_ALWAYS_ON)
            snprintf(ob, sizeof ob, "%.0f", 100.0 * (e0 - r->m.energy_kwh) / best);
        double p5d = ref->m.thp_p5_mbps > 0
                         ? 100.0 * (r->m.thp_p5_mbps / ref->m.thp_p5_mbps - 1) : 0;
        fprintf(f, "%-15s %10.1f %8.1f %9.1f %9.3f %+8.2f %8.2f %7llu %7llu %9s %14s\n", r->name,
                r->m.energy_kwh, sav, r->m.thp_mean_mbps, r->m.thp_p5_mbps, p5d, r->m.unmet_pct,
                (unsigned long long)r->es.sleeps, (unsigned long long)r->es.wakes, ob, fc);
    }
    if (!(ref->m.event_steps > 0))
        return;
    /* a scenario with events (a stadium crowd): their users alone, which the network's p5 can
     * hide */
    fprintf(f, "\nevent users alone (%.0f UE-steps): thp p5 / mean Mbit/s, p5 vs always-on\n",
            ref->m.event_steps);
    for (size_t k = 0; k < n; k++) {
        const struct kz_metrics_result *m = &res[k].m;
        double d = ref->m.event_p5_mbps > 0
                       ? 100.0 * (m->event_p5_mbps / ref->m.event_p5_mbps - 1) : 0;
        fprintf(f, "%-15s %9.3f %9.1f %+8.2f\n", res[k].name, m->event_p5_mbps,
                m->event_mean_mbps, d);
    }
}

int kz_eval_bar_met(double p5, double unmet, double p5_ref, double unmet_ref, double p5_tol,
                    double unmet_pp)
{
    return p5 >= (1 - p5_tol) * p5_ref && unmet <= unmet_ref + unmet_pp;
}

int kz_eval_meets_bar(const struct kz_run_result *ao, const struct kz_run_result *r,
                      double p5_tol, double unmet_pp)
{
    return kz_eval_bar_met(r->m.thp_p5_mbps, r->m.unmet_pct, ao->m.thp_p5_mbps,
                           ao->m.unmet_pct, p5_tol, unmet_pp);
}

void kz_eval_print_bar(FILE *f, const struct kz_run_result *res, size_t n, double p5_tol,
                       double unmet_pp)
{
    const struct kz_run_result *ao = &res[KZ_EVAL_ALWAYS_ON];
    fprintf(f, "QoS bar (p5 >= %.3f Mbit/s = %.0f %% of always-on, unmet <= %.2f %%):",
            (1 - p5_tol) * ao->m.thp_p5_mbps, 100 * (1 - p5_tol), ao->m.unmet_pct + unmet_pp);
    for (int pass = 1; pass >= 0; pass--) {
        int first = 1;
        for (size_t k = 0; k < n; k++) {
            if (k == KZ_EVAL_ALWAYS_ON || kz_eval_meets_bar(ao, &res[k], p5_tol, unmet_pp) != pass)
                continue;
            fprintf(f, "%s%s", first ? (pass ? " met by " : "; broken by ") : ", ", res[k].name);
            first = 0;
            if (pass)
                continue;
            double p5d = ao->m.thp_p5_mbps > 0
                             ? 100.0 * (res[k].m.thp_p5_mbps / ao->m.thp_p5_mbps - 1) : 0;
            double du = res[k].m.unmet_pct - ao->m.unmet_pct;
            fprintf(f, " (p5 %+.2f %%, unmet %+.2f pp)", p5d,
                    fabs(du) < 0.005 ? 0.0 : du); /* no "-0.00" */
        }
        if (first && pass)
            fprintf(f, " met by none");
    }
    fprintf(f, "\n");
}
