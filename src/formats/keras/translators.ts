// THE Keras translator table: class name -> translator. One entry per supported class (Keras 1 spellings and
// aliases included); typed against LayerConfigMap so every entry receives its own config type. A class that
// is not here (Lambda, TFOpLambda, custom and registered layers, ...) is refused by the model builder.

import type { LayerClassName, LayerConfigMap } from './config-types.js';
import * as conv from './translate-conv.js';
import * as core from './translate-core.js';
import type { Translator } from './translate-core.js';
import * as norm from './translate-norm.js';
import * as rnn from './translate-rnn.js';
import * as shape from './translate-shape.js';

export type TranslatorTable = { readonly [K in LayerClassName]: Translator<LayerConfigMap[K]> };

export const KERAS_TRANSLATORS: TranslatorTable = {
  InputLayer: core.identityLayer,
  Dense: core.dense,
  Activation: core.activationLayer,
  ReLU: core.reluLayer,
  LeakyReLU: core.leakyReluLayer,
  PReLU: core.preluLayer,
  ELU: core.eluLayer,
  ThresholdedReLU: core.thresholdedReluLayer,
  Softmax: core.softmaxLayer,
  Conv1D: conv.conv1d,
  Conv2D: conv.conv2d,
  DepthwiseConv2D: conv.depthwiseConv2d,
  SeparableConv1D: conv.separableConv1d,
  SeparableConv2D: conv.separableConv2d,
  Conv2DTranspose: conv.conv2dTranspose,
  Convolution1D: conv.conv1d,
  Convolution2D: conv.conv2d,
  AtrousConvolution1D: conv.conv1d,
  AtrousConvolution2D: conv.conv2d,
  SeparableConvolution2D: conv.separableConv2d,
  Deconvolution2D: conv.conv2dTranspose,
  MaxPooling1D: conv.maxPooling1d,
  MaxPooling2D: conv.maxPooling2d,
  AveragePooling1D: conv.averagePooling1d,
  AveragePooling2D: conv.averagePooling2d,
  MaxPool1D: conv.maxPooling1d,
  MaxPool2D: conv.maxPooling2d,
  AvgPool1D: conv.averagePooling1d,
  AvgPool2D: conv.averagePooling2d,
  GlobalMaxPooling1D: conv.globalMaxPooling1d,
  GlobalMaxPooling2D: conv.globalMaxPooling2d,
  GlobalAveragePooling1D: conv.globalAveragePooling1d,
  GlobalAveragePooling2D: conv.globalAveragePooling2d,
  GlobalMaxPool1D: conv.globalMaxPooling1d,
  GlobalMaxPool2D: conv.globalMaxPooling2d,
  GlobalAvgPool1D: conv.globalAveragePooling1d,
  GlobalAvgPool2D: conv.globalAveragePooling2d,
  BatchNormalization: norm.batchNormalization,
  LayerNormalization: norm.layerNormalization,
  Flatten: shape.flatten,
  Reshape: shape.reshape,
  Permute: shape.permute,
  RepeatVector: shape.repeatVector,
  ZeroPadding1D: conv.zeroPadding1d,
  ZeroPadding2D: conv.zeroPadding2d,
  Cropping1D: conv.cropping1d,
  Cropping2D: conv.cropping2d,
  UpSampling1D: conv.upSampling1d,
  UpSampling2D: conv.upSampling2d,
  Add: shape.add,
  Subtract: shape.subtract,
  Multiply: shape.multiply,
  Average: shape.average,
  Maximum: shape.maximum,
  Minimum: shape.minimum,
  Concatenate: shape.concatenate,
  Dot: shape.dot,
  Merge: shape.keras1Merge,
  Embedding: core.embeddingLayer,
  SimpleRNN: rnn.simpleRnn,
  LSTM: rnn.lstm,
  GRU: rnn.gru,
  Rescaling: core.rescalingLayer,
  Normalization: core.normalizationLayer,
  Identity: core.identityLayer,
  Dropout: core.trainingOnlyLayer,
  SpatialDropout1D: core.trainingOnlyLayer,
  SpatialDropout2D: core.trainingOnlyLayer,
  SpatialDropout3D: core.trainingOnlyLayer,
  GaussianNoise: core.trainingOnlyLayer,
  GaussianDropout: core.trainingOnlyLayer,
  AlphaDropout: core.trainingOnlyLayer,
  ActivityRegularization: core.trainingOnlyLayer,
};

export function isSupportedClass(className: string): className is LayerClassName {
  return Object.prototype.hasOwnProperty.call(KERAS_TRANSLATORS, className);
}

/** Looks up and runs the translator for `className` (the one place the config's type is asserted). */
export function translatorFor(className: LayerClassName): Translator<LayerConfigMap[LayerClassName]> {
  return KERAS_TRANSLATORS[className] as Translator<LayerConfigMap[LayerClassName]>;
}
