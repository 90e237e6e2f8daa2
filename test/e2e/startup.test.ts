// --help must answer without loading the SDK or starting anything.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, scratchDir } from './helpers.js';

/** Prints, on stderr, every module specifier the program resolves that names these packages. */
const TRACE_LOADS = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (/portkey-ai|@portkey-ai\\\\/gateway|cli-table3|\\\\/stats\\\\//.test(specifier)) process.stderr.write('LOADED ' + specifier + '\\\\n');
  return next(specifier, context);
}\`));
`)}`;

function run(args: string[]) {
  return spawnSync(process.execPath, [`--import=${TRACE_LOADS}`, BIN, ...args], {
    cwd: scratchDir(),
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      SIM_OLLAMA_LATENCY_MS: '1',
      SIM_VLLM_LATENCY_MS: '1',
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('start-up', () => {
  it('--help loads neither the SDK nor the gateway nor the statistics', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Usage: lb-demo/);
    expect(result.stderr).not.toMatch(/LOADED/);
  });

  it('the tracer does see the SDK being loaded by a real run', () => {
    const result = run(['--scenario', 'round-robin', '--requests', '1', '--json']);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/LOADED portkey-ai/);
  });
});
