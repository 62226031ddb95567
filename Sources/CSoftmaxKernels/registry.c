// The kernel registry, generated from kernels.def: the one list Swift reads.
#include <string.h>

#include "common/instruction_counts.h"
#include "common/kernel_common.h"

#define KERNEL(f, i, t, a, v) extern __typeof__(*(softmax_##f##_fn)0) SOFTMAX_KERNEL_NAME(f, i, t, a, v);
#include "kernels.def"
#undef KERNEL

// The table holds wrappers that run each kernel with FTZ and DAZ set and restore the caller's setting
// (see softmax_flush_enter): its results do not depend on the caller's MXCSR. One wrapper per family type.
#define SOFTMAX_FLUSHED(k) SOFTMAX_CAT(k, _flushed)
#define SOFTMAX_WRAP_RETURNING(k, type, params, args) \
  static type SOFTMAX_FLUSHED(k) params { \
    const unsigned csr = softmax_flush_enter(); \
    const type result = k args; \
    softmax_flush_leave(csr); \
    return result; \
  }
#define SOFTMAX_WRAP_VOID(k, params, args) \
  static void SOFTMAX_FLUSHED(k) params { \
    const unsigned csr = softmax_flush_enter(); \
    k args; \
    softmax_flush_leave(csr); \
  }
#define SOFTMAX_WRAP_rmax(k) SOFTMAX_WRAP_RETURNING(k, float, (size_t n, const float* x), (n, x))
#define SOFTMAX_WRAP_raddexpminusmax(k) SOFTMAX_WRAP_RETURNING(k, float, (size_t n, const float* x, float max), (n, x, max))
#define SOFTMAX_WRAP_vscaleexpminusmax(k) \
  SOFTMAX_WRAP_VOID(k, (size_t n, const float* x, float* y, float max, float scale), (n, x, y, max, scale))
#define SOFTMAX_WRAP_raddstoreexpminusmax(k) \
  SOFTMAX_WRAP_RETURNING(k, float, (size_t n, const float* x, float* y, float max), (n, x, y, max))
#define SOFTMAX_WRAP_vscale(k) SOFTMAX_WRAP_VOID(k, (size_t n, const float* x, float* y, float scale), (n, x, y, scale))
#define SOFTMAX_WRAP_raddextexp(k) SOFTMAX_WRAP_RETURNING(k, softmax_extfloat, (size_t n, const float* x), (n, x))
#define SOFTMAX_WRAP_vscaleextexp(k) \
  SOFTMAX_WRAP_VOID(k, (size_t n, const float* x, float* y, softmax_extfloat scale), (n, x, y, scale))
#define SOFTMAX_WRAP_rmaxaddexp(k) SOFTMAX_WRAP_RETURNING(k, softmax_maxsum, (size_t n, const float* x), (n, x))
#define KERNEL(f, i, t, a, v) SOFTMAX_WRAP_##f(SOFTMAX_KERNEL_NAME(f, i, t, a, v))
#include "kernels.def"
#undef KERNEL

#define KERNEL(f, i, t, a, v) \
  { \
      .name = SOFTMAX_STR(SOFTMAX_KERNEL_NAME(f, i, t, a, v)), \
      .family = softmax_family_##f, \
      .isa = softmax_isa_##i, \
      .elements_per_iteration = t, \
      .accumulators = a, \
      .variant = SOFTMAX_VARIANT_STRING_##v, \
      .exp_method = SOFTMAX_EXP_STRING(v), \
      .nontemporal_stores = SOFTMAX_NT(v), \
      .prefetch_bytes = SOFTMAX_PF(v), \
      .bytes_read_per_element = SOFTMAX_READ_BYTES_##f, \
      .bytes_written_per_element = SOFTMAX_WRITE_BYTES_##f, \
      .fn.f = SOFTMAX_FLUSHED(SOFTMAX_KERNEL_NAME(f, i, t, a, v)), \
  },
const softmax_kernel_info softmax_kernels[] = {
#include "kernels.def"
};
#undef KERNEL

const size_t softmax_kernel_count = sizeof(softmax_kernels) / sizeof(softmax_kernels[0]);

const softmax_kernel_info* softmax_kernel_at(size_t i) { return i < softmax_kernel_count ? &softmax_kernels[i] : NULL; }

const char* softmax_family_name(softmax_family family) {
  switch (family) {
    case softmax_family_rmax: return "rmax";
    case softmax_family_raddexpminusmax: return "raddexpminusmax";
    case softmax_family_vscaleexpminusmax: return "vscaleexpminusmax";
    case softmax_family_raddstoreexpminusmax: return "raddstoreexpminusmax";
    case softmax_family_vscale: return "vscale";
    case softmax_family_raddextexp: return "raddextexp";
    case softmax_family_vscaleextexp: return "vscaleextexp";
    case softmax_family_rmaxaddexp: return "rmaxaddexp";
  }
  return "unknown";
}

const char* softmax_isa_name(softmax_isa isa) {
  switch (isa) {
    case softmax_isa_portable: return "portable";
    case softmax_isa_avx2: return "avx2";
    case softmax_isa_avx512f: return "avx512f";
  }
  return "unknown";
}

double softmax_kernel_main_loop_instructions(const char* name) {
  for (size_t i = 0; i < sizeof(softmax_instruction_counts) / sizeof(softmax_instruction_counts[0]); i++) {
    if (strcmp(softmax_instruction_counts[i].name, name) == 0) { return softmax_instruction_counts[i].instructions; }
  }
  return 0;
}

const char* softmax_instruction_counts_compiler(void) { return SOFTMAX_INSTRUCTION_COUNTS_COMPILER; }
