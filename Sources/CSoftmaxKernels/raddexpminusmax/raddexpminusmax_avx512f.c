// RADDEXPMINUSMAX for AVX512F: sum of exp(x - max) into A accumulators, V vectors per iteration;
// PF: prefetch distance in bytes (0: none).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/exp_lut_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F float raddexpminusmax_avx512f(const softmax_exp_method E, size_t n, const float* x, float max,
                                                                   const size_t V, const size_t A, const size_t PF) {
  const __m512 vmax = _mm512_set1_ps(max);
  __m512 vacc[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vacc[a] = _mm512_setzero_ps(); }
  for (; n >= V * 16; n -= V * 16, x += V * 16) {
    softmax_prefetch(x, V * 64, PF);
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      const __m512 vf = softmax_avx512f_expm(E, _mm512_sub_ps(_mm512_loadu_ps(x + 16 * v), vmax));
      vacc[v % A] = _mm512_add_ps(vacc[v % A], vf);
    }
  }
  __m512 vsum = vacc[0];
  SOFTMAX_UNROLL for (size_t a = 1; a < A; a++) { vsum = _mm512_add_ps(vsum, vacc[a]); }
  for (; n >= 16; n -= 16, x += 16) {
    vsum = _mm512_add_ps(vsum, softmax_avx512f_expm(E, _mm512_sub_ps(_mm512_loadu_ps(x), vmax)));
  }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    const __m512 vf = softmax_avx512f_expm(E, _mm512_sub_ps(_mm512_maskz_loadu_ps(vmask, x), vmax));
    vsum = _mm512_mask_add_ps(vsum, vmask, vsum, vf);
  }
  return _mm512_reduce_add_ps(vsum);
}

#define SOFTMAX_EXPANDS_raddexpminusmax_avx512f SOFTMAX_PROBE
#define KERNEL_raddexpminusmax_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(raddexpminusmax, avx512f, variant, 0, 1, 1) \
  SOFTMAX_TARGET_AVX512F float SOFTMAX_KERNEL_NAME(raddexpminusmax, avx512f, tile, acc, variant)(size_t n, const float* x, \
                                                                                       float max) { \
    return raddexpminusmax_avx512f((softmax_exp_method)SOFTMAX_EXP(variant), n, x, max, (tile) / 16, acc, SOFTMAX_PF(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
