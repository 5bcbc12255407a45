/*
 * eval/es.c -- the energy-saving state machine shared by the energy saver and the baselines.
 *
 * Per capacity cell: AWAKE --(decide)--> DRAINING --(next period)--> ASLEEP --(wake)--> AWAKE.
 * DRAINING is the period in which its users are handed over (a HANDOVER action); if the reason
 * to sleep is gone by the next period the cell simply stays awake.  A cell with no users skips
 * DRAINING.  t_change records the last transition; the dwell rules are measured from it.
 * See es.h for the decision rules of each mode.
 */
#include "eval/es.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"

enum { ST_AWAKE = 0, ST_DRAINING = 1, ST_ASLEEP = 2 };

struct kz__es_group {     /* a coverage cell and the capacity cells it backs */
    uint32_t cov;
    struct kz_fc fc;
    long slot;            /* forecaster slot being accumulated, -1 before the first */
    double slot_sum, slot_n;
    double thr_acc, prb_acc; /* coverage capacity estimate: EWMA sums */
    double load;          /* this period's load: coverage + capacity cells, Mbit/s */
    double g_now, g_fc;   /* this period's load (EWMA over ~3 periods) and its forecast */
    double t_surge;       /* last period g_now was far above g_fc (surge guard) */
    int surge;            /* within surge_hold_s of t_surge */
    double t_crowd;       /* last period the surge was also > surge_unmute_mbps above g_fc */
    int crowd;            /* within surge_hold_s of t_crowd: unmutes the sector (es.h) */
    double peak;          /* busiest forecaster slot of this sector seen, Mbit/s */
    double rho;           /* this period's load relative to peak (mute_rho_sector) */
    int lvl;              /* the deepest muting level the sector allows */
    double t_lvl;         /* its last change */
    int lvl_deep;         /* the network bounds on the sector's own rho (risk_sector) */
    double t_lvl_deep;
};

struct kz__es_cell {
    struct kz_es_cell topo;
    int state;
    double t_change;
    int group;            /* capacity cells: index into groups; else -1 */
    int mute_lvl;         /* antenna-muting lever: TxRUs at 2^-mute_lvl (0: all) */
    int mute_prev;        /* level before the last change (to undo a refused control) */
    double t_mute;        /* last mute change */
    double t_guard;       /* last guard unmute */
    int empty_sleep;      /* asleep through the empty-cell path (wakes on coverage PRB) */
    int surge_by_nbr;     /* this period's surge guard hold comes from a neighbour sector */
};

struct kz_es {
    struct kz_es_params p;
    size_t n_cells, n_groups;
    struct kz__es_cell *cells;
    struct kz__es_group *groups;
    int *group_of_cov;    /* cell index -> group index, -1 */
    uint8_t *adj;         /* neighbour relations: adj[a * n_cells + b] when a lists b (NULL: none
                             given; kz_es_set_neighbours) */
    const struct kz__es_group **surge_of; /* per cell, this period: the surging group that holds
                                             it awake (own sector, own site or a neighbour) */
    uint64_t sleeps, wakes, wakes_guard, wakes_forecast, handovers;
    uint64_t mutes, unmutes, unmutes_guard;
    uint64_t mutes_sector;
    double muted_s, t_last;
    /* network-wide muting level (KZ_ES_AI with the lever) */
    double net_peak;      /* busiest forecaster slot of the summed sector loads seen, Mbit/s */
    double net_now, net_rho, net_t_lvl, net_slot_sum, net_slot_n;
    long net_slot;
    double t_first;       /* first period observed */
    int net_lvl, net_lvl_cov;   /* capacity and coverage layers */
    double net_t_lvl_cov;
    /* schedule (KZ_ES_SCHEDULE) */
    uint8_t *mute_sched;
    size_t mute_slots;
    double mute_t0, mute_slot_s;
    uint8_t *sched;
    size_t sched_slots;
    double sched_t0, sched_slot_s;
    /* UE throughput samples, log bins over [UE_LO, UE_LO x UE_R^UE_BINS) Mbit/s */
    double ue_hist[256], ue_n; /* weights (tail_weighted) */
    double ue_count;            /* samples */
    /* the tail risk's inputs (es.h): samples by hour of day, from periods with no cell muted
     * or asleep, and the network load by hour */
    double risk_hist[24][256], risk_load[24], risk_load_n[24];
    int altered;          /* after the last step, some cell is muted or asleep */
    double risk;          /* kz_es_tail_risk, refreshed once a day */
    double risk_day;      /* the day (t_s / 86400) it was refreshed */
    double net_bound[KZ_ES_MUTE_MAX_LVL + 1]; /* the network level's bounds this period */
    double net_bound_cov[KZ_ES_MUTE_MAX_LVL + 1]; /* and the coverage layer's */
    double t_seen;        /* last kz_es_step, whatever the mode */
};

#define UE_BINS 256
#define UE_LO 0.01   /* Mbit/s */
#define UE_LOG_R 0.0629 /* ln of the bin ratio: 256 bins over 7 decades (6.5 % wide) */

static size_t hour_of(double t_s)
{
    double h = fmod(t_s, 86400.0);
    if (h < 0)
        h += 86400.0;
    size_t k = (size_t)(h / 3600.0);
    return k < 24 ? k : 23;
}

void kz_es_ue_samples(kz_es *es, const struct kz_es_ue_sample *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double v = s[k].mbps;
        if (!(v > 0))
            continue;
        double w = es->p.tail_weighted && s[k].tx_s > 0 ? s[k].tx_s : 1.0;
        double b = floor(log(v / UE_LO) / UE_LOG_R);
        size_t bi = b < 0 ? 0 : b >= UE_BINS ? UE_BINS - 1 : (size_t)b;
        es->ue_hist[bi] += w;
        es->ue_n += w;
        es->ue_count += 1;
        if (!es->altered)
            es->risk_hist[hour_of(es->t_seen + es->p.period_s / 2)][bi] += w;
    }
}

static int cmp_sample(const void *a, const void *b)
{
    float x = ((const struct kz_es_ue_sample *)a)->mbps, y = ((const struct kz_es_ue_sample *)b)->mbps;
    return (x > y) - (x < y);
}

double kz_es_ue_quantile(const kz_es *es, struct kz_es_ue_sample *s, size_t n, double q)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (s[k].mbps > 0)
            s[m++] = s[k];
    if (!m)
        return -1;
    qsort(s, m, sizeof *s, cmp_sample);
    if (!es->p.tail_weighted)
        return s[(size_t)(q * (double)(m - 1))].mbps;
    double tot = 0, acc = 0;
    for (size_t k = 0; k < m; k++)
        tot += s[k].tx_s > 0 ? s[k].tx_s : 1.0;
    for (size_t k = 0; k < m; k++) {
        acc += s[k].tx_s > 0 ? s[k].tx_s : 1.0;
        if (acc >= q * tot)
            return s[k].mbps;
    }
    return s[m - 1].mbps;
}

double kz_es_cell_tail(const kz_es *es, struct kz_es_ue_sample *s, size_t n)
{
    return kz_es_ue_quantile(es, s, n, es->p.tail_q);
}

/* the q-quantile of the samples (lower edge of its bin), 0 when empty */
static double ue_quantile(const kz_es *es, double q)
{
    if (!(es->ue_n > 0))
        return 0;
    double want = q * es->ue_n, acc = 0;
    for (size_t b = 0; b < UE_BINS; b++) {
        acc += es->ue_hist[b];
        if (acc >= want)
            return UE_LO * exp(UE_LOG_R * (double)b);
    }
    return UE_LO * exp(UE_LOG_R * UE_BINS);
}

