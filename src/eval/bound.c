/*
 * eval/bound.c -- the clairvoyant bound under the QoS bar (bound.h says what and why).
 *
 * Probes fold each step's truth per (window, site): energy of the site's cells, UE-steps below
 * T and unmet UE-steps of the UEs its cells serve (kz_emu_truth lists UE throughputs grouped
 * by serving cell; UEs no cell serves go to an extra group that is never chosen for).  The
 * selection is a Lagrangian relaxation: for a multiplier lambda every (window, site) takes the
 * action maximising  saved J - lambda x (extra below-T steps / B + extra unmet steps / U); the
 * smallest lambda whose sums fit in both budgets is found by bisection on log lambda.  Extra
 * costs are clamped at 0: an action never earns budget (noise between two probe days would
 * otherwise be spent as if it were real).  The replays decide; the probes only rank.
 */
#include "eval/bound.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/scenario.h"
#include "kizuna/error.h"

static const struct {
    uint8_t cap, cov;
    const char *name;
} catalogue[KZ_BOUND_ACTIONS] = {
    {0, 0, "on"},
    {1, 0, "cap 1/2"},
    {2, 0, "cap 1/4"},
    {3, 0, "cap 1/8"},
    {3, 1, "cap 1/8 + cov 1/2"},
    {KZ_BOUND_SLEEP, 0, "cap asleep"},
};

void kz_bound_action(int a, uint8_t *cap, uint8_t *cov, const char **name)
{
    if (a < 0 || a >= KZ_BOUND_ACTIONS)
        a = 0;
    if (cap)
        *cap = catalogue[a].cap;
    if (cov)
        *cov = catalogue[a].cov;
    if (name)
        *name = catalogue[a].name;
}

void kz_bound_cfg_default(struct kz_bound_cfg *cfg, const struct kz_scenario *sc)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->sc = sc;
    kz_es_params_default(&cfg->es, KZ_ES_SCHEDULE);
    cfg->window_s = 900;
    cfg->p5_tol = 0.02;
    cfg->unmet_pp = 0.5;
    cfg->rounds = 2;
    cfg->threads = 2;
}

/* per (window, group) of one probe */
struct kz__cellsum {
    double e_j, n, below, unmet;
};

struct kz__bound {
    const struct kz_bound_cfg *cfg;
    size_t nc, n_win, n_grp, np;     /* n_grp = sites + 1 (the last: UEs no cell serves) */
    int *grp;                        /* cell -> site group */
    uint8_t *role;                   /* enum kz_es_role */
    double thr_bps;                  /* T */
    struct kz__cellsum *sum[KZ_BOUND_ACTIONS];
    struct kz_run_result probe[KZ_BOUND_ACTIONS];
    int probe_rc[KZ_BOUND_ACTIONS];
    /* progress */
    pthread_mutex_t mu;
    unsigned done, total;
};

struct kz__probe_ud {
    struct kz__bound *b;
    struct kz__cellsum *s;
};

static void probe_step(void *ud, const kz_emu_truth *t)
{
    struct kz__probe_ud *p = ud;
    const struct kz__bound *b = p->b;
    double mid = t->t_s - t->dt_s / 2;
    size_t w = mid <= 0 ? 0 : (size_t)(mid / b->cfg->window_s);
    if (w >= b->n_win)
        w = b->n_win - 1;
    struct kz__cellsum *row = p->s + w * b->n_grp;
    size_t k = 0, nc = t->n_cells < b->nc ? t->n_cells : b->nc;
    uint32_t unmet_cells = 0;
    for (size_t i = 0; i < nc; i++) {
        const kz_emu_cell_truth *c = &t->cells[i];
        struct kz__cellsum *g = row + b->grp[i];
        g->e_j += c->power_w * t->dt_s;
        g->unmet += c->n_unmet;
        unmet_cells += c->n_unmet;
        for (uint32_t j = 0; j < c->n_active && k < t->n_thp; j++, k++) {
            g->n += 1;
            g->below += t->ue_thp_bps[k] < b->thr_bps;
        }
    }
    struct kz__cellsum *rest = row + (b->n_grp - 1);
    for (; k < t->n_thp; k++) {
        rest->n += 1;
        rest->below += t->ue_thp_bps[k] < b->thr_bps;
    }
    uint32_t unmet_all = t->n_active - t->n_met;
    if (unmet_all > unmet_cells)
        rest->unmet += unmet_all - unmet_cells;
}

