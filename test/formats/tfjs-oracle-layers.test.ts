// Layer translation checked against TF.js as an independent oracle: each case builds a model with the TF.js
// layers API, gives it random weights, saves it as a real TF.js layers artifact (model.json + weights.bin),
// imports that with importModel, runs the graph through the ops' reference implementations and compares
// with TF.js' own predict().

import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import type * as Tfjs from '@tensorflow/tfjs';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { verify } from '../../src/ir/verify.js';
import { randTensor } from '../helpers/rand.js';
import { assertClose, setupTf, tf } from '../helpers/tf-oracle.js';
import { runReference } from './run-reference.js';

type LayersModel = Tfjs.LayersModel;
const L = tf.layers;

function concatBuffers(d: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (d === undefined) return new Uint8Array(0);
  const list = Array.isArray(d) ? d : [d];
  const out = new Uint8Array(list.reduce((a, b) => a + b.byteLength, 0));
  let o = 0;
  for (const b of list) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

/** Random weights (positive variances) so that every weight matters. */
function randomize(model: LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    const names = layer.weights.map((w) => w.originalName);
    layer.setWeights(
      ws.map((w, i) => {
        const variance = names[i].includes('variance');
        const t = randTensor(w.shape, s++, variance ? 0.5 : -1, variance ? 1.5 : 1);
        return tf.tensor(t.data, t.shape);
      }),
    );
  }
}

