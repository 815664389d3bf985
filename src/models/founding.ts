// The founding study's three MNIST models (beginner, expert, deep-mnist), defined once as Keras 3
// Sequential configs, with reproducible Glorot-uniform weights from a seeded PRNG. Exposed as TF.js
// layers artifacts ({ modelTopology, weightSpecs, weightData }) and as a FileSource that load() takes.

import { UsageError } from '../core/errors.js';
import type { FileSource } from '../formats/types.js';
import { memoryFileSource } from '../formats/readers/file-source.js';
import { fillUniform, seededUniform } from './prng.js';

export type FoundingModelName = 'beginner' | 'expert' | 'deep-mnist';
export const FOUNDING_MODEL_NAMES: readonly FoundingModelName[] = ['beginner', 'expert', 'deep-mnist'];

// ---- Keras 3 config types (what keras.saving writes to config.json, Keras 3.1 style: dtype as a string) ----

type BatchShape = (number | null)[];
type Activation = 'linear' | 'relu' | 'softmax';

interface KerasInitializer {
  readonly module: 'keras.initializers';
  readonly class_name: 'GlorotUniform' | 'Zeros';
  readonly config: { readonly seed?: null };
  readonly registered_name: null;
}

interface BaseLayerConfig {
  readonly name: string;
  readonly trainable: boolean;
  readonly dtype: 'float32';
}

export interface InputLayerConfig {
  readonly batch_shape: BatchShape;
  readonly dtype: 'float32';
  readonly sparse: false;
  readonly name: string;
}

interface WeightedConfig extends BaseLayerConfig {
  readonly activation: Activation;
  readonly use_bias: true;
  readonly kernel_initializer: KerasInitializer;
  readonly bias_initializer: KerasInitializer;
  readonly kernel_regularizer: null;
  readonly bias_regularizer: null;
  readonly kernel_constraint: null;
  readonly bias_constraint: null;
}

export interface DenseConfig extends WeightedConfig {
  readonly units: number;
}

export interface Conv2DConfig extends WeightedConfig {
  readonly filters: number;
  readonly kernel_size: [number, number];
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly data_format: 'channels_last';
  readonly dilation_rate: [number, number];
  readonly groups: 1;
  readonly activity_regularizer: null;
}

export interface MaxPooling2DConfig extends BaseLayerConfig {
  readonly pool_size: [number, number];
  readonly padding: 'valid';
  readonly strides: [number, number];
  readonly data_format: 'channels_last';
}

export interface FlattenConfig extends BaseLayerConfig {
  readonly data_format: 'channels_last';
}

export interface DropoutConfig extends BaseLayerConfig {
  readonly rate: number;
  readonly seed: null;
  readonly noise_shape: null;
}

export interface ActivationConfig extends BaseLayerConfig {
  readonly activation: Activation;
}

interface LayerSerialization<C extends string, T> {
  readonly module: 'keras.layers';
  readonly class_name: C;
  readonly config: T;
  readonly registered_name: null;
  readonly build_config?: { readonly input_shape: BatchShape };
}

export type FoundingLayer =
  | LayerSerialization<'InputLayer', InputLayerConfig>
  | LayerSerialization<'Dense', DenseConfig>
  | LayerSerialization<'Conv2D', Conv2DConfig>
  | LayerSerialization<'MaxPooling2D', MaxPooling2DConfig>
  | LayerSerialization<'Flatten', FlattenConfig>
  | LayerSerialization<'Dropout', DropoutConfig>
  | LayerSerialization<'Activation', ActivationConfig>;

export interface KerasSequentialConfig {
  readonly module: 'keras';
  readonly class_name: 'Sequential';
  readonly config: {
    readonly name: string;
    readonly trainable: true;
    readonly dtype: 'float32';
    readonly layers: readonly FoundingLayer[];
    readonly build_input_shape: BatchShape;
  };
  readonly registered_name: null;
  readonly build_config: { readonly input_shape: BatchShape };
}

// ---- the three models, in Keras terms ----

type Step =
  | { kind: 'dense'; units: number; activation: Activation }
  | { kind: 'conv'; filters: number; size: number; activation: Activation }
  | { kind: 'pool'; size: number }
  | { kind: 'flatten' }
  | { kind: 'dropout'; rate: number }
  | { kind: 'activation'; activation: Activation };

const dense = (units: number, activation: Activation = 'linear'): Step => ({ kind: 'dense', units, activation });
const conv = (filters: number, size: number, activation: Activation): Step => ({ kind: 'conv', filters, size, activation });
const pool = (size: number): Step => ({ kind: 'pool', size });
const flatten = (): Step => ({ kind: 'flatten' });
const dropout = (rate: number): Step => ({ kind: 'dropout', rate });
const activation = (a: Activation): Step => ({ kind: 'activation', activation: a });

/**
 * beginner: softmax regression (TensorFlow's "MNIST for ML beginners"); expert: a small CNN;
 * deep-mnist: TensorFlow's "Deep MNIST for experts" CNN. All convs are 'same' with ReLU.
 */
