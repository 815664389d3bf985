// Every Keras HDF5, .keras and TF.js layers model in ../shared/models imports, verifies, and has the layer
// structure, parameter counts and I/O shapes its MANIFEST row describes; files of one trained model in several
// formats give bit-identical weights; the models that ship reference outputs reproduce them through the ops'
// reference implementations (a translation check: the fast paths are tested elsewhere).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { Hdf5File } from '../../src/formats/readers/hdf5.js';
import { parseNpy } from '../../src/formats/readers/npy.js';
import type { ImportedModel } from '../../src/formats/types.js';
import { verify } from '../../src/ir/verify.js';
import { runReference } from './run-reference.js';

const SHARED = resolve(process.cwd(), '../shared/models');
const have = existsSync(SHARED);
const at = (p: string): string => resolve(SHARED, p);

interface Row {
  readonly path: string;
  readonly weights?: string;
  readonly format: string;
  readonly params: number;
  readonly input: readonly number[];
  readonly outputs: readonly (readonly number[])[];
  /** Layer classes in order (the Keras summary rows). */
  readonly classes?: readonly string[];
  readonly kerasVersion?: string;
}

const ROWS: Row[] = [
  { path: 'keras-h5/ab2005-mnist-mlp-keras1.2/mnist.model.best.hdf5', format: 'keras-h5', params: 40522, input: [-1, 28, 28], outputs: [[-1, 10]], classes: ['Flatten', 'Dense', 'Dense', 'Dropout', 'Dense'], kerasVersion: '1.2.0' },
  { path: 'keras-h5/c3nz-keras224-cnn/mnist.h5', format: 'keras-h5', params: 225034, input: [-1, 28, 28, 1], outputs: [[-1, 10]] },
  { path: 'keras-h5/dl4j-cnn-batchnorm-tiny/cnn_batch_norm.h5', format: 'keras-h5', params: 79, input: [-1, 10, 10, 3], outputs: [[-1, 1]], classes: ['Conv2D', 'BatchNormalization', 'Activation', 'Conv2D', 'Flatten', 'Dense'] },
  { path: 'keras-h5/dl4j-mnist-mlp-keras1/mnist_mlp_tf_keras_1_config.json', format: 'keras-h5', params: 669706, input: [-1, 784], outputs: [[-1, 10]], kerasVersion: '1.2.1' },
  { path: 'keras-h5/dl4j-mnist-mlp-keras2/mnist_mlp_tf_keras_2_config.json', format: 'keras-h5', params: 669706, input: [-1, 784], outputs: [[-1, 10]], kerasVersion: '2.0.6' },
  { path: 'keras-h5/dl4j-mnist-mlp-keras2/mnist_mlp_tf_keras_2_weights.h5', format: 'keras-h5', params: 669706, input: [-1, 784], outputs: [[-1, 10]] },
  { path: 'keras-h5/kruthikk-mnist-softmax-keras2.0/mnist.model.best.hdf5', format: 'keras-h5', params: 7850, input: [-1, 28, 28], outputs: [[-1, 10]], classes: ['Flatten', 'Dense'] },
  { path: 'keras-h5/kzarama-mnist-keras2.14/mnist.h5', format: 'keras-h5', params: 99376, input: [-1, 28, 28, 1], outputs: [[-1, 10]], kerasVersion: '2.14.0' },
  {
    path: 'keras-h5/llsourcell-weights-only/model.json',
    format: 'keras-h5',
    params: 600810,
    input: [-1, 28, 28, 1],
    outputs: [[-1, 10]],
    classes: ['Convolution2D', 'Activation', 'Convolution2D', 'Activation', 'MaxPooling2D', 'Dropout', 'Flatten', 'Dense', 'Activation', 'Dropout', 'Dense', 'Activation'],
    kerasVersion: '1.1.0',
  },
  { path: 'keras-h5/moonflower-keras311-cnn-legacyh5/mnist_model.h5', format: 'keras-h5', params: 34826, input: [-1, 28, 28, 1], outputs: [[-1, 10]], kerasVersion: '3.1.1' },
  { path: 'keras-h5/r4ghu-keras204-cnn/mnistCNN.h5', format: 'keras-h5', params: 94602, input: [-1, 28, 28, 1], outputs: [[-1, 10]] },
  { path: 'keras-h5/suertang-tfkeras216-bn-regressor/CRIN.h5', format: 'keras-h5', params: 36945, input: [-1, 20], outputs: [[-1, 1]], kerasVersion: '2.1.6-tf' },
  { path: 'keras-h5/tensorspace-helloworld-tfkeras/tf_keras_model.h5', format: 'keras-h5', params: 61706, input: [-1, 28, 28], outputs: [[-1, 10]], kerasVersion: '2.1.6-tf' },
  { path: 'keras-h5/tensorspace-keras-mnist/mnist.h5', format: 'keras-h5', params: 44426, input: [-1, 28, 28], outputs: [[-1, 10]] },
  { path: 'keras-h5/tensorspace-keras-separated/topology.json', weights: 'keras-h5/tensorspace-keras-separated/weights.h5', format: 'keras-h5', params: 44426, input: [-1, 28, 28], outputs: [[-1, 10]] },
  { path: 'keras-h5/yjs-keras3-mlp-bn/mnist_mlp.h5', format: 'keras-h5', params: 244298, input: [-1, 784], outputs: [[-1, 10]], kerasVersion: '3.13.2' },
  { path: 'keras-v3/kzarama-mnist-keras2.14/mnist.keras', format: 'keras-v3', params: 38602, input: [-1, 8, 8, 1], outputs: [[-1, 10]], kerasVersion: '2.14.0' },
  { path: 'keras-v3/mobtd10-keras312-mlp/mnist_model.keras', format: 'keras-v3', params: 104938, input: [-1, 28, 28], outputs: [[-1, 10]] },
  { path: 'keras-v3/moonflower-keras311-cnn/mnist_model.keras', format: 'keras-v3', params: 34826, input: [-1, 28, 28, 1], outputs: [[-1, 10]] },
  { path: 'keras-v3/sannmyatmin-keras3113-mlp/mnist_model.keras', format: 'keras-v3', params: 101770, input: [-1, 784], outputs: [[-1, 10]] },
  { path: 'keras-v3/subhadip-keras310-cnn/Subhadip_Hensh_MNIST_CNN.keras', format: 'keras-v3', params: 37610, input: [-1, 28, 28, 1], outputs: [[-1, 10]], kerasVersion: '3.10.0' },
  { path: 'keras-v3/subhadip-keras380-mlp/Digit_Recognition_MLP.keras', format: 'keras-v3', params: 118282, input: [-1, 28, 28], outputs: [[-1, 10]] },
  { path: 'tfjs-layers/kzarama-mnist/model.json', format: 'tfjs-layers', params: 99376, input: [-1, 28, 28, 1], outputs: [[-1, 10]] },
  {
    path: 'tfjs-layers/tensorspace-keras-converted/model.json',
    format: 'tfjs-layers',
    params: 44426,
    input: [-1, 28, 28],
    outputs: [[-1, 24, 24, 6], [-1, 12, 12, 6], [-1, 8, 8, 16], [-1, 4, 4, 16], [-1, 120], [-1, 84], [-1, 10]],
  },
  {
    path: 'tfjs-layers/tensorspace-lenet-tfjs0.7.5/mnist.json',
    format: 'tfjs-layers',
    params: 61706,
    input: [-1, 28, 28, 1],
    outputs: [[-1, 32, 32, 1], [-1, 28, 28, 6], [-1, 14, 14, 6], [-1, 10, 10, 16], [-1, 5, 5, 16], [-1, 120], [-1, 84], [-1, 10]],
    kerasVersion: 'tfjs-layers 0.7.5',
  },
  { path: 'tfjs/rexhuang-keras224-cnn-layers-legacy/model.json', format: 'tfjs-layers', params: 887530, input: [-1, 28, 28, 1], outputs: [[-1, 10]] },
  { path: 'tfjs/rexhuang-keras224-cnn-bn-layers-legacy/model.json', format: 'tfjs-layers', params: 888298, input: [-1, 28, 28, 1], outputs: [[-1, 10]] },
];

