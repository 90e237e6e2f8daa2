import { describe, expect, it } from 'vitest';
import { formatFaults, parseFaultObject, parseFaultSpec } from '../../src/settings/faults.js';

describe('parseFaultSpec', () => {
  it('reads a target and its faults', () => {
    expect(parseFaultSpec('vllm:error_rate=0.2,error_status=429', '--fault')).toEqual({
      target: 'vllm',
      faults: { errorRate: 0.2, errorStatus: 429 },
    });
    expect(parseFaultSpec('ollama:outage', '--fault')).toEqual({
      target: 'ollama',
      faults: { outage: true },
    });
    expect(
      parseFaultSpec(' a : hang_rate=1 , spike_rate=0.5, spike_ms=2000 ', 'LB_FAULTS'),
    ).toEqual({
      target: 'a',
      faults: { hangRate: 1, spikeRate: 0.5, spikeMs: 2000 },
    });
  });

  it.each([
    ['vllm', /--fault: expected TARGET:FAULT/],
    [':error_rate=1', /--fault: expected TARGET:FAULT/],
    ['vllm:', /--fault: no fault given for "vllm"/],
    ['vllm:error_rate=2', /--fault \(vllm\): error_rate: must be at most 1, got 2/],
    ['vllm:error_rate=-0.1', /error_rate: must not be negative/],
    ['vllm:error_rate', /error_rate: expected a number, got "true"/],
    ['vllm:error_status=418', /error_status: expected one of 429, 500, 502, 503, 504, got "418"/],
    ['vllm:outage=maybe', /outage: expected true or false/],
    ['vllm:explode=1', /--fault \(vllm\): unknown fault "explode"/],
    ['vllm:cut_rate=1.5', /cut_rate: must be at most 1, got 1.5/],
    ['vllm:fail_first=2.5', /fail_first: expected a whole number from 0 to 100, got "2.5"/],
    ['vllm:fail_first=101', /fail_first: expected a whole number from 0 to 100/],
    ['vllm:retry_after=soon', /retry_after: expected a whole number from 0 to 3600 or none/],
    ['vllm:ttft_ms=-5', /ttft_ms: must not be negative/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseFaultSpec(spec, '--fault')).toThrow(message);
  });
});

describe('the stream faults and the retry drill’s', () => {
  it('reads cut, stall, error event, first token, fail_first and retry_after', () => {
    expect(
      parseFaultSpec(
        'vllm:cut_rate=0.5,stall_rate=0.1,error_event_rate=0.25,ttft_ms=2000,fail_first=2,error_status=429,retry_after=3',
        '--fault',
      ).faults,
    ).toEqual({
      cutRate: 0.5,
      stallRate: 0.1,
      errorEventRate: 0.25,
      ttftMs: 2000,
      failFirst: 2,
      errorStatus: 429,
      retryAfterS: 3,
    });
    expect(parseFaultSpec('vllm:fail_first=1,retry_after=none', 'x').faults).toEqual({
      failFirst: 1,
      retryAfterS: null,
    });
  });

  it('writes them back as it reads them', () => {
    const faults = {
      cutRate: 0.5,
      ttftMs: 2000,
      failFirst: 2,
      errorStatus: 429,
      retryAfterS: null,
    };
    const text = formatFaults(faults);
    expect(text).toBe('cut_rate=0.5,fail_first=2,error_status=429,retry_after=none,ttft_ms=2000');
    expect(parseFaultSpec(`t:${text}`, 'x').faults).toEqual(faults);
  });
});

describe('parseFaultObject', () => {
  it('reads a targets file entry and rejects other shapes', () => {
    expect(parseFaultObject({ malformed_rate: 0.1, outage: false }, 'x')).toEqual({
      malformedRate: 0.1,
      outage: false,
    });
    expect(() => parseFaultObject([1], 'targets.json: target "a": faults')).toThrow(
      /^targets.json: target "a": faults: expected an object/,
    );
    expect(() => parseFaultObject({ error_rate: 'lots' }, 'f')).toThrow(
      /f: error_rate: expected a number/,
    );
  });
});

describe('formatFaults', () => {
  it('writes what parseFaultSpec reads back', () => {
    const faults = { errorRate: 0.2, errorStatus: 503, spikeRate: 0.1, spikeMs: 900, outage: true };
    const text = formatFaults(faults);
    expect(text).toBe('error_rate=0.2,spike_rate=0.1,error_status=503,spike_ms=900,outage');
    expect(parseFaultSpec(`t:${text}`, 'x').faults).toEqual(faults);
    expect(formatFaults({})).toBe('');
  });
});
