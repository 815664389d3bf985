// Do denormal (subnormal) inputs slow any kernel down? x86 CPUs take microcode assists on float32 values
// below 2^-126 unless flush-to-zero is on, and neither JavaScript nor WebAssembly can turn it on, so every
// back end is exposed. For each back end and each kernel (Dense, Conv2D, MaxPooling2D, sigmoid, tanh, softmax,
// exponential, the activations with a subnormal result for a subnormal input, relu, and the two founding
// models whole) this times batch-1 predict() on normal inputs,
// +-U[0.5, 1) (signs alternating, so both sides of sigmoid and elu run), and on the same values scaled by
// 2^-130 (all subnormal), in alternating blocks, and reports the fastest block's time per call for each
// (interference from other processes only ever adds time, so the minimum is the steadiest figure on a shared
// machine; the medians are in the JSON) and the ratio; issue 6 asks for none above 1.5.
//
// The binary element-wise ops (add, sub, mul, div, max, min, pow: one-node graphs built directly, two inputs
// of 4096 for full broadcast, a [64, 64] input against a constant [64] row or [1] scalar of +-U[0.5, 1)) run
// the same blocks on several input sets against the normal one: "sub x nor" (a subnormal, b normal: a
// subnormal is read, and mul / div make a subnormal), "sub x sub" (both subnormal: add / sub / max / min give a
// subnormal, mul underflows to 0), and "nor -> sub" (normal inputs whose exact result is subnormal: a product
// or quotient of about 2^-130, a difference of two normals near 2^-125, a power 2^-130). BatchNormalization
// on an input (lowered to a row multiply and a row add, src/passes/lower-batchnorm.ts) is one of the kernels.
//
//   node dist/bench/denormals.js [--backends js,wasm] [--kernels elu,swish] [--blocks 9] [--block-ms 25]
//     [--out bench/results/denormals.json]      (--kernels: names starting with any of these)
//
// A benchmark program, not a test: it prints a table and writes JSON (bench/results/ is not committed).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { memoryFileSource } from '../src/formats/readers/file-source.js';
import { load } from '../src/index.js';
import { artifactsToFiles, foundingArtifacts, foundingModel } from '../src/models/founding.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { binaryScalar, type BinaryFn } from '../src/ops/binary.js';
import { optimize } from '../src/passes/pipeline.js';
import { BACKEND_NAMES, backendAvailable, resolveBackend, type BackendName } from '../src/runtime/backends.js';
import type { Session } from '../src/runtime/session.js';
import { makePlan } from '../src/planner/planner.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const BLOCKS = Number(opt('blocks') ?? 9);
const BLOCK_MS = Number(opt('block-ms') ?? 25);
const OUT = opt('out') ?? 'bench/results/denormals.json';
const only = opt('kernels')?.split(',');
const backends = (opt('backends')?.split(',') as BackendName[] | undefined) ?? BACKEND_NAMES.filter((b) => b !== 'auto' && backendAvailable(b));

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Deterministic weights in [-0.5, 0.5). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  });
}

/** A one-layer TF.js layers model (Keras 2 Sequential) with its weights (U[-0.5, 0.5) + `add`), as an in-memory source. */
function oneLayer(layer: Record<string, unknown>, inputShape: readonly number[], weights: readonly { name: string; shape: number[]; add?: number }[]) {
  const cfg = { ...(layer.config as object), name: 'k', batch_input_shape: [null, ...inputShape] };
  const topology = { class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: layer.class_name, config: cfg }] } };
  const datas = weights.map((w, i) => values(w.shape.reduce((a, b) => a * b, 1), i + 1).map((v) => v + (w.add ?? 0)));
  const bin = new Float32Array(datas.reduce((a, d) => a + d.length, 0));
  let o = 0;
  for (const d of datas) {
    bin.set(d, o);
    o += d.length;
  }
  const json = { format: 'layers-model', modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: topology }, weightsManifest: [{ paths: ['w.bin'], weights: weights.map((w) => ({ ...w, name: `k/${w.name}`, dtype: 'float32' })) }] };
  return memoryFileSource('m/model.json', { 'model.json': enc(JSON.stringify(json)), 'w.bin': new Uint8Array(bin.buffer) });
}

