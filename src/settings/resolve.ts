// Flags, .env and the targets file, parsed once into typed settings. Inner code trusts these types.
import { UsageError } from '../errors.js';
import { maskUrl, urlPasswords } from '../io/redact.js';
import { printable } from '../io/text.js';
import type {
  Deployment,
  Env,
  GateSettings,
  GatewayConnection,
  ScenarioName,
  Settings,
  TargetInput,
  TargetSpec,
  Weights,
} from '../model/input.js';
import {
  DRILL_SCENARIOS,
  RESILIENCE_SCENARIOS,
  SCENARIO_NAMES,
  SEED_SCENARIOS,
  totalRequests,
} from '../scenarios.js';
import { normalizeWeights } from '../weights.js';
import { parseFaultSpec } from './faults.js';
import { type LoadOptions, MAX_TIMEOUT_MS, parseLoad } from './load.js';
import { checkDistinctFiles, checkOutPath } from './outputs.js';
import {
  fingerprint,
  parseShard,
  type RawShardOptions,
  shardLoad,
  sharedPart,
  splitTotal,
} from './shard.js';
import { defaultTargets, readTargetsFile } from './targets.js';
import { configSecrets, leafTargets, userConfigOption } from './user-config.js';
import {
  checkHeaderSafe,
  checkHttpUrl,
  nonEmpty,
  parseCount,
  parseNonNegativeNumber,
  parsePositiveNumber,
  parseWeightList,
} from './values.js';

/**
 * Latency of the simulated providers. The seed measured Ollama at ~20 s and vLLM (FP8) at ~1 s;
 * the simulation keeps that 20:1 ratio, scaled down so a full run takes seconds.
 */
const DEFAULT_SIM_LATENCY_MS = { ollama: 300, openai: 15 } as const;

/** Options as commander hands them over: raw strings, not yet trusted. */
export interface RawOptions extends LoadOptions, RawShardOptions {
  scenario?: string;
  requests?: string;
  weights?: string;
  targets?: string;
  gateway?: string;
  json?: boolean;
  alpha?: string;
  out?: string;
  report?: string;
  records?: string;
  failOnSkew?: boolean;
  minSuccessRate?: string;
  maxP99?: string;
  fault?: string[];
  config?: string;
  case?: string[];
  cases?: string;
  metadata?: string;
  ignoreLint?: boolean;
}

/** An input's value and the name to give it in messages (the flag, or else the variable). */
interface Sourced {
  value: string | undefined;
  source: string;
}

function sourced(flag: string | undefined, flagName: string, env: Env, variable: string): Sourced {
  return flag !== undefined
    ? { value: flag, source: flagName }
    : { value: nonEmpty(env[variable]), source: variable };
}

