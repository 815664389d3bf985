// Model-level parity against TF.js, an independent implementation: each architecture is built in TF.js with
// seeded random weights, saved to memory as TF.js layers artifacts, loaded by kerasrt from those bytes, and
// both predict on the same seeded random inputs (batch 1 through run/predict, batch 3 through runBatch /
// predictBatch), with the default back end and with 'reference'. GRU reset_after=true, which TF.js does not
// implement, is checked against a naive GRU written here from the Keras formulas (itself checked against
// TF.js on reset_after=false first). Tolerance: per output, max |kerasrt - tfjs| <= 1e-4 * max(1, max |tfjs|).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type * as Tfjs from '@tensorflow/tfjs';
import { load } from '../../src/index.js';
import type { Session } from '../../src/runtime/session.js';
import { FOUNDING_MODEL_NAMES, foundingArtifacts, foundingModel, tfjsArtifactsSource, type TfjsLayersArtifacts } from '../../src/models/founding.js';
import { mnistSplit } from '../../src/data/mnist.js';
import { rng } from '../helpers/rand.js';
import { setupTf, tf } from '../helpers/tf-oracle.js';
import { assertMaxDiff, fmtExp, markdownTable } from '../helpers/model-diff.js';

const TOL = 1e-4;

type SymbolicTensor = Tfjs.SymbolicTensor;
type LayersModel = Tfjs.LayersModel;

interface Row {
  model: string;
  outputs: string;
  batch1?: number;
  batch3?: number;
  reference?: number;
  status: string;
}
const rows: Row[] = [];

before(async () => {
  await setupTf();
});

after(() => {
  const table = markdownTable(
    ['model', 'outputs (per sample)', 'batch 1 max|Δ|', 'batch 3 max|Δ|', 'reference backend max|Δ|', 'status'],
    rows.map((r) => [r.model, r.outputs, fmtExp(r.batch1), fmtExp(r.batch3), fmtExp(r.reference), r.status]),
  );
  console.log(`\nTF.js parity (tolerance: max|Δ| <= ${TOL} * max(1, max|tfjs|) per output)\n${table}\n`);
});

// ---------------------------------------------------------------------------------------------------------
// plumbing

/** Saves a TF.js model to in-memory layers artifacts, exactly what model.save() hands a save handler. */
async function saveArtifacts(model: LayersModel): Promise<TfjsLayersArtifacts> {
  let saved: Tfjs.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.ok(saved && saved.weightSpecs && saved.modelTopology);
  const wd = saved.weightData;
  let weightData: ArrayBuffer;
  if (wd === undefined) weightData = new ArrayBuffer(0);
  else if (Array.isArray(wd)) weightData = tf.io.concatenateArrayBuffers(wd);
  else weightData = wd as ArrayBuffer;
  return {
    modelTopology: saved.modelTopology as Record<string, unknown>,
    format: 'layers-model',
    generatedBy: saved.generatedBy ?? 'TensorFlow.js',
    convertedBy: saved.convertedBy ?? null,
    weightSpecs: saved.weightSpecs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: 'float32' as const })),
    weightData,
  };
}

/**
 * Overwrites every weight with seeded uniform values: kernels U(-a, a) with a = sqrt(3 / fan_in) (unit
 * variance in, unit out), biases/betas/means U(-0.5, 0.5), gammas and variances U(0.5, 1.5), embeddings U(-1, 1).
 */
function randomizeWeights(model: LayersModel, seed: number): void {
  const r = rng(seed);
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const name = w.originalName;
    let lo = -0.5;
    let hi = 0.5;
    if (/moving_variance|gamma/.test(name)) [lo, hi] = [0.5, 1.5];
    else if (/embeddings/.test(name)) [lo, hi] = [-1, 1];
    else if (shape.length >= 2) {
      const a = Math.sqrt(3 / Math.max(1, shape.slice(0, -1).reduce((x, y) => x * y, 1)));
      [lo, hi] = [-a, a];
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * r();
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  values.forEach((t) => t.dispose());
}

type InputGen = (perSample: readonly number[], n: number, seed: number) => Float32Array;

const uniformInputs: InputGen = (shape, n, seed) => {
  const r = rng(seed);
  const size = n * shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, () => 2 * r() - 1);
};

