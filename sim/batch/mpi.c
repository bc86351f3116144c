/*
 * mpi.c - the batch over MPI ranks: rank 0 hands out work items on
 * request and collects their results (docs/scaling.md).
 *
 * Protocol, on a communicator of our own (a duplicate of MPI_COMM_WORLD):
 *
 *   rank 0 -> each rank   TAG_JOB    a run starts (scenario index, seed,
 *                                    replications, sweep points), or the
 *                                    command ends (exit status)
 *   thread -> rank 0      TAG_ROOT   REQ: the results of its last chunk and
 *                                    a request for one more; RES: its last
 *                                    results, no request; FAIL: an item
 *                                    failed or was interrupted; DONE (the
 *                                    rank's main thread): every thread of
 *                                    the rank has stopped
 *   rank 0 -> thread t    TAG_WORK+t items [first, first + count); count 0
 *                                    means stop
 *
 * A thread keeps one request ahead: it asks for its next chunk before it
 * runs the current one, so rank 0's answer arrives while it works; what it
 * still waits for is rank 0 taking its results (one poll). Every REQ gets
 * exactly one reply, and a thread that stops first takes the reply it is
 * owed, so a run ends with nothing in flight once rank 0 has a DONE from
 * every rank. Rank 0 hands out chunks that shrink with the items left
 * (guided self-scheduling: fewer messages early, an even finish), and runs
 * items on its own threads from the same counter.
 *
 * Rank 0 does every MPI call of its rank from the thread that called
 * bf_batch_run; on the other ranks each item thread talks to rank 0 itself
 * (MPI_THREAD_MULTIPLE; with less, those ranks run one thread). Open MPI's
 * blocking calls poll a core flat out, which would take it from the item
 * threads of the same node, so waits are ours: rank 0 polls, sleeping up
 * to WAIT_ITEM_NS between polls while its own threads run items (a shorter
 * period cost 5-10% of a core shared with an item thread); a thread
 * waiting for work tests, then sleeps; a sender tests and yields until its
 * message is through (send_bytes says why).
 *
 * MPI errors keep MPI_ERRORS_ARE_FATAL: mpirun then ends every rank with
 * its own report, which is what a broken interconnect deserves.
 */
#define _GNU_SOURCE /* sched_getaffinity(): the CPUs mpirun or srun gave this rank */
#include "borderflow/mpi.h"

#include <limits.h>
#include <mpi.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "borderflow/alloc.h"

#include "internal.h"

enum { TAG_JOB = 1, TAG_ROOT = 2, TAG_WORK = 16 };
enum { MSG_REQ = 1, MSG_RES, MSG_FAIL, MSG_DONE };
enum { JOB_RUN = 1, JOB_END };

#define MAX_CHUNK    16
#define MAX_POINTS   (1 + BF_MAX_SWEEPS * BF_MAX_SWEEP_VALUES)
#define TEXT_MAX     512
#define NO_ITEM      UINT64_MAX
#define WAIT_ITEM_NS 1000000L  /* longest sleep between polls while items run */
#define WAIT_IDLE_NS 10000000L /* ... while a rank waits for the next run */
#define SPIN_NS      2000000L  /* how long a wait for a reply tests before it sleeps */
#define PROGRESS_S   0.2

/* thread (or rank) -> rank 0; REQ is followed by n (item, result) pairs,
 * FAIL and DONE by the text of the failure */
struct msg_head {
    uint32_t kind;
    uint32_t thread;
    int32_t rc;
    uint32_t n;
    uint64_t item;
};

/* rank 0 -> rank; JOB_RUN is followed by n_points struct bf_point, or by
 * the first alone when the points are a sensitivity design's n_samples
 * samples (every rank makes the same design from its scenario) */
struct job_head {
    uint32_t kind;
    int32_t status; /* JOB_END */
    uint32_t seq, scenario, replications, n_points, n_samples, n_cities, n_policies;
    uint64_t seed;
    int32_t first_day;
    uint32_t n_days, window_from, window_days;
};

struct work {
    uint64_t first, count;
};

