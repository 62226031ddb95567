/*
 * CPlatform: the C side of the Platform module.
 *
 * Swift cannot use hwloc's and PAPI's headers directly in a pleasant way (function-like macros,
 * varargs, version-dependent struct layouts, and symbols renamed through macros), and CPUID has no
 * Swift spelling at all. This header exposes a small, stable, plain-C surface instead: opaque handles,
 * ints, fixed-size out-parameters and caller-provided message buffers. Nothing here exposes an hwloc
 * or PAPI type, so the Swift module never depends on those headers' layout.
 *
 * Conventions:
 *   - Functions that can fail return 0 on success and a negative value on failure, and write a
 *     human-readable reason (NUL-terminated, truncated to fit) into `err`/`errlen` when given.
 *   - CPU numbers are operating-system indexes (what taskset/sched_getcpu use), never hwloc
 *     logical indexes, because those are what the results record and what a user can type.
 */
#ifndef CPLATFORM_PLATFORM_H
#define CPLATFORM_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- cpuid.c */

/* Executes CPUID(leaf, subleaf) into regs = {eax, ebx, ecx, edx}. Returns 1 if the leaf exists on
 * this CPU (leaves above the maximum reported by leaf 0 / 0x80000000 are refused, because reading
 * them returns garbage on some CPUs), 0 otherwise (regs zeroed). Always 0 on non-x86 builds. */
int plat_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* --------------------------------------------------------------- topology.c */

/* An hwloc topology, loaded once and owned by the caller. */
typedef struct plat_topology plat_topology;

typedef enum {
    PLAT_OBJ_PACKAGE = 0,
    PLAT_OBJ_NUMANODE = 1,
    PLAT_OBJ_CORE = 2,
    PLAT_OBJ_PU = 3,
} plat_obj_kind;

/* Loads the topology of this machine. On failure returns NULL and explains why in err. */
plat_topology *plat_topology_create(char *err, size_t errlen);
void plat_topology_destroy(plat_topology *topo);

/* Number of objects of the kind (0 if hwloc found none). */
int plat_topology_count(const plat_topology *topo, plat_obj_kind kind);

/* Size in bytes of the first data or unified cache of the given level (1..5) hwloc found,
 * or 0 if it found none. Instruction caches are never reported. */
int64_t plat_topology_cache_bytes(const plat_topology *topo, int level);

/* Writes the OS indexes of the PUs of core `core_index` (logical order) into out (capacity cap).
 * Returns the number of PUs of that core (which may exceed cap), or -1 if there is no such core. */
int plat_topology_core_pus(const plat_topology *topo, int core_index, int *out, int cap);

/* Writes the OS indexes of all PUs (logical order) into out. Returns the number of PUs. */
int plat_topology_pu_list(const plat_topology *topo, int *out, int cap);

/* 1 if a PU with this OS index exists and this process may run on it, 0 otherwise. */
int plat_topology_has_cpu(const plat_topology *topo, int cpu);

/* OS index of the NUMA node local to PU `cpu`, or -1 if the PU or its node is unknown. */
int plat_topology_numa_node_of_cpu(const plat_topology *topo, int cpu);

/* Renders the object tree, one object per line, two spaces of indentation per depth. Works like
 * snprintf: writes at most buflen bytes (NUL included) and returns the length the full text needs. */
size_t plat_topology_render(const plat_topology *topo, char *buf, size_t buflen);

/* Logical indexes of the package, NUMA node and L3 cache (-1 where hwloc has none) that hold core
 * `core_index` (logical order): what a placement groups cores by. Returns 0, or -1 if there is no
 * such core. */
int plat_topology_core_location(const plat_topology *topo, int core_index, int *package, int *numa_node, int *l3);

/* Number of caches of the given level (1..5) hwloc found: the L3 count times its size is the
 * last-level cache all cores share together. */
int plat_topology_cache_count(const plat_topology *topo, int level);

/* Writes the allowed CPU set as a list string such as "0-3,8" (for error messages). */
void plat_topology_cpu_list(const plat_topology *topo, char *buf, size_t buflen);

/* Cache size from glibc's sysconf (_SC_LEVELn_[D]CACHE_SIZE) for level 1..4, or 0 if unknown. */
int64_t plat_sysconf_cache_bytes(int level);

/* ---------------------------------------------------------------- binding.c */

/* Binds the calling thread to PU `cpu` (OS index). Returns 0 on success, -1 if the CPU does not
 * exist or is not allowed, -2 if the OS refused the binding; err says which and why. */
int plat_bind_thread_to_cpu(plat_topology *topo, int cpu, char *err, size_t errlen);

/* Lets the calling thread run on every CPU this process may use again. Returns 0, or -1 if refused. */
int plat_unbind_thread(plat_topology *topo);

/* The CPU the calling thread last ran on: hwloc's view first, sched_getcpu() otherwise; -1 if
 * neither can tell. */
int plat_current_cpu(plat_topology *topo);

/* ---------------------------------------------------------------- membind.c */

typedef enum {
    PLAT_ALLOC_BOUND = 0,     /* hwloc_alloc_membind(..., HWLOC_MEMBIND_BIND) succeeded */
    PLAT_ALLOC_HWLOC = 1,     /* binding refused; plain hwloc_alloc (page aligned, unbound) */
    PLAT_ALLOC_POSIX = 2,     /* hwloc_alloc failed too; posix_memalign(64) */
} plat_alloc_kind;

