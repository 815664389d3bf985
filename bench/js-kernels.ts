// Per-kernel profile of the plain-JS back end ("js", the path without WebAssembly SIMD) next to the reference
// kernels (the naive oracles), at the founding models' shapes (batch 1 and 64) plus one shape per other op;
// then whole-model Session.predict for the three founding models on js and reference.
// Run: npm run build && node dist/bench/js-kernels.js [--quick] [--clock wall|cpu] [--only conv2d,dense]
//      [--models-only] [--baseline bench/results/js-kernels-before.json] [--out bench/results/js-kernels.json]
// With --baseline (a JSON this program wrote earlier), a "before" column shows the earlier js µs and the speed-up.
// --clock cpu times with process.cpuUsage() instead of the wall clock: on a shared, loaded machine the wall clock
// mostly measures the scheduler, while CPU time stays within a few percent from run to run.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { load } from '../src/index.js';
import { GraphBuilder } from '../src/ir/builder.js';
import type { Graph } from '../src/ir/graph.js';
import { pickJsKernel } from '../src/kernels/js/backend.js';
import { referenceKernel } from '../src/kernels/js/reference-kernel.js';
import { foundingFileSource, FOUNDING_MODEL_NAMES } from '../src/models/founding.js';
import { opDef, type AttrsOf, type OpKind } from '../src/ops/registry.js';
import type { PlanStep } from '../src/planner/plan.js';
import { resolveBackend } from '../src/runtime/backends.js';
import { Session } from '../src/runtime/session.js';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const baselinePath = opt('baseline');
const outPath = opt('out') ?? 'bench/results/js-kernels.json';
const only = opt('only')?.split(',');
const modelsOnly = argv.includes('--models-only');
const TARGET_MS = quick ? 60 : 300;
const clock = opt('clock') ?? 'wall';
/** Microseconds on the chosen clock. */
const nowUs: () => number =
  clock === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return u.user + u.system;
      }
    : () => performance.now() * 1e3;

/** Ops whose cost() counts multiply-adds (2 flops each); the others count element operations (1 each). */
const MAC_OPS = new Set(['conv2d', 'depthwise_conv2d', 'conv2d_transpose', 'dense', 'dot', 'simple_rnn', 'lstm', 'gru']);

function fill(a: Float32Array, seed: number): void {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s >>> 8) / 2 ** 23 - 1;
  }
}

/** Median µs per call over ~2 ms batches of calls (~5 ms on the CPU clock, whose ticks are coarser), after a warm-up. */
function timeUs(fn: () => void): number {
  const t0 = nowUs();
  let warm = 0;
  while (nowUs() - t0 < (TARGET_MS * 1e3) / 4 || warm < 3) {
    fn();
    warm++;
  }
  const batchUs = clock === 'cpu' ? 5000 : 2000;
  const reps = Math.max(1, Math.round(batchUs / ((nowUs() - t0) / warm)));
  const samples: number[] = [];
  const t1 = nowUs();
  while (nowUs() - t1 < TARGET_MS * 1e3 || samples.length < 7) {
    const a = nowUs();
    for (let i = 0; i < reps; i++) fn();
    samples.push((nowUs() - a) / reps);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1];
}

interface Row {
  readonly key: string;
  readonly kernel: string;
  readonly flops: number;
  readonly refUs: number;
  readonly jsUs: number;
}

function stepFlops(s: PlanStep): number {
  const def = opDef(s.node.op);
  const c = def.cost?.(s.inputs.map((i) => i.shape), s.node.attrs as never) ?? 0;
  return MAC_OPS.has(s.node.op) ? 2 * c : c;
}

function describe(s: PlanStep): string {
  const ins = s.inputs.filter((i) => i.data === undefined).map((i) => i.shape.join('x'));
  return `${s.node.op} ${ins.join(',')} -> ${s.outputs[0].shape.join('x')}`;
}

function profileStep(label: string, s: PlanStep, arenaSize: number): Row {
  const arena = new Float32Array(arenaSize);
  fill(arena, 3);
  const k = pickJsKernel(s);
  const js = k.bind(s, arena);
  const ref = referenceKernel.bind(s, arena);
  // Embedding indices must be in range to measure the real path.
  if (s.node.op === 'embedding') {
    const ix = s.inputs[0];
    const vocab = s.inputs[1].shape[0];
    for (let i = 0; i < ix.size; i++) arena[ix.offset + i] = (i * 7) % vocab;
  }
  const jsUs = timeUs(js);
  const refUs = timeUs(ref);
  return { key: `${label} | ${describe(s)}`, kernel: k === referenceKernel ? `reference.${s.node.op}` : k.name, flops: stepFlops(s), refUs, jsUs };
}

