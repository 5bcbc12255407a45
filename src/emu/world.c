/*
 * emu/world.c -- UEs, mobility, cell selection and handover, demand, scheduling, power and the
 * ground truth, step by step.  See world.h for the order of a step and what it guarantees, and
 * docs/emulator.md for the modelling choices and their accuracy.
 */
#include "emu/world.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/cqi.h"
#include "emu/radio.h"
#include "emu/scheduler.h"
#include "emu/traffic.h"
#include "kizuna/error.h"

#define KZ__PI 3.14159265358979323846
#define KZ__NO_EVENT 1e300

/* Mobility choices (ours, documented in docs/emulator.md): random waypoint with pauses. */
#define KZ__PAUSE_PED_S 600.0
#define KZ__PAUSE_VEH_S 900.0
#define KZ__REFRESH_M 25.0
#define KZ__FAR_ISD 3.0 /* links to sites farther than 3 ISD are not computed */
#define KZ__UL_EFF 0.5 /* UL spectral efficiency relative to DL (UE power limited) */

static const uint64_t KZ__SALT_PLACE = 0x706c616365ull, KZ__SALT_MOB = 0x6d6f62ull,
                      KZ__SALT_ARR = 0x617272ull, KZ__SALT_EVENT = 0x6576656e74ull;

/* ---- small helpers ------------------------------------------------------------------------ */

static double kz__group(const struct kz_cell *c)
{
    return c->layer == KZ_LAYER_COVERAGE ? 0 : 1;
}

int kz_world_cell_up(const struct kz_world *w, uint32_t c)
{
    return w->wc[c].serving_ok;
}

void kz_world_ue_pos(const struct kz_world *w, const struct kz_world_ue *u, double *x, double *y)
{
    double dt = w->t - u->t0;
    *x = u->x0 + u->vx * dt;
    *y = u->y0 + u->vy * dt;
}

static void kz__pos_at(const struct kz_world_ue *u, double t, double *x, double *y)
{
    double dt = t - u->t0;
    *x = u->x0 + u->vx * dt;
    *y = u->y0 + u->vy * dt;
}

double kz_world_rsrp(const struct kz_world *w, uint32_t u, uint32_t c)
{
    return w->wc[c].rsrp_off_db + w->wc[c].txru_db + w->gain_db[(size_t)u * w->n_cells + c];
}

/* Uniform point inside the hexagonal Voronoi cell (inradius isd/2) of macro site s. */
static void kz__point_in_hex(struct kz_world *w, struct kz_rng *r, uint32_t s, double *x,
                             double *y)
{
    double h = w->sc.topo.isd_m / 2.0, R = h * 2.0 / sqrt(3.0);
    for (;;) {
        double px = (2.0 * kz_rng_uniform(r) - 1.0) * R;
        double py = (2.0 * kz_rng_uniform(r) - 1.0) * R;
        int in = 1;
        for (int k = 0; k < 3 && in; k++) {
            double a = k * KZ__PI / 3.0;
            if (fabs(px * cos(a) + py * sin(a)) > h)
                in = 0;
        }
        if (in) {
            *x = w->sites[s].x + px;
            *y = w->sites[s].y + py;
            return;
        }
    }
}

static uint32_t kz__below(struct kz_rng *r, size_t n)
{
    uint32_t k = (uint32_t)(kz_rng_uniform(r) * (double)n);
    return k < n ? k : (uint32_t)(n - 1);
}

/* ---- radio cache -------------------------------------------------------------------------- */

/* Recompute UE ui's coupling gain to every cell at (x, y).  The same link budget as
 * kz_radio_link() (a unit test compares them), but with the per-(UE, site) random draws
 * cached and the geometry shared by the co-sited cells, and the path loss by cells on the
 * same frequency: ~7x cheaper, and this is the emulator's hottest function. */
static void kz__refresh(struct kz_world *w, uint32_t ui, double x, double y)
{
    struct kz_world_ue *u = &w->ues[ui];
    const struct kz_radio_cfg *rc = &w->sc.radio;
    double h_ut = w->sc.ue_height_m, d_in = u->d_in;
    int indoor = d_in > 0.0;
    float *gain = &w->gain_db[(size_t)ui * w->n_cells];
    float *rx = &w->rx_mw[(size_t)ui * w->n_cells];
    const float *los_u = &w->los_u[(size_t)ui * w->n_sites];
    const float *sf_z = &w->sf_z[(size_t)ui * w->n_sites];
    double o2i_extra = indoor ? 0.5 * d_in + (rc->o2i_random ? 4.4 * u->o2i_z : 0.0) : 0.0;
    uint32_t m_site = UINT32_MAX;
    double m_h = -1.0, m_fc = -1.0;
    int m_env = -1, los = 0, far = 0;
    double d2d = 0, d3d = 0, bearing = 0, theta = 0, pl = 0, sf = 0;
    double far_m2 = w->far_m * w->far_m;
    for (size_t c = 0; c < w->n_cells; c++) {
        const struct kz_cell *cell = &w->cells[c];
        enum kz_env env = (enum kz_env)cell->env;
        if (cell->site != m_site || cell->height_m != m_h || (int)env != m_env) {
            m_site = cell->site;
            m_h = cell->height_m;
            m_env = (int)env;
            m_fc = -1.0;
            double dx = x - cell->x, dy = y - cell->y;
            double dmin = env == KZ_ENV_UMI ? 10.0 : 35.0; /* TR 38.901 Table 7.2-1 */
            /* beyond far_m a site is neither heard nor interfering (>= 35 dB below the
             * nearest sites): skip its link budget */
            far = dx * dx + dy * dy > far_m2;
            d2d = sqrt(dx * dx + dy * dy);
            if (d2d < dmin)
                d2d = dmin;
            double dh = cell->height_m - h_ut;
            d3d = sqrt(d2d * d2d + dh * dh);
            double d_out = d2d - (indoor ? d_in : 0.0);
            if (d_out < 0.0)
                d_out = 0.0;
            los = rc->random_los && los_u[m_site] < kz_radio_los_prob(env, d_out, h_ut);
            bearing = atan2(dx, dy) * 180.0 / KZ__PI;
            theta = 90.0 + atan2(dh, d2d) * 180.0 / KZ__PI;
            if (rc->shadow == KZ_SHADOW_PER_LINK)
                sf = kz_radio_sf_sigma_db(env, los) * sf_z[m_site];
            else if (rc->shadow == KZ_SHADOW_SPATIAL)
                sf = kz_radio_shadow_db(rc, env, los, ui, m_site, x, y);
            else
                sf = 0.0;
        }
        if (far) {
            gain[c] = -250.0f;
            rx[c] = 0.0f;
            continue;
        }
        if (cell->fc_ghz != m_fc) {
            m_fc = cell->fc_ghz;
            pl = kz_radio_pathloss_db(env, los, d2d, d3d, cell->fc_ghz, cell->height_m, h_ut);
        }
        double ant = kz_radio_ant_gain_dbi(&cell->ant, bearing - cell->azimuth_deg, theta);
        double o2i = indoor ? w->wc[c].o2i_tw_db + o2i_extra : 0.0;
        double g = ant - pl - sf - o2i;
        gain[c] = (float)g;
        rx[c] = (float)w->wc[c].tx_mw * expf((float)g * 0.23025851f);
    }
    u->ref_x = x;
    u->ref_y = y;
}

