// A batch worker of ThreadPool (threads.ts): its own wasm instance and plans (the same graph, back end variant
// and chunking as the main thread), jobs and data through shared memory. Blocks in Atomics.wait between jobs;
// never returns to its event loop until told to quit. Everything that can fail is reported through the control
// block and the message port, never as an uncaught error (the main thread is blocked and could not see one).

import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Executor } from '../kernels/abi.js';
import type { WorkerBuffer, WorkerInit } from './threads.js';

const init = workerData as WorkerInit;
const port = init.port as MessagePort;
const ctrl = new Int32Array(init.control);
// Control word indices (threads.ts C_*), repeated here so this file needs no value import before the try.
const C_GEN = 0, C_DONE = 1, C_CMD = 2, C_START = 3, C_COUNT = 4, C_STATUS = 5, C_READY = 6, C_BUFGEN = 7;
const CMD_QUIT = 2;
const nap = new Int32Array(new SharedArrayBuffer(4));

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

async function main(): Promise<void> {
  let exec: (b: number) => Executor;
  let bufferLayout: typeof import('./threads.js').bufferLayout;
  let runRows: typeof import('./threads-rows.js').runRows;
  try {
    const [{ makeWasmBackend }, { makePlan }, threads, rows] = await Promise.all([
      import('../kernels/wasm/backend.js'),
      import('../planner/planner.js'),
      import('./threads.js'),
      import('./threads-rows.js'),
    ]);
    bufferLayout = threads.bufferLayout;
    runRows = rows.runRows;
    const backend = makeWasmBackend(init.variant);
    const execs = new Map<number, Executor>();
    exec = (b) => {
      let e = execs.get(b);
      if (!e) {
        e = backend.prepare(makePlan(init.graph, b, backend));
        execs.set(b, e);
      }
      return e;
    };
    // Compile the module and make the full-chunk plan now, so the first job does not pay for it.
    exec(Math.min(init.maxBatch, 64));
  } catch (e) {
    port.postMessage(describe(e));
    Atomics.store(ctrl, C_READY, -1);
    Atomics.notify(ctrl, C_READY);
    return;
  }
  Atomics.store(ctrl, C_READY, 1);
  Atomics.notify(ctrl, C_READY);

  let bufGen = 0;
  let ins: Float32Array[] = [];
  let outs: Float32Array[] = [];
  let seen = 0;
  for (;;) {
    Atomics.wait(ctrl, C_GEN, seen);
    seen = Atomics.load(ctrl, C_GEN);
    if (ctrl[C_CMD] === CMD_QUIT) break;
    try {
      while (Atomics.load(ctrl, C_BUFGEN) !== bufGen) {
        let m = receiveMessageOnPort(port);
        for (let tries = 0; !m && tries < 1000; tries++) {
          Atomics.wait(nap, 0, 0, 1); // sleep 1 ms
          m = receiveMessageOnPort(port);
        }
        if (!m) throw new Error('data buffer announced but not received');
        const { data, capacity } = m.message as WorkerBuffer;
        const layout = bufferLayout(capacity, init.inputSizes, init.outputSizes);
        ins = layout.ins.map((o, i) => new Float32Array(data, o * 4, capacity * init.inputSizes[i]));
        outs = layout.outs.map((o, i) => new Float32Array(data, o * 4, capacity * init.outputSizes[i]));
        bufGen++;
      }
      const start = ctrl[C_START];
      const count = ctrl[C_COUNT];
      runRows(exec, ins, outs, init.inputSizes, init.outputSizes, init.maxBatch, start, start + count, start, start);
      ctrl[C_STATUS] = 0;
    } catch (e) {
      port.postMessage(describe(e));
      ctrl[C_STATUS] = 1;
    }
    Atomics.store(ctrl, C_DONE, seen);
    Atomics.notify(ctrl, C_DONE);
  }
  port.close();
}

void main();
