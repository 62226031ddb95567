// AVX2+FMA extended-range exp (two-pass: raddextexp, vscaleextexp) with a 16-entry table (method lut16p3,
// exp_method.h) or a 64-entry one read by a gather (lut64p2), and the per-method dispatch the two-pass
// templates call. The derivation, the no-overflow argument and the accuracy bound are in docs/exp-kernels.md;
// the constants in exp_lut_constants.h.
#ifndef SOFTMAX_EXTEXP_LUT_AVX2_H
#define SOFTMAX_EXTEXP_LUT_AVX2_H

#include "exp_avx2.h"
#include "exp_method.h"

// T[i & 15] = 2^((i & 15)/16) for the integer lanes vi: two 8-entry VPERMPS (each reads the low 3 bits)
// and a blend on bit 3 (shifted into the sign bit, which VBLENDVPS reads), as softmax_avx2_lut16_pow2.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_lut16_lookup(__m256i vi, __m256 vtable_lo, __m256 vtable_hi) {
  const __m256 vlo = _mm256_permutevar8x32_ps(vtable_lo, vi);
  const __m256 vhi = _mm256_permutevar8x32_ps(vtable_hi, vi);
  return _mm256_blendv_ps(vlo, vhi, _mm256_castsi256_ps(_mm256_slli_epi32(vi, 28)));
}

