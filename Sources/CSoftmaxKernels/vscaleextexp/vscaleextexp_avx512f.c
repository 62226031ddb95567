// VSCALEEXTEXP for AVX512F: y = exp(x) * scale.mantissa * 2^scale.exponent, V vectors per iteration;
// the power of two is applied with VSCALEFPS. See vscaleextexp_avx2.c for why nothing overflows.
// NT: streaming stores for the 64-byte aligned body of y; PF: prefetch distance in bytes (0: none).
#include "../common/exp_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F __m512 vscaleextexp_avx512f_one(__m512 vx, __m512 vscale_m, __m512 vscale_e) {
  __m512 vn;
  const __m512 vp = softmax_avx512f_extexp(vx, &vn);
  // A NaN delta (NaN input, or the inf - inf of an all -inf or a +inf row) gives NaN through VSCALEFPS,
  // as the algorithm promises; -inf gives 0.
  return _mm512_scalef_ps(_mm512_mul_ps(vp, vscale_m), _mm512_add_ps(vn, vscale_e));
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscaleextexp_avx512f(size_t n, const float* x, float* y,
                                                               softmax_extfloat scale, const size_t V, const bool NT,
                                                               const size_t PF) {
  const __m512 vscale_m = _mm512_set1_ps(scale.mantissa);
  const __m512 vscale_e = _mm512_set1_ps(scale.exponent);
  if (NT) {
    // The elements before y's first 64-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 64, n);
    if (head != 0) {
      const __mmask16 vmask = softmax_avx512f_tail_mask(head);
      _mm512_mask_storeu_ps(y, vmask, vscaleextexp_avx512f_one(_mm512_maskz_loadu_ps(vmask, x), vscale_m, vscale_e));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 16; n -= V * 16, x += V * 16, y += V * 16) {
    softmax_prefetch(x, V * 64, PF);
    __m512 vx[SOFTMAX_MAX_VECTORS], vp[SOFTMAX_MAX_VECTORS], vn[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm512_loadu_ps(x + 16 * v); }
    softmax_avx512f_extexp_block(vx, vp, vn, V);
    // As vscaleextexp_avx512f_one, step by step across the vectors.
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vp[v] = _mm512_mul_ps(vp[v], vscale_m); }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = _mm512_add_ps(vn[v], vscale_e); }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { softmax_avx512f_store(y + 16 * v, _mm512_scalef_ps(vp[v], vn[v]), NT); }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) {
    softmax_avx512f_store(y, vscaleextexp_avx512f_one(_mm512_loadu_ps(x), vscale_m, vscale_e), NT);
  }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, vscaleextexp_avx512f_one(_mm512_maskz_loadu_ps(vmask, x), vscale_m, vscale_e));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

#define KERNEL_vscaleextexp_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscaleextexp, avx512f, variant, 1, 1) \
  SOFTMAX_TARGET_AVX512F void SOFTMAX_KERNEL_NAME(vscaleextexp, avx512f, tile, acc, variant)( \
      size_t n, const float* x, float* y, softmax_extfloat scale) { \
    vscaleextexp_avx512f(n, x, y, scale, (tile) / 16, SOFTMAX_NT(variant), SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
