// Included at the end of a family file, which first defines, for its own family F and ISA I:
//   #define SOFTMAX_EXPANDS_F_I SOFTMAX_PROBE
//   #define KERNEL_F_I(tile, acc, variant) <the definition of one kernel>
// Emits the kernels kernels.def lists for that pair and nothing for any other line: a line's
// SOFTMAX_EXPANDS_<family>_<isa> is the probe (two arguments, "~, 1") only in the file of its pair, and
// an undefined name elsewhere (one argument), so SOFTMAX_IF_PROBED picks 1 or 0 without a stub per pair.
// (No include guard: each family file includes it once.)

#define SOFTMAX_EMIT_0(f, i, t, a, v)
#define SOFTMAX_EMIT_1(f, i, t, a, v) KERNEL_##f##_##i(t, a, v)
#define KERNEL(f, i, t, a, v) SOFTMAX_CAT(SOFTMAX_EMIT_, SOFTMAX_PROBED(SOFTMAX_EXPANDS_##f##_##i))(f, i, t, a, v)
#include "../kernels.def"
#undef KERNEL