const KERNELS = [
  { name: 'dense 256x256', src: () => oneLayer({ class_name: 'Dense', config: { units: 256, activation: 'linear' } }, [256], [{ name: 'kernel', shape: [256, 256] }, { name: 'bias', shape: [256] }]) },
  {
    name: 'conv2d 3x3x4->16 28x28',
    src: () => oneLayer({ class_name: 'Conv2D', config: { filters: 16, kernel_size: [3, 3], padding: 'same', activation: 'relu' } }, [28, 28, 4], [{ name: 'kernel', shape: [3, 3, 4, 16] }, { name: 'bias', shape: [16] }]),
  },
  { name: 'maxpool 2x2 28x28x16', src: () => oneLayer({ class_name: 'MaxPooling2D', config: { pool_size: [2, 2] } }, [28, 28, 16], []) },
  { name: 'sigmoid 4096', src: () => oneLayer({ class_name: 'Activation', config: { activation: 'sigmoid' } }, [4096], []) },
  { name: 'tanh 4096', src: () => oneLayer({ class_name: 'Activation', config: { activation: 'tanh' } }, [4096], []) },
  { name: 'softmax 1024', src: () => oneLayer({ class_name: 'Softmax', config: { axis: -1 } }, [1024], []) },
  { name: 'exponential 4096', src: () => oneLayer({ class_name: 'Activation', config: { activation: 'exponential' } }, [4096], []) },
  // The activations whose exact result for a subnormal x is itself subnormal (alpha x, x / 2, ...), and relu
  // (comparisons only) as the control: the wasm and native kernels flush such inputs to zero first. gelu_new
  // is the Keras name that maps to gelu_tanh.
  ...['elu', 'swish', 'selu', 'leaky_relu', 'gelu_new', 'hard_swish', 'hard_sigmoid', 'softsign', 'gelu', 'mish', 'softplus', 'relu'].map((activation) => ({
    name: `${activation === 'gelu_new' ? 'gelu_tanh' : activation} 4096`,
    src: () => oneLayer({ class_name: 'Activation', config: { activation } }, [4096], []),
  })),
  // Not folded (nothing before it): lowered to x * scale + shift, two row-broadcast binary steps. Variances
  // in [0.5, 1.5), so scale = gamma / sqrt(var + eps) is a normal number and a subnormal x gives a subnormal product.
  {
    name: 'batchnorm 64x64',
    src: () =>
      oneLayer({ class_name: 'BatchNormalization', config: { axis: -1, epsilon: 0.001 } }, [64, 64], [
        { name: 'gamma', shape: [64], add: 1 },
        { name: 'beta', shape: [64] },
        { name: 'moving_mean', shape: [64] },
        { name: 'moving_variance', shape: [64], add: 1 },
      ]),
  },
  { name: 'beginner (model)', src: () => memoryFileSource('b/model.json', artifactsToFiles(foundingArtifacts(foundingModel('beginner', { biases: 'uniform' })))) },
  { name: 'expert (model)', src: () => memoryFileSource('e/model.json', artifactsToFiles(foundingArtifacts(foundingModel('expert', { biases: 'uniform' })))) },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** +-U[0.5, 1), signs alternating (both sides of sigmoid and elu run). */
const normalValues = (n: number, seed: number): Float32Array => Float32Array.from(values(n, seed), (v, i) => (i % 2 === 0 ? 1 : -1) * (0.75 + v / 2));

/**
 * µs per call over alternating blocks of input sets (set 0 the normal inputs): `load(k)` before each block of
 * set k (untimed), `call()` timed; fastest block and median block of each set.
 */
function measure(sets: number, load: (k: number) => void, call: () => void): { fastest: number[]; median: number[] } {
  // Calibrate the calls per block on normal inputs.
  load(0);
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) call();
    if (performance.now() - t0 >= BLOCK_MS || reps > 1 << 20) break;
    reps *= 2;
  }
  const times = Array.from({ length: sets }, () => [] as number[]);
  for (let b = 0; b < sets * BLOCKS; b++) {
    const k = b % sets;
    load(k);
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) call();
    times[k].push(((performance.now() - t0) * 1000) / reps);
  }
  return { fastest: times.map((t) => Math.min(...t)), median: times.map(median) };
}

/** predict() of one input set after another (copies in and out included, as an application sees it). */
function measurePredict(session: Session, inputs: readonly Float32Array[]): { fastest: number[]; median: number[] } {
  const out = new Float32Array(session.outputSizes[0]);
  let x = inputs[0];
  return measure(inputs.length, (k) => (x = inputs[k]), () => session.predict(x, out));
}

/**
 * The plan's kernels alone (Executor.run(), inputs written once per block): a binary op over 4096 values
 * takes about as long as copying its operands in and its result out, which predict() would add to both sides.
 * Checks first that a run leaves its inputs as they were, so repeated runs compute the same thing.
 */
