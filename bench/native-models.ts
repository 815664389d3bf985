// The founding models end to end through kerasrt's public API (load -> compile({ backend }) -> predict), native vs
// wasm relaxed SIMD vs onnxruntime-node (1 thread; batches 1 and 2 threads) in one process, in interleaved rounds
// so a busy shared machine disturbs every path alike: µs per sequential single-sample call (each round's p50 of
// per-call wall times; best and median over rounds), and batch-64 images/s (best call).
// Run: npm run build && node dist/bench/native-models.js [--quick]   (writes bench/results/native-models.json)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { load } from '../src/index.js';
import type { BackendName } from '../src/runtime/backends.js';
import { foundingFileSource, foundingModel, type FoundingModelName } from '../src/models/founding.js';
import { setNativeThreads, nativeThreads, nativeAvailable } from '../src/kernels/native/loader.js';
import { foundingToOnnx, onnxInputDims, ONNX_INPUT, ONNX_OUTPUT } from './onnx-writer.js';
import { loadOrt } from './peers.js';

const quick = process.argv.includes('--quick');
const CALLS = quick ? 200 : 1000;
const MODELS: FoundingModelName[] = ['beginner', 'expert', 'deep-mnist'];

function images(n: number, size: number): Float32Array {
  let s = 12345;
  const d = new Float32Array(n * size);
  for (let i = 0; i < d.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    d[i] = (s >>> 8) / 2 ** 24;
  }
  return d;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Stat {
  p50us: number;
  cpuUs: number;
}

async function timeCalls(one: (x: Float32Array) => unknown, xs: Float32Array, size: number, calls: number): Promise<Stat> {
  const n = xs.length / size;
  for (let i = 0; i < Math.min(50, calls); i++) await one(xs.subarray((i % n) * size, (i % n + 1) * size));
  const per = new Float64Array(calls);
  const c0 = cpuMs();
  for (let i = 0; i < calls; i++) {
    const x = xs.subarray((i % n) * size, (i % n + 1) * size);
    const t = process.hrtime.bigint();
    await one(x);
    per[i] = Number(process.hrtime.bigint() - t) / 1e3;
  }
  const cpu = ((cpuMs() - c0) * 1e3) / calls;
  per.sort();
  return { p50us: per[calls >> 1], cpuUs: cpu };
}

/** Best images/s over `reps` timed batch-64 calls (after one untimed). */
async function timeBatch(run: () => unknown, _xs: Float32Array, reps: number): Promise<number> {
  await run();
  let best = 0;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await run();
    best = Math.max(best, (64 * 1000) / (performance.now() - t));
  }
  return best;
}

interface Path {
  readonly label: string;
  one(x: Float32Array): unknown;
  batch(threads: number): unknown;
  /** Thread counts its batch is measured with. */
  readonly batchThreads: readonly number[];
  close(): unknown;
}

const ROUNDS = quick ? 3 : 7;

