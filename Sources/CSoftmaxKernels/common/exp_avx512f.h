// AVX512F exp building blocks. Powers of two are applied with VSCALEFPS, as the authors did; the
// reduction and polynomial are the AVX2 ones, so element-wise three-pass results match AVX2 exactly.
#ifndef SOFTMAX_EXP_AVX512F_H
#define SOFTMAX_EXP_AVX512F_H

#include "kernel_common.h"

#if !SOFTMAX_ARCH_X86_64
#error "exp_avx512f.h is x86-64 only: include it under #if SOFTMAX_ARCH_X86_64"
#endif
#include <immintrin.h>

#include "exp_constants.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __mmask16 softmax_avx512f_tail_mask(size_t n) {
  return _cvtu32_mask16((uint32_t)((1u << n) - 1u));
}

// A streaming store needs a 64-byte aligned y and bypasses the caches: no read-for-ownership of y's line.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void softmax_avx512f_store(float* y, __m512 v, const bool stream) {
  if (stream) {
    _mm512_stream_ps(y, v);
  } else {
    _mm512_storeu_ps(y, v);
  }
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_poly(__m512 vt, const softmax_exp_poly poly) {
  __m512 vp = _mm512_fmadd_ps(_mm512_set1_ps(poly.c[0]), vt, _mm512_set1_ps(poly.c[1]));
  vp = _mm512_fmadd_ps(vp, vt, _mm512_set1_ps(poly.c[2]));
  vp = _mm512_fmadd_ps(vp, vt, _mm512_set1_ps(poly.c[3]));
  vp = _mm512_fmadd_ps(vp, vt, _mm512_set1_ps(poly.c[4]));
  return _mm512_fmadd_ps(vp, vt, _mm512_set1_ps(poly.c[5]));
}

// m * exp(vx) for vx = x - max <= 0, poly = softmax_exp_poly_times(m); 0 below the normal range.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_exp_minus_max_poly(__m512 vx, const softmax_exp_poly poly) {
  // Rounding through the magic bias (one FMA) rather than VRNDSCALEPS(x*log2e) keeps n identical to
  // the AVX2 kernels' n, including ties: the product is rounded once, not twice.
  const __m512 vmagic_bias = _mm512_set1_ps(SOFTMAX_MAGIC_BIAS);
  const __mmask16 vnormal = _mm512_cmp_ps_mask(vx, _mm512_set1_ps(SOFTMAX_DENORMAL_CUTOFF), _CMP_NLT_UQ);
  const __m512 vn = _mm512_sub_ps(_mm512_fmadd_ps(vx, _mm512_set1_ps(SOFTMAX_LOG2E), vmagic_bias), vmagic_bias);
  __m512 vt = _mm512_fmadd_ps(vn, _mm512_set1_ps(SOFTMAX_MINUS_LN2_HI), vx);
  vt = _mm512_fmadd_ps(vn, _mm512_set1_ps(SOFTMAX_MINUS_LN2_LO), vt);
  const __m512 vp = softmax_avx512f_poly(vt, poly);
  return _mm512_maskz_scalef_ps(vnormal, vp, vn);
}

// exp(vx) for vx = x - max <= 0; 0 below the normal range.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_exp_minus_max(__m512 vx) {
  return softmax_avx512f_exp_minus_max_poly(vx, softmax_exp_poly_times(1.0f));
}

// t clamped to [-ln2, ln2] in the lanes where |t| >= 2 or t is NaN, as softmax_avx2_clamp_t.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_clamp_t(__m512 vt) {
  const __mmask16 vlarge = _mm512_test_epi32_mask(_mm512_castps_si512(vt), _mm512_set1_epi32(SOFTMAX_T_CLAMP_BIT));
  const __m512 vclamped = _mm512_min_ps(_mm512_max_ps(vt, _mm512_set1_ps(-SOFTMAX_LN2)), _mm512_set1_ps(SOFTMAX_LN2));
  return _mm512_mask_mov_ps(vt, vlarge, vclamped);
}

// vp[v] * 2^vn[v] = exp(vx[v]) for every float (see softmax_kernels.h), for V vectors, written step by
// step across the vectors and clamping t only in blocks that need it: see softmax_avx2_extexp_block.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F bool softmax_avx512f_extexp_block_poly(const __m512* vx, __m512* vp, __m512* vn, const size_t V,
                                                                         const softmax_exp_poly poly) {
  __m512 vt[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm512_roundscale_ps(_mm512_mul_ps(vx[v], _mm512_set1_ps(SOFTMAX_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm512_fmadd_ps(vn[v], _mm512_set1_ps(SOFTMAX_MINUS_LN2_HI), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm512_fmadd_ps(vn[v], _mm512_set1_ps(SOFTMAX_MINUS_LN2_LO), vt[v]); }
  __m512i vany = _mm512_castps_si512(vt[0]);
  SOFTMAX_UNROLL for (size_t v = 1; v < V; v++) { vany = _mm512_or_si512(vany, _mm512_castps_si512(vt[v])); }
  const bool special = _mm512_test_epi32_mask(vany, _mm512_set1_epi32(SOFTMAX_T_CLAMP_BIT)) != 0;
  if (SOFTMAX_UNLIKELY(special)) {
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = softmax_avx512f_clamp_t(vt[v]); }
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(_mm512_set1_ps(poly.c[0]), vt[v], _mm512_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(vp[v], vt[v], _mm512_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(vp[v], vt[v], _mm512_set1_ps(poly.c[3])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(vp[v], vt[v], _mm512_set1_ps(poly.c[4])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(vp[v], vt[v], _mm512_set1_ps(poly.c[5])); }
  return special;
}

// The same with the plain polynomial: vp[v] * 2^vn[v] = exp(vx[v]).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F bool softmax_avx512f_extexp_block(const __m512* vx, __m512* vp, __m512* vn, const size_t V) {
  return softmax_avx512f_extexp_block_poly(vx, vp, vn, V, softmax_exp_poly_times(1.0f));
}

// One vector: the heads, tails and single-vector loops of the kernels.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_extexp(__m512 vx, __m512* vexponent) {
  __m512 vp;
  softmax_avx512f_extexp_block(&vx, &vp, vexponent, 1);
  return vp;
}

// Exponent deltas feed VSCALEFPS, which maps -inf to a zero scale but NaN to NaN; NaN deltas arise
// from -inf - -inf (no finite input yet) and must scale to 0 like -inf. VMAXPS returns its second
// operand for NaN. (VSCALEFPS is not relied on to propagate a NaN mantissa: Intel's table of special
// cases gives scalef(NaN, -inf) = 0.)
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_delta(__m512 va, __m512 vb) {
  return _mm512_max_ps(_mm512_sub_ps(va, vb), _mm512_set1_ps(-INFINITY));
}

#endif  // SOFTMAX_EXP_AVX512F_H
