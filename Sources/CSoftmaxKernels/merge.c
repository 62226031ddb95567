// Merging the reductions of several slices of one vector (the multi-core softmax: one slice per thread).
// The arithmetic is the kernels' own lane merge, so a vector split across threads is reduced the way one
// kernel reduces its accumulators, special values included.
#include "include/softmax_kernels.h"

#include <float.h>

#include "common/exp_portable.h"

// The bodies are noinline so that the FTZ/DAZ switch around them cannot be reordered with their arithmetic.
__attribute__((noinline)) static softmax_extfloat extfloat_sum(size_t count, const softmax_extfloat* parts) {
  // softmax_extfloat_merge's arithmetic, reading the parts in place (any number of them).
  float emax = -INFINITY;
  for (size_t i = 0; i < count; i++) { emax = softmax_max_scalar(parts[i].exponent, emax); }
  float sum = 0.0f;
  for (size_t i = 0; i < count; i++) {
    sum = fmaf(parts[i].mantissa, softmax_pow2_clamped_scalar(parts[i].exponent - emax), sum);
  }
  return (softmax_extfloat){sum, emax};
}

__attribute__((noinline)) static softmax_maxsum maxsum_merge(size_t count, const softmax_maxsum* parts) {
  float max = -FLT_MAX;
  for (size_t i = 0; i < count; i++) { max = softmax_max_scalar(parts[i].max, max); }
  float sum = 0.0f;
  for (size_t i = 0; i < count; i++) { sum += parts[i].sum * softmax_exp_minus_max_scalar(parts[i].max - max); }
  return (softmax_maxsum){max, sum};
}

// With FTZ and DAZ, as every kernel (see softmax_flush_enter).
softmax_extfloat softmax_extfloat_sum(size_t count, const softmax_extfloat* parts) {
  const unsigned csr = softmax_flush_enter();
  const softmax_extfloat result = extfloat_sum(count, parts);
  softmax_flush_leave(csr);
  return result;
}

softmax_maxsum softmax_maxsum_merge(size_t count, const softmax_maxsum* parts) {
  const unsigned csr = softmax_flush_enter();
  const softmax_maxsum result = maxsum_merge(count, parts);
  softmax_flush_leave(csr);
  return result;
}
