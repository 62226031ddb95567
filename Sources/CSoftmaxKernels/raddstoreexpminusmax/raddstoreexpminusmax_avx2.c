// RADDSTOREEXPMINUSMAX for AVX2: y = exp(x - max), summed into A accumulators, V vectors per iteration.
// NT: streaming stores for the 32-byte aligned body of y; PF: prefetch distance in bytes (0: none).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_lut_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 float raddstoreexpminusmax_avx2(const softmax_exp_method E, size_t n, const float* x, float* y, float max,
                                                                  const size_t V, const size_t A, const bool NT,
                                                                  const size_t PF) {
  const __m256 vmax = _mm256_set1_ps(max);
  __m256 vacc[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vacc[a] = _mm256_setzero_ps(); }
  if (NT) {
    // The elements before y's first 32-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 32, n);
    if (head != 0) {
      const __m256i vmask = softmax_avx2_tail_mask(head);
      const __m256 vf = softmax_avx2_expm(E, _mm256_sub_ps(_mm256_maskload_ps(x, vmask), vmax));
      _mm256_maskstore_ps(y, vmask, vf);
      vacc[0] = _mm256_and_ps(vf, _mm256_castsi256_ps(vmask));
      n -= head, x += head, y += head;
    }
  }
  for (; n >= V * 8; n -= V * 8, x += V * 8, y += V * 8) {
    softmax_prefetch(x, V * 32, PF);
    __m256 vx[SOFTMAX_MAX_VECTORS], vf[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm256_sub_ps(_mm256_loadu_ps(x + 8 * v), vmax); }
    softmax_avx2_expm_block(E, vx, vf, V);
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      softmax_avx2_store(y + 8 * v, vf[v], NT);
      vacc[v % A] = _mm256_add_ps(vacc[v % A], vf[v]);
    }
  }
  __m256 vsum = vacc[0];
  SOFTMAX_UNROLL for (size_t a = 1; a < A; a++) { vsum = _mm256_add_ps(vsum, vacc[a]); }
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    const __m256 vf = softmax_avx2_expm(E, _mm256_sub_ps(_mm256_loadu_ps(x), vmax));
    softmax_avx2_store(y, vf, NT);
    vsum = _mm256_add_ps(vsum, vf);
  }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    const __m256 vf = softmax_avx2_expm(E, _mm256_sub_ps(_mm256_maskload_ps(x, vmask), vmax));
    _mm256_maskstore_ps(y, vmask, vf);
    vsum = _mm256_add_ps(vsum, _mm256_and_ps(vf, _mm256_castsi256_ps(vmask)));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
  return softmax_avx2_hsum(vsum);
}

#define SOFTMAX_EXPANDS_raddstoreexpminusmax_avx2 SOFTMAX_PROBE
#define KERNEL_raddstoreexpminusmax_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(raddstoreexpminusmax, avx2, variant, 1, 1, 1) \
  SOFTMAX_TARGET_AVX2 float SOFTMAX_KERNEL_NAME(raddstoreexpminusmax, avx2, tile, acc, variant)( \
      size_t n, const float* x, float* y, float max) { \
    return raddstoreexpminusmax_avx2((softmax_exp_method)SOFTMAX_EXP(variant), n, x, y, max, (tile) / 8, acc, SOFTMAX_NT(variant), SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
