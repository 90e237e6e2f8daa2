// Documents found in a stream like a Job's `kubectl logs`: pretty-printed ones among other lines,
// one cut short by a killed pod, one-line JSON log lines.
import { describe, expect, it } from 'vitest';
import { findDocuments } from '../../src/io/documents.js';

const doc = (n: number) => JSON.stringify({ lb_demo: '0.1.0', n, s: 'a } { " \\" ]' }, null, 2);

describe('findDocuments', () => {
  it('finds pretty-printed documents among other lines, braces inside strings ignored', () => {
    const text = ['pod 0 says hi', doc(0), '', 'lb-demo: FAIL', doc(1)].join('\n');
    const found = findDocuments(text);
    expect(found.documents.map((d) => JSON.parse(d.text).n)).toEqual([0, 1]);
    expect(found.documents.map((d) => d.line)).toEqual([2, 9]);
    expect(found.cutShort).toEqual([]);
    expect(found.skippedLines).toBe(2);
  });

  it('skips a document cut short and still reads the whole ones after it', () => {
    const cut = doc(0).slice(0, 30);
    const text = [cut, doc(1), '{', doc(2)].join('\n');
    const found = findDocuments(text);
    expect(found.documents.map((d) => JSON.parse(d.text).n)).toEqual([1, 2]);
    expect(found.cutShort).toEqual([1, 9]);
  });

  it('keeps one-line objects (log lines) for the caller to judge', () => {
    const text = ['{"level":"info","msg":"starting"}', doc(3)].join('\n');
    const found = findDocuments(text);
    expect(found.documents.map((d) => d.line)).toEqual([1, 2]);
  });

  it('a document cut short at the very end', () => {
    const found = findDocuments([doc(4), doc(5).slice(0, 20)].join('\n'));
    expect(found.documents).toHaveLength(1);
    expect(found.cutShort).toEqual([6]);
  });
});
