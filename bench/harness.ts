// The timing protocol of `kerasrt bench`: sequential calls (each waits for the previous result), one
// process.hrtime.bigint pair per call for percentiles, loop wall time for "ms per 10000", GC pauses
// observed (not hidden), and batch throughput. Sync and async runners get separate loops so a sync path
// never pays for an await it would not have in real use.

import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { loadWasmKernels, type WasmKernels, type WasmVariant } from '../src/kernels/wasm/index.js';
import { opDef } from '../src/ops/registry.js';
import type { ExecutionPlan, PlanStep } from '../src/planner/plan.js';

/** One prediction path, bound to one model: `one` takes sample i's input view, returns its output. */
export type Runner =
  | { readonly kind: 'sync'; one(x: Float32Array): Float32Array; batch?(x: Float32Array, n: number): Float32Array; dispose?(): void | Promise<void> }
  | { readonly kind: 'async'; one(x: Float32Array): Promise<Float32Array>; batch?(x: Float32Array, n: number): Promise<Float32Array>; dispose?(): void | Promise<void> };

/** n images packed row-major, `size` floats each. */
export interface Images {
  readonly x: Float32Array;
  readonly n: number;
  readonly size: number;
}

export function sample(images: Images, i: number): Float32Array {
  return images.x.subarray(i * images.size, (i + 1) * images.size);
}

// ---- GC observation ----

