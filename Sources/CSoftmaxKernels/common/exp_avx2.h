// AVX2+FMA exp building blocks; the scalar twins in exp_portable.h follow these step by step.
#ifndef SOFTMAX_EXP_AVX2_H
#define SOFTMAX_EXP_AVX2_H

#include <immintrin.h>

#include "exp_constants.h"
#include "kernel_common.h"

// Lane i is enabled when i < n, for 1 <= n <= 7: load 8 ints starting at softmax_avx2_mask_table[7 - n].
extern const int32_t softmax_avx2_mask_table[16];

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256i softmax_avx2_tail_mask(size_t n) {
  return _mm256_loadu_si256((const __m256i*)&softmax_avx2_mask_table[7 - n]);
}

// A streaming store needs a 32-byte aligned y and bypasses the caches: no read-for-ownership of y's line.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_store(float* y, __m256 v, const bool stream) {
  if (stream) {
    _mm256_stream_ps(y, v);
  } else {
    _mm256_storeu_ps(y, v);
  }
}

// 2^n from the low bits of vn = n + magic bias (see SOFTMAX_MAGIC_BIAS).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_bits_shl23(__m256 vn) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(vn), 23));
}

// exp(vx) for vx = x - max <= 0; 0 below the normal range.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_exp_minus_max(__m256 vx) {
  const __m256 vmagic_bias = _mm256_set1_ps(SOFTMAX_MAGIC_BIAS);
  __m256 vn = _mm256_fmadd_ps(vx, _mm256_set1_ps(SOFTMAX_LOG2E), vmagic_bias);
  const __m256 vs = softmax_avx2_bits_shl23(vn);
  vn = _mm256_sub_ps(vn, vmagic_bias);
  __m256 vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(SOFTMAX_MINUS_LN2_HI), vx);
  vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(SOFTMAX_MINUS_LN2_LO), vt);
  __m256 vp = _mm256_fmadd_ps(_mm256_set1_ps(SOFTMAX_C5), vt, _mm256_set1_ps(SOFTMAX_C4));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(SOFTMAX_C3));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(SOFTMAX_C2));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(SOFTMAX_C1));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(1.0f));
  const __m256 vf = _mm256_mul_ps(vp, vs);
  return _mm256_andnot_ps(_mm256_cmp_ps(vx, _mm256_set1_ps(SOFTMAX_DENORMAL_CUTOFF), _CMP_LT_OQ), vf);
}

// exp(vx) = mantissa * 2^(*vexponent) for every float (see softmax_kernels.h).
// The clamp of t turns the NaN of a NaN input into a finite mantissa: reductions track NaN inputs
// separately (see raddextexp) instead of relying on how max or scaling instructions treat NaN.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_extexp(__m256 vx, __m256* vexponent) {
  const __m256 vn =
      _mm256_round_ps(_mm256_mul_ps(vx, _mm256_set1_ps(SOFTMAX_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(SOFTMAX_MINUS_LN2_HI), vx);
  vt = _mm256_fmadd_ps(vn, _mm256_set1_ps(SOFTMAX_MINUS_LN2_LO), vt);
  // VMAXPS/VMINPS return their second operand for NaN: NaN t (from +-inf inputs) becomes finite.
  vt = _mm256_max_ps(vt, _mm256_set1_ps(-SOFTMAX_LN2));
  vt = _mm256_min_ps(vt, _mm256_set1_ps(SOFTMAX_LN2));
  __m256 vp = _mm256_fmadd_ps(_mm256_set1_ps(SOFTMAX_C5), vt, _mm256_set1_ps(SOFTMAX_C4));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(SOFTMAX_C3));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(SOFTMAX_C2));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(SOFTMAX_C1));
  vp = _mm256_fmadd_ps(vp, vt, _mm256_set1_ps(1.0f));
  *vexponent = vn;
  return vp;
}

// 2^delta for an integer-valued delta <= 0; 0 for delta < -126, for -inf and for NaN.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_pow2_clamped(__m256 vdelta) {
  vdelta = _mm256_max_ps(vdelta, _mm256_set1_ps(SOFTMAX_MIN_EXPONENT_DELTA));
  return softmax_avx2_bits_shl23(_mm256_add_ps(vdelta, _mm256_set1_ps(SOFTMAX_MAGIC_BIAS)));
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 float softmax_avx2_hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 float softmax_avx2_hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#endif  // SOFTMAX_EXP_AVX2_H
