// Where the provider targets come from: the default two (Ollama and vLLM, from .env) or a
// JSON targets file. Everything is validated here, at the edge, with messages naming the input.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { parseFaultObject } from './faults.js';
import type { FaultSettings } from './local/simulated-provider.js';
import {
  checkHeaderSafe,
  checkHttpUrl,
  describeValue,
  MAX_WEIGHT,
  parseNonNegativeNumber,
  printable,
} from './validate.js';

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
      model: optionalModel(env, 'OLLAMA_MODEL') ?? 'llama3',
      ...optionalKey(env, 'OLLAMA_API_KEY'),
      weight: 0.25,
    },
    {
      name: 'vllm',
      provider: 'openai',
      customHost: optionalUrl(env, 'VLLM_URL'),
      model: optionalModel(env, 'VLLM_MODEL') ?? 'llama-fp8',
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
    throw new UsageError(`${source}: expected a JSON array of targets, got ${describeValue(data)}`);
  }
  if (data.length === 0) throw new UsageError(`${source}: the array of targets is empty`);
  const seen = new Set<string>();
  return data.map((item: unknown, i) => {
    const where = `${source}: target ${i + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new UsageError(`${where}: expected an object, got ${describeValue(item)}`);
    }
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!TARGET_FIELDS.has(key)) {
        throw new UsageError(
          `${where}: unknown field ${JSON.stringify(key)} (allowed: ${[...TARGET_FIELDS].join(', ')})`,
        );
      }
    }
    const name = requiredString(record, 'name', where);
    const named = `${source}: target "${name}"`;
    if (seen.has(name))
      throw new UsageError(`${named}: the name is used twice; names must be unique`);
    seen.add(name);
    // provider and model travel in the gateway's config header, so they must fit in one.
    const target: TargetInput = {
      name,
      provider: checkHeaderSafe(requiredString(record, 'provider', named), `${named}: provider`),
      customHost: undefined,
      model: checkHeaderSafe(requiredString(record, 'model', named), `${named}: model`),
    };
    if (record.custom_host !== undefined) {
      const host = record.custom_host;
      if (typeof host !== 'string' || host.trim() === '') {
        throw new UsageError(
          `${named}: "custom_host" must be a non-empty string, got ${describeValue(host)}`,
        );
      }
      // Not quoted as is: a URL can carry a password; checkHttpUrl masks it.
      target.customHost = checkHttpUrl(host, `${named}: custom_host`);
    }
    if (record.api_key !== undefined) target.apiKey = apiKey(record.api_key, named);
    if (record.weight !== undefined) {
      if (typeof record.weight !== 'number') {
        throw new UsageError(
          `${named}: weight must be a number, got ${describeValue(record.weight)}`,
        );
      }
      target.weight = parseNonNegativeNumber(String(record.weight), `${named}: weight`, MAX_WEIGHT);
    }
    if (record.faults !== undefined)
      target.faults = parseFaultObject(record.faults, `${named}: faults`);
    return target;
  });
}

export function readTargetsFile(path: string, source: string): TargetInput[] {
  const shown = `${source} ${printable(path)}`;
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
    throw new UsageError(`${shown}: cannot read the file (${printable(why)})`);
  }
  let data: unknown;
  try {
    // An editor's byte order mark is not part of the JSON.
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`${shown}: not valid JSON (${jsonError(error as Error, text)})`);
  }
  return parseTargets(data, shown);
}

/**
 * JSON.parse's reason without the excerpt of the file V8 quotes (it may hold an api_key, and
 * newlines), with "position N" turned into a line and column.
 */
function jsonError(error: Error, text: string): string {
  const reason = error.message.replace(/, .* is not valid JSON$/s, '');
  const position = /at position (\d+)/.exec(reason);
  if (!position) return printable(reason);
  const before = text.replace(/^\uFEFF/, '').slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return printable(
    reason.replace(/ in JSON at position \d+.*$/s, ` at line ${line}, column ${column}`),
  );
}

function requiredString(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(
      `${where}: "${key}" must be a non-empty string, got ${value === undefined ? 'nothing' : describeValue(value)}`,
    );
  }
  if (printable(value) !== value) {
    throw new UsageError(
      `${where}: "${key}" must not contain control characters, got ${describeValue(value)}`,
    );
  }
  return value.trim();
}

/** An api_key: checked like the other strings, but its value is never shown. */
function apiKey(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    const got =
      typeof value === 'string' ? 'an empty string' : `a value of type ${describeType(value)}`;
    throw new UsageError(`${where}: "api_key" must be a non-empty string, got ${got}`);
  }
  return checkHeaderSafe(value.trim(), `${where}: api_key`);
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
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
  return value === undefined ? {} : { apiKey: checkHeaderSafe(value, name) };
}

function optionalModel(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  return value === undefined ? undefined : checkHeaderSafe(value, name);
}
