// VSCALEEXTEXP for AVX2: y = exp(x) * scale.mantissa * 2^scale.exponent, V vectors per iteration.
//
// With scale = 1 / sum from raddextexp, n + scale.exponent <= 0 for every element, so 2^(n + e) <= 1
// and the mantissa product (in [0.5, 2] * [1/sum.mantissa]) cannot overflow.
#include "../common/exp_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 vscaleextexp_avx2_one(__m256 vx, __m256 vscale_m, __m256 vscale_e) {
  __m256 vn;
  const __m256 vp = softmax_avx2_extexp(vx, &vn);
  return _mm256_mul_ps(_mm256_mul_ps(vp, vscale_m), softmax_avx2_pow2_clamped(_mm256_add_ps(vn, vscale_e)));
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscaleextexp_avx2(size_t n, const float* x, float* y, softmax_extfloat scale,
                                                         const size_t V) {
  const __m256 vscale_m = _mm256_set1_ps(scale.mantissa);
  const __m256 vscale_e = _mm256_set1_ps(scale.exponent);
  for (; n >= V * 8; n -= V * 8, x += V * 8, y += V * 8) {
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      _mm256_storeu_ps(y + 8 * v, vscaleextexp_avx2_one(_mm256_loadu_ps(x + 8 * v), vscale_m, vscale_e));
    }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    _mm256_storeu_ps(y, vscaleextexp_avx2_one(_mm256_loadu_ps(x), vscale_m, vscale_e));
  }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    _mm256_maskstore_ps(y, vmask, vscaleextexp_avx2_one(_mm256_maskload_ps(x, vmask), vscale_m, vscale_e));
  }
}

#define KERNEL_vscaleextexp_avx2(tile, acc) \
  SOFTMAX_TARGET_AVX2 void SOFTMAX_KERNEL_NAME(vscaleextexp, avx2, tile, acc)(size_t n, const float* x, float* y, \
                                                                             softmax_extfloat scale) { \
    vscaleextexp_avx2(n, x, y, scale, (tile) / 8); \
  }
#include "../common/expand_kernels.h"
