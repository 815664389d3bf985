// ONNX export, checked by an independent runtime: every graph is exported, run in onnxruntime-node and compared
// with kerasrt's own outputs on the same seeded inputs (batch 3; graphs with a fixed dim 0 run as they are),
// then read back by kerasrt's ONNX importer and compared again (where the importer knows every op written).
// Graphs: hand-built IR graphs that together use every op and activation in the registry, Keras models made
// by TF.js (loaded from their layers artifacts, as test/e2e/tfjs-parity.test.ts does), the founding models,
// and every model file in ../shared/models that kerasrt loads (Keras h5/.keras, TF.js layers and graph,
// GraphDef, ONNX). Tolerance: per output, max |ort - kerasrt| <= 1e-4 * max(1, max |kerasrt|).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type * as Tfjs from '@tensorflow/tfjs';
import { load } from '../../src/index.js';
import { Model } from '../../src/runtime/model.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import type { ImportedModel } from '../../src/formats/types.js';
import { exportOnnx } from '../../src/formats/onnx/export.js';
import { importOnnx } from '../../src/formats/onnx/import.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { UnsupportedFeatureError, UnsupportedLayerError } from '../../src/core/errors.js';
import type { Activation, ActivationName } from '../../src/ops/activation-fns.js';
import { FOUNDING_MODEL_NAMES, foundingFileSource, tfjsArtifactsSource, type TfjsLayersArtifacts } from '../../src/models/founding.js';
import { rng } from '../helpers/rand.js';
import { fmtExp, markdownTable } from '../helpers/model-diff.js';
import { setupTf, tf } from '../helpers/tf-oracle.js';
import { CASES as SHARED_CASES, HAVE_SHARED, openModel, sharedPath } from '../helpers/shared-models.js';

const TOL = 1e-4;

interface Row {
  model: string;
  opset: number;
  ort?: number;
  roundTrip?: number | string;
}
const rows: Row[] = [];

after(() => {
  const table = markdownTable(
    ['model', 'opset', 'max|ort - kerasrt| (rel.)', 'round trip through our importer'],
    rows.map((r) => [r.model, String(r.opset), fmtExp(r.ort), typeof r.roundTrip === 'number' ? fmtExp(r.roundTrip) : (r.roundTrip ?? '-')]),
  );
  console.log(`\nONNX export vs kerasrt (tolerance ${TOL} * max(1, max|kerasrt|))\n${table}\n`);
});

// ---------------------------------------------------------------------------------------------------------
// plumbing

type Gen = (size: number, seed: number) => Float32Array;
const uniform: Gen = (size, seed) => {
  const r = rng(seed);
  return Float32Array.from({ length: size }, () => 2 * r() - 1);
};
const unit: Gen = (size, seed) => uniform(size, seed).map((v) => (v + 1) / 2);
const ints = (vocab: number): Gen => (size, seed) => {
  const r = rng(seed);
  return Float32Array.from({ length: size }, () => Math.floor(r() * vocab));
};

/** Relative max difference: max |a - b| / max(1, max |b|); Infinity on a NaN mismatch. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output lengths differ');
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (Number.isNaN(b[i])) continue;
    scale = Math.max(scale, Math.abs(b[i]));
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m / scale;
}

interface Batch {
  readonly xs: Float32Array[];
  readonly dims: number[][];
  /** Samples per input for runBatch, or undefined for a fixed dim 0 (run once). */
  readonly n?: number;
}

function makeBatch(g: Graph, gens: readonly Gen[], seed: number): Batch {
  const shapes = g.inputs.map((id) => g.values[id]!.shape);
  const fixed = shapes.some((s) => s.length > 0 && s[0] >= 0);
  const n = 3;
  const dims = shapes.map((s) => s.map((d, i) => (i === 0 && d < 0 ? n : d)));
  const xs = dims.map((d, i) => gens[i % gens.length](d.reduce((a, b) => a * b, 1), seed + 31 * i));
  return { xs, dims, n: fixed ? undefined : n };
}

function runKerasrt(imp: ImportedModel, b: Batch): Float32Array[] {
  const session = new Model(imp).compile();
  try {
    const outs = b.n === undefined ? session.run(b.xs) : session.runBatch(b.xs, b.n);
    return outs.map((o) => Float32Array.from(o));
  } finally {
    session.close();
  }
}

