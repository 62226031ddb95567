// AVX2+FMA exp building blocks; the scalar twins in exp_portable.h follow these step by step.
#ifndef SOFTMAX_EXP_AVX2_H
#define SOFTMAX_EXP_AVX2_H

#include "kernel_common.h"

#if !SOFTMAX_ARCH_X86_64
#error "exp_avx2.h is x86-64 only: include it under #if SOFTMAX_ARCH_X86_64"
#endif
#include <immintrin.h>

#include "exp_constants.h"

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

// t clamped to [-ln2, ln2] in the lanes where |t| >= 2 or t is NaN (see SOFTMAX_T_CLAMP_BIT).
// VMAXPS/VMINPS return their second operand for NaN: NaN t (from +-inf inputs) becomes finite.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_clamp_t(__m256 vt) {
  const __m256i vbit = _mm256_set1_epi32(SOFTMAX_T_CLAMP_BIT);
  const __m256 vlarge = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(vt), vbit), vbit));
  const __m256 vclamped = _mm256_min_ps(_mm256_max_ps(vt, _mm256_set1_ps(-SOFTMAX_LN2)), _mm256_set1_ps(SOFTMAX_LN2));
  return _mm256_blendv_ps(vt, vclamped, vlarge);
}

// Block forms of the two exps for V vectors at once, written step by step across the vectors (every vector's
// n, then every vector's t, ...): the compiler keeps that order, so the V independent chains overlap from
// the first instruction on. Written vector by vector, each ~15-instruction chain came out whole before
// the next and the core found less to overlap (same instructions otherwise; measured in docs/kernels.md).

// vf[v] = m * exp(vx[v]) for vx = x - max <= 0, poly = softmax_exp_poly_times(m); 0 below the normal range.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_exp_minus_max_block_poly(const __m256* vx, __m256* vf, const size_t V,
                                                                             const softmax_exp_poly poly) {
  const __m256 vmagic_bias = _mm256_set1_ps(SOFTMAX_MAGIC_BIAS);
  __m256 vn[SOFTMAX_MAX_VECTORS], vt[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vx[v], _mm256_set1_ps(SOFTMAX_LOG2E), vmagic_bias); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vf[v] = softmax_avx2_bits_shl23(vn[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_sub_ps(vn[v], vmagic_bias); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_MINUS_LN2_HI), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_MINUS_LN2_LO), vt[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(_mm256_set1_ps(poly.c[0]), vt[v], _mm256_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vn[v], vt[v], _mm256_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vn[v], vt[v], _mm256_set1_ps(poly.c[3])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vn[v], vt[v], _mm256_set1_ps(poly.c[4])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vn[v], vt[v], _mm256_set1_ps(poly.c[5])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vf[v] = _mm256_mul_ps(vn[v], vf[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vf[v] = _mm256_andnot_ps(_mm256_cmp_ps(vx[v], _mm256_set1_ps(SOFTMAX_DENORMAL_CUTOFF), _CMP_LT_OQ), vf[v]);
  }
}

// vf[v] = exp(vx[v]) for vx = x - max <= 0; 0 below the normal range.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_exp_minus_max_block(const __m256* vx, __m256* vf, const size_t V) {
  softmax_avx2_exp_minus_max_block_poly(vx, vf, V, softmax_exp_poly_times(1.0f));
}

// vp[v] * 2^vn[v] = exp(vx[v]) for every float (see softmax_kernels.h). The clamp of t turns the NaN of
// a NaN input into a finite mantissa: reductions track NaN inputs separately (see raddextexp) instead of
// relying on how max or scaling instructions treat NaN. Returns whether any lane needed the
// clamp of t: only NaN and infinite inputs, and finite ones so large that n * ln2 no longer cancels x
// (|x| beyond about 2^23), reach |t| >= 2; for every other lane the clamp changes nothing. So one test
// per block (an OR of every t, whose SOFTMAX_T_CLAMP_BIT is set if any lane's is) replaces a min and a
// max per vector on the common path, whose cost showed at L2-resident sizes (docs/kernels.md; the
// authors' kernels have neither the clamp nor its guarantees).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 bool softmax_avx2_extexp_block_poly(const __m256* vx, __m256* vp, __m256* vn, const size_t V,
                                                                         const softmax_exp_poly poly) {
  __m256 vt[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm256_round_ps(_mm256_mul_ps(vx[v], _mm256_set1_ps(SOFTMAX_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_MINUS_LN2_HI), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_MINUS_LN2_LO), vt[v]); }
  __m256i vany = _mm256_castps_si256(vt[0]);
  SOFTMAX_UNROLL for (size_t v = 1; v < V; v++) { vany = _mm256_or_si256(vany, _mm256_castps_si256(vt[v])); }
  const bool special = !_mm256_testz_si256(vany, _mm256_set1_epi32(SOFTMAX_T_CLAMP_BIT));
  if (SOFTMAX_UNLIKELY(special)) {
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = softmax_avx2_clamp_t(vt[v]); }
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(_mm256_set1_ps(poly.c[0]), vt[v], _mm256_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(vp[v], vt[v], _mm256_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(vp[v], vt[v], _mm256_set1_ps(poly.c[3])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(vp[v], vt[v], _mm256_set1_ps(poly.c[4])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(vp[v], vt[v], _mm256_set1_ps(poly.c[5])); }
  return special;
}

// The same with the plain polynomial: vp[v] * 2^vn[v] = exp(vx[v]).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 bool softmax_avx2_extexp_block(const __m256* vx, __m256* vp, __m256* vn, const size_t V) {
  return softmax_avx2_extexp_block_poly(vx, vp, vn, V, softmax_exp_poly_times(1.0f));
}

// One vector: the heads, tails and single-vector loops of the kernels.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_exp_minus_max(__m256 vx) {
  __m256 vf;
  softmax_avx2_exp_minus_max_block(&vx, &vf, 1);
  return vf;
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_extexp(__m256 vx, __m256* vexponent) {
  __m256 vp;
  softmax_avx2_extexp_block(&vx, &vp, vexponent, 1);
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
