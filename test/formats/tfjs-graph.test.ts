// TF.js graph models from ../shared/models: the old JSON layout (no format key, byte-array attrs, int32
// consts in the shard) and format: graph-model (fused ops, signature), with MANIFEST accuracies.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importTfjsGraph, isTfjsGraphModel, tfjsGraphEndpoints } from '../../src/formats/tfjs-graph/import.js';
import { assertAccuracy, mnistAccuracy, modelSource } from './graphdef-mnist.js';

test('tensorspace graph model (old layout, byte-array attrs): 96.36%', async () => {
  const src = modelSource('tfjs-graph/tensorspace-graphmodel/model.json');
  assert.ok(isTfjsGraphModel(JSON.parse(new TextDecoder().decode(await src.readMain()))));
  const m = await importTfjsGraph(src);
  assert.equal(m.format, 'tfjs-graph');
  assert.deepEqual(m.inputNames, ['MyInput']);
  assert.deepEqual(m.outputNames, ['MySoftMax']);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 96.36, 'tensorspace graph model');
});

test('subhadip CNN graph model (_FusedConv2D, _FusedMatMul, signature): 98.88%', async () => {
  const src = modelSource('tfjs/subhadip-cnn-graphmodel/model.json');
  const m = await importTfjsGraph(src);
  assert.deepEqual(m.inputNames, ['input_layer']);
  assert.deepEqual(m.outputNames, ['Identity']);
  const convs = m.graph.nodes.filter((n) => n.op === 'conv2d');
  assert.equal(convs.length, 2);
  assert.deepEqual((convs[0].attrs as { activation: { fn: string } }).activation, { fn: 'relu' });
  assert.equal(m.graph.nodes.filter((n) => n.op === 'dense').length, 2);
  const ep = await tfjsGraphEndpoints(src);
  assert.deepEqual(ep.outputs.map((e) => e.name), ['Identity']);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 98.88, 'subhadip CNN');
});

test('subhadip MLP graph model ([-1, 28, 28] input): 97.28%', async () => {
  const m = await importTfjsGraph(modelSource('tfjs/subhadip-mlp-graphmodel/model.json'));
  assert.deepEqual(m.graph.values[m.graph.inputs[0]]!.shape, [-1, 28, 28]);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 97.28, 'subhadip MLP');
});

test('yliess86 MLP graph model (int32 and float32 weights in one shard): 96.43%', async () => {
  const m = await importTfjsGraph(modelSource('tfjs/yliess86-mlp-graphmodel/model.json'));
  assert.deepEqual(m.graph.values[m.graph.outputs[0]]!.shape, [-1, 10]);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 96.43, 'yliess86 graph model');
});

test('a weight missing from the shards is an error, not zeros', async () => {
  const { memoryFileSource } = await import('../../src/formats/readers/file-source.js');
  const src = modelSource('tfjs/yliess86-mlp-graphmodel/model.json');
  const json = JSON.parse(new TextDecoder().decode(await src.readMain()));
  json.weightsManifest[0].weights = json.weightsManifest[0].weights.filter((w: { name: string }) => w.name !== 'PartitionedCall/mul_5');
  const shard = await src.readSibling('group1-shard1of1.bin');
  const mem = memoryFileSource('model.json', { 'model.json': new TextEncoder().encode(JSON.stringify(json)), 'group1-shard1of1.bin': shard });
  await assert.rejects(importTfjsGraph(mem), (e: unknown) => e instanceof Error && e.name === 'ModelFormatError' && /mul_5/.test(e.message));
});
