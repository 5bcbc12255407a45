/*
 * emu/emu.c -- kizuna/emu.h: the emulator as a component on a kz_loop.  Puts time (a step
 * timer at step_s / speed), the ground-truth writer and the E2 agents (gnb.c) around the world
 * (world.c).  See kizuna/emu.h for the contract.
 */
#include "kizuna/emu.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "emu/gnb.h"
#include "emu/nrt.h"
#include "emu/scenario.h"
#include "emu/world.h"
#include "kizuna/error.h"

struct kz_emu {
    struct kz_world w;
    struct kz_nrt nrt;       /* neighbour relations, built at creation (nrt.h) */
    kz_emu_cfg cfg;
    kz_loop *loop;
    kz_timer timer;
    bool timer_on;
    double duration_s;
    struct kz_gnbs *gnbs;
    FILE *truth_f;
    enum kz_emu_truth_format truth_fmt;
    double truth_every, truth_next;
    bool truth_header;
};

/* ---- scenarios ------------------------------------------------------------------------------ */

int kz_emu_scenario_load(const char *path, struct kz_scenario **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return KZ_EIO;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int rd_err = ferror(f);
    fclose(f);
    if (!buf)
        return KZ_ENOMEM;
    if (rd_err) {
        free(buf);
        snprintf(err, errlen, "%s: read error", path);
        return KZ_EIO;
    }
    struct kz_scenario *s = malloc(sizeof *s);
    if (!s) {
        free(buf);
        return KZ_ENOMEM;
    }
    char e2[256] = "";
    int rc = kz_scenario_parse(buf, len, s, e2, sizeof e2);
    free(buf);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, e2);
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void kz_emu_scenario_free(struct kz_scenario *s)
{
    free(s);
}

/* ---- creation -------------------------------------------------------------------------------- */

void kz_emu_cfg_default(kz_emu_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->speed = 1.0;
    cfg->start_s = -1.0;
    cfg->qos_min_bps = 2e6;
    cfg->es_depth = KZ_EMU_SLEEP_LIGHT;
}

int kz_emu_create(kz_emu **out, const kz_emu_cfg *cfg, char *err, size_t errlen)
{
    char dummy[8];
    if (!err) {
        err = dummy;
        errlen = sizeof dummy;
    }
    *out = NULL;
    if (!cfg || !cfg->scenario) {
        snprintf(err, errlen, "no scenario");
        return KZ_EINVAL;
    }
    const struct kz_scenario *sc = cfg->scenario;
    kz_emu *e = calloc(1, sizeof *e);
    if (!e)
        return KZ_ENOMEM;
    e->cfg = *cfg;
    e->cfg.scenario = NULL;
    if (!(e->cfg.speed > 0.0))
        e->cfg.speed = 1.0;
    if (!(e->cfg.step_s > 0.0))
        e->cfg.step_s = sc->step_s > 0.0 ? sc->step_s : 1.0;
    if (!(e->cfg.qos_min_bps > 0.0))
        e->cfg.qos_min_bps = 2e6;
    e->duration_s = cfg->duration_s > 0.0 ? cfg->duration_s : sc->duration_s;
    double start = cfg->start_s >= 0.0 ? cfg->start_s : sc->start_s;
    uint64_t seed = cfg->seed ? cfg->seed : sc->seed;
    enum kz_sleep depth = cfg->es_depth == KZ_EMU_SLEEP_MICRO  ? KZ_SLEEP_MICRO
                          : cfg->es_depth == KZ_EMU_SLEEP_DEEP ? KZ_SLEEP_DEEP
                                                               : KZ_SLEEP_LIGHT;
    int rc = kz_world_init(&e->w, sc, seed, cfg->day_seed, e->cfg.step_s, fmod(start, 86400.0),
                           e->cfg.qos_min_bps, depth, err, errlen);
    if (rc < 0) {
        kz_world_free(&e->w);
        free(e);
        return rc;
    }
    rc = kz_nrt_build(&e->nrt, &e->w, KZ_NRT_MARGIN_DB, KZ_NRT_MIN_HITS, KZ_NRT_MIN_FRAC,
                      KZ_NRT_MAX_PER_CELL);
    if (rc < 0) {
        snprintf(err, errlen, "neighbour relation table: %s", kz_strerror(rc));
        kz_world_free(&e->w);
        free(e);
        return rc;
    }
    e->loop = cfg->loop;
    if (e->loop)
        kz_timer_init(e->loop, &e->timer);
    *out = e;
    return 0;
}

