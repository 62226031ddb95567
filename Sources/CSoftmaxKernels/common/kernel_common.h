// Shared by every kernel file: naming, target attributes, and the expansion of kernels.def.
#ifndef SOFTMAX_KERNEL_COMMON_H
#define SOFTMAX_KERNEL_COMMON_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "softmax_kernels.h"

// The architecture the kernels.def guards and the ISA files test: x86-64 kernels (AVX2, AVX512F, their
// intrinsics headers, CPUID and MXCSR) are compiled only where this is 1; elsewhere only portable ones.
#if defined(__x86_64__)
#define SOFTMAX_ARCH_X86_64 1
#else
#define SOFTMAX_ARCH_X86_64 0
#endif
#if defined(__aarch64__)
#define SOFTMAX_ARCH_AARCH64 1
#else
#define SOFTMAX_ARCH_AARCH64 0
#endif

#define SOFTMAX_CAT_(a, b) a##b
#define SOFTMAX_CAT(a, b) SOFTMAX_CAT_(a, b)
#define SOFTMAX_STR_(a) #a
#define SOFTMAX_STR(a) SOFTMAX_STR_(a)
// SOFTMAX_PROBED(x) is 1 when x expands to SOFTMAX_PROBE and 0 for any single token (an undefined
// name): how expand_kernels.h tells a family file's own kernels.def lines from the others.
#define SOFTMAX_PROBE ~, 1
#define SOFTMAX_SECOND_(a, b, ...) b
#define SOFTMAX_SECOND(...) SOFTMAX_SECOND_(__VA_ARGS__)
#define SOFTMAX_PROBED(x) SOFTMAX_SECOND(x, 0, ~)