/* The q-quantile of a histogram of hist[UE_BINS] with total tot, interpolated inside its bin */
static double hist_quantile(const double *hist, double tot, double q)
{
    double want = q * tot, acc = 0;
    for (size_t b = 0; b < UE_BINS; b++) {
        if (hist[b] > 0 && acc + hist[b] >= want)
            return UE_LO * exp(UE_LOG_R * ((double)b + (want - acc) / hist[b]));
        acc += hist[b];
    }
    return UE_LO * exp(UE_LOG_R * UE_BINS);
}

/* es.h, risk_lo: slope x at-risk share, from the unaltered periods' samples */
static double tail_risk(const kz_es *es)
{
    const struct kz_es_params *p = &es->p;
    /* each hour weighs as one day of it, however many days of it were observed */
    double all[UE_BINS] = {0}, tot = 0, peak = 0;
    for (size_t h = 0; h < 24; h++) {
        if (!(es->risk_load_n[h] > 0))
            return -1; /* not a whole day yet */
        double l = es->risk_load[h] / es->risk_load_n[h];
        peak = l > peak ? l : peak;
        for (size_t b = 0; b < UE_BINS; b++)
            all[b] += es->risk_hist[h][b] / es->risk_load_n[h];
    }
    for (size_t b = 0; b < UE_BINS; b++)
        tot += all[b];
    if (!(tot > 0) || !(peak > 0))
        return -1;
    double x = hist_quantile(all, tot, 0.05);
    double slope = (hist_quantile(all, tot, 0.07) - hist_quantile(all, tot, 0.03)) / 0.04 / x;
    double at_risk = 0;
    for (size_t h = 0; h < 24; h++) {
        if (es->risk_load[h] / es->risk_load_n[h] >= p->mute_rho_roomy[1] * peak)
            continue;
        for (size_t b = 0; b < UE_BINS; b++) {
            double mid = UE_LO * exp(UE_LOG_R * ((double)b + 0.5));
            if (mid >= x && mid < 2 * x)
                at_risk += es->risk_hist[h][b] / es->risk_load_n[h];
        }
    }
    return slope * at_risk / tot;
}

double kz_es_tail_risk(const kz_es *es)
{
    return es->risk;
}

double kz_es_tail_floor(const kz_es *es)
{
    const struct kz_es_params *p = &es->p;
    if (p->tail_floor_mbps < 0)
        return 0;
    if (p->tail_floor_mbps > 0)
        return p->tail_floor_mbps;
    if (es->ue_count < 1000 || es->t_seen - es->t_first < p->mute_history_s)
        return 0;
    return p->tail_margin * ue_quantile(es, 0.05);
}

void kz_es_params_default(struct kz_es_params *p, enum kz_es_mode mode)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->period_s = 60;
    p->slot_s = 300;
    p->sleep_util = 0.25;
    p->wake_util = 0.35;
    p->guard_util = 0.45;
    p->guard_ue_thr_mbps = 0;
    p->margin_sigma = 1.0;
    p->surge_sigma = 3.0;
    p->surge_frac = 0.5;
    p->surge_min_mbps = 10.0;
    p->surge_hold_s = 1800;
    p->lookahead_s = 2700;
    p->wake_lead_s = 900;
    p->min_sleep_s = 900;
    p->min_awake_s = 1800;
    p->cov_capacity_mbps = 60;
    p->night_from_s = 3600;
    p->night_to_s = 21600;
    p->thr_sleep_prb = 0.15;
    p->thr_wake_prb = 0.60;
    p->tail_q = 0.1;
    /* the antenna-muting lever is off in the core's defaults (the baselines never mute); the
     * energy saver's product defaults switch it on with kz_es_params_mute(p, 0.125) */
}

void kz_es_params_energy_saver(struct kz_es_params *p)
{
    kz_es_params_default(p, KZ_ES_AI);
    kz_es_params_mute(p, 0.125);
    p->empty_prb = 0.03;
    p->empty_wake_prb = 0.25;
}

/* Muting bounds b[1..3] (levels 1/2, 1/4, 1/8), deeper levels halving; b[0] never binds. */
static void level_bounds(double *b, double r1, double r2, double r3)
{
    b[0] = INFINITY;
    b[1] = r1;
    b[2] = r2;
    b[3] = r3;
    for (int l = 4; l <= KZ_ES_MUTE_MAX_LVL; l++)
        b[l] = b[l - 1] / 2;
}

void kz_es_params_mute(struct kz_es_params *p, double frac)
{
    p->mute_frac = frac;
    p->unmute_prb = 0.70;
    p->mute_ue_thr_mbps = 5;
    p->mute_margin_sigma = 0;
    p->mute_lookahead_s = 900;
    p->mute_history_s = 86400 - p->period_s;
    p->mute_min_s = 900;
    p->tail_floor_mbps = 0;
    p->tail_weighted = 1;
    p->tail_margin = 1.5; /* tuned on seed 7 (es.h) */
    p->surge_unmute_mbps = 30; /* es.h */
    /* tuned on seed 7 of the small city, judged on others (docs/energy-saving.md) */
    level_bounds(p->mute_rho, 0.60, 0.45, 0.30);
    /* the sector cap: mute_rho / 0.6 (es.h) */
    p->mute_rho_sector[0] = INFINITY;
    for (int l = 1; l <= KZ_ES_MUTE_MAX_LVL; l++)
        p->mute_rho_sector[l] = p->mute_rho[l] / 0.6;
    /* the roomy bounds and the risk band: docs/energy-saving.md */
    p->risk_lo = 0.02;
    p->risk_hi = 0.06;
    p->risk_sector = 0.02; /* = risk_lo: only where the network bounds are the roomy ones */
    p->risk_sector_tail = 2;
    level_bounds(p->mute_rho_roomy, 0.70, 0.50, 0.35);
    p->mute_rho_cov_roomy = 0.30; /* coverage MIMO sleep at low tail risk only */
    p->mute_hyst = 0.1;
    p->mute_max_lvl_cov = 0; /* coverage MIMO sleep: only at low tail risk (it lost p5 on
                                the tight cities, docs/energy-saving.md) */
    p->unmute_prb_cov = 0.45;
    p->mute_rho_cov[0] = INFINITY;
    p->mute_rho_cov[1] = 0.30;
    for (int l = 2; l <= KZ_ES_MUTE_MAX_LVL; l++)
        p->mute_rho_cov[l] = p->mute_rho_cov[l - 1] / 2;
}

const char *kz_es_mode_name(enum kz_es_mode m)
{
    switch (m) {
    case KZ_ES_AI: return "energy-saver";
    case KZ_ES_ALWAYS_ON: return "always-on";
    case KZ_ES_NIGHT: return "night-schedule";
    case KZ_ES_THRESHOLD: return "threshold";
    case KZ_ES_SCHEDULE: return "clairvoyant";
    }
    return "?";
}

const char *kz_es_kind_name(enum kz_es_kind k)
{
    switch (k) {
    case KZ_ES_HANDOVER: return "handover";
    case KZ_ES_SLEEP: return "sleep";
    case KZ_ES_WAKE: return "wake";
    case KZ_ES_MUTE: return "mute";
    case KZ_ES_UNMUTE: return "unmute";
    }
    return "?";
}

const char *kz_es_why_name(enum kz_es_why w)
{
    switch (w) {
    case KZ_WHY_FORECAST: return "forecast";
    case KZ_WHY_GUARD: return "guard";
    case KZ_WHY_LOAD: return "load";
    case KZ_WHY_SCHEDULE: return "schedule";
    case KZ_WHY_THRESHOLD: return "threshold";
    }
    return "?";
}

static unsigned slots_for(const struct kz_es_params *p, double s)
{
    double n = ceil(s / p->slot_s - 1e-9);
    if (n < 1)
        n = 1;
    if (n > KZ_FC_MAX_H)
        n = KZ_FC_MAX_H;
    return (unsigned)n;
}

