// Batches on worker threads over shared memory (Node). The "wasm-threads" back end is the wasm back end plus a
// thread count and a crossover batch size; a Session on it starts `threads - 1` workers, each with its own
// wasm instance and plans, and predictBatch on >= minBatch samples splits the batch: the workers' ranges go
// through a SharedArrayBuffer, the calling thread runs the first range itself, then blocks on Atomics.wait
// until every worker has signalled (the API stays synchronous). Single samples and small batches stay on the
// calling thread. Why the crossover is where it is, with numbers: docs/kernels.md ("Threads").
//
// Control block (Int32Array over a SharedArrayBuffer, one per worker): see C_* below. The main thread bumps
// C_GEN after writing a job; the worker waits on C_GEN, runs, stores the generation in C_DONE and notifies.

import { InternalError, UsageError } from '../core/errors.js';
import type { Graph } from '../ir/graph.js';
import type { Backend } from '../kernels/abi.js';
import { makeWasmBackend } from '../kernels/wasm/backend.js';
import type { WasmVariant } from '../kernels/wasm/loader.js';
import { opDef } from '../ops/registry.js';
import type { ExecutionPlan } from '../planner/plan.js';
import { splitPoints, threadSplitUnit } from './threads-rows.js';

/**
 * A batch is split only when one thread would spend at least this long on it: 6 hand-offs (a hand-off, wake-up
 * to done signal with the shared-memory copies, measured 10 us on the 2-core Zen 4: docs/kernels.md "Threads"),
 * so with a free core the split saves a third or more of the time.
 */
export const SPLIT_MIN_US = 60;
/** Per-sample time estimate for the crossover: multiply-adds at this rate (wasm SIMD, measured 15-26 G/s)... */
const EST_MACS_PER_US = 15_000;
/** ...plus this much per plan step (call, copies, tiles' fixed costs). */
const EST_STEP_US = 0.1;
/** More threads than this gain nothing on the founding models' batch sizes (and each holds a copy of the weights). */
export const MAX_THREADS = 8;

export interface ThreadsConfig {
  /** Threads a large batch is split over, the calling thread included (>= 1). */
  readonly threads: number;
  /** Batches smaller than this run on the calling thread alone; 'auto': from the model's cost (autoMinBatch). */
  readonly minBatch: number | 'auto';
  readonly variant: WasmVariant;
}

export interface ThreadsBackendOptions {
  /** Default: the machine's available parallelism, at most MAX_THREADS. */
  readonly threads?: number;
  /** Default 'auto' (autoMinBatch). */
  readonly minBatch?: number | 'auto';
}

const CONFIG = Symbol('kerasrt.threads');

/** The threads configuration of a back end made by makeThreadsBackend, else undefined. */
export function threadsConfig(b: Backend): ThreadsConfig | undefined {
  return (b as { [CONFIG]?: ThreadsConfig })[CONFIG];
}

interface WorkerThreadsModule {
  Worker: new (url: URL, options: { workerData: unknown; transferList: unknown[] }) => NodeWorker;
  MessageChannel: new () => { port1: NodePort; port2: NodePort };
  receiveMessageOnPort(port: NodePort): { message: unknown } | undefined;
}
interface NodePort {
  postMessage(v: unknown, transfer?: unknown[]): void;
  close(): void;
  unref?(): void;
}
interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', fn: (e: Error) => void): void;
}

/** node:worker_threads and node:os through process.getBuiltinModule: absent in browsers, invisible to bundlers. */
function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function') return undefined;
  return proc.getBuiltinModule(id) as T | undefined;
}

/** Whether worker threads with shared memory and Atomics.wait are available (Node >= 20.16; not browsers). */
export function threadsAvailable(): boolean {
  return builtin<WorkerThreadsModule>('node:worker_threads') !== undefined && typeof SharedArrayBuffer === 'function' && typeof Atomics?.wait === 'function';
}

function defaultThreads(): number {
  const os = builtin<{ availableParallelism?: () => number; cpus(): unknown[] }>('node:os');
  const n = os?.availableParallelism?.() ?? os?.cpus().length ?? 1;
  return Math.max(1, Math.min(MAX_THREADS, n));
}

/**
 * The wasm back end (same kernels, same plans) carrying a threads configuration that Session picks up for
 * predictBatch. Plans record "wasm-threads" as their back end.
 */
export function makeThreadsBackend(variant: WasmVariant, options: ThreadsBackendOptions = {}): Backend {
  const threads = options.threads ?? defaultThreads();
  const minBatch = options.minBatch ?? 'auto';
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`threads must be a positive integer, got ${threads}`);
  if (minBatch !== 'auto' && (!Number.isInteger(minBatch) || minBatch < 2)) throw new UsageError(`minBatch must be 'auto' or an integer >= 2, got ${minBatch}`);
  const inner = makeWasmBackend(variant);
  return {
    name: 'wasm-threads',
    chooseKernel: (step) => inner.chooseKernel(step),
    fuse: inner.fuse,
    prepare: (plan) => inner.prepare(plan),
    [CONFIG]: { threads, minBatch, variant },
  } as Backend;
}

