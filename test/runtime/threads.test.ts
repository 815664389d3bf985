// predictBatch over worker threads ("wasm-threads"): bit-identical to one thread for every batch size (the same
// kernels and the same per-row arithmetic: src/runtime/threads-rows.ts), for both wasm builds, several thread
// counts and chunk sizes; single samples stay on the calling thread; errors and close() behave.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { load, type Model } from '../../src/index.js';
import { relaxedSimdSupported, type WasmVariant } from '../../src/kernels/wasm/loader.js';
import { foundingFileSource } from '../../src/models/founding.js';
import { backendAvailable, resolveBackend } from '../../src/runtime/backends.js';
import { Session } from '../../src/runtime/session.js';
import { autoMinBatch, makeThreadsBackend, threadsConfig } from '../../src/runtime/threads.js';
import { splitPoints } from '../../src/runtime/threads-rows.js';
import { makeWasmBackend } from '../../src/kernels/wasm/backend.js';

const VARIANTS: WasmVariant[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];

function images(n: number, size: number, seed: number): Float32Array {
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 7919 + seed * 104729) % 1000) / 999;
  return x;
}

function assertBitIdentical(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: threaded ${got[i]}, one thread ${want[i]}`);
  }
}

const sessions: Session[] = [];
after(() => {
  for (const s of sessions) s.close();
});

function session(model: Model, variant: WasmVariant, threads: number, maxBatch: number): Session {
  const one = model.compile({ backend: variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd' });
  sessions.push(one);
  const backend = threads === 1 ? makeWasmBackend(variant) : makeThreadsBackend(variant, { threads, minBatch: 2 });
  const s = new Session(one.graph, backend, [], maxBatch);
  sessions.push(s);
  return s;
}

test('split points: multiples of 4 (or of maxBatch when it is not one), balanced, ascending', () => {
  assert.deepEqual(splitPoints(130, 2, 64), [0, 64]);
  assert.deepEqual(splitPoints(10, 2, 64), [0, 4]);
  assert.deepEqual(splitPoints(3, 2, 64), [0, 0]);
  assert.deepEqual(splitPoints(100, 3, 64), [0, 32, 68]);
  assert.deepEqual(splitPoints(100, 2, 30), [0, 60]);
  for (let n = 0; n < 200; n += 7) {
    for (const parts of [2, 3, 4]) {
      const p = splitPoints(n, parts, 64);
      assert.equal(p.length, parts);
      p.forEach((v, i) => {
        assert.equal(v % 4, 0);
        assert.ok(v <= n && (i === 0 || v >= p[i - 1]));
      });
    }
  }
});

describe('wasm-threads: bit-identical to one thread', () => {
  for (const name of ['expert', 'beginner'] as const) {
    for (const variant of VARIANTS) {
      test(`${name}, ${variant}: batch sizes 2..300 on 2 and 3 threads, chunks of 64 and 30`, async () => {
        const model = await load(foundingFileSource(name, { biases: 'uniform' }));
        const size = name === 'expert' ? 784 : 784;
        const sizes = name === 'expert' ? [2, 3, 5, 8, 10, 13, 66, 130] : [2, 5, 8, 63, 64, 65, 130, 300];
        for (const maxBatch of [64, 30]) {
          const one = session(model, variant, 1, maxBatch);
          const two = session(model, variant, 2, maxBatch);
          const three = session(model, variant, 3, maxBatch);
          assert.equal(two.threads.count, 2);
          assert.equal(three.threads.count, 3);
          for (const n of sizes) {
            const x = images(n, size, n);
            const want = one.predictBatch(x, n);
            assertBitIdentical(two.predictBatch(x, n), want, `${name} ${variant} n ${n} maxBatch ${maxBatch} 2 threads`);
            assertBitIdentical(three.predictBatch(x, n), want, `${name} ${variant} n ${n} maxBatch ${maxBatch} 3 threads`);
            // Again with caller-owned output buffers (the path without allocation).
            const out = new Float32Array(want.length);
            two.predictBatch(x, n, out);
            assertBitIdentical(out, want, `${name} ${variant} n ${n} into a caller buffer`);
          }
        }
      });
    }
  }

  test('deep-mnist, 2 threads, n = 9', async () => {
    const model = await load(foundingFileSource('deep-mnist', { biases: 'uniform' }));
    const variant = VARIANTS[VARIANTS.length - 1];
    const one = session(model, variant, 1, 64);
    const two = session(model, variant, 2, 64);
    const x = images(9, 784, 3);
    assertBitIdentical(two.predictBatch(x, 9), one.predictBatch(x, 9), 'deep-mnist');
  });
});

test('the "wasm-threads" back end: named, available in Node, single samples and small batches stay on the calling thread', async () => {
  assert.ok(backendAvailable('wasm-threads'));
  const b = resolveBackend('wasm-threads');
  assert.equal(b.name, 'wasm-threads');
  const cfg = threadsConfig(b);
  assert.ok(cfg && cfg.threads >= 1 && cfg.minBatch === 'auto');
  assert.equal(threadsConfig(resolveBackend('wasm')), undefined);
  const model = await load(foundingFileSource('beginner'));
  const s = model.compile({ backend: 'wasm-threads' });
  sessions.push(s);
  assert.equal(s.plan.backend, 'wasm-threads');
  assert.ok(s.plan.steps.every((st) => st.kernel.startsWith('wasm.') || st.kernel === 'alias'));
  assert.equal(s.threads.minBatch, cfg.threads > 1 ? Math.max(8, autoMinBatch(s.plan)) : Number.POSITIVE_INFINITY);
  const x = images(1, 784, 1);
  const ref = model.compile({ backend: cfg.variant === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd' });
  sessions.push(ref);
  assertBitIdentical(s.predict(x), ref.predict(x), 'predict');
  const big = images(200, 784, 2);
  assertBitIdentical(s.predictBatch(big, 200), ref.predictBatch(big, 200), 'predictBatch 200');
});

test('auto crossover: tiny models split only large batches, CNNs from 2 samples', async () => {
  const plans = await Promise.all((['beginner', 'expert', 'deep-mnist'] as const).map(async (m) => {
    const s = (await load(foundingFileSource(m))).compile({ backend: 'wasm-simd' });
    sessions.push(s);
    return autoMinBatch(s.plan);
  }));
  assert.ok(plans[0] >= 32, `beginner ${plans[0]}`);
  assert.equal(plans[1], 2);
  assert.equal(plans[2], 2);
});

test('wasm-threads: bad options and closed sessions are usage errors', async () => {
  assert.throws(() => makeThreadsBackend('simd', { threads: 0 }), /threads must be a positive integer/);
  assert.throws(() => makeThreadsBackend('simd', { minBatch: 1 }), /minBatch/);
  assert.throws(() => makeThreadsBackend('simd', { minBatch: 2.5 }), /minBatch/);
  const model = await load(foundingFileSource('beginner'));
  const s = session(model, 'simd', 2, 64);
  s.close();
  assert.throws(() => s.predictBatch(images(8, 784, 1), 8), /closed/);
  s.close(); // idempotent
});
