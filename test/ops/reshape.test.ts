// reshape: data unchanged (checked against tf.reshape), and the -1 rules: dim 0 = the batch, one other -1 inferred.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { reshape } from '../../src/ops/reshape.js';
import { randTensor } from '../helpers/rand.js';
import { fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

test('reshape keeps data order (vs tf.reshape) and copies it', async () => {
  await setupTf();
  const cases: [number[], number[], number[]][] = [
    [[2, 3, 4], [-1, 12], [2, 12]],
    [[2, 3, 4], [-1, 4, 3], [2, 4, 3]],
    [[2, 3, 4], [-1, -1, 2], [2, 6, 2]],
    [[2, 3, 4], [6, 4], [6, 4]],
    [[2, 3, 4], [24], [24]],
    [[2, 3, 4], [3, -1], [3, 8]],
    [[1, 5], [-1, 5, 1], [1, 5, 1]],
    [[3, 1], [-1], [3]],
    [[0, 6], [-1, 2, 3], [0, 2, 3]],
    [[0, 6], [-1, 3, -1], [0, 3, 2]],
    [[1], []],
  ].map((c) => (c.length === 2 ? [c[0], c[1], []] : c) as [number[], number[], number[]]);
  for (const [from, to, want] of cases) {
    const x = randTensor(from, 31);
    const [y] = reshape.reference([x], { shape: to });
    assert.deepEqual(y.shape, want, `${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
    assert.deepEqual(y.data, fromTf(tf.reshape(toTf(x), want)).data);
    assert.notEqual(y.data, x.data);
  }
});

test('reshape inferShape carries the symbolic batch', () => {
  assert.deepEqual(reshape.inferShape([[-1, 4, 6]], { shape: [-1, 24] }), [[-1, 24]]);
  assert.deepEqual(reshape.inferShape([[-1, 4, 6]], { shape: [-1, -1, 3] }), [[-1, 8, 3]]);
  assert.deepEqual(reshape.inferShape([[-1, 4, 6]], { shape: [-1, 2, 2, 6] }), [[-1, 2, 2, 6]]);
  assert.deepEqual(reshape.inferShape([[-1, 1]], { shape: [-1] }), [[-1]]);
});

test('reshape rejects impossible targets with ShapeError', () => {
  const bad = (from: number[], to: number[]) =>
    assert.throws(() => reshape.inferShape([from], { shape: to }), (e: unknown) => e instanceof ShapeError && e.op === 'reshape', `${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
  bad([-1, 4, 6], [-1, 25]); // count
  bad([-1, 4, 6], [24]); // drops the symbolic batch
  bad([-1, 4, 6], [-1, -1, -1]); // two wildcards besides the batch
  bad([-1, 4, 6], [-1, 5, -1]); // 24 is not a multiple of 5
  bad([-1, 4, 6], [-1, 0, -1]); // wildcard next to a zero dim is ambiguous
  bad([-1, 4, 6], [-1, -2, 12]);
  bad([-1, 4, 6], [-1, 2.5, 4]);
  bad([2, 3], [-1, 5]); // dim 0 is always the batch (2), and 3 != 5
  bad([], [-1]);
});