const intInputs = (vocab: number): InputGen => (shape, n, seed) => {
  const r = rng(seed);
  const size = n * shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, () => Math.floor(r() * vocab));
};

function tfPredict(model: LayersModel, inputs: Float32Array[], n: number): Float32Array[] {
  const shapes = model.inputs.map((t) => t.shape.slice(1) as number[]);
  const xs = inputs.map((x, i) => tf.tensor(x, [n, ...shapes[i]]));
  const y = model.predict(xs.length === 1 ? xs[0] : xs);
  const ys = Array.isArray(y) ? y : [y];
  const out = ys.map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
  xs.forEach((t) => t.dispose());
  ys.forEach((t) => t.dispose());
  return out;
}

interface ParityCase {
  readonly name: string;
  readonly build: () => LayersModel;
  readonly inputs?: InputGen | readonly InputGen[];
  /** Relative tolerance if not TOL. */
  readonly tolerance?: number;
}

/** Runs kerasrt (a compiled session) on n samples: run()/predict() for n = 1, runBatch/predictBatch else. */
function kerasrtPredict(session: Session, inputs: Float32Array[], n: number): Float32Array[] {
  if (n === 1) {
    if (inputs.length === 1 && session.outputShapes.length === 1) return [Float32Array.from(session.predict(inputs[0]))];
    return session.run(inputs).map((o) => Float32Array.from(o));
  }
  if (inputs.length === 1 && session.outputShapes.length === 1) return [session.predictBatch(inputs[0], n)];
  return session.runBatch(inputs, n);
}

/**
 * Loads `artifacts` with kerasrt and compares against `predict` (the oracle) at batch 1 (3 samples, one at a
 * time) and batch 3, default back end, then batch 1 on the reference back end.
 */
async function checkAgainst(
  name: string,
  artifacts: TfjsLayersArtifacts,
  inputShapes: readonly (readonly number[])[],
  outputShapes: readonly (readonly number[])[],
  gens: readonly InputGen[],
  predict: (inputs: Float32Array[], n: number) => Float32Array[],
  tol: number,
): Promise<void> {
  const row: Row = { model: name, outputs: outputShapes.map((s) => `[${s.join(',')}]`).join(' '), status: 'FAIL' };
  rows.push(row);
  try {
    const model = await load(tfjsArtifactsSource(artifacts, name)).catch((e: unknown) => {
      throw new Error(`${name}: kerasrt could not load the TF.js artifacts: ${(e as Error).message}`, { cause: e });
    });
    const compile = (backend?: 'reference'): Session => {
      try {
        return model.compile(backend ? { backend } : {});
      } catch (e) {
        throw new Error(`${name}: kerasrt compile(${backend ? `{ backend: '${backend}' }` : ''}) failed: ${(e as Error).message}`, { cause: e });
      }
    };
    const session = compile();
    assert.deepEqual(session.inputShapes.map((s) => [...s]), inputShapes.map((s) => [...s]), `${name}: kerasrt input shapes vs TF.js`);
    assert.deepEqual(session.outputShapes.map((s) => [...s]), outputShapes.map((s) => [...s]), `${name}: kerasrt output shapes vs TF.js`);
    const n = 3;
    const xs = inputShapes.map((s, i) => gens[i % gens.length](s, n, 1000 + 17 * i));
    const want = predict(xs, n);
    const sizes = inputShapes.map((s) => s.reduce((a, b) => a * b, 1));
    const outSizes = outputShapes.map((s) => s.reduce((a, b) => a * b, 1));

    const compareBatch1 = (session: Session, backend: string): number => {
      let worst = 0;
      for (let k = 0; k < n; k++) {
        const one = xs.map((x, i) => x.slice(k * sizes[i], (k + 1) * sizes[i]));
        const got = kerasrtPredict(session, one, 1);
        got.forEach((g, o) => {
          const w = want[o].subarray(k * outSizes[o], (k + 1) * outSizes[o]);
          const d = assertMaxDiff(`${name} [${backend}] batch 1, sample ${k}, output ${o}`, g, w, outputShapes[o], tol);
          worst = Math.max(worst, d.maxAbs);
        });
      }
      return worst;
    };

    row.batch1 = compareBatch1(session, 'default');
    const got3 = kerasrtPredict(session, xs, n);
    row.batch3 = 0;
    got3.forEach((g, o) => {
      const d = assertMaxDiff(`${name} [default] batch 3, output ${o}`, g, want[o], [n, ...outputShapes[o]], tol);
      row.batch3 = Math.max(row.batch3 ?? 0, d.maxAbs);
    });
    const ref = compile('reference');
    row.reference = compareBatch1(ref, 'reference');
    row.status = 'ok';
  } catch (e) {
    row.status = `FAIL: ${(e as Error).message.split('\n')[0].slice(0, 140)}`;
    throw e;
  }
}