int kz_es_open(kz_es **out, const struct kz_es_params *p, const struct kz_es_cell *cells,
               size_t n_cells)
{
    *out = NULL;
    if (!p || p->period_s <= 0 || p->slot_s < p->period_s || !(p->sleep_util <= p->wake_util) ||
        n_cells == 0 || !cells)
        return KZ_EINVAL;
    for (size_t i = 0; i < n_cells; i++)
        if (cells[i].role == KZ_ES_CAPACITY &&
            (cells[i].cover < 0 || (size_t)cells[i].cover >= n_cells ||
             cells[cells[i].cover].role != KZ_ES_COVERAGE))
            return KZ_EINVAL;
    kz_es *es = calloc(1, sizeof *es);
    if (!es)
        return KZ_ENOMEM;
    es->p = *p;
    es->n_cells = n_cells;
    es->net_slot = -1;
    es->t_first = INFINITY;
    es->net_t_lvl = es->net_t_lvl_cov = -INFINITY;
    es->net_rho = -1;
    es->risk = -1;
    memcpy(es->net_bound, p->mute_rho, sizeof es->net_bound);
    es->cells = calloc(n_cells, sizeof *es->cells);
    es->group_of_cov = malloc(n_cells * sizeof *es->group_of_cov);
    es->groups = calloc(n_cells, sizeof *es->groups);
    es->surge_of = calloc(n_cells, sizeof *es->surge_of);
    if (!es->cells || !es->group_of_cov || !es->groups || !es->surge_of) {
        kz_es_close(es);
        return KZ_ENOMEM;
    }
    struct kz_fc_cfg fcc;
    kz_fc_cfg_default(&fcc, p->slot_s, slots_for(p, p->lookahead_s));
    for (size_t i = 0; i < n_cells; i++)
        es->group_of_cov[i] = -1;
    for (size_t i = 0; i < n_cells; i++) {
        struct kz__es_cell *c = &es->cells[i];
        c->topo = cells[i];
        c->state = ST_AWAKE;
        c->t_change = -INFINITY;
        c->t_mute = -INFINITY;
        c->t_guard = -INFINITY;
        c->group = -1;
        if (cells[i].role != KZ_ES_CAPACITY)
            continue;
        int v = cells[i].cover;
        if (es->group_of_cov[v] < 0) {
            struct kz__es_group *g = &es->groups[es->n_groups];
            g->cov = (uint32_t)v;
            g->slot = -1;
            g->t_surge = -INFINITY;
            g->t_crowd = -INFINITY;
            g->t_lvl = -INFINITY;
            g->thr_acc = p->cov_capacity_mbps * 0.5;
            g->prb_acc = 0.5;
            if (kz_fc_init(&g->fc, &fcc) != 0) {
                kz_es_close(es);
                return KZ_EINVAL;
            }
            es->group_of_cov[v] = (int)es->n_groups++;
        }
        c->group = es->group_of_cov[v];
    }
    *out = es;
    return 0;
}

void kz_es_close(kz_es *es)
{
    if (!es)
        return;
    free(es->cells);
    free(es->groups);
    free(es->group_of_cov);
    free(es->adj);
    free(es->surge_of);
    free(es->sched);
    free(es->mute_sched);
    free(es);
}

int kz_es_set_schedule(kz_es *es, double t0, double slot_s, size_t n_slots,
                       const uint8_t *asleep)
{
    if (slot_s <= 0 || n_slots == 0 || !asleep)
        return KZ_EINVAL;
    uint8_t *s = malloc(es->n_cells * n_slots);
    if (!s)
        return KZ_ENOMEM;
    memcpy(s, asleep, es->n_cells * n_slots);
    free(es->sched);
    es->sched = s;
    es->sched_slots = n_slots;
    es->sched_t0 = t0;
    es->sched_slot_s = slot_s;
    return 0;
}

int kz_es_set_mute_schedule(kz_es *es, double t0, double slot_s, size_t n_slots,
                            const uint8_t *muted)
{
    if (slot_s <= 0 || n_slots == 0 || !muted)
        return KZ_EINVAL;
    uint8_t *s = malloc(es->n_cells * n_slots);
    if (!s)
        return KZ_ENOMEM;
    memcpy(s, muted, es->n_cells * n_slots);
    free(es->mute_sched);
    es->mute_sched = s;
    es->mute_slots = n_slots;
    es->mute_t0 = t0;
    es->mute_slot_s = slot_s;
    return 0;
}

void kz_es_set_params_mute(kz_es *es, const struct kz_es_params *p)
{
    es->p.mute_frac = p->mute_frac;
    es->p.unmute_prb = p->unmute_prb;
    es->p.mute_ue_thr_mbps = p->mute_ue_thr_mbps;
    es->p.mute_min_s = p->mute_min_s;
    memcpy(es->p.mute_rho, p->mute_rho, sizeof es->p.mute_rho);
    memcpy(es->p.mute_rho_sector, p->mute_rho_sector, sizeof es->p.mute_rho_sector);
    memcpy(es->p.mute_rho_roomy, p->mute_rho_roomy, sizeof es->p.mute_rho_roomy);
    es->p.risk_lo = p->risk_lo;
    es->p.risk_hi = p->risk_hi;
    es->p.risk_sector = p->risk_sector;
    es->p.risk_sector_tail = p->risk_sector_tail;
    es->p.mute_hyst = p->mute_hyst;
    es->p.mute_margin_sigma = p->mute_margin_sigma;
    es->p.mute_lookahead_s = p->mute_lookahead_s;
    es->p.mute_history_s = p->mute_history_s;
    memcpy(es->p.mute_rho_cov, p->mute_rho_cov, sizeof es->p.mute_rho_cov);
    es->p.mute_max_lvl_cov = p->mute_max_lvl_cov;
    es->p.mute_rho_cov_roomy = p->mute_rho_cov_roomy;
    es->p.unmute_prb_cov = p->unmute_prb_cov;
    es->p.tail_floor_mbps = p->tail_floor_mbps;
    es->p.tail_margin = p->tail_margin;
    es->p.tail_q = p->tail_q;
    es->p.tail_weighted = p->tail_weighted;
    es->p.surge_unmute_mbps = p->surge_unmute_mbps;
}

int kz_es_cell_muted(const kz_es *es, size_t i)
{
    return i < es->n_cells ? es->cells[i].mute_lvl : 0;
}

void kz_es_set_mode(kz_es *es, enum kz_es_mode mode)
{
    es->p.mode = mode;
}

int kz_es_cell_asleep(const kz_es *es, size_t i)
{
    return i < es->n_cells && es->cells[i].state != ST_AWAKE;
}

const struct kz_fc *kz_es_forecaster(const kz_es *es, size_t i)
{
    if (i >= es->n_cells || es->cells[i].group < 0)
        return NULL;
    return &es->groups[es->cells[i].group].fc;
}

void kz_es_action_failed(kz_es *es, const struct kz_es_action *a)
{
    if (!a || a->cell >= es->n_cells)
        return;
    struct kz__es_cell *c = &es->cells[a->cell];
    if (a->kind == KZ_ES_SLEEP)
        c->state = ST_AWAKE;
    else if (a->kind == KZ_ES_WAKE)
        c->state = ST_ASLEEP;
    else if (a->kind == KZ_ES_MUTE || a->kind == KZ_ES_UNMUTE)
        c->mute_lvl = c->mute_prev;
}

static double nz(double v)
{
    return v > 0 && isfinite(v) ? v : 0;
}

/* Learn from this period's reports: group demand into the forecaster's slot, coverage capacity,
 * and the busiest slot of the whole network (the muting lever's reference). */
