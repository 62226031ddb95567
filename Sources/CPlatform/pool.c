#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PLAT_PAUSE() _mm_pause()
#else
#define PLAT_PAUSE() ((void)0)
#endif

/* Spins before a waiting worker gives up its core. Between the timed calls of one sample the next
 * task arrives within microseconds, and a sleeping worker would add a futex wake-up (tens of
 * microseconds) to every call; between sizes the pool idles for seconds and must not burn a core. */
#define PLAT_POOL_SPINS_BEFORE_SLEEP (1u << 20)
/* Spins before a barrier or completion wait yields: only matters when workers outnumber free cores
 * (tests do that on purpose), where pure spinning would wait for a whole scheduler quantum. */
#define PLAT_POOL_SPINS_BEFORE_YIELD (1u << 14)

/* Counters touched by every worker each call live on their own cache lines. */
typedef struct {
    _Alignas(64) atomic_uint value;
} plat_padded_counter;

struct plat_pool {
    plat_topology *topo;
    int count;
    int *cpus;
    atomic_int *observed;
    pthread_t *threads;
    int started;

    /* Dispatch: a new generation means "run task(context) now". */
    plat_padded_counter generation;
    plat_padded_counter remaining;
    plat_pool_task task;
    void *context;

    /* Central sense-reversing barrier. */
    plat_padded_counter barrier_arrived;
    plat_padded_counter barrier_generation;

    /* Sleeping workers: see plat_pool_run for the wake-up protocol. */
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    atomic_int sleepers;
    atomic_int stop;

    /* Start-up handshake: each worker reports its binding before plat_pool_create returns. */
    atomic_int bound;
    atomic_int bind_failed;
    char bind_error[512];
    pthread_mutex_t error_mutex;
};

typedef struct {
    plat_pool *pool;
    int index;
} plat_worker_arg;

static void wait_while_equal(atomic_uint *value, unsigned old) {
    unsigned spins = 0;
    while (atomic_load_explicit(value, memory_order_acquire) == old) {
        PLAT_PAUSE();
        if (++spins >= PLAT_POOL_SPINS_BEFORE_YIELD) {
            spins = 0;
            sched_yield();
        }
    }
}

static void *worker_main(void *raw) {
    plat_worker_arg arg = *(plat_worker_arg *)raw;
    free(raw);
    plat_pool *pool = arg.pool;
    char err[256] = "";
    if (plat_bind_thread_to_cpu(pool->topo, pool->cpus[arg.index], err, sizeof err) != 0) {
        pthread_mutex_lock(&pool->error_mutex);
        if (pool->bind_error[0] == '\0')
            snprintf(pool->bind_error, sizeof pool->bind_error, "worker %d: %s", arg.index, err);
        pthread_mutex_unlock(&pool->error_mutex);
        atomic_store(&pool->bind_failed, 1);
    }
    atomic_fetch_add(&pool->bound, 1);

    unsigned seen = 0;
    for (;;) {
        unsigned spins = 0;
        unsigned generation;
        while ((generation = atomic_load_explicit(&pool->generation.value, memory_order_acquire)) == seen &&
               !atomic_load_explicit(&pool->stop, memory_order_relaxed)) {
            PLAT_PAUSE();
            if (++spins < PLAT_POOL_SPINS_BEFORE_SLEEP) continue;
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleepers, 1); /* seq_cst: ordered before the re-check below */
            while (atomic_load(&pool->generation.value) == seen && !atomic_load(&pool->stop))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleepers, 1);
            pthread_mutex_unlock(&pool->mutex);
            spins = 0;
        }
        if (atomic_load(&pool->stop)) break;
        seen = generation;
        atomic_store_explicit(&pool->observed[arg.index], sched_getcpu(), memory_order_relaxed);
        pool->task(pool->context, arg.index, pool->count);
        atomic_fetch_sub_explicit(&pool->remaining.value, 1, memory_order_release);
    }
    return NULL;
}

