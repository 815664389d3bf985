// The 2x2 max pool fused into the conv before it (step-encoding-ext.ts F_POOL, src/kernels/wasm/fuse-pool.ts):
// program steps bit for bit against the conv step followed by the pool step, NaN included (the pool skips NaN;
// relu keeps it), on odd sizes, strides, dilations and pads, both builds; against the ops' references; and whole
// models: which plans fuse, and their outputs against TF.js and against the unfused back ends.

import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import type * as Tfjs from '@tensorflow/tfjs';
import { load, memoryFileSource, type BackendName } from '../../src/index.js';
import { tensor } from '../../src/core/tensor.js';
import { applyActivation, type Activation } from '../../src/ops/activation-fns.js';
import { opDef } from '../../src/ops/registry.js';
import { loadWasmKernels, relaxedSimdSupported, WasmProgram, type WasmVariant } from '../../src/kernels/wasm/index.js';
import { FUSED } from '../../src/kernels/abi.js';
import { makeProgramBackend, WASM_FEATURES } from '../../src/kernels/wasm/backend.js';
import { importModel } from '../../src/formats/load.js';
import { optimize } from '../../src/passes/pipeline.js';
import { makePlan } from '../../src/planner/planner.js';
import { assertClose, setupTf, tf } from '../helpers/tf-oracle.js';
import { randData } from '../helpers/rand.js';