double kz_world_sinr(const struct kz_world *w, uint32_t ui)
{
    const struct kz_world_ue *u = &w->ues[ui];
    if (u->serving < 0)
        return -INFINITY;
    uint32_t s = (uint32_t)u->serving;
    const float *rx = &w->rx_mw[(size_t)ui * w->n_cells];
    uint16_t carrier = w->cells[s].carrier;
    double i_mw = 0.0;
    for (size_t j = 0; j < w->n_cells; j++) {
        if (j == s || w->cells[j].carrier != carrier || !w->wc[j].serving_ok)
            continue;
        i_mw += w->wc[j].load * w->wc[j].txru_lin * rx[j];
    }
    return 10.0 * log10(rx[s] * w->wc[s].txru_lin / (w->wc[s].noise_mw + i_mw));
}

/* Best rank and CQI at this SINR: r layers share the power (SINR - 10 log10 r each); the rank
 * that carries the most bits wins.  Returns the rate of one PRB in bit/s. */
static double kz__rate_per_prb(const struct kz_world *w, uint32_t c, double sinr_db,
                               uint8_t *cqi_out)
{
    static const double split_db[5] = {0.0, 0.0, 3.0103, 4.7712, 6.0206};
    const struct kz_cell *cell = &w->cells[c];
    enum kz_cqi_table tab = (enum kz_cqi_table)w->wc[c].cqi_table;
    double best = 0.0;
    unsigned best_r = 1, best_cqi = 0;
    unsigned maxr = w->wc[c].max_layers ? w->wc[c].max_layers : 1;
    if (maxr > 4)
        maxr = 4;
    for (unsigned r = 1; r <= maxr; r++) {
        unsigned q = kz_cqi_from_sinr(tab, sinr_db - split_db[r]);
        double v = (double)r * kz_cqi_se(tab, q);
        if (v > best) {
            best = v;
            best_r = r;
            best_cqi = q;
        }
        if (q == 0)
            break;
    }
    *cqi_out = (uint8_t)best_cqi;
    if (best <= 0.0)
        return 0.0;
    return kz_cqi_rate_per_prb_bps(best / best_r, best_r, cell->scs_khz, cell->dl_fraction,
                                   KZ_CQI_OH_FR1_DL) *
           w->wc[c].degrade;
}

/* ---- cell selection and handover ----------------------------------------------------------- */

static void kz__queue(struct kz_world *w, uint32_t ui)
{
    if (w->ues[ui].queued || w->ues[ui].absent)
        return;
    w->ues[ui].queued = 1;
    w->evalq[w->evalq_n++] = ui;
}

static void kz__set_serving(struct kz_world *w, uint32_t ui, int32_t c, int count)
{
    struct kz_world_ue *u = &w->ues[ui];
    if (u->serving == c)
        return;
    if (count && u->serving >= 0 && c >= 0) {
        w->ho_step++;
        w->ho_total++;
    }
    if (u->serving >= 0)
        w->wc[u->serving].n_ues--;
    if (c >= 0)
        w->wc[c].n_ues++;
    u->serving = c;
    u->ttt_target = -1;
}

/* The cell a UE should attach to now, by policy, among up cells (except `avoid`); -1: none. */
static int32_t kz__attach_choice(const struct kz_world *w, uint32_t ui, int32_t avoid)
{
    int32_t best[2] = {-1, -1}, best_all = -1;
    double rb[2] = {-INFINITY, -INFINITY}, rall = -INFINITY;
    for (size_t c = 0; c < w->n_cells; c++) {
        if (!w->wc[c].serving_ok || (int32_t)c == avoid)
            continue;
        double r = kz_world_rsrp(w, ui, (uint32_t)c);
        int g = (int)kz__group(&w->cells[c]);
        if (r > rb[g]) {
            rb[g] = r;
            best[g] = (int32_t)c;
        }
        if (r > rall) {
            rall = r;
            best_all = (int32_t)c;
        }
    }
    if (rall < KZ_WORLD_MIN_RSRP_DBM)
        return -1;
    if (w->sc.attach == KZ_ATTACH_BEST_RSRP)
        return best_all;
    /* the same bar as the A4-like return to the capacity layer (kz__ho_candidate): a UE that
     * attached between threshold and threshold + hysteresis would stay on a capacity cell it
     * would never be admitted back to, until any disturbance (a mute, a sleep) moved it for
     * good -- an always-on network handicapped by stale camping that every energy-saving
     * policy then repaired for free (docs/energy-saving.md) */
    if (best[1] >= 0 && rb[1] >= w->sc.capacity_min_rsrp_dbm + KZ_WORLD_LAYER_HYST_DB)
        return best[1];
    if (best[0] >= 0 && rb[0] >= KZ_WORLD_MIN_RSRP_DBM)
        return best[0];
    return best_all;
}

/* Measurement events of a connected (or camped) UE: the target it would hand over to, or -1.
 *  A3 (same carrier): neighbour > serving + offset.
 *  capacity-first layer changes: on coverage, best capacity >= threshold + hyst (A4-like);
 *  on capacity, serving < threshold - hyst (A2-like) -> best coverage.
 *  best-rsrp: A3 over every carrier. */
static int32_t kz__ho_candidate(const struct kz_world *w, uint32_t ui)
{
    const struct kz_world_ue *u = &w->ues[ui];
    uint32_t s = (uint32_t)u->serving;
    double rs = kz_world_rsrp(w, ui, s);
    uint16_t carrier = w->cells[s].carrier;
    int gs = (int)kz__group(&w->cells[s]);
    int32_t a3 = -1, best[2] = {-1, -1};
    double ra3 = rs + w->sc.a3_offset_db, rb[2] = {-INFINITY, -INFINITY};
    int any_carrier = w->sc.attach == KZ_ATTACH_BEST_RSRP;
    for (size_t c = 0; c < w->n_cells; c++) {
        if (c == s || !w->wc[c].serving_ok)
            continue;
        double r = kz_world_rsrp(w, ui, (uint32_t)c);
        if ((any_carrier || w->cells[c].carrier == carrier) && r > ra3) {
            ra3 = r;
            a3 = (int32_t)c;
        }
        int g = (int)kz__group(&w->cells[c]);
        if (r > rb[g]) {
            rb[g] = r;
            best[g] = (int32_t)c;
        }
    }
    if (any_carrier)
        return a3;
    double thr = w->sc.capacity_min_rsrp_dbm;
    if (gs == 0 && best[1] >= 0 && rb[1] >= thr + KZ_WORLD_LAYER_HYST_DB)
        return best[1];
    if (gs == 1 && rs < thr - KZ_WORLD_LAYER_HYST_DB && best[0] >= 0 &&
        rb[0] >= KZ_WORLD_MIN_RSRP_DBM)
        return best[0];
    return a3;
}

/* Returns 1 if the UE must be looked at again next step (TTT running). */
static int kz__evaluate(struct kz_world *w, uint32_t ui, double now)
{
    struct kz_world_ue *u = &w->ues[ui];
    if (u->absent) /* queued before its event UE left */
        return 0;
    if (u->serving < 0 || !w->wc[u->serving].serving_ok ||
        kz_world_rsrp(w, ui, (uint32_t)u->serving) < KZ_WORLD_MIN_RSRP_DBM) {
        /* radio link failure / re-establishment (or initial attach): no TTT */
        kz__set_serving(w, ui, kz__attach_choice(w, ui, -1), 1);
        return 0;
    }
    int32_t cand = kz__ho_candidate(w, ui);
    if (cand < 0) {
        u->ttt_target = -1;
        return 0;
    }
    if (cand != u->ttt_target) {
        u->ttt_target = cand;
        u->ttt_since = now;
    }
    if ((now - u->ttt_since) * 1000.0 + 1e-6 >= w->sc.ttt_ms) {
        kz__set_serving(w, ui, cand, 1);
        return 0;
    }
    return 1;
}

