// Generates the hostile corpus (test/hostile/corpus.ts) from freshly made seeds and either writes it out as
// files (for other tools, or to look at a case) or runs it in capped workers and prints the counts table.
// Needs the compiled tests: `npm run build` (dist/) or `node scripts/run-tests.mjs --out DIR hostile`.
//
//   node scripts/make-hostile-corpus.mjs [--dist DIR] [--write OUTDIR] [--run] [--slowest N] [--filter TEXT]
//
// --write: one folder per case (the case id with "/" -> "__") holding its files, plus index.json with the
// expected outcomes. --run: runs every case (256 MiB heap cap, 2 s timeout) and prints the table, failures
// and the slowest cases. Seeds from ../shared/models (graph formats) are used when present, never written
// unless --write is given (do not commit such output).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpus } from 'node:os';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const dist = resolve(opt('--dist', 'dist'));
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const { makeSeeds } = await load('test/hostile/seeds.js');
const { makeCorpus } = await load('test/hostile/corpus.js');
const { corpusTable, judge, TIME_LIMIT_MS } = await load('test/hostile/judge.js');
const { runPool } = await load('test/hostile/pool.js');

const filter = opt('--filter', '');
const cases = (await makeCorpus(await makeSeeds())).filter((c) => c.id.includes(filter));
console.log(`${cases.length} cases`);

const outDir = opt('--write');
if (outDir) {
  const index = [];
  for (const c of cases) {
    const dir = join(outDir, c.id.replaceAll('/', '__'));
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(dir, name), bytes);
    index.push({ id: c.id, dir, format: c.format, category: c.category, parser: c.parser, main: c.main, expect: c.expect, limits: c.limits ?? null });
  }
  writeFileSync(join(outDir, 'index.json'), JSON.stringify(index, null, 1));
  console.log(`wrote ${cases.length} cases to ${outDir}`);
}

if (args.includes('--run')) {
  const results = await runPool(cases, { workers: Math.max(2, Math.min(8, cpus().length - 1)), timeoutMs: TIME_LIMIT_MS, maxOldMb: 256 });
  for (const line of corpusTable(cases, results)) console.log(line);
  let failed = 0;
  cases.forEach((c, i) => {
    const why = judge(c, results[i]);
    if (why !== undefined) {
      failed++;
      console.log(`FAIL ${c.id} [${c.category}]: ${why}`);
    }
  });
  const n = Number(opt('--slowest', '5'));
  const slow = results.map((r, i) => [r.ms, cases[i].id, r.outcome === 'error' ? r.name : r.outcome]).sort((a, b) => b[0] - a[0]).slice(0, n);
  for (const [ms, id, what] of slow) console.log(`slow ${ms.toFixed(0)} ms ${id} -> ${what}`);
  if (args.includes('--messages')) results.forEach((r, i) => console.log(`${cases[i].id}: ${r.outcome === 'error' ? `${r.name}: ${r.message}` : r.outcome}`));
  console.log(failed === 0 ? 'all cases ended as expected' : `${failed} cases failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}
