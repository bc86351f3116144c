/*
 * internal.h - what the files of the batch layer share.
 */
#ifndef BF_BATCH_INTERNAL_H
#define BF_BATCH_INTERNAL_H

#include "borderflow/batch.h"

/* totals.c: the totals of every point and the ranking of point 0, after
 * the cities' deltas. 0 or BF_ENOMEM. */
int bf__compute_totals(struct bf_results *r);

#endif
