// kerasrt native back end: what the Node-API glue (addon.cc), the thread pool (pool.cc) and the per-ISA kernel
// sets (isa_*.cc, all built from kernels.inc) share. A kernel set interprets the wasm program format
// (step_encoding.h, generated from src/kernels/wasm/step-encoding.ts) over the same memory layout WasmProgram
// lays out: addresses in step records are byte offsets from `base`, the start of the memory's ArrayBuffer.
#pragma once

#include <cstddef>
#include <cstdint>

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define KR_X86 1
#else
#define KR_X86 0
#endif

namespace kr {

/** One compiled kernel set (portable C++, AVX2+FMA or AVX-512F). */
struct KernelSet {
  const char* name;
  /** Runs `steps` step records at byte offset `program`; 0, or 1 + the index of a step with a bad opcode. */
  int (*run)(uint8_t* base, uint32_t program, int steps);
  /** Register-only multiply-add loop: returns the flops it performed (2 per lane per FMA). */
  double (*peakFlops)(int64_t iters);
  /** Whether this CPU (and OS) can run the set. */
  bool (*supported)();
};

const KernelSet* kernelsGeneric();
/** nullptr when the compiler could not build the set (non-x86 targets, MSVC). */
const KernelSet* kernelsAvx2();
const KernelSet* kernelsAvx512();

/**
 * Checks every operand range of steps [program, program + steps) against a buffer of `length` bytes.
 * Returns -1 when all fit, else the index of the first step that reaches outside (or has a negative size).
 * Bad opcodes are left to run() (which reports them the way the wasm interpreter does).
 */
int validateProgram(const uint8_t* base, size_t length, uint32_t program, int steps);

/**
 * Per-thread scratch (engine.cc), 64-byte aligned, grown on first need and then reused: im2col blocks and the
 * direct convolution's row pointers. Each pool thread has its own, so batch steps split across threads need no
 * sharing. Steady-state runs allocate nothing.
 */
float* threadScratchFloats(size_t floats);
const float** threadScratchPointers(size_t count);
/** At least `floats` zeros (per thread; never written by kernels): the direct convolution's padding row. */
const float* threadZeros(size_t floats);

// ---- thread pool (pool.cc) ----

/** One task of a parallel job (a block of rows): fn(ctx, task). */
using TaskFn = void (*)(void* ctx, int task);

/** Threads a parallel step may use (the caller included); 1 disables threading. */
int poolThreads();
/** Sets the thread count (clamped to [1, 64]); returns the value in effect. Workers start lazily. */
int setPoolThreads(int n);
/**
 * Runs fn(ctx, t) for every t in [0, tasks) on the calling thread and up to threads - 1 pool workers, tasks
 * claimed dynamically (a late worker's share is taken by whoever is running); returns when all are done. Runs
 * everything inline when another thread is using the pool.
 */
void parallelFor(int tasks, int threads, TaskFn fn, void* ctx);

/**
 * How many threads a step of `flops` (2 per multiply-add) over `rows` independent rows should use. Single-sample
 * steps (batch == 1) stay on the calling thread (pool.cc states the rule; native/README.md the measurements).
 */
int threadsFor(int batch, double flops, int rows, int minRowsPerThread);

}  // namespace kr
