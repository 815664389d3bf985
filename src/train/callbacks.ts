// Callbacks with Keras's hooks and three of its stock ones: earlyStopping, modelCheckpoint and
// learningRateScheduler.
// Hooks may return a promise (checkpoints write files); fit awaits it.

import { UsageError } from '../core/errors.js';

export type Logs = Record<string, number>;

/** What a callback may do to the model being trained. */
export interface CallbackModel {
  /** Set to true to end fit after the current epoch. */
  stopTraining: boolean;
  /** The compiled optimizer (learning-rate schedules change its learningRate). */
  readonly optimizer?: { learningRate: number };
  getWeights(): Float32Array[];
  setWeights(weights: readonly Float32Array[]): void;
  save(path: string): Promise<void>;
}

export interface Callback {
  setModel?(model: CallbackModel): void;
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

type Mode = 'auto' | 'min' | 'max';

/** Keras's rule for mode 'auto': metrics whose name holds "acc" (or auc, fmeasure) are maximised. */
function better(monitor: string, mode: Mode): (a: number, b: number, delta: number) => boolean {
  const max = mode === 'max' || (mode === 'auto' && /acc|auc|fmeasure/.test(monitor));
  return max ? (a, b, d) => a - d > b : (a, b, d) => a + d < b;
}

export interface EarlyStoppingOptions {
  readonly monitor?: string;
  readonly minDelta?: number;
  readonly patience?: number;
  readonly mode?: Mode;
  readonly baseline?: number;
  /** Put back the weights of the best epoch when stopping (or at the end). */
  readonly restoreBestWeights?: boolean;
  readonly verbose?: 0 | 1;
  /** Write messages here (default console.log). */
  readonly log?: (line: string) => void;
}

export class EarlyStopping implements Callback {
  readonly monitor: string;
  private readonly improved: (a: number, b: number, delta: number) => boolean;
  private model?: CallbackModel;
  private wait = 0;
  private best = NaN;
  private bestWeights?: Float32Array[];
  /** The epoch (0-based) training stopped at, or -1. */
  stoppedEpoch = -1;
  bestEpoch = -1;

  constructor(private readonly options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'val_loss';
    this.improved = better(this.monitor, options.mode ?? 'auto');
  }

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.options.baseline ?? NaN;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.bestWeights = undefined;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const v = logs[this.monitor];
    if (v === undefined) throw new UsageError(`earlyStopping: "${this.monitor}" is not in the logs (${Object.keys(logs).join(', ')})`);
    const first = Number.isNaN(this.best);
    if (first || this.improved(v, this.best, Math.abs(this.options.minDelta ?? 0))) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.options.restoreBestWeights && this.model) this.bestWeights = this.model.getWeights().map((w) => w.slice());
      return;
    }
    this.wait++;
    if (this.wait > (this.options.patience ?? 0) && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.bestWeights) this.model.setWeights(this.bestWeights);
      if (this.options.verbose) (this.options.log ?? console.log)(`Epoch ${epoch + 1}: early stopping${this.bestWeights ? ` (restored the weights of epoch ${this.bestEpoch + 1})` : ''}`);
    }
  }

  onTrainEnd(): void {
    // Keras restores the best weights at the end too, when training ran out of epochs while waiting.
    if (this.stoppedEpoch < 0 && this.wait > 0 && this.bestWeights && this.model) this.model.setWeights(this.bestWeights);
  }
}

export interface ModelCheckpointOptions {
  /** Path; may hold {epoch} / {epoch:02d} and {<log name>:.4f} placeholders, as Keras's filepath. */
  readonly filepath: string;
  readonly monitor?: string;
  readonly saveBestOnly?: boolean;
  readonly mode?: Mode;
  readonly verbose?: 0 | 1;
  readonly log?: (line: string) => void;
}

/** Formats Keras/Python-style placeholders: {epoch}, {epoch:02d}, {val_loss:.2f}. */
export function formatCheckpointPath(pattern: string, epoch: number, logs: Logs): string {
  return pattern.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, key: string, spec: string | undefined) => {
    const v = key === 'epoch' ? epoch : logs[key];
    if (v === undefined) throw new UsageError(`modelCheckpoint: "${key}" in "${pattern}" is not in the logs (${Object.keys(logs).join(', ')})`);
    if (!spec) return String(v);
    const m = /^(0?)(\d*)(?:\.(\d+))?([dfe])$/.exec(spec);
    if (!m) return whole;
    const [, zero, width, prec, type] = m;
    let s = type === 'd' ? String(Math.trunc(v)) : type === 'e' ? v.toExponential(Number(prec ?? 6)) : v.toFixed(Number(prec ?? 6));
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}

export class ModelCheckpoint implements Callback {
  readonly monitor: string;
  private readonly improved: (a: number, b: number, delta: number) => boolean;
  private model?: CallbackModel;
  private best = NaN;
  /** Files written, in order. */
  readonly saved: string[] = [];

  constructor(private readonly options: ModelCheckpointOptions) {
    if (!options.filepath) throw new UsageError('modelCheckpoint needs a filepath');
    this.monitor = options.monitor ?? 'val_loss';
    this.improved = better(this.monitor, options.mode ?? 'auto');
  }

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (!this.model) return;
    const path = formatCheckpointPath(this.options.filepath, epoch + 1, logs);
    if (this.options.saveBestOnly) {
      const v = logs[this.monitor];
      if (v === undefined) throw new UsageError(`modelCheckpoint: "${this.monitor}" is not in the logs (${Object.keys(logs).join(', ')})`);
      if (!Number.isNaN(this.best) && !this.improved(v, this.best, 0)) return;
      if (this.options.verbose) (this.options.log ?? console.log)(`Epoch ${epoch + 1}: ${this.monitor} improved${Number.isNaN(this.best) ? '' : ` from ${this.best.toFixed(5)}`} to ${v.toFixed(5)}, saving model to ${path}`);
      this.best = v;
    } else if (this.options.verbose) (this.options.log ?? console.log)(`Epoch ${epoch + 1}: saving model to ${path}`);
    await this.model.save(path);
    this.saved.push(path);
  }
}

/** Keras's LearningRateScheduler: before each epoch, learningRate = schedule(epoch, current learningRate). */
export class LearningRateScheduler implements Callback {
  private model?: CallbackModel;
  constructor(
    private readonly schedule: (epoch: number, learningRate: number) => number,
    private readonly options: { verbose?: 0 | 1; log?: (line: string) => void } = {},
  ) {}

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  onEpochBegin(epoch: number): void {
    const opt = this.model?.optimizer;
    if (!opt) throw new UsageError('learningRateScheduler: the model is not compiled');
    const lr = this.schedule(epoch, opt.learningRate);
    if (!(lr > 0) || !Number.isFinite(lr)) throw new UsageError(`learningRateScheduler: the schedule returned ${lr} for epoch ${epoch}`);
    opt.learningRate = lr;
    if (this.options.verbose) (this.options.log ?? console.log)(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const opt = this.model?.optimizer;
    if (opt) logs.learning_rate = opt.learningRate;
  }
}

export const callbacks = {
  earlyStopping: (options?: EarlyStoppingOptions): EarlyStopping => new EarlyStopping(options),
  modelCheckpoint: (options: ModelCheckpointOptions | string): ModelCheckpoint => new ModelCheckpoint(typeof options === 'string' ? { filepath: options } : options),
  learningRateScheduler: (schedule: (epoch: number, learningRate: number) => number, options?: { verbose?: 0 | 1; log?: (line: string) => void }): LearningRateScheduler =>
    new LearningRateScheduler(schedule, options),
};
