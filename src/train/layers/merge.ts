// Merge layers (functional models): Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate.
// Emitted as the Keras importer translates them: a chain of `binary` nodes, or one `concat`.

import { UsageError } from '../../core/errors.js';
import { broadcastShapes, normAxis, shapeToString, type Shape } from '../../core/tensor.js';
import type { BinaryFn } from '../../ops/binary.js';
import { Layer, type EmitContext, type Json, type LayerArgs } from './base.js';

abstract class Merge extends Layer {
  protected abstract readonly fn: BinaryFn | 'avg';
  override get takesList(): boolean {
    return true;
  }
  outputShapes(inputs: readonly Shape[]): Shape[] {
    if (inputs.length < 2) throw this.shapeError(`takes at least 2 inputs, got ${inputs.length}`);
    if (this.fn === 'sub' && inputs.length !== 2) throw this.shapeError(`takes exactly 2 inputs, got ${inputs.length}`);
    let s = inputs[0];
    try {
      for (const t of inputs.slice(1)) s = broadcastShapes(s, t, this.className);
    } catch (e) {
      throw this.shapeError((e as Error).message);
    }
    return [s];
  }
  emit(ctx: EmitContext, inputs: readonly number[]): number[] {
    const fn: BinaryFn = this.fn === 'avg' ? 'add' : this.fn;
    let acc = inputs[0];
    for (let i = 1; i < inputs.length; i++) {
      const last = i === inputs.length - 1 && this.fn !== 'avg';
      acc = ctx.b.add1('binary', [acc, inputs[i]], { fn }, { name: last ? ctx.nodeName() : ctx.nodeName(`${fn}_${i}`), origin: ctx.origin });
    }
    if (this.fn === 'avg') {
      const k = ctx.b.constant(`${ctx.nodeName()}/count`, [1], Float32Array.of(inputs.length));
      acc = ctx.b.add1('binary', [acc, k], { fn: 'div' }, { name: ctx.nodeName(), origin: ctx.origin });
    }
    return [acc];
  }
  protected configEntries(): Record<string, Json> {
    return {};
  }
}

export class Add extends Merge {
  readonly className = 'Add';
  protected readonly fn = 'add';
}
export class Subtract extends Merge {
  readonly className = 'Subtract';
  protected readonly fn = 'sub';
}
export class Multiply extends Merge {
  readonly className = 'Multiply';
  protected readonly fn = 'mul';
}
export class Maximum extends Merge {
  readonly className = 'Maximum';
  protected readonly fn = 'max';
}
export class Minimum extends Merge {
  readonly className = 'Minimum';
  protected readonly fn = 'min';
}
export class Average extends Merge {
  readonly className = 'Average';
  protected readonly fn = 'avg';
}

export class Concatenate extends Layer {
  readonly className = 'Concatenate';
  readonly axis: number;
  constructor(args: LayerArgs & { axis?: number } = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }
  override get takesList(): boolean {
    return true;
  }
  outputShapes(inputs: readonly Shape[]): Shape[] {
    if (inputs.length < 2) throw this.shapeError(`takes at least 2 inputs, got ${inputs.length}`);
    const rank = inputs[0].length;
    const a = normAxis(this.axis, rank, 'concatenate');
    if (a === 0) throw new UsageError('concatenate: axis 0 is the batch');
    const out = [...inputs[0]];
    for (const s of inputs.slice(1)) {
      if (s.length !== rank || s.some((d, i) => i !== a && d !== out[i])) throw this.shapeError(`${shapeToString(s)} does not fit ${shapeToString(inputs[0])} along axis ${this.axis}`);
      out[a] += s[a];
    }
    return [out];
  }
  emit(ctx: EmitContext, inputs: readonly number[]): number[] {
    return [ctx.b.add1('concat', [...inputs], { axis: this.axis }, { name: ctx.nodeName(), origin: ctx.origin })];
  }
  protected configEntries(): Record<string, Json> {
    return { axis: this.axis };
  }
}
