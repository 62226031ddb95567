// AVX512F extended-range exp (two-pass) with a 16-entry table (method lut16p3, exp_method.h) or a 64-entry
// one (lut64p2), and the per-method dispatch. The operations are extexp_lut_avx2.h's, with one VPERMPS (it
// reads the index's low 4 bits) for the 16-entry table and one VPGATHERDD for the 64-entry one: the pairs
// are bit-identical to AVX2's.
#ifndef SOFTMAX_EXTEXP_LUT_AVX512F_H
#define SOFTMAX_EXTEXP_LUT_AVX512F_H

#include "exp_avx512f.h"
#include "exp_method.h"

// The lanes with |x| >= 2^24 take their exponent as round(x * log2e): softmax_avx2_extexp_huge_exponents.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void softmax_avx512f_extexp_huge_exponents(const __m512* vx, __m512* vn, const size_t V) {
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    const __mmask16 vhuge = _mm512_cmp_ps_mask(_mm512_abs_ps(vx[v]), _mm512_set1_ps(0x1p24f), _CMP_GE_OQ);
    const __m512 vw = _mm512_roundscale_ps(_mm512_mul_ps(vx[v], _mm512_set1_ps(SOFTMAX_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vn[v] = _mm512_mask_mov_ps(vn[v], vhuge, vw);
  }
}

// vp[v] * 2^vn[v] = exp(vx[v]) for every float by lut16p3, as softmax_avx2_lut16p3_extexp_block_poly
// (which gives the reasoning), step by step across the vectors.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F bool softmax_avx512f_lut16p3_extexp_block_poly(const __m512* vx, __m512* vp, __m512* vn, const size_t V,
                                                                                     const softmax_exp_poly poly) {
  const __m512 vtable = _mm512_loadu_ps((const float*)softmax_lut16_pow2_table);
  __m512 vt[SOFTMAX_MAX_VECTORS], vs[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm512_roundscale_ps(_mm512_mul_ps(vx[v], _mm512_set1_ps(SOFTMAX_LUT16_LOG2E_X16)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm512_fmadd_ps(vn[v], _mm512_set1_ps(SOFTMAX_LUT16_MINUS_LN2_HI_OVER16), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm512_fmadd_ps(vn[v], _mm512_set1_ps(SOFTMAX_LUT16_MINUS_LN2_LO_OVER16), vt[v]); }
  __m512i vany = _mm512_castps_si512(vt[0]);
  SOFTMAX_UNROLL for (size_t v = 1; v < V; v++) { vany = _mm512_or_si512(vany, _mm512_castps_si512(vt[v])); }
  const bool special = _mm512_test_epi32_mask(vany, _mm512_set1_epi32(SOFTMAX_T_CLAMP_BIT)) != 0;
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vt[v] = _mm512_min_ps(_mm512_max_ps(vt[v], _mm512_set1_ps(-SOFTMAX_LUT16P3_EXT_T_MAX)), _mm512_set1_ps(SOFTMAX_LUT16P3_EXT_T_MAX));
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vs[v] = _mm512_permutexvar_ps(_mm512_cvttps_epi32(vn[v]), vtable); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm512_roundscale_ps(_mm512_mul_ps(vn[v], _mm512_set1_ps(SOFTMAX_LUT16_ONE_OVER16)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  }
  if (SOFTMAX_UNLIKELY(special)) { softmax_avx512f_extexp_huge_exponents(vx, vn, V); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(_mm512_set1_ps(poly.c[0]), vt[v], _mm512_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(vp[v], vt[v], _mm512_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(vp[v], vt[v], _mm512_set1_ps(poly.c[3])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_mul_ps(vp[v], vs[v]); }
  return special;
}

// vp[v] * 2^vn[v] = exp(vx[v]) for every float by lut64p2, as softmax_avx2_lut64p2_extexp_block_poly (which
// gives the reasoning), step by step across the vectors.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F bool softmax_avx512f_lut64p2_extexp_block_poly(const __m512* vx, __m512* vp, __m512* vn, const size_t V,
                                                                                     const softmax_exp_poly poly) {
  __m512 vt[SOFTMAX_MAX_VECTORS], vs[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm512_roundscale_ps(_mm512_mul_ps(vx[v], _mm512_set1_ps(SOFTMAX_LUT64_LOG2E_X64)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm512_fmadd_ps(vn[v], _mm512_set1_ps(SOFTMAX_LUT64_MINUS_LN2_HI_OVER64), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm512_fmadd_ps(vn[v], _mm512_set1_ps(SOFTMAX_LUT64_MINUS_LN2_LO_OVER64), vt[v]); }
  __m512i vany = _mm512_castps_si512(vt[0]);
  SOFTMAX_UNROLL for (size_t v = 1; v < V; v++) { vany = _mm512_or_si512(vany, _mm512_castps_si512(vt[v])); }
  const bool special = _mm512_test_epi32_mask(vany, _mm512_set1_epi32(SOFTMAX_T_CLAMP_BIT)) != 0;
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vt[v] = _mm512_min_ps(_mm512_max_ps(vt[v], _mm512_set1_ps(-SOFTMAX_LUT64P2_EXT_T_MAX)), _mm512_set1_ps(SOFTMAX_LUT64P2_EXT_T_MAX));
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    const __m512i vindex = _mm512_and_si512(_mm512_cvttps_epi32(vn[v]), _mm512_set1_epi32(63));
    vs[v] = _mm512_i32gather_ps(vindex, (const void*)softmax_lut64_pow2_table, sizeof(float));
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm512_roundscale_ps(_mm512_mul_ps(vn[v], _mm512_set1_ps(SOFTMAX_LUT64_ONE_OVER64)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  }
  if (SOFTMAX_UNLIKELY(special)) { softmax_avx512f_extexp_huge_exponents(vx, vn, V); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(_mm512_set1_ps(poly.c[0]), vt[v], _mm512_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_fmadd_ps(vp[v], vt[v], _mm512_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_mul_ps(vp[v], vs[v]); }
  return special;
}

// vp[v] * 2^vn[v] = m * exp(vx[v]) by method E, poly = softmax_extexp_poly_for(E, m), as
// softmax_avx2_extexp_block_for.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F bool softmax_avx512f_extexp_block_for(const softmax_exp_method E, const __m512* vx, __m512* vp,
                                                                           __m512* vn, const size_t V, const softmax_exp_poly poly) {
  if (E == softmax_exp_lut16p3) { return softmax_avx512f_lut16p3_extexp_block_poly(vx, vp, vn, V, poly); }
  if (E == softmax_exp_lut64p2) { return softmax_avx512f_lut64p2_extexp_block_poly(vx, vp, vn, V, poly); }
  return softmax_avx512f_extexp_block_poly(vx, vp, vn, V, poly);
}

// One vector with the plain polynomial: the tails and single-vector loops of raddextexp.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_extexp_for(const softmax_exp_method E, __m512 vx, __m512* vexponent) {
  __m512 vp;
  softmax_avx512f_extexp_block_for(E, &vx, &vp, vexponent, 1, softmax_extexp_poly_for(E, 1.0f));
  return vp;
}

#endif  // SOFTMAX_EXTEXP_LUT_AVX512F_H
