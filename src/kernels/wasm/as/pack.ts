// Weight packing at compile time, in wasm. The same layouts as program.ts packPanels (8-wide column panels,
// one 4-wide tail) and winograd.ts winogradKernel (U = G g G^T in f64, rounded once to f32, the same
// operation order, so the same bits). Why here: a model is compiled once, so the JavaScript packing loops ran
// cold (before V8 optimised them): deep-mnist's 3136 x 1024 dense kernel took 20-33 ms and its 5x5 Winograd
// transform 14-17 ms of a 50 ms load + compile budget; compiled wasm runs them at full speed on first use.

import { PANEL, PANEL_TAIL } from "../step-encoding";

/** Float index of column `col`, row `k` of a packed [K, N] kernel (panels of PANEL, the last maybe PANEL_TAIL). */
// @ts-ignore: decorator
@inline function packedIndex(K: i32, N: i32, k: i32, col: i32): usize {
  const p = col / PANEL;
  const c0 = p * PANEL;
  const width = N - c0 <= PANEL_TAIL ? PANEL_TAIL : PANEL;
  return <usize>(c0 * K + k * width + (col - c0));
}

/** Floats of a packed [K, N] kernel (program.ts packedSize). */
function packedFloats(K: i32, N: i32): i32 {
  const full = N / PANEL;
  const rem = N - full * PANEL;
  return K * (full * PANEL + (rem == 0 ? 0 : rem <= PANEL_TAIL ? PANEL_TAIL : PANEL));
}

/**
 * Packs rows [k0, k1) of a row-major [K, N] float32 kernel into its panels at `dst` (packedFloats(K, N) floats
 * in all). `src` holds just those rows (the caller stages the kernel through a small buffer, a block of rows at
 * a time, so a block stays in cache while every panel takes its slice). Padding columns are written as zeros.
 */
export function packPanelRows(src: usize, dst: usize, K: i32, N: i32, k0: i32, k1: i32): void {
  const full = N / PANEL;
  for (let p = 0; p < full; p++) {
    // A full panel: two vector copies per row. (A full panel is never the 4-wide tail.)
    const c0 = p * PANEL;
    let o = dst + (<usize>(c0 * K + k0 * PANEL) << 2);
    let s = src + (<usize>c0 << 2);
    for (let k = k0; k < k1; k++) {
      v128.store(o, v128.load(s));
      v128.store(o, v128.load(s, 16), 16);
      o += PANEL << 2;
      s += <usize>N << 2;
    }
  }
  const c0 = full * PANEL;
  if (c0 < N) {
    const width = N - c0 <= PANEL_TAIL ? PANEL_TAIL : PANEL;
    for (let k = k0; k < k1; k++) {
      const o = dst + (<usize>(c0 * K + k * width) << 2);
      const s = src + (<usize>((k - k0) * N + c0) << 2);
      for (let j = 0; j < width; j++) store<f32>(o + (<usize>j << 2), c0 + j < N ? load<f32>(s + (<usize>j << 2)) : 0);
    }
  }
}

/**
 * Winograd kernel transform and packing in one pass: for every (ci, co) of the HWIO kernel [r, r, cin, cout] at
 * `src`, U = G g G^T (G: t x r f64 at `g`, row-major) in f64, stored as f32 into matrix e = i * t + j of t*t
 * packed [cin, cout] matrices at `dst` (each packedFloats(cin, cout) floats). `tmp` holds t * r f64.
 */
export function winogradPack(src: usize, dst: usize, g: usize, tmp: usize, r: i32, t: i32, cin: i32, cout: i32): void {
  const ps = <usize>packedFloats(cin, cout);
  memory.fill(dst, 0, (<usize>(t * t) * ps) << 2);
  for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      // (G g)[i][b] = sum_a G[i][a] g[a][b], a in order from 0 (winograd.ts does the same).
      for (let i = 0; i < t; i++) {
        for (let b = 0; b < r; b++) {
          let s: f64 = 0;
          for (let a = 0; a < r; a++) {
            const w = <f64>load<f32>(src + (<usize>(((a * r + b) * cin + ci) * cout + co) << 2));
            s += load<f64>(g + (<usize>(i * r + a) << 3)) * w;
          }
          store<f64>(tmp + (<usize>(i * r + b) << 3), s);
        }
      }
      const at = packedIndex(cin, cout, ci, co);
      for (let i = 0; i < t; i++) {
        for (let j = 0; j < t; j++) {
          let s: f64 = 0;
          for (let b = 0; b < r; b++) s += load<f64>(tmp + (<usize>(i * r + b) << 3)) * load<f64>(g + (<usize>(j * r + b) << 3));
          store<f32>(dst + ((<usize>(i * t + j) * ps + at) << 2), <f32>s);
        }
      }
    }
  }
}
