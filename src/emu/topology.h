/*
 * emu/topology.h -- where the cells of the emulated city are and what they transmit.
 *
 * Why: every other model (path loss, SINR, power, KPM, E2 setup) needs one agreed list of
 * cells with their identities and radio parameters.  This module builds that list from a few
 * numbers -- inter-site distance, number of rings, the two layers' carriers -- the way 3GPP
 * system-level evaluations lay out a network (TR 38.901 Table 7.2-1: hexagonal grid of sites,
 * three sectors per site, UMa ISD 500 m, 19 sites = 2 rings; see ../shared/spec/MODELS.md
 * "Propagation").
 *
 * What it guarantees:
 *  - Sites sit on a hexagonal lattice: ring 0 is the centre site, ring k holds 6k sites, so
 *    1 ring = 7 sites and 2 rings = 19 sites; neighbouring sites are exactly isd_m apart.
 *  - Each macro site has three sectors with boresight azimuths 0, 120 and 240 degrees
 *    (bearing, clockwise from north = +y), which point between neighbouring sites.
 *  - Per sector one coverage cell (low band FDD) and one capacity cell (3.5 GHz TDD), each
 *    optional; optional omni small cells at caller-given positions (one gNB each, UMi).
 *  - One gNB per site with a 22-bit gNB id; NR cell identity (36 bits, TS 38.300 §8.2) =
 *    gNB id << 14 | local cell index, NR CGI = PLMN + NCI; PCI < 1008 with distinct
 *    PCI mod 3 between co-sited sectors of a layer.
 *  - PRB counts come from TS 38.101-1 Table 5.3.2-1 (maximum transmission bandwidth
 *    configuration), e.g. 100 MHz @ 30 kHz = 273, 20 MHz @ 15 kHz = 106, 10 MHz @ 15 kHz = 52;
 *    a bandwidth / SCS pair that table does not list is rejected.
 *  - Caller owns the site and cell arrays; nothing is allocated.  Building is not a hot path.
 */
#ifndef KZ_EMU_TOPOLOGY_H
#define KZ_EMU_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#define KZ_TOPO_MAX_RINGS 10       /* 331 sites: plenty, and PCIs still fit below 1008 */
#define KZ_TOPO_GNB_ID_BITS 22
#define KZ_TOPO_CELL_ID_BITS 14    /* 36 - 22 */
#define KZ_SECTOR_OMNI 0xff

/* Propagation environment of a cell (which TR 38.901 Table 7.4.1-1 row applies). */
enum kz_env {
    KZ_ENV_UMA = 0, /* urban macro, hBS 25 m */
    KZ_ENV_UMI = 1  /* urban micro street canyon, hBS 10 m */
};

enum kz_layer { KZ_LAYER_COVERAGE = 0, KZ_LAYER_CAPACITY = 1, KZ_LAYER_SMALL = 2 };
enum kz_duplex { KZ_DUPLEX_FDD = 0, KZ_DUPLEX_TDD = 1 };

/* A PLMN as digits: mcc 001, mnc 01 -> {1, 1, 2}. */
struct kz_plmn {
    uint16_t mcc;
    uint16_t mnc;
    uint8_t mnc_digits; /* 2 or 3 */
};

/*
 * A BS antenna in the form of TR 38.901 Table 7.3-1: horizontal cut
 * A_H(phi) = -min(12 (phi/hpbw_h)^2, a_max_db); vertical cut
 * A_V(theta) = -min(12 ((theta - 90 - downtilt)/hpbw_v)^2, sla_v_db); combined
 * A = -min(-(A_H + A_V), a_max_db), plus gain_dbi at boresight.  hpbw_h_deg = 0 means
 * omnidirectional in the horizontal plane.
 */
struct kz_antenna {
    double gain_dbi;
    double hpbw_h_deg;
    double a_max_db;
    double hpbw_v_deg;
    double sla_v_db;
    double downtilt_deg; /* electrical + mechanical, positive = down */
};

/* The radio parameters shared by every cell of one layer. */
struct kz_layer_cfg {
    int enabled;
    uint16_t band;        /* NR operating band number: 28, 3, 78 ... (informational) */
    double fc_ghz;        /* carrier centre frequency */
    double bw_mhz;        /* channel bandwidth */
    uint16_t scs_khz;     /* 15, 30 or 60 */
    enum kz_duplex duplex;
    double dl_fraction;   /* share of time that is downlink: 1 for FDD, 0.743 for DDDSU */
    double tx_power_dbm;  /* total per cell */
    double height_m;
    uint8_t max_layers;   /* MIMO layers a UE can be given at high SINR */
    struct kz_antenna ant;
};

