/*
 * emu/scheduler.c -- long-run proportional-fair sharing of a cell's PRBs (water-filling).
 * See scheduler.h for the model and its guarantees.
 */
#include "emu/scheduler.h"

#include <math.h>

#include "kizuna/error.h"

/* prb_out doubles as the state: -1 = active and not yet satisfied, otherwise final. */
#define KZ__UNSET (-1.0)

int kz_sched_pf(const double *rate_per_prb_bps, const double *demand_bps, size_t n, double n_prb,
                double *prb_out, double *thp_out, struct kz_sched_result *res)
{
    if (n > 0 && (!rate_per_prb_bps || !demand_bps || !prb_out || !thp_out))
        return KZ_EINVAL;
    if (!(n_prb >= 0.0))
        return KZ_EINVAL;

    size_t unsat = 0, n_active = 0, n_satisfied = 0;
    for (size_t i = 0; i < n; i++) {
        int active = demand_bps[i] > 0.0 && rate_per_prb_bps[i] > 0.0;
        prb_out[i] = active ? KZ__UNSET : 0.0;
        unsat += (size_t)active;
    }
    n_active = unsat;

    double remaining = n_prb;
    while (unsat > 0) {
        double share = remaining / (double)unsat;
        int progress = 0;
        for (size_t i = 0; i < n; i++) {
            if (prb_out[i] != KZ__UNSET)
                continue;
            double need = demand_bps[i] / rate_per_prb_bps[i]; /* INFINITY for full buffer */
            if (need <= share) {
                prb_out[i] = need;
                remaining -= need;
                unsat--;
                n_satisfied++;
                progress = 1;
            }
        }
        if (!progress) {
            for (size_t i = 0; i < n; i++)
                if (prb_out[i] == KZ__UNSET)
                    prb_out[i] = share;
            remaining -= share * (double)unsat;
            unsat = 0;
        }
    }

    double used = 0.0, total = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = rate_per_prb_bps[i] > 0.0 ? rate_per_prb_bps[i] : 0.0;
        thp_out[i] = prb_out[i] * r;
        if (thp_out[i] > demand_bps[i])
            thp_out[i] = demand_bps[i] > 0.0 ? demand_bps[i] : 0.0; /* rounding only */
        used += prb_out[i];
        total += thp_out[i];
    }
    if (res) {
        res->prb_used = used;
        res->utilisation = n_prb > 0.0 ? fmin(used / n_prb, 1.0) : 0.0;
        res->thp_bps = total;
        res->n_active = n_active;
        res->n_satisfied = n_satisfied;
    }
    return 0;
}
