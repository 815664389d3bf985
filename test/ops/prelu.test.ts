// prelu reference vs tf.prelu with alpha broadcast as the Keras importer shapes it (x.shape[1:], 1 on shared
// axes). Tolerance: exact (both round alpha * x once to float32).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { prelu } from '../../src/ops/prelu.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

test('prelu matches tf.prelu on random shapes with shared axes, NaN and Inf', async () => {
  await setupTf();
  const r = rng(3);
  for (let c = 0; c < 40; c++) {
    const rank = 2 + Math.floor(r() * 3);
    const shape = Array.from({ length: rank }, () => [0, 1, 2, 3, 5][Math.floor(r() * 5)]);
    // alpha: x.shape[1:], with some axes shared (1).
    const alphaShape = shape.slice(1).map((d) => (r() < 0.4 ? 1 : d));
    const x = randTensor(shape, 300 + c, -4, 4);
    for (let i = 0; i < x.data.length; i++) if (r() < 0.1) x.data[i] = [NaN, Infinity, -Infinity, 0][Math.floor(r() * 4)];
    const alpha = randTensor(alphaShape, 400 + c, -0.5, 1.5);
    const [y] = prelu.reference([x, alpha], {});
    assertClose(y, fromTf(tf.prelu(toTf(x), toTf(alpha))), { atol: 0, rtol: 0 }, `prelu ${JSON.stringify(shape)} alpha ${JSON.stringify(alphaShape)}`);
  }
});

test('prelu by hand', () => {
  const [y] = prelu.reference([{ shape: [4], data: Float32Array.from([-2, 3, -Infinity, NaN]) }, { shape: [1], data: Float32Array.from([0.25]) }], {});
  assert.deepEqual(Array.from(y.data), [-0.5, 3, -Infinity, NaN]);
});

test('prelu inferShape: alpha must broadcast to x without growing it', () => {
  assert.deepEqual(prelu.inferShape([[-1, 4, 4, 3], [1, 1, 3]], {}), [[-1, 4, 4, 3]]);
  assert.deepEqual(prelu.inferShape([[-1, 5], [5]], {}), [[-1, 5]]);
  for (const alpha of [[4], [2, 5], [1, 1, 5]]) {
    assert.throws(() => prelu.inferShape([[-1, 5], alpha], {}), (e: unknown) => e instanceof ShapeError && e.op === 'prelu');
  }
});
