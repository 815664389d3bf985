// Micro-benchmark of the wasm SIMD kernels at the founding models' shapes: GFLOP/s per GEMM / conv step (both
// conv paths), whole-model latency per prediction (one run() call), the bare call overhead, and the peak of a
// register-only multiply-add loop, for the SIMD and relaxed-SIMD builds.
// Run: npm run build && node dist/bench/wasm-gemm.js [--quick]   (prints a table; writes bench/results/wasm-gemm.json)

import { mkdirSync, writeFileSync } from 'node:fs';
import type { Activation } from '../src/ops/activation-fns.js';
import { loadWasmKernels, relaxedSimdSupported, WasmProgram, type ConvMethod, type WasmVariant } from '../src/kernels/wasm/index.js';

const quick = process.argv.includes('--quick');
const TARGET_MS = quick ? 60 : 300;

function randData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = s / 2 ** 31 - 1;
  }
  return d;
}

/** Median and p99 of per-call time (ns) over batches of calls sized to ~2 ms each, after a warm-up. */
function time(fn: () => void): { median: number; p99: number } {
  const t0 = performance.now();
  let warm = 0;
  while (performance.now() - t0 < TARGET_MS / 3 || warm < 20) {
    fn();
    warm++;
  }
  const per = (performance.now() - t0) / warm;
  const reps = Math.max(1, Math.round(2 / per));
  const samples: number[] = [];
  const t1 = performance.now();
  while (performance.now() - t1 < TARGET_MS || samples.length < 15) {
    const a = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push(((performance.now() - a) * 1e6) / reps);
  }
  samples.sort((x, y) => x - y);
  return { median: samples[samples.length >> 1], p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] };
}

interface ConvSpec {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly k: number;
  readonly oc: number;
}
interface DenseSpec {
  readonly name: string;
  readonly K: number;
  readonly N: number;
}

/** Builds a one-step program; returns a runner and its flop count (2 per multiply-add). */
function convProgram(variant: WasmVariant, c: ConvSpec, method: ConvMethod, act: Activation = { fn: 'relu' }) {
  const [n, h, w, ic] = c.x;
  const pad = (c.k - 1) >> 1;
  const xs = n * h * w * ic;
  const prog = new WasmProgram(loadWasmKernels({ variant }), { arenaFloats: xs + n * h * w * c.oc });
  const pw = prog.packConv2dWeights(randData(c.k * c.k * ic * c.oc, 1), c.k, c.k, ic, c.oc);
  prog.conv2d({ x: 0, xShape: c.x, w: pw, kernelSize: [c.k, c.k], bias: prog.constant(randData(c.oc, 2)), y: xs, pads: [pad, c.k - 1 - pad, pad, c.k - 1 - pad], activation: act, method });
  prog.finish();
  prog.arena.set(randData(xs, 3));
  return { run: () => prog.run(), flops: 2 * n * h * w * c.oc * c.k * c.k * ic };
}

function denseProgram(variant: WasmVariant, d: DenseSpec, rows = 1) {
  const prog = new WasmProgram(loadWasmKernels({ variant }), { arenaFloats: rows * (d.K + d.N) });
  prog.dense({ x: 0, w: prog.packDenseWeights(randData(d.K * d.N, 1), d.K, d.N), bias: prog.constant(randData(d.N, 2)), y: rows * d.K, rows, activation: { fn: 'relu' } });
  prog.finish();
  prog.arena.set(randData(rows * d.K, 3));
  return { run: () => prog.run(), flops: 2 * rows * d.K * d.N };
}

