// The conformance suite shared by the engines that run WasmProgram programs (test/kernels/wasm.test.ts: both wasm
// builds; test/kernels/native.test.ts: every native kernel set this CPU supports): each step kind against the op
// references in src/ops (float64 accumulation, the oracle). Random shapes including 1, odd and 4k+-1 sizes,
// ragged panels (N mod 8 in 1..7), K blocking (K > 256), NaN / Inf propagation. Not a test file itself: each
// engine's test file calls programConformance() once, so every case runs on every engine.
//
// Tolerances (u = 2^-24, float32 unit roundoff):
//  - dense / conv / depthwise: |got - ref| <= (K + 4) * u * S + 8 u |ref| + 1e-30, where S = sum |x_k w_k| + |b|
//    (the reference run on |x|, |w|, |b|) and K the number of products: the classic worst-case bound for a float32
//    dot product in any summation order, fused or not (relaxed FMA differs by a few ulp, inside this bound).
//    Activations after the sum add their own error (below) times their slope (<= 1.76 for selu).
//  - activations: |got - ref| <= 8 u |ref| + 16 u (vector exp/tanh/sigmoid are Cephes-style, about 2-3 ulp).
//  - softmax: 16 u |ref| + 1e-7 (2-3 ulp exp, one division, sum reassociation).
//  - pool max and binary add/sub/mul/div/max/min: exact. avg pool: 4 u |ref| * window. pow: 2 ulp.
//  - NaN and +-Inf must appear in exactly the same places.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tensor } from '../../src/core/tensor.js';
import { activationScalar, type Activation, type ActivationName } from '../../src/ops/activation-fns.js';
import type { BinaryFn } from '../../src/ops/binary.js';
import { opDef } from '../../src/ops/registry.js';
import { WasmProgram, windowOutputShape, type BinaryMode, type WasmKernels } from '../../src/kernels/wasm/index.js';
import { randData } from '../helpers/rand.js';

export const U = 2 ** -24;

export const abs = (d: Float32Array) => d.map(Math.abs);

/** Checks got vs ref element-wise with tol(i); NaN and +-Inf must match exactly. */
export function expectClose(got: Float32Array, ref: Float32Array, tol: (i: number) => number, what: string): void {
  assert.equal(got.length, ref.length, `${what}: length`);
  for (let i = 0; i < ref.length; i++) {
    const g = got[i];
    const r = ref[i];
    if (Number.isNaN(r) || Number.isNaN(g)) {
      assert.ok(Number.isNaN(r) && Number.isNaN(g), `${what}[${i}]: got ${g}, expected ${r}`);
      continue;
    }
    if (!Number.isFinite(r) || !Number.isFinite(g)) {
      assert.equal(g, r, `${what}[${i}]: got ${g}, expected ${r}`);
      continue;
    }
    const t = tol(i);
    assert.ok(Math.abs(g - r) <= t, `${what}[${i}]: got ${g}, expected ${r}, |diff| ${Math.abs(g - r)} > ${t}`);
  }
}

/** Slope bound and own error of each activation (see header). */
export function actTol(a: Activation | undefined, sumTol: number, ref: number): number {
  const slope = a && (a.fn === 'selu' || a.fn === 'elu' || a.fn === 'exponential' || a.fn === 'gelu' || a.fn === 'mish') ? 2 : 1.2;
  return slope * sumTol + 8 * U * Math.abs(ref) + 16 * U;
}

/** Runs one program: the arena filled with NaN, then `init` at 0; returns a copy of the arena. */
export type RunProgram<V> = (variant: V, arenaFloats: number, init: Float32Array | undefined, build: (p: WasmProgram) => void) => Float32Array;

export interface ProgramEngine<V extends string> {
  /** Prefix of every test name: "wasm", "native". */
  readonly name: string;
  /** The kernel builds to run every case on. */
  readonly variants: readonly V[];
  /** A fresh kernel instance of one build. */
  load(variant: V): WasmKernels;
  /** Cases this engine runs on top of the shared ones (appended, so the shared cases keep their seeds). */
  readonly extraConvCases?: readonly ConvCase[];
  readonly extraPoolCases?: readonly PoolCase[];
}

export interface PoolCase {
  x: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  p: [number, number, number, number];
}

export interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  oc: number;
  s?: [number, number];
  d?: [number, number];
  p?: [number, number, number, number];
  act?: Activation;
}

