// The kernel contract. A Backend chooses a kernel for each plan step and turns a whole plan into an
// Executor. Executors own their arena; `run()` executes every step and must not allocate.

import type { ExecutionPlan, PlanStep } from '../planner/plan.js';

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
  prepare(plan: ExecutionPlan): Executor;
}

/**
 * A step kernel for arena-based JS back ends: bound once to its slots (views and packed weights made here),
 * returning the closure that runs it. The closure is what runs on every prediction.
 */
export interface JsKernel {
  readonly name: string;
  supports(step: Omit<PlanStep, 'kernel'>): boolean;
  bind(step: PlanStep, arena: Float32Array): () => void;
}