export function resolveSettings(options: RawOptions, env: Env): Settings {
  const requests =
    options.requests !== undefined ? parseCount(options.requests, '--requests') : undefined;
  const gatewayUrl = sourced(options.gateway, '--gateway', env, 'GATEWAY_URL');
  const gateway = gatewayConnection(gatewayUrl, env);
  const configFile = sourced(options.config, '--config', env, 'LB_CONFIG_FILE');
  const userConfig = userConfigOption(options, configFile);
  // A config of the user's own is the run: its leaves are the targets, and no scenario of ours.
  const targetsFile = userConfig
    ? { value: undefined, source: 'LB_TARGETS_FILE' }
    : targetsFileOption(options, env);
  const scenarios: ScenarioName[] = userConfig
    ? ['config']
    : parseScenario(options.scenario ?? 'all');
  const targets = userConfig
    ? leafTargets(userConfig, gateway !== undefined)
    : targetsFile.value !== undefined
      ? readTargetsFile(targetsFile.value, targetsFile.source)
      : defaultTargets(env);
  const aliases = new Map(userConfig?.tree.leaves.map((leaf) => [leaf.path, leaf.name]));
  applyFaults(
    targets,
    options.fault ?? [],
    nonEmpty(env.LB_FAULTS),
    gateway !== undefined,
    aliases,
  );

  const out = options.out === undefined ? undefined : checkOutPath(options.out, '--out');
  const report =
    options.report === undefined ? undefined : checkOutPath(options.report, '--report');
  const records =
    options.records === undefined ? undefined : checkOutPath(options.records, '--records');
  checkDistinctFiles(
    [
      { input: '--out', path: out },
      { input: '--report', path: report },
      { input: '--records', path: records },
    ],
    [
      { input: `the targets file (${targetsFile.source})`, path: targetsFile.value },
      { input: `the config file (${configFile.source})`, path: configFile.value },
      { input: 'the .env file', path: '.env' },
    ],
  );
  const totalLoad = parseLoad(options, gateway === undefined);
  const shard = parseShard(options, env);
  const load = shard ? shardLoad(totalLoad, shard, options.concurrency !== undefined) : totalLoad;
  const urls = [env.GATEWAY_URL, options.gateway, env.OLLAMA_URL, env.VLLM_URL];
  const settings: Settings = {
    scenarios,
    requests,
    weights: weightedSplit(options, env, scenarios, targets, targetsFile),
    deployment: userConfig
      ? configDeployment(gateway, targets, env)
      : deployment(gateway, gatewayUrl.source, targets, targetsFile, env),
    json: options.json === true,
    alpha: options.alpha === undefined ? 0.05 : parseAlpha(options.alpha),
    out,
    report,
    ...(records !== undefined ? { records } : {}),
    load,
    gate: parseGate(options),
    secrets: [
      ...secretsOf(gateway, targets, urls, env),
      ...(userConfig ? configSecrets(userConfig.data) : []),
    ],
    ...(userConfig ? { userConfig } : {}),
    ignoreLint: options.ignoreLint === true,
  };
  if (shard) {
    if (userConfig) {
      // The tree's per-node counts and tests are not merged across shards (yet): refused rather
      // than merged wrong.
      throw new UsageError(
        `${configFile.source}: a config run cannot be sharded yet; run it in one process (--workers for more load)`,
      );
    }
    const drills = scenarios.filter(
      (name) => !(SEED_SCENARIOS as readonly string[]).includes(name),
    );
    if (drills.length > 0) {
      // They inject faults into lb-demo's own simulators and measure each retry's timing: a
      // drill, not a load, and their retry schedules do not merge.
      throw new UsageError(
        `--scenario ${drills.join(', ')}: a resilience scenario or drill cannot be sharded; shard round-robin, weighted or distribution`,
      );
    }
    // Every scenario's total must give each shard a request; a --duration run has no count.
    if (totalLoad.durationMs === undefined) {
      for (const name of scenarios) splitTotal(totalRequests(name, requests), shard, '--requests');
    }
    settings.shard = { ...shard, fingerprint: fingerprint(sharedPart(settings, totalLoad, shard)) };
  }
  return settings;
}

/** The user's config: every leaf simulated on the embedded default, as written on their gateway. */
function configDeployment(
  gateway: GatewayConnection | undefined,
  targets: TargetInput[],
  env: Env,
): Deployment {
  if (!gateway) return deployment(undefined, '', targets, { value: undefined, source: '' }, env);
  const specs = targets.map(({ weight: _w, faults: _f, models: _m, customHost, ...rest }) => ({
    ...rest,
    customHost: customHost ?? '',
  }));
  return { kind: 'own-gateway', gateway, targets: specs };
}

function targetsFileOption(options: RawOptions, env: Env): Sourced {
  if (options.targets !== undefined && options.targets.trim() === '') {
    throw new UsageError(`--targets: expected a file path, got ${JSON.stringify(options.targets)}`);
  }
  return sourced(options.targets, '--targets', env, 'LB_TARGETS_FILE');
}

/** Your own gateway needs every target's URL; without one, lb-demo simulates what has none. */
function deployment(
  gateway: GatewayConnection | undefined,
  gatewaySource: string,
  targets: TargetInput[],
  targetsFile: Sourced,
  env: Env,
): Deployment {
  if (!gateway) {
    return {
      kind: 'embedded',
      targets,
      simulation: {
        ollamaLatencyMs: latency(env, 'SIM_OLLAMA_LATENCY_MS', DEFAULT_SIM_LATENCY_MS.ollama),
        openaiLatencyMs: latency(env, 'SIM_VLLM_LATENCY_MS', DEFAULT_SIM_LATENCY_MS.openai),
      },
    };
  }
  const specs: TargetSpec[] = targets.map(({ weight: _w, faults: _f, customHost, ...rest }) => {
    if (customHost === undefined) {
      const where =
        targetsFile.value !== undefined
          ? `target "${rest.name}" in ${printable(targetsFile.value)} has no custom_host`
          : `${rest.name === 'ollama' ? 'OLLAMA_URL' : 'VLLM_URL'} is not set`;
      throw new UsageError(
        `${where}: with a gateway of your own (${gatewaySource}), every target needs the URL the gateway should call`,
      );
    }
    return { ...rest, customHost };
  });
  return { kind: 'own-gateway', gateway, targets: specs };
}