static void learn(kz_es *es, double t_s, const struct kz_es_obs *obs)
{
    const double mid = t_s - es->p.period_s / 2;
    long nslot = (long)floor(mid / es->p.slot_s);
    if (!isfinite(es->t_first))
        es->t_first = t_s;
    if (es->net_slot >= 0 && nslot != es->net_slot && es->net_slot_n > 0) {
        double m = es->net_slot_sum / es->net_slot_n;
        if (m > es->net_peak)
            es->net_peak = m;
        es->net_slot_sum = es->net_slot_n = 0;
    }
    es->net_slot = nslot;
    for (size_t i = 0; i < es->n_cells; i++)
        if (es->cells[i].topo.role != KZ_ES_OTHER)
            es->net_slot_sum += nz(obs[i].thr_mbps);
    es->net_slot_n += 1;
    for (size_t gi = 0; gi < es->n_groups; gi++) {
        struct kz__es_group *g = &es->groups[gi];
        double G = nz(obs[g->cov].thr_mbps);
        for (size_t i = 0; i < es->n_cells; i++)
            if (es->cells[i].group == (int)gi)
                G += nz(obs[i].thr_mbps);
        g->load = G;
        double rm = 0, f1 = kz_fc_peak(&g->fc, 1, &rm);
        g->g_now = g->g_now > 0 ? 0.65 * g->g_now + 0.35 * G : G; /* 60-s means are noisy */
        g->g_fc = f1;
        double up = g->g_now - f1;
        if (g->fc.n_seen >= 2 && es->p.surge_min_mbps > 0 && up > es->p.surge_min_mbps &&
            up > es->p.surge_sigma * rm && up > es->p.surge_frac * f1) {
            g->t_surge = t_s;
            if (up > es->p.surge_unmute_mbps)
                g->t_crowd = t_s;
        }
        g->surge = t_s - g->t_surge <= es->p.surge_hold_s;
        g->crowd = t_s - g->t_crowd <= es->p.surge_hold_s;
        long slot = (long)floor(mid / es->p.slot_s);
        if (g->slot >= 0 && slot != g->slot && g->slot_n > 0) {
            if (g->slot_sum / g->slot_n > g->peak)
                g->peak = g->slot_sum / g->slot_n;
            kz_fc_update(&g->fc, (double)g->slot * es->p.slot_s, g->slot_sum / g->slot_n);
            g->slot_sum = g->slot_n = 0;
        }
        g->slot = slot;
        g->slot_sum += G;
        g->slot_n += 1;
        double prb = obs[g->cov].prb;
        if (prb > 0.05 && obs[g->cov].thr_mbps > 0) {
            g->thr_acc = 0.97 * g->thr_acc + obs[g->cov].thr_mbps;
            g->prb_acc = 0.97 * g->prb_acc + prb;
        }
    }
}

static double group_capacity(const struct kz__es_group *g)
{
    return g->prb_acc > 0 ? g->thr_acc / g->prb_acc : 1.0;
}

static struct kz_es_action *emit(kz_es *es, struct kz_es_action *out, size_t cap, size_t *n,
                                 enum kz_es_kind kind, enum kz_es_why why, size_t cell, double t_s,
                                 const struct kz_es_obs *obs)
{
    if (*n >= cap)
        return NULL;
    struct kz_es_action *a = &out[(*n)++];
    memset(a, 0, sizeof *a);
    a->kind = kind;
    a->why = why;
    a->cell = (uint32_t)cell;
    int v = es->cells[cell].topo.cover; /* -1 for a coverage cell (muting lever) */
    a->target = (uint32_t)(v >= 0 ? v : (int)cell);
    a->t_s = t_s;
    a->forecast_util = -1;
    a->cov_util = v >= 0 ? obs[v].prb : -1;
    a->cov_ue_thr = v >= 0 ? obs[v].ue_thr_mbps : -1;
    if (kind == KZ_ES_SLEEP)
        es->sleeps++;
    else if (kind == KZ_ES_HANDOVER)
        es->handovers++;
    else if (kind == KZ_ES_MUTE) {
        es->mutes++;
        a->txru = es->p.mute_frac;
    } else if (kind == KZ_ES_UNMUTE) {
        es->unmutes++;
        es->unmutes_guard += why == KZ_WHY_GUARD;
        a->txru = 1.0;
    } else {
        es->wakes++;
        if (why == KZ_WHY_GUARD)
            es->wakes_guard++;
        else if (why == KZ_WHY_FORECAST)
            es->wakes_forecast++;
    }
    return a;
}

/* Start sleeping: HANDOVER now (cell has users) or SLEEP at once. */
static struct kz_es_action *go_sleep(kz_es *es, struct kz_es_action *out, size_t cap, size_t *n,
                                     enum kz_es_why why, size_t i, double t_s,
                                     const struct kz_es_obs *obs)
{
    struct kz__es_cell *c = &es->cells[i];
    int has_users = obs[i].n_ue > 0.5 || obs[i].n_ue < 0;
    if (c->mute_lvl) { /* a sleeping cell wakes unmuted: unmask before it goes */
        if (*n + 2 > cap)
            return NULL;
        struct kz_es_action *u = emit(es, out, cap, n, KZ_ES_UNMUTE, why, i, t_s, obs);
        snprintf(u->reason, sizeof u->reason, "unmute before sleeping");
        c->mute_prev = c->mute_lvl;
        c->mute_lvl = 0;
        c->t_mute = t_s;
    }
    struct kz_es_action *a = emit(es, out, cap, n, has_users ? KZ_ES_HANDOVER : KZ_ES_SLEEP, why,
                                  i, t_s, obs);
    if (!a)
        return NULL;
    if (has_users)
        c->state = ST_DRAINING;
    else {
        c->state = ST_ASLEEP;
        c->t_change = t_s;
    }
    return a;
}

static int sched_asleep(const kz_es *es, size_t i, double t_s)
{
    if (!es->sched)
        return 0;
    double k = floor((t_s - es->sched_t0) / es->sched_slot_s);
    if (k < 0 || k >= (double)es->sched_slots)
        return 0;
    return es->sched[i * es->sched_slots + (size_t)k] != 0;
}

int kz_es_set_neighbours(kz_es *es, uint32_t cell, const uint32_t *nbr, size_t n)
{
    if (!es || cell >= es->n_cells || (n && !nbr))
        return KZ_EINVAL;
    for (size_t k = 0; k < n; k++)
        if (nbr[k] >= es->n_cells)
            return KZ_EINVAL;
    if (!es->adj) {
        es->adj = calloc(es->n_cells * es->n_cells, 1);
        if (!es->adj)
            return KZ_ENOMEM;
    }
    uint8_t *row = es->adj + (size_t)cell * es->n_cells;
    memset(row, 0, es->n_cells);
    for (size_t k = 0; k < n; k++)
        if (nbr[k] != cell)
            row[nbr[k]] = 1;
    return 0;
}

size_t kz_es_neighbours(const kz_es *es, uint32_t cell, uint32_t *out, size_t cap)
{
    size_t m = 0;
    if (!es || !es->adj || cell >= es->n_cells)
        return 0;
    for (size_t j = 0; j < es->n_cells; j++)
        if (j != cell && (es->adj[(size_t)cell * es->n_cells + j] ||
                          es->adj[j * es->n_cells + cell])) {
            if (m < cap && out)
                out[m] = (uint32_t)j;
            m++;
        }
    return m;
}

static int is_nbr(const kz_es *es, size_t a, size_t b)
{
    return es->adj && (es->adj[a * es->n_cells + b] || es->adj[b * es->n_cells + a]);
}

/* Which surge holds each cell awake and unmuted this period (es->surge_of, NULL: none): its own
 * sector's, its site's (site known), or -- neighbour relations given -- that of a sector with a
 * cell (coverage or capacity) it neighbours.  The first surging group found wins, own sector
 * first, so the reason names the closest cause.  Computed for coverage cells too, but only the
 * sleep rules of capacity cells use it: the muting lever keeps its own per-cell guards (a
 * surge guard on muting was tried: on the stadium day it bought little p5 and cost 0.8 pp of
 * saving, the surge guard firing on ordinary morning ramps). */
