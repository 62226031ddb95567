// VSCALEEXTEXP in portable C: y = exp(x) * scale.mantissa * 2^scale.exponent (see vscaleextexp_avx2.c).
#include "../common/exp_portable.h"

SOFTMAX_INLINE float vscaleextexp_portable_one(float x, softmax_extfloat scale) {
  float e;
  const float p = softmax_extexp_scalar(x, &e);
  return (p * scale.mantissa) * softmax_pow2_clamped_scalar(e + scale.exponent);
}

SOFTMAX_INLINE void vscaleextexp_portable(size_t n, const float* x, float* y, softmax_extfloat scale, const size_t T) {
  for (; n >= T; n -= T, x += T, y += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { y[i] = vscaleextexp_portable_one(x[i], scale); }
  }
  for (; n != 0; n--, x++, y++) { *y = vscaleextexp_portable_one(*x, scale); }
}

#define KERNEL_vscaleextexp_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscaleextexp, portable, variant, 0, 0) \
  void SOFTMAX_KERNEL_NAME(vscaleextexp, portable, tile, acc, variant)(size_t n, const float* x, float* y, \
                                                              softmax_extfloat scale) { \
    vscaleextexp_portable(n, x, y, scale, tile); \
  }
#include "../common/expand_kernels.h"
