// Micro-benchmark of the native back end's kernels (native/, Node-API addon) at the founding models' shapes:
// GFLOP/s per GEMM / conv step (im2col, direct, Winograd; Winograd's GFLOP/s count the direct conv's flops, i.e.
// "effective") for every kernel set this CPU runs (AVX-512F, AVX2+FMA,
// portable C++) next to the wasm relaxed-SIMD build in the same run, the machine's peak from a register-only
// FMA loop per set (AVX-512: 12 independent zmm chains), whole-model latency per prediction (one run() call),
// the bare call overhead, and batch-64 throughput with 1 and 2 pool threads.
// Run: npm run build && node dist/bench/native-gemm.js [--quick]   (prints a table; writes bench/results/native-gemm.json)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Activation } from '../src/ops/activation-fns.js';
import { loadWasmKernels, relaxedSimdSupported, WasmProgram, type ConvMethod, type WasmKernels } from '../src/kernels/wasm/index.js';
import { loadNativeKernels, nativeAddon, nativeIsas, nativeThreads, nativeUnavailableReason, setNativeThreads, type NativeIsa } from '../src/kernels/native/loader.js';

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

/**
 * --cpu: time by this process's CPU time (process.cpuUsage) instead of the wall clock. On a shared machine whose
 * cores are busy with other work, wall time counts the slices other processes take; CPU time does not (it is
 * only meaningful for single-threaded calls, and the 2-thread rows are skipped).
 */
const cpuClock = process.argv.includes('--cpu');
const now = cpuClock
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();

/** Median and p99 of per-call time (ns) over batches of calls sized to ~2 ms each, after a warm-up. */
function time(fn: () => void, targetMs = TARGET_MS): { median: number; p99: number } {
  const t0 = performance.now();
  let warm = 0;
  while (performance.now() - t0 < targetMs / 3 || warm < 5) {
    fn();
    warm++;
  }
  const per = (performance.now() - t0) / warm;
  const reps = Math.max(1, Math.round((cpuClock ? 10 : 2) / per));
  const samples: number[] = [];
  const t1 = performance.now();
  while (performance.now() - t1 < targetMs || samples.length < 9) {
    const a = now();
    for (let i = 0; i < reps; i++) fn();
    samples.push(((now() - a) * 1e6) / reps);
  }
  samples.sort((x, y) => x - y);
  return { median: samples[samples.length >> 1], p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] };
}

type Engine = { readonly name: string; readonly load: () => WasmKernels };

interface ConvSpec {
  readonly name: string;
  readonly x: [number, number, number, number];
  readonly k: number;
  readonly oc: number;
}

function convProgram(e: Engine, c: ConvSpec, method: ConvMethod, act: Activation = { fn: 'relu' }) {
  const [n, h, w, ic] = c.x;
  const pad = (c.k - 1) >> 1;
  const xs = n * h * w * ic;
  const prog = new WasmProgram(e.load(), { arenaFloats: xs + n * h * w * c.oc });
  const wt = randData(c.k * c.k * ic * c.oc, 1);
  const pw = method === 'winograd' ? prog.packWinogradWeights(wt, c.k, ic, c.oc) : prog.packConv2dWeights(wt, c.k, c.k, ic, c.oc);
  prog.conv2d({ x: 0, xShape: c.x, w: pw, kernelSize: [c.k, c.k], bias: prog.constant(randData(c.oc, 2)), y: xs, pads: [pad, c.k - 1 - pad, pad, c.k - 1 - pad], activation: act, method });
  prog.finish();
  prog.arena.set(randData(xs, 3));
  return { run: () => prog.run(), flops: 2 * n * h * w * c.oc * c.k * c.k * ic };
}

function denseProgram(e: Engine, K: number, N: number, rows = 1) {
  const prog = new WasmProgram(e.load(), { arenaFloats: rows * (K + N) });
  prog.dense({ x: 0, w: prog.packDenseWeights(randData(K * N, 1), K, N), bias: prog.constant(randData(N, 2)), y: rows * K, rows, activation: { fn: 'relu' } });
  prog.finish();
  prog.arena.set(randData(rows * K, 3));
  return { run: () => prog.run(), flops: 2 * rows * K * N };
}

