// VSCALE for AVX2: y = x * scale, V vectors per iteration; in place when y == x.
// NT: streaming stores for the 32-byte aligned body of y; PF: prefetch distance in bytes (0: none).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscale_avx2(size_t n, const float* x, float* y, float scale, const size_t V,
                                                   const bool NT, const size_t PF) {
  const __m256 vscale = _mm256_set1_ps(scale);
  if (NT) {
    // The elements before y's first 32-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 32, n);
    if (head != 0) {
      const __m256i vmask = softmax_avx2_tail_mask(head);
      _mm256_maskstore_ps(y, vmask, _mm256_mul_ps(_mm256_maskload_ps(x, vmask), vscale));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 8; n -= V * 8, x += V * 8, y += V * 8) {
    softmax_prefetch(x, V * 32, PF);
    __m256 vx[SOFTMAX_MAX_VECTORS];
    // All loads before any store, so that y == x is safe whatever the compiler reorders.
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm256_loadu_ps(x + 8 * v); }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { softmax_avx2_store(y + 8 * v, _mm256_mul_ps(vx[v], vscale), NT); }
  }
  for (; n >= 8; n -= 8, x += 8, y += 8) { softmax_avx2_store(y, _mm256_mul_ps(_mm256_loadu_ps(x), vscale), NT); }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    _mm256_maskstore_ps(y, vmask, _mm256_mul_ps(_mm256_maskload_ps(x, vmask), vscale));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

#define SOFTMAX_EXPANDS_vscale_avx2 SOFTMAX_PROBE
#define KERNEL_vscale_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED(vscale, avx2, variant, 1, 1) \
  SOFTMAX_TARGET_AVX2 void SOFTMAX_KERNEL_NAME(vscale, avx2, tile, acc, variant)(size_t n, const float* x, float* y, \
                                                                                float scale) { \
    vscale_avx2(n, x, y, scale, (tile) / 8, SOFTMAX_NT(variant), SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