/** A whole model as one program: sequential layers with a bump-allocated arena (no reuse; it is a benchmark). */
function modelProgram(variant: WasmVariant, kind: 'beginner' | 'expert' | 'deep-mnist', method: ConvMethod = 'auto') {
  type L = { t: 'conv'; k: number; oc: number } | { t: 'pool' } | { t: 'dense'; n: number; act: Activation } | { t: 'softmax' };
  const layers: L[] =
    kind === 'beginner'
      ? [{ t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }]
      : kind === 'expert'
        ? [{ t: 'conv', k: 3, oc: 32 }, { t: 'pool' }, { t: 'conv', k: 3, oc: 32 }, { t: 'pool' }, { t: 'dense', n: 128, act: { fn: 'relu' } }, { t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }]
        : [{ t: 'conv', k: 5, oc: 32 }, { t: 'pool' }, { t: 'conv', k: 5, oc: 64 }, { t: 'pool' }, { t: 'dense', n: 1024, act: { fn: 'relu' } }, { t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }];
  // Shapes first, to size the arena.
  let shape: number[] = kind === 'beginner' ? [1, 784] : [1, 28, 28, 1];
  const shapes: number[][] = [shape];
  for (const l of layers) {
    if (l.t === 'conv') shape = [1, shape[1], shape[2], l.oc];
    else if (l.t === 'pool') shape = [1, shape[1] >> 1, shape[2] >> 1, shape[3]];
    else if (l.t === 'dense') shape = [1, l.n];
    shapes.push(shape);
  }
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const offsets: number[] = [];
  let top = 0;
  for (const s of shapes) {
    offsets.push(top);
    top += size(s);
  }
  const prog = new WasmProgram(loadWasmKernels({ variant }), { arenaFloats: top });
  let flops = 0;
  layers.forEach((l, i) => {
    const xs = shapes[i];
    const x = offsets[i];
    const y = offsets[i + 1];
    if (l.t === 'conv') {
      const ic = xs[3];
      const pad = (l.k - 1) >> 1;
      prog.conv2d({ x, xShape: xs, w: prog.packConv2dWeights(randData(l.k * l.k * ic * l.oc, i), l.k, l.k, ic, l.oc), kernelSize: [l.k, l.k], bias: prog.constant(randData(l.oc, i + 50)), y, pads: [pad, l.k - 1 - pad, pad, l.k - 1 - pad], activation: { fn: 'relu' }, method });
      flops += 2 * xs[1] * xs[2] * l.k * l.k * ic * l.oc;
    } else if (l.t === 'pool') {
      prog.pool2d({ type: 'max', x, xShape: xs, y, kernel: [2, 2], strides: [2, 2] });
    } else if (l.t === 'dense') {
      const K = size(xs);
      prog.dense({ x, w: prog.packDenseWeights(randData(K * l.n, i), K, l.n), bias: prog.constant(randData(l.n, i + 50)), y, rows: 1, activation: l.act });
      flops += 2 * K * l.n;
    } else {
      prog.softmax({ x, y, rows: 1, n: size(xs) });
    }
  });
  prog.finish();
  const input = randData(size(shapes[0]), 9);
  const arena = prog.arena;
  const outAt = offsets[offsets.length - 1];
  const out = new Float32Array(10);
  // The realistic call: copy the input in, run, copy the 10 probabilities out.
  return {
    run: () => {
      arena.set(input, 0);
      prog.run();
      out.set(arena.subarray(outAt, outAt + 10));
    },
    flops,
  };
}

const fmt = (v: number, d = 2) => v.toFixed(d).padStart(8);

function main(): void {
  const variants: WasmVariant[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
  const results: Record<string, unknown>[] = [];
  console.log(`wasm kernels micro-benchmark (node ${process.version}, ${quick ? 'quick' : 'full'}); times per call, median (p99)`);
  for (const variant of variants) {
    const k = loadWasmKernels({ variant });
    const iters = 1_000_000;
    k.exports.peakFma(1000, 1e-7);
    const pk = time(() => k.exports.peakFma(iters, 1e-7));
    const peak = (72 * iters) / pk.median;
    console.log(`\n[${variant}] peak register multiply-add loop: ${peak.toFixed(2)} GFLOP/s`);
    results.push({ variant, case: 'peak', gflops: peak });

    const empty = new WasmProgram(k, { arenaFloats: 1 });
    empty.finish();
    const ov = time(() => empty.run());
    console.log(`[${variant}] run() of an empty program (call overhead): ${ov.median.toFixed(1)} ns`);
    results.push({ variant, case: 'run-overhead', ns: ov.median });

    console.log(`  ${'step'.padEnd(44)}${'µs'.padStart(9)}${'p99 µs'.padStart(9)}${'GFLOP/s'.padStart(9)}${'% peak'.padStart(8)}`);
    const row = (name: string, flops: number, t: { median: number; p99: number }) => {
      const g = flops / t.median;
      console.log(`  ${name.padEnd(44)}${fmt(t.median / 1e3, 3)} ${fmt(t.p99 / 1e3, 3)}${fmt(g)}${fmt((100 * g) / peak, 1)}`);
      results.push({ variant, case: name, us: t.median / 1e3, p99us: t.p99 / 1e3, gflops: g });
    };
    const dense: DenseSpec[] = [
      { name: 'beginner dense 784->10', K: 784, N: 10 },
      { name: 'expert dense 1568->128', K: 1568, N: 128 },
      { name: 'deep-mnist dense 3136->1024', K: 3136, N: 1024 },
    ];
    for (const d of dense) {
      const p = denseProgram(variant, d);
      row(`${d.name} (batch 1)`, p.flops, time(p.run));
    }
    const p64 = denseProgram(variant, { name: '', K: 1568, N: 128 }, 64);
    row('expert dense 1568->128 (batch 64)', p64.flops, time(p64.run));
    const convs: ConvSpec[] = [
      { name: 'expert conv1 3x3x32 same on 28x28x1', x: [1, 28, 28, 1], k: 3, oc: 32 },
      { name: 'expert conv2 3x3x32 same on 14x14x32', x: [1, 14, 14, 32], k: 3, oc: 32 },
      { name: 'deep conv1 5x5x32 same on 28x28x1', x: [1, 28, 28, 1], k: 5, oc: 32 },
      { name: 'deep conv2 5x5x64 same on 14x14x32', x: [1, 14, 14, 32], k: 5, oc: 64 },
    ];
    for (const c of convs) {
      for (const m of ['im2col', 'direct'] as const) {
        const p = convProgram(variant, c, m);
        row(`${c.name} ${m}`, p.flops, time(p.run));
      }
    }
    for (const kind of ['beginner', 'expert', 'deep-mnist'] as const) {
      const p = modelProgram(variant, kind);
      row(`MODEL ${kind} (input in, run, output out)`, p.flops, time(p.run));
    }
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/wasm-gemm.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
}

main();