export const CONV_CASES: ConvCase[] = [
  { x: [1, 5, 5, 1], k: [3, 3], oc: 1, p: [1, 1, 1, 1] },
  { x: [1, 28, 28, 1], k: [3, 3], oc: 32, p: [1, 1, 1, 1], act: { fn: 'relu' } },
  { x: [1, 14, 14, 32], k: [3, 3], oc: 32, act: { fn: 'relu' } },
  { x: [1, 9, 9, 8], k: [5, 5], oc: 12, p: [2, 2, 2, 2], act: { fn: 'relu6' } },
  { x: [2, 7, 6, 3], k: [3, 2], oc: 5, s: [2, 1], d: [1, 2], p: [1, 0, 2, 1] },
  { x: [3, 6, 5, 5], k: [2, 3], oc: 13, s: [2, 2], p: [0, 1, 1, 1], act: { fn: 'tanh' } },
  { x: [1, 4, 4, 7], k: [1, 1], oc: 9 }, // pointwise: im2col reads x directly
  { x: [2, 5, 5, 4], k: [1, 1], oc: 3, s: [2, 2] },
  { x: [1, 3, 3, 15], k: [3, 3], oc: 17, p: [1, 1, 1, 1], act: { fn: 'leaky_relu', alpha: 0.3 } },
  { x: [1, 1, 1, 1], k: [1, 1], oc: 1 },
  { x: [1, 6, 6, 2], k: [3, 3], oc: 4, d: [2, 2], p: [2, 2, 2, 2], act: { fn: 'swish' } },
  { x: [1, 12, 1, 9], k: [3, 1], oc: 6, p: [1, 1, 0, 0] }, // Conv1D seen as H x 1
];

export const ACTS: Activation[] = [
  { fn: 'linear' }, { fn: 'relu' }, { fn: 'relu6' }, { fn: 'clip', alpha: -0.5, beta: 0.25 }, { fn: 'leaky_relu', alpha: 0.1 },
  { fn: 'elu', alpha: 0.7 }, { fn: 'selu' }, { fn: 'sigmoid' }, { fn: 'tanh' }, { fn: 'hard_sigmoid' },
  { fn: 'hard_sigmoid', alpha: 0.2, beta: 0.5 }, { fn: 'swish' }, { fn: 'hard_swish' }, { fn: 'softsign' },
  { fn: 'exponential' }, { fn: 'thresholded_relu', alpha: 0.3 }, { fn: 'gelu_tanh' }, { fn: 'softplus' }, { fn: 'gelu' }, { fn: 'mish' },
];

function activationInputs(): Float32Array {
  const special = [0, -0, 1e-8, -1e-8, 1e-3, -1e-3, 0.3, -0.3, 0.49, -0.49, 0.5, -0.5, 0.62, 0.63, -0.63, 1, -1, 3, -3, 6, 7, -7,
    20, -20, 40, -40, 87, 88.5, 89, -87, -100, -104, -110, 1e30, -1e30, 3e38, -3e38, NaN, Infinity, -Infinity];
  const r = randData(301, 7, -12, 12);
  return Float32Array.from([...special, ...r]);
}

const DENSE_SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 784, 10], [3, 5, 7], [4, 4, 4], [5, 17, 9], [7, 15, 13], [2, 300, 3], [9, 513, 12], [8, 257, 16],
  [1, 3, 5], [13, 31, 33], [4, 255, 4], [6, 64, 1], [2, 0, 5], [1, 1568, 20], [5, 300, 9], [6, 520, 3], [7, 600, 21],
];

