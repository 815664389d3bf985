// The execution paths `kerasrt bench` compares, side by side: TF.js (cpu and wasm back ends) through
// predict, predictOnBatch and hand-written ops; onnxruntime-node with 1 and 2 threads; every kerasrt back end.
// Each path opens a Runner for one model, or says why it cannot ("n/a ...").

import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import type { FoundingModel, TfjsLayersArtifacts } from '../src/models/founding.js';
import type { Model } from '../src/index.js';
import { BACKEND_NAMES, resolveBackend, type BackendName } from '../src/runtime/backends.js';
import type { Runner } from './harness.js';
import { foundingToOnnx, onnxInputDims, ONNX_INPUT, ONNX_OUTPUT } from './onnx-writer.js';
import { loadOrt, loadTfjs, loadTfjsWasm, type Tf } from './peers.js';

/** What a path needs to know about the model it runs. */
export interface BenchModel {
  readonly name: string;
  /** Architecture and the weights every path uses. */
  readonly founding: FoundingModel;
  /** The same model as TF.js layers artifacts. */
  readonly artifacts: TfjsLayersArtifacts;
  /** The model as kerasrt loaded it (from the same weights). */
  readonly kerasrt: Model;
  /** The model file on disk it came from (trained weights); absent for the in-memory fixed-seed model. */
  readonly file?: string;
}

export type Family = 'tfjs' | 'ort' | 'kerasrt';

export interface BenchPath {
  readonly id: string;
  readonly label: string;
  readonly family: Family;
  /** Shown under the table: how the path is called. */
  readonly how: string;
  /**
   * True when a batch goes through in one piece (all activations of the batch alive at once); such paths
   * skip the large batch when it would not fit in memory.
   */
  readonly wholeBatch: boolean;
  /** Bytes this path can spend on activations of the large batch (whole-batch paths only). */
  readonly memoryLimit?: number;
  /** Set when this path is another name for a path already measured (its row points there). */
  readonly aliasOf?: string;
  open(m: BenchModel): Promise<Runner | { readonly unavailable: string }>;
}

const GiB = 1024 ** 3;

// ---- TF.js ----

type TfBackend = 'cpu' | 'wasm';

async function tfFor(backend: TfBackend): Promise<Tf | { unavailable: string }> {
  const peer = backend === 'wasm' ? await loadTfjsWasm() : await loadTfjs();
  if (!peer.ok) return { unavailable: `n/a (${peer.reason})` };
  const tf = peer.module;
  if (tf.getBackend() !== backend) {
    const ok = await tf.setBackend(backend);
    if (!ok) return { unavailable: `n/a (TF.js ${backend} back end failed to initialise)` };
  }
  await tf.ready();
  return tf;
}

function batchShape(m: BenchModel, n: number): number[] {
  return [n, ...m.founding.inputShape];
}

/** A layers model on the current back end, from the in-memory artifacts (no file or network I/O). */
async function tfLayersModel(tf: Tf, m: BenchModel) {
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: m.artifacts.modelTopology as never,
    weightSpecs: [...m.artifacts.weightSpecs],
    weightData: m.artifacts.weightData,
  }));
}

/** Every TF.js call pays what a user pays: a tensor from the Float32Array, the call, dataSync(), disposal. */
function tfRunner(tf: Tf, m: BenchModel, call: (x: Tensor) => Tensor, dispose: () => void): Runner {
  const one = [1, ...m.founding.inputShape];
  const run = (x: Float32Array, shape: number[]): Float32Array => {
    const t = tf.tensor(x, shape, 'float32');
    const y = call(t);
    const out = y.dataSync() as Float32Array;
    t.dispose();
    y.dispose();
    return out;
  };
  return { kind: 'sync', one: (x) => run(x, one), batch: (x, n) => run(x, batchShape(m, n)), dispose };
}

