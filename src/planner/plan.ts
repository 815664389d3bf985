// The ExecutionPlan: the immutable result of compilation for one batch size. Every tensor has its place
// (a constant, or an offset in the one arena); every step names the kernel that will run it.

import type { Node } from '../ir/graph.js';

export interface Slot {
  readonly value: number;
  readonly name: string;
  /** Concrete shape, batch included. */
  readonly shape: readonly number[];
  readonly size: number;
  /** Offset in floats into the arena; -1 for constants. */
  readonly offset: number;
  /** Constant data (weights), absent for arena tensors. */
  readonly data?: Float32Array;
}

export interface PlanStep {
  readonly node: Node;
  /** The chosen kernel, e.g. "js.dense" or "reference.lstm". */
  readonly kernel: string;
  readonly inputs: readonly Slot[];
  readonly outputs: readonly Slot[];
}

export interface ExecutionPlan {
  readonly batch: number;
  readonly backend: string;
  readonly steps: readonly PlanStep[];
  /** Arena size in floats. */
  readonly arenaSize: number;
  readonly inputs: readonly Slot[];
  readonly outputs: readonly Slot[];
  /** Bytes of constants the plan reads (weights after folding). */
  readonly constantBytes: number;
}
