// binary reference vs tf.add/sub/mul/div/maximum/minimum/pow with NumPy broadcasting, NaN/Inf and empty dims.
// Tolerance: exact for + - * / max min (both round the float64 result to float32 once); pow rtol 1e-6.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError } from '../../src/core/errors.js';
import { binary, powIeee, type BinaryFn } from '../../src/ops/binary.js';
import { rng, randTensor } from '../helpers/rand.js';
import { assertClose, fromTf, setupTf, tf, toTf } from '../helpers/tf-oracle.js';

const FNS: Record<BinaryFn, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  add: tf.add,
  sub: tf.sub,
  mul: tf.mul,
  div: tf.div,
  max: tf.maximum,
  min: tf.minimum,
  pow: tf.pow,
};
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, 0.5, 1e4, -1e4];

/** Two shapes that broadcast: each dim of the output is kept, set to 1, or (leading) dropped per side. */
function broadcastPair(r: () => number): [number[], number[]] {
  const rank = Math.floor(r() * 5);
  const out = Array.from({ length: rank }, () => [0, 1, 2, 3, 4, 7][Math.floor(r() * 6)]);
  const side = (): number[] => {
    const drop = Math.floor(r() * (rank + 1));
    return out.slice(drop).map((d) => (r() < 0.3 ? 1 : d));
  };
  return [side(), side()];
}

function withSpecials(t: { shape: number[]; data: Float32Array }, r: () => number): { shape: number[]; data: Float32Array } {
  for (let i = 0; i < t.data.length; i++) if (r() < 0.15) t.data[i] = SPECIALS[Math.floor(r() * SPECIALS.length)];
  return t;
}

test('binary matches TF.js with broadcasting, NaN and Inf', async () => {
  await setupTf();
  const r = rng(2);
  for (const fn of Object.keys(FNS) as BinaryFn[]) {
    for (let c = 0; c < 25; c++) {
      const [sa, sb] = broadcastPair(r);
      const a = withSpecials(randTensor(sa, c * 7 + 1, -3, 3), r);
      const b = withSpecials(randTensor(sb, c * 7 + 2, -3, 3), r);
      const [y] = binary.reference([a, b], { fn });
      const expected = fromTf(FNS[fn](toTf(a), toTf(b)));
      if (fn === 'pow') {
        // TF.js uses Math.pow; TF (C pow) gives 1 for pow(1, y) and pow(-1, +-Inf). Patch those in the oracle.
        const d = expected.data;
        for (let i = 0; i < d.length; i++) {
          const x = a.data[bIdx(a.shape, y.shape, i)];
          const e = b.data[bIdx(b.shape, y.shape, i)];
          if (x === 1 || (x === -1 && !Number.isFinite(e) && !Number.isNaN(e))) d[i] = 1;
        }
      }
      const tol = fn === 'pow' ? { atol: 0, rtol: 1e-6 } : { atol: 0, rtol: 0 };
      assertClose(y, expected, tol, `${fn} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
    }
  }
});

/** Flat index into a broadcast input for flat output index i. */
function bIdx(inShape: readonly number[], outShape: readonly number[], i: number): number {
  let rem = i;
  let off = 0;
  let stride = 1;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const k = rem % outShape[d];
    rem = Math.floor(rem / outShape[d]);
    const id = d - (outShape.length - inShape.length);
    if (id >= 0) {
      if (inShape[id] !== 1) off += k * stride;
      stride *= inShape[id];
    }
  }
  return off;
}

test('binary IEEE corners: division by zero, NaN through max/min, C pow', () => {
  const run = (fn: BinaryFn, a: number[], b: number[]): number[] =>
    Array.from(binary.reference([{ shape: [a.length], data: Float32Array.from(a) }, { shape: [b.length], data: Float32Array.from(b) }], { fn })[0].data);
  assert.deepEqual(run('div', [1, -1, 0], [0, 0, 0]), [Infinity, -Infinity, NaN]);
  assert.deepEqual(run('max', [NaN, 1], [1, NaN]), [NaN, NaN]);
  assert.deepEqual(run('min', [NaN, 1], [1, NaN]), [NaN, NaN]);
  assert.deepEqual(run('pow', [1, -1, -1, NaN, -8, 0], [NaN, Infinity, -Infinity, 0, 1 / 3, -1]), [1, 1, 1, 1, NaN, Infinity]);
  assert.equal(powIeee(2, 10), 1024);
});

test('binary inferShape: broadcasting with the symbolic batch, errors name the op', () => {
  assert.deepEqual(binary.inferShape([[-1, 3], [3]], { fn: 'add' }), [[-1, 3]]);
  assert.deepEqual(binary.inferShape([[-1, 1, 4], [5, 1]], { fn: 'mul' }), [[-1, 5, 4]]);
  assert.deepEqual(binary.inferShape([[], [2, 0]], { fn: 'sub' }), [[2, 0]]);
  assert.throws(() => binary.inferShape([[2, 3], [4]], { fn: 'add' }), (e: unknown) => e instanceof ShapeError && e.op === 'binary');
  assert.equal(binary.cost?.([[4, 1], [1, 5]], { fn: 'add' }), 20);
});

test('binary scalar and empty operands', () => {
  const [y] = binary.reference([{ shape: [], data: Float32Array.from([2]) }, { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }], { fn: 'sub' });
  assert.deepEqual(y.shape, [2, 2]);
  assert.deepEqual(Array.from(y.data), [1, 0, -1, -2]);
  const [e] = binary.reference([{ shape: [0, 3], data: new Float32Array(0) }, { shape: [1, 3], data: Float32Array.from([1, 2, 3]) }], { fn: 'add' });
  assert.deepEqual(e.shape, [0, 3]);
});
