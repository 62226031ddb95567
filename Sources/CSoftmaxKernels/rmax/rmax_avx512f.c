// RMAX for AVX512F: A independent max chains over V vectors per iteration.
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F float rmax_avx512f(size_t n, const float* x, const size_t V, const size_t A) {
  __m512 vacc[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vacc[a] = _mm512_set1_ps(-INFINITY); }
  for (; n >= V * 16; n -= V * 16, x += V * 16) {
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      vacc[v % A] = _mm512_max_ps(vacc[v % A], _mm512_loadu_ps(x + 16 * v));
    }
  }
  __m512 vmax = vacc[0];
  SOFTMAX_UNROLL for (size_t a = 1; a < A; a++) { vmax = _mm512_max_ps(vmax, vacc[a]); }
  for (; n >= 16; n -= 16, x += 16) { vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(x)); }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), vmask, x));
  }
  return _mm512_reduce_max_ps(vmax);
}

#define SOFTMAX_EXPANDS_rmax_avx512f SOFTMAX_PROBE
#define KERNEL_rmax_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(rmax, avx512f, variant, 0, 0) \
  SOFTMAX_TARGET_AVX512F float SOFTMAX_KERNEL_NAME(rmax, avx512f, tile, acc, variant)(size_t n, const float* x) { \
    return rmax_avx512f(n, x, (tile) / 16, acc); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
