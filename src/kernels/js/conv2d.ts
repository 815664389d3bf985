// Fast JS direct convolutions (NHWC). Per output pixel, accumulate over the window into a float64 vector of
// output channels; the innermost loop walks the HWIO kernel contiguously.

import type { Conv2dAttrs } from '../../ops/conv2d.js';
import type { DepthwiseConv2dAttrs } from '../../ops/depthwise-conv2d.js';
import type { JsKernel } from '../abi.js';
import { activator } from './activate.js';
import { viewOf } from './views.js';

export const conv2dJs: JsKernel = {
  name: 'js.conv2d',
  supports: (step) => step.node.op === 'conv2d' && (step.node.attrs as Conv2dAttrs).groups === 1 && step.inputs[1].data !== undefined,
  bind(step, arena) {
    const a = step.node.attrs as Conv2dAttrs;
    const x = viewOf(step.inputs[0], arena);
    const w = step.inputs[1].data!;
    const b = step.inputs[2] ? viewOf(step.inputs[2], arena) : undefined;
    const y = viewOf(step.outputs[0], arena);
    const [N, H, W, C] = step.inputs[0].shape;
    const [KH, KW, , CO] = step.inputs[1].shape;
    const [, OH, OW] = step.outputs[0].shape;
    const [sh, sw] = a.strides;
    const [dh, dw] = a.dilations;
    const [pt, , pl] = a.pads;
    const acc = new Float64Array(CO);
    const act = activator(a.activation);
    return () => {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            if (b) for (let co = 0; co < CO; co++) acc[co] = b[co];
            else acc.fill(0);
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - pt + kh * dh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pl + kw * dw;
                if (iw < 0 || iw >= W) continue;
                const xo = ((n * H + ih) * W + iw) * C;
                const wo = (kh * KW + kw) * C * CO;
                for (let ci = 0; ci < C; ci++) {
                  const xv = x[xo + ci];
                  const wr = wo + ci * CO;
                  for (let co = 0; co < CO; co++) acc[co] += xv * w[wr + co];
                }
              }
            }
            const yo = ((n * OH + oh) * OW + ow) * CO;
            for (let co = 0; co < CO; co++) y[yo + co] = acc[co];
            if (act) act(y, yo, yo + CO);
          }
        }
      }
    };
  },
};

export const depthwiseConv2dJs: JsKernel = {
  name: 'js.depthwise_conv2d',
  supports: (step) => step.node.op === 'depthwise_conv2d' && step.inputs[1].data !== undefined,
  bind(step, arena) {
    const a = step.node.attrs as DepthwiseConv2dAttrs;
    const x = viewOf(step.inputs[0], arena);
    const w = step.inputs[1].data!;
    const b = step.inputs[2] ? viewOf(step.inputs[2], arena) : undefined;
    const y = viewOf(step.outputs[0], arena);
    const [N, H, W, C] = step.inputs[0].shape;
    const [KH, KW, , M] = step.inputs[1].shape;
    const [, OH, OW, CO] = step.outputs[0].shape;
    const [sh, sw] = a.strides;
    const [dh, dw] = a.dilations;
    const [pt, , pl] = a.pads;
    const acc = new Float64Array(CO);
    const act = activator(a.activation);
    return () => {
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            if (b) for (let co = 0; co < CO; co++) acc[co] = b[co];
            else acc.fill(0);
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - pt + kh * dh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pl + kw * dw;
                if (iw < 0 || iw >= W) continue;
                const xo = ((n * H + ih) * W + iw) * C;
                const wo = (kh * KW + kw) * C * M;
                for (let c = 0; c < C; c++) {
                  const xv = x[xo + c];
                  for (let m = 0; m < M; m++) acc[c * M + m] += xv * w[wo + c * M + m];
                }
              }
            }
            const yo = ((n * OH + oh) * OW + ow) * CO;
            for (let co = 0; co < CO; co++) y[yo + co] = acc[co];
            if (act) act(y, yo, yo + CO);
          }
        }
      }
    };
  },
};
