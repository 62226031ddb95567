// VSCALE for AVX512F: y = x * scale, V vectors per iteration; in place when y == x.
// NT: streaming stores for the 64-byte aligned body of y; PF: prefetch distance in bytes (0: none).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void vscale_avx512f(size_t n, const float* x, float* y, float scale,
                                                         const size_t V, const bool NT, const size_t PF) {
  const __m512 vscale = _mm512_set1_ps(scale);
  if (NT) {
    // The elements before y's first 64-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 64, n);
    if (head != 0) {
      const __mmask16 vmask = softmax_avx512f_tail_mask(head);
      _mm512_mask_storeu_ps(y, vmask, _mm512_mul_ps(_mm512_maskz_loadu_ps(vmask, x), vscale));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 16; n -= V * 16, x += V * 16, y += V * 16) {
    softmax_prefetch(x, V * 64, PF);
    __m512 vx[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm512_loadu_ps(x + 16 * v); }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { softmax_avx512f_store(y + 16 * v, _mm512_mul_ps(vx[v], vscale), NT); }
  }
  for (; n >= 16; n -= 16, x += 16, y += 16) { softmax_avx512f_store(y, _mm512_mul_ps(_mm512_loadu_ps(x), vscale), NT); }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    _mm512_mask_storeu_ps(y, vmask, _mm512_mul_ps(_mm512_maskz_loadu_ps(vmask, x), vscale));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

#define SOFTMAX_EXPANDS_vscale_avx512f SOFTMAX_PROBE
#define KERNEL_vscale_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscale, avx512f, variant, 1, 1) \
  SOFTMAX_TARGET_AVX512F void SOFTMAX_KERNEL_NAME(vscale, avx512f, tile, acc, variant)(size_t n, const float* x, \
                                                                                      float* y, float scale) { \
    vscale_avx512f(n, x, y, scale, (tile) / 16, SOFTMAX_NT(variant), SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
