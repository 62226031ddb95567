// AVX2+FMA exp with a 16-entry table (method lut16p3, exp_method.h) or a 64-entry one (lut64p2), and the
// per-method dispatch the kernel templates call. The method is a compile-time constant of each kernel, so the dispatch folds away.
#ifndef SOFTMAX_EXP_LUT_AVX2_H
#define SOFTMAX_EXP_LUT_AVX2_H

#include "exp_avx2.h"
#include "exp_method.h"

// 2^(n/16) for the magic-biased vn = n + 1.5*2^23 (|n| <= 16*126): T[n mod 16] from two 8-entry VPERMPS
// (each reads the index's low 3 bits) and a blend on bit 3 (shifted into the sign bit, which VBLENDVPS
// reads), plus n << 19, which the table's compensation turns into floor(n/16) << 23. Two permutes and a
// blend are 4 instructions with 1-cycle throughput each; a VPGATHERDD would be 2 instructions (index
// mask, gather) but its gather is 8 loads internally: see docs/exp-kernels.md.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_lut16_pow2(__m256 vn, __m256 vtable_lo, __m256 vtable_hi) {
  const __m256i vbits = _mm256_castps_si256(vn);
  const __m256 vlo = _mm256_permutevar8x32_ps(vtable_lo, vbits);
  const __m256 vhi = _mm256_permutevar8x32_ps(vtable_hi, vbits);
  const __m256 vl = _mm256_blendv_ps(vlo, vhi, _mm256_castsi256_ps(_mm256_slli_epi32(vbits, 28)));
  return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(vl), _mm256_slli_epi32(vbits, 19)));
}

// vf[v] = m * exp(vx[v]) for vx = x - max <= 0, poly = softmax_exp_poly_for(lut16p3, m); 0 below the normal
// range. Staged across the vectors as softmax_avx2_exp_minus_max_block_poly.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_lut16p3_minus_max_block_poly(const __m256* vx, __m256* vf, const size_t V,
                                                                                const softmax_exp_poly poly) {
  const __m256 vmagic_bias = _mm256_set1_ps(SOFTMAX_LUT16_MAGIC_BIAS);
  const __m256 vtable_lo = _mm256_loadu_ps((const float*)&softmax_lut16_table[0]);
  const __m256 vtable_hi = _mm256_loadu_ps((const float*)&softmax_lut16_table[8]);
  __m256 vn[SOFTMAX_MAX_VECTORS], vt[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vx[v], _mm256_set1_ps(SOFTMAX_LUT16_LOG2E_X16), vmagic_bias); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vf[v] = softmax_avx2_lut16_pow2(vn[v], vtable_lo, vtable_hi); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_sub_ps(vn[v], vmagic_bias); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT16_MINUS_LN2_HI_OVER16), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT16_MINUS_LN2_LO_OVER16), vt[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(_mm256_set1_ps(poly.c[0]), vt[v], _mm256_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vn[v], vt[v], _mm256_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vn[v], vt[v], _mm256_set1_ps(poly.c[3])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vf[v] = _mm256_mul_ps(vn[v], vf[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vf[v] = _mm256_andnot_ps(_mm256_cmp_ps(vx[v], _mm256_set1_ps(SOFTMAX_DENORMAL_CUTOFF), _CMP_LT_OQ), vf[v]);
  }
}

// 2^(n/64) for the magic-biased vn = n + 1.5*2^23 (|n| <= 64*126): T[n mod 64] by one VPGATHERDD, whose
// index is masked to n's low 6 bits (a gather reads all 32), plus n << 17, which the table's compensation
// turns into floor(n/64) << 23. By source operations the lookup is 2 (mask, gather) against lut16p3's 4,
// but the gather is 8 loads inside the core: docs/exp-kernels.md.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_lut64_pow2(__m256 vn) {
  const __m256i vbits = _mm256_castps_si256(vn);
  const __m256i vindex = _mm256_and_si256(vbits, _mm256_set1_epi32(63));
  const __m256i vl = _mm256_i32gather_epi32((const int*)softmax_lut64_table, vindex, sizeof(uint32_t));
  return _mm256_castsi256_ps(_mm256_add_epi32(vl, _mm256_slli_epi32(vbits, 17)));
}

// vf[v] = m * exp(vx[v]) for vx = x - max <= 0, poly = softmax_exp_poly_for(lut64p2, m); 0 below the normal
// range. The operations of softmax_avx2_lut16p3_minus_max_block_poly with the 64-entry table, the
// reduction's constants divided by 64, and one FMA less in the polynomial.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_lut64p2_minus_max_block_poly(const __m256* vx, __m256* vf, const size_t V,
                                                                                const softmax_exp_poly poly) {
  const __m256 vmagic_bias = _mm256_set1_ps(SOFTMAX_LUT16_MAGIC_BIAS);
  __m256 vn[SOFTMAX_MAX_VECTORS], vt[SOFTMAX_MAX_VECTORS];
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vx[v], _mm256_set1_ps(SOFTMAX_LUT64_LOG2E_X64), vmagic_bias); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vf[v] = softmax_avx2_lut64_pow2(vn[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_sub_ps(vn[v], vmagic_bias); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT64_MINUS_LN2_HI_OVER64), vx[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vt[v] = _mm256_fmadd_ps(vn[v], _mm256_set1_ps(SOFTMAX_LUT64_MINUS_LN2_LO_OVER64), vt[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(_mm256_set1_ps(poly.c[0]), vt[v], _mm256_set1_ps(poly.c[1])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm256_fmadd_ps(vn[v], vt[v], _mm256_set1_ps(poly.c[2])); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vf[v] = _mm256_mul_ps(vn[v], vf[v]); }
  SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
    vf[v] = _mm256_andnot_ps(_mm256_cmp_ps(vx[v], _mm256_set1_ps(SOFTMAX_DENORMAL_CUTOFF), _CMP_LT_OQ), vf[v]);
  }
}

// m * exp(x - max) by method E for V vectors; poly = softmax_exp_poly_for(E, m).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_expm_block_poly(const softmax_exp_method E, const __m256* vx, __m256* vf,
                                                                   const size_t V, const softmax_exp_poly poly) {
  if (E == softmax_exp_lut16p3) {
    softmax_avx2_lut16p3_minus_max_block_poly(vx, vf, V, poly);
  } else if (E == softmax_exp_lut64p2) {
    softmax_avx2_lut64p2_minus_max_block_poly(vx, vf, V, poly);
  } else {
    softmax_avx2_exp_minus_max_block_poly(vx, vf, V, poly);
  }
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void softmax_avx2_expm_block(const softmax_exp_method E, const __m256* vx, __m256* vf, const size_t V) {
  softmax_avx2_expm_block_poly(E, vx, vf, V, softmax_exp_poly_for(E, 1.0f));
}

// One vector: exp(vx) for vx = x - max <= 0 by method E.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 softmax_avx2_expm(const softmax_exp_method E, __m256 vx) {
  __m256 vf;
  softmax_avx2_expm_block(E, &vx, &vf, 1);
  return vf;
}

#endif  // SOFTMAX_EXP_LUT_AVX2_H
