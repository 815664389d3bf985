// The gradient table: one line per differentiable op (the op's name in src/ops/registry.ts -> its grad file
// here). Typed against the op registry, so an entry's attrs are the op's attrs and a typo does not compile.
// Ops missing here cannot be trained through (the executor says which one and where).

import type { AttrsOf, OpKind } from '../../ops/registry.js';
import { activationGrad } from './activation.js';
import { batchnormGrad } from './batchnorm.js';
import { binaryGrad } from './binary.js';
import { concatGrad } from './concat.js';
import { conv2dGrad } from './conv2d.js';
import { denseGrad } from './dense.js';
import { depthwiseConv2dGrad } from './depthwise-conv2d.js';
import { embeddingGrad } from './embedding.js';
import { identityGrad } from './identity.js';
import { pool2dGrad } from './pool2d.js';
import { reduceGrad } from './reduce.js';
import { reshapeGrad } from './reshape.js';
import { softmaxGrad } from './softmax.js';
import { trainingOnlyGrad } from './training-only.js';
import { transposeGrad } from './transpose.js';
import type { OpGrad } from './types.js';

export type DifferentiableOp =
  | 'activation'
  | 'batchnorm'
  | 'binary'
  | 'concat'
  | 'conv2d'
  | 'dense'
  | 'depthwise_conv2d'
  | 'embedding'
  | 'identity'
  | 'pool2d'
  | 'reduce'
  | 'reshape'
  | 'softmax'
  | 'training_only'
  | 'transpose';

export const GRADS: { readonly [K in DifferentiableOp]: OpGrad<AttrsOf<K>> } = {
  activation: activationGrad,
  batchnorm: batchnormGrad,
  binary: binaryGrad,
  concat: concatGrad,
  conv2d: conv2dGrad,
  dense: denseGrad,
  depthwise_conv2d: depthwiseConv2dGrad,
  embedding: embeddingGrad,
  identity: identityGrad,
  pool2d: pool2dGrad,
  reduce: reduceGrad,
  reshape: reshapeGrad,
  softmax: softmaxGrad,
  training_only: trainingOnlyGrad,
  transpose: transposeGrad,
};

export function isDifferentiable(op: OpKind): op is DifferentiableOp {
  return Object.prototype.hasOwnProperty.call(GRADS, op);
}

export function gradOf<K extends DifferentiableOp>(op: K): OpGrad<AttrsOf<K>> {
  return GRADS[op] as unknown as OpGrad<AttrsOf<K>>;
}
