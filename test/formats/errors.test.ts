// Hostile and broken inputs give typed errors that name the file and the place: unknown and code-carrying
// layer classes, missing or mis-shaped weights, truncated HDF5, zip entries escaping the archive, weight
// paths escaping the model folder, files of other formats.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { LimitExceededError, ModelFormatError, UnsupportedFeatureError, UnsupportedLayerError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { Hdf5File } from '../../src/formats/readers/hdf5.js';
import { nodeFileSource } from '../../src/formats/readers/node-file-source.js';
import { readZip } from '../../src/formats/readers/zip.js';
import { layer, sequential, tfjsFiles, tfjsSource } from './synthetic.js';

const SHARED = resolve(process.cwd(), '../shared/models');
const tensorspace = (): Uint8Array => new Uint8Array(readFileSync(join(SHARED, 'keras-h5/tensorspace-keras-mnist/mnist.h5')));
const dense = (name = 'd') => layer('Dense', name, { batch_input_shape: [null, 3], units: 2 });
const denseWeights = [
  { name: 'd/kernel', shape: [3, 2] },
  { name: 'd/bias', shape: [2] },
];

async function rejects<E extends Error>(p: Promise<unknown>, type: new (...a: never[]) => E, pattern: RegExp): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.match(e.message, pattern);
    return e;
  }
  return assert.fail(`expected ${type.name} matching ${pattern}`);
}

