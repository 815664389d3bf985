// upsample2d reference vs TF.js: 'nearest' vs tf.image.resizeNearestNeighbor (Keras repeats rows/columns, which
// is the same for integer factors), 'bilinear' vs tf.image.resizeBilinear(halfPixelCenters = true), as Keras
// UpSampling2D calls tf.image.resize. Tolerance: exact for nearest; assertClose's 1e-4 relative for bilinear.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor, type Tensor } from '../../src/core/tensor.js';
import { upsample2d, type Upsample2dAttrs } from '../../src/ops/upsample2d.js';
import { randTensor, rng } from '../helpers/rand.js';
import { assertClose, assertShapeError, randInt, sprinkleSpecials, tf, toTf, useCpu } from './tf-oracle.js';

function tfUpsample(x: Tensor, a: Upsample2dAttrs): tf.Tensor {
  const size: [number, number] = [x.shape[1] * a.scale[0], x.shape[2] * a.scale[1]];
  const xt = toTf(x) as tf.Tensor4D;
  return a.mode === 'nearest' ? tf.image.resizeNearestNeighbor(xt, size, false, false) : tf.image.resizeBilinear(xt, size, false, true);
}

test('upsample2d: random shapes and factors 1-4, nearest and bilinear vs tf.image.resize*', async () => {
  await useCpu();
  const r = rng(64);
  for (let i = 0; i < 60; i++) {
    const x = randTensor([randInt(r, 1, 2), randInt(r, 1, 6), randInt(r, 1, 6), randInt(r, 1, 3)], 300 + i);
    const attrs: Upsample2dAttrs = { scale: [randInt(r, 1, 4), randInt(r, 1, 4)], mode: i % 2 === 0 ? 'nearest' : 'bilinear' };
    const [got] = upsample2d.reference([x], attrs);
    assert.deepEqual(upsample2d.inferShape([x.shape], attrs)[0], got.shape);
    assertClose(got, tfUpsample(x, attrs), `x [${x.shape}] ${JSON.stringify(attrs)}`, attrs.mode === 'nearest' ? 0 : 1e-4);
  }
});

test('upsample2d: NaN and Inf propagate as in TF (bilinear: an Inf neighbour gives NaN through Inf - Inf)', async () => {
  await useCpu();
  const r = rng(65);
  for (let i = 0; i < 20; i++) {
    const x = sprinkleSpecials(randTensor([1, randInt(r, 1, 5), randInt(r, 1, 5), randInt(r, 1, 2)], 600 + i), r, 1 + (i % 3));
    const attrs: Upsample2dAttrs = { scale: [randInt(r, 1, 3), randInt(r, 1, 3)], mode: i % 2 === 0 ? 'nearest' : 'bilinear' };
    assertClose(upsample2d.reference([x], attrs)[0], tfUpsample(x, attrs), `x [${x.shape}] ${JSON.stringify(attrs)}`, attrs.mode === 'nearest' ? 0 : 1e-4);
  }
});

test('upsample2d: known values (nearest repeats; bilinear uses half-pixel centres)', () => {
  const x = tensor([1, 1, 2, 1], [0, 4]);
  assert.deepEqual([...upsample2d.reference([x], { scale: [1, 2], mode: 'nearest' })[0].data], [0, 0, 4, 4]);
  // Source coordinates (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 1, 3, 4.
  assert.deepEqual([...upsample2d.reference([x], { scale: [1, 2], mode: 'bilinear' })[0].data], [0, 1, 3, 4]);
});

test('upsample2d: zero sizes give empty outputs', () => {
  for (const mode of ['nearest', 'bilinear'] as const) {
    assert.deepEqual(upsample2d.reference([tensor([0, 2, 2, 1])], { scale: [2, 2], mode })[0].shape, [0, 4, 4, 1]);
    assert.deepEqual(upsample2d.reference([tensor([1, 0, 2, 1])], { scale: [2, 3], mode })[0].shape, [1, 0, 6, 1]);
    assert.deepEqual(upsample2d.reference([tensor([1, 2, 2, 0])], { scale: [2, 2], mode })[0].shape, [1, 4, 4, 0]);
  }
});

test('upsample2d: inferShape carries the symbolic batch and rejects bad attrs with ShapeError', () => {
  assert.deepEqual(upsample2d.inferShape([[-1, 3, 5, 2]], { scale: [2, 3], mode: 'bilinear' }), [[-1, 6, 15, 2]]);
  const bad: [string, () => unknown][] = [
    ['scale 0', () => upsample2d.inferShape([[1, 3, 3, 1]], { scale: [0, 2], mode: 'nearest' })],
    ['fractional scale', () => upsample2d.inferShape([[1, 3, 3, 1]], { scale: [1.5, 2], mode: 'nearest' })],
    ['rank-3 input', () => upsample2d.inferShape([[3, 3, 1]], { scale: [2, 2], mode: 'nearest' })],
    ['symbolic non-batch dim', () => upsample2d.inferShape([[1, -1, 3, 1]], { scale: [2, 2], mode: 'nearest' })],
  ];
  for (const [what, fn] of bad) assertShapeError(fn, 'upsample2d', what);
});

test('upsample2d: cost counts output elements (three lerps each for bilinear)', () => {
  assert.equal(upsample2d.cost!([[1, 2, 3, 4]], { scale: [2, 2], mode: 'nearest' }), 96);
  assert.equal(upsample2d.cost!([[1, 2, 3, 4]], { scale: [2, 2], mode: 'bilinear' }), 288);
});
