/*
 * emu/power.c -- EARTH and TR 38.864 base-station power, sleep states, energy.
 * See power.h for why this exists, the sources of every number and the state machine.
 */
#include "emu/power.h"

#include <string.h>

#include "kizuna/error.h"

/* Auer et al. 2011, Table (MODELS.md): N_TRX, P_max, P0, dp, P_sleep. */
static const double kz__earth_rows[5][5] = {
    {6, 20.0, 130.0, 4.7, 75.0},  /* macro */
    {6, 20.0, 84.0, 2.8, 56.0},   /* RRH */
    {2, 6.3, 56.0, 2.6, 39.0},    /* micro */
    {2, 0.13, 6.8, 4.0, 4.3},     /* pico */
    {2, 0.05, 4.8, 8.0, 2.9},     /* femto */
};

/* TR 38.864 transitions (MODELS.md): {light time s, light extra units x ms, deep time, deep}. */
static const double kz__trans_cat[2][4] = {
    {0.006, 90.0, 0.050, 1000.0},    /* Category 1 */
    {0.640, 1088.0, 10.0, 17000.0},  /* Category 2 */
};

static void kz__earth(struct kz_power_params *p, const double row[5], double n_trx)
{
    p->model = KZ_POWER_EARTH;
    p->n_trx = n_trx;
    p->p_max_w = row[1];
    p->p0_w = row[2];
    p->delta_p = row[3];
    p->dl_fraction = 1.0;
    p->n_txru = n_trx;
    for (int i = 0; i < KZ_SLEEP_LEVELS; i++)
        p->sleep[i].power_w = n_trx * row[4];
}

static void kz__rel(struct kz_power_params *p, double unit_w, double micro, double dl, double ul,
                    double dl_fraction, double n_txru)
{
    p->n_txru = n_txru;
    p->model = KZ_POWER_38864;
    p->unit_w = unit_w;
    p->rel_dl = dl;
    p->rel_ul = ul;
    p->rel_micro = micro;
    p->a = 0.4;
    p->eta = 1.0;
    p->s_a = 1.0;
    p->s_p = 1.0;
    p->dl_fraction = dl_fraction;
    p->sleep[KZ_SLEEP_MICRO].power_w = micro * unit_w;
    p->sleep[KZ_SLEEP_LIGHT].power_w = 25.0 * unit_w;
    p->sleep[KZ_SLEEP_DEEP].power_w = 1.0 * unit_w;
}

int kz_power_set_transitions(struct kz_power_params *p, int category)
{
    if (category != 1 && category != 2)
        return KZ_EINVAL;
    const double *t = kz__trans_cat[category - 1];
    double j_per_unit_ms = p->model == KZ_POWER_38864 ? p->unit_w / 1000.0 : 0.0;
    p->sleep[KZ_SLEEP_MICRO].transition_s = 0.0;
    p->sleep[KZ_SLEEP_MICRO].transition_extra_j = 0.0;
    p->sleep[KZ_SLEEP_LIGHT].transition_s = t[0];
    p->sleep[KZ_SLEEP_LIGHT].transition_extra_j = t[1] * j_per_unit_ms;
    p->sleep[KZ_SLEEP_DEEP].transition_s = t[2];
    p->sleep[KZ_SLEEP_DEEP].transition_extra_j = t[3] * j_per_unit_ms;
    return 0;
}

int kz_power_preset(struct kz_power_params *p, enum kz_power_preset which)
{
    memset(p, 0, sizeof *p);
    switch (which) {
    case KZ_PWR_EARTH_MACRO:
    case KZ_PWR_EARTH_RRH:
    case KZ_PWR_EARTH_MICRO:
    case KZ_PWR_EARTH_PICO:
    case KZ_PWR_EARTH_FEMTO:
        kz__earth(p, kz__earth_rows[which], kz__earth_rows[which][0]);
        break;
    case KZ_PWR_EARTH_MACRO_SECTOR:
        kz__earth(p, kz__earth_rows[KZ_PWR_EARTH_MACRO], 2.0);
        break;
    case KZ_PWR_38864_SET1:
        /* DDDSU with 10 DL symbols in S: (3 + 10/14) / 5. */
        kz__rel(p, 1100.0 / 280.0, 55.0, 280.0, 110.0, (3.0 + 10.0 / 14.0) / 5.0, 64.0);
        break;
    case KZ_PWR_38864_SET2:
        kz__rel(p, 550.0 / 200.0, 50.0, 200.0, 90.0, 1.0, 32.0);
        break;
    default:
        return KZ_EINVAL;
    }
    return kz_power_set_transitions(p, 2);
}

