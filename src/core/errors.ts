// Typed errors: every failure a user can meet names the file and the place inside it (layer, node, dataset).
// One base class so callers can catch everything kerasrt throws with a single `instanceof KerasrtError`.

export interface ErrorContext {
  /** The model file (or other input) the problem was found in. */
  file?: string;
  /** The place inside it: a layer name, a node, a dataset path, a zip entry. */
  where?: string;
}

export class KerasrtError extends Error {
  readonly file?: string;
  readonly where?: string;
  constructor(message: string, ctx: ErrorContext = {}) {
    const prefix = [ctx.file, ctx.where].filter((s) => s !== undefined && s !== '').join(': ');
    super(prefix ? `${prefix}: ${message}` : message);
    this.name = new.target.name;
    this.file = ctx.file;
    this.where = ctx.where;
  }
}

/** The file is not what its format promises (corrupt, truncated, inconsistent). */
export class ModelFormatError extends KerasrtError {}

/** A layer class (Keras) we do not implement, or refuse on principle (Lambda, custom layers). */
export class UnsupportedLayerError extends KerasrtError {
  readonly format: string;
  readonly className: string;
  readonly layerName: string;
  constructor(format: string, className: string, layerName: string, reason: string, ctx: ErrorContext = {}) {
    super(`unsupported layer ${className} "${layerName}" (${format}): ${reason}`, { ...ctx, where: ctx.where ?? layerName });
    this.format = format;
    this.className = className;
    this.layerName = layerName;
  }
}

/** A feature inside a supported layer/op that we do not implement (an attribute value, a dtype). */
export class UnsupportedFeatureError extends KerasrtError {}

/** Shapes do not fit: at import, at shape inference, or a wrong input given to predict(). */
export class ShapeError extends KerasrtError {
  readonly op?: string;
  constructor(message: string, ctx: ErrorContext & { op?: string } = {}) {
    super(message, ctx);
    this.op = ctx.op;
  }
}

/** A configured safety limit (file size, tensor elements, nesting depth, ...) would be exceeded. */
export class LimitExceededError extends KerasrtError {}

/** Wrong use of the API (bad options, calling a closed session). */
export class UsageError extends KerasrtError {}

/** An internal invariant broke: a bug in kerasrt, never the user's fault. */
export class InternalError extends KerasrtError {}
