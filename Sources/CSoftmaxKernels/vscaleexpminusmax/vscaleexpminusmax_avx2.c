// VSCALEEXPMINUSMAX for AVX2: y = exp(x - max) * scale, V vectors per iteration.
// NT: streaming stores for the 32-byte aligned body of y; PF: prefetch distance in bytes (0: none).
#include "../common/exp_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 vscaleexpminusmax_avx2_one(__m256 vx, __m256 vmax, __m256 vscale) {
  return _mm256_mul_ps(softmax_avx2_exp_minus_max(_mm256_sub_ps(vx, vmax)), vscale);
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscaleexpminusmax_avx2(size_t n, const float* x, float* y, float max,
                                                              float scale, const size_t V, const bool NT,
                                                              const size_t PF) {
  const __m256 vmax = _mm256_set1_ps(max);
  const __m256 vscale = _mm256_set1_ps(scale);
  if (NT) {
    // The elements before y's first 32-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 32, n);
    if (head != 0) {
      const __m256i vmask = softmax_avx2_tail_mask(head);
      _mm256_maskstore_ps(y, vmask, vscaleexpminusmax_avx2_one(_mm256_maskload_ps(x, vmask), vmax, vscale));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 8; n -= V * 8, x += V * 8, y += V * 8) {
    softmax_prefetch(x, V * 32, PF);
    __m256 vx[SOFTMAX_MAX_VECTORS], vf[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm256_sub_ps(_mm256_loadu_ps(x + 8 * v), vmax); }
    softmax_avx2_exp_minus_max_block(vx, vf, V);
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { softmax_avx2_store(y + 8 * v, _mm256_mul_ps(vf[v], vscale), NT); }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    softmax_avx2_store(y, vscaleexpminusmax_avx2_one(_mm256_loadu_ps(x), vmax, vscale), NT);
  }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    _mm256_maskstore_ps(y, vmask, vscaleexpminusmax_avx2_one(_mm256_maskload_ps(x, vmask), vmax, vscale));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

#define KERNEL_vscaleexpminusmax_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscaleexpminusmax, avx2, variant, 1, 1) \
  SOFTMAX_TARGET_AVX2 void SOFTMAX_KERNEL_NAME(vscaleexpminusmax, avx2, tile, acc, variant)( \
      size_t n, const float* x, float* y, float max, float scale) { \
    vscaleexpminusmax_avx2(n, x, y, max, scale, (tile) / 8, SOFTMAX_NT(variant), SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