static MPI_Comm comm_of(const struct bf_mpi *m)
{
    return *(MPI_Comm *)m->comm;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void nap(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

/*
 * Waits for a receive: testing back to back for spin_ns, then sleeping up
 * to cap_ns between tests.
 */
static void wait_req(MPI_Request *rq, MPI_Status *st, long spin_ns, long cap_ns)
{
    double until = now_s() + 1e-9 * (double)spin_ns;
    long ns = 5000;
    for (int k = 0;; k++) {
        int done = 0;
        MPI_Test(rq, &done, st != NULL ? st : MPI_STATUS_IGNORE);
        if (done)
            return;
        if (k < 50 || ((k & 15) != 0 && spin_ns > 0) || now_s() < until)
            continue;
        nap(ns);
        ns = ns * 2 > cap_ns ? cap_ns : ns * 2;
    }
}

/*
 * Sends and waits without sleeping. A chunk of results is larger than the
 * eager limit and travels in fragments, each needing a call into MPI on
 * both sides: rank 0 receives it in a blocking MPI_Recv, and a sender
 * asleep between tests would hold rank 0 there, and every rank with it.
 * Yielding lets other threads have the core meanwhile.
 */
static void send_bytes(const struct bf_mpi *m, const void *p, size_t n, int to, int tag)
{
    BF_ASSERT(n <= INT_MAX);
    MPI_Request rq;
    MPI_Isend(p, (int)n, MPI_BYTE, to, tag, comm_of(m), &rq);
    for (;;) {
        int done = 0;
        MPI_Test(&rq, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        sched_yield();
    }
}

/* ---- a growable byte buffer ---- */

struct buf {
    unsigned char *p;
    size_t n, cap;
};

static int put(struct buf *b, const void *x, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *p = bf__realloc(b->p, cap);
        if (p == NULL)
            return BF_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, x, n);
    b->n += n;
    return 0;
}

/* Reads n bytes at *at, or fails when the message is shorter: a message of
 * the wrong length means ranks disagree on the binary, a bug. */
static void take(const unsigned char *p, size_t len, size_t *at, void *x, size_t n)
{
    BF_ASSERT(*at + n <= len);
    memcpy(x, p + *at, n);
    *at += n;
}

/* ---- results on the wire ---- */

/*
 * A result travels as the bytes of struct bf_model_result (every plain
 * field, whatever fields it gains) followed by what its pointers hold: the
 * window's daily positions, the daily balances of the whole run and the two
 * histograms as bin count, first and last edge
 * and the counts. The edges between are not sent: bf_batch_deposit() merges
 * only histograms binned as bf_hist_init(n, lo, hi) bins them, which the
 * receiver rebuilds. A new pointer field in struct bf_model_result must be
 * added here.
 */
static int put_hist(struct buf *b, const struct bf_hist *h)
{
    uint64_t n = h->h != NULL ? h->h->n : 0;
    int rc = put(b, &n, sizeof n);
    if (rc == 0 && n > 0)
        rc = put(b, &h->h->range[0], sizeof(double));
    if (rc == 0 && n > 0)
        rc = put(b, &h->h->range[n], sizeof(double));
    if (rc == 0 && n > 0)
        rc = put(b, h->h->bin, (size_t)n * sizeof(double));
    return rc;
}

static int pack_result(struct buf *b, uint64_t item, const struct bf_model_result *res)
{
    int rc = put(b, &item, sizeof item);
    if (rc == 0)
        rc = put(b, res, sizeof *res);
    if (rc == 0 && res->window_days > 0)
        rc = put(b, res->position_fen, (size_t)res->window_days * sizeof(int64_t));
    if (rc == 0 && res->n_days > 0)
        rc = put(b, res->balance_fen, (size_t)BF_BAL_COUNT * res->n_days * sizeof(int64_t));
    if (rc == 0)
        rc = put_hist(b, &res->days_to_rebate);
    if (rc == 0)
        rc = put_hist(b, &res->return_cycle);
    return rc;
}

static int take_hist(const unsigned char *p, size_t len, size_t *at, struct bf_hist *h)
{
    uint64_t under = h->under, over = h->over, n;
    h->h = NULL;
    take(p, len, at, &n, sizeof n);
    if (n == 0)
        return 0;
    BF_ASSERT(n <= len);
    double lo, hi;
    take(p, len, at, &lo, sizeof lo);
    take(p, len, at, &hi, sizeof hi);
    int rc = bf_hist_init(h, (size_t)n, lo, hi);
    if (rc != 0)
        return rc;
    h->under = under; /* bf_hist_init zeroed the counts the struct brought */
    h->over = over;
    take(p, len, at, h->h->bin, (size_t)n * sizeof(double));
    return 0;
}

/* Unpacks one result at *at into *res (the caller finis it); 0 or BF_ENOMEM. */
static int take_result(const unsigned char *p, size_t len, size_t *at, uint64_t *item,
                       struct bf_model_result *res)
{
    take(p, len, at, item, sizeof *item);
    take(p, len, at, res, sizeof *res);
    res->position_fen = NULL;
    res->balance_fen = NULL;
    res->days_to_rebate.h = NULL;
    res->return_cycle.h = NULL;
    int rc = 0;
    if (res->window_days > 0) {
        size_t bytes = (size_t)res->window_days * sizeof(int64_t);
        res->position_fen = bf__malloc(bytes);
        if (res->position_fen == NULL)
            return BF_ENOMEM;
        take(p, len, at, res->position_fen, bytes);
    }
    if (res->n_days > 0) {
        size_t bytes = (size_t)BF_BAL_COUNT * res->n_days * sizeof(int64_t);
        res->balance_fen = bf__malloc(bytes);
        if (res->balance_fen == NULL)
            return BF_ENOMEM;
        take(p, len, at, res->balance_fen, bytes);
    }
    rc = take_hist(p, len, at, &res->days_to_rebate);
    if (rc == 0)
        rc = take_hist(p, len, at, &res->return_cycle);
    return rc;
}

/* ---- failures ---- */

/* "city 'X', policy 'P', replication R" of an item (as bf_batch_run_item says it). */
static void describe_item(const struct bf_results *r, uint64_t item, char *out, size_t size)
{
    uint32_t rep = (uint32_t)(item % r->replications);
    uint64_t g = item / r->replications;
    uint32_t policy = (uint32_t)(g % r->n_policies);
    uint32_t city = (uint32_t)(g / r->n_policies % r->n_cities);
    snprintf(out, size, "city '%s', policy '%s', replication %u, seed %llu", r->sc->city[city].name,
             r->sc->policy[policy].name, rep, (unsigned long long)r->seed);
}

/* The test hook: the first item of rank fail_rank fails as a model error would. */
static int run_item(const struct bf_mpi *m, atomic_int *hook_fired, const struct bf_results *r,
                    uint64_t item, const atomic_int *interrupt, struct bf_model_result *out,
                    struct bf_diag *d)
{
    if (m->fail_rank == m->rank && atomic_exchange(hook_fired, 1) == 0) {
        char what[256];
        describe_item(r, item, what, sizeof what);
        bf_diag_set(d, "%s: failed on purpose (test hook BORDERFLOW_MPI_FAIL_RANK=%d)", what,
                    m->fail_rank);
        return BF_EINVAL;
    }
    return bf_batch_run_item(r, item, interrupt, out, d);
}

/* The first failure of a run: the lowest item wins, so the message does not
 * depend on timing when several fail. On rank 0 msg is the whole message
 * ("rank K failed on ..."); on the other ranks it is what rank 0 gets. */
struct failure {
    pthread_mutex_t lock;
    int rc;
    uint64_t item;
    char msg[TEXT_MAX + 64];
};

static void fail_note(struct failure *f, int rc, uint64_t item, const char *msg)
{
    pthread_mutex_lock(&f->lock);
    if (f->rc == 0 || item < f->item) {
        f->rc = rc;
        f->item = item;
        snprintf(f->msg, sizeof f->msg, "%s", msg);
    }
    pthread_mutex_unlock(&f->lock);
}

/* ---- init, agreement, end ---- */

bool bf_mpi_available(void)
{
    return true;
}

int bf_mpi_init(struct bf_mpi *m, struct bf_diag *diag)
{
    memset(m, 0, sizeof *m);
    m->fail_rank = -1;
    int inited = 0, provided = MPI_THREAD_SINGLE;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
        bf_diag_set(diag, "MPI_Init_thread failed");
        return BF_EMPI;
    }
    if (inited)
        MPI_Query_thread(&provided);
    MPI_Comm *c = bf__malloc(sizeof *c);
    if (provided < MPI_THREAD_FUNNELED || c == NULL) {
        bf_diag_set(diag, "%s",
                    c == NULL ? "out of memory starting MPI"
                              : "the MPI library has no thread support "
                                "(MPI_THREAD_FUNNELED is needed)");
        bf__free(c);
        MPI_Finalize();
        return BF_EMPI;
    }
    MPI_Comm_dup(MPI_COMM_WORLD, c);
    m->comm = c;
    MPI_Comm_rank(*c, &m->rank);
    MPI_Comm_size(*c, &m->size);
    m->threads = provided >= MPI_THREAD_MULTIPLE;
    const char *s = getenv("BORDERFLOW_MPI_FAIL_RANK");
    if (s != NULL && *s != '\0')
        m->fail_rank = atoi(s);
    s = getenv("BORDERFLOW_MPI_COORDINATE_ONLY");
    m->coordinate_only = s != NULL && strcmp(s, "1") == 0;
    return 0;
}

void bf_mpi_finalize(struct bf_mpi *m)
{
    if (m->comm == NULL)
        return;
    MPI_Comm_free((MPI_Comm *)m->comm);
    bf__free(m->comm);
    m->comm = NULL;
    MPI_Finalize();
}

/* The first line where mine and root differ, as "'x' where rank 0 has 'y'". */
static void first_difference(const char *mine, const char *root, char *out, size_t size)
{
    while (*mine && *root) {
        size_t a = strcspn(mine, "\n"), b = strcspn(root, "\n");
        if (a != b || memcmp(mine, root, a) != 0) {
            snprintf(out, size, "'%.*s' where rank 0 has '%.*s'", (int)a, mine, (int)b, root);
            return;
        }
        mine += a + (mine[a] == '\n');
        root += b + (root[b] == '\n');
    }
    snprintf(out, size, "%s scenarios than rank 0", *mine ? "more" : "fewer");
}

struct verdict {
    int32_t status;
    uint32_t threads, cpus; /* item threads it will run; CPUs it may run on (0: unknown) */
    char text[TEXT_MAX];
};

/* CPUs this process may run on: its affinity, as mpirun or srun bound it;
 * 0 when unknown. */
static unsigned allowed_cpus(void)
{
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return (unsigned)CPU_COUNT(&set);
#endif
    return 0;
}

int bf_mpi_agree(struct bf_mpi *m, int status, const char *fingerprint, const char *detail,
                 unsigned jobs, char *report, size_t report_size)
{
    MPI_Comm c = comm_of(m);
    if (m->rank == 0 && report_size > 0)
        report[0] = '\0';
    int32_t head[2] = {status, (int32_t)strlen(fingerprint) + 1};
    MPI_Bcast(head, 2, MPI_INT32_T, 0, c);
    /* rank 0's fingerprint, and on rank 0 a verdict per rank: every rank
     * must be able to take part before anything is sent */
    char *root = bf__malloc((size_t)head[1]);
    struct verdict *all = m->rank == 0 ? bf__calloc((size_t)m->size, sizeof *all) : NULL;
    int32_t have = root != NULL && (m->rank != 0 || all != NULL), everyone = 0;
    MPI_Allreduce(&have, &everyone, 1, MPI_INT32_T, MPI_MIN, c);
    if (!everyone) {
        bf__free(root);
        bf__free(all);
        if (m->rank == 0 && report_size > 0)
            snprintf(report, report_size, "out of memory comparing what the ranks loaded\n");
        return 1;
    }
    if (m->rank == 0)
        memcpy(root, fingerprint, (size_t)head[1]);
    MPI_Bcast(root, head[1], MPI_CHAR, 0, c);

    struct verdict mine;
    memset(&mine, 0, sizeof mine);
    mine.threads = jobs ? jobs : bf_batch_cores();
    if (m->rank == 0 && m->coordinate_only && m->size > 1)
        mine.threads = 1; /* the coordinator, mostly asleep */
    else if (m->rank != 0 && !m->threads)
        mine.threads = 1;
    mine.cpus = allowed_cpus();
    if (status != 0) {
        mine.status = status;
        snprintf(mine.text, sizeof mine.text, "%s", detail ? detail : "could not load");
    } else if (head[0] == 0 && strcmp(root, fingerprint) != 0) {
        char diff[TEXT_MAX - 96];
        first_difference(fingerprint, root, diff, sizeof diff);
        mine.status = 2;
        snprintf(mine.text, sizeof mine.text,
                 "loaded other scenario files or runs another program: %s", diff);
    }
    bf__free(root);
    MPI_Gather(&mine, (int)sizeof mine, MPI_BYTE, all, (int)sizeof mine, MPI_BYTE, 0, c);
    int32_t final = head[0];
    size_t used = 0;
    for (int k = 1; m->rank == 0 && head[0] == 0 && k < m->size; k++) {
        if (all[k].status == 0)
            continue;
        final = final == 1 || all[k].status == 1 ? 1 : 2;
        int w = snprintf(report + used, report_size - used, "rank %d: %s\n", k, all[k].text);
        if (w > 0 && used + (size_t)w < report_size)
            used += (size_t)w;
    }
    /* mpirun binds each rank to one core by default (-np 2 or less), where
     * its -j threads would take turns: say so, it is a silent slowdown */
    for (int k = 0; m->rank == 0 && final == 0 && k < m->size; k++) {
        if (all[k].cpus == 0 || all[k].threads <= all[k].cpus)
            continue;
        int w = snprintf(report + used, report_size - used,
                         "warning: rank %d runs %u threads on %u CPU%s (the CPUs it is bound "
                         "to): start mpirun with --bind-to none, or give each rank its cores "
                         "(mpirun --map-by slot:PE=%u, srun --cpus-per-task=%u), or lower -j\n",
                         k, all[k].threads, all[k].cpus, all[k].cpus == 1 ? "" : "s",
                         all[k].threads, all[k].threads);
        if (w > 0 && used + (size_t)w < report_size)
            used += (size_t)w;
    }
    bf__free(all);
    MPI_Bcast(&final, 1, MPI_INT32_T, 0, c);
    return final;
}

/* A run's announcement, of a size known in advance (no allocation that
 * could fail half way through the protocol). */
struct job_msg {
    struct job_head h;
    struct bf_point point[MAX_POINTS];
};

/* The same message to every other rank, all sends in flight at once (a
 * rank asleep between polls does not hold up the others). */
static void send_all(const struct bf_mpi *m, const void *p, size_t n, int tag)
{
    MPI_Request *rq = bf__malloc((size_t)m->size * sizeof *rq);
    if (rq == NULL) { /* one at a time, then */
        for (int k = 1; k < m->size; k++)
            send_bytes(m, p, n, k, tag);
        return;
    }
    for (int k = 1; k < m->size; k++)
        MPI_Isend(p, (int)n, MPI_BYTE, k, tag, comm_of(m), &rq[k - 1]);
    for (;;) {
        int done = 0;
        MPI_Testall(m->size - 1, rq, &done, MPI_STATUSES_IGNORE);
        if (done)
            break;
        sched_yield();
    }
    bf__free(rq);
}

void bf_mpi_end(struct bf_mpi *m, int status)
{
    struct job_head h = {.kind = JOB_END, .status = status};
    send_all(m, &h, sizeof h, TAG_JOB);
}

/* ---- rank 0 ---- */

struct coord {
    const struct bf_mpi *m;
    struct bf_results *r;
    const struct bf_batch_options *o;
    uint64_t total;
    unsigned threads; /* item threads over all ranks, for the chunk size */
    atomic_uint_fast64_t next, done;
    atomic_int stop, interrupted, local_running, hook_fired;
    struct failure fail;
};

static void *local_worker(void *arg)
{
    struct coord *c = arg;
    const atomic_int *intr = c->o->interrupt;
    for (;;) {
        if (atomic_load(&c->stop) || (intr != NULL && atomic_load(intr)))
            break;
        uint64_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->total)
            break;
        struct bf_model_result out;
        struct bf_diag d;
        bf_diag_clear(&d);
        int rc = run_item(c->m, &c->hook_fired, c->r, i, intr, &out, &d);
        bool ran = rc == 0;
        if (ran)
            rc = bf_batch_deposit(c->r, i, &out);
        if (rc == BF_EINTR) {
            atomic_store(&c->interrupted, 1);
            atomic_store(&c->stop, 1);
            break;
        }
        if (rc != 0) {
            char msg[TEXT_MAX + 64];
            if (ran)
                snprintf(msg, sizeof msg, "rank 0 ran out of memory collecting the results");
            else
                snprintf(msg, sizeof msg, "rank 0 failed on %s",
                         d.msg[0] ? d.msg : bf_strerror(rc));
            fail_note(&c->fail, rc, i, msg);
            atomic_store(&c->stop, 1);
            break;
        }
        atomic_fetch_add(&c->done, 1);
    }
    atomic_fetch_sub(&c->local_running, 1);
    return NULL;
}

