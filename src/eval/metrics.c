/*
 * eval/metrics.c -- folding ground truth into energy, throughput percentiles and unmet demand.
 * Histogram bin b (1..BINS-2) holds [LO x R^(b-1), LO x R^b); bin 0 everything below LO
 * (including 0 bit/s), the last bin everything above.  Quantiles interpolate geometrically
 * inside a bin.
 */
#include "eval/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"

#define KZ__LO 1e3   /* 1 kbit/s */
#define KZ__HI 1e11  /* 100 Gbit/s */

struct kz_metrics {
    double duration_s, window_s;
    size_t n_windows;
    double energy_j, energy_cap_j, energy_cov_j, time_s;
    double thp_sum, thp_n;
    double active, met, dropped_bits, served_bits, asleep_s;
    uint64_t handovers;
    double hist[KZ_MET_BINS];
    size_t ev_first;                 /* first event UE (SIZE_MAX: none) */
    double ev_hist[KZ_MET_BINS], ev_sum, ev_n;
    struct kz_metrics_window *w;
};

static double log_r(size_t bins)
{
    return log(KZ__HI / KZ__LO) / (double)(bins - 2);
}

static size_t bin_of(double v, size_t bins)
{
    if (!(v >= KZ__LO))
        return 0;
    double b = floor(log(v / KZ__LO) / log_r(bins)) + 1;
    if (b >= (double)(bins - 1))
        return bins - 1;
    return (size_t)b;
}

int kz_metrics_open(kz_metrics **out, double duration_s, double window_s)
{
    *out = NULL;
    if (duration_s <= 0 || window_s <= 0)
        return KZ_EINVAL;
    double nw = ceil(duration_s / window_s - 1e-9);
    if (nw < 1 || nw > KZ_MET_MAX_WINDOWS)
        return KZ_EINVAL;
    kz_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return KZ_ENOMEM;
    m->n_windows = (size_t)nw;
    m->w = calloc(m->n_windows, sizeof *m->w);
    if (!m->w) {
        free(m);
        return KZ_ENOMEM;
    }
    m->duration_s = duration_s;
    m->window_s = window_s;
    m->ev_first = SIZE_MAX;
    *out = m;
    return 0;
}

void kz_metrics_set_event_ues(kz_metrics *m, size_t first)
{
    m->ev_first = first;
}

void kz_metrics_close(kz_metrics *m)
{
    if (!m)
        return;
    free(m->w);
    free(m);
}

static struct kz_metrics_window *win(kz_metrics *m, double t_s)
{
    double k = floor(t_s / m->window_s);
    if (k < 0)
        k = 0;
    if (k >= (double)m->n_windows)
        k = (double)m->n_windows - 1;
    return &m->w[(size_t)k];
}

void kz_metrics_add_thp(kz_metrics *m, double t_s, double bps)
{
    m->hist[bin_of(bps, KZ_MET_BINS)] += 1;
    m->thp_sum += bps;
    m->thp_n += 1;
    struct kz_metrics_window *w = win(m, t_s);
    w->hist[bin_of(bps, KZ_MET_WBINS)]++;
    w->thp_sum += bps;
    w->thp_n += 1;
}

void kz_metrics_add(kz_metrics *m, const kz_emu_truth *t, const uint8_t *layer)
{
    /* the step covers [t_s - dt_s, t_s): attribute it to its middle */
    double mid = t->t_s - t->dt_s / 2;
    struct kz_metrics_window *w = win(m, mid);
    double e = t->power_w * t->dt_s;
    m->energy_j += e;
    m->time_s += t->dt_s;
    w->energy_j += e;
    w->dt += t->dt_s;
    for (size_t i = 0; i < t->n_cells; i++) {
        const kz_emu_cell_truth *c = &t->cells[i];
        double ce = c->power_w * t->dt_s;
        if (layer && layer[i] == KZ_EMU_LAYER_CAPACITY)
            m->energy_cap_j += ce;
        else if (layer && layer[i] == KZ_EMU_LAYER_COVERAGE)
            m->energy_cov_j += ce;
        if (c->state != KZ_EMU_CELL_ON) {
            w->asleep_s += t->dt_s;
            m->asleep_s += t->dt_s;
        }
    }
    for (size_t i = 0; i < t->n_thp; i++) {
        kz_metrics_add_thp(m, mid, t->ue_thp_bps[i]);
        if (t->ue_index && t->ue_index[i] >= m->ev_first) {
            m->ev_hist[bin_of(t->ue_thp_bps[i], KZ_MET_BINS)] += 1;
            m->ev_sum += t->ue_thp_bps[i];
            m->ev_n += 1;
        }
    }
    m->active += t->n_active;
    m->met += t->n_met;
    m->dropped_bits += t->unmet_bits;
    m->served_bits += t->served_bits;
    m->handovers += t->handovers;
}

