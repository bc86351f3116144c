/*
 * mpi_none.c - the MPI batch in a program built without MPI: the same
 * functions, and bf_mpi_init() says why `--mpi` cannot work. The others
 * are unreachable without a successful bf_mpi_init().
 */
#include <string.h>

#include "borderflow/mpi.h"

bool bf_mpi_available(void)
{
    return false;
}

int bf_mpi_init(struct bf_mpi *m, struct bf_diag *diag)
{
    memset(m, 0, sizeof *m);
    m->size = 1;
    m->fail_rank = -1;
    bf_diag_set(diag, "this borderflow was built without MPI (install libopenmpi-dev, or run "
                      "scripts/deps test, and build again)");
    return BF_EMPI;
}

void bf_mpi_finalize(struct bf_mpi *m)
{
    (void)m;
}

int bf_mpi_agree(struct bf_mpi *m, int status, const char *fingerprint, const char *detail,
                 unsigned jobs, char *report, size_t report_size)
{
    (void)m, (void)fingerprint, (void)detail, (void)jobs, (void)report, (void)report_size;
    return status;
}

int bf_mpi_distribute(struct bf_results *r, const struct bf_batch_options *o, void *ctx,
                      struct bf_diag *diag)
{
    (void)r, (void)o, (void)ctx;
    bf_diag_set(diag, "this borderflow was built without MPI");
    return BF_EMPI;
}

int bf_mpi_serve(struct bf_mpi *m, const struct bf_scenario *const *sc, uint32_t n_scenarios,
                 const struct bf_batch_options *o)
{
    (void)m, (void)sc, (void)n_scenarios, (void)o;
    return 1;
}

void bf_mpi_end(struct bf_mpi *m, int status)
{
    (void)m, (void)status;
}