/* ---- a small pool: run n jobs on up to `threads` threads ------------------------------------ */

struct kz__pool {
    int (*fn)(void *ctx, size_t job);
    void *ctx;
    size_t n, next;
    pthread_mutex_t mu;
};

static void *pool_worker(void *arg)
{
    struct kz__pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t j = p->next < p->n ? p->next++ : p->n;
        pthread_mutex_unlock(&p->mu);
        if (j >= p->n)
            return NULL;
        p->fn(p->ctx, j);
    }
}

static void pool_run(int (*fn)(void *, size_t), void *ctx, size_t n, unsigned threads)
{
    struct kz__pool p = {.fn = fn, .ctx = ctx, .n = n};
    pthread_mutex_init(&p.mu, NULL);
    pthread_t th[8];
    unsigned started = 0, want = threads ? threads : 1;
    if (want > 8)
        want = 8;
    for (unsigned i = 1; i < want && i < n; i++)
        if (pthread_create(&th[started], NULL, pool_worker, &p) == 0)
            started++;
    pool_worker(&p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&p.mu);
}

static void tick(struct kz__bound *b)
{
    pthread_mutex_lock(&b->mu);
    unsigned d = ++b->done;
    pthread_mutex_unlock(&b->mu);
    if (b->cfg->progress)
        b->cfg->progress(b->cfg->ud, "clairvoyant", d >= b->total ? 1.0 : (double)d / b->total);
}

/* ---- schedules -------------------------------------------------------------------------- */

static void run_cfg_for(const struct kz__bound *b, struct kz_run_cfg *rc)
{
    const struct kz_bound_cfg *c = b->cfg;
    kz_run_cfg_default(rc, c->sc, KZ_ES_SCHEDULE);
    rc->es = c->es;
    rc->es.mode = KZ_ES_SCHEDULE;
    kz_es_params_mute(&rc->es, 0.125); /* levels 1..3 of the catalogue */
    rc->seed = c->seed;
    rc->duration_s = c->duration_s;
    rc->window_s = c->window_s;
}

/* choice[w * n_grp + g] -> per-cell, per-slot sleep and mute schedules */
static void expand(const struct kz__bound *b, const uint8_t *choice, uint8_t *sleep,
                   uint8_t *mute)
{
    const double period = b->cfg->es.period_s;
    for (size_t i = 0; i < b->nc; i++)
        for (size_t k = 0; k < b->np; k++) {
            size_t w = (size_t)((double)k * period / b->cfg->window_s);
            if (w >= b->n_win)
                w = b->n_win - 1;
            uint8_t a = choice[w * b->n_grp + (size_t)b->grp[i]];
            uint8_t s = 0, m = 0;
            if (b->role[i] == KZ_ES_CAPACITY) {
                s = catalogue[a].cap == KZ_BOUND_SLEEP;
                m = s ? 0 : catalogue[a].cap;
            } else if (b->role[i] == KZ_ES_COVERAGE) {
                m = catalogue[a].cov;
            }
            sleep[i * b->np + k] = s;
            mute[i * b->np + k] = m;
        }
}

static int run_choice(const struct kz__bound *b, const uint8_t *choice, struct kz_run_result *res,
                      void (*on_step)(void *, const kz_emu_truth *), void *step_ud, char *err,
                      size_t errlen)
{
    uint8_t *sleep = malloc(b->nc * b->np), *mute = malloc(b->nc * b->np);
    if (!sleep || !mute) {
        free(sleep);
        free(mute);
        memset(res, 0, sizeof *res);
        return KZ_ENOMEM;
    }
    expand(b, choice, sleep, mute);
    struct kz_run_cfg rc;
    run_cfg_for(b, &rc);
    rc.schedule = sleep;
    rc.mute_schedule = mute;
    rc.sched_slots = b->np;
    rc.on_step = on_step;
    rc.step_ud = step_ud;
    int r = kz_run_policy(&rc, res, err, errlen);
    free(sleep);
    free(mute);
    return r;
}