/** The model as tf ops on prebuilt weight tensors (the study's "raw TensorFlow" analogue), fused bias+activation. */
function tfRawForward(tf: Tf, m: BenchModel): { forward: (x: Tensor) => Tensor; dispose: () => void } {
  const weights = new Map<string, Tensor>();
  for (const w of m.founding.weights) weights.set(w.name, tf.tensor(w.data, [...w.shape], 'float32'));
  const get = (layer: string, v: string) => weights.get(`${layer}/${v}`) as Tensor;
  type Act = 'linear' | 'relu' | 'softmax';
  const ops: ((h: Tensor) => Tensor)[] = [];
  const fusedAct = (a: Act) => (a === 'relu' ? 'relu' : 'linear') as 'relu' | 'linear';
  const after = (a: Act) => (a === 'softmax' ? (h: Tensor) => tf.softmax(h) : undefined);
  for (const layer of m.founding.config.config.layers) {
    const name = layer.config.name;
    switch (layer.class_name) {
      case 'Conv2D': {
        const c = layer.config;
        ops.push((h) => tf.fused.conv2d({ x: h as Tensor4D, filter: get(name, 'kernel') as Tensor4D, strides: [1, 1], pad: c.padding, bias: get(name, 'bias'), activation: fusedAct(c.activation) }));
        const s = after(c.activation);
        if (s) ops.push(s);
        break;
      }
      case 'MaxPooling2D': {
        const c = layer.config;
        ops.push((h) => tf.maxPool(h as Tensor4D, c.pool_size, c.strides, c.padding));
        break;
      }
      case 'Flatten':
        ops.push((h) => tf.reshape(h, [h.shape[0], -1]));
        break;
      case 'Dense': {
        const c = layer.config;
        ops.push((h) => tf.fused.matMul({ a: h as Tensor2D, b: get(name, 'kernel') as Tensor2D, bias: get(name, 'bias'), activation: fusedAct(c.activation) }));
        const s = after(c.activation);
        if (s) ops.push(s);
        break;
      }
      case 'Activation': {
        const a = layer.config.activation;
        if (a === 'relu') ops.push((h) => tf.relu(h));
        else if (a === 'softmax') ops.push((h) => tf.softmax(h));
        break;
      }
      case 'InputLayer':
      case 'Dropout':
        break;
    }
  }
  return {
    forward: (x) => tf.tidy(() => ops.reduce((h, op) => op(h), x)),
    dispose: () => weights.forEach((t) => t.dispose()),
  };
}

function tfjsPaths(backend: TfBackend): BenchPath[] {
  const B = backend;
  const memoryLimit = B === 'wasm' ? 1 * GiB : 4 * GiB; // wasm: a 32-bit heap shared by every tensor
  return [
    {
      id: `tfjs-${B}-predict`,
      label: `TF.js ${B} predict`,
      family: 'tfjs',
      how: "model.predict(tf.tensor(x)) then dataSync(); batches go through predict's default batchSize 32",
      wholeBatch: false,
      async open(m) {
        const tf = await tfFor(B);
        if ('unavailable' in tf) return tf;
        const model = await tfLayersModel(tf, m);
        return tfRunner(tf, m, (t) => model.predict(t) as Tensor, () => model.dispose());
      },
    },
    {
      id: `tfjs-${B}-execute`,
      label: `TF.js ${B} predictOnBatch`,
      family: 'tfjs',
      how: 'model.predictOnBatch(tf.tensor(x)) then dataSync() (the K.function analogue: the whole batch at once)',
      wholeBatch: true,
      memoryLimit,
      async open(m) {
        const tf = await tfFor(B);
        if ('unavailable' in tf) return tf;
        const model = await tfLayersModel(tf, m);
        return tfRunner(tf, m, (t) => model.predictOnBatch(t) as Tensor, () => model.dispose());
      },
    },
    {
      id: `tfjs-${B}-raw`,
      label: `TF.js ${B} raw ops`,
      family: 'tfjs',
      how: 'tf.tidy over tf.fused.conv2d / maxPool / reshape / tf.fused.matMul / softmax on prebuilt weight tensors, then dataSync()',
      wholeBatch: true,
      memoryLimit,
      async open(m) {
        const tf = await tfFor(B);
        if ('unavailable' in tf) return tf;
        const raw = tfRawForward(tf, m);
        return tfRunner(tf, m, raw.forward, raw.dispose);
      },
    },
  ];
}

// ---- onnxruntime-node ----

const onnxCache = new WeakMap<FoundingModel, Uint8Array>();

/** The ONNX bytes ORT receives, written by kerasrt's exporter through bench/onnx-writer.ts (once per model). */
export function onnxBytes(m: BenchModel): Uint8Array {
  let b = onnxCache.get(m.founding);
  if (!b) {
    b = foundingToOnnx(m.founding);
    onnxCache.set(m.founding, b);
  }
  return b;
}

function ortPath(threads: number): BenchPath {
  return {
    id: `ort-${threads}t`,
    label: `onnxruntime-node ${threads} thread${threads > 1 ? 's' : ''}`,
    family: 'ort',
    how: 'InferenceSession.run (async: every call awaited), intraOpNumThreads 1 or 2, sequential execution, all graph optimisations; a new ort.Tensor per call; the model written by the kerasrt ONNX exporter via bench/onnx-writer.ts (NHWC input, as Keras)',
    wholeBatch: true,
    memoryLimit: 6 * GiB,
    async open(m) {
      const peer = await loadOrt();
      if (!peer.ok) return { unavailable: `n/a (${peer.reason})` };
      const ort = peer.module;
      const session = await ort.InferenceSession.create(onnxBytes(m), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
      const dims1 = onnxInputDims(m.founding, 1);
      const run = async (x: Float32Array, dims: number[]): Promise<Float32Array> => {
        const r = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, dims) });
        return r[ONNX_OUTPUT].data as Float32Array;
      };
      return {
        kind: 'async',
        one: (x) => run(x, dims1),
        batch: (x, n) => run(x, onnxInputDims(m.founding, n)),
        dispose: () => session.release(),
      };
    },
  };
}

