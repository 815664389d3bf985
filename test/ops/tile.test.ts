// tile reference vs tf.tile on random shapes and repeat counts (0 included); exact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { tile } from '../../src/ops/tile.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

test('tile matches tf.tile', async () => {
  await setupTf();
  const r = rng(8);
  for (let c = 0; c < 50; c++) {
    const rank = 1 + Math.floor(r() * 4);
    const shape = Array.from({ length: rank }, () => [0, 1, 2, 3][Math.floor(r() * 4)]);
    const reps = Array.from({ length: rank }, () => [0, 1, 2, 3][Math.floor(r() * 4)]);
    const x = randTensor(shape, 1500 + c);
    if (x.data.length > 0) x.data[0] = Infinity;
    const [y] = tile.reference([x], { reps });
    const expected = y.data.length === 0 ? { shape: shape.map((d, i) => d * reps[i]), data: new Float32Array(0) } : fromTf(tf.tile(toTf(x), reps));
    assertClose(y, expected, { atol: 0, rtol: 0 }, `tile ${JSON.stringify(shape)} reps ${JSON.stringify(reps)}`);
  }
});

test('tile RepeatVector pattern: [N, 1, D] x [1, n, 1]', () => {
  const [y] = tile.reference([{ shape: [2, 1, 2], data: Float32Array.from([1, 2, 3, 4]) }], { reps: [1, 3, 1] });
  assert.deepEqual(y.shape, [2, 3, 2]);
  assert.deepEqual(Array.from(y.data), [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
});

test('tile inferShape: the symbolic batch can only be repeated once', () => {
  assert.deepEqual(tile.inferShape([[-1, 1, 8]], { reps: [1, 5, 1] }), [[-1, 5, 8]]);
  for (const reps of [[2, 5, 1], [1, 5], [1, -1, 1], [1, 1.5, 1]]) {
    assert.throws(() => tile.inferShape([[-1, 1, 8]], { reps }), (e: unknown) => e instanceof ShapeError && e.op === 'tile');
  }
  assert.equal(tile.cost?.([[2, 1, 8]], { reps: [1, 5, 1] }), 80);
});
