// Model: an imported model, ready to compile. load() -> Model -> compile() -> Session.

import type { ImportedModel } from '../formats/types.js';
import { optimize, type OptimizeOptions } from '../passes/pipeline.js';
import { resolveBackend, type BackendName } from './backends.js';
import { DEFAULT_MAX_BATCH, Session } from './session.js';
import { summarize } from './summary.js';

export interface CompileOptions {
  /** Which kernels run the plan. Default "auto": the fastest available. */
  readonly backend?: BackendName;
  /** Largest batch one plan run takes in predictBatch (larger batches are chunked). Default 64. */
  readonly maxBatch?: number;
  /** Compiler options (e.g. verify after every pass). */
  readonly passes?: OptimizeOptions;
}

export class Model {
  constructor(readonly imported: ImportedModel) {}

  get file(): string {
    return this.imported.file;
  }

  /** Freeze and compile: strip training-only nodes, fold, fuse, plan memory, pick kernels. */
  compile(options: CompileOptions = {}): Session {
    const { graph, reports } = optimize(this.imported.graph, options.passes);
    return new Session(graph, resolveBackend(options.backend), reports, options.maxBatch ?? DEFAULT_MAX_BATCH, this.imported.file);
  }

  summary(): string {
    return summarize(this.imported);
  }
}
