// Subnormal and tiny inputs give exact, pinned float32 answers on every back end this machine has.
//
// exp / sigmoid / tanh / softmax: the wasm and native kernels keep tiny inputs away from their polynomials
// (subnormal arithmetic is slow and WebAssembly cannot turn on flush-to-zero: bench/denormals.ts measures the
// speed); the answers are those of exact arithmetic on every back end: below 2^-26 sigmoid(x) = 0.5,
// tanh(x) = x, exp(x) = 1, softmax of equal-magnitude logits is uniform; softplus gives log 2, hard_sigmoid
// 0.5, relu and max pooling return their inputs unchanged (no arithmetic on x).
//
// The activations whose exact result for a subnormal x is itself subnormal (elu, selu, leaky_relu, swish,
// gelu_tanh, hard_swish, softsign, gelu, mish) differ per back end, by design:
// - reference and js compute in float64 (where a float32 subnormal is a normal number, so no slow path) and
//   round once: the subnormal float32 of the exact result, e.g. elu(x) = x, swish(x) = x / 2;
// - wasm (every variant) and native flush a subnormal input to zero of its sign first, as TensorFlow's CPU
//   runtime does (FTZ / DAZ), and making the subnormal product would be slow there: +-0.
// Both are float32 answers to the same formula within 2^-126 absolute (selu: 1.76 x 2^-126); for normal inputs (the tiny normals
// below) every back end gives the float64 answer rounded once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { activationScalar, type Activation } from '../../src/ops/activation-fns.js';
import { binaryScalar, type BinaryFn } from '../../src/ops/binary.js';
import { optimize } from '../../src/passes/pipeline.js';
import { BACKEND_NAMES, backendAvailable, resolveBackend, type BackendName } from '../../src/runtime/backends.js';
import { Model } from '../../src/runtime/model.js';
import { Session } from '../../src/runtime/session.js';
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

/** Bit-for-bit equality, -0 and +0 distinguished only where `signedZero`; `at(i)` names element i's input. */
function assertExact(got: Float32Array, want: ArrayLike<number>, what: string, signedZero = true, at = (i: number) => `x = ${TINY[i % TINY.length]}`): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    const ok = signedZero ? Object.is(got[i], want[i]) : got[i] === want[i];
    assert.ok(ok, `${what}: ${at(i)} gives ${Object.is(got[i], -0) ? '-0' : got[i]}, expected ${Object.is(want[i], -0) ? '-0' : want[i]}`);
  }
}

/** Whether a back end flushes subnormal inputs of the activations with a subnormal result (see the top). */
function flushes(backend: BackendName): boolean {
  const name = resolveBackend(backend).name; // 'auto' is one of the others
  return name.startsWith('wasm') || name === 'native';
}

/** x with a subnormal flushed to zero of its sign; normal numbers, zeros, NaN unchanged. */
const flush = (x: number): number => (Math.abs(x) < 2 ** -126 ? x * 0 : x);

/** Keras activation name -> the activation it imports as (src/formats/keras/config-read.ts). */
const SUBNORMAL_RESULT: readonly [string, Activation][] = [
  ['elu', { fn: 'elu' }],
  ['selu', { fn: 'selu' }],
  ['leaky_relu', { fn: 'leaky_relu', alpha: 0.2 }],
  ['swish', { fn: 'swish' }],
  ['gelu_new', { fn: 'gelu_tanh' }],
  ['hard_swish', { fn: 'hard_swish' }],
  ['softsign', { fn: 'softsign' }],
  ['gelu', { fn: 'gelu' }],
  ['mish', { fn: 'mish' }],
];