static void surge_map(kz_es *es)
{
    for (size_t i = 0; i < es->n_cells; i++) {
        struct kz__es_cell *c = &es->cells[i];
        es->surge_of[i] = NULL;
        c->surge_by_nbr = 0;
        if (c->topo.role == KZ_ES_OTHER)
            continue;
        int own = c->topo.role == KZ_ES_CAPACITY ? c->group : es->group_of_cov[i];
        if (own >= 0 && es->groups[own].surge) {
            es->surge_of[i] = &es->groups[own];
            continue;
        }
        for (size_t gi = 0; gi < es->n_groups && !es->surge_of[i]; gi++)
            if (es->groups[gi].surge && c->topo.site != 0 &&
                es->cells[es->groups[gi].cov].topo.site == c->topo.site)
                es->surge_of[i] = &es->groups[gi];
        if (es->surge_of[i] || !es->adj)
            continue;
        for (size_t gi = 0; gi < es->n_groups && !es->surge_of[i]; gi++) {
            const struct kz__es_group *g = &es->groups[gi];
            if (!g->surge)
                continue;
            int hit = is_nbr(es, i, g->cov);
            for (size_t j = 0; j < es->n_cells && !hit; j++)
                hit = es->cells[j].group == (int)gi && is_nbr(es, i, j);
            if (hit) {
                es->surge_of[i] = g;
                c->surge_by_nbr = 1;
            }
        }
    }
}

/* The reason text's qualifier of the surge that holds cell i. */
static const char *surge_how(const kz_es *es, size_t i)
{
    const struct kz__es_cell *c = &es->cells[i];
    int own = c->topo.role == KZ_ES_CAPACITY ? c->group : es->group_of_cov[i];
    if (c->surge_by_nbr)
        return " (neighbour)";
    return own >= 0 && es->surge_of[i] == &es->groups[own] ? " (own sector)" : " (same site)";
}

static void decide_ai(kz_es *es, size_t i, double t_s, const struct kz_es_obs *obs,
                      struct kz_es_action *out, size_t cap, size_t *n)
{
    const struct kz_es_params *p = &es->p;
    struct kz__es_cell *c = &es->cells[i];
    struct kz__es_group *g = &es->groups[c->group];
    const int v = c->topo.cover;
    const double C = group_capacity(g);
    const double u_cov = obs[v].prb, thr_cov = obs[v].ue_thr_mbps;

    /* load of the group that the other, still awake capacity cells carry */
    double others = 0, G_now = nz(obs[v].thr_mbps);
    for (size_t j = 0; j < es->n_cells; j++) {
        if (es->cells[j].group != c->group)
            continue;
        G_now += nz(obs[j].thr_mbps);
        if (j != i && es->cells[j].state == ST_AWAKE)
            others += nz(obs[j].thr_mbps);
    }
    const double u_now = (G_now - others) / C;
    const int have_fc = g->fc.n_seen >= 2;
    double rm_la = 0, rm_ld = 0;
    unsigned h_la = slots_for(p, p->lookahead_s), h_ld = slots_for(p, p->wake_lead_s);
    double pk_la = kz_fc_peak(&g->fc, h_la, &rm_la);
    double pk_ld = kz_fc_peak(&g->fc, h_ld, &rm_ld);
    double u_la = (pk_la + p->margin_sigma * rm_la - others) / C;
    double u_ld = (pk_ld + p->margin_sigma * rm_ld - others) / C;
    const char *model = kz_fc_model_name(kz_fc_best(&g->fc));
    int guard_util = u_cov > p->guard_util;
    int guard_thr = p->guard_ue_thr_mbps > 0 && thr_cov >= 0 && obs[v].n_ue > 0.5 &&
                    thr_cov < p->guard_ue_thr_mbps;
    const struct kz__es_group *sg = es->surge_of[i];
    struct kz_es_action *a;

    switch (c->state) {
    case ST_AWAKE:
        if (!have_fc || t_s - c->t_change < p->min_awake_s || guard_util || guard_thr || sg)
            return;
        /* the tail guard's floor too (es.h): the coverage cell's users must stay above it, and
         * with the guard on but no floor learned yet, no empty-cell sleep */
        double fl = kz_es_tail_floor(es), lo_v = obs[v].ue_thr_lo_mbps;
        int tail_ok = p->tail_floor_mbps < 0 || (fl > 0 && (!(lo_v > 0) || lo_v >= fl));
        if (p->empty_prb > 0 && obs[i].prb >= 0 && obs[i].prb < p->empty_prb && u_cov >= 0 &&
            u_cov < p->empty_wake_prb && tail_ok &&
            !(u_now < p->sleep_util && u_la < p->sleep_util)) {
            /* an empty cell: its few users cost the coverage cell little (the threshold rule's
             * criterion, with the energy saver's guards, dwell and handover) */
            a = go_sleep(es, out, cap, n, KZ_WHY_LOAD, i, t_s, obs);
            if (a) {
                c->empty_sleep = 1;
                snprintf(a->reason, sizeof a->reason,
                         "empty: PRB %.3f < %.3f, coverage PRB %.2f < %.2f", obs[i].prb,
                         p->empty_prb, u_cov, p->empty_wake_prb);
            }
            return;
        }
        if (u_now < p->sleep_util && u_la < p->sleep_util) {
            c->empty_sleep = 0;
            a = go_sleep(es, out, cap, n, KZ_WHY_FORECAST, i, t_s, obs);
            if (a) {
                a->forecast_util = u_la;
                snprintf(a->reason, sizeof a->reason,
                         "coverage would carry %.2f now, forecast peak %.2f over %.0f min "
                         "(%s %.1f+%.1fx%.1f Mbit/s, C %.0f) < sleep %.2f",
                         u_now, u_la, h_la * p->slot_s / 60, model, pk_la, p->margin_sigma,
                         rm_la, C, p->sleep_util);
            }
        }
        return;
    case ST_DRAINING:
        if (!guard_util && !guard_thr && !sg &&
            ((u_now < p->sleep_util && u_la < p->sleep_util) ||
             (c->empty_sleep && u_cov >= 0 && u_cov < p->empty_wake_prb))) {
            a = emit(es, out, cap, n, KZ_ES_SLEEP, c->empty_sleep ? KZ_WHY_LOAD : KZ_WHY_FORECAST,
                     i, t_s, obs);
            if (!a)
                return;
            c->state = ST_ASLEEP;
            c->t_change = t_s;
            a->forecast_util = u_la;
            if (c->empty_sleep)
                snprintf(a->reason, sizeof a->reason,
                         "users moved; empty cell, coverage PRB %.2f < %.2f", u_cov,
                         p->empty_wake_prb);
            else
                snprintf(a->reason, sizeof a->reason,
                         "users moved; coverage %.2f now (PRB %.2f), forecast %.2f < %.2f", u_now,
                         u_cov, u_la, p->sleep_util);
        } else {
            c->state = ST_AWAKE; /* reason to sleep gone: stay awake, no dwell reset */
        }
        return;
    case ST_ASLEEP:
        if (guard_util || guard_thr || sg) {
            a = emit(es, out, cap, n, KZ_ES_WAKE, KZ_WHY_GUARD, i, t_s, obs);
            if (!a)
                return;
            if (sg)
                snprintf(a->reason, sizeof a->reason,
                         "surge guard: sector of cell %u%s carries %.1f Mbit/s against a forecast "
                         "of %.1f; coverage PRB %.2f",
                         (unsigned)sg->cov, surge_how(es, i), sg->g_now, sg->g_fc, u_cov);
            else
                snprintf(a->reason, sizeof a->reason,
                         "guard: coverage PRB %.2f (guard %.2f), UE throughput %.1f Mbit/s "
                         "(guard %.1f)",
                         u_cov, p->guard_util, thr_cov, p->guard_ue_thr_mbps);
        } else if (t_s - c->t_change >= p->min_sleep_s &&
                   (c->empty_sleep ? u_cov > p->empty_wake_prb
                                   : ((have_fc && u_ld > p->wake_util) || u_cov > p->wake_util))) {
            int by_fc = !c->empty_sleep && have_fc && u_ld > p->wake_util;
            a = emit(es, out, cap, n, KZ_ES_WAKE, by_fc ? KZ_WHY_FORECAST : KZ_WHY_LOAD, i, t_s,
                     obs);
            if (!a)
                return;
            a->forecast_util = u_ld;
            snprintf(a->reason, sizeof a->reason,
                     "forecast peak %.2f over %.0f min (%s %.1f+%.1fx%.1f Mbit/s, C %.0f), "
                     "coverage PRB %.2f; wake above %.2f",
                     u_ld, h_ld * p->slot_s / 60, model, pk_ld, p->margin_sigma, rm_ld, C, u_cov,
                     p->wake_util);
        } else {
            return;
        }
        c->state = ST_AWAKE;
        c->t_change = t_s;
        return;
    }
}

