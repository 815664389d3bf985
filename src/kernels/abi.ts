// The kernel contract. A Backend chooses a kernel for each plan step and turns a whole plan into an
// Executor. Executors own their arena; `run()` executes every step and must not allocate.

import type { ExecutionPlan, PlanStep, Slot } from '../planner/plan.js';

export interface Executor {
  /** A view where input i is written before run() (per-call copy in). */
  inputView(i: number): Float32Array;
  /** A view where output i can be read after run(). */
  outputView(i: number): Float32Array;
  run(): void;
  /** Frees backend resources (wasm memory regions). The executor is unusable afterwards. */
  dispose(): void;
}

export interface Backend {
  readonly name: string;
  /** The kernel name for this step, e.g. "js.conv2d" — recorded in the plan and shown by inspect. */
  chooseKernel(step: Omit<PlanStep, 'kernel'>): string;
  /**
   * Steps this back end runs together with the next one, given the plan's steps with their kernels chosen and the
   * plan's output slots. Optional. The planner then writes the next step's outputs from the absorbing step on
   * (their arena buffers never share memory with that step's inputs).
   */
  fuse?(steps: readonly PlanStep[], outputs: readonly Slot[]): StepFusion[];
  prepare(plan: ExecutionPlan): Executor;
}

/** One kernel that runs a plan step and the step after it (Backend.fuse). */
export interface StepFusion {
  /** Index of the step that absorbs the next one. */
  readonly step: number;
  /** Its kernel, named for both (e.g. "wasm.conv2d.direct+maxpool2x2"); the next step's kernel becomes FUSED. */
  readonly kernel: string;
}

/** The kernel name of a step that runs inside the step before it (Backend.fuse): it has no work of its own. */
export const FUSED = 'fused';

/**
 * A step kernel for arena-based JS back ends: bound once to its slots (views and packed weights made here),
 * returning the closure that runs it. The closure is what runs on every prediction.
 */
export interface JsKernel {
  readonly name: string;
  supports(step: Omit<PlanStep, 'kernel'>): boolean;
  bind(step: PlanStep, arena: Float32Array): () => void;
}
