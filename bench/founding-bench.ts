// `kerasrt bench`: the founding comparison. For each founding model and each execution path: open it, check
// its outputs against kerasrt's reference back end while warming up, time sequential single-sample calls,
// then batch throughput. Everything measured in one process, in one run, on the real MNIST test images.

import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { UsageError } from '../src/core/errors.js';
import { load, type Model } from '../src/index.js';
import { mnistSplit } from '../src/data/mnist.js';
import { foundingArtifacts, foundingFileSource, foundingModel, type FoundingModel, type FoundingModelName } from '../src/models/founding.js';
import { relaxedSimdSupported, simdSupported } from '../src/kernels/wasm/index.js';
import { GcWatch, mean, percentile, planFlops, sample, timeBatches, timerOverheadNs, timeSequential, wasmPeakGflops, type Images, type Runner } from './harness.js';
import { allPaths, type BenchModel, type BenchPath, type Family } from './paths.js';
import { loadOrt, loadTfjs, loadTfjsWasm } from './peers.js';
import { ORT_1T_P50_EARLIER_US, STUDY_2017 } from './study-2017.js';
import { measureHeapGrowth, measureLoadCompile, writeArtifacts, type HeapGrowth, type LoadCompile } from './steady-state.js';
import { readTrained, trainedPath } from './trained.js';

export interface BenchOptions {
  readonly quick: boolean;
  readonly models: readonly FoundingModelName[];
  /** Keep only paths whose id contains one of these (all when empty). */
  readonly paths: readonly string[];
  /** Folder with <model>/model.json trained weights (TF.js layers format). */
  readonly trainedDir: string;
  /** Seed of the fixed-seed weights used when no trained weights are found. */
  readonly seed: number;
}

/** The knobs of one protocol (full or --quick). */
export interface Protocol {
  /** Sequential calls per loop: the study's 10000. */
  readonly calls: number;
  readonly loops: number;
  /** Warm-up calls before timing (fewer for slow paths: see warmUpMaxMs), at least warmUpMin. */
  readonly warmUpMax: number;
  readonly warmUpMin: number;
  readonly warmUpMaxMs: number;
  /** Images whose outputs are checked against the reference (during warm-up; slow paths check fewer). */
  readonly checkImages: number;
  /** Time the reference may take to compute the check outputs (fewer images when slow, never under checkMinImages). */
  readonly checkMaxMs: number;
  readonly checkMinImages: number;
  /** A loop of a slow path is cut to about this many ms (fewer calls timed, said in the output). */
  readonly loopMaxMs: number;
  readonly loopMinCalls: number;
  /** Batch sizes for throughput: 1 (from the sequential loops), `mid`, and `large`. */
  readonly midBatch: number;
  /** Timed section of the mid batch (at least one batch). */
  readonly midBatchMaxMs: number;
  /** The mid batch is skipped when one untimed + one timed batch are estimated to take longer than this. */
  readonly midBatchSkipMs: number;
  readonly largeBatch: number;
  /** The large batch (one timed call, right after the mid-batch runs) runs only when estimated to take less than this. */
  readonly largeBatchMaxMs: number;
  /** Sequential predict() calls of the heap-growth check (kerasrt's wasm and native back ends). */
  readonly heapCalls: number;
  /** Fresh processes timed for load + compile (median reported). */
  readonly loadStarts: number;
  /** Head-to-head mid-batch throughput (headToHeadIds): interleaved rounds, each path timed this long per round. */
  readonly headToHeadRounds: number;
  readonly headToHeadMs: number;
}

/**
 * The paths whose mid-batch throughput is also measured head to head, in interleaved rounds: the batch target
 * compares kerasrt's batch paths with onnxruntime-node's, and on a shared machine one sequential measurement
 * per path can land in a slow spell of one path only (this 2-vCPU box has spells of seconds where two threads
 * run no faster than one; measured: expert native batch 64, 2 threads, 22k vs 53k img/s minutes apart).
 */
