#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

plat_topology *plat_topology_create(char *err, size_t errlen) {
    plat_topology *topo = calloc(1, sizeof *topo);
    if (topo == NULL) {
        plat_msg(err, errlen, "out of memory allocating the topology handle");
        return NULL;
    }
    if (hwloc_topology_init(&topo->hw) != 0) {
        plat_msg(err, errlen, "hwloc_topology_init failed: %s", strerror(errno));
        free(topo);
        return NULL;
    }
    if (hwloc_topology_load(topo->hw) != 0) {
        plat_msg(err, errlen, "hwloc_topology_load failed: %s", strerror(errno));
        hwloc_topology_destroy(topo->hw);
        free(topo);
        return NULL;
    }
    return topo;
}

void plat_topology_destroy(plat_topology *topo) {
    if (topo == NULL) return;
    hwloc_topology_destroy(topo->hw);
    free(topo);
}

static hwloc_obj_type_t kind_type(plat_obj_kind kind) {
    switch (kind) {
    case PLAT_OBJ_PACKAGE: return HWLOC_OBJ_PACKAGE;
    case PLAT_OBJ_NUMANODE: return HWLOC_OBJ_NUMANODE;
    case PLAT_OBJ_CORE: return HWLOC_OBJ_CORE;
    case PLAT_OBJ_PU: return HWLOC_OBJ_PU;
    }
    return HWLOC_OBJ_PU;
}

int plat_topology_count(const plat_topology *topo, plat_obj_kind kind) {
    int n = hwloc_get_nbobjs_by_type(topo->hw, kind_type(kind));
    return n < 0 ? 0 : n;
}

int64_t plat_topology_cache_bytes(const plat_topology *topo, int level) {
    static const hwloc_obj_type_t types[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
                                             HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE};
    if (level < 1 || level > 5) return 0;
    /* hwloc keeps instruction caches under separate L*ICACHE types; the type check is belt and
     * braces for hwloc builds that report a unified-looking object with an instruction type. */
    hwloc_obj_t obj = NULL;
    while ((obj = hwloc_get_next_obj_by_type(topo->hw, types[level - 1], obj)) != NULL) {
        if (obj->attr != NULL && obj->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION)
            return (int64_t)obj->attr->cache.size;
    }
    return 0;
}

int plat_topology_core_pus(const plat_topology *topo, int core_index, int *out, int cap) {
    hwloc_obj_t core = hwloc_get_obj_by_type(topo->hw, HWLOC_OBJ_CORE, (unsigned)core_index);
    if (core == NULL || core_index < 0) return -1;
    int n = 0;
    hwloc_obj_t pu = NULL;
    while ((pu = hwloc_get_next_obj_inside_cpuset_by_type(topo->hw, core->cpuset, HWLOC_OBJ_PU, pu)) !=
           NULL) {
        if (n < cap) out[n] = (int)pu->os_index;
        n++;
    }
    return n;
}

int plat_topology_pu_list(const plat_topology *topo, int *out, int cap) {
    int n = 0;
    hwloc_obj_t pu = NULL;
    while ((pu = hwloc_get_next_obj_by_type(topo->hw, HWLOC_OBJ_PU, pu)) != NULL) {
        if (n < cap) out[n] = (int)pu->os_index;
        n++;
    }
    return n;
}

int plat_topology_has_cpu(const plat_topology *topo, int cpu) {
    if (cpu < 0) return 0;
    if (hwloc_get_pu_obj_by_os_index(topo->hw, (unsigned)cpu) == NULL) return 0;
    return hwloc_bitmap_isset(hwloc_topology_get_allowed_cpuset(topo->hw), (unsigned)cpu) ? 1 : 0;
}

int plat_topology_numa_node_of_cpu(const plat_topology *topo, int cpu) {
    if (cpu < 0 || hwloc_get_pu_obj_by_os_index(topo->hw, (unsigned)cpu) == NULL) return -1;
    /* In hwloc 2 NUMA nodes hang off the tree as memory children, so "the node above this PU" is
     * not a parent walk; the first node (logical order, normally plain DRAM rather than HBM or
     * CXL) whose cpuset covers the PU is the local one. */
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(topo->hw, HWLOC_OBJ_NUMANODE, node)) != NULL) {
        if (node->cpuset != NULL && hwloc_bitmap_isset(node->cpuset, (unsigned)cpu))
            return (int)node->os_index;
    }
    return -1;
}

void plat_topology_cpu_list(const plat_topology *topo, char *buf, size_t buflen) {
    if (buf == NULL || buflen == 0) return;
    hwloc_bitmap_list_snprintf(buf, buflen, hwloc_topology_get_allowed_cpuset(topo->hw));
}