static int mute_sched_lvl(const kz_es *es, size_t i, double t_s)
{
    if (!es->mute_sched)
        return 0;
    double k = floor((t_s - es->mute_t0) / es->mute_slot_s);
    if (k < 0 || k >= (double)es->mute_slots)
        return 0;
    int l = es->mute_sched[i * es->mute_slots + (size_t)k];
    return l > KZ_ES_MUTE_MAX_LVL ? KZ_ES_MUTE_MAX_LVL : l;
}

/* The deepest muting level the lever allows: mute_frac 0.5 -> 1, 0.25 -> 2, 0.125 -> 3. */
static int mute_max_lvl(const struct kz_es_params *p)
{
    if (!(p->mute_frac > 0 && p->mute_frac < 1))
        return 0;
    int l = (int)lround(-log2(p->mute_frac));
    return l < 1 ? 1 : l > KZ_ES_MUTE_MAX_LVL ? KZ_ES_MUTE_MAX_LVL : l;
}

/* Does the lever mute coverage cells too? */
static int p_cov_lever(const struct kz_es_params *p)
{
    return p->mute_max_lvl_cov > 0 || p->mute_rho_cov_roomy > 0 || p->mode == KZ_ES_SCHEDULE;
}

double kz_es_mute_level_frac(int lvl)
{
    return ldexp(1.0, -(lvl < 0 ? 0 : lvl));
}

/* One layer's network-wide level: shallower at once when rho passes the level's bound, one
 * level deeper after a dwell when rho is below the next bound by the hysteresis. */
static void net_level_step(int *lvl, double *t_lvl, double rho, const double *bound, int lmax,
                           double t_s, const struct kz_es_params *p)
{
    int l = *lvl > lmax ? lmax : *lvl;
    while (l > 0 && rho > bound[l])
        l--;
    if (l == *lvl && l < lmax && t_s - *t_lvl >= p->mute_min_s &&
        rho <= bound[l + 1] * (1 - p->mute_hyst))
        l++;
    if (l != *lvl) {
        *lvl = l;
        *t_lvl = t_s;
    }
}

void kz_es_level_schedule(const double *rho, size_t n, const struct kz_es_params *p, int coverage,
                          uint8_t *out)
{
    int lmax = mute_max_lvl(p), lvl = 0;
    if (coverage)
        lmax = lmax < p->mute_max_lvl_cov ? lmax : p->mute_max_lvl_cov;
    double t_lvl = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        net_level_step(&lvl, &t_lvl, rho[k], coverage ? p->mute_rho_cov : p->mute_rho, lmax,
                       (double)k * p->period_s, p);
        out[k] = (uint8_t)lvl;
    }
}

/* KZ_ES_AI, once per period: the network-wide muting level from the relative load rho = (the
 * forecast peak over lookahead_s of the summed sector loads, + margin) / the busiest slot of the
 * network seen so far.  Deeper only after mute_min_s at a level and with rho below the level's
 * bound by the hysteresis; shallower at once. */
static void decide_net_level(kz_es *es, double t_s)
{
    const struct kz_es_params *p = &es->p;
    const int lmax = mute_max_lvl(p);
    double now = es->net_now, fc = 0; /* net_now: kz_es_step, this period */
    int have_fc = es->n_groups > 0;
    unsigned h = slots_for(p, p->mute_lookahead_s > 0 ? p->mute_lookahead_s : p->lookahead_s);
    for (size_t gi = 0; gi < es->n_groups; gi++) {
        const struct kz__es_group *g = &es->groups[gi];
        double rm = 0, pk = kz_fc_peak(&g->fc, h, &rm);
        fc += pk + p->mute_margin_sigma * rm;
        have_fc &= g->fc.n_seen >= 2;
    }
    if (!have_fc || !(es->net_peak > 0) || t_s - es->t_first < p->mute_history_s) {
        es->net_rho = -1;
        es->net_lvl = es->net_lvl_cov = 0;
        return;
    }
    double rho = (fc > now ? fc : now) / es->net_peak;
    es->net_rho = rho;
    for (size_t gi = 0; gi < es->n_groups; gi++) {
        struct kz__es_group *g = &es->groups[gi];
        double rm = 0, pk = kz_fc_peak(&g->fc, h, &rm) + p->mute_margin_sigma * rm;
        g->rho = g->peak > 0 ? (pk > g->load ? pk : g->load) / g->peak : 1; /* load: learn() */
        if (p->mute_rho_sector[1] > 0)
            net_level_step(&g->lvl, &g->t_lvl, g->rho, p->mute_rho_sector, lmax, t_s, p);
    }
    /* the network bounds: between mute_rho_roomy and mute_rho by the tail risk (es.h) */
    double *bound = es->net_bound;
    double f = 0;
    if (p->risk_hi > 0 && es->risk >= 0)
        f = es->risk <= p->risk_lo ? 1
            : es->risk >= p->risk_hi ? 0
                                     : (p->risk_hi - es->risk) / (p->risk_hi - p->risk_lo);
    for (int l = 0; l <= KZ_ES_MUTE_MAX_LVL; l++)
        bound[l] = l == 0 ? INFINITY : p->mute_rho[l] + f * (p->mute_rho_roomy[l] - p->mute_rho[l]);
    net_level_step(&es->net_lvl, &es->net_t_lvl, rho, bound, lmax, t_s, p);
    /* a sector quiet against its own peak goes deeper than the network: only at a low tail
     * risk and while the network is below its roomy level-1 bound (es.h, risk_sector) */
    int sector_deep = p->risk_sector > 0 && es->risk >= 0 && es->risk <= p->risk_sector &&
                      rho <= p->mute_rho_roomy[1];
    for (size_t gi = 0; gi < es->n_groups; gi++) {
        struct kz__es_group *g = &es->groups[gi];
        net_level_step(&g->lvl_deep, &g->t_lvl_deep, sector_deep ? g->rho : INFINITY, bound,
                       lmax, t_s, p);
    }
    double *bound_cov = es->net_bound_cov;
    int lmax_cov = p->mute_max_lvl_cov;
    for (int l = 0; l <= KZ_ES_MUTE_MAX_LVL; l++)
        bound_cov[l] = l == 0 ? INFINITY : l <= p->mute_max_lvl_cov ? p->mute_rho_cov[l] : 0;
    if (p->mute_rho_cov_roomy > 0) {
        bound_cov[1] += f * (p->mute_rho_cov_roomy - bound_cov[1]);
        lmax_cov = lmax_cov > 1 ? lmax_cov : 1;
    }
    net_level_step(&es->net_lvl_cov, &es->net_t_lvl_cov, rho, bound_cov,
                   lmax < lmax_cov ? lmax : lmax_cov, t_s, p);
}

/* The tail guard (es.h, tail_floor_mbps): how deep, up to want, a cell at level cur may go
 * while its users' tail lo (and its coverage cell's, lo_v; <= 0 unknown), halved per level
 * deeper, stays at or above floor; one level up at once when either is below it now. */