async function parity(c: ParityCase): Promise<void> {
  const model = c.build();
  randomizeWeights(model, hash(c.name));
  const artifacts = restoreSeparableDepthMultiplier(await saveArtifacts(model));
  const gens = c.inputs === undefined ? [uniformInputs] : Array.isArray(c.inputs) ? (c.inputs as InputGen[]) : [c.inputs as InputGen];
  const inputShapes = model.inputs.map((t) => t.shape.slice(1) as number[]);
  const outputShapes = model.outputs.map((t) => t.shape.slice(1) as number[]);
  await checkAgainst(c.name, artifacts, inputShapes, outputShapes, gens, (xs, n) => tfPredict(model, xs, n), c.tolerance ?? TOL);
  model.dispose();
}

/**
 * TF.js 4.22's SeparableConv2D.getConfig() leaves out depth_multiplier (its depthwise_kernel weight still has
 * the multiplier as its last dim), so a TF.js-saved separable conv with depthMultiplier > 1 contradicts itself;
 * kerasrt refuses such a file with a weight-shape error. Put the field back, as Keras writes it, so that the
 * test checks the arithmetic.
 */
function restoreSeparableDepthMultiplier(a: TfjsLayersArtifacts): TfjsLayersArtifacts {
  const topo = JSON.parse(JSON.stringify(a.modelTopology)) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  for (const l of topo.config.layers) {
    if (l.class_name !== 'SeparableConv2D' || l.config.depth_multiplier !== undefined) continue;
    const dw = a.weightSpecs.find((w) => w.name === `${String(l.config.name)}/depthwise_kernel`);
    assert.ok(dw, `depthwise_kernel of ${String(l.config.name)}`);
    l.config.depth_multiplier = dw.shape[dw.shape.length - 1];
  }
  return { ...a, modelTopology: topo as unknown as Record<string, unknown> };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const L = (): typeof Tfjs.layers => tf.layers;
const apply = (layer: Tfjs.layers.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor => layer.apply(x) as SymbolicTensor;

// ---------------------------------------------------------------------------------------------------------
// 1. MLPs: every TF.js activation, as a Dense activation and as an Activation layer

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new'] as const;

for (const act of ACTIVATIONS) {
  test(`parity: mlp with ${act}`, () =>
    parity({
      name: `mlp-${act}`,
      build: () =>
        tf.sequential({
          layers: [
            L().dense({ inputShape: [16], units: 12, activation: act }),
            L().dense({ units: 6 }),
            L().activation({ activation: act }),
          ],
        }),
      // wider inputs so saturating activations (selu, elu, hardSigmoid) see both sides of their knees
      inputs: (s, n, seed) => uniformInputs(s, n, seed).map((v) => 3 * v),
    }));
}

// ---------------------------------------------------------------------------------------------------------
// 2. convolutions

test('parity: cnn same/valid/strides/dilation/1x1/no-bias', () =>
  parity({
    name: 'cnn-variants',
    build: () =>
      tf.sequential({
        layers: [
          L().conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
          L().conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid' }),
          L().conv2d({ filters: 6, kernelSize: [2, 3], padding: 'same', dilationRate: 2, activation: 'tanh' }),
          L().conv2d({ filters: 3, kernelSize: 1, useBias: false }),
          L().conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
          L().flatten(),
          L().dense({ units: 4 }),
        ],
      }),
  }));

test('parity: cnn strides with same padding on even and odd sizes', () =>
  parity({
    name: 'cnn-same-strides',
    build: () => {
      const x = tf.input({ shape: [9, 8, 2] });
      const a = apply(L().conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }), x); // 5x4
      const b = apply(L().conv2d({ filters: 2, kernelSize: [4, 2], strides: [3, 2], padding: 'same' }), x); // 3x4
      const c = apply(L().conv2d({ filters: 2, kernelSize: [3, 3], dilationRate: [1, 2], padding: 'valid' }), x); // 7x4
      return tf.model({ inputs: x, outputs: [a, b, c] });
    },
  }));

