// Per-step profile of the founding CNNs on the wasm back ends or the native addon, next to onnxruntime-node in the
// same run: each plan step's records run on their own (runRange over the step's sub-range, repeated) for µs and
// GFLOP/s, the whole program, Session.predict per call (p50 / p99), and ORT 1 thread (p50 / p99, every call
// awaited). Conv methods can be forced to compare them on the real plans: --conv direct|im2col|winograd|auto.
// --batch N profiles the batch-N plan (µs per image; the per-call rows are batch 1 only, so they are left out),
// --threads N sets the native pool's threads.
// Run: npm run build && node dist/bench/conv-profile.js [--quick] [--engine wasm|native] [--variant relaxed|simd]
//        [--conv auto] [--models expert,deep-mnist] [--batch 1] [--threads 1]
// Prints a table; writes bench/results/conv-profile.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { load } from '../src/index.js';
import type { Conv2dAttrs } from '../src/ops/conv2d.js';
import type { ExecutionPlan } from '../src/planner/plan.js';
import { FUSED } from '../src/kernels/abi.js';
import { encodePlan } from '../src/kernels/wasm/backend.js';
import { loadWasmKernels, type WasmVariant } from '../src/kernels/wasm/index.js';
import { toProgramPlan } from '../src/kernels/native/backend.js';
import { loadNativeKernels, nativeAvailable, nativeUnavailableReason, setNativeThreads } from '../src/kernels/native/loader.js';
import { foundingFileSource, foundingModel, type FoundingModelName } from '../src/models/founding.js';
import { kernelsPeakGflops, stepFlops, wasmPeakGflops } from './harness.js';
import { foundingToOnnx, onnxInputDims, ONNX_INPUT, ONNX_OUTPUT } from './onnx-writer.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const quick = argv.includes('--quick');
const variant = opt('variant', 'relaxed') as WasmVariant;
const forceConv = opt('conv', 'auto');
const models = opt('models', 'expert,deep-mnist').split(',') as FoundingModelName[];
const engine = opt('engine', 'wasm');
const batch = Number(opt('batch', '1'));
const threads = Number(opt('threads', '1'));
if (engine !== 'wasm' && engine !== 'native') throw new Error(`--engine: wasm or native, got ${engine}`);
if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch: a positive integer, got ${opt('batch', '1')}`);
if (engine === 'native' && !nativeAvailable()) throw new Error(`native addon unavailable: ${nativeUnavailableReason()}`);
const TARGET_MS = quick ? 100 : 400;

function randImage(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = (s >>> 8) / 2 ** 24; // pixels in [0, 1)
  }
  return d;
}

/** Median / p99 of per-call time (µs) over repeated batches of calls, ~2 ms each, after a warm-up. */
function timeSync(fn: () => void): { p50: number; p99: number } {
  const t0 = performance.now();
  let warm = 0;
  while (performance.now() - t0 < TARGET_MS / 4 || warm < 10) {
    fn();
    warm++;
  }
  const reps = Math.max(1, Math.round(2 / ((performance.now() - t0) / warm)));
  const samples: number[] = [];
  const t1 = performance.now();
  while (performance.now() - t1 < TARGET_MS || samples.length < 15) {
    const a = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push(((performance.now() - a) * 1e3) / reps);
  }
  samples.sort((x, y) => x - y);
  return { p50: samples[samples.length >> 1], p99: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.99))] };
}

/** Per-call percentiles of single calls (each timed on its own), as the founding protocol measures. */
async function timeCalls(fn: () => unknown, calls: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(200, calls); i++) await fn();
  const ns = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const a = process.hrtime.bigint();
    await fn();
    ns[i] = Number(process.hrtime.bigint() - a);
  }
  ns.sort();
  return { p50: ns[calls >> 1] / 1e3, p99: ns[Math.floor(calls * 0.99)] / 1e3 };
}

function withConv(plan: ExecutionPlan, method: string): ExecutionPlan {
  if (method === 'auto') return plan;
  const steps = plan.steps.map((s, i) => {
    // A forced method runs the pool a conv had absorbed as its own step again (its arena layout allows both).
    if (s.kernel === FUSED) return { ...s, kernel: `${plan.steps[i - 1].kernel.split('.')[0]}.pool2d` };
    if (!/^(wasm|native)\.conv2d\./.test(s.kernel)) return s;
    const a = s.node.attrs as Conv2dAttrs;
    const [kh, kw] = s.inputs[1].shape;
    const winoOk = kh === kw && (kh === 3 || kh === 5) && a.strides[0] === 1 && a.strides[1] === 1 && a.dilations[0] === 1 && a.dilations[1] === 1;
    if (method === 'winograd' && !winoOk) return s;
    return { ...s, kernel: `${s.kernel.split('.')[0]}.conv2d.${method}` };
  });
  return { ...plan, steps };
}

interface Row {
  model: string;
  step: string;
  kernel: string;
  us: number;
  p99us?: number;
  gflops?: number;
}

/** Times of a batch-`batch` run, per image. */
const perImage = (t: { p50: number; p99: number }) => ({ p50: t.p50 / batch, p99: t.p99 / batch });

async function main(): Promise<void> {
  const rows: Row[] = [];
  const native = engine === 'native' ? loadNativeKernels() : undefined;
  if (native) setNativeThreads(threads);
  const peak = native ? kernelsPeakGflops(native) : wasmPeakGflops(variant);
  const what = native ? `native ${native.isa}, ${threads} thread(s)` : `wasm ${variant}`;
  console.log(`node ${process.version}, ${what}, conv ${forceConv}, batch ${batch}; register-FMA peak ${peak.toFixed(1)} GFLOP/s (one core)`);
  let ort: typeof import('onnxruntime-node') | undefined;
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    console.log(`onnxruntime-node unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const name of models) {
    const model = await load(foundingFileSource(name, { biases: 'uniform' }));
    const session = model.compile({ backend: native ? 'native' : variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd' });
    const plan = withConv(session.planFor(batch), forceConv);
    const enc = native ? encodePlan(toProgramPlan(plan), native) : encodePlan(plan, loadWasmKernels({ variant }));
    const prog = enc.program;
    const img = randImage(session.inputSizes[0], 7);
    for (let n = 0; n < batch; n++) prog.arena.set(img, plan.inputs[0].offset + n * img.length);
    let total = 0;
    let flopsAll = 0;
    plan.steps.forEach((s, i) => {
      const r = enc.stepRecords[i];
      if (!r || r.count === 0) return;
      const t = perImage(timeSync(() => prog.runRange(r.first, r.count)));
      const f = stepFlops(s) / batch;
      flopsAll += f;
      total += t.p50;
      const row: Row = { model: name, step: `${i} ${s.node.op} ${s.inputs[0].shape.slice(1).join('x')} -> ${s.outputs[0].shape.slice(1).join('x')}`, kernel: s.kernel, us: t.p50 };
      if (f > 0) row.gflops = f / t.p50 / 1e3;
      rows.push(row);
    });
    rows.push({ model: name, step: 'sum of steps', kernel: '', us: total, gflops: flopsAll / total / 1e3 });
    const whole = perImage(timeSync(() => prog.run()));
    rows.push({ model: name, step: 'whole program (one run call)', kernel: '', us: whole.p50, p99us: whole.p99, gflops: flopsAll / whole.p50 / 1e3 });
    if (batch > 1) {
      rows.push({ model: name, step: `images/s at batch ${batch}: ${Math.round(1e6 / whole.p50)}`, kernel: '', us: whole.p50 });
      session.close();
      continue;
    }
    // Session.predict with the same forced kernels: a session over the modified plan is not public, so the
    // predict row uses the default choice; the program rows above show the forced one.
    const out = new Float32Array(session.outputSizes[0]);
    const calls = quick ? 1000 : 5000;
    const sp = await timeCalls(() => session.predict(img, out), calls);
    rows.push({ model: name, step: 'Session.predict (default kernels)', kernel: session.backend.name, us: sp.p50, p99us: sp.p99, gflops: flopsAll / sp.p50 / 1e3 });
    if (ort) {
      const s = await ort.InferenceSession.create(foundingToOnnx(foundingModel(name, { biases: 'uniform' })), {
        intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
      });
      const dims = onnxInputDims(foundingModel(name), 1);
      let maxDiff = 0;
      const r = await s.run({ [ONNX_INPUT]: new ort.Tensor('float32', img, dims) });
      const o = r[ONNX_OUTPUT].data as Float32Array;
      const mine = session.predict(img);
      for (let i = 0; i < o.length; i++) maxDiff = Math.max(maxDiff, Math.abs(o[i] - mine[i]));
      const t = await timeCalls(() => s.run({ [ONNX_INPUT]: new ort.Tensor('float32', img, dims) }), calls);
      rows.push({ model: name, step: `onnxruntime-node 1 thread (max |diff| ${maxDiff.toExponential(1)})`, kernel: 'ort', us: t.p50, p99us: t.p99, gflops: flopsAll / t.p50 / 1e3 });
      rows.push({ model: name, step: 'ratio Session.predict / ORT p50', kernel: '', us: sp.p50 / t.p50 });
      await s.release();
    }
    session.close();
  }
  const w = [12, 56, 34];
  console.log(`${'model'.padEnd(w[0])}${'step'.padEnd(w[1])}${'kernel'.padEnd(w[2])}${'µs p50'.padStart(10)}${'p99'.padStart(10)}${'GFLOP/s'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${r.model.padEnd(w[0])}${r.step.slice(0, w[1] - 1).padEnd(w[1])}${r.kernel.padEnd(w[2])}${r.us.toFixed(r.step.startsWith('ratio') ? 2 : 1).padStart(10)}${(r.p99us?.toFixed(1) ?? '').padStart(10)}${(r.gflops?.toFixed(1) ?? '').padStart(9)}`);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/conv-profile.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), engine, variant, batch, threads, conv: forceConv, peakGflops: peak, rows }, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
