// `kerasrt convert` end to end (files written to a temp folder, read back by onnxruntime-node and kerasrt),
// and the benchmark's ONNX models (bench/onnx-writer.ts, now written by the exporter) against kerasrt.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { main } from '../../src/cli/main.js';
import { load } from '../../src/index.js';
import { FOUNDING_MODEL_NAMES, foundingFileSource, foundingModel } from '../../src/models/founding.js';
import { parseOnnx } from '../../src/formats/onnx/import.js';
import { foundingToOnnx, onnxInputDims, ONNX_INPUT, ONNX_OUTPUT } from '../../bench/onnx-writer.js';
import { HAVE_SHARED, sharedPath } from '../helpers/shared-models.js';
import { rng } from '../helpers/rand.js';

const TOL = 1e-4;
const dir = mkdtempSync(join(tmpdir(), 'kerasrt-convert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m / scale;
}

function pixels(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r());
}

test('bench ONNX models (exporter via bench/onnx-writer.ts) match kerasrt; NHWC input, no Transpose at the input', async () => {
  for (const name of FOUNDING_MODEL_NAMES) {
    const fm = foundingModel(name, { biases: 'uniform' });
    const bytes = foundingToOnnx(fm);
    const ops = parseOnnx(bytes, name).graph?.node?.map((n) => n.opType) ?? [];
    // One-channel NHWC -> NCHW is a Reshape; the only Transpose is NCHW -> NHWC before the Keras flatten.
    assert.ok(ops.filter((o) => o === 'Transpose').length <= 1, `${name}: ${ops.join(' ')}`);
    const session = (await load(foundingFileSource(name, { biases: 'uniform' }))).compile();
    const n = 4;
    const x = pixels(n * fm.inputShape.reduce((a, b) => a * b, 1), 3);
    const want = session.predictBatch(x, n);
    const s = await ort.InferenceSession.create(bytes);
    const got = (await s.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, onnxInputDims(fm, n)) }))[ONNX_OUTPUT].data as Float32Array;
    await s.release();
    assert.ok(relDiff(got, want) <= TOL, `${name}: ${relDiff(got, want)}`);
  }
});

test('convert: Keras .h5 -> .onnx runs in onnxruntime-node like kerasrt', { skip: !HAVE_SHARED && 'no ../shared/models' }, async () => {
  const src = sharedPath('keras-h5/c3nz-keras224-cnn/mnist.h5');
  const out = join(dir, 'c3nz.onnx');
  const r = await cli('convert', src, '--to', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /ONNX opset 13/);
  assert.match(r.err, /outputs match the source/);
  const session = (await load(src)).compile();
  const x = pixels(3 * 784, 5);
  const want = session.predictBatch(x, 3);
  const s = await ort.InferenceSession.create(new Uint8Array(readFileSync(out)));
  const got = (await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', x, [3, 28, 28, 1]) }))[s.outputNames[0]].data as Float32Array;
  await s.release();
  assert.ok(relDiff(got, want) <= TOL);
});

test('convert: .keras -> .h5 -> TF.js layers -> .keras, each checked by reading it back', { skip: !HAVE_SHARED && 'no ../shared/models' }, async () => {
  const src = sharedPath('keras-v3/moonflower-keras311-cnn/mnist_model.keras');
  for (const [from, to] of [
    [src, join(dir, 'moon.h5')],
    [join(dir, 'moon.h5'), join(dir, 'moon_tfjs')],
    [join(dir, 'moon_tfjs', 'model.json'), join(dir, 'moon.keras')],
  ]) {
    const r = await cli('convert', from, '--to', to);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /outputs match the source/);
  }
  assert.ok(existsSync(join(dir, 'moon.keras')));
});

test('convert: clear errors (graph -> Keras, unknown extension, missing --to, bad opset)', { skip: !HAVE_SHARED && 'no ../shared/models' }, async () => {
  const pb = sharedPath('tf-frozen/akinobu123-tf1-mlp/mnist.pb');
  let r = await cli('convert', pb, '--to', join(dir, 'x.keras'));
  assert.equal(r.code, 1);
  assert.match(r.err, /UnsupportedFeatureError: .*graphdef.*Convert it to \.onnx instead/);
  r = await cli('convert', pb, '--to', join(dir, 'x.txt'));
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot tell the output format/);
  r = await cli('convert', pb);
  assert.equal(r.code, 2);
  r = await cli('convert', pb, '--to', join(dir, 'x.onnx'), '--opset', '7');
  assert.equal(r.code, 2);
  assert.match(r.err, /--opset/);
  r = await cli('convert', pb, '--to', join(dir, 'ak.onnx'), '--opset', '17', '--optimize');
  assert.equal(r.code, 0, r.err);
});
