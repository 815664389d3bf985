// upsample2d: NHWC spatial upsampling by integer factors (Keras UpSampling2D; UpSampling1D via reshape).
// 'bilinear' follows tf.image.resize as Keras 3 and tf.keras 2.x UpSampling2D call it
// (half_pixel_centers=True, align_corners=False).
//
// nearest: y[n, oy, ox, c] = x[n, floor(oy / sh), floor(ox / sw), c] (Keras repeats each row/column).
// bilinear: source coordinate (o + 0.5) / s - 0.5, its floor clamped to [0, in - 1] and the next cell clamped
// likewise, blended with TF's lerp formula top + (bottom - top) * frac (tensorflow/core/kernels/image/
// resize_bilinear_op.cc). That formula decides Inf: an Inf neighbour gives NaN even at frac 0 (Inf - Inf),
// exactly as TF and TF.js do.

import { ShapeError } from '../core/errors.js';
import { sizeOf, tensor, type Shape } from '../core/tensor.js';
import { checkDims, checkInts } from './conv2d.js';
import { defineOp } from './types.js';

export interface Upsample2dAttrs {
  readonly scale: readonly [number, number];
  readonly mode: 'nearest' | 'bilinear';
}

/** Output shape of upsample2d, with every check; used by inferShape and by the reference itself. */
export function upsample2dOutShape(x: Shape, a: Upsample2dAttrs): number[] {
  const op = 'upsample2d';
  checkDims(op, 'input (NHWC)', x, 4, true);
  checkInts(op, 'scale', a.scale, 1);
  if (a.mode !== 'nearest' && a.mode !== 'bilinear') throw new ShapeError(`upsample2d: unknown mode ${String(a.mode)}`, { op });
  return [x[0], x[1] * a.scale[0], x[2] * a.scale[1], x[3]];
}

/** One axis of bilinear sampling: the two source cells and the weight of the second (TF half-pixel rule). */
function bilinearTaps(o: number, scale: number, inSize: number): [number, number, number] {
  const src = (o + 0.5) / scale - 0.5;
  const lowF = Math.floor(src);
  const low = Math.max(lowF, 0);
  const high = Math.min(Math.ceil(src), inSize - 1);
  return [low, high, src - lowF];
}

export const upsample2d = defineOp<Upsample2dAttrs>({
  name: 'upsample2d',
  arity: [1, 1],
  inferShape([x], attrs) {
    return [upsample2dOutShape(x, attrs)];
  },
  reference([x], attrs) {
    const outShape = upsample2dOutShape(x.shape, attrs);
    const [N, H, W, C] = x.shape;
    const [, OH, OW] = outShape;
    const [sh, sw] = attrs.scale;
    const at = (n: number, y: number, xx: number, c: number): number => x.data[((n * H + y) * W + xx) * C + c];
    const out = tensor(outShape);
    for (let n = 0; n < N; n++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let c = 0; c < C; c++) {
            let v: number;
            if (attrs.mode === 'nearest') {
              v = at(n, Math.floor(oy / sh), Math.floor(ox / sw), c);
            } else {
              const [y0, y1, fy] = bilinearTaps(oy, sh, H);
              const [x0, x1, fx] = bilinearTaps(ox, sw, W);
              const top = at(n, y0, x0, c) + (at(n, y0, x1, c) - at(n, y0, x0, c)) * fx;
              const bottom = at(n, y1, x0, c) + (at(n, y1, x1, c) - at(n, y1, x0, c)) * fx;
              v = top + (bottom - top) * fy;
            }
            out.data[((n * OH + oy) * OW + ox) * C + c] = v;
          }
        }
      }
    }
    return [out];
  },
  cost([x], attrs) {
    // nearest: one copy per output element; bilinear: three lerps (a multiply-add each) per output element.
    return sizeOf(upsample2dOutShape(x, attrs)) * (attrs.mode === 'bilinear' ? 3 : 1);
  },
});
