// A deliberately wrong stand-in for vscale/vscale_portable.c, for the test of the smoke test
// (scripts/test-c-kernels.sh): the kernels kernels.def lists for vscale/portable, each forgetting the
// tail after its last whole tile, the kind of bug the smoke test exists to catch. It must make
// kernels_smoke fail and name the kernel.
#include "../../Sources/CSoftmaxKernels/common/kernel_common.h"

#define SOFTMAX_EXPANDS_vscale_portable SOFTMAX_PROBE
#define KERNEL_vscale_portable(tile, acc, variant) \
  void SOFTMAX_KERNEL_NAME(vscale, portable, tile, acc, variant)(size_t n, const float* x, float* y, float scale) { \
    for (size_t i = 0; i + (tile) <= n; i += (tile)) { \
      for (size_t j = 0; j < (tile); j++) { y[i + j] = x[i + j] * scale; } \
    } \
  }
#include "../../Sources/CSoftmaxKernels/common/expand_kernels.h"
