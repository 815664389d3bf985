// A model variable: a named float32 array a layer owns (kernel, bias, gamma, moving_mean, ...). Its data array
// is shared with the IR graph the model builds, and the optimizer updates it in place: never replace `data`,
// write into it (assign()).

import { ShapeError } from '../core/errors.js';
import { sizeOf, type Shape } from '../core/tensor.js';

export class Variable {
  readonly data: Float32Array;
  constructor(
    /** "<layer>/<name>", e.g. "dense/kernel" (TF.js and tf.keras name weights this way). */
    readonly path: string,
    readonly shape: Shape,
    data: Float32Array,
    /** Trainable variables get gradients and optimizer updates; moving statistics do not. */
    readonly trainable: boolean,
  ) {
    if (data.length !== sizeOf(shape)) throw new ShapeError(`variable ${path}: ${data.length} values for shape [${shape.join(', ')}]`);
    this.data = data;
  }

  /** The short name, e.g. "kernel". */
  get name(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }

  assign(values: ArrayLike<number>): void {
    if (values.length !== this.data.length) throw new ShapeError(`variable ${this.path}: cannot assign ${values.length} values to shape [${this.shape.join(', ')}]`);
    this.data.set(values);
  }
}
