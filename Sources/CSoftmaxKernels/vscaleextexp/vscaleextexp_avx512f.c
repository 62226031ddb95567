// VSCALEEXTEXP for AVX512F: y = exp(x) * scale.mantissa * 2^scale.exponent, V vectors per iteration;
// the power of two is applied with VSCALEFPS. See vscaleextexp_avx2.c for why nothing overflows.
// NT: streaming stores for the 64-byte aligned body of y; PF: prefetch distance in bytes (0: none); E: the
// exp method (exp_method.h; lut16p3 and lut64p2: extexp_lut_avx512f.h).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/extexp_lut_avx512f.h"

// poly: the polynomial times the scale's mantissa, as in vscaleextexp_avx2_one; with SEPARATE (see
// vscaleextexp_avx512f_body) the plain polynomial, times vscale_m.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 vscaleextexp_avx512f_one(const softmax_exp_method E, __m512 vx, const softmax_exp_poly poly,
                                                                     __m512 vscale_e, const bool SEPARATE, __m512 vscale_m) {
  __m512 vp, vn;
  softmax_avx512f_extexp_block_for(E, &vx, &vp, &vn, 1, poly);
  // A NaN delta (NaN input, or the inf - inf of an all -inf row) gives NaN, as the algorithm promises;
  // -inf gives 0.
  const __m512 vf = _mm512_scalef_ps(vp, _mm512_add_ps(vn, vscale_e));
  return SEPARATE ? _mm512_mul_ps(vf, vscale_m) : vf;
}

// SEPARATE: multiply by the mantissa after the power of two instead of inside the polynomial, for a
// mantissa that is not finite (the NaN of a NaN input, the inf of an all -inf or a +inf row). Inside the
// polynomial it makes the mantissa NaN, and VSCALEFPS(NaN, -inf) is +0 (Intel's table of special cases;
// seen on Zen 4): a row with a NaN and a +inf or a finite input beyond FLT_MAX * ln2, whose sum's exponent
// is +inf, came out 0 everywhere but at the NaN. After the power of two, 0 * NaN and 0 * inf are NaN:
// every output of such a row is NaN, as it must be.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscaleextexp_avx512f_body(size_t n, const float* x, float* y, softmax_extfloat scale,
                                                                    const size_t V, const bool NT, const size_t PF,
                                                                    const bool SEPARATE, const softmax_exp_method E) {
  const softmax_exp_poly poly = softmax_extexp_poly_for(E, SEPARATE ? 1.0f : scale.mantissa);
  const __m512 vscale_m = _mm512_set1_ps(scale.mantissa);
  const __m512 vscale_e = _mm512_set1_ps(scale.exponent);
  if (NT) {
    // The elements before y's first 64-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 64, n);
    if (head != 0) {
      const __mmask16 vmask = softmax_avx512f_tail_mask(head);
      _mm512_mask_storeu_ps(y, vmask, vscaleextexp_avx512f_one(E, _mm512_maskz_loadu_ps(vmask, x), poly, vscale_e, SEPARATE, vscale_m));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 16; n -= V * 16, x += V * 16, y += V * 16) {
    softmax_prefetch(x, V * 64, PF);
    __m512 vx[SOFTMAX_MAX_VECTORS], vp[SOFTMAX_MAX_VECTORS], vn[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm512_loadu_ps(x + 16 * v); }
    // As vscaleextexp_avx512f_one, step by step across the vectors.
    softmax_avx512f_extexp_block_for(E, vx, vp, vn, V, poly);
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm512_add_ps(vn[v], vscale_e); }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_scalef_ps(vp[v], vn[v]); }
    if (SEPARATE) {
      SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_mul_ps(vp[v], vscale_m); }
    }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { softmax_avx512f_store(y + 16 * v, vp[v], NT); }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    softmax_avx512f_store(y, vscaleextexp_avx512f_one(E, _mm512_loadu_ps(x), poly, vscale_e, SEPARATE, vscale_m), NT);
  }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, vscaleextexp_avx512f_one(E, _mm512_maskz_loadu_ps(vmask, x), poly, vscale_e, SEPARATE, vscale_m));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscaleextexp_avx512f(size_t n, const float* x, float* y,
                                                               softmax_extfloat scale, const size_t V, const bool NT,
                                                               const size_t PF, const softmax_exp_method E) {
  scale = softmax_extfloat_normalized(scale);
  if (SOFTMAX_LIKELY(isfinite(scale.mantissa))) {
    vscaleextexp_avx512f_body(n, x, y, scale, V, NT, PF, false, E);
  } else {
    vscaleextexp_avx512f_body(n, x, y, scale, V, NT, PF, true, E);
  }
}

#define SOFTMAX_EXPANDS_vscaleextexp_avx512f SOFTMAX_PROBE
#define KERNEL_vscaleextexp_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(vscaleextexp, avx512f, variant, 1, 1, 1) \
  SOFTMAX_EXTEXP_METHOD_IMPLEMENTED(vscaleextexp, avx512f, variant) \
  SOFTMAX_TARGET_AVX512F void SOFTMAX_KERNEL_NAME(vscaleextexp, avx512f, tile, acc, variant)( \
      size_t n, const float* x, float* y, softmax_extfloat scale) { \
    vscaleextexp_avx512f(n, x, y, scale, (tile) / 16, SOFTMAX_NT(variant), SOFTMAX_PF(variant), SOFTMAX_EXP(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
