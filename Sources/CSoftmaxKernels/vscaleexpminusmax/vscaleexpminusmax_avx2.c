// VSCALEEXPMINUSMAX for AVX2: y = exp(x - max) * scale, V vectors per iteration.
// NT: streaming stores for the 32-byte aligned body of y; PF: prefetch distance in bytes (0: none).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_lut_avx2.h"

// The scale multiplies the polynomial's coefficients (softmax_exp_poly_times), one multiply per element
// less, which shows in cache where the arithmetic limits (docs/kernels.md). SEPARATE: the plain polynomial, then
// the multiply, for a scale that is not finite (the NaN of a NaN or +inf row): inside the polynomial the
// NaN would be masked to 0 below the cutoff, where the row must be NaN everywhere.
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 vscaleexpminusmax_avx2_one(const softmax_exp_method E, __m256 vx, __m256 vmax, const softmax_exp_poly poly,
                                                                   const bool SEPARATE, __m256 vscale) {
  __m256 vd = _mm256_sub_ps(vx, vmax), vf;
  softmax_avx2_expm_block_poly(E, &vd, &vf, 1, poly);
  return SEPARATE ? _mm256_mul_ps(vf, vscale) : vf;
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscaleexpminusmax_avx2_body(const softmax_exp_method E, size_t n, const float* x, float* y, float max,
                                                                   float scale, const size_t V, const bool NT,
                                                                   const size_t PF, const bool SEPARATE) {
  const __m256 vmax = _mm256_set1_ps(max);
  const __m256 vscale = _mm256_set1_ps(scale);
  const softmax_exp_poly poly = softmax_exp_poly_for(E, SEPARATE ? 1.0f : scale);
  if (NT) {
    // The elements before y's first 32-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 32, n);
    if (head != 0) {
      const __m256i vmask = softmax_avx2_tail_mask(head);
      _mm256_maskstore_ps(y, vmask, vscaleexpminusmax_avx2_one(E, _mm256_maskload_ps(x, vmask), vmax, poly, SEPARATE, vscale));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 8; n -= V * 8, x += V * 8, y += V * 8) {
    softmax_prefetch(x, V * 32, PF);
    __m256 vx[SOFTMAX_MAX_VECTORS], vf[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm256_sub_ps(_mm256_loadu_ps(x + 8 * v), vmax); }
    softmax_avx2_expm_block_poly(E, vx, vf, V, poly);
    if (SEPARATE) {
      SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vf[v] = _mm256_mul_ps(vf[v], vscale); }
    }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { softmax_avx2_store(y + 8 * v, vf[v], NT); }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    softmax_avx2_store(y, vscaleexpminusmax_avx2_one(E, _mm256_loadu_ps(x), vmax, poly, SEPARATE, vscale), NT);
  }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    _mm256_maskstore_ps(y, vmask, vscaleexpminusmax_avx2_one(E, _mm256_maskload_ps(x, vmask), vmax, poly, SEPARATE, vscale));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscaleexpminusmax_avx2(const softmax_exp_method E, size_t n, const float* x, float* y, float max,
                                                              float scale, const size_t V, const bool NT,
                                                              const size_t PF) {
  if (SOFTMAX_LIKELY(isfinite(scale))) {
    vscaleexpminusmax_avx2_body(E, n, x, y, max, scale, V, NT, PF, false);
  } else {
    vscaleexpminusmax_avx2_body(E, n, x, y, max, scale, V, NT, PF, true);
  }
}

#define SOFTMAX_EXPANDS_vscaleexpminusmax_avx2 SOFTMAX_PROBE
#define KERNEL_vscaleexpminusmax_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(vscaleexpminusmax, avx2, variant, 1, 1, 1) \
  SOFTMAX_TARGET_AVX2 void SOFTMAX_KERNEL_NAME(vscaleexpminusmax, avx2, tile, acc, variant)( \
      size_t n, const float* x, float* y, float max, float scale) { \
    vscaleexpminusmax_avx2((softmax_exp_method)SOFTMAX_EXP(variant), n, x, y, max, scale, (tile) / 8, SOFTMAX_NT(variant), SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