const SPECS: Record<FoundingModelName, { readonly input: readonly number[]; readonly steps: readonly Step[] }> = {
  beginner: { input: [784], steps: [dense(10), activation('softmax')] },
  expert: {
    input: [28, 28, 1],
    steps: [conv(32, 3, 'relu'), pool(2), conv(32, 3, 'relu'), pool(2), flatten(), dense(128, 'relu'), dropout(0.5), dense(10, 'softmax')],
  },
  'deep-mnist': {
    input: [28, 28, 1],
    steps: [conv(32, 5, 'relu'), pool(2), conv(64, 5, 'relu'), pool(2), flatten(), dense(1024, 'relu'), dropout(0.5), dense(10, 'softmax')],
  },
};

const GLOROT: KerasInitializer = { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null };
const ZEROS: KerasInitializer = { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null };
const WEIGHTED = {
  use_bias: true,
  kernel_initializer: GLOROT,
  bias_initializer: ZEROS,
  kernel_regularizer: null,
  bias_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
} as const;

function checkName(name: string): FoundingModelName {
  if (!(FOUNDING_MODEL_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown founding model "${name}" (known: ${FOUNDING_MODEL_NAMES.join(', ')})`);
  }
  return name as FoundingModelName;
}

/** The model's Keras 3 config (what `model.get_config()` / config.json holds), with Keras's default layer names. */
export function foundingConfig(name: FoundingModelName): KerasSequentialConfig {
  const spec = SPECS[checkName(name)];
  const counters = new Map<string, number>();
  const autoName = (base: string): string => {
    const k = counters.get(base) ?? 0;
    counters.set(base, k + 1);
    return k === 0 ? base : `${base}_${k}`;
  };
  const batchInput: BatchShape = [null, ...spec.input];
  const layers: FoundingLayer[] = [
    { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: batchInput, dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
  ];
  let shape: BatchShape = batchInput;
  for (const s of spec.steps) {
    const build_config = { input_shape: shape };
    const base = { trainable: true, dtype: 'float32' } as const;
    switch (s.kind) {
      case 'dense':
        layers.push({ module: 'keras.layers', class_name: 'Dense', config: { name: autoName('dense'), ...base, units: s.units, activation: s.activation, ...WEIGHTED }, registered_name: null, build_config });
        shape = [null, s.units];
        break;
      case 'conv':
        layers.push({
          module: 'keras.layers',
          class_name: 'Conv2D',
          config: {
            name: autoName('conv2d'), ...base, filters: s.filters, kernel_size: [s.size, s.size], strides: [1, 1], padding: 'same',
            data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: s.activation, ...WEIGHTED, activity_regularizer: null,
          },
          registered_name: null,
          build_config,
        });
        shape = [null, shape[1], shape[2], s.filters];
        break;
      case 'pool':
        layers.push({
          module: 'keras.layers',
          class_name: 'MaxPooling2D',
          config: { name: autoName('max_pooling2d'), ...base, pool_size: [s.size, s.size], padding: 'valid', strides: [s.size, s.size], data_format: 'channels_last' },
          registered_name: null,
          build_config,
        });
        shape = [null, Math.floor((shape[1] as number) / s.size), Math.floor((shape[2] as number) / s.size), shape[3]];
        break;
      case 'flatten':
        layers.push({ module: 'keras.layers', class_name: 'Flatten', config: { name: autoName('flatten'), ...base, data_format: 'channels_last' }, registered_name: null, build_config });
        shape = [null, shape.slice(1).reduce<number>((a, b) => a * (b as number), 1)];
        break;
      case 'dropout':
        layers.push({ module: 'keras.layers', class_name: 'Dropout', config: { name: autoName('dropout'), ...base, rate: s.rate, seed: null, noise_shape: null }, registered_name: null });
        break;
      case 'activation':
        layers.push({ module: 'keras.layers', class_name: 'Activation', config: { name: autoName('activation'), ...base, activation: s.activation }, registered_name: null, build_config });
        break;
    }
  }
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: { name, trainable: true, dtype: 'float32', layers, build_input_shape: batchInput },
    registered_name: null,
    build_config: { input_shape: batchInput },
  };
}

// ---- weights ----

export interface FoundingWeight {
  /** TF.js / Keras 2 weight name, "<layer>/<variable>", e.g. "conv2d_1/kernel". */
  readonly name: string;
  readonly layer: string;
  readonly variable: 'kernel' | 'bias';
  /** Keras layout: Dense kernel [in, out], Conv2D kernel HWIO [kh, kw, in, out]. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface FoundingOptions {
  /** PRNG seed (default 1). Same seed, same weights, everywhere. */
  readonly seed?: number;
  /**
   * 'zeros' (default) is what Keras's Zeros initializer gives; 'uniform' draws biases from U(-0.1, 0.1)
   * so that tests also exercise the bias path.
   */
  readonly biases?: 'zeros' | 'uniform';
}

export interface FoundingModel {
  readonly name: FoundingModelName;
  readonly config: KerasSequentialConfig;
  /** Per-sample input shape (no batch dim). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** In layer order, kernel before bias (the order Keras and TF.js list them). */
  readonly weights: readonly FoundingWeight[];
}

/** Walks the config (the single source of truth) and draws each kernel from Glorot-uniform. */
export function foundingModel(name: FoundingModelName, options: FoundingOptions = {}): FoundingModel {
  const config = foundingConfig(name);
  const next = seededUniform(options.seed ?? 1);
  const weights: FoundingWeight[] = [];
  let outputShape: readonly number[] = [];
  for (const layer of config.config.layers) {
    if (layer.class_name !== 'Dense' && layer.class_name !== 'Conv2D') continue;
    const inShape = (layer.build_config as { input_shape: BatchShape }).input_shape;
    const cin = inShape[inShape.length - 1] as number;
    let kernelShape: number[];
    let fanIn: number;
    let fanOut: number;
    let cout: number;
    if (layer.class_name === 'Dense') {
      cout = layer.config.units;
      kernelShape = [cin, cout];
      [fanIn, fanOut] = [cin, cout];
    } else {
      const [kh, kw] = layer.config.kernel_size;
      cout = layer.config.filters;
      kernelShape = [kh, kw, cin, cout];
      [fanIn, fanOut] = [kh * kw * cin, kh * kw * cout];
    }
    const limit = Math.sqrt(6 / (fanIn + fanOut)); // Glorot & Bengio 2010, as keras.initializers.GlorotUniform
    const kernel = fillUniform(new Float32Array(kernelShape.reduce((a, b) => a * b, 1)), -limit, limit, next);
    const bias = new Float32Array(cout);
    if (options.biases === 'uniform') fillUniform(bias, -0.1, 0.1, next);
    const lname = layer.config.name;
    weights.push({ name: `${lname}/kernel`, layer: lname, variable: 'kernel', shape: kernelShape, data: kernel });
    weights.push({ name: `${lname}/bias`, layer: lname, variable: 'bias', shape: [cout], data: bias });
    outputShape = [cout];
  }
  return { name, config, inputShape: SPECS[name].input, outputShape, weights };
}

// ---- TF.js layers format ----

export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** The object TF.js's `tf.io.fromMemory` / `withSaveHandler` deal in (layers-model artifacts). */
export interface TfjsLayersArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: string | null;
  readonly weightSpecs: readonly TfjsWeightSpec[];
  readonly weightData: ArrayBuffer;
}

/**
 * The Keras 3 config as TF.js layers reads it (Keras 2 form): InputLayer `batch_shape` becomes
 * `batch_input_shape`, and the Keras 3 `module` / `registered_name` / `build_config` wrappers go.
 */
export function toTfjsTopology(config: KerasSequentialConfig): Record<string, unknown> {
  const layers = config.config.layers.map((l) => {
    if (l.class_name === 'InputLayer') {
      const { batch_shape, ...rest } = l.config;
      return { class_name: l.class_name, config: { ...rest, batch_input_shape: batch_shape } };
    }
    return { class_name: l.class_name, config: { ...l.config } };
  });
  return {
    class_name: 'Sequential',
    config: { name: config.config.name, layers },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

/** TF.js layers artifacts of a founding model (topology + one packed float32 weight buffer). */
export function foundingArtifacts(model: FoundingModel): TfjsLayersArtifacts {
  const total = model.weights.reduce((n, w) => n + w.data.length, 0);
  const packed = new Float32Array(total);
  let at = 0;
  for (const w of model.weights) {
    packed.set(w.data, at);
    at += w.data.length;
  }
  return {
    modelTopology: toTfjsTopology(model.config),
    format: 'layers-model',
    generatedBy: 'kerasrt founding models',
    convertedBy: null,
    weightSpecs: model.weights.map((w) => ({ name: w.name, shape: [...w.shape], dtype: 'float32' })),
    weightData: packed.buffer,
  };
}

/**
 * TF.js layers artifacts as the two files a TF.js model folder holds: model.json (with a weightsManifest
 * pointing at `weightsPath`) and the weights. This is what TF.js's own `model.save('file://...')` writes.
 */
export function artifactsToFiles(artifacts: TfjsLayersArtifacts, weightsPath = 'weights.bin'): { 'model.json': Uint8Array; [path: string]: Uint8Array } {
  const modelJson = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
  return { 'model.json': new TextEncoder().encode(JSON.stringify(modelJson)), [weightsPath]: new Uint8Array(artifacts.weightData) };
}

/** A FileSource holding TF.js layers artifacts as "<folder>/model.json" + "weights.bin", for load(). */
export function tfjsArtifactsSource(artifacts: TfjsLayersArtifacts, folder = 'memory'): FileSource {
  return memoryFileSource(`${folder}/model.json`, artifactsToFiles(artifacts));
}

/** A founding model as a FileSource ("<name>/model.json" + "weights.bin"), ready for load(). */
export function foundingFileSource(name: FoundingModelName, options: FoundingOptions = {}): FileSource {
  return tfjsArtifactsSource(foundingArtifacts(foundingModel(name, options)), name);
}
