// pool2d: max or average pooling over NHWC windows with explicit pads. Average excludes padded cells
// (TensorFlow and Keras 'same' semantics). Pool1D is imported as pool2d with H = 1.
//
// NaN (max): the max is over the window's non-NaN values, as TF.js (`if (pixel > max) max = pixel` from -Inf)
// and TensorFlow's CPU MaxPool (Eigen cwiseMax with std::max semantics, which keeps the accumulator when the
// new value is NaN) compute it. Keras models are trained and checked on those, so a NaN that TensorFlow
// ignores must not turn a prediction into NaN here (cuDNN, numpy and PyTorch propagate it instead). A window
// of NaN only gives -Inf, as TF.js (TF CPU starts from the lowest finite float instead). Global max pooling
// is `reduce` max, which propagates NaN, as tf.reduce_max and TF.js max do. Average: NaN and +Inf/-Inf
// propagate by IEEE arithmetic (Inf + -Inf = NaN). Max of all -Inf is -Inf. The kernels (kernels/js/pool2d.ts,
// kernels/wasm/as/pool.ts, native opPool in kernels.inc) follow these semantics exactly.
// Each pad must be smaller than the kernel (as ONNX Runtime requires; TF 'same' always satisfies it), so every
// window of a non-empty input holds at least one real cell; an empty input gives an empty output.

import { ShapeError } from '../core/errors.js';
import { sizeOf, tensor, type Shape } from '../core/tensor.js';
import { checkDims, checkInts, windowOutSize } from './conv2d.js';
import { defineOp } from './types.js';

export interface Pool2dAttrs {
  readonly type: 'max' | 'avg';
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** [top, bottom, left, right]. Padded cells never win a max and are not counted in an average. */
  readonly pads: readonly [number, number, number, number];
}

/** Output shape of pool2d, with every check; used by inferShape and by the reference itself. */
export function pool2dOutShape(x: Shape, a: Pool2dAttrs): number[] {
  const op = 'pool2d';
  checkDims(op, 'input (NHWC)', x, 4, true);
  checkInts(op, 'kernel', a.kernel, 1);
  checkInts(op, 'strides', a.strides, 1);
  checkInts(op, 'pads', a.pads, 0);
  const [KH, KW] = a.kernel;
  const [pt, pb, pl, pr] = a.pads;
  if (pt >= KH || pb >= KH || pl >= KW || pr >= KW) {
    throw new ShapeError(`${op}: pads [${a.pads.join(', ')}] must be smaller than the kernel [${KH}, ${KW}], or a window could hold only padding`, { op });
  }
  const [, H, W, C] = x;
  // An empty input has no real cell for any window: empty output whatever the pads.
  const OH = H === 0 ? 0 : windowOutSize(op, 'height', H, KH, a.strides[0], 1, pt, pb);
  const OW = W === 0 ? 0 : windowOutSize(op, 'width', W, KW, a.strides[1], 1, pl, pr);
  return [x[0], OH, OW, C];
}

export const pool2d = defineOp<Pool2dAttrs>({
  name: 'pool2d',
  arity: [1, 1],
  inferShape([x], attrs) {
    return [pool2dOutShape(x, attrs)];
  },
  reference([x], attrs) {
    const outShape = pool2dOutShape(x.shape, attrs);
    const [N, H, W, C] = x.shape;
    const [, OH, OW] = outShape;
    const [KH, KW] = attrs.kernel;
    const [sh, sw] = attrs.strides;
    const [pt, , pl] = attrs.pads;
    const out = tensor(outShape);
    for (let n = 0; n < N; n++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let c = 0; c < C; c++) {
            let max = -Infinity;
            let sum = 0;
            let count = 0;
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * sh - pt + ky;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ox * sw - pl + kx;
                if (ix < 0 || ix >= W) continue;
                const v = x.data[((n * H + iy) * W + ix) * C + c];
                // A NaN v fails v > max and is skipped (TensorFlow's semantics, above).
                if (v > max) max = v;
                sum += v;
                count++;
              }
            }
            out.data[((n * OH + oy) * OW + ox) * C + c] = attrs.type === 'max' ? max : sum / count;
          }
        }
      }
    }
    return [out];
  },
  cost([x], attrs) {
    // One comparison or addition per (output element, window cell), padding included.
    return sizeOf(pool2dOutShape(x, attrs)) * attrs.kernel[0] * attrs.kernel[1];
  },
});