test('parity: depthwise + separable convolutions', () =>
  parity({
    name: 'depthwise-separable',
    build: () =>
      tf.sequential({
        layers: [
          L().depthwiseConv2d({ inputShape: [10, 10, 4], kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
          L().separableConv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'relu' }),
          L().depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu6' }),
          L().separableConv2d({ filters: 5, kernelSize: [3, 2], padding: 'same', depthMultiplier: 2 }),
          L().globalAveragePooling2d({}),
          L().dense({ units: 3 }),
        ],
      }),
  }));

test('parity: conv2dTranspose (same/valid, strides 1-3, non-square kernels)', () =>
  parity({
    name: 'conv2d-transpose',
    build: () =>
      tf.sequential({
        layers: [
          L().conv2dTranspose({ inputShape: [5, 5, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
          L().conv2dTranspose({ filters: 2, kernelSize: [3, 2], strides: 1, padding: 'valid', activation: 'relu' }),
          L().conv2dTranspose({ filters: 3, kernelSize: 4, strides: 3, padding: 'valid' }),
        ],
      }),
  }));

test('parity: channels_first convolution, pooling and global pooling', () =>
  parity({
    name: 'channels-first',
    build: () => {
      const x = tf.input({ shape: [3, 8, 8] });
      const c1 = apply(L().conv2d({ filters: 4, kernelSize: 3, padding: 'same', dataFormat: 'channelsFirst', activation: 'relu' }), x);
      const p = apply(L().maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }), c1);
      const c2 = apply(L().conv2d({ filters: 2, kernelSize: 3, padding: 'valid', dataFormat: 'channelsFirst' }), p);
      const g = apply(L().globalAveragePooling2d({ dataFormat: 'channelsFirst' }), c1);
      const d = apply(L().dense({ units: 3 }), apply(L().flatten(), c2));
      return tf.model({ inputs: x, outputs: [c2, g, d] });
    },
  }));

// ---------------------------------------------------------------------------------------------------------
// 3. pooling

test('parity: pooling variants and global pools', () =>
  parity({
    name: 'pooling',
    build: () => {
      const x = tf.input({ shape: [11, 11, 3] });
      const p1 = apply(L().maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' }), x); // 5x5
      const p2 = apply(L().averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x); // 6x6, border windows partly padding
      const p3 = apply(L().maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), x); // 11x11
      const p4 = apply(L().averagePooling2d({ poolSize: [2, 3], strides: [1, 2], padding: 'valid' }), x); // 10x5
      const g = apply(L().concatenate(), [apply(L().globalMaxPooling2d({}), p3), apply(L().globalAveragePooling2d({}), p2)]);
      return tf.model({ inputs: x, outputs: [p1, p2, p3, p4, g] });
    },
  }));

// ---------------------------------------------------------------------------------------------------------
// 4. normalisation

test('parity: batchnorm + layernorm', () =>
  parity({
    name: 'batchnorm-layernorm',
    build: () =>
      tf.sequential({
        layers: [
          L().conv2d({ inputShape: [6, 6, 4], filters: 5, kernelSize: 3, padding: 'same' }),
          L().batchNormalization({ axis: -1 }),
          L().activation({ activation: 'relu' }),
          L().maxPooling2d({ poolSize: 2 }),
          L().flatten(),
          L().dense({ units: 8 }),
          L().batchNormalization({ epsilon: 0.01 }),
          L().layerNormalization({}),
          L().dense({ units: 3 }),
        ],
      }),
  }));

test('parity: two BatchNormalization layers in a row', () =>
  parity({
    name: 'batchnorm-batchnorm',
    build: () => tf.sequential({ layers: [L().batchNormalization({ inputShape: [4] }), L().batchNormalization({})] }),
  }));

test('parity: normalisation over other axes, no center/scale', () =>
  parity({
    name: 'norm-axes',
    build: () =>
      tf.sequential({
        layers: [
          L().layerNormalization({ inputShape: [5, 4], axis: -1, epsilon: 1e-5 }),
          // No BatchNormalization on axis 1 here: TF.js 4.22's layer gives wrong results for a non-last axis of
          // a rank-3 input; that case is checked against the formula in test/formats/keras-configs.test.ts.
          L().batchNormalization({ axis: 2, center: false, scale: false }),
          L().layerNormalization({ center: false, scale: false }),
          L().flatten(),
          L().dense({ units: 2 }),
        ],
      }),
  }));

// ---------------------------------------------------------------------------------------------------------
// 5. functional graphs: several inputs and outputs, merges, a shared layer

test('parity: functional multi-input/multi-output with add/concatenate/multiply/average/maximum/minimum/dot', () =>
  parity({
    name: 'functional-merges',
    build: () => {
      const a = tf.input({ shape: [8], name: 'in_a' });
      const b = tf.input({ shape: [8], name: 'in_b' });
      const da = apply(L().dense({ units: 6, activation: 'tanh' }), a);
      const db = apply(L().dense({ units: 6 }), b);
      const shared = L().dense({ units: 6, activation: 'sigmoid' });
      const sa = apply(shared, a);
      const sb = apply(shared, b);
      const sum = apply(L().add(), [da, db, sa]);
      const mul = apply(L().multiply(), [da, sb]);
      const avg = apply(L().average(), [da, db, sum]);
      const mx = apply(L().maximum(), [da, db]);
      const mn = apply(L().minimum(), [sa, sb]);
      const cat = apply(L().concatenate({ axis: -1 }), [sum, mul, avg, mx, mn]);
      const probs = apply(L().dense({ units: 4, activation: 'softmax', name: 'probs' }), cat);
      const dots = apply(L().concatenate(), [apply(L().dot({ axes: 1 }), [da, db]), apply(L().dot({ axes: -1, normalize: true }), [sa, db])]);
      return tf.model({ inputs: [a, b], outputs: [probs, dots, mx] });
    },
  }));

test('parity: functional 3-D dot and concatenate on a middle axis', () =>
  parity({
    name: 'functional-dot-3d',
    build: () => {
      const a = tf.input({ shape: [4, 5] });
      const b = tf.input({ shape: [3, 5] });
      const d = apply(L().dot({ axes: [2, 2] }), [a, b]); // [4, 3]
      const c = apply(L().concatenate({ axis: 1 }), [a, b]); // [7, 5]
      return tf.model({ inputs: [a, b], outputs: [d, c] });
    },
  }));

// ---------------------------------------------------------------------------------------------------------
// 6. recurrent layers

test('parity: embedding + LSTM (hard_sigmoid and sigmoid gates, sequences and last state)', () =>
  parity({
    name: 'embedding-lstm',
    build: () =>
      tf.sequential({
        layers: [
          L().embedding({ inputDim: 20, outputDim: 5, inputLength: 7 }),
          L().lstm({ units: 6, returnSequences: true }),
          L().lstm({ units: 4, recurrentActivation: 'sigmoid' }),
          L().dense({ units: 3 }),
        ],
      }),
    inputs: intInputs(20),
  }));

test('parity: GRU reset_after=false (TF.js), sequences + last state', () =>
  parity({
    name: 'gru-reset-before',
    build: () =>
      tf.sequential({
        layers: [
          L().gru({ inputShape: [5, 3], units: 4, returnSequences: true, recurrentActivation: 'sigmoid' }),
          L().gru({ units: 3 }),
        ],
      }),
  }));

test('parity: simpleRNN goBackwards', () =>
  parity({
    name: 'simple-rnn-backwards',
    build: () => {
      const x = tf.input({ shape: [6, 3] });
      const s = apply(L().simpleRNN({ units: 5, goBackwards: true, returnSequences: true }), x);
      const t = apply(L().simpleRNN({ units: 4, activation: 'relu' }), s);
      const u = apply(L().simpleRNN({ units: 2, goBackwards: true }), x);
      return tf.model({ inputs: x, outputs: [s, apply(L().dense({ units: 2 }), t), u] });
    },
  }));

// ---------------------------------------------------------------------------------------------------------
// 7. shape layers

test('parity: permute/reshape/repeatVector/zeroPadding/cropping/upSampling', () =>
  parity({
    name: 'shape-layers',
    build: () =>
      tf.sequential({
        layers: [
          L().permute({ inputShape: [4, 6], dims: [2, 1] }), // [6, 4]
          L().reshape({ targetShape: [3, 8] }),
          L().flatten(), // [24]
          L().repeatVector({ n: 2 }), // [2, 24]
          L().reshape({ targetShape: [2, 6, 4] }),
          L().zeroPadding2d({ padding: [[1, 0], [2, 1]] }), // [3, 9, 4]
          L().cropping2D({ cropping: [[1, 0], [0, 2]] }), // [2, 7, 4]
          L().upSampling2d({ size: [2, 3] }), // [4, 21, 4]
          L().permute({ dims: [3, 1, 2] }), // [4, 4, 21]
          L().flatten(),
          L().dense({ units: 3 }),
        ],
      }),
  }));

// ---------------------------------------------------------------------------------------------------------
// 8. activation layers

test('parity: PReLU/ELU/LeakyReLU/ThresholdedReLU/ReLU/Softmax layers', () =>
  parity({
    name: 'activation-layers',
    build: () =>
      tf.sequential({
        layers: [
          L().dense({ inputShape: [10], units: 8 }),
          L().prelu({}),
          L().dense({ units: 8 }),
          L().elu({}), // TF.js refuses alpha != 1: alpha 0.7 is checked below with a naive tail
          L().dense({ units: 8 }),
          L().leakyReLU({ alpha: 0.2 }),
          L().dense({ units: 8 }),
          L().thresholdedReLU({ theta: 0.1 }),
          L().dense({ units: 8 }),
          L().reLU({ maxValue: 0.5 }),
          L().dense({ units: 5 }),
          L().softmax({}),
        ],
      }),
    inputs: (s, n, seed) => uniformInputs(s, n, seed).map((v) => 2 * v),
  }));

test('parity: PReLU with shared axes on a conv, softmax layer', () =>
  parity({
    name: 'prelu-shared-axes',
    build: () =>
      tf.sequential({
        layers: [
          L().conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, padding: 'same' }),
          L().prelu({ sharedAxes: [1, 2] }),
          L().softmax({ axis: -1 }), // TF.js's default axis is 1, which it cannot compute on rank 4
        ],
      }),
  }));

