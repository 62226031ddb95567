// VSCALE in portable C: y = x * scale; in place when y == x.
#include "../common/exp_portable.h"

SOFTMAX_INLINE void vscale_portable(size_t n, const float* x, float* y, float scale, const size_t T) {
  for (; n >= T; n -= T, x += T, y += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { y[i] = x[i] * scale; }
  }
  for (; n != 0; n--, x++, y++) { *y = *x * scale; }
}

#define SOFTMAX_EXPANDS_vscale_portable SOFTMAX_PROBE
#define KERNEL_vscale_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscale, portable, variant, 0, 0) \
  void SOFTMAX_KERNEL_NAME(vscale, portable, tile, acc, variant)(size_t n, const float* x, float* y, float scale) { \
    vscale_portable(n, x, y, scale, tile); \
  }
#include "../common/expand_kernels.h"
