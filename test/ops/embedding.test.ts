// embedding reference vs tf.gather for in-range indices (exact); out-of-range, NaN and fractional indices
// are pinned by hand (zeros / truncation toward zero, as documented in src/ops/embedding.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { embedding } from '../../src/ops/embedding.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

test('embedding matches tf.gather on random tables and index shapes', async () => {
  await setupTf();
  const r = rng(10);
  for (let c = 0; c < 30; c++) {
    const vocab = 1 + Math.floor(r() * 20);
    const dim = [1, 3, 4, 8][c % 4];
    const table = randTensor([vocab, dim], 1900 + c);
    const ishape = [[5], [2, 7], [3, 1, 4], [0, 3], []][c % 5];
    const n = ishape.reduce((p, q) => p * q, 1);
    const idx = Array.from({ length: n }, () => Math.floor(r() * vocab));
    const [y] = embedding.reference([{ shape: ishape, data: Float32Array.from(idx) }, table], {});
    const expected = fromTf(tf.gather(toTf(table), tf.tensor(idx, ishape, 'int32')));
    assertClose(y, expected, { atol: 0, rtol: 0 }, `embedding vocab ${vocab} dim ${dim} indices ${JSON.stringify(ishape)}`);
    assert.deepEqual(embedding.inferShape([ishape, [vocab, dim]], {})[0], y.shape);
  }
});

test('embedding: out-of-range and NaN give zero rows, fractions truncate toward zero', () => {
  const table = { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
  const idx = Float32Array.from([2, 3, -1, NaN, Infinity, 1.9, -0.5, 1e9]);
  const [y] = embedding.reference([{ shape: [8], data: idx }, table], {});
  assert.deepEqual(y.shape, [8, 2]);
  assert.deepEqual(Array.from(y.data), [5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 1, 2, 0, 0]);
});

test('embedding inferShape', () => {
  assert.deepEqual(embedding.inferShape([[-1, 10], [1000, 64]], {}), [[-1, 10, 64]]);
  for (const t of [[1000], [10, 4, 2], [-1, 4]]) {
    assert.throws(() => embedding.inferShape([[-1, 10], t], {}), (e: unknown) => e instanceof ShapeError && e.op === 'embedding');
  }
  assert.equal(embedding.cost?.([[2, 10], [1000, 64]], {}), 1280);
});
