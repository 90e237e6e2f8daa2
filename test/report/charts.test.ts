import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { bar, latencyRows, shareBars } from '../../src/report/charts.js';

const plain = new Chalk({ level: 0 });

describe('bar', () => {
  it('draws eighths of a cell', () => {
    expect(bar(0, 10)).toBe('');
    expect(bar(1, 10)).toBe('██████████');
    expect(bar(0.5, 10)).toBe('█████');
    expect(bar(0.25, 10)).toBe('██▌'); // 2.5 cells
    expect(bar(0.0125, 10)).toBe('▏'); // one eighth
    expect(bar(2, 4)).toBe('████'); // clamped
  });
});

describe('shareBars', () => {
  it('labels observed and expected rows and fits 80 columns', () => {
    const text = shareBars(
      [
        { name: 'ollama', share: 0.3, expectedShare: 0.25 },
        { name: 'a-very-long-target-name', share: 0.7, expectedShare: 0.75 },
      ],
      plain,
    );
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`  ollama         observed ${'█'.repeat(12).padEnd(40)}  30.0%`);
    expect(lines[1]).toBe(`                 expected ${'██████████'.padEnd(40)}  25.0%`);
    expect(lines[2]?.startsWith('  a-very-long-t… observed')).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('latencyRows', () => {
  it('draws one row per target on a shared axis, scaled to each row', () => {
    const text = latencyRows(
      {
        edgesMs: [10, 20, 40, 80, 160],
        counts: [
          [4, 2, 0, 0],
          [0, 0, 1, 3],
        ],
      },
      ['fast', 'slow'],
      (ms) => `${ms} ms`,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('  fast   │█▄  │ n=6');
    expect(lines[1]).toBe('  slow   │  ▃█│ n=4');
    expect(lines[2]?.trim()).toBe('10 ms 160 ms'); // too narrow for the middle label
  });

  it('fits 80 columns with 40 bins and labels the axis ends', () => {
    const edges = Array.from({ length: 41 }, (_, i) => 10 * 1.1 ** i);
    const text = latencyRows(
      { edgesMs: edges, counts: [Array.from({ length: 40 }, (_, i) => i % 3)] },
      ['vllm'],
      (ms) => `${Math.round(ms)} ms`,
    );
    const lines = text.split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^\s+10 ms\s+67 ms\s+453 ms$/); // geometric middle
  });
});
