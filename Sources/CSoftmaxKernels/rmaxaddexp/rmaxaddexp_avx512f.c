// RMAXADDEXP for AVX512F: online softmax's one-pass reduction; the scheme is rmaxaddexp_avx2.c's.
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include <float.h>

#include "../common/exp_lut_avx512f.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F void rmaxaddexp_avx512f_add(const softmax_exp_method E, __m512* vaccmax, __m512* vaccsum, __m512 vx) {
  const __m512 vmax = _mm512_max_ps(*vaccmax, vx);
  *vaccsum = _mm512_mul_ps(*vaccsum, softmax_avx512f_expm(E, _mm512_sub_ps(*vaccmax, vmax)));
  *vaccsum = _mm512_add_ps(*vaccsum, softmax_avx512f_expm(E, _mm512_sub_ps(vx, vmax)));
  *vaccmax = vmax;
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX512F softmax_maxsum rmaxaddexp_avx512f(const softmax_exp_method E, size_t n, const float* x, const size_t V,
                                                                       const size_t A) {
  __m512 vaccmax[SOFTMAX_MAX_ACCUMULATORS];
  __m512 vaccsum[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vaccmax[a] = _mm512_set1_ps(-FLT_MAX);
    vaccsum[a] = _mm512_setzero_ps();
  }
  for (; n >= V * 16; n -= V * 16, x += V * 16) {
    __m512 vx[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm512_loadu_ps(x + 16 * v); }
    __m512 vmax[SOFTMAX_MAX_ACCUMULATORS];
    SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vmax[a] = vaccmax[a]; }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vmax[v % A] = _mm512_max_ps(vmax[v % A], vx[v]); }
    SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
      vaccsum[a] = _mm512_mul_ps(vaccsum[a], softmax_avx512f_expm(E, _mm512_sub_ps(vaccmax[a], vmax[a])));
      vaccmax[a] = vmax[a];
    }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      vaccsum[v % A] = _mm512_add_ps(vaccsum[v % A], softmax_avx512f_expm(E, _mm512_sub_ps(vx[v], vmax[v % A])));
    }
  }
  for (; n >= 16; n -= 16, x += 16) { rmaxaddexp_avx512f_add(E, &vaccmax[0], &vaccsum[0], _mm512_loadu_ps(x)); }
  if (n != 0) {
    const __mmask16 vmask = softmax_avx512f_tail_mask(n);
    rmaxaddexp_avx512f_add(E, &vaccmax[0], &vaccsum[0], _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), vmask, x));
  }
  __m512 vmax = _mm512_set1_ps(-FLT_MAX);
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vmax = _mm512_max_ps(vaccmax[a], vmax); }
  const float max = _mm512_reduce_max_ps(vmax);
  vmax = _mm512_set1_ps(max);
  __m512 vsum = _mm512_setzero_ps();
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vsum = _mm512_add_ps(vsum, _mm512_mul_ps(vaccsum[a], softmax_avx512f_expm(E, _mm512_sub_ps(vaccmax[a], vmax))));
  }
  return (softmax_maxsum){max, _mm512_reduce_add_ps(vsum)};
}

#define SOFTMAX_EXPANDS_rmaxaddexp_avx512f SOFTMAX_PROBE
#define KERNEL_rmaxaddexp_avx512f(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(rmaxaddexp, avx512f, variant, 0, 0, 1) \
  SOFTMAX_TARGET_AVX512F softmax_maxsum SOFTMAX_KERNEL_NAME(rmaxaddexp, avx512f, tile, acc, variant)(size_t n, const float* x) { \
    return rmaxaddexp_avx512f((softmax_exp_method)SOFTMAX_EXP(variant), n, x, (tile) / 16, acc); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