/* Allocates `bytes` bytes bound to the NUMA node local to PU `cpu`, falling back as listed above.
 * Writes how it was done to *kind and a sentence saying so to note. Returns NULL only if every
 * method failed (note says why). The memory is not touched. */
void *plat_alloc_near_cpu(plat_topology *topo, size_t bytes, int cpu, plat_alloc_kind *kind,
                          char *note, size_t notelen);

/* Frees memory from plat_alloc_near_cpu with the allocator matching `kind`. */
void plat_free(plat_topology *topo, void *ptr, size_t bytes, plat_alloc_kind kind);

/* Writes the OS indexes of the NUMA nodes currently holding pages of [ptr, ptr+bytes) into out.
 * Returns how many there are (possibly more than cap), or -1 if the OS cannot tell. */
int plat_memory_location(plat_topology *topo, const void *ptr, size_t bytes, int *out, int cap);

/* Binds the pages wholly inside [ptr, ptr+bytes) to the NUMA node local to PU `cpu` (hwloc_set_area_membind,
 * BIND), moving pages already touched. Returns 0 when bound; otherwise -1 and a sentence in note: the
 * caller then relies on first touch by the thread on `cpu`. Used for the slices of a buffer that
 * several threads, possibly on several nodes, own. */
int plat_bind_area_near_cpu(plat_topology *topo, void *ptr, size_t bytes, int cpu, char *note, size_t notelen);

/* Page-aligned memory from hwloc_alloc, not bound (PLAT_ALLOC_HWLOC; free with plat_free). NULL if it
 * fails. */
void *plat_alloc_pages(plat_topology *topo, size_t bytes);

/* Stores `value` into every element; used to place pages by first touch. */
void plat_fill_float(float *ptr, size_t count, float value);

/* --------------------------------------------------------------- counters.c */

/* A PAPI event set plus what was learned while building it. Single-thread: create, start, stop
 * and destroy it on one thread, because the perf_event counters behind it count that thread. */
typedef struct plat_counters plat_counters;

/* Initialises PAPI once per process (thread-safe). Returns 0 if PAPI is usable; otherwise -1 and
 * the reason. Later calls return the first call's verdict. */
int plat_papi_init(char *err, size_t errlen);

/* Builds an event set from `names` on the calling thread. Never NULL unless out of memory: if PAPI
 * cannot initialise, every event is marked unavailable with that reason. Events that PAPI accepts
 * but cannot start (typical of hardware events in a VM) are weeded out one at a time. */
plat_counters *plat_counters_create(const char *const *names, int count);
void plat_counters_destroy(plat_counters *c);

int plat_counters_count(const plat_counters *c);
/* 1 if event i is in the running set, 0 if it was rejected (see plat_counters_reason). */
int plat_counters_is_available(const plat_counters *c, int i);
/* Why event i was rejected ("" for an available event). The pointer lives as long as c. */
const char *plat_counters_reason(const plat_counters *c, int i);

int plat_counters_start(plat_counters *c, char *err, size_t errlen);
/* Stops counting and writes one value per event into values[count] (in the order given at
 * creation; rejected events get 0 and must be ignored by the caller). */
int plat_counters_stop(plat_counters *c, long long *values, char *err, size_t errlen);

/* Test seam: makes every trial start of a set that contains event `name` fail as PAPI_start would
 * in a VM that lists a hardware event but cannot open it (NULL clears). Exists because that path
 * cannot be reached on machines where such events already fail when added. Not thread-safe; only
 * affects sets created while it is set. */
void plat_counters_simulate_start_failure(const char *name);

/* ------------------------------------------------------------------- pool.c */

/* A persistent pool of worker threads, each bound to one CPU, that run one task together and meet at
 * barriers inside it: the multi-core softmax's threads. Worker 0 is the thread that calls
 * plat_pool_run (bind it yourself: the pool does not change its binding); workers 1..count-1 are
 * threads of the pool, bound to cpus[1..] before plat_pool_create returns. Idle workers spin briefly,
 * then sleep. One thread drives a pool: plat_pool_run is not re-entrant. */
typedef struct plat_pool plat_pool;
typedef void (*plat_pool_task)(void *context, int worker, int workers);

/* Starts count - 1 threads bound to cpus[1..count-1] (CPU numbers may repeat; tests oversubscribe on
 * purpose). Returns NULL, with the reason in err, if a thread cannot start or be bound. */
plat_pool *plat_pool_create(plat_topology *topo, const int *cpus, int count, char *err, size_t errlen);
void plat_pool_destroy(plat_pool *pool);
int plat_pool_size(const plat_pool *pool);

/* Runs task(context, w, count) on every worker w (w = 0 on the calling thread) and returns when all
 * have returned: the end of a run is itself a barrier. */
void plat_pool_run(plat_pool *pool, plat_pool_task task, void *context);

/* Called by every worker inside a task: returns once all workers have called it. Writes made before
 * it by any worker are visible to every worker after it. */
void plat_pool_barrier(plat_pool *pool);

/* The CPU worker w was running on when it started the most recent task (-1 before any). */
int plat_pool_observed_cpu(const plat_pool *pool, int worker);

/* ---------------------------------------------------------------- machine.c */

/* uname(2) release string, e.g. "6.1.0-18-amd64". Returns 0 on success. */
int plat_kernel_release(char *buf, size_t buflen);

/* Runs groups x 8 dependent integer adds (one per cycle on x86) and returns their sum (groups x 8), so
 * the caller can time the effective clock. */
uint64_t plat_dependent_add_chain(uint64_t groups);

#ifdef __cplusplus
}
#endif

#endif /* CPLATFORM_PLATFORM_H */
