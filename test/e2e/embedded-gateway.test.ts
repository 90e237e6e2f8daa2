// lb-demo's own gateway lives in a process group of its own, so a Ctrl-C reaches lb-demo alone,
// which then stops it; and it is stopped whatever happens, even when it fails to start.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../src/local/gateway.js';
import {
  alive,
  BIN,
  childPids,
  FAST_SIMS,
  isListening,
  listeningPorts,
  scratchDir,
} from './helpers.js';

/** Polls until lb-demo (`pid`) has its gateway child listening: that child's pid and port. */
async function embeddedGateway(pid: number): Promise<{ gatewayPid: number; port: number }> {
  for (let i = 0; i < 150; i++) {
    const [gatewayPid] = childPids(pid);
    const [port] = gatewayPid ? listeningPorts([gatewayPid]) : [];
    if (gatewayPid && port) return { gatewayPid, port };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`lb-demo (pid ${pid}) started no gateway`);
}

function processGroup(pid: number): number {
  return Number(spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).stdout);
}

describe('a gateway that fails to start', () => {
  it('is killed before startGateway gives up, not left behind', async () => {
    const before = childPids(process.pid);
    await expect(startGateway({ startTimeoutMs: 1 })).rejects.toThrow(
      /the embedded Portkey gateway did not start within 1 ms/,
    );
    // (childPids lists its own `ps` too, gone by the time it returns.)
    const left = childPids(process.pid).filter((pid) => !before.includes(pid) && alive(pid));
    expect(left).toEqual([]);
  });
});

describe('lb-demo on the embedded default', () => {
  it('Ctrl-C (SIGINT to the foreground process group) reaches lb-demo alone, which stops the gateway', async () => {
    // detached: lb-demo leads a process group of its own, as a job a shell runs in a terminal.
    const child = spawn(
      process.execPath,
      [BIN, '--scenario', 'distribution', '--requests', '5000', '--concurrency', '2', '--json'],
      {
        cwd: scratchDir(),
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...FAST_SIMS },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const closed = new Promise((resolve) => child.on('close', resolve));
    const pid = child.pid ?? -1;
    const { gatewayPid, port } = await embeddedGateway(pid);
    expect(processGroup(gatewayPid)).not.toBe(processGroup(pid));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // requests flowing
    process.kill(-pid, 'SIGINT'); // what the terminal does on Ctrl-C
    expect(await closed).toBe(130);
    expect(stderr).toMatch(/SIGINT: finishing the requests in flight/);
    expect(stderr).not.toMatch(/went away/);
    const [s] = JSON.parse(stdout).scenarios;
    expect(s.interrupted).toBe(true);
    expect(s.requests).toBeGreaterThan(0);
    expect(s.succeeded).toBe(s.requests); // the gateway answered until lb-demo stopped it
    expect(alive(gatewayPid)).toBe(false);
    expect(await isListening(port)).toBe(false);
  });
});
