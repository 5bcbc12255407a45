/*
 * emu/topology.c -- hexagonal layout, cell identities and TS 38.101-1 PRB counts.
 * See topology.h for why this exists and what it guarantees.
 */
#include "emu/topology.h"

#include <math.h>
#include <string.h>

#include "kizuna/error.h"

/* TS 38.101-1 V17 Table 5.3.2-1: maximum transmission bandwidth configuration N_RB. */
struct kz__nrb_row {
    uint16_t bw_mhz;
    uint16_t scs15, scs30, scs60; /* 0 = not defined */
};
static const struct kz__nrb_row kz__nrb_table[] = {
    {5, 25, 11, 0},     {10, 52, 24, 11},   {15, 79, 38, 18},   {20, 106, 51, 24},
    {25, 133, 65, 31},  {30, 160, 78, 38},  {35, 188, 92, 44},  {40, 216, 106, 51},
    {45, 242, 119, 58}, {50, 270, 133, 65}, {60, 0, 162, 79},   {70, 0, 189, 93},
    {80, 0, 217, 107},  {90, 0, 245, 121},  {100, 0, 273, 135},
};

size_t kz_topo_sites_for_rings(unsigned rings)
{
    return 1u + 3u * (size_t)rings * ((size_t)rings + 1u);
}

uint16_t kz_topo_nrb(double bw_mhz, unsigned scs_khz)
{
    for (size_t i = 0; i < sizeof kz__nrb_table / sizeof kz__nrb_table[0]; i++) {
        const struct kz__nrb_row *r = &kz__nrb_table[i];
        if (fabs(bw_mhz - (double)r->bw_mhz) > 1e-9)
            continue;
        switch (scs_khz) {
        case 15: return r->scs15;
        case 30: return r->scs30;
        case 60: return r->scs60;
        default: return 0;
        }
    }
    return 0;
}

double kz_topo_tdd_dl_fraction(const char *pattern, unsigned special_dl_symbols)
{
    double dl = 0.0;
    size_t n = 0;
    if (!pattern || special_dl_symbols > 14)
        return -1.0;
    for (const char *p = pattern; *p; p++, n++) {
        switch (*p) {
        case 'D': dl += 1.0; break;
        case 'S': dl += (double)special_dl_symbols / 14.0; break;
        case 'U': break;
        default: return -1.0;
        }
    }
    return n ? dl / (double)n : -1.0;
}

static void kz__layer_macro(struct kz_layer_cfg *l)
{
    memset(l, 0, sizeof *l);
    l->enabled = 1;
    l->tx_power_dbm = 46.0;  /* TR 36.814 macro, MODELS.md "Propagation" */
    l->height_m = 25.0;      /* TR 38.901 UMa hBS */
    l->ant.gain_dbi = 14.0;  /* MODELS.md: BS antenna gain 14 dBi */
    l->ant.hpbw_h_deg = 65.0; /* TR 38.901 Table 7.3-1 */
    l->ant.a_max_db = 30.0;   /* TR 38.901 Table 7.3-1 */
    l->ant.hpbw_v_deg = 10.0; /* panel, not one element: TR 36.814 3D macro antenna */
    l->ant.sla_v_db = 20.0;
    l->ant.downtilt_deg = 6.0;
}

void kz_topo_cfg_default(struct kz_topo_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->isd_m = 500.0;
    cfg->rings = 1;
    cfg->plmn.mcc = 1;
    cfg->plmn.mnc = 1;
    cfg->plmn.mnc_digits = 2;
    cfg->gnb_id_base = 1;

    kz__layer_macro(&cfg->coverage);
    cfg->coverage.band = 3;
    cfg->coverage.fc_ghz = 1.8425;
    cfg->coverage.bw_mhz = 20.0;
    cfg->coverage.scs_khz = 15;
    cfg->coverage.duplex = KZ_DUPLEX_FDD;
    cfg->coverage.dl_fraction = 1.0;
    cfg->coverage.max_layers = 2; /* 2T2R */

    kz__layer_macro(&cfg->capacity);
    cfg->capacity.band = 78;
    cfg->capacity.fc_ghz = 3.5;
    cfg->capacity.bw_mhz = 100.0;
    cfg->capacity.scs_khz = 30;
    cfg->capacity.duplex = KZ_DUPLEX_TDD;
    cfg->capacity.dl_fraction = kz_topo_tdd_dl_fraction("DDDSU", 10);
    cfg->capacity.max_layers = 4; /* 64T64R, 4-layer UEs */

    memset(&cfg->small, 0, sizeof cfg->small);
    cfg->small.enabled = 1;
    cfg->small.band = 78;
    cfg->small.fc_ghz = 3.5;
    cfg->small.bw_mhz = 100.0;
    cfg->small.scs_khz = 30;
    cfg->small.duplex = KZ_DUPLEX_TDD;
    cfg->small.dl_fraction = cfg->capacity.dl_fraction;
    cfg->small.tx_power_dbm = 30.0;
    cfg->small.height_m = 10.0; /* TR 38.901 UMi hBS */
    cfg->small.max_layers = 2;
    cfg->small.ant.gain_dbi = 5.0;
    cfg->small.ant.hpbw_h_deg = 0.0; /* omni */
    cfg->small.ant.a_max_db = 30.0;
    cfg->small.ant.hpbw_v_deg = 65.0;
    cfg->small.ant.sla_v_db = 30.0;
    cfg->small.ant.downtilt_deg = 0.0;
}