static void kz__run_evaluations(struct kz_world *w, double now)
{
    if (w->all_dirty) {
        w->all_dirty = 0;
        for (uint32_t i = 0; i < w->n_ues; i++)
            kz__queue(w, i);
    }
    size_t n = w->evalq_n;
    for (size_t k = 0; k < n; k++) {
        uint32_t ui = w->evalq[k];
        w->ues[ui].queued = 0;
        if (kz__evaluate(w, ui, now))
            kz__queue(w, ui); /* appended beyond n: next step */
    }
    memmove(w->evalq, w->evalq + n, (w->evalq_n - n) * sizeof *w->evalq);
    w->evalq_n -= n;
}

/* ---- mobility -------------------------------------------------------------------------------- */

static int kz__heap_less(const struct kz_world *w, uint32_t a, uint32_t b)
{
    double ta = w->ues[a].next_ev, tb = w->ues[b].next_ev;
    return ta < tb || (ta == tb && a < b);
}

static void kz__heap_swap(struct kz_world *w, size_t i, size_t j)
{
    uint32_t a = w->heap[i], b = w->heap[j];
    w->heap[i] = b;
    w->heap[j] = a;
    w->ues[b].heap_idx = (uint32_t)i;
    w->ues[a].heap_idx = (uint32_t)j;
}

static void kz__heap_up(struct kz_world *w, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!kz__heap_less(w, w->heap[i], w->heap[p]))
            break;
        kz__heap_swap(w, i, p);
        i = p;
    }
}

static void kz__heap_down(struct kz_world *w, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < w->heap_n && kz__heap_less(w, w->heap[l], w->heap[m]))
            m = l;
        if (r < w->heap_n && kz__heap_less(w, w->heap[r], w->heap[m]))
            m = r;
        if (m == i)
            return;
        kz__heap_swap(w, i, m);
        i = m;
    }
}

static void kz__heap_push(struct kz_world *w, uint32_t ui)
{
    w->heap[w->heap_n] = ui;
    w->ues[ui].heap_idx = (uint32_t)w->heap_n;
    w->heap_n++;
    kz__heap_up(w, w->heap_n - 1);
}

static double kz__speed(const struct kz_world *w, const struct kz_world_ue *u)
{
    return u->mob == KZ_MOB_VEHICLE ? w->sc.speed_vehicle_mps : w->sc.speed_pedestrian_mps;
}

/* Start a leg from (x, y) at te: pedestrians walk to a point of their home site's hexagon,
 * vehicles drive to a point anywhere in the network. */
static void kz__start_leg(struct kz_world *w, struct kz_world_ue *u, double x, double y,
                          double te)
{
    uint32_t site = u->mob == KZ_MOB_VEHICLE ? kz__below(&w->rng_mob, w->n_macro_sites)
                                             : u->home_site;
    double dx, dy;
    kz__point_in_hex(w, &w->rng_mob, site, &dx, &dy);
    double v = kz__speed(w, u);
    double d = hypot(dx - x, dy - y);
    if (d < 1.0 || v <= 0.0) {
        u->moving = 0;
        u->vx = u->vy = 0.0;
        u->next_ev = te + kz_rng_exponential(&w->rng_mob, u->mob == KZ_MOB_VEHICLE
                                                              ? KZ__PAUSE_VEH_S
                                                              : KZ__PAUSE_PED_S);
        return;
    }
    u->moving = 1;
    u->vx = v * (dx - x) / d;
    u->vy = v * (dy - y) / d;
    u->leg_end = te + d / v;
    double next = te + w->refresh_m / v;
    u->next_ev = next < u->leg_end ? next : u->leg_end;
}

/* A mobility event of UE ui at time te: a refresh point or the end of a leg (moving), or the
 * end of a pause.  Sets the next event. */
static void kz__mobility_event(struct kz_world *w, uint32_t ui, double te)
{
    struct kz_world_ue *u = &w->ues[ui];
    double x, y;
    kz__pos_at(u, te, &x, &y);
    u->x0 = x;
    u->y0 = y;
    u->t0 = te;
    if (u->moving) {
        double dx = x - u->ref_x, dy = y - u->ref_y;
        if (dx * dx + dy * dy >= 1.0) {
            kz__refresh(w, ui, x, y);
            kz__queue(w, ui);
        }
        if (te >= u->leg_end - 1e-9) {
            u->moving = 0;
            u->vx = u->vy = 0.0;
            u->next_ev = te + kz_rng_exponential(&w->rng_mob, u->mob == KZ_MOB_VEHICLE
                                                                  ? KZ__PAUSE_VEH_S
                                                                  : KZ__PAUSE_PED_S);
        } else {
            double next = te + w->refresh_m / kz__speed(w, u);
            u->next_ev = next < u->leg_end ? next : u->leg_end;
        }
    } else {
        kz__start_leg(w, u, x, y, te);
    }
}

static void kz__run_mobility(struct kz_world *w, double t_end)
{
    while (w->heap_n > 0 && w->ues[w->heap[0]].next_ev <= t_end) {
        uint32_t ui = w->heap[0];
        kz__mobility_event(w, ui, w->ues[ui].next_ev);
        kz__heap_down(w, 0);
    }
}

/* ---- demand ------------------------------------------------------------------------------- */

/* A session starting on an idle UE (no data for the inactivity timer) is set up on the cell the
 * UE camps on by then: the camping rule (kz__attach_choice), not the cell its last connection
 * was handed to.  Why: UEs here keep their RSRPs for hours (static indoor users, frozen
 * shadowing), so without idle-mode reselection every connected-mode hysteresis band (A3 offset,
 * capacity-layer threshold +- hysteresis) would be absorbing -- one mute or sleep would leave
 * its UEs on second-best cells for the rest of the day, and the always-on network, sorted at
 * attach, could never be matched by any policy.  Real idle UEs re-rank cells (TS 38.304 R
 * criterion) on measurements that fluctuate by more than those bands between sessions. */
static void kz__idle_reselect(struct kz_world *w, uint32_t ui)
{
    struct kz_world_ue *u = &w->ues[ui];
    if (u->in_conn || u->serving < 0)
        return; /* connected: handovers decide; no cell: the evaluations attach it */
    int32_t c = kz__attach_choice(w, ui, -1);
    if (c >= 0 && c != u->serving)
        kz__set_serving(w, ui, c, 0);
}

