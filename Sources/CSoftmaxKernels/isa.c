// Run-time ISA detection and the floating-point environment. On x86-64, detection reads CPUID for the
// features and XGETBV for the OS's promise to save the vector state: a CPU with AVX512F under an OS that
// does not enable ZMM state must not run AVX512F code. On every other architecture only `portable` is
// supported (the x86-64 kernels are not even compiled there, see kernels.def).
#include <stdbool.h>
#include <stdint.h>

#include "softmax_kernels.h"
#include "common/kernel_common.h"

#if SOFTMAX_ARCH_X86_64
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
#endif

#if SOFTMAX_ARCH_AARCH64
// AArch64 has one bit for both halves of x86's pair: FPCR.FZ (bit 24) flushes subnormal inputs and
// outputs of single and double precision arithmetic to zero, as FTZ and DAZ together do. (FZ16, for
// half precision, is left alone: no kernel computes in half precision.) FPCR's other bits above 31
// are reserved, so the setting fits the unsigned the enter/leave pair passes around.
enum { softmax_fpcr_fz = 1u << 24 };

static unsigned softmax_fpcr_read(void) {
  uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  return (unsigned)fpcr;
}

static void softmax_fpcr_write(unsigned fpcr) {
  const uint64_t value = fpcr;
  __asm__ volatile("msr fpcr, %0" : : "r"(value));
}

bool softmax_flush_denormals_enabled(void) { return (softmax_fpcr_read() & softmax_fpcr_fz) != 0; }

bool softmax_flush_denormals(bool on) {
  const bool was = softmax_flush_denormals_enabled();
  const unsigned fpcr = softmax_fpcr_read();
  softmax_fpcr_write(on ? (fpcr | softmax_fpcr_fz) : (fpcr & ~(unsigned)softmax_fpcr_fz));
  return was;
}

unsigned softmax_flush_enter(void) {
  const unsigned fpcr = softmax_fpcr_read();
  if ((fpcr & softmax_fpcr_fz) == 0) { softmax_fpcr_write(fpcr | softmax_fpcr_fz); }
  return fpcr;
}

void softmax_flush_leave(unsigned entered_with) {
  if ((entered_with & softmax_fpcr_fz) == 0) { softmax_fpcr_write(softmax_fpcr_read() & ~(unsigned)softmax_fpcr_fz); }
}
#elif !SOFTMAX_ARCH_X86_64
// No flush-to-zero control known to this library here: kernels run with the caller's environment,
// and subnormals may survive (the C smoke test reports this instead of checking the flushing).
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
