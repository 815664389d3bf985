// Micro-benchmark of the wasm SIMD kernels at the founding models' shapes: GFLOP/s per GEMM / conv step (both
// conv paths), whole-model latency per prediction (one run() call), the bare call overhead, and the peak of a
// register-only multiply-add loop, for the SIMD and relaxed-SIMD builds.
// Run: npm run build && node dist/bench/wasm-gemm.js [--quick]   (prints a table; writes bench/results/wasm-gemm.json)

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadWasmKernels, relaxedSimdSupported, WasmProgram, type WasmVariant } from '../src/kernels/wasm/index.js';
import { convProgram, denseProgram, fmt, modelProgram, timePerCall, type ConvSpec } from './program-bench.js';
import { wasmPeakGflops } from './harness.js';

const quick = process.argv.includes('--quick');
const time = (fn: () => void) => timePerCall(fn, { targetMs: quick ? 60 : 300, minWarm: 20, minSamples: 15 });

function main(): void {
  const variants: WasmVariant[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
  const results: Record<string, unknown>[] = [];
  console.log(`wasm kernels micro-benchmark (node ${process.version}, ${quick ? 'quick' : 'full'}); times per call, median (p99)`);
  for (const variant of variants) {
    const k = loadWasmKernels({ variant });
    const peak = wasmPeakGflops(variant, 1_000_000);
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
    for (const [name, K, N] of [['beginner dense 784->10', 784, 10], ['expert dense 1568->128', 1568, 128], ['deep-mnist dense 3136->1024', 3136, 1024]] as const) {
      const p = denseProgram(loadWasmKernels({ variant }), K, N);
      row(`${name} (batch 1)`, p.flops, time(p.run));
    }
    const p64 = denseProgram(loadWasmKernels({ variant }), 1568, 128, 64);
    row('expert dense 1568->128 (batch 64)', p64.flops, time(p64.run));
    const convs: ConvSpec[] = [
      { name: 'expert conv1 3x3x32 same on 28x28x1', x: [1, 28, 28, 1], k: 3, oc: 32 },
      { name: 'expert conv2 3x3x32 same on 14x14x32', x: [1, 14, 14, 32], k: 3, oc: 32 },
      { name: 'deep conv1 5x5x32 same on 28x28x1', x: [1, 28, 28, 1], k: 5, oc: 32 },
      { name: 'deep conv2 5x5x64 same on 14x14x32', x: [1, 14, 14, 32], k: 5, oc: 64 },
    ];
    for (const c of convs) {
      for (const m of ['im2col', 'direct'] as const) {
        const p = convProgram(loadWasmKernels({ variant }), c, m);
        row(`${c.name} ${m}`, p.flops, time(p.run));
      }
    }
    for (const kind of ['beginner', 'expert', 'deep-mnist'] as const) {
      const p = modelProgram(loadWasmKernels({ variant }), kind, () => 'auto');
      row(`MODEL ${kind} (input in, run, output out)`, p.flops, time(p.run));
    }
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/wasm-gemm.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
}

main();
