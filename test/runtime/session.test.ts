// Pipeline + planner + session on hand-built graphs: passes do what they claim, the arena is reused, and
// predict() is synchronous, correct against the reference back end, and allocation-free in steady state.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/builder.js';
import { verify } from '../../src/ir/verify.js';
import { optimize } from '../../src/passes/pipeline.js';
import { referenceBackend, jsBackend } from '../../src/kernels/js/backend.js';
import { Session } from '../../src/runtime/session.js';
import { ShapeError } from '../../src/core/errors.js';

function rand(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function randArray(n: number, seed: number): Float32Array {
  const r = rand(seed);
  return Float32Array.from({ length: n }, r);
}

function mlp() {
  const b = new GraphBuilder({ source: 'test' });
  const x = b.input('x', [-1, 8]);
  const w1 = b.constant('w1', [8, 16], randArray(128, 1));
  const b1 = b.constant('b1', [16], randArray(16, 2));
  const h = b.add1('dense', [x, w1, b1], { activation: { fn: 'linear' } }, { name: 'd1' });
  const a = b.add1('activation', [h], { activation: { fn: 'relu' } }, { name: 'relu1' });
  const d = b.add1('training_only', [a], { layerClass: 'Dropout' }, { name: 'drop' });
  const w2 = b.constant('w2', [16, 4], randArray(64, 3));
  const y = b.add1('dense', [d, w2], { activation: { fn: 'tanh' } }, { name: 'd2' });
  const id = b.add1('identity', [y], {}, { name: 'out' });
  b.setOutputs([id]);
  return b.finish();
}

test('passes remove training-only and identity nodes and fuse activations', () => {
  const g = mlp();
  verify(g);
  const { graph, reports } = optimize(g, { verifyEach: true });
  assert.deepEqual(graph.nodes.map((n) => n.op), ['dense', 'dense']);
  const d1 = graph.nodes[0];
  assert.equal((d1.attrs as { activation: { fn: string } }).activation.fn, 'relu');
  const changes = reports.flatMap((r) => r.changes);
  assert.ok(changes.some((c) => c.includes('Dropout "drop"')));
  assert.ok(changes.some((c) => c.includes('fused relu')));
});

test('js and reference back ends agree; batch rows equal single predictions', () => {
  const { graph } = optimize(mlp());
  const ref = new Session(graph, referenceBackend);
  const js = new Session(graph, jsBackend);
  assert.deepEqual(js.inputShapes, [[8]]);
  assert.deepEqual(js.outputShapes, [[4]]);
  const xs = randArray(8 * 5, 9);
  const batch = js.predictBatch(xs, 5);
  for (let i = 0; i < 5; i++) {
    const x = xs.subarray(i * 8, i * 8 + 8);
    const r = Float32Array.from(ref.predict(x));
    const j = js.predict(x);
    for (let k = 0; k < 4; k++) {
      assert.ok(Math.abs(r[k] - j[k]) <= 1e-6, `sample ${i} out ${k}: ${r[k]} vs ${j[k]}`);
      assert.equal(batch[i * 4 + k], j[k], 'batch row must equal the single prediction bit for bit');
    }
  }
});

test('predict validates its input and reuses its output buffer', () => {
  const js = new Session(optimize(mlp()).graph, jsBackend);
  assert.throws(() => js.predict(new Float32Array(7)), ShapeError);
  assert.throws(() => js.predict([1, 2, 3] as unknown as Float32Array), ShapeError);
  const a = js.predict(randArray(8, 1));
  const b = js.predict(randArray(8, 2));
  assert.equal(a, b, 'session-owned output buffer is reused');
  const mine = new Float32Array(4);
  assert.equal(js.predict(randArray(8, 1), mine), mine);
});

test('arena reuses memory across dead tensors', () => {
  const b = new GraphBuilder();
  let x = b.input('x', [-1, 64]);
  for (let i = 0; i < 6; i++) {
    x = b.add1('activation', [x], { activation: { fn: 'tanh' } }, { name: `t${i}` });
  }
  b.setOutputs([x]);
  const s = new Session(b.finish(), jsBackend);
  // 7 tensors of 64 floats live in a chain: two buffers suffice (+ the output kept to the end).
  assert.ok(s.plan.arenaSize <= 3 * 64, `arena ${s.plan.arenaSize} floats`);
});

test('a graph with a fixed batch (frozen TF [3, 8] placeholder) treats the whole tensor as one sample', () => {
  const b = new GraphBuilder();
  const x = b.input('x', [3, 8]);
  const y = b.add1('dense', [x, b.constant('w', [8, 2], randArray(16, 5))], { activation: { fn: 'relu' } }, { name: 'd' });
  b.setOutputs([y]);
  const s = new Session(b.finish(), jsBackend);
  assert.equal(s.fixedBatch, 3);
  assert.deepEqual(s.inputShapes, [[3, 8]]);
  assert.deepEqual(s.outputShapes, [[3, 2]]);
  const xs = randArray(48, 11);
  const batch = s.predictBatch(xs, 2);
  const first = Float32Array.from(s.predict(xs.subarray(0, 24)));
  const second = s.predict(xs.subarray(24));
  assert.deepEqual(Array.from(batch), [...first, ...second]);
});

test('a fixed batch-1 graph whose output does not keep dim 0 = 1 returns the whole output tensor', () => {
  // An ONNX / frozen-graph model with a [1, 8] input reshaped to [2, 4]: the output's dim 0 is not a batch.
  const b = new GraphBuilder();
  const x = b.input('x', [1, 8]);
  const y = b.add1('reshape', [x], { shape: [2, 4] }, { name: 'r' });
  const z = b.add1('activation', [y], { activation: { fn: 'relu' } }, { name: 'relu' });
  const p = b.add1('dense', [x, b.constant('w', [8, 3], randArray(24, 6))], { activation: { fn: 'linear' } }, { name: 'd' });
  b.setOutputs([z, p]);
  for (const backend of [referenceBackend, jsBackend]) {
    const s = new Session(b.finish(), backend);
    assert.equal(s.fixedBatch, 1);
    assert.deepEqual(s.inputShapes, [[8]]);
    assert.deepEqual(s.outputShapes, [[2, 4], [3]]);
    const xs = randArray(8, 12);
    const [a, c] = s.run([xs]).map((o) => Float32Array.from(o));
    assert.deepEqual(Array.from(a), Array.from(xs, (v) => Math.max(v, 0)));
    assert.equal(c.length, 3);
    assert.equal(s.predictBatch(xs, 1).length, 8);
  }
});
