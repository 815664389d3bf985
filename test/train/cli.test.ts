// `kerasrt train`: a short beginner run on real MNIST (600 training images, one epoch) through the CLI entry
// point: the report lines, and the three files it writes, which load back with the recorded accuracy.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { load } from '../../src/index.js';
import { mnistSplit } from '../../src/data/mnist.js';

test('cli: kerasrt train beginner reports epochs and test accuracy and writes .keras, .h5 and a TF.js folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kerasrt-train-'));
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['train', 'beginner', '--limit', '600', '--epochs', '1', '--out', dir, '--verbose', '2'], { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
    assert.equal(code, 0, err.join('\n'));
    const text = out.join('\n');
    assert.match(text, /kerasrt train beginner: SGD lr 0\.5, batch 100, 1 epoch\(s\), 600 training images, seed 1, kernels (wasm|js)/);
    assert.match(text, /6\/6 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}/);
    const m = /beginner: test accuracy (\d+\.\d\d)% after 1 epoch\(s\)/.exec(text);
    assert.ok(m, text);
    assert.ok(Number(m[1]) > 50, `600 images, one epoch: ${m[1]}%`);
    assert.deepEqual((await readdir(dir)).sort(), ['beginner', 'beginner.h5', 'beginner.keras']);
    assert.deepEqual((await readdir(join(dir, 'beginner'))).sort(), ['group1-shard1of1.bin', 'model.json']);
    const test10k = await mnistSplit('test');
    for (const f of ['beginner.keras', 'beginner.h5', 'beginner/model.json']) {
      const s = (await load(join(dir, f))).compile();
      const p = s.predictBatch(test10k.x, test10k.n);
      let hits = 0;
      for (let i = 0; i < test10k.n; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++) if (p[i * 10 + k] > p[i * 10 + best]) best = k;
        if (best === test10k.y[i]) hits++;
      }
      assert.equal((hits / test10k.n * 100).toFixed(2), m[1], `${f}: accuracy of the saved model`);
    }
    assert.equal(await main(['train', 'nope'], { out: () => undefined, err: (l) => err.push(l), tty: false }), 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
