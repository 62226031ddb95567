#include "kernel_common.h"

// x86-64 only, as the AVX2 kernels that read it.
#if SOFTMAX_ARCH_X86_64
#include "exp_avx2.h"
#include "exp_method.h"

// Seven -1s then eight 0s, so any 8-int window starting at 7 - n has exactly n leading -1s (1 <= n <= 7).
const int32_t softmax_avx2_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0};

const uint32_t softmax_lut16_table[16] = SOFTMAX_LUT16_TABLE_ENTRIES;
const uint32_t softmax_lut64_table[64] = SOFTMAX_LUT64_TABLE_ENTRIES;
const uint32_t softmax_lut16_pow2_table[16] = SOFTMAX_LUT16_POW2_ENTRIES;
const uint32_t softmax_lut64_pow2_table[64] = SOFTMAX_LUT64_POW2_ENTRIES;
#endif  // SOFTMAX_ARCH_X86_64
