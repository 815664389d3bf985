// Worker side of the fuzzers: runs one target with fast-check for a time budget. Before each execution the
// input is written to shared memory with its start time, so the parent can recover an input that hangs or
// exhausts the worker's memory; results are judged as corpus cases are (judge.ts).

import fc from 'fast-check';
import { parentPort } from 'node:worker_threads';
import { asCase, decodeInput, encodeInput, TARGETS, type FuzzInput, type TargetName } from './fuzz-targets.js';
import { judge } from './judge.js';
import { runCase } from './run-case.js';
import { makeSeeds } from './seeds.js';

export interface FuzzRequest {
  readonly target: TargetName;
  readonly seed: number;
  readonly timeMs: number;
  /** [0] input length, [1] executions (Int32); [8..16) start time of the running input (Float64); then the input. */
  readonly sab: SharedArrayBuffer;
}

export interface FuzzReply {
  readonly runs: number;
  readonly failed: boolean;
  readonly reason?: string;
  /** The shrunk failing input, encoded. */
  readonly input?: Uint8Array;
}

export const SAB_DATA_OFFSET = 16;

const port = parentPort;
if (port) {
  port.on('message', (req: FuzzRequest) => {
    void run(req).then((r) => port.postMessage(r));
  });
  port.postMessage('ready');
}

async function run(req: FuzzRequest): Promise<FuzzReply> {
  const target = TARGETS[req.target];
  const seeds = await makeSeeds({ shared: false });
  const counters = new Int32Array(req.sab, 0, 2);
  const started = new Float64Array(req.sab, 8, 1);
  const data = new Uint8Array(req.sab, SAB_DATA_OFFSET);
  let reason: string | undefined;
  const details = await fc.check(
    fc.asyncProperty(target.arbitrary(seeds), async (input: FuzzInput) => {
      const bytes = encodeInput(input);
      if (bytes.length <= data.length) {
        data.set(bytes);
        Atomics.store(counters, 0, bytes.length);
      }
      started[0] = Date.now();
      const r = await runCase({ id: 'fuzz', ...input });
      started[0] = 0;
      Atomics.add(counters, 1, 1);
      const why = judge(asCase(target, input), r);
      if (why !== undefined) {
        reason = why;
        return false;
      }
      return true;
    }),
    { seed: req.seed, numRuns: 1e9, interruptAfterTimeLimit: req.timeMs, markInterruptAsFailure: false },
  );
  const ce = details.counterexample?.[0] as FuzzInput | undefined;
  return { runs: Atomics.load(counters, 1), failed: details.failed, reason: reason ?? details.errorInstance?.toString(), input: ce ? encodeInput(ce) : undefined };
}

export { decodeInput };
