/*
 * emu/traffic.h -- how much the city wants, hour by hour and site by site.
 *
 * Why: energy saving only pays at night, and traffic steering only matters where load is
 * uneven.  Demand must therefore follow a published daily profile and differ between areas,
 * or an xApp's results are an artefact of the scenario.
 *
 * What it provides:
 *  - Two published diurnal profiles (hour 00..23, peak = 1; ../shared/spec/MODELS.md
 *    "Daily load"): EARTH'12 active users (EARTH project deliverable D2.3) and Vienna HSDPA
 *    throughput (Laner et al. 2012).  kz_traffic_profile_at() interpolates linearly between
 *    hour centres (value h at hh:30), so demand has no steps at the hour and wraps at midnight.
 *  - Area classes with a load factor multiplying the profile: suburb 0.8, business district
 *    1.1, station 1.25.  These are scenario-level choices, not published figures: DESIGN.md
 *    asks for capacity cells at 50-80 % PRB use in the busy hour with load differing from
 *    site to site, so the spread is at most 1.25 / 0.8 = 1.56 around a base rate calibrated
 *    to ~62 % (0.8 x 62 = 50 %, 1.25 x 62 = 78 %).  Scenarios may override them.
 *  - Session arrivals as a non-homogeneous Poisson process: within a step of dt seconds the
 *    count is Poisson(rate x profile(t) x load_factor x dt), drawn from a caller-owned,
 *    seeded xoshiro256** stream (rng.h) -- no global state, no rand().  The rate is frozen
 *    within a step (steps are short compared with the hour-scale profile).
 *  - Session volumes: exponential with a configurable mean (default 4 MB, a short video /
 *    web page bundle; scenario-level choice).
 */
#ifndef KZ_EMU_TRAFFIC_H
#define KZ_EMU_TRAFFIC_H

#include <stdint.h>

#include "emu/rng.h"

enum kz_profile { KZ_PROFILE_EARTH12 = 0, KZ_PROFILE_VIENNA = 1, KZ_PROFILE_FLAT = 2 };

enum kz_area { KZ_AREA_SUBURB = 0, KZ_AREA_BUSINESS = 1, KZ_AREA_STATION = 2 };
#define KZ_AREA_COUNT 3

#define KZ_TRAFFIC_DEFAULT_SESSION_BYTES 4.0e6

/* The 24 hourly weights of a profile (peak 1), or NULL for an unknown profile. */
const double *kz_traffic_profile_hours(enum kz_profile profile);

/* Profile value at a time of day in seconds (any value; taken modulo 86400). */
double kz_traffic_profile_at(enum kz_profile profile, double t_s);

/* Mean of the 24 hourly weights (for calibration arithmetic). */
double kz_traffic_profile_mean(enum kz_profile profile);

/* Default load factor of an area class (1.0 for an unknown one). */
double kz_traffic_area_factor(enum kz_area area);

/* Name <-> area ("suburb", "business", "station"); -1 / NULL when unknown. */
int kz_traffic_area_from_name(const char *name);
const char *kz_traffic_area_name(enum kz_area area);

/* Name <-> profile ("earth12", "vienna", "flat"); -1 / NULL when unknown. */
int kz_traffic_profile_from_name(const char *name);
const char *kz_traffic_profile_name(enum kz_profile profile);

/* Arrival rate in sessions/s at time t_s for a busy-hour rate peak_rate (sessions/s at
 * profile = 1) and a load factor. */
double kz_traffic_rate(enum kz_profile profile, double peak_rate, double load_factor, double t_s);

/* Number of sessions arriving in [t_s, t_s + dt_s): Poisson(rate(t_s) x dt_s). */
uint32_t kz_traffic_arrivals(struct kz_rng *rng, enum kz_profile profile, double peak_rate,
                             double load_factor, double t_s, double dt_s);

/* Volume in bytes of a new session: exponential with mean mean_bytes. */
double kz_traffic_session_bytes(struct kz_rng *rng, double mean_bytes);

#endif
