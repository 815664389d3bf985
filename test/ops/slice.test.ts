// slice reference vs TF.js tf.slice over random ranks 1-5, sizes 0-5, begins and sizes (-1 = to the end).
// Slice only moves values, so the comparison is exact (tolerance 0).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../../src/core/tensor.js';
import { slice, type SliceAttrs } from '../../src/ops/slice.js';
import { randTensor, rng } from '../helpers/rand.js';
import { assertClose, assertShapeError, randInt, sprinkleSpecials, tf, toTf, useCpu } from './tf-oracle.js';

test('slice: random ranks, sizes (0 included), begins and sizes vs tf.slice', async () => {
  await useCpu();
  const r = rng(7);
  for (let i = 0; i < 80; i++) {
    const rank = randInt(r, 1, 5);
    const shape = Array.from({ length: rank }, () => randInt(r, i % 4 === 0 ? 0 : 1, 5));
    const begin = shape.map((d) => randInt(r, 0, d));
    const size = shape.map((d, a) => (r() < 0.3 ? -1 : randInt(r, 0, d - begin[a])));
    const attrs: SliceAttrs = { begin, size };
    const x = sprinkleSpecials(randTensor(shape, 900 + i), r, i % 3);
    const [got] = slice.reference([x], attrs);
    assert.deepEqual(slice.inferShape([x.shape], attrs)[0], got.shape);
    assertClose(got, tf.slice(toTf(x), begin, size), `x [${shape}] ${JSON.stringify(attrs)}`, 0);
  }
});

test('slice: Cropping2D-style box on NHWC', () => {
  const x = tensor([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const [y] = slice.reference([x], { begin: [0, 1, 1, 0], size: [-1, 2, 1, -1] });
  assert.deepEqual(y.shape, [1, 2, 1, 1]);
  assert.deepEqual([...y.data], [5, 8]);
});

test('slice: inferShape carries the symbolic batch and rejects bad boxes with ShapeError', () => {
  assert.deepEqual(slice.inferShape([[-1, 4, 5]], { begin: [0, 1, 1], size: [-1, 2, -1] }), [[-1, 2, 4]]);
  const bad: [string, () => unknown][] = [
    ['past the end', () => slice.inferShape([[2, 4]], { begin: [0, 3], size: [-1, 2] })],
    ['begin past the end', () => slice.inferShape([[2, 4]], { begin: [0, 5], size: [-1, -1] })],
    ['negative begin', () => slice.inferShape([[2, 4]], { begin: [0, -1], size: [-1, 2] })],
    ['size below -1', () => slice.inferShape([[2, 4]], { begin: [0, 0], size: [-1, -2] })],
    ['wrong length', () => slice.inferShape([[2, 4]], { begin: [0], size: [-1] })],
    ['part of a symbolic batch', () => slice.inferShape([[-1, 4]], { begin: [0, 0], size: [1, -1] })],
    ['offset into a symbolic batch', () => slice.inferShape([[-1, 4]], { begin: [1, 0], size: [-1, -1] })],
  ];
  for (const [what, fn] of bad) assertShapeError(fn, 'slice', what);
});

test('slice: cost counts output elements', () => {
  assert.equal(slice.cost!([[4, 6]], { begin: [1, 2], size: [2, -1] }), 8);
});
