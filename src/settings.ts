// Flags, .env and the targets file, parsed once into typed settings. Inner code trusts these types.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { GateSettings } from './checks.js';
import { UsageError } from './errors.js';
import { parseFaultSpec } from './faults.js';
import type { SimulationSettings } from './local/stack.js';
import {
  RESILIENCE_SCENARIOS,
  SCENARIO_CHOICES,
  SCENARIO_NAMES,
  type ScenarioName,
  SEED_SCENARIOS,
} from './scenarios.js';
import { defaultTargets, type Env, readTargetsFile, type TargetInput } from './targets.js';
import {
  checkHeaderSafe,
  checkHttpUrl,
  maskUrl,
  parseCount,
  parseNonNegativeNumber,
  parseWeightList,
  printable,
} from './validate.js';

/**
 * Latency of the simulated providers. The seed measured Ollama at ~20 s and vLLM (FP8) at ~1 s;
 * the simulation keeps that 20:1 ratio, scaled down so a full run takes seconds.
 */
export const DEFAULT_SIM_LATENCY_MS = { ollama: 300, openai: 15 } as const;

/** Client-side limit on one request unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Longest --timeout, and so the largest p99 a request can show: --max-p99 above it checks nothing. */
const MAX_TIMEOUT_MS = 3_600_000;

/** Options as commander hands them over: raw strings, not yet trusted. */
export interface RawOptions {
  scenario?: string;
  requests?: string;
  weights?: string;
  targets?: string;
  gateway?: string;
  json?: boolean;
  alpha?: string;
  out?: string;
  report?: string;
  failOnSkew?: boolean;
  minSuccessRate?: string;
  maxP99?: string;
  concurrency?: string;
  rate?: string;
  duration?: string;
  stream?: boolean;
  timeout?: string;
  fault?: string[];
}

export interface Settings {
  scenarios: ScenarioName[];
  /** Overrides every scenario's request count. */
  requests: number | undefined;
  /** Raw weights for the weighted scenario, when given by --weights or LB_WEIGHTS. */
  weights: number[] | undefined;
  targets: TargetInput[];
  /** Undefined: start the embedded gateway. */
  gateway: GatewaySettings | undefined;
  simulation: SimulationSettings;
  json: boolean;
  /** The gateway URL as given (it may hold credentials): only for finding secrets to mask. */
  rawGatewayUrl: string | undefined;
  /** Significance level of the verdict on the split. */
  alpha: number;
  /** Also write the JSON document to this file. */
  out: string | undefined;
  /** Also write the HTML report to this file. */
  report: string | undefined;
  gate: GateSettings;
  load: LoadSettings;
}

export interface GatewaySettings {
  /** Base URL without credentials (fetch refuses URLs that carry them). */
  url: string;
  apiKey?: string;
  /** From credentials in the URL: sent as a Basic authorization header instead. */
  authorization?: string;
}

export interface LoadSettings {
  /** Closed loop: requests in flight at once. */
  concurrency: number;
  /** Open loop: requests per second (Poisson arrivals); replaces the closed loop. */
  rate?: number;
  /** Send for this long instead of a request count. */
  durationMs?: number;
  stream: boolean;
  /** Client-side limit on each request, in ms. */
  timeoutMs: number;
}

