// RADDEXTEXP for AVX512F: sum of exp(x) as (mantissa, exponent) pairs, A accumulators, V vectors per
// iteration; powers of two applied with VSCALEFPS. The identity is the one in raddextexp_avx2.c.
// E: the exp method (exp_method.h; lut16p3 and lut64p2: extexp_lut_avx512f.h).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/extexp_lut_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void raddextexp_avx512f_accumulate(__m512* vaccm, __m512* vacce, __m512 vp,
                                                                        __m512 vn) {
  const __m512 vmax_e = _mm512_max_ps(*vacce, vn);
  *vaccm = _mm512_scalef_ps(*vaccm, softmax_avx512f_delta(*vacce, vmax_e));
  *vaccm = _mm512_add_ps(*vaccm, _mm512_scalef_ps(vp, softmax_avx512f_delta(vn, vmax_e)));
  *vacce = vmax_e;
}

// Merges the accumulators' lanes in vectors, as raddextexp_avx2_merge does.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F softmax_extfloat raddextexp_avx512f_merge(const __m512* vaccm, const __m512* vacce,
                                                                               const size_t A, bool saw_nan) {
  __m512 vmax_e = _mm512_set1_ps(-INFINITY);
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vmax_e = _mm512_max_ps(vacce[a], vmax_e); }
  const float max_e = _mm512_reduce_max_ps(vmax_e);
  vmax_e = _mm512_set1_ps(max_e);
  __m512 vsum = _mm512_setzero_ps();
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vsum = _mm512_add_ps(vsum, _mm512_scalef_ps(vaccm[a], softmax_avx512f_delta(vacce[a], vmax_e)));
  }
  return (softmax_extfloat){saw_nan ? NAN : _mm512_reduce_add_ps(vsum), max_e};
}

// Full blocks of V vectors from *x on. CAREFUL: exponent deltas go through softmax_avx512f_delta, which
// maps the NaN of inf - inf to -inf. Without CAREFUL they are plain differences, and the loop returns at
// the first block with a special lane (an infinite, NaN or huge input) without accumulating it, for the
// careful loop to take from there: before such a block every exponent is finite or the initial -inf and
// every max_e finite, so no difference is NaN and both ways agree bit for bit; from it on, an exponent may
// be infinite. The careful delta costs a VMAXPS per vector and per accumulator, which the authors' kernels
// do not spend, so it runs only from the first special block on (docs/kernels.md, "What was tried for
// speed").
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void raddextexp_avx512f_blocks(size_t* n, const float** x, __m512* vaccm, __m512* vacce,
                                                                    __mmask16* vnan, const size_t V, const size_t A,
                                                                    const size_t PF, const softmax_exp_method E,
                                                                    const softmax_exp_poly poly, const bool CAREFUL) {
  for (; *n >= V * 16; *n -= V * 16, *x += V * 16) {
    softmax_prefetch(*x, V * 64, PF);
    __m512 vx[SOFTMAX_MAX_VECTORS], vp[SOFTMAX_MAX_VECTORS], vn[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm512_loadu_ps(*x + 16 * v); }
    // Both methods flag a block with an infinite, NaN or huge input (some |t| >= 2 or NaN), the only
    // blocks whose exponents can be infinite or NaN.
    const bool special = softmax_avx512f_extexp_block_for(E, vx, vp, vn, V, poly);
    if (!CAREFUL && SOFTMAX_UNLIKELY(special)) { return; }
    // Only a block with special lanes can hold a NaN input. n = round(x * log2e) is NaN exactly where x is
    // (an infinite or huge x gives an infinite n): testing n rather than x lets x die once t is formed,
    // where keeping the V inputs alive for this test spilled registers and reloaded constants every block.
    if (SOFTMAX_UNLIKELY(special)) {
      SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { *vnan = _kor_mask16(*vnan, _mm512_cmp_ps_mask(vn[v], vn[v], _CMP_UNORD_Q)); }
    }
    __m512 vmax_e[SOFTMAX_MAX_ACCUMULATORS];
    SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vmax_e[a] = vacce[a]; }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vmax_e[v % A] = _mm512_max_ps(vmax_e[v % A], vn[v]); }
    SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
      const __m512 vdelta = CAREFUL ? softmax_avx512f_delta(vacce[a], vmax_e[a]) : _mm512_sub_ps(vacce[a], vmax_e[a]);
      vaccm[a] = _mm512_scalef_ps(vaccm[a], vdelta);
      vacce[a] = vmax_e[a];
    }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      const __m512 vdelta = CAREFUL ? softmax_avx512f_delta(vn[v], vmax_e[v % A]) : _mm512_sub_ps(vn[v], vmax_e[v % A]);
      vaccm[v % A] = _mm512_add_ps(vaccm[v % A], _mm512_scalef_ps(vp[v], vdelta));
    }
  }
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F softmax_extfloat raddextexp_avx512f(size_t n, const float* x, const size_t V,
                                                                         const size_t A, const size_t PF, const softmax_exp_method E) {
  const softmax_exp_poly poly = softmax_extexp_poly_for(E, 1.0f);
  __m512 vaccm[SOFTMAX_MAX_ACCUMULATORS];
  __m512 vacce[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vaccm[a] = _mm512_setzero_ps();
    vacce[a] = _mm512_set1_ps(-INFINITY);
  }
  // NaN inputs are flagged here rather than carried in the mantissas (see softmax_avx2_extexp).
  __mmask16 vnan = 0;
  raddextexp_avx512f_blocks(&n, &x, vaccm, vacce, &vnan, V, A, PF, E, poly, false);
  raddextexp_avx512f_blocks(&n, &x, vaccm, vacce, &vnan, V, A, PF, E, poly, true);
  for (; n >= 16; n -= 16, x += 16) {
    const __m512 vx = _mm512_loadu_ps(x);
    vnan = _kor_mask16(vnan, _mm512_cmp_ps_mask(vx, vx, _CMP_UNORD_Q));
    __m512 vn;
    const __m512 vp = softmax_avx512f_extexp_for(E, vx, &vn);
    raddextexp_avx512f_accumulate(&vaccm[0], &vacce[0], vp, vn);
  }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    const __m512 vx = _mm512_maskz_loadu_ps(vmask, x);
    vnan = _kor_mask16(vnan, _mm512_cmp_ps_mask(vx, vx, _CMP_UNORD_Q));
    __m512 vn;
    __m512 vp = softmax_avx512f_extexp_for(E, vx, &vn);
    vp = _mm512_maskz_mov_ps(vmask, vp);
    vn = _mm512_mask_mov_ps(_mm512_set1_ps(-INFINITY), vmask, vn);
    raddextexp_avx512f_accumulate(&vaccm[0], &vacce[0], vp, vn);
  }
  return raddextexp_avx512f_merge(vaccm, vacce, A, _cvtmask16_u32(vnan) != 0);
}

#define SOFTMAX_EXPANDS_raddextexp_avx512f SOFTMAX_PROBE
#define KERNEL_raddextexp_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(raddextexp, avx512f, variant, 0, 1, 1) \
  SOFTMAX_EXTEXP_METHOD_IMPLEMENTED(raddextexp, avx512f, variant) \
  SOFTMAX_TARGET_AVX512F softmax_extfloat SOFTMAX_KERNEL_NAME(raddextexp, avx512f, tile, acc, variant)(size_t n, \
                                                                                             const float* x) { \
    return raddextexp_avx512f(n, x, (tile) / 16, acc, SOFTMAX_PF(variant), SOFTMAX_EXP(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