static void kz__run_arrivals(struct kz_world *w, double t, double dt)
{
    double tod = fmod(w->tod0 + t + dt / 2.0, 86400.0);
    double prof = kz_traffic_profile_at(w->sc.profile, tod);
    for (int a = 0; a < KZ_AREA_COUNT; a++) {
        size_t n = w->n_area_ues[a];
        if (!n)
            continue;
        uint32_t k = kz_rng_poisson(&w->rng_arr, (double)n * w->area_rate[a] * prof * dt);
        for (uint32_t i = 0; i < k; i++) {
            uint32_t ui = w->area_ues[a][kz__below(&w->rng_arr, n)];
            double bits = 8.0 * kz_traffic_session_bytes(&w->rng_arr, w->sc.session_bytes);
            struct kz_world_ue *u = &w->ues[ui];
            if (u->backlog_bits <= 0.0) {
                u->backlog_since = t;
                w->active[w->n_active++] = ui;
                kz__idle_reselect(w, ui);
            }
            u->backlog_bits += bits;
        }
    }
    /* events: a flat rate per present UE, from the event's own stream */
    for (size_t e = 0; e < w->n_ev; e++) {
        struct kz_world_event *ev = &w->ev[e];
        if (!ev->n_present || !(ev->rate > 0.0))
            continue;
        uint32_t k = kz_rng_poisson(&ev->rng_arr, (double)ev->n_present * ev->rate * dt);
        for (uint32_t i = 0; i < k; i++) {
            uint32_t ui = ev->present[kz__below(&ev->rng_arr, ev->n_present)];
            double bits = 8.0 * kz_traffic_session_bytes(&ev->rng_arr, ev->session_bytes);
            struct kz_world_ue *u = &w->ues[ui];
            if (u->backlog_bits <= 0.0) {
                u->backlog_since = t;
                w->active[w->n_active++] = ui;
                kz__idle_reselect(w, ui);
            }
            u->backlog_bits += bits;
        }
    }
}

/* ---- events: UEs joining and leaving --------------------------------------------------------- */

static void kz__event_join(struct kz_world *w, struct kz_world_event *ev, uint32_t ui)
{
    struct kz_world_ue *u = &w->ues[ui];
    u->absent = 0;
    u->t0 = w->t;
    u->backlog_bits = 0.0;
    u->backlog_since = w->t;
    u->last_data = -1e9;
    u->met = u->cqi = 0;
    u->thp_bps = 0.0f;
    u->serving = -1;
    u->ttt_target = -1;
    w->class_n[u->cls]++;
    ev->slot[ui - ev->first] = ev->n_present;
    ev->present[ev->n_present++] = ui;
    kz__queue(w, ui); /* attached at this step's evaluations */
}

static void kz__event_leave(struct kz_world *w, struct kz_world_event *ev, uint32_t ui)
{
    struct kz_world_ue *u = &w->ues[ui];
    if (u->absent)
        return;
    if (u->backlog_bits > 0.0) { /* what it still wanted is dropped: unmet, like a timeout */
        w->truth.unmet_bits += u->backlog_bits;
        if (u->serving >= 0)
            w->ct[u->serving].unmet_bits += u->backlog_bits;
    }
    kz__set_serving(w, ui, -1, 0);
    u->absent = 1;
    u->backlog_bits = 0.0;
    u->thp_bps = 0.0f;
    w->class_n[u->cls]--;
    uint32_t j = ev->slot[ui - ev->first], last = ev->present[--ev->n_present];
    ev->present[j] = last;
    ev->slot[last - ev->first] = j;
}

/* Joins and leaves whose time falls before the end of this step, then the lists of UEs with
 * data and of connected UEs without those that left (once per step, not per UE). */
static void kz__run_events(struct kz_world *w, double t_end)
{
    int left = 0;
    for (size_t e = 0; e < w->n_ev; e++) {
        struct kz_world_event *ev = &w->ev[e];
        while (ev->next_join < ev->n && ev->t_join[ev->next_join] < t_end)
            kz__event_join(w, ev, ev->first + ev->next_join++);
        while (ev->next_leave < ev->n && ev->t_leave[ev->next_leave] < t_end) {
            kz__event_leave(w, ev, ev->first + ev->leave_order[ev->next_leave++]);
            left = 1;
        }
    }
    if (!left)
        return;
    size_t m = 0;
    for (size_t k = 0; k < w->n_active; k++)
        if (!w->ues[w->active[k]].absent)
            w->active[m++] = w->active[k];
    w->n_active = m;
    m = 0;
    for (size_t k = 0; k < w->n_conn; k++) {
        uint32_t ui = w->conn[k];
        if (w->ues[ui].absent)
            w->ues[ui].in_conn = 0;
        else
            w->conn[m++] = ui;
    }
    w->n_conn = m;
}

/* ---- the step ------------------------------------------------------------------------------ */

