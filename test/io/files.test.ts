import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError, WriteError } from '../../src/errors.js';
import { readTextFile, sameFile, writeFileSafely } from '../../src/io/files.js';
import { scratchDir } from '../e2e/helpers.js';

describe('writeFileSafely', () => {
  it('replaces a regular file whole and leaves no temporary file behind', () => {
    const dir = scratchDir();
    const path = join(dir, 'out.json');
    writeFileSync(path, 'old');
    writeFileSafely(path, 'new', '--out');
    expect(readFileSync(path, 'utf8')).toBe('new');
    writeFileSafely(join(dir, 'fresh.json'), 'x', '--out');
    expect(readdirSync(dir).sort()).toEqual(['fresh.json', 'out.json']);
  });

  it('refuses a symbolic link, leaving the link and its target as they were', () => {
    const dir = scratchDir();
    const target = join(dir, 'precious');
    writeFileSync(target, 'keep');
    const link = join(dir, 'out.json');
    symlinkSync(target, link);
    expect(() => writeFileSafely(link, 'x', '--out')).toThrow(WriteError);
    expect(() => writeFileSafely(link, 'x', '--out')).toThrow(
      /--out .*out\.json: is a symbolic link; give the path of the file itself/,
    );
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep');
  });

  it('writes through a device, and refuses a directory', () => {
    writeFileSafely('/dev/null', 'gone', '--out');
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(() => writeFileSafely(scratchDir(), 'x', '--report')).toThrow(/is a directory/);
  });

  it('reports a device that cannot take the text as a write error', () => {
    expect(() => writeFileSafely('/dev/full', 'x', '--out')).toThrow(
      /^--out \/dev\/full: cannot write the file \(ENOSPC\)$/,
    );
  });
});

describe('readTextFile', () => {
  it('reads regular files only, and only up to a size', () => {
    expect(() => readTextFile('/dev/zero', '--targets /dev/zero')).toThrow(UsageError);
    expect(() => readTextFile('/dev/zero', '--targets /dev/zero')).toThrow(
      '--targets /dev/zero: cannot read the file (not a regular file (a character device))',
    );
    const dir = scratchDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // Opened without a writer, a FIFO would block: the read must refuse it before reading.
    expect(() => readTextFile(fifo, 'x')).toThrow(/not a regular file \(a pipe\)/);
    const big = join(dir, 'big.json');
    writeFileSync(big, 'x'.repeat(2048));
    expect(() => readTextFile(big, 'big', { maxBytes: 1024 })).toThrow(
      'big: cannot read the file (2048 bytes; at most 1024 are read)',
    );
    expect(readTextFile(join(dir, 'none'), 'none', { missingOk: true })).toBeUndefined();
  });
});

describe('sameFile', () => {
  it('sees one file under two names', () => {
    const dir = scratchDir();
    const a = join(dir, 'a');
    writeFileSync(a, '');
    symlinkSync(a, join(dir, 'b'));
    expect(sameFile(a, join(dir, 'b'))).toBe(true);
    expect(sameFile(a, join(dir, '.', 'a'))).toBe(true);
    expect(sameFile(a, join(dir, 'c'))).toBe(false);
  });
});
