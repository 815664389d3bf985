// A short fuzzing budget inside `npm test`: every parser (legacy Keras HDF5, .keras zip, TF.js layers JSON,
// .npy, IDX, ONNX, frozen GraphDef, TF.js graph JSON) for a few seconds with fast-check, from a fixed seed so runs repeat. Any untyped error, error
// not naming the file, run over 2 s or worker out of memory fails. `npm run fuzz` runs longer and saves
// what it finds as corpus cases (test/hostile/findings/).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TARGET_NAMES } from './fuzz-targets.js';
import { fuzzTarget, type FuzzReport } from './fuzz-runner.js';

/** Milliseconds of fuzzing per parser in `npm test`. */
const BUDGET_MS = 3000;
const SEED = 20261128;

describe('fuzzing (short budget)', () => {
  let reports: FuzzReport[] = [];
  it(`runs every parser for ${BUDGET_MS} ms`, async (t) => {
    reports = await Promise.all(TARGET_NAMES.map((target) => fuzzTarget(target, { timeMs: BUDGET_MS, seed: SEED })));
    for (const r of reports) t.diagnostic(`${r.target.padEnd(10)} ${String(r.runs).padStart(6)} executions in ${(r.ms / 1000).toFixed(1)} s${r.failure ? `  FAILED: ${r.failure.reason}` : ''}`);
    t.diagnostic(`total ${reports.reduce((a, r) => a + r.runs, 0)} executions`);
  });
  for (const target of TARGET_NAMES) {
    it(`${target}: no input escapes the typed errors`, () => {
      const r = reports.find((x) => x.target === target);
      assert.ok(r, 'not run');
      assert.ok(r.runs > 0, 'no executions');
      assert.equal(r.failure, undefined, `${r.failure?.reason}\nreplay: npm run fuzz -- --target ${target} --seed ${SEED}`);
    });
  }
});
