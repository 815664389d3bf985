// Saving trained models: .keras (Keras 3 layout), .h5 (tf.keras 2 layout) and TF.js layers. Each file is read
// back by kerasrt's own importer (predictions must be identical to the trained model's: same graph, same
// weights), TF.js loads the TF.js output from memory (predictions within float32 tolerance), and the
// layouts are checked against what Keras writes (paths, attributes). Tiny models, a few training steps.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readZip } from '../../src/formats/readers/zip.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { Hdf5Dataset, Hdf5File, Hdf5Group } from '../../src/formats/readers/hdf5.js';
import { load } from '../../src/index.js';
import { input, layers, loadForTraining, model, optimizers, sequential, type LayersModel } from '../../src/train/index.js';
import { modelFiles } from '../../src/train/save/index.js';
import { tfjsFiles } from '../../src/train/save/tfjs.js';
import { randTensor } from '../helpers/rand.js';
import { tf, useCpu } from '../ops/tf-oracle.js';

function cnn(): LayersModel {
  return sequential(
    [
      input([8, 8, 1]),
      layers.conv2d(4, 3, { padding: 'same', activation: 'relu' }),
      layers.batchNormalization(),
      layers.maxPooling2d(2),
      layers.conv2d(3, 3, { activation: 'tanh' }),
      layers.flatten(),
      layers.dropout(0.25),
      layers.dense(6, { activation: 'relu' }),
      layers.dense(3, { activation: 'softmax' }),
    ],
    { seed: 5 },
  );
}

function functional(): LayersModel {
  const x = input([6], { name: 'features' });
  const a = layers.dense(5, { activation: 'relu' }).apply(x);
  const b = layers.dense(5, { activation: 'sigmoid' }).apply(x);
  const s = layers.add().apply([a, b]);
  const c = layers.concatenate().apply([s, a]);
  const y = layers.dense(3, { activation: 'softmax', name: 'probs' }).apply(c);
  return model({ inputs: x, outputs: y, name: 'two_paths', seed: 9 });
}

function sequenceModel(): LayersModel {
  return sequential([
    input([10]),
    layers.embedding({ inputDim: 20, outputDim: 4 }),
    layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.conv1d({ filters: 2, kernelSize: 2, strides: 2 }),
    layers.flatten(),
    layers.dense(3, { activation: 'softmax' }),
  ], { seed: 6 });
}

function separableModel(): LayersModel {
  return sequential([
    input([8, 8, 2]),
    layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'relu' }),
    layers.separableConv2d({ filters: 4, kernelSize: 3, activation: 'tanh' }),
    layers.averagePooling2d(2),
    layers.globalAveragePooling2d(),
    layers.dense(3, { activation: 'softmax' }),
  ], { seed: 7 });
}

