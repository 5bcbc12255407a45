/*
 * eval/forecast.h -- online load forecasting for one series, three models raced side by side.
 *
 * Why: the energy saver must put a capacity cell to sleep only when the load its coverage cell
 * would have to carry stays low long enough, and wake it BEFORE that load returns.  That needs
 * a forecast some minutes to an hour ahead, learned from the KPM history alone (no oracle).
 * Which model is best depends on how much history there is, so every series runs all of them
 * and keeps, per series, the one with the lowest recent error (the others keep learning).
 *
 * The models (all updated once per slot, O(1) memory in the history length):
 *
 *  KZ_FC_SEASONAL  seasonal-naive with level: yhat(t+h) = L(t) + S(slot(t+h)) - S(slot(t)),
 *                  L an EWMA level (alpha_l), S a per-time-of-day profile, each slot an EWMA
 *                  over days (alpha_s).  Before a slot has been seen once it is persistence.
 *  KZ_FC_HW        additive Holt-Winters with a damped trend (alpha, beta, gamma, phi):
 *                  yhat(t+h) = l + (phi + ... + phi^h) b + s(slot(t+h)); with less than a day
 *                  of history the seasonal terms are 0 and it is damped Holt (a trend model).
 *  KZ_FC_RIDGE     a linear model per horizon h on lagged and time-of-day features, fitted by
 *                  exponentially-weighted ridge regression: A = sum lambda^k x x', b = sum
 *                  lambda^k x y, w = (A + ridge I)^-1 b by Cholesky each slot.  Features
 *                  (series scaled by its running mean so the ridge penalty is scale-free):
 *                  1, y(t), y(t-1), y(t-2), mean(y(t-5..t)), sin/cos of 2 pi k tod(t+h) / day
 *                  for k = 1..3, and S(slot(t+h)) (the seasonal profile, y(t) until known).
 *
 * Error tracking: every forecast is kept until its target arrives; per model and horizon the
 * module keeps the sum of |e|, of e^2 and of |e| / y (MAPE, over targets above mape_floor)
 * since the start, and an EWMA of |e| (alpha_err) used for selection.  Selection picks the
 * model with the lowest EWMA error averaged over horizons, once every model has at least
 * min_scored errors; until then KZ_FC_SEASONAL.
 *
 * Slots: the caller feeds one value per slot (kz_fc_update) with the slot's start time; the
 * time of day is t mod 86400.  Missing slots are not interpolated (the next value is treated
 * as consecutive).  Memory: the struct is caller-owned and self-contained (about 45 KiB for
 * 288 slots a day and 12 horizons); no allocation, no global state.
 */
#ifndef KZ_EVAL_FORECAST_H
#define KZ_EVAL_FORECAST_H

#include <stddef.h>

#define KZ_FC_MAX_SEASON 288  /* slots per day: 5-minute slots */
#define KZ_FC_MAX_H 12        /* horizons 1..12 slots (an hour at 5 minutes) */
#define KZ_FC_NFEAT 11        /* ridge features */
#define KZ_FC_LAGS 6          /* values kept for the lag features */

enum kz_fc_model { KZ_FC_SEASONAL = 0, KZ_FC_HW = 1, KZ_FC_RIDGE = 2 };
#define KZ_FC_NMODELS 3
#define KZ_FC_USED 3   /* error index of "the model selected when the forecast was issued" */

struct kz_fc_cfg {
    double slot_s;        /* seconds per slot (300) */
    unsigned season;      /* slots per day (86400 / slot_s), <= KZ_FC_MAX_SEASON */
    unsigned horizon;     /* forecasts 1..horizon slots ahead, <= KZ_FC_MAX_H */
    double alpha_l, alpha_s;              /* seasonal-naive: level and profile (0.5, 0.3) */
    double hw_alpha, hw_beta, hw_gamma, hw_phi; /* Holt-Winters (0.4, 0.1, 0.3, 0.9) */
    double ridge, lambda;                 /* ridge penalty (1.0), forgetting factor (0.995) */
    double alpha_err;     /* EWMA of |error| for selection (0.05) */
    double mape_floor;    /* MAPE only over targets >= this (in series units; 1.0) */
    unsigned min_scored;  /* errors per model before selection may switch (12) */
};

