// Run-time ISA detection and the floating-point environment. Detection reads CPUID for the features
// and XGETBV for the OS's promise to save the vector state: a CPU with AVX512F under an OS that does
// not enable ZMM state must not run AVX512F code.
#include <stdbool.h>
#include <stdint.h>

#include "softmax_kernels.h"
#include "common/kernel_common.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

static uint64_t softmax_xgetbv0(void) {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((uint64_t)edx << 32) | eax;
}

bool softmax_isa_supported(softmax_isa isa) {
  if (isa == softmax_isa_portable) return true;
  uint32_t eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const bool osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1, fma = (ecx >> 12) & 1;
  if (!osxsave || !avx) return false;
  const uint64_t xcr0 = softmax_xgetbv0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;          // SSE and AVX state
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;        // plus opmask, ZMM0-15 upper halves, ZMM16-31
  if (__get_cpuid_max(0, 0) < 7) return false;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx2 = (ebx >> 5) & 1, avx512f = (ebx >> 16) & 1;
  switch (isa) {
    case softmax_isa_avx2: return ymm_state && avx2 && fma;
    case softmax_isa_avx512f: return zmm_state && avx512f;
    default: return false;
  }
}

enum { softmax_mxcsr_ftz = 0x8000, softmax_mxcsr_daz = 0x0040 };

bool softmax_flush_denormals_enabled(void) {
  const unsigned csr = _mm_getcsr();
  return (csr & (softmax_mxcsr_ftz | softmax_mxcsr_daz)) == (softmax_mxcsr_ftz | softmax_mxcsr_daz);
}

bool softmax_flush_denormals(bool on) {
  const bool was = softmax_flush_denormals_enabled();
  const unsigned csr = _mm_getcsr();
  _mm_setcsr(on ? (csr | softmax_mxcsr_ftz | softmax_mxcsr_daz) : (csr & ~(unsigned)(softmax_mxcsr_ftz | softmax_mxcsr_daz)));
  return was;
}

unsigned softmax_flush_enter(void) {
  const unsigned flush = softmax_mxcsr_ftz | softmax_mxcsr_daz;
  const unsigned csr = _mm_getcsr();
  if ((csr & flush) != flush) { _mm_setcsr(csr | flush); }
  return csr;
}

void softmax_flush_leave(unsigned entered_with) {
  const unsigned flush = softmax_mxcsr_ftz | softmax_mxcsr_daz;
  // Only FTZ and DAZ go back: exception flags the kernel raised stay visible to the caller.
  if ((entered_with & flush) != flush) { _mm_setcsr((_mm_getcsr() & ~flush) | (entered_with & flush)); }
}
#else
bool softmax_isa_supported(softmax_isa isa) { return isa == softmax_isa_portable; }
bool softmax_flush_denormals_enabled(void) { return false; }
bool softmax_flush_denormals(bool on) { (void)on; return false; }
unsigned softmax_flush_enter(void) { return 0; }
void softmax_flush_leave(unsigned entered_with) { (void)entered_with; }
#endif

const char* softmax_kernels_compiler(void) {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

const char* softmax_kernels_cflags(void) {
#ifdef SOFTMAX_KERNEL_CFLAGS
  return SOFTMAX_KERNEL_CFLAGS;
#else
  return "unknown";
#endif
}
