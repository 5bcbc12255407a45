/*
 * kizuna/sim.h -- the deterministic simulator: virtual time, one seeded RNG, a faulty network.
 *
 * Why: a RIC's hard bugs live in timing -- a node that drops mid-subscription, indications that
 * cross a control message, a reconnect storm.  Real sockets show them once and never again.  The
 * simulator runs the unchanged RIC, emulator and xApps on a loop whose clock is virtual and whose
 * only network is mem:// associations, with every random choice drawn from one RNG seeded once.
 * A run is then a function of its seed: a failure found at seed 1234 is found again at seed 1234
 * (the approach FoundationDB made famous).
 *
 * Guarantees:
 *  - Virtual time: kz_loop_now() advances only when nothing is runnable, straight to the next
 *    timer; a simulated hour with nothing to do costs nothing.
 *  - One RNG (xoshiro256**, seeded through splitmix64): the network's latency, jitter, losses and
 *    corruption draw from it, and so must every model that wants randomness (kz_sim_rand*), or
 *    determinism is lost.
 *  - The trace: every delivered message is folded, in delivery order, into a 64-bit FNV-1a hash
 *    over (virtual time, connection, direction, listener name, stream, PPID, length, bytes), and
 *    optionally printed one line each.  Same seed and same program -> same hash, bit for bit.
 *  - Faults: per-message latency (fixed + uniform jitter), which reorders messages across
 *    associations but never within one; association loss (random per delivered message, or
 *    kz_sim_drop() on demand) that both ends observe as on_down(KZ_ECLOSED); bit corruption.
 *  - No global state: two simulators in one process are independent.
 */
#ifndef KIZUNA_SIM_H
#define KIZUNA_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "kizuna/loop.h"
#include "kizuna/transport.h"

typedef struct kz_sim kz_sim;

typedef struct kz_sim_cfg {
    uint64_t seed;
    int64_t latency_ns;        /* one-way delay of every message and handshake step */
    int64_t jitter_ns;         /* plus uniform [0, jitter_ns] per message */
    double assoc_loss;         /* probability, per delivered message, that its association dies */
    double corrupt;            /* probability, per delivered message, that one bit is flipped */
    int64_t start_epoch_ns;    /* calendar time at virtual time 0 (kz_loop_epoch_ns) */
    FILE *trace;               /* if set, one line per delivered message */
} kz_sim_cfg;

/* Errors: KZ_ENOMEM, KZ_EIO (epoll). */
int kz_sim_open(kz_sim **out, const kz_sim_cfg *cfg);
/* Close every transport on the sim's loop first.  Returns as kz_loop_close. */
int kz_sim_close(kz_sim *sim);

kz_loop *kz_sim_loop(kz_sim *sim);

/* Runs the simulation until virtual time t_ns (KZ_ETIMEOUT) or kz_loop_stop (0). */
int kz_sim_run_until(kz_sim *sim, int64_t t_ns);

uint64_t kz_sim_rand(kz_sim *sim);                 /* 64 random bits */
double kz_sim_uniform(kz_sim *sim);                /* [0, 1) */
uint64_t kz_sim_below(kz_sim *sim, uint64_t n);    /* [0, n), unbiased; 0 if n == 0 */

/* Kills a mem:// association now (both ends get on_down(KZ_ECLOSED)).
 * Errors: KZ_EINVAL (not a mem:// association), KZ_ECLOSED (already down). */
int kz_sim_drop(kz_sim *sim, kz_assoc *a);

typedef struct kz_sim_stats {
    uint64_t delivered;      /* messages delivered (traced) */
    uint64_t lost;           /* messages lost with their association */
    uint64_t assoc_drops;    /* associations killed by assoc_loss */
    uint64_t corrupted;
    uint64_t trace_hash;
} kz_sim_stats;
void kz_sim_stats_get(const kz_sim *sim, kz_sim_stats *st);
uint64_t kz_sim_trace_hash(const kz_sim *sim);

#endif