/** Collects GC pauses reported by V8 (perf_hooks 'gc' entries) so each timed section can claim its own. */
export class GcWatch {
  private readonly entries: { start: number; duration: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as PerformanceEntry[]) this.entries.push({ start: e.startTime, duration: e.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** GC pauses that started in [from, to] (performance.now() time). Call after yielding to the event loop. */
  async between(from: number, to: number): Promise<{ count: number; ms: number }> {
    await new Promise((r) => setImmediate(r)); // entries are delivered asynchronously
    let count = 0;
    let ms = 0;
    for (const e of this.entries) {
      if (e.start >= from && e.start <= to) {
        count++;
        ms += e.duration;
      }
    }
    return { count, ms };
  }

  stop(): void {
    this.observer.disconnect();
  }
}

// ---- sequential timing ----

export interface SequentialOptions {
  /** Calls per loop (images 0..calls-1, in order). */
  readonly calls: number;
  readonly loops: number;
  /** Called after each loop (progress). */
  readonly onLoop?: (loop: number) => void;
}

export interface SequentialResult {
  readonly calls: number;
  readonly loops: number;
  /** Wall time of each loop, ms (includes the per-call timer reads). */
  readonly loopMs: readonly number[];
  /** Every timed call, ns, sorted. */
  readonly sortedNs: Float64Array;
  readonly gc: { readonly count: number; readonly ms: number };
}

/** Runs `loops` loops of `calls` sequential predictions; every call is timed on its own. */
export async function timeSequential(r: Runner, images: Images, opts: SequentialOptions, gc: GcWatch): Promise<SequentialResult> {
  const ns = new Float64Array(opts.calls * opts.loops);
  const loopMs: number[] = [];
  const t0 = performance.now();
  let k = 0;
  for (let loop = 0; loop < opts.loops; loop++) {
    const start = process.hrtime.bigint();
    if (r.kind === 'sync') {
      for (let i = 0; i < opts.calls; i++) {
        const x = sample(images, i % images.n);
        const a = process.hrtime.bigint();
        r.one(x);
        ns[k++] = Number(process.hrtime.bigint() - a);
      }
    } else {
      for (let i = 0; i < opts.calls; i++) {
        const x = sample(images, i % images.n);
        const a = process.hrtime.bigint();
        await r.one(x);
        ns[k++] = Number(process.hrtime.bigint() - a);
      }
    }
    loopMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    opts.onLoop?.(loop);
    await new Promise((res) => setImmediate(res)); // let progress lines and GC entries through
  }
  const t1 = performance.now();
  ns.sort();
  return { calls: opts.calls, loops: opts.loops, loopMs, sortedNs: ns, gc: await gc.between(t0, t1) };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

/** Calls the runner until `maxCalls` calls or `maxMs` have passed (at least `minCalls`); returns ms per call. */
export async function warmUp(r: Runner, images: Images, firstImage: number, maxCalls: number, minCalls: number, maxMs: number): Promise<{ calls: number; msPerCall: number }> {
  const t0 = performance.now();
  let n = 0;
  while (n < maxCalls && (n < minCalls || performance.now() - t0 < maxMs)) {
    const x = sample(images, (firstImage + n) % images.n);
    if (r.kind === 'sync') r.one(x);
    else await r.one(x);
    n++;
  }
  return { calls: n, msPerCall: (performance.now() - t0) / Math.max(1, n) };
}

// ---- batch throughput ----

export interface BatchResult {
  readonly batch: number;
  /** Images processed in the timed section. */
  readonly images: number;
  readonly ms: number;
  readonly imagesPerSec: number;
  readonly gc: { readonly count: number; readonly ms: number };
}

/**
 * Runs batches of `batch` consecutive images (in order) until `maxImages` images or `maxMs` (at least one
 * batch); returns images/s. With `warmUp`, one untimed batch first. The output of the first batch
 * (images 0..batch-1) goes to `check`.
 */
export async function timeBatches(
  r: Runner,
  images: Images,
  batch: number,
  maxImages: number,
  maxMs: number,
  gc: GcWatch,
  options: { readonly warmUp: boolean; readonly check?: (out: Float32Array, n: number) => void },
): Promise<BatchResult> {
  if (!r.batch) throw new Error('runner has no batch entry point');
  const run = r.batch.bind(r) as (x: Float32Array, n: number) => Float32Array | Promise<Float32Array>;
  const slice = (b: number) => images.x.subarray(b * batch * images.size, (b + 1) * batch * images.size);
  const batchesIn = Math.floor(images.n / batch);
  let check = options.check;
  if (options.warmUp) {
    check?.(await run(slice(0), batch), batch); // first-use plans, allocations
    check = undefined;
  }
  const p0 = performance.now();
  const t0 = process.hrtime.bigint();
  let t0Shift = 0n;
  let done = 0;
  let b = 0;
  while (done === 0 || (done + batch <= maxImages && Number(process.hrtime.bigint() - t0) / 1e6 < maxMs)) {
    const out = await run(slice(b % batchesIn), batch);
    if (b === 0 && check) {
      // Checked outside the timed section.
      const pause = process.hrtime.bigint();
      check(out, batch);
      t0Shift += process.hrtime.bigint() - pause;
    }
    done += batch;
    b++;
  }
  const ms = Number(process.hrtime.bigint() - t0 - t0Shift) / 1e6;
  return { batch, images: done, ms, imagesPerSec: (done / ms) * 1000, gc: await gc.between(p0, performance.now()) };
}

/** Cost of one hrtime.bigint() pair, ns (median of many): the timer's share of each timed call. */
export function timerOverheadNs(): number {
  const n = 20001;
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    xs[i] = Number(process.hrtime.bigint() - a);
  }
  xs.sort();
  return xs[n >> 1];
}

// ---- arithmetic: flops per call and the wasm SIMD peak they are compared with ----

/** Ops whose cost() counts multiply-adds (2 flops each); the rest (pooling, activations, copies) are left out. */
const MAC_OPS: ReadonlySet<string> = new Set(['conv2d', 'depthwise_conv2d', 'conv2d_transpose', 'dense', 'dot', 'simple_rnn', 'lstm', 'gru']);

/** Flops of one plan step: 2 per multiply-add of conv / dense / recurrent steps (the ops' own cost model), else 0. */
export function stepFlops(s: PlanStep): number {
  if (!MAC_OPS.has(s.node.op)) return 0;
  const def = opDef(s.node.op) as { cost(inputs: readonly (readonly number[])[], attrs: unknown): number };
  return 2 * def.cost(s.inputs.map((x) => x.shape), s.node.attrs);
}

/** Flops of a whole plan (multiply-add ops only, see stepFlops). */
export function planFlops(plan: ExecutionPlan): number {
  return plan.steps.reduce((f, s) => f + stepFlops(s), 0);
}

/**
 * The register-only multiply-add peak of the wasm kernels (as/run.ts peakFma: 72 flops per iteration, no
 * memory traffic), GFLOP/s, median of 9 runs: the ceiling 128-bit WebAssembly SIMD reaches on this core.
 */
export function wasmPeakGflops(variant: WasmVariant, iters = 200000): number {
  return kernelsPeakGflops(loadWasmKernels({ variant }), iters);
}

/** The same probe on any program engine's kernels (the native addon's peakFma runs as many flops). */
export function kernelsPeakGflops(kernels: WasmKernels, iters = 200000): number {
  const k = kernels.exports;
  k.peakFma(1000, 1e-7);
  const ns: number[] = [];
  for (let i = 0; i < 9; i++) {
    const a = process.hrtime.bigint();
    k.peakFma(iters, 1e-7);
    ns.push(Number(process.hrtime.bigint() - a));
  }
  ns.sort((a, b) => a - b);
  return (72 * iters) / ns[4];
}
