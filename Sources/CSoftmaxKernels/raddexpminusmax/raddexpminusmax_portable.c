// RADDEXPMINUSMAX in portable C: element i of each tile to accumulator i % A.
#include "../common/exp_portable.h"

SOFTMAX_INLINE float raddexpminusmax_portable(size_t n, const float* x, float max, const size_t T, const size_t A) {
  float acc[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { acc[a] = 0.0f; }
  for (; n >= T; n -= T, x += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { acc[i % A] += softmax_exp_minus_max_scalar(x[i] - max); }
  }
  float sum = acc[0];
  SOFTMAX_UNROLL for (size_t a = 1; a < A; a++) { sum += acc[a]; }
  for (; n != 0; n--, x++) { sum += softmax_exp_minus_max_scalar(*x - max); }
  return sum;
}

#define SOFTMAX_EXPANDS_raddexpminusmax_portable SOFTMAX_PROBE
#define KERNEL_raddexpminusmax_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(raddexpminusmax, portable, variant, 0, 0) \
  float SOFTMAX_KERNEL_NAME(raddexpminusmax, portable, tile, acc, variant)(size_t n, const float* x, float max) { \
    return raddexpminusmax_portable(n, x, max, tile, acc); \
  }
#include "../common/expand_kernels.h"