/** Saves a TF.js model as the two files of a TF.js layers model folder. */
async function toFiles(model: LayersModel): Promise<Record<string, Uint8Array>> {
  let files: Record<string, Uint8Array> = {};
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = { format: 'layers-model', generatedBy: 'test', convertedBy: null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }] };
      files = { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'weights.bin': concatBuffers(a.weightData as ArrayBuffer | ArrayBuffer[] | undefined) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

interface Case {
  readonly name: string;
  build(): LayersModel;
  /** Input shapes without the batch; integer inputs (Embedding) get whole numbers in [0, vocab). */
  readonly inputs: readonly (readonly number[])[];
  readonly intRange?: number;
  readonly tol?: number;
}

function seq(inputShape: number[], layers: Tfjs.layers.Layer[]): LayersModel {
  const m = tf.sequential();
  layers.forEach((l, i) => {
    if (i === 0) m.add(L.inputLayer({ inputShape }));
    m.add(l);
  });
  return m;
}

const CASES: Case[] = [
  { name: 'mlp dense relu + softmax', build: () => seq([12], [L.dense({ units: 7, activation: 'relu' }), L.dense({ units: 5, activation: 'softmax' })]), inputs: [[12]] },
  ...(['relu', 'relu6', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax', 'softplus', 'softsign', 'elu', 'selu', 'swish', 'mish', 'linear'] as const).map(
    (a): Case => ({ name: `Activation ${a}`, build: () => seq([9], [L.dense({ units: 6 }), L.activation({ activation: a })]), inputs: [[9]] }),
  ),
  { name: 'Dense without bias, tanh', build: () => seq([4], [L.dense({ units: 3, useBias: false, activation: 'tanh' })]), inputs: [[4]] },
  { name: 'Dense on rank 3', build: () => seq([3, 4], [L.dense({ units: 2 })]), inputs: [[3, 4]] },
  { name: 'ReLU max_value', build: () => seq([10], [L.dense({ units: 8 }), L.reLU({ maxValue: 0.4 })]), inputs: [[10]] },
  { name: 'LeakyReLU / ELU / ThresholdedReLU', build: () => seq([10], [L.dense({ units: 8 }), L.leakyReLU({ alpha: 0.15 }), L.elu({}), L.thresholdedReLU({ theta: 0.1 })]), inputs: [[10]] },
  { name: 'PReLU shared axes', build: () => seq([4, 4, 3], [L.prelu({ sharedAxes: [1, 2] })]), inputs: [[4, 4, 3]] },
  { name: 'Softmax layer', build: () => seq([3, 5], [L.softmax({ axis: -1 })]), inputs: [[3, 5]] },
  {
    name: 'Conv2D valid/same, strides, dilation',
    build: () =>
      seq([9, 8, 3], [
        L.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
        L.conv2d({ filters: 5, kernelSize: [2, 3], strides: 2, padding: 'same' }),
        L.conv2d({ filters: 2, kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'softmax' }),
      ]),
    inputs: [[9, 8, 3]],
  },
  {
    name: 'Conv2D channels_first + Flatten',
    build: () => seq([3, 7, 6], [L.conv2d({ filters: 4, kernelSize: 3, dataFormat: 'channelsFirst', padding: 'same' }), L.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }), L.flatten(), L.dense({ units: 3 })]),
    inputs: [[3, 7, 6]],
  },
  {
    name: 'Conv1D valid/same/dilated + pooling 1D',
    build: () =>
      seq([11, 3], [
        L.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, activation: 'relu' }),
        L.conv1d({ filters: 5, kernelSize: 2, strides: 2, padding: 'same' }),
        L.maxPooling1d({ poolSize: 2 }),
        L.conv1d({ filters: 3, kernelSize: 1 }),
        L.averagePooling1d({ poolSize: 2, padding: 'same', strides: 1 }),
      ]),
    inputs: [[11, 3]],
  },
  { name: 'DepthwiseConv2D multiplier 2', build: () => seq([7, 7, 3], [L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', strides: 2, activation: 'relu6' })]), inputs: [[7, 7, 3]] },
  { name: 'SeparableConv2D', build: () => seq([8, 8, 3], [L.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, activation: 'elu' })]), inputs: [[8, 8, 3]] },
  {
    name: 'Conv2DTranspose same/valid',
    build: () => seq([5, 4, 3], [L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), L.conv2dTranspose({ filters: 2, kernelSize: [2, 3], strides: [1, 2], padding: 'valid', activation: 'sigmoid' })]),
    inputs: [[5, 4, 3]],
  },
  {
    name: 'pooling 2D same + global pooling',
    build: () => seq([7, 9, 4], [L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), L.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }), L.globalAveragePooling2d({})]),
    inputs: [[7, 9, 4]],
  },
  { name: 'GlobalMaxPooling2D channels_first', build: () => seq([4, 5, 6], [L.globalMaxPooling2d({ dataFormat: 'channelsFirst' })]), inputs: [[4, 5, 6]] },
  { name: 'GlobalMax/AveragePooling1D', build: () => seq([6, 4], [L.globalMaxPooling1d({})]), inputs: [[6, 4]] },
  // (BatchNormalization on a non-last axis is checked against the formula in keras-configs.test.ts: TF.js gets
  // some of those cases wrong.)
  { name: 'BatchNormalization', build: () => seq([4, 5, 3], [L.batchNormalization({ axis: -1, epsilon: 0.01 })]), inputs: [[4, 5, 3]] },
  { name: 'BatchNormalization scale/center off', build: () => seq([6], [L.batchNormalization({ scale: false, center: false })]), inputs: [[6]] },
  { name: 'LayerNormalization', build: () => seq([3, 6], [L.layerNormalization({ axis: -1, epsilon: 1e-3 })]), inputs: [[3, 6]] },
  {
    name: 'Reshape / Permute / RepeatVector / Flatten',
    build: () => seq([12], [L.reshape({ targetShape: [3, 4] }), L.permute({ dims: [2, 1] }), L.flatten(), L.repeatVector({ n: 3 })]),
    inputs: [[12]],
  },
  {
    name: 'ZeroPadding2D / Cropping2D / UpSampling2D',
    build: () => seq([5, 6, 2], [L.zeroPadding2d({ padding: [[1, 2], [0, 3]] }), L.cropping2D({ cropping: [[2, 0], [1, 1]] }), L.upSampling2d({ size: [2, 3] })]),
    inputs: [[5, 6, 2]],
  },
  {
    name: 'Embedding + LSTM (sequences) + GRU + SimpleRNN (backwards)',
    build: () =>
      seq([7], [
        L.embedding({ inputDim: 11, outputDim: 4 }),
        L.lstm({ units: 5, returnSequences: true }),
        L.gru({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }),
        L.simpleRNN({ units: 2, goBackwards: true }),
      ]),
    inputs: [[7]],
    intRange: 11,
  },
  { name: 'training-only layers are identities', build: () => seq([6], [L.dropout({ rate: 0.5 }), L.gaussianNoise({ stddev: 1 }), L.gaussianDropout({ rate: 0.3 }), L.alphaDropout({ rate: 0.2 }), L.dense({ units: 2 })]), inputs: [[6]] },
  { name: 'SpatialDropout1D', build: () => seq([5, 3], [L.spatialDropout1d({ rate: 0.5 }), L.globalAveragePooling1d({})]), inputs: [[5, 3]] },
  {
    name: 'functional: merges, Concatenate, Dot, shared layer',
    build: () => {
      const a = tf.input({ shape: [6], name: 'a' });
      const b = tf.input({ shape: [6], name: 'b' });
      const shared = L.dense({ units: 6, activation: 'tanh', name: 'shared' });
      const sa = shared.apply(a) as Tfjs.SymbolicTensor;
      const sb = shared.apply(b) as Tfjs.SymbolicTensor;
      const add = L.add().apply([sa, sb]) as Tfjs.SymbolicTensor;
      const mul = L.multiply().apply([sa, b]) as Tfjs.SymbolicTensor;
      const avg = L.average().apply([add, mul, a]) as Tfjs.SymbolicTensor;
      const mx = L.maximum().apply([avg, sb]) as Tfjs.SymbolicTensor;
      const mn = L.minimum().apply([mx, sa]) as Tfjs.SymbolicTensor;
      const cat = L.concatenate({ axis: -1 }).apply([mn, add]) as Tfjs.SymbolicTensor;
      const dot = L.dot({ axes: 1, normalize: true }).apply([sa, sb]) as Tfjs.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: [cat, dot] });
    },
    inputs: [[6], [6]],
  },
  {
    name: 'functional: nested Sequential model used as a layer, twice',
    build: () => {
      const inner = tf.sequential({ layers: [L.dense({ units: 4, inputShape: [5], activation: 'relu' }), L.dense({ units: 5 })] });
      const x = tf.input({ shape: [5] });
      const y1 = inner.apply(x) as Tfjs.SymbolicTensor;
      const y2 = inner.apply(y1) as Tfjs.SymbolicTensor;
      return tf.model({ inputs: x, outputs: L.add().apply([y1, y2]) as Tfjs.SymbolicTensor });
    },
    inputs: [[5]],
  },
  { name: 'Rescaling', build: () => seq([4], [L.rescaling({ scale: 1 / 255, offset: -0.5 })]), inputs: [[4]] },
];

