// The kerasrt command: --help everywhere, one-line errors with the right exit codes, inspect and run on real
// model files (../shared/models) through main() with captured output.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { readNpy } from '../../src/formats/readers/npy.js';

const SHARED = resolve(process.cwd(), '../shared/models');

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('--help on every command, usage errors exit 2', async () => {
  const top = await cli('--help');
  assert.equal(top.code, 0);
  for (const name of ['inspect', 'run', 'bench']) {
    assert.match(top.out, new RegExp(`\\b${name}\\b`));
    const h = await cli(name, '--help');
    assert.equal(h.code, 0, name);
    assert.match(h.out, /usage: kerasrt/);
  }
  assert.equal((await cli('frobnicate')).code, 2);
  const bad = await cli('inspect', '--no-such-flag', 'x.h5');
  assert.equal(bad.code, 2);
  assert.equal(bad.err.split('\n').length, 1, 'one line');
});

test('inspect prints the summary, the compiler changes and the kernel plan', async () => {
  const r = await cli('inspect', join(SHARED, 'keras-h5/kzarama-mnist-keras2.14/mnist.h5'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Total params: 99,376/);
  assert.match(r.out, /removed Dropout "dropout_1"/);
  assert.match(r.out, /conv2d_3\s+conv2d\s+\S+/);
  const d = await cli('inspect', join(SHARED, 'keras-h5/kzarama-mnist-keras2.14/mnist.h5'), '--dump-after', 'remove-training-only');
  assert.equal(d.code, 0);
  assert.doesNotMatch(d.out, /training_only/);
  assert.match(d.out, /= conv2d\(/);
  assert.equal((await cli('inspect', join(SHARED, 'keras-h5/kzarama-mnist-keras2.14/mnist.h5'), '--dump-after', 'nope')).code, 2);
});

test('a refused or missing model is one line naming the file, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kerasrt-cli-'));
  const junk = join(dir, 'junk.h5');
  writeFileSync(junk, 'not a model at all');
  const r = await cli('inspect', junk);
  assert.equal(r.code, 1);
  assert.match(r.err, /junk\.h5/);
  assert.equal(r.err.split('\n').length, 1);
  const m = await cli('inspect', join(dir, 'missing.keras'));
  assert.equal(m.code, 1);
});

test('run: .npy and .json in, .npy and .json out, batches, and a wrong input size is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kerasrt-cli-'));
  const model = join(SHARED, 'keras-h5/dl4j-cnn-batchnorm-tiny/cnn_batch_norm.h5');
  const out = join(dir, 'y.npy');
  const r = await cli('run', model, '--input', join(SHARED, 'keras-h5/dl4j-cnn-batchnorm-tiny/input.npy'), '--output', out);
  assert.equal(r.code, 0, r.err);
  const got = readNpy(new Uint8Array(readFileSync(out)), out);
  const want = readNpy(new Uint8Array(readFileSync(join(SHARED, 'keras-h5/dl4j-cnn-batchnorm-tiny/predictions.npy'))), 'predictions.npy');
  assert.deepEqual([...got.shape], [5, 1]);
  got.data.forEach((v, i) => assert.ok(Math.abs(v - want.data[i]) <= 1e-5, `sample ${i}: ${v} vs Keras ${want.data[i]}`));

  const x = join(dir, 'x.json');
  writeFileSync(x, JSON.stringify([Array.from({ length: 784 }, () => 0)]));
  const j = await cli('run', join(SHARED, 'keras-v3/sannmyatmin-keras3113-mlp/mnist_model.keras'), '--input', x);
  assert.equal(j.code, 0, j.err);
  const line = JSON.parse(j.out) as { argmax: number; outputs: number[][] };
  assert.equal(line.outputs[0].length, 10);
  assert.ok(Math.abs(line.outputs[0].reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax sums to 1');

  writeFileSync(x, JSON.stringify([1, 2, 3]));
  const bad = await cli('run', join(SHARED, 'keras-v3/sannmyatmin-keras3113-mlp/mnist_model.keras'), '--input', x);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /ShapeError/);
});
