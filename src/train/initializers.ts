// Weight initialisers with Keras's defaults and formulas (keras/src/initializers): glorot_uniform for
// kernels, zeros for biases; fans as Keras computes them (dense [in, out]; conv [kh, kw, in, out]:
// fan_in = kh kw in, fan_out = kh kw out). Each serialises to the Keras 3 config form.

import { UsageError } from '../core/errors.js';
import { sizeOf, type Shape } from '../core/tensor.js';
import type { Random } from './random.js';

export type InitializerName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'lecunUniform' | 'lecunNormal' | 'zeros' | 'ones' | 'randomUniform' | 'randomNormal' | 'constant';

export interface Initializer {
  readonly className: string;
  readonly config: Readonly<Record<string, number | null>>;
  init(shape: Shape, random: Random): Float32Array;
}

/** Keras's compute_fans: the last two dims are in/out, the rest is the receptive field. */
export function computeFans(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = sizeOf(shape.slice(0, -2));
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

type Mode = 'fan_in' | 'fan_out' | 'fan_avg';

function varianceScaling(className: string, scale: number, mode: Mode, distribution: 'uniform' | 'truncated_normal'): Initializer {
  return {
    className,
    config: { seed: null },
    init(shape, random) {
      const [fanIn, fanOut] = computeFans(shape);
      const fan = mode === 'fan_in' ? fanIn : mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
      const s = scale / Math.max(1, fan);
      const out = new Float32Array(sizeOf(shape));
      if (distribution === 'uniform') {
        const limit = Math.sqrt(3 * s);
        for (let i = 0; i < out.length; i++) out[i] = (2 * random.uniform() - 1) * limit;
      } else {
        // Truncated at two standard deviations; 0.879... is the stddev of a unit normal truncated so.
        const std = Math.sqrt(s) / 0.8796256610342398;
        for (let i = 0; i < out.length; i++) {
          let v: number;
          do v = random.normal();
          while (Math.abs(v) > 2);
          out[i] = v * std;
        }
      }
      return out;
    },
  };
}

function constant(className: string, value: number, config: Record<string, number> = {}): Initializer {
  return { className, config, init: (shape) => new Float32Array(sizeOf(shape)).fill(value) };
}

export const initializers = {
  glorotUniform: (): Initializer => varianceScaling('GlorotUniform', 1, 'fan_avg', 'uniform'),
  glorotNormal: (): Initializer => varianceScaling('GlorotNormal', 1, 'fan_avg', 'truncated_normal'),
  heUniform: (): Initializer => varianceScaling('HeUniform', 2, 'fan_in', 'uniform'),
  heNormal: (): Initializer => varianceScaling('HeNormal', 2, 'fan_in', 'truncated_normal'),
  lecunUniform: (): Initializer => varianceScaling('LecunUniform', 1, 'fan_in', 'uniform'),
  lecunNormal: (): Initializer => varianceScaling('LecunNormal', 1, 'fan_in', 'truncated_normal'),
  zeros: (): Initializer => constant('Zeros', 0),
  ones: (): Initializer => constant('Ones', 1),
  constant: (value: number): Initializer => constant('Constant', value, { value }),
  randomUniform: (minval = -0.05, maxval = 0.05): Initializer => ({
    className: 'RandomUniform',
    config: { minval, maxval, seed: null },
    init(shape, random) {
      const out = new Float32Array(sizeOf(shape));
      for (let i = 0; i < out.length; i++) out[i] = minval + (maxval - minval) * random.uniform();
      return out;
    },
  }),
  randomNormal: (mean = 0, stddev = 0.05): Initializer => ({
    className: 'RandomNormal',
    config: { mean, stddev, seed: null },
    init(shape, random) {
      const out = new Float32Array(sizeOf(shape));
      for (let i = 0; i < out.length; i++) out[i] = mean + stddev * random.normal();
      return out;
    },
  }),
};

/** An initializer from a name ('glorot_uniform', 'glorotUniform', 'zeros') or an Initializer. */
export function resolveInitializer(spec: InitializerName | string | Initializer | undefined, dflt: () => Initializer): Initializer {
  if (spec === undefined) return dflt();
  if (typeof spec !== 'string') return spec;
  const camel = spec.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const f = (initializers as unknown as Record<string, (() => Initializer) | undefined>)[camel];
  if (!f || camel === 'constant') throw new UsageError(`unknown initializer "${spec}" (known: ${Object.keys(initializers).join(', ')})`);
  return f();
}

/** From a Keras config ({class_name, config}); undefined for classes we do not know. */
export function initializerFromKeras(className: string, config: Readonly<Record<string, unknown>>): Initializer | undefined {
  const num = (k: string, d: number): number => (typeof config[k] === 'number' ? (config[k] as number) : d);
  switch (className) {
    case 'GlorotUniform':
      return initializers.glorotUniform();
    case 'GlorotNormal':
      return initializers.glorotNormal();
    case 'HeUniform':
      return initializers.heUniform();
    case 'HeNormal':
      return initializers.heNormal();
    case 'LecunUniform':
      return initializers.lecunUniform();
    case 'LecunNormal':
      return initializers.lecunNormal();
    case 'Zeros':
      return initializers.zeros();
    case 'Ones':
      return initializers.ones();
    case 'Constant':
      return initializers.constant(num('value', 0));
    case 'RandomUniform':
      return initializers.randomUniform(num('minval', -0.05), num('maxval', 0.05));
    case 'RandomNormal':
      return initializers.randomNormal(num('mean', 0), num('stddev', 0.05));
  }
  return undefined;
}
