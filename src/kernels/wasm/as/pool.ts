// Max / average pooling over NHWC windows with explicit pads, vectorised over channels. Padded cells never win
// a max and are not counted in an average (TensorFlow / Keras semantics). Max skips NaN as TensorFlow does
// (src/ops/pool2d.ts): pmax(acc, v) = acc < v ? v : acc from -Inf keeps acc when v is NaN, so acc is never
// NaN and a window of NaN gives -Inf; it is one x86 maxps, where f32x4.max's NaN propagation costs several
// instructions. Lanes past the channel count read neighbouring memory and are never stored.

import {
  F_X, F_Y, F_BATCH, F_IH, F_IW, F_IC, F_OH, F_OW, F_KH, F_KW, F_SH, F_SW, F_PT, F_PL, F_ACT, F_ALPHA, F_BETA, ACT_LINEAR,
} from "../step-encoding";
import { splat, actv, actRow, storeLanes } from "./simd";

// @ts-ignore: decorator
@inline function fld(p: usize, f: i32): i32 {
  return load<i32>(p + (<usize>f << 2));
}

export function pool2d(p: usize, isMax: bool): void {
  const x = <usize>fld(p, F_X), y = <usize>fld(p, F_Y);
  const batch = fld(p, F_BATCH), ih = fld(p, F_IH), iw = fld(p, F_IW), c = fld(p, F_IC);
  const oh = fld(p, F_OH), ow = fld(p, F_OW);
  const kh = fld(p, F_KH), kw = fld(p, F_KW), sh = fld(p, F_SH), sw = fld(p, F_SW);
  const pt = fld(p, F_PT), pl = fld(p, F_PL);
  const act = fld(p, F_ACT), alpha = load<f32>(p + (<usize>F_ALPHA << 2)), beta = load<f32>(p + (<usize>F_BETA << 2));
  if (isMax && (c & 3) == 0 && pt == 0 && pl == 0 && (oh - 1) * sh + kh <= ih && (ow - 1) * sw + kw <= iw) {
    maxPoolInside(x, y, batch, ih, iw, c, oh, ow, kh, kw, sh, sw, act, alpha, beta);
    return;
  }
  const cB = <usize>c << 2;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - pt;
      const ky0 = max(0, -iy0), ky1 = min(kh, ih - iy0);
      for (let ox = 0; ox < ow; ox++) {
        const ix0 = ox * sw - pl;
        const kx0 = max(0, -ix0), kx1 = min(kw, iw - ix0);
        const count = <f32>(max(0, ky1 - ky0) * max(0, kx1 - kx0));
        const out = y + <usize>((n * oh + oy) * ow + ox) * cB;
        for (let c0 = 0; c0 < c; c0 += 4) {
          const off = <usize>c0 << 2;
          let acc = isMax ? splat(-Infinity) : splat(0.0);
          for (let ky = ky0; ky < ky1; ky++) {
            const row = x + <usize>((n * ih + iy0 + ky) * iw) * cB + off;
            for (let kx = kx0; kx < kx1; kx++) {
              const v = v128.load(row + <usize>(ix0 + kx) * cB);
              acc = isMax ? f32x4.pmax(acc, v) : f32x4.add(acc, v);
            }
          }
          if (!isMax) acc = f32x4.div(acc, splat(count));
          storeLanes(out + off, actv(acc, act, alpha, beta), c - c0);
        }
      }
    }
  }
}

/**
 * Max pool whose windows all lie inside the input (no pads), channels a multiple of 4: pointer walks, no bounds
 * logic, 2x2 unrolled. The max of the window's non-NaN values in any order equals the general path's (max is
 * exact); pmax only ever takes a NaN-free accumulator (-Inf or a pmax result) as its first operand.
 * 2x2 windows run in a loop of their own (maxPool2x2Row).
 */
function maxPoolInside(x: usize, y: usize, batch: i32, ih: i32, iw: i32, c: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  act: i32, alpha: f32, beta: f32): void {
  const cB = <usize>c << 2;
  const rowB = <usize>iw * cB;
  const stepB = <usize>sw * cB;
  const two = kh == 2 && kw == 2;
  const ninf = splat(-Infinity);
  let out = y;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * <usize>ih * rowB;
    for (let oy = 0; oy < oh; oy++) {
      const win = xn + <usize>(oy * sh) * rowB;
      if (two) {
        maxPool2x2Row(win, out, ow, cB, rowB, stepB);
        out += <usize>ow * cB;
        continue;
      }
      for (let ox = 0; ox < ow; ox++) {
        const w = win + <usize>ox * stepB;
        for (let off: usize = 0; off < cB; off += 16) {
          const q = w + off;
          let acc = ninf;
          for (let ky = 0; ky < kh; ky++) {
            const r = q + <usize>ky * rowB;
            for (let kx = 0; kx < kw; kx++) acc = f32x4.pmax(acc, v128.load(r + <usize>kx * cB));
          }
          v128.store(out + off, acc);
        }
        out += cB;
      }
    }
  }
  // The activation (rare after a pool) in a pass of its own: a call to it inside the loop made V8 keep the loop's
  // values on the stack around it.
  if (act != ACT_LINEAR) actRow(y, y, batch * oh * ow * c, act, alpha, beta);
}

/**
 * One output row of a 2x2 max pool: ow windows stepB bytes apart from win (rows rowB apart), cB bytes of
 * channels each. Its own function, so the loop holds only its few pointers: inside maxPoolInside, with the
 * general window's loops and the activation call beside it, it ran slower (expert 28x28x32 -> 14x14x32:
 * 2.33 -> 1.47 us, 14x14x32 -> 7x7x32: 0.64 -> 0.41 us, with the activation moved out of the loop).
 */
function maxPool2x2Row(win: usize, out: usize, ow: i32, cB: usize, rowB: usize, stepB: usize): void {
  const ninf = splat(-Infinity);
  const end = out + <usize>ow * cB;
  for (; out < end; out += cB) {
    for (let off: usize = 0; off < cB; off += 16) {
      const q = win + off;
      // Two chains from -Inf joined at the end: shorter dependency chains than one of four.
      const top = f32x4.pmax(f32x4.pmax(ninf, v128.load(q)), v128.load(q + cB));
      const bottom = f32x4.pmax(f32x4.pmax(ninf, v128.load(q + rowB)), v128.load(q + rowB + cB));
      v128.store(out + off, f32x4.pmax(top, bottom));
    }
    win += stepB;
  }
}
