// Typed errors: every failure a user can meet names the file and the place inside it (layer, node, dataset).
// One base class so callers can catch everything kerasrt throws with a single `instanceof KerasrtError`.

export interface ErrorContext {
  /** The model file (or other input) the problem was found in. */
  file?: string;
  /** The place inside it: a layer name, a node, a dataset path, a zip entry. */
  where?: string;
  /** The lower-level error this one explains (a parser's TypeError, a RangeError from a DataView). */
  cause?: unknown;
}

export class KerasrtError extends Error {
  readonly file?: string;
  readonly where?: string;
  constructor(message: string, ctx: ErrorContext = {}) {
    const prefix = [ctx.file, ctx.where].filter((s) => s !== undefined && s !== '').join(': ');
    super(prefix ? `${prefix}: ${message}` : message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
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

/** True for the RangeError V8 throws when recursion exhausts the stack. */
function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/**
 * The format-boundary net: a KerasrtError passes through; anything else a reader threw on a bad file (a
 * TypeError or RangeError from a parser or a DataView, a string thrown by a library) becomes a
 * ModelFormatError naming the file and `where`, with the original as `cause`; an exhausted stack becomes
 * a LimitExceededError. Readers call it at their boundary so no raw exception reaches the user.
 */
export function toKerasrtError(e: unknown, ctx: ErrorContext & { what?: string } = {}): KerasrtError {
  if (e instanceof KerasrtError) return e;
  const { what, ...where } = ctx;
  if (isStackOverflow(e)) return new LimitExceededError(`${what ?? 'the file'} is nested too deeply to read (the stack ran out)`, { ...where, cause: e });
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new ModelFormatError(`cannot read ${what ?? 'the file'} (${detail})`, { ...where, cause: e });
}