/** One-node graphs for the ops the founding models do not use, at small real-model shapes. */
function extraGraphs(): { name: string; graph: Graph }[] {
  const out: { name: string; graph: Graph }[] = [];
  let seed = 11;
  const w = (b: GraphBuilder, shape: number[]): number => {
    const d = new Float32Array(shape.reduce((p, q) => p * q, 1));
    fill(d, seed++);
    for (let i = 0; i < d.length; i++) d[i] *= 0.2;
    return b.constant(`w${seed}`, shape, d);
  };
  const one = <K extends OpKind>(name: string, inputShapes: number[][], op: K, weights: number[][], attrs: AttrsOf<K>): void => {
    const b = new GraphBuilder();
    const xs = inputShapes.map((s, i) => b.input(`x${i}`, s));
    const y = b.add1(op, [...xs, ...weights.map((s) => w(b, s))], attrs, { name });
    b.setOutputs([y]);
    out.push({ name, graph: b.finish() });
  };
  const conv = { strides: [1, 1] as [number, number], dilations: [1, 1] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number], activation: { fn: 'relu' as const } };
  one('depthwise', [[-1, 14, 14, 32]], 'depthwise_conv2d', [[3, 3, 32, 1], [32]], conv);
  one('conv_groups', [[-1, 14, 14, 32]], 'conv2d', [[3, 3, 8, 32], [32]], { ...conv, groups: 4 });
  one('conv_1x1', [[-1, 14, 14, 32]], 'conv2d', [[1, 1, 32, 64], [64]], { ...conv, pads: [0, 0, 0, 0], groups: 1 });
  one('conv_s2', [[-1, 28, 28, 16]], 'conv2d', [[3, 3, 16, 32], [32]], { ...conv, strides: [2, 2], pads: [0, 1, 0, 1], groups: 1 });
  one('conv_t', [[-1, 7, 7, 32]], 'conv2d_transpose', [[3, 3, 16, 32], [16]], { strides: [2, 2], dilations: [1, 1], pads: [1, 0, 1, 0], activation: { fn: 'relu' } });
  one('avgpool', [[-1, 28, 28, 32]], 'pool2d', [], { type: 'avg', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] });
  one('softmax_ax1', [[-1, 10, 64]], 'softmax', [], { axis: 1 });
  one('binary_bcast', [[-1, 14, 14, 32], [-1, 1, 1, 32]], 'binary', [], { fn: 'mul' });
  one('binary_row', [[-1, 14, 1, 32], [-1, 1, 14, 1]], 'binary', [], { fn: 'add' });
  one('reduce_mean', [[-1, 7, 7, 64]], 'reduce', [], { type: 'mean', axes: [1, 2], keepDims: false });
  one('layernorm', [[-1, 16, 128]], 'layernorm', [[128], [128]], { axes: [-1], epsilon: 1e-3 });
  one('transpose', [[-1, 28, 28, 32]], 'transpose', [], { perm: [0, 3, 1, 2] });
  one('pad', [[-1, 28, 28, 32]], 'pad', [], { pads: [[0, 0], [1, 1], [1, 1], [0, 0]], value: 0 });
  one('slice', [[-1, 28, 28, 32]], 'slice', [], { begin: [0, 2, 2, 0], size: [-1, 24, 24, -1] });
  one('concat', [[-1, 14, 14, 32], [-1, 14, 14, 16]], 'concat', [], { axis: -1 });
  one('tile', [[-1, 1, 64]], 'tile', [], { reps: [1, 28, 1] });
  one('upsample_nearest', [[-1, 14, 14, 32]], 'upsample2d', [], { scale: [2, 2], mode: 'nearest' });
  one('upsample_bilinear', [[-1, 14, 14, 32]], 'upsample2d', [], { scale: [2, 2], mode: 'bilinear' });
  one('prelu', [[-1, 28, 28, 32]], 'prelu', [[1, 1, 32]], {});
  one('dot', [[-1, 16, 64], [-1, 16, 64]], 'dot', [], { axes: [2, 2], normalize: false });
  one('embedding', [[-1, 32]], 'embedding', [[1000, 64]], {});
  one('batchnorm', [[-1, 14, 14, 32]], 'batchnorm', [[32], [32], [32], [32]], { axis: -1, epsilon: 1e-3 });
  one('activation_tanh', [[-1, 28, 28, 32]], 'activation', [], { activation: { fn: 'tanh' } });
  const rnn = { activation: { fn: 'tanh' as const }, returnSequences: false, goBackwards: false };
  one('simple_rnn', [[-1, 28, 28]], 'simple_rnn', [[28, 64], [64, 64], [64]], rnn);
  one('lstm', [[-1, 28, 28]], 'lstm', [[28, 256], [64, 256], [256]], { ...rnn, recurrentActivation: { fn: 'sigmoid' } });
  one('gru', [[-1, 28, 28]], 'gru', [[28, 192], [64, 192], [2, 192]], { ...rnn, recurrentActivation: { fn: 'sigmoid' }, resetAfter: true });
  return out;
}

