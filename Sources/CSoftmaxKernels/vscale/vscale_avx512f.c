// VSCALE for AVX512F: y = x * scale, V vectors per iteration; in place when y == x.
#include "../common/exp_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscale_avx512f(size_t n, const float* x, float* y, float scale,
                                                         const size_t V) {
  const __m512 vscale = _mm512_set1_ps(scale);
  for (; n >= V * 16; n -= V * 16, x += V * 16, y += V * 16) {
    __m512 vx[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm512_loadu_ps(x + 16 * v); }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { _mm512_storeu_ps(y + 16 * v, _mm512_mul_ps(vx[v], vscale)); }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) { _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_loadu_ps(x), vscale)); }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, _mm512_mul_ps(_mm512_maskz_loadu_ps(vmask, x), vscale));
  }
}

#define KERNEL_vscale_avx512f(tile, acc) \
  SOFTMAX_TARGET_AVX512F void SOFTMAX_KERNEL_NAME(vscale, avx512f, tile, acc)(size_t n, const float* x, float* y, \
                                                                             float scale) { \
    vscale_avx512f(n, x, y, scale, (tile) / 16); \
  }
#include "../common/expand_kernels.h"
