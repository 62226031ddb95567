#include "internal.h"

#include <stdint.h>

/* A chain of `groups` x 8 dependent integer adds. Each add needs the previous one's result, so the chain
 * runs at one add per core cycle on every x86 core of the last two decades whatever its width: the time it
 * takes measures the clock the core actually ran at (turbo, throttling, a hypervisor's share), which is
 * what timings depend on. The adds are in assembly so the compiler cannot fold them into a multiply. */
uint64_t plat_dependent_add_chain(uint64_t groups) {
    uint64_t value = 0;
#if defined(__x86_64__)
    const uint64_t step = 1;
    for (uint64_t i = 0; i < groups; i++) {
        __asm__ volatile(
            "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
            "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
            : "+r"(value) : "r"(step));
    }
#else
    /* Elsewhere a volatile chain: slower than one add per cycle, so a clock read from it is a lower bound. */
    volatile uint64_t v = 0;
    for (uint64_t i = 0; i < groups * 8; i++) v = v + 1;
    value = v;
#endif
    return value;
}
