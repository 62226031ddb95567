// RADDSTOREEXPMINUSMAX in portable C: y = exp(x - max); element i of each tile to accumulator i % A.
#include "../common/exp_portable.h"

SOFTMAX_INLINE float raddstoreexpminusmax_portable(size_t n, const float* x, float* y, float max, const size_t T,
                                                   const size_t A) {
  float acc[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { acc[a] = 0.0f; }
  for (; n >= T; n -= T, x += T, y += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) {
      const float f = softmax_exp_minus_max_scalar(x[i] - max);
      y[i] = f;
      acc[i % A] += f;
    }
  }
  float sum = acc[0];
  SOFTMAX_UNROLL for (size_t a = 1; a < A; a++) { sum += acc[a]; }
  for (; n != 0; n--, x++, y++) {
    const float f = softmax_exp_minus_max_scalar(*x - max);
    *y = f;
    sum += f;
  }
  return sum;
}

#define SOFTMAX_EXPANDS_raddstoreexpminusmax_portable SOFTMAX_PROBE
#define KERNEL_raddstoreexpminusmax_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(raddstoreexpminusmax, portable, variant, 0, 0) \
  float SOFTMAX_KERNEL_NAME(raddstoreexpminusmax, portable, tile, acc, variant)(size_t n, const float* x, float* y, float max) { \
    return raddstoreexpminusmax_portable(n, x, y, max, tile, acc); \
  }
#include "../common/expand_kernels.h"
