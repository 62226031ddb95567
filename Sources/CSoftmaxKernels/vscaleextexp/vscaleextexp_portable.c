// VSCALEEXTEXP in portable C: y = exp(x) * scale.mantissa * 2^scale.exponent (see vscaleextexp_avx2.c).
#include "../common/exp_portable.h"

// poly: the polynomial times the scale's mantissa, as in vscaleextexp_avx2_one.
SOFTMAX_INLINE float vscaleextexp_portable_one(float x, const softmax_exp_poly poly, float scale_exponent) {
  float e;
  const float p = softmax_extexp_poly_scalar(x, &e, poly);
  return p * softmax_pow2_clamped_scalar(e + scale_exponent);
}

SOFTMAX_INLINE void vscaleextexp_portable(size_t n, const float* x, float* y, softmax_extfloat scale, const size_t T) {
  scale = softmax_extfloat_normalized(scale);
  const softmax_exp_poly poly = softmax_exp_poly_times(scale.mantissa);
  for (; n >= T; n -= T, x += T, y += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { y[i] = vscaleextexp_portable_one(x[i], poly, scale.exponent); }
  }
  for (; n != 0; n--, x++, y++) { *y = vscaleextexp_portable_one(*x, poly, scale.exponent); }
}

#define SOFTMAX_EXPANDS_vscaleextexp_portable SOFTMAX_PROBE
#define KERNEL_vscaleextexp_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscaleextexp, portable, variant, 0, 0) \
  void SOFTMAX_KERNEL_NAME(vscaleextexp, portable, tile, acc, variant)(size_t n, const float* x, float* y, \
                                                              softmax_extfloat scale) { \
    vscaleextexp_portable(n, x, y, scale, tile); \
  }
#include "../common/expand_kernels.h"
