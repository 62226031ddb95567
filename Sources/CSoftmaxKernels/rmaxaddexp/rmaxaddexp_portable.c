// RMAXADDEXP in portable C: element i of each tile to accumulator i % A; the scheme is rmaxaddexp_avx2.c's
// with blocks of one element.
#include <float.h>

#include "../common/exp_portable.h"

SOFTMAX_INLINE void rmaxaddexp_portable_add(float* accmax, float* accsum, float x) {
  const float max = softmax_max_scalar(*accmax, x);
  *accsum = *accsum * softmax_exp_minus_max_scalar(*accmax - max) + softmax_exp_minus_max_scalar(x - max);
  *accmax = max;
}

SOFTMAX_INLINE softmax_maxsum rmaxaddexp_portable(size_t n, const float* x, const size_t T, const size_t A) {
  float accmax[SOFTMAX_MAX_ACCUMULATORS];
  float accsum[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    accmax[a] = -FLT_MAX;
    accsum[a] = 0.0f;
  }
  for (; n >= T; n -= T, x += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) { rmaxaddexp_portable_add(&accmax[i % A], &accsum[i % A], x[i]); }
  }
  for (; n != 0; n--, x++) { rmaxaddexp_portable_add(&accmax[0], &accsum[0], *x); }
  float max = -FLT_MAX;
  for (size_t a = 0; a < A; a++) { max = softmax_max_scalar(accmax[a], max); }
  float sum = 0.0f;
  for (size_t a = 0; a < A; a++) { sum += accsum[a] * softmax_exp_minus_max_scalar(accmax[a] - max); }
  return (softmax_maxsum){max, sum};
}

#define SOFTMAX_EXPANDS_rmaxaddexp_portable SOFTMAX_PROBE
#define KERNEL_rmaxaddexp_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(rmaxaddexp, portable, variant, 0, 0) \
  softmax_maxsum SOFTMAX_KERNEL_NAME(rmaxaddexp, portable, tile, acc, variant)(size_t n, const float* x) { \
    return rmaxaddexp_portable(n, x, tile, acc); \
  }
#include "../common/expand_kernels.h"
