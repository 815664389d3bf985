// Shared pieces of the op tests that use TF.js (CPU backend) as the independent oracle: conversion, the
// stated-tolerance comparison, random case helpers. Not a test file itself.

import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../../src/core/errors.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import { computePads, effectiveKernel } from '../../src/ops/padding.js';

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

/** The TF.js form of an activation (composed from TF.js ops where TF.js has no such op; gelu has none). */
export function tfActivation(y: tf.Tensor, a: Activation): tf.Tensor {
  switch (a.fn) {
    case 'linear':
      return y;
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'tanh':
      return tf.tanh(y);
    case 'elu':
      return tf.elu(y);
    case 'selu':
      return tf.selu(y);
    case 'softplus':
      return tf.softplus(y);
    case 'softsign':
      return tf.div(y, tf.add(1, tf.abs(y)));
    case 'swish':
      return tf.mul(y, tf.sigmoid(y));
    case 'leaky_relu':
      return tf.leakyRelu(y, a.alpha ?? 0.2);
    case 'exponential':
      return tf.exp(y);
    case 'hard_sigmoid':
      return tf.div(tf.relu6(tf.add(y, 3)), 6);
    case 'hard_swish':
      return tf.mul(y, tf.div(tf.relu6(tf.add(y, 3)), 6));
    case 'mish':
      return tf.mul(y, tf.tanh(tf.softplus(y)));
    case 'gelu_tanh':
      return tf.mul(tf.mul(0.5, y), tf.add(1, tf.tanh(tf.mul(0.7978845608028654, tf.add(y, tf.mul(0.044715, tf.pow(y, 3)))))));
    default:
      throw new Error(`no TF.js form for ${a.fn}`);
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

export type PadMode = 'same' | 'valid' | 'explicit';

type Pair = [number, number];
type Pads = [number, number, number, number];

/** The window of a random conv-like case: kernel 1-4, strides 1-3, dilations 1-2, same/valid/explicit pads. */
export interface RandomWindow {
  kernel: Pair;
  strides: Pair;
  dilations: Pair;
  mode: PadMode;
  pads: Pads;
}

/** Draws a window over an H x W image; undefined when the dilated kernel does not fit the padded image. */
export function randomWindow(r: () => number, H: number, W: number): RandomWindow | undefined {
  const kernel: Pair = [randInt(r, 1, 4), randInt(r, 1, 4)];
  const strides: Pair = [randInt(r, 1, 3), randInt(r, 1, 3)];
  const dilations: Pair = [randInt(r, 1, 2), randInt(r, 1, 2)];
  const mode = pick(r, ['same', 'valid', 'explicit'] as const);
  let pads: Pads;
  if (mode === 'explicit') pads = [randInt(r, 0, 3), randInt(r, 0, 3), randInt(r, 0, 3), randInt(r, 0, 3)];
  else pads = [...computePads(mode, H, kernel[0], strides[0], dilations[0]), ...computePads(mode, W, kernel[1], strides[1], dilations[1])];
  if (H + pads[0] + pads[1] < effectiveKernel(kernel[0], dilations[0]) || W + pads[2] + pads[3] < effectiveKernel(kernel[1], dilations[1])) return undefined;
  return { kernel, strides, dilations, mode, pads };
}

/** Explicit pads in TF.js's NHWC form. */
export function tfPads([pt, pb, pl, pr]: readonly number[]): [Pair, Pair, Pair, Pair] {
  return [[0, 0], [pt, pb], [pl, pr], [0, 0]];
}

/**
 * A windowed op (conv, depthwise conv) through TF.js, then bias and activation. TF.js refuses stride > 1 together
 * with dilation > 1: that is run as a stride-1 dilated op subsampled with tf.stridedSlice.
 */
export function tfWindowed(
  a: { strides: readonly number[]; dilations: readonly number[]; pads: readonly number[]; activation: Activation },
  mode: PadMode,
  b: Tensor | undefined,
  op: (strides: Pair, pad: 'same' | 'valid' | [Pair, Pair, Pair, Pair], dilations: Pair) => tf.Tensor,
): tf.Tensor {
  return tf.tidy(() => {
    const both = a.strides.some((s) => s > 1) && a.dilations.some((d) => d > 1);
    const strides: Pair = both ? [1, 1] : [a.strides[0], a.strides[1]];
    let y = op(strides, mode === 'explicit' || both ? tfPads(a.pads) : mode, [a.dilations[0], a.dilations[1]]);
    if (both) y = tf.stridedSlice(y, [0, 0, 0, 0], y.shape, [1, a.strides[0], a.strides[1], 1]);
    if (b) y = tf.add(y, toTf(b));
    return tfActivation(y, a.activation);
  });
}
