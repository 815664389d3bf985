// The op registry: one line per op. Typed so that an op used anywhere but missing here does not compile.
// Adding an op = one file in src/ops/, one line here, one conformance case in test/ops/.

import { activation } from './activation.js';
import { batchnorm } from './batchnorm.js';
import { binary } from './binary.js';
import { concat } from './concat.js';
import { conv2d } from './conv2d.js';
import { conv2dTranspose } from './conv2d-transpose.js';
import { dense } from './dense.js';
import { depthwiseConv2d } from './depthwise-conv2d.js';
import { dot } from './dot.js';
import { embedding } from './embedding.js';
import { gru } from './gru.js';
import { identity } from './identity.js';
import { layernorm } from './layernorm.js';
import { lstm } from './lstm.js';
import { pad } from './pad.js';
import { pool2d } from './pool2d.js';
import { prelu } from './prelu.js';
import { reduce } from './reduce.js';
import { reshape } from './reshape.js';
import { simpleRnn } from './simple-rnn.js';
import { slice } from './slice.js';
import { softmax } from './softmax.js';
import { tile } from './tile.js';
import { trainingOnly } from './training-only.js';
import { transpose } from './transpose.js';
import { upsample2d } from './upsample2d.js';
import type { OpDef } from './types.js';

export const OPS = {
  activation,
  dense,
  softmax,
  binary,
  prelu,
  conv2d,
  depthwise_conv2d: depthwiseConv2d,
  conv2d_transpose: conv2dTranspose,
  pool2d,
  reduce,
  batchnorm,
  layernorm,
  reshape,
  transpose,
  pad,
  slice,
  upsample2d,
  tile,
  concat,
  dot,
  embedding,
  simple_rnn: simpleRnn,
  lstm,
  gru,
  training_only: trainingOnly,
  identity,
} as const;

export type OpKind = keyof typeof OPS;
export type AttrsOf<K extends OpKind> = (typeof OPS)[K] extends OpDef<infer A> ? A : never;

export function opDef<K extends OpKind>(op: K): OpDef<AttrsOf<K>> {
  return OPS[op] as unknown as OpDef<AttrsOf<K>>;
}
