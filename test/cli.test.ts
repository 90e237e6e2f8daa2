// Bad input, through the CLI's own entry (src/cli.ts) in this process: a bad flag, variable or
// targets file ends the run before it starts, with exit status 2 and one line on stderr naming
// the input and what is wrong, nothing on stdout. test/e2e/hostile-input.test.ts runs a few of
// these through the real, built CLI. At the end, the `report` command's file option.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { expectUsageError, FAST_SIMS, scratchDir } from './e2e/helpers.js';

/** Provider URLs for runs against a fake gateway: settings need them, nothing ever calls them. */
const PROVIDERS = { OLLAMA_URL: 'http://127.0.0.1:9', VLLM_URL: 'http://127.0.0.1:9/v1' };

// ---------------------------------------------------------------------------------------------
// Files for the targets-file cases.

const FILES = scratchDir();
function file(name: string, content: string): string {
  const path = join(FILES, name);
  writeFileSync(path, content);
  return path;
}
const target = (extra: Record<string, unknown> = {}) => ({
  name: 'a',
  provider: 'openai',
  model: 'm',
  ...extra,
});
const json = (data: unknown) => JSON.stringify(data, null, 2);
const T = {
  dir: FILES,
  missing: join(FILES, 'no-such-file.json'),
  notJson: file('not-json.json', '[{"name": "a", "provider": "openai",\n  oops}]\n'),
  empty: file('empty.json', ''),
  object: file('object.json', json(target())),
  emptyArray: file('empty-array.json', '[]'),
  numbers: file('numbers.json', '[1, 2]'),
  noProvider: file('no-provider.json', json([{ name: 'a', model: 'm' }])),
  weightString: file('weight-string.json', json([target({ weight: '1' })])),
  weightNegative: file('weight-negative.json', json([target({ weight: -1 })])),
  weightsHuge: file(
    'weights-huge.json',
    '[{"name": "a", "provider": "openai", "model": "m", "weight": 1e308},\n' +
      ' {"name": "b", "provider": "openai", "model": "m", "weight": 1e308}]',
  ),
  weightsZero: file(
    'weights-zero.json',
    json([target({ weight: 0 }), target({ name: 'b', weight: 0 })]),
  ),
  duplicate: file('duplicate.json', json([target(), target({ name: ' a ' })])),
  unknownField: file('unknown-field.json', json([target({ wieght: 2 })])),
  badHost: file('bad-host.json', json([target({ custom_host: 'gateway:8080' })])),
  newlineName: file('newline-name.json', json([target({ name: 'a\nb' })])),
  keyNumber: file('key-number.json', json([target({ api_key: 1234567890123456 })])),
};
const NOT_A_DIR = file('plain-file', 'x');

// ---------------------------------------------------------------------------------------------
// The cases: input, how it is given, and the one line expected.

interface Case {
  label: string;
  args?: string[];
  env?: Record<string, string>;
  /** The whole line on stderr, without "lb-demo: " and the newline. */
  message: RegExp;
}

const COUNT_FLAGS = {
  '--requests': [1_000_000, ['', 'abc', '-1', '0', '1.5', 'NaN', '99999999999']],
  '--concurrency': [10_000, ['', 'abc', '-1', '99999']],
  '--workers': [128, ['', 'abc', '0', '1.5', '129']],
} as const;
const NUMBER_FLAGS = [
  '--rate',
  '--duration',
  '--timeout',
  '--stream-idle-timeout',
  '--max-p99',
  '--alpha',
] as const;

const cases: Case[] = [];
/** Labels without the scratch directory's random name. */
const short = (text: string) => text.split(FILES).join('<dir>');
const flag = (name: string, value: string, message: RegExp, env: Record<string, string> = {}) =>
  cases.push({
    label: short(`${name} ${JSON.stringify(value)}`),
    args: [name, value],
    env,
    message,
  });
const variable = (name: string, value: string, message: RegExp, env: Record<string, string> = {}) =>
  cases.push({
    label: short(`${name}=${JSON.stringify(value)}`),
    env: { [name]: value, ...env },
    message,
  });

