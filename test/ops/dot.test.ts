// dot (Keras Dot / batch_dot) reference vs tf.layers.dot, with and without normalize.
// Rank-4 cases use Keras's batch_dot algorithm on TF.js ops (TF.js's Dot layer stops at rank 3).
// Tolerance: atol 1e-5, rtol 1e-5 (summation order). TF.js's l2Normalize floors sum(x^2) at 1e-7 where Keras 3
// caps rsqrt at 1e7, so normalize cases use inputs with norms far above both floors; tiny norms are pinned by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { dot } from '../../src/ops/dot.js';
import { randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

const TOL = { atol: 1e-5, rtol: 1e-5 };

// [shape a, shape b, axes, expected output shape]
const CASES: [number[], number[], [number, number], number[]][] = [
  [[3, 5], [3, 5], [1, 1], [3, 1]],
  [[3, 5], [3, 5], [-1, -1], [3, 1]],
  [[1, 1], [1, 1], [1, 1], [1, 1]],
  [[4, 7, 5], [4, 5], [2, 1], [4, 7]],
  [[4, 5], [4, 5, 7], [1, 1], [4, 7]],
  [[4, 5], [4, 7, 5], [1, 2], [4, 7]],
  [[2, 3, 5], [2, 4, 5], [2, 2], [2, 3, 4]],
  [[2, 5, 3], [2, 5, 4], [1, 1], [2, 3, 4]],
  [[2, 3, 5], [2, 5, 4], [2, 1], [2, 3, 4]],
  [[2, 5, 3], [2, 4, 5], [1, 2], [2, 3, 4]],
  [[3, 1, 1], [3, 1, 6], [2, 1], [3, 1, 6]],
  [[2, 3, 4, 5], [2, 5, 6], [3, 1], [2, 3, 4, 6]],
  [[2, 3, 5, 4], [2, 6, 5], [2, 2], [2, 3, 4, 6]],
  [[2, 5, 3], [2, 6, 5, 7], [1, 2], [2, 3, 6, 7]],
];

/**
 * TF.js's Dot layer stops at rank 3, so rank-4 cases use Keras's own batch_dot algorithm (keras/src/layers/merging/
 * dot.py) on TF.js kernels: move a's axis last and b's to position 1, squash to rank 3, matMul, unsquash.
 */
function kerasBatchDot(x: tf.Tensor, y: tf.Tensor, axes: readonly [number, number], normalize: boolean): tf.Tensor {
  const a0 = axes[0] < 0 ? axes[0] + x.rank : axes[0];
  const a1 = axes[1] < 0 ? axes[1] + y.rank : axes[1];
  const l2 = (t: tf.Tensor, ax: number) => tf.mul(t, tf.minimum(tf.rsqrt(tf.sum(tf.square(t), ax, true)), 1e7));
  if (normalize) {
    x = l2(x, a0);
    y = l2(y, a1);
  }
  const px = [...Array(x.rank).keys()].filter((i) => i !== a0).concat([a0]);
  const py = [0, a1, ...[...Array(y.rank).keys()].filter((i) => i !== 0 && i !== a1)];
  const xt = tf.transpose(x, px);
  const yt = tf.transpose(y, py);
  const xMid = xt.shape.slice(1, -1);
  const yTrail = yt.shape.slice(2);
  const prod = (s: number[]) => s.reduce((p, q) => p * q, 1);
  const n = x.shape[0];
  const k = x.shape[a0];
  const out = tf.matMul(tf.reshape(xt, [n, prod(xMid), k]), tf.reshape(yt, [n, k, prod(yTrail)]));
  return tf.reshape(out, [n, ...xMid, ...yTrail]);
}

test('dot matches tf.layers.dot on rank 2..4 inputs and every axes placement', async () => {
  await setupTf();
  CASES.forEach(([sa, sb, axes, want], c) => {
    for (const normalize of [false, true]) {
      const a = randTensor(sa, 1700 + c, -2, 2);
      const b = randTensor(sb, 1800 + c, -2, 2);
      const [y] = dot.reference([a, b], { axes, normalize });
      assert.deepEqual(y.shape, want, `dot ${JSON.stringify(sa)} ${JSON.stringify(sb)} ${axes}`);
      assert.deepEqual(dot.inferShape([sa, sb], { axes, normalize })[0], want);
      const expected = fromTf(
        sa.length > 3 || sb.length > 3 ? kerasBatchDot(toTf(a), toTf(b), axes, normalize) : (tf.layers.dot({ axes: [...axes], normalize }).apply([toTf(a), toTf(b)]) as tf.Tensor),
      );
      assertClose(y, expected, TOL, `dot ${JSON.stringify(sa)} . ${JSON.stringify(sb)} axes ${axes} normalize ${normalize}`);
    }
  });
});

test('dot normalize is cosine similarity; Keras 3 caps 1/||x|| at 1e7', () => {
  const v = (...xs: number[]) => ({ shape: [1, xs.length], data: Float32Array.from(xs) });
  const cos = (a: number[], b: number[]) => dot.reference([v(...a), v(...b)], { axes: [1, 1], normalize: true })[0].data[0];
  assert.ok(Math.abs(cos([3, 4], [6, 8]) - 1) < 1e-6);
  assert.ok(Math.abs(cos([1, 0], [0, 5])) < 1e-7);
  assert.equal(cos([0, 0], [1, 2]), 0); // zero vector: 0 * 1e7
  // ||[1e-9, 0]|| = 1e-9 < 1e-7: normalised to 1e-9 * 1e7 = 0.01, not 1.
  assert.ok(Math.abs(cos([1e-9, 0], [1, 0]) - 0.01) < 1e-8);
  assert.ok(Number.isNaN(cos([NaN, 1], [1, 1])));
});

test('dot with NaN/Inf and empty contraction', () => {
  const [y] = dot.reference([{ shape: [2, 2], data: Float32Array.from([NaN, 1, Infinity, 1]) }, { shape: [2, 2], data: Float32Array.from([1, 1, 1, 1]) }], { axes: [1, 1], normalize: false });
  assert.ok(Number.isNaN(y.data[0]));
  assert.equal(y.data[1], Infinity);
  const [z] = dot.reference([{ shape: [2, 0], data: new Float32Array(0) }, { shape: [2, 0, 3], data: new Float32Array(0) }], { axes: [1, 1], normalize: false });
  assert.deepEqual(z, { shape: [2, 3], data: new Float32Array(6) });
  const [e] = dot.reference([{ shape: [0, 4], data: new Float32Array(0) }, { shape: [0, 4], data: new Float32Array(0) }], { axes: [1, 1], normalize: false });
  assert.deepEqual(e.shape, [0, 1]);
});

test('dot inferShape carries the batch; axis 0, rank 1 and size mismatches throw', () => {
  assert.deepEqual(dot.inferShape([[-1, 8], [-1, 8]], { axes: [1, 1], normalize: true }), [[-1, 1]]);
  assert.deepEqual(dot.inferShape([[-1, 3, 8], [-1, 4, 8]], { axes: [-1, -1], normalize: false }), [[-1, 3, 4]]);
  const bad = (a: number[], b: number[], axes: [number, number]) =>
    assert.throws(() => dot.inferShape([a, b], { axes, normalize: false }), (e: unknown) => e instanceof ShapeError && e.op === 'dot');
  bad([-1, 8], [-1, 8], [0, 0]);
  bad([-1, 8], [-1, 8], [1, -2]);
  bad([-1, 8], [-1, 7], [1, 1]);
  bad([8], [8], [0, 0]);
  bad([2, 8], [3, 8], [1, 1]);
  bad([-1, 8], [-1, 8], [2, 1]);
  assert.equal(dot.cost?.([[2, 3, 8], [2, 4, 8]], { axes: [2, 2], normalize: false }), 2 * 3 * 4 * 8);
});
