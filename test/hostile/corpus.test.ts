// The hostile corpus (corpus.ts) run in worker threads with a 256 MiB heap cap and a 2 s timeout per case:
// every case must end in a typed error of its expected class that names the file, or in the documented
// success (NaN/Inf weights load and propagate). Prints the counts per format and category.

import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { describe, it } from 'node:test';
import { makeCorpus, type HostileCase } from './corpus.js';
import { TIME_LIMIT_MS, corpusTable, judge } from './judge.js';
import { runPool } from './pool.js';
import type { CaseResult } from './run-case.js';
import { makeSeeds } from './seeds.js';

describe('hostile corpus', async () => {
  const seeds = await makeSeeds();
  const cases = await makeCorpus(seeds);
  let results: CaseResult[] = [];

  it('has at least 200 cases over every format', () => {
    assert.ok(cases.length >= 200, `only ${cases.length} cases`);
    for (const f of ['tfjs-layers', 'keras-h5', 'keras-json+h5', 'keras-v3', 'npy', 'idx', 'onnx', 'graphdef', 'tfjs-graph'] as const) {
      assert.ok(cases.some((c) => c.format === f), `no ${f} cases`);
    }
  });

  it('runs every case in a capped worker', async (t) => {
    results = await runPool(cases, { workers: Math.max(2, Math.min(4, cpus().length - 1)), timeoutMs: TIME_LIMIT_MS, maxOldMb: 256 });
    for (const line of corpusTable(cases, results)) t.diagnostic(line);
  });

  const byFormat = new Map<string, HostileCase[]>();
  for (const c of cases) byFormat.set(c.format, [...(byFormat.get(c.format) ?? []), c]);
  for (const [format, list] of byFormat) {
    it(`${format}: ${list.length} cases end as expected`, () => {
      const failures: string[] = [];
      for (const c of list) {
        const r = results[cases.indexOf(c)];
        assert.ok(r, `no result for ${c.id}`);
        const why = judge(c, r);
        if (why !== undefined) failures.push(`${c.id} [${c.category}]: ${why}`);
      }
      assert.deepEqual(failures, [], `${failures.length} of ${list.length} ${format} cases failed:\n${failures.join('\n')}`);
    });
  }
});
