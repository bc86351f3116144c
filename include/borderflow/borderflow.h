/*
 * borderflow.h - everything the borderflow program uses, in one include
 * (the only umbrella header; library code includes module headers).
 */
#ifndef BORDERFLOW_BORDERFLOW_H
#define BORDERFLOW_BORDERFLOW_H

#include "borderflow/alloc.h"
#include "borderflow/batch.h"
#include "borderflow/calendar.h"
#include "borderflow/error.h"
#include "borderflow/fs.h"
#include "borderflow/model.h"
#include "borderflow/output.h"
#include "borderflow/params.h"
#include "borderflow/scenario.h"

/* "0.1.0" */
const char *bf_version(void);

#endif
