/*
 * emu/scenario.h -- a scenario file (scenarios/<name>.json) as a C struct, validated.
 *
 * Why: the emulator is run on named, versioned scenarios so that an xApp's result can be
 * reproduced from "small-city, seed 20240611".  The file says everything the models need --
 * topology and carriers, power model per layer, area class per site, UE count and mix, diurnal
 * profile and session rate, seed -- in the format documented in docs/emulator-models.md
 * ("Scenario files", format "kizuna-scenario/1").
 *
 * Guarantees: parsing is strict -- an unknown key, a wrong type, a value out of range or a
 * bandwidth/SCS pair not in TS 38.101-1 fails with KZ_EJSON (not JSON at all) or KZ_EINVAL,
 * and err receives one line naming the JSON path ("network.capacity.bw_mhz: ...").  Keys that
 * are absent take the defaults of kz_topo_cfg_default(), kz_radio_cfg_default() and
 * traffic.h.  The parser reads text from memory (no file I/O); the result owns no heap memory
 * (jansson's tree is freed before returning).  Not a hot path.
 */
#ifndef KZ_EMU_SCENARIO_H
#define KZ_EMU_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "emu/power.h"
#include "emu/radio.h"
#include "emu/topology.h"
#include "emu/traffic.h"

#define KZ_SCENARIO_FORMAT "kizuna-scenario/1"
#define KZ_SCENARIO_MAX_SMALL 128
#define KZ_SCENARIO_MAX_SITES 512 /* macro (<= 331 for 10 rings) + small */
#define KZ_SCENARIO_MAX_UES 10000000u
#define KZ_SCENARIO_MAX_EVENTS 16
#define KZ_SCENARIO_MAX_EVENT_UES 100000u /* per event */
#define KZ_SCENARIO_SECTOR_ALL 0xffu     /* event.sector omitted: the whole site */

enum kz_event_type {
    KZ_EVENT_SURGE = 0 /* extra UEs gather in one place for a while and want data */
};

/* A scenario event ("events": [...], docs/emulator.md "Events").  Times are on the scenario
 * clock: seconds after midnight of the run's first day (time.start_s is on the same clock, so
 * 97200 is 03:00 the next day). */
struct kz_scenario_event {
    enum kz_event_type type;
    char name[32];
    uint32_t site;           /* site index (macro sites first, then small cells) */
    uint8_t sector;          /* 0..2 on a macro site, KZ_SCENARIO_SECTOR_ALL: the whole site */
    double start_s, duration_s, ramp_s; /* ramp_s <= duration_s / 2: in over the first ramp_s,
                                           out over the last */
    uint32_t extra_ues;
    double sessions_per_ue_per_hour;    /* flat: the daily profile does not apply */
    double session_bytes;               /* mean (exponential) */
    double distance_m;       /* sector: centre this far from the site along the boresight;
                                < 0: 0.3 x ISD */
    double radius_m;         /* UEs uniform in a disc of this radius around the centre; < 0:
                                0.2 x ISD with a sector, the site's hexagon without one */
    double indoor_fraction;  /* of the event's UEs (all static) */
};

enum kz_attach_policy {
    KZ_ATTACH_CAPACITY_FIRST = 0, /* capacity layer if its RSRP >= threshold, else coverage */
    KZ_ATTACH_BEST_RSRP = 1       /* strongest RSRP over both layers */
};

struct kz_scenario {
    char name[64];
    uint64_t seed;
    double start_s, duration_s, step_s;

    /* network: topo.small_pos is NULL here; kz_scenario_topo_cfg() points it at small_pos. */
    struct kz_topo_cfg topo;
    struct kz_xy small_pos[KZ_SCENARIO_MAX_SMALL];
    enum kz_power_preset power[3]; /* by enum kz_layer */
    int sleep_category;            /* TR 38.864 transition category, 1 or 2 */

    /* area class per site (enum kz_area), in site order; suburb where the file says none */
    uint8_t site_area[KZ_SCENARIO_MAX_SITES];
    size_t n_sites;                /* macro + small, as kz_topo_build() will number them */

    struct kz_radio_cfg radio;

    uint32_t n_ues;
    double indoor_fraction, ue_height_m;
    double mob_static, mob_pedestrian, mob_vehicle; /* fractions, sum 1 */
    double speed_pedestrian_mps, speed_vehicle_mps;

    enum kz_profile profile;
    double peak_sessions_per_ue_per_hour;
    double session_bytes;
    double area_factor[KZ_AREA_COUNT];

    enum kz_attach_policy attach;
    double capacity_min_rsrp_dbm, a3_offset_db, ttt_ms;

    /* events (optional): their UEs are allocated after the n_ues regular ones */
    struct kz_scenario_event events[KZ_SCENARIO_MAX_EVENTS];
    size_t n_events;
};

/* Fill s with the defaults (small city: 1 ring, 2,000 UEs, EARTH'12, seed 1). */
void kz_scenario_default(struct kz_scenario *s);

/* Parse and validate len bytes of JSON.  Returns 0, KZ_EJSON or KZ_EINVAL; on error err (if
 * not NULL) holds a NUL-terminated message of at most errlen bytes and *s is unspecified. */
int kz_scenario_parse(const char *json, size_t len, struct kz_scenario *s, char *err,
                      size_t errlen);

/* The UEs of all events together (each present only during its event). */
uint32_t kz_scenario_event_ues(const struct kz_scenario *s);

/* A copy of s->topo whose small_pos points into s (valid while s lives and is not moved). */
void kz_scenario_topo_cfg(const struct kz_scenario *s, struct kz_topo_cfg *out);

/* The per-UE busy-hour session rate in sessions/s (peak_sessions_per_ue_per_hour / 3600). */
double kz_scenario_peak_rate_per_ue(const struct kz_scenario *s);

#endif