static uint64_t kz__fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void kz__schedule(struct kz_world *w, double t_end)
{
    double dt = w->dt, drop_s = fmax(KZ_WORLD_DROP_S, 3.0 * dt);
    size_t nc = w->n_cells;
    /* counting sort of the UEs with data by serving cell; index nc = no cell */
    memset(w->cell_start, 0, (nc + 2) * sizeof *w->cell_start);
    for (size_t k = 0; k < w->n_active; k++) {
        int32_t s = w->ues[w->active[k]].serving;
        w->cell_start[(s < 0 ? nc : (size_t)s) + 1]++;
    }
    for (size_t c = 0; c <= nc; c++)
        w->cell_start[c + 1] += w->cell_start[c];
    for (size_t k = 0; k < w->n_active; k++) {
        int32_t s = w->ues[w->active[k]].serving;
        size_t c = s < 0 ? nc : (size_t)s;
        /* cell_start[c] is used as the fill cursor, restored below */
        w->order[w->cell_start[c]++] = w->active[k];
    }
    for (size_t c = nc; c > 0; c--)
        w->cell_start[c] = w->cell_start[c - 1];
    w->cell_start[0] = 0;

    kz_emu_truth *tr = &w->truth;
    size_t n_thp = 0;
    for (size_t c = 0; c <= nc; c++) {
        size_t b = w->cell_start[c], e = w->cell_start[c + 1];
        if (b == e)
            continue;
        struct kz_world_cell *wc = c < nc ? &w->wc[c] : NULL;
        kz_emu_cell_truth *ct = c < nc ? &w->ct[c] : NULL;
        int can = wc && wc->serving_ok && wc->fault != KZ_EMU_FAULT_SLEEPING;
        double n_prb = c < nc ? (double)w->cells[c].n_prb : 0.0;
        for (size_t k = b; k < e; k++) {
            uint32_t ui = w->order[k];
            struct kz_world_ue *u = &w->ues[ui];
            w->s_dem[k] = u->backlog_bits / dt;
            w->s_rate[k] = 0.0;
            u->cqi = 0;
            if (can) {
                double sinr = kz_world_sinr(w, ui);
                u->sinr_db = (float)sinr;
                w->s_rate[k] = kz__rate_per_prb(w, (uint32_t)c, sinr, &u->cqi);
            }
        }
        struct kz_sched_result res = {0};
        if (can)
            kz_sched_pf(w->s_rate + b, w->s_dem + b, e - b, n_prb, w->s_prb + b, w->s_thp + b,
                        &res);
        else
            for (size_t k = b; k < e; k++)
                w->s_prb[k] = w->s_thp[k] = 0.0;
        double ul_scale = 1.0, ul_prb_sum = 0.0;
        if (c < nc) {
            const struct kz_cell *cell = &w->cells[c];
            double dlf = cell->dl_fraction, ulf = cell->duplex == KZ_DUPLEX_TDD ? 1.0 - dlf : 1.0;
            /* UL rate per PRB = DL rate per PRB x (UL time share / DL time share) x UL eff. */
            ul_scale = (ulf / dlf) * KZ__UL_EFF;
        }
        for (size_t k = b; k < e; k++) {
            uint32_t ui = w->order[k];
            struct kz_world_ue *u = &w->ues[ui];
            double demand = u->backlog_bits;
            double served = fmin(w->s_thp[k] * dt, demand);
            double burst = 0.0;
            if (w->s_rate[k] > 0.0)
                burst = w->s_rate[k] * (n_prb - res.prb_used + w->s_prb[k]);
            u->backlog_bits -= served;
            if (u->backlog_bits < 1.0)
                u->backlog_bits = 0.0;
            int met = served > 0.0 &&
                      (u->backlog_bits == 0.0 || w->s_thp[k] >= w->qos_min_bps);
            u->met = (uint8_t)met;
            u->thp_bps = (float)burst;
            u->last_data = t_end;
            if (!u->in_conn) {
                u->in_conn = 1;
                w->conn[w->n_conn++] = ui;
            }
            double ul_bits = served * KZ_WORLD_UL_RATIO;
            double ul_rate = w->s_rate[k] * ul_scale;
            double prb_ul = ul_rate > 0.0 ? ul_bits / dt / ul_rate : 0.0;
            ul_prb_sum += prb_ul;
            u->c_dl_bits += served;
            u->c_ul_bits += ul_bits;
            if (burst > 0.0)
                u->c_tx_time += served / burst;
            u->c_prb_dl_s += w->s_prb[k] * dt;
            u->c_prb_ul_s += prb_ul * dt;
            double dropped = 0.0;
            if (met || u->backlog_bits == 0.0)
                u->backlog_since = t_end;
            else if (t_end - u->backlog_since >= drop_s) {
                dropped = u->backlog_bits;
                u->backlog_bits = 0.0;
            }
            kz_emu_class_truth *cl = &tr->classes[u->cls];
            cl->n_active++;
            cl->n_met += (uint32_t)met;
            cl->demand_bits += demand;
            cl->served_bits += served;
            tr->n_active++;
            tr->n_met += (uint32_t)met;
            tr->demand_bits += demand;
            tr->served_bits += served;
            tr->unmet_bits += dropped;
            if (u->serving < 0 || !can)
                tr->n_unserved += u->serving < 0;
            w->served_out[n_thp] = (float)served;
            w->thp_out[n_thp++] = (float)burst;
            if (ct) {
                ct->n_active++;
                ct->n_unmet += (uint32_t)!met;
                ct->demand_bits += demand;
                ct->served_bits += served;
                ct->unmet_bits += dropped;
                wc->c_dl_bits += served;
                wc->c_ul_bits += ul_bits;
                if (burst > 0.0) {
                    wc->c_thp_bits += served;
                    wc->c_thp_time += served / burst;
                    double ul_burst = ul_rate * n_prb;
                    if (ul_burst > 0.0) {
                        wc->c_ul_thp_bits += ul_bits;
                        wc->c_ul_thp_time += ul_bits / ul_burst;
                    }
                }
            }
        }
        if (ct && can) {
            ct->prb_util = res.utilisation;
            ct->prb_util_ul = n_prb > 0.0 ? fmin(ul_prb_sum / n_prb, 1.0) : 0.0;
        }
    }
    tr->n_thp = n_thp;
    tr->ue_thp_bps = w->thp_out;
    tr->ue_index = w->order; /* order[k] is the UE of thp_out[k]: both filled cell by cell */
    tr->ue_served_bits = w->served_out;

    /* compact the list of UEs with data */
    size_t m = 0;
    for (size_t k = 0; k < w->n_active; k++) {
        uint32_t ui = w->active[k];
        if (w->ues[ui].backlog_bits > 0.0)
            w->active[m++] = ui;
    }
    w->n_active = m;
}

static void kz__power_and_truth(struct kz_world *w)
{
    kz_emu_truth *tr = &w->truth;
    double dt = w->dt;
    for (size_t c = 0; c < w->n_cells; c++) {
        struct kz_world_cell *wc = &w->wc[c];
        kz_emu_cell_truth *ct = &w->ct[c];
        int was_ok = wc->serving_ok;
        double load = wc->serving_ok ? ct->prb_util : 0.0;
        ct->power_w = kz_power_step(&wc->pw, &wc->pp, load, dt);
        ct->energy_j = wc->pw.energy_j;
        wc->serving_ok = (uint8_t)(wc->pw.state == KZ_PWR_ACTIVE);
        if (wc->serving_ok && !was_ok)
            w->all_dirty = 1; /* a cell came up: UEs may want it (evaluated next step) */
        wc->state = (uint8_t)(wc->pw.state == KZ_PWR_ACTIVE   ? KZ_EMU_CELL_ON
                              : wc->pw.state == KZ_PWR_WAKING ? KZ_EMU_CELL_WAKING
                                                              : KZ_EMU_CELL_ASLEEP);
        ct->state = wc->state;
        ct->fault = wc->fault;
        ct->layer = w->cells[c].layer;
        ct->txru_frac = wc->txru;
        wc->load = wc->serving_ok ? ct->prb_util : 0.0;
        wc->c_time_s += dt;
        if (was_ok) {
            wc->c_avail_s += dt;
            wc->c_prb_dl_s += ct->prb_util * w->cells[c].n_prb * dt;
            wc->c_prb_ul_s += ct->prb_util_ul * w->cells[c].n_prb * dt;
        }
        tr->power_w += ct->power_w;
        tr->energy_j += ct->energy_j;
    }
    /* RRC-connected UEs: the list of UEs that had data within the inactivity timer, so the
     * cost is O(connected UEs), not O(UEs). */
    double t_end = w->t;
    for (size_t c = 0; c < w->n_cells; c++) {
        w->ct[c].n_ues = w->wc[c].n_ues;
        w->ct[c].n_conn = 0;
    }
    size_t m = 0;
    for (size_t k = 0; k < w->n_conn; k++) {
        uint32_t ui = w->conn[k];
        struct kz_world_ue *u = &w->ues[ui];
        if (t_end - u->last_data >= KZ_WORLD_INACTIVITY_S) {
            u->in_conn = 0;
            continue;
        }
        w->conn[m++] = ui;
        if (u->serving >= 0 && w->wc[u->serving].fault != KZ_EMU_FAULT_SLEEPING)
            w->ct[u->serving].n_conn++;
    }
    w->n_conn = m;
    uint64_t h = w->hash;
    for (size_t c = 0; c < w->n_cells; c++) {
        struct kz_world_cell *wc = &w->wc[c];
        kz_emu_cell_truth *ct = &w->ct[c];
        wc->n_conn = ct->n_conn;
        wc->c_conn_s += ct->n_conn * dt;
        h = kz__fnv(h, &ct->state, 1);
        h = kz__fnv(h, &ct->prb_util, sizeof ct->prb_util);
        h = kz__fnv(h, &ct->power_w, sizeof ct->power_w);
        h = kz__fnv(h, &ct->served_bits, sizeof ct->served_bits);
        h = kz__fnv(h, &ct->n_ues, sizeof ct->n_ues);
        if (ct->txru_frac != 1.0) /* folded only when muted: unmuted hashes stay as they were */
            h = kz__fnv(h, &ct->txru_frac, sizeof ct->txru_frac);
    }
    h = kz__fnv(h, &tr->n_met, sizeof tr->n_met);
    h = kz__fnv(h, &tr->handovers, sizeof tr->handovers);
    w->hash = h;
}