async function trained(m: LayersModel, shape: number[], integers = false): Promise<{ x: Float32Array; y: Float32Array }> {
  const n = 24;
  const x = integers ? randTensor([n, ...shape], 3, 0, 20).data.map(Math.floor) : randTensor([n, ...shape], 3).data;
  const y = new Float32Array(n).map((_, i) => i % 3);
  m.compile({ optimizer: optimizers.adam(0.01), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  await m.fit(x, y, { batchSize: 8, epochs: 2, verbose: 0 });
  return { x, y };
}

async function importedPredictions(files: Record<string, Uint8Array>, main: string, x: Float32Array): Promise<Float32Array> {
  const m = await load(memoryFileSource(`saved/${main}`, files));
  const s = m.compile();
  return s.predictBatch(x, x.length / s.inputSizes[0]);
}

for (const [name, make, shape] of [
  ['sequential CNN (conv, batchnorm, pool, dropout, dense)', cnn, [8, 8, 1]],
  ['functional (two branches, add, concatenate)', functional, [6]],
  ['sequence model (embedding, conv1d)', sequenceModel, [10]],
  ['depthwise / separable convs, average and global pooling', separableModel, [8, 8, 2]],
] as const) {
  test(`save: ${name} round-trips through .keras, .h5 and TF.js with identical predictions`, async () => {
    await useCpu();
    const m = make();
    const { x } = await trained(m, [...shape], make === sequenceModel);
    const want = m.predict(x);
    for (const [format, main] of [['keras', 'model.keras'], ['h5', 'model.h5'], ['tfjs', 'model.json']] as const) {
      const files = await modelFiles(m, format);
      const got = await importedPredictions(files, main, x);
      assert.deepEqual(got, want, `${name}: ${format} read back by kerasrt`);
    }
    // TF.js loads the TF.js layers artifacts from memory and predicts the same within float32 rounding.
    const art = tfjsFiles(m).artifacts;
    const tm = await tf.loadLayersModel(tf.io.fromMemory(art));
    const ty = tm.predict(tf.tensor(x, [x.length / (shape as readonly number[]).reduce((p, q) => p * q, 1), ...shape])) as import('@tensorflow/tfjs').Tensor;
    const td = ty.dataSync();
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(td[i] - want[i]) <= 1e-5, `${name}: TF.js prediction [${i}] ${td[i]} vs ${want[i]}`);
    tf.dispose(ty);
    // Loaded back for training: same predictions, and it trains on.
    for (const [format, main] of [['keras', 'model.keras'], ['h5', 'model.h5'], ['tfjs', 'model.json']] as const) {
      const again = await loadForTraining(memoryFileSource(`saved/${main}`, await modelFiles(m, format)));
      assert.deepEqual(again.predict(x), want, `${name}: ${format} loaded for training`);
      assert.deepEqual(again.layers.map((l) => l.name), m.layers.map((l) => l.name), `${name}: ${format} layer names`);
    }
  });
}

test('save: the .keras archive has the Keras 3 layout (metadata, config, layers/<name>/vars/N)', async () => {
  const m = cnn();
  await trained(m, [8, 8, 1]);
  const bytes = (await modelFiles(m, 'keras'))['model.keras'];
  const entries = readZip(bytes, 'model.keras');
  assert.deepEqual([...entries.keys()], ['metadata.json', 'config.json', 'model.weights.h5']);
  const meta = JSON.parse(new TextDecoder().decode(entries.get('metadata.json'))) as { keras_version: string; date_saved: string };
  assert.match(meta.keras_version, /^3\./);
  assert.match(meta.date_saved, /^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
  const config = JSON.parse(new TextDecoder().decode(entries.get('config.json'))) as { class_name: string; module: string; config: { layers: { class_name: string; module: string; config: Record<string, unknown>; build_config?: unknown }[] } };
  assert.equal(config.class_name, 'Sequential');
  assert.equal(config.module, 'keras');
  assert.deepEqual(config.config.layers.map((l) => l.class_name), ['InputLayer', 'Conv2D', 'BatchNormalization', 'MaxPooling2D', 'Conv2D', 'Flatten', 'Dropout', 'Dense', 'Dense']);
  assert.deepEqual(config.config.layers[0].config.batch_shape, [null, 8, 8, 1]);
  assert.deepEqual(config.config.layers[1].config.kernel_initializer, { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null });
  assert.deepEqual(config.config.layers[1].build_config, { input_shape: [null, 8, 8, 1] });
  const h5 = Hdf5File.open(entries.get('model.weights.h5') as Uint8Array, 'model.weights.h5');
  const layersGroup = h5.root.group('layers') as Hdf5Group;
  assert.deepEqual(layersGroup.keys().sort(), m.layers.map((l) => l.name as string).sort());
  const bn = layersGroup.group('batch_normalization')?.group('vars') as Hdf5Group;
  assert.deepEqual(bn.keys(), ['0', '1', '2', '3']);
  const mean = bn.child('2') as Hdf5Dataset;
  assert.deepEqual([...mean.readFloat32()], [...(m.getLayer('batch_normalization').variables[2].data)]);
  assert.deepEqual(layersGroup.group('flatten')?.group('vars')?.keys(), []);
});

test('save: the .h5 file has the tf.keras 2 layout (model_config, model_weights/<layer>/<layer>/kernel:0, weight_names)', async () => {
  const m = cnn();
  await trained(m, [8, 8, 1]);
  const h5 = Hdf5File.open((await modelFiles(m, 'h5'))['model.h5'], 'model.h5');
  assert.equal(h5.root.attrString('keras_version'), '2.15.0');
  assert.equal(h5.root.attrString('backend'), 'tensorflow');
  const cfg = JSON.parse(h5.root.attrString('model_config') as string) as { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  assert.equal(cfg.class_name, 'Sequential');
  assert.deepEqual(cfg.config.layers[0], { class_name: 'InputLayer', config: { batch_input_shape: [null, 8, 8, 1], dtype: 'float32', sparse: false, ragged: false, name: 'input_layer' } });
  assert.deepEqual(cfg.config.layers[1].config.kernel_initializer, { class_name: 'GlorotUniform', config: { seed: null } });
  const mw = h5.root.group('model_weights') as Hdf5Group;
  assert.deepEqual(mw.attrStrings('layer_names'), m.layers.map((l) => l.name as string));
  const conv = mw.group('conv2d') as Hdf5Group;
  assert.deepEqual(conv.attrStrings('weight_names'), ['conv2d/kernel:0', 'conv2d/bias:0']);
  const kernel = conv.dataset('conv2d/kernel:0') as Hdf5Dataset;
  assert.deepEqual(kernel.shape, [3, 3, 1, 4]);
  assert.deepEqual([...kernel.readFloat32()], [...m.getLayer('conv2d').variables[0].data]);
  assert.deepEqual(mw.group('batch_normalization')?.attrStrings('weight_names'), ['batch_normalization/gamma:0', 'batch_normalization/beta:0', 'batch_normalization/moving_mean:0', 'batch_normalization/moving_variance:0']);
});

test('save: save(path) writes .keras, .h5 and a TF.js folder; a checkpoint callback saves per epoch', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kerasrt-save-'));
  try {
    const m = sequential([input([4]), layers.dense(3, { activation: 'softmax' })]);
    const x = randTensor([12, 4], 1).data;
    const y = new Float32Array(12).map((_, i) => i % 3);
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const { callbacks } = await import('../../src/train/index.js');
    const ckpt = callbacks.modelCheckpoint({ filepath: join(dir, 'ckpt-{epoch:02d}.keras'), monitor: 'loss' });
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [ckpt] });
    assert.deepEqual(ckpt.saved, [join(dir, 'ckpt-01.keras'), join(dir, 'ckpt-02.keras')]);
    await m.save(join(dir, 'm.keras'));
    await m.save(join(dir, 'm.h5'));
    await m.save(join(dir, 'm-tfjs'));
    assert.deepEqual((await readdir(join(dir, 'm-tfjs'))).sort(), ['group1-shard1of1.bin', 'model.json']);
    const want = m.predict(x);
    for (const f of ['m.keras', 'm.h5', 'm-tfjs/model.json', 'ckpt-02.keras']) {
      const s = (await load(join(dir, f))).compile();
      assert.deepEqual(s.predictBatch(x, 12), want, f);
    }
    assert.ok((await readFile(join(dir, 'm.h5'))).length > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