function measureKernels(graph: ReturnType<GraphBuilder['finish']>, backend: BackendName, sets: readonly (readonly Float32Array[])[]): { fastest: number[]; median: number[] } {
  const be = resolveBackend(backend);
  const exec = be.prepare(makePlan(graph, 1, be));
  const load = (k: number): void => sets[k].forEach((x, i) => exec.inputView(i).set(x));
  for (let k = 0; k < sets.length; k++) {
    load(k);
    exec.run();
    const first = exec.outputView(0).slice();
    exec.run();
    if (!exec.outputView(0).every((v, i) => Object.is(v, first[i])) || !sets[k].every((x, i) => exec.inputView(i).every((v, j) => Object.is(v, x[j])))) {
      throw new Error(`${backend}: a run changes its inputs`);
    }
  }
  const m = measure(sets.length, load, () => exec.run());
  exec.dispose();
  return m;
}

const subnormal = (x: Float32Array): boolean => x.every((v) => v !== 0 && Math.abs(v) < 2 ** -126);
const normal = (x: Float32Array): boolean => x.every((v) => Math.abs(v) >= 2 ** -126);

/** A binary op case: a one-node graph and its named input sets, the first one normal. */
interface BinaryCase {
  readonly name: string;
  readonly graph: () => ReturnType<GraphBuilder['finish']>;
  readonly sets: readonly { readonly name: string; readonly inputs: readonly Float32Array[] }[];
}

const N_BIN = 4096;
const TWO_M130 = 2 ** -130;

/** Normal inputs whose exact result under `fn` is subnormal; undefined for max / min (never). */
function normalToSubnormal(fn: BinaryFn, a: Float32Array, b: Float32Array): Float32Array[] | undefined {
  const scaled = (x: Float32Array, s: number): Float32Array => x.map((v) => v * s);
  switch (fn) {
    case 'mul':
      return [scaled(a, 2 ** -65), scaled(b, 2 ** -65)];
    case 'div':
      return [scaled(a, 2 ** -65), scaled(b, 2 ** 65)];
    case 'add':
    case 'sub': {
      // a = +-(2^-125 + k 2^-148) and b = -+2^-125 (add) or +-2^-125 (sub): a (op) b = +-k 2^-148, k < 2^22.
      const x = a.map((v, i) => Math.sign(v) * (2 ** -125 + (1 + (i % 4000) * 1000) * 2 ** -148));
      const y = a.map((v) => Math.sign(v) * (fn === 'add' ? -1 : 1) * 2 ** -125);
      return [x, y];
    }
    case 'pow':
      return [scaled(a, 2 ** -65).map(Math.abs), new Float32Array(a.length).fill(2)];
    default:
      return undefined;
  }
}

