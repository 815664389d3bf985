// Our saved files against files Keras itself wrote (../shared/models): the same architecture built with
// kerasrt's API must give the very config.json Keras 3.1.1 wrote (minus its compile_config) and the same
// model.weights.h5 tree (minus optimizer state); our .h5 must have the tf.keras 2.14 file's tree and
// attributes. Skipped when ../shared/models is absent.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readZip } from '../../src/formats/readers/zip.js';
import { Hdf5Dataset, Hdf5File, Hdf5Group } from '../../src/formats/readers/hdf5.js';
import { input, layers, sequential } from '../../src/train/index.js';
import { modelFiles } from '../../src/train/save/index.js';
import { HAVE_SHARED, sharedPath } from '../helpers/shared-models.js';

/** Every group and dataset below g: "path" for groups, "path [shape]" for datasets, with attribute names. */
function tree(g: Hdf5Group, prefix = ''): string[] {
  const out: string[] = [];
  for (const k of g.keys().sort()) {
    const c = g.child(k);
    const p = `${prefix}${k}`;
    if (c instanceof Hdf5Dataset) out.push(`${p} [${c.shape.join(',')}]`);
    else if (c instanceof Hdf5Group) {
      out.push(`${p}/ @{${c.attrNames().filter((a) => a !== 'name').sort().join(',')}}`);
      out.push(...tree(c, `${p}/`));
    }
  }
  return out;
}

const skip = !HAVE_SHARED && 'no ../shared/models';

test('keras layout: config.json and model.weights.h5 equal what Keras 3.1.1 wrote for the same CNN', { skip }, async () => {
  const keras = readZip(new Uint8Array(readFileSync(sharedPath('keras-v3/moonflower-keras311-cnn/mnist_model.keras'))), 'mnist_model.keras');
  const theirs = JSON.parse(new TextDecoder().decode(keras.get('config.json'))) as Record<string, unknown>;
  delete theirs.compile_config;
  // keras.io's "simple MNIST convnet", as that file holds it.
  const m = sequential([
    input([28, 28, 1]),
    layers.conv2d(32, 3, { activation: 'relu' }),
    layers.maxPooling2d(2),
    layers.conv2d(64, 3, { activation: 'relu' }),
    layers.maxPooling2d(2),
    layers.flatten(),
    layers.dropout(0.5),
    layers.dense(10, { activation: 'softmax' }),
  ]);
  const ours = readZip((await modelFiles(m, 'keras'))['model.keras'], 'ours.keras');
  assert.deepEqual(JSON.parse(new TextDecoder().decode(ours.get('config.json'))), theirs);
  const theirTree = tree(Hdf5File.open(keras.get('model.weights.h5') as Uint8Array, 'theirs').root).filter((p) => !p.startsWith('optimizer'));
  assert.deepEqual(tree(Hdf5File.open(ours.get('model.weights.h5') as Uint8Array, 'ours').root), theirTree);
});

test('keras layout: our .h5 has the tree and attributes of a tf.keras 2.14 model.save(.h5) file', { skip }, async () => {
  const theirs = Hdf5File.open(new Uint8Array(readFileSync(sharedPath('keras-h5/kzarama-mnist-keras2.14/mnist.h5'))), 'mnist.h5');
  const m = sequential(
    [
      input([28, 28, 1]),
      layers.conv2d(32, 3, { activation: 'relu', name: 'conv2d_3' }),
      layers.maxPooling2d(2, { name: 'max_pooling2d_3' }),
      layers.conv2d(64, 3, { activation: 'relu', name: 'conv2d_4' }),
      layers.maxPooling2d(2, { name: 'max_pooling2d_4' }),
      layers.dropout(0.5, { name: 'dropout_1' }),
      layers.flatten({ name: 'flatten_2' }),
      layers.dense(50, { activation: 'relu', name: 'dense_4' }),
      layers.dense(10, { activation: 'softmax', name: 'dense_5' }),
    ],
    { name: 'sequential_2' },
  );
  const ours = Hdf5File.open((await modelFiles(m, 'h5'))['model.h5'], 'ours.h5');
  const theirTree = tree(theirs.root).filter((p) => !p.startsWith('optimizer_weights'));
  assert.deepEqual(tree(ours.root), theirTree);
  assert.deepEqual(ours.root.attrNames().sort(), theirs.root.attrNames().filter((a) => a !== 'training_config').sort());
  for (const a of ['backend', 'layer_names']) assert.deepEqual(ours.root.group('model_weights')?.attrStrings(a), theirs.root.group('model_weights')?.attrStrings(a));
  for (const l of ['conv2d_3', 'dense_5', 'flatten_2']) assert.deepEqual(ours.root.group(`model_weights/${l}`)?.attrStrings('weight_names'), theirs.root.group(`model_weights/${l}`)?.attrStrings('weight_names'));
  // The model_config: the same layers and settings. tf.keras 2.14 also keeps Keras 3 style initializer objects
  // and the first layer's batch_input_shape, and names the input after the first layer: normalised away here.
  const norm = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!['module', 'registered_name', 'batch_input_shape', 'activity_regularizer'].includes(k)) o[k] = norm(x);
      return o;
    }
    return v;
  };
  const theirCfg = norm(JSON.parse(theirs.root.attrString('model_config') as string)) as { config: { layers: { config: Record<string, unknown> }[] } };
  const ourCfg = norm(JSON.parse(ours.root.attrString('model_config') as string)) as { config: { layers: { config: Record<string, unknown> }[] } };
  theirCfg.config.layers[0].config.name = ourCfg.config.layers[0].config.name;
  assert.deepEqual(ourCfg, theirCfg);
});