static void stop_workers(plat_pool *pool) {
    pthread_mutex_lock(&pool->mutex);
    atomic_store(&pool->stop, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (int i = 0; i < pool->started; i++) pthread_join(pool->threads[i], NULL);
}

void plat_pool_destroy(plat_pool *pool) {
    if (pool == NULL) return;
    stop_workers(pool);
    pthread_mutex_destroy(&pool->mutex);
    pthread_mutex_destroy(&pool->error_mutex);
    pthread_cond_destroy(&pool->wake);
    free(pool->threads);
    free((void *)pool->observed);
    free(pool->cpus);
    free(pool);
}

plat_pool *plat_pool_create(plat_topology *topo, const int *cpus, int count, char *err, size_t errlen) {
    if (count < 1) {
        plat_msg(err, errlen, "a pool needs at least one worker, got %d", count);
        return NULL;
    }
    plat_pool *pool = aligned_alloc(64, (sizeof *pool + 63) / 64 * 64);
    if (pool == NULL) {
        plat_msg(err, errlen, "out of memory creating a pool of %d workers", count);
        return NULL;
    }
    memset(pool, 0, sizeof *pool);
    pool->topo = topo;
    pool->count = count;
    pool->cpus = malloc(sizeof(int) * (size_t)count);
    pool->observed = malloc(sizeof(atomic_int) * (size_t)count);
    pool->threads = malloc(sizeof(pthread_t) * (size_t)count);
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_mutex_init(&pool->error_mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    if (pool->cpus == NULL || pool->observed == NULL || pool->threads == NULL) {
        plat_msg(err, errlen, "out of memory creating a pool of %d workers", count);
        plat_pool_destroy(pool);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        pool->cpus[i] = cpus[i];
        atomic_init(&pool->observed[i], -1);
    }
    /* Worker 0 is the caller of plat_pool_run, so only count - 1 threads are started; the caller
     * binds itself (the pool cannot know what else that thread is for). */
    for (int i = 1; i < count; i++) {
        plat_worker_arg *arg = malloc(sizeof *arg);
        if (arg == NULL) {
            plat_msg(err, errlen, "out of memory starting worker %d", i);
            plat_pool_destroy(pool);
            return NULL;
        }
        arg->pool = pool;
        arg->index = i;
        int rc = pthread_create(&pool->threads[pool->started], NULL, worker_main, arg);
        if (rc != 0) {
            free(arg);
            plat_msg(err, errlen, "pthread_create for worker %d failed: %s", i, strerror(rc));
            plat_pool_destroy(pool);
            return NULL;
        }
        pool->started++;
    }
    while (atomic_load(&pool->bound) < count - 1) sched_yield();
    if (atomic_load(&pool->bind_failed)) {
        plat_msg(err, errlen, "%s", pool->bind_error);
        plat_pool_destroy(pool);
        return NULL;
    }
    return pool;
}

int plat_pool_size(const plat_pool *pool) { return pool->count; }

void plat_pool_run(plat_pool *pool, plat_pool_task task, void *context) {
    pool->task = task;
    pool->context = context;
    atomic_store_explicit(&pool->remaining.value, (unsigned)(pool->count - 1), memory_order_relaxed);
    /* seq_cst increment, then a seq_cst read of sleepers: a worker increments sleepers and then
     * re-reads the generation, so at least one side sees the other (no lost wake-up), and the
     * mutex/broadcast is paid only when someone really sleeps. */
    atomic_fetch_add(&pool->generation.value, 1);
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    atomic_store_explicit(&pool->observed[0], sched_getcpu(), memory_order_relaxed);
    task(context, 0, pool->count);
    unsigned spins = 0;
    while (atomic_load_explicit(&pool->remaining.value, memory_order_acquire) != 0) {
        PLAT_PAUSE();
        if (++spins >= PLAT_POOL_SPINS_BEFORE_YIELD) {
            spins = 0;
            sched_yield();
        }
    }
}

void plat_pool_barrier(plat_pool *pool) {
    if (pool->count == 1) return;
    unsigned generation = atomic_load_explicit(&pool->barrier_generation.value, memory_order_acquire);
    if (atomic_fetch_add_explicit(&pool->barrier_arrived.value, 1, memory_order_acq_rel) == (unsigned)pool->count - 1) {
        atomic_store_explicit(&pool->barrier_arrived.value, 0, memory_order_relaxed);
        atomic_fetch_add_explicit(&pool->barrier_generation.value, 1, memory_order_release);
    } else {
        wait_while_equal(&pool->barrier_generation.value, generation);
    }
}

int plat_pool_observed_cpu(const plat_pool *pool, int worker) {
    if (worker < 0 || worker >= pool->count) return -1;
    return atomic_load_explicit(&((plat_pool *)pool)->observed[worker], memory_order_relaxed);
}