static int tail_allow(int cur, int want, double lo, double lo_v, double floor)
{
    if (lo < floor || (lo_v > 0 && lo_v < floor))
        return cur > 0 ? cur - 1 : 0;
    int allow = cur;
    while (allow < want && lo * ldexp(1.0, cur - allow - 1) >= floor)
        allow++;
    return allow;
}

/* The antenna-muting lever of an awake capacity cell (see es.h for the rules). */
static void decide_mute(kz_es *es, size_t i, double t_s, const struct kz_es_obs *obs,
                        struct kz_es_action *out, size_t cap, size_t *n)
{
    const struct kz_es_params *p = &es->p;
    struct kz__es_cell *c = &es->cells[i];
    if (mute_max_lvl(p) == 0 || c->state != ST_AWAKE)
        return;
    const int cov = c->topo.role == KZ_ES_COVERAGE;
    const int v = cov ? (int)i : c->topo.cover; /* a coverage cell guards on itself */
    const double prb = obs[i].prb, thr = obs[i].ue_thr_mbps;
    enum kz_es_why why;
    int want;
    char text[200];
    if (p->mode == KZ_ES_SCHEDULE) {
        want = mute_sched_lvl(es, i, t_s + p->period_s);
        why = KZ_WHY_SCHEDULE;
        snprintf(text, sizeof text, "clairvoyant mute schedule");
    } else {
        int g_prb = prb > p->unmute_prb;
        int g_thr = p->mute_ue_thr_mbps > 0 && thr >= 0 && obs[i].n_ue > 0.5 &&
                    thr < p->mute_ue_thr_mbps;
        int g_cov = obs[v].prb > (cov ? p->unmute_prb_cov : p->guard_util);
        /* a surge in the cell's own sector: the crowd is on this cell, all TxRUs at once */
        const struct kz__es_group *sg = es->surge_of[i];
        int crowd = p->surge_unmute_mbps > 0 && !cov && sg && sg == &es->groups[c->group] &&
                    sg->crowd;
        if (crowd || g_prb || g_thr || g_cov) {
            c->t_guard = t_s;
            want = 0;
            why = KZ_WHY_GUARD;
            if (crowd)
                snprintf(text, sizeof text,
                         "surge guard: own sector carries %.1f Mbit/s against a forecast of %.1f "
                         "-> 100 %% TxRUs",
                         sg->g_now, sg->g_fc);
            else
                snprintf(text, sizeof text,
                         "guard: PRB %.2f (unmute above %.2f), UE throughput %.1f Mbit/s (min "
                         "%.1f), coverage PRB %.2f (guard %.2f)",
                         prb, p->unmute_prb, thr, p->mute_ue_thr_mbps, obs[v].prb,
                         p->guard_util);
        } else {
            want = cov ? es->net_lvl_cov : es->net_lvl;
            const struct kz__es_group *own = cov ? NULL : &es->groups[c->group];
            int by_sector = own && p->mute_rho_sector[1] > 0 && own->lvl < want;
            if (by_sector)
                want = own->lvl;
            int want_net = want; /* what the network's level and the sector cap grant */
            /* risk_sector; not while a surge of its own or a neighbouring sector holds it */
            int deeper = own && own->lvl_deep > want && !es->surge_of[i] &&
                         !(p->mute_rho_sector[1] > 0 && own->lvl <= want);
            if (deeper) {
                want = own->lvl_deep;
                if (p->mute_rho_sector[1] > 0 && own->lvl < want)
                    want = own->lvl;
            }
            by_sector |= deeper;
            why = KZ_WHY_FORECAST;
            if (want > c->mute_lvl &&
                (t_s - c->t_guard < p->mute_min_s || t_s - c->t_change < p->period_s * 1.5))
                want = c->mute_lvl; /* after a guard or a wake: hold for a dwell */
            if (by_sector)
                snprintf(text, sizeof text,
                         "sector load forecast %.2f of its own peak (%.0f Mbit/s), network %.2f "
                         "%s-> %.0f %% TxRUs; PRB %.2f, UE throughput %.1f Mbit/s, coverage PRB "
                         "%.2f",
                         own->rho, own->peak, es->net_rho,
                         deeper ? "(deeper than the network's: tail risk low) " : "",
                         100 * kz_es_mute_level_frac(want), prb, thr, obs[v].prb);
            else
                snprintf(text, sizeof text,
                         "network load forecast %.2f of its peak (%.0f of %.0f Mbit/s now, tail "
                         "risk %.3f: level bound %.2f) -> %.0f %% TxRUs; PRB %.2f, UE throughput "
                         "%.1f Mbit/s, coverage PRB %.2f",
                         es->net_rho, es->net_now, es->net_peak, es->risk,
                         (cov ? es->net_bound_cov : es->net_bound)[want > 0 ? want : 1],
                         100 * kz_es_mute_level_frac(want), prb, thr, obs[v].prb);
            /* the tail guard: the users' 10th percentile, halved per level deeper, stays at
             * or above the floor; below it now, one level up at once */
            double floor_mbps = kz_es_tail_floor(es), lo = obs[i].ue_thr_lo_mbps;
            /* a capacity cell's muting pushes users to its coverage cell: that one's tail too */
            double lo_v = cov ? lo : obs[v].ue_thr_lo_mbps;
            if (p->tail_floor_mbps >= 0 && !(floor_mbps > 0) && want > c->mute_lvl) {
                want = c->mute_lvl; /* no floor learned yet: no deeper than now */
                snprintf(text, sizeof text, "tail guard: no floor learned yet (%.0f UE samples)",
                         es->ue_count);
            } else if (floor_mbps > 0 && want > 0 && (lo > 0 || lo_v > 0)) {
                int cur = c->mute_lvl;
                if (!(lo > 0))
                    lo = INFINITY;
                int allow = tail_allow(cur, want_net, lo, lo_v, floor_mbps);
                allow = allow < want_net ? allow : want_net;
                if (deeper) { /* the levels the network did not grant: a higher floor */
                    double k = p->risk_sector_tail > 1 ? p->risk_sector_tail : 1;
                    int a2 = tail_allow(cur, want, lo, lo_v, k * floor_mbps);
                    a2 = a2 < want ? a2 : want;
                    allow = a2 > allow ? a2 : allow;
                }
                if (want > allow) {
                    want = allow;
                    why = KZ_WHY_GUARD;
                    if (allow < cur)
                        c->t_guard = t_s;
                    snprintf(text, sizeof text,
                             "tail guard: users' 10th percentile %.1f Mbit/s at %.0f %% TxRUs "
                             "(coverage cell's %.1f), floor %.1f -> %.0f %% TxRUs (network "
                             "level %.0f %%)",
                             lo, 100 * kz_es_mute_level_frac(cur), lo_v, floor_mbps,
                             100 * kz_es_mute_level_frac(want),
                             100 * kz_es_mute_level_frac(cov ? es->net_lvl_cov : es->net_lvl));
                }
            }
        }
    }
    if (want == c->mute_lvl)
        return;
    struct kz_es_action *a = emit(es, out, cap, n, want ? KZ_ES_MUTE : KZ_ES_UNMUTE, why, i, t_s,
                                  obs);
    if (!a)
        return;
    a->txru = kz_es_mute_level_frac(want);
    a->forecast_util = es->net_rho;
    if (why == KZ_WHY_FORECAST && !cov && want > c->mute_lvl && want > es->net_lvl)
        es->mutes_sector++; /* deeper than the network, by its sector (risk_sector) */
    snprintf(a->reason, sizeof a->reason, "%s", text);
    c->mute_prev = c->mute_lvl;
    c->mute_lvl = want;
    c->t_mute = t_s;
}