const VARIANTS: WasmVariant[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
const WASM_BACKENDS: BackendName[] = relaxedSimdSupported() ? ['wasm-simd', 'wasm-relaxed'] : ['wasm-simd'];

interface ConvCase {
  readonly x: [number, number, number, number];
  readonly k: [number, number];
  readonly oc: number;
  readonly s?: [number, number];
  readonly d?: [number, number];
  readonly p?: [number, number, number, number];
  readonly act?: Activation;
  readonly method: 'direct' | 'winograd';
}

const CASES: ConvCase[] = [
  // Direct, the short-K pooled tile: odd conv outputs (the last row / column is dropped), strides, dilation.
  { x: [2, 9, 7, 1], k: [3, 3], oc: 16, p: [1, 1, 1, 1], act: { fn: 'relu' }, method: 'direct' },
  // One input channel at unit stride (the one-float-pixel copies), each fast activation.
  { x: [1, 8, 10, 1], k: [3, 3], oc: 8, p: [1, 1, 1, 1], act: { fn: 'relu6' }, method: 'direct' },
  { x: [1, 7, 9, 1], k: [2, 2], oc: 16, method: 'direct' },
  { x: [1, 11, 13, 2], k: [3, 3], oc: 8, s: [1, 2], d: [2, 1], p: [2, 1, 0, 1], act: { fn: 'relu6' }, method: 'direct' },
  { x: [1, 6, 5, 3], k: [2, 2], oc: 24, method: 'direct' },
  { x: [1, 12, 12, 8], k: [3, 3], oc: 8, s: [2, 2], p: [1, 1, 1, 1], act: { fn: 'relu' }, method: 'direct' }, // K = 72
  // Winograd F(4x4, 3x3): tiles cut by the image edge, odd sizes, cout % 8 == 4.
  { x: [1, 13, 11, 8], k: [3, 3], oc: 12, p: [1, 1, 1, 1], act: { fn: 'relu' }, method: 'winograd' },
  { x: [2, 14, 14, 16], k: [3, 3], oc: 32, act: { fn: 'relu6' }, method: 'winograd' },
  { x: [1, 10, 9, 8], k: [3, 3], oc: 8, p: [1, 1, 1, 1], method: 'winograd' },
  { x: [1, 5, 6, 9], k: [3, 3], oc: 20, p: [0, 1, 2, 0], act: { fn: 'relu' }, method: 'winograd' },
];

const outDim = (n: number, k: number, s: number, d: number, lo: number, hi: number) => Math.floor((n + lo + hi - (k - 1) * d - 1) / s) + 1;

/** Input with NaN, +-Inf and zeros sprinkled in: whole pooling windows of NaN (-> -Inf), partial ones, signed zeros. */
function input(c: ConvCase, seed: number): Float32Array {
  const x = randData(c.x.reduce((a, b) => a * b), seed);
  for (let i = 0; i < x.length; i += 37) x[i] = NaN;
  for (let i = 11; i < x.length; i += 101) x[i] = i % 2 ? Infinity : -Infinity;
  for (let i = 5; i < x.length; i += 23) x[i] = i % 2 ? 0 : -0;
  return x;
}

/** Runs one conv case as one fused step and as conv + pool steps; returns both pooled outputs and the pooled shape. */
function runCase(variant: WasmVariant, c: ConvCase, kernel: Float32Array, bias: Float32Array, x: Float32Array) {
  const [n, H, W, C] = c.x;
  const [kh, kw] = c.k;
  const s = c.s ?? [1, 1], d = c.d ?? [1, 1], p = c.p ?? [0, 0, 0, 0];
  const oh = outDim(H, kh, s[0], d[0], p[0], p[1]), ow = outDim(W, kw, s[1], d[1], p[2], p[3]);
  const ph = oh >> 1, pw = ow >> 1;
  const xs = x.length, convN = n * oh * ow * c.oc, poolN = n * ph * pw * c.oc;
  const prog = new WasmProgram(loadWasmKernels({ variant }), { arenaFloats: xs + convN + 2 * poolN });
  const weights = () => (c.method === 'winograd' ? prog.packWinogradWeights(kernel, kh, C, c.oc, 4) : prog.packConv2dWeights(kernel, kh, kw, C, c.oc));
  const b = prog.constant(bias);
  const conv = { x: 0, xShape: c.x, kernelSize: c.k, bias: b, strides: s, dilations: d, pads: p, activation: c.act, method: c.method } as const;
  prog.conv2d({ ...conv, w: weights(), y: xs + convN + poolN, pool: 'max2x2' });
  prog.conv2d({ ...conv, w: weights(), y: xs });
  prog.pool2d({ type: 'max', x: xs, xShape: [n, oh, ow, c.oc], y: xs + convN, kernel: [2, 2], strides: [2, 2] });
  assert.match(prog.describe().join('\n'), /\+maxpool2x2/);
  prog.finish();
  prog.arena.set(x, 0);
  prog.run();
  const a = prog.arena;
  return { fused: a.slice(xs + convN + poolN, xs + convN + 2 * poolN), unfused: a.slice(xs + convN, xs + convN + poolN), shape: [n, ph, pw, c.oc] };
}

describe('wasm conv + 2x2 max pool in one step (F_POOL)', () => {
  it('equals the conv step then the pool step bit for bit (NaN, Inf, signed zeros in), and the references, both builds', () => {
    let nanWindows = 0;
    CASES.forEach((c, ci) => {
      const [kh, kw] = c.k;
      const kernel = randData(kh * kw * c.x[3] * c.oc, 100 + ci, -0.5, 0.5);
      const bias = randData(c.oc, 200 + ci);
      // The reference on finite inputs: NaN and Inf spread over a Winograd tile, over a window in direct convs.
      const finite = randData(c.x.reduce((a, b) => a * b), 300 + ci);
      const conv = opDef('conv2d').reference(
        [tensor(c.x, finite), tensor([kh, kw, c.x[3], c.oc], kernel), tensor([c.oc], bias)],
        { strides: c.s ?? [1, 1], dilations: c.d ?? [1, 1], pads: c.p ?? [0, 0, 0, 0], groups: 1, activation: c.act ?? { fn: 'linear' } },
      )[0];
      const want = opDef('pool2d').reference([conv], { type: 'max', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] })[0];
      for (const variant of VARIANTS) {
        const what = `${variant} ${c.method} x[${c.x}] k${kh}x${kw} oc ${c.oc} ${c.act?.fn ?? 'linear'}`;
        const r = runCase(variant, c, kernel, bias, input(c, 300 + ci));
        assert.deepEqual(r.shape, [...want.shape], what);
        const fb = new Uint32Array(r.fused.buffer), ub = new Uint32Array(r.unfused.buffer);
        for (let i = 0; i < fb.length; i++) assert.equal(fb[i], ub[i], `${what} [${i}]: fused ${r.fused[i]}, unfused ${r.unfused[i]}`);
        assert.ok(r.fused.every((v) => !Number.isNaN(v)), `${what}: the pool skips NaN`);
        nanWindows += r.fused.filter((v) => v === -Infinity).length;
        const f = runCase(variant, c, kernel, bias, finite).fused;
        // Winograd's error bound scales with the window's magnitudes (test/kernels/winograd.test.ts); 1e-3 is loose.
        assertClose({ shape: r.shape, data: f }, want, { atol: 1e-3, rtol: 1e-3 }, what);
      }
    });
    assert.ok(nanWindows > 0, 'some windows were all NaN (-> -Inf)');
  });

  it('refuses what the kernels do not have', () => {
    const prog = new WasmProgram(loadWasmKernels(), { arenaFloats: 4096 });
    const k = new Float32Array(9 * 4 * 12);
    const base = { x: 0, xShape: [1, 8, 8, 4], kernelSize: [3, 3], y: 1024 } as const;
    assert.throws(() => prog.conv2d({ ...base, w: prog.packConv2dWeights(k, 3, 3, 4, 12), method: 'direct', pool: 'max2x2' }), /cout % 8/);
    assert.throws(() => prog.conv2d({ ...base, w: prog.packConv2dWeights(k, 3, 3, 4, 12), method: 'im2col', pool: 'max2x2' }), /no fused pool/);
    assert.throws(() => prog.conv2d({ ...base, w: prog.packWinogradWeights(k, 3, 4, 12, 4), method: 'winograd', activation: { fn: 'tanh' }, pool: 'max2x2' }), /relu6/);
    assert.throws(() => prog.conv2d({ ...base, w: prog.packWinogradWeights(k, 3, 4, 12, 2), method: 'winograd', pool: 'max2x2' }), /F\(4x4/);
  });
});

// ---- whole models, through TF.js layers artifacts ----

type LayersModel = Tfjs.LayersModel;

async function toFiles(model: LayersModel): Promise<Record<string, Uint8Array>> {
  let files: Record<string, Uint8Array> = {};
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = { format: 'layers-model', generatedBy: 'test', convertedBy: null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }] };
      const data = a.weightData as ArrayBuffer;
      files = { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': new Uint8Array(data) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

function randomize(model: LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length > 0) layer.setWeights(ws.map((w) => tf.tensor(randData(w.size, s++, -0.5, 0.5), w.shape)));
  }
}

