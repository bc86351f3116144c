/*
 * dist_forms.c - the ways a distribution is written in a scenario file,
 * {"dist": kind, keys...}: one table that the loader parses by and the
 * schema generator (schema.c) describes, so that the two cannot disagree
 * on a kind's keys, which of them go together, or their bounds.
 */
#include <math.h>

#include "internal.h"

static int mk_fixed(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_fixed(d, x[0], g);
}

static int mk_uniform(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_uniform(d, x[0], x[1], g);
}

static int mk_triangular(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_triangular(d, x[0], x[1], x[2], g);
}

static int mk_exponential(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_exponential(d, x[0], g);
}

static int mk_lognormal_median_p90(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_lognormal_median_p90(d, x[0], x[1], g);
}

static int mk_lognormal_mean_sd(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_lognormal_mean_sd(d, x[0], x[1], g);
}

static int mk_lognormal(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_lognormal(d, x[0], x[1], g);
}

static int mk_gamma_mean_cv(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_gamma_mean_cv(d, x[0], x[1], g);
}

static int mk_gamma(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_gamma(d, x[0], x[1], g);
}

static int mk_weibull(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_weibull(d, x[0], x[1], g);
}

static int mk_bernoulli(struct bf_dist *d, const double *x, struct bf_diag *g)
{
    return bf_dist_bernoulli(d, x[0], g);
}

/* bounds, as {min, min_excl, max} */
#define ANY  -HUGE_VAL, false, HUGE_VAL
#define GE0  0, false, HUGE_VAL
#define GT0  0, true, HUGE_VAL
#define PROB 0, false, 1

/*
 * The bounds are those a distribution of a parameter (a duration or an
 * amount, whose values must be >= 0) has on each key: the constructors'
 * own (sigma > 0, a gamma's shape in [BF_DIST_GAMMA_SHAPE_MIN, _MAX]) and
 * what values >= 0 imply (a uniform's min >= 0). Bounds between keys
 * (min < max, p90 > median, mode between min and max) are the
 * constructors' alone, and so is a gamma's cv (1/sqrt of the shape's
 * bounds: no constant expression). test_scenario checks each bound here
 * against the constructors.
 * Kinds with several forms list them one after the other; a file gives
 * exactly one.
 */
const struct bf__dist_form bf__dist_forms[] = {
    {BF_DIST_FIXED, 1, 1, {{"value", {GE0}, 3}}, false, mk_fixed},
    {BF_DIST_UNIFORM, 2, 2, {{"min", {GE0}, 1}, {"max", {GT0}, 3}}, false, mk_uniform},
    {BF_DIST_TRIANGULAR,
     3,
     3,
     {{"min", {GE0}, 0}, {"mode", {GE0}, 2}, {"max", {GT0}, 4}},
     false,
     mk_triangular},
    {BF_DIST_EXPONENTIAL, 1, 1, {{"mean", {GT0}, 2}}, false, mk_exponential},
    {BF_DIST_LOGNORMAL,
     2,
     2,
     {{"median", {GT0}, 1}, {"p90", {GT0}, 3}},
     false,
     mk_lognormal_median_p90},
    {BF_DIST_LOGNORMAL, 2, 2, {{"mean", {GT0}, 2}, {"sd", {GT0}, 1}}, false, mk_lognormal_mean_sd},
    {BF_DIST_LOGNORMAL, 2, 2, {{"mu", {ANY}, 0.5}, {"sigma", {GT0}, 0.8}}, false, mk_lognormal},
    {BF_DIST_GAMMA, 2, 2, {{"mean", {GT0}, 5}, {"cv", {GT0}, 0.5}}, false, mk_gamma_mean_cv},
    {BF_DIST_GAMMA,
     2,
     2,
     {{"shape", {BF_DIST_GAMMA_SHAPE_MIN, false, BF_DIST_GAMMA_SHAPE_MAX}, 2}, {"scale", {GT0}, 3}},
     false,
     mk_gamma},
    {BF_DIST_WEIBULL, 2, 2, {{"shape", {GT0}, 1.5}, {"scale", {GT0}, 4}}, false, mk_weibull},
    /* arrays of numbers, 1 to BF_DIST_EMPIRICAL_MAX; weights optional */
    {BF_DIST_EMPIRICAL, 2, 1, {{"values", {GE0}, 2}, {"weights", {GE0}, 1}}, true, NULL},
    {BF_DIST_BERNOULLI, 1, 1, {{"p", {PROB}, 0.3}}, false, mk_bernoulli},
};
const size_t bf__dist_forms_n = sizeof bf__dist_forms / sizeof bf__dist_forms[0];

bool bf__dist_kind_in_params(enum bf_dist_kind kind)
{
    /* a bernoulli draws 0 or 1: no duration or amount */
    return kind != BF_DIST_BERNOULLI;
}
