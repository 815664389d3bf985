// Model configs as Keras writes them: the Keras 3 form (config.json inside .keras: `module` and
// `registered_name` on every object, InputLayer `batch_shape`, per-layer `build_config`, inbound nodes as
// {args: [keras tensors], kwargs}) and the Keras 2 form (tf.keras 2.x model_config in .h5, and TF.js
// modelTopology: {class_name, config} only, InputLayer `batch_input_shape`, inbound nodes as
// [[layer, node, tensor, {}]]). Layout follows files written by Keras 3.1.1 and tf.keras 2.x (see
// ../shared/models/keras-v3/moonflower-keras311-cnn and keras-h5/*).

import { InputLayer } from '../layers/core.js';
import type { Json, JsonObject, LayerCall } from '../layers/base.js';
import type { LayersModel } from '../model.js';

function batchShape(s: readonly number[]): (number | null)[] {
  return s.map((d) => (d < 0 ? null : d));
}

/** Keras 3 `build_config` of a layer call's inputs (one shape, or a list for merge layers). */
function buildConfig(call: LayerCall): JsonObject {
  const shapes = call.inputs.map((t) => batchShape(t.shape));
  return { input_shape: call.layer.takesList ? shapes : shapes[0] };
}

function kerasTensor(call: LayerCall, index: number): JsonObject {
  const t = call.outputs[index];
  return { class_name: '__keras_tensor__', config: { shape: batchShape(t.shape), dtype: 'float32', keras_history: [t.layer.name as string, call.index, index] } };
}

/** The config.json of a .keras archive (Keras 3). */
export function kerasV3Config(model: LayersModel): JsonObject {
  const calls = model.layerCalls;
  const inputShape = batchShape(model.inputs[0].shape);
  const entry = (call: LayerCall): JsonObject => {
    const l = call.layer;
    const base: JsonObject = { module: 'keras.layers', class_name: l.className, config: l.kerasConfig(), registered_name: null };
    return l instanceof InputLayer || !l.hasBuildConfig ? base : { ...base, build_config: buildConfig(call) };
  };
  if (model.className === 'Sequential') {
    return {
      module: 'keras',
      class_name: 'Sequential',
      config: { name: model.name, trainable: true, dtype: 'float32', layers: calls.map(entry), build_input_shape: inputShape },
      registered_name: null,
      build_config: { input_shape: inputShape },
    };
  }
  const layers = model.layers.map((l) => {
    const own = calls.filter((c) => c.layer === l);
    const inbound = own
      .filter((c) => !(c.layer instanceof InputLayer))
      .map((c) => {
        const args = c.inputs.map((t) => kerasTensor(t.call as LayerCall, t.outputIndex));
        return { args: l.takesList ? [args] : args, kwargs: {} } as JsonObject;
      });
    return { ...entry(own[0]), name: l.name as string, inbound_nodes: inbound } as JsonObject;
  });
  const ref = (t: { layer: { name?: string }; call?: LayerCall; outputIndex: number }): Json => [t.layer.name as string, t.call?.index ?? 0, t.outputIndex];
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name: model.name, trainable: true, layers, input_layers: model.inputs.map(ref), output_layers: model.outputs.map(ref) },
    registered_name: 'Functional',
    build_config: { input_shape: model.inputs.length === 1 ? inputShape : model.inputs.map((t) => batchShape(t.shape)) },
  };
}

/** Keras 3 -> Keras 2 form of a value inside a layer config: serialized objects lose module / registered_name. */
function toKeras2Value(v: Json): Json {
  if (Array.isArray(v)) return v.map(toKeras2Value);
  if (v !== null && typeof v === 'object') {
    const o = v as JsonObject;
    if (typeof o.class_name === 'string' && 'config' in o) return { class_name: o.class_name, config: toKeras2Value(o.config) };
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(o)) out[k] = toKeras2Value(x);
    return out;
  }
  return v;
}

function keras2LayerConfig(call: LayerCall): JsonObject {
  const l = call.layer;
  if (l instanceof InputLayer) return { batch_input_shape: batchShape(l.batchShape), dtype: 'float32', sparse: false, ragged: false, name: l.name as string };
  return toKeras2Value(l.kerasConfig()) as JsonObject;
}

/** model_config of a tf.keras 2.x .h5 file, and modelTopology.model_config of TF.js. */
export function keras2Config(model: LayersModel): JsonObject {
  const calls = model.layerCalls;
  if (model.className === 'Sequential') {
    return { class_name: 'Sequential', config: { name: model.name, layers: calls.map((c) => ({ class_name: c.layer.className, config: keras2LayerConfig(c) })) } };
  }
  const layers = model.layers.map((l) => {
    const own = calls.filter((c) => c.layer === l);
    const inbound = own.filter((c) => !(c.layer instanceof InputLayer)).map((c) => c.inputs.map((t) => [t.layer.name as string, t.call?.index ?? 0, t.outputIndex, {}] as Json));
    return { class_name: l.className, config: keras2LayerConfig(own[0]), name: l.name as string, inbound_nodes: inbound };
  });
  const ref = (t: { layer: { name?: string }; call?: LayerCall; outputIndex: number }): Json => [t.layer.name as string, t.call?.index ?? 0, t.outputIndex];
  return { class_name: 'Functional', config: { name: model.name, layers, input_layers: model.inputs.map(ref), output_layers: model.outputs.map(ref) } };
}
