// The contract every op file fulfils: attributes type, shape inference, and a naive reference
// implementation that is the oracle for every fast kernel. Keep references obviously correct, not fast.

import type { Shape, Tensor } from '../core/tensor.js';

export interface OpDef<A> {
  /** The op's name in the registry (snake_case), e.g. "conv2d". */
  readonly name: string;
  /** How many inputs the op accepts: [min, max]. Weights are inputs too (constant values). */
  readonly arity: readonly [number, number];
  /**
   * Output shapes from input shapes. Dim 0 may be -1 (the symbolic batch) and must be carried through.
   * Throws ShapeError (with op set) when the inputs do not fit.
   */
  inferShape(inputs: readonly Shape[], attrs: A): Shape[];
  /** The oracle: naive, readable, allocates freely. Inputs have concrete shapes. */
  reference(inputs: readonly Tensor[], attrs: A): Tensor[];
  /** Multiply-adds (or element operations) for one run with these concrete shapes; used for GFLOP/s. */
  cost?(inputs: readonly Shape[], attrs: A): number;
}

/** Helper that keeps the attrs type inferred at the definition site. */
export function defineOp<A>(def: OpDef<A>): OpDef<A> {
  return def;
}
