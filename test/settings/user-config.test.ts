// Bad input around --config, through the CLI's own entry in this process: exit status 2 and one
// line naming the input, nothing on stdout, before any gateway starts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { main } from '../../src/cli.js';
import { expectUsageError, FAST_SIMS, scratchDir } from '../e2e/helpers.js';

const DIR = scratchDir();
const file = (name: string, content: unknown) => {
  const path = join(DIR, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const GOOD = file('good.json', {
  strategy: {
    mode: 'conditional',
    conditions: [{ query: { 'metadata.plan': 'paid' }, then: 'paid' }],
    default: 'free',
  },
  targets: [
    { name: 'paid', provider: 'openai', api_key: 'k' },
    { name: 'free', provider: 'ollama' },
  ],
});

const cases: { label: string; args: string[]; message: RegExp }[] = [
  {
    label: 'not JSON',
    args: ['--config', file('bad.json', '{"strategy": ')],
    message: /^--config .*bad\.json: not valid JSON/,
  },
  {
    label: 'an array',
    args: ['--config', file('array.json', [])],
    message: /^--config .*array\.json: expected a Portkey config object, got an array$/,
  },
  {
    label: 'a mode the gateway refuses',
    args: ['--config', file('mode.json', { strategy: { mode: 'random' }, targets: [{}] })],
    message:
      /^--config .*mode\.json: config\.strategy\.mode: expected one of single, loadbalance, fallback, conditional, got the string "random"$/,
  },
  {
    label: 'a weight that is a string',
    args: [
      '--config',
      file('weight.json', {
        strategy: { mode: 'loadbalance' },
        targets: [{ provider: 'openai', api_key: 'k', weight: '2' }],
      }),
    ],
    message: /config\.targets\[0\]\.weight: expected a number, got the string "2"$/,
  },
  {
    label: '--config with --scenario',
    args: ['--config', GOOD, '--scenario', 'weighted'],
    message: /^option '--config <file>' cannot be used with option '-s, --scenario <name>'$/,
  },
  {
    label: '--case without --config',
    args: ['--case', '{}'],
    message: /^--case: only for a config of your own \(--config FILE\)$/,
  },
  {
    label: '--case with an unknown key',
    args: ['--config', GOOD, '--case', '{"meta": {}}'],
    message: /^--case #1: unknown key "meta" \(a case has label, metadata, params, expect\)$/,
  },
  {
    label: '--case expecting a name the tree lacks',
    args: ['--config', GOOD, '--case', '{"metadata": {"plan": "paid"}, "expect": "gold"}'],
    message:
      /^case "metadata\.plan = \\"paid\\"": expect "gold" names no target of .* \(names: paid, free\)$/,
  },
  {
    label: '--case setting stream',
    args: ['--config', GOOD, '--case', '{"params": {"stream": true}}'],
    message: /^--case #1: params\.stream: lb-demo sets it itself$/,
  },
  {
    label: '--metadata that is not an object',
    args: ['--config', GOOD, '--metadata', '[1]'],
    message: /^--metadata: metadata: expected an object, got an array/,
  },
  {
    label: '--fault on a leaf that is not there',
    args: ['--config', GOOD, '--fault', 'config.targets[5]:outage'],
    message: /^--fault: no target named "config\.targets\[5\]"/,
  },
];

describe.concurrent('--config: bad input is one line and exit status 2', () => {
  it.for(cases)('$label', async ({ label, args, message }) => {
    let stdout = '';
    let stderr = '';
    const code = await main(['node', 'lb-demo', '-n', '1', ...args], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: FAST_SIMS,
    });
    expectUsageError({ code, stdout, stderr }, message, label);
  });
});