/** Estimated µs one sample takes on one thread: the plan's multiply-adds (op costs) and steps. */
export function estimateSampleUs(plan: ExecutionPlan): number {
  let macs = 0;
  for (const st of plan.steps) {
    const cost = opDef(st.node.op).cost;
    macs += cost ? cost(st.inputs.map((s) => s.shape) as never, st.node.attrs as never) : st.outputs[0]?.size ?? 0;
  }
  return (macs / EST_MACS_PER_US + EST_STEP_US * plan.steps.length) / Math.max(1, plan.batch);
}

/** The smallest batch worth splitting for this (batch-1) plan: one thread would need >= SPLIT_MIN_US on it. */
export function autoMinBatch(plan: ExecutionPlan): number {
  return Math.max(2, Math.ceil(SPLIT_MIN_US / Math.max(1e-3, estimateSampleUs(plan))));
}

// ---- the pool ----

/** Control words. */
export const C_GEN = 0; // job generation (main bumps it to start a job)
export const C_DONE = 1; // generation of the last finished job (worker)
export const C_CMD = 2; // CMD_RUN or CMD_QUIT
export const C_START = 3; // first sample (global index) of the job
export const C_COUNT = 4; // samples in the job
export const C_STATUS = 5; // 0 ok, 1 failed (message on the port)
export const C_READY = 6; // 0 booting, 1 ready, -1 failed to start (message on the port)
export const C_BUFGEN = 7; // generation of the data buffer (a new one comes on the port)
export const C_WORDS = 8;
export const CMD_RUN = 1;
export const CMD_QUIT = 2;

/** What the worker receives (structured clone). */
export interface WorkerInit {
  readonly graph: Graph;
  readonly variant: WasmVariant;
  readonly maxBatch: number;
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  readonly control: SharedArrayBuffer;
  readonly port: unknown;
}

/** A data buffer message: inputs then outputs, `capacity` samples each. */
export interface WorkerBuffer {
  readonly data: SharedArrayBuffer;
  readonly capacity: number;
}

/** Float offsets of each input / output region in a data buffer of `capacity` samples. */
export function bufferLayout(capacity: number, inputSizes: readonly number[], outputSizes: readonly number[]): { ins: number[]; outs: number[]; floats: number } {
  let at = 0;
  const ins = inputSizes.map((s) => {
    const o = at;
    at += capacity * s;
    return o;
  });
  const outs = outputSizes.map((s) => {
    const o = at;
    at += capacity * s;
    return o;
  });
  return { ins, outs, floats: at };
}

interface WorkerHandle {
  readonly worker: NodeWorker;
  readonly ctrl: Int32Array;
  readonly port: NodePort;
  capacity: number;
  ins: Float32Array[];
  outs: Float32Array[];
  gen: number;
  failed?: string;
}

/** Runs the calling thread's share of a batch (Session). */
export interface RowRunner {
  runRows(inputs: readonly Float32Array[], outs: readonly Float32Array[], from: number, to: number): void;
}

const READY_TIMEOUT_MS = 60_000;

export class ThreadPool {
  readonly threads: number;
  readonly minBatch: number;
  private readonly workers: WorkerHandle[] = [];
  private readonly wt: WorkerThreadsModule;
  private ready = false;
  private closed = false;

  constructor(
    graph: Graph,
    config: ThreadsConfig,
    /** The batch-1 plan (for the 'auto' crossover). */
    plan: ExecutionPlan,
    private readonly maxBatch: number,
    private readonly inputSizes: readonly number[],
    private readonly outputSizes: readonly number[],
    private readonly file?: string,
  ) {
    const wt = builtin<WorkerThreadsModule>('node:worker_threads');
    if (!wt || !threadsAvailable()) throw new UsageError('backend "wasm-threads": needs Node worker threads, SharedArrayBuffer and Atomics.wait (not available here)', { file });
    this.wt = wt;
    this.threads = config.threads;
    // Ranges start at multiples of the split unit (whole GEMM tiles per thread), so fewer than two units never split.
    this.minBatch = Math.max(config.minBatch === 'auto' ? autoMinBatch(plan) : config.minBatch, 2 * threadSplitUnit(maxBatch));
    const url = new URL('./threads-worker.js', import.meta.url);
    for (let k = 1; k < config.threads; k++) {
      const control = new SharedArrayBuffer(C_WORDS * 4);
      const { port1, port2 } = new wt.MessageChannel();
      const init: WorkerInit = { graph, variant: config.variant, maxBatch, inputSizes, outputSizes, control, port: port2 };
      const worker = new wt.Worker(url, { workerData: init, transferList: [port2] });
      // Workers never keep the process alive, and block in Atomics.wait between jobs.
      worker.unref();
      port1.unref?.();
      const h: WorkerHandle = { worker, ctrl: new Int32Array(control), port: port1, capacity: 0, ins: [], outs: [], gen: 0 };
      worker.on('error', (e) => {
        h.failed = e.message;
        Atomics.store(h.ctrl, C_READY, -1);
        Atomics.notify(h.ctrl, C_READY);
        Atomics.store(h.ctrl, C_STATUS, 1);
        Atomics.store(h.ctrl, C_DONE, h.gen);
        Atomics.notify(h.ctrl, C_DONE);
      });
      this.workers.push(h);
    }
  }

