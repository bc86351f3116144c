/*
 * internal.h - what the files of the batch layer share.
 */
#ifndef BF_BATCH_INTERNAL_H
#define BF_BATCH_INTERNAL_H

#include "borderflow/batch.h"

/* totals.c: the totals of every point and the ranking of point 0, after
 * the cities' deltas. 0 or BF_ENOMEM. */
int bf__compute_totals(struct bf_results *r);

/* sens.c: the points of a run -- the scenario as written, then its sweep
 * values, or the samples of its sensitivity design (with variations) --
 * into *points (bf__malloc'd) and, for a design, its coordinates into *x
 * ([n_samples][k], bf__malloc'd) and *n_samples. Every MPI rank calls it on
 * the same scenario and gets the same points. 0, BF_ENOMEM, or an error of
 * the design (BF_EINVAL, BF_ERANGE) with diag. */
int bf__batch_points(const struct bf_scenario *sc, bool variations, struct bf_point **points,
                     uint32_t *n_points, double **x, uint32_t *n_samples, struct bf_diag *diag);

/* sens.c: the sensitivity indices and the uncertainty of every metric,
 * per city and for the study, after the totals. 0, BF_ENOMEM, or an error
 * of the analysis with diag. */
int bf__analyze_sensitivity(struct bf_results *r, struct bf_diag *diag);

#endif
