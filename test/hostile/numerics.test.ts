// Numerical robustness on every back end this machine has: softmax stays finite for logits of +-1e4 (and at
// the float32 extremes); NaN and Inf propagate as TensorFlow's do (TF.js, loading the same model.json, is the
// oracle); a batch of n gives bit-for-bit the rows of n single predictions; 1 and 2 threads agree bit for
// bit. Denormal speed is measured by bench/denormals.ts (a program, not a test).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import type { ImportedModel } from '../../src/formats/types.js';
import { artifactsToFiles, foundingArtifacts, foundingModel } from '../../src/models/founding.js';
import { optimize } from '../../src/passes/pipeline.js';
import { BACKEND_NAMES, backendAvailable, type BackendName } from '../../src/runtime/backends.js';
import { Model } from '../../src/runtime/model.js';
import { Session } from '../../src/runtime/session.js';
import { makeThreadsBackend, threadsAvailable } from '../../src/runtime/threads.js';
import { relaxedSimdSupported, simdSupported } from '../../src/kernels/wasm/loader.js';
import { setupTf, tf } from '../helpers/tf-oracle.js';
import { functionalKeras2, tfjsFilesOf, tinyCnnKeras2, type SeedWeight } from './seeds.js';

const BACKENDS = BACKEND_NAMES.filter((b) => backendAvailable(b));

function weights(specs: readonly [string, string, readonly number[]][]): SeedWeight[] {
  let s = 12345;
  return specs.map(([layer, variable, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s / 2 ** 31 - 0.5;
    });
    return { layer, variable, shape, data };
  });
}

interface Fixture {
  readonly files: Record<string, Uint8Array>;
  readonly imported: ImportedModel;
  readonly inputShape: readonly number[];
}

async function fixture(config: unknown, w: readonly SeedWeight[], inputShape: readonly number[]): Promise<Fixture> {
  const files = tfjsFilesOf(config, w);
  return { files, imported: await importModel(memoryFileSource('model.json', files)), inputShape };
}

/** TF.js rebuilding the same model.json: the oracle. */
async function tfjsPredict(f: Fixture, x: Float32Array): Promise<Float32Array> {
  await setupTf();
  const json = JSON.parse(new TextDecoder().decode(f.files['model.json'])) as { modelTopology: object; weightsManifest: { weights: never }[] };
  const m = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: f.files['weights.bin'].slice().buffer }));
  const y = m.predict(tf.tensor(x, [1, ...f.inputShape])) as tf.Tensor;
  const out = Float32Array.from(y.dataSync() as Float32Array);
  y.dispose();
  m.dispose();
  return out;
}

function compile(f: Fixture, backend: BackendName): Session {
  return new Model(f.imported).compile({ backend });
}

function fmt(a: ArrayLike<number>): string {
  return `[${Array.from(a, (v) => (Number.isFinite(v) ? v.toPrecision(6) : String(v))).join(', ')}]`;
}

/** Same NaN positions, same infinities, finite values within 1e-5 relative. */
function assertLike(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Number.isFinite(a) && Math.abs(a - e) <= 1e-5 + 1e-5 * Math.abs(e);
    assert.ok(ok, `${what}: got ${fmt(actual)}, TensorFlow.js gives ${fmt(expected)}`);
  }
}

