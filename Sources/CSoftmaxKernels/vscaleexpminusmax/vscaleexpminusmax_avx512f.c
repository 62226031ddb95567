// VSCALEEXPMINUSMAX for AVX512F: y = exp(x - max) * scale, V vectors per iteration.
// NT: streaming stores for the 64-byte aligned body of y; PF: prefetch distance in bytes (0: none).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_lut_avx512f.h"

// The scale inside the polynomial, and SEPARATE for a scale that is not finite: see vscaleexpminusmax_avx2_one.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 vscaleexpminusmax_avx512f_one(const softmax_exp_method E, __m512 vx, __m512 vmax, const softmax_exp_poly poly,
                                                                         const bool SEPARATE, __m512 vscale) {
  const __m512 vf = softmax_avx512f_expm_poly(E, _mm512_sub_ps(vx, vmax), poly);
  return SEPARATE ? _mm512_mul_ps(vf, vscale) : vf;
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscaleexpminusmax_avx512f_body(const softmax_exp_method E, size_t n, const float* x, float* y, float max,
                                                                         float scale, const size_t V, const bool NT,
                                                                         const size_t PF, const bool SEPARATE) {
  const __m512 vmax = _mm512_set1_ps(max);
  const __m512 vscale = _mm512_set1_ps(scale);
  const softmax_exp_poly poly = softmax_exp_poly_for(E, SEPARATE ? 1.0f : scale);
  if (NT) {
    // The elements before y's first 64-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 64, n);
    if (head != 0) {
      const __mmask16 vmask = softmax_avx512f_tail_mask(head);
      _mm512_mask_storeu_ps(y, vmask, vscaleexpminusmax_avx512f_one(E, _mm512_maskz_loadu_ps(vmask, x), vmax, poly, SEPARATE, vscale));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 16; n -= V * 16, x += V * 16, y += V * 16) {
    softmax_prefetch(x, V * 64, PF);
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      softmax_avx512f_store(y + 16 * v, vscaleexpminusmax_avx512f_one(E, _mm512_loadu_ps(x + 16 * v), vmax, poly, SEPARATE, vscale), NT);
    }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    softmax_avx512f_store(y, vscaleexpminusmax_avx512f_one(E, _mm512_loadu_ps(x), vmax, poly, SEPARATE, vscale), NT);
  }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, vscaleexpminusmax_avx512f_one(E, _mm512_maskz_loadu_ps(vmask, x), vmax, poly, SEPARATE, vscale));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscaleexpminusmax_avx512f(const softmax_exp_method E, size_t n, const float* x, float* y, float max,
                                                                    float scale, const size_t V, const bool NT,
                                                                    const size_t PF) {
  if (SOFTMAX_LIKELY(isfinite(scale))) {
    vscaleexpminusmax_avx512f_body(E, n, x, y, max, scale, V, NT, PF, false);
  } else {
    vscaleexpminusmax_avx512f_body(E, n, x, y, max, scale, V, NT, PF, true);
  }
}

#define SOFTMAX_EXPANDS_vscaleexpminusmax_avx512f SOFTMAX_PROBE
#define KERNEL_vscaleexpminusmax_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(vscaleexpminusmax, avx512f, variant, 1, 1, 1) \
  SOFTMAX_TARGET_AVX512F void SOFTMAX_KERNEL_NAME(vscaleexpminusmax, avx512f, tile, acc, variant)( \
      size_t n, const float* x, float* y, float max, float scale) { \
    vscaleexpminusmax_avx512f((softmax_exp_method)SOFTMAX_EXP(variant), n, x, y, max, scale, (tile) / 16, SOFTMAX_NT(variant), SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