async function runOrt(bytes: Uint8Array, b: Batch): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((name, i) => (feeds[name] = new ort.Tensor('float32', b.xs[i], b.dims[i])));
    const r = await session.run(feeds);
    return session.outputNames.map((name) => r[name].data as Float32Array);
  } finally {
    await session.release();
  }
}

function imported(name: string, graph: Graph): ImportedModel {
  return {
    format: 'kerasrt',
    file: name,
    graph,
    layers: [],
    inputNames: graph.inputs.map((id) => graph.values[id]!.name),
    outputNames: graph.outputs.map((id) => graph.values[id]!.name),
  };
}

interface CheckOptions {
  readonly gens?: readonly Gen[];
  readonly opsets?: readonly number[];
  /** true: our importer must read the export back; default: try, and record what it lacks. */
  readonly roundTrip?: boolean;
  readonly tol?: number;
}

/** Exports `imp`'s graph, runs it in ORT and (optionally) our importer, and compares both with kerasrt. */
async function checkExport(name: string, imp: ImportedModel, o: CheckOptions = {}): Promise<void> {
  const b = makeBatch(imp.graph, o.gens ?? [uniform], 7);
  const want = runKerasrt(imp, b);
  for (const opset of o.opsets ?? [13]) {
    const row: Row = { model: name, opset };
    rows.push(row);
    const bytes = exportOnnx(imp.graph, { opset });
    const got = await runOrt(bytes, b).catch((e: unknown) => {
      throw new Error(`${name} (opset ${opset}): onnxruntime refused the export: ${(e as Error).message}`, { cause: e });
    });
    assert.equal(got.length, want.length, `${name}: output count`);
    row.ort = Math.max(...got.map((g, i) => relDiff(g, want[i])));
    assert.ok(row.ort <= (o.tol ?? TOL), `${name} (opset ${opset}): ORT differs from kerasrt by ${row.ort} (relative)`);
    // Our importer covers what the founding study's files hold, not every op the exporter writes: a refusal
    // there is recorded in the table (and is a failure only where `roundTrip` demands it); wrong numbers are not.
    let back: ImportedModel;
    try {
      back = await importOnnx(memoryFileSource('export.onnx', { 'export.onnx': bytes }));
    } catch (e) {
      if (o.roundTrip !== true && (e instanceof UnsupportedFeatureError || e instanceof UnsupportedLayerError)) {
        row.roundTrip = `importer lacks: ${e.message.replace(/^export\.onnx: /, '').slice(0, 60)}`;
        continue;
      }
      throw e;
    }
    const again = runKerasrt(back, b);
    row.roundTrip = Math.max(...again.map((g, i) => relDiff(g, want[i])));
    assert.ok(row.roundTrip <= (o.tol ?? TOL), `${name} (opset ${opset}): round trip differs by ${row.roundTrip}`);
  }
}

/** Seeded constant of a shape, U(lo, hi). */
function konst(b: GraphBuilder, name: string, shape: number[], seed: number, lo = -0.5, hi = 0.5): number {
  const r = rng(seed);
  const n = shape.reduce((a, c) => a * c, 1);
  return b.constant(name, shape, Float32Array.from({ length: n }, () => lo + (hi - lo) * r()));
}

const act = (fn: ActivationName, alpha?: number, beta?: number): Activation => ({ fn, ...(alpha !== undefined ? { alpha } : {}), ...(beta !== undefined ? { beta } : {}) });
const LINEAR = act('linear');

// ---------------------------------------------------------------------------------------------------------
// 1. hand-built IR graphs: every op of the registry, every activation

test('export: every activation function (dense + activation chain), opsets 13 and 17', async () => {
  const b = new GraphBuilder({ name: 'activations' });
  const x = b.input('x', [-1, 6]);
  const fns: Activation[] = [
    act('relu'), act('relu6'), act('sigmoid'), act('hard_sigmoid'), act('hard_sigmoid', 0.2, 0.5), act('tanh'), act('softplus'),
    act('softsign'), act('elu', 0.7), act('selu'), act('gelu'), act('gelu_tanh'), act('swish'), act('exponential'), act('leaky_relu', 0.1),
    act('mish'), act('thresholded_relu', 0.3), act('hard_swish'), act('clip', -0.5, 0.7), LINEAR,
  ];
  const outs = fns.map((a, i) => {
    const h = b.add1('dense', [x, konst(b, `w${i}`, [6, 4], i, -2, 2), konst(b, `b${i}`, [4], 100 + i)], { activation: a }, { name: `dense_${a.fn}_${i}` });
    return b.add1('activation', [h], { activation: a }, { name: `act_${a.fn}_${i}` });
  });
  b.setOutputs(outs);
  await checkExport('activations', imported('activations', b.finish()), { opsets: [13, 17] });
});