describe('typed errors', () => {
  it('an unknown layer class names the class and the layer', async () => {
    const cfg = sequential([dense(), { class_name: 'MyAttention', config: { name: 'att_1' } }]);
    const e = await rejects(importModel(tfjsSource(cfg, denseWeights)), UnsupportedLayerError, /MyAttention "att_1"/);
    assert.equal(e.className, 'MyAttention');
    assert.equal(e.layerName, 'att_1');
    assert.equal(e.format, 'tfjs-layers');
    assert.equal(e.file, 'synthetic/model.json');
  });

  it('Lambda and TFOpLambda are refused without running anything', async () => {
    const lambda = sequential([dense(), { class_name: 'Lambda', config: { name: 'lam', function: ['4wEAAAAAAAAA', null, null], function_type: 'lambda' } }]);
    await rejects(importModel(tfjsSource(lambda, denseWeights)), UnsupportedLayerError, /Lambda "lam".*Python code/);
    const op = sequential([dense(), { class_name: 'TFOpLambda', config: { name: 'tf.math.add', function: 'math.add' } }]);
    await rejects(importModel(tfjsSource(op, denseWeights)), UnsupportedLayerError, /TFOpLambda/);
  });

  it('a custom registered Keras 3 layer and a subclassed model are refused', async () => {
    const custom = sequential([dense(), { module: 'my_pkg.layers', class_name: 'Gate', registered_name: 'my_pkg>Gate', config: { name: 'gate' } }]);
    await rejects(importModel(tfjsSource(custom, denseWeights)), UnsupportedLayerError, /custom registered layer "my_pkg>Gate"/);
    await rejects(importModel(tfjsSource({ class_name: 'MyModel', config: { name: 'mm' } })), UnsupportedLayerError, /MyModel/);
  });

  it('missing weights name the layer', async () => {
    await rejects(importModel(tfjsSource(sequential([dense()]), [])), ModelFormatError, /layer "d" \(Dense\): missing weights/);
  });

  it('a wrong weight shape names the layer, the weight and both shapes', async () => {
    const w = [
      { name: 'd/kernel', shape: [4, 2] },
      { name: 'd/bias', shape: [2] },
    ];
    await rejects(importModel(tfjsSource(sequential([dense()]), w)), ModelFormatError, /layer "d" \(Dense\): weight kernel \("d\/kernel"\) has shape \[4, 2\], expected \[3, 2\]/);
  });

  it('weights stored for a layer that takes none are an error', async () => {
    const cfg = sequential([dense(), layer('Flatten', 'f')]);
    await rejects(importModel(tfjsSource(cfg, [...denseWeights, { name: 'f/kernel', shape: [1] }])), ModelFormatError, /"f" \(Flatten\).*takes none/);
  });

  it('a truncated TF.js shard is reported', async () => {
    const files = tfjsFiles(sequential([dense()]), denseWeights);
    files['weights.bin'] = files['weights.bin'].subarray(0, 10);
    await rejects(importModel(memoryFileSource('m/model.json', files)), ModelFormatError, /truncated/);
  });

  it('a TF.js weight path leaving the model folder is refused', async () => {
    const files = tfjsFiles(sequential([dense()]), denseWeights);
    const json = JSON.parse(new TextDecoder().decode(files['model.json']));
    json.weightsManifest[0].paths = ['../secret.bin'];
    files['model.json'] = new TextEncoder().encode(JSON.stringify(json));
    await rejects(importModel(memoryFileSource('m/model.json', files)), ModelFormatError, /refusing path "..\/secret.bin"/);
  });

  it('an input with an unknown non-batch dim is refused', async () => {
    await rejects(importModel(tfjsSource(sequential([layer('Dense', 'd', { batch_input_shape: [null, null, 3], units: 2 })]), denseWeights)), UnsupportedFeatureError, /unknown dim 1/);
  });

  it('a truncated HDF5 file gives ModelFormatError, not a crash', async () => {
    const bytes = tensorspace();
    for (const n of [8, 600, Math.floor(bytes.length * 0.3)]) {
      await rejects(importModel(memoryFileSource('cut.h5', { 'cut.h5': bytes.subarray(0, n) })), ModelFormatError, /cut\.h5/);
    }
  });

  it('HDF5 errors name the file and dataset path', () => {
    const h5 = Hdf5File.open(tensorspace(), 'ts.h5');
    assert.equal(h5.root.group('model_weights/Conv2D_1/Conv2D_1')?.dataset('kernel:0')?.shape.join('x'), '5x5x1x6');
    assert.equal(h5.root.dataset('no/such/thing'), undefined);
    const ds = h5.root.dataset('model_weights/Conv2D_1/Conv2D_1/kernel:0');
    assert.equal(ds?.path, '/model_weights/Conv2D_1/Conv2D_1/kernel:0');
  });

  it('an HDF5 file without a Keras model (reference data) is refused', async () => {
    await rejects(importModel(join(SHARED, 'keras-h5/dl4j-mnist-mlp-keras1/mnist_mlp_tf_keras_1_inputs_and_outputs.h5')), ModelFormatError, /no Keras model/);
  });

  it('a weights-only HDF5 without its architecture asks for the JSON', async () => {
    await rejects(importModel(join(SHARED, 'keras-h5/saikatbsk-keras1-cnn-weights/mnist_weights.h5')), ModelFormatError, /weightsPath/);
  });

  it('an architecture JSON without weights asks for weightsPath', async () => {
    await rejects(importModel(join(SHARED, 'keras-h5/tensorspace-keras-separated/topology.json')), ModelFormatError, /weightsPath/);
  });

  it('a zip entry with ".." or an absolute name is refused before inflating', async () => {
    const evil = zipSync({ 'config.json': new TextEncoder().encode('{}'), '../evil.txt': new Uint8Array(4) });
    await rejects(importModel(memoryFileSource('m.keras', { 'm.keras': evil })), ModelFormatError, /zip entry "..\/evil.txt" refused/);
    const abs = zipSync({ '/etc/evil': new Uint8Array(4) });
    assert.throws(() => readZip(abs, 'abs.zip'), /absolute path/);
  });

  it('zip entries over the size limits are refused from their declared sizes', () => {
    const z = zipSync({ 'model.weights.h5': new Uint8Array(5000) });
    assert.throws(() => readZip(z, 'big.keras', { maxEntryBytes: 1000 }), LimitExceededError);
    assert.throws(() => readZip(z, 'big.keras', { maxTotalBytes: 1000 }), LimitExceededError);
    assert.equal(readZip(z, 'ok.keras').get('model.weights.h5')?.length, 5000);
  });

  it('a .keras archive without model.weights.h5 is reported', async () => {
    const z = zipSync({ 'config.json': new TextEncoder().encode(JSON.stringify(sequential([dense()]))), 'metadata.json': new TextEncoder().encode('{"keras_version": "3.1.0"}') });
    await rejects(importModel(memoryFileSource('m.keras', { 'm.keras': z })), ModelFormatError, /no model.weights.h5/);
  });

  it('unknown formats and broken JSON are refused with ModelFormatError (graph models go to their importer)', async () => {
    assert.equal((await importModel(join(SHARED, 'tfjs/subhadip-mlp-graphmodel/model.json'))).format, 'tfjs-graph');
    await rejects(importModel(memoryFileSource('x.onnx', { 'x.onnx': Uint8Array.of(8, 3, 18, 4) })), ModelFormatError, /unknown model format/);
    await rejects(importModel(memoryFileSource('x.json', { 'x.json': new TextEncoder().encode('{"a": ') })), ModelFormatError, /not valid JSON/);
    await rejects(importModel(memoryFileSource('x.json', { 'x.json': new TextEncoder().encode('{"a": 1}') })), ModelFormatError, /neither/);
    await rejects(importModel('/no/such/model.h5'), ModelFormatError, /file not found/);
  });

  it('nodeFileSource reads siblings only inside the model folder, links included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kerasrt-src-'));
    const outside = mkdtempSync(join(tmpdir(), 'kerasrt-out-'));
    writeFileSync(join(dir, 'model.json'), '{}');
    writeFileSync(join(dir, 'w.bin'), 'ok');
    writeFileSync(join(outside, 'secret.bin'), 'secret');
    symlinkSync(join(outside, 'secret.bin'), join(dir, 'link.bin'));
    const src = nodeFileSource(join(dir, 'model.json'));
    assert.equal(new TextDecoder().decode(await src.readSibling('./w.bin')), 'ok');
    await rejects(src.readSibling('../kerasrt-out/secret.bin'), ModelFormatError, /".." segment/);
    await rejects(src.readSibling(join(outside, 'secret.bin')), ModelFormatError, /absolute path/);
    await rejects(src.readSibling('link.bin'), ModelFormatError, /outside the model's folder/);
    await rejects(src.readSibling('missing.bin'), ModelFormatError, /missing file/);
  });

  it('nodeFileSource: a folder, a file over maxFileBytes and an endless device are refused; a file reads whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kerasrt-read-'));
    const bytes = Uint8Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => (i * 31) & 255);
    writeFileSync(join(dir, 'big.bin'), bytes);
    const got = await nodeFileSource(join(dir, 'big.bin')).readMain();
    assert.equal(got.byteOffset, 0);
    assert.ok(Buffer.from(got).equals(Buffer.from(bytes)));
    await rejects(nodeFileSource(join(dir, 'big.bin'), { ...DEFAULT_LIMITS, maxFileBytes: 1 << 20 }).readMain(), LimitExceededError, /3145733 bytes/);
    await rejects(nodeFileSource(dir).readMain(), ModelFormatError, /is a folder/);
  });

  it('nodeFileSource stops reading an endless device at maxFileBytes', { skip: !existsSync('/dev/zero') && 'no /dev/zero here' }, async () => {
    await rejects(nodeFileSource('/dev/zero', { ...DEFAULT_LIMITS, maxFileBytes: 4 << 20 }).readMain(), LimitExceededError, /more than 4194304/);
  });
});
