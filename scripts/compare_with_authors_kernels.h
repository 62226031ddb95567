// The authors' kernels as the driver calls them: XNNPACK's f32 softmax micro-kernels at the paper's
// commit, with XNNPACK's signatures (sizes in bytes, results through pointers). They are declared weak:
// the driver's --self-test is built without them, and a comparison run refuses to start when one is
// missing. The kernel choice per ISA and algorithm is the paper's "blend" preset
// (bench/f32-softmax.cc at XNNPACK b6862d1, "leave only the blend presets reported in the paper").
#ifndef COMPARE_WITH_AUTHORS_KERNELS_H
#define COMPARE_WITH_AUTHORS_KERNELS_H

#include <stddef.h>

typedef void (*xnn_rmax_fn)(size_t bytes, const float* x, float* max);
typedef void (*xnn_raddexpminusmax_fn)(size_t bytes, const float* x, float* sum, float max);
// Note the order: scale before max, as the kernels define it (the benchmark at b6862d1 passes them the
// other way round; the driver passes them as the kernels read them, so that their outputs can be checked).
typedef void (*xnn_vscaleexpminusmax_fn)(size_t bytes, const float* x, float* y, float scale, float max);
typedef void (*xnn_raddstoreexpminusmax_fn)(size_t bytes, const float* x, float* y, float* sum, float max);
typedef void (*xnn_vscale_fn)(size_t bytes, const float* x, float* y, float scale);
typedef void (*xnn_raddextexp_fn)(size_t bytes, const float* x, float* sum_mantissa_exponent);
typedef void (*xnn_vscaleextexp_fn)(size_t bytes, const float* x, float* y, float scale_mantissa, float scale_exponent);

#define AUTHORS_KERNELS(X) \
  X(rmax, xnn_f32_rmax_ukernel__avx) \
  X(rmax, xnn_f32_rmax_ukernel__avx512f) \
  X(raddexpminusmax, xnn_f32_raddexpminusmax_ukernel__avx2_p5_x96) \
  X(raddexpminusmax, xnn_f32_raddexpminusmax_ukernel__avx512f_p5_scalef_x128_acc4) \
  X(vscaleexpminusmax, xnn_f32_vscaleexpminusmax_ukernel__avx2_p5_x24) \
  X(vscaleexpminusmax, xnn_f32_vscaleexpminusmax_ukernel__avx512f_p5_scalef_x16) \
  X(raddstoreexpminusmax, xnn_f32_raddstoreexpminusmax_ukernel__avx2_p5_x64_acc2) \
  X(raddstoreexpminusmax, xnn_f32_raddstoreexpminusmax_ukernel__avx512f_p5_scalef_x128_acc2) \
  X(vscale, xnn_f32_vscale_ukernel__avx_unroll32) \
  X(vscale, xnn_f32_vscale_ukernel__avx512f_unroll64) \
  X(raddextexp, xnn_f32_raddextexp_ukernel__avx2_p5_x96) \
  X(raddextexp, xnn_f32_raddextexp_ukernel__avx512f_p5_scalef_x144_acc3) \
  X(vscaleextexp, xnn_f32_vscaleextexp_ukernel__avx2_p5_x40) \
  X(vscaleextexp, xnn_f32_vscaleextexp_ukernel__avx512f_p5_scalef_x16)

#define AUTHORS_DECLARE(family, name) extern __typeof__(*(xnn_##family##_fn)0) name __attribute__((weak));
AUTHORS_KERNELS(AUTHORS_DECLARE)
#undef AUTHORS_DECLARE

#endif  // COMPARE_WITH_AUTHORS_KERNELS_H
