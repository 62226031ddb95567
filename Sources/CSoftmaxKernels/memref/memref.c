// Memory reference loops: what this memory does for the access patterns of the passes, measured in the
// same run as the passes so each pass can be judged against it. The loops are plain C that the compiler
// vectorises for each ISA's target attribute; the read loop sums in four vector accumulators of the
// ISA's width (the compiler may not reassociate a scalar float sum), so it is not bound by add latency.
// copy_nt is copy with streaming stores (after a head that aligns y to the vector width): no
// write-allocate read of y, the reference for passes with non-temporal stores.
#include <string.h>
#include "../common/kernel_common.h"

#if SOFTMAX_ARCH_X86_64
#include <immintrin.h>
#endif

typedef float softmax_v4 __attribute__((vector_size(16)));
typedef float softmax_v8 __attribute__((vector_size(32)));
typedef float softmax_v16 __attribute__((vector_size(64)));

// Streaming stores are weakly ordered: fence them before the caller's next stores.
static inline void softmax_store_fence(void) {
#if SOFTMAX_ARCH_X86_64
  _mm_sfence();
#else
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

// copy_nt needs clang's __builtin_nontemporal_store (the Swift build's compiler); a compiler without it
// (gcc, as in the aarch64 cross build) leaves copy_nt out of the table rather than list a copy that
// does not stream under its name.
#if defined(__has_builtin)
#if __has_builtin(__builtin_nontemporal_store)
#define SOFTMAX_HAS_STREAMING_STORE 1
#endif
#endif
#ifdef SOFTMAX_HAS_STREAMING_STORE
#define SOFTMAX_MEMREF_COPY_NT(isa, target, vec, width) \
  target static float memref_copy_nt_##isa(size_t n, const float* x, float* y) { \
    size_t i = 0; \
    for (; i < n && ((uintptr_t)(y + i) & (sizeof(vec) - 1)) != 0; i++) y[i] = x[i]; \
    for (; i + (width) <= n; i += (width)) { \
      vec v; \
      memcpy(&v, x + i, sizeof v); \
      __builtin_nontemporal_store(v, (vec*)(y + i)); \
    } \
    for (; i < n; i++) y[i] = x[i]; \
    softmax_store_fence(); \
    return 0; \
  }
#define SOFTMAX_MEMREF_COPY_NT_ENTRY(isa) {"copy_nt", softmax_isa_##isa, 4, 4, memref_copy_nt_##isa},
#else
#define SOFTMAX_MEMREF_COPY_NT(isa, target, vec, width)
#define SOFTMAX_MEMREF_COPY_NT_ENTRY(isa)
#endif

#define SOFTMAX_MEMREF_LOOPS(isa, target, vec, width) \
  target static float memref_read_##isa(size_t n, const float* x, float* y) { \
    (void)y; \
    vec s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0}, v; \
    size_t i = 0; \
    for (; i + 4 * (width) <= n; i += 4 * (width)) { \
      memcpy(&v, x + i, sizeof v); s0 += v; \
      memcpy(&v, x + i + (width), sizeof v); s1 += v; \
      memcpy(&v, x + i + 2 * (width), sizeof v); s2 += v; \
      memcpy(&v, x + i + 3 * (width), sizeof v); s3 += v; \
    } \
    s0 = (s0 + s1) + (s2 + s3); \
    float s = 0; \
    for (size_t l = 0; l < (width); l++) s += s0[l]; \
    for (; i < n; i++) s += x[i]; \
    return s; \
  } \
  target static float memref_copy_##isa(size_t n, const float* x, float* y) { \
    for (size_t i = 0; i < n; i++) y[i] = x[i]; \
    return 0; \
  } \
  SOFTMAX_MEMREF_COPY_NT(isa, target, vec, width) \
  target static float memref_scale_##isa(size_t n, const float* x, float* y) { \
    (void)x; \
    for (size_t i = 0; i < n; i++) y[i] *= 0x1.000002p+0f; \
    return 0; \
  } \
  target static float memref_write_##isa(size_t n, const float* x, float* y) { \
    (void)x; \
    for (size_t i = 0; i < n; i++) y[i] = 0.5f; \
    return 0; \
  }

SOFTMAX_MEMREF_LOOPS(portable, SOFTMAX_TARGET_PORTABLE, softmax_v4, 4)
// The x86-64 ISAs' loops only where their target attributes exist, as their kernels (kernels.def).
#if SOFTMAX_ARCH_X86_64
SOFTMAX_MEMREF_LOOPS(avx2, SOFTMAX_TARGET_AVX2, softmax_v8, 8)
SOFTMAX_MEMREF_LOOPS(avx512f, SOFTMAX_TARGET_AVX512F, softmax_v16, 16)
#endif

#define SOFTMAX_MEMREF_ENTRIES(isa) \
  {"read", softmax_isa_##isa, 4, 0, memref_read_##isa}, {"copy", softmax_isa_##isa, 4, 4, memref_copy_##isa}, \
      SOFTMAX_MEMREF_COPY_NT_ENTRY(isa) \
      {"scale", softmax_isa_##isa, 4, 4, memref_scale_##isa}, {"write", softmax_isa_##isa, 0, 4, memref_write_##isa},

const softmax_memref_info softmax_memrefs[] = {
    SOFTMAX_MEMREF_ENTRIES(portable)
#if SOFTMAX_ARCH_X86_64
    SOFTMAX_MEMREF_ENTRIES(avx2) SOFTMAX_MEMREF_ENTRIES(avx512f)
#endif
};
const size_t softmax_memref_count = sizeof(softmax_memrefs) / sizeof(softmax_memrefs[0]);

const softmax_memref_info* softmax_memref_at(size_t i) { return i < softmax_memref_count ? &softmax_memrefs[i] : NULL; }