void kz_world_step(struct kz_world *w)
{
    double t = w->t, dt = w->dt, t_end = t + dt;
    kz_emu_truth *tr = &w->truth;
    for (size_t c = 0; c < w->n_cells; c++) {
        kz_emu_cell_truth *ct = &w->ct[c];
        ct->prb_util = ct->prb_util_ul = 0.0;
        ct->demand_bits = ct->served_bits = ct->unmet_bits = 0.0;
        ct->n_active = ct->n_unmet = 0;
    }
    memset(tr->classes, 0, sizeof tr->classes);
    tr->power_w = tr->energy_j = tr->demand_bits = tr->served_bits = tr->unmet_bits = 0.0;
    tr->n_active = tr->n_met = tr->n_unserved = 0;

    if (w->n_ev)
        kz__run_events(w, t_end);
    kz__run_mobility(w, t_end);
    kz__run_arrivals(w, t, dt);
    kz__run_evaluations(w, t_end);
    kz__schedule(w, t_end);
    w->t = t_end;
    w->steps++;
    tr->handovers = w->ho_step;
    tr->handovers_total = w->ho_total;
    w->ho_step = 0;
    kz__power_and_truth(w);
    tr->step = w->steps;
    tr->t_s = w->t;
    tr->tod_s = fmod(w->tod0 + w->t, 86400.0);
    tr->dt_s = dt;
    for (int k = 0; k < KZ_EMU_UE_CLASSES; k++)
        tr->classes[k].n_ues = w->class_n[k];
}

void kz_world_ue_place(struct kz_world *w, uint32_t ui, double x, double y)
{
    struct kz_world_ue *u = &w->ues[ui];
    u->x0 = x;
    u->y0 = y;
    u->t0 = w->t;
    kz__refresh(w, ui, x, y);
    kz__queue(w, ui);
}

/* ---- controls ------------------------------------------------------------------------------ */

int kz_world_sleep(struct kz_world *w, uint32_t cell)
{
    if (cell >= w->n_cells)
        return KZ_EINVAL;
    struct kz_world_cell *wc = &w->wc[cell];
    if (wc->pw.state == KZ_PWR_ASLEEP)
        return KZ_EPROTO;
    wc->serving_ok = 0;
    kz_power_sleep(&wc->pw, w->es_depth);
    wc->state = KZ_EMU_CELL_ASLEEP;
    wc->load = 0.0;
    for (uint32_t i = 0; i < w->n_ues; i++)
        if (w->ues[i].serving == (int32_t)cell)
            kz__set_serving(w, i, kz__attach_choice(w, i, (int32_t)cell), 1);
    return 0;
}

int kz_world_set_txru(struct kz_world *w, uint32_t cell, double fraction)
{
    if (cell >= w->n_cells || !(fraction > 0.0) || fraction > 1.0)
        return KZ_EINVAL;
    struct kz_world_cell *wc = &w->wc[cell];
    if (wc->txru == fraction)
        return 0;
    wc->txru = fraction;
    wc->pw.txru = fraction;
    wc->txru_lin = pow(fraction, KZ_WORLD_TXRU_GAIN_EXP);
    wc->txru_db = 10.0 * log10(wc->txru_lin);
    /* a layer per active TxRU at most (8 of 64 still carry 4 layers; 1 of a 2-TRX cell, 1) */
    double chains = floor(fraction * wc->pp.n_txru + 1e-9);
    unsigned ml = w->cells[cell].max_layers;
    if (chains < (double)ml)
        ml = chains < 1.0 ? 1u : (unsigned)chains;
    wc->max_layers = (uint8_t)ml;
    w->all_dirty = 1; /* RSRPs changed: UEs re-select (A2 / A3) at the next step */
    return 0;
}

int kz_world_wake(struct kz_world *w, uint32_t cell)
{
    if (cell >= w->n_cells)
        return KZ_EINVAL;
    struct kz_world_cell *wc = &w->wc[cell];
    if (wc->pw.state == KZ_PWR_ACTIVE)
        return KZ_EPROTO;
    if (wc->pw.state == KZ_PWR_WAKING)
        return 0;
    kz_power_wake(&wc->pw, &wc->pp);
    if (wc->pw.state == KZ_PWR_ACTIVE) {
        wc->serving_ok = 1;
        wc->state = KZ_EMU_CELL_ON;
        w->all_dirty = 1;
    } else {
        wc->state = KZ_EMU_CELL_WAKING;
    }
    return 0;
}

int kz_world_handover(struct kz_world *w, uint32_t ue, uint32_t cell)
{
    if (ue >= w->n_ues || cell >= w->n_cells)
        return KZ_EINVAL;
    if (w->ues[ue].absent || !w->wc[cell].serving_ok || kz_world_rsrp(w, ue, cell) < KZ_WORLD_MIN_RSRP_DBM)
        return KZ_EPROTO;
    kz__set_serving(w, ue, (int32_t)cell, 1);
    return 0;
}

int kz_world_fault(struct kz_world *w, uint32_t cell, enum kz_emu_fault f, double factor)
{
    if (cell >= w->n_cells)
        return KZ_EINVAL;
    struct kz_world_cell *wc = &w->wc[cell];
    switch (f) {
    case KZ_EMU_FAULT_NONE:
    case KZ_EMU_FAULT_SLEEPING:
        wc->degrade = 1.0;
        break;
    case KZ_EMU_FAULT_DEGRADED:
        if (!(factor > 0.0 && factor < 1.0))
            return KZ_EINVAL;
        wc->degrade = factor;
        break;
    default:
        return KZ_EINVAL;
    }
    wc->fault = (uint8_t)f;
    return 0;
}

/* ---- building the world --------------------------------------------------------------------- */

static void *kz__calloc(size_t n, size_t sz, int *fail)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        *fail = 1;
    return p;
}

/* Sorted uniforms on (0, 1): n order statistics from exponential spacings (no sort). */
static void kz__sorted_u01(struct kz_rng *r, double *out, uint32_t n)
{
    double sum = 0.0;
    for (uint32_t k = 0; k < n; k++) {
        sum += kz_rng_exponential(r, 1.0);
        out[k] = sum;
    }
    double total = sum + kz_rng_exponential(r, 1.0);
    for (uint32_t k = 0; k < n; k++)
        out[k] /= total;
}

/* The scenario's events: their UEs (indices n_base_ues ...) placed, radio-cached and absent;
 * join and leave times drawn.  Each event has its own placement and session streams. */
