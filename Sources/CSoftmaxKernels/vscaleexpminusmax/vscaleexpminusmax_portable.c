// VSCALEEXPMINUSMAX in portable C: y = exp(x - max) * scale.
#include "../common/exp_portable.h"

// The scale inside the polynomial, and the multiply apart for a scale that is not finite: see
// vscaleexpminusmax_avx2_one.
SOFTMAX_INLINE float vscaleexpminusmax_portable_one(float x, float max, const softmax_exp_poly poly, bool separate, float scale) {
  const float f = softmax_exp_minus_max_poly_scalar(x - max, poly);
  return separate ? f * scale : f;
}

SOFTMAX_INLINE void vscaleexpminusmax_portable(size_t n, const float* x, float* y, float max, float scale,
                                               const size_t T) {
  const bool separate = !isfinite(scale);
  const softmax_exp_poly poly = softmax_exp_poly_times(separate ? 1.0f : scale);
  for (; n >= T; n -= T, x += T, y += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { y[i] = vscaleexpminusmax_portable_one(x[i], max, poly, separate, scale); }
  }
  for (; n != 0; n--, x++, y++) { *y = vscaleexpminusmax_portable_one(*x, max, poly, separate, scale); }
}

#define SOFTMAX_EXPANDS_vscaleexpminusmax_portable SOFTMAX_PROBE
#define KERNEL_vscaleexpminusmax_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscaleexpminusmax, portable, variant, 0, 0) \
  void SOFTMAX_KERNEL_NAME(vscaleexpminusmax, portable, tile, acc, variant)(size_t n, const float* x, float* y, float max, \
                                                                   float scale) { \
    vscaleexpminusmax_portable(n, x, y, max, scale, tile); \
  }
#include "../common/expand_kernels.h"
