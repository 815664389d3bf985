// How a batch is cut into plan runs, shared by Session (main thread) and the batch workers, so the same sample
// always lands in the same kind of kernel tile whichever thread runs it.
//
// Rows [from, to) run in chunks that end on the global grid of multiples of `maxBatch`, and thread ranges start
// at multiples of `threadSplitUnit(maxBatch)`, so every thread runs whole 4-row GEMM tiles. Bit-identity with one
// thread no longer rests on this: every kernel sums a row in an order fixed by the step's shape alone
// (step-encoding.ts KSPLIT_*), so any split gives the same bits (test/runtime/threads.test.ts,
// test/hostile/numerics.test.ts).

import type { Executor } from '../kernels/abi.js';

/** Threads' ranges start at multiples of this many samples. */
export function threadSplitUnit(maxBatch: number): number {
  return maxBatch % 4 === 0 ? 4 : maxBatch;
}

/** The first sample of each of `parts` contiguous ranges over [0, n) (ascending, first is 0), balanced. */
export function splitPoints(n: number, parts: number, maxBatch: number): number[] {
  const unit = threadSplitUnit(maxBatch);
  const pts = [0];
  for (let k = 1; k < parts; k++) pts.push(Math.min(n, Math.max(pts[k - 1], Math.round((k * n) / parts / unit) * unit)));
  return pts;
}

/**
 * Runs samples [from, to) of packed inputs through executors made per chunk size (`exec(b)`), chunks ending on
 * the maxBatch grid. `inOffset` / `outOffset`: sample index at which inputs[i] / outs[i] start (a worker's
 * shared buffers hold only its own range).
 */
export function runRows(
  exec: (b: number) => Executor,
  inputs: readonly Float32Array[],
  outs: readonly Float32Array[],
  inputSizes: readonly number[],
  outputSizes: readonly number[],
  maxBatch: number,
  from: number,
  to: number,
  inOffset = 0,
  outOffset = 0,
): void {
  for (let start = from; start < to; ) {
    const end = Math.min(to, (Math.floor(start / maxBatch) + 1) * maxBatch);
    const b = end - start;
    const ex = exec(b);
    for (let i = 0; i < inputs.length; i++) {
      const s = inputSizes[i];
      ex.inputView(i).set(inputs[i].subarray((start - inOffset) * s, (end - inOffset) * s));
    }
    ex.run();
    for (let i = 0; i < outs.length; i++) {
      const s = outputSizes[i];
      outs[i].set(ex.outputView(i).subarray(0, b * s), (start - outOffset) * s);
    }
    start = end;
  }
}