void kz_emu_destroy(kz_emu *e)
{
    if (!e)
        return;
    kz_emu_stop(e);
    if (e->gnbs)
        kz_gnbs_close(e->gnbs);
    kz_nrt_free(&e->nrt);
    kz_world_free(&e->w);
    free(e);
}

/* ---- ground truth output ---------------------------------------------------------------------- */

static const char *const kz__state_names[] = {"on", "asleep", "waking"};
static const char *const kz__fault_names[] = {"none", "sleeping", "degraded"};
static const char *const kz__layer_names[] = {"coverage", "capacity", "small"};
static const char *const kz__class_names[KZ_EMU_UE_CLASSES] = {
    "static-indoor",     "static-outdoor",  "pedestrian-indoor",
    "pedestrian-outdoor", "vehicle-indoor", "vehicle-outdoor"};

const char *kz_emu_ue_class_name(unsigned cls)
{
    return cls < KZ_EMU_UE_CLASSES ? kz__class_names[cls] : "?";
}

static void kz__truth_csv(kz_emu *e, const kz_emu_truth *t)
{
    FILE *f = e->truth_f;
    if (!e->truth_header) {
        fputs("t_s,tod_s,cell,nci,layer,state,fault,prb_util,prb_util_ul,power_w,energy_j,"
              "demand_mbit,served_mbit,unmet_mbit,n_ues,n_active,n_unmet,n_conn\n",
              f);
        e->truth_header = true;
    }
    uint32_t conn = 0, ues = 0;
    for (size_t c = 0; c < t->n_cells; c++) {
        const kz_emu_cell_truth *ct = &t->cells[c];
        const struct kz_cell *cell = &e->w.cells[c];
        conn += ct->n_conn;
        ues += ct->n_ues;
        fprintf(f, "%.3f,%.3f,%zu,%09llX,%s,%s,%s,%.4f,%.4f,%.1f,%.1f,%.3f,%.3f,%.3f,%u,%u,%u,%u\n",
                t->t_s, t->tod_s, c, (unsigned long long)cell->nci, kz__layer_names[ct->layer % 3],
                kz__state_names[ct->state % 3], kz__fault_names[ct->fault % 3], ct->prb_util,
                ct->prb_util_ul, ct->power_w, ct->energy_j, ct->demand_bits / 1e6,
                ct->served_bits / 1e6, ct->unmet_bits / 1e6, ct->n_ues, ct->n_active,
                ct->n_unmet, ct->n_conn);
    }
    fprintf(f, "%.3f,%.3f,all,,,,,,,%.1f,%.1f,%.3f,%.3f,%.3f,%u,%u,%u,%u\n", t->t_s, t->tod_s,
            t->power_w, t->energy_j, t->demand_bits / 1e6, t->served_bits / 1e6,
            t->unmet_bits / 1e6, ues, t->n_active, t->n_active - t->n_met, conn);
    for (unsigned k = 0; k < KZ_EMU_UE_CLASSES; k++) {
        const kz_emu_class_truth *cl = &t->classes[k];
        fprintf(f, "%.3f,%.3f,class:%s,,,,,,,,,%.3f,%.3f,,%u,%u,%u,\n", t->t_s, t->tod_s,
                kz__class_names[k], cl->demand_bits / 1e6, cl->served_bits / 1e6, cl->n_ues,
                cl->n_active, cl->n_active - cl->n_met);
    }
}