for (const [name, [max, values]] of Object.entries(COUNT_FLAGS)) {
  for (const value of values) {
    const shown = /^\d+$/.test(value) ? value : JSON.stringify(value).replace(/[.]/g, '\\.');
    flag(
      name,
      value,
      new RegExp(`^${name}: expected a whole number from 1 to ${max}, got ${shown}$`),
    );
  }
}
for (const name of [...NUMBER_FLAGS, '--min-success-rate']) {
  for (const value of ['', 'abc']) {
    flag(name, value, new RegExp(`^${name}: expected a number, got ${JSON.stringify(value)}$`));
  }
  flag(name, '-1', new RegExp(`^${name}: must not be negative, got -1$`));
  flag(name, '1e12', new RegExp(`^${name}: must be at most \\d+, got 1e12$`));
}
// Number() reads these as NaN, 16 and Infinity; none is what anyone means by a number here.
flag('--duration', 'NaN', /^--duration: expected a number, got "NaN"$/);
flag('--alpha', 'NaN', /^--alpha: expected a number, got "NaN"$/);
flag('--rate', '0x10', /^--rate: expected a number, got "0x10"$/);
flag('--timeout', '1e999', /^--timeout: expected a number, got "1e999"$/);
for (const name of ['--rate', '--duration', '--timeout', '--stream-idle-timeout', '--max-p99']) {
  flag(name, '0', new RegExp(`^${name}: must be greater than 0, got 0$`));
}
flag(
  '--alpha',
  '0',
  /^--alpha: expected a significance level between 0 and 1 \(exclusive\), got 0$/,
);
flag(
  '--alpha',
  '1',
  /^--alpha: expected a significance level between 0 and 1 \(exclusive\), got 1$/,
);
flag('--min-success-rate', '101', /^--min-success-rate: must be at most 100, got 101$/);

for (const value of ['', 'abc', '0', '100001']) {
  const shown = /^\d+$/.test(value) ? value : JSON.stringify(value);
  cases.push({
    label: `--max-in-flight ${JSON.stringify(value)}`,
    args: ['--rate', '10', '--max-in-flight', value],
    message: new RegExp(
      `^--max-in-flight: expected a whole number from 1 to 100000, got ${shown}$`,
    ),
  });
}
cases.push({
  label: '--max-in-flight in a closed loop',
  args: ['--concurrency', '4', '--max-in-flight', '10'],
  message:
    /^--max-in-flight: only an open loop \(--rate\) can have more requests in flight than it sends; a closed loop keeps --concurrency in flight$/,
});
cases.push({
  label: '--workers above --concurrency',
  args: ['--concurrency', '2', '--workers', '3'],
  message:
    /^--workers 3: each worker keeps at least one request in flight, and --concurrency is 2; raise --concurrency or lower --workers$/,
});

cases.push({
  label: '--workers above --max-in-flight',
  args: ['--rate', '10', '--max-in-flight', '1', '--workers', '2'],
  message:
    /^--workers 2: each worker may keep at least one request in flight, and --max-in-flight is 1; raise --max-in-flight or lower --workers$/,
});

// commander checks the scenario's choices itself; its one line counts as well.
for (const value of ['', 'nope']) {
  flag(
    '--scenario',
    value,
    new RegExp(
      `^option '-s, --scenario <name>' argument '${value}' is invalid\\. Allowed choices are round-robin, weighted, distribution, .*\\.$`,
    ),
  );
}

flag('--weights', '', /^--weights: expected comma-separated weights, got ""$/);
flag('--weights', 'a,b', /^--weights \(weight 1\): expected a number, got "a"$/);
flag('--weights', 'NaN,1', /^--weights \(weight 1\): expected a number, got "NaN"$/);
flag('--weights', '-1,1', /^--weights \(weight 1\): must not be negative, got -1$/);
flag('--weights', '0,0', /^--weights: all weights are zero, so the gateway could pick no target$/);
flag('--weights', '1e308,1e308', /^--weights \(weight 1\): must be at most 1000000, got 1e308$/);
flag('--weights', '1,2,3', /^--weights: 3 weight\(s\) given for 2 target\(s\) \(ollama, vllm\)$/);

