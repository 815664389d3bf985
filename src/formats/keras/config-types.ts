// The Keras model JSON, typed: what Keras 1.x, Keras 2.x, tf.keras ("2.x-tf"), Keras 3 and TF.js layers write
// in model_config / config.json / modelTopology. Every field is optional where some version omits it; the
// translators read fields through config-read.ts, which checks the runtime type and names the layer on error.
// Keras 1 spellings (output_dim, nb_filter, border_mode, dim_ordering, subsample, p, ...) sit beside the
// Keras 2+ ones in the same interface, so one translator serves every version.

export type Json = null | boolean | number | string | readonly Json[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: Json;
}

/** A serialized Keras object: {class_name, config}; Keras 3 adds module / registered_name. */
export interface Serialized<C extends string = string, Cfg = JsonObject> {
  readonly class_name: C;
  readonly config: Cfg;
  readonly module?: string | null;
  readonly registered_name?: string | null;
}

/** Shape with the batch first, `null` for unknown dims. */
export type ShapeSpec = readonly (number | null)[];

/** 'float32', a Keras 3 DTypePolicy object, or a tf.keras 2 Policy object. */
export type DTypeSpec = string | Serialized<string, { readonly name?: string }> | null;

/** An activation: a name, or a Keras 3 serialized function {class_name: 'function', config: 'relu'}. */
export type ActivationSpec = string | Serialized<string, Json> | null;

export type IntOrTuple = number | readonly number[];

/** Fields every layer config may carry. */
export interface BaseLayerConfig {
  readonly name?: string;
  readonly trainable?: boolean;
  readonly dtype?: DTypeSpec;
  /** Keras 1/2: the input spec on the first layer of a Sequential model. */
  readonly batch_input_shape?: ShapeSpec;
  /** Keras 3 InputLayer. */
  readonly batch_shape?: ShapeSpec;
  /** Keras 1/2, without the batch dim. */
  readonly input_shape?: ShapeSpec;
  /** Keras 1 input dtype. */
  readonly input_dtype?: string;
  /** Keras 1 Dense: the input size, used to infer an input shape. */
  readonly input_dim?: number | null;
  /** Keras 1 recurrent layers. */
  readonly input_length?: number | null;
}

// ---------- model-level ----------

/** [layerName, nodeIndex, tensorIndex] */
export type TensorRefSpec = readonly [string, number, number];

/** Keras 1/2 inbound node entry: [layerName, nodeIndex, tensorIndex, kwargs?]. */
export type Keras2InboundEntry = readonly [string, number, number, JsonObject?] | readonly [string, number, number];
export type Keras2InboundNode = readonly Keras2InboundEntry[];

/** A Keras 3 symbolic tensor in `args`. */
export interface Keras3TensorSpec {
  readonly class_name: '__keras_tensor__';
  readonly config: { readonly shape?: ShapeSpec; readonly dtype?: string; readonly keras_history: TensorRefSpec };
}
export interface Keras3InboundNode {
  readonly args: readonly Json[];
  readonly kwargs?: JsonObject;
}

export interface LayerSerialization<C extends string = string, Cfg = BaseLayerConfig> extends Serialized<C, Cfg> {
  /** Functional models name each layer entry (besides config.name). */
  readonly name?: string;
  readonly inbound_nodes?: readonly (Keras2InboundNode | Keras3InboundNode)[];
  readonly build_config?: { readonly input_shape?: ShapeSpec | readonly ShapeSpec[] | null } | null;
}

export interface SequentialConfig extends BaseLayerConfig {
  readonly layers: readonly LayerSerialization[];
  readonly build_input_shape?: ShapeSpec | null;
}

export interface FunctionalConfig extends BaseLayerConfig {
  readonly layers: readonly LayerSerialization[];
  /** Keras 2: a list of refs; Keras 3 may write a single ref for a single input. */
  readonly input_layers: readonly TensorRefSpec[] | TensorRefSpec;
  readonly output_layers: readonly TensorRefSpec[] | TensorRefSpec;
}

/** Sequential up to Keras 2.1 stored its layer list directly as `config`. */
export type SequentialSerialization = LayerSerialization<'Sequential', SequentialConfig | readonly LayerSerialization[]>;
export type FunctionalSerialization = LayerSerialization<'Functional' | 'Model', FunctionalConfig>;
export type ModelSerialization = SequentialSerialization | FunctionalSerialization;

/** The top-level JSON of model.to_json() / model_config: a model plus, in Keras 1/2, version keys. */
export type ModelJson = ModelSerialization & { readonly keras_version?: string; readonly backend?: string };

// ---------- layers ----------

export interface InputLayerConfig extends BaseLayerConfig {
  readonly sparse?: boolean;
  readonly ragged?: boolean;
}

export interface DenseConfig extends BaseLayerConfig {
  readonly units?: number;
  /** Keras 1 */
  readonly output_dim?: number;
  readonly activation?: ActivationSpec;
  readonly use_bias?: boolean;
  /** Keras 1 */
  readonly bias?: boolean;
}