static void kz__truth_jsonl(kz_emu *e, const kz_emu_truth *t)
{
    FILE *f = e->truth_f;
    fprintf(f,
            "{\"t_s\":%.3f,\"tod_s\":%.3f,\"power_w\":%.1f,\"energy_j\":%.1f,\"demand_mbit\":%.3f,"
            "\"served_mbit\":%.3f,\"unmet_mbit\":%.3f,\"n_active\":%u,\"n_met\":%u,"
            "\"n_unserved\":%u,\"handovers\":%u,\"classes\":{",
            t->t_s, t->tod_s, t->power_w, t->energy_j, t->demand_bits / 1e6,
            t->served_bits / 1e6, t->unmet_bits / 1e6, t->n_active, t->n_met, t->n_unserved,
            t->handovers);
    for (unsigned k = 0; k < KZ_EMU_UE_CLASSES; k++) {
        const kz_emu_class_truth *cl = &t->classes[k];
        fprintf(f, "%s\"%s\":{\"n_ues\":%u,\"n_active\":%u,\"n_met\":%u,\"demand_mbit\":%.3f,"
                   "\"served_mbit\":%.3f}",
                k ? "," : "", kz__class_names[k], cl->n_ues, cl->n_active, cl->n_met,
                cl->demand_bits / 1e6, cl->served_bits / 1e6);
    }
    fputs("},\"cells\":[", f);
    for (size_t c = 0; c < t->n_cells; c++) {
        const kz_emu_cell_truth *ct = &t->cells[c];
        fprintf(f,
                "%s{\"nci\":\"%09llX\",\"layer\":\"%s\",\"state\":\"%s\",\"fault\":\"%s\","
                "\"prb_util\":%.4f,\"prb_util_ul\":%.4f,\"power_w\":%.1f,\"energy_j\":%.1f,"
                "\"demand_mbit\":%.3f,\"served_mbit\":%.3f,\"unmet_mbit\":%.3f,\"n_ues\":%u,"
                "\"n_active\":%u,\"n_unmet\":%u,\"n_conn\":%u}",
                c ? "," : "", (unsigned long long)e->w.cells[c].nci,
                kz__layer_names[ct->layer % 3], kz__state_names[ct->state % 3],
                kz__fault_names[ct->fault % 3], ct->prb_util, ct->prb_util_ul, ct->power_w,
                ct->energy_j, ct->demand_bits / 1e6, ct->served_bits / 1e6,
                ct->unmet_bits / 1e6, ct->n_ues, ct->n_active, ct->n_unmet, ct->n_conn);
    }
    fputs("]}\n", f);
}

void kz_emu_truth_output(kz_emu *e, FILE *f, enum kz_emu_truth_format fmt, double every_s)
{
    e->truth_f = f;
    e->truth_fmt = fmt;
    e->truth_every = every_s > 0.0 ? every_s : 0.0;
    e->truth_next = e->w.t;
    e->truth_header = false;
}

/* ---- time ------------------------------------------------------------------------------------- */

bool kz_emu_done(const kz_emu *e)
{
    return e->w.t >= e->duration_s - 1e-9;
}

int kz_emu_step(kz_emu *e)
{
    if (kz_emu_done(e))
        return 1;
    kz_world_step(&e->w);
    const kz_emu_truth *t = &e->w.truth;
    if (e->truth_f && e->w.t + 1e-9 >= e->truth_next) {
        if (e->truth_fmt == KZ_EMU_TRUTH_JSONL)
            kz__truth_jsonl(e, t);
        else
            kz__truth_csv(e, t);
        e->truth_next += e->truth_every > 0.0 ? e->truth_every : 0.0;
        if (e->truth_next < e->w.t)
            e->truth_next = e->w.t;
    }
    if (e->gnbs)
        kz_gnbs_step(e->gnbs);
    if (e->cfg.on_step)
        e->cfg.on_step(e, t, e->cfg.ud);
    return kz_emu_done(e) ? 1 : 0;
}

int kz_emu_run_for(kz_emu *e, double sim_s)
{
    double end = e->w.t + sim_s - 1e-9;
    int rc = 0;
    while (e->w.t < end && (rc = kz_emu_step(e)) == 0)
        ;
    return rc;
}

static void kz__on_timer(kz_timer *t, void *ud)
{
    kz_emu *e = ud;
    (void)t;
    if (kz_emu_step(e) == 1)
        kz_emu_stop(e);
}

int kz_emu_start(kz_emu *e)
{
    if (!e->loop)
        return KZ_ENOTSUP;
    int64_t period = (int64_t)llround(e->cfg.step_s / e->cfg.speed * 1e9);
    if (period < 1)
        period = 1;
    int rc = kz_timer_start(&e->timer, period, period, kz__on_timer, e);
    if (rc == 0)
        e->timer_on = true;
    return rc;
}

void kz_emu_stop(kz_emu *e)
{
    if (e->timer_on) {
        kz_timer_stop(&e->timer);
        e->timer_on = false;
    }
}