test('export: convolutions (strides, dilation, groups, asymmetric pads), depthwise, pooling, batchnorm, upsampling', async () => {
  const b = new GraphBuilder({ name: 'cnn' });
  const x = b.input('image', [-1, 9, 8, 4]);
  let h = b.add1('conv2d', [x, konst(b, 'k1', [3, 3, 4, 6], 1), konst(b, 'b1', [6], 2)], { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: act('relu') }, { name: 'conv1' });
  h = b.add1('conv2d', [h, konst(b, 'k2', [3, 2, 3, 6], 3)], { strides: [2, 1], dilations: [1, 2], pads: [0, 1, 1, 0], groups: 2, activation: LINEAR }, { name: 'conv_grouped' });
  h = b.add1('batchnorm', [h, konst(b, 'g', [6], 4, 0.5, 1.5), konst(b, 'be', [6], 5), konst(b, 'm', [6], 6), konst(b, 'v', [6], 7, 0.5, 1.5)], { axis: -1, epsilon: 1e-3 }, { name: 'bn' });
  h = b.add1('activation', [h], { activation: act('elu') }, { name: 'elu' });
  h = b.add1('depthwise_conv2d', [h, konst(b, 'dk', [3, 3, 6, 2], 8), konst(b, 'db', [12], 9)], { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], activation: act('relu6') }, { name: 'depthwise' });
  const mp = b.add1('pool2d', [h], { type: 'max', kernel: [2, 2], strides: [2, 2], pads: [0, 1, 0, 1] }, { name: 'maxpool' });
  const ap = b.add1('pool2d', [h], { type: 'avg', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'avgpool' });
  h = b.add1('binary', [mp, ap], { fn: 'add' }, { name: 'add' });
  h = b.add1('binary', [h, konst(b, 'scale', [12], 10)], { fn: 'mul' }, { name: 'scale' });
  const up = b.add1('upsample2d', [h], { scale: [2, 3], mode: 'nearest' }, { name: 'up_nearest' });
  const bil = b.add1('upsample2d', [h], { scale: [2, 2], mode: 'bilinear' }, { name: 'up_bilinear' });
  const gap = b.add1('reduce', [h], { type: 'mean', axes: [1, 2], keepDims: false }, { name: 'gap' });
  b.setOutputs([up, bil, gap]);
  await checkExport('cnn', imported('cnn', b.finish()));
});

test('export: conv2d_transpose (cropping and zero-growing pads), prelu, softmax on the channel axis', async () => {
  const b = new GraphBuilder({ name: 'deconv' });
  const x = b.input('x', [-1, 4, 5, 3]);
  let h = b.add1('conv2d_transpose', [x, konst(b, 'tk', [3, 3, 4, 3], 1), konst(b, 'tb', [4], 2)], { strides: [2, 2], dilations: [1, 1], pads: [1, 0, 0, 1], activation: LINEAR }, { name: 'deconv_same' });
  h = b.add1('prelu', [h, konst(b, 'alpha', [1, 1, 4], 3, 0, 0.5)], {}, { name: 'prelu' });
  h = b.add1('conv2d_transpose', [h, konst(b, 'tk2', [2, 2, 2, 4], 4), konst(b, 'tb2', [2], 5)], { strides: [3, 3], dilations: [1, 1], pads: [0, -1, -1, 0], activation: act('tanh') }, { name: 'deconv_grow' });
  h = b.add1('softmax', [h], { axis: -1 }, { name: 'softmax' });
  b.setOutputs([h]);
  await checkExport('deconv', imported('deconv', b.finish()));
});