// Layers TF.js can save but not compute (softmax over a middle axis) or not even build (ELU alpha != 1):
// the model's last layer; the oracle is TF.js on everything before it plus a naive loop for it.

/**
 * `prefix` is built in TF.js; `tail` is applied on its (single) output. The saved tail config is patched
 * with `patch`; the oracle is TF.js(prefix) followed by `naive` on each sample.
 */
async function parityWithNaiveTail(
  name: string, prefix: LayersModel, tail: Tfjs.layers.Layer, patch: (config: Record<string, unknown>) => void,
  naive: (y: Float32Array, shape: readonly number[]) => Float32Array,
): Promise<void> {
  const full = tf.model({ inputs: prefix.inputs, outputs: apply(tail, prefix.outputs[0]) });
  randomizeWeights(full, hash(name)); // the prefix shares these weights
  const artifacts = await saveArtifacts(full);
  const topo = JSON.parse(JSON.stringify(artifacts.modelTopology)) as { config: { layers: { name?: string; config: Record<string, unknown> }[] } };
  const layer = topo.config.layers.find((l) => (l.name ?? l.config.name) === tail.name);
  assert.ok(layer, `${name}: tail layer ${tail.name} in the saved topology`);
  patch(layer.config);
  const inShape = prefix.inputs[0].shape.slice(1) as number[];
  const outShape = full.outputs[0].shape.slice(1) as number[];
  const per = outShape.reduce((a, b) => a * b, 1);
  await checkAgainst(name, { ...artifacts, modelTopology: topo as unknown as Record<string, unknown> }, [inShape], [outShape], [uniformInputs], (xs, n) => {
    const y = tfPredict(prefix, xs, n)[0];
    const out = new Float32Array(y.length);
    for (let k = 0; k < n; k++) out.set(naive(y.subarray(k * per, (k + 1) * per), outShape), k * per);
    return [out];
  }, TOL);
  full.dispose();
}

