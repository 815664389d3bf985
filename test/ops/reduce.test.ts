// reduce reference vs tf.mean/sum/max/min/prod over random axis subsets, keepDims both ways.
// Tolerance: max/min exact; sum/mean atol 1e-5 rtol 1e-5 and prod rtol 1e-5 (ours accumulates in float64).
// Where TF.js and TensorFlow disagree (empty reductions), TensorFlow's documented values are asserted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { reduce, type ReduceAttrs } from '../../src/ops/reduce.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

const TF: Record<ReduceAttrs['type'], (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor> = {
  mean: tf.mean,
  sum: tf.sum,
  max: tf.max,
  min: tf.min,
  prod: tf.prod,
};

test('reduce matches TF.js on random shapes, axes and keepDims', async () => {
  await setupTf();
  const r = rng(4);
  for (const type of Object.keys(TF) as ReduceAttrs['type'][]) {
    for (let c = 0; c < 30; c++) {
      const rank = 1 + Math.floor(r() * 4);
      const shape = Array.from({ length: rank }, () => [1, 2, 3, 4, 7][Math.floor(r() * 5)]);
      const axes = [...Array(rank).keys()].filter(() => r() < 0.5).map((a) => (r() < 0.5 ? a - rank : a));
      if (axes.length === 0) axes.push(rank - 1);
      const keepDims = r() < 0.5;
      const x = randTensor(shape, 500 + c, type === 'prod' ? 0.5 : -2, type === 'prod' ? 1.5 : 2);
      if (c % 5 === 0) x.data[Math.floor(r() * x.data.length)] = [NaN, Infinity, -Infinity][c % 3];
      const [y] = reduce.reference([x], { type, axes, keepDims });
      const expected = fromTf(TF[type](toTf(x), axes, keepDims));
      const tol = type === 'max' || type === 'min' ? { atol: 0, rtol: 0 } : { atol: 1e-5, rtol: 1e-5 };
      assertClose(y, expected, tol, `${type} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)} keep ${keepDims}`);
      assert.deepEqual(reduce.inferShape([shape], { type, axes, keepDims })[0], y.shape);
    }
  }
});

test('reduce NaN propagation (max/min as TF >= 2.x), Inf - Inf in sums', () => {
  const x = { shape: [2, 3], data: Float32Array.from([1, NaN, 3, Infinity, -Infinity, 0]) };
  const run = (type: ReduceAttrs['type']): number[] => Array.from(reduce.reference([x], { type, axes: [1], keepDims: false })[0].data);
  assert.deepEqual(run('max'), [NaN, Infinity]);
  assert.deepEqual(run('min'), [NaN, -Infinity]);
  assert.deepEqual(run('sum'), [NaN, NaN]);
  assert.deepEqual(run('mean'), [NaN, NaN]);
});

test('reduce over an empty axis gives the TF identities (mean NaN, max -Inf, min +Inf)', () => {
  const x = { shape: [2, 0], data: new Float32Array(0) };
  const run = (type: ReduceAttrs['type']): number[] => Array.from(reduce.reference([x], { type, axes: [1], keepDims: true })[0].data);
  assert.deepEqual(run('sum'), [0, 0]);
  assert.deepEqual(run('prod'), [1, 1]);
  assert.deepEqual(run('mean'), [NaN, NaN]);
  assert.deepEqual(run('max'), [-Infinity, -Infinity]);
  assert.deepEqual(run('min'), [Infinity, Infinity]);
  // Reducing a non-empty axis of an empty tensor gives an empty result.
  const [e] = reduce.reference([{ shape: [0, 4], data: new Float32Array(0) }], { type: 'mean', axes: [1], keepDims: false });
  assert.deepEqual(e.shape, [0]);
});

test('reduce: empty axes is the identity; all axes gives a scalar', () => {
  const x = randTensor([2, 3], 9);
  const [same] = reduce.reference([x], { type: 'sum', axes: [], keepDims: false });
  assert.deepEqual(same, { shape: [2, 3], data: x.data });
  const [s] = reduce.reference([x], { type: 'sum', axes: [0, 1], keepDims: false });
  assert.deepEqual(s.shape, []);
  assert.ok(Math.abs(s.data[0] - x.data.reduce((p, q) => p + q, 0)) < 1e-6);
});

test('reduce inferShape carries the batch; bad axes throw ShapeError', () => {
  assert.deepEqual(reduce.inferShape([[-1, 7, 7, 32]], { type: 'mean', axes: [1, 2], keepDims: false }), [[-1, 32]]);
  assert.deepEqual(reduce.inferShape([[-1, 7, 7, 32]], { type: 'max', axes: [-3, -2], keepDims: true }), [[-1, 1, 1, 32]]);
  assert.deepEqual(reduce.inferShape([[-1, 5]], { type: 'sum', axes: [0], keepDims: false }), [[5]]);
  for (const axes of [[2], [-3], [1, 1], [1, -1]]) {
    assert.throws(() => reduce.inferShape([[-1, 5]], { type: 'sum', axes, keepDims: false }), (e: unknown) => e instanceof ShapeError && e.op === 'reduce');
  }
  assert.equal(reduce.cost?.([[2, 3, 4]], { type: 'sum', axes: [1], keepDims: false }), 24);
});
