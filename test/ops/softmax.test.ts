// softmax reference vs tf.softmax (TF.js only does the last axis, so other axes go through a transpose there).
// Tolerance: atol 1e-7, rtol 1e-5 (both compute exp(x - max) / sum; they differ in summation order only).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { softmax } from '../../src/ops/softmax.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

const TOL = { atol: 1e-7, rtol: 1e-5 };

function tfSoftmax(x: { shape: readonly number[]; data: Float32Array }, axis: number): { shape: number[]; data: Float32Array } {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()].filter((i) => i !== axis).concat([axis]);
  const inv = perm.map((_, i) => perm.indexOf(i));
  return fromTf(tf.transpose(tf.softmax(tf.transpose(toTf(x), perm)), inv)) as { shape: number[]; data: Float32Array };
}

test('softmax matches tf.softmax on random shapes and axes', async () => {
  await setupTf();
  const r = rng(1);
  for (let c = 0; c < 60; c++) {
    const rank = 1 + Math.floor(r() * 4);
    const shape = Array.from({ length: rank }, () => [1, 2, 3, 5, 8][Math.floor(r() * 5)]);
    const axis = Math.floor(r() * rank) - (r() < 0.5 ? rank : 0);
    const x = randTensor(shape, 100 + c, -20, 20);
    const [y] = softmax.reference([x], { axis });
    const a = axis < 0 ? axis + rank : axis;
    assertClose(y, tfSoftmax(x, a), TOL, `softmax ${JSON.stringify(shape)} axis ${axis}`);
  }
});

test('softmax is finite for logits of +-1e4 and rows sum to 1', async () => {
  await setupTf();
  const x = { shape: [3, 4], data: Float32Array.from([1e4, -1e4, 0, 1e4, -1e4, -1e4, -1e4, -1e4, 1e4, 9999, 9998, 1e4]) };
  const [y] = softmax.reference([x], { axis: -1 });
  assert.ok(y.data.every(Number.isFinite));
  assertClose(y, tfSoftmax(x, 1), TOL, 'softmax +-1e4');
  for (let row = 0; row < 3; row++) {
    const s = y.data.slice(row * 4, row * 4 + 4).reduce((p, q) => p + q, 0);
    assert.ok(Math.abs(s - 1) < 1e-6, `row ${row} sums to ${s}`);
  }
  assert.deepEqual(Array.from(y.data.slice(0, 4)), [0.5, 0, 0, 0.5]);
  assert.deepEqual(Array.from(y.data.slice(4, 8)), [0.25, 0.25, 0.25, 0.25]);
});

test('softmax: NaN or +Inf poisons its slice only; -Inf gives 0', async () => {
  await setupTf();
  const x = { shape: [4, 3], data: Float32Array.from([1, NaN, 2, 0, 1, 2, 1, Infinity, 0, -Infinity, 0, 0]) };
  const [y] = softmax.reference([x], { axis: 1 });
  assertClose(y, tfSoftmax(x, 1), TOL, 'softmax specials');
  assert.ok(y.data.slice(0, 3).every(Number.isNaN));
  assert.ok(y.data.slice(3, 6).every(Number.isFinite));
  assert.ok(y.data.slice(6, 9).every(Number.isNaN)); // Inf - Inf, as in TF
  assert.deepEqual(Array.from(y.data.slice(9)), [0, 0.5, 0.5]);
  // Along axis 0 the NaN poisons column 1 only.
  const [y0] = softmax.reference([{ shape: [2, 2], data: Float32Array.from([NaN, 1, 0, 1]) }], { axis: 0 });
  assert.ok(Number.isNaN(y0.data[0]) && Number.isNaN(y0.data[2]));
  assert.deepEqual([y0.data[1], y0.data[3]], [0.5, 0.5]);
});

test('softmax edge sizes: empty and single-element axes', () => {
  const [e] = softmax.reference([{ shape: [2, 0], data: new Float32Array(0) }], { axis: 1 });
  assert.deepEqual(e.shape, [2, 0]);
  const [z] = softmax.reference([{ shape: [0, 3], data: new Float32Array(0) }], { axis: 1 });
  assert.deepEqual(z.shape, [0, 3]);
  const [one] = softmax.reference([{ shape: [3, 1], data: Float32Array.from([-5, 0, 1e4]) }], { axis: 1 });
  assert.deepEqual(Array.from(one.data), [1, 1, 1]);
});

test('softmax inferShape carries the batch and rejects bad axes', () => {
  assert.deepEqual(softmax.inferShape([[-1, 10]], { axis: -1 }), [[-1, 10]]);
  assert.deepEqual(softmax.inferShape([[-1, 4, 5]], { axis: 1 }), [[-1, 4, 5]]);
  for (const [shape, axis] of [[[-1, 3], 2], [[-1, 3], -3], [[], 0]] as const) {
    assert.throws(() => softmax.inferShape([shape], { axis }), (e: unknown) => e instanceof ShapeError && e.op === 'softmax');
  }
  assert.equal(softmax.cost?.([[2, 5]], { axis: -1 }), 40);
});
