// VSCALEEXPMINUSMAX in portable C: y = exp(x - max) * scale.
#include "../common/exp_portable.h"

SOFTMAX_INLINE void vscaleexpminusmax_portable(size_t n, const float* x, float* y, float max, float scale,
                                               const size_t T) {
  for (; n >= T; n -= T, x += T, y += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { y[i] = softmax_exp_minus_max_scalar(x[i] - max) * scale; }
  }
  for (; n != 0; n--, x++, y++) { *y = softmax_exp_minus_max_scalar(*x - max) * scale; }
}

#define KERNEL_vscaleexpminusmax_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscaleexpminusmax, portable, variant, 0, 0) \
  void SOFTMAX_KERNEL_NAME(vscaleexpminusmax, portable, tile, acc, variant)(size_t n, const float* x, float* y, float max, \
                                                                   float scale) { \
    vscaleexpminusmax_portable(n, x, y, max, scale, tile); \
  }
#include "../common/expand_kernels.h"
