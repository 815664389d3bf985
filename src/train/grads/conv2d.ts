// Gradient of `conv2d` (NHWC, HWIO, groups = 1): dz = dy * act'(z); dW = im2col(x)^T . dz;
// dx = col2im(dz . W^T); db = sum dz. The kernels (js / wasm) do the im2col + GEMM work.

import { UnsupportedFeatureError } from '../../core/errors.js';
import { tensor, type Tensor } from '../../core/tensor.js';
import { conv2dOutShape, type Conv2dAttrs } from '../../ops/conv2d.js';
import type { ConvGeometry } from '../kernels/types.js';
import { activationBackward, activationForward, derivativeFromOutput } from './activation.js';
import { defineGrad } from './types.js';

export function convGeometry(x: Tensor, w: Tensor, attrs: Conv2dAttrs): ConvGeometry {
  if (attrs.groups !== 1) throw new UnsupportedFeatureError(`training conv2d with groups = ${attrs.groups} is not supported (groups = 1 only)`);
  const [n, h, wd, c] = x.shape;
  const [kh, kw, , co] = w.shape;
  const [, oh, ow] = conv2dOutShape(x.shape, w.shape, undefined, attrs);
  return { n, h, w: wd, c, kh, kw, co, oh, ow, strides: attrs.strides, dilations: attrs.dilations, pads: attrs.pads };
}

export const conv2dGrad = defineGrad<Conv2dAttrs>({
  forward([x, w, b], attrs, ctx) {
    const g = convGeometry(x, w, attrs);
    const size = g.n * g.oh * g.ow * g.co;
    // relu runs inside the kernel; other activations over the stored pre-activation.
    const relu = attrs.activation.fn === 'relu';
    const keepZ = !derivativeFromOutput(attrs.activation);
    const z = ctx.ws.get(`${ctx.key}:${keepZ ? 'z' : 'y'}`, size);
    ctx.kernels.conv2dForward(g, x.data, w.data, b?.data, z, relu);
    const y = keepZ ? ctx.ws.get(`${ctx.key}:y`, size) : z;
    if (!relu) activationForward(attrs.activation, z, y);
    return { outputs: [tensor([g.n, g.oh, g.ow, g.co], y)], saved: keepZ ? z : undefined };
  },
  backward([dy], [x, w, b], fwd, attrs, needs, ctx) {
    const g = convGeometry(x, w, attrs);
    const relu = attrs.activation.fn === 'relu';
    if (!relu) activationBackward(attrs.activation, fwd.saved as Float32Array | undefined, fwd.outputs[0].data, dy, dy);
    const dx = needs[0] ? ctx.ws.get(`${ctx.key}:dx`, x.data.length) : null;
    const dw = ctx.ws.get(`${ctx.key}:dw`, w.data.length);
    const db = b && needs[2] ? ctx.ws.get(`${ctx.key}:db`, g.co) : null;
    ctx.kernels.conv2dBackward(g, x.data, w.data, dy, dx, dw, db, relu ? fwd.outputs[0].data : null);
    return [dx ?? undefined, needs[1] ? dw : undefined, db ?? undefined];
  },
});
