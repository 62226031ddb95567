// VSCALEEXPMINUSMAX for AVX512F: y = exp(x - max) * scale, V vectors per iteration.
#include "../common/exp_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscaleexpminusmax_avx512f(size_t n, const float* x, float* y, float max,
                                                                    float scale, const size_t V) {
  const __m512 vmax = _mm512_set1_ps(max);
  const __m512 vscale = _mm512_set1_ps(scale);
  for (; n >= V * 16; n -= V * 16, x += V * 16, y += V * 16) {
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      const __m512 vf = softmax_avx512f_exp_minus_max(_mm512_sub_ps(_mm512_loadu_ps(x + 16 * v), vmax));
      _mm512_storeu_ps(y + 16 * v, _mm512_mul_ps(vf, vscale));
    }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    const __m512 vf = softmax_avx512f_exp_minus_max(_mm512_sub_ps(_mm512_loadu_ps(x), vmax));
    _mm512_storeu_ps(y, _mm512_mul_ps(vf, vscale));
  }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    const __m512 vf = softmax_avx512f_exp_minus_max(_mm512_sub_ps(_mm512_maskz_loadu_ps(vmask, x), vmax));
    _mm512_mask_storeu_ps(y, vmask, _mm512_mul_ps(vf, vscale));
  }
}

#define KERNEL_vscaleexpminusmax_avx512f(tile, acc) \
  SOFTMAX_TARGET_AVX512F void SOFTMAX_KERNEL_NAME(vscaleexpminusmax, avx512f, tile, acc)( \
      size_t n, const float* x, float* y, float max, float scale) { \
    vscaleexpminusmax_avx512f(n, x, y, max, scale, (tile) / 16); \
  }
#include "../common/expand_kernels.h"
