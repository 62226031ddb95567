// RMAX for AVX2: A independent max chains over V vectors per iteration.
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 float rmax_avx2(size_t n, const float* x, const size_t V, const size_t A) {
  __m256 vacc[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vacc[a] = _mm256_set1_ps(-INFINITY); }
  for (; n >= V * 8; n -= V * 8, x += V * 8) {
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      vacc[v % A] = _mm256_max_ps(vacc[v % A], _mm256_loadu_ps(x + 8 * v));
    }
  }
  __m256 vmax = vacc[0];
  SOFTMAX_UNROLL for (size_t a = 1; a < A; a++) { vmax = _mm256_max_ps(vmax, vacc[a]); }
  for (; n >= 8; n -= 8, x += 8) { vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x)); }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    const __m256 vx = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(x, vmask), _mm256_castsi256_ps(vmask));
    vmax = _mm256_max_ps(vmax, vx);
  }
  return softmax_avx2_hmax(vmax);
}

#define SOFTMAX_EXPANDS_rmax_avx2 SOFTMAX_PROBE
#define KERNEL_rmax_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(rmax, avx2, variant, 0, 0) \
  SOFTMAX_TARGET_AVX2 float SOFTMAX_KERNEL_NAME(rmax, avx2, tile, acc, variant)(size_t n, const float* x) { \
    return rmax_avx2(n, x, (tile) / 8, acc); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
