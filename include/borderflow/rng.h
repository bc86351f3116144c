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

/* Seed of an entity stream: the generator's state before its first draw. */
uint64_t bf_rng_entity_seed64(uint32_t stream_seed, uint64_t entity, uint32_t slot);


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

#endif
