// transpose reference vs tf.transpose on random ranks 0..5 and permutations; exact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { transpose } from '../../src/ops/transpose.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

test('transpose matches tf.transpose', async () => {
  await setupTf();
  const r = rng(7);
  for (let c = 0; c < 60; c++) {
    const rank = Math.floor(r() * 6);
    const shape = Array.from({ length: rank }, () => [0, 1, 2, 3, 5][Math.floor(r() * 5)]);
    const perm = [...Array(rank).keys()];
    for (let i = rank - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const x = randTensor(shape, 1400 + c);
    if (x.data.length > 1) x.data[1] = NaN;
    const [y] = transpose.reference([x], { perm });
    assertClose(y, fromTf(tf.transpose(toTf(x), perm)), { atol: 0, rtol: 0 }, `transpose ${JSON.stringify(shape)} ${JSON.stringify(perm)}`);
    assert.deepEqual(transpose.inferShape([shape], { perm })[0], y.shape);
  }
});

test('transpose inferShape moves the batch dim with its axis; bad perms throw', () => {
  assert.deepEqual(transpose.inferShape([[-1, 3, 4]], { perm: [0, 2, 1] }), [[-1, 4, 3]]);
  for (const perm of [[0, 1], [0, 1, 1], [0, 1, 3], [0, -1, 1], [0, 1, 2, 3]]) {
    assert.throws(() => transpose.inferShape([[-1, 3, 4]], { perm }), (e: unknown) => e instanceof ShapeError && e.op === 'transpose');
  }
});