async function main(): Promise<void> {
  const ort = await loadOrt();
  const results: Record<string, unknown>[] = [];
  console.log(`founding models, native vs wasm vs onnxruntime-node (node ${process.version}, ${cpus()[0]?.model}, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)})`);
  console.log(`${ROUNDS} interleaved rounds of ${CALLS} sequential calls per path; best / median over rounds of each round's p50`);
  console.log(`${'model / path'.padEnd(36)}${'best p50'.padStart(9)}${'med p50'.padStart(9)}${'cpu µs'.padStart(8)}${'vs ORT'.padStart(8)}${'b64 1t'.padStart(9)}${'b64 2t'.padStart(9)}${'vs ORT 2t'.padStart(10)}`);
  for (const name of MODELS) {
    const fm = foundingModel(name);
    const size = fm.inputShape.reduce((a, b) => a * b, 1);
    const xs = images(256, size);
    const x64 = xs.subarray(0, 64 * size);
    const model = await load(foundingFileSource(name));
    const paths: Path[] = [];
    if (ort.ok) {
      const mk = (t: number) => ort.module.InferenceSession.create(foundingToOnnx(fm), { intraOpNumThreads: t, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      const s1 = await mk(1);
      const s2 = await mk(2);
      const d1 = onnxInputDims(fm, 1);
      const d64 = onnxInputDims(fm, 64);
      paths.push({
        label: 'onnxruntime-node',
        one: async (x) => (await s1.run({ [ONNX_INPUT]: new ort.module.Tensor('float32', x, d1) }))[ONNX_OUTPUT].data,
        batch: (t) => (t === 1 ? s1 : s2).run({ [ONNX_INPUT]: new ort.module.Tensor('float32', x64, d64) }),
        batchThreads: [1, 2],
        close: async () => {
          await s1.release();
          await s2.release();
        },
      });
    }
    const backends: BackendName[] = nativeAvailable() ? ['wasm-relaxed', 'native'] : ['wasm-relaxed'];
    for (const backend of backends) {
      const session = model.compile({ backend });
      const out64 = new Float32Array(64 * session.outputSizes[0]);
      const before = backend === 'native' ? nativeThreads() : 1;
      paths.push({
        label: `kerasrt ${backend}`,
        one: (x) => session.predict(x),
        batch: (t) => {
          if (backend === 'native') setNativeThreads(t);
          session.predictBatch(x64, 64, out64);
          if (backend === 'native') setNativeThreads(before);
        },
        batchThreads: backend === 'native' ? [1, 2] : [1],
        close: () => session.close(),
      });
    }
    const p50s = paths.map(() => [] as number[]);
    const cpus_ = paths.map(() => [] as number[]);
    const b64 = paths.map((p) => p.batchThreads.map(() => [] as number[]));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < paths.length; i++) {
        const s = await timeCalls((x) => paths[i].one(x), xs, size, CALLS);
        p50s[i].push(s.p50us);
        cpus_[i].push(s.cpuUs);
        for (let j = 0; j < paths[i].batchThreads.length; j++) {
          const t = paths[i].batchThreads[j];
          b64[i][j].push(await timeBatch(() => paths[i].batch(t), x64, quick ? 2 : 4));
        }
      }
    }
    const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
    const best = (a: number[]) => Math.min(...a);
    const most = (a: number[]) => Math.max(...a);
    const ortI = paths.findIndex((p) => p.label.startsWith('onnx'));
    for (let i = 0; i < paths.length; i++) {
      const vs = ortI >= 0 ? (best(p50s[i]) / best(p50s[ortI])).toFixed(2) + 'x' : '-';
      const b1 = most(b64[i][0]);
      const b2 = paths[i].batchThreads.length > 1 ? most(b64[i][1]) : undefined;
      const ortB2 = ortI >= 0 ? most(b64[ortI][1]) : undefined;
      const vs2 = b2 !== undefined && ortB2 !== undefined ? (b2 / ortB2).toFixed(2) + 'x' : '-';
      console.log(`${`${name} / ${paths[i].label}`.padEnd(36)}${best(p50s[i]).toFixed(1).padStart(9)}${med(p50s[i]).toFixed(1).padStart(9)}${med(cpus_[i]).toFixed(1).padStart(8)}${vs.padStart(8)}${b1.toFixed(0).padStart(9)}${(b2 === undefined ? '-' : b2.toFixed(0)).padStart(9)}${vs2.padStart(10)}`);
      results.push({ model: name, path: paths[i].label, p50usBest: best(p50s[i]), p50usMedian: med(p50s[i]), cpuUsMedian: med(cpus_[i]), batch64ImgPerSec1Thread: b1, batch64ImgPerSec2Threads: b2 ?? null });
    }
    for (const p of paths) await p.close();
  }
  console.log('p50: per-call wall time; cpu: process CPU time per call, all threads (ORT runs on its own thread and spins);');
  console.log('b64: images/s at batch 64, best round, 1 and 2 threads; vs ORT: time ratio (p50) / throughput ratio (2t). Ratios < 1 / > 1 favour the row.');
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/native-models.json', JSON.stringify({ node: process.version, date: new Date().toISOString(), cpu: cpus()[0]?.model, loadAverage: loadavg(), rounds: ROUNDS, calls: CALLS, results }, null, 2));
}

await main();
