// The contract of a differentiable op: a training-mode forward (fast kernels, saves what backward needs) and
// a backward that maps output gradients to input gradients. One file per op in this folder, named after the
// op in src/ops/, and one line per op in ./registry.ts. The inference semantics stay in src/ops/<op>.ts;
// a forward here must equal that op's reference whenever training behaviour (dropout, batch statistics)
// is off, and the tests check exactly that.

import type { Tensor } from '../../core/tensor.js';
import type { TrainKernels } from '../kernels/types.js';

/** What a node does only while training, beyond its inference op (kept beside the graph, not in it). */
export type TrainingBehaviour =
  | { readonly kind: 'dropout'; readonly rate: number; readonly noiseShape?: readonly (number | null)[] }
  | { readonly kind: 'batchnorm'; readonly momentum: number };

/**
 * Reusable buffers keyed by purpose ("node 7 output 0"): a training step allocates nothing once the shapes
 * are known. Buffers from get() are not cleared; zeros() clears.
 */
export class Workspace {
  private readonly buffers = new Map<string, Float32Array>();

  get(key: string, n: number): Float32Array {
    let b = this.buffers.get(key);
    if (!b || b.length !== n) {
      b = new Float32Array(n);
      this.buffers.set(key, b);
    }
    return b;
  }

  zeros(key: string, n: number): Float32Array {
    const b = this.get(key, n);
    b.fill(0);
    return b;
  }

  clear(): void {
    this.buffers.clear();
  }
}

export interface OpContext {
  /** Training mode: dropout drops, batch norm uses (and updates) batch statistics. */
  readonly training: boolean;
  readonly kernels: TrainKernels;
  readonly ws: Workspace;
  /** A key unique to this node, prefix for its workspace buffers. */
  readonly key: string;
  readonly behaviour?: TrainingBehaviour;
  /** Uniform [0, 1) numbers (dropout masks); seeded by the model. */
  readonly random: () => number;
}

export interface Forward {
  readonly outputs: Tensor[];
  /** Whatever backward needs beyond inputs and outputs (masks, pre-activations, argmax indices). */
  readonly saved?: unknown;
}

export interface OpGrad<A> {
  forward(inputs: readonly Tensor[], attrs: A, ctx: OpContext): Forward;
  /**
   * Gradients of the inputs, each the input's size, or undefined where `needs[i]` is false. Output gradients
   * `dys` may be reused as input gradients (the executor never reads them again).
   */
  backward(dys: readonly Float32Array[], inputs: readonly Tensor[], fwd: Forward, attrs: A, needs: readonly boolean[], ctx: OpContext): (Float32Array | undefined)[];
}

export function defineGrad<A>(g: OpGrad<A>): OpGrad<A> {
  return g;
}