  /**
   * Runs n samples: the calling thread takes the first range (through `main`), each worker one of the others.
   * Blocks until all are done. Bit-identical to running the whole batch on one thread (threads-rows.ts).
   */
  run(main: RowRunner, inputs: readonly Float32Array[], outs: readonly Float32Array[], n: number): void {
    if (this.closed) throw new UsageError('session is closed', { file: this.file });
    // As many ranges as whole split units (threads-rows.ts): fewer samples than two units stay on this thread.
    const parts = Math.min(this.workers.length + 1, Math.floor(n / threadSplitUnit(this.maxBatch)));
    if (parts < 2) {
      main.runRows(inputs, outs, 0, n);
      return;
    }
    this.waitReady();
    const pts = splitPoints(n, parts, this.maxBatch);
    while (pts.length < this.workers.length + 1) pts.push(n);
    pts.push(n);
    // Hand the workers their ranges first, so they run while this thread runs its own.
    for (let w = 0; w < this.workers.length; w++) {
      const h = this.workers[w];
      const from = pts[w + 1];
      const to = pts[w + 2];
      if (to <= from) continue;
      this.ensureCapacity(h, to - from);
      for (let i = 0; i < inputs.length; i++) h.ins[i].set(inputs[i].subarray(from * this.inputSizes[i], to * this.inputSizes[i]));
      const c = h.ctrl;
      c[C_CMD] = CMD_RUN;
      c[C_START] = from;
      c[C_COUNT] = to - from;
      c[C_STATUS] = 0;
      h.gen = (h.gen + 1) | 0;
      Atomics.store(c, C_GEN, h.gen);
      Atomics.notify(c, C_GEN);
    }
    let error: unknown;
    try {
      main.runRows(inputs, outs, 0, pts[1]);
    } catch (e) {
      error = e;
    }
    for (let w = 0; w < this.workers.length; w++) {
      const h = this.workers[w];
      const from = pts[w + 1];
      const to = pts[w + 2];
      if (to <= from) continue;
      const c = h.ctrl;
      for (;;) {
        const done = Atomics.load(c, C_DONE);
        if (done === h.gen) break;
        Atomics.wait(c, C_DONE, done);
      }
      if (c[C_STATUS] !== 0) {
        error ??= new InternalError(`batch worker ${w + 1} failed: ${this.message(h) ?? 'unknown error'}`, { file: this.file });
        continue;
      }
      for (let i = 0; i < outs.length; i++) {
        const s = this.outputSizes[i];
        outs[i].set(h.outs[i].subarray(0, (to - from) * s), from * s);
      }
    }
    if (error !== undefined) throw error;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.workers) {
      h.ctrl[C_CMD] = CMD_QUIT;
      h.gen = (h.gen + 1) | 0;
      Atomics.store(h.ctrl, C_GEN, h.gen);
      Atomics.notify(h.ctrl, C_GEN);
      h.port.close();
      void h.worker.terminate();
    }
  }

  /** Blocks until every worker has its wasm instance (first large batch only). */
  private waitReady(): void {
    if (this.ready) return;
    for (const [w, h] of this.workers.entries()) {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Atomics.load(h.ctrl, C_READY) === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new InternalError(`batch worker ${w + 1} did not start within ${READY_TIMEOUT_MS / 1000} s`, { file: this.file });
        Atomics.wait(h.ctrl, C_READY, 0, left);
      }
      if (Atomics.load(h.ctrl, C_READY) !== 1) throw new InternalError(`batch worker ${w + 1} failed to start: ${this.message(h) ?? 'unknown error'}`, { file: this.file });
    }
    this.ready = true;
  }

  private message(h: WorkerHandle): string | undefined {
    const m = this.wt.receiveMessageOnPort(h.port);
    return m ? String(m.message) : h.failed;
  }

  /** Gives the worker a data buffer for at least `samples` samples (grows by doubling; a new buffer is posted). */
  private ensureCapacity(h: WorkerHandle, samples: number): void {
    if (samples <= h.capacity) return;
    const capacity = Math.max(samples, h.capacity * 2, 16);
    const layout = bufferLayout(capacity, this.inputSizes, this.outputSizes);
    const data = new SharedArrayBuffer(layout.floats * 4);
    h.ins = layout.ins.map((o, i) => new Float32Array(data, o * 4, capacity * this.inputSizes[i]));
    h.outs = layout.outs.map((o, i) => new Float32Array(data, o * 4, capacity * this.outputSizes[i]));
    h.capacity = capacity;
    const msg: WorkerBuffer = { data, capacity };
    h.port.postMessage(msg);
    Atomics.add(h.ctrl, C_BUFGEN, 1);
  }
}