test('parity: Softmax layer over a middle axis (TF.js prefix + naive softmax)', async () => {
  const x = tf.input({ shape: [4, 3, 5] });
  const prefix = tf.model({ inputs: x, outputs: apply(L().conv2d({ filters: 5, kernelSize: 3, padding: 'same' }), x) });
  await parityWithNaiveTail('softmax-axis-1 (naive tail)', prefix, L().softmax({ axis: 1 }), () => {}, (y, [H, W, C]) => {
    const out = new Float32Array(y.length);
    for (let w = 0; w < W; w++) {
      for (let c = 0; c < C; c++) {
        let m = -Infinity;
        for (let h = 0; h < H; h++) m = Math.max(m, y[(h * W + w) * C + c]);
        let sum = 0;
        for (let h = 0; h < H; h++) sum += Math.exp(y[(h * W + w) * C + c] - m);
        for (let h = 0; h < H; h++) out[(h * W + w) * C + c] = Math.exp(y[(h * W + w) * C + c] - m) / sum;
      }
    }
    return out;
  });
});

test('parity: ELU layer with alpha 0.7 (TF.js prefix + naive ELU)', async () => {
  const x = tf.input({ shape: [10] });
  const prefix = tf.model({ inputs: x, outputs: apply(L().dense({ units: 8 }), x) });
  await parityWithNaiveTail('elu-alpha-0.7 (naive tail)', prefix, L().elu({}), (c) => {
    c.alpha = 0.7;
  }, (y) => y.map((v) => (v > 0 ? v : 0.7 * Math.expm1(v))));
});

