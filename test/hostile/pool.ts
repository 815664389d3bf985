// A small pool of worker threads for hostile inputs: each worker runs with a capped V8 heap (resourceLimits),
// each input gets a wall-clock timeout; a worker that times out, runs out of memory or dies is replaced,
// and the input is recorded as a timeout / oom / crash. Cases never share a worker concurrently.

import { Worker } from 'node:worker_threads';
import type { CaseInput, CaseResult } from './run-case.js';

export interface PoolOptions {
  /** Parallel workers. */
  readonly workers: number;
  /** Per-input wall-clock limit, ms. */
  readonly timeoutMs: number;
  /** V8 old-generation cap per worker, MiB. */
  readonly maxOldMb: number;
  /** Called after each result (progress, early reporting). */
  readonly onResult?: (r: CaseResult) => void;
}

const WORKER_URL = new URL('./corpus-worker.js', import.meta.url);

function spawn(maxOldMb: number): Promise<Worker> {
  return new Promise((resolveWorker, reject) => {
    const w = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: maxOldMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 } });
    const onMsg = (m: unknown): void => {
      if (m === 'ready') {
        w.off('message', onMsg);
        w.off('error', reject);
        resolveWorker(w);
      }
    };
    w.on('message', onMsg);
    w.once('error', reject);
  });
}

function runOne(w: Worker, c: CaseInput, timeoutMs: number): Promise<{ result: CaseResult; dead: boolean }> {
  return new Promise((done) => {
    const t0 = performance.now();
    let settled = false;
    const finish = (result: CaseResult, dead: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      done({ result, dead });
    };
    const onMessage = (r: CaseResult): void => finish(r, false);
    const onError = (e: Error & { code?: string }): void =>
      finish({ id: c.id, outcome: e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crash', name: e.code ?? e.name, message: e.message, ms: performance.now() - t0 }, true);
    const onExit = (code: number): void => finish({ id: c.id, outcome: 'crash', message: `worker exited with code ${code}`, ms: performance.now() - t0 }, true);
    const timer = setTimeout(() => finish({ id: c.id, outcome: 'timeout', message: `no result after ${timeoutMs} ms`, ms: performance.now() - t0 }, true), timeoutMs);
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage(c);
  });
}

/** Runs every input; results in input order. */
export async function runPool(cases: readonly CaseInput[], options: PoolOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    let w = await spawn(options.maxOldMb);
    while (next < cases.length) {
      const i = next++;
      const { result, dead } = await runOne(w, cases[i], options.timeoutMs);
      results[i] = result;
      options.onResult?.(result);
      if (dead) {
        await w.terminate();
        w = await spawn(options.maxOldMb);
      }
    }
    await w.terminate();
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, cases.length)) }, lane));
  return results;
}
