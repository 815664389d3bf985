// Pieces shared by the kernel micro-benchmarks that time WasmProgram programs (bench/wasm-gemm.ts on the wasm
// builds, bench/native-gemm.ts on the native kernel sets): deterministic data, the per-call timer, and one-step
// conv / dense programs and whole founding models as one program, on any engine's kernels.

import type { Activation } from '../src/ops/activation-fns.js';
import { WasmProgram, type ConvMethod, type WasmKernels } from '../src/kernels/wasm/index.js';

/** n floats in [-1, 1) from a 32-bit LCG: reproducible benchmark data. */
export function randData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = s / 2 ** 31 - 1;
  }
  return d;
}

export interface TimeOptions {
  /** Time spent in the timed batches (a third of it again warming up). */
  readonly targetMs: number;
  /** At least this many warm-up calls and timed batches. */
  readonly minWarm: number;
  readonly minSamples: number;
  /** Calls per timed batch: as many as take about this long. Default 2. */
  readonly batchMs?: number;
  /** The clock of the timed batches (ms). Default performance.now. */
  readonly now?: () => number;
}

/** Median and p99 of per-call time (ns) over batches of calls sized to ~batchMs each, after a warm-up. */
export function timePerCall(fn: () => void, o: TimeOptions): { median: number; p99: number } {
  const now = o.now ?? (() => performance.now());
  const t0 = performance.now();
  let warm = 0;
  while (performance.now() - t0 < o.targetMs / 3 || warm < o.minWarm) {
    fn();
    warm++;
  }
  const per = (performance.now() - t0) / warm;
  const reps = Math.max(1, Math.round((o.batchMs ?? 2) / per));
  const samples: number[] = [];
  const t1 = performance.now();
  while (performance.now() - t1 < o.targetMs || samples.length < o.minSamples) {
    const a = now();
    for (let i = 0; i < reps; i++) fn();
    samples.push(((now() - a) * 1e6) / reps);
  }
  samples.sort((x, y) => x - y);
  return { median: samples[samples.length >> 1], p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] };
}

export interface ConvSpec {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly k: number;
  readonly oc: number;
}

/** Packed conv weights for `method`: Winograd's transformed panels, or the GEMM panels of every other method. */
function convWeights(prog: WasmProgram, wt: Float32Array, k: number, ic: number, oc: number, method: ConvMethod) {
  return method === 'winograd' ? prog.packWinogradWeights(wt, k, ic, oc) : prog.packConv2dWeights(wt, k, k, ic, oc);
}

/** A one-step 'same' conv program; returns a runner and its flop count (2 per multiply-add of the direct conv). */
export function convProgram(kernels: WasmKernels, c: ConvSpec, method: ConvMethod, act: Activation = { fn: 'relu' }) {
  const [n, h, w, ic] = c.x;
  const pad = (c.k - 1) >> 1;
  const xs = n * h * w * ic;
  const prog = new WasmProgram(kernels, { arenaFloats: xs + n * h * w * c.oc });
  const pw = convWeights(prog, randData(c.k * c.k * ic * c.oc, 1), c.k, ic, c.oc, method);
  prog.conv2d({ x: 0, xShape: c.x, w: pw, kernelSize: [c.k, c.k], bias: prog.constant(randData(c.oc, 2)), y: xs, pads: [pad, c.k - 1 - pad, pad, c.k - 1 - pad], activation: act, method });
  prog.finish();
  prog.arena.set(randData(xs, 3));
  return { run: () => prog.run(), flops: 2 * n * h * w * c.oc * c.k * c.k * ic };
}

/** A one-step dense program (rows x K . K x N + bias, relu). */
export function denseProgram(kernels: WasmKernels, K: number, N: number, rows = 1) {
  const prog = new WasmProgram(kernels, { arenaFloats: rows * (K + N) });
  prog.dense({ x: 0, w: prog.packDenseWeights(randData(K * N, 1), K, N), bias: prog.constant(randData(N, 2)), y: rows * K, rows, activation: { fn: 'relu' } });
  prog.finish();
  prog.arena.set(randData(rows * K, 3));
  return { run: () => prog.run(), flops: 2 * rows * K * N };
}

