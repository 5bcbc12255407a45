/*
 * eval/forecast.c -- seasonal-naive, Holt-Winters and ridge forecasters with error tracking.
 * See forecast.h for the models and the selection rule.
 */
#include "eval/forecast.h"

#include <math.h>
#include <string.h>

#include "kizuna/error.h"

#define KZ__DAY_S 86400.0
#define KZ__TRI(i, j) ((i) * ((i) + 1) / 2 + (j)) /* packed lower triangle, j <= i */

void kz_fc_cfg_default(struct kz_fc_cfg *cfg, double slot_s, unsigned horizon)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->slot_s = slot_s;
    double s = KZ__DAY_S / slot_s;
    cfg->season = s >= 1.0 ? (unsigned)(s + 0.5) : 1;
    cfg->horizon = horizon;
    cfg->alpha_l = 0.5;
    cfg->alpha_s = 0.3;
    cfg->hw_alpha = 0.4;
    cfg->hw_beta = 0.1;
    cfg->hw_gamma = 0.3;
    cfg->hw_phi = 0.9;
    cfg->ridge = 1.0;
    cfg->lambda = 0.995;
    cfg->alpha_err = 0.05;
    cfg->mape_floor = 1.0;
    cfg->min_scored = 12;
}

int kz_fc_init(struct kz_fc *f, const struct kz_fc_cfg *cfg)
{
    if (!cfg || cfg->slot_s <= 0 || cfg->season < 1 || cfg->season > KZ_FC_MAX_SEASON ||
        cfg->horizon < 1 || cfg->horizon > KZ_FC_MAX_H || cfg->lambda <= 0 || cfg->lambda > 1 ||
        cfg->ridge <= 0)
        return KZ_EINVAL;
    memset(f, 0, sizeof *f);
    f->cfg = *cfg;
    f->best = KZ_FC_SEASONAL;
    return 0;
}

const char *kz_fc_model_name(enum kz_fc_model m)
{
    switch (m) {
    case KZ_FC_SEASONAL: return "seasonal-naive";
    case KZ_FC_HW: return "holt-winters";
    case KZ_FC_RIDGE: return "ridge";
    }
    return "?";
}

static unsigned slot_of(const struct kz_fc *f, double t_s)
{
    double tod = fmod(t_s, KZ__DAY_S);
    if (tod < 0)
        tod += KZ__DAY_S;
    unsigned k = (unsigned)(tod / f->cfg.slot_s);
    return k % f->cfg.season;
}

/* Seasonal profile value of a slot, or fallback when never seen. */
static double prof_or(const struct kz_fc *f, unsigned k, double fallback)
{
    return f->prof_seen[k] ? f->prof[k] : fallback;
}

static void ridge_features(const struct kz_fc *f, double t_next, double scale, double *x)
{
    double inv = 1.0 / scale;
    double tod = fmod(t_next, KZ__DAY_S) / KZ__DAY_S;
    double m5 = 0;
    for (int i = 0; i < KZ_FC_LAGS; i++)
        m5 += f->lags[i];
    m5 /= KZ_FC_LAGS;
    x[0] = 1.0;
    x[1] = f->lags[0] * inv;
    x[2] = f->lags[1] * inv;
    x[3] = f->lags[2] * inv;
    x[4] = m5 * inv;
    for (int k = 1; k <= 3; k++) {
        x[3 + 2 * k] = sin(2 * M_PI * k * tod);
        x[4 + 2 * k] = cos(2 * M_PI * k * tod);
    }
    x[10] = prof_or(f, slot_of(f, t_next), f->lags[0]) * inv;
}