export const HEAD_TO_HEAD_IDS = ['ort-1t', 'ort-2t', 'kerasrt-native', 'kerasrt-wasm-threads'] as const;

export const FULL: Protocol = {
  calls: 10000, loops: 5, warmUpMax: 300, warmUpMin: 10, warmUpMaxMs: 1000, checkImages: 1000, checkMinImages: 64, checkMaxMs: 4000,
  loopMaxMs: 1000, loopMinCalls: 10, midBatch: 64, midBatchMaxMs: 800, midBatchSkipMs: 8000, largeBatch: 10000, largeBatchMaxMs: 8000,
  heapCalls: 100000, loadStarts: 5, headToHeadRounds: 7, headToHeadMs: 300,
};

export const QUICK: Protocol = {
  calls: 1000, loops: 1, warmUpMax: 50, warmUpMin: 4, warmUpMaxMs: 150, checkImages: 50, checkMinImages: 8, checkMaxMs: 500,
  loopMaxMs: 200, loopMinCalls: 10, midBatch: 64, midBatchMaxMs: 100, midBatchSkipMs: 600, largeBatch: 1000, largeBatchMaxMs: 600,
  heapCalls: 10000, loadStarts: 1, headToHeadRounds: 3, headToHeadMs: 80,
};

/** Outputs differing from the reference by more than this are flagged (float32 softmax outputs in [0, 1]). */
export const AGREE_TOLERANCE = 1e-4;

export interface GcStats {
  readonly count: number;
  readonly ms: number;
}

export interface BatchStat {
  readonly imagesPerSec: number | null;
  /** Images in the timed section. */
  readonly images: number;
  readonly skipped?: string;
}

export interface PathRow {
  readonly id: string;
  readonly label: string;
  readonly family: Family;
  readonly how: string;
  /** ok: measured; n/a: cannot run here (reason says why); alias: another name for a measured path; error: failed. */
  readonly status: 'ok' | 'n/a' | 'alias' | 'error';
  readonly reason?: string;
  readonly openMs?: number;
  readonly warmUpCalls?: number;
  /** Calls timed per loop (the study's 10000 unless the path is slow). */
  readonly timedCalls?: number;
  readonly loops?: number;
  /** ms per 10000 sequential calls: mean loop wall time, scaled to 10000 when fewer calls were timed. */
  readonly msPer10000?: number;
  /** True when fewer calls than the protocol's were timed (a slow path). */
  readonly extrapolated?: boolean;
  readonly usP50?: number;
  readonly usP99?: number;
  readonly usMean?: number;
  readonly usMax?: number;
  /** GC pauses during the timed sequential loops. */
  readonly gc?: GcStats;
  /** GC pauses during the timed batch sections. */
  readonly gcBatch?: GcStats;
  readonly batch?: Readonly<Record<string, BatchStat>>;
  /** Largest |output - reference| over the checked images (single calls and batch rows). */
  readonly maxAbsDiff?: number;
  readonly checkedImages?: number;
  readonly agrees?: boolean;
  /** This path's ms/10000 divided by onnxruntime-node 1 thread's (same model, same run). */
  readonly timeVsOrt1t?: number | null;
  /** The model's multiply-add flops per image over the p50 call time, GFLOP/s. */
  readonly gflops?: number;
}

export interface ModelReport {
  readonly name: FoundingModelName;
  readonly weights: 'trained' | 'fixed-seed';
  readonly weightsSource: string;
  readonly params: number;
  /** Flops of one image: 2 per multiply-add of the conv / dense layers (harness.ts planFlops). */
  readonly flopsPerImage: number;
  readonly referenceAccuracy: { readonly images: number; readonly accuracy: number };
  readonly rows: readonly PathRow[];
  readonly study2017: readonly { readonly label: string; readonly msPer10000: number | null }[];
  readonly ort1tP50EarlierUs: number | null;
  /** Cold load + compile of the model file, per kerasrt back end (fresh processes). */
  readonly loadCompile: readonly LoadCompile[];
  /** Heap growth over protocol.heapCalls predictions, per kerasrt back end. */
  readonly heap: readonly HeapGrowth[];
  readonly steadyErrors: readonly string[];
  /** Mid-batch images/s of HEAD_TO_HEAD_IDS in interleaved rounds (absent when fewer than two of them ran). */
  readonly headToHead?: HeadToHead;
}