static int kz__events_init(struct kz_world *w, char *err, size_t errlen)
{
    const struct kz_scenario *sc = &w->sc;
    if (!sc->n_events)
        return 0;
    int fail = 0;
    w->ev = kz__calloc(sc->n_events, sizeof *w->ev, &fail);
    if (fail)
        return KZ_ENOMEM;
    w->n_ev = sc->n_events;
    double isd = sc->topo.isd_m;
    uint32_t first = w->n_base_ues;
    for (size_t e = 0; e < w->n_ev; e++) {
        const struct kz_scenario_event *se = &sc->events[e];
        struct kz_world_event *ev = &w->ev[e];
        if (se->site >= w->n_sites) {
            snprintf(err, errlen, "events[%zu].site: site %u does not exist", e, se->site);
            return KZ_EINVAL;
        }
        uint32_t n = se->extra_ues;
        ev->first = first;
        ev->n = n;
        ev->rate = se->sessions_per_ue_per_hour / 3600.0;
        ev->session_bytes = se->session_bytes;
        ev->t_join = kz__calloc(n, sizeof(double), &fail);
        ev->t_leave = kz__calloc(n, sizeof(double), &fail);
        ev->leave_order = kz__calloc(n, sizeof(uint32_t), &fail);
        ev->present = kz__calloc(n, sizeof(uint32_t), &fail);
        ev->slot = kz__calloc(n, sizeof(uint32_t), &fail);
        if (fail)
            return KZ_ENOMEM;
        struct kz_rng place;
        kz_rng_seed(&place, kz_rng_hash3(w->day_seed, KZ__SALT_EVENT, e, 0));
        kz_rng_seed(&ev->rng_arr, kz_rng_hash3(w->day_seed, KZ__SALT_EVENT, e, 1));

        /* where: a disc around a point of the sector (or the site), or the site's hexagon */
        const struct kz_site *site = &w->sites[se->site];
        double cx = site->x, cy = site->y, radius = se->radius_m;
        int hex = 0;
        if (se->sector != KZ_SCENARIO_SECTOR_ALL) {
            double az = 120.0 * se->sector;
            for (size_t c = 0; c < w->n_cells; c++)
                if (w->cells[c].site == se->site && w->cells[c].sector == se->sector) {
                    az = w->cells[c].azimuth_deg;
                    break;
                }
            double d = se->distance_m >= 0.0 ? se->distance_m : 0.3 * isd;
            cx += d * sin(az * KZ__PI / 180.0);
            cy += d * cos(az * KZ__PI / 180.0);
            if (radius < 0.0)
                radius = 0.2 * isd;
        } else if (radius < 0.0) {
            if (se->site < w->n_macro_sites)
                hex = 1;
            else
                radius = 0.2 * isd;
        }
        ev->cx = cx;
        ev->cy = cy;

        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = first + k;
            struct kz_world_ue *u = &w->ues[i];
            u->mob = KZ_MOB_STATIC;
            u->indoor = (uint8_t)(kz_rng_uniform(&place) < se->indoor_fraction);
            if (u->indoor)
                u->d_in = (float)(25.0 * fmin(kz_rng_uniform(&place), kz_rng_uniform(&place)));
            u->cls = (uint8_t)(u->mob * 2 + (u->indoor ? 0 : 1));
            u->home_site = se->site;
            if (hex) {
                kz__point_in_hex(w, &place, se->site, &u->x0, &u->y0);
            } else { /* uniform in the disc */
                double rr = radius * sqrt(kz_rng_uniform(&place));
                double a = 2.0 * KZ__PI * kz_rng_uniform(&place);
                u->x0 = cx + rr * cos(a);
                u->y0 = cy + rr * sin(a);
            }
            u->home_x = u->x0;
            u->home_y = u->y0;
            u->area = sc->site_area[se->site];
            u->serving = -1;
            u->ttt_target = -1;
            u->last_data = -1e9;
            u->absent = 1;
            u->o2i_z = (float)kz_radio_o2i_z(&w->sc.radio, i);
            for (uint32_t s = 0; s < w->n_sites; s++) {
                w->los_u[(size_t)i * w->n_sites + s] = (float)kz_radio_los_u(&w->sc.radio, i, s);
                w->sf_z[(size_t)i * w->n_sites + s] = (float)kz_radio_sf_z(&w->sc.radio, i, s);
            }
            kz__refresh(w, i, u->x0, u->y0);
        }

        /* when: in over the first ramp_s (in index order), out over the last (in a random
         * order), on the scenario clock (tod0 + t) */
        double t0 = se->start_s - w->tod0, t1 = t0 + se->duration_s;
        kz__sorted_u01(&place, ev->t_join, n);
        for (uint32_t k = 0; k < n; k++)
            ev->t_join[k] = t0 + se->ramp_s * ev->t_join[k];
        kz__sorted_u01(&place, ev->t_leave, n);
        for (uint32_t k = 0; k < n; k++) {
            ev->t_leave[k] = t1 - se->ramp_s + se->ramp_s * ev->t_leave[k];
            ev->leave_order[k] = k;
        }
        for (uint32_t k = n; k > 1; k--) { /* Fisher-Yates */
            uint32_t j = kz__below(&place, k);
            uint32_t x = ev->leave_order[k - 1];
            ev->leave_order[k - 1] = ev->leave_order[j];
            ev->leave_order[j] = x;
        }
        first += n;
    }
    return 0;
}

