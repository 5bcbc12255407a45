/*
 * emu/traffic.c -- diurnal profiles, area load factors, Poisson session arrivals.
 * See traffic.h for why this exists and where the numbers come from.
 */
#include "emu/traffic.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* EARTH'12 (EARTH D2.3), active users, hour 00..23, peak 1 -- MODELS.md. */
static const double kz__earth12[24] = {
    .71, .52, .36, .25, .18, .15, .17, .22, .32, .45, .56, .62,
    .65, .67, .71, .74, .77, .80, .83, .90, .97, 1.00, .97, .86,
};

/* Vienna HSDPA throughput (Laner 2012), hour 00..23, peak 1 -- MODELS.md. */
static const double kz__vienna[24] = {
    .47, .30, .19, .13, .09, .11, .16, .27, .40, .59, .67, .76,
    .76, .78, .77, .74, .82, .88, .93, .99, 1.00, .91, .84, .78,
};

static const double kz__flat[24] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

static const double kz__area_factor[KZ_AREA_COUNT] = {0.8, 1.1, 1.25};
static const char *const kz__area_names[KZ_AREA_COUNT] = {"suburb", "business", "station"};
static const char *const kz__profile_names[3] = {"earth12", "vienna", "flat"};

const double *kz_traffic_profile_hours(enum kz_profile profile)
{
    switch (profile) {
    case KZ_PROFILE_EARTH12: return kz__earth12;
    case KZ_PROFILE_VIENNA: return kz__vienna;
    case KZ_PROFILE_FLAT: return kz__flat;
    default: return NULL;
    }
}

double kz_traffic_profile_at(enum kz_profile profile, double t_s)
{
    const double *h = kz_traffic_profile_hours(profile);
    if (!h || !isfinite(t_s))
        return 0.0;
    double t = fmod(t_s, 86400.0);
    if (t < 0.0)
        t += 86400.0;
    /* Hour h's value sits at h:30; interpolate between neighbouring centres. */
    double x = t / 3600.0 - 0.5;
    if (x < 0.0)
        x += 24.0;
    int i = (int)floor(x);
    double f = x - (double)i;
    i %= 24;
    return h[i] + (h[(i + 1) % 24] - h[i]) * f;
}

double kz_traffic_profile_mean(enum kz_profile profile)
{
    const double *h = kz_traffic_profile_hours(profile);
    double s = 0.0;
    if (!h)
        return 0.0;
    for (int i = 0; i < 24; i++)
        s += h[i];
    return s / 24.0;
}

double kz_traffic_area_factor(enum kz_area area)
{
    if ((unsigned)area >= KZ_AREA_COUNT)
        return 1.0;
    return kz__area_factor[area];
}

int kz_traffic_area_from_name(const char *name)
{
    for (int i = 0; name && i < KZ_AREA_COUNT; i++)
        if (strcmp(name, kz__area_names[i]) == 0)
            return i;
    return -1;
}

const char *kz_traffic_area_name(enum kz_area area)
{
    return (unsigned)area < KZ_AREA_COUNT ? kz__area_names[area] : NULL;
}

int kz_traffic_profile_from_name(const char *name)
{
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, kz__profile_names[i]) == 0)
            return i;
    return -1;
}

const char *kz_traffic_profile_name(enum kz_profile profile)
{
    return (unsigned)profile < 3 ? kz__profile_names[profile] : NULL;
}

double kz_traffic_rate(enum kz_profile profile, double peak_rate, double load_factor, double t_s)
{
    return peak_rate * load_factor * kz_traffic_profile_at(profile, t_s);
}

uint32_t kz_traffic_arrivals(struct kz_rng *rng, enum kz_profile profile, double peak_rate,
                             double load_factor, double t_s, double dt_s)
{
    double mean = kz_traffic_rate(profile, peak_rate, load_factor, t_s) * dt_s;
    return kz_rng_poisson(rng, mean);
}

double kz_traffic_session_bytes(struct kz_rng *rng, double mean_bytes)
{
    return kz_rng_exponential(rng, mean_bytes);
}