export interface HeadToHead {
  readonly batch: number;
  readonly rounds: number;
  readonly msPerRound: number;
  readonly paths: readonly { readonly id: string; readonly label: string; readonly family: Family; readonly imagesPerSec: readonly number[]; readonly median: number }[];
}

export interface BenchReport {
  readonly tool: 'kerasrt bench';
  readonly date: string;
  readonly quick: boolean;
  readonly machine: {
    readonly node: string;
    readonly v8: string;
    readonly os: string;
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    /** 1-minute load average when the run started and ended: other processes' share of the cores. */
    readonly loadAverage: { readonly start: number; readonly end: number };
    /** Register-only multiply-add peak of the wasm kernels here, GFLOP/s (harness.ts wasmPeakGflops). */
    readonly wasmPeakGflops: { readonly simd?: number; readonly relaxed?: number };
  };
  readonly peers: Readonly<Record<string, string>>;
  readonly protocol: Protocol & { readonly timerOverheadNs: number; readonly agreeTolerance: number; readonly notes: readonly string[] };
  readonly models: readonly ModelReport[];
}

export interface BenchEvents {
  /** A transient status line (redrawn in place on a terminal). */
  progress(line: string): void;
  /** A line worth keeping (weights used, missing peers). */
  note(line: string): void;
}

const PROTOCOL_NOTES = [
  'sequential: each call starts after the previous result is back; inputs are the MNIST test images in order (image i % 10000)',
  'timing: process.hrtime.bigint() around every call (p50/p99); ms/10000 is the mean loop wall time (timer reads included)',
  'warm-up: untimed calls on images 0.. before timing (count per row in the JSON); they double as the output check',
  'slow paths: loops are cut to about loopMaxMs; fewer calls are timed (shown) and ms/10000 is scaled (marked *)',
  'TF.js: tf.enableProdMode(); every call includes tf.tensor() from the Float32Array, the call, dataSync() and dispose()',
  'onnxruntime-node: run() is async, every call is awaited (the await is part of what a user pays)',
  'kerasrt: predict() is synchronous and returns the session-owned output buffer',
  'batches: images/s at batch 1 from the sequential loops; the mid batch after one untimed batch; the large batch is one timed call right after the mid-batch runs; batches estimated over budget are skipped (said)',
  'head to head: the mid batch of onnxruntime-node (1 and 2 threads), kerasrt native and wasm-threads again, in interleaved rounds (each path one untimed batch, then batches for headToHeadMs; the path order rotates per round); median images/s over the rounds, used by the batch target',
  'GC: pauses V8 reported during the timed loops are counted and shown, not removed',
];

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
}

function paramsOf(f: FoundingModel): number {
  return f.weights.reduce((n, w) => n + w.data.length, 0);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i] - b[i]);
    if (!(x <= d)) d = Number.isNaN(x) ? Infinity : x;
  }
  return d;
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

async function prepareModel(name: FoundingModelName, opts: BenchOptions, events: BenchEvents): Promise<{ bench: BenchModel; weights: 'trained' | 'fixed-seed'; source: string }> {
  const fixed = foundingModel(name, { seed: opts.seed });
  const file = trainedPath(opts.trainedDir, name);
  const trained = await readTrained(file, fixed);
  let founding: FoundingModel;
  let kerasrt: Model;
  let source: string;
  if (trained) {
    founding = trained;
    kerasrt = await load(file);
    source = file;
    events.note(`${name}: trained weights from ${file}`);
  } else {
    founding = fixed;
    kerasrt = await load(foundingFileSource(name, { seed: opts.seed }));
    source = `Glorot-uniform, seed ${opts.seed}; no trained weights at ${file}`;
    events.note(`${name}: fixed-seed weights (seed ${opts.seed}): no trained weights at ${file}; outputs are checked, accuracy is chance level`);
  }
  return { bench: { name, founding, artifacts: foundingArtifacts(founding), kerasrt, ...(trained ? { file } : {}) }, weights: trained ? 'trained' : 'fixed-seed', source };
}

