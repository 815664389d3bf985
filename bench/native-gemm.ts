// Micro-benchmark of the native back end's kernels (native/, Node-API addon) at the founding models' shapes:
// GFLOP/s per GEMM / conv step (im2col, direct, Winograd; Winograd's GFLOP/s count the direct conv's flops, i.e.
// "effective") for every kernel set this CPU runs (AVX-512F, AVX2+FMA,
// portable C++) next to the wasm relaxed-SIMD build in the same run, the machine's peak from a register-only
// FMA loop per set (AVX-512: 12 independent zmm chains), whole-model latency per prediction (one run() call),
// the bare call overhead, and batch-64 throughput with 1 and 2 pool threads.
// Run: npm run build && node dist/bench/native-gemm.js [--quick]   (prints a table; writes bench/results/native-gemm.json)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { loadWasmKernels, relaxedSimdSupported, WasmProgram, type ConvMethod, type WasmKernels } from '../src/kernels/wasm/index.js';
import { loadNativeKernels, nativeAddon, nativeIsas, nativeThreads, nativeUnavailableReason, setNativeThreads, type NativeIsa } from '../src/kernels/native/loader.js';
import { convProgram, denseProgram, fmt, modelProgram, timePerCall, type ConvSpec } from './program-bench.js';

const quick = process.argv.includes('--quick');
const TARGET_MS = quick ? 60 : 300;

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

function time(fn: () => void, targetMs = TARGET_MS): { median: number; p99: number } {
  return timePerCall(fn, { targetMs, minWarm: 5, minSamples: 9, batchMs: cpuClock ? 10 : 2, now });
}

type Engine = { readonly name: string; readonly load: () => WasmKernels };

/** The planner's choice (src/kernels/wasm/backend.ts chooseConvKernel, both engines declare Winograd): Winograd for cin >= 32, cout >= 16; else direct. */
const plannerConv = (ic: number, oc: number): ConvMethod => (ic >= 32 && oc >= 16 ? 'winograd' : 'direct');

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
      const p = denseProgram(e.load(), K, N);
      row(`${name} (batch 1)`, p.flops, time(p.run));
    }
    for (const [K, N] of [[1568, 128], [3136, 1024]] as const) {
      const p = denseProgram(e.load(), K, N, 64);
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
        const p = convProgram(e.load(), c, m);
        row(`${c.name} ${m}`, p.flops, time(p.run));
      }
    }
    for (const kind of ['beginner', 'expert', 'deep-mnist'] as const) {
      const p = modelProgram(e.load(), kind, plannerConv);
      row(`MODEL ${kind} (input in, run, output out)`, p.flops, time(p.run));
    }
    if (e.isa) {
      const before = nativeThreads();
      for (const threads of cpuClock ? [1] : [1, 2]) {
        setNativeThreads(threads);
        for (const kind of ['expert', 'deep-mnist'] as const) {
          const p = modelProgram(e.load(), kind, plannerConv, 64);
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
