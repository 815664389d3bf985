// Conformance of the native back end's kernel sets (native/: portable C++, AVX2+FMA, AVX-512F; every set this
// CPU supports) against the op references in src/ops, through the same WasmProgram encoder the wasm back end
// uses: the shared cases and tolerances of program-conformance.ts (those wasm.test.ts runs too), plus native-only
// checks (GEMM edge tiles, batch threads, program validation, format constants).
// Skipped, with the reason printed, only when the addon is not built (CI builds it: npm ci -> npm run build).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tensor } from '../../src/core/tensor.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import { opDef } from '../../src/ops/registry.js';
import { WasmProgram } from '../../src/kernels/wasm/index.js';
import * as E from '../../src/kernels/wasm/step-encoding.js';
import { loadNativeKernels, nativeAddon, nativeIsas, nativeUnavailableReason, nativeThreads, setNativeThreads, type NativeIsa } from '../../src/kernels/native/loader.js';
import { randData } from '../helpers/rand.js';
import { abs, actTol, expectClose, programConformance, U } from './program-conformance.js';

const VARIANTS: NativeIsa[] = nativeIsas();
const SKIP = VARIANTS.length === 0 ? `native addon unavailable: ${nativeUnavailableReason()}` : false;
if (SKIP) console.log(`# native kernel tests skipped: ${SKIP}`);
test('native addon is built and loads', { skip: SKIP }, () => assert.ok(VARIANTS.length > 0));

const runProgram = programConformance({ name: 'native', variants: VARIANTS, load: (isa) => loadNativeKernels({ isa }) });

// ---------------------------------------------------------------------------------------------------------------
// Native-only checks

test('the addon was compiled with the program format of step-encoding.ts', { skip: SKIP }, () => {
  const c = nativeAddon()!.constants();
  for (const [name, value] of Object.entries(E)) {
    if (typeof value === 'number') assert.equal(c[name], value, name);
  }
});

/** Dense through one program; returns [got, ref, S]. */
function denseCase(variant: NativeIsa, rows: number, K: number, N: number, act: Activation | undefined, seed: number) {
  const x = tensor([rows, K], randData(rows * K, seed, -2, 2));
  const w = tensor([K, N], randData(K * N, seed + 1));
  const b = tensor([N], randData(N, seed + 2));
  const ref = opDef('dense').reference([x, w, b], { activation: act ?? { fn: 'linear' } })[0].data;
  const S = opDef('dense').reference([x, w, b].map((t) => tensor(t.shape, abs(t.data))), { activation: { fn: 'linear' } })[0].data;
  const out = runProgram(variant, rows * K + rows * N, x.data, (p) => {
    p.dense({ x: 0, w: p.packDenseWeights(w.data, K, N), bias: p.constant(b.data), y: rows * K, rows, activation: act });
  });
  return { got: out.subarray(rows * K), ref, S };
}