type ModelKind = 'beginner' | 'expert' | 'deep-mnist';

/** A whole founding model as one program (sequential layers, bump-allocated arena), batch `b`. */
function modelProgram(e: Engine, kind: ModelKind, b = 1) {
  type L = { t: 'conv'; k: number; oc: number } | { t: 'pool' } | { t: 'dense'; n: number; act: Activation } | { t: 'softmax' };
  const layers: L[] =
    kind === 'beginner'
      ? [{ t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }]
      : kind === 'expert'
        ? [{ t: 'conv', k: 3, oc: 32 }, { t: 'pool' }, { t: 'conv', k: 3, oc: 32 }, { t: 'pool' }, { t: 'dense', n: 128, act: { fn: 'relu' } }, { t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }]
        : [{ t: 'conv', k: 5, oc: 32 }, { t: 'pool' }, { t: 'conv', k: 5, oc: 64 }, { t: 'pool' }, { t: 'dense', n: 1024, act: { fn: 'relu' } }, { t: 'dense', n: 10, act: { fn: 'linear' } }, { t: 'softmax' }];
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
  const prog = new WasmProgram(e.load(), { arenaFloats: top });
  let flops = 0;
  layers.forEach((l, i) => {
    const xs = shapes[i];
    const x = offsets[i];
    const y = offsets[i + 1];
    if (l.t === 'conv') {
      const ic = xs[3];
      const pad = (l.k - 1) >> 1;
      // The planner's choice (src/kernels/wasm/backend.ts chooseConvKernel, both engines declare Winograd):
      // Winograd for cin >= 32, cout >= 16; else direct.
      const wt = randData(l.k * l.k * ic * l.oc, i);
      const wino = ic >= 32 && l.oc >= 16;
      const w = wino ? prog.packWinogradWeights(wt, l.k, ic, l.oc) : prog.packConv2dWeights(wt, l.k, l.k, ic, l.oc);
      const method: ConvMethod = wino ? 'winograd' : 'direct';
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

const fmt = (v: number, d = 2) => v.toFixed(d).padStart(8);

function main(): void {
  const addon = nativeAddon();
  if (!addon) {
    console.log(`native back end unavailable: ${nativeUnavailableReason()}`);
    return;
  }
  const isas = nativeIsas().reverse(); // fastest first
  const only = process.argv.find((a) => a.startsWith('--isa='))?.slice(6);
  const engines: (Engine & { isa?: NativeIsa })[] = [
    ...isas.filter((i) => !only || i === only).map((isa) => ({ name: `native ${isa}`, isa, load: () => loadNativeKernels({ isa }) as WasmKernels })),
    { name: relaxedSimdSupported() ? 'wasm relaxed' : 'wasm simd', load: () => loadWasmKernels() },
  ];
  const results: Record<string, unknown>[] = [];
  const la = loadavg()[0];
  console.log(`native kernels micro-benchmark (node ${process.version}, ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, load ${la.toFixed(1)}, ${quick ? 'quick' : 'full'})`);
  console.log(`times per call: median (p99) by ${cpuClock ? 'process CPU time (--cpu)' : 'wall clock'}`);
  // The register-FMA peak varies with the core's clock and with whatever shares it (a busy box: up to 20%): it is
  // measured before and after every engine, and the best value is the peak the % column uses.
  const peaks: Record<string, number> = {};
  const measurePeaks = () => {
    for (const isa of isas) {
      const ks = addon.kernels[isa]!;
      ks.peakGflops(1e6);
      for (let i = 0; i < 5; i++) peaks[isa] = Math.max(peaks[isa] ?? 0, ks.peakGflops(quick ? 5e6 : 2e7));
    }
  };
  measurePeaks();
  type Row = { engine: string; name: string; flops: number; t: { median: number; p99: number } };
  const rows: Row[] = [];
  const overheads: { engine: string; ns: number }[] = [];

  for (const e of engines) {
    const k = e.load();
    const empty = new WasmProgram(k, { arenaFloats: 1 });
    empty.copy({ x: 0, y: 0, n: 0 });
    empty.finish();
    overheads.push({ engine: e.name, ns: time(() => empty.run()).median });
    process.stderr.write(`measuring ${e.name} ...\n`);
    const row = (name: string, flops: number, t: { median: number; p99: number }) => rows.push({ engine: e.name, name, flops, t });
    for (const [name, K, N] of [['beginner dense 784->10', 784, 10], ['expert dense 1568->128', 1568, 128], ['deep-mnist dense 3136->1024', 3136, 1024]] as const) {
      const p = denseProgram(e, K, N);
      row(`${name} (batch 1)`, p.flops, time(p.run));
    }
    for (const [K, N] of [[1568, 128], [3136, 1024]] as const) {
      const p = denseProgram(e, K, N, 64);
      row(`dense ${K}->${N} (batch 64, 1 thread)`, p.flops, time(p.run));
    }
    const convs: ConvSpec[] = [
      { name: 'expert conv1 3x3x32 on 28x28x1', x: [1, 28, 28, 1], k: 3, oc: 32 },
      { name: 'expert conv2 3x3x32 on 14x14x32', x: [1, 14, 14, 32], k: 3, oc: 32 },
      { name: 'deep conv1 5x5x32 on 28x28x1', x: [1, 28, 28, 1], k: 5, oc: 32 },
      { name: 'deep conv2 5x5x64 on 14x14x32', x: [1, 14, 14, 32], k: 5, oc: 64 },
    ];
    for (const c of convs) {
      for (const m of c.x[3] >= 8 ? (['im2col', 'direct', 'winograd'] as const) : (['im2col', 'direct'] as const)) {
        const p = convProgram(e, c, m);
        row(`${c.name} ${m}`, p.flops, time(p.run));
      }
    }
    for (const kind of ['beginner', 'expert', 'deep-mnist'] as const) {
      const p = modelProgram(e, kind);
      row(`MODEL ${kind} (input in, run, output out)`, p.flops, time(p.run));
    }
    if (e.isa) {
      const before = nativeThreads();
      for (const threads of cpuClock ? [1] : [1, 2]) {
        setNativeThreads(threads);
        for (const kind of ['expert', 'deep-mnist'] as const) {
          const p = modelProgram(e, kind, 64);
          const t = time(p.run);
          row(`MODEL ${kind} batch 64, ${threads} thread${threads > 1 ? 's' : ''} (${((64 * 1e9) / t.median / 1e3).toFixed(1)}k img/s)`, p.flops, t);
        }
      }
      setNativeThreads(before);
    }
    measurePeaks();
  }

  for (const isa of isas) {
    console.log(`peak register FMA loop, ${isa}: ${peaks[isa].toFixed(1)} GFLOP/s (best of ${engines.length + 1} x 5 measurements)`);
    results.push({ engine: `native ${isa}`, case: 'peak', gflops: peaks[isa] });
  }
  const peak = peaks.avx512 ?? peaks.avx2 ?? peaks.generic;
  for (const e of engines) {
    const ov = overheads.find((o) => o.engine === e.name)!;
    console.log(`\n[${e.name}] run() of a one-step program (call overhead): ${ov.ns.toFixed(1)} ns`);
    results.push({ engine: e.name, case: 'run-overhead', ns: ov.ns });
    console.log(`  ${'step'.padEnd(50)}${'µs'.padStart(10)}${'p99 µs'.padStart(10)}${'GFLOP/s'.padStart(9)}${'% peak'.padStart(8)}`);
    for (const r of rows.filter((x) => x.engine === e.name)) {
      const g = r.flops / r.t.median;
      console.log(`  ${r.name.padEnd(50)}${fmt(r.t.median / 1e3, 3).padStart(10)}${fmt(r.t.p99 / 1e3, 3).padStart(10)}${fmt(g)}${fmt((100 * g) / peak, 1)}`);
      results.push({ engine: r.engine, case: r.name, us: r.t.median / 1e3, p99us: r.t.p99 / 1e3, gflops: g });
    }
  }
  console.log(`\nGFLOP/s count 2 flops per multiply-add of the direct convolution (Winograd rows: "effective", it does fewer); % peak: of the ${isas[0]} register-FMA peak above.`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/native-gemm.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, loadAverage: la, peaks, results }, null, 2));
  console.log('\nwrote bench/results/native-gemm.json');
}

main();