void kz_topo_init(struct kz_topo *t, struct kz_site *sites, size_t cap_sites,
                  struct kz_cell *cells, size_t cap_cells)
{
    t->sites = sites;
    t->cap_sites = cap_sites;
    t->n_sites = 0;
    t->cells = cells;
    t->cap_cells = cap_cells;
    t->n_cells = 0;
}

static int kz__layer_valid(const struct kz_layer_cfg *l)
{
    if (!l->enabled)
        return 1;
    if (!(l->fc_ghz >= 0.5 && l->fc_ghz <= 100.0) || !(l->height_m > 0.0))
        return 0;
    if (kz_topo_nrb(l->bw_mhz, l->scs_khz) == 0)
        return 0;
    if (!(l->dl_fraction > 0.0 && l->dl_fraction <= 1.0) || l->max_layers == 0)
        return 0;
    return 1;
}

/* Axial hex directions; ring k starts at direction 4 scaled by k and walks the six sides. */
static const int kz__hex_dir[6][2] = {{1, 0}, {1, -1}, {0, -1}, {-1, 0}, {-1, 1}, {0, 1}};

static void kz__fill_cell(struct kz_cell *c, const struct kz_layer_cfg *l, const struct kz_site *s,
                          const struct kz_plmn *plmn, uint32_t id, uint8_t local, uint8_t sector,
                          uint8_t layer, uint16_t carrier, uint16_t pci, enum kz_env env)
{
    memset(c, 0, sizeof *c);
    c->x = s->x;
    c->y = s->y;
    c->height_m = l->height_m;
    c->azimuth_deg = sector == KZ_SECTOR_OMNI ? 0.0 : 120.0 * sector;
    c->fc_ghz = l->fc_ghz;
    c->tx_power_dbm = l->tx_power_dbm;
    c->bw_mhz = l->bw_mhz;
    c->dl_fraction = l->duplex == KZ_DUPLEX_FDD ? 1.0 : l->dl_fraction;
    c->ant = l->ant;
    c->nci = ((uint64_t)s->gnb_id << KZ_TOPO_CELL_ID_BITS) | local;
    c->plmn = *plmn;
    c->id = id;
    c->site = s->id;
    c->gnb_id = s->gnb_id;
    c->carrier = carrier;
    c->pci = pci;
    c->band = l->band;
    c->scs_khz = l->scs_khz;
    c->n_prb = kz_topo_nrb(l->bw_mhz, l->scs_khz);
    c->cell_local = local;
    c->sector = sector;
    c->layer = layer;
    c->duplex = (uint8_t)l->duplex;
    c->env = (uint8_t)env;
    c->max_layers = l->max_layers;
}

static int kz__same_carrier(const struct kz_layer_cfg *a, const struct kz_layer_cfg *b)
{
    return a->enabled && b->enabled && fabs(a->fc_ghz - b->fc_ghz) < 1e-9 &&
           fabs(a->bw_mhz - b->bw_mhz) < 1e-9;
}