static int probe_job(void *ctx, size_t a)
{
    struct kz__bound *b = ctx;
    size_t nch = b->n_win * b->n_grp;
    uint8_t *choice = malloc(nch);
    if (!choice) {
        b->probe_rc[a] = KZ_ENOMEM;
        return KZ_ENOMEM;
    }
    memset(choice, (int)a, nch);
    struct kz__probe_ud ud = {b, b->sum[a]};
    char err[160];
    b->probe_rc[a] = run_choice(b, choice, &b->probe[a], probe_step, &ud, err, sizeof err);
    free(choice);
    tick(b);
    return b->probe_rc[a];
}

/* ---- selection -------------------------------------------------------------------------- */

struct kz__sel {
    const struct kz__bound *b;
    double budget_b, budget_u;
};

static double extra(double x)
{
    return x > 0 ? x : 0;
}

/* the best action of (w, g) at lambda; allow_sleep 0 excludes the sleeping ones */
static int best_action(const struct kz__sel *s, size_t w, size_t g, double lambda,
                       int allow_sleep, double *cb, double *cu)
{
    const struct kz__bound *b = s->b;
    size_t ix = w * b->n_grp + g;
    const struct kz__cellsum *on = &b->sum[0][ix];
    int best = 0;
    double best_v = 0;
    *cb = *cu = 0;
    for (int a = 1; a < KZ_BOUND_ACTIONS; a++) {
        if (!allow_sleep && catalogue[a].cap == KZ_BOUND_SLEEP)
            continue;
        const struct kz__cellsum *x = &b->sum[a][ix];
        double gain = on->e_j - x->e_j;
        double xb = extra(x->below - on->below), xu = extra(x->unmet - on->unmet);
        double v = gain - lambda * (xb / s->budget_b + xu / s->budget_u);
        if (v > best_v) {
            best_v = v;
            best = a;
            *cb = xb;
            *cu = xu;
        }
    }
    return best;
}

/* Choose at lambda; returns whether the sums fit the budgets. */
static int choose(const struct kz__sel *s, double lambda, uint8_t *choice)
{
    const struct kz__bound *b = s->b;
    double sb = 0, su = 0;
    memset(choice, 0, b->n_win * b->n_grp);
    for (size_t w = 0; w < b->n_win; w++)
        for (size_t g = 0; g + 1 < b->n_grp; g++) {
            double cb, cu;
            choice[w * b->n_grp + g] = (uint8_t)best_action(s, w, g, lambda, 1, &cb, &cu);
            sb += cb;
            su += cu;
        }
    return sb <= s->budget_b && su <= s->budget_u;
}

/* Sleep runs of a site at least min_sleep windows, awake gaps between them at least min_awake
 * windows: a run too short, or the shorter run beside a gap too short, goes to its best
 * non-sleeping action. */
static void fix_dwell(const struct kz__sel *s, double lambda, uint8_t *choice)
{
    const struct kz__bound *b = s->b;
    const struct kz_es_params *p = &b->cfg->es;
    size_t ms = (size_t)ceil(p->min_sleep_s / b->cfg->window_s - 1e-9);
    size_t ma = (size_t)ceil(p->min_awake_s / b->cfg->window_s - 1e-9);
    for (size_t g = 0; g + 1 < b->n_grp; g++) {
        for (int changed = 1; changed;) {
            changed = 0;
            size_t prev_b = 0, prev_e = 0; /* previous sleep run [prev_b, prev_e) */
            int have_prev = 0;
            for (size_t w = 0; w < b->n_win && !changed;) {
                if (catalogue[choice[w * b->n_grp + g]].cap != KZ_BOUND_SLEEP) {
                    w++;
                    continue;
                }
                size_t e = w;
                while (e < b->n_win && catalogue[choice[e * b->n_grp + g]].cap == KZ_BOUND_SLEEP)
                    e++;
                size_t rb = w, re = e;
                int drop = e - w < ms;
                if (!drop && have_prev && w - prev_e < ma) {
                    drop = 1;
                    if (prev_e - prev_b < e - w) { /* drop the shorter of the two */
                        rb = prev_b;
                        re = prev_e;
                    }
                }
                if (drop) {
                    for (size_t x = rb; x < re; x++) {
                        double cb, cu;
                        choice[x * b->n_grp + g] =
                            (uint8_t)best_action(s, x, g, lambda, 0, &cb, &cu);
                    }
                    changed = 1;
                }
                have_prev = 1;
                prev_b = w;
                prev_e = e;
                w = e;
            }
        }
    }
}

