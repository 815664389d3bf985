// Every back end against the reference back end on whole graphs, including plans that interleave wasm
// segments with JS kernels (ops wasm lacks), batch > 1, and repeated runs (no state leaks between calls).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/graph.js';
import { optimize } from '../../src/passes/pipeline.js';
import { BACKEND_NAMES, backendAvailable, resolveBackend } from '../../src/runtime/backends.js';
import { Session } from '../../src/runtime/session.js';
import { randTensor } from '../helpers/rand.js';

function cnn(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [-1, 12, 12, 3]);
  const k = randTensor([3, 3, 3, 8], 1);
  const c = b.add1('conv2d', [x, b.constant('k', k.shape, k.data), b.constant('kb', [8], randTensor([8], 2).data)], {
    strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { fn: 'relu' },
  }, { name: 'conv' });
  const dk = randTensor([3, 3, 8, 2], 3);
  const d = b.add1('depthwise_conv2d', [c, b.constant('dk', dk.shape, dk.data)], {
    strides: [2, 2], dilations: [1, 1], pads: [0, 1, 0, 1], activation: { fn: 'tanh' },
  }, { name: 'dw' });
  const p = b.add1('pool2d', [d], { type: 'avg', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }, { name: 'pool' });
  const f = b.add1('reshape', [p], { shape: [-1, 3 * 3 * 16] }, { name: 'flat' });
  const w = randTensor([144, 10], 4);
  const y = b.add1('dense', [f, b.constant('w', w.shape, w.data)], { activation: { fn: 'linear' } }, { name: 'fc' });
  const s = b.add1('softmax', [y], { axis: -1 }, { name: 'sm' });
  b.setOutputs([s]);
  return b.finish();
}

/** A wasm-less op (LSTM) between wasm steps, plus a broadcast binary: exercises segment interleaving. */
function mixed(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [-1, 5, 4]);
  const w = randTensor([4, 6], 5);
  const h = b.add1('dense', [x, b.constant('w', w.shape, w.data)], { activation: { fn: 'relu' } }, { name: 'd0' });
  const k = randTensor([6, 12], 6);
  const r = randTensor([3, 12], 7);
  const l = b.add1('lstm', [h, b.constant('k', k.shape, k.data), b.constant('r', r.shape, r.data), b.constant('lb', [12], randTensor([12], 8).data)], {
    activation: { fn: 'tanh' }, recurrentActivation: { fn: 'sigmoid' }, returnSequences: true, goBackwards: false,
  }, { name: 'lstm' });
  const m = b.add1('binary', [l, b.constant('scale', [3], randTensor([3], 9).data)], { fn: 'mul' }, { name: 'scale' });
  const w2 = randTensor([3, 2], 10);
  const o = b.add1('dense', [m, b.constant('w2', w2.shape, w2.data)], { activation: { fn: 'sigmoid' } }, { name: 'd1' });
  b.setOutputs([o]);
  return b.finish();
}

for (const [name, make] of [['cnn', cnn], ['mixed', mixed]] as const) {
  test(`${name}: every back end matches the reference back end (batch 1 and 3, repeated runs)`, () => {
    const g = optimize(make()).graph;
    const ref = new Session(g, resolveBackend('reference'));
    const inSize = ref.inputSizes[0];
    const xs = randTensor([3 * inSize], 42).data;
    const want = ref.predictBatch(xs, 3);
    for (const bn of BACKEND_NAMES) {
      if (bn === 'reference' || !backendAvailable(bn)) continue;
      const s = new Session(g, resolveBackend(bn));
      for (let rep = 0; rep < 2; rep++) {
        const got = s.predictBatch(xs, 3);
        for (let i = 0; i < want.length; i++) {
          const tol = 1e-5 * (1 + Math.abs(want[i]));
          assert.ok(Math.abs(got[i] - want[i]) <= tol, `${bn} rep ${rep} [${i}]: ${got[i]} vs ${want[i]}`);
        }
        const one = s.predict(xs.subarray(0, inSize));
        for (let i = 0; i < one.length; i++) assert.ok(Math.abs(one[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `${bn} single [${i}]`);
      }
      if (bn.startsWith('wasm') && name === 'mixed') {
        assert.ok(s.plan.steps.some((st) => st.kernel.startsWith('wasm.')) && s.plan.steps.some((st) => !st.kernel.startsWith('wasm.')), 'mixed plan interleaves wasm and JS');
      }
      s.close();
    }
  });
}