int kz_topo_build(struct kz_topo *t, const struct kz_topo_cfg *cfg)
{
    t->n_sites = 0;
    t->n_cells = 0;
    if (!(cfg->isd_m > 0.0) || cfg->rings > KZ_TOPO_MAX_RINGS)
        return KZ_EINVAL;
    if (cfg->plmn.mcc > 999 || (cfg->plmn.mnc_digits != 2 && cfg->plmn.mnc_digits != 3) ||
        cfg->plmn.mnc >= (cfg->plmn.mnc_digits == 2 ? 100 : 1000))
        return KZ_EINVAL;
    if (!kz__layer_valid(&cfg->coverage) || !kz__layer_valid(&cfg->capacity))
        return KZ_EINVAL;
    if (cfg->n_small && (!cfg->small_pos || !cfg->small.enabled || !kz__layer_valid(&cfg->small)))
        return KZ_EINVAL;

    size_t n_macro = kz_topo_sites_for_rings(cfg->rings);
    size_t n_sites = n_macro + cfg->n_small;
    size_t per_site = (cfg->coverage.enabled ? 3u : 0u) + (cfg->capacity.enabled ? 3u : 0u);
    size_t n_cells = n_macro * per_site + cfg->n_small;
    if ((uint64_t)cfg->gnb_id_base + n_sites > (1u << KZ_TOPO_GNB_ID_BITS))
        return KZ_EINVAL;
    if (3 * n_macro + cfg->n_small > 1008)
        return KZ_EINVAL;
    if (n_sites > t->cap_sites || n_cells > t->cap_cells)
        return KZ_ENOSPC;

    /* Carriers: coverage 0, capacity 1 (or 0 if it is the same channel), small cells share
     * the capacity or coverage carrier when fc and bandwidth match, else get their own. */
    uint16_t car_cov = 0, car_cap = 1, car_small = 2;
    if (kz__same_carrier(&cfg->capacity, &cfg->coverage))
        car_cap = car_cov;
    if (kz__same_carrier(&cfg->small, &cfg->capacity))
        car_small = car_cap;
    else if (kz__same_carrier(&cfg->small, &cfg->coverage))
        car_small = car_cov;

    const double h = sqrt(3.0) / 2.0;
    for (unsigned k = 0; k <= cfg->rings; k++) {
        int q = kz__hex_dir[4][0] * (int)k, r = kz__hex_dir[4][1] * (int)k;
        unsigned steps = k == 0 ? 1 : 6 * k;
        for (unsigned i = 0; i < steps; i++) {
            struct kz_site *s = &t->sites[t->n_sites];
            memset(s, 0, sizeof *s);
            s->id = (uint32_t)t->n_sites;
            s->gnb_id = cfg->gnb_id_base + s->id;
            s->ring = (uint8_t)k;
            s->x = cfg->isd_m * ((double)q + (double)r / 2.0);
            s->y = cfg->isd_m * h * (double)r;
            s->load_factor = 1.0;
            t->n_sites++;
            if (k > 0) {
                const int *d = kz__hex_dir[i / k];
                q += d[0];
                r += d[1];
            }
        }
    }

    for (size_t si = 0; si < n_macro; si++) {
        const struct kz_site *s = &t->sites[si];
        for (uint8_t sec = 0; sec < 3; sec++) {
            uint16_t pci = (uint16_t)(3 * si + sec);
            if (!cfg->coverage.enabled)
                continue;
            kz__fill_cell(&t->cells[t->n_cells], &cfg->coverage, s, &cfg->plmn,
                          (uint32_t)t->n_cells, sec, sec, KZ_LAYER_COVERAGE, car_cov, pci,
                          KZ_ENV_UMA);
            t->n_cells++;
        }
        for (uint8_t sec = 0; sec < 3; sec++) {
            uint16_t pci = (uint16_t)(3 * si + sec);
            if (!cfg->capacity.enabled)
                continue;
            kz__fill_cell(&t->cells[t->n_cells], &cfg->capacity, s, &cfg->plmn,
                          (uint32_t)t->n_cells, (uint8_t)(3 + sec), sec, KZ_LAYER_CAPACITY,
                          car_cap, pci, KZ_ENV_UMA);
            t->n_cells++;
        }
    }

    for (size_t k = 0; k < cfg->n_small; k++) {
        struct kz_site *s = &t->sites[t->n_sites];
        memset(s, 0, sizeof *s);
        s->id = (uint32_t)t->n_sites;
        s->gnb_id = cfg->gnb_id_base + s->id;
        s->is_small = 1;
        s->x = cfg->small_pos[k].x;
        s->y = cfg->small_pos[k].y;
        s->load_factor = 1.0;
        t->n_sites++;
        kz__fill_cell(&t->cells[t->n_cells], &cfg->small, s, &cfg->plmn, (uint32_t)t->n_cells, 0,
                      KZ_SECTOR_OMNI, KZ_LAYER_SMALL, car_small, (uint16_t)(3 * n_macro + k),
                      KZ_ENV_UMI);
        t->n_cells++;
    }
    return 0;
}

const struct kz_cell *kz_topo_find_nci(const struct kz_topo *t, uint64_t nci)
{
    for (size_t i = 0; i < t->n_cells; i++)
        if (t->cells[i].nci == nci)
            return &t->cells[i];
    return NULL;
}