static void select_at(const struct kz__bound *b, double scale, double budget_b, double budget_u,
                      uint8_t *choice, double *sel)
{
    struct kz__sel s = {b, budget_b * scale, budget_u * scale};
    if (!(s.budget_b > 1))
        s.budget_b = 1;
    if (!(s.budget_u > 1))
        s.budget_u = 1;
    double lo = -6, hi = 14; /* log10 lambda */
    if (!choose(&s, pow(10, hi), choice)) {
        memset(choice, 0, b->n_win * b->n_grp);
        return;
    }
    for (int it = 0; it < 50; it++) {
        double mid = (lo + hi) / 2;
        if (choose(&s, pow(10, mid), choice))
            hi = mid;
        else
            lo = mid;
    }
    choose(&s, pow(10, hi), choice);
    fix_dwell(&s, pow(10, hi), choice);
    /* what the probes predict for it: extra below-T and unmet UE-steps, kWh saved */
    sel[0] = sel[1] = sel[2] = 0;
    for (size_t w = 0; w < b->n_win; w++)
        for (size_t g = 0; g + 1 < b->n_grp; g++) {
            size_t ix = w * b->n_grp + g;
            const struct kz__cellsum *on = &b->sum[0][ix], *x = &b->sum[choice[ix]][ix];
            sel[0] += extra(x->below - on->below);
            sel[1] += extra(x->unmet - on->unmet);
            sel[2] += (on->e_j - x->e_j) / 3.6e6;
        }
}

/* ---- replays ---------------------------------------------------------------------------- */

struct kz__replay {
    struct kz__bound *b;
    double scale[2];
    uint8_t *choice[2];
    struct kz_run_result res[2];
    int rc[2];
};

static int replay_job(void *ctx, size_t j)
{
    struct kz__replay *r = ctx;
    char err[160];
    r->rc[j] = run_choice(r->b, r->choice[j], &r->res[j], NULL, NULL, err, sizeof err);
    tick(r->b);
    return r->rc[j];
}

static int topology(struct kz__bound *b, char *err, size_t errlen)
{
    const struct kz_bound_cfg *c = b->cfg;
    kz_emu_cfg ec;
    kz_emu_cfg_default(&ec);
    ec.scenario = c->sc;
    ec.seed = c->seed;
    ec.duration_s = c->duration_s;
    kz_emu *e = NULL;
    int r = kz_emu_create(&e, &ec, err, errlen);
    if (r)
        return r;
    size_t n = 0;
    struct kz_es_cell *cells = kz_run_es_cells(e, &n);
    kz_emu_destroy(e);
    if (!cells)
        return KZ_ENOMEM;
    b->nc = n;
    b->grp = calloc(n ? n : 1, sizeof *b->grp);
    b->role = calloc(n ? n : 1, 1);
    if (!b->grp || !b->role) {
        free(cells);
        return KZ_ENOMEM;
    }
    size_t sites = 0;
    for (size_t i = 0; i < n; i++)
        if (cells[i].site > sites)
            sites = cells[i].site;
    for (size_t i = 0; i < n; i++) {
        /* site 0 (unknown) shares group 0 with site 1: harmless, the replay judges */
        b->grp[i] = cells[i].site > 0 ? (int)cells[i].site - 1 : 0;
        b->role[i] = (uint8_t)cells[i].role;
    }
    free(cells);
    b->n_grp = (sites ? sites : 1) + 1;
    return 0;
}