function binaryCases(): BinaryCase[] {
  const cases: BinaryCase[] = [];
  const fns: BinaryFn[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'];
  for (const fn of fns) {
    // pow of a negative base is NaN for most exponents: positive bases.
    const a = fn === 'pow' ? normalValues(N_BIN, 99).map(Math.abs) : normalValues(N_BIN, 99);
    const b = normalValues(N_BIN, 98);
    const sets = [
      { name: 'normal', inputs: [a, b] },
      { name: 'sub x nor', inputs: [a.map((v) => v * TWO_M130), b] },
      { name: 'sub x sub', inputs: [a.map((v) => v * TWO_M130), b.map((v) => v * TWO_M130)] },
    ];
    const n2s = normalToSubnormal(fn, a, b);
    if (n2s) sets.push({ name: 'nor -> sub', inputs: n2s });
    cases.push({
      name: `${fn} full ${N_BIN}`,
      graph: () => {
        const g = new GraphBuilder();
        const y = g.add1('binary', [g.input('a', [-1, N_BIN]), g.input('b', [-1, N_BIN])], { fn }, { name: fn });
        g.setOutputs([y]);
        return g.finish();
      },
      sets,
    });
  }
  // Row and scalar broadcast against a normal constant (BatchNormalization's scale / shift, Rescaling): a
  // subnormal input, and a normal one whose product with (quotient by) the constant is subnormal.
  for (const mode of ['row', 'scalar'] as const) {
    for (const fn of ['add', 'mul', 'div'] as BinaryFn[]) {
      const a = normalValues(N_BIN, 99);
      const sets = [
        { name: 'normal', inputs: [a] },
        { name: 'sub x nor', inputs: [a.map((v) => v * TWO_M130)] },
      ];
      // |c| < 1: +-2^-126 (the smallest normal) times c is subnormal. (Over c it is not, nor a sum with c.)
      if (fn === 'mul') sets.push({ name: 'nor -> sub', inputs: [a.map((v) => Math.sign(v) * 2 ** -126)] });
      cases.push({
        name: `${fn} ${mode} 64x64`,
        graph: () => {
          const g = new GraphBuilder();
          const shape = mode === 'row' ? [64] : [1];
          const c = g.constant('c', shape, normalValues(shape[0], 97));
          const y = g.add1('binary', [g.input('a', [-1, 64, 64]), c], { fn }, { name: fn });
          g.setOutputs([y]);
          return g.finish();
        },
        sets,
      });
    }
  }
  for (const c of cases) {
    for (const s of c.sets.slice(1)) {
      const ok = s.name === 'nor -> sub' ? s.inputs.every(normal) : subnormal(s.inputs[0]) && (s.name !== 'sub x sub' || subnormal(s.inputs[1]));
      if (!ok) throw new Error(`${c.name} ${s.name}: inputs are not what the set says`);
    }
    // The full-broadcast "nor -> sub" results, exactly (float64 rounded once), are all subnormal.
    const n2s = c.sets.find((s) => s.name === 'nor -> sub');
    if (n2s && n2s.inputs.length === 2) {
      const f = binaryScalar(c.name.split(' ')[0] as BinaryFn);
      if (!subnormal(n2s.inputs[0].map((v, i) => f(v, n2s.inputs[1][i])))) throw new Error(`${c.name} nor -> sub: results are not all subnormal`);
    }
  }
  return cases;
}

interface Row {
  readonly kernel: string;
  readonly backend: BackendName;
  readonly normalUs: number;
  readonly denormalUs: number;
  readonly ratio: number;
  readonly medianRatio: number;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  console.log(`denormal inputs vs normal inputs, batch-1 predict(), fastest of ${BLOCKS} blocks of >= ${BLOCK_MS} ms each; node ${process.version}`);
  console.log(`${'kernel'.padEnd(36)}${'backend'.padEnd(14)}${'normal µs'.padStart(11)}${'denormal µs'.padStart(13)}${'ratio'.padStart(8)}`);
  const report = (kernel: string, backend: BackendName, m: { fastest: number[]; median: number[] }, k: number): void => {
    const row: Row = { kernel, backend, normalUs: m.fastest[0], denormalUs: m.fastest[k], ratio: m.fastest[k] / m.fastest[0], medianRatio: m.median[k] / m.median[0] };
    rows.push(row);
    console.log(`${kernel.padEnd(36)}${backend.padEnd(14)}${row.normalUs.toFixed(1).padStart(11)}${row.denormalUs.toFixed(1).padStart(13)}${row.ratio.toFixed(2).padStart(8)}${row.ratio > 1.5 ? '  > 1.5x' : ''}`);
  };
  for (const k of KERNELS) {
    if (only && !only.some((o) => k.name.startsWith(o))) continue;
    const model = await load(k.src());
    for (const backend of backends) {
      if (k.name.startsWith('expert') && backend === 'reference') continue; // minutes per block
      const session = model.compile({ backend });
      const normalIn = normalValues(session.inputSizes[0], 99);
      const denormalIn = normalIn.map((v) => v * TWO_M130);
      if (!subnormal(denormalIn)) throw new Error('inputs are not all subnormal');
      const m = measurePredict(session, [normalIn, denormalIn]);
      session.close();
      report(k.name, backend, m, 1);
    }
  }
  for (const c of binaryCases()) {
    if (only && !only.some((o) => c.name.startsWith(o))) continue;
    const graph = optimize(c.graph()).graph;
    for (const backend of backends) {
      const m = measureKernels(graph, backend, c.sets.map((s) => s.inputs));
      for (let k = 1; k < c.sets.length; k++) report(`${c.name} ${c.sets[k].name}`, backend, m, k);
    }
  }
  const slow = rows.filter((r) => r.ratio > 1.5);
  console.log(slow.length === 0 ? 'no kernel slowed by more than 1.5x' : `${slow.length} kernel/back-end pairs slowed by more than 1.5x: ${slow.map((r) => `${r.kernel} on ${r.backend} (${r.ratio.toFixed(2)}x)`).join('; ')}`);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify({ node: process.version, date: new Date().toISOString(), blocks: BLOCKS, blockMs: BLOCK_MS, rows }, null, 1));
  console.log(`wrote ${OUT}`);
}

await main();
