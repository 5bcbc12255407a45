/*
 * emu/scheduler.h -- how a cell shares its PRBs among the UEs that want data.
 *
 * Why: cell load (RRU.PrbUsedDl), per-UE throughput (DRB.UEThpDl) and "demand met" all come
 * out of the scheduler, and they must react correctly when an xApp moves UEs between cells:
 * a cell that gains a UE gives everyone a smaller share, and a UE at the cell edge costs more
 * PRBs per bit than one near the site.
 *
 * Model: proportional fair, in its long-run form.  With the PF metric r_i(t) / R_i(t) and
 * users whose instantaneous rates have similar statistics, PF gives every backlogged user
 * the same share of time/frequency resources, so user i's throughput is its share times
 * its own rate per PRB (Jalali, Padovani & Pankaj, "Data throughput of CDMA-HDR", VTC 2000;
 * the equal-time property is standard).  Multi-user diversity gain from fast fading is not
 * modelled (the emulator has no fast fading).  UEs that need less than the equal share keep
 * only what they need and the rest is shared again among the others (water-filling), so the
 * result is the max-min fair allocation of PRBs: the long-run outcome of PF with finite
 * buffers.
 *
 * Guarantees: sum of PRBs <= n_prb; a UE never gets more than its demand; equal rates per PRB
 * and unmet demands give equal shares; throughput ratios of backlogged UEs equal their rate
 * ratios.  O(n x passes), passes <= number of UEs satisfied + 1 (usually 2-3); caller-owned
 * arrays; no allocation, no state.
 */
#ifndef KZ_EMU_SCHEDULER_H
#define KZ_EMU_SCHEDULER_H

#include <stddef.h>

struct kz_sched_result {
    double prb_used;      /* sum of allocated PRBs (fractional: a time average) */
    double utilisation;   /* prb_used / n_prb, in [0, 1] */
    double thp_bps;       /* sum of UE throughputs */
    size_t n_active;      /* UEs with demand > 0 and a usable link */
    size_t n_satisfied;   /* active UEs whose demand is fully met */
};

/*
 * Share n_prb PRBs among n UEs.
 *   rate_per_prb_bps[i]  bit/s UE i gets from one PRB (kz_cqi_rate_per_prb_bps); <= 0 means
 *                        it cannot be served (CQI 0) and gets nothing;
 *   demand_bps[i]        what UE i wants this step (bit/s); <= 0 inactive; INFINITY for a
 *                        full buffer;
 *   prb_out[i], thp_out[i]  allocation and throughput (bit/s), written for every i.
 * res may be NULL.  Returns 0, or KZ_EINVAL if n > 0 with a NULL array or n_prb < 0.
 */
int kz_sched_pf(const double *rate_per_prb_bps, const double *demand_bps, size_t n, double n_prb,
                double *prb_out, double *thp_out, struct kz_sched_result *res);

#endif