/* Solve (A + ridge I') w = b (I' = I without the intercept) by Cholesky on the packed lower triangle; w unchanged on failure. */
static void ridge_solve(const double *a, const double *b, double ridge, double *w)
{
    enum { N = KZ_FC_NFEAT };
    double l[N][N];
    for (int i = 0; i < N; i++) {
        for (int j = 0; j <= i; j++) {
            double s = a[KZ__TRI(i, j)] + (i == j && i > 0 ? ridge : 0.0); /* no penalty on the intercept */
            for (int k = 0; k < j; k++)
                s -= l[i][k] * l[j][k];
            if (i == j) {
                if (s <= 1e-12)
                    return;
                l[i][i] = sqrt(s);
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    double z[N];
    for (int i = 0; i < N; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= l[i][k] * z[k];
        z[i] = s / l[i][i];
    }
    for (int i = N - 1; i >= 0; i--) {
        double s = z[i];
        for (int k = i + 1; k < N; k++)
            s -= l[k][i] * w[k];
        w[i] = s / l[i][i];
    }
}

static double dot(const double *a, const double *b)
{
    double s = 0;
    for (int i = 0; i < KZ_FC_NFEAT; i++)
        s += a[i] * b[i];
    return s;
}

static void score(struct kz_fc *f, double y)
{
    const unsigned H = f->cfg.horizon, R = H + 1;
    size_t n = f->n_seen; /* index of y */
    for (unsigned h = 1; h <= H; h++) {
        if (n < h)
            break;
        const double *row = &f->issued[(n - h) % R][0][0];
        for (int m = 0; m <= KZ_FC_NMODELS; m++) {
            double e = row[m * KZ_FC_MAX_H + (h - 1)] - y;
            struct kz_fc_err *er = &f->err[m][h - 1];
            er->sum_abs += fabs(e);
            er->sum_sq += e * e;
            er->n += 1;
            if (fabs(y) >= f->cfg.mape_floor) {
                er->sum_ape += fabs(e) / fabs(y);
                er->n_ape += 1;
            }
            double a = f->cfg.alpha_err;
            if (er->n <= 1) {
                f->err_ewma[m][h - 1] = fabs(e);
                f->res_sq_ewma[m][h - 1] = e * e;
            } else {
                f->err_ewma[m][h - 1] += a * (fabs(e) - f->err_ewma[m][h - 1]);
                f->res_sq_ewma[m][h - 1] += a * (e * e - f->res_sq_ewma[m][h - 1]);
            }
            if (h == 1 && m < KZ_FC_NMODELS)
                f->scored[m]++;
        }
    }
}

static void train_ridge(struct kz_fc *f, double y)
{
    const unsigned H = f->cfg.horizon, R = H + 1;
    size_t n = f->n_seen;
    double lam = f->cfg.lambda;
    for (unsigned h = 1; h <= H; h++) {
        if (n < h)
            break;
        unsigned slot = (unsigned)((n - h) % R);
        const double *x = f->feat[slot][h - 1];
        double ys = y / f->rscale[slot];
        double *a = f->ra[h - 1], *b = f->rb[h - 1];
        for (int i = 0; i < KZ_FC_NFEAT; i++) {
            for (int j = 0; j <= i; j++)
                a[KZ__TRI(i, j)] = lam * a[KZ__TRI(i, j)] + x[i] * x[j];
            b[i] = lam * b[i] + x[i] * ys;
        }
        ridge_solve(a, b, f->cfg.ridge, f->rw[h - 1]);
    }
}

static void select_best(struct kz_fc *f)
{
    for (int m = 0; m < KZ_FC_NMODELS; m++)
        if (f->scored[m] < f->cfg.min_scored)
            return;
    double sc[KZ_FC_NMODELS];
    int arg = 0;
    for (int m = 0; m < KZ_FC_NMODELS; m++) {
        sc[m] = 0;
        for (unsigned h = 0; h < f->cfg.horizon; h++)
            sc[m] += f->err_ewma[m][h];
        if (sc[m] < sc[arg])
            arg = m;
    }
    /* move away from the current model only for a clear improvement (no dithering) */
    if (sc[arg] < 0.95 * sc[f->best])
        f->best = (enum kz_fc_model)arg;
}

void kz_fc_update(struct kz_fc *f, double t_s, double y)
{
    const struct kz_fc_cfg *c = &f->cfg;
    const unsigned H = c->horizon, R = H + 1;
    if (!isfinite(y))
        y = f->n_seen ? f->lags[0] : 0.0;

    score(f, y);
    train_ridge(f, y);
    select_best(f);

    /* state updates */
    unsigned k = slot_of(f, t_s);
    if (f->n_seen == 0) {
        f->level = y;
        f->hw_l = y;
        f->hw_b = 0;
        for (int i = 0; i < KZ_FC_LAGS; i++)
            f->lags[i] = y;
        f->mean = y;
    } else {
        f->level += c->alpha_l * (y - f->level);
        double s_old = f->hw_s[k];
        double l_old = f->hw_l;
        f->hw_l = c->hw_alpha * (y - s_old) + (1 - c->hw_alpha) * (f->hw_l + c->hw_phi * f->hw_b);
        f->hw_b = c->hw_beta * (f->hw_l - l_old) + (1 - c->hw_beta) * c->hw_phi * f->hw_b;
        memmove(&f->lags[1], &f->lags[0], (KZ_FC_LAGS - 1) * sizeof f->lags[0]);
        f->lags[0] = y;
        f->mean += (y - f->mean) / (double)(f->n_seen + 1 < 2000 ? f->n_seen + 1 : 2000);
    }
    /* seasonal terms: learned only once a whole day has gone by, so that on the first day the
     * Holt-Winters seasonal index does not just echo the current deviation */
    if (f->n_seen >= c->season)
        f->hw_s[k] = c->hw_gamma * (y - f->hw_l) + (1 - c->hw_gamma) * f->hw_s[k];
    if (f->prof_seen[k])
        f->prof[k] += c->alpha_s * (y - f->prof[k]);
    else {
        f->prof[k] = y;
        f->prof_seen[k] = 1;
    }
    f->t_last = t_s;

    /* issue forecasts for t+1..t+H and store the ridge features they used */
    unsigned slot = (unsigned)(f->n_seen % R);
    double scale = fabs(f->mean) > 1e-9 ? fabs(f->mean) : 1.0;
    f->rscale[slot] = scale;
    double prof_now = prof_or(f, k, f->level);
    double damp = 0;
    for (unsigned h = 1; h <= H; h++) {
        double tn = t_s + h * c->slot_s;
        unsigned kn = slot_of(f, tn);
        /* seasonal-naive */
        double sn = f->level;
        if (f->prof_seen[kn])
            sn = f->level + f->prof[kn] - prof_now;
        /* Holt-Winters */
        damp += pow(c->hw_phi, h);
        double hw = f->hw_l + damp * f->hw_b + f->hw_s[kn];
        /* ridge */
        double *x = f->feat[slot][h - 1];
        ridge_features(f, tn, scale, x);
        double rg = dot(f->rw[h - 1], x) * scale;
        if (f->n_seen < 2 * H) /* no fit yet: persistence */
            rg = y;
        double *row = &f->issued[slot][0][0];
        row[KZ_FC_SEASONAL * KZ_FC_MAX_H + h - 1] = sn > 0 ? sn : 0;
        row[KZ_FC_HW * KZ_FC_MAX_H + h - 1] = hw > 0 ? hw : 0;
        row[KZ_FC_RIDGE * KZ_FC_MAX_H + h - 1] = rg > 0 ? rg : 0;
        row[KZ_FC_USED * KZ_FC_MAX_H + h - 1] = row[f->best * KZ_FC_MAX_H + h - 1];
    }
    f->n_seen++;
}

double kz_fc_predict(const struct kz_fc *f, int m, unsigned h)
{
    if (f->n_seen == 0 || h < 1)
        return 0;
    if (h > f->cfg.horizon)
        h = f->cfg.horizon;
    if (m < 0 || m >= KZ_FC_NMODELS)
        m = (int)f->best;
    unsigned slot = (unsigned)((f->n_seen - 1) % (f->cfg.horizon + 1));
    return f->issued[slot][m][h - 1];
}

double kz_fc_peak(const struct kz_fc *f, unsigned h_max, double *rmse)
{
    if (h_max > f->cfg.horizon)
        h_max = f->cfg.horizon;
    if (h_max < 1)
        h_max = 1;
    double peak = 0, sq = 0;
    for (unsigned h = 1; h <= h_max; h++) {
        double v = kz_fc_predict(f, -1, h);
        if (v > peak)
            peak = v;
        double r = f->res_sq_ewma[f->best][h - 1];
        if (r > sq)
            sq = r;
    }
    if (rmse)
        *rmse = sqrt(sq);
    return peak;
}

enum kz_fc_model kz_fc_best(const struct kz_fc *f)
{
    return f->best;
}

void kz_fc_error(const struct kz_fc *f, int m, unsigned h, double *mae,
                 double *mape, double *n)
{
    struct kz_fc_err t = {0};
    unsigned lo = h ? h : 1, hi = h ? h : f->cfg.horizon;
    for (unsigned i = lo; i <= hi && i <= f->cfg.horizon; i++) {
        const struct kz_fc_err *e = &f->err[m][i - 1];
        t.sum_abs += e->sum_abs;
        t.sum_ape += e->sum_ape;
        t.n += e->n;
        t.n_ape += e->n_ape;
    }
    if (mae)
        *mae = t.n > 0 ? t.sum_abs / t.n : 0;
    if (mape)
        *mape = t.n_ape > 0 ? t.sum_ape / t.n_ape : 0;
    if (n)
        *n = t.n;
}

void kz_fc_error_add(const struct kz_fc *f, int m, struct kz_fc_err *acc)
{
    for (unsigned h = 0; h < f->cfg.horizon; h++) {
        const struct kz_fc_err *e = &f->err[m][h];
        acc[h].sum_abs += e->sum_abs;
        acc[h].sum_sq += e->sum_sq;
        acc[h].sum_ape += e->sum_ape;
        acc[h].n += e->n;
        acc[h].n_ape += e->n_ape;
    }
}