export interface ActivationConfig extends BaseLayerConfig {
  readonly activation?: ActivationSpec;
}

export interface ReLUConfig extends BaseLayerConfig {
  readonly max_value?: number | null;
  readonly negative_slope?: number;
  readonly threshold?: number;
}

export interface LeakyReLUConfig extends BaseLayerConfig {
  /** Keras 1/2 */
  readonly alpha?: number;
  /** Keras 3 */
  readonly negative_slope?: number;
}

export interface ELUConfig extends BaseLayerConfig {
  readonly alpha?: number;
}

export interface ThresholdedReLUConfig extends BaseLayerConfig {
  readonly theta?: number;
}

export interface SoftmaxConfig extends BaseLayerConfig {
  readonly axis?: number | readonly number[];
}

export interface PReLUConfig extends BaseLayerConfig {
  readonly shared_axes?: readonly number[] | number | null;
}

export interface ConvConfig extends BaseLayerConfig {
  readonly filters?: number;
  readonly kernel_size?: IntOrTuple;
  readonly strides?: IntOrTuple;
  readonly padding?: string;
  readonly data_format?: string | null;
  readonly dilation_rate?: IntOrTuple;
  readonly groups?: number;
  readonly activation?: ActivationSpec;
  readonly use_bias?: boolean;
  /** DepthwiseConv2D / SeparableConv2D */
  readonly depth_multiplier?: number;
  /** Conv2DTranspose */
  readonly output_padding?: IntOrTuple | null;
  // Keras 1 spellings
  readonly nb_filter?: number;
  readonly nb_row?: number;
  readonly nb_col?: number;
  readonly filter_length?: number;
  readonly subsample?: readonly number[];
  readonly subsample_length?: number;
  readonly border_mode?: string;
  readonly dim_ordering?: string;
  readonly atrous_rate?: IntOrTuple;
  readonly bias?: boolean;
  /** Keras 1 Deconvolution2D */
  readonly output_shape?: ShapeSpec;
}

export interface PoolingConfig extends BaseLayerConfig {
  readonly pool_size?: IntOrTuple;
  readonly strides?: IntOrTuple | null;
  readonly padding?: string;
  readonly data_format?: string | null;
  // Keras 1
  readonly pool_length?: number;
  readonly stride?: number | null;
  readonly border_mode?: string;
  readonly dim_ordering?: string;
}

export interface GlobalPoolingConfig extends BaseLayerConfig {
  readonly data_format?: string | null;
  readonly keepdims?: boolean;
  readonly dim_ordering?: string;
}

export interface BatchNormalizationConfig extends BaseLayerConfig {
  readonly axis?: number | readonly number[];
  readonly epsilon?: number;
  readonly center?: boolean;
  readonly scale?: boolean;
  readonly momentum?: number;
  /** Keras 1: only mode 0 is inference-compatible. */
  readonly mode?: number;
  /** Keras 3 */
  readonly synchronized?: boolean;
  /** tf.keras 2 */
  readonly renorm?: boolean;
  readonly virtual_batch_size?: number | null;
}

export interface LayerNormalizationConfig extends BaseLayerConfig {
  readonly axis?: number | readonly number[];
  readonly epsilon?: number;
  readonly center?: boolean;
  readonly scale?: boolean;
  readonly rms_scaling?: boolean;
}

export interface FlattenConfig extends BaseLayerConfig {
  readonly data_format?: string | null;
}

export interface ReshapeConfig extends BaseLayerConfig {
  readonly target_shape?: readonly number[];
}

export interface PermuteConfig extends BaseLayerConfig {
  readonly dims?: readonly number[];
}

export interface RepeatVectorConfig extends BaseLayerConfig {
  readonly n?: number;
}

export interface PaddingConfig extends BaseLayerConfig {
  readonly padding?: number | readonly (number | readonly number[])[];
  readonly data_format?: string | null;
  readonly dim_ordering?: string;
}

export interface CroppingConfig extends BaseLayerConfig {
  readonly cropping?: number | readonly (number | readonly number[])[];
  readonly data_format?: string | null;
  readonly dim_ordering?: string;
}

export interface UpSamplingConfig extends BaseLayerConfig {
  readonly size?: IntOrTuple;
  readonly interpolation?: string;
  readonly data_format?: string | null;
  readonly dim_ordering?: string;
  /** Keras 1 UpSampling1D */
  readonly length?: number;
}

export type MergeConfig = BaseLayerConfig;

export interface ConcatenateConfig extends BaseLayerConfig {
  readonly axis?: number;
}

export interface DotConfig extends BaseLayerConfig {
  readonly axes?: IntOrTuple;
  readonly normalize?: boolean;
}

/** Keras 1 `Merge` (functional `merge(...)`). */
export interface Keras1MergeConfig extends BaseLayerConfig {
  readonly mode?: string;
  readonly concat_axis?: number;
  readonly dot_axes?: IntOrTuple;
  /** Set when the Merge combines Sequential branches (Keras 1 Sequential API): not supported. */
  readonly layers?: readonly Json[];
}

