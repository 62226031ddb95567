#include "platform.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

int plat_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) {
    memset(regs, 0, 4 * sizeof(uint32_t));
    /* The hypervisor range (0x40000000..) is outside both the basic and the extended range, so
     * __get_cpuid_max cannot vouch for it; its leaf 0x40000000 reports its own maximum instead, and
     * on bare metal it reads as zeros or as a repeat of the highest basic leaf. Callers check the
     * hypervisor bit of leaf 1 first. */
    if ((leaf & 0xF0000000u) == 0x40000000u) {
        __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
        return 1;
    }
    unsigned int max = __get_cpuid_max(leaf & 0x80000000u, NULL);
    if (max == 0 || leaf > max) return 0;
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
    return 1;
}

#else

int plat_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) {
    (void)leaf;
    (void)subleaf;
    memset(regs, 0, 4 * sizeof(uint32_t));
    return 0;
}

#endif
