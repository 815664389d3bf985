// Measures what a worker-thread hand-off costs and from which batch size splitting predictBatch over threads
// pays, for the founding models on the wasm back end: per batch size n, µs per predictBatch call on one thread
// and split over `--threads` threads (min of several runs: the machine is shared). The hand-off cost is the
// beginner model's threaded time at n = 8 minus its one-thread time at n = 4 (the calling thread's share):
// the worker's own 4 samples take ~3 µs, so the rest is wake-up, shared-memory copies and the wait.
// Run: npm run build && node dist/bench/threads-crossover.js [--threads 2] [--quick] [--budget-ms 600] [--sizes 1,2,4,8]
// Prints a table; writes bench/results/threads-crossover.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { load } from '../src/index.js';
import { Session } from '../src/runtime/session.js';
import { autoMinBatch, estimateSampleUs, makeThreadsBackend } from '../src/runtime/threads.js';
import { relaxedSimdSupported } from '../src/kernels/wasm/loader.js';
import { foundingFileSource, type FoundingModelName } from '../src/models/founding.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--threads');
const threads = at >= 0 ? Number(argv[at + 1]) : 2;
const quick = argv.includes('--quick');
const bi = argv.indexOf('--budget-ms');
/** Time per (model, size, path): the minimum of as many runs as fit (a shared machine needs long budgets). */
const BUDGET_MS = bi >= 0 ? Number(argv[bi + 1]) : quick ? 150 : 600;
const si = argv.indexOf('--sizes');
const variant = relaxedSimdSupported() ? 'relaxed' : 'simd';
const SIZES = si >= 0 ? argv[si + 1].split(',').map(Number) : [1, 2, 4, 8, 12, 16, 24, 32, 64, 128, 256];

function timeMin(fn: () => void, budgetMs: number): number {
  fn();
  let best = Infinity;
  const t0 = performance.now();
  let runs = 0;
  while (runs < 5 || (performance.now() - t0 < budgetMs && runs < 20000)) {
    const a = performance.now();
    fn();
    best = Math.min(best, performance.now() - a);
    runs++;
  }
  return best * 1e3;
}

interface Row {
  model: string;
  n: number;
  oneUs: number;
  threadedUs: number;
  speedup: number;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  console.log(`node ${process.version}, wasm ${variant}, ${threads} threads (the calling thread + ${threads - 1} worker${threads > 2 ? 's' : ''})`);
  for (const name of ['beginner', 'expert', 'deep-mnist'] as FoundingModelName[]) {
    const model = await load(foundingFileSource(name, { biases: 'uniform' }));
    const one = model.compile({ backend: variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd' });
    // Threads on from n = 2 so every size is measured split.
    const split = new Session(one.graph, makeThreadsBackend(variant, { threads, minBatch: 2 }), [], 64);
    const size = one.inputSizes[0];
    console.log(`${name}: estimated ${estimateSampleUs(one.plan).toFixed(1)} µs per sample; "wasm-threads" splits batches of >= ${autoMinBatch(one.plan)}`);
    const maxN = name === 'deep-mnist' && quick ? 64 : SIZES[SIZES.length - 1];
    const x = new Float32Array(maxN * size).map((_, i) => ((i * 7919) % 256) / 255);
    for (const n of SIZES) {
      if (n > maxN) break;
      const xs = x.subarray(0, n * size);
      const out = new Float32Array(n * one.outputSizes[0]);
      const budget = BUDGET_MS;
      const oneUs = timeMin(() => one.predictBatch(xs, n, out), budget);
      const threadedUs = n >= 2 ? timeMin(() => split.predictBatch(xs, n, out), budget) : oneUs;
      rows.push({ model: name, n, oneUs, threadedUs, speedup: oneUs / threadedUs });
      console.log(`${name.padEnd(11)} n ${String(n).padStart(4)}  1 thread ${oneUs.toFixed(1).padStart(9)} µs   ${threads} threads ${threadedUs.toFixed(1).padStart(9)} µs   x${(oneUs / threadedUs).toFixed(2)}`);
    }
    split.close();
    one.close();
  }
  const b4 = rows.find((r) => r.model === 'beginner' && r.n === 4);
  const b8 = rows.find((r) => r.model === 'beginner' && r.n === 8);
  const handOff = b4 && b8 ? b8.threadedUs - b4.oneUs : NaN;
  console.log(`\nhand-off cost (beginner: ${threads} threads at n = 8 minus 1 thread at n = 4): ${handOff.toFixed(1)} µs`);
  for (const m of ['beginner', 'expert', 'deep-mnist']) {
    const gain = rows.filter((r) => r.model === m && r.n >= 2).find((r) => r.speedup > 1.05);
    console.log(`${m}: threads first gain (> 5%) at n = ${gain?.n ?? 'never (up to the sizes measured)'}`);
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/threads-crossover.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), variant, threads, handOffUs: handOff, rows }, null, 1));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
