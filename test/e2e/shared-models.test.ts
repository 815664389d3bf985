// Every Keras .h5/.hdf5, .keras and TF.js layers model in ../shared/models (see its MANIFEST): load, compile,
// then (a) MNIST classifiers: accuracy over the 10 000-image t10k set must equal the MANIFEST's measured
// figure (an independent numpy forward pass) within 0.05 percentage points; (b) files that ship reference
// outputs (DL4J *_inputs_and_outputs.h5, dl4j-cnn-batchnorm-tiny *.npy): max |kerasrt - Keras| <= REF_TOL;
// (c) the rest load, run on a fixed input and give finite outputs; rexhuang-bn also matches TF.js.
// Every model is also checked on a few samples against compile({ backend: 'reference' }).
// Graph models, .pb, SavedModel, ONNX and TFLite files are out of scope here (other importers).
//
// Time: a model whose 10 000 images cost more than budgetMacs() multiply-adds (by the ops' cost functions)
// is run on the first N images that fit the budget, and its predicted classes must equal the golden labels in
// test/data/mnist-golden (kerasrt's classes from a full run, written by scripts/make-mnist-goldens.mjs); the
// golden labels' own accuracy must equal the MANIFEST's figure, so the chain stays anchored to the independent
// measurement. KERASRT_E2E_FULL=1 runs all 10 000 images of every model (minutes with the plain JS kernels).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Tfjs from '@tensorflow/tfjs';
import type { Session } from '../../src/runtime/session.js';
import { mnistSplit, type MnistSplit } from '../../src/data/mnist.js';
import { rng } from '../helpers/rand.js';
import { setupTf, tf } from '../helpers/tf-oracle.js';
import { diff, fmtExp, markdownTable } from '../helpers/model-diff.js';
import {
  CASES, HAVE_SHARED, argmax, macsPerSample, openModel, readGolden, readReference, runAll, sharedPath, type Case,
} from '../helpers/shared-models.js';

/** Accuracy must match the MANIFEST's figure to this many percentage points (0.05 = 5 images of 10 000). */
const ACC_TOL_PP = 0.05;
/** Max abs diff allowed against shipped Keras outputs (numpy reproduces them to 1.7e-8 .. 4.8e-7). */
const REF_TOL = 1e-5;
/** Max abs diff allowed between the default and the reference back end on a few samples, times max(1, max |reference|). */
const BACKEND_TOL = 1e-4;
/** Max abs diff allowed against TF.js (rexhuang-bn), relative to max(1, max |TF.js|). */
const TFJS_TOL = 1e-4;
/**
 * Multiply-adds one model may spend on MNIST images by default (all 10 000 when they fit): about 3 s at the
 * ~10 GMAC/s the wasm SIMD kernels reach on this project's CI machine (2 cores), and the same time for the
 * ~40x slower plain JS kernels where WebAssembly SIMD is missing.
 */
const budgetMacs = (s: Session): number => (s.backend.name.startsWith('wasm') ? 3e10 : 7.5e8);
/** Fewest images a budgeted run evaluates. */
const MIN_IMAGES = 50;
/** A label differing from the golden one is tolerated only when kerasrt's top-2 margin is below this. */
const TIE_MARGIN = 1e-5;
// Every model runs on all 10 000 test digits (about 85 s on 2 cores): accuracy is checked against the MANIFEST's
// independent figure only, never against labels kerasrt produced itself.
const FULL = true;

interface Row {
  file: string;
  loaded: string;
  images?: number;
  accuracy?: number;
  expected?: number;
  golden?: string;
  maxAbs?: string;
  backends?: number;
  seconds: number;
  status: string;
}
const rows: Row[] = [];
let test10k: MnistSplit | undefined;

before(async () => {
  if (HAVE_SHARED) test10k = await mnistSplit('test');
});

after(() => {
  if (rows.length === 0) return;
  const table = markdownTable(
    ['file (../shared/models)', 'loaded', 'images', 'accuracy %', 'expected %', 'golden labels', 'max abs diff vs reference', 'default vs reference backend', 's', 'status'],
    rows.map((r) => [
      r.file, r.loaded, r.images === undefined ? '-' : String(r.images), r.accuracy === undefined ? '-' : r.accuracy.toFixed(2),
      r.expected === undefined ? '-' : r.expected.toFixed(2), r.golden ?? '-', r.maxAbs ?? '-', fmtExp(r.backends), r.seconds.toFixed(1), r.status,
    ]),
  );
  console.log(
    `\nshared models (accuracy: t10k /255 vs the MANIFEST within ${ACC_TOL_PP} pp, on all 10 000 images or, past the multiply-add ` +
      `budget, on the first images with labels equal to the golden ones; reference outputs: max abs diff <= ${REF_TOL}; ` +
      `backends: max abs diff <= ${BACKEND_TOL} * max(1, max |reference|); accuracy is over the 'images' evaluated)${FULL ? ' [KERASRT_E2E_FULL=1]' : ''}\n${table}\n`,
  );
});