describe('subnormal and tiny inputs', async () => {
  const n = TINY.length;
  const act = (activation: string): Promise<Model> => oneLayer({ class_name: 'Activation', config: { activation } }, [n]);
  const [sigmoid, tanh, exponential, softplus, hardSigmoid, relu, softmax, pool] = await Promise.all([
    act('sigmoid'),
    act('tanh'),
    act('exponential'),
    act('softplus'),
    act('hard_sigmoid'),
    act('relu'),
    oneLayer({ class_name: 'Softmax', config: { axis: -1 } }, [n]),
    oneLayer({ class_name: 'MaxPooling2D', config: { pool_size: [1, 1] } }, [1, n, 1]),
  ]);
  const subnormalResult = await Promise.all(SUBNORMAL_RESULT.map(([name]) => act(name)));
  const run = (m: Model, backend: BackendName, x: Float32Array): Float32Array => {
    const s = m.compile({ backend });
    const y = s.predict(x);
    s.close();
    return y;
  };

  for (const backend of BACKENDS) {
    it(`${backend}: sigmoid 0.5, tanh x, exp 1, softplus log 2, hard_sigmoid 0.5, relu x, uniform softmax, max pool unchanged`, () => {
      assertExact(run(sigmoid, backend, TINY), new Float32Array(n).fill(0.5), `${backend} sigmoid`);
      assertExact(run(tanh, backend, TINY), TINY, `${backend} tanh`);
      assertExact(run(exponential, backend, TINY), new Float32Array(n).fill(1), `${backend} exponential`);
      assertExact(run(softplus, backend, TINY), new Float32Array(n).fill(Math.LN2), `${backend} softplus`);
      assertExact(run(hardSigmoid, backend, TINY), new Float32Array(n).fill(0.5), `${backend} hard_sigmoid`);
      // x < 0 ? 0 : x: a negative subnormal gives +0, a positive one itself.
      assertExact(run(relu, backend, TINY), TINY.map((x) => (x < 0 ? 0 : x)), `${backend} relu`);
      // Logits within 2^-26 of each other: every exp(x - max) rounds to 1.
      assertExact(run(softmax, backend, TINY), new Float32Array(n).fill(Math.fround(1 / n)), `${backend} softmax`, false);
      assertExact(run(pool, backend, TINY), TINY, `${backend} max pooling`);
    });

    const how = flushes(backend) ? '+-0 for a subnormal x (flushed first)' : 'the float64 answer rounded once (subnormal for a subnormal x)';
    it(`${backend}: ${SUBNORMAL_RESULT.map(([, a]) => a.fn).join(', ')} give ${how}`, () => {
      SUBNORMAL_RESULT.forEach(([name, a], k) => {
        const f = activationScalar(a);
        const got = run(subnormalResult[k], backend, TINY);
        const input = flushes(backend) ? TINY.map(flush) : TINY;
        assertExact(got, input.map(f), `${backend} ${name}`);
        // Flushed or not, within 2^-126 of the float64 answer rounded once (the reference's) times the slope at
        // 0: 1 or less but for selu (1.0507 above 0, 1.7581 below: selu(2^-126 - 2^-149) is a normal number
        // that the flush, as TensorFlow's DAZ, turns into 0).
        const bound = 2 ** -126 * (a.fn === 'selu' ? 1.7581 : 1);
        for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - Math.fround(f(TINY[i]))) <= bound, `${backend} ${name}: x = ${TINY[i]}`);
      });
      if (flushes(backend)) {
        // Pinned by value too: elu(x) is x for a tiny normal x, -0 / +0 for a subnormal one.
        const elu = run(subnormalResult[0], backend, TINY);
        assert.ok(Object.is(elu[0], 0) && Object.is(elu[1], -0) && elu[8] === 2 ** -126 && elu[15] === -(2 ** -27), `${backend} elu`);
      }
    });
  }
});

