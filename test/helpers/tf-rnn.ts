// Builds a TF.js recurrent layer (simpleRNN / lstm / gru) with given weights and runs it, for RNN op tests.

import type { Activation } from '../../src/ops/activation-fns.js';
import type { Tensor } from '../../src/core/tensor.js';
import { fromTf, tf, toTf } from './tf-oracle.js';

export interface TfRnnOptions {
  readonly units: number;
  readonly activation: Activation;
  readonly recurrentActivation?: Activation;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
}

/** TF.js's name for one of our activations (only those the RNN tests use). */
export function tfActivationName(a: Activation): 'tanh' | 'sigmoid' | 'relu' | 'linear' | 'hardSigmoid' {
  switch (a.fn) {
    case 'tanh':
    case 'sigmoid':
    case 'relu':
    case 'linear':
      return a.fn;
    case 'hard_sigmoid':
      // TF.js's hardSigmoid is the old slope form 0.2x + 0.5.
      if (a.alpha === 0.2 && (a.beta ?? 0.5) === 0.5) return 'hardSigmoid';
      break;
    default:
      break;
  }
  throw new Error(`no TF.js activation for ${JSON.stringify(a)}`);
}

/** Runs tf.layers[kind] on x [N, T, F] with weights [kernel, recurrentKernel, bias?]. */
export function runTfRnn(kind: 'simpleRNN' | 'lstm' | 'gru', x: Tensor, weights: readonly Tensor[], o: TfRnnOptions): Tensor {
  const [, T, F] = x.shape;
  const common = {
    units: o.units,
    activation: tfActivationName(o.activation),
    returnSequences: o.returnSequences,
    goBackwards: o.goBackwards,
    useBias: weights.length === 3,
    inputShape: [T, F],
  };
  const ra = o.recurrentActivation ? tfActivationName(o.recurrentActivation) : undefined;
  const layer =
    kind === 'simpleRNN'
      ? tf.layers.simpleRNN(common)
      : kind === 'lstm'
        ? tf.layers.lstm({ ...common, recurrentActivation: ra })
        : tf.layers.gru({ ...common, recurrentActivation: ra }); // TF.js's GRU is reset_after=false only
  const model = tf.sequential({ layers: [layer] });
  layer.setWeights(weights.map(toTf));
  return fromTf(model.predict(toTf(x)) as tf.Tensor);
}
