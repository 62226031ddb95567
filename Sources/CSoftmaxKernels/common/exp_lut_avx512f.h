// AVX512F exp with a 16-entry table (method lut16p3, exp_method.h) or a 64-entry one (lut64p2), and the
// per-method dispatch. The operations are exp_lut_avx2.h's, with one VPERMPS (it reads the index's low 4
// bits) for the 16-entry table and one VPGATHERDD for the 64-entry one: results are bit-identical to
// AVX2's kernels of the same method. (Unlike the paper's method, powers of two are not
// applied with VSCALEFPS here: the table entry and floor(n/16) are combined with one integer add.)
#ifndef SOFTMAX_EXP_LUT_AVX512F_H
#define SOFTMAX_EXP_LUT_AVX512F_H

#include "exp_avx512f.h"
#include "exp_method.h"

// m * exp(vx) for vx = x - max <= 0, poly = softmax_exp_poly_for(lut16p3, m); 0 below the normal range.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_lut16p3_minus_max_poly(__m512 vx, const softmax_exp_poly poly) {
  const __m512 vmagic_bias = _mm512_set1_ps(SOFTMAX_LUT16_MAGIC_BIAS);
  const __m512 vtable = _mm512_loadu_ps((const float*)softmax_lut16_table);
  __m512 vn = _mm512_fmadd_ps(vx, _mm512_set1_ps(SOFTMAX_LUT16_LOG2E_X16), vmagic_bias);
  const __m512i vbits = _mm512_castps_si512(vn);
  const __m512 vl = _mm512_permutexvar_ps(vbits, vtable);
  const __m512 vs = _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(vl), _mm512_slli_epi32(vbits, 19)));
  vn = _mm512_sub_ps(vn, vmagic_bias);
  __m512 vt = _mm512_fmadd_ps(vn, _mm512_set1_ps(SOFTMAX_LUT16_MINUS_LN2_HI_OVER16), vx);
  vt = _mm512_fmadd_ps(vn, _mm512_set1_ps(SOFTMAX_LUT16_MINUS_LN2_LO_OVER16), vt);
  __m512 vp = _mm512_fmadd_ps(_mm512_set1_ps(poly.c[0]), vt, _mm512_set1_ps(poly.c[1]));
  vp = _mm512_fmadd_ps(vp, vt, _mm512_set1_ps(poly.c[2]));
  vp = _mm512_fmadd_ps(vp, vt, _mm512_set1_ps(poly.c[3]));
  const __mmask16 vnormal = _mm512_cmp_ps_mask(vx, _mm512_set1_ps(SOFTMAX_DENORMAL_CUTOFF), _CMP_NLT_UQ);
  return _mm512_maskz_mul_ps(vnormal, vp, vs);
}

// T[n mod 64] for the magic-biased vn's bits: with PERMUTE, two two-table permutes (VPERMT2D/VPERMI2D,
// each reads the index's low 5 bits and picks from two of the four registers holding the table) and a
// blend on bit 5 (tested into a mask register); otherwise one VPGATHERDD with the index masked to 6 bits.
// The same entry either way.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512i softmax_avx512f_lut64_entry(__m512i vbits, const bool PERMUTE) {
  if (PERMUTE) {
    const __m512i vt0 = _mm512_loadu_si512((const void*)&softmax_lut64_table[0]);
    const __m512i vt1 = _mm512_loadu_si512((const void*)&softmax_lut64_table[16]);
    const __m512i vt2 = _mm512_loadu_si512((const void*)&softmax_lut64_table[32]);
    const __m512i vt3 = _mm512_loadu_si512((const void*)&softmax_lut64_table[48]);
    const __m512i vlo = _mm512_permutex2var_epi32(vt0, vbits, vt1);
    const __m512i vhi = _mm512_permutex2var_epi32(vt2, vbits, vt3);
    return _mm512_mask_blend_epi32(_mm512_test_epi32_mask(vbits, _mm512_set1_epi32(32)), vlo, vhi);
  }
  const __m512i vindex = _mm512_and_si512(vbits, _mm512_set1_epi32(63));
  return _mm512_i32gather_epi32(vindex, (const void*)softmax_lut64_table, sizeof(uint32_t));
}

// m * exp(vx) for vx = x - max <= 0, poly = softmax_exp_poly_for(lut64p2, m); 0 below the normal range.
// softmax_avx2_lut64p2_minus_max_block_poly's operations, the table read by a gather or by permutes.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_lut64p2_minus_max_poly(__m512 vx, const softmax_exp_poly poly,
                                                                                   const bool PERMUTE) {
  const __m512 vmagic_bias = _mm512_set1_ps(SOFTMAX_LUT16_MAGIC_BIAS);
  __m512 vn = _mm512_fmadd_ps(vx, _mm512_set1_ps(SOFTMAX_LUT64_LOG2E_X64), vmagic_bias);
  const __m512i vbits = _mm512_castps_si512(vn);
  const __m512i vl = softmax_avx512f_lut64_entry(vbits, PERMUTE);
  const __m512 vs = _mm512_castsi512_ps(_mm512_add_epi32(vl, _mm512_slli_epi32(vbits, 17)));
  vn = _mm512_sub_ps(vn, vmagic_bias);
  __m512 vt = _mm512_fmadd_ps(vn, _mm512_set1_ps(SOFTMAX_LUT64_MINUS_LN2_HI_OVER64), vx);
  vt = _mm512_fmadd_ps(vn, _mm512_set1_ps(SOFTMAX_LUT64_MINUS_LN2_LO_OVER64), vt);
  __m512 vp = _mm512_fmadd_ps(_mm512_set1_ps(poly.c[0]), vt, _mm512_set1_ps(poly.c[1]));
  vp = _mm512_fmadd_ps(vp, vt, _mm512_set1_ps(poly.c[2]));
  const __mmask16 vnormal = _mm512_cmp_ps_mask(vx, _mm512_set1_ps(SOFTMAX_DENORMAL_CUTOFF), _CMP_NLT_UQ);
  return _mm512_maskz_mul_ps(vnormal, vp, vs);
}

// m * exp(x - max) by method E; poly = softmax_exp_poly_for(E, m).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_expm_poly(const softmax_exp_method E, __m512 vx, const softmax_exp_poly poly) {
  if (E == softmax_exp_lut16p3) { return softmax_avx512f_lut16p3_minus_max_poly(vx, poly); }
  if (E == softmax_exp_lut64p2) { return softmax_avx512f_lut64p2_minus_max_poly(vx, poly, false); }
  if (E == softmax_exp_lut64p2_perm) { return softmax_avx512f_lut64p2_minus_max_poly(vx, poly, true); }
  return softmax_avx512f_exp_minus_max_poly(vx, poly);
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 softmax_avx512f_expm(const softmax_exp_method E, __m512 vx) {
  return softmax_avx512f_expm_poly(E, vx, softmax_exp_poly_for(E, 1.0f));
}

#endif  // SOFTMAX_EXP_LUT_AVX512F_H