int64_t plat_sysconf_cache_bytes(int level) {
    long v = -1;
    switch (level) {
#ifdef _SC_LEVEL1_DCACHE_SIZE
    case 1: v = sysconf(_SC_LEVEL1_DCACHE_SIZE); break;
    case 2: v = sysconf(_SC_LEVEL2_CACHE_SIZE); break;
    case 3: v = sysconf(_SC_LEVEL3_CACHE_SIZE); break;
    case 4: v = sysconf(_SC_LEVEL4_CACHE_SIZE); break;
#endif
    default: break;
    }
    return v > 0 ? (int64_t)v : 0;
}

/* ---- rendering ---- */

typedef struct {
    char *buf;
    size_t cap;
    size_t len; /* length of the full text, even past cap */
} sink;

static void sink_put(sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sink_put(sink *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *dst = NULL;
    size_t room = 0;
    if (s->buf != NULL && s->len < s->cap) {
        dst = s->buf + s->len;
        room = s->cap - s->len;
    }
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0) s->len += (size_t)n;
}

/* Binary units, integral when exact, so "32MiB" reads like the vendor's datasheet. */
static void format_bytes(uint64_t bytes, char *out, size_t outlen) {
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    double v = (double)bytes;
    uint64_t scale = 1;
    while (u < 4 && bytes >= scale * 1024) {
        scale *= 1024;
        u++;
    }
    v = (double)bytes / (double)scale;
    if (bytes % scale == 0)
        snprintf(out, outlen, "%llu%s", (unsigned long long)(bytes / scale), units[u]);
    else
        snprintf(out, outlen, "%.1f%s", v, units[u]);
}

static void render_obj(hwloc_obj_t obj, int depth, sink *s) {
    char type[64];
    char size[32];
    hwloc_obj_type_snprintf(type, sizeof type, obj, 0);
    sink_put(s, "%*s%s", depth * 2, "", type);
    if (hwloc_obj_type_is_cache(obj->type)) {
        format_bytes(obj->attr->cache.size, size, sizeof size);
        sink_put(s, " L#%u %s", obj->logical_index, size);
    } else if (obj->type == HWLOC_OBJ_MACHINE) {
        format_bytes(obj->total_memory, size, sizeof size);
        sink_put(s, " %s", size);
    } else if (obj->type == HWLOC_OBJ_NUMANODE) {
        format_bytes(obj->attr->numanode.local_memory, size, sizeof size);
        sink_put(s, " L#%u P#%u %s", obj->logical_index, obj->os_index, size);
    } else if (obj->type == HWLOC_OBJ_PU) {
        sink_put(s, " L#%u P#%u", obj->logical_index, obj->os_index);
    } else {
        sink_put(s, " L#%u", obj->logical_index);
    }
    sink_put(s, "\n");
    /* Memory children first, as lstopo does, so a node is printed next to the CPUs it serves.
     * I/O and Misc children are filtered out at load time by hwloc's defaults. */
    for (hwloc_obj_t c = obj->memory_first_child; c != NULL; c = c->next_sibling)
        render_obj(c, depth + 1, s);
    for (hwloc_obj_t c = obj->first_child; c != NULL; c = c->next_sibling)
        render_obj(c, depth + 1, s);
}

size_t plat_topology_render(const plat_topology *topo, char *buf, size_t buflen) {
    sink s = {buf, buflen, 0};
    if (buf != NULL && buflen > 0) buf[0] = '\0';
    render_obj(hwloc_get_root_obj(topo->hw), 0, &s);
    return s.len;
}

int plat_topology_core_location(const plat_topology *topo, int core_index, int *package, int *numa_node, int *l3) {
    hwloc_obj_t core = hwloc_get_obj_by_type(topo->hw, HWLOC_OBJ_CORE, (unsigned)core_index);
    if (core_index < 0 || core == NULL) return -1;
    hwloc_obj_t p = hwloc_get_ancestor_obj_by_type(topo->hw, HWLOC_OBJ_PACKAGE, core);
    hwloc_obj_t c = hwloc_get_ancestor_obj_by_type(topo->hw, HWLOC_OBJ_L3CACHE, core);
    *package = p ? (int)p->logical_index : -1;
    *l3 = c ? (int)c->logical_index : -1;
    *numa_node = -1;
    /* NUMA nodes are memory children in hwloc 2 (see plat_topology_numa_node_of_cpu). */
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(topo->hw, HWLOC_OBJ_NUMANODE, node)) != NULL) {
        if (node->cpuset != NULL && core->cpuset != NULL && hwloc_bitmap_intersects(node->cpuset, core->cpuset)) {
            *numa_node = (int)node->logical_index;
            break;
        }
    }
    return 0;
}

int plat_topology_cache_count(const plat_topology *topo, int level) {
    static const hwloc_obj_type_t types[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
                                             HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE};
    if (level < 1 || level > 5) return 0;
    int n = 0;
    hwloc_obj_t obj = NULL;
    while ((obj = hwloc_get_next_obj_by_type(topo->hw, types[level - 1], obj)) != NULL) {
        if (obj->attr != NULL && obj->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION) n++;
    }
    return n;
}
