#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *plat_alloc_near_cpu(plat_topology *topo, size_t bytes, int cpu, plat_alloc_kind *kind, char *note,
                          size_t notelen) {
    char why[256] = "";
    hwloc_obj_t pu = cpu >= 0 ? hwloc_get_pu_obj_by_os_index(topo->hw, (unsigned)cpu) : NULL;
    const struct hwloc_topology_support *support = hwloc_topology_get_support(topo->hw);

    if (pu == NULL) {
        snprintf(why, sizeof why, "CPU %d is unknown to hwloc", cpu);
    } else if (support == NULL || support->membind == NULL || !support->membind->alloc_membind ||
               !support->membind->bind_membind) {
        snprintf(why, sizeof why, "this OS does not support bound allocation");
    } else {
        /* Passing the PU's cpuset lets hwloc pick the node(s) local to it, which is the contract
         * ("memory near the worker") even on machines where one CPU sees several nodes. STRICT,
         * because a silently unbound buffer would make NUMA effects look like noise. */
        errno = 0;
        void *p = hwloc_alloc_membind(topo->hw, bytes, pu->cpuset, HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_STRICT);
        if (p != NULL) {
            int node = plat_topology_numa_node_of_cpu(topo, cpu);
            *kind = PLAT_ALLOC_BOUND;
            plat_msg(note, notelen, "bound to NUMA node %d (local to CPU %d) with hwloc_alloc_membind", node, cpu);
            return p;
        }
        snprintf(why, sizeof why, "hwloc_alloc_membind failed: %s", strerror(errno));
    }

    errno = 0;
    void *p = hwloc_alloc(topo->hw, bytes);
    if (p != NULL) {
        *kind = PLAT_ALLOC_HWLOC;
        plat_msg(note, notelen, "not bound (%s); hwloc_alloc, pages placed by first touch", why);
        return p;
    }
    size_t len = strlen(why);
    snprintf(why + len, sizeof why - len, "; hwloc_alloc failed: %s", strerror(errno));

    void *q = NULL;
    int rc = posix_memalign(&q, 64, bytes);
    if (rc == 0 && q != NULL) {
        *kind = PLAT_ALLOC_POSIX;
        plat_msg(note, notelen, "not bound (%s); posix_memalign(64), pages placed by first touch", why);
        return q;
    }
    plat_msg(note, notelen, "allocation of %zu bytes failed (%s; posix_memalign: %s)", bytes, why, strerror(rc));
    return NULL;
}

void plat_free(plat_topology *topo, void *ptr, size_t bytes, plat_alloc_kind kind) {
    if (ptr == NULL) return;
    if (kind == PLAT_ALLOC_POSIX)
        free(ptr);
    else
        hwloc_free(topo->hw, ptr, bytes);
}

int plat_memory_location(plat_topology *topo, const void *ptr, size_t bytes, int *out, int cap) {
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (set == NULL) return -1;
    int n = -1;
    if (hwloc_get_area_memlocation(topo->hw, ptr, bytes, set, HWLOC_MEMBIND_BYNODESET) == 0) {
        n = 0;
        int i;
        hwloc_bitmap_foreach_begin(i, set) {
            if (n < cap) out[n] = i;
            n++;
        }
        hwloc_bitmap_foreach_end();
    }
    hwloc_bitmap_free(set);
    return n;
}

void plat_fill_float(float *ptr, size_t count, float value) {
    for (size_t i = 0; i < count; i++) ptr[i] = value;
}

void *plat_alloc_pages(plat_topology *topo, size_t bytes) { return hwloc_alloc(topo->hw, bytes); }

int plat_bind_area_near_cpu(plat_topology *topo, void *ptr, size_t bytes, int cpu, char *note, size_t notelen) {
    hwloc_obj_t pu = cpu >= 0 ? hwloc_get_pu_obj_by_os_index(topo->hw, (unsigned)cpu) : NULL;
    if (pu == NULL) {
        plat_msg(note, notelen, "CPU %d is unknown to hwloc", cpu);
        return -1;
    }
    const struct hwloc_topology_support *support = hwloc_topology_get_support(topo->hw);
    if (support == NULL || support->membind == NULL || !support->membind->set_area_membind) {
        plat_msg(note, notelen, "this OS does not support binding memory areas");
        return -1;
    }
    /* Only whole pages can be bound; a page shared by two slices is placed by whoever touches it first. */
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) page = 4096;
    uintptr_t start = ((uintptr_t)ptr + (uintptr_t)page - 1) / (uintptr_t)page * (uintptr_t)page;
    uintptr_t end = ((uintptr_t)ptr + bytes) / (uintptr_t)page * (uintptr_t)page;
    if (end <= start) return 0;
    errno = 0;
    if (hwloc_set_area_membind(topo->hw, (void *)start, end - start, pu->cpuset, HWLOC_MEMBIND_BIND,
                               HWLOC_MEMBIND_MIGRATE) != 0) {
        plat_msg(note, notelen, "hwloc_set_area_membind failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}
