/*
 * mpi.h - the batch over MPI ranks (Open MPI): `borderflow run --mpi`
 * under `mpirun -np N` or `srun`.
 *
 * Every rank runs the same program with the same arguments and loads the
 * same scenario files itself; bf_mpi_agree() then checks that they all
 * loaded the same bytes with the same program. Rank 0 runs bf_batch_run()
 * with bf_mpi_distribute() as its `distribute` hook: the other ranks
 * (bf_mpi_serve()) ask it for work items, a few at a time, run them on
 * their own `-j` threads and send the results back; rank 0 deposits them,
 * runs items on its own threads too, and alone writes the outputs. Items
 * are handed out on request, so a slow rank takes fewer; the results are
 * bit for bit those of a single-process run (docs/scaling.md).
 *
 * All ranks must run the same binary on the same architecture: results
 * travel as the bytes of struct bf_model_result.
 *
 * Without MPI at build time the same functions exist and bf_mpi_init()
 * returns BF_EMPI ("this borderflow was built without MPI").
 *
 * Test hook (docs/scaling.md), never set in production:
 *   BORDERFLOW_MPI_FAIL_RANK=K   rank K fails the first item it runs, as a
 *                                model error would.
 * Tuning: BORDERFLOW_MPI_COORDINATE_ONLY=1 makes rank 0 hand out and
 * collect items without running any itself.
 */
#ifndef BORDERFLOW_MPI_H
#define BORDERFLOW_MPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "borderflow/batch.h"
#include "borderflow/error.h"

struct bf_mpi {
    int rank, size;       /* this process, and how many there are */
    bool threads;         /* MPI_THREAD_MULTIPLE: ranks other than 0 may run -j threads */
    bool coordinate_only; /* rank 0 runs no items (BORDERFLOW_MPI_COORDINATE_ONLY=1) */
    int fail_rank;        /* test hook BORDERFLOW_MPI_FAIL_RANK, or -1 */
    uint32_t scenario;    /* rank 0: index of the scenario of the next bf_batch_run, in the
                           * list every rank loaded; set it before each run */
    uint32_t runs;        /* runs started so far (a check that ranks agree) */
    void *comm;           /* the program's own communicator */
};

/* Whether this program was built with MPI. */
bool bf_mpi_available(void);

/*
 * Initialises MPI (or joins the job mpirun/srun started; a process started
 * alone is a job of one rank). 0, or BF_EMPI with diag when the program was
 * built without MPI or the library refuses. Call bf_mpi_finalize() before
 * the process exits, on every rank, whatever happened in between.
 */
int bf_mpi_init(struct bf_mpi *m, struct bf_diag *diag);
void bf_mpi_finalize(struct bf_mpi *m);

/*
 * Collective: every rank says how loading went (`status`: 0, or the exit
 * status it would end with), what it loaded (`fingerprint`: text that must
 * be equal on every rank, one line per scenario), when status != 0 one line
 * saying why (`detail`), and its -j (`jobs`, 0 = all cores). Returns the
 * status every rank must go on with: rank 0's own when it failed (it has
 * printed why), else 2 (or 1 for an out-of-memory) when another rank failed
 * or loaded something else, else 0. On rank 0, report receives one line per
 * such rank ("rank K: why") and, when the run goes on, one "warning: ..."
 * line per rank bound to fewer CPUs than it runs threads; other ranks may
 * pass NULL.
 */
int bf_mpi_agree(struct bf_mpi *m, int status, const char *fingerprint, const char *detail,
                 unsigned jobs, char *report, size_t report_size);

/*
 * Rank 0: the `distribute` hook of struct bf_batch_options (ctx is the
 * struct bf_mpi). Starts the run on every other rank, hands out the items,
 * deposits every result and returns when every rank has stopped: 0,
 * BF_EINTR when a rank was interrupted, or the first failure with diag
 * "rank K failed on city 'X', policy 'P', replication R: ...".
 */
int bf_mpi_distribute(struct bf_results *r, const struct bf_batch_options *o, void *ctx,
                      struct bf_diag *diag);

/*
 * Ranks other than 0: runs the items rank 0 hands out, run after run,
 * until rank 0 ends the command with bf_mpi_end(); returns the exit status
 * it sent. sc[i] is the i-th scenario loaded (the list bf_mpi_agree
 * checked); o gives the threads (jobs) and the interrupt flag.
 */
int bf_mpi_serve(struct bf_mpi *m, const struct bf_scenario *const *sc, uint32_t n_scenarios,
                 const struct bf_batch_options *o);

/* Rank 0: ends bf_mpi_serve() on every other rank with exit status `status`. */
void bf_mpi_end(struct bf_mpi *m, int status);

#endif
