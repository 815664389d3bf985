// UltraFace RFB-320 on a real photo, kerasrt against onnxruntime-node: ../shared/models/onnx/ultraface-rfb320/1.jpg
// (a 720x478 group photo) is decoded with jpeg-js, resized to 320x240 with the bilinear resize below, normalised
// as the upstream repo does ((x - 127) / 128, RGB, NCHW [1,3,240,320]) and run through both runtimes, on the
// original file (boxes decoded in-graph) and on the _simplified one (BatchNorm folded, raw box regressions).
// Tolerances: scores (softmax probabilities) max abs diff <= 1e-4; boxes max abs diff <= 1e-3.
// The MANIFEST's numpy run of the full file on this photo found 85 anchors with face score > 0.7.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import jpeg from 'jpeg-js';
import * as ort from 'onnxruntime-node';
import { load } from '../../src/index.js';

const DIR = resolve(process.cwd(), '../shared/models/onnx/ultraface-rfb320');
const HAVE = existsSync(join(DIR, '1.jpg'));
const W = 320;
const H = 240;
const SCORE_TOL = 1e-4;
const BOX_TOL = 1e-3;

/**
 * Bilinear resize of interleaved RGB(A) pixels to an RGB float image [dh, dw, 3] (values 0..255).
 * Half-pixel centres (OpenCV INTER_LINEAR / align_corners=false): the destination pixel (x, y) samples the
 * source at ((x + 0.5) * sw / dw - 0.5, (y + 0.5) * sh / dh - 0.5), clamped to the image, and blends the four
 * neighbouring pixels by their fractional distances. No antialiasing (this is a 2.25x / 1.99x downscale).
 */
function resizeBilinear(src: Uint8Array, sw: number, sh: number, channels: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh * 3);
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  for (let y = 0; y < dh; y++) {
    const fy = clamp((y + 0.5) * (sh / dh) - 0.5, sh - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < dw; x++) {
      const fx = clamp((x + 0.5) * (sw / dw) - 0.5, sw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => src[(yy * sw + xx) * channels + c]!;
        const top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx;
        const bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx;
        out[(y * dw + x) * 3 + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}

/** 1.jpg as the model's input: RGB, (x - 127) / 128, NCHW [1, 3, 240, 320] flattened. */
function photoInput(): Float32Array {
  const img = jpeg.decode(readFileSync(join(DIR, '1.jpg')), { useTArray: true, formatAsRGBA: false });
  assert.deepEqual([img.width, img.height], [720, 478]);
  const channels = img.data.length / (img.width * img.height);
  assert.ok(channels === 3 || channels === 4, `channels ${channels}`);
  const hwc = resizeBilinear(img.data, img.width, img.height, channels, W, H);
  const x = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) for (let i = 0; i < H * W; i++) x[c * H * W + i] = (hwc[i * 3 + c]! - 127) / 128;
  return x;
}

const maxAbsDiff = (p: Float32Array, q: Float32Array) => {
  assert.equal(p.length, q.length);
  let m = 0;
  for (let i = 0; i < p.length; i++) m = Math.max(m, Math.abs(p[i]! - q[i]!));
  return m;
};
const facesOver = (scores: Float32Array, t: number) => {
  let n = 0;
  for (let i = 1; i < scores.length; i += 2) if (scores[i]! > t) n++;
  return n;
};

for (const file of ['version-RFB-320.onnx', 'version-RFB-320_simplified.onnx']) {
  test(`UltraFace ${file} on 1.jpg: kerasrt matches onnxruntime-node`, { skip: !HAVE && 'no ../shared/models' }, async () => {
    const path = join(DIR, file);
    const x = photoInput();

    const sess = await ort.InferenceSession.create(path, { logSeverityLevel: 3 }); // errors only: the full file lists its initializers as graph inputs, a warning each
    const feeds = { [sess.inputNames[0]!]: new ort.Tensor('float32', x, [1, 3, H, W]) };
    const ortOut = await sess.run(feeds);
    const want = new Map(sess.outputNames.map((n) => [n, ortOut[n]!.data as Float32Array]));
    await sess.release();

    const m = await load(path);
    const s = m.compile();
    let got: Map<string, Float32Array>;
    try {
      // The ONNX import keeps the model's NCHW layout: one sample is [3, 240, 320].
      assert.deepEqual(s.inputShapes, [[3, H, W]]);
      const outs = s.run([x]);
      got = new Map(m.imported.outputNames.map((n, i) => [n, Float32Array.from(outs[i]!)]));
    } finally {
      s.close();
    }

    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    const scores = got.get('scores')!;
    const boxes = got.get('boxes')!;
    assert.equal(scores.length, 4420 * 2);
    assert.equal(boxes.length, 4420 * 4);
    const dScores = maxAbsDiff(scores, want.get('scores')!);
    const dBoxes = maxAbsDiff(boxes, want.get('boxes')!);
    const faces = facesOver(scores, 0.7);
    const ortFaces = facesOver(want.get('scores')!, 0.7);
    console.log(`${file}: max |scores diff| = ${dScores.toExponential(2)}, max |boxes diff| = ${dBoxes.toExponential(2)}, anchors with face score > 0.7: kerasrt ${faces}, ort ${ortFaces}`);
    assert.ok(dScores <= SCORE_TOL, `scores differ by ${dScores}`);
    assert.ok(dBoxes <= BOX_TOL, `boxes differ by ${dBoxes}`);
    assert.ok(faces > 0, 'no face found');
  });
}