/** Defines the shared conformance tests for one engine; returns its runProgram for the engine's own tests. */
export function programConformance<V extends string>(engine: ProgramEngine<V>): RunProgram<V> {
  const { name, variants } = engine;
  const convCases = [...CONV_CASES, ...(engine.extraConvCases ?? [])];
  const runProgram: RunProgram<V> = (variant, arenaFloats, init, build) => {
    const prog = new WasmProgram(engine.load(variant), { arenaFloats });
    build(prog);
    prog.finish();
    prog.arena.fill(NaN);
    if (init) prog.arena.set(init, 0);
    prog.run();
    return prog.arena.slice();
  };

  // Weights are packed at finish() by the engine's own code (wasm as/pack.ts, native pack.cc); the JavaScript
  // packing (ConstantSource.write) is the reference, bit for bit, padding included, NaN / Inf / subnormals too.
  for (const variant of variants) {
    test(`${name} ${variant}: weights packed by the engine equal the JavaScript packing bit for bit`, () => {
      const k = engine.load(variant);
      assert.ok(k.exports.packPanelRows && k.exports.winogradPack, `${name} exports its packing`);
      const prog = new WasmProgram(k, { arenaFloats: 16 });
      const rnd = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 12.9898) * 3);
      const dense = [[3136, 1024], [70, 13], [5, 4], [300, 9], [1, 1]].map(([K, N], i) => prog.packDenseWeights(rnd(K * N, i), K, N));
      const special = rnd(20 * 21, 9);
      special.set([NaN, Infinity, -Infinity, -0, 2 ** -140]);
      dense.push(prog.packDenseWeights(special, 20, 21));
      const wino = ([[3, 8, 16, 2], [3, 32, 32, 4], [5, 32, 64, 2], [3, 3, 5, 2], [5, 17, 6, 2]] as const).map(([r, cin, cout, m], i) =>
        prog.packWinogradWeights(rnd(r * r * cin * cout, 20 + i), r, cin, cout, m));
      prog.finish();
      for (const c of [...dense, ...wino]) {
        const want = new Float32Array(c.source.stored).fill(-7); // every float, padding included, must be written
        c.source.write(want, 0);
        const got = new Uint32Array(k.memory.buffer, c.address, c.source.stored);
        const bad = new Uint32Array(want.buffer).findIndex((v, i) => v !== got[i]);
        assert.equal(bad, -1, `${c.constructor.name} of ${c.length} floats differs at ${bad}`);
      }
    });
  }

  test(`every activation name has a ${name} encoding`, () => {
    const names: ActivationName[] = ['linear', 'relu', 'relu6', 'sigmoid', 'hard_sigmoid', 'tanh', 'softplus', 'softsign', 'elu', 'selu',
      'gelu', 'gelu_tanh', 'swish', 'exponential', 'leaky_relu', 'mish', 'thresholded_relu', 'hard_swish', 'clip'];
    for (const n of names) assert.ok(ACTS.some((a) => a.fn === n), n);
  });

  describe(`${name} activation step`, () => {
    for (const variant of variants) {
      for (const a of ACTS) {
        test(`${variant} ${a.fn}${a.alpha !== undefined ? `(${a.alpha})` : ''}`, () => {
          const x = activationInputs();
          const n = x.length; // 341: vector body + a 1-lane tail
          const out = runProgram(variant, 2 * n, x, (p) => p.activation({ x: 0, y: n, n, activation: a }));
          const f = activationScalar(a);
          const ref = Float32Array.from(x, (v) => f(v));
          expectClose(out.subarray(n, 2 * n), ref, (i) => 8 * U * Math.abs(ref[i]) + 16 * U, `${a.fn}`);
          // In place, and short lengths (tails only).
          for (const len of [1, 2, 3, 4, 5]) {
            const o2 = runProgram(variant, len, x.subarray(0, len), (p) => p.activation({ x: 0, y: 0, n: len, activation: a }));
            expectClose(o2, ref.subarray(0, len), (i) => 8 * U * Math.abs(ref[i]) + 16 * U, `${a.fn} n=${len}`);
          }
        });
      }
    }
  });

  describe(`${name} dense`, () => {
    for (const variant of variants) {
      DENSE_SHAPES.forEach(([rows, K, N], si) => {
        test(`${variant} ${rows}x${K} . ${K}x${N}`, () => {
          const acts: (Activation | undefined)[] = [undefined, { fn: 'relu' }, { fn: 'relu6' }, { fn: 'sigmoid' }, { fn: 'elu', alpha: 0.5 }, { fn: 'gelu' }];
          acts.forEach((act, ai) => {
            const seed = 100 * si + ai;
            const x = tensor([rows, K], randData(rows * K, seed, -2, 2));
            const w = tensor([K, N], randData(K * N, seed + 1));
            const withBias = ai % 2 === 0;
            const b = withBias ? tensor([N], randData(N, seed + 2)) : undefined;
            const inputs = b ? [x, w, b] : [x, w];
            const ref = opDef('dense').reference(inputs, { activation: act ?? { fn: 'linear' } })[0].data;
            const absInputs = [x, w, ...(b ? [b] : [])].map((t) => tensor(t.shape, abs(t.data)));
            const S = opDef('dense').reference(absInputs, { activation: { fn: 'linear' } })[0].data;
            const out = runProgram(variant, rows * K + rows * N, x.data, (p) => {
              const pw = p.packDenseWeights(w.data, K, N);
              p.dense({ x: 0, w: pw, bias: b ? p.constant(b.data) : undefined, y: rows * K, rows, activation: act });
            });
            expectClose(out.subarray(rows * K), ref, (i) => actTol(act, (K + 4) * U * S[i] + 8 * U * Math.abs(S[i]), ref[i]), `dense ${act?.fn ?? 'linear'}`);
          });
        });
      });

      test(`${variant} dense NaN / Inf propagation`, () => {
        const rows = 5, K = 37, N = 11;
        const x = tensor([rows, K], randData(rows * K, 11));
        x.data[3] = NaN; // row 0: all NaN
        x.data[K + 4] = Infinity; // row 1: +-Inf by weight sign
        x.data[2 * K + 1] = Infinity; x.data[2 * K + 2] = -Infinity; // row 2: mixed -> NaN where the weights share a sign
        const w = tensor([K, N], randData(K * N, 12));
        w.data[4 * N + 3] = 0; // Inf * 0 = NaN in row 1, column 3
        const ref = opDef('dense').reference([x, w], { activation: { fn: 'relu' } })[0].data;
        const out = runProgram(variant, rows * K + rows * N, x.data, (p) => {
          p.dense({ x: 0, w: p.packDenseWeights(w.data, K, N), y: rows * K, rows, activation: { fn: 'relu' } });
        });
        const got = out.subarray(rows * K);
        expectClose(got, ref, () => 1e-4, 'dense NaN/Inf');
        assert.ok(Number.isNaN(got[0]) && Number.isNaN(got[N + 3]));
      });

      test(`${variant} dense reads a constant input`, () => {
        const x = randData(2 * 9, 5);
        const w = randData(9 * 6, 6);
        const ref = opDef('dense').reference([tensor([2, 9], x), tensor([9, 6], w)], { activation: { fn: 'linear' } })[0].data;
        const out = runProgram(variant, 12, undefined, (p) => p.dense({ x: p.constant(x), w: p.packDenseWeights(w, 9, 6), y: 0, rows: 2 }));
        expectClose(out, ref, () => 1e-5, 'dense const x');
      });
    }
  });

  describe(`${name} conv2d`, () => {
    for (const variant of variants) {
      for (const method of ['im2col', 'direct'] as const) {
        convCases.forEach((c, ci) => {
          test(`${variant} ${method} x[${c.x}] k${c.k.join('x')} oc${c.oc} s${c.s ?? [1, 1]} d${c.d ?? [1, 1]} p${c.p ?? [0, 0, 0, 0]}`, () => {
            const [n, h, w, ic] = c.x;
            const [kh, kw] = c.k;
            const attrs = { strides: c.s ?? [1, 1], dilations: c.d ?? [1, 1], pads: c.p ?? [0, 0, 0, 0], groups: 1, activation: c.act ?? { fn: 'linear' } } as const;
            const x = tensor(c.x, randData(n * h * w * ic, 1000 + ci, -2, 2));
            if (ci === 3) { x.data[5] = NaN; x.data[77] = Infinity; }
            const wt = tensor([kh, kw, ic, c.oc], randData(kh * kw * ic * c.oc, 2000 + ci));
            const b = tensor([c.oc], randData(c.oc, 3000 + ci));
            const ref = opDef('conv2d').reference([x, wt, b], attrs)[0];
            const S = opDef('conv2d').reference([x, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
            const [oh, ow] = windowOutputShape(c.x, kh, kw, attrs.strides, attrs.dilations, attrs.pads);
            assert.deepEqual(ref.shape, [n, oh, ow, c.oc]);
            const xs = x.data.length;
            const out = runProgram(variant, xs + ref.data.length, x.data, (p) => {
              const pw = p.packConv2dWeights(wt.data, kh, kw, ic, c.oc);
              // A small im2col block on some cases exercises several blocks and a ragged last block.
              p.conv2d({ ...attrs, x: 0, xShape: c.x, w: pw, kernelSize: c.k, bias: p.constant(b.data), y: xs, method, im2colRows: ci % 2 ? 5 : undefined });
            });
            const K = kh * kw * ic;
            expectClose(out.subarray(xs), ref.data, (i) => actTol(c.act, (K + 4) * U * S[i] + 8 * U * S[i], ref.data[i]), `conv2d ${method}`);
          });
        });
      }
    }
  });

  describe(`${name} depthwise_conv2d`, () => {
    const cases: (ConvCase & { m: number })[] = [
      { x: [1, 5, 5, 4], k: [3, 3], oc: 0, m: 1, p: [1, 1, 1, 1], act: { fn: 'relu6' } },
      { x: [2, 7, 6, 5], k: [3, 2], oc: 0, m: 1, s: [2, 1], d: [1, 2], p: [1, 0, 2, 1] },
      { x: [1, 6, 6, 3], k: [3, 3], oc: 0, m: 2, s: [2, 2], p: [1, 1, 1, 1], act: { fn: 'sigmoid' } },
      { x: [1, 4, 4, 9], k: [5, 5], oc: 0, m: 1, p: [2, 2, 2, 2] },
      { x: [1, 1, 1, 1], k: [1, 1], oc: 0, m: 3 },
    ];
    for (const variant of variants) {
      cases.forEach((c, ci) => {
        test(`${variant} x[${c.x}] k${c.k.join('x')} m${c.m}`, () => {
          const [n, h, w, ic] = c.x;
          const [kh, kw] = c.k;
          const attrs = { strides: c.s ?? [1, 1], dilations: c.d ?? [1, 1], pads: c.p ?? [0, 0, 0, 0], activation: c.act ?? { fn: 'linear' } } as const;
          const x = tensor(c.x, randData(n * h * w * ic, 4000 + ci, -2, 2));
          x.data[1] = NaN;
          const wt = tensor([kh, kw, ic, c.m], randData(kh * kw * ic * c.m, 5000 + ci));
          const b = tensor([ic * c.m], randData(ic * c.m, 6000 + ci));
          const ref = opDef('depthwise_conv2d').reference([x, wt, b], attrs)[0];
          const S = opDef('depthwise_conv2d').reference([x, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
          const xs = x.data.length;
          const out = runProgram(variant, xs + ref.data.length, x.data, (p) => {
            p.depthwiseConv2d({ ...attrs, x: 0, xShape: c.x, w: p.depthwiseWeights(wt.data, kh, kw, ic, c.m), bias: p.constant(b.data), y: xs });
          });
          expectClose(out.subarray(xs), ref.data, (i) => actTol(c.act, (kh * kw + 4) * U * S[i] + 8 * U * S[i], ref.data[i]), 'depthwise');
        });
      });
    }
  });

  describe(`${name} pool2d`, () => {
    const cases: PoolCase[] = [
      { x: [1, 28, 28, 32], k: [2, 2], s: [2, 2], p: [0, 0, 0, 0] },
      { x: [1, 5, 5, 1], k: [3, 3], s: [1, 1], p: [1, 1, 1, 1] },
      { x: [2, 7, 6, 3], k: [3, 2], s: [2, 1], p: [1, 1, 0, 1] },
      { x: [1, 4, 4, 9], k: [2, 2], s: [2, 2], p: [0, 1, 0, 1] },
      { x: [1, 3, 3, 4], k: [3, 3], s: [3, 3], p: [2, 0, 0, 2] },
      ...(engine.extraPoolCases ?? []),
    ];
    for (const variant of variants) {
      for (const type of ['max', 'avg'] as const) {
        cases.forEach((c, ci) => {
          test(`${variant} ${type} x[${c.x}] k${c.k} s${c.s} p${c.p}`, () => {
            const [n, h, w, ch] = c.x;
            const x = tensor(c.x, randData(n * h * w * ch, 7000 + ci, -3, 3));
            x.data[0] = NaN;
            x.data[x.data.length - 1] = Infinity;
            x.data[7] = -Infinity;
            // The first window's real cells NaN in the last channel: a max of -Inf (NaN is skipped, as TensorFlow).
            for (let i = 0; i < c.k[0] - c.p[0]; i++) for (let j = 0; j < c.k[1] - c.p[2]; j++) x.data[(i * w + j) * ch + ch - 1] = NaN;
            const attrs = { type, kernel: c.k, strides: c.s, pads: c.p } as const;
            const ref = opDef('pool2d').reference([x], attrs)[0];
            const xs = x.data.length;
            const out = runProgram(variant, xs + ref.data.length, x.data, (p) => p.pool2d({ ...attrs, x: 0, xShape: c.x, y: xs }));
            const win = c.k[0] * c.k[1];
            expectClose(out.subarray(xs), ref.data, (i) => (type === 'max' ? 0 : 4 * win * U * 3), `${type}pool`);
          });
        });
      }
    }
  });

  describe(`${name} softmax`, () => {
    for (const variant of variants) {
      for (const [rows, n] of [[1, 1], [1, 10], [3, 3], [2, 4], [5, 5], [4, 17], [2, 1000]] as const) {
        test(`${variant} ${rows}x${n}`, () => {
          const x = tensor([rows, n], randData(rows * n, 8000 + n, -20, 20));
          const ref = opDef('softmax').reference([x], { axis: -1 })[0].data;
          const out = runProgram(variant, rows * n, x.data, (p) => p.softmax({ x: 0, y: 0, rows, n }));
          expectClose(out, ref, (i) => 16 * U * ref[i] + 1e-7 / n, 'softmax');
        });
      }
      test(`${variant} softmax NaN / Inf rows`, () => {
        const n = 6;
        const rows = [
          [1, 2, NaN, 3, 4, 5],
          [1, Infinity, 2, 3, 4, 5],
          [-Infinity, 0, 1, -Infinity, 2, 3],
          [1000, 999, -1000, 0, 88, 89],
          [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
        ];
        const x = tensor([rows.length, n], rows.flat());
        const ref = opDef('softmax').reference([x], { axis: 1 })[0].data;
        const out = runProgram(variant, x.data.length, x.data, (p) => p.softmax({ x: 0, y: 0, rows: rows.length, n }));
        expectClose(out, ref, (i) => 16 * U * ref[i] + 1e-7, 'softmax special');
      });
    }
  });

  describe(`${name} binary`, () => {
    const fns: BinaryFn[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'];
    const modes: [BinaryMode, BinaryMode][] = [['full', 'full'], ['full', 'row'], ['full', 'scalar'], ['row', 'full'], ['scalar', 'full']];
    const shapeOf = (m: BinaryMode, rows: number, cols: number) => (m === 'full' ? [rows, cols] : m === 'row' ? [cols] : [1]);
    for (const variant of variants) {
      for (const fn of fns) {
        test(`${variant} ${fn}`, () => {
          for (const [rows, cols] of [[1, 1], [3, 5], [2, 8], [4, 13]] as const) {
            modes.forEach(([am, bm], mi) => {
              const sa = shapeOf(am, rows, cols);
              const sb = shapeOf(bm, rows, cols);
              const lo = fn === 'pow' ? -2 : -3;
              const a = tensor(sa, randData(sa.reduce((p, q) => p * q, 1), 9000 + mi * 7 + cols, lo, 3));
              const b = tensor(sb, randData(sb.reduce((p, q) => p * q, 1), 9500 + mi * 7 + cols, lo, 3));
              if (fn === 'pow') {
                // Integer exponents for negative bases, and the IEEE special cases pow(1, NaN) = 1, pow(-1, Inf) = 1.
                for (let i = 0; i < b.data.length; i++) if (i % 2) b.data[i] = Math.round(b.data[i]);
                if (a.data.length > 2 && b.data.length > 2) { a.data[1] = 1; b.data[1] = NaN; a.data[2] = -1; b.data[2] = Infinity; }
              }
              if (a.data.length > 3) { a.data[0] = NaN; a.data[3] = Infinity; }
              if (b.data.length > 4) b.data[4] = -Infinity;
              const ref = opDef('binary').reference([a, b], { fn })[0].data;
              const na = a.data.length;
              const nb = b.data.length;
              const out = runProgram(variant, na + nb + rows * cols, Float32Array.from([...a.data, ...b.data]), (p) => {
                p.binary({ fn, a: 0, b: na, y: na + nb, rows, cols, aMode: am, bMode: bm });
              });
              expectClose(out.subarray(na + nb), ref, (i) => (fn === 'pow' ? 2 * U * Math.abs(ref[i]) : 0), `${fn} ${rows}x${cols} ${am}/${bm}`);
            });
          }
        });
      }
      test(`${variant} binary with a constant operand and a fused activation`, () => {
        const a = randData(12, 1);
        const bias = randData(4, 2);
        const ref = opDef('binary').reference([tensor([3, 4], a), tensor([4], bias)], { fn: 'add' })[0].data.map((v) => Math.max(0, v));
        const out = runProgram(variant, 24, a, (p) => p.binary({ fn: 'add', a: 0, b: p.constant(bias), bMode: 'row', y: 12, rows: 3, cols: 4, activation: { fn: 'relu' } }));
        expectClose(out.subarray(12), ref, () => 0, 'add+relu');
      });
    }
  });

  describe(`${name} programs`, () => {
    for (const variant of variants) {
      test(`${variant} copy`, () => {
        for (const n of [0, 1, 3, 4, 5, 33]) {
          const x = randData(n, n);
          const out = runProgram(variant, 2 * n + 1, x, (p) => p.copy({ x: 0, y: n, n }));
          assert.deepEqual([...out.subarray(n, 2 * n)], [...x]);
        }
      });

      test(`${variant} a CNN-shaped program runs repeatedly and matches the chained references`, () => {
        // conv 3x3x8 same + relu -> maxpool 2 -> dense 200->10 -> softmax, on a 10x10x1 input.
        const x = tensor([1, 10, 10, 1], randData(100, 1));
        const cw = tensor([3, 3, 1, 8], randData(72, 2));
        const cb = tensor([8], randData(8, 3));
        const dw = tensor([200, 10], randData(2000, 4));
        const db = tensor([10], randData(10, 5));
        const conv = opDef('conv2d').reference([x, cw, cb], { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { fn: 'relu' } })[0];
        const pool = opDef('pool2d').reference([conv], { type: 'max', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] })[0];
        const dense = opDef('dense').reference([tensor([1, 200], pool.data), dw, db], { activation: { fn: 'linear' } })[0];
        const ref = opDef('softmax').reference([dense], { axis: -1 })[0].data;

        const k = engine.load(variant);
        const prog = new WasmProgram(k, { arenaFloats: 100 + 800 + 200 + 10 });
        const pw = prog.packConv2dWeights(cw.data, 3, 3, 1, 8);
        prog.conv2d({ x: 0, xShape: [1, 10, 10, 1], w: pw, kernelSize: [3, 3], bias: prog.constant(cb.data), y: 100, pads: [1, 1, 1, 1], activation: { fn: 'relu' } });
        prog.pool2d({ type: 'max', x: 100, xShape: [1, 10, 10, 8], y: 900, kernel: [2, 2], strides: [2, 2] });
        prog.dense({ x: 900, w: prog.packDenseWeights(dw.data, 200, 10), bias: prog.constant(db.data), y: 1100, rows: 1 });
        prog.softmax({ x: 1100, y: 1100, rows: 1, n: 10 });
        prog.finish();
        assert.equal(prog.describe().length, 4);
        for (let rep = 0; rep < 3; rep++) {
          prog.arena.set(x.data, 0);
          prog.run();
          expectClose(prog.arena.subarray(1100, 1110), ref, (i) => 1e-5 * ref[i] + 1e-7, 'cnn');
        }
        // A second program on the same instance grows memory; the first one's arena view is refreshed.
        const other = new WasmProgram(k, { arenaFloats: 1 << 20 });
        other.copy({ x: 0, y: 1, n: 1 });
        other.finish();
        prog.arena.set(x.data, 0);
        prog.run();
        expectClose(prog.arena.subarray(1100, 1110), ref, (i) => 1e-5 * ref[i] + 1e-7, 'cnn after grow');
      });

      test(`${variant} encoder rejects out-of-arena operands and foreign weights`, () => {
        const k = engine.load(variant);
        const prog = new WasmProgram(k, { arenaFloats: 16 });
        const w = prog.packDenseWeights(new Float32Array(8 * 4), 8, 4);
        assert.throws(() => prog.dense({ x: 10, w, y: 0, rows: 1 }), /outside the arena/);
        const other = new WasmProgram(k, { arenaFloats: 16 });
        assert.throws(() => other.dense({ x: 0, w, y: 8, rows: 1 }), /this program/);
        assert.throws(() => prog.conv2d({ x: 0, xShape: [1, 2, 2, 2], w, kernelSize: [1, 1], y: 8 }), /K = 8/);
      });
    }
  });

  return runProgram;
}
