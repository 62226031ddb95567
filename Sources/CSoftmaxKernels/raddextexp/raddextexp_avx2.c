// RADDEXTEXP for AVX2: sum of exp(x) as (mantissa, exponent) pairs, A accumulators, V vectors per iteration,
// PF: prefetch distance in bytes (0: none), E: the exp method (exp_method.h; lut16p3 and lut64p2: extexp_lut_avx2.h).
//
// Each accumulator lane keeps m * 2^e. Adding terms p_i * 2^n_i uses
//   2^e*m + sum 2^n_i*p_i = 2^e' * (2^(e-e')*m + sum 2^(n_i-e')*p_i),  e' = max(e, n_i...),
// so every scale factor is a power of two <= 1 and nothing overflows, whatever x is.
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/extexp_lut_avx2.h"

#define SOFTMAX_AVX2_GROUP 6

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void raddextexp_avx2_accumulate(__m256* vaccm, __m256* vacce, __m256 vp,
                                                                  __m256 vn) {
  const __m256 vmax_e = _mm256_max_ps(*vacce, vn);
  *vaccm = _mm256_mul_ps(*vaccm, softmax_avx2_pow2_clamped(_mm256_sub_ps(*vacce, vmax_e)));
  *vaccm = _mm256_fmadd_ps(vp, softmax_avx2_pow2_clamped(_mm256_sub_ps(vn, vmax_e)), *vaccm);
  *vacce = vmax_e;
}

// Merges the accumulators' lanes in vectors (a scalar loop over 8 * A lanes costs as much as the whole
// kernel at n = 1000): scale every lane to the largest exponent and sum. NaN exponents (left by a NaN
// input, which saw_nan reports) are skipped by VMAXPS's choice of its second operand.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 softmax_extfloat raddextexp_avx2_merge(const __m256* vaccm, const __m256* vacce,
                                                                         const size_t A, bool saw_nan) {
  __m256 vmax_e = _mm256_set1_ps(-INFINITY);
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vmax_e = _mm256_max_ps(vacce[a], vmax_e); }
  const float max_e = softmax_avx2_hmax(vmax_e);
  vmax_e = _mm256_set1_ps(max_e);
  __m256 vsum = _mm256_setzero_ps();
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vsum = _mm256_fmadd_ps(vaccm[a], softmax_avx2_pow2_clamped(_mm256_sub_ps(vacce[a], vmax_e)), vsum);
  }
  return (softmax_extfloat){saw_nan ? NAN : softmax_avx2_hsum(vsum), max_e};
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 softmax_extfloat raddextexp_avx2(size_t n, const float* x, const size_t V,
                                                                   const size_t A, const size_t PF, const softmax_exp_method E) {
  const softmax_exp_poly poly = softmax_extexp_poly_for(E, 1.0f);
  __m256 vaccm[SOFTMAX_MAX_ACCUMULATORS];
  __m256 vacce[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vaccm[a] = _mm256_setzero_ps();
    vacce[a] = _mm256_set1_ps(-INFINITY);
  }
  // NaN inputs are flagged here rather than carried in the mantissas (see softmax_avx2_extexp).
  __m256 vnan = _mm256_setzero_ps();
  // Each accumulator takes V / A consecutive vectors per iteration and is rescaled once per group of at
  // most 6 of them (groups of equal size, or sizes one apart): a group's exponents and mantissas stay in
  // the 16 registers until the rescale. With one rescale for all 12 vectors of x96 they spilled, which
  // cost more than the extra rescales (docs/kernels.md).
  const size_t VA = V / A;
  const size_t groups = (VA + SOFTMAX_AVX2_GROUP - 1) / SOFTMAX_AVX2_GROUP;  // as equal as they can be
  for (; n >= V * 8; n -= V * 8, x += V * 8) {
    softmax_prefetch(x, V * 32, PF);
    SOFTMAX_UNROLL for (size_t k = 0; k < groups; k++) {
      SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
        const size_t g = k * VA / groups, G = (k + 1) * VA / groups - g;
        const float* xg = x + 8 * (a * VA + g);
        __m256 vx[SOFTMAX_AVX2_GROUP], vp[SOFTMAX_AVX2_GROUP], vn[SOFTMAX_AVX2_GROUP];
        SOFTMAX_UNROLL for (size_t v = 0; v < G; v++) { vx[v] = _mm256_loadu_ps(xg + 8 * v); }
        // Only a block with special lanes can hold a NaN input.
        if (SOFTMAX_UNLIKELY(softmax_avx2_extexp_block_for(E, vx, vp, vn, G, poly))) {
          SOFTMAX_UNROLL for (size_t v = 0; v < G; v++) { vnan = _mm256_or_ps(vnan, _mm256_cmp_ps(vx[v], vx[v], _CMP_UNORD_Q)); }
        }
        // One rescale of the accumulator per group, to the largest exponent among it and the group's terms.
        __m256 vmax_e = vacce[a];
        SOFTMAX_UNROLL for (size_t v = 0; v < G; v++) { vmax_e = _mm256_max_ps(vmax_e, vn[v]); }
        vaccm[a] = _mm256_mul_ps(vaccm[a], softmax_avx2_pow2_clamped(_mm256_sub_ps(vacce[a], vmax_e)));
        vacce[a] = vmax_e;
        SOFTMAX_UNROLL for (size_t v = 0; v < G; v++) {
          vaccm[a] = _mm256_fmadd_ps(vp[v], softmax_avx2_pow2_clamped(_mm256_sub_ps(vn[v], vmax_e)), vaccm[a]);
        }
      }
    }
  }
  for (; n >= 8; n -= 8, x += 8) {
    const __m256 vx = _mm256_loadu_ps(x);
    vnan = _mm256_or_ps(vnan, _mm256_cmp_ps(vx, vx, _CMP_UNORD_Q));
    __m256 vn;
    const __m256 vp = softmax_avx2_extexp_for(E, vx, &vn);
    raddextexp_avx2_accumulate(&vaccm[0], &vacce[0], vp, vn);
  }
  if (n != 0) {
    const __m256 vmask = _mm256_castsi256_ps(softmax_avx2_tail_mask(n));
    const __m256 vx = _mm256_maskload_ps(x, _mm256_castps_si256(vmask));
    vnan = _mm256_or_ps(vnan, _mm256_cmp_ps(vx, vx, _CMP_UNORD_Q));
    __m256 vn;
    __m256 vp = softmax_avx2_extexp_for(E, vx, &vn);
    // Absent lanes are 0 * 2^-inf, which neither adds nor raises the running exponent.
    vp = _mm256_and_ps(vp, vmask);
    vn = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), vn, vmask);
    raddextexp_avx2_accumulate(&vaccm[0], &vacce[0], vp, vn);
  }
  return raddextexp_avx2_merge(vaccm, vacce, A, _mm256_movemask_ps(vnan) != 0);
}

#define SOFTMAX_EXPANDS_raddextexp_avx2 SOFTMAX_PROBE
#define KERNEL_raddextexp_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(raddextexp, avx2, variant, 0, 1, 1) \
  SOFTMAX_EXTEXP_METHOD_IMPLEMENTED(raddextexp, avx2, variant) \
  SOFTMAX_TARGET_AVX2 softmax_extfloat SOFTMAX_KERNEL_NAME(raddextexp, avx2, tile, acc, variant)(size_t n, const float* x) { \
    return raddextexp_avx2(n, x, (tile) / 8, acc, SOFTMAX_PF(variant), SOFTMAX_EXP(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