// ---- kerasrt ----

const KERASRT_LABELS: Partial<Record<string, string>> = {
  reference: 'kerasrt reference JS',
  js: 'kerasrt fast JS',
  'wasm-simd': 'kerasrt wasm SIMD',
  'wasm-relaxed': 'kerasrt wasm relaxed SIMD',
};

/**
 * Rows the issue asks for that may not be built yet: each is filled by the back ends whose name matches,
 * else shown as "n/a (not built)".
 */
const EXPECTED_KERASRT: readonly { readonly label: string; readonly matches: (name: string) => boolean }[] = [
  { label: 'kerasrt wasm SIMD', matches: (n) => n.includes('wasm') && !n.includes('relax') && !n.includes('thread') },
  { label: 'kerasrt wasm relaxed SIMD', matches: (n) => n.includes('relax') },
  { label: 'kerasrt threads', matches: (n) => n.includes('thread') },
];

function kerasrtPath(backend: BackendName): BenchPath {
  return {
    id: `kerasrt-${backend}`,
    label: KERASRT_LABELS[backend] ?? `kerasrt ${backend}`,
    family: 'kerasrt',
    how: "model.compile({ backend }).predict(x): synchronous, returns the session's output buffer; batches: predictBatch(x, n, out)",
    wholeBatch: false,
    async open(m) {
      let session;
      try {
        session = m.kerasrt.compile({ backend });
      } catch (e) {
        return { unavailable: `n/a (${(e as Error).message.split('\n')[0]})` };
      }
      const outs = new Map<number, Float32Array>();
      const outSize = session.outputSizes[0];
      return {
        kind: 'sync',
        one: (x) => session.predict(x),
        batch: (x, n) => {
          let o = outs.get(n);
          if (!o) outs.set(n, (o = new Float32Array(n * outSize)));
          return session.predictBatch(x, n, o);
        },
        dispose: () => session.close(),
      };
    },
  };
}

function notBuilt(label: string): BenchPath {
  const id = `kerasrt-${label.replace(/^kerasrt /, '').replace(/\s+/g, '-').toLowerCase()}`;
  return { id, label, family: 'kerasrt', how: 'not built yet', wholeBatch: false, open: async () => ({ unavailable: 'n/a (not built)' }) };
}

/** A name that resolves to the same back end as another (e.g. "wasm" picks one wasm variant): not run twice. */
function alias(name: BackendName, of: BenchPath): BenchPath {
  return {
    id: `kerasrt-${name}`,
    label: KERASRT_LABELS[name] ?? `kerasrt ${name}`,
    family: 'kerasrt',
    how: `alias of ${of.id}`,
    wholeBatch: false,
    aliasOf: of.id,
    open: async () => ({ unavailable: `= ${of.label} (the same back end here; not run twice)` }),
  };
}

/**
 * Every kerasrt back end name except "auto", plus placeholders for the expected ones not built yet.
 * Names resolving to the same back end object are measured once, under the most specific (last) name.
 */
export function kerasrtPaths(names: readonly string[] = BACKEND_NAMES): BenchPath[] {
  const real = names.filter((n) => n !== 'auto') as BackendName[];
  const resolved = real.map((n) => {
    try {
      return resolveBackend(n);
    } catch {
      return undefined; // unavailable here: its row says why when opened
    }
  });
  const measured = new Map<BackendName, BenchPath>();
  for (let i = real.length - 1; i >= 0; i--) {
    const later = resolved[i] === undefined ? -1 : resolved.findIndex((b, j) => j > i && b === resolved[i]);
    if (later < 0) measured.set(real[i], kerasrtPath(real[i]));
  }
  const paths = real.map((n, i) => {
    const own = measured.get(n);
    if (own) return own;
    const target = real[resolved.findIndex((b, j) => j > i && b === resolved[i] && measured.has(real[j]))];
    return alias(n, measured.get(target) as BenchPath);
  });
  for (const e of EXPECTED_KERASRT) if (!real.some(e.matches)) paths.push(notBuilt(e.label));
  return paths;
}

/** All paths, in table order. */
export function allPaths(): BenchPath[] {
  return [...tfjsPaths('cpu'), ...tfjsPaths('wasm'), ortPath(1), ortPath(2), ...kerasrtPaths()];
}