// A single accumulator is not spelled in the name (raddextexp_avx2_x96); more are (..._x96_acc3).
#define SOFTMAX_ACC_SUFFIX_1
#define SOFTMAX_ACC_SUFFIX_2 _acc2
#define SOFTMAX_ACC_SUFFIX_3 _acc3
#define SOFTMAX_ACC_SUFFIX_4 _acc4
#define SOFTMAX_KERNEL_NAME(family, isa, tile, acc, variant) \
  SOFTMAX_CAT(SOFTMAX_CAT(SOFTMAX_CAT(family##_##isa##_x, tile), SOFTMAX_CAT(SOFTMAX_ACC_SUFFIX_, acc)), \
              SOFTMAX_VARIANT_SUFFIX_##variant)

// Variants: how a kernel moves memory or builds powers of two, beyond its tile and accumulators. The
// last argument of a kernels.def line; spelled at the end of the name unless it is `base`.
//   nt     non-temporal (streaming) stores for the 32/64-byte aligned body of the output: no
//          write-allocate read of y, and y does not displace the input from the caches.
//   pf1k, pf4k  software prefetch of the input 1 KiB / 4 KiB ahead of the loads.
//   nt_pf1k     both.
//   lut16p3     the exp method (exp_method.h): exp from a 16-entry table and a degree-3 polynomial
//          instead of the paper's degree-5 polynomial. A method changes the arithmetic, not the memory
//          movement, so it has its own name part and its own registry field (exp_method), and the
//          kernel's memory variant (`variant`) stays "": VariantTests compare memory variants bit for bit
//          with their plain twin, which a different exp method would fail by design.
//   lut64p2     the exp method with a 64-entry table read by gathers and a degree-2 polynomial.
//   perm_lut64p2  lut64p2 with its table read by permutes instead of a gather: the method's arithmetic
//          and bits, a different way of building powers of two, so a variant (`perm`) of the method
//          (`lut64p2`), compared bit for bit with its plain twin. Only where two-table permutes exist
//          (SOFTMAX_ISA_HAS_TWO_TABLE_PERMUTE): four registers hold the 64 entries.
// Each family file states which dimensions it implements (SOFTMAX_VARIANTS_IMPLEMENTED, or _EXP for the
// families with exp methods), so a line naming a variant a template ignores does not compile.
#define SOFTMAX_VARIANT_SUFFIX_base
#define SOFTMAX_VARIANT_STRING_base ""
#define SOFTMAX_VARIANT_NT_base 0
#define SOFTMAX_VARIANT_PF_base 0
#define SOFTMAX_VARIANT_SUFFIX_nt _nt
#define SOFTMAX_VARIANT_STRING_nt "nt"
#define SOFTMAX_VARIANT_NT_nt 1
#define SOFTMAX_VARIANT_PF_nt 0
#define SOFTMAX_VARIANT_SUFFIX_pf1k _pf1k
#define SOFTMAX_VARIANT_STRING_pf1k "pf1k"
#define SOFTMAX_VARIANT_NT_pf1k 0
#define SOFTMAX_VARIANT_PF_pf1k 1024
#define SOFTMAX_VARIANT_SUFFIX_pf4k _pf4k
#define SOFTMAX_VARIANT_STRING_pf4k "pf4k"
#define SOFTMAX_VARIANT_NT_pf4k 0
#define SOFTMAX_VARIANT_PF_pf4k 4096
#define SOFTMAX_VARIANT_SUFFIX_nt_pf1k _nt_pf1k
#define SOFTMAX_VARIANT_STRING_nt_pf1k "nt_pf1k"
#define SOFTMAX_VARIANT_NT_nt_pf1k 1
#define SOFTMAX_VARIANT_PF_nt_pf1k 1024
#define SOFTMAX_VARIANT_SUFFIX_lut16p3 _lut16p3
#define SOFTMAX_VARIANT_STRING_lut16p3 ""
#define SOFTMAX_VARIANT_NT_lut16p3 0
#define SOFTMAX_VARIANT_PF_lut16p3 0
#define SOFTMAX_VARIANT_SUFFIX_lut64p2 _lut64p2
#define SOFTMAX_VARIANT_STRING_lut64p2 ""
#define SOFTMAX_VARIANT_NT_lut64p2 0
#define SOFTMAX_VARIANT_PF_lut64p2 0
#define SOFTMAX_VARIANT_SUFFIX_perm_lut64p2 _perm_lut64p2
#define SOFTMAX_VARIANT_STRING_perm_lut64p2 "perm"
#define SOFTMAX_VARIANT_NT_perm_lut64p2 0
#define SOFTMAX_VARIANT_PF_perm_lut64p2 0
// The exp method of each variant (a softmax_exp_method value) and its name; "" is the paper's, rr2p5.
#define SOFTMAX_VARIANT_EXP_base 0
#define SOFTMAX_VARIANT_EXP_nt 0
#define SOFTMAX_VARIANT_EXP_pf1k 0
#define SOFTMAX_VARIANT_EXP_pf4k 0
#define SOFTMAX_VARIANT_EXP_nt_pf1k 0
#define SOFTMAX_VARIANT_EXP_lut16p3 1
#define SOFTMAX_VARIANT_EXP_lut64p2 2
#define SOFTMAX_VARIANT_EXP_perm_lut64p2 3
#define SOFTMAX_EXP_STRING_0 ""
#define SOFTMAX_EXP_STRING_1 "lut16p3"
#define SOFTMAX_EXP_STRING_2 "lut64p2"
#define SOFTMAX_EXP_STRING_3 "lut64p2"
// VPERMT2D/VPERMI2D (AVX512F) read 32 entries from two registers; AVX2 has no two-table permute.
#define SOFTMAX_ISA_HAS_TWO_TABLE_PERMUTE_portable 0
#define SOFTMAX_ISA_HAS_TWO_TABLE_PERMUTE_avx2 0
#define SOFTMAX_ISA_HAS_TWO_TABLE_PERMUTE_avx512f 1

#define SOFTMAX_NT(variant) SOFTMAX_VARIANT_NT_##variant
#define SOFTMAX_PF(variant) SOFTMAX_VARIANT_PF_##variant
#define SOFTMAX_EXP(variant) SOFTMAX_VARIANT_EXP_##variant
#define SOFTMAX_EXP_STRING(variant) SOFTMAX_CAT(SOFTMAX_EXP_STRING_, SOFTMAX_EXP(variant))
#define SOFTMAX_VARIANTS_IMPLEMENTED(family, isa, variant, nt, pf) SOFTMAX_VARIANTS_IMPLEMENTED_EXP(family, isa, variant, nt, pf, 0)
#define SOFTMAX_VARIANTS_IMPLEMENTED_EXP(family, isa, variant, nt, pf, exp) \
  _Static_assert((nt || !SOFTMAX_NT(variant)) && (pf || !SOFTMAX_PF(variant)) && (exp || !SOFTMAX_EXP(variant)) \
                     && (SOFTMAX_EXP(variant) != 3 || SOFTMAX_ISA_HAS_TWO_TABLE_PERMUTE_##isa), \
                 #family "_" #isa " does not implement the variant " #variant);


// Templates take their unroll and accumulator counts as constants and are inlined into each variant,
// so every variant's loops are fully unrolled and its per-vector arrays live in registers.
#define SOFTMAX_INLINE static inline __attribute__((always_inline))
#define SOFTMAX_UNROLL _Pragma("clang loop unroll(full)")
#define SOFTMAX_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SOFTMAX_LIKELY(x) __builtin_expect(!!(x), 1)
#define SOFTMAX_TARGET_PORTABLE
#define SOFTMAX_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define SOFTMAX_TARGET_AVX512F __attribute__((target("avx512f")))

// Prefetches the cache lines `distance` bytes past the `bytes` one iteration loads from x; nothing for
// distance 0. A prefetch does not fault, so running past the end of x is harmless (the address is
// formed as an integer, not as a pointer past the array).
SOFTMAX_INLINE void softmax_prefetch(const float* x, size_t bytes, size_t distance) {
  if (distance != 0) {
    SOFTMAX_UNROLL for (size_t b = 0; b < bytes; b += 64) {
      __builtin_prefetch((const void*)((uintptr_t)x + distance + b), 0, 3);
    }
  }
}

// Elements to process before y reaches an `alignment`-byte boundary (streaming stores need aligned
// addresses), at most n. y is float-aligned, as every float* is.
SOFTMAX_INLINE size_t softmax_unaligned_head(const float* y, size_t alignment, size_t n) {
  const size_t head = ((alignment - ((uintptr_t)y & (alignment - 1))) & (alignment - 1)) / sizeof(float);
  return head < n ? head : n;
}

// Every kernel in the registry, and the slice merges of merge.c, run with FTZ and DAZ set, whatever the
// caller's MXCSR (see softmax_kernels.h): softmax_flush_enter sets them when the caller's MXCSR lacks
// them and returns that MXCSR; softmax_flush_leave puts the caller's FTZ and DAZ back. The arithmetic
// between the two must be an opaque call (registry.c calls the kernel, merge.c a noinline body): the
// compiler assumes the default floating-point environment and may move inline arithmetic across
// LDMXCSR. On aarch64 the same with FPCR.FZ (isa.c); no-ops on other architectures.
unsigned softmax_flush_enter(void);
void softmax_flush_leave(unsigned entered_with);

// The scale of vscaleextexp with its mantissa brought into [0.5, 1) and its exponent taking the rest: an
// exact rescaling, done where the exponent can take it exactly (|exponent| < 2^23; beyond, as for the
// exponent -1.4e30 of an input -1e30 alone, exponent + k would round back to the exponent) and the
// mantissa is finite and not 0. Every ISA does this once per call,
// so that mantissa * exp(t) < 2 wherever |t| <= ln2/2: a product that 2^(n + e) takes below 2^-126 is
// then below it on every ISA and flushed to 0 by FTZ, where AVX2's and the portable code's bit-built
// 2^(n + e) is 0 for n + e < -126 anyway. With a mantissa up to 2 (1 / a sum's mantissa), m * exp(t) *
// 2^-127 was a normal float that AVX512F's VSCALEFPS kept and the others gave as 0.
SOFTMAX_INLINE softmax_extfloat softmax_extfloat_normalized(softmax_extfloat scale) {
  if (!isfinite(scale.mantissa) || scale.mantissa == 0.0f || !(fabsf(scale.exponent) < 0x1p23f)) { return scale; }
  int k;
  const float mantissa = frexpf(scale.mantissa, &k);
  return (softmax_extfloat){mantissa, scale.exponent + (float)k};
}

// Upper bounds for the per-iteration register arrays of the templates.
#define SOFTMAX_MAX_VECTORS 24
#define SOFTMAX_MAX_ACCUMULATORS 4

#endif  // SOFTMAX_KERNEL_COMMON_H