export interface EmbeddingConfig extends BaseLayerConfig {
  readonly input_dim?: number | null;
  readonly output_dim?: number;
  readonly mask_zero?: boolean;
}

export interface RecurrentConfig extends BaseLayerConfig {
  readonly units?: number;
  readonly activation?: ActivationSpec;
  readonly recurrent_activation?: ActivationSpec;
  readonly use_bias?: boolean;
  readonly return_sequences?: boolean;
  readonly return_state?: boolean;
  readonly go_backwards?: boolean;
  readonly stateful?: boolean;
  readonly unroll?: boolean;
  readonly time_major?: boolean;
  readonly reset_after?: boolean;
  // Keras 1
  readonly output_dim?: number;
  readonly inner_activation?: ActivationSpec;
  readonly consume_less?: string;
}

export interface RescalingConfig extends BaseLayerConfig {
  readonly scale?: number | readonly number[];
  readonly offset?: number | readonly number[];
}

export interface NormalizationConfig extends BaseLayerConfig {
  readonly axis?: number | readonly number[] | null;
  readonly mean?: number | readonly number[] | null;
  readonly variance?: number | readonly number[] | null;
  readonly invert?: boolean;
}

export interface DropoutConfig extends BaseLayerConfig {
  readonly rate?: number;
  /** Keras 1 */
  readonly p?: number;
  readonly stddev?: number;
  readonly sigma?: number;
}

/** Class name -> config type for every layer the translator table handles. */
export interface LayerConfigMap {
  InputLayer: InputLayerConfig;
  Dense: DenseConfig;
  Activation: ActivationConfig;
  ReLU: ReLUConfig;
  LeakyReLU: LeakyReLUConfig;
  PReLU: PReLUConfig;
  ELU: ELUConfig;
  ThresholdedReLU: ThresholdedReLUConfig;
  Softmax: SoftmaxConfig;
  Conv1D: ConvConfig;
  Conv2D: ConvConfig;
  DepthwiseConv2D: ConvConfig;
  SeparableConv1D: ConvConfig;
  SeparableConv2D: ConvConfig;
  Conv2DTranspose: ConvConfig;
  Convolution1D: ConvConfig;
  Convolution2D: ConvConfig;
  AtrousConvolution1D: ConvConfig;
  AtrousConvolution2D: ConvConfig;
  SeparableConvolution2D: ConvConfig;
  Deconvolution2D: ConvConfig;
  MaxPooling1D: PoolingConfig;
  MaxPooling2D: PoolingConfig;
  AveragePooling1D: PoolingConfig;
  AveragePooling2D: PoolingConfig;
  MaxPool1D: PoolingConfig;
  MaxPool2D: PoolingConfig;
  AvgPool1D: PoolingConfig;
  AvgPool2D: PoolingConfig;
  GlobalMaxPooling1D: GlobalPoolingConfig;
  GlobalMaxPooling2D: GlobalPoolingConfig;
  GlobalAveragePooling1D: GlobalPoolingConfig;
  GlobalAveragePooling2D: GlobalPoolingConfig;
  GlobalMaxPool1D: GlobalPoolingConfig;
  GlobalMaxPool2D: GlobalPoolingConfig;
  GlobalAvgPool1D: GlobalPoolingConfig;
  GlobalAvgPool2D: GlobalPoolingConfig;
  BatchNormalization: BatchNormalizationConfig;
  LayerNormalization: LayerNormalizationConfig;
  Flatten: FlattenConfig;
  Reshape: ReshapeConfig;
  Permute: PermuteConfig;
  RepeatVector: RepeatVectorConfig;
  ZeroPadding1D: PaddingConfig;
  ZeroPadding2D: PaddingConfig;
  Cropping1D: CroppingConfig;
  Cropping2D: CroppingConfig;
  UpSampling1D: UpSamplingConfig;
  UpSampling2D: UpSamplingConfig;
  Add: MergeConfig;
  Subtract: MergeConfig;
  Multiply: MergeConfig;
  Average: MergeConfig;
  Maximum: MergeConfig;
  Minimum: MergeConfig;
  Concatenate: ConcatenateConfig;
  Dot: DotConfig;
  Merge: Keras1MergeConfig;
  Embedding: EmbeddingConfig;
  SimpleRNN: RecurrentConfig;
  LSTM: RecurrentConfig;
  GRU: RecurrentConfig;
  Rescaling: RescalingConfig;
  Normalization: NormalizationConfig;
  Identity: BaseLayerConfig;
  Dropout: DropoutConfig;
  SpatialDropout1D: DropoutConfig;
  SpatialDropout2D: DropoutConfig;
  SpatialDropout3D: DropoutConfig;
  GaussianNoise: DropoutConfig;
  GaussianDropout: DropoutConfig;
  AlphaDropout: DropoutConfig;
  ActivityRegularization: BaseLayerConfig;
}

export type LayerClassName = keyof LayerConfigMap;
