// Worker side of the hostile-corpus pool: runs the cases it is sent, one at a time, and posts the results.
// Started with resourceLimits by pool.ts; a case that hangs or exhausts memory takes the worker down with it.

import { parentPort } from 'node:worker_threads';
import { runCase, type CaseInput } from './run-case.js';

const port = parentPort;
if (port) {
  port.on('message', (c: CaseInput) => {
    void runCase(c).then((r) => port.postMessage(r));
  });
  port.postMessage('ready');
}
