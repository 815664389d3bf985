// Shared pieces of the op tests that use TF.js (CPU backend) as the independent oracle: conversion, the
// stated-tolerance comparison, random case helpers. Not a test file itself.

import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../../src/core/errors.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { Activation } from '../../src/ops/activation-fns.js';

export { tf };

let ready: Promise<boolean> | undefined;
/** Selects the pure-JS CPU backend once per process (deterministic, float32, no native addon). */
export function useCpu(): Promise<boolean> {
  ready ??= tf.setBackend('cpu');
  return ready;
}

export function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(t.data, [...t.shape], 'float32');
}

/** Integer in [lo, hi] from a uniform [0, 1) generator. */
export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** Puts NaN, +Inf and -Inf at a few random places (in place); returns the tensor for chaining. */
export function sprinkleSpecials<T extends { data: Float32Array }>(t: T, r: () => number, count = 3): T {
  const specials = [NaN, Infinity, -Infinity];
  for (let i = 0; i < count && t.data.length > 0; i++) t.data[Math.floor(r() * t.data.length)] = specials[i % 3];
  return t;
}

/** The TF.js counterpart of a fused activation (only the ones the tests draw). */
export function tfActivation(y: tf.Tensor, a: Activation): tf.Tensor {
  switch (a.fn) {
    case 'linear':
      return y;
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'tanh':
      return tf.tanh(y);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'elu':
      return tf.elu(y);
    default:
      throw new Error(`tfActivation: ${a.fn} not mapped in the tests`);
  }
}

export const TEST_ACTIVATIONS: readonly Activation[] = [
  { fn: 'linear' },
  { fn: 'relu' },
  { fn: 'relu6' },
  { fn: 'tanh' },
  { fn: 'sigmoid' },
  { fn: 'elu' },
];

/**
 * The stated tolerance of every TF.js comparison: per element |got - want| <= tol * (1 + |want|), default
 * tol = 1e-4 (the reference sums in float64, TF.js in float32, over at most a few hundred terms of size <= 1).
 * Non-finite values must match exactly: NaN where TF has NaN, the same infinity where TF has one.
 */
export function assertClose(got: Tensor, want: tf.Tensor | { shape: readonly number[]; data: ArrayLike<number> }, what: string, tol = 1e-4): void {
  const wantShape = want instanceof tf.Tensor ? want.shape : [...want.shape];
  const wantData = want instanceof tf.Tensor ? (want.dataSync() as Float32Array) : want.data;
  assert.deepEqual([...got.shape], [...wantShape], `${what}: shape`);
  assert.equal(got.data.length, wantData.length, `${what}: element count`);
  for (let i = 0; i < wantData.length; i++) {
    const g = got.data[i];
    const w = wantData[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= tol * (1 + Math.abs(w));
    if (!ok) assert.fail(`${what}: element ${i} of shape [${wantShape.join(', ')}] is ${g}, oracle says ${w} (tol ${tol} * (1 + |oracle|))`);
  }
}

/** Asserts that fn throws a ShapeError naming op. */
export function assertShapeError(fn: () => unknown, op: string, what: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ShapeError && e.op === op, what);
}
