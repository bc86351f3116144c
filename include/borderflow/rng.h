/*
 * rng.h - random number streams for common random numbers.
 *
 * Every random quantity is drawn from a stream keyed by
 * (scenario seed, city, replication, purpose). Two runs that differ only in
 * policy therefore draw the same numbers for the same purpose.
 *
 * Two levels:
 *  - a purpose stream: one GSL mt19937 generator per purpose, for draws whose
 *    order does not depend on the policy (arrival times, say);
 *  - an entity stream: the scratch generator (SplitMix64 as a GSL generator
 *    type, bf_rng_splitmix64: a seed is one store) re-seeded from (purpose
 *    stream key, entity serial, slot) before a draw.
 *    A shipment's inspection time or a unit's time to sale is then the same
 *    number under every policy, whatever order the events happen in and
 *    however many numbers other draws consumed (rejection samplers draw a
 *    variable count), which is what makes the before/after comparison tight.
 *
 * Seeds: GSL's generators take 32-bit seeds. bf_rng_seed32() is injective in
 * (city, replication, purpose) for a given scenario seed (a bijective mix of
 * a packed key), so no two purpose streams of one scenario share a seed, and
 * it is never 0. Entity-stream seeds are 64 bits, a bijection of the entity
 * for a given stream and slot: two entities never share a sequence.
 */
#ifndef BORDERFLOW_RNG_H
#define BORDERFLOW_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#define BF_RNG_MAX_CITIES       1024u  /* city index < this */
#define BF_RNG_MAX_REPLICATIONS 32768u /* replication index < this */
#define BF_RNG_MAX_PURPOSES     64u    /* purpose index < this */

/* The seed of one purpose stream: nonzero, injective in (city, rep, purpose)
 * within the bounds above (asserted). */
uint32_t bf_rng_seed32(uint64_t seed, uint32_t city, uint32_t rep, uint32_t purpose);

/* The entity generator type (SplitMix64; stream.c says why ours). */
extern const gsl_rng_type *const bf_rng_splitmix64;

/* splitmix64's output function applied to x + golden gamma: a bijection on
 * 64 bits with good avalanche (Steele, Lea and Flood 2014). */
static inline uint64_t bf_rng_mix64(uint64_t x)
{
    uint64_t z = x + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Seed of an entity stream: the generator's state before its first draw. */
static inline uint64_t bf_rng_entity_seed64(uint32_t stream_seed, uint64_t entity, uint32_t slot)
{
    /* Mix the entity serial first, then combine it with the (stream, slot)
     * word and mix again: for a fixed stream and slot the 64-bit seed is a
     * bijection of the entity, so two entities never share a sequence. A
     * plain xor of the three would make (entity, slot) and (entity ^ x, slot
     * ^ x) collide systematically. */
    const uint64_t key = (uint64_t)stream_seed << 32 | slot;
    return bf_rng_mix64(bf_rng_mix64(entity) ^ key);
}

/*
 * Draw i (from 0) of the entity stream with seed x, as a uniform in [0, 1)
 * with 53 random bits: the same number as the (i + 1)-th gsl_rng_uniform of
 * the scratch generator seeded with x. SplitMix64 is counter-based -- draw i
 * is the mix of x + i * gamma -- so a unit's few uniforms are computed
 * directly, inline, without a call through the GSL generator type for each.
 */
static inline double bf_rng_entity_u(uint64_t x, uint32_t i)
{
    return (double)(bf_rng_mix64(x + (uint64_t)i * 0x9e3779b97f4a7c15u) >> 11) * 0x1.0p-53;
}


struct bf_streams {
    gsl_rng *r[BF_RNG_MAX_PURPOSES];
    uint32_t seed32[BF_RNG_MAX_PURPOSES];
    uint32_t n;
    gsl_rng *scratch;
};

/*
 * Allocates n_purposes purpose streams and the scratch generator for
 * (seed, city, rep). Returns 0, or BF_ENOMEM (nothing left allocated).
 * bf_streams_fini() frees them.
 */
int bf_streams_init(struct bf_streams *s, uint64_t seed, uint32_t city, uint32_t rep,
                    uint32_t n_purposes);
void bf_streams_fini(struct bf_streams *s);

/* The purpose stream (borrowed; valid until fini). */
gsl_rng *bf_streams_get(const struct bf_streams *s, uint32_t purpose);

/*
 * The scratch generator, re-seeded for (purpose, entity, slot). Valid until
 * the next call of bf_streams_entity() on s.
 */
gsl_rng *bf_streams_entity(const struct bf_streams *s, uint32_t purpose, uint64_t entity,
                           uint32_t slot);

/* The seed of the entity stream (purpose, entity, slot), for
 * bf_rng_entity_u. */
static inline uint64_t bf_streams_entity_seed(const struct bf_streams *s, uint32_t purpose,
                                              uint64_t entity, uint32_t slot)
{
    return bf_rng_entity_seed64(s->seed32[purpose], entity, slot);
}

#endif