export type ModelKind = 'beginner' | 'expert' | 'deep-mnist';

/**
 * A whole founding model as one program (sequential layers, a bump-allocated arena: no reuse, it is a benchmark),
 * batch `b`; `convMethod(cin, cout)` picks each conv's method. The runner is the realistic call: copy the input
 * in, run, copy the probabilities out.
 */
export function modelProgram(kernels: WasmKernels, kind: ModelKind, convMethod: (cin: number, cout: number) => ConvMethod, b = 1) {
  type L = { t: 'conv'; k: number; oc: number } | { t: 'pool' } | { t: 'dense'; n: number; act: Activation } | { t: 'softmax' };
  const layers: L[] =
    kind === 'beginner'
      ? [{ t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }]
      : kind === 'expert'
        ? [{ t: 'conv', k: 3, oc: 32 }, { t: 'pool' }, { t: 'conv', k: 3, oc: 32 }, { t: 'pool' }, { t: 'dense', n: 128, act: { fn: 'relu' } }, { t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }]
        : [{ t: 'conv', k: 5, oc: 32 }, { t: 'pool' }, { t: 'conv', k: 5, oc: 64 }, { t: 'pool' }, { t: 'dense', n: 1024, act: { fn: 'relu' } }, { t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }];
  // Shapes first, to size the arena.
  let shape: number[] = kind === 'beginner' ? [b, 784] : [b, 28, 28, 1];
  const shapes: number[][] = [shape];
  for (const l of layers) {
    if (l.t === 'conv') shape = [b, shape[1], shape[2], l.oc];
    else if (l.t === 'pool') shape = [b, shape[1] >> 1, shape[2] >> 1, shape[3]];
    else if (l.t === 'dense') shape = [b, l.n];
    shapes.push(shape);
  }
  const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
  const offsets: number[] = [];
  let top = 0;
  for (const s of shapes) {
    offsets.push(top);
    top += size(s);
  }
  const prog = new WasmProgram(kernels, { arenaFloats: top });
  let flops = 0;
  layers.forEach((l, i) => {
    const xs = shapes[i];
    const x = offsets[i];
    const y = offsets[i + 1];
    if (l.t === 'conv') {
      const ic = xs[3];
      const pad = (l.k - 1) >> 1;
      const method = convMethod(ic, l.oc);
      const w = convWeights(prog, randData(l.k * l.k * ic * l.oc, i), l.k, ic, l.oc, method);
      prog.conv2d({ x, xShape: xs, w, kernelSize: [l.k, l.k], bias: prog.constant(randData(l.oc, i + 50)), y, pads: [pad, l.k - 1 - pad, pad, l.k - 1 - pad], activation: { fn: 'relu' }, method });
      flops += 2 * b * xs[1] * xs[2] * l.k * l.k * ic * l.oc;
    } else if (l.t === 'pool') {
      prog.pool2d({ type: 'max', x, xShape: xs, y, kernel: [2, 2], strides: [2, 2] });
    } else if (l.t === 'dense') {
      const K = size(xs) / b;
      prog.dense({ x, w: prog.packDenseWeights(randData(K * l.n, i), K, l.n), bias: prog.constant(randData(l.n, i + 50)), y, rows: b, activation: l.act });
      flops += 2 * b * K * l.n;
    } else {
      prog.softmax({ x, y, rows: b, n: size(xs) / b });
    }
  });
  prog.finish();
  const input = randData(size(shapes[0]), 9);
  const arena = prog.arena;
  const outAt = offsets[offsets.length - 1];
  const out = new Float32Array(10 * b);
  return {
    run: () => {
      arena.set(input, 0);
      prog.run();
      out.set(arena.subarray(outAt, outAt + 10 * b));
    },
    flops,
  };
}

export const fmt = (v: number, d = 2) => v.toFixed(d).padStart(8);