test('export: shape ops (reshape, transpose, pad, slice, tile, concat), reduce, layernorm (opsets 13 and 17)', async () => {
  const b = new GraphBuilder({ name: 'shapes' });
  const x = b.input('x', [-1, 4, 6]);
  let h = b.add1('transpose', [x], { perm: [0, 2, 1] }, { name: 'permute' });
  h = b.add1('pad', [h], { pads: [[0, 0], [1, 2], [0, 1]], value: 0.25 }, { name: 'pad' });
  h = b.add1('slice', [h], { begin: [0, 1, 1], size: [-1, 6, -1] }, { name: 'crop' });
  const t = b.add1('tile', [h], { reps: [1, 2, 1] }, { name: 'tile' });
  const c = b.add1('concat', [t, b.add1('binary', [t, konst(b, 'shift', [4], 1)], { fn: 'sub' }, { name: 'sub' })], { axis: -1 }, { name: 'concat' });
  const ln = b.add1('layernorm', [c, konst(b, 'lg', [8], 2, 0.5, 1.5), konst(b, 'lb', [8], 3)], { axes: [-1], epsilon: 1e-3 }, { name: 'ln_last' });
  const ln2 = b.add1('layernorm', [c, konst(b, 'lg2', [12], 4, 0.5, 1.5), konst(b, 'lb2', [12], 5)], { axes: [1], epsilon: 1e-5 }, { name: 'ln_middle' });
  const bn = b.add1('batchnorm', [ln2, konst(b, 'g', [8], 6, 0.5, 1.5), konst(b, 'be', [8], 7), konst(b, 'm', [8], 8), konst(b, 'v', [8], 9, 0.5, 1.5)], { axis: 2, epsilon: 1e-3 }, { name: 'bn_rank3' });
  const r = b.add1('reshape', [ln], { shape: [-1, 4, -1] }, { name: 'reshape' });
  const sm = b.add1('softmax', [r], { axis: 1 }, { name: 'softmax_mid' });
  const red = ['mean', 'sum', 'max', 'min', 'prod'] as const;
  const reds = red.map((type, i) => b.add1('reduce', [bn], { type, axes: i % 2 ? [1] : [1, 2], keepDims: i % 2 === 1 }, { name: `reduce_${type}` }));
  const pw = b.add1('binary', [b.add1('activation', [sm], { activation: act('sigmoid') }, { name: 'sig' }), konst(b, 'e', [1], 10, 1, 2)], { fn: 'pow' }, { name: 'pow' });
  const mx = b.add1('binary', [sm, b.add1('binary', [sm, konst(b, 'k', [24], 11)], { fn: 'div' }, { name: 'div' })], { fn: 'max' }, { name: 'max' });
  const mn = b.add1('binary', [mx, pw], { fn: 'min' }, { name: 'min' });
  b.setOutputs([mn, ...reds]);
  await checkExport('shape-ops', imported('shape-ops', b.finish()), { opsets: [13, 17, 18] });
});

test('export: dot (normalize and plain), embedding, identity and training-only', async () => {
  const b = new GraphBuilder({ name: 'dot' });
  const ids = b.input('ids', [-1, 5]);
  const a = b.input('a', [-1, 3, 4]);
  const e = b.add1('embedding', [ids, konst(b, 'table', [11, 4], 1, -1, 1)], {}, { name: 'embedding' });
  const d1 = b.add1('dot', [e, a], { axes: [2, 2], normalize: false }, { name: 'dot_plain' });
  const d2 = b.add1('dot', [e, a], { axes: [2, 2], normalize: true }, { name: 'dot_cosine' });
  const drop = b.add1('training_only', [d2], { layerClass: 'Dropout' }, { name: 'dropout' });
  const id = b.add1('identity', [drop], {}, { name: 'identity' });
  const flat = b.add1('reshape', [e], { shape: [-1, 20] }, { name: 'flatten' });
  const v = b.add1('reshape', [a], { shape: [-1, 12] }, { name: 'flat_a' });
  const proj = b.add1('dense', [flat, konst(b, 'w', [20, 12], 2)], { activation: LINEAR }, { name: 'proj' });
  const d3 = b.add1('dot', [proj, v], { axes: [1, 1], normalize: false }, { name: 'dot_vec' });
  b.setOutputs([d1, id, d3]);
  await checkExport('dot-embedding', imported('dot-embedding', b.finish()), { gens: [ints(11), uniform] });
});