/** Reference outputs (kerasrt's naive reference back end) for the first images, as many as fit in checkMaxMs. */
function referenceOutputs(m: BenchModel, images: Images, p: Protocol): Float32Array[] {
  const session = m.kerasrt.compile({ backend: 'reference' });
  const outs: Float32Array[] = [];
  const t0 = performance.now();
  while (outs.length < Math.min(p.checkImages, images.n) && (outs.length < p.checkMinImages || performance.now() - t0 < p.checkMaxMs)) {
    outs.push(Float32Array.from(session.predict(sample(images, outs.length))));
  }
  session.close();
  return outs;
}

interface Ctx {
  readonly p: Protocol;
  readonly images: Images;
  readonly ref: readonly Float32Array[];
  readonly gc: GcWatch;
  readonly events: BenchEvents;
  readonly tag: string;
}

async function measurePath(path: BenchPath, m: BenchModel, c: Ctx): Promise<PathRow> {
  const base = { id: path.id, label: path.label, family: path.family, how: path.how };
  c.events.progress(`${c.tag} ${path.label}: opening`);
  const o0 = performance.now();
  let runner: Runner | { unavailable: string };
  try {
    runner = await path.open(m);
  } catch (e) {
    return { ...base, status: 'error', reason: `open failed: ${(e as Error).message.split('\n')[0]}` };
  }
  if ('unavailable' in runner) return { ...base, status: path.aliasOf ? 'alias' : 'n/a', reason: runner.unavailable };
  const r = runner;
  const openMs = performance.now() - o0;
  try {
    return { ...base, status: 'ok', openMs, ...(await measureRunner(r, path, m, c)) };
  } catch (e) {
    return { ...base, status: 'error', reason: (e as Error).message.split('\n')[0] };
  } finally {
    await r.dispose?.();
  }
}