/* Defaults above for slot_s seconds and horizon slots. */
void kz_fc_cfg_default(struct kz_fc_cfg *cfg, double slot_s, unsigned horizon);

struct kz_fc_err {
    double sum_abs, sum_sq, sum_ape;
    double n, n_ape;
};

struct kz_fc {
    struct kz_fc_cfg cfg;
    size_t n_seen;                      /* values fed so far */
    double t_last;                      /* slot start time of the last value */
    double lags[KZ_FC_LAGS];            /* lags[0] = latest */
    double mean;                        /* running mean of the series (ridge scaling) */
    /* seasonal-naive */
    double level;
    double prof[KZ_FC_MAX_SEASON];
    unsigned char prof_seen[KZ_FC_MAX_SEASON];
    /* Holt-Winters */
    double hw_l, hw_b;
    double hw_s[KZ_FC_MAX_SEASON];
    /* ridge: per horizon, the normal equations and the solved weights */
    double ra[KZ_FC_MAX_H][KZ_FC_NFEAT * (KZ_FC_NFEAT + 1) / 2]; /* packed lower triangle */
    double rb[KZ_FC_MAX_H][KZ_FC_NFEAT];
    double rw[KZ_FC_MAX_H][KZ_FC_NFEAT];
    double rscale[KZ_FC_MAX_H + 1];     /* scale used for the features stored h slots ago */
    double feat[KZ_FC_MAX_H + 1][KZ_FC_MAX_H][KZ_FC_NFEAT]; /* ring: features issued h ago */
    /* issued forecasts, ring over issue time: fc[(n % (H+1))][model][h-1] */
    double issued[KZ_FC_MAX_H + 1][KZ_FC_NMODELS + 1][KZ_FC_MAX_H];
    /* errors, per model and KZ_FC_USED */
    struct kz_fc_err err[KZ_FC_NMODELS + 1][KZ_FC_MAX_H];
    double err_ewma[KZ_FC_NMODELS + 1][KZ_FC_MAX_H];
    double res_sq_ewma[KZ_FC_NMODELS + 1][KZ_FC_MAX_H]; /* EWMA of e^2: forecast spread */
    unsigned scored[KZ_FC_NMODELS];
    enum kz_fc_model best;
};

/* Returns 0, or KZ_EINVAL for a configuration out of bounds. */
int kz_fc_init(struct kz_fc *f, const struct kz_fc_cfg *cfg);

/* Feed the value of the slot starting at t_s (seconds; time of day = t_s mod 86400).  Scores
 * the forecasts whose target this is, trains every model, issues new forecasts. */
void kz_fc_update(struct kz_fc *f, double t_s, double y);

/* Forecast h slots after the last value (1 <= h <= horizon) by model m, or by the selected
 * model when m < 0.  With no value fed yet: 0. */
double kz_fc_predict(const struct kz_fc *f, int m, unsigned h);

/* The largest forecast of the selected model over horizons 1..h_max, and the RMS of that
 * model's recent errors over the same horizons (EWMA of e^2; 0 until scored). */
double kz_fc_peak(const struct kz_fc *f, unsigned h_max, double *rmse);

enum kz_fc_model kz_fc_best(const struct kz_fc *f);
const char *kz_fc_model_name(enum kz_fc_model m);

/* Error of model m (or KZ_FC_USED) over all horizons 1..horizon since the start (or at horizon h when h > 0):
 * mean absolute error, MAPE (fraction) and the number of scored forecasts. */
void kz_fc_error(const struct kz_fc *f, int m, unsigned h, double *mae,
                 double *mape, double *n);

/* Add f's error sums for model m into acc[0..horizon-1] (to pool errors over many series). */
void kz_fc_error_add(const struct kz_fc *f, int m, struct kz_fc_err *acc);

#endif
