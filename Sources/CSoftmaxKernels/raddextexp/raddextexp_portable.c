// RADDEXTEXP in portable C: element i of each tile to accumulator i % A; identity as in raddextexp_avx2.c.
#include "../common/exp_portable.h"

SOFTMAX_INLINE void raddextexp_portable_accumulate(float* accm, float* acce, float p, float n) {
  const float max_e = softmax_max_scalar(*acce, n);
  *accm = *accm * softmax_pow2_clamped_scalar(*acce - max_e);
  *accm = fmaf(p, softmax_pow2_clamped_scalar(n - max_e), *accm);
  *acce = max_e;
}

SOFTMAX_INLINE softmax_extfloat raddextexp_portable(size_t n, const float* x, const size_t T, const size_t A) {
  float accm[SOFTMAX_MAX_ACCUMULATORS];
  float acce[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    accm[a] = 0.0f;
    acce[a] = -INFINITY;
  }
  bool saw_nan = false;
  for (; n >= T; n -= T, x += T) {
    SOFTMAX_UNROLL for (size_t i = 0; i < T; i++) {
      float e;
      saw_nan |= isnan(x[i]);
      const float p = softmax_extexp_scalar(x[i], &e);
      raddextexp_portable_accumulate(&accm[i % A], &acce[i % A], p, e);
    }
  }
  for (; n != 0; n--, x++) {
    float e;
    saw_nan |= isnan(*x);
    const float p = softmax_extexp_scalar(*x, &e);
    raddextexp_portable_accumulate(&accm[0], &acce[0], p, e);
  }
  return softmax_extfloat_merge(accm, acce, A, saw_nan);
}

#define SOFTMAX_EXPANDS_raddextexp_portable SOFTMAX_PROBE
#define KERNEL_raddextexp_portable(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(raddextexp, portable, variant, 0, 0) \
  softmax_extfloat SOFTMAX_KERNEL_NAME(raddextexp, portable, tile, acc, variant)(size_t n, const float* x) { \
    return raddextexp_portable(n, x, tile, acc); \
  }
#include "../common/expand_kernels.h"
