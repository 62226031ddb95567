// RMAX in portable C: A independent max chains, element i to chain i % A.
#include "../common/exp_portable.h"

SOFTMAX_INLINE float rmax_portable(size_t n, const float* x, const size_t T, const size_t A) {
  float acc[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { acc[a] = -INFINITY; }
  for (; n >= T; n -= T, x += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { acc[i % A] = softmax_max_scalar(acc[i % A], x[i]); }
  }
  float max = acc[0];
  SOFTMAX_UNROLL for (size_t a = 1; a < A; a++) { max = softmax_max_scalar(max, acc[a]); }
  for (; n != 0; n--, x++) { max = softmax_max_scalar(max, *x); }
  return max;
}

#define SOFTMAX_EXPANDS_rmax_portable SOFTMAX_PROBE
#define KERNEL_rmax_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(rmax, portable, variant, 0, 0) \
  float SOFTMAX_KERNEL_NAME(rmax, portable, tile, acc, variant)(size_t n, const float* x) { return rmax_portable(n, x, tile, acc); }
#include "../common/expand_kernels.h"