async function measureRunner(r: Runner, path: BenchPath, m: BenchModel, c: Ctx): Promise<Partial<PathRow>> {
  const { p, images, ref } = c;
  // Warm-up on images 0.., checking outputs against the reference as we go.
  c.events.progress(`${c.tag} ${path.label}: warm-up and output check`);
  let diff = 0;
  let checked = 0;
  const t0 = performance.now();
  const warmMs: number[] = [];
  let warm = 0;
  while (warm < p.warmUpMax && (warm < p.warmUpMin || performance.now() - t0 < p.warmUpMaxMs)) {
    const x = sample(images, warm % images.n);
    const a = performance.now();
    const y = r.kind === 'sync' ? r.one(x) : await r.one(x);
    warmMs.push(performance.now() - a);
    if (warm < ref.length) {
      diff = Math.max(diff, maxAbsDiff(y, ref[warm]));
      checked++;
    }
    warm++;
  }
  // Per-call estimate: the median of the later warm-up calls (robust to a preempted call on a busy machine).
  const later = warmMs.slice(Math.floor(warmMs.length / 2)).sort((a, b) => a - b);
  const estMs = later[later.length >> 1];

  // Sequential timing: the study's protocol, cut for slow paths.
  const calls = Math.max(1, Math.min(p.calls, Math.max(p.loopMinCalls, Math.floor(p.loopMaxMs / Math.max(estMs, 1e-6)))));
  const seq = await timeSequential(r, images, {
    calls,
    loops: p.loops,
    onLoop: (l) => c.events.progress(`${c.tag} ${path.label}: timed loop ${l + 1}/${p.loops} (${calls} calls)`),
  }, c.gc);
  const loopMean = mean(seq.loopMs);
  const msPer10000 = (loopMean * 10000) / calls;
  const usMean = (loopMean * 1000) / calls;
  const batch: Record<string, BatchStat> = { '1': { imagesPerSec: (calls / loopMean) * 1000, images: calls * p.loops } };

  // Batch throughput.
  let gcBatch = { count: 0, ms: 0 };
  const addGc = (g: GcStats) => (gcBatch = { count: gcBatch.count + g.count, ms: gcBatch.ms + g.ms });
  if (r.batch) {
    const check = (out: Float32Array, n: number) => {
      const size = out.length / n;
      for (let i = 0; i < Math.min(n, ref.length); i++) {
        diff = Math.max(diff, maxAbsDiff(out.subarray(i * size, (i + 1) * size), ref[i]));
      }
    };
    const large = Math.min(p.largeBatch, images.n);
    const estMidMs = 2 * p.midBatch * estMs;
    let perImageMs = estMs;
    if (estMidMs > p.midBatchSkipMs) {
      batch[String(p.midBatch)] = { imagesPerSec: null, images: 0, skipped: `est. ${seconds(estMidMs)}` };
    } else {
      c.events.progress(`${c.tag} ${path.label}: batch ${p.midBatch}`);
      const mid = await timeBatches(r, images, p.midBatch, images.n, p.midBatchMaxMs, c.gc, { warmUp: true, check });
      batch[String(p.midBatch)] = { imagesPerSec: mid.imagesPerSec, images: mid.images };
      perImageMs = 1000 / mid.imagesPerSec;
      addGc(mid.gc);
    }
    const estLargeMs = large * perImageMs;
    const bytes = path.wholeBatch && path.memoryLimit ? large * activationBytesPerImage(m) : 0;
    if (bytes > (path.memoryLimit ?? Infinity)) {
      batch[String(large)] = { imagesPerSec: null, images: 0, skipped: `${(bytes / 1024 ** 3).toFixed(1)} GiB of activations > ${(path.memoryLimit! / 1024 ** 3).toFixed(0)} GiB` };
    } else if (estLargeMs > p.largeBatchMaxMs) {
      batch[String(large)] = { imagesPerSec: null, images: 0, skipped: `est. ${seconds(estLargeMs)}` };
    } else {
      c.events.progress(`${c.tag} ${path.label}: batch ${large}`);
      const big = await timeBatches(r, images, large, large, 0, c.gc, { warmUp: false, check });
      batch[String(large)] = { imagesPerSec: big.imagesPerSec, images: big.images };
      addGc(big.gc);
    }
  }

  return {
    warmUpCalls: warm,
    timedCalls: calls,
    loops: p.loops,
    msPer10000,
    extrapolated: calls < p.calls,
    usP50: percentile(seq.sortedNs, 50) / 1000,
    usP99: percentile(seq.sortedNs, 99) / 1000,
    usMean,
    usMax: seq.sortedNs[seq.sortedNs.length - 1] / 1000,
    gc: seq.gc,
    gcBatch,
    batch,
    maxAbsDiff: diff,
    checkedImages: checked,
    agrees: diff <= AGREE_TOLERANCE,
  };
}

/**
 * Bytes of float32 activations of one image, every layer's input alive at once (an upper bound for a
 * whole-batch run): each layer's output is the next one's input, so summing inputs counts them all.
 */
function activationBytesPerImage(m: BenchModel): number {
  let floats = 0;
  for (const l of m.founding.config.config.layers) {
    const shape = (l as { build_config?: { input_shape: (number | null)[] } }).build_config?.input_shape;
    if (shape) floats += shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  }
  return floats * 4;
}

/** kerasrt back ends whose load + compile time and heap growth are measured (the compiled ones). */
const STEADY_BACKENDS = ['wasm-simd', 'wasm-relaxed', 'native'] as const;

