// ONNX files from ../shared/models: they import (opset 1 Constant-node weights, legacy broadcast, unsorted
// nodes, symbolic batch), verify, and reproduce the MANIFEST's MNIST accuracies; the UltraFace detector runs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importOnnx, looksLikeOnnx } from '../../src/formats/onnx/import.js';
import { Model } from '../../src/runtime/model.js';
import { assertAccuracy, mnistAccuracy, modelSource } from './graphdef-mnist.js';

// These models chain foldable pairs (MatMul+Add into MatMul+Add; Conv+BN into Conv+BN): compile with every
// pass and verify after each, which once caught a pass rewriting a node from its pre-pass copy.
const ALL_PASSES = { passes: { verifyEach: true } } as const;

test('ONNX zoo MNIST, opset 1 (CNTK; Constant-node weights, legacy broadcast, batch 1): 98.91%', async () => {
  const src = modelSource('onnx/onnx-model-zoo-mnist-cntk/model.onnx');
  assert.ok(looksLikeOnnx(await src.readMain()));
  const m = await importOnnx(src);
  assert.equal(m.format, 'onnx');
  assert.deepEqual(m.inputNames, ['Input3']);
  assert.deepEqual(m.outputNames, ['Plus214_Output_0']);
  assert.deepEqual(m.graph.values[m.graph.inputs[0]]!.shape, [1, 1, 28, 28]);
  assertAccuracy(await mnistAccuracy(m, 'raw255'), 98.91, 'mnist cntk');
});

test('ONNX zoo mnist-8 (opset 8, Reshape of an initializer): 98.91%', async () => {
  const m = await importOnnx(modelSource('onnx/onnx-zoo-mnist8-via-akinobu123/model.onnx'));
  assertAccuracy(await mnistAccuracy(m, 'raw255'), 98.91, 'mnist-8');
});

test('tf2onnx CNN (NHWC input reshaped to NCHW, symbolic batch): 89.72%', async () => {
  const m = await importOnnx(modelSource('onnx/longlongfloat-tf2onnx-cnn/mnist.onnx'));
  assert.deepEqual(m.graph.values[m.graph.inputs[0]]!.shape, [-1, 28, 28, 1]);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 89.72, 'longlongfloat');
});

test('keras2onnx tiny CNNs (nodes stored in reverse order): 83.21% and 90.32%', async () => {
  for (const [file, want] of [
    ['mnist-sm.onnx', 83.21],
    ['mnist-lg.onnx', 90.32],
  ] as const) {
    const m = await importOnnx(modelSource(`onnx/wuhanstudio-keras2onnx-tiny/${file}`));
    // The NHWC -> NCHW input transpose and the NCHW -> NHWC one before the flatten are bookkeeping only.
    assert.equal(m.graph.nodes.filter((n) => n.op === 'transpose').length, 0);
    assertAccuracy(await mnistAccuracy(m, 'unit', ALL_PASSES), want, file);
  }
});

test('PyTorch MLP (Gemm, symbolic batch_size): 96.43%', async () => {
  const m = await importOnnx(modelSource('onnx/yliess86-mlp/mnist.onnx'));
  assert.deepEqual(m.graph.values[m.graph.inputs[0]]!.shape, [-1, 784]);
  assertAccuracy(await mnistAccuracy(m, 'unit'), 96.43, 'yliess86 onnx');
});

test('UltraFace RFB-320 runs: scores are probabilities, the full and simplified files agree', async () => {
  const dir = 'onnx/ultraface-rfb320/';
  const full = await importOnnx(modelSource(`${dir}version-RFB-320.onnx`));
  const simplified = await importOnnx(modelSource(`${dir}version-RFB-320_simplified.onnx`));
  // The full file's raw box regressions (before its in-graph decoding) are the simplified file's "boxes".
  const raw = await importOnnx(modelSource(`${dir}version-RFB-320.onnx`), { outputs: ['scores', '460'] });
  assert.deepEqual(full.outputNames, ['scores', 'boxes']);
  assert.deepEqual(full.graph.outputs.map((o) => full.graph.values[o]!.shape), [[1, 4420, 2], [1, 4420, 4]]);
  // A synthetic 240x320 RGB frame (no JPEG decoder here), normalised as the repo does: (x - 127) / 128.
  let seed = 7;
  const x = Float32Array.from({ length: 3 * 240 * 320 }, (_, i) => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const stripe = Math.floor(i / 320) % 40 < 20 ? 200 : 60;
    return (stripe + 40 * (seed / 2 ** 32) - 127) / 128;
  });
  const runAll = (m: typeof full) => {
    const s = new Model(m).compile(ALL_PASSES);
    try {
      return s.runBatch([x], 1).map((a) => Float32Array.from(a));
    } finally {
      s.close();
    }
  };
  const [scores, boxes] = runAll(full);
  const [sScores, sBoxes] = runAll(simplified);
  const [, rawBoxes] = runAll(raw);
  assert.equal(scores.length, 4420 * 2);
  for (let i = 0; i < 4420; i++) {
    const [a, b] = [scores[2 * i], scores[2 * i + 1]];
    assert.ok(a >= 0 && a <= 1 && b >= 0 && b <= 1 && Math.abs(a + b - 1) < 1e-5, `scores[${i}] = ${a}, ${b}`);
  }
  assert.ok(boxes.every(Number.isFinite));
  const maxDiff = (p: Float32Array, q: Float32Array) => p.reduce((m, v, i) => Math.max(m, Math.abs(v - q[i])), 0);
  // BatchNorm unfolded (full) vs folded by the exporter (simplified): same network.
  assert.ok(maxDiff(scores, sScores) < 1e-5, `scores differ by ${maxDiff(scores, sScores)}`);
  assert.ok(maxDiff(rawBoxes, sBoxes) < 1e-4, `raw boxes differ by ${maxDiff(rawBoxes, sBoxes)}`);
});