const F = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Every file case through --targets, the commonest through LB_TARGETS_FILE as well.
for (const [name, source] of [
  ['--targets', 'flag'],
  ['LB_TARGETS_FILE', 'variable'],
] as const) {
  const add = (path: string, message: string) => {
    const re = new RegExp(`^${name} ${F(path)}: ${message}$`);
    if (source === 'flag') flag(name, path, re, FAST_SIMS);
    else if ([T.missing, T.dir, T.notJson, T.duplicate].includes(path)) {
      variable(name, path, re, FAST_SIMS);
    }
  };
  add(T.missing, 'cannot read the file \\(no such file\\)');
  add(T.dir, 'cannot read the file \\(is a directory\\)');
  add(T.notJson, 'not valid JSON \\(Expected double-quoted property name at line 2, column 3\\)');
  add(T.empty, 'not valid JSON \\(Unexpected end of JSON input\\)');
  add(T.object, 'expected a JSON array of targets, got an object');
  add(T.emptyArray, 'the array of targets is empty');
  add(T.numbers, 'target 1: expected an object, got number 1');
  add(T.noProvider, 'target "a": "provider" must be a non-empty string, got nothing');
  add(T.weightString, 'target "a": weight must be a number, got the string "1"');
  add(T.weightNegative, 'target "a": weight: must not be negative, got -1');
  add(T.weightsHuge, 'target "a": weight: must be at most 1000000, got 1e\\+308');
  add(T.duplicate, 'target "a": the name is used twice; names must be unique');
  add(T.unknownField, 'target 1: unknown field "wieght" \\(allowed: name, provider, .*\\)');
  add(
    T.badHost,
    'target "a": custom_host: expected an http:// or https:// URL, got "gateway:8080"',
  );
  add(
    T.newlineName,
    'target 1: "name" must not contain control characters, got the string "a\\\\nb"',
  );
  add(T.keyNumber, 'target "a": "api_key" must be a non-empty string, got a value of type number');
}
cases.push({
  label: '--targets with every weight 0, for the weighted scenario',
  args: ['--scenario', 'weighted', '--targets', T.weightsZero],
  message: new RegExp(
    `^--targets ${F(T.weightsZero)}: all weights are zero, so the gateway could pick no target$`,
  ),
});
flag('--targets', '', /^--targets: expected a file path, got ""$/);

for (const [name, value, message] of [
  ['--gateway', '', /^--gateway: not a valid URL: ""$/],
  ['--gateway', 'not a url', /^--gateway: not a valid URL: "not a url"$/],
  [
    '--gateway',
    'ftp://gw:8787',
    /^--gateway: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/gw:8787\/"$/,
  ],
  [
    '--gateway',
    'localhost:8787',
    /^--gateway: expected an http:\/\/ or https:\/\/ URL, got "localhost:8787"$/,
  ],
  [
    '--gateway',
    'http://127.0.0.1:99999',
    /^--gateway: not a valid URL: "http:\/\/127\.0\.0\.1:99999"$/,
  ],
  [
    '--gateway',
    'http://127.0.0.1:0/v1',
    /^--gateway: port 0 cannot be connected to, got "http:\/\/127\.0\.0\.1:0\/v1"$/,
  ],
] as const) {
  flag(name, value, message, PROVIDERS);
}

flag('--out', '', /^--out: expected a file path, got ""$/);
flag('--report', '', /^--report: expected a file path, got ""$/);
flag('--report', FILES, new RegExp(`^--report ${F(FILES)}: is a directory$`));
flag(
  '--report',
  join(NOT_A_DIR, 'report.html'),
  new RegExp(
    `^--report ${F(join(NOT_A_DIR, 'report.html'))}: cannot write into ${F(NOT_A_DIR)} \\(missing or not writable\\)$`,
  ),
);
flag('--out', FILES, new RegExp(`^--out ${F(FILES)}: is a directory$`));
flag(
  '--out',
  join(FILES, 'missing-dir', 'out.json'),
  new RegExp(
    `^--out ${F(join(FILES, 'missing-dir', 'out.json'))}: cannot write into ${F(join(FILES, 'missing-dir'))} \\(missing or not writable\\)$`,
  ),
);
flag(
  '--out',
  join(NOT_A_DIR, 'out.json'),
  new RegExp(
    `^--out ${F(join(NOT_A_DIR, 'out.json'))}: cannot write into ${F(NOT_A_DIR)} \\(missing or not writable\\)$`,
  ),
);