/* The next chunk for a thread of another rank: a quarter of the items left
 * per thread (each holds up to two chunks), 1 to MAX_CHUNK. */
static struct work take_chunk(struct coord *c)
{
    struct work w = {0, 0};
    if (atomic_load(&c->stop))
        return w;
    uint64_t next = atomic_load(&c->next);
    uint64_t left = next < c->total ? c->total - next : 0;
    uint64_t chunk = left / (4u * c->threads);
    chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;
    w.first = atomic_fetch_add(&c->next, chunk);
    if (w.first < c->total)
        w.count = c->total - w.first < chunk ? c->total - w.first : chunk;
    return w;
}

static void on_request(struct coord *c, int from, const struct msg_head *h, const unsigned char *p,
                       size_t len, size_t at)
{
    for (uint32_t k = 0; k < h->n && !atomic_load(&c->stop); k++) {
        uint64_t item;
        struct bf_model_result res;
        int rc = take_result(p, len, &at, &item, &res);
        BF_ASSERT(item < c->total);
        if (rc == 0) {
            rc = bf_batch_deposit(c->r, item, &res); /* finis res */
        } else {
            bf_model_result_fini(&res);
        }
        if (rc != 0) {
            fail_note(&c->fail, rc, item, "rank 0 ran out of memory collecting the results");
            atomic_store(&c->stop, 1);
        } else {
            atomic_fetch_add(&c->done, 1);
        }
    }
    if (h->kind == MSG_REQ) {
        struct work w = take_chunk(c);
        send_bytes(c->m, &w, sizeof w, from, TAG_WORK + (int)h->thread);
    }
}