/** Load + compile (fresh processes, from the model file on disk) and heap growth, for the measured compiled back ends. */
async function measureSteadyState(
  name: FoundingModelName,
  bench: BenchModel,
  rows: readonly PathRow[],
  p: Protocol,
  images: Images,
  gc: GcWatch,
  events: BenchEvents,
): Promise<Pick<ModelReport, 'loadCompile' | 'heap' | 'steadyErrors'>> {
  const backends = STEADY_BACKENDS.filter((b) => rows.some((r) => r.id === `kerasrt-${b}` && r.status === 'ok'));
  const loadCompile: LoadCompile[] = [];
  const heap: HeapGrowth[] = [];
  const steadyErrors: string[] = [];
  if (backends.length === 0) return { loadCompile, heap, steadyErrors };
  // The model file the user would load: the trained model.json, else the fixed-seed weights written out.
  const written = bench.file ? undefined : writeArtifacts(name, bench.artifacts);
  const file = bench.file ?? (written as { file: string }).file;
  try {
    for (const b of backends) {
      try {
        events.progress(`${name} · kerasrt ${b}: load + compile in ${p.loadStarts} fresh process${p.loadStarts > 1 ? 'es' : ''}`);
        loadCompile.push(measureLoadCompile(file, b, p.loadStarts));
        events.progress(`${name} · kerasrt ${b}: heap over ${p.heapCalls} predictions`);
        const session = bench.kerasrt.compile({ backend: b });
        try {
          heap.push(await measureHeapGrowth(session, b, images, p.heapCalls, gc));
        } finally {
          session.close();
        }
      } catch (e) {
        steadyErrors.push(`${b}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    written?.remove();
  }
  return { loadCompile, heap, steadyErrors };
}

/** Mid-batch throughput of the HEAD_TO_HEAD_IDS paths that ran, in interleaved rounds (see HEAD_TO_HEAD_IDS). */
async function measureHeadToHead(
  name: FoundingModelName,
  bench: BenchModel,
  paths: readonly BenchPath[],
  rows: readonly PathRow[],
  p: Protocol,
  images: Images,
  gc: GcWatch,
  events: BenchEvents,
): Promise<HeadToHead | undefined> {
  const ran = (id: string) => rows.some((r) => r.id === id && r.status === 'ok' && r.batch?.[String(p.midBatch)]?.imagesPerSec);
  const chosen = paths.filter((x) => (HEAD_TO_HEAD_IDS as readonly string[]).includes(x.id) && ran(x.id));
  if (chosen.length < 2) return undefined;
  const open: { path: BenchPath; r: Runner; rates: number[] }[] = [];
  try {
    for (const path of chosen) {
      const r = await path.open(bench);
      if ('unavailable' in r || !r.batch) continue;
      open.push({ path, r, rates: [] });
    }
    for (let round = 0; round < p.headToHeadRounds; round++) {
      events.progress(`${name}: batch ${p.midBatch} head to head, round ${round + 1}/${p.headToHeadRounds}`);
      for (let i = 0; i < open.length; i++) {
        const o = open[(i + round) % open.length];
        const t = await timeBatches(o.r, images, p.midBatch, images.n, p.headToHeadMs, gc, { warmUp: true });
        o.rates.push(t.imagesPerSec);
      }
    }
  } finally {
    for (const o of open) await o.r.dispose?.();
  }
  if (open.length < 2) return undefined;
  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return {
    batch: p.midBatch,
    rounds: p.headToHeadRounds,
    msPerRound: p.headToHeadMs,
    paths: open.map((o) => ({ id: o.path.id, label: o.path.label, family: o.path.family, imagesPerSec: o.rates, median: median(o.rates) })),
  };
}

function filterPaths(paths: BenchPath[], tokens: readonly string[]): BenchPath[] {
  if (tokens.length === 0) return paths;
  return paths.filter((p) => tokens.some((t) => p.id.includes(t)));
}

export async function runBench(opts: BenchOptions, events: BenchEvents): Promise<BenchReport> {
  const p = opts.quick ? QUICK : FULL;
  const loadStart = loadavg()[0];
  const paths = filterPaths(allPaths(), opts.paths);
  if (paths.length === 0) throw new UsageError(`--paths ${opts.paths.join(',')} matches no path (ids: ${allPaths().map((x) => x.id).join(', ')})`);
  const [tf, tfw, ort] = await Promise.all([loadTfjs(), loadTfjsWasm(), loadOrt()]);
  const peers: Record<string, string> = {};
  const noted = new Set<string>();
  for (const [name, peer] of [['@tensorflow/tfjs', tf], ['@tensorflow/tfjs-backend-wasm', tfw], ['onnxruntime-node', ort]] as const) {
    if (peer.ok) peers[name] = peer.version;
    else {
      peers[name] = 'missing';
      if (paths.some((x) => (name === 'onnxruntime-node' ? x.family === 'ort' : name.endsWith('wasm') ? x.id.startsWith('tfjs-wasm') : x.family === 'tfjs'))) {
        if (!noted.has(peer.reason)) events.note(`${peer.reason}: its rows are shown as n/a`);
        noted.add(peer.reason);
      }
    }
  }

  events.progress('loading the MNIST test images');
  const test = await mnistSplit('test');
  const images: Images = { x: test.x, n: test.n, size: 784 };
  const gc = new GcWatch();
  const timerNs = timerOverheadNs();
  events.progress('measuring the wasm SIMD multiply-add peak');
  const peak = {
    ...(simdSupported() ? { simd: wasmPeakGflops('simd') } : {}),
    ...(relaxedSimdSupported() ? { relaxed: wasmPeakGflops('relaxed') } : {}),
  };
  const models: ModelReport[] = [];
  const total = opts.models.length * paths.length;
  let done = 0;
  try {
    for (const name of opts.models) {
      events.progress(`${name}: loading the model`);
      const { bench, weights, source } = await prepareModel(name, opts, events);
      events.progress(`${name}: reference outputs`);
      const ref = referenceOutputs(bench, images, p);
      let correct = 0;
      ref.forEach((o, i) => (correct += argmax(o) === test.y[i] ? 1 : 0));
      const rows: PathRow[] = [];
      for (const path of paths) {
        done++;
        rows.push(await measurePath(path, bench, { p, images, ref, gc, events, tag: `[${done}/${total}] ${name} ·` }));
      }
      const ortRow = rows.find((r) => r.id === 'ort-1t' && r.status === 'ok');
      const refSession = bench.kerasrt.compile({ backend: 'reference' });
      const flopsPerImage = planFlops(refSession.plan);
      refSession.close();
      const withRatio = rows.map((r) => ({
        ...r,
        timeVsOrt1t: r.msPer10000 !== undefined && ortRow?.msPer10000 ? r.msPer10000 / ortRow.msPer10000 : null,
        ...(r.usP50 ? { gflops: flopsPerImage / r.usP50 / 1e3 } : {}),
      }));
      const steady = await measureSteadyState(name, bench, rows, p, images, gc, events);
      const headToHead = await measureHeadToHead(name, bench, paths, rows, p, images, gc, events);
      models.push({
        name,
        weights,
        weightsSource: source,
        params: paramsOf(bench.founding),
        flopsPerImage,
        referenceAccuracy: { images: ref.length, accuracy: correct / ref.length },
        rows: withRatio,
        study2017: STUDY_2017.filter((s) => s.model === name).map((s) => ({ label: s.label, msPer10000: s.ms })),
        ort1tP50EarlierUs: ORT_1T_P50_EARLIER_US[name] ?? null,
        ...steady,
        ...(headToHead ? { headToHead } : {}),
      });
    }
  } finally {
    gc.stop();
  }
  const cpu = cpus();
  return {
    tool: 'kerasrt bench',
    date: new Date().toISOString(),
    quick: opts.quick,
    machine: {
      node: process.version,
      v8: process.versions.v8,
      os: `${osType()} ${release()}`,
      cpu: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      loadAverage: { start: loadStart, end: loadavg()[0] },
      wasmPeakGflops: peak,
    },
    peers,
    protocol: { ...p, timerOverheadNs: timerNs, agreeTolerance: AGREE_TOLERANCE, notes: PROTOCOL_NOTES },
    models,
  };
}
