// identity and training_only are both the identity at inference: same shape, equal data, fresh buffer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identity } from '../../src/ops/identity.js';
import { trainingOnly } from '../../src/ops/training-only.js';
import { randTensor } from '../helpers/rand.js';

test('identity and training_only pass shapes and data through', () => {
  for (const shape of [[-1, 3], [], [0, 4], [2, 3, 5]]) {
    assert.deepEqual(identity.inferShape([shape], {}), [shape]);
    assert.deepEqual(trainingOnly.inferShape([shape], { layerClass: 'Dropout' }), [shape]);
  }
  for (const shape of [[], [0, 4], [2, 3, 5]]) {
    const x = randTensor(shape, 41);
    if (x.data.length > 0) x.data[0] = NaN;
    for (const [y] of [identity.reference([x], {}), trainingOnly.reference([x], { layerClass: 'GaussianNoise' })]) {
      assert.deepEqual(y, x);
      assert.notEqual(y.data, x.data);
    }
  }
  assert.equal(identity.cost?.([[2, 3]], {}), 0);
});