/* Handles one message to rank 0; returns 1 for a DONE. */
static int on_message(struct coord *c, int from, const unsigned char *p, size_t len)
{
    struct msg_head h;
    size_t at = 0;
    take(p, len, &at, &h, sizeof h);
    if (h.kind == MSG_REQ || h.kind == MSG_RES) {
        on_request(c, from, &h, p, len, at);
        return 0;
    }
    BF_ASSERT(h.kind == MSG_FAIL || h.kind == MSG_DONE);
    char text[TEXT_MAX + 1];
    size_t n = len - at < TEXT_MAX ? len - at : TEXT_MAX;
    memcpy(text, p + at, n);
    text[n] = '\0';
    if (h.rc == BF_EINTR) {
        atomic_store(&c->interrupted, 1);
    } else if (h.rc != 0) {
        char msg[TEXT_MAX + 64];
        snprintf(msg, sizeof msg, h.item == NO_ITEM ? "rank %d failed: %s" : "rank %d failed on %s",
                 from, text[0] ? text : bf_strerror(h.rc));
        fail_note(&c->fail, h.rc, h.item, msg);
    }
    if (h.rc != 0)
        atomic_store(&c->stop, 1);
    return h.kind == MSG_DONE;
}

/* The largest message a thread sends: a full chunk of results. */
static size_t max_message(const struct bf_results *r)
{
    size_t hist = sizeof(uint64_t) + (2 + (size_t)BF_HIST_DAYS) * sizeof(double);
    size_t one = sizeof(uint64_t) + sizeof(struct bf_model_result) +
                 ((size_t)r->window_days + (size_t)BF_BAL_COUNT * r->n_days) * sizeof(int64_t) +
                 2 * hist;
    size_t most = sizeof(struct msg_head) + MAX_CHUNK * one;
    return most > sizeof(struct msg_head) + TEXT_MAX ? most : sizeof(struct msg_head) + TEXT_MAX;
}

