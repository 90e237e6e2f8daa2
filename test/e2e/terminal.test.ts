// Ctrl-C typed into a real pseudo-terminal (python3's pty module plays the terminal): the line
// discipline sends SIGINT to the foreground process group. lb-demo alone must get it, finish the
// requests in flight through a gateway that is still there, print the summary, restore the
// cursor its progress bar hid, stop the gateway and exit 130.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, FAST_SIMS, scratchDir } from './helpers.js';

const TYPIST = fileURLToPath(new URL('./pty/ctrl-c.py', import.meta.url));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('on a real terminal', () => {
  it('Ctrl-C: the summary of what completed, the cursor back, no gateway left, exit 130', () => {
    const run = spawnSync(
      'python3',
      [TYPIST, '3', process.execPath, BIN, '--scenario', 'distribution', '-n', '5000', '-c', '2'],
      {
        cwd: scratchDir(),
        env: { PATH: process.env.PATH ?? '', TERM: 'xterm-256color', ...FAST_SIMS },
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as {
      code: number;
      typed: boolean;
      children: number[];
      shown: string;
    };
    expect(result.typed).toBe(true);
    expect(result.code).toBe(130);
    const shown = result.shown;
    // A terminal: the progress bar drew (and hid the cursor), colours are on.
    expect(shown).toContain('\x1b[?25l');
    expect(shown).toMatch(/SIGINT: finishing the requests in flight, then reporting/);
    expect(shown).not.toMatch(/went away|unexpected error/);
    expect(shown).toContain('LOAD BALANCING DEMO RESULTS SUMMARY');
    // Every request that completed succeeded: the gateway was not killed by the Ctrl-C.
    expect(shown).toMatch(/distribution\S*\s+\S*│\S*\s+\d+\s+\S*│\S*\s+100\.0%/);
    // The cursor comes back after the last time it was hidden.
    expect(shown.lastIndexOf('\x1b[?25h')).toBeGreaterThan(shown.lastIndexOf('\x1b[?25l'));
    // The gateway was lb-demo's child when Ctrl-C was typed; it is gone now.
    expect(result.children.length).toBeGreaterThan(0);
    for (const pid of result.children) expect(alive(pid), `child ${pid}`).toBe(false);
  });
});
