// Parent side of the fuzzers: one worker per target (capped heap), watched every 100 ms through shared
// memory; an input running longer than the time limit, or a worker dying (out of memory), is recovered from
// shared memory and reported like a failing input. Used by fuzz.test.ts (short) and scripts/fuzz.mjs (long).

import { Worker } from 'node:worker_threads';
import { decodeInput, type FuzzInput, type TargetName } from './fuzz-targets.js';
import type { FuzzReply, FuzzRequest } from './fuzz-worker.js';
import { TIME_LIMIT_MS } from './judge.js';

const WORKER_URL = new URL('./fuzz-worker.js', import.meta.url);
const SAB_BYTES = 16 + 8 * 1024 * 1024;
/** The data offset used by fuzz-worker.ts (kept here too so the parent never loads the worker module). */
const DATA_AT = 16;

export interface FuzzReport {
  readonly target: TargetName;
  readonly seed: number;
  readonly runs: number;
  readonly ms: number;
  readonly failure?: { readonly reason: string; readonly input?: FuzzInput };
}

export interface FuzzOptions {
  readonly timeMs: number;
  readonly seed: number;
  readonly maxOldMb?: number;
}

export function fuzzTarget(target: TargetName, options: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const sab = new SharedArrayBuffer(SAB_BYTES);
  const counters = new Int32Array(sab, 0, 2);
  const started = new Float64Array(sab, 8, 1);
  const lastInput = (): FuzzInput | undefined => {
    const n = Atomics.load(counters, 0);
    return n > 0 ? decodeInput(new Uint8Array(sab, DATA_AT, n).slice()) : undefined;
  };
  return new Promise((resolveReport) => {
    const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: options.maxOldMb ?? 512, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 } });
    let done = false;
    const finish = (failure?: FuzzReport['failure'], runs = Atomics.load(counters, 1)): void => {
      if (done) return;
      done = true;
      clearInterval(watch);
      void w.terminate();
      resolveReport({ target, seed: options.seed, runs, ms: performance.now() - t0, failure });
    };
    // Generous overall deadline: the budget, shrinking a failure, and seed making.
    const deadline = Date.now() + options.timeMs + 120_000;
    const watch = setInterval(() => {
      const s = started[0];
      if (s !== 0 && Date.now() - s > TIME_LIMIT_MS) finish({ reason: `an input ran longer than ${TIME_LIMIT_MS} ms (hang)`, input: lastInput() });
      else if (Date.now() > deadline) finish({ reason: 'the fuzz run did not finish (shrinking a failure took too long?)', input: lastInput() });
    }, 100);
    w.on('message', (m: FuzzReply | 'ready') => {
      if (m === 'ready') {
        const req: FuzzRequest = { target, seed: options.seed, timeMs: options.timeMs, sab };
        w.postMessage(req);
        return;
      }
      finish(m.failed ? { reason: m.reason ?? 'property failed', input: m.input ? decodeInput(m.input) : lastInput() } : undefined, m.runs);
    });
    w.on('error', (e: Error & { code?: string }) => finish({ reason: `${e.code ?? e.name}: ${e.message}`, input: lastInput() }));
    w.on('exit', (code) => finish(code === 0 ? undefined : { reason: `worker exited with ${code}`, input: lastInput() }));
  });
}
