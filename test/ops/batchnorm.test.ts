// batchnorm reference vs tf.batchNorm (params broadcast to x's shape along the channel axis).
// Tolerance: atol 1e-5, rtol 1e-5 (TF.js works in float32 throughout; ours in float64).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { batchnorm } from '../../src/ops/batchnorm.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

test('batchnorm matches tf.batchNorm on random shapes and channel axes', async () => {
  await setupTf();
  const r = rng(5);
  for (let c = 0; c < 40; c++) {
    const rank = 1 + Math.floor(r() * 4);
    const shape = Array.from({ length: rank }, () => [0, 1, 2, 3, 5][Math.floor(r() * 5)]);
    const a = Math.floor(r() * rank);
    const axis = r() < 0.5 ? a - rank : a;
    const C = shape[a];
    const x = randTensor(shape, 600 + c, -3, 3);
    if (x.data.length > 0 && c % 4 === 0) x.data[0] = [NaN, Infinity, -Infinity, 1e4][c % 3];
    const gamma = randTensor([C], 700 + c, -2, 2);
    const beta = randTensor([C], 800 + c, -1, 1);
    const mean = randTensor([C], 900 + c, -1, 1);
    const variance = randTensor([C], 1000 + c, 0, 2); // includes values near 0: epsilon keeps it finite
    const epsilon = [1e-3, 1e-5, 0.1][c % 3];
    const [y] = batchnorm.reference([x, gamma, beta, mean, variance], { axis, epsilon });
    const bshape = shape.map((d, i) => (i === a ? d : 1));
    // TF.js's CPU batchNorm walks the params cyclically (last-axis broadcasting only), so hand it full-size ones.
    const p = (t: typeof gamma): tf.Tensor => tf.broadcastTo(tf.reshape(toTf(t), bshape), shape);
    const expected = fromTf(tf.batchNorm(toTf(x), p(mean), p(variance), p(beta), p(gamma), epsilon));
    assertClose(y, expected, { atol: 1e-5, rtol: 1e-5 }, `batchnorm ${JSON.stringify(shape)} axis ${axis}`);
  }
});

test('batchnorm by hand', () => {
  const one = (v: number) => ({ shape: [1], data: Float32Array.from([v]) });
  const [y] = batchnorm.reference([{ shape: [2, 1], data: Float32Array.from([3, NaN]) }, one(2), one(1), one(1), one(4 - 1e-3)], { axis: -1, epsilon: 1e-3 });
  assert.equal(y.data[0], 3); // (3 - 1) / 2 * 2 + 1
  assert.ok(Number.isNaN(y.data[1]));
});

test('batchnorm inferShape checks every parameter against the channel dim', () => {
  const c8 = [8];
  assert.deepEqual(batchnorm.inferShape([[-1, 4, 4, 8], c8, c8, c8, c8], { axis: -1, epsilon: 1e-3 }), [[-1, 4, 4, 8]]);
  assert.deepEqual(batchnorm.inferShape([[-1, 8, 4, 4], c8, c8, c8, c8], { axis: 1, epsilon: 1e-3 }), [[-1, 8, 4, 4]]);
  const bad = (shapes: number[][], axis: number) =>
    assert.throws(() => batchnorm.inferShape(shapes, { axis, epsilon: 1e-3 }), (e: unknown) => e instanceof ShapeError && e.op === 'batchnorm');
  bad([[-1, 8], c8, c8, [7], c8], -1);
  bad([[-1, 8], c8, c8, c8, [1, 8]], -1);
  bad([[-1, 8], c8, c8, c8, c8], 2);
  bad([[-1, 8], c8, c8, c8, c8], 0); // the symbolic batch cannot be the channel axis
});