static void decide_rule(kz_es *es, size_t i, double t_s, const struct kz_es_obs *obs,
                        struct kz_es_action *out, size_t cap, size_t *n)
{
    const struct kz_es_params *p = &es->p;
    struct kz__es_cell *c = &es->cells[i];
    const int v = c->topo.cover;
    int want_sleep = 0, want_wake = 0;
    enum kz_es_why why = KZ_WHY_SCHEDULE;
    char why_text[96];
    why_text[0] = 0;

    switch (p->mode) {
    case KZ_ES_NIGHT: {
        double tod = fmod(t_s, 86400.0);
        if (tod < 0)
            tod += 86400.0;
        int night = p->night_from_s <= p->night_to_s
                        ? (tod >= p->night_from_s && tod < p->night_to_s)
                        : (tod >= p->night_from_s || tod < p->night_to_s);
        want_sleep = night;
        want_wake = !night;
        snprintf(why_text, sizeof why_text, "night %02.0f:%02.0f-%02.0f:%02.0f",
                 floor(p->night_from_s / 3600), fmod(p->night_from_s / 60, 60),
                 floor(p->night_to_s / 3600), fmod(p->night_to_s / 60, 60));
        break;
    }
    case KZ_ES_THRESHOLD:
        why = KZ_WHY_THRESHOLD;
        want_sleep = obs[i].prb >= 0 && obs[i].prb < p->thr_sleep_prb &&
                     t_s - c->t_change >= p->min_awake_s;
        want_wake = obs[v].prb > p->thr_wake_prb;
        snprintf(why_text, sizeof why_text, "PRB %.2f (sleep below %.2f), coverage PRB %.2f "
                 "(wake above %.2f)", obs[i].prb, p->thr_sleep_prb, obs[v].prb, p->thr_wake_prb);
        break;
    case KZ_ES_SCHEDULE:
        want_sleep = sched_asleep(es, i, t_s + p->period_s);
        want_wake = !want_sleep;
        snprintf(why_text, sizeof why_text, "clairvoyant schedule");
        break;
    default:
        return;
    }
    struct kz_es_action *a = NULL;
    switch (c->state) {
    case ST_AWAKE:
        if (want_sleep)
            a = go_sleep(es, out, cap, n, why, i, t_s, obs);
        break;
    case ST_DRAINING:
        if (p->mode == KZ_ES_THRESHOLD)
            want_sleep = !want_wake; /* its own PRB is now ~0: the users left */
        if (want_sleep) {
            a = emit(es, out, cap, n, KZ_ES_SLEEP, why, i, t_s, obs);
            if (a) {
                c->state = ST_ASLEEP;
                c->t_change = t_s;
            }
        } else {
            c->state = ST_AWAKE;
        }
        break;
    case ST_ASLEEP:
        if (want_wake) {
            a = emit(es, out, cap, n, KZ_ES_WAKE, why, i, t_s, obs);
            if (a) {
                c->state = ST_AWAKE;
                c->t_change = t_s;
            }
        }
        break;
    }
    if (a)
        snprintf(a->reason, sizeof a->reason, "%s", why_text);
}

/* The network's load this period: every sector's coverage and capacity cells, Mbit/s */
static double net_load(const kz_es *es, const struct kz_es_obs *obs)
{
    double load = 0;
    for (size_t i = 0; i < es->n_cells; i++)
        if (es->cells[i].group >= 0 || es->group_of_cov[i] >= 0)
            load += nz(obs[i].thr_mbps);
    return load;
}

/* The network load by hour of day while unaltered, and the tail risk from all of it (es.h) */
static void risk_observe(kz_es *es, double t_s)
{
    if (!es->altered) {
        size_t h = hour_of(t_s - es->p.period_s / 2);
        es->risk_load[h] += es->net_now;
        es->risk_load_n[h] += 1;
    }
    /* refreshed once a day, at the first period of the day (or as soon as a day is complete):
     * a day's muting then follows one figure, which the decisions' reasons quote */
    double day = floor(t_s / 86400.0);
    if (es->risk < 0 || day != es->risk_day) {
        es->risk = tail_risk(es);
        es->risk_day = day;
    }
}

size_t kz_es_step(kz_es *es, double t_s, const struct kz_es_obs *obs, struct kz_es_action *out,
                  size_t cap)
{
    size_t n = 0;
    learn(es, t_s, obs);
    es->t_seen = t_s;
    es->net_now = net_load(es, obs);
    risk_observe(es, t_s);
    if (es->p.mode == KZ_ES_ALWAYS_ON)
        return 0;
    const int lever = mute_max_lvl(&es->p) > 0 &&
                      (es->p.mode == KZ_ES_AI || es->p.mode == KZ_ES_SCHEDULE);
    if (lever && es->p.mode == KZ_ES_AI)
        decide_net_level(es, t_s);
    if (es->p.mode == KZ_ES_AI)
        surge_map(es);
    for (size_t i = 0; i < es->n_cells; i++) {
        if (es->cells[i].topo.role == KZ_ES_COVERAGE && lever && p_cov_lever(&es->p)) {
            if (es->cells[i].mute_lvl && isfinite(es->t_last))
                es->muted_s += t_s - es->t_last;
            decide_mute(es, i, t_s, obs, out, cap, &n);
            continue;
        }
        if (es->cells[i].topo.role != KZ_ES_CAPACITY)
            continue;
        if (lever && es->cells[i].mute_lvl && isfinite(es->t_last))
            es->muted_s += t_s - es->t_last;
        if (es->p.mode == KZ_ES_AI)
            decide_ai(es, i, t_s, obs, out, cap, &n);
        else
            decide_rule(es, i, t_s, obs, out, cap, &n);
        if (lever)
            decide_mute(es, i, t_s, obs, out, cap, &n);
    }
    es->t_last = t_s;
    es->altered = 0;
    for (size_t i = 0; i < es->n_cells && !es->altered; i++)
        es->altered = es->cells[i].state != ST_AWAKE || es->cells[i].mute_lvl > 0;
    return n;
}

void kz_es_stats_get(const kz_es *es, struct kz_es_stats *st)
{
    memset(st, 0, sizeof *st);
    st->sleeps = es->sleeps;
    st->wakes = es->wakes;
    st->wakes_guard = es->wakes_guard;
    st->wakes_forecast = es->wakes_forecast;
    st->handovers = es->handovers;
    st->mutes = es->mutes;
    st->unmutes = es->unmutes;
    st->unmutes_guard = es->unmutes_guard;
    st->mutes_sector = es->mutes_sector;
    st->muted_s = es->muted_s;
    st->tail_risk = es->risk;
    memcpy(st->net_bound, es->net_bound, sizeof st->net_bound);
    st->net_bound_cov = es->net_bound_cov[1];
    st->fc_slot_s = es->p.slot_s;
    for (size_t g = 0; g < es->n_groups; g++) {
        const struct kz_fc *f = &es->groups[g].fc;
        st->fc_horizon = f->cfg.horizon;
        for (int m = 0; m <= KZ_FC_NMODELS; m++)
            kz_fc_error_add(f, m, st->fc[m]);
        st->best_count[kz_fc_best(f)]++;
    }
}

void kz_es_stats_fc_error(const struct kz_es_stats *st, int m, unsigned h_max, double *mae,
                          double *mape)
{
    struct kz_fc_err t = {0};
    if (m < 0 || m > KZ_FC_NMODELS)
        m = KZ_FC_USED;
    for (unsigned h = 1; h <= h_max && h <= st->fc_horizon; h++) {
        t.sum_abs += st->fc[m][h - 1].sum_abs;
        t.sum_ape += st->fc[m][h - 1].sum_ape;
        t.n += st->fc[m][h - 1].n;
        t.n_ape += st->fc[m][h - 1].n_ape;
    }
    if (mae)
        *mae = t.n > 0 ? t.sum_abs / t.n : 0;
    if (mape)
        *mape = t.n_ape > 0 ? t.sum_ape / t.n_ape : 0;
}