int bf_mpi_distribute(struct bf_results *r, const struct bf_batch_options *o, void *ctx,
                      struct bf_diag *diag)
{
    struct bf_mpi *m = ctx;
    BF_ASSERT(m->rank == 0 && (r->n_samples > 0 || r->n_points <= MAX_POINTS));
    struct buf in = {0};
    in.cap = max_message(r);
    in.p = bf__malloc(in.cap);
    if (in.p == NULL) {
        bf_diag_set(diag, "out of memory preparing to collect the results");
        return BF_ENOMEM;
    }
    struct coord c = {.m = m, .r = r, .o = o, .total = bf_batch_items(r)};
    atomic_init(&c.next, 0);
    atomic_init(&c.done, 0);
    atomic_init(&c.stop, 0);
    atomic_init(&c.interrupted, 0);
    atomic_init(&c.local_running, 0);
    atomic_init(&c.hook_fired, 0);
    pthread_mutex_init(&c.fail.lock, NULL);
    unsigned local = m->coordinate_only && m->size > 1 ? 0 : r->jobs;
    if (local > c.total)
        local = (unsigned)c.total;
    unsigned remote = m->threads ? r->jobs : 1;
    c.threads = local + (unsigned)(m->size - 1) * remote;
    if (c.threads == 0)
        c.threads = 1;

