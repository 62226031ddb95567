// RMAXADDEXP for AVX2: online softmax's one-pass reduction, A accumulators, V vectors per iteration.
//
// Each accumulator lane keeps a running max m and s = sum exp(x - m) over its elements. A block of terms
// with maximum m' >= m is added as s' = s * exp(m - m') + sum exp(x - m'): one extra exp per accumulator
// and iteration instead of one per element. The max starts at -FLT_MAX rather than -inf, so that
// exp(m - m') and exp(x - m') never see -inf - -inf (all -inf inputs then give s = 0, and NaN outputs).
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include <float.h>

#include "../common/exp_lut_avx2.h"

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void rmaxaddexp_avx2_add(const softmax_exp_method E, __m256* vaccmax, __m256* vaccsum, __m256 vx) {
  const __m256 vmax = _mm256_max_ps(*vaccmax, vx);
  *vaccsum = _mm256_mul_ps(*vaccsum, softmax_avx2_expm(E, _mm256_sub_ps(*vaccmax, vmax)));
  *vaccsum = _mm256_add_ps(*vaccsum, softmax_avx2_expm(E, _mm256_sub_ps(vx, vmax)));
  *vaccmax = vmax;
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 softmax_maxsum rmaxaddexp_avx2(const softmax_exp_method E, size_t n, const float* x, const size_t V, const size_t A) {
  __m256 vaccmax[SOFTMAX_MAX_ACCUMULATORS];
  __m256 vaccsum[SOFTMAX_MAX_ACCUMULATORS];
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vaccmax[a] = _mm256_set1_ps(-FLT_MAX);
    vaccsum[a] = _mm256_setzero_ps();
  }
  for (; n >= V * 8; n -= V * 8, x += V * 8) {
    __m256 vx[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm256_loadu_ps(x + 8 * v); }
    __m256 vmax[SOFTMAX_MAX_ACCUMULATORS];
    SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vmax[a] = vaccmax[a]; }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vmax[v % A] = _mm256_max_ps(vmax[v % A], vx[v]); }
    SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
      vaccsum[a] = _mm256_mul_ps(vaccsum[a], softmax_avx2_expm(E, _mm256_sub_ps(vaccmax[a], vmax[a])));
      vaccmax[a] = vmax[a];
    }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
      vaccsum[v % A] = _mm256_add_ps(vaccsum[v % A], softmax_avx2_expm(E, _mm256_sub_ps(vx[v], vmax[v % A])));
    }
  }
  for (; n >= 8; n -= 8, x += 8) { rmaxaddexp_avx2_add(E, &vaccmax[0], &vaccsum[0], _mm256_loadu_ps(x)); }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    // Absent lanes are -inf: they do not raise the max and add exp(-inf) = 0.
    const __m256 vx = _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(x, vmask), _mm256_castsi256_ps(vmask));
    rmaxaddexp_avx2_add(E, &vaccmax[0], &vaccsum[0], vx);
  }
  // Merge every lane of every accumulator at the overall max.
  __m256 vmax = _mm256_set1_ps(-FLT_MAX);
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) { vmax = _mm256_max_ps(vaccmax[a], vmax); }
  const float max = softmax_avx2_hmax(vmax);
  vmax = _mm256_set1_ps(max);
  __m256 vsum = _mm256_setzero_ps();
  SOFTMAX_UNROLL for (size_t a = 0; a < A; a++) {
    vsum = _mm256_add_ps(vsum, _mm256_mul_ps(vaccsum[a], softmax_avx2_expm(E, _mm256_sub_ps(vaccmax[a], vmax))));
  }
  return (softmax_maxsum){max, softmax_avx2_hsum(vsum)};
}

#define SOFTMAX_EXPANDS_rmaxaddexp_avx2 SOFTMAX_PROBE
#define KERNEL_rmaxaddexp_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(rmaxaddexp, avx2, variant, 0, 0, 1) \
  SOFTMAX_TARGET_AVX2 softmax_maxsum SOFTMAX_KERNEL_NAME(rmaxaddexp, avx2, tile, acc, variant)(size_t n, const float* x) { \
    return rmaxaddexp_avx2((softmax_exp_method)SOFTMAX_EXP(variant), n, x, (tile) / 8, acc); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
