// Shared by every kernel file: naming, target attributes, and the expansion of kernels.def.
#ifndef SOFTMAX_KERNEL_COMMON_H
#define SOFTMAX_KERNEL_COMMON_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "softmax_kernels.h"

#define SOFTMAX_CAT_(a, b) a##b
#define SOFTMAX_CAT(a, b) SOFTMAX_CAT_(a, b)
#define SOFTMAX_STR_(a) #a
#define SOFTMAX_STR(a) SOFTMAX_STR_(a)

// A single accumulator is not spelled in the name (raddextexp_avx2_x96); more are (..._x96_acc3).
#define SOFTMAX_ACC_SUFFIX_1
#define SOFTMAX_ACC_SUFFIX_2 _acc2
#define SOFTMAX_ACC_SUFFIX_3 _acc3
#define SOFTMAX_ACC_SUFFIX_4 _acc4
#define SOFTMAX_KERNEL_NAME(family, isa, tile, acc) \
  SOFTMAX_CAT(SOFTMAX_CAT(family##_##isa##_x, tile), SOFTMAX_CAT(SOFTMAX_ACC_SUFFIX_, acc))

// Templates take their unroll and accumulator counts as constants and are inlined into each variant,
// so every variant's loops are fully unrolled and its per-vector arrays live in registers.
#define SOFTMAX_INLINE static inline __attribute__((always_inline))
#define SOFTMAX_UNROLL _Pragma("clang loop unroll(full)")
#define SOFTMAX_TARGET_PORTABLE
#define SOFTMAX_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define SOFTMAX_TARGET_AVX512F __attribute__((target("avx512f")))

// Upper bounds for the per-iteration register arrays of the templates.
#define SOFTMAX_MAX_VECTORS 24
#define SOFTMAX_MAX_ACCUMULATORS 4

// Traffic per element of each family, in bytes (read, written).
#define SOFTMAX_READ_BYTES_rmax 4
#define SOFTMAX_WRITE_BYTES_rmax 0
#define SOFTMAX_READ_BYTES_raddexpminusmax 4
#define SOFTMAX_WRITE_BYTES_raddexpminusmax 0
#define SOFTMAX_READ_BYTES_vscaleexpminusmax 4
#define SOFTMAX_WRITE_BYTES_vscaleexpminusmax 4
#define SOFTMAX_READ_BYTES_raddstoreexpminusmax 4
#define SOFTMAX_WRITE_BYTES_raddstoreexpminusmax 4
#define SOFTMAX_READ_BYTES_vscale 4
#define SOFTMAX_WRITE_BYTES_vscale 4
#define SOFTMAX_READ_BYTES_raddextexp 4
#define SOFTMAX_WRITE_BYTES_raddextexp 0
#define SOFTMAX_READ_BYTES_vscaleextexp 4
#define SOFTMAX_WRITE_BYTES_vscaleextexp 4
#define SOFTMAX_READ_BYTES_rmaxaddexp 4
#define SOFTMAX_WRITE_BYTES_rmaxaddexp 0

#endif  // SOFTMAX_KERNEL_COMMON_H
