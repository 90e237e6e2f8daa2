// Where the provider targets come from: the default two (Ollama and vLLM, from .env) or a
// JSON targets file. Everything is validated here, at the edge, with messages naming the input.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { parseFaultObject } from './faults.js';
import type { FaultSettings } from './local/simulated-provider.js';
import { checkHttpUrl, parseNonNegativeNumber } from './validate.js';

/** A target as configured; `customHost` is undefined when an embedded simulator should serve it. */
export interface TargetInput {
  name: string;
  provider: string;
  customHost: string | undefined;
  model: string;
  apiKey?: string;
  weight?: number;
  /** Faults to inject into this target's simulator (simulated targets only). */
  faults?: FaultSettings;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The seed's two providers. Their weights are the weighted scenario's default split. */
export function defaultTargets(env: Env): TargetInput[] {
  return [
    {
      name: 'ollama',
      provider: 'ollama',
      customHost: optionalUrl(env, 'OLLAMA_URL'),
      model: nonEmpty(env.OLLAMA_MODEL) ?? 'llama3',
      ...optionalKey(env, 'OLLAMA_API_KEY'),
      weight: 0.25,
    },
    {
      name: 'vllm',
      provider: 'openai',
      customHost: optionalUrl(env, 'VLLM_URL'),
      model: nonEmpty(env.VLLM_MODEL) ?? 'llama-fp8',
      ...optionalKey(env, 'VLLM_API_KEY'),
      weight: 0.75,
    },
  ];
}

const TARGET_FIELDS = new Set([
  'name',
  'provider',
  'custom_host',
  'model',
  'api_key',
  'weight',
  'faults',
]);

/** Validates the parsed JSON of a targets file: an array of {name, provider, custom_host?, model, api_key?, weight?}. */
export function parseTargets(data: unknown, source: string): TargetInput[] {
  if (!Array.isArray(data)) {
    throw new UsageError(`${source}: expected a JSON array of targets, got ${describe(data)}`);
  }
  if (data.length === 0) throw new UsageError(`${source}: the array of targets is empty`);
  const seen = new Set<string>();
  return data.map((item: unknown, i) => {
    const where = `${source}: target ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new UsageError(`${where}: expected an object, got ${describe(item)}`);
    }
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!TARGET_FIELDS.has(key)) {
        throw new UsageError(
          `${where}: unknown field "${key}" (allowed: ${[...TARGET_FIELDS].join(', ')})`,
        );
      }
    }
    const name = requiredString(record, 'name', where);
    const named = `${source}: target "${name}"`;
    if (seen.has(name))
      throw new UsageError(`${named}: the name is used twice; names must be unique`);
    seen.add(name);
    const target: TargetInput = {
      name,
      provider: requiredString(record, 'provider', named),
      customHost: undefined,
      model: requiredString(record, 'model', named),
    };
    if (record.custom_host !== undefined) {
      const host = requiredString(record, 'custom_host', named);
      target.customHost = checkHttpUrl(host, `${named}: custom_host`);
    }
    if (record.api_key !== undefined) target.apiKey = requiredString(record, 'api_key', named);
    if (record.weight !== undefined) {
      if (typeof record.weight !== 'number') {
        throw new UsageError(`${named}: weight must be a number, got ${describe(record.weight)}`);
      }
      target.weight = parseNonNegativeNumber(String(record.weight), `${named}: weight`);
    }
    if (record.faults !== undefined)
      target.faults = parseFaultObject(record.faults, `${named}: faults`);
    return target;
  });
}

export function readTargetsFile(path: string, source: string): TargetInput[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : ((error as Error).message ?? String(error));
    throw new UsageError(`${source} ${path}: cannot read the file (${why})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} ${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseTargets(data, `${source} ${path}`);
}

function requiredString(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(
      `${where}: "${key}" must be a non-empty string, got ${value === undefined ? 'nothing' : describe(value)}`,
    );
  }
  return value.trim();
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function optionalUrl(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  return value === undefined ? undefined : checkHttpUrl(value, name);
}

function optionalKey(env: Env, name: string): { apiKey?: string } {
  const value = nonEmpty(env[name]);
  return value === undefined ? {} : { apiKey: value };
}