double kz_emu_step_s(const kz_emu *e) { return e->cfg.step_s; }
uint64_t kz_emu_steps_done(const kz_emu *e) { return e->w.steps; }
double kz_emu_time_s(const kz_emu *e) { return e->w.t; }
double kz_emu_time_of_day_s(const kz_emu *e) { return fmod(e->w.tod0 + e->w.t, 86400.0); }

/* ---- the network ------------------------------------------------------------------------------- */

size_t kz_emu_n_cells(const kz_emu *e) { return e->w.n_cells; }
size_t kz_emu_n_sites(const kz_emu *e) { return e->w.n_sites; }
size_t kz_emu_n_ues(const kz_emu *e) { return e->w.n_ues; }
size_t kz_emu_first_event_ue(const kz_emu *e) { return e->w.n_base_ues; }

static void kz__plmn_bcd(const struct kz_plmn *p, uint8_t out[3])
{
    unsigned m1 = p->mcc / 100 % 10, m2 = p->mcc / 10 % 10, m3 = p->mcc % 10, n1, n2, n3;
    if (p->mnc_digits == 3) {
        n1 = p->mnc / 100 % 10, n2 = p->mnc / 10 % 10, n3 = p->mnc % 10;
    } else {
        n1 = p->mnc / 10 % 10, n2 = p->mnc % 10, n3 = 0xF;
    }
    out[0] = (uint8_t)(m2 << 4 | m1);
    out[1] = (uint8_t)(n3 << 4 | m3);
    out[2] = (uint8_t)(n2 << 4 | n1);
}

int kz_emu_cell_info_get(const kz_emu *e, uint32_t c, kz_emu_cell_info *out)
{
    if (c >= e->w.n_cells)
        return KZ_EINVAL;
    const struct kz_cell *cell = &e->w.cells[c];
    const struct kz_world_cell *wc = &e->w.wc[c];
    memset(out, 0, sizeof *out);
    out->index = c;
    out->site = cell->site;
    out->gnb_id = cell->gnb_id;
    out->nci = cell->nci;
    kz__plmn_bcd(&cell->plmn, out->plmn);
    snprintf(out->mcc, sizeof out->mcc, "%03u", cell->plmn.mcc % 1000);
    if (cell->plmn.mnc_digits == 3)
        snprintf(out->mnc, sizeof out->mnc, "%03u", cell->plmn.mnc % 1000);
    else
        snprintf(out->mnc, sizeof out->mnc, "%02u", cell->plmn.mnc % 100);
    out->pci = cell->pci;
    out->band = cell->band;
    out->n_prb = cell->n_prb;
    out->layer = cell->layer;
    out->sector = cell->sector;
    out->fc_ghz = cell->fc_ghz;
    out->bw_mhz = cell->bw_mhz;
    out->x = cell->x;
    out->y = cell->y;
    out->azimuth_deg = cell->azimuth_deg;
    out->coverage_peer = -1;
    if (cell->layer == KZ_LAYER_CAPACITY)
        for (size_t k = 0; k < e->w.n_cells; k++)
            if (e->w.cells[k].site == cell->site && e->w.cells[k].sector == cell->sector &&
                e->w.cells[k].layer == KZ_LAYER_COVERAGE)
                out->coverage_peer = (int32_t)k;
    out->p_idle_w = kz_power_active_w(&wc->pp, 0.0);
    out->p_full_w = kz_power_active_w(&wc->pp, 1.0);
    out->p_sleep_w = kz_power_sleep_w(&wc->pp, e->w.es_depth);
    out->wake_s = wc->pp.sleep[e->w.es_depth].transition_s;
    return 0;
}

int kz_emu_cell_neighbours(const kz_emu *e, uint32_t cell, uint32_t *out, size_t cap)
{
    if (!e || cell >= e->w.n_cells || (cap && !out))
        return KZ_EINVAL;
    return (int)kz_nrt_get(&e->nrt, cell, out, cap);
}

int32_t kz_emu_cell_by_nci(const kz_emu *e, uint64_t nci)
{
    for (size_t c = 0; c < e->w.n_cells; c++)
        if (e->w.cells[c].nci == nci)
            return (int32_t)c;
    return -1;
}

const kz_emu_truth *kz_emu_truth_get(const kz_emu *e) { return &e->w.truth; }
uint64_t kz_emu_truth_hash(const kz_emu *e) { return e->w.hash; }

