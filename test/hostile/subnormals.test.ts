// Subnormal and tiny inputs give the exact float32 answers on every back end this machine has. The wasm and
// native exp / tanh kernels flush such inputs before their polynomials (subnormal arithmetic is slow and
// WebAssembly cannot turn on flush-to-zero: bench/denormals.ts measures the speed); this pins that the flush
// changes no result: below 2^-26, sigmoid(x) = 0.5, tanh(x) = x, exp(x) = 1, elu(x) = x (alpha 1), softmax of
// equal-magnitude logits is uniform, and max pooling returns its inputs unchanged.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { BACKEND_NAMES, backendAvailable } from '../../src/runtime/backends.js';
import { Model } from '../../src/runtime/model.js';
import { tfjsFilesOf } from './seeds.js';

const BACKENDS = BACKEND_NAMES.filter((b) => backendAvailable(b));

/** Subnormals of both signs (smallest, largest, in between), signed zeros, tiny normals up to 2^-27. */
const TINY = Float32Array.from([
  2 ** -149, -(2 ** -149), 2 ** -126 - 2 ** -149, -(2 ** -126 - 2 ** -149), 1e-40, -3e-39, 0, -0,
  2 ** -126, -(2 ** -100), 2 ** -64, -(2 ** -60), 1e-20, -1e-12, 2 ** -27, -(2 ** -27), 5e-42, -7e-45, 1e-39,
]);

async function oneLayer(layer: { class_name: string; config: object }, inputShape: readonly number[]): Promise<Model> {
  const config = { class_name: 'Sequential', config: { name: 's', layers: [{ ...layer, config: { ...layer.config, name: 'l', batch_input_shape: [null, ...inputShape] } }] } };
  return new Model(await importModel(memoryFileSource('model.json', tfjsFilesOf(config, []))));
}

/** Bit-for-bit equality, -0 and +0 distinguished only where `signedZero`. */
function assertExact(got: Float32Array, want: ArrayLike<number>, what: string, signedZero = true): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const ok = signedZero ? Object.is(got[i], want[i]) : got[i] === want[i];
    assert.ok(ok, `${what}: x = ${TINY[i % TINY.length]} gives ${Object.is(got[i], -0) ? '-0' : got[i]}, expected ${Object.is(want[i], -0) ? '-0' : want[i]}`);
  }
}

describe('subnormal and tiny inputs', async () => {
  const n = TINY.length;
  const act = (activation: string): Promise<Model> => oneLayer({ class_name: 'Activation', config: { activation } }, [n]);
  const [sigmoid, tanh, exponential, elu, softmax, pool] = await Promise.all([
    act('sigmoid'),
    act('tanh'),
    act('exponential'),
    act('elu'),
    oneLayer({ class_name: 'Softmax', config: { axis: -1 } }, [n]),
    oneLayer({ class_name: 'MaxPooling2D', config: { pool_size: [1, 1] } }, [1, n, 1]),
  ]);

  for (const backend of BACKENDS) {
    it(`${backend}: sigmoid 0.5, tanh x, exp 1, elu x, uniform softmax, max pool unchanged`, () => {
      const run = (m: Model, x: Float32Array): Float32Array => {
        const s = m.compile({ backend });
        const y = s.predict(x);
        s.close();
        return y;
      };
      assertExact(run(sigmoid, TINY), new Float32Array(n).fill(0.5), `${backend} sigmoid`);
      assertExact(run(tanh, TINY), TINY, `${backend} tanh`);
      assertExact(run(exponential, TINY), new Float32Array(n).fill(1), `${backend} exponential`);
      // elu(-0) is alpha * expm1(-0) = -0 (the reference), elu(+0) = +0.
      assertExact(run(elu, TINY), TINY, `${backend} elu`);
      // Logits within 2^-26 of each other: every exp(x - max) rounds to 1.
      assertExact(run(softmax, TINY), new Float32Array(n).fill(Math.fround(1 / n)), `${backend} softmax`, false);
      assertExact(run(pool, TINY), TINY, `${backend} max pooling`);
    });
  }
});