    /* announce the run: the items are defined by rank 0's results */
    struct job_msg jm;
    memset(&jm, 0, sizeof jm);
    jm.h = (struct job_head){.kind = JOB_RUN,
                             .seq = m->runs++,
                             .scenario = m->scenario,
                             .replications = r->replications,
                             .n_points = r->n_points,
                             .n_samples = r->n_samples,
                             .n_cities = r->n_cities,
                             .n_policies = r->n_policies,
                             .seed = r->seed,
                             .first_day = r->first_day,
                             .n_days = r->n_days,
                             .window_from = r->window_from,
                             .window_days = r->window_days};
    const uint32_t sent = r->n_samples > 0 ? 1 : r->n_points;
    memcpy(jm.point, r->point, sent * sizeof *r->point);
    send_all(m, &jm, sizeof jm.h + sent * sizeof *r->point, TAG_JOB);

    pthread_t th[256];
    unsigned started = 0;
    atomic_store(&c.local_running, (int)local);
    for (; started < local; started++)
        if (pthread_create(&th[started], NULL, local_worker, &c) != 0)
            break;
    atomic_fetch_sub(&c.local_running, (int)(local - started));
    if (started == 0 && m->size == 1) {
        atomic_store(&c.local_running, 1);
        local_worker(&c); /* no thread could start and no other rank: run here */
    }

    /* serve the other ranks until each has said DONE and our threads are through */
    int dones = 0;
    long ns = 5000;
    double t0 = now_s(), shown = t0;
    MPI_Comm comm = comm_of(m);
    while (dones < m->size - 1 || atomic_load(&c.local_running) > 0) {
        if (o->interrupt != NULL && atomic_load(o->interrupt) && !atomic_load(&c.stop)) {
            atomic_store(&c.interrupted, 1);
            atomic_store(&c.stop, 1);
        }
        double t = now_s();
        if (o->progress != NULL && t - shown >= PROGRESS_S) {
            o->progress(atomic_load(&c.done), c.total, t - t0, o->progress_ctx);
            shown = t;
        }
        int flag = 0;
        MPI_Status st;
        if (dones < m->size - 1)
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_ROOT, comm, &flag, &st);
        if (!flag) {
            /* with threads of our own running items, poll gently; a rank 0
             * that only coordinates has its core to itself and answers at once */
            if (started > 0)
                nap(ns);
            else
                sched_yield();
            ns = ns * 2 > WAIT_ITEM_NS ? WAIT_ITEM_NS : ns * 2;
            continue;
        }
        ns = 5000;
        int len = 0;
        MPI_Get_count(&st, MPI_BYTE, &len);
        /* max_message() is an upper bound: longer means the ranks run
         * different programs, which bf_mpi_agree() ruled out */
        BF_ASSERT(len >= 0 && (size_t)len <= in.cap);
        MPI_Recv(in.p, len, MPI_BYTE, st.MPI_SOURCE, TAG_ROOT, comm, MPI_STATUS_IGNORE);
        dones += on_message(&c, st.MPI_SOURCE, in.p, (size_t)len);
    }
    for (unsigned k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    if (o->progress != NULL)
        o->progress(atomic_load(&c.done), c.total, now_s() - t0, o->progress_ctx);
    bf__free(in.p);
    pthread_mutex_destroy(&c.fail.lock);
    if (c.fail.rc != 0) {
        bf_diag_set(diag, "%s", c.fail.msg);
        return c.fail.rc;
    }
    if (atomic_load(&c.interrupted) || (o->interrupt != NULL && atomic_load(o->interrupt)))
        return BF_EINTR;
    return 0;
}