export function resolveSettings(options: RawOptions, env: Env): Settings {
  const scenarios = parseScenario(options.scenario ?? 'all');
  const requests =
    options.requests !== undefined ? parseCount(options.requests, '--requests') : undefined;
  const load = parseLoad(options);
  if (requests !== undefined && load.durationMs !== undefined) {
    throw new UsageError('--requests and --duration: give one or the other (a count or a time)');
  }

  const gatewayRaw = options.gateway ?? nonEmpty(env.GATEWAY_URL);
  const gatewaySource = options.gateway !== undefined ? '--gateway' : 'GATEWAY_URL';
  const apiKey = nonEmpty(env.PORTKEY_API_KEY);
  const gateway =
    gatewayRaw === undefined
      ? undefined
      : gatewaySettings(
          checkHttpUrl(gatewayRaw, gatewaySource),
          apiKey === undefined ? undefined : checkHeaderSafe(apiKey, 'PORTKEY_API_KEY'),
        );

  if (options.targets !== undefined && options.targets.trim() === '') {
    throw new UsageError(`--targets: expected a file path, got ${JSON.stringify(options.targets)}`);
  }
  const targetsFile = options.targets ?? nonEmpty(env.LB_TARGETS_FILE);
  const targetsSource = options.targets !== undefined ? '--targets' : 'LB_TARGETS_FILE';
  const targets =
    targetsFile !== undefined ? readTargetsFile(targetsFile, targetsSource) : defaultTargets(env);
  if (gateway) {
    const missing = targets.find((t) => t.customHost === undefined);
    if (missing) {
      const where =
        targetsFile !== undefined
          ? `target "${missing.name}" in ${printable(targetsFile)} has no custom_host`
          : `${missing.name === 'ollama' ? 'OLLAMA_URL' : 'VLLM_URL'} is not set`;
      throw new UsageError(
        `${where}: with a gateway of your own (${gatewaySource}), every target needs the URL the gateway should call`,
      );
    }
  }

  applyFaults(targets, options.fault ?? [], nonEmpty(env.LB_FAULTS), gateway !== undefined);

  const weightsRaw = options.weights ?? nonEmpty(env.LB_WEIGHTS);
  const weightsSource = options.weights !== undefined ? '--weights' : 'LB_WEIGHTS';
  const weights = weightsRaw !== undefined ? parseWeightList(weightsRaw, weightsSource) : undefined;
  const allZero = targets.every((t) => (t.weight ?? 1) === 0);
  if (targetsFile !== undefined && !weights && scenarios.includes('weighted') && allZero) {
    throw new UsageError(
      `${targetsSource} ${printable(targetsFile)}: all weights are zero, so the gateway could pick no target`,
    );
  }
  if (weights && weights.length !== targets.length && scenarios.includes('weighted')) {
    throw new UsageError(
      `${weightsSource}: ${weights.length} weight(s) given for ${targets.length} target(s) (${targets
        .map((t) => t.name)
        .join(', ')})`,
    );
  }

  return {
    scenarios,
    requests,
    weights,
    targets,
    gateway,
    simulation: {
      ollamaLatencyMs: latency(env, 'SIM_OLLAMA_LATENCY_MS', DEFAULT_SIM_LATENCY_MS.ollama),
      openaiLatencyMs: latency(env, 'SIM_VLLM_LATENCY_MS', DEFAULT_SIM_LATENCY_MS.openai),
    },
    json: options.json === true,
    rawGatewayUrl: gatewayRaw,
    alpha: options.alpha === undefined ? 0.05 : parseAlpha(options.alpha),
    out: options.out === undefined ? undefined : checkOutPath(options.out, '--out'),
    report: options.report === undefined ? undefined : checkOutPath(options.report, '--report'),
    load,
    gate: {
      failOnSkew: options.failOnSkew === true,
      ...(options.minSuccessRate !== undefined
        ? {
            minSuccessRatePct: parseNonNegativeNumber(
              options.minSuccessRate,
              '--min-success-rate',
              100,
            ),
          }
        : {}),
      ...(options.maxP99 !== undefined
        ? { maxP99Ms: parsePositiveNumber(options.maxP99, '--max-p99', MAX_TIMEOUT_MS) }
        : {}),
    },
  };
}

/** Faults from LB_FAULTS, then --fault (later ones win), onto targets that are simulated. */
function applyFaults(
  targets: TargetInput[],
  flags: readonly string[],
  envSpecs: string | undefined,
  ownGateway: boolean,
): void {
  const specs = [
    ...(envSpecs ?? '')
      .split(';')
      .filter((spec) => spec.trim() !== '')
      .map((spec) => ({ spec, input: 'LB_FAULTS' })),
    ...flags.map((spec) => ({ spec, input: '--fault' })),
  ];
  for (const { spec, input } of specs) {
    const { target: name, faults } = parseFaultSpec(spec, input);
    const target = targets.find((t) => t.name === name);
    if (!target) {
      throw new UsageError(
        `${input}: no target named ${JSON.stringify(name)} (targets: ${targets.map((t) => t.name).join(', ')})`,
      );
    }
    target.faults = { ...target.faults, ...faults };
  }
  const real = targets.find((t) => t.faults && (t.customHost !== undefined || ownGateway));
  if (real) {
    throw new UsageError(
      `faults for "${real.name}": faults can only be injected into lb-demo's own simulated providers, not into ${real.customHost ? maskUrl(real.customHost) : 'a provider behind your gateway'}`,
    );
  }
}