// Binary element-wise ops (OP_BINARY: Add, Multiply, BatchNormalization's lowered scale and shift, ...), with
// full, row and scalar broadcast. mul and div on wasm (every variant) and native compute as TensorFlow's CPU
// runtime does with FTZ / DAZ on: a subnormal operand reads as zero of its sign, and a product or quotient below
// 2^-126 is zero of its sign (making that subnormal there was up to 2.2x slower: bench/denormals.ts). reference
// and js give the float64 answer rounded once, as every back end does for add, sub, max and min (no slow path
// there, so left alone). Pinned exactly; no input's exact result needs rounding to tell its side of 2^-126.
describe('subnormals through binary ops', () => {
  const S = 2 ** -126;
  /** [a, b] pairs: subnormal and normal operands, products and quotients on both sides of 2^-126, zeros, Inf, NaN. */
  const PAIRS: readonly [number, number][] = [
    [2 ** -149, 0.75], [-1e-40, 3], [1e-39, -(2 ** 20)], [2 ** -140, -(2 ** -145)], [5, 2 ** -130], [-7, -1e-41],
    [2 ** -70, 2 ** -60], [-(2 ** -63) * 1.5, 2 ** -63 * 1.25], [2 ** -63, 2 ** -63], [2 ** -63 * (1 - 2 ** -24), 2 ** -63],
    [S, 1.5], [S, 0.75], [-S, 2], [2 ** -100, 2 ** 30], [-(2 ** -125), 3], [3, 3.4e38], [4, 3.4e38], [1e-10, 1e-40],
    [1, -1e-40], [0, 1e-40], [-0, 2], [0, -3], [Infinity, 2 ** -140], [-Infinity, 0.5], [NaN, 2 ** -140], [2 ** -140, Infinity],
    [3e38, 0], [3e38, 2], [2 ** 100, 2 ** -120], [0.75, -0.5], [1e-20, 1e-20], [-(2 ** -60), 2 ** -67],
  ].map(([a, b]) => [Math.fround(a), Math.fround(b)]);
  const A = Float32Array.from(PAIRS, ([a]) => a);
  const B = Float32Array.from(PAIRS, ([, b]) => b);
  const n = PAIRS.length;
  const pair = (i: number): string => `a = ${A[i % n]}, b = ${B[i % n]}`;

  /** What a back end answers for a (fn) b: FTZ / DAZ for mul and div where it flushes, else float64 rounded once. */
  const want = (fn: BinaryFn, backend: BackendName, a: number, b: number): number => {
    const f = binaryScalar(fn);
    if (!flushes(backend) || (fn !== 'mul' && fn !== 'div')) return Math.fround(f(a, b));
    const y = f(flush(a), flush(b)); // exact for mul, the correctly rounded float64 quotient for div
    return Math.abs(y) < S ? y * 0 : Math.fround(y); // y * 0: zero of y's sign (NaN stays NaN)
  };
  const session = (backend: BackendName, build: (g: GraphBuilder) => number): Session => {
    const g = new GraphBuilder();
    g.setOutputs([build(g)]);
    return new Session(optimize(g.finish()).graph, resolveBackend(backend));
  };

  for (const backend of BACKENDS) {
    it(`${backend}: ${flushes(backend) ? 'mul and div flush subnormal operands and results to +-0; ' : ''}add, sub, max, min, ${flushes(backend) ? '' : 'mul, div '}exact`, () => {
      for (const fn of ['add', 'sub', 'mul', 'div', 'max', 'min'] as BinaryFn[]) {
        // Full broadcast: two inputs.
        const full = session(backend, (g) => g.add1('binary', [g.input('a', [-1, n]), g.input('b', [-1, n])], { fn }, { name: fn }));
        const expected = PAIRS.map(([a, b]) => want(fn, backend, a, b));
        assertExact(full.run([A, B])[0], expected, `${backend} ${fn} full`, true, pair);
        full.close();
        // Row broadcast (b a constant row under two rows of a) and scalar broadcast (each b on its own).
        const row = session(backend, (g) => g.add1('binary', [g.input('a', [-1, 2, n]), g.constant('b', [n], B)], { fn }, { name: fn }));
        assertExact(row.predict(Float32Array.from([...A, ...A])), [...expected, ...expected], `${backend} ${fn} row`, true, pair);
        row.close();
        for (const b of [B[1], B[4], B[6]]) {
          const scalar = session(backend, (g) => g.add1('binary', [g.input('a', [-1, n]), g.constant('b', [1], Float32Array.of(b))], { fn }, { name: fn }));
          assertExact(scalar.predict(A), PAIRS.map(([a]) => want(fn, backend, a, b)), `${backend} ${fn} scalar ${b}`, true, (i) => `a = ${A[i]}`);
          scalar.close();
        }
      }
      // Between normal operands, flushing moves a result by 2^-126 at most.
      if (flushes(backend)) {
        const mul = session(backend, (g) => g.add1('binary', [g.input('a', [-1, n]), g.input('b', [-1, n])], { fn: 'mul' }, { name: 'mul' }));
        const got = mul.run([A, B])[0];
        PAIRS.forEach(([a, b], i) => {
          if (flush(a) === a && flush(b) === b && Number.isFinite(got[i])) assert.ok(Math.abs(got[i] - Math.fround(a * b)) <= S, `${backend} mul ${a} ${b}`);
        });
        mul.close();
      }
    });
  }
});