function fixedInput(shape: readonly number[], n: number, seed: number): Float32Array {
  const r = rng(seed);
  const size = n * shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, () => r());
}

// ---------------------------------------------------------------------------------------------------------
// the tests

for (const c of CASES) {
  test(`shared model ${c.id}`, { skip: !HAVE_SHARED && 'no ../shared/models' }, async () => {
    const t0 = performance.now();
    const row: Row = { file: c.id, loaded: 'no', expected: c.accuracy, seconds: 0, status: 'FAIL' };
    rows.push(row);
    try {
      const model = await openModel(c.how).catch((e: unknown) => {
        throw new Error(`${c.id}: load failed: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
      });
      const session = model.compile();
      row.loaded = 'yes';
      assert.deepEqual([...session.inputShapes[0]], [...c.input], `${c.id}: input shape vs the MANIFEST`);
      const inSize = c.input.reduce((a, b) => a * b, 1);
      const which = c.output ?? 'first';

      // default back end vs reference back end on a few samples, every output
      const probe = c.accuracy !== undefined && test10k ? test10k.x.slice(0, 3 * inSize) : fixedInput(c.input, 3, 1234);
      const ref = model.compile({ backend: 'reference' });
      let worstBackend = 0;
      for (let k = 0; k < 3; k++) {
        const x = probe.subarray(k * inSize, (k + 1) * inSize);
        const a = session.run([x]).map((o) => Float32Array.from(o));
        const b = ref.run([x]);
        a.forEach((o, i) => {
          const d = diff(o, b[i]);
          assert.ok(d.maxAbs <= BACKEND_TOL * d.scale, `${c.id}: default vs reference backend, sample ${k}, output ${i}: max abs diff ${d.maxAbs} > ${BACKEND_TOL} * ${d.scale} at ${d.at} (${d.got} vs ${d.want})`);
          assert.ok(o.every(Number.isFinite), `${c.id}: output ${i} has non-finite values`);
          worstBackend = Math.max(worstBackend, d.maxAbs);
        });
      }
      row.backends = worstBackend;
      const status: string[] = [];

      // (b) shipped reference outputs
      if (c.reference) {
        const { x, want, n } = readReference(c.reference);
        const got = runAll(session, x, n, which);
        const d = diff(got, want);
        row.maxAbs = d.maxAbs.toExponential(1);
        console.log(`${c.id}: max abs diff vs shipped Keras predictions = ${d.maxAbs.toExponential(3)} over ${n} samples (tolerance ${REF_TOL})`);
        assert.ok(d.maxAbs <= REF_TOL, `${c.id}: max abs diff vs shipped Keras predictions ${d.maxAbs} > ${REF_TOL} at flat index ${d.at} (kerasrt ${d.got}, Keras ${d.want})`);
        status.push('ref ok');
      }

      // (c) TF.js as a second implementation on the same file
      if (c.tfjs) {
        await setupTf();
        const tfModel = await loadTfjsFromDisk(sharedPath(c.id));
        const n = 8;
        const x = test10k ? test10k.x.slice(0, n * inSize) : fixedInput(c.input, n, 5);
        const xt = tf.tensor(x, [n, ...c.input]);
        const yt = tfModel.predict(xt) as Tfjs.Tensor;
        const want = Float32Array.from(yt.dataSync() as ArrayLike<number>);
        xt.dispose();
        yt.dispose();
        tfModel.dispose();
        const got = runAll(session, x, n, which);
        const d = diff(got, want);
        row.maxAbs = `${d.maxAbs.toExponential(1)} (TF.js)`;
        console.log(`${c.id}: max abs diff vs TF.js on ${n} digits = ${d.maxAbs.toExponential(3)} (tolerance ${TFJS_TOL})`);
        assert.ok(d.maxAbs <= TFJS_TOL * d.scale, `${c.id}: max abs diff vs TF.js ${d.maxAbs} at ${d.at} (kerasrt ${d.got}, TF.js ${d.want})`);
        status.push('TF.js ok');
      }

      // (a) MNIST accuracy
      if (c.accuracy !== undefined) {
        assert.ok(test10k, 'MNIST test split');
        status.push(checkAccuracy(c, session, test10k, row));
      } else if (!c.reference) {
        // (c) no reference at all: a fixed input gives finite outputs
        const x = fixedInput(c.input, 4, 42);
        const y = runAll(session, x, 4, which);
        assert.ok(y.every(Number.isFinite), `${c.id}: non-finite outputs on a fixed input`);
        status.push('finite');
      }
      row.status = status.join(', ') || 'ok';
    } catch (e) {
      row.status = `FAIL: ${(e as Error).message.split('\n')[0].slice(0, 160)}`;
      throw e;
    } finally {
      row.seconds = (performance.now() - t0) / 1000;
    }
  });
}

/** Accuracy on all 10 000 images, or on the first ones the budget allows checked label by label against the golden ones. */
function checkAccuracy(c: Case, session: Session, data: MnistSplit, row: Row): string {
  const expected = c.accuracy as number;
  const which = c.output ?? 'first';
  const classes = session.outputShapes[which === 'last' ? session.outputShapes.length - 1 : 0].reduce((a, b) => a * b, 1);
  assert.equal(classes, 10, `${c.id}: classifier output has ${classes} values`);
  const macs = macsPerSample(session);
  const budget = budgetMacs(session);
  const n = FULL || macs * data.n <= budget ? data.n : Math.min(data.n, Math.max(MIN_IMAGES, Math.floor(budget / Math.max(1, macs))));
  row.images = n;
  const probs = runAll(session, data.x.subarray(0, n * 784), n, which);
  let correct = 0;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = argmax(probs, i * 10, 10);
    if (labels[i] === data.y[i]) correct++;
  }
  const acc = (100 * correct) / n;
  row.accuracy = acc;
  const notes: string[] = [];

  const golden = readGolden(c);
  if (golden) {
    // the golden labels are anchored to the independent measurement...
    assert.equal(golden.labels.length, data.n, `${c.id}: golden labels cover ${golden.labels.length} images`);
    let gCorrect = 0;
    for (let i = 0; i < data.n; i++) if (golden.labels.charCodeAt(i) - 48 === data.y[i]) gCorrect++;
    const gAcc = (100 * gCorrect) / data.n;
    assert.ok(Math.abs(gAcc - expected) <= ACC_TOL_PP + 1e-9, `${c.id}: golden labels score ${gAcc.toFixed(2)}%, MANIFEST measured ${expected}%`);
    // ...and kerasrt today gives the same classes (a difference is allowed only on a near-tie)
    let ties = 0;
    const diffs: string[] = [];
    for (let i = 0; i < n; i++) {
      const g = golden.labels.charCodeAt(i) - 48;
      if (labels[i] === g) continue;
      if (probs[i * 10 + labels[i]] - probs[i * 10 + g] < TIE_MARGIN) ties++;
      else diffs.push(`image ${i}: kerasrt ${labels[i]}, golden ${g}`);
    }
    assert.equal(diffs.length, 0, `${c.id}: ${diffs.length} of ${n} predicted classes differ from the golden labels: ${diffs.slice(0, 5).join('; ')}`);
    row.golden = `${n - ties}/${n} equal${ties ? `, ${ties} near-ties` : ''}`;
    notes.push(n === data.n ? 'acc ok' : `golden ok (first ${n})`);
  }
  if (n === data.n) {
    assert.ok(Math.abs(acc - expected) <= ACC_TOL_PP + 1e-9, `${c.id}: accuracy ${acc.toFixed(2)}% on the 10 000 test digits, MANIFEST measured ${expected}% (tolerance ${ACC_TOL_PP} pp)`);
    if (!golden) notes.push('acc ok');
  } else if (!golden) {
    assert.fail(`${c.id}: only ${n} of ${data.n} images fit the ${budget.toExponential(0)} multiply-add budget and there are no golden labels to check them against (run scripts/make-mnist-goldens.mjs, or KERASRT_E2E_FULL=1)`);
  }
  return notes.join(', ');
}

/** TF.js's own loader on a model.json folder on disk (through fromMemory: no file:// handler in tfjs). */
async function loadTfjsFromDisk(modelJsonPath: string): Promise<Tfjs.LayersModel> {
  const dir = modelJsonPath.slice(0, modelJsonPath.lastIndexOf('/'));
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as {
    modelTopology: { model_config?: object } & Record<string, unknown>;
    weightsManifest: { paths: string[]; weights: Tfjs.io.WeightsManifestEntry[] }[];
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const weightData = tf.io.concatenateArrayBuffers(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
  // pre-1.0 converter layout: modelTopology = { keras_version, backend, model_config, training_config }
  const topology = json.modelTopology.model_config ?? json.modelTopology;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData }));
}
