/*
 * sim.c -- the deterministic simulator (kizuna/sim.h): a virtual clock, one RNG, and the policy
 * that the in-memory network consults for every message.
 *
 * Where determinism comes from, so that nobody breaks it by accident:
 *   1. the loop's timer heap orders equal due times by start order, never by address;
 *   2. the mem:// network numbers connections in connect order and keeps FIFO per direction;
 *   3. every random draw comes from sim->rng, in an order fixed by (1) and (2);
 *   4. the trace hashes values only, never pointers or wall time.
 * Anything that iterates a hash table keyed by pointer, or reads the wall clock, breaks (1)-(4).
 */
#include <stdlib.h>
#include <string.h>

#include "kizuna/error.h"
#include "kizuna/sim.h"
#include "net/net_int.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

struct kz_sim {
    kz_vclock clock;
    kz_loop *loop;
    kz_sim_cfg cfg;
    uint64_t rng[4];
    kz_sim_stats st;
};

/* ---- RNG: xoshiro256** (Blackman & Vigna), seeded with splitmix64 --------------------------- */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t kz_sim_rand(kz_sim *s)
{
    uint64_t *r = s->rng;
    uint64_t out = rotl(r[1] * 5, 7) * 9, t = r[1] << 17;
    r[2] ^= r[0];
    r[3] ^= r[1];
    r[1] ^= r[2];
    r[0] ^= r[3];
    r[2] ^= t;
    r[3] = rotl(r[3], 45);
    return out;
}

double kz_sim_uniform(kz_sim *s)
{
    return (double)(kz_sim_rand(s) >> 11) * 0x1.0p-53;
}

uint64_t kz_sim_below(kz_sim *s, uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t lim = -n % n;   /* reject the short top range: no modulo bias */
    for (;;) {
        uint64_t x = kz_sim_rand(s);
        if (x >= lim)
            return x % n;
    }
}

/* ---- trace --------------------------------------------------------------------------------- */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));   /* fixed byte order: same hash on any host */
    return fnv(h, b, 8);
}

/* ---- the network policy -------------------------------------------------------------------- */
static int64_t pol_delay(void *ud, uint64_t conn, int dir, size_t len)
{
    kz_sim *s = ud;
    (void)conn;
    (void)dir;
    (void)len;
    int64_t d = s->cfg.latency_ns;
    if (s->cfg.jitter_ns > 0)
        d += (int64_t)kz_sim_below(s, (uint64_t)s->cfg.jitter_ns + 1);
    return d;
}

static bool pol_lose(void *ud, uint64_t conn)
{
    kz_sim *s = ud;
    (void)conn;
    if (s->cfg.assoc_loss <= 0 || kz_sim_uniform(s) >= s->cfg.assoc_loss)
        return false;
    s->st.assoc_drops++;
    return true;
}

static void pol_corrupt(void *ud, uint8_t *data, size_t len)
{
    kz_sim *s = ud;
    if (s->cfg.corrupt <= 0 || len == 0 || kz_sim_uniform(s) >= s->cfg.corrupt)
        return;
    uint64_t bit = kz_sim_below(s, (uint64_t)len * 8);
    data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    s->st.corrupted++;
}

static void pol_delivered(void *ud, uint64_t conn, int dir, const char *name, const kz_msg *m)
{
    kz_sim *s = ud;
    int64_t now = kz_loop_now(s->loop);
    uint64_t h = s->st.trace_hash;
    h = fnv_u64(h, (uint64_t)now);
    h = fnv_u64(h, conn);
    h = fnv_u64(h, (uint64_t)dir);
    h = fnv(h, name, strlen(name) + 1);
    h = fnv_u64(h, m->stream);
    h = fnv_u64(h, m->ppid);
    h = fnv_u64(h, m->len);
    h = fnv(h, m->data, m->len);
    s->st.trace_hash = h;
    s->st.delivered++;
    if (s->cfg.trace)
        fprintf(s->cfg.trace, "%lld.%09lld mem://%s#%llu %s sid=%u ppid=%u len=%zu hash=%016llx\n",
                (long long)(now / KZ_NS_PER_S), (long long)(now % KZ_NS_PER_S), name,
                (unsigned long long)conn, dir ? "<-" : "->", m->stream, m->ppid, m->len,
                (unsigned long long)h);
}

/* ---- lifecycle ----------------------------------------------------------------------------- */
int kz_sim_open(kz_sim **out, const kz_sim_cfg *cfg)
{
    kz_sim *s = calloc(1, sizeof *s);
    if (!s)
        return KZ_ENOMEM;
    if (cfg)
        s->cfg = *cfg;
    uint64_t x = s->cfg.seed;
    for (int i = 0; i < 4; i++)
        s->rng[i] = splitmix64(&x);
    s->st.trace_hash = FNV_OFFSET;
    kz_vclock_init(&s->clock, 0, s->cfg.start_epoch_ns);
    int rc = kz_loop_open(&s->loop, &s->clock.base);
    if (rc < 0) {
        free(s);
        return rc;
    }
    kz__memnet *net = kz__memnet_get(s->loop);
    if (!net) {
        kz_loop_close(s->loop);
        free(s);
        return KZ_ENOMEM;
    }
    kz__mem_policy p = {.ud = s, .delay = pol_delay, .lose_assoc = pol_lose,
                        .corrupt = pol_corrupt, .delivered = pol_delivered};
    kz__memnet_set_policy(net, &p);
    *out = s;
    return 0;
}

int kz_sim_close(kz_sim *s)
{
    int rc = kz_loop_close(s->loop);
    if (rc < 0)
        return rc;
    free(s);
    return 0;
}

kz_loop *kz_sim_loop(kz_sim *s) { return s->loop; }

int kz_sim_run_until(kz_sim *s, int64_t t_ns)
{
    return kz_loop_run_until(s->loop, t_ns);
}

int kz_sim_drop(kz_sim *s, kz_assoc *a)
{
    (void)s;
    return kz__mem_drop(a);
}

void kz_sim_stats_get(const kz_sim *s, kz_sim_stats *st)
{
    *st = s->st;
    kz__memnet *net = kz__loop_slot(s->loop, KZ__SLOT_MEM);
    st->lost = net ? kz__memnet_lost(net) : 0;
}

uint64_t kz_sim_trace_hash(const kz_sim *s) { return s->st.trace_hash; }
