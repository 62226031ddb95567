// VSCALE for AVX2: y = x * scale, V vectors per iteration; in place when y == x.
#include "../common/exp_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscale_avx2(size_t n, const float* x, float* y, float scale, const size_t V) {
  const __m256 vscale = _mm256_set1_ps(scale);
  for (; n >= V * 8; n -= V * 8, x += V * 8, y += V * 8) {
    __m256 vx[SOFTMAX_MAX_VECTORS];
    // All loads before any store, so that y == x is safe whatever the compiler reorders.
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm256_loadu_ps(x + 8 * v); }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { _mm256_storeu_ps(y + 8 * v, _mm256_mul_ps(vx[v], vscale)); }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) { _mm256_storeu_ps(y, _mm256_mul_ps(_mm256_loadu_ps(x), vscale)); }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    _mm256_maskstore_ps(y, vmask, _mm256_mul_ps(_mm256_maskload_ps(x, vmask), vscale));
  }
}

#define KERNEL_vscale_avx2(tile, acc) \
  SOFTMAX_TARGET_AVX2 void SOFTMAX_KERNEL_NAME(vscale, avx2, tile, acc)(size_t n, const float* x, float* y, \
                                                                       float scale) { \
    vscale_avx2(n, x, y, scale, (tile) / 8); \
  }
#include "../common/expand_kernels.h"