for (const [name, value, message] of [
  [
    '--fault',
    '',
    /^--fault: expected TARGET:FAULT\[,FAULT\.\.\.\] such as vllm:error_rate=0\.2,error_status=503, got ""$/,
  ],
  ['--fault', 'vllm', /^--fault: expected TARGET:FAULT\[,FAULT\.\.\.\] .*, got "vllm"$/],
  ['--fault', 'vllm:', /^--fault: no fault given for "vllm" \(use error_rate, .*\)$/],
  ['--fault', 'nope:outage', /^--fault: no target named "nope" \(targets: ollama, vllm\)$/],
  ['--fault', 'vllm:error_rate=2', /^--fault \(vllm\): error_rate: must be at most 1, got 2$/],
  [
    '--fault',
    'vllm:error_rate=0.1=0.2',
    /^--fault \(vllm\): error_rate: expected a number, got "0\.1=0\.2"$/,
  ],
  [
    '--fault',
    'vllm:error_status=404',
    /^--fault \(vllm\): error_status: expected one of 429, 500, 502, 503, 504, got "404"$/,
  ],
  [
    '--fault',
    'vllm:error_status=0x1f4',
    /^--fault \(vllm\): error_status: expected one of .*, got "0x1f4"$/,
  ],
  ['--fault', 'vllm:spike_ms=-5', /^--fault \(vllm\): spike_ms: must not be negative, got -5$/],
  [
    '--fault',
    'vllm:outage=maybe',
    /^--fault \(vllm\): outage: expected true or false, got "maybe"$/,
  ],
  ['--fault', 'vllm:explode', /^--fault \(vllm\): unknown fault "explode" \(use error_rate, .*\)$/],
  ['--fault', 'a\nb:outage', /^--fault: no target named "a\\nb" \(targets: ollama, vllm\)$/],
] as const) {
  flag(name, value, message);
}

// A flag given last, without its value: commander's line.
for (const [name, long] of [
  ['--scenario', '-s, --scenario <name>'],
  ['--requests', '-n, --requests <n>'],
  ['--weights', '-w, --weights <list>'],
  ['--targets', '-t, --targets <file>'],
  ['--gateway', '-g, --gateway <url>'],
  ['--alpha', '--alpha <a>'],
  ['--out', '-o, --out <file>'],
  ['--report', '--report <file.html>'],
  ['--min-success-rate', '--min-success-rate <pct>'],
  ['--max-p99', '--max-p99 <ms>'],
  ['--concurrency', '-c, --concurrency <n>'],
  ['--rate', '-r, --rate <r>'],
  ['--duration', '-d, --duration <s>'],
  ['--timeout', '--timeout <ms>'],
  ['--stream-idle-timeout', '--stream-idle-timeout <ms>'],
  ['--fault', '--fault <spec>'],
] as const) {
  cases.push({
    label: `${name} without its value`,
    args: ['--json', name],
    message: new RegExp(`^option '${F(long)}' argument missing$`),
  });
}

// Either/or flags: commander's own .conflicts(), one line.
cases.push(
  {
    label: '--requests with --duration',
    args: ['--requests', '5', '--duration', '1'],
    message: /^option '-n, --requests <n>' cannot be used with option '-d, --duration <s>'$/,
  },
  {
    label: '--rate with --concurrency',
    args: ['--rate', '2', '--concurrency', '2'],
    message: /^option '-r, --rate <r>' cannot be used with option '-c, --concurrency <n>'$/,
  },
);

