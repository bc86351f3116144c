/*
 * stream.c - purpose streams and the re-seeded entity stream.
 *
 * Purpose streams are GSL mt19937 (long period, well tested, seeded once per
 * run so its ~2.5 KB state and 624-word seeding do not matter). The entity
 * stream is re-seeded before every entity draw -- three or four times for
 * every unit a city sells -- so what matters is the cost of a seed: it is
 * SplitMix64 (Steele, Lea and Flood 2014, the generator of Java's
 * SplittableRandom; it passes TestU01's BigCrush), written here as a GSL
 * generator type because GSL has none whose seeding is this cheap: a seed is
 * one store, where taus2's LCG seeding and six warm-up steps took about a
 * hundred instructions and a fifth of a study's time. Distributions draw
 * from it through the usual gsl_rng interface.
 *
 * All seeding goes through 64-bit mixing functions with published constants
 * (splitmix64, Steele/Lea/Flood 2014; the murmur3 32-bit finaliser), so the
 * seeds - and therefore every result - are the same on every platform.
 */
#include <string.h>

#include <gsl/gsl_rng.h>

#include "borderflow/error.h"
#include "borderflow/rng.h"


/* murmur3's fmix32: a bijection on 32 bits (xor-shifts and odd multipliers
 * are each invertible), with fmix32(0) == 0. */
static uint32_t fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint32_t fold32(uint64_t x)
{
    return (uint32_t)(x ^ (x >> 32));
}

uint32_t bf_rng_seed32(uint64_t seed, uint32_t city, uint32_t rep, uint32_t purpose)
{
    BF_ASSERT(city < BF_RNG_MAX_CITIES);
    BF_ASSERT(rep < BF_RNG_MAX_REPLICATIONS);
    BF_ASSERT(purpose < BF_RNG_MAX_PURPOSES);

    /* 10 + 15 + 6 = 31 bits: every valid tuple has its own packed value and
     * the high bit is never set. */
    const uint32_t pack = city << 21 | rep << 6 | purpose;
    const uint32_t k = fold32(bf_rng_mix64(seed));

    /* For a fixed k, pack -> fmix32(k ^ pack) is a bijection, so distinct
     * tuples get distinct seeds. Hashing (seed, city, rep, purpose) with a
     * general 64-bit hash and folding would give collisions (birthday bound:
     * likely among a few 10^4 streams), and two streams with one seed are
     * the same stream. */
    uint32_t s = fmix32(k ^ pack);

    /* Seed 0 must be avoided: GSL replaces it by the generator's default
     * seed (4357 for mt19937), which another tuple may own. s == 0 happens
     * for exactly one pack, pack == k, and only when k's high bit is clear.
     * Then 0x80000000 is not a valid pack, so its image fmix32(k ^ 0x80000000)
     * belongs to no other tuple, and it is nonzero because its argument has
     * the high bit set. Injectivity is kept. */
    if (s == 0)
        s = fmix32(k ^ 0x80000000u);
    return s;
}

/* ---- the entity generator: SplitMix64 as a gsl_rng_type ---- */

struct sm64 {
    uint64_t x; /* the state: the seed, then advanced by the golden gamma per draw */
};

static inline uint64_t sm64_next(struct sm64 *st)
{
    uint64_t z = bf_rng_mix64(st->x);
    st->x += 0x9e3779b97f4a7c15u;
    return z;
}

static void sm64_set(void *state, unsigned long seed)
{
    ((struct sm64 *)state)->x = (uint64_t)seed;
}

/* GSL generators return values in [min, max]: the high 32 bits */
static unsigned long sm64_get(void *state)
{
    return (unsigned long)(sm64_next(state) >> 32);
}

/* [0, 1) with 53 random bits */
static double sm64_get_double(void *state)
{
    return (double)(sm64_next(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type sm64_type = {
    "bf-splitmix64", 0xffffffffUL, 0, sizeof(struct sm64), sm64_set, sm64_get, sm64_get_double,
};
const gsl_rng_type *const bf_rng_splitmix64 = &sm64_type;

int bf_streams_init(struct bf_streams *s, uint64_t seed, uint32_t city, uint32_t rep,
                    uint32_t n_purposes)
{
    BF_ASSERT(s != NULL);
    BF_ASSERT(n_purposes <= BF_RNG_MAX_PURPOSES);
    memset(s, 0, sizeof *s);

    /* gsl_rng_alloc uses malloc directly, not bf__malloc, so the allocation
     * hook cannot fail it; and on failure it calls the GSL error handler
     * (which the CLI routes to an abort) before returning NULL. The NULL
     * paths below are therefore practically unreachable, but they are kept
     * correct for a program that installs a returning handler.
     * gsl_set_error_handler_off() is process-wide and not ours to call. */
    for (uint32_t i = 0; i < n_purposes; i++) {
        s->seed32[i] = bf_rng_seed32(seed, city, rep, i);
        s->r[i] = gsl_rng_alloc(gsl_rng_mt19937);
        if (s->r[i] == NULL)
            goto fail;
        gsl_rng_set(s->r[i], s->seed32[i]);
        s->n = i + 1; /* what fini must free if a later allocation fails */
    }
    s->scratch = gsl_rng_alloc(bf_rng_splitmix64);
    if (s->scratch == NULL)
        goto fail;
    return 0;

fail:
    bf_streams_fini(s);
    return BF_ENOMEM;
}

void bf_streams_fini(struct bf_streams *s)
{
    if (s == NULL)
        return;
    for (uint32_t i = 0; i < s->n; i++)
        gsl_rng_free(s->r[i]);
    /* Guarded: GSL documents no NULL tolerance for gsl_rng_free. */
    if (s->scratch != NULL)
        gsl_rng_free(s->scratch);
    /* Zeroed so a second fini, or a stray use, fails loudly rather than
     * touching freed generators. */
    memset(s, 0, sizeof *s);
}

gsl_rng *bf_streams_get(const struct bf_streams *s, uint32_t purpose)
{
    BF_ASSERT(purpose < s->n);
    return s->r[purpose];
}

gsl_rng *bf_streams_entity(const struct bf_streams *s, uint32_t purpose, uint64_t entity,
                           uint32_t slot)
{
    BF_ASSERT(purpose < s->n);
    /* the generator is ours: its state is set directly, without the call */
    ((struct sm64 *)s->scratch->state)->x = bf_rng_entity_seed64(s->seed32[purpose], entity, slot);
    return s->scratch;
}