interface ModelCase {
  readonly name: string;
  build(): LayersModel;
  /** Per back end: the conv kernels that must read "+maxpool2x2" (in plan order), and how many steps are FUSED. */
  readonly fused: number;
}

const L = () => tf.layers;

const MODELS: ModelCase[] = [
  {
    name: 'expert-like on odd sizes: direct conv + pool, Winograd conv + pool',
    build: () => tf.sequential({ layers: [
      L().conv2d({ inputShape: [13, 11, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L().maxPooling2d({ poolSize: 2 }),
      L().conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L().maxPooling2d({ poolSize: 2 }),
      L().flatten(),
      L().dense({ units: 5 }),
    ] }),
    fused: 2,
  },
  {
    name: 'pools that stay separate: 3x3, stride 1, same padding, sigmoid before it',
    build: () => tf.sequential({ layers: [
      L().conv2d({ inputShape: [12, 12, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L().maxPooling2d({ poolSize: 3 }),
      L().conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L().maxPooling2d({ poolSize: 2, strides: 1 }),
      L().conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
      L().maxPooling2d({ poolSize: 2 }),
      L().conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L().maxPooling2d({ poolSize: 2, padding: 'same' }),
      L().flatten(),
    ] }),
    fused: 0,
  },
  {
    name: 'a conv output with a second reader stays unfused',
    build: () => {
      const inp = tf.input({ shape: [10, 10, 2] });
      const c = L().conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(inp) as Tfjs.SymbolicTensor;
      const p = L().maxPooling2d({ poolSize: 2 }).apply(c) as Tfjs.SymbolicTensor;
      const g = L().globalAveragePooling2d({}).apply(c) as Tfjs.SymbolicTensor;
      const f = L().flatten().apply(p) as Tfjs.SymbolicTensor;
      return tf.model({ inputs: inp, outputs: L().concatenate().apply([f, g]) as Tfjs.SymbolicTensor });
    },
    fused: 0,
  },
];

describe('fused conv + pool in whole models, against TF.js and the unfused back ends', () => {
  before(setupTf);
  for (const [mi, c] of MODELS.entries()) {
    it(c.name, async () => {
      const tfModel = c.build();
      randomize(tfModel, 40 + mi);
      const model = await load(memoryFileSource('model.json', await toFiles(tfModel)));
      const shape = tfModel.inputs[0].shape.slice(1) as number[];
      const x = randData(shape.reduce((a, b) => a * b), 7 + mi, 0, 1);
      const want = (tfModel.predict(tf.tensor(x, [1, ...shape])) as Tfjs.Tensor).dataSync() as Float32Array;
      const js = model.compile({ backend: 'js' }).predict(x);
      for (const backend of WASM_BACKENDS) {
        const session = model.compile({ backend });
        const kernels = session.plan.steps.map((s) => s.kernel);
        assert.equal(kernels.filter((k) => k.endsWith('+maxpool2x2')).length, c.fused, `${backend}: ${kernels.join(', ')}`);
        assert.equal(kernels.filter((k) => k === FUSED).length, c.fused, `${backend}: ${kernels.join(', ')}`);
        kernels.forEach((k, i) => { if (k === FUSED) assert.equal(session.plan.steps[i].node.op, 'pool2d'); });
        const got = session.predict(x);
        assertClose({ shape: [got.length], data: got }, { shape: [want.length], data: want }, { atol: 1e-4, rtol: 1e-4 }, `${backend} vs TF.js`);
        assertClose({ shape: [got.length], data: got }, { shape: [js.length], data: js }, { atol: 1e-5, rtol: 1e-5 }, `${backend} vs js`);
        // A batch runs the same fused plan shape: its rows equal predict() bit for bit.
        const xb = new Float32Array(3 * x.length);
        for (let r = 0; r < 3; r++) xb.set(r === 1 ? x : randData(x.length, 90 + r, 0, 1), r * x.length);
        const rows = session.predictBatch(xb, 3);
        assert.deepEqual([...rows.subarray(got.length, 2 * got.length)], [...got], `${backend}: batch row = predict()`);
        session.close();
      }
    });
  }

  it('NaN inputs: the same bits as the unfused plan of the same kernels (conv + pool as the model output)', async () => {
    const tfModel = tf.sequential({ layers: [
      L().conv2d({ inputShape: [9, 7, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L().maxPooling2d({ poolSize: 2 }),
      L().conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L().maxPooling2d({ poolSize: 2 }),
    ] });
    randomize(tfModel, 77);
    const { graph } = optimize((await importModel(memoryFileSource('model.json', await toFiles(tfModel)))).graph);
    const x = randData(63, 5, 0, 1);
    x[0] = NaN;
    x[40] = NaN;
    for (const variant of VARIANTS) {
      const run = (fusedMaxPool: boolean) => {
        const backend = makeProgramBackend(variant, () => loadWasmKernels({ variant }), { ...WASM_FEATURES, fusedMaxPool });
        const plan = makePlan(graph, 1, backend);
        assert.equal(plan.steps.filter((s) => s.kernel === FUSED).length, fusedMaxPool ? 2 : 0, variant);
        const exec = backend.prepare(plan);
        exec.inputView(0).set(x);
        exec.run();
        return exec.outputView(0).slice();
      };
      const got = run(true), want = run(false);
      assert.ok(want.some((v) => v === -Infinity), 'the case has NaN-only windows');
      assert.deepEqual(new Uint32Array(got.buffer), new Uint32Array(want.buffer), variant);
    }
  });
});
