// The founding study's models (src/models/founding.ts): Keras 3 config, seeded Glorot weights, TF.js
// artifacts, the in-memory FileSource, and load() taking them. Parity with TF.js is in tfjs-parity.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FOUNDING_MODEL_NAMES, artifactsToFiles, foundingArtifacts, foundingConfig, foundingFileSource, foundingModel, toTfjsTopology,
} from '../../src/models/founding.js';
import { UsageError } from '../../src/core/errors.js';
import { load } from '../../src/index.js';

// Parameter counts Keras (and TF.js's summary()) give for these architectures.
const PARAMS = { beginner: 7850, expert: 211690, 'deep-mnist': 832 + 51264 + 3136 * 1024 + 1024 + 10250 };

test('founding: Keras 3 configs with Keras default names and build shapes', () => {
  const b = foundingConfig('beginner');
  assert.equal(b.class_name, 'Sequential');
  assert.equal(b.module, 'keras');
  assert.deepEqual(b.config.layers.map((l) => `${l.class_name}:${(l.config as { name: string }).name}`), ['InputLayer:input_layer', 'Dense:dense', 'Activation:activation']);
  assert.deepEqual(b.config.build_input_shape, [null, 784]);
  const e = foundingConfig('expert');
  assert.deepEqual(
    e.config.layers.map((l) => (l.config as { name: string }).name),
    ['input_layer', 'conv2d', 'max_pooling2d', 'conv2d_1', 'max_pooling2d_1', 'flatten', 'dense', 'dropout', 'dense_1'],
  );
  const dense = e.config.layers.find((l) => l.class_name === 'Dense');
  assert.deepEqual(dense?.build_config?.input_shape, [null, 7 * 7 * 32]);
  const d = foundingConfig('deep-mnist');
  const convs = d.config.layers.filter((l) => l.class_name === 'Conv2D').map((l) => l.config as { filters: number; kernel_size: number[]; padding: string; activation: string });
  assert.deepEqual(convs.map((c) => [c.filters, ...c.kernel_size, c.padding, c.activation]), [[32, 5, 5, 'same', 'relu'], [64, 5, 5, 'same', 'relu']]);
  // JSON round trip: plain data only
  assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
  assert.throws(() => foundingConfig('nope' as never), UsageError);
});

test('founding: seeded Glorot-uniform weights, reproducible, within the Glorot limit', () => {
  for (const name of FOUNDING_MODEL_NAMES) {
    const m = foundingModel(name);
    const params = m.weights.reduce((n, w) => n + w.data.length, 0);
    assert.equal(params, PARAMS[name], `${name} parameter count`);
    assert.deepEqual(m.outputShape, [10]);
    for (const w of m.weights) {
      if (w.variable === 'bias') {
        assert.ok(w.data.every((v) => v === 0), `${w.name}: Keras Zeros bias`);
        continue;
      }
      const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const fanOut = w.shape.length === 2 ? w.shape[1] : w.shape[0] * w.shape[1] * w.shape[3];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      let sq = 0;
      for (const v of w.data) {
        assert.ok(Math.abs(v) <= limit, `${w.name}: ${v} outside ±${limit}`);
        sq += v * v;
      }
      if (w.data.length >= 300) {
        const variance = sq / w.data.length; // U(-a, a) has variance a²/3
        assert.ok(Math.abs(variance / (limit * limit / 3) - 1) < 0.25, `${w.name}: variance ${variance} vs ${limit * limit / 3}`);
      }
    }
  }
  const a = foundingModel('expert', { seed: 3 });
  const b = foundingModel('expert', { seed: 3 });
  const c = foundingModel('expert', { seed: 4 });
  assert.deepEqual(a.weights.map((w) => [...w.data.subarray(0, 20)]), b.weights.map((w) => [...w.data.subarray(0, 20)]));
  assert.notDeepEqual([...a.weights[0].data.subarray(0, 20)], [...c.weights[0].data.subarray(0, 20)]);
  const u = foundingModel('beginner', { biases: 'uniform' });
  assert.ok(u.weights[1].data.some((v) => v !== 0) && u.weights[1].data.every((v) => Math.abs(v) <= 0.1));
});

test('founding: TF.js layers artifacts and files', () => {
  const m = foundingModel('expert');
  const art = foundingArtifacts(m);
  assert.equal(art.format, 'layers-model');
  assert.deepEqual(art.weightSpecs.map((s) => s.name), ['conv2d/kernel', 'conv2d/bias', 'conv2d_1/kernel', 'conv2d_1/bias', 'dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
  assert.equal(art.weightData.byteLength, 4 * PARAMS.expert);
  const topo = toTfjsTopology(m.config) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  assert.deepEqual(topo.config.layers[0].config.batch_input_shape, [null, 28, 28, 1]);
  assert.equal(topo.config.layers[0].config.batch_shape, undefined);
  const files = artifactsToFiles(art);
  const json = JSON.parse(new TextDecoder().decode(files['model.json'])) as { weightsManifest: { paths: string[] }[] };
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  assert.equal(files['weights.bin'].byteLength, art.weightData.byteLength);
});

test('founding: load() takes the FileSource and predicts a distribution', async () => {
  for (const name of FOUNDING_MODEL_NAMES) {
    const model = await load(foundingFileSource(name));
    const session = model.compile();
    assert.deepEqual(session.inputShapes.map((s) => [...s]), [[...foundingModel(name).inputShape]]);
    assert.deepEqual(session.outputShapes.map((s) => [...s]), [[10]]);
    const x = new Float32Array(784).map((_, i) => (i % 29) / 29);
    const y = session.predict(x);
    assert.ok(Math.abs(y.reduce((a, b) => a + b, 0) - 1) < 1e-5, `${name}: softmax sums to 1`);
  }
});