int kz_emu_ue_info_get(const kz_emu *e, uint32_t ui, kz_emu_ue_info *out)
{
    if (ui >= e->w.n_ues)
        return KZ_EINVAL;
    const struct kz_world_ue *u = &e->w.ues[ui];
    memset(out, 0, sizeof *out);
    out->index = ui;
    out->serving = u->serving;
    out->cls = u->cls;
    out->indoor = u->indoor;
    kz_world_ue_pos(&e->w, u, &out->x, &out->y);
    out->speed_mps = hypot(u->vx, u->vy);
    out->connected = e->w.t - u->last_data < KZ_WORLD_INACTIVITY_S;
    out->rsrp_dbm = u->serving >= 0 ? kz_world_rsrp(&e->w, ui, (uint32_t)u->serving) : -INFINITY;
    out->sinr_db = kz_world_sinr(&e->w, ui);
    out->cqi = u->cqi;
    out->thp_bps = u->last_data == e->w.t ? u->thp_bps : 0.0;
    out->backlog_bytes = u->backlog_bits / 8.0;
    out->amf_ue_ngap_id = (int64_t)ui + 1;
    return 0;
}

/* ---- controls ---------------------------------------------------------------------------------- */

int kz_emu_cell_sleep(kz_emu *e, uint32_t cell) { return kz_world_sleep(&e->w, cell); }
int kz_emu_cell_wake(kz_emu *e, uint32_t cell) { return kz_world_wake(&e->w, cell); }

enum kz_emu_cell_state kz_emu_cell_state(const kz_emu *e, uint32_t cell)
{
    return cell < e->w.n_cells ? (enum kz_emu_cell_state)e->w.wc[cell].state : KZ_EMU_CELL_ASLEEP;
}

int kz_emu_cell_set_txru(kz_emu *e, uint32_t cell, double fraction)
{
    return kz_world_set_txru(&e->w, cell, fraction);
}

double kz_emu_cell_txru(const kz_emu *e, uint32_t cell)
{
    return cell < e->w.n_cells ? e->w.wc[cell].txru : 0.0;
}

unsigned kz_emu_cell_n_txru(const kz_emu *e, uint32_t cell)
{
    return cell < e->w.n_cells ? (unsigned)e->w.wc[cell].pp.n_txru : 0u;
}

int kz_emu_handover(kz_emu *e, uint32_t ue, uint32_t target)
{
    return kz_world_handover(&e->w, ue, target);
}

int32_t kz_emu_ue_by_amf_id(const kz_emu *e, int64_t id)
{
    return id >= 1 && (uint64_t)id <= e->w.n_ues ? (int32_t)(id - 1) : -1;
}

int kz_emu_fault_set(kz_emu *e, uint32_t cell, enum kz_emu_fault f, double factor)
{
    return kz_world_fault(&e->w, cell, f, factor);
}

/* ---- E2 ------------------------------------------------------------------------------------------ */

void kz_emu_e2_cfg_default(kz_emu_e2_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->setup_timeout_ms = 5000;
    cfg->reconnect_ms = 1000;
    cfg->ccc_version = 6;
    cfg->max_ue_reports = 64;
}

int kz_emu_connect(kz_emu *e, const char *ric_url, const kz_emu_e2_cfg *cfg)
{
    if (!e->loop)
        return KZ_ENOTSUP;
    if (e->gnbs)
        return KZ_EINVAL;
    kz_emu_e2_cfg d;
    kz_emu_e2_cfg_default(&d);
    if (cfg) {
        if (cfg->setup_timeout_ms)
            d.setup_timeout_ms = cfg->setup_timeout_ms;
        if (cfg->reconnect_ms)
            d.reconnect_ms = cfg->reconnect_ms;
        if (cfg->ccc_version)
            d.ccc_version = cfg->ccc_version;
        if (cfg->max_ue_reports)
            d.max_ue_reports = cfg->max_ue_reports;
    }
    return kz_gnbs_open(&e->gnbs, &e->w, &e->nrt, e->loop, ric_url, &d);
}

void kz_emu_e2_stats_get(const kz_emu *e, kz_emu_e2_stats *out)
{
    memset(out, 0, sizeof *out);
    if (e->gnbs)
        kz_gnbs_stats(e->gnbs, out);
}
