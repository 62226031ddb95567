// VSCALEEXPMINUSMAX for AVX2: y = exp(x - max) * scale, V vectors per iteration.
#include "../common/exp_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscaleexpminusmax_avx2(size_t n, const float* x, float* y, float max,
                                                              float scale, const size_t V) {
  const __m256 vmax = _mm256_set1_ps(max);
  const __m256 vscale = _mm256_set1_ps(scale);
  for (; n >= V * 8; n -= V * 8, x += V * 8, y += V * 8) {
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      const __m256 vf = softmax_avx2_exp_minus_max(_mm256_sub_ps(_mm256_loadu_ps(x + 8 * v), vmax));
      _mm256_storeu_ps(y + 8 * v, _mm256_mul_ps(vf, vscale));
    }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const __m256 vf = softmax_avx2_exp_minus_max(_mm256_sub_ps(_mm256_loadu_ps(x), vmax));
    _mm256_storeu_ps(y, _mm256_mul_ps(vf, vscale));
  }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    const __m256 vf = softmax_avx2_exp_minus_max(_mm256_sub_ps(_mm256_maskload_ps(x, vmask), vmax));
    _mm256_maskstore_ps(y, vmask, _mm256_mul_ps(vf, vscale));
  }
}

#define KERNEL_vscaleexpminusmax_avx2(tile, acc) \
  SOFTMAX_TARGET_AVX2 void SOFTMAX_KERNEL_NAME(vscaleexpminusmax, avx2, tile, acc)(size_t n, const float* x, float* y, \
                                                                                  float max, float scale) { \
    vscaleexpminusmax_avx2(n, x, y, max, scale, (tile) / 8); \
  }
#include "../common/expand_kernels.h"
