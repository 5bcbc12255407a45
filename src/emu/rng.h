/*
 * emu/rng.h -- seeded, stateless-by-default random numbers for the emulator.
 *
 * Why: the emulator must give the same answer for the same scenario seed on every machine and
 * every run, also inside the deterministic simulator.  rand() has hidden global state and a
 * libc-defined sequence, so nothing in src/emu may call it.  Every random quantity comes either
 * from a caller-owned xoshiro256** stream (kz_rng) or from a pure hash of the seed and the
 * identifiers of the thing drawn (kz_rng_hash*), so that "the shadowing of UE 7 towards site 3"
 * is a function, not an accident of call order.
 *
 * Guarantees: no global mutable state, no allocation; sequences are fixed by this file
 * (splitmix64 and xoshiro256** by Vigna & Blackman, public domain reference algorithms,
 * https://prng.di.unimi.it/) and do not depend on the platform's libm except for the
 * transcendental functions used to shape distributions (log, sqrt, cos, exp).
 */
#ifndef KZ_EMU_RNG_H
#define KZ_EMU_RNG_H

#include <stdint.h>

/* A xoshiro256** stream.  Caller-owned; seed it with kz_rng_seed().  Never all-zero. */
struct kz_rng {
    uint64_t s[4];
};

/* One splitmix64 step: advances *state and returns the next output.  Used to seed streams. */
uint64_t kz_rng_splitmix64(uint64_t *state);

/* A 64-bit mixing hash of a seed and up to three identifiers (splitmix64 finaliser applied in
 * a chain).  Equal inputs give equal outputs; changing any input changes ~half the bits. */
uint64_t kz_rng_hash3(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* Map 64 random bits to a double uniform in the open interval (0, 1) (53-bit resolution). */
double kz_rng_u01_from_bits(uint64_t bits);

/* A standard normal N(0,1) derived from one 64-bit hash value (Box-Muller on two 32-bit
 * halves).  Pure function: the same hash gives the same value. */
double kz_rng_normal_from_bits(uint64_t bits);

/* Seed a stream from a 64-bit seed with splitmix64 (the recommended way for xoshiro). */
void kz_rng_seed(struct kz_rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t kz_rng_next(struct kz_rng *r);

/* Uniform double in (0, 1). */
double kz_rng_uniform(struct kz_rng *r);

/* Standard normal N(0,1) (Box-Muller; uses two draws, no cached second value). */
double kz_rng_normal(struct kz_rng *r);

/* Exponential with the given mean (mean <= 0 gives 0). */
double kz_rng_exponential(struct kz_rng *r, double mean);

/* Poisson-distributed count with the given mean (mean <= 0 gives 0).  Exact: the mean is cut
 * into pieces of at most 16 and Knuth's multiplication method is run on each (a sum of
 * independent Poisson variables is Poisson).  Cost is O(mean) draws. */
uint32_t kz_rng_poisson(struct kz_rng *r, double mean);

#endif
