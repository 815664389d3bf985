// Winograd conv (wasm OP_CONV2D_WINOGRAD: F(2x2, 3x3), F(2x2, 5x5); OP_CONV2D_WINOGRAD_F4: F(4x4, 3x3)): the
// transform matrices are exact (checked in float64 against the definition), and the kernels match the conv2d
// reference within the tolerances stated in winograd-conformance.ts, in both builds.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadWasmKernels, relaxedSimdSupported, WINOGRAD, WINOGRAD_F4, winogradKernel, type WasmVariant } from '../../src/kernels/wasm/index.js';
import { randData } from '../helpers/rand.js';
import { winogradConformance } from './winograd-conformance.js';

const VARIANTS: WasmVariant[] = relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];

describe('Winograd transform matrices', () => {
  for (const [name, mats, r] of [['F(2, 3)', WINOGRAD[3], 3], ['F(2, 5)', WINOGRAD[5], 5], ['F(4, 3)', WINOGRAD_F4, 3]] as const) {
    test(`${name}: AT [(G g) . (BT d)] is the correlation y_i = sum_k g_k d_(i+k), exactly`, () => {
      const { m, t, AT, G, BT } = mats;
      assert.equal(t, m + r - 1);
      // The identity is bilinear: check it on every pair of unit vectors (g = e_k, d = e_l).
      for (let k = 0; k < r; k++) {
        for (let l = 0; l < t; l++) {
          for (let i = 0; i < m; i++) {
            let s = 0;
            for (let j = 0; j < t; j++) s += AT[i][j] * G[j][k] * BT[j][l];
            assert.ok(Math.abs(s - (l === i + k ? 1 : 0)) < 1e-12, `i ${i} k ${k} l ${l}: ${s}`);
          }
        }
      }
    });
  }

  test('winogradKernel: U_e = (G g G^T)[e] per (cin, cout)', () => {
    const r = 3;
    const { t, G } = WINOGRAD[r];
    const cin = 2;
    const cout = 3;
    const k = randData(r * r * cin * cout, 5);
    const u = winogradKernel(k, r, cin, cout);
    assert.equal(u.length, t * t);
    const ci = 1;
    const co = 2;
    for (let i = 0; i < t; i++) {
      for (let j = 0; j < t; j++) {
        let s = 0;
        for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) s += G[i][a] * k[((a * r + b) * cin + ci) * cout + co] * G[j][b];
        assert.ok(Math.abs(u[i * t + j][ci * cout + co] - s) <= 1e-6 * Math.max(1, Math.abs(s)));
      }
    }
  });
});

winogradConformance({ name: 'wasm', variants: VARIANTS, load: (variant) => loadWasmKernels({ variant }), tiles: [2, 4] });
