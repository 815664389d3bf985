// Session: the mutable state around an immutable ExecutionPlan. predict() is synchronous and, after the
// first call, allocates nothing: the input is copied into the arena, the plan runs, the output is copied
// to the caller's buffer (or to a buffer the session owns and reuses).

import { ShapeError, UsageError } from '../core/errors.js';
import { shapeToString, sizeOf } from '../core/tensor.js';
import type { Graph } from '../ir/graph.js';
import type { Backend, Executor } from '../kernels/abi.js';
import type { PassReport } from '../passes/pipeline.js';
import { makePlan } from '../planner/planner.js';
import type { ExecutionPlan } from '../planner/plan.js';
import { ThreadPool, threadsConfig, type RowRunner } from './threads.js';
import { runRows } from './threads-rows.js';

/** predictBatch runs at most this many samples per plan run; larger batches are chunked. */
export const DEFAULT_MAX_BATCH = 64;

export class Session implements RowRunner {
  /** The batch-1 plan that predict() runs. */
  readonly plan: ExecutionPlan;
  /** Per-sample input and output shapes (no batch dim). */
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShapes: readonly (readonly number[])[];
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];

  /** Set when the model fixes dim 0 of its inputs (then predictBatch runs one fixed-size tensor per sample). */
  readonly fixedBatch?: number;

  private readonly exec: Executor;
  private readonly owned: Float32Array[];
  private readonly batchExecs = new Map<number, Executor>();
  /** Worker threads for large batches (back end "wasm-threads" only). */
  private readonly pool: ThreadPool | undefined;
  private closed = false;

  constructor(
    /** The optimised graph the plans are made from. */
    readonly graph: Graph,
    readonly backend: Backend,
    /** What each compiler pass changed. */
    readonly reports: readonly PassReport[] = [],
    private maxBatch = DEFAULT_MAX_BATCH,
    /** For error messages. */
    readonly file?: string,
  ) {
    this.plan = makePlan(graph, 1, backend);
    this.exec = backend.prepare(this.plan);
    // A graph whose inputs fix dim 0 (a frozen TF graph with a [100, 784] placeholder, an ONNX model with a
    // batch-1 Reshape) has no batch to vary: one "sample" is the whole fixed tensor, and predictBatch runs the
    // one plan per sample. Fixed batch 1 keeps the usual per-sample shapes (the sizes are the same), except
    // for a tensor whose dim 0 is not 1 (a Reshape of [1, 8] to [2, 4]): there dim 0 is data, not a batch.
    const fixed = graph.inputs.map((id) => graph.values[id]!.shape[0]).find((d) => d !== -1);
    this.fixedBatch = fixed;
    if (fixed !== undefined) this.maxBatch = 1;
    const perSample = (shape: readonly number[]) => (fixed === undefined || (fixed === 1 && shape[0] === 1) ? shape.slice(1) : [...shape]);
    this.inputShapes = this.plan.inputs.map((s) => perSample(s.shape));
    this.outputShapes = this.plan.outputs.map((s) => perSample(s.shape));
    this.inputSizes = this.inputShapes.map(sizeOf);
    this.outputSizes = this.outputShapes.map(sizeOf);
    this.owned = this.outputSizes.map((n) => new Float32Array(n));
    const tc = threadsConfig(backend);
    this.pool = tc && tc.threads > 1 ? new ThreadPool(graph, tc, this.plan, maxBatch, this.inputSizes, this.outputSizes, file) : undefined;
  }

  /** Threads predictBatch splits a batch of >= `minBatch` samples over (1: never split). */
  get threads(): { readonly count: number; readonly minBatch: number } {
    return { count: this.pool?.threads ?? 1, minBatch: this.pool?.minBatch ?? Number.POSITIVE_INFINITY };
  }

  /**
   * One sample through a single-input model; returns output 0. Without `output`, the returned array is
   * owned by the session and overwritten by the next call (copy it to keep it).
   */
  predict(input: Float32Array, output?: Float32Array): Float32Array {
    if (this.inputSizes.length !== 1) throw new UsageError(`model has ${this.inputSizes.length} inputs: use run([...])`, { file: this.file });
    this.check(input, 0);
    this.exec.inputView(0).set(input);
    this.exec.run();
    const out = output ?? this.owned[0];
    this.checkOut(out, 0);
    out.set(this.exec.outputView(0));
    return out;
  }

  /** One sample through every input and output. Returned arrays follow predict()'s ownership rule. */
  run(inputs: readonly Float32Array[], outputs?: Float32Array[]): Float32Array[] {
    if (inputs.length !== this.inputSizes.length) {
      throw new ShapeError(`model takes ${this.inputSizes.length} inputs, got ${inputs.length}`, { file: this.file });
    }
    for (let i = 0; i < inputs.length; i++) {
      this.check(inputs[i], i);
      this.exec.inputView(i).set(inputs[i]);
    }
    this.exec.run();
    const outs = outputs ?? this.owned;
    for (let i = 0; i < this.outputSizes.length; i++) {
      this.checkOut(outs[i], i);
      outs[i].set(this.exec.outputView(i));
    }
    return outs;
  }

  /**
   * n samples packed row-major (single-input models); returns n rows of output 0. Runs plans made for
   * batches of up to `maxBatch` (made on first use and kept).
   */
  predictBatch(input: Float32Array, n: number, output?: Float32Array): Float32Array {
    return this.runBatch([input], n, output ? [output] : undefined)[0];
  }

  /** n samples through every input and output, each packed row-major. */
  runBatch(inputs: readonly Float32Array[], n: number, outputs?: Float32Array[]): Float32Array[] {
    if (this.closed) throw new UsageError('session is closed', { file: this.file });
    if (!Number.isInteger(n) || n < 0) throw new ShapeError(`batch size must be a non-negative integer, got ${n}`, { file: this.file });
    if (inputs.length !== this.inputSizes.length) throw new ShapeError(`model takes ${this.inputSizes.length} inputs, got ${inputs.length}`, { file: this.file });
    inputs.forEach((x, i) => {
      if (!(x instanceof Float32Array) || x.length !== n * this.inputSizes[i]) {
        throw new ShapeError(`input ${i}: expected Float32Array of ${n} x ${shapeToString(this.inputShapes[i])} = ${n * this.inputSizes[i]} values, got ${describe(x)}`, { file: this.file });
      }
    });
    const outs = outputs ?? this.outputSizes.map((s) => new Float32Array(n * s));
    outs.forEach((o, i) => {
      if (!(o instanceof Float32Array) || o.length !== n * this.outputSizes[i]) throw new ShapeError(`output buffer ${i}: expected ${n * this.outputSizes[i]} floats, got ${describe(o)}`, { file: this.file });
    });
    if (this.pool && n >= this.pool.minBatch) this.pool.run(this, inputs, outs, n);
    else this.runRows(inputs, outs, 0, n);
    return outs;
  }

  /** @internal Samples [from, to) of a packed batch on this thread, in plan runs of up to maxBatch (threads-rows.ts). */
  runRows(inputs: readonly Float32Array[], outs: readonly Float32Array[], from: number, to: number): void {
    runRows(this.execFor, inputs, outs, this.inputSizes, this.outputSizes, this.maxBatch, from, to);
  }

  private readonly execFor = (b: number): Executor => (b === 1 ? this.exec : this.executorFor(b));

  /** The plan predictBatch uses for a given batch size (made on demand). */
  planFor(batch: number): ExecutionPlan {
    return batch === 1 ? this.plan : makePlan(this.graph, batch, this.backend);
  }

  close(): void {
    this.closed = true;
    this.pool?.close();
    this.exec.dispose();
    for (const e of this.batchExecs.values()) e.dispose();
    this.batchExecs.clear();
  }

  private executorFor(b: number): Executor {
    let e = this.batchExecs.get(b);
    if (!e) {
      e = this.backend.prepare(makePlan(this.graph, b, this.backend));
      this.batchExecs.set(b, e);
    }
    return e;
  }

  private check(x: Float32Array, i: number): void {
    if (this.closed) throw new UsageError('session is closed', { file: this.file });
    if (!(x instanceof Float32Array) || x.length !== this.inputSizes[i]) {
      throw new ShapeError(`input ${i}: expected Float32Array of ${shapeToString(this.inputShapes[i])} = ${this.inputSizes[i]} values, got ${describe(x)}`, { file: this.file });
    }
  }

  private checkOut(o: Float32Array | undefined, i: number): void {
    if (!(o instanceof Float32Array) || o.length !== this.outputSizes[i]) {
      throw new ShapeError(`output buffer ${i}: expected Float32Array of ${this.outputSizes[i]} values, got ${describe(o)}`, { file: this.file });
    }
  }
}

function describe(x: unknown): string {
  if (x instanceof Float32Array) return `Float32Array(${x.length})`;
  if (x === null || x === undefined) return String(x);
  if (ArrayBuffer.isView(x)) return `${x.constructor.name}(${(x as unknown as { length: number }).length})`;
  return typeof x;
}
