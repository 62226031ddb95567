// VSCALEEXTEXP for AVX2: y = exp(x) * scale.mantissa * 2^scale.exponent, V vectors per iteration.
// NT: streaming stores for the 32-byte aligned body of y; PF: prefetch distance in bytes (0: none); E: the
// exp method (exp_method.h; lut16p3 and lut64p2: extexp_lut_avx2.h, whose mantissa p(t) * T[j] is below 2 as well).
//
// With scale = 1 / sum from raddextexp, n + scale.exponent <= 0 for every element, so 2^(n + e) <= 1
// and the mantissa product (in [0.5, 2] * [1/sum.mantissa]) cannot overflow.
#include "../common/kernel_common.h"

// x86-64 only: kernels.def lists this file's kernels under the same guard.
#if SOFTMAX_ARCH_X86_64
#include "../common/extexp_lut_avx2.h"

// poly: the polynomial times the scale's mantissa (see softmax_exp_poly_times): one multiply per element
// less than exp(x) * mantissa * 2^(n + e), which shows in cache, where the arithmetic limits (docs/kernels.md).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 __m256 vscaleextexp_avx2_one(const softmax_exp_method E, __m256 vx, const softmax_exp_poly poly,
                                                               __m256 vscale_e) {
  __m256 vp, vn;
  softmax_avx2_extexp_block_for(E, &vx, &vp, &vn, 1, poly);
  return _mm256_mul_ps(vp, softmax_avx2_pow2_clamped(_mm256_add_ps(vn, vscale_e)));
}

// The full iterations; returns how many elements they covered. FOLD: 2^(n + e) from the bits of
// max(n + (e + magic bias), min + magic bias), valid when e + magic bias is exact (see vscaleextexp_avx2).
// A compile-time FOLD gives each loop its own registers: with the choice tested inside one loop, the wide
// unrolls spilled vectors in every iteration (docs/kernels.md).
SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 size_t vscaleextexp_avx2_blocks(size_t n, const float* x, float* y, const softmax_exp_poly poly,
                                                                  float scale_exponent, const size_t V, const bool NT,
                                                                  const size_t PF, const bool FOLD, const softmax_exp_method E) {
  const __m256 vscale_e = _mm256_set1_ps(FOLD ? scale_exponent + SOFTMAX_MAGIC_BIAS : scale_exponent);
  const __m256 vbiased_min = _mm256_set1_ps(SOFTMAX_MIN_EXPONENT_DELTA + SOFTMAX_MAGIC_BIAS);
  const size_t full = n - n % (V * 8);
  for (size_t i = 0; i < full; i += V * 8) {
    softmax_prefetch(x + i, V * 32, PF);
    __m256 vx[SOFTMAX_MAX_VECTORS], vp[SOFTMAX_MAX_VECTORS], vn[SOFTMAX_MAX_VECTORS];
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vx[v] = _mm256_loadu_ps(x + i + 8 * v); }
    // As vscaleextexp_avx2_one, step by step across the vectors.
    softmax_avx2_extexp_block_for(E, vx, vp, vn, V, poly);
    if (FOLD) {
      SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) {
        vn[v] = softmax_avx2_bits_shl23(_mm256_max_ps(_mm256_add_ps(vn[v], vscale_e), vbiased_min));
      }
    } else {
      SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { vn[v] = softmax_avx2_pow2_clamped(_mm256_add_ps(vn[v], vscale_e)); }
    }
    SOFTMAX_UNROLL for (size_t v = 0; v < V; v++) { softmax_avx2_store(y + i + 8 * v, _mm256_mul_ps(vp[v], vn[v]), NT); }
  }
  return full;
}

SOFTMAX_INLINE SOFTMAX_TARGET_AVX2 void vscaleextexp_avx2(size_t n, const float* x, float* y, softmax_extfloat scale,
                                                         const size_t V, const bool NT, const size_t PF, const softmax_exp_method E) {
  scale = softmax_extfloat_normalized(scale);
  const softmax_exp_poly poly = softmax_extexp_poly_for(E, scale.mantissa);
  const __m256 vscale_e = _mm256_set1_ps(scale.exponent);
  if (NT) {
    // The elements before y's first 32-byte boundary take the masked path, so every full vector after
    // them can be streamed.
    const size_t head = softmax_unaligned_head(y, 32, n);
    if (head != 0) {
      const __m256i vmask = softmax_avx2_tail_mask(head);
      _mm256_maskstore_ps(y, vmask, vscaleextexp_avx2_one(E, _mm256_maskload_ps(x, vmask), poly, vscale_e));
      n -= head, x += head, y += head;
    }
  }
  // 2^(n + e) is built from the bits of max(n + e, -127) + magic bias. With e + magic bias exact (an
  // integer-valued |e| < 2^21: every scale raddextexp gives for |x| below about 1.4e6), the float
  // n + (e + magic bias) is that same value: n + e <= 0 is an integer, exact below 2^24, and a sum
  // below -127 + magic bias rounds to at most that, which the max maps to the same 0. One add per
  // vector less; other scales take the general path.
  const bool fold_bias = fabsf(scale.exponent) < 0x1p21f && scale.exponent == rintf(scale.exponent);
  const size_t done = SOFTMAX_LIKELY(fold_bias) ? vscaleextexp_avx2_blocks(n, x, y, poly, scale.exponent, V, NT, PF, true, E)
                                                : vscaleextexp_avx2_blocks(n, x, y, poly, scale.exponent, V, NT, PF, false, E);
  n -= done, x += done, y += done;
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    softmax_avx2_store(y, vscaleextexp_avx2_one(E, _mm256_loadu_ps(x), poly, vscale_e), NT);
  }
  if (n != 0) {
    const __m256i vmask = softmax_avx2_tail_mask(n);
    _mm256_maskstore_ps(y, vmask, vscaleextexp_avx2_one(E, _mm256_maskload_ps(x, vmask), poly, vscale_e));
  }
  // Streaming stores are weakly ordered: fence them before any store the caller makes after us.
  if (NT) { _mm_sfence(); }
}

#define SOFTMAX_EXPANDS_vscaleextexp_avx2 SOFTMAX_PROBE
#define KERNEL_vscaleextexp_avx2(tile, acc, variant) \
  SOFTMAX_VARIANTS_IMPLEMENTED_EXP(vscaleextexp, avx2, variant, 1, 1, 1) \
  SOFTMAX_EXTEXP_METHOD_IMPLEMENTED(vscaleextexp, avx2, variant) \
  SOFTMAX_TARGET_AVX2 void SOFTMAX_KERNEL_NAME(vscaleextexp, avx2, tile, acc, variant)(size_t n, const float* x, \
                                                                                      float* y, softmax_extfloat scale) { \
    vscaleextexp_avx2(n, x, y, scale, (tile) / 8, SOFTMAX_NT(variant), SOFTMAX_PF(variant), SOFTMAX_EXP(variant)); \
  }
#include "../common/expand_kernels.h"
#endif  // SOFTMAX_ARCH_X86_64
