// training_only: a layer that only acts while training (Dropout, SpatialDropout*, GaussianNoise,
// GaussianDropout, AlphaDropout, ActivityRegularization). At inference it is the identity; the
// removeTrainingOnly pass deletes it.

import { tensor } from '../core/tensor.js';
import { defineOp } from './types.js';

export interface TrainingOnlyAttrs {
  /** The Keras class it came from, e.g. "Dropout", for inspect. */
  readonly layerClass: string;
}

export const trainingOnly = defineOp<TrainingOnlyAttrs>({
  name: 'training_only',
  arity: [1, 1],
  inferShape([x]) {
    return [[...x]];
  },
  reference([x]) {
    return [tensor(x.shape, x.data.slice())];
  },
  cost() {
    return 0;
  },
});
