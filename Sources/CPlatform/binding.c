#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

int plat_bind_thread_to_cpu(plat_topology *topo, int cpu, char *err, size_t errlen) {
    if (!plat_topology_has_cpu(topo, cpu)) {
        char list[256];
        plat_topology_cpu_list(topo, list, sizeof list);
        plat_msg(err, errlen, "CPU %d does not exist or is not available to this process (available CPUs: %s)",
                 cpu, list);
        return -1;
    }
    const struct hwloc_topology_support *support = hwloc_topology_get_support(topo->hw);
    if (support == NULL || support->cpubind == NULL || !support->cpubind->set_thisthread_cpubind) {
        plat_msg(err, errlen, "cannot bind to CPU %d: this OS does not support binding a single thread", cpu);
        return -2;
    }

    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (set == NULL) {
        plat_msg(err, errlen, "cannot bind to CPU %d: out of memory", cpu);
        return -2;
    }
    hwloc_bitmap_only(set, (unsigned)cpu);
    /* STRICT asks hwloc to fail rather than silently bind more loosely than asked; where the OS
     * has no notion of strictness (ENOSYS/EXDEV) a plain single-CPU affinity is still exactly what
     * we want, so retry without it. */
    int rc = hwloc_set_cpubind(topo->hw, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT);
    int saved = errno;
    if (rc != 0 && (saved == ENOSYS || saved == EXDEV)) {
        rc = hwloc_set_cpubind(topo->hw, set, HWLOC_CPUBIND_THREAD);
        saved = errno;
    }
    hwloc_bitmap_free(set);
    if (rc != 0) {
        char list[256];
        plat_topology_cpu_list(topo, list, sizeof list);
        plat_msg(err, errlen, "binding the calling thread to CPU %d failed: %s (available CPUs: %s)", cpu,
                 strerror(saved), list);
        return -2;
    }
    /* The affinity change only takes effect at the next scheduling decision; yielding makes the
     * kernel move us now, so the caller's very next instructions already run on `cpu`. */
    sched_yield();
    return 0;
}

int plat_current_cpu(plat_topology *topo) {
    if (topo != NULL) {
        hwloc_bitmap_t set = hwloc_bitmap_alloc();
        if (set != NULL) {
            int cpu = -1;
            if (hwloc_get_last_cpu_location(topo->hw, set, HWLOC_CPUBIND_THREAD) == 0)
                cpu = hwloc_bitmap_first(set);
            hwloc_bitmap_free(set);
            if (cpu >= 0) return cpu;
        }
    }
    int cpu = sched_getcpu();
    return cpu >= 0 ? cpu : -1;
}

int plat_unbind_thread(plat_topology *topo) {
    return hwloc_set_cpubind(topo->hw, hwloc_topology_get_allowed_cpuset(topo->hw), HWLOC_CPUBIND_THREAD) == 0 ? 0 : -1;
}