// Variables. Empty ones mean "unset" (see the run below); these are the bad values.
const gatewayEnv = { GATEWAY_URL: 'http://127.0.0.1:9/v1', ...PROVIDERS };
for (const [name, value, message, env] of [
  ['GATEWAY_URL', 'nope', /^GATEWAY_URL: not a valid URL: "nope"$/, PROVIDERS],
  [
    'GATEWAY_URL',
    'ftp://gw',
    /^GATEWAY_URL: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/gw\/"$/,
    PROVIDERS,
  ],
  [
    'GATEWAY_URL',
    'http://127.0.0.1:0',
    /^GATEWAY_URL: port 0 cannot be connected to, got .*$/,
    PROVIDERS,
  ],
  ['OLLAMA_URL', 'nope', /^OLLAMA_URL: not a valid URL: "nope"$/, {}],
  [
    'OLLAMA_URL',
    'localhost:11434',
    /^OLLAMA_URL: expected an http:\/\/ or https:\/\/ URL, got "localhost:11434"$/,
    {},
  ],
  ['VLLM_URL', 'http//vllm:8000/v1', /^VLLM_URL: not a valid URL: "http\/\/vllm:8000\/v1"$/, {}],
  [
    'VLLM_URL',
    'file:///etc/passwd',
    /^VLLM_URL: expected an http:\/\/ or https:\/\/ URL, got "file:\/\/\/etc\/passwd"$/,
    {},
  ],
  [
    'OLLAMA_MODEL',
    'llama\n3',
    /^OLLAMA_MODEL: character 6 cannot be sent in an HTTP header \(.*\)$/,
    {},
  ],
  ['VLLM_MODEL', 'модель', /^VLLM_MODEL: character 1 cannot be sent in an HTTP header \(.*\)$/, {}],
  [
    'VLLM_API_KEY',
    'sk-ab\ncd',
    /^VLLM_API_KEY: character 6 cannot be sent in an HTTP header \(.*\)$/,
    {},
  ],
  [
    'PORTKEY_API_KEY',
    'pk-ab\rcd',
    /^PORTKEY_API_KEY: character 6 cannot be sent in an HTTP header \(.*\)$/,
    gatewayEnv,
  ],
  ['LB_WEIGHTS', 'x', /^LB_WEIGHTS \(weight 1\): expected a number, got "x"$/, {}],
  [
    'LB_WEIGHTS',
    '0,0',
    /^LB_WEIGHTS: all weights are zero, so the gateway could pick no target$/,
    {},
  ],
  [
    'LB_WEIGHTS',
    '1e308,1e308',
    /^LB_WEIGHTS \(weight 1\): must be at most 1000000, got 1e308$/,
    {},
  ],
  ['LB_WEIGHTS', '1', /^LB_WEIGHTS: 1 weight\(s\) given for 2 target\(s\) \(ollama, vllm\)$/, {}],
  ['LB_FAULTS', 'abc', /^LB_FAULTS: expected TARGET:FAULT\[,FAULT\.\.\.\] .*, got "abc"$/, {}],
  [
    'LB_FAULTS',
    'vllm:outage;nope:outage',
    /^LB_FAULTS: no target named "nope" \(targets: ollama, vllm\)$/,
    {},
  ],
  [
    'LB_FAULTS',
    'vllm:error_rate=1.5',
    /^LB_FAULTS \(vllm\): error_rate: must be at most 1, got 1\.5$/,
    {},
  ],
] as const) {
  variable(name, value, message, env);
}
for (const [name, values] of [
  ['SIM_OLLAMA_LATENCY_MS', ['abc', 'NaN']],
  ['SIM_VLLM_LATENCY_MS', ['0x10', '5ms']],
] as const) {
  for (const value of values) {
    variable(name, value, new RegExp(`^${name}: expected a number, got ${JSON.stringify(value)}$`));
  }
  variable(name, '-1', new RegExp(`^${name}: must not be negative, got -1$`));
  variable(name, '1e9', new RegExp(`^${name}: must be at most 600000, got 1e9$`));
}

/** Runs the CLI's main() in this process with captured streams. */
async function runMain(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'lb-demo', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
  });
  return { code, stdout, stderr };
}

describe.concurrent('bad input: exit status 2 and one line naming the input', () => {
  it.for(cases)('$label', async ({ label, args = [], env = {}, message }) => {
    // --duration excludes --requests: its cases go without it.
    const count = args.includes('--duration') ? [] : ['--requests', '1'];
    const result = await runMain(['--scenario', 'weighted', ...count, ...args], {
      ...FAST_SIMS,
      ...env,
    });
    expectUsageError(result, message, label);
  });
});

// `lb-demo report`: -o, --out like the run; --output, its old name, still works but is not listed.
describe('lb-demo report <results> -o, --out <file>', () => {
  const results = fileURLToPath(new URL('fixtures/results.json', import.meta.url));
  const page = (name: string) => join(scratchDir(), name);

  it.for([['-o'], ['--out'], ['--output']])('writes the page with %s', async ([flag]) => {
    const html = page('run.html');
    const result = await runMain(['report', results, flag as string, html], {});
    expect(result).toEqual({ code: 0, stdout: `HTML report written to ${html}\n`, stderr: '' });
    expect(readFileSync(html, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  });

  it('lists -o, --out in its help, and not --output', async () => {
    const result = await runMain(['report', '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}-o, --out <file> {2}the HTML file to write/m);
    expect(result.stdout).not.toContain('--output');
  });

  it('names the flag that was given when the file cannot be written: one line, exit 4', async () => {
    const missing = join(scratchDir(), 'no-such-dir', 'run.html');
    for (const flag of ['--out', '--output']) {
      const result = await runMain(['report', results, flag, missing], {});
      expect(result.stdout, flag).toBe('');
      expect(result.stderr, flag).toMatch(
        new RegExp(`^lb-demo: ${flag} ${F(missing)}: cannot write the file \\(ENOENT\\)\n$`),
      );
      expect(result.code, flag).toBe(4);
    }
  });

  it('asks for --out when no file is given, and takes one name only', async () => {
    expectUsageError(
      await runMain(['report', results], {}),
      /^required option '-o, --out <file>' not specified$/,
      'no file',
    );
    expectUsageError(
      await runMain(['report', results, '--out', page('a.html'), '--output', page('b.html')], {}),
      /^option '--output <file>' cannot be used with option '-o, --out <file>'$/,
      'both names',
    );
  });
});