test('export: recurrent layers (LSTM, GRU both reset modes, SimpleRNN; sequences, last state, go_backwards)', async () => {
  const b = new GraphBuilder({ name: 'rnn' });
  const x = b.input('seq', [-1, 6, 3]);
  const U = 4;
  const l1 = b.add(
    'lstm',
    [x, konst(b, 'lk', [3, 4 * U], 1), konst(b, 'lr', [U, 4 * U], 2), konst(b, 'lb', [4 * U], 3)],
    { activation: act('tanh'), recurrentActivation: act('hard_sigmoid'), returnSequences: true, goBackwards: false },
    { name: 'lstm_seq' },
  )[0];
  const l2 = b.add('lstm', [l1, konst(b, 'lk2', [U, 4 * 3], 4), konst(b, 'lr2', [3, 4 * 3], 5)], { activation: act('tanh'), recurrentActivation: act('sigmoid'), returnSequences: false, goBackwards: true }, { name: 'lstm_back' })[0];
  const g1 = b.add(
    'gru',
    [x, konst(b, 'gk', [3, 3 * U], 6), konst(b, 'gr', [U, 3 * U], 7), konst(b, 'gb', [2, 3 * U], 8)],
    { activation: act('tanh'), recurrentActivation: act('sigmoid'), returnSequences: true, goBackwards: true, resetAfter: true },
    { name: 'gru_after' },
  )[0];
  const g2 = b.add(
    'gru',
    [x, konst(b, 'gk2', [3, 3 * U], 9), konst(b, 'gr2', [U, 3 * U], 10), konst(b, 'gb2', [3 * U], 11)],
    { activation: act('tanh'), recurrentActivation: act('hard_sigmoid', 0.2, 0.5), returnSequences: false, goBackwards: false, resetAfter: false },
    { name: 'gru_before' },
  )[0];
  const s = b.add('simple_rnn', [x, konst(b, 'sk', [3, U], 12), konst(b, 'sr', [U, U], 13), konst(b, 'sb', [U], 14)], { activation: act('relu'), returnSequences: true, goBackwards: true }, { name: 'simple_rnn' })[0];
  b.setOutputs([l2, g1, g2, s]);
  await checkExport('rnn', imported('rnn', b.finish()));
});

test('export: typed errors for what ONNX cannot express', () => {
  const b = new GraphBuilder({ name: 'bad' });
  const x = b.input('x', [-1, 4, 2]);
  const U = 2;
  const y = b.add1('simple_rnn', [x, konst(b, 'k', [2, U], 1), konst(b, 'r', [U, U], 2)], { activation: act('gelu'), returnSequences: false, goBackwards: false }, { name: 'odd_rnn' });
  b.setOutputs([y]);
  assert.throws(() => exportOnnx(b.finish()), (e: unknown) => e instanceof UnsupportedFeatureError && /odd_rnn/.test(e.message) && /gelu/.test(e.message));
  assert.throws(() => exportOnnx(b.finish(), { opset: 9 }), /opset 9/);
});

// ---------------------------------------------------------------------------------------------------------
// 2. Keras models made by TF.js (layers artifacts, loaded by kerasrt's TF.js importer)

before(async () => {
  await setupTf();
});

async function tfjsArtifacts(model: Tfjs.LayersModel, seed: number): Promise<TfjsLayersArtifacts> {
  const r = rng(seed);
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape as number[];
      const n = shape.reduce((a, c) => a * c, 1);
      const [lo, hi] = /moving_variance|gamma/.test(w.originalName) ? [0.5, 1.5] : [-0.5, 0.5];
      return tf.tensor(Float32Array.from({ length: n }, () => lo + (hi - lo) * r()), shape);
    }),
  );
  let saved: Tfjs.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.ok(saved?.weightSpecs && saved.modelTopology);
  const wd = saved.weightData;
  return {
    modelTopology: saved.modelTopology as Record<string, unknown>,
    format: 'layers-model',
    generatedBy: 'TensorFlow.js',
    convertedBy: null,
    weightSpecs: saved.weightSpecs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: 'float32' as const })),
    weightData: Array.isArray(wd) ? tf.io.concatenateArrayBuffers(wd) : ((wd ?? new ArrayBuffer(0)) as ArrayBuffer),
  };
}

async function checkTfjs(name: string, model: Tfjs.LayersModel, o: CheckOptions = {}): Promise<void> {
  const artifacts = await tfjsArtifacts(model, 99);
  model.dispose();
  const m = await load(tfjsArtifactsSource(artifacts, name));
  await checkExport(name, m.imported, o);
}