// The lanes with |x| >= 2^24 take their exponent as round(x * log2e), in blocks with a special lane: see
// softmax_avx2_lut16p3_extexp_block_poly, whose argument holds for 64 entries as well (float(x * 64/ln2)
// is 4 * float(x * 16/ln2), so floor(n/64) is float(x * log2e) while both are finite).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_extexp_huge_exponents(const __m256* vx, __m256* vn, const size_t V) {
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    const __m256 vhuge = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), vx[v]), _mm256_set1_ps(0x1p24f), _CMP_GE_OQ);
    const __m256 vw = _mm256_round_ps(_mm256_mul_ps(vx[v], _mm256_set1_ps(SOFTMAX_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    vn[v] = _mm256_blendv_ps(vn[v], vw, vhuge);
  }
}

// vp[v] * 2^vn[v] = exp(vx[v]) for every float, by lut16p3: n = round(x * 16/ln2) (x is unbounded, so
// VROUNDPS rather than the magic bias), t = x - n*ln2/16 by the two-constant reduction, the pair
// (p(t) * T[n mod 16], floor(n/16)); poly = softmax_extexp_poly_for(lut16p3, m) gives m times the mantissa.
// t is clamped to +-SOFTMAX_LUT16P3_EXT_T_MAX in every lane (a no-op for |x| below about 2^19.5; NaN t,
// from infinite and NaN inputs, becomes -T_MAX, as VMAXPS returns its second operand for NaN), so the
// mantissa is finite and in [0.95, 2) for every input: the degree-3 polynomial, unlike the paper's
// degree 5, turns negative below t = -1.6, which the paper's clamp at |t| >= 2 would let through.
// Returns whether any lane was special (|t| >= 2 or NaN before the clamp: NaN and infinite inputs and
// huge finite ones), as softmax_avx2_extexp_block_poly does; in such blocks the lanes with |x| >= 2^24
// take floor(n/16) as round(x * log2e), which is the same integer while x * 16/ln2 is finite (both are
// float(x * log2e) then) and stays finite beyond FLT_MAX * ln2/16, where x * 16/ln2 overflows.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 bool softmax_avx2_lut16p3_extexp_block_poly(const __m256* vx, __m256* vp, __m256* vn, const size_t V,
                                                                               const softmax_exp_poly poly) {
  const __m256 vtable_lo = _mm256_loadu_ps((const float*)&softmax_lut16_pow2_table[0]);
  const __m256 vtable_hi = _mm256_loadu_ps((const float*)&softmax_lut16_pow2_table[8]);
  __m256 vt[SOFTMAX_MAX_VECTORS], vs[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm256_round_ps(_mm256_mul_ps(vx[v], _mm256_set1_ps(SOFTMAX_LUT16_LOG2E_X16)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT16_MINUS_LN2_HI_OVER16), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT16_MINUS_LN2_LO_OVER16), vt[v]); }
  __m256i vany = _mm256_castps_si256(vt[0]);
  SOFTMAX_UNROLL for (size_t v = 1; v < V; v++) { vany = _mm256_or_si256(vany, _mm256_castps_si256(vt[v])); }
  const bool special = !_mm256_testz_si256(vany, _mm256_set1_epi32(SOFTMAX_T_CLAMP_BIT));
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vt[v] = _mm256_min_ps(_mm256_max_ps(vt[v], _mm256_set1_ps(-SOFTMAX_LUT16P3_EXT_T_MAX)), _mm256_set1_ps(SOFTMAX_LUT16P3_EXT_T_MAX));
  }
  // n mod 16 from the integer n (truncation of an integer float is exact; beyond 2^31 and for +-inf and
  // NaN it gives 0x80000000, index 0).
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vs[v] = softmax_avx2_lut16_lookup(_mm256_cvttps_epi32(vn[v]), vtable_lo, vtable_hi); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm256_round_ps(_mm256_mul_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT16_ONE_OVER16)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  }
  if (SOFTMAX_UNLIKELY(special)) { softmax_avx2_extexp_huge_exponents(vx, vn, V); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(_mm256_set1_ps(poly.c[0]), vt[v], _mm256_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(vp[v], vt[v], _mm256_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(vp[v], vt[v], _mm256_set1_ps(poly.c[3])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_mul_ps(vp[v], vs[v]); }
  return special;
}

// vp[v] * 2^vn[v] = exp(vx[v]) for every float by lut64p2: lut16p3's operations with n = round(x * 64/ln2),
// t = x - n*ln2/64, the pair (p(t) * T[n mod 64], floor(n/64)) and T[j] = 2^(j/64) read by one VPGATHERDD
// (index masked to n's low 6 bits: the gather reads all 32). poly = softmax_extexp_poly_for(lut64p2, m),
// degree 2. t is clamped to +-SOFTMAX_LUT64P2_EXT_T_MAX, which holds every t up to the accurate limit and
// keeps the mantissa in [0.98, 2) for every input (exp_lut_constants.h). Returns whether any lane was special.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 bool softmax_avx2_lut64p2_extexp_block_poly(const __m256* vx, __m256* vp, __m256* vn, const size_t V,
                                                                               const softmax_exp_poly poly) {
  __m256 vt[SOFTMAX_MAX_VECTORS], vs[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm256_round_ps(_mm256_mul_ps(vx[v], _mm256_set1_ps(SOFTMAX_LUT64_LOG2E_X64)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT64_MINUS_LN2_HI_OVER64), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT64_MINUS_LN2_LO_OVER64), vt[v]); }
  __m256i vany = _mm256_castps_si256(vt[0]);
  SOFTMAX_UNROLL for (size_t v = 1; v < V; v++) { vany = _mm256_or_si256(vany, _mm256_castps_si256(vt[v])); }
  const bool special = !_mm256_testz_si256(vany, _mm256_set1_epi32(SOFTMAX_T_CLAMP_BIT));
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vt[v] = _mm256_min_ps(_mm256_max_ps(vt[v], _mm256_set1_ps(-SOFTMAX_LUT64P2_EXT_T_MAX)), _mm256_set1_ps(SOFTMAX_LUT64P2_EXT_T_MAX));
  }
  // n mod 64 from the integer n, as lut16p3's n mod 16 (0x80000000, index 0, beyond 2^31 and for inf and NaN).
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    const __m256i vindex = _mm256_and_si256(_mm256_cvttps_epi32(vn[v]), _mm256_set1_epi32(63));
    vs[v] = _mm256_i32gather_ps((const float*)softmax_lut64_pow2_table, vindex, sizeof(float));
  }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vn[v] = _mm256_round_ps(_mm256_mul_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT64_ONE_OVER64)), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  }
  if (SOFTMAX_UNLIKELY(special)) { softmax_avx2_extexp_huge_exponents(vx, vn, V); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(_mm256_set1_ps(poly.c[0]), vt[v], _mm256_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_fmadd_ps(vp[v], vt[v], _mm256_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm256_mul_ps(vp[v], vs[v]); }
  return special;
}

// vp[v] * 2^vn[v] = m * exp(vx[v]) by method E, poly = softmax_extexp_poly_for(E, m); returns whether any
// lane was special (see softmax_avx2_extexp_block_poly). The method is a compile-time constant of each
// kernel, so the dispatch folds away.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 bool softmax_avx2_extexp_block_for(const softmax_exp_method E, const __m256* vx, __m256* vp, __m256* vn,
                                                                     const size_t V, const softmax_exp_poly poly) {
  if (E == softmax_exp_lut16p3) { return softmax_avx2_lut16p3_extexp_block_poly(vx, vp, vn, V, poly); }
  if (E == softmax_exp_lut64p2) { return softmax_avx2_lut64p2_extexp_block_poly(vx, vp, vn, V, poly); }
  return softmax_avx2_extexp_block_poly(vx, vp, vn, V, poly);
}

// One vector with the plain polynomial: the tails and single-vector loops of raddextexp.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_extexp_for(const softmax_exp_method E, __m256 vx, __m256* vexponent) {
  __m256 vp;
  softmax_avx2_extexp_block_for(E, &vx, &vp, vexponent, 1, softmax_extexp_poly_for(E, 1.0f));
  return vp;
}

#endif  // SOFTMAX_EXTEXP_LUT_AVX2_H