function load(row: Row): Promise<ImportedModel> {
  return importModel(at(row.path), row.weights ? { weightsPath: at(row.weights) } : {});
}

/** Constant arrays by name ("<layer>/<role>"). */
function constants(m: ImportedModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const v of m.graph.values) if (v?.data) out.set(v.name, v.data);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('shared models import', { skip: !have && 'no ../shared/models' }, () => {
  for (const row of ROWS) {
    it(row.path, async () => {
      const m = await load(row);
      verify(m.graph);
      assert.equal(m.format, row.format);
      assert.equal(m.layers.reduce((a, l) => a + l.params, 0), row.params, 'total parameters');
      assert.deepEqual(m.graph.inputs.map((i) => m.graph.values[i]?.shape), [row.input]);
      assert.deepEqual(
        m.graph.outputs.map((o) => m.graph.values[o]?.shape),
        row.outputs.map((s) => [...s]),
      );
      assert.equal(m.inputNames.length, 1);
      assert.equal(m.outputNames.length, row.outputs.length);
      if (row.classes) assert.deepEqual(m.layers.map((l) => l.className), row.classes);
      if (row.kerasVersion) assert.equal(m.graph.meta['keras_version'], row.kerasVersion);
      for (const l of m.layers) assert.ok(l.outputShapes.length >= 1 && l.outputShapes.every((s) => s[0] === -1), `${l.name} output shapes`);
    });
  }

  it('summary rows for the TensorSpace LeNet (Sequential: no InputLayer row, as in Keras)', async () => {
    const m = await importModel(at('keras-h5/tensorspace-keras-mnist/mnist.h5'));
    const rows = m.layers.map((l) => [l.name, l.outputShapes[0], l.params]);
    assert.deepEqual(rows, [
      ['reshape_1', [-1, 28, 28, 1], 0],
      ['Conv2D_1', [-1, 24, 24, 6], 156],
      ['MaxPooling2D_1', [-1, 12, 12, 6], 0],
      ['Conv2D_2', [-1, 8, 8, 16], 2416],
      ['MaxPooling2D_2', [-1, 4, 4, 16], 0],
      ['flatten_1', [-1, 256], 0],
      ['Dense_1', [-1, 120], 30840],
      ['Dense_2', [-1, 84], 10164],
      ['Softmax', [-1, 10], 850],
    ]);
  });

  it('the functional TF.js conversion lists inbound layers', async () => {
    const m = await importModel(at('tfjs-layers/tensorspace-keras-converted/model.json'));
    const conv2 = m.layers.find((l) => l.name === 'Conv2D_2');
    assert.deepEqual(conv2?.inbound, ['MaxPooling2D_1']);
    assert.equal(m.outputNames[m.outputNames.length - 1], 'Softmax');
  });

  it('one trained model in three formats has bit-identical weights (TensorSpace: h5, JSON + h5, TF.js)', async () => {
    const full = constants(await importModel(at('keras-h5/tensorspace-keras-mnist/mnist.h5')));
    const split = constants(await importModel(at('keras-h5/tensorspace-keras-separated/topology.json'), { weightsPath: at('keras-h5/tensorspace-keras-separated/weights.h5') }));
    const tfjs = constants(await importModel(at('tfjs-layers/tensorspace-keras-converted/model.json')));
    assert.equal(full.size, 10);
    for (const [name, data] of full) {
      assert.deepEqual(split.get(name), data, `${name} (separated)`);
      assert.deepEqual(tfjs.get(name), data, `${name} (tfjs)`);
    }
  });

  it('kzarama mnist.h5 and its TF.js conversion have bit-identical weights', async () => {
    const h5 = constants(await importModel(at('keras-h5/kzarama-mnist-keras2.14/mnist.h5')));
    const tfjs = constants(await importModel(at('tfjs-layers/kzarama-mnist/model.json')));
    assert.equal(h5.size, 8);
    for (const [name, data] of h5) assert.deepEqual(tfjs.get(name), data, name);
  });

  it('BN weights listed first in a TF.js manifest are matched by name', async () => {
    const m = await importModel(at('tfjs/rexhuang-keras224-cnn-bn-layers-legacy/model.json'));
    const c = constants(m);
    const bytes = readFileSync(at('tfjs/rexhuang-keras224-cnn-bn-layers-legacy/group1-shard1of1'));
    const first = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 32 * 4));
    assert.deepEqual(c.get('batch_normalization_1/gamma'), first);
    assert.equal(c.get('conv2d_1/kernel')?.length, 5 * 5 * 32);
  });

  it('Keras 1 names: Convolution2D nb_filter/border_mode/subsample and _W:0/_b:0 weights', async () => {
    const m = await importModel(at('keras-h5/llsourcell-weights-only/model.json'));
    const conv = m.graph.nodes.find((n) => n.op === 'conv2d');
    assert.ok(conv);
    assert.deepEqual(m.graph.values[conv.inputs[1]]?.shape, [3, 3, 1, 32]);
    const h5 = Hdf5File.open(new Uint8Array(readFileSync(at('keras-h5/llsourcell-weights-only/model.h5'))), 'model.h5');
    const w = h5.root.dataset('convolution2d_1/convolution2d_1_W:0')?.readFloat32();
    assert.deepEqual(m.graph.values[conv.inputs[1]]?.data, w);
    const drop = m.graph.nodes.filter((n) => n.op === 'training_only');
    assert.equal(drop.length, 2);
  });

  it('a Keras 1 architecture JSON fits weights from another folder (saikatbsk), through a memory source', async () => {
    const files = {
      'model.json': new Uint8Array(readFileSync(at('keras-h5/llsourcell-weights-only/model.json'))),
      'w.h5': new Uint8Array(readFileSync(at('keras-h5/saikatbsk-keras1-cnn-weights/mnist_weights.h5'))),
    };
    const m = await importModel(memoryFileSource('mem/model.json', files), { weightsPath: 'w.h5' });
    verify(m.graph);
    assert.equal(m.layers.reduce((a, l) => a + l.params, 0), 600810);
  });

  it('DL4J pairs: *_config.json finds *_weights.h5 and the reverse', async () => {
    const a = await importModel(at('keras-h5/dl4j-mnist-mlp-keras1/mnist_mlp_tf_keras_1_config.json'));
    const b = await importModel(at('keras-h5/dl4j-mnist-mlp-keras1/mnist_mlp_tf_keras_1_weights.h5'));
    assert.deepEqual([...constants(a).keys()], [...constants(b).keys()]);
  });

  for (const k of ['1', '2']) {
    it(`DL4J Keras ${k} MLP reproduces its stored predictions (reference ops)`, async () => {
      const dir = `keras-h5/dl4j-mnist-mlp-keras${k}/`;
      const m = await importModel(at(`${dir}mnist_mlp_tf_keras_${k}_config.json`));
      const io = Hdf5File.open(new Uint8Array(readFileSync(at(`${dir}mnist_mlp_tf_keras_${k}_inputs_and_outputs.h5`))), 'io.h5');
      const inputs = io.root.group('inputs');
      const preds = io.root.group('predictions');
      assert.ok(inputs && preds);
      const x = inputs.dataset(inputs.keys()[0]);
      const p = preds.dataset(preds.keys()[0]);
      assert.ok(x && p);
      const [y] = runReference(m.graph, [{ shape: x.shape, data: x.readFloat32() }]);
      assert.deepEqual(y.shape, p.shape);
      assert.ok(maxAbsDiff(y.data, p.readFloat32()) < 2e-6);
    });
  }

  it('DL4J tiny CNN + BatchNormalization reproduces predictions.npy (reference ops)', async () => {
    const dir = 'keras-h5/dl4j-cnn-batchnorm-tiny/';
    const m = await importModel(at(`${dir}cnn_batch_norm.h5`));
    const x = parseNpy(new Uint8Array(readFileSync(at(`${dir}input.npy`))), 'input.npy');
    const p = parseNpy(new Uint8Array(readFileSync(at(`${dir}predictions.npy`))), 'predictions.npy');
    const [y] = runReference(m.graph, [{ shape: x.shape, data: x.data }]);
    assert.ok(maxAbsDiff(y.data, p.data) < 1e-6);
  });
});
