// concat reference vs tf.concat on random shapes, axes and input counts (empty inputs included); exact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { concat } from '../../src/ops/concat.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

test('concat matches tf.concat', async () => {
  await setupTf();
  const r = rng(9);
  for (let c = 0; c < 50; c++) {
    const rank = 1 + Math.floor(r() * 4);
    const base = Array.from({ length: rank }, () => [1, 2, 3, 5][Math.floor(r() * 4)]);
    const a = Math.floor(r() * rank);
    const axis = r() < 0.5 ? a - rank : a;
    const n = 1 + Math.floor(r() * 4);
    const inputs = Array.from({ length: n }, (_, k) => randTensor(base.map((d, i) => (i === a ? [0, 1, 2, 3][Math.floor(r() * 4)] : d)), 1600 + c * 8 + k));
    const [y] = concat.reference(inputs, { axis });
    assertClose(y, fromTf(tf.concat(inputs.map(toTf), a)), { atol: 0, rtol: 0 }, `concat axis ${axis} ${inputs.map((t) => JSON.stringify(t.shape)).join(' ')}`);
    assert.deepEqual(concat.inferShape(inputs.map((t) => t.shape), { axis })[0], y.shape);
  }
});

test('concat inferShape: batch carried, -1 along the axis makes it -1, mismatches throw', () => {
  assert.deepEqual(concat.inferShape([[-1, 3], [-1, 4]], { axis: -1 }), [[-1, 7]]);
  assert.deepEqual(concat.inferShape([[-1, 3], [2, 3]], { axis: 0 }), [[-1, 3]]);
  assert.deepEqual(concat.inferShape([[-1, 3]], { axis: 1 }), [[-1, 3]]);
  const bad = (shapes: number[][], axis: number) =>
    assert.throws(() => concat.inferShape(shapes, { axis }), (e: unknown) => e instanceof ShapeError && e.op === 'concat');
  bad([[-1, 3], [-1, 4, 1]], 1);
  bad([[-1, 3, 2], [-1, 4, 3]], 1);
  bad([[-1, 3], [2, 3]], 1);
  bad([[-1, 3], [-1, 3]], 2);
  bad([], 0);
});