test('export: TF.js-made CNN (conv, batchnorm, separable, pooling, upsampling, flatten, dense softmax)', async () => {
  const L = tf.layers;
  await checkTfjs(
    'tfjs-cnn',
    tf.sequential({
      layers: [
        L.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        L.batchNormalization(),
        L.separableConv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'elu' }),
        L.maxPooling2d({ poolSize: 2 }),
        L.upSampling2d({ size: [2, 2] }),
        L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        L.flatten(),
        L.dropout({ rate: 0.3 }),
        L.dense({ units: 5, activation: 'softmax' }),
      ],
    }),
    { roundTrip: true },
  );
});

test('export: TF.js-made functional model (merges, concatenate, global pooling, dot)', async () => {
  const L = tf.layers;
  const a = tf.input({ shape: [8], name: 'in_a' });
  const img = tf.input({ shape: [6, 6, 2], name: 'in_img' });
  const c = L.conv2d({ filters: 4, kernelSize: 3, activation: 'tanh' }).apply(img) as Tfjs.SymbolicTensor;
  const gp = L.globalAveragePooling2d({}).apply(c) as Tfjs.SymbolicTensor;
  const d = L.dense({ units: 4, activation: 'sigmoid' }).apply(a) as Tfjs.SymbolicTensor;
  const sum = L.add().apply([gp, d]) as Tfjs.SymbolicTensor;
  const mul = L.multiply().apply([gp, d]) as Tfjs.SymbolicTensor;
  const cat = L.concatenate().apply([sum, mul]) as Tfjs.SymbolicTensor;
  const dot = L.dot({ axes: 1 }).apply([sum, mul]) as Tfjs.SymbolicTensor;
  const out = L.dense({ units: 3, activation: 'softmax' }).apply(cat) as Tfjs.SymbolicTensor;
  await checkTfjs('tfjs-functional', tf.model({ inputs: [a, img], outputs: [out, dot] }));
});

test('export: TF.js-made embedding + LSTM + GRU', async () => {
  const L = tf.layers;
  await checkTfjs(
    'tfjs-rnn',
    tf.sequential({
      layers: [
        L.embedding({ inputDim: 15, outputDim: 4, inputLength: 6 }),
        L.lstm({ units: 5, returnSequences: true }),
        L.gru({ units: 3 }),
        L.dense({ units: 2 }),
      ],
    }),
    { gens: [ints(15)] },
  );
});

// ---------------------------------------------------------------------------------------------------------
// 3. the founding models

for (const name of FOUNDING_MODEL_NAMES) {
  test(`export: founding model ${name}`, async () => {
    const m = await load(foundingFileSource(name, { biases: 'uniform' }));
    await checkExport(`founding-${name}`, m.imported, { gens: [unit], roundTrip: true });
  });
}

// ---------------------------------------------------------------------------------------------------------
// 4. every model file in ../shared/models that kerasrt loads

const GRAPH_FILES = [
  'tf-frozen-pb/tensorspace-frozen/frozen_model.pb',
  'tf-frozen/akinobu123-tf1-mlp/mnist.pb',
  'tf-frozen/chaow94-tf114-mlp-batch100/mnist.pb',
  'tfjs-graph/tensorspace-graphmodel/model.json',
  'tfjs/subhadip-cnn-graphmodel/model.json',
  'tfjs/subhadip-mlp-graphmodel/model.json',
  'tfjs/yliess86-mlp-graphmodel/model.json',
  'onnx/onnx-model-zoo-mnist-cntk/model.onnx',
  'onnx/onnx-zoo-mnist8-via-akinobu123/model.onnx',
  'onnx/longlongfloat-tf2onnx-cnn/mnist.onnx',
  'onnx/wuhanstudio-keras2onnx-tiny/mnist-sm.onnx',
  'onnx/wuhanstudio-keras2onnx-tiny/mnist-lg.onnx',
  'onnx/yliess86-mlp/mnist.onnx',
  'onnx/ultraface-rfb320/version-RFB-320.onnx',
  'onnx/ultraface-rfb320/version-RFB-320_simplified.onnx',
];


test('export: every Keras-family model file in ../shared/models', { skip: !HAVE_SHARED && 'no ../shared/models' }, async () => {
  for (const c of SHARED_CASES) {
    const m = await openModel(c.how);
    await checkExport(c.id, m.imported, { gens: [unit] });
  }
});

test('export: every GraphDef, TF.js graph and ONNX model file in ../shared/models', { skip: !HAVE_SHARED && 'no ../shared/models' }, async () => {
  for (const f of GRAPH_FILES) {
    const m = await load(sharedPath(f));
    await checkExport(f, m.imported, { gens: [unit] });
  }
});
