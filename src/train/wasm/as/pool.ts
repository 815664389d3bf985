// AssemblyScript, compiled by scripts/build-train-wasm.mjs (asc); tsconfig.json excludes it from tsc.
// Max pooling forward (value and argmax: the flat input index of each window's first maximum) and backward
// (scatter-add through argmax), NHWC, four channels at a time with compare + bitselect (no branches). NaN never
// wins (`v > best` from -Inf), the semantics of src/train/kernels/js.ts maxPool2dForwardJs (where the why is):
// the max over non-NaN values; -Inf with argmax -1 (no cell gets the gradient) where no cell is above -Inf.

const P_N: i32 = 0, P_H: i32 = 1, P_W: i32 = 2, P_C: i32 = 3, P_KH: i32 = 4, P_KW: i32 = 5, P_OH: i32 = 6, P_OW: i32 = 7,
  P_SH: i32 = 8, P_SW: i32 = 9, P_PT: i32 = 10, P_PL: i32 = 11;

// @ts-ignore: decorator
@inline function pf(g: usize, f: i32): i32 {
  return load<i32>(g + (<usize>f << 2));
}

export function maxPool2dForward(g: usize, x: usize, y: usize, argmax: usize): void {
  const N = pf(g, P_N), H = pf(g, P_H), W = pf(g, P_W), C = pf(g, P_C), KH = pf(g, P_KH), KW = pf(g, P_KW);
  const OH = pf(g, P_OH), OW = pf(g, P_OW), sh = pf(g, P_SH), sw = pf(g, P_SW), pt = pf(g, P_PT), pl = pf(g, P_PL);
  const c4 = C & ~3;
  const lanes = i32x4(0, 1, 2, 3);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = max(0, oy * sh - pt);
      const y1 = min(H, oy * sh - pt + KH);
      for (let ox = 0; ox < OW; ox++) {
        const x0 = max(0, ox * sw - pl);
        const x1 = min(W, ox * sw - pl + KW);
        const o = ((n * OH + oy) * OW + ox) * C;
        let c = 0;
        for (; c < c4; c += 4) {
          let best = f32x4.splat(-Infinity);
          let idx = i32x4.splat(-1);
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const p = ((n * H + iy) * W + ix) * C + c;
              const v = v128.load(x + (<usize>p << 2));
              const m = f32x4.gt(v, best);
              best = v128.bitselect(v, best, m);
              idx = v128.bitselect(i32x4.add(i32x4.splat(p), lanes), idx, m);
            }
          }
          v128.store(y + (<usize>(o + c) << 2), best);
          v128.store(argmax + (<usize>(o + c) << 2), idx);
        }
        for (; c < C; c++) {
          let best: f32 = -Infinity;
          let idx = -1;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const p = ((n * H + iy) * W + ix) * C + c;
              const v = load<f32>(x + (<usize>p << 2));
              if (v > best) {
                best = v;
                idx = p;
              }
            }
          }
          store<f32>(y + (<usize>(o + c) << 2), best);
          store<i32>(argmax + (<usize>(o + c) << 2), idx);
        }
      }
    }
  }
}

/** dx (dxCount floats) = 0, then dx[argmax[i]] += dy[i] for i < count where argmax[i] >= 0. */
export function maxPool2dBackward(dy: usize, argmax: usize, count: i32, dx: usize, dxCount: i32): void {
  memory.fill(dx, 0, <usize>dxCount << 2);
  for (let i = 0; i < count; i++) {
    const a = load<i32>(argmax + (<usize>i << 2));
    if (a < 0) continue;
    const p = dx + (<usize>a << 2);
    store<f32>(p, load<f32>(p) + load<f32>(dy + (<usize>i << 2)));
  }
}