struct kz_xy {
    double x, y;
};

struct kz_topo_cfg {
    double isd_m;         /* inter-site distance, TR 38.901 UMa: 500 m */
    unsigned rings;       /* 0 -> 1 site, 1 -> 7, 2 -> 19 */
    struct kz_plmn plmn;
    uint32_t gnb_id_base; /* gNB id of site 0; site i gets base + i */
    struct kz_layer_cfg coverage;
    struct kz_layer_cfg capacity;
    struct kz_layer_cfg small;        /* used for every small cell */
    const struct kz_xy *small_pos;    /* n_small positions, caller-owned */
    size_t n_small;
};

struct kz_site {
    uint32_t id;       /* index in the site array */
    uint32_t gnb_id;
    uint8_t ring;
    uint8_t is_small;  /* a small-cell gNB rather than a macro site */
    double x, y;
    double load_factor; /* traffic multiplier of the area (1.0 until a scenario sets it) */
};

/* One NR cell.  Field order keeps the hot fields (position, carrier, power) together. */
struct kz_cell {
    double x, y, height_m;
    double azimuth_deg;    /* boresight bearing, clockwise from north; ignored if omni */
    double fc_ghz;
    double tx_power_dbm;
    double bw_mhz;
    double dl_fraction;
    struct kz_antenna ant;
    uint64_t nci;          /* 36-bit NR cell identity */
    struct kz_plmn plmn;
    uint32_t id;           /* index in the cell array */
    uint32_t site;         /* index in the site array */
    uint32_t gnb_id;
    uint16_t carrier;      /* cells with equal carrier interfere with each other */
    uint16_t pci;
    uint16_t band;
    uint16_t scs_khz;
    uint16_t n_prb;
    uint8_t cell_local;    /* low 14 bits of the NCI */
    uint8_t sector;        /* 0..2, or KZ_SECTOR_OMNI */
    uint8_t layer;         /* enum kz_layer */
    uint8_t duplex;        /* enum kz_duplex */
    uint8_t env;           /* enum kz_env */
    uint8_t max_layers;
};

/* Caller-owned storage plus the counts filled by kz_topo_build(). */
struct kz_topo {
    struct kz_site *sites;
    size_t n_sites, cap_sites;
    struct kz_cell *cells;
    size_t n_cells, cap_cells;
};

/* Number of macro sites for a number of rings: 1 + 3 R (R + 1). */
size_t kz_topo_sites_for_rings(unsigned rings);

/* TS 38.101-1 Table 5.3.2-1 N_RB for a channel bandwidth and SCS; 0 if the table has no
 * entry (e.g. 5 MHz @ 60 kHz, or a bandwidth it does not list). */
uint16_t kz_topo_nrb(double bw_mhz, unsigned scs_khz);

/* Downlink share of a TDD slot pattern such as "DDDSU" whose S slot carries
 * special_dl_symbols of 14 symbols as downlink; -1 on a character other than D, S, U. */
double kz_topo_tdd_dl_fraction(const char *pattern, unsigned special_dl_symbols);

/* Defaults: ISD 500 m, 1 ring, PLMN 001/01, gNB ids from 1; coverage n3 1.8425 GHz 20 MHz FDD,
 * capacity n78 3.5 GHz 100 MHz TDD DDDSU, both 46 dBm / 25 m / 14 dBi / 6 deg downtilt;
 * small cells n78 on the capacity carrier, 30 dBm, 10 m, omni 5 dBi, none placed. */
void kz_topo_cfg_default(struct kz_topo_cfg *cfg);

/* Point t at caller arrays (counts zeroed). */
void kz_topo_init(struct kz_topo *t, struct kz_site *sites, size_t cap_sites,
                  struct kz_cell *cells, size_t cap_cells);

/*
 * Lay out the network.  Returns 0, KZ_EINVAL (bad ISD, rings > KZ_TOPO_MAX_RINGS, a
 * bandwidth/SCS pair not in TS 38.101-1, a gNB id that does not fit 22 bits, a PCI that would
 * reach 1008, MNC digits other than 2/3) or KZ_ENOSPC (arrays too small; nothing useful is
 * left in them).  Sites and cells are numbered ring by ring; within a site the coverage cells
 * of sectors 0..2 come first, then the capacity cells; small cells follow all macro sites.
 */
int kz_topo_build(struct kz_topo *t, const struct kz_topo_cfg *cfg);

/* The cell with this NCI, or NULL. Linear search: for setup and controls, not per step. */
const struct kz_cell *kz_topo_find_nci(const struct kz_topo *t, uint64_t nci);

#endif