// ---------------------------------------------------------------------------------------------------------
// 9. the founding models, built from kerasrt's own definition, loaded by TF.js and by kerasrt, on real MNIST

for (const name of FOUNDING_MODEL_NAMES) {
  test(`parity: founding model ${name} (seeded Glorot weights, random biases, real MNIST digits)`, async () => {
    const fm = foundingModel(name, { seed: 7, biases: 'uniform' });
    const artifacts = foundingArtifacts(fm);
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory(artifacts as unknown as Tfjs.io.ModelArtifacts));
    assert.deepEqual(tfModel.inputs[0].shape.slice(1), [...fm.inputShape], `${name}: TF.js reads the input shape`);
    const test10k = await mnistSplit('test');
    const digits: InputGen = (_s, n, seed) => test10k.x.slice((seed % 100) * 784, (seed % 100 + n) * 784);
    await checkAgainst(`founding-${name}`, artifacts, [fm.inputShape], [fm.outputShape], [digits], (xs, n) => tfPredict(tfModel, xs, n), TOL);
    tfModel.dispose();
  });
}

// ---------------------------------------------------------------------------------------------------------
// 10. GRU reset_after=true (Keras 2.3+ and Keras 3's default), which TF.js cannot run: a naive reference here

/** Keras GRU over one sample's [T, inDim] sequence; returns [T, units] (reversed time order when goBackwards). */
function gruReference(
  x: Float32Array, T: number, inDim: number, units: number,
  kernel: Float32Array, recurrent: Float32Array, bias: Float32Array, resetAfter: boolean,
): Float32Array {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const h = new Float64Array(units);
  const out = new Float32Array(T * units);
  const u3 = 3 * units;
  for (let t = 0; t < T; t++) {
    const xp = new Float64Array(u3); // x W + b_in
    for (let j = 0; j < u3; j++) {
      let s = bias[j];
      for (let i = 0; i < inDim; i++) s += x[t * inDim + i] * kernel[i * u3 + j];
      xp[j] = s;
    }
    const hp = new Float64Array(u3); // h U (+ b_rec when reset_after)
    for (let j = 0; j < u3; j++) {
      let s = resetAfter ? bias[u3 + j] : 0;
      for (let i = 0; i < units; i++) s += h[i] * recurrent[i * u3 + j];
      hp[j] = s;
    }
    const z = new Float64Array(units);
    const r = new Float64Array(units);
    for (let j = 0; j < units; j++) {
      z[j] = sigmoid(xp[j] + hp[j]);
      r[j] = sigmoid(xp[units + j] + hp[units + j]);
    }
    const hh = new Float64Array(units);
    for (let j = 0; j < units; j++) {
      let rec: number;
      if (resetAfter) rec = r[j] * hp[2 * units + j];
      else {
        rec = 0;
        for (let i = 0; i < units; i++) rec += r[i] * h[i] * recurrent[i * u3 + 2 * units + j];
      }
      hh[j] = Math.tanh(xp[2 * units + j] + rec);
    }
    for (let j = 0; j < units; j++) {
      h[j] = z[j] * h[j] + (1 - z[j]) * hh[j];
      out[t * units + j] = h[j];
    }
  }
  return out;
}

