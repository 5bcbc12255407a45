/*
 * emu/rng.c -- splitmix64, xoshiro256** and the distributions the emulator draws from.
 * See rng.h for why this exists and what it guarantees.
 */
#include "emu/rng.h"

#include <math.h>

#define KZ__TWO_PI 6.283185307179586476925286766559

uint64_t kz_rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t kz_rng_hash3(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t st = seed;
    uint64_t h = kz_rng_splitmix64(&st);
    st = h ^ a;
    h = kz_rng_splitmix64(&st);
    st = h ^ b;
    h = kz_rng_splitmix64(&st);
    st = h ^ c;
    return kz_rng_splitmix64(&st);
}

double kz_rng_u01_from_bits(uint64_t bits)
{
    /* 53 bits, shifted by half an ulp so that 0 and 1 are never returned. */
    return ((double)(bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double kz_rng_normal_from_bits(uint64_t bits)
{
    double u1 = ((double)(bits >> 32) + 0.5) * (1.0 / 4294967296.0);
    double u2 = ((double)(bits & 0xffffffffULL) + 0.5) * (1.0 / 4294967296.0);
    return sqrt(-2.0 * log(u1)) * cos(KZ__TWO_PI * u2);
}

void kz_rng_seed(struct kz_rng *r, uint64_t seed)
{
    uint64_t st = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = kz_rng_splitmix64(&st);
    /* splitmix64 outputs are a bijection of distinct states, so four zeros cannot occur. */
}

static inline uint64_t kz__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t kz_rng_next(struct kz_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = kz__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = kz__rotl(s[3], 45);
    return result;
}

double kz_rng_uniform(struct kz_rng *r)
{
    return kz_rng_u01_from_bits(kz_rng_next(r));
}

double kz_rng_normal(struct kz_rng *r)
{
    double u1 = kz_rng_uniform(r);
    double u2 = kz_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(KZ__TWO_PI * u2);
}

double kz_rng_exponential(struct kz_rng *r, double mean)
{
    if (!(mean > 0.0))
        return 0.0;
    return -mean * log(kz_rng_uniform(r));
}

uint32_t kz_rng_poisson(struct kz_rng *r, double mean)
{
    uint32_t n = 0;
    if (!(mean > 0.0) || !isfinite(mean))
        return 0;
    while (mean > 0.0) {
        double piece = mean > 16.0 ? 16.0 : mean;
        double limit = exp(-piece);
        double p = kz_rng_uniform(r);
        while (p > limit) {
            n++;
            p *= kz_rng_uniform(r);
        }
        mean -= piece;
    }
    return n;
}
