// Max / average pooling over NHWC windows with explicit pads, vectorised over channels. Padded cells never win
// a max and are not counted in an average (TensorFlow / Keras semantics). Max uses f32x4.max, which propagates
// NaN (like Math.max). Lanes past the channel count read neighbouring memory and are never stored.

import {
  F_X, F_Y, F_BATCH, F_IH, F_IW, F_IC, F_OH, F_OW, F_KH, F_KW, F_SH, F_SW, F_PT, F_PL, F_ACT, F_ALPHA, F_BETA,
} from "../step-encoding";
import { splat, actv, storeLanes } from "./simd";

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
              acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
            }
          }
          if (!isMax) acc = f32x4.div(acc, splat(count));
          storeLanes(out + off, actv(acc, act, alpha, beta), c - c0);
        }
      }
    }
  }
}
