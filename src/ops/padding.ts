// Padding arithmetic shared by importers (Keras "same"/"valid"/"causal", TF, ONNX auto_pad) and conv/pool ops.
// TensorFlow's rule for "same": out = ceil(in / stride); total = max((out - 1) * stride + effK - in, 0),
// split with the smaller half first (before = floor(total / 2)). ONNX SAME_LOWER puts the larger half first.

export type PaddingMode = 'same' | 'valid' | 'causal' | 'same_lower';

/** Effective kernel extent with dilation. */
export function effectiveKernel(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/** [before, after] padding along one spatial axis. */
export function computePads(mode: PaddingMode, inSize: number, k: number, stride: number, dilation = 1): [number, number] {
  const eff = effectiveKernel(k, dilation);
  switch (mode) {
    case 'valid':
      return [0, 0];
    case 'causal':
      return [eff - 1, 0];
    case 'same':
    case 'same_lower': {
      const out = Math.ceil(inSize / stride);
      const total = Math.max((out - 1) * stride + eff - inSize, 0);
      const small = Math.floor(total / 2);
      return mode === 'same' ? [small, total - small] : [total - small, small];
    }
  }
}

/** Output size of a conv/pool window along one axis, given explicit pads. */
export function convOutSize(inSize: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((inSize + before + after - effectiveKernel(k, dilation)) / stride) + 1;
}