function parseLoad(options: RawOptions): LoadSettings {
  if (options.rate !== undefined && options.concurrency !== undefined) {
    throw new UsageError(
      '--rate and --concurrency: give one or the other (an open loop at a rate, or a closed loop of n in flight)',
    );
  }
  const load: LoadSettings = {
    concurrency:
      options.concurrency === undefined
        ? 1
        : parseCount(options.concurrency, '--concurrency', 10_000),
    stream: options.stream === true,
    timeoutMs:
      options.timeout === undefined
        ? DEFAULT_TIMEOUT_MS
        : parsePositiveNumber(options.timeout, '--timeout', MAX_TIMEOUT_MS),
  };
  if (options.rate !== undefined) load.rate = parsePositiveNumber(options.rate, '--rate', 100_000);
  if (options.duration !== undefined) {
    load.durationMs = parsePositiveNumber(options.duration, '--duration', 86_400) * 1000;
  }
  return load;
}

function parseAlpha(raw: string): number {
  const alpha = parseNonNegativeNumber(raw, '--alpha', 1);
  if (alpha === 0 || alpha === 1) {
    throw new UsageError(
      `--alpha: expected a significance level between 0 and 1 (exclusive), got ${raw.trim()}`,
    );
  }
  return alpha;
}

function parsePositiveNumber(raw: string, input: string, max?: number): number {
  const value = parseNonNegativeNumber(raw, input, max);
  if (value === 0) throw new UsageError(`${input}: must be greater than 0, got ${raw.trim()}`);
  return value;
}

/** Fails before the run, not after it, when the results could not be written. */
function checkOutPath(raw: string, input: string): string {
  const path = raw.trim();
  if (path === '') throw new UsageError(`${input}: expected a file path, got ""`);
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(
      `${input} ${printable(path)}: cannot write into ${printable(dir)} (missing or not writable)`,
    );
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UsageError(`${input} ${printable(path)}: is a directory`);
  }
  return path;
}

/** Variables from ./.env, if there is one; the real environment wins over the file. */
export function loadEnv(processEnv: Env, path = '.env'): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return processEnv;
    const why =
      code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
    throw new UsageError(`${printable(path)}: cannot read the file (${printable(why)})`);
  }
  return { ...parseEnv(text), ...processEnv };
}

function parseScenario(raw: string): ScenarioName[] {
  const name = raw.trim();
  if (name === 'all') return [...SEED_SCENARIOS];
  if (name === 'resilience') return [...RESILIENCE_SCENARIOS];
  if ((SCENARIO_NAMES as readonly string[]).includes(name)) return [name as ScenarioName];
  throw new UsageError(
    `--scenario: unknown scenario ${JSON.stringify(raw)} (choose from ${SCENARIO_CHOICES.join(', ')})`,
  );
}

/**
 * http://host:8787 and http://host:8787/v1 both mean the gateway's /v1 API. A user:password in
 * the URL (a gateway behind basic auth) becomes an Authorization header.
 */
function gatewaySettings(raw: string, apiKey: string | undefined): GatewaySettings {
  const url = new URL(raw);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const base = url.href.replace(/\/+$/, '');
  return {
    url: url.pathname === '/' ? `${base}/v1` : base,
    ...(apiKey ? { apiKey } : {}),
    ...(user || password
      ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
      : {}),
  };
}

/**
 * Every secret the settings hold, for the redactor: keys, URL passwords, auth headers. A URL's
 * user name is not treated as one: masking every "alice" in the output would garble it.
 */
export function secretsOf(settings: Settings, env: Env): string[] {
  const secrets = [
    settings.gateway?.apiKey,
    settings.gateway?.authorization,
    settings.gateway?.authorization?.replace(/^Basic /, ''),
    env.PORTKEY_API_KEY,
    ...settings.targets.map((t) => t.apiKey),
  ];
  for (const raw of [
    env.GATEWAY_URL,
    settings.rawGatewayUrl,
    ...settings.targets.map((t) => t.customHost),
  ]) {
    try {
      const url = new URL(raw ?? '');
      secrets.push(decodeURIComponent(url.password));
    } catch {
      // not a URL: nothing to take
    }
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s !== '');
}

function latency(env: Env, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  return raw === undefined ? fallback : parseNonNegativeNumber(raw, name, 600_000);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
