// Scalar exp building blocks. Each mirrors the AVX2 vector code operation for operation (same FMAs,
// same rounding, same NaN choices of VMAXPS/VMINPS), so element-wise results are bit-identical.
#ifndef SOFTMAX_EXP_PORTABLE_H
#define SOFTMAX_EXP_PORTABLE_H

#include <math.h>
#include <string.h>

#include "exp_constants.h"
#include "kernel_common.h"

// VMAXPS/VMINPS semantics: when either operand is NaN the second one is returned.
SOFTMAX_INLINE float softmax_max_scalar(float a, float b) { return a > b ? a : b; }
SOFTMAX_INLINE float softmax_min_scalar(float a, float b) { return a < b ? a : b; }

SOFTMAX_INLINE float softmax_bits_shl23_scalar(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof bits);
  bits <<= 23;
  float r;
  memcpy(&r, &bits, sizeof r);
  return r;
}

// m * exp(vx) for vx = x - max <= 0, poly = softmax_exp_poly_times(m); 0 below the normal range.
SOFTMAX_INLINE float softmax_exp_minus_max_poly_scalar(float vx, const softmax_exp_poly poly) {
  float vn = fmaf(vx, SOFTMAX_LOG2E, SOFTMAX_MAGIC_BIAS);
  const float vs = softmax_bits_shl23_scalar(vn);
  vn = vn - SOFTMAX_MAGIC_BIAS;
  float vt = fmaf(vn, SOFTMAX_MINUS_LN2_HI, vx);
  vt = fmaf(vn, SOFTMAX_MINUS_LN2_LO, vt);
  float vp = fmaf(poly.c[0], vt, poly.c[1]);
  vp = fmaf(vp, vt, poly.c[2]);
  vp = fmaf(vp, vt, poly.c[3]);
  vp = fmaf(vp, vt, poly.c[4]);
  vp = fmaf(vp, vt, poly.c[5]);
  const float vf = vp * vs;
  return vx < SOFTMAX_DENORMAL_CUTOFF ? 0.0f : vf;
}

// exp(vx) for vx = x - max <= 0; 0 below the normal range.
SOFTMAX_INLINE float softmax_exp_minus_max_scalar(float vx) {
  return softmax_exp_minus_max_poly_scalar(vx, softmax_exp_poly_times(1.0f));
}

// exp(x) = mantissa * 2^exponent, defined for every float x (see softmax_kernels.h).
// NaN inputs: as in softmax_avx2_extexp.
// With poly = softmax_exp_poly_times(m): m * exp(x) = mantissa * 2^exponent.
SOFTMAX_INLINE float softmax_extexp_poly_scalar(float vx, float* exponent, const softmax_exp_poly poly) {
  const float vn = rintf(vx * SOFTMAX_LOG2E);
  float vt = fmaf(vn, SOFTMAX_MINUS_LN2_HI, vx);
  vt = fmaf(vn, SOFTMAX_MINUS_LN2_LO, vt);
  uint32_t bits;
  memcpy(&bits, &vt, sizeof bits);
  if (bits & SOFTMAX_T_CLAMP_BIT) { vt = softmax_min_scalar(softmax_max_scalar(vt, -SOFTMAX_LN2), SOFTMAX_LN2); }
  float vp = fmaf(poly.c[0], vt, poly.c[1]);
  vp = fmaf(vp, vt, poly.c[2]);
  vp = fmaf(vp, vt, poly.c[3]);
  vp = fmaf(vp, vt, poly.c[4]);
  vp = fmaf(vp, vt, poly.c[5]);
  *exponent = vn;
  return vp;
}

SOFTMAX_INLINE float softmax_extexp_scalar(float vx, float* exponent) {
  return softmax_extexp_poly_scalar(vx, exponent, softmax_exp_poly_times(1.0f));
}

// 2^delta for an integer-valued delta <= 0; 0 for delta < -126, for -inf and for NaN.
SOFTMAX_INLINE float softmax_pow2_clamped_scalar(float delta) {
  delta = softmax_max_scalar(delta, SOFTMAX_MIN_EXPONENT_DELTA);
  return softmax_bits_shl23_scalar(delta + SOFTMAX_MAGIC_BIAS);
}

// Merges per-lane extended sums (m[i] * 2^e[i]) into one, scaled to the largest exponent; a NaN input
// seen on the way (saw_nan) makes the sum NaN. Shared by every ISA so that the final step is the same.
SOFTMAX_INLINE softmax_extfloat softmax_extfloat_merge(const float* m, const float* e, size_t count, bool saw_nan) {
  float emax = -INFINITY;
  for (size_t i = 0; i < count; i++) {
    emax = softmax_max_scalar(e[i], emax);
  }
  float sum = 0.0f;
  for (size_t i = 0; i < count; i++) {
    sum = fmaf(m[i], softmax_pow2_clamped_scalar(e[i] - emax), sum);
  }
  return (softmax_extfloat){saw_nan ? NAN : sum, emax};
}

#endif  // SOFTMAX_EXP_PORTABLE_H
