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
});