describe('numerical robustness', async () => {
  const softmaxLayer = await fixture(
    { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Softmax', config: { name: 'sm', axis: -1, batch_input_shape: [null, 4] } }] } },
    [],
    [4],
  );
  const eye = Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
  const denseSoftmax = await fixture(
    {
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 4, activation: 'linear', use_bias: true, batch_input_shape: [null, 4] } }, { class_name: 'Activation', config: { name: 'act', activation: 'softmax' } }] },
    },
    [
      { layer: 'd', variable: 'kernel', shape: [4, 4], data: eye },
      { layer: 'd', variable: 'bias', shape: [4], data: new Float32Array(4) },
    ],
    [4],
  );
  const functional = await fixture(functionalKeras2(), weights([['a', 'kernel', [4, 3]], ['a', 'bias', [3]], ['b', 'kernel', [4, 3]], ['b', 'bias', [3]], ['out', 'kernel', [3, 2]], ['out', 'bias', [2]]]), [4]);
  const cnn = await fixture(tinyCnnKeras2(), weights([['conv2d', 'kernel', [3, 3, 1, 2]], ['conv2d', 'bias', [2]], ['dense', 'kernel', [8, 3]], ['dense', 'bias', [3]]]), [6, 6, 1]);

  const LOGITS: readonly (readonly number[])[] = [
    [1e4, -1e4, 0, 1e4],
    [-1e4, -1e4, -1e4, -1e4],
    [1e4, 1e4 - 1, 1e4 - 2, 1e4 - 3],
    [-1e4, 0, 1e4, 5e3],
    [3e38, -3e38, 0, 1],
    [-3e38, -3e38, -3e38, -3e38],
  ];
  /** Softmax in float64, max-subtracted: the exact answer the float32 result must be close to. */
  const exact = (z: readonly number[]): number[] => {
    const zf = z.map((v) => Math.fround(v));
    const m = Math.max(...zf);
    const e = zf.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };

  for (const backend of BACKENDS) {
    it(`${backend}: softmax of logits +-1e4 and +-3e38 is finite and exact`, () => {
      for (const [name, f] of [['Softmax layer', softmaxLayer], ['Dense + softmax activation', denseSoftmax]] as const) {
        const s = compile(f, backend);
        for (const z of LOGITS) {
          const y = s.predict(Float32Array.from(z));
          const want = exact(z);
          assert.ok(y.every(Number.isFinite), `${name} ${fmt(z)}: ${fmt(y)} is not finite`);
          y.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-6, `${name} ${fmt(z)}: ${fmt(y)} vs ${fmt(want)}`));
        }
        s.close();
      }
    });
  }

  const NAN_INPUTS: readonly (readonly number[])[] = [
    [NaN, 0, 0, 0],
    [Infinity, 0, 0, 0],
    [-Infinity, 1, 2, 3],
    [Infinity, -Infinity, 0, 0],
    [1e30, 1, 1, 1],
  ];
  it('NaN and Inf propagate through Dense / ReLU / tanh / Add / softmax as in TensorFlow.js, on every back end', async () => {
    for (const x of NAN_INPUTS) {
      const want = await tfjsPredict(functional, Float32Array.from(x));
      for (const backend of BACKENDS) {
        const s = compile(functional, backend);
        assertLike(s.predict(Float32Array.from(x)), want, `${backend} ${fmt(x)}`);
        s.close();
      }
    }
  });

  const pixels = (nan: readonly number[], value = NaN): Float32Array => {
    const x = Float32Array.from({ length: 36 }, (_, i) => 0.5 + i / 100);
    for (const p of nan) x[p] = value;
    return x;
  };
  it('NaN / Inf reaching every pooled value propagates through Conv2D / ReLU / MaxPooling2D / Dense as in TensorFlow.js', async () => {
    for (const [name, x] of [['NaN at the centre', pixels([14])], ['NaN in a whole window', pixels([0, 1, 6, 7, 14])], ['Inf at the centre', pixels([14], Infinity)]] as const) {
      const want = await tfjsPredict(cnn, x);
      for (const backend of BACKENDS) {
        const s = compile(cnn, backend);
        assertLike(s.predict(x), want, `${backend} ${name}`);
        s.close();
      }
    }
  });

  it('a NaN beside finite values in a max-pooling window is dropped, as TensorFlow (CPU) and TensorFlow.js drop it', async () => {
    const x = pixels([0]);
    const want = await tfjsPredict(cnn, x);
    assert.ok(want.every(Number.isFinite), `TF.js drops the NaN: ${fmt(want)}`);
    for (const backend of BACKENDS) {
      const s = compile(cnn, backend);
      assertLike(s.predict(x), want, `${backend} NaN in one pooled window`);
      s.close();
    }
  });

  // ---------- batch 1 vs batch 8, 1 vs 2 threads: bit for bit ----------

  const foundings = await Promise.all(
    (['beginner', 'expert'] as const).map(async (name) => {
      const m = foundingModel(name, { biases: 'uniform' });
      const files = artifactsToFiles(foundingArtifacts(m));
      return { name, f: { files, imported: await importModel(memoryFileSource('model.json', files)), inputShape: m.inputShape } as Fixture };
    }),
  );
  // A 1x1 conv is one GEMM over batch x 5x5 pixels (im2col), so a sample's rows fall at a different place in the
  // row tiles in every batch; K = 200 channels takes the blocked sum order (step-encoding.ts KSPLIT_*), and 12
  // filters an 8-wide and a 4-wide weight panel.
  const pointwise = await fixture(
    {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          { class_name: 'Conv2D', config: { name: 'pw', filters: 12, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'relu', use_bias: true, batch_input_shape: [null, 5, 5, 200] } },
          { class_name: 'Flatten', config: { name: 'flat' } },
          { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'linear', use_bias: true } },
        ],
      },
    },
    weights([['pw', 'kernel', [1, 1, 200, 12]], ['pw', 'bias', [12]], ['d', 'kernel', [300, 3]], ['d', 'bias', [3]]]),
    [5, 5, 200],
  );
  const fixtures: readonly [string, Fixture][] = [['functional', functional], ['tiny CNN', cnn], ['pointwise CNN', pointwise], ...foundings.map((x) => [x.name, x.f] as [string, Fixture])];

  const batchInput = (size: number, n: number): Float32Array => {
    let s = 7;
    return Float32Array.from({ length: size * n }, () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s / 2 ** 31;
    });
  };
  const sameBits = (a: Float32Array, b: Float32Array): boolean => {
    const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
    const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  };

  /** Largest distance in units in the last place between two float32 arrays. */
  const maxUlp = (a: Float32Array, b: Float32Array): number => {
    const x = new Int32Array(a.buffer, a.byteOffset, a.length);
    const y = new Int32Array(b.buffer, b.byteOffset, b.length);
    let m = 0;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] < 0 ? 0x80000000 - x[i] : x[i]) - (y[i] < 0 ? 0x80000000 - y[i] : y[i])));
    return m;
  };
  // Every GEMM output is summed in an order fixed by K alone (step-encoding.ts KSPLIT_*), whichever kernel
  // computes it: batch sizes with every remainder modulo the row tiles (4 rows in wasm, 4 / 6 / 8 native) put
  // rows in the one-row kernel, in partial tiles and in full ones.
  const BATCHES = [8, 7, 13] as const;
  for (const backend of BACKENDS) {
    it(`${backend}: predictBatch(n) rows are bit-identical to n predict() calls (n = ${BATCHES.join(', ')})`, (t) => {
      const diffs: string[] = [];
      for (const [name, f] of fixtures) {
        const s = compile(f, backend);
        const size = s.inputSizes[0];
        const out = s.outputSizes[0];
        let ulp = 0;
        for (const n of BATCHES) {
          const x = batchInput(size, n);
          const batch = s.predictBatch(x, n).slice();
          for (let r = 0; r < n; r++) {
            const one = s.predict(x.subarray(r * size, (r + 1) * size)).slice();
            ulp = Math.max(ulp, maxUlp(one, batch.subarray(r * out, (r + 1) * out)));
          }
        }
        diffs.push(`${name} ${ulp} ulp`);
        s.close();
      }
      t.diagnostic(`batch n vs batch 1, largest difference: ${diffs.join(', ')}`);
      assert.ok(diffs.every((d) => d.endsWith(' 0 ulp')), diffs.join(', '));
    });
  }

  it('1 and 2 threads give bit-identical batches (wasm-threads)', { skip: !(simdSupported() && threadsAvailable()) && 'no wasm SIMD or threads here' }, () => {
    const variant = relaxedSimdSupported() ? 'relaxed' : 'simd';
    for (const [name, f] of fixtures) {
      const { graph } = optimize(f.imported.graph);
      const one = new Session(graph, makeThreadsBackend(variant, { threads: 1, minBatch: 2 }));
      const two = new Session(graph, makeThreadsBackend(variant, { threads: 2, minBatch: 2 }));
      const x = batchInput(one.inputSizes[0], 8);
      const a = one.predictBatch(x, 8);
      const b = two.predictBatch(x, 8);
      assert.ok(sameBits(a, b), `${name}: 1 thread ${fmt(a.subarray(0, 4))}... vs 2 threads ${fmt(b.subarray(0, 4))}...`);
      one.close();
      two.close();
    }
  });
});
