// Winograd conv (OP_CONV2D_WINOGRAD) on the native back end's kernel sets (every set this CPU supports): the
// cases and tolerances of test/kernels/winograd.test.ts (copied: importing it would run its tests again), against
// the conv2d reference. Skipped, with the reason printed, only when the addon is not built.
//
// Tolerance (see winograd.test.ts): F(2x2, 3x3): |got - ref| <= 2 (K + 4) u S; F(2x2, 5x5): 4 (K + 4) u S, plus
// the activation's own error; NaN / Inf inputs: a non-finite reference output must be non-finite.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tensor } from '../../src/core/tensor.js';
import type { Activation } from '../../src/ops/activation-fns.js';
import { opDef } from '../../src/ops/registry.js';
import { WasmProgram, windowOutputShape, type WinogradSize } from '../../src/kernels/wasm/index.js';
import { loadNativeKernels, nativeIsas, nativeUnavailableReason, type NativeIsa } from '../../src/kernels/native/loader.js';
import { rng } from '../helpers/rand.js';

const U = 2 ** -24;
const VARIANTS: NativeIsa[] = nativeIsas();
const SKIP = VARIANTS.length === 0 ? `native addon unavailable: ${nativeUnavailableReason()}` : false;
if (SKIP) console.log(`# native Winograd tests skipped: ${SKIP}`);
test('native addon is built and loads', { skip: SKIP }, () => assert.ok(VARIANTS.length > 0));
const FACTOR: Record<WinogradSize, number> = { 3: 2, 5: 4 };

function randData(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * r();
  return d;
}

interface Case {
  x: [number, number, number, number];
  r: WinogradSize;
  oc: number;
  p: [number, number, number, number];
  act?: Activation;
  tiles?: number;
  nonFinite?: boolean;
}

const CASES: Case[] = [
  { x: [1, 14, 14, 32], r: 3, oc: 32, p: [1, 1, 1, 1], act: { fn: 'relu' } }, // the expert's second conv
  { x: [1, 14, 14, 32], r: 5, oc: 64, p: [2, 2, 2, 2], act: { fn: 'relu' } }, // deep-mnist's second conv
  { x: [1, 1, 1, 1], r: 3, oc: 1, p: [1, 1, 1, 1] },
  { x: [1, 5, 7, 3], r: 3, oc: 5, p: [1, 1, 1, 1], tiles: 8 }, // odd sizes: cut edge tiles; cin % 4, cout < 8
  { x: [2, 9, 8, 13], r: 3, oc: 12, p: [0, 0, 0, 0], act: { fn: 'tanh' } }, // valid: odd output, 4-wide tail panel
  { x: [3, 6, 6, 8], r: 3, oc: 17, p: [2, 0, 1, 1], act: { fn: 'leaky_relu', alpha: 0.2 } }, // asymmetric pads
  { x: [1, 9, 9, 8], r: 5, oc: 12, p: [2, 2, 2, 2], act: { fn: 'relu6' } },
  { x: [2, 11, 10, 5], r: 5, oc: 9, p: [0, 0, 0, 0], tiles: 12 },
  { x: [1, 4, 4, 4], r: 5, oc: 4, p: [2, 2, 2, 2] }, // fewer pixels than one tile block
  { x: [1, 6, 6, 4], r: 3, oc: 8, p: [1, 1, 1, 1], nonFinite: true },
];

function runWinograd(variant: NativeIsa, c: Case, x: Float32Array, w: Float32Array, b: Float32Array, outSize: number): Float32Array {
  const prog = new WasmProgram(loadNativeKernels({ isa: variant }), { arenaFloats: x.length + outSize });
  const [, , , ic] = c.x;
  const pw = prog.packWinogradWeights(w, c.r, ic, c.oc);
  prog.conv2d({ x: 0, xShape: c.x, w: pw, kernelSize: [c.r, c.r], bias: prog.constant(b), y: x.length, pads: c.p, activation: c.act, im2colRows: c.tiles });
  prog.finish();
  prog.arena.fill(NaN);
  prog.arena.set(x, 0);
  prog.run();
  assert.match(prog.describe()[0], /winograd/);
  return prog.arena.slice(x.length);
}

describe('native conv2d Winograd', () => {
  for (const variant of VARIANTS) {
    CASES.forEach((c, ci) => {
      test(`${variant} F(2x2,${c.r}x${c.r}) x[${c.x}] oc${c.oc} p${c.p}${c.act ? ` +${c.act.fn}` : ''}${c.tiles ? ` tiles ${c.tiles}` : ''}`, () => {
        const [n, h, w, ic] = c.x;
        const attrs = { strides: [1, 1], dilations: [1, 1], pads: c.p, groups: 1, activation: c.act ?? { fn: 'linear' } } as const;
        const x = tensor(c.x, randData(n * h * w * ic, 100 + ci, -2, 2));
        if (c.nonFinite) {
          x.data[9] = NaN;
          x.data[70] = Infinity;
        }
        const wt = tensor([c.r, c.r, ic, c.oc], randData(c.r * c.r * ic * c.oc, 200 + ci));
        const b = tensor([c.oc], randData(c.oc, 300 + ci));
        const ref = opDef('conv2d').reference([x, wt, b], attrs)[0];
        const abs = (d: Float32Array) => d.map(Math.abs);
        const S = opDef('conv2d').reference([x, wt, b].map((t) => tensor(t.shape, abs(t.data))), { ...attrs, activation: { fn: 'linear' } })[0].data;
        const [oh, ow] = windowOutputShape(c.x, c.r, c.r, [1, 1], [1, 1], c.p);
        assert.deepEqual(ref.shape, [n, oh, ow, c.oc]);
        const got = runWinograd(variant, c, x.data, wt.data, b.data, ref.data.length);
        const K = c.r * c.r * ic;
        const slope = c.act?.fn === 'tanh' || c.act?.fn === 'leaky_relu' || c.act?.fn === 'relu' || c.act?.fn === 'relu6' ? 1.2 : 1;
        for (let i = 0; i < ref.data.length; i++) {
          const r = ref.data[i];
          const g = got[i];
          if (!Number.isFinite(r)) {
            assert.ok(!Number.isFinite(g), `[${i}]: reference ${r}, got ${g}`);
            continue;
          }
          if (c.nonFinite && !Number.isFinite(g)) continue; // spread through the tile (see header)
          const tol = slope * FACTOR[c.r] * (K + 4) * U * S[i] + 8 * U * Math.abs(r) + 16 * U;
          assert.ok(Math.abs(g - r) <= tol, `[${i}]: got ${g}, expected ${r}, |diff| ${Math.abs(g - r)} > ${tol}`);
        }
      });
    });
  }
});
