// Frozen GraphDef (.pb) files from ../shared/models: they import, verify, pick the right inputs/outputs,
// and reproduce the MANIFEST's MNIST test accuracies through the runtime.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphDefEndpoints, importGraphDef, looksLikeGraphDef } from '../../src/formats/graphdef/import.js';
import { assertAccuracy, mnistAccuracy, modelSource } from './graphdef-mnist.js';

test('tensorspace frozen LeNet (32x32, dynamic flatten): 96.55%', async () => {
  const src = modelSource('tf-frozen-pb/tensorspace-frozen/frozen_model.pb');
  assert.ok(looksLikeGraphDef(await src.readMain()));
  const m = await importGraphDef(src);
  assert.equal(m.format, 'graphdef');
  assert.deepEqual(m.inputNames, ['MyInput']);
  assert.deepEqual(m.outputNames, ['MySoftMax']);
  assert.deepEqual(m.graph.values[m.graph.inputs[0]]!.shape, [-1, 32, 32, 1]);
  assert.deepEqual(m.graph.values[m.graph.outputs[0]]!.shape, [-1, 10]);
  // The Shape/StridedSlice/Pack flatten became one reshape; no int op reached the IR.
  assert.equal(m.graph.nodes.filter((n) => n.op === 'reshape').length, 1);
  assert.equal(m.layers.reduce((a, l) => a + l.params, 0), 150 + 6 + 2400 + 16 + 48000 + 120 + 10080 + 84 + 840 + 10);
  assertAccuracy(await mnistAccuracy(m, 'pad32'), 96.55, 'tensorspace frozen');
});

test('akinobu MLP: the accuracy subgraph (needs labels y_) is left out; 98.30%', async () => {
  const src = modelSource('tf-frozen/akinobu123-tf1-mlp/mnist.pb');
  const ep = await graphDefEndpoints(src);
  assert.deepEqual(ep.outputs.map((e) => e.name), ['y']);
  assert.deepEqual(ep.inputs.map((e) => e.name), ['x', 'y_']);
  assert.ok(ep.other.some((e) => e.name === 'accuracy' && /ArgMax/.test(e.note ?? '')));
  const m = await importGraphDef(src);
  assert.deepEqual(m.inputNames, ['x']);
  assert.deepEqual(m.outputNames, ['y']);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 98.3, 'akinobu');
});

test('chaow94 MLP keeps its fixed batch [100, 784]; logits output; 89.89%', async () => {
  const m = await importGraphDef(modelSource('tf-frozen/chaow94-tf114-mlp-batch100/mnist.pb'));
  assert.deepEqual(m.inputNames, ['Placeholder']);
  assert.deepEqual(m.outputNames, ['softmax_linear/add']);
  assert.deepEqual(m.graph.values[m.graph.inputs[0]]!.shape, [100, 784]);
  assert.deepEqual(m.graph.values[m.graph.outputs[0]]!.shape, [100, 10]);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 89.89, 'chaow94');
});

test('explicit outputs pick an inner node; a missing node is an error naming it', async () => {
  const src = modelSource('tf-frozen/akinobu123-tf1-mlp/mnist.pb');
  const m = await importGraphDef(src, { outputs: ['Relu_1'] });
  assert.deepEqual(m.graph.values[m.graph.outputs[0]]!.shape, [-1, 128]);
  await assert.rejects(importGraphDef(src, { outputs: ['no_such_node'] }), /no_such_node/);
});