describe('native GEMM edge tiles', () => {
  // Every column-chunk shape (N mod 16 in 0, 1..4, 5..8, 9..12, 13..15, and several groups), row tails of every
  // tile height (1..8 rows left over), K blocks (K > 256).
  const NS = [1, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 20, 21, 24, 28, 29, 31, 32, 33, 36, 40, 44, 47, 48, 64, 65, 76];
  const ROWS = [1, 2, 3, 5, 6, 7, 8, 9, 11, 13, 16, 17];
  for (const variant of VARIANTS) {
    test(`${variant} dense N x rows sweep`, () => {
      NS.forEach((N, ni) => {
        for (const rows of [ROWS[ni % ROWS.length], ROWS[(ni + 5) % ROWS.length]]) {
          const K = [3, 257, 40, 600][ni % 4];
          const act: Activation = ni % 3 === 0 ? { fn: 'relu6' } : ni % 3 === 1 ? { fn: 'tanh' } : { fn: 'linear' };
          const { got, ref, S } = denseCase(variant, rows, K, N, act, 31 * ni + rows);
          expectClose(got, ref, (i) => actTol(act, (K + 4) * U * S[i] + 8 * U * S[i], ref[i]), `dense ${rows}x${K}x${N} ${act.fn}`);
        }
      });
    });
    test(`${variant} conv2d direct / im2col over ragged channel counts`, () => {
      for (const [oc, x] of [[12, [1, 5, 6, 9]], [20, [2, 4, 5, 8]], [36, [1, 7, 3, 16]], [48, [1, 3, 11, 3]], [76, [1, 6, 6, 5]]] as [number, [number, number, number, number]][]) {
        for (const method of ['im2col', 'direct'] as const) {
          const [n, h, w, ic] = x;
          const attrs = { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { fn: 'relu' } } as const;
          const xt = tensor(x, randData(n * h * w * ic, oc, -2, 2));
          const wt = tensor([3, 3, ic, oc], randData(9 * ic * oc, oc + 1));
          const b = tensor([oc], randData(oc, oc + 2));
          const ref = opDef('conv2d').reference([xt, wt, b], attrs)[0].data;
          const S = opDef('conv2d').reference([xt, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
          const xs = xt.data.length;
          const out = runProgram(variant, xs + ref.length, xt.data, (p) => {
            p.conv2d({ ...attrs, x: 0, xShape: x, w: p.packConv2dWeights(wt.data, 3, 3, ic, oc), kernelSize: [3, 3], bias: p.constant(b.data), y: xs, method });
          });
          expectClose(out.subarray(xs), ref, (i) => (9 * ic + 4) * U * S[i] + 8 * U * S[i], `conv ${method} oc${oc}`);
        }
      }
    });
  }
});

describe('native batch threads', () => {
  // Batch steps above the threading threshold, run with 1 and with 2 threads: rows are split between threads, each
  // row computed the same way, so results must be bitwise identical (and match the reference).
  const cases: { name: string; build: (p: WasmProgram, xs: number) => void; xShape: number[]; outSize: number; ref: (x: Float32Array) => { ref: Float32Array; tol: (i: number) => number } }[] = [];
  const convCase = (name: string, x: [number, number, number, number], k: number, oc: number, method: 'im2col' | 'direct') => {
    const [n, h, w, ic] = x;
    const pad = (k - 1) >> 1;
    const attrs = { strides: [1, 1], dilations: [1, 1], pads: [pad, k - 1 - pad, pad, k - 1 - pad], groups: 1, activation: { fn: 'relu' } } as const;
    const wt = tensor([k, k, ic, oc], randData(k * k * ic * oc, 77));
    const b = tensor([oc], randData(oc, 78));
    cases.push({
      name,
      xShape: x,
      outSize: n * h * w * oc,
      build: (p, xs) => p.conv2d({ ...attrs, x: 0, xShape: x, w: p.packConv2dWeights(wt.data, k, k, ic, oc), kernelSize: [k, k], bias: p.constant(b.data), y: xs, method }),
      ref: (xd) => {
        const xt = tensor(x, xd);
        const ref = opDef('conv2d').reference([xt, wt, b], attrs)[0].data;
        const S = opDef('conv2d').reference([xt, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
        return { ref, tol: (i) => (k * k * ic + 4) * U * S[i] + 8 * U * S[i] };
      },
    });
  };
  convCase('direct 8x14x14x32 k3 -> 32', [8, 14, 14, 32], 3, 32, 'direct');
  convCase('im2col 6x28x28x1 k5 -> 32 (several blocks)', [6, 28, 28, 1], 5, 32, 'im2col');
  convCase('im2col 3x20x20x9 k5 -> 13', [3, 20, 20, 9], 5, 13, 'im2col');
  {
    const rows = 64, K = 300, N = 70;
    const w = tensor([K, N], randData(K * N, 90));
    const b = tensor([N], randData(N, 91));
    cases.push({
      name: 'dense 64x300 . 300x70 + sigmoid',
      xShape: [rows, K],
      outSize: rows * N,
      build: (p, xs) => p.dense({ x: 0, w: p.packDenseWeights(w.data, K, N), bias: p.constant(b.data), y: xs, rows, activation: { fn: 'sigmoid' } }),
      ref: (xd) => {
        const x = tensor([rows, K], xd);
        const ref = opDef('dense').reference([x, w, b], { activation: { fn: 'sigmoid' } })[0].data;
        const S = opDef('dense').reference([x, w, b].map((t) => tensor(t.shape, abs(t.data))), { activation: { fn: 'linear' } })[0].data;
        return { ref, tol: (i) => actTol({ fn: 'sigmoid' }, (K + 4) * U * S[i] + 8 * U * S[i], ref[i]) };
      },
    });
  }
  for (const variant of VARIANTS) {
    for (const c of cases) {
      test(`${variant} ${c.name}: 1 thread == 2 threads == reference`, () => {
        const before = nativeThreads();
        try {
          const xs = c.xShape.reduce((a, b) => a * b, 1);
          const x = randData(xs, 5, -2, 2);
          setNativeThreads(1);
          const one = runProgram(variant, xs + c.outSize, x, (p) => c.build(p, xs)).subarray(xs);
          setNativeThreads(2);
          const two = runProgram(variant, xs + c.outSize, x, (p) => c.build(p, xs)).subarray(xs);
          assert.deepEqual(two, one);
          const { ref, tol } = c.ref(x);
          expectClose(two, ref, tol, c.name);
        } finally {
          setNativeThreads(before);
        }
      });
    }
  }
});

describe('native program safety', () => {
  for (const variant of VARIANTS) {
    test(`${variant} a step reaching outside the memory is refused before it runs; bad opcodes are reported`, () => {
      const make = () => {
        const k = loadNativeKernels({ isa: variant });
        const prog = new WasmProgram(k, { arenaFloats: 64 });
        prog.copy({ x: 0, y: 8, n: 8 });
        prog.activation({ x: 8, y: 16, n: 8, activation: { fn: 'relu' } });
        prog.finish();
        return { k, prog, words: new Int32Array(k.memory.buffer, prog.layout.program, 2 * E.STEP_WORDS) };
      };
      const a = make();
      a.words[E.STEP_WORDS + E.F_X] = a.k.memory.buffer.byteLength - 16; // 8 floats from 16 bytes before the end
      assert.throws(() => a.prog.run(), /step 1 reaches outside/);
      const b = make();
      b.words[E.STEP_WORDS + E.F_N] = -1;
      assert.throws(() => b.prog.run(), /step 1 reaches outside/);
      const c = make();
      c.words[E.STEP_WORDS + E.F_OP] = 99;
      assert.throws(() => c.prog.run(), /step 1 has a bad opcode/);
      const d = make();
      d.prog.arena.set(Float32Array.from({ length: 8 }, (_, i) => i - 4), 0);
      d.prog.run();
      assert.deepEqual([...d.prog.arena.subarray(16, 24)], [0, 0, 0, 0, 0, 1, 2, 3]);
    });
  }
});