test('parity: GRU reset_after=true against a naive Keras-formula GRU (checked first against TF.js with reset_after=false)', async () => {
  const T = 5;
  const inDim = 3;
  const units = 4;
  const m = tf.sequential({ layers: [L().gru({ inputShape: [T, inDim], units, returnSequences: true, recurrentActivation: 'sigmoid' })] });
  randomizeWeights(m, 4242);
  const [kernel, recurrent, bias] = m.getWeights().map((w) => Float32Array.from(w.dataSync() as ArrayLike<number>));
  const n = 3;
  const xs = uniformInputs([T, inDim], n, 99);
  // (a) the naive reference agrees with TF.js where TF.js has an answer (reset_after=false)
  const tfOut = tfPredict(m, [xs], n)[0];
  for (let k = 0; k < n; k++) {
    const ref = gruReference(xs.subarray(k * T * inDim), T, inDim, units, kernel, recurrent, bias, false);
    assertMaxDiff(`naive GRU reference vs TF.js (reset_after=false) sample ${k}`, ref, tfOut.subarray(k * T * units, (k + 1) * T * units), [T, units], 1e-5);
  }
  // (b) reset_after=true: same kernels, a [2, 3u] bias (input row, recurrent row), flag set in the config
  const artifacts = await saveArtifacts(m);
  const topo = JSON.parse(JSON.stringify(artifacts.modelTopology)) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  const gru = topo.config.layers.find((l) => l.class_name === 'GRU');
  assert.ok(gru, 'GRU layer in the saved topology');
  gru.config.reset_after = true;
  const r = rng(777);
  const bias2 = Float32Array.from({ length: 6 * units }, () => r() - 0.5);
  const specs = artifacts.weightSpecs.map((s) => (/bias/.test(s.name) ? { ...s, shape: [2, 3 * units] } : s));
  const parts = artifacts.weightSpecs.map((s) => (/bias/.test(s.name) ? bias2 : /recurrent_kernel/.test(s.name) ? recurrent : kernel));
  const packed = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    packed.set(p, at);
    at += p.length;
  }
  const patched: TfjsLayersArtifacts = { ...artifacts, modelTopology: topo as unknown as Record<string, unknown>, weightSpecs: specs, weightData: packed.buffer };
  await checkAgainst('gru-reset-after (naive ref)', patched, [[T, inDim]], [[T, units]], [uniformInputs], (x, nn) => {
    const out = new Float32Array(nn * T * units);
    for (let k = 0; k < nn; k++) out.set(gruReference(x[0].subarray(k * T * inDim), T, inDim, units, kernel, recurrent, bias2, true), k * T * units);
    return [out];
  }, TOL);
  m.dispose();
});