static int meets(const struct kz_bound_info *info, const struct kz_bound_cfg *c,
                 const struct kz_run_result *r)
{
    return kz_eval_bar_met(r->m.thp_p5_mbps, r->m.unmet_pct, info->p5_ref_mbps,
                           info->unmet_ref_pct, c->p5_tol, c->unmet_pp);
}

int kz_bound_search(const struct kz_bound_cfg *cfg, struct kz_run_result *res,
                    struct kz_bound_info *info, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    memset(info, 0, sizeof *info);
    if (!cfg->sc || !(cfg->window_s > 0) || !(cfg->es.period_s > 0) || cfg->p5_tol < 0 ||
        cfg->unmet_pp < 0) {
        kz_eval_errf(err, errlen, "bound: bad parameters");
        return KZ_EINVAL;
    }
    struct kz__bound b;
    memset(&b, 0, sizeof b);
    b.cfg = cfg;
    pthread_mutex_init(&b.mu, NULL);
    int rc = topology(&b, err, errlen);
    uint8_t *choice = NULL;
    struct kz__replay rp;
    memset(&rp, 0, sizeof rp);
    int have_best = 0;
    if (rc)
        goto out;
    const double dur = cfg->duration_s > 0 ? cfg->duration_s : cfg->sc->duration_s;
    b.n_win = (size_t)ceil(dur / cfg->window_s - 1e-9);
    b.np = (size_t)ceil(dur / cfg->es.period_s - 1e-9);
    if (b.n_win < 1)
        b.n_win = 1;
    const size_t nch = b.n_win * b.n_grp;
    rc = KZ_ENOMEM;
    choice = calloc(nch, 1);
    rp.choice[0] = calloc(nch, 1);
    rp.choice[1] = calloc(nch, 1);
    if (!choice || !rp.choice[0] || !rp.choice[1])
        goto out;
    for (int a = 0; a < KZ_BOUND_ACTIONS; a++)
        if (!(b.sum[a] = calloc(nch, sizeof *b.sum[a])))
            goto out;
    b.total = KZ_BOUND_ACTIONS + 1 + 2 * cfg->rounds;

    /* T comes from always-on's p5: given, or measured by a first always-on run */
    if (cfg->p5_ref_mbps > 0) {
        info->p5_ref_mbps = cfg->p5_ref_mbps;
        b.total--;
    } else {
        b.thr_bps = 0;
        if ((rc = probe_job(&b, 0)) != 0) {
            kz_eval_errf(err, errlen, "bound: always-on probe failed");
            goto out;
        }
        info->p5_ref_mbps = b.probe[0].m.thp_p5_mbps;
        memset(b.sum[0], 0, nch * sizeof *b.sum[0]);
        kz_run_result_free(&b.probe[0]);
    }
    b.thr_bps = (1 - cfg->p5_tol) * info->p5_ref_mbps * 1e6;
    /* every action, always-on again among them (its sums at T) */
    pool_run(probe_job, &b, KZ_BOUND_ACTIONS, cfg->threads);
    for (int a = 0; a < KZ_BOUND_ACTIONS; a++)
        if (b.probe_rc[a]) {
            rc = b.probe_rc[a];
            kz_eval_errf(err, errlen, "bound: probe '%s' failed", catalogue[a].name);
            goto out;
        }
    info->unmet_ref_pct = b.probe[0].m.unmet_pct;
    if (fabs(b.probe[0].m.thp_p5_mbps - info->p5_ref_mbps) > 1e-6 * info->p5_ref_mbps)
        info->p5_ref_mbps = b.probe[0].m.thp_p5_mbps; /* a p5_ref_mbps of another run */
    double n0 = 0, below0 = 0;
    for (size_t i = 0; i < nch; i++) {
        n0 += b.sum[0][i].n;
        below0 += b.sum[0][i].below;
    }
    const double budget_b = 0.05 * n0 - below0, budget_u = cfg->unmet_pp / 100 * n0;
    info->budget_below = budget_b;
    info->budget_unmet = budget_u;

    /* the always-on probe is the fallback result */
    *res = b.probe[0];
    memset(&b.probe[0], 0, sizeof b.probe[0]);
    double best_kwh = res->m.energy_kwh, feasible_hi = 0, infeasible_lo = INFINITY;
    rp.b = &b;
    for (unsigned round = 0; round < cfg->rounds; round++) {
        if (round == 0) {
            rp.scale[0] = 0.6;
            rp.scale[1] = 1.0;
        } else if (!isfinite(infeasible_lo)) {
            rp.scale[0] = feasible_hi * 1.4;
            rp.scale[1] = feasible_hi * 2.0;
        } else if (!(feasible_hi > 0)) {
            rp.scale[0] = infeasible_lo / 4;
            rp.scale[1] = infeasible_lo / 2;
        } else {
            rp.scale[0] = feasible_hi + (infeasible_lo - feasible_hi) / 3;
            rp.scale[1] = feasible_hi + 2 * (infeasible_lo - feasible_hi) / 3;
        }
        double sel[2][3];
        for (int j = 0; j < 2; j++)
            select_at(&b, rp.scale[j], budget_b, budget_u, rp.choice[j], sel[j]);
        pool_run(replay_job, &rp, 2, cfg->threads);
        for (int j = 0; j < 2; j++) {
            if (rp.rc[j]) {
                rc = rp.rc[j];
                kz_eval_errf(err, errlen, "bound: replay failed");
                goto out;
            }
            if (info->replays < sizeof info->tried / sizeof info->tried[0]) {
                struct kz_bound_try *t = &info->tried[info->replays];
                t->scale = rp.scale[j];
                t->energy_kwh = rp.res[j].m.energy_kwh;
                t->p5_mbps = rp.res[j].m.thp_p5_mbps;
                t->unmet_pct = rp.res[j].m.unmet_pct;
                t->sel_below = sel[j][0];
                t->sel_unmet = sel[j][1];
                t->sel_saved_kwh = sel[j][2];
            }
            info->replays++;
            if (meets(info, cfg, &rp.res[j])) {
                if (rp.scale[j] > feasible_hi)
                    feasible_hi = rp.scale[j];
                if (rp.res[j].m.energy_kwh < best_kwh) {
                    best_kwh = rp.res[j].m.energy_kwh;
                    kz_run_result_free(res);
                    *res = rp.res[j];
                    memset(&rp.res[j], 0, sizeof rp.res[j]);
                    memcpy(choice, rp.choice[j], nch);
                    info->scale = rp.scale[j];
                    have_best = 1;
                }
            } else if (rp.scale[j] < infeasible_lo) {
                infeasible_lo = rp.scale[j];
            }
            kz_run_result_free(&rp.res[j]);
        }
    }
    info->feasible = have_best;
    size_t counted = 0;
    for (size_t w = 0; w < b.n_win; w++)
        for (size_t g = 0; g + 1 < b.n_grp; g++) {
            int a = have_best ? choice[w * b.n_grp + g] : 0;
            info->window_share[a] += 1;
            counted++;
        }
    for (int a = 0; a < KZ_BOUND_ACTIONS; a++)
        info->window_share[a] /= counted ? (double)counted : 1;
    snprintf(res->name, sizeof res->name, "clairvoyant");
    rc = 0;
out:
    if (rc)
        kz_run_result_free(res);
    for (int a = 0; a < KZ_BOUND_ACTIONS; a++) {
        free(b.sum[a]);
        kz_run_result_free(&b.probe[a]);
    }
    for (int j = 0; j < 2; j++) {
        free(rp.choice[j]);
        kz_run_result_free(&rp.res[j]);
    }
    free(choice);
    free(b.grp);
    free(b.role);
    pthread_mutex_destroy(&b.mu);
    return rc;
}