describe('TF.js layers artifacts, checked against TF.js predict()', () => {
  before(setupTf);
  for (const c of CASES) {
    it(c.name, async () => {
      const model = c.build();
      randomize(model, 17);
      const files = await toFiles(model);
      const imported = await importModel(memoryFileSource('case/model.json', files));
      verify(imported.graph);
      assert.equal(imported.format, 'tfjs-layers');
      const batch = 2;
      const xs = c.inputs.map((s, i) => {
        const t = randTensor([batch, ...s], 100 + i, c.intRange ? 0 : -2, c.intRange ? c.intRange : 2);
        if (c.intRange) t.data.forEach((v, j) => (t.data[j] = Math.floor(v)));
        return t;
      });
      const got = runReference(imported.graph, xs);
      const pred = model.predict(xs.map((x) => tf.tensor(x.data, x.shape)));
      const want = (Array.isArray(pred) ? pred : [pred]).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
      assert.equal(got.length, want.length, 'number of outputs');
      got.forEach((g, i) => assertClose(g, want[i], { atol: c.tol ?? 2e-5, rtol: c.tol ?? 2e-5 }, `${c.name} output ${i}`));
      const params = imported.layers.reduce((a, l) => a + l.params, 0);
      assert.equal(params, model.countParams(), 'parameter count');
    });
  }
});
