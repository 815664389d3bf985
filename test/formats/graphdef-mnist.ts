// Shared by the GraphDef, TF.js graph and ONNX model tests: the shared model folder, a FileSource over it,
// the real MNIST test set, and accuracy through the public runtime path (Model -> compile -> predict).

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { mnistSplit, type MnistSplit } from '../../src/data/mnist.js';
import { nodeFileSource } from '../../src/formats/readers/node-file-source.js';
import type { FileSource, ImportedModel } from '../../src/formats/types.js';
import { verify } from '../../src/ir/verify.js';
import { jsBackend } from '../../src/kernels/js/backend.js';
import { optimize } from '../../src/passes/pipeline.js';
import { makePlan } from '../../src/planner/planner.js';
import { Model, type CompileOptions } from '../../src/runtime/model.js';

export const MODELS = resolve(process.cwd(), '../shared/models');

export function modelSource(rel: string): FileSource {
  return nodeFileSource(resolve(MODELS, rel));
}

let test10k: Promise<MnistSplit> | undefined;
export function mnistTest(): Promise<MnistSplit> {
  test10k ??= mnistSplit('test');
  return test10k;
}

export type Preprocess = 'unit' | 'raw255' | 'pad32';

/** The 10k test images as one model input row each, preprocessed as the MANIFEST row says. */
export function prepare(d: MnistSplit, how: Preprocess): Float32Array {
  if (how === 'unit') return d.x;
  if (how === 'raw255') return Float32Array.from(d.x, (v) => Math.round(v * 255));
  const out = new Float32Array(d.n * 32 * 32);
  for (let i = 0; i < d.n; i++) {
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) out[i * 1024 + (r + 2) * 32 + c + 2] = d.x[i * 784 + r * 28 + c];
  }
  return out;
}

function argmaxAccuracy(y: Float32Array, labels: Uint8Array, classes = 10): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (y[i * classes + k] > y[i * classes + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return (100 * correct) / labels.length;
}

/**
 * Accuracy (%) over the 10k test set through Model.compile(). Graphs with a symbolic batch run in batches;
 * a fixed batch of 1 runs predict() per image; a larger fixed batch (e.g. [100, 784]) runs the compiled plan
 * directly, one file-sized batch at a time (Session strips dim 0, which such graphs do not allow).
 */
export async function mnistAccuracy(m: ImportedModel, how: Preprocess, compile: CompileOptions = {}): Promise<number> {
  verify(m.graph);
  const d = await mnistTest();
  const x = prepare(d, how);
  const per = x.length / d.n;
  const batch = m.graph.values[m.graph.inputs[0]]!.shape[0];
  if (batch > 1) {
    const { graph } = optimize(m.graph, compile.passes);
    const ex = jsBackend.prepare(makePlan(graph, 1, jsBackend));
    const y = new Float32Array(d.n * 10);
    assert.equal(d.n % batch, 0);
    for (let s = 0; s < d.n; s += batch) {
      ex.inputView(0).set(x.subarray(s * per, (s + batch) * per));
      ex.run();
      y.set(ex.outputView(0), s * 10);
    }
    return argmaxAccuracy(y, d.y);
  }
  const session = new Model(m).compile({ ...compile, passes: { verifyEach: true, ...compile.passes } });
  try {
    if (batch === -1) return argmaxAccuracy(session.runBatch([x], d.n)[0], d.y);
    const y = new Float32Array(d.n * 10);
    for (let i = 0; i < d.n; i++) y.set(session.predict(x.subarray(i * per, (i + 1) * per)), i * 10);
    return argmaxAccuracy(y, d.y);
  } finally {
    session.close();
  }
}

/** The MANIFEST figures are numpy float64 passes; float32 may flip a borderline digit or two. */
export function assertAccuracy(got: number, want: number, what: string): void {
  assert.ok(Math.abs(got - want) <= 0.03, `${what}: accuracy ${got.toFixed(2)}%, MANIFEST says ${want.toFixed(2)}%`);
}