static double quantile(const double *h, const uint32_t *h32, size_t bins, double q)
{
    double tot = 0;
    for (size_t b = 0; b < bins; b++)
        tot += h ? h[b] : h32[b];
    if (tot <= 0)
        return 0;
    double target = q * tot, acc = 0, r = log_r(bins);
    for (size_t b = 0; b < bins; b++) {
        double c = h ? h[b] : h32[b];
        if (acc + c >= target && c > 0) {
            if (b == 0)
                return 0;
            if (b == bins - 1)
                return KZ__HI;
            double frac = (target - acc) / c;
            return KZ__LO * exp(r * ((double)(b - 1) + frac));
        }
        acc += c;
    }
    return KZ__HI;
}

double kz_metrics_quantile(const kz_metrics *m, double q)
{
    return quantile(m->hist, NULL, KZ_MET_BINS, q);
}

void kz_metrics_result(const kz_metrics *m, struct kz_metrics_result *r)
{
    memset(r, 0, sizeof *r);
    r->energy_kwh = m->energy_j / 3.6e6;
    r->energy_cap_kwh = m->energy_cap_j / 3.6e6;
    r->energy_cov_kwh = m->energy_cov_j / 3.6e6;
    r->hours = m->time_s / 3600;
    r->thp_mean_mbps = m->thp_n > 0 ? m->thp_sum / m->thp_n / 1e6 : 0;
    r->thp_p5_mbps = kz_metrics_quantile(m, 0.05) / 1e6;
    r->thp_p50_mbps = kz_metrics_quantile(m, 0.50) / 1e6;
    r->unmet_pct = m->active > 0 ? 100.0 * (1.0 - m->met / m->active) : 0;
    double tot = m->served_bits + m->dropped_bits;
    r->dropped_pct = tot > 0 ? 100.0 * m->dropped_bits / tot : 0;
    r->active_steps = m->active;
    r->cell_hours_asleep = m->asleep_s / 3600;
    r->handovers = m->handovers;
    r->event_steps = m->ev_n;
    if (m->ev_n > 0) {
        r->event_p5_mbps = quantile(m->ev_hist, NULL, KZ_MET_BINS, 0.05) / 1e6;
        r->event_p50_mbps = quantile(m->ev_hist, NULL, KZ_MET_BINS, 0.50) / 1e6;
        r->event_mean_mbps = m->ev_sum / m->ev_n / 1e6;
    }
    r->n_windows = m->n_windows;
    r->window_s = m->window_s;
    for (size_t k = 0; k < m->n_windows; k++) {
        const struct kz_metrics_window *w = &m->w[k];
        r->w_power[k] = w->dt > 0 ? w->energy_j / w->dt : 0;
        r->w_asleep[k] = w->dt > 0 ? w->asleep_s / w->dt : 0;
        r->w_p5[k] = quantile(NULL, w->hist, KZ_MET_WBINS, 0.05) / 1e6;
        r->w_p50[k] = quantile(NULL, w->hist, KZ_MET_WBINS, 0.50) / 1e6;
        r->w_mean[k] = w->thp_n > 0 ? w->thp_sum / w->thp_n / 1e6 : 0;
    }
}
