// TF.js as an independent oracle for op tests: conversions to/from kerasrt tensors and a tolerance check
// that also pins NaN and +-Inf positions.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Tfjs from '@tensorflow/tfjs';
import type { Shape, Tensor } from '../../src/core/tensor.js';

// Loaded from the repository root (tests run there), not relative to this compiled file: with
// `run-tests.mjs --out /tmp/x` the compiled tests live outside the repo, where node_modules is not found.
const tf: typeof Tfjs = createRequire(join(process.cwd(), 'package.json'))('@tensorflow/tfjs');
// Type-only namespace so callers can write `tf.Tensor` in annotations.
declare namespace tf {
  type Tensor = Tfjs.Tensor;
}

let ready: Promise<void> | undefined;

/** Selects TF.js's plain-JS CPU backend once (deterministic, no native add-on). */
export function setupTf(): Promise<void> {
  ready ??= tf.setBackend('cpu').then(() => undefined);
  return ready;
}

export function toTf(t: { shape: Shape; data: Float32Array }): tf.Tensor {
  return tf.tensor(t.data, [...t.shape], 'float32');
}

export function fromTf(t: tf.Tensor): Tensor {
  return { shape: [...t.shape], data: Float32Array.from(t.dataSync() as ArrayLike<number>) };
}

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/**
 * Asserts equal shapes and, element by element: NaN where expected is NaN, the same infinity where expected is
 * infinite, else |actual - expected| <= atol + rtol * |expected|.
 */
export function assertClose(actual: { shape: Shape; data: ArrayLike<number> }, expected: { shape: Shape; data: ArrayLike<number> }, tol: Tolerance, what: string): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(actual.data.length, expected.data.length, `${what}: length`);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(e), `${what}[${i}]: got ${a}, expected ${e}`);
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      assert.equal(a, e, `${what}[${i}]: got ${a}, expected ${e}`);
    } else if (Math.abs(a - e) > tol.atol + tol.rtol * Math.abs(e)) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol.atol} + ${tol.rtol}*|e|)`);
    }
  }
}

export { tf };