static double kz__clamp01(double x)
{
    return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
}

double kz_power_active_w(const struct kz_power_params *p, double load)
{
    return kz_power_active_txru_w(p, load, 1.0);
}

double kz_power_active_txru_w(const struct kz_power_params *p, double load, double txru)
{
    load = kz__clamp01(load);
    if (!(txru > 0.0) || txru > 1.0)
        txru = 1.0;
    if (p->model == KZ_POWER_EARTH)
        return txru * p->n_trx * (p->p0_w + p->delta_p * load * p->p_max_w);
    double dyn = p->a + (load * p->s_p / p->eta) * (1.0 - p->a);
    double dl = p->rel_micro + p->s_a * txru * (p->rel_dl - p->rel_micro) * dyn;
    double rel = p->dl_fraction * dl + (1.0 - p->dl_fraction) * p->rel_ul;
    return rel * p->unit_w;
}

double kz_power_sleep_w(const struct kz_power_params *p, enum kz_sleep depth)
{
    if ((unsigned)depth >= KZ_SLEEP_LEVELS)
        return 0.0;
    return p->sleep[depth].power_w;
}

void kz_power_cell_init(struct kz_power_cell *c)
{
    memset(c, 0, sizeof *c);
    c->state = KZ_PWR_ACTIVE;
    c->depth = KZ_SLEEP_MICRO;
    c->txru = 1.0;
}

int kz_power_sleep(struct kz_power_cell *c, enum kz_sleep depth)
{
    if ((unsigned)depth >= KZ_SLEEP_LEVELS)
        return KZ_EINVAL;
    c->state = KZ_PWR_ASLEEP;
    c->depth = depth;
    c->wake_left_s = 0.0;
    return 0;
}

int kz_power_wake(struct kz_power_cell *c, const struct kz_power_params *p)
{
    if (c->state != KZ_PWR_ASLEEP)
        return 0;
    double t = p->sleep[c->depth].transition_s;
    if (t > 0.0) {
        c->state = KZ_PWR_WAKING;
        c->wake_left_s = t;
    } else {
        c->state = KZ_PWR_ACTIVE;
        c->wake_left_s = 0.0;
    }
    return 0;
}

int kz_power_serving(const struct kz_power_cell *c)
{
    return c->state == KZ_PWR_ACTIVE;
}

double kz_power_step(struct kz_power_cell *c, const struct kz_power_params *p, double load,
                     double dt_s)
{
    double energy = 0.0;
    if (!(dt_s > 0.0)) {
        c->last_power_w = 0.0;
        return 0.0;
    }
    double left = dt_s;
    if (c->state == KZ_PWR_WAKING) {
        const struct kz_power_sleep_level *s = &p->sleep[c->depth];
        double pw = s->power_w + s->transition_extra_j / s->transition_s;
        double t = c->wake_left_s < left ? c->wake_left_s : left;
        energy += pw * t;
        left -= t;
        c->wake_left_s -= t;
        if (c->wake_left_s <= 0.0) {
            c->wake_left_s = 0.0;
            c->state = KZ_PWR_ACTIVE;
        }
    }
    if (left > 0.0) {
        if (c->state == KZ_PWR_ASLEEP)
            energy += p->sleep[c->depth].power_w * left;
        else if (c->state == KZ_PWR_ACTIVE)
            energy += kz_power_active_txru_w(p, load, c->txru) * left;
    }
    c->energy_j += energy;
    c->last_power_w = energy / dt_s;
    return c->last_power_w;
}
