// The limits themselves: resolving options, overflow-checked size arithmetic, the JSON pre-scan, the protobuf
// depth helper, and that ImportOptions.limits (and the older zipLimits) reach the readers.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { LimitExceededError, ModelFormatError, UsageError, toKerasrtError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS, checkProtobufDepth, checkTensorShape, checkedAdd, checkedElements, checkedMul, resolveLimits } from '../../src/core/limits.js';
import { importModel } from '../../src/formats/load.js';
import { memoryFileSource } from '../../src/formats/readers/file-source.js';
import { parseJsonText, scanJson } from '../../src/formats/readers/json.js';
import { crc32 } from '../../src/formats/readers/zip.js';
import { artifactsToFiles, foundingArtifacts, foundingModel } from '../../src/models/founding.js';
import { importGraphDef } from '../../src/formats/graphdef/import.js';
import { importOnnx } from '../../src/formats/onnx/import.js';
import { importTfjsGraph } from '../../src/formats/tfjs-graph/import.js';
import * as kerasrt from '../../src/index.js';
import { graphDefBytes, onnxBytes, onnxMlp, tfjsGraphFiles, tfMlp } from './graph-seeds.js';

describe('limits', () => {
  it('resolve from partial options; unknown keys and bad values are usage errors', () => {
    assert.equal(resolveLimits(), DEFAULT_LIMITS);
    assert.equal(resolveLimits({ maxRank: 4 }).maxRank, 4);
    assert.equal(resolveLimits({ maxRank: 4 }).maxNodes, DEFAULT_LIMITS.maxNodes);
    assert.throws(() => resolveLimits({ maxRanks: 4 } as never), UsageError);
    assert.throws(() => resolveLimits({ maxRank: 0 }), UsageError);
    assert.throws(() => resolveLimits({ maxRank: 1.5 }), UsageError);
    assert.throws(() => resolveLimits({ maxRank: Number.NaN }), UsageError);
    assert.equal(resolveLimits({ maxInflationRatio: 12.5 }).maxInflationRatio, 12.5);
    assert.ok(Object.isFrozen(DEFAULT_LIMITS));
  });

  it('size arithmetic is overflow-checked', () => {
    assert.equal(checkedMul(2 ** 26, 2 ** 26, 'x'), 2 ** 52);
    assert.throws(() => checkedMul(2 ** 27, 2 ** 27, 'x'), LimitExceededError);
    assert.equal(checkedMul(0, 2 ** 60, 'x'), 0);
    assert.throws(() => checkedAdd(Number.MAX_SAFE_INTEGER, 1, 'x'), LimitExceededError);
    assert.equal(checkedElements([3, 0, 2 ** 52], 'x'), 0);
    assert.throws(() => checkedElements([2 ** 30, 2 ** 30, 2 ** 30], 'x'), LimitExceededError);
    assert.throws(() => checkedElements([-1], 'x'), ModelFormatError);
    assert.throws(() => checkedElements([1.5], 'x'), ModelFormatError);
    assert.throws(() => checkedElements([2 ** 53], 'x'), ModelFormatError);
    assert.equal(checkTensorShape([-1, 28, 28, 1], DEFAULT_LIMITS, 'x'), 784);
    assert.throws(() => checkTensorShape([1, 2 ** 29], DEFAULT_LIMITS, 'x'), LimitExceededError);
    assert.throws(() => checkTensorShape(new Array(9).fill(1), DEFAULT_LIMITS, 'x'), LimitExceededError);
    assert.throws(() => checkProtobufDepth(65, DEFAULT_LIMITS, { file: 'g.pb' }), (e: Error) => e instanceof LimitExceededError && /g\.pb/.test(e.message));
    checkProtobufDepth(64, DEFAULT_LIMITS);
  });

  it('the JSON scan bounds depth and refuses prototype keys, escaped or not, but not such strings as values', () => {
    assert.equal(scanJson('{"a": [[1], {"b": "[[[["}]}', 8, 'f', 'j').depth, 3);
    assert.throws(() => scanJson('[[[[1]]]]', 3, 'f', 'j'), LimitExceededError);
    assert.throws(() => parseJsonText('{"__proto__": {"x": 1}}', 'f', 'j'), /"__proto__"/);
    assert.throws(() => parseJsonText('{"a": {"\\u005f_proto__": 1}}', 'f', 'j'), /"__proto__"/);
    assert.throws(() => parseJsonText('{"constructor" : {"prototype": {}}}', 'f', 'j'), /"constructor"/);
    assert.deepEqual(parseJsonText('{"name": "__proto__", "k": ["constructor"]}', 'f', 'j'), { name: '__proto__', k: ['constructor'] });
    assert.deepEqual(parseJsonText('{"s": "a\\"b\\\\", "t": 1}', 'f', 'j'), { s: 'a"b\\', t: 1 });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('the boundary net types anything a reader throws', () => {
    const e = toKerasrtError(new TypeError('x is undefined'), { file: 'm.onnx', where: 'importer' });
    assert.ok(e instanceof ModelFormatError);
    assert.match(e.message, /m\.onnx: importer: cannot read the file \(TypeError: x is undefined\)/);
    assert.ok(toKerasrtError(new RangeError('Maximum call stack size exceeded')) instanceof LimitExceededError);
    assert.ok(toKerasrtError('a string thrown by a library') instanceof ModelFormatError);
  });

  it('crc32 is the zip checksum', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  it('ImportOptions.limits and the older zipLimits reach the readers', async () => {
    const files = artifactsToFiles(foundingArtifacts(foundingModel('beginner')));
    const src = memoryFileSource('m/model.json', files);
    await assert.rejects(importModel(src, { limits: { maxTensorElements: 100 } }), LimitExceededError);
    await assert.rejects(importModel(src, { limits: { maxFileBytes: 100 } }), LimitExceededError);
    assert.equal((await importModel(src, { limits: { maxTensorElements: 7840 } })).format, 'tfjs-layers');
    const keras = zipSync({ 'config.json': new TextEncoder().encode('{}'), 'model.weights.h5': new Uint8Array(5000) });
    await assert.rejects(importModel(memoryFileSource('m.keras', { 'm.keras': keras }), { zipLimits: { maxEntryBytes: 1000 } }), LimitExceededError);
    await assert.rejects(importModel(src, { limits: { maxRank: -1 } }), UsageError);
  });

  // The seeds hold 12 nodes (GraphDef, TF.js graph) or 6 nodes and 4 initializers (ONNX), rank-2 weights of at
  // most 12 elements, protobuf messages nested 5 deep (NodeDef.attr.value.tensor.tensor_shape.dim), one shard.
  const graphSeeds = [
    { format: 'onnx', src: () => memoryFileSource('m.onnx', { 'm.onnx': onnxBytes(onnxMlp()) }), direct: importOnnx },
    { format: 'graphdef', src: () => memoryFileSource('m.pb', { 'm.pb': graphDefBytes(tfMlp()) }), direct: importGraphDef },
    { format: 'tfjs-graph', src: () => memoryFileSource('model.json', tfjsGraphFiles(tfMlp())), direct: importTfjsGraph },
  ] as const;
  for (const g of graphSeeds) {
    it(`${g.format}: the graph importer reads the configurable limits (load and its own entry point)`, async () => {
      assert.equal((await importModel(g.src())).format, g.format);
      assert.equal((await g.direct(g.src())).format, g.format);
      for (const limits of [{ maxNodes: 3 }, { maxTensorElements: 10 }, { maxRank: 1 }, { maxFileBytes: 100 }, ...(g.format === 'tfjs-graph' ? [] : [{ maxProtobufDepth: 2 }])]) {
        await assert.rejects(importModel(g.src(), { limits }), (e: unknown) => e instanceof LimitExceededError && e.file !== undefined, JSON.stringify(limits));
        if (!('maxFileBytes' in limits)) await assert.rejects(g.direct(g.src(), { limits }), LimitExceededError, JSON.stringify(limits));
      }
      // Just enough passes: the limits are compared, not merely present.
      assert.equal((await importModel(g.src(), { limits: { maxTensorElements: 12, maxRank: 2 } })).format, g.format);
      await assert.rejects(importModel(g.src(), { limits: { maxNodez: 3 } as never }), UsageError);
    });
  }

  it('tfjs-graph: maxShards and maxTotalBytes bound the shards before they are read', async () => {
    const files = tfjsGraphFiles(tfMlp(), (j) => ((j.weightsManifest as { paths: string[] }[])[0].paths = ['group1-shard1of1.bin', 'group1-shard1of1.bin']));
    await assert.rejects(importModel(memoryFileSource('model.json', files), { limits: { maxShards: 1 } }), LimitExceededError);
    const one = tfjsGraphFiles(tfMlp());
    await assert.rejects(importModel(memoryFileSource('model.json', one), { limits: { maxTotalBytes: one['model.json'].length + 10 } }), LimitExceededError);
  });

  it('the package entry exports DEFAULT_LIMITS', () => {
    assert.equal(kerasrt.DEFAULT_LIMITS, DEFAULT_LIMITS);
    const l: kerasrt.Limits = kerasrt.DEFAULT_LIMITS;
    assert.equal(l.maxProtobufDepth, 64);
  });
});