function printRows(rows: readonly Row[], before: Map<string, number>): void {
  const w = 78;
  const head = `${'step'.padEnd(w)}${'kernel'.padEnd(22)}${'ref µs'.padStart(10)}${'js µs'.padStart(10)}${'GFLOP/s'.padStart(9)}${'x ref'.padStart(7)}`;
  console.log(before.size ? `${head}${'before µs'.padStart(11)}${'x before'.padStart(9)}` : head);
  for (const r of rows) {
    const g = r.flops > 0 && r.jsUs > 0 ? (r.flops / r.jsUs / 1e3).toFixed(2) : '';
    let line = `${r.key.slice(0, w - 1).padEnd(w)}${r.kernel.padEnd(22)}${r.refUs.toFixed(1).padStart(10)}${r.jsUs.toFixed(1).padStart(10)}${g.padStart(9)}${(r.refUs / r.jsUs).toFixed(1).padStart(7)}`;
    const b = before.get(r.key);
    if (b !== undefined) line += `${b.toFixed(1).padStart(11)}${(b / r.jsUs).toFixed(1).padStart(9)}`;
    console.log(line);
  }
}

async function main(): Promise<void> {
  const before = new Map<string, number>();
  if (baselinePath && existsSync(baselinePath)) {
    const old = JSON.parse(readFileSync(baselinePath, 'utf8')) as { rows: Row[]; models: Row[] };
    for (const r of [...old.rows, ...old.models]) before.set(r.key, r.jsUs);
  }
  console.log(`node ${process.version}; js back end vs reference kernels; ${clock} clock${quick ? ' (quick)' : ''}`);
  const rows: Row[] = [];
  const models: Row[] = [];
  for (const name of FOUNDING_MODEL_NAMES) {
    const model = await load(foundingFileSource(name, { biases: 'uniform' }));
    const js = model.compile({ backend: 'js' });
    for (const batch of modelsOnly ? [] : [1, 64]) {
      const plan = js.planFor(batch);
      for (const s of plan.steps) {
        if (only && !only.includes(s.node.op)) continue;
        if (s.node.op === 'reshape') continue;
        rows.push(profileStep(`${name} b${batch}`, s, plan.arenaSize));
      }
    }
    const ref = model.compile({ backend: 'reference' });
    const x = new Float32Array(js.inputSizes[0]);
    fill(x, 5);
    for (let i = 0; i < x.length; i++) x[i] = Math.abs(x[i]);
    const out = new Float32Array(js.outputSizes[0]);
    const flops = js.plan.steps.reduce((n, s) => n + stepFlops(s), 0);
    const jsUs = timeUs(() => js.predict(x, out));
    const refUs = timeUs(() => ref.predict(x, out));
    models.push({ key: `${name} Session.predict (batch 1)`, kernel: 'whole model', flops, refUs, jsUs });
    // The same, cycling over 64 different images: a repeated input lets the branch predictor learn the sign
    // patterns of ReLU / max-pool comparisons on small tensors, which real traffic does not allow.
    const xb = new Float32Array(64 * js.inputSizes[0]);
    fill(xb, 6);
    for (let i = 0; i < xb.length; i++) xb[i] = Math.abs(xb[i]);
    const views = Array.from({ length: 64 }, (_, i) => xb.subarray(i * js.inputSizes[0], (i + 1) * js.inputSizes[0]));
    let k = 0;
    const jsVar = timeUs(() => js.predict(views[k++ & 63], out));
    const refVar = timeUs(() => ref.predict(views[k++ & 63], out));
    models.push({ key: `${name} Session.predict (batch 1, 64 images)`, kernel: 'whole model', flops, refUs: refVar, jsUs: jsVar });
    const ob = new Float32Array(64 * js.outputSizes[0]);
    const jsB = timeUs(() => js.predictBatch(xb, 64, ob)) / 64;
    const refB = timeUs(() => ref.predictBatch(xb, 64, ob)) / 64;
    models.push({ key: `${name} predictBatch(64) per image`, kernel: 'whole model', flops, refUs: refB, jsUs: jsB });
    js.close();
    ref.close();
  }
  for (const { name, graph } of modelsOnly ? [] : extraGraphs()) {
    const s = new Session(graph, resolveBackend('js'));
    for (const batch of [1, 8]) {
      const plan = s.planFor(batch);
      for (const st of plan.steps) {
        if (only && !only.includes(st.node.op)) continue;
        rows.push(profileStep(`${name} b${batch}`, st, plan.arenaSize));
      }
    }
    s.close();
  }
  console.log('\nper kernel (µs per plan step, median):');
  printRows(rows, before);
  console.log('\nwhole models (µs per image, median):');
  printRows(models, before);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, JSON.stringify({ node: process.version, date: new Date().toISOString(), clock, rows, models }, null, 1));
  console.log(`\nwrote ${outPath}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
