/* Shared by the shim's .c files only; never exposed to Swift. */
#ifndef CPLATFORM_INTERNAL_H
#define CPLATFORM_INTERNAL_H

#include <hwloc.h>
#include <stdarg.h>
#include <stdio.h>

#include "platform.h"

struct plat_topology {
    hwloc_topology_t hw;
};

/* snprintf into an optional caller buffer; a NULL or empty buffer is allowed and ignored. */
static inline void plat_msg(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void plat_msg(char *buf, size_t len, const char *fmt, ...) {
    if (buf == NULL || len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

#endif
