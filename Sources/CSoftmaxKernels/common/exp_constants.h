// Constants of the exp approximation shared by every ISA, as exact hex floats.
//
// exp(x) = 2^n * exp(t) with n = round(x * log2e) and t = x - n*ln2, so |t| <= ln2/2.
// ln2 is split Cody-Waite style into ln2_hi (its leading bits, so n*ln2_hi is exact for the n that
// occur) and ln2_lo (the rest); two FMAs then give t to nearly full precision.
// exp(t) ~ 1 + t*(c1 + t*(c2 + t*(c3 + t*(c4 + t*c5)))), a degree-5 minimax fit on [-ln2/2, ln2/2].
#ifndef SOFTMAX_EXP_CONSTANTS_H
#define SOFTMAX_EXP_CONSTANTS_H

#define SOFTMAX_LOG2E 0x1.715476p+0f
#define SOFTMAX_MINUS_LN2_HI -0x1.62E43p-1f
#define SOFTMAX_MINUS_LN2_LO 0x1.05C61p-29f
#define SOFTMAX_C1 0x1.FFFFF6p-1f
#define SOFTMAX_C2 0x1.FFFDC6p-2f
#define SOFTMAX_C3 0x1.555A80p-3f
#define SOFTMAX_C4 0x1.573A1Ap-5f
#define SOFTMAX_C5 0x1.0F9F9Cp-7f

// 1.5*2^23 + 127. Adding it to a float v with |v| < 2^22 rounds v to an integer k and leaves k + 127
// (the IEEE exponent bias) in the low mantissa bits, so shifting the bits left by 23 gives 2^k.
#define SOFTMAX_MAGIC_BIAS 0x1.8000FEp23f

// The smallest x whose exp(x) is a normal float: below it the three-pass exp returns 0 on every ISA
// (the bit-built 2^n would be garbage there). Results that the scale brings below 2^-126 are flushed by
// FTZ, which every kernel sets for its call (see softmax_flush_enter).
#define SOFTMAX_DENORMAL_CUTOFF -0x1.5D589Ep6f

// The extended-exponent exp clamps its reduced argument t to [-ln2, ln2] where |t| >= 2 or t is NaN:
// t's float bits have the top exponent bit (SOFTMAX_T_CLAMP_BIT) set exactly then. Inside the accurate
// range |t| <= ln2/2 + 0.01; only NaN and infinite inputs and finite ones beyond about 2^23 (where
// float(x * log2e) is off by units) reach |t| >= 2, and the clamp keeps their mantissa in [0.5, 2] so
// that only the exponent carries the magnitude and nothing overflows. Testing one bit rather than
// |t| > ln2 lets a block of vectors be checked with one OR per vector (see softmax_avx2_extexp_block);
// between ln2 and 2 the polynomial stays positive and finite (0.04 to 7.3), so no clamp is needed there.
#define SOFTMAX_LN2 0x1.62E430p-1f
#define SOFTMAX_T_CLAMP_BIT 0x40000000

// Exponent differences are clamped here before 2^d is built from bits: 2^-127 has a zero exponent
// field, which is 0.0, so anything smaller than 2^-126 (and -inf, and NaN from -inf - -inf) scales to 0.
#define SOFTMAX_MIN_EXPONENT_DELTA -127.0f

// The exp polynomial times m, highest coefficient first: c5*m, c4*m, c3*m, c2*m, c1*m, m (each product
// rounded to float). m = 1 is the plain polynomial. vscaleextexp and vscaleexpminusmax multiply by their
// scale this way, inside the polynomial, which saves a multiply per element.
typedef struct {
  float c[6];
} softmax_exp_poly;

static inline softmax_exp_poly softmax_exp_poly_times(float m) {
  return (softmax_exp_poly){{SOFTMAX_C5 * m, SOFTMAX_C4 * m, SOFTMAX_C3 * m, SOFTMAX_C2 * m, SOFTMAX_C1 * m, m}};
}

#endif  // SOFTMAX_EXP_CONSTANTS_H
