// pad reference vs TF.js tf.pad over random ranks 1-5, sizes 0-4, pads 0-3, values (NaN included).
// Pad only moves values, so the comparison is exact (tolerance 0).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../../src/core/tensor.js';
import { pad, type PadAttrs } from '../../src/ops/pad.js';
import { randTensor, rng } from '../helpers/rand.js';
import { assertClose, assertShapeError, pick, randInt, sprinkleSpecials, tf, toTf, useCpu } from './tf-oracle.js';

test('pad: random ranks, sizes (0 included), pads and values vs tf.pad', async () => {
  await useCpu();
  const r = rng(42);
  for (let i = 0; i < 80; i++) {
    const rank = randInt(r, 1, 5);
    const shape = Array.from({ length: rank }, () => randInt(r, i % 4 === 0 ? 0 : 1, 4));
    const pads = shape.map(() => [randInt(r, 0, 3), randInt(r, 0, 3)] as [number, number]);
    const attrs: PadAttrs = { pads, value: pick(r, [0, 0, -1.5, 7, NaN, -Infinity]) };
    const x = sprinkleSpecials(randTensor(shape, 500 + i), r, i % 3);
    const [got] = pad.reference([x], attrs);
    assert.deepEqual(pad.inferShape([x.shape], attrs)[0], got.shape);
    const want = tf.pad(toTf(x), pads, attrs.value);
    assertClose(got, want, `x [${shape}] ${JSON.stringify(attrs)}`, 0);
  }
});

test('pad: ZeroPadding2D-style pads on NHWC', () => {
  const x = tensor([1, 1, 2, 1], [5, 6]);
  const [y] = pad.reference([x], { pads: [[0, 0], [1, 0], [0, 1], [0, 0]], value: 0 });
  assert.deepEqual(y.shape, [1, 2, 3, 1]);
  assert.deepEqual([...y.data], [0, 0, 0, 5, 6, 0]);
});

test('pad: rank 0 and all-zero pads are the identity', () => {
  assert.deepEqual([...pad.reference([tensor([], [3])], { pads: [], value: 1 })[0].data], [3]);
  const x = randTensor([2, 3], 1);
  assert.deepEqual(pad.reference([x], { pads: [[0, 0], [0, 0]], value: 1 })[0], x);
});

test('pad: inferShape carries the symbolic batch and rejects bad pads with ShapeError', () => {
  assert.deepEqual(pad.inferShape([[-1, 4, 5]], { pads: [[0, 0], [1, 2], [3, 0]], value: 0 }), [[-1, 7, 8]]);
  assert.deepEqual(pad.inferShape([[-1, 4]], { pads: [[1, 1], [0, 0]], value: 0 }), [[-1, 4]]);
  const bad: [string, () => unknown][] = [
    ['too few pairs', () => pad.inferShape([[2, 4, 5]], { pads: [[0, 0], [1, 1]], value: 0 })],
    ['negative pad', () => pad.inferShape([[2, 4]], { pads: [[0, 0], [-1, 1]], value: 0 })],
    ['fractional pad', () => pad.inferShape([[2, 4]], { pads: [[0, 0], [0.5, 1]], value: 0 })],
    ['symbolic non-batch dim', () => pad.inferShape([[2, -1]], { pads: [[0, 0], [1, 1]], value: 0 })],
  ];
  for (const [what, fn] of bad) assertShapeError(fn, 'pad', what);
});

test('pad: cost counts output elements', () => {
  assert.equal(pad.cost!([[2, 3]], { pads: [[1, 0], [1, 1]], value: 0 }), 15);
});