/** The weighted scenario's split, normalized; undefined when that scenario does not run. */
function weightedSplit(
  options: RawOptions,
  env: Env,
  scenarios: readonly ScenarioName[],
  targets: readonly TargetInput[],
  targetsFile: Sourced,
): Weights | undefined {
  const given = sourced(options.weights, '--weights', env, 'LB_WEIGHTS');
  const weights =
    given.value !== undefined ? parseWeightList(given.value, given.source) : undefined;
  if (!scenarios.includes('weighted')) return undefined;
  if (weights && weights.length !== targets.length) {
    throw new UsageError(
      `${given.source}: ${weights.length} weight(s) given for ${targets.length} target(s) (${targets
        .map((t) => t.name)
        .join(', ')})`,
    );
  }
  const raw = weights ?? targets.map((t) => t.weight ?? 1);
  if (raw.every((w) => w === 0)) {
    throw new UsageError(
      `${targetsFile.source} ${printable(targetsFile.value ?? '')}: all weights are zero, so the gateway could pick no target`,
    );
  }
  return normalizeWeights(raw);
}

/** Faults from LB_FAULTS, then --fault (later ones win), onto targets that are simulated. */
function applyFaults(
  targets: TargetInput[],
  flags: readonly string[],
  envSpecs: string | undefined,
  ownGateway: boolean,
  /** Other names of the targets: a config's leaf paths. */
  aliases: ReadonlyMap<string, string>,
): void {
  const specs = [
    ...(envSpecs ?? '')
      .split(';')
      .filter((spec) => spec.trim() !== '')
      .map((spec) => ({ spec, input: 'LB_FAULTS' })),
    ...flags.map((spec) => ({ spec, input: '--fault' })),
  ];
  for (const { spec, input } of specs) {
    const { target: given, faults } = parseFaultSpec(spec, input);
    const name = aliases.get(given) ?? given;
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

function parseGate(options: RawOptions): GateSettings {
  const gate: GateSettings = { failOnSkew: options.failOnSkew === true };
  if (options.minSuccessRate !== undefined) {
    gate.minSuccessRatePct = parseNonNegativeNumber(
      options.minSuccessRate,
      '--min-success-rate',
      100,
    );
  }
  if (options.maxP99 !== undefined) {
    gate.maxP99Ms = parsePositiveNumber(options.maxP99, '--max-p99', MAX_TIMEOUT_MS);
  }
  return gate;
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

function parseScenario(raw: string): ScenarioName[] {
  const name = raw.trim();
  if (name === 'all') return [...SEED_SCENARIOS];
  if (name === 'resilience') return [...RESILIENCE_SCENARIOS];
  if (name === 'drills') return [...DRILL_SCENARIOS];
  if ((SCENARIO_NAMES as readonly string[]).includes(name)) return [name as ScenarioName];
  throw new UsageError(`--scenario: unknown scenario ${JSON.stringify(raw)}`);
}

/**
 * http://host:8787 and http://host:8787/v1 both mean the gateway's /v1 API. A user:password in
 * the URL (a gateway behind basic auth) becomes an Authorization header.
 */
function gatewayConnection(raw: Sourced, env: Env): GatewayConnection | undefined {
  if (raw.value === undefined) return undefined;
  const url = new URL(checkHttpUrl(raw.value, raw.source));
  const apiKey = nonEmpty(env.PORTKEY_API_KEY);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const base = url.href.replace(/\/+$/, '');
  return {
    url: url.pathname === '/' ? `${base}/v1` : base,
    ...(apiKey ? { apiKey: checkHeaderSafe(apiKey, 'PORTKEY_API_KEY') } : {}),
    ...(user || password
      ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
      : {}),
  };
}

/**
 * Every secret the settings hold, for the redactor: keys, URL passwords, auth headers. A URL's
 * user name is not treated as one: masking every "alice" in the output would garble it.
 */
function secretsOf(
  gateway: GatewayConnection | undefined,
  targets: readonly TargetInput[],
  gatewayUrls: readonly (string | undefined)[],
  env: Env,
): string[] {
  const secrets = [
    gateway?.apiKey,
    gateway?.authorization,
    gateway?.authorization?.replace(/^Basic /, ''),
    env.PORTKEY_API_KEY,
    ...targets.map((t) => t.apiKey),
  ];
  for (const raw of [...gatewayUrls, ...targets.map((t) => t.customHost)]) {
    secrets.push(...urlPasswords(raw));
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s !== '');
}

function latency(env: Env, name: string, fallback: number): number {
  const raw = nonEmpty(env[name]);
  return raw === undefined ? fallback : parseNonNegativeNumber(raw, name, 600_000);
}