/* ---- the other ranks ---- */

struct rank_run {
    const struct bf_mpi *m;
    const struct bf_results *r; /* the items: scenario, replications, seed, points */
    const atomic_int *interrupt;
    atomic_int stop, hook_fired;
    struct failure fail;
};

struct thread_arg {
    struct rank_run *run;
    uint32_t index;
};

static void send_text(const struct bf_mpi *m, uint32_t kind, uint32_t thread, int rc, uint64_t item,
                      const char *text)
{
    struct {
        struct msg_head h;
        char text[TEXT_MAX];
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.h = (struct msg_head){kind, thread, rc, 0, item};
    size_t n = strlen(text);
    n = n < sizeof msg.text ? n : sizeof msg.text;
    memcpy(msg.text, text, n);
    send_bytes(m, &msg, sizeof msg.h + n, 0, TAG_ROOT);
}

/* A failed item: recorded for DONE, rank 0 told at once, the siblings stopped. */
static void thread_failed(struct rank_run *w, uint32_t thread, int rc, uint64_t item,
                          const char *what)
{
    fail_note(&w->fail, rc, item, what);
    atomic_store(&w->stop, 1);
    send_text(w->m, MSG_FAIL, thread, rc, item, what);
}

/* Asks rank 0 for a chunk; the answer lands in *w when rq completes. */
static void ask(const struct bf_mpi *m, uint32_t thread, struct buf *b, struct work *w,
                MPI_Request *rq)
{
    MPI_Irecv(w, (int)sizeof *w, MPI_BYTE, 0, TAG_WORK + (int)thread, comm_of(m), rq);
    send_bytes(m, b->p, b->n, 0, TAG_ROOT);
}

static void *remote_worker(void *arg)
{
    struct thread_arg *ta = arg;
    struct rank_run *w = ta->run;
    const struct bf_mpi *m = w->m;
    struct buf b = {0};
    struct msg_head h = {MSG_REQ, ta->index, 0, 0, NO_ITEM};
    char what[TEXT_MAX];
    if (put(&b, &h, sizeof h) != 0) {
        thread_failed(w, ta->index, BF_ENOMEM, NO_ITEM, "out of memory starting a thread");
        return NULL;
    }
    /* the first chunk, then always one request ahead */
    struct work cur, next;
    MPI_Request rq;
    ask(m, ta->index, &b, &cur, &rq);
    wait_req(&rq, NULL, SPIN_NS, WAIT_ITEM_NS);
    bool owed = false; /* a reply is on its way to `next` */
    if (cur.count > 0) {
        ask(m, ta->index, &b, &next, &rq);
        owed = true;
    }
    while (cur.count > 0) {
        b.n = sizeof h;
        h.n = 0;
        for (uint64_t i = cur.first; i < cur.first + cur.count; i++) {
            if (atomic_load(&w->stop))
                goto out; /* a sibling failed and told rank 0 */
            struct bf_model_result res;
            struct bf_diag d;
            bf_diag_clear(&d);
            int rc = run_item(m, &w->hook_fired, w->r, i, w->interrupt, &res, &d);
            if (rc == BF_EINTR) {
                send_text(m, MSG_FAIL, ta->index, rc, i, "interrupted");
                goto out;
            }
            if (rc != 0) {
                snprintf(what, sizeof what, "%s", d.msg[0] ? d.msg : bf_strerror(rc));
                thread_failed(w, ta->index, rc, i, what);
                goto out;
            }
            rc = pack_result(&b, i, &res);
            bf_model_result_fini(&res);
            if (rc != 0) {
                describe_item(w->r, i, what, sizeof what);
                snprintf(what + strlen(what), sizeof what - strlen(what),
                         ": out of memory sending the result");
                thread_failed(w, ta->index, rc, i, what);
                goto out;
            }
            h.n++;
        }
        /* the results go with the next request, or alone when rank 0 said stop */
        wait_req(&rq, NULL, SPIN_NS, WAIT_ITEM_NS);
        owed = false;
        cur = next;
        h.kind = cur.count > 0 ? MSG_REQ : MSG_RES;
        memcpy(b.p, &h, sizeof h);
        if (cur.count > 0) {
            ask(m, ta->index, &b, &next, &rq);
            owed = true;
        } else {
            send_bytes(m, b.p, b.n, 0, TAG_ROOT);
        }
    }
out:
    if (owed) /* rank 0 answers every request: take the answer, leave nothing in flight */
        wait_req(&rq, NULL, SPIN_NS, WAIT_ITEM_NS);
    bf__free(b.p);
    return NULL;
}

/* One run on this rank: threads until rank 0 says stop, then DONE. */
static void serve_run(struct bf_mpi *m, const struct bf_scenario *sc, struct job_msg *jm,
                      const struct bf_batch_options *o)
{
    /* the fields bf_batch_run_item reads, as rank 0 prepared them */
    struct bf_results r;
    memset(&r, 0, sizeof r);
    r.sc = sc;
    r.replications = jm->h.replications;
    r.seed = jm->h.seed;
    r.n_points = jm->h.n_points;
    r.point = jm->point;
    struct bf_point *design_points = NULL;
    if (jm->h.n_samples > 0) {
        uint32_t n = 0;
        int prc = bf__batch_points(sc, true, &design_points, &n, &r.sens_x, &r.n_samples, NULL);
        BF_ASSERT(prc != 0 || (n == jm->h.n_points && r.n_samples == jm->h.n_samples));
        if (prc != 0) {
            send_text(m, MSG_DONE, 0, prc, NO_ITEM, "out of memory making the sensitivity design");
            return;
        }
        r.point = design_points;
    }
    r.n_cities = jm->h.n_cities;
    r.n_policies = jm->h.n_policies;
    r.first_day = jm->h.first_day;
    r.n_days = jm->h.n_days;
    r.window_from = jm->h.window_from;
    r.window_days = jm->h.window_days;
    BF_ASSERT(r.n_cities == sc->n_cities && r.n_policies == sc->n_policies);
    /* this rank's tables of draws by inversion; without them (no memory for
     * a mutex) each run builds its own, with the same draws */
    struct bf_qcache tables;
    const bool have_tables = bf_qcache_init(&tables) == 0;
    r.tables = have_tables ? &tables : NULL;
    struct rank_run run = {.m = m, .r = &r, .interrupt = o->interrupt};
    atomic_init(&run.stop, 0);
    atomic_init(&run.hook_fired, 0);
    pthread_mutex_init(&run.fail.lock, NULL);
    unsigned jobs = o->jobs ? o->jobs : bf_batch_cores();
    if (jobs > 256)
        jobs = 256;
    if (!m->threads)
        jobs = 1;
    pthread_t th[256];
    struct thread_arg ta[256];
    unsigned started = 0;
    for (; started < jobs; started++) {
        ta[started] = (struct thread_arg){&run, started};
        if (pthread_create(&th[started], NULL, remote_worker, &ta[started]) != 0)
            break;
    }
    if (started == 0) {
        ta[0] = (struct thread_arg){&run, 0};
        remote_worker(&ta[0]);
    }
    for (unsigned k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    send_text(m, MSG_DONE, 0, run.fail.rc, run.fail.rc ? run.fail.item : NO_ITEM,
              run.fail.rc ? run.fail.msg : "");
    pthread_mutex_destroy(&run.fail.lock);
    if (have_tables)
        bf_qcache_fini(&tables);
    bf__free(design_points);
    bf__free(r.sens_x);
}

int bf_mpi_serve(struct bf_mpi *m, const struct bf_scenario *const *sc, uint32_t n_scenarios,
                 const struct bf_batch_options *o)
{
    BF_ASSERT(m->rank != 0);
    MPI_Comm comm = comm_of(m);
    struct job_msg jm;
    for (;;) {
        /* rank 0 may be writing and plotting: wait without taking a core */
        MPI_Request rq;
        MPI_Status st;
        MPI_Irecv(&jm, (int)sizeof jm, MPI_BYTE, 0, TAG_JOB, comm, &rq);
        wait_req(&rq, &st, 0, WAIT_IDLE_NS);
        int len = 0;
        MPI_Get_count(&st, MPI_BYTE, &len);
        BF_ASSERT(len >= (int)sizeof jm.h);
        if (jm.h.kind == JOB_END)
            return jm.h.status;
        BF_ASSERT(jm.h.kind == JOB_RUN && jm.h.seq == m->runs && jm.h.scenario < n_scenarios);
        BF_ASSERT((size_t)len ==
                  sizeof jm.h + (jm.h.n_samples > 0 ? 1 : jm.h.n_points) * sizeof(struct bf_point));
        m->runs++;
        serve_run(m, sc[jm.h.scenario], &jm, o);
    }
}
