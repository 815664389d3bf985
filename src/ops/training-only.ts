// training_only: a layer that only acts while training (Dropout, SpatialDropout*, GaussianNoise,
// GaussianDropout, AlphaDropout, ActivityRegularization). At inference it is the identity; the
// removeTrainingOnly pass deletes it.
//
// STUB: attrs are the contract; inferShape and reference are to be written.

import { UnsupportedFeatureError } from '../core/errors.js';
import { defineOp } from './types.js';

export interface TrainingOnlyAttrs {
  /** The Keras class it came from, e.g. "Dropout", for inspect. */
  readonly layerClass: string;
}

export const trainingOnly = defineOp<TrainingOnlyAttrs>({
  name: 'training_only',
  arity: [1, 1],
  inferShape() {
    throw new UnsupportedFeatureError('training_only: not implemented yet');
  },
  reference() {
    throw new UnsupportedFeatureError('training_only: not implemented yet');
  },
});
