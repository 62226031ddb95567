// Included at the end of a family file after it defined KERNEL_<family>_<isa>(tile, acc) for its own
// family and ISA: emits the variants kernels.def lists for that pair and nothing for the others.
// (No include guard: each family file includes it once.)

#ifndef KERNEL_rmax_portable
#define KERNEL_rmax_portable(t, a, v)
#endif
#ifndef KERNEL_rmax_avx2
#define KERNEL_rmax_avx2(t, a, v)
#endif
#ifndef KERNEL_rmax_avx512f
#define KERNEL_rmax_avx512f(t, a, v)
#endif
#ifndef KERNEL_raddexpminusmax_portable
#define KERNEL_raddexpminusmax_portable(t, a, v)
#endif
#ifndef KERNEL_raddexpminusmax_avx2
#define KERNEL_raddexpminusmax_avx2(t, a, v)
#endif
#ifndef KERNEL_raddexpminusmax_avx512f
#define KERNEL_raddexpminusmax_avx512f(t, a, v)
#endif
#ifndef KERNEL_vscaleexpminusmax_portable
#define KERNEL_vscaleexpminusmax_portable(t, a, v)
#endif
#ifndef KERNEL_vscaleexpminusmax_avx2
#define KERNEL_vscaleexpminusmax_avx2(t, a, v)
#endif
#ifndef KERNEL_vscaleexpminusmax_avx512f
#define KERNEL_vscaleexpminusmax_avx512f(t, a, v)
#endif
#ifndef KERNEL_raddstoreexpminusmax_portable
#define KERNEL_raddstoreexpminusmax_portable(t, a, v)
#endif
#ifndef KERNEL_raddstoreexpminusmax_avx2
#define KERNEL_raddstoreexpminusmax_avx2(t, a, v)
#endif
#ifndef KERNEL_raddstoreexpminusmax_avx512f
#define KERNEL_raddstoreexpminusmax_avx512f(t, a, v)
#endif
#ifndef KERNEL_vscale_portable
#define KERNEL_vscale_portable(t, a, v)
#endif
#ifndef KERNEL_vscale_avx2
#define KERNEL_vscale_avx2(t, a, v)
#endif
#ifndef KERNEL_vscale_avx512f
#define KERNEL_vscale_avx512f(t, a, v)
#endif
#ifndef KERNEL_raddextexp_portable
#define KERNEL_raddextexp_portable(t, a, v)
#endif
#ifndef KERNEL_raddextexp_avx2
#define KERNEL_raddextexp_avx2(t, a, v)
#endif
#ifndef KERNEL_raddextexp_avx512f
#define KERNEL_raddextexp_avx512f(t, a, v)
#endif
#ifndef KERNEL_vscaleextexp_portable
#define KERNEL_vscaleextexp_portable(t, a, v)
#endif
#ifndef KERNEL_vscaleextexp_avx2
#define KERNEL_vscaleextexp_avx2(t, a, v)
#endif
#ifndef KERNEL_vscaleextexp_avx512f
#define KERNEL_vscaleextexp_avx512f(t, a, v)
#endif

#ifndef KERNEL_rmaxaddexp_portable
#define KERNEL_rmaxaddexp_portable(t, a, v)
#endif
#ifndef KERNEL_rmaxaddexp_avx2
#define KERNEL_rmaxaddexp_avx2(t, a, v)
#endif
#ifndef KERNEL_rmaxaddexp_avx512f
#define KERNEL_rmaxaddexp_avx512f(t, a, v)
#endif

#define KERNEL(family, isa, tile, acc, variant) KERNEL_##family##_##isa(tile, acc, variant)
#include "../kernels.def"
#undef KERNEL
