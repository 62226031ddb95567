// Exp methods: how a kernel approximates exp, spelled as their own part of its name (see kernel_common.h
// and docs/exp-kernels.md). Unlike the memory variants, a method changes the arithmetic: results differ
// from the paper's method in the last bits, so kernels are compared across methods through the float64
// reference, and bit for bit only within a method (AVX2 against AVX512F).
#ifndef SOFTMAX_EXP_METHOD_H
#define SOFTMAX_EXP_METHOD_H

#include "exp_constants.h"
#include "exp_lut_constants.h"

typedef enum {
  // The paper's: n = round(x / ln2), two-constant reduction, degree-5 polynomial on |t| <= ln2/2.
  softmax_exp_rr2p5 = 0,
  // n = round(16x / ln2), 2^(n/16) from a 16-entry table, degree-3 polynomial on |t| <= ln2/32.
  softmax_exp_lut16p3 = 1,
  // n = round(64x / ln2), 2^(n/64) from a 64-entry table read by a gather, degree-2 polynomial on |t| <= ln2/128.
  softmax_exp_lut64p2 = 2,
  // lut64p2's arithmetic with the table read by two-table permutes from four registers instead of a gather:
  // the same bits (the variant `perm`, kernel_common.h). AVX512F only.
  softmax_exp_lut64p2_perm = 3,
} softmax_exp_method;

// The polynomial of method E times m, highest coefficient first, as softmax_exp_poly_times: m = 1 is the
// plain polynomial. lut16p3 uses the first four entries, lut64p2 the first three.
static inline softmax_exp_poly softmax_exp_poly_for(const softmax_exp_method E, float m) {
  if (E == softmax_exp_lut16p3) {
    return (softmax_exp_poly){{SOFTMAX_LUT16P3_C3 * m, SOFTMAX_LUT16P3_C2 * m, SOFTMAX_LUT16P3_C1 * m, m, 0.0f, 0.0f}};
  }
  if (E == softmax_exp_lut64p2 || E == softmax_exp_lut64p2_perm) {
    return (softmax_exp_poly){{SOFTMAX_LUT64P2_C2 * m, SOFTMAX_LUT64P2_C1 * m, m, 0.0f, 0.0f, 0.0f}};
  }
  return softmax_exp_poly_times(m);
}

// The table entries, bits(2^(j/16)) - (j << 19) (tables.c, from exp_lut_constants.h).
extern const uint32_t softmax_lut16_table[16];
// bits(2^(j/64)) - (j << 17) (tables.c, from exp_lut_constants.h).
extern const uint32_t softmax_lut64_table[64];

// The two-pass (extended-range) exp's polynomial of method E times m, as softmax_exp_poly_for: lut16p3's
// and lut64p2's are fitted on the wider interval their unbounded x needs (exp_lut_constants.h); rr2p5's is
// the paper's.
static inline softmax_exp_poly softmax_extexp_poly_for(const softmax_exp_method E, float m) {
  if (E == softmax_exp_lut16p3) {
    return (softmax_exp_poly){{SOFTMAX_LUT16P3_EXT_C3 * m, SOFTMAX_LUT16P3_EXT_C2 * m, SOFTMAX_LUT16P3_EXT_C1 * m, m, 0.0f, 0.0f}};
  }
  if (E == softmax_exp_lut64p2) {
    return (softmax_exp_poly){{SOFTMAX_LUT64P2_EXT_C2 * m, SOFTMAX_LUT64P2_EXT_C1 * m, m, 0.0f, 0.0f, 0.0f}};
  }
  return softmax_exp_poly_times(m);
}

// The extended exp's plain table, bits(2^(j/16)) (tables.c, from exp_lut_constants.h).
extern const uint32_t softmax_lut16_pow2_table[16];
// bits(2^(j/64)) likewise, for the extended lut64p2 (read by a gather).
extern const uint32_t softmax_lut64_pow2_table[64];

// The two-pass families implement rr2p5, lut16p3 and lut64p2 (their dispatch, softmax_avx2_extexp_block_for,
// takes every other method for rr2p5): a kernels.def line with another method (lut64p2's permute variant
// included) must not compile.
#define SOFTMAX_EXTEXP_METHOD_IMPLEMENTED(family, isa, variant) \
  _Static_assert(SOFTMAX_EXP(variant) == softmax_exp_rr2p5 || SOFTMAX_EXP(variant) == softmax_exp_lut16p3 || \
                     SOFTMAX_EXP(variant) == softmax_exp_lut64p2, \
                 #family "_" #isa " implements the exp methods rr2p5, lut16p3 and lut64p2, not " #variant);

#endif  // SOFTMAX_EXP_METHOD_H