int kz_world_init(struct kz_world *w, const struct kz_scenario *sc, uint64_t seed,
                  uint64_t day_seed, double dt, double tod0, double qos_min_bps, enum kz_sleep es_depth, char *err,
                  size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->sc = *sc;
    w->seed = seed;
    w->day_seed = day_seed ? day_seed : seed;
    w->sc.radio.seed = seed;
    w->dt = dt;
    w->tod0 = tod0;
    w->qos_min_bps = qos_min_bps;
    w->es_depth = es_depth;
    w->refresh_m = KZ__REFRESH_M;
    w->far_m = KZ__FAR_ISD * sc->topo.isd_m;
    if (!(dt > 0.0) || sc->n_ues == 0) {
        snprintf(err, errlen, "step and UE count must be positive");
        return KZ_EINVAL;
    }

    struct kz_topo_cfg tc;
    kz_scenario_topo_cfg(&w->sc, &tc);
    size_t cap_sites = kz_topo_sites_for_rings(tc.rings) + tc.n_small;
    size_t cap_cells = cap_sites * 6 + tc.n_small;
    int fail = 0;
    w->sites = kz__calloc(cap_sites, sizeof *w->sites, &fail);
    w->cells = kz__calloc(cap_cells, sizeof *w->cells, &fail);
    if (fail)
        return KZ_ENOMEM;
    kz_topo_init(&w->topo, w->sites, cap_sites, w->cells, cap_cells);
    int rc = kz_topo_build(&w->topo, &tc);
    if (rc < 0) {
        snprintf(err, errlen, "topology: %s", kz_strerror(rc));
        return rc;
    }
    w->n_sites = w->topo.n_sites;
    w->n_cells = w->topo.n_cells;
    w->n_macro_sites = kz_topo_sites_for_rings(tc.rings);
    w->n_base_ues = sc->n_ues;
    w->n_ues = sc->n_ues + kz_scenario_event_ues(sc);
    size_t nc = w->n_cells, nu = w->n_ues;

    w->wc = kz__calloc(nc, sizeof *w->wc, &fail);
    w->ct = kz__calloc(nc, sizeof *w->ct, &fail);
    w->ues = kz__calloc(nu, sizeof *w->ues, &fail);
    w->gain_db = kz__calloc(nu * nc, sizeof *w->gain_db, &fail);
    w->rx_mw = kz__calloc(nu * nc, sizeof *w->rx_mw, &fail);
    w->heap = kz__calloc(nu, sizeof *w->heap, &fail);
    w->evalq = kz__calloc(2 * nu, sizeof *w->evalq, &fail);
    w->active = kz__calloc(nu, sizeof *w->active, &fail);
    w->conn = kz__calloc(nu, sizeof *w->conn, &fail);
    w->order = kz__calloc(nu, sizeof *w->order, &fail);
    w->cell_start = kz__calloc(nc + 2, sizeof *w->cell_start, &fail);
    w->s_rate = kz__calloc(nu, sizeof(double), &fail);
    w->s_dem = kz__calloc(nu, sizeof(double), &fail);
    w->s_prb = kz__calloc(nu, sizeof(double), &fail);
    w->s_thp = kz__calloc(nu, sizeof(double), &fail);
    w->thp_out = kz__calloc(nu, sizeof(float), &fail);
    w->served_out = kz__calloc(nu, sizeof(float), &fail);
    w->los_u = kz__calloc(nu * w->n_sites, sizeof(float), &fail);
    w->sf_z = kz__calloc(nu * w->n_sites, sizeof(float), &fail);
    for (int a = 0; a < KZ_AREA_COUNT; a++)
        w->area_ues[a] = kz__calloc(nu, sizeof(uint32_t), &fail);
    if (fail)
        return KZ_ENOMEM;

    for (size_t c = 0; c < nc; c++) {
        const struct kz_cell *cell = &w->cells[c];
        struct kz_world_cell *wc = &w->wc[c];
        rc = kz_power_preset(&wc->pp, sc->power[cell->layer]);
        if (rc == 0)
            rc = kz_power_set_transitions(&wc->pp, sc->sleep_category);
        if (rc < 0) {
            snprintf(err, errlen, "power model of cell %zu: %s", c, kz_strerror(rc));
            return rc;
        }
        if (wc->pp.model == KZ_POWER_38864)
            wc->pp.dl_fraction = cell->dl_fraction;
        kz_power_cell_init(&wc->pw);
        wc->noise_mw = kz_radio_dbm_to_mw(kz_radio_cell_noise_dbm(cell, sc->radio.ue_nf_db));
        wc->rsrp_off_db = cell->tx_power_dbm - 10.0 * log10(12.0 * (double)cell->n_prb);
        wc->tx_mw = kz_radio_dbm_to_mw(cell->tx_power_dbm);
        wc->degrade = 1.0;
        wc->txru = wc->txru_lin = 1.0;
        wc->txru_db = 0.0;
        wc->max_layers = cell->max_layers;
        wc->cqi_table = cell->layer == KZ_LAYER_COVERAGE ? KZ_CQI_TABLE1 : KZ_CQI_TABLE2;
        wc->serving_ok = 1;
        wc->state = KZ_EMU_CELL_ON;
        wc->o2i_tw_db = kz_radio_o2i_low_db(cell->fc_ghz, 0.0);
        w->ct[c].layer = cell->layer;
    }

    struct kz_rng place;
    kz_rng_seed(&place, kz_rng_hash3(seed, KZ__SALT_PLACE, 0, 0));
    kz_rng_seed(&w->rng_mob, kz_rng_hash3(w->day_seed, KZ__SALT_MOB, 0, 0));
    kz_rng_seed(&w->rng_arr, kz_rng_hash3(w->day_seed, KZ__SALT_ARR, 0, 0));
    double p_veh = sc->mob_vehicle, p_ped = sc->mob_pedestrian;
    double p_in = p_veh < 1.0 ? fmin(1.0, sc->indoor_fraction / (1.0 - p_veh)) : 0.0;
    double peak_rate = kz_scenario_peak_rate_per_ue(sc);
    for (int a = 0; a < KZ_AREA_COUNT; a++)
        w->area_rate[a] = peak_rate * sc->area_factor[a];
    for (uint32_t i = 0; i < w->n_base_ues; i++) {
        struct kz_world_ue *u = &w->ues[i];
        double r = kz_rng_uniform(&place);
        u->mob = (uint8_t)(r < p_veh ? KZ_MOB_VEHICLE
                           : r < p_veh + p_ped ? KZ_MOB_PEDESTRIAN
                                               : KZ_MOB_STATIC);
        u->indoor = (uint8_t)(u->mob != KZ_MOB_VEHICLE && kz_rng_uniform(&place) < p_in);
        if (u->indoor) /* TR 38.901 Table 7.2-1: d2D-in = min of two U(0, 25 m) */
            u->d_in = (float)(25.0 * fmin(kz_rng_uniform(&place), kz_rng_uniform(&place)));
        u->cls = (uint8_t)(u->mob * 2 + (u->indoor ? 0 : 1));
        w->class_n[u->cls]++;
        u->home_site = kz__below(&place, w->n_macro_sites);
        kz__point_in_hex(w, &place, u->home_site, &u->x0, &u->y0);
        u->home_x = u->x0;
        u->home_y = u->y0;
        u->area = sc->site_area[u->home_site];
        w->area_ues[u->area][w->n_area_ues[u->area]++] = i;
        u->serving = -1;
        u->ttt_target = -1;
        u->last_data = -1e9;
        u->o2i_z = (float)kz_radio_o2i_z(&w->sc.radio, i);
        for (uint32_t s = 0; s < w->n_sites; s++) {
            w->los_u[(size_t)i * w->n_sites + s] = (float)kz_radio_los_u(&w->sc.radio, i, s);
            w->sf_z[(size_t)i * w->n_sites + s] = (float)kz_radio_sf_z(&w->sc.radio, i, s);
        }
        kz__refresh(w, i, u->x0, u->y0);
        kz__set_serving(w, i, kz__attach_choice(w, i, -1), 0);
        if (u->mob != KZ_MOB_STATIC) {
            /* start parked, for a random part of a pause */
            u->next_ev = kz_rng_exponential(&place, u->mob == KZ_MOB_VEHICLE ? KZ__PAUSE_VEH_S
                                                                              : KZ__PAUSE_PED_S);
            kz__heap_push(w, i);
        }
    }
    rc = kz__events_init(w, err, errlen);
    if (rc < 0)
        return rc;
    w->truth.n_cells = nc;
    w->truth.cells = w->ct;
    w->truth.ue_thp_bps = w->thp_out;
    w->truth.ue_served_bits = w->served_out;
    w->truth.ue_index = w->order;
    for (int k = 0; k < KZ_EMU_UE_CLASSES; k++)
        w->truth.classes[k].n_ues = w->class_n[k];
    for (size_t c = 0; c < nc; c++)
        w->ct[c].state = KZ_EMU_CELL_ON;
    w->hash = 0xcbf29ce484222325ull;
    return 0;
}

void kz_world_free(struct kz_world *w)
{
    free(w->sites);
    free(w->cells);
    free(w->wc);
    free(w->ct);
    free(w->ues);
    free(w->gain_db);
    free(w->rx_mw);
    free(w->heap);
    free(w->evalq);
    free(w->active);
    free(w->conn);
    free(w->order);
    free(w->cell_start);
    free(w->s_rate);
    free(w->s_dem);
    free(w->s_prb);
    free(w->s_thp);
    free(w->thp_out);
    free(w->served_out);
    free(w->los_u);
    free(w->sf_z);
    for (int a = 0; a < KZ_AREA_COUNT; a++)
        free(w->area_ues[a]);
    for (size_t e = 0; e < w->n_ev; e++) {
        free(w->ev[e].t_join);
        free(w->ev[e].t_leave);
        free(w->ev[e].leave_order);
        free(w->ev[e].present);
        free(w->ev[e].slot);
    }
    free(w->ev);
    memset(w, 0, sizeof *w);
}
