// The founding models as ONNX for onnxruntime-node in `kerasrt bench` and bench/conv-profile.ts: the model's
// Keras config and weights become a kerasrt graph (synchronously, layer by layer, as the Keras importer would),
// which kerasrt's own exporter (src/formats/onnx/export.ts, opset 13) writes. ORT gets Keras's layout: NHWC
// [N, 28, 28, 1] images (the exporter's NHWC -> NCHW step is a Reshape for one channel, so no Transpose runs
// at the input) or [N, 784] vectors; the output is [N, classes].

import { GraphBuilder } from '../src/ir/builder.js';
import type { Graph } from '../src/ir/graph.js';
import { computePads } from '../src/ops/padding.js';
import { exportOnnx } from '../src/formats/onnx/export.js';
import type { FoundingModel, FoundingWeight } from '../src/models/founding.js';

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';
export const ONNX_OPSET = 13;

function weightOf(model: FoundingModel, layer: string, variable: 'kernel' | 'bias'): FoundingWeight {
  const w = model.weights.find((x) => x.layer === layer && x.variable === variable);
  if (!w) throw new Error(`onnx-writer: no ${variable} for layer "${layer}" in ${model.name}`);
  return w;
}

/** The founding model (Keras Sequential of Dense / Conv2D / MaxPooling2D / Flatten / Dropout / Activation) as a kerasrt graph. */
export function foundingGraph(model: FoundingModel): Graph {
  const b = new GraphBuilder({ format: 'kerasrt', name: model.name });
  let cur = b.input(ONNX_INPUT, [-1, ...model.inputShape]);
  const act = (a: string, layer: string): void => {
    if (a === 'linear') return;
    if (a === 'softmax') cur = b.add1('softmax', [cur], { axis: -1 }, { name: `${layer}_softmax` });
    else if (a === 'relu') cur = b.add1('activation', [cur], { activation: { fn: 'relu' } }, { name: `${layer}_relu` });
    else throw new Error(`onnx-writer: activation "${a}" (layer ${layer}) not supported`);
  };
  const weight = (w: FoundingWeight): number => b.constant(w.name, w.shape, w.data);
  for (const layer of model.config.config.layers) {
    const name = layer.config.name;
    switch (layer.class_name) {
      case 'InputLayer':
      case 'Dropout': // inference: identity
        break;
      case 'Conv2D': {
        const c = layer.config;
        const [, H, W] = b.shape(cur);
        const k = weightOf(model, name, 'kernel');
        const [ph0, ph1] = computePads(c.padding, H, c.kernel_size[0], c.strides[0], c.dilation_rate[0]);
        const [pw0, pw1] = computePads(c.padding, W, c.kernel_size[1], c.strides[1], c.dilation_rate[1]);
        const attrs = { strides: c.strides, dilations: c.dilation_rate, pads: [ph0, ph1, pw0, pw1] as const, groups: 1, activation: { fn: 'linear' as const } };
        cur = b.add1('conv2d', [cur, weight(k), weight(weightOf(model, name, 'bias'))], attrs, { name });
        act(c.activation, name);
        break;
      }
      case 'MaxPooling2D': {
        const c = layer.config;
        cur = b.add1('pool2d', [cur], { type: 'max', kernel: c.pool_size, strides: c.strides, pads: [0, 0, 0, 0] }, { name });
        break;
      }
      case 'Flatten': {
        const s = b.shape(cur);
        cur = b.add1('reshape', [cur], { shape: [-1, s.slice(1).reduce((x, y) => x * y, 1)] }, { name });
        break;
      }
      case 'Dense': {
        const c = layer.config;
        cur = b.add1('dense', [cur, weight(weightOf(model, name, 'kernel')), weight(weightOf(model, name, 'bias'))], { activation: { fn: 'linear' } }, { name });
        act(c.activation, name);
        break;
      }
      case 'Activation':
        act(layer.config.activation, name);
        break;
      default: {
        const never: never = layer;
        throw new Error(`onnx-writer: layer ${(never as { class_name: string }).class_name} not supported`);
      }
    }
  }
  b.setOutputs([cur]);
  return b.finish();
}

/** ONNX ModelProto bytes of the founding model: input "input" (NHWC or flat), output "output" [N, classes]. */
export function foundingToOnnx(model: FoundingModel): Uint8Array {
  return exportOnnx(foundingGraph(model), { opset: ONNX_OPSET, inputNames: [ONNX_INPUT], outputNames: [ONNX_OUTPUT], graphName: model.name });
}

/** The ONNX input shape for n samples of this model: Keras's per-sample shape behind the batch. */
export function onnxInputDims(model: FoundingModel, n: number): number[] {
  return [n, ...model.inputShape];
}
