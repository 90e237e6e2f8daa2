// Where the provider targets come from: the default two (Ollama and vLLM, from .env) or a JSON
// targets file. Everything is checked here, at the edge, with messages naming the input.
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseJsonText, readTextFile } from '../io/files.js';
import { describeValue, hasInvisible, printable } from '../io/text.js';
import type { Env, TargetInput } from '../model/input.js';
import { parseFaultObject } from './faults.js';
import {
  checkHeaderSafe,
  checkHttpUrl,
  MAX_WEIGHT,
  nonEmpty,
  parseNonNegativeNumber,
} from './values.js';

/** The seed's two providers. Their weights are the weighted scenario's default split. */
export function defaultTargets(env: Env): TargetInput[] {
  return [
    {
      name: 'ollama',
      provider: 'ollama',
      customHost: optionalUrl(env, 'OLLAMA_URL'),
      model: optionalHeaderValue(env, 'OLLAMA_MODEL') ?? 'llama3',
      ...optionalKey(env, 'OLLAMA_API_KEY'),
      weight: 0.25,
    },
    {
      name: 'vllm',
      provider: 'openai',
      customHost: optionalUrl(env, 'VLLM_URL'),
      model: optionalHeaderValue(env, 'VLLM_MODEL') ?? 'llama-fp8',
      ...optionalKey(env, 'VLLM_API_KEY'),
      weight: 0.75,
    },
  ];
}

/** The shape of a targets file; the values are checked one by one after it. */
const TargetsFile = z
  .array(
    z.strictObject({
      name: z.string(),
      provider: z.string(),
      custom_host: z.string().optional(),
      model: z.string(),
      api_key: z.string().optional(),
      weight: z.number().optional(),
      faults: z.unknown().optional(),
    }),
  )
  .min(1);
type TargetEntry = z.infer<typeof TargetsFile>[number];
const TARGET_FIELDS = Object.keys(TargetsFile.element.shape);

export function readTargetsFile(path: string, source: string): TargetInput[] {
  const shown = `${source} ${printable(path)}`;
  const text = readTextFile(path, shown) ?? '';
  return parseTargets(parseJsonText(text, shown), shown);
}

/** Checks the parsed JSON of a targets file: [{name, provider, custom_host?, model, ...}]. */
export function parseTargets(data: unknown, source: string): TargetInput[] {
  const parsed = TargetsFile.safeParse(data, { reportInput: true });
  if (!parsed.success)
    throw new UsageError(`${source}: ${shapeProblem(parsed.error, data, source)}`);
  const seen = new Set<string>();
  return parsed.data.map((entry, i) => {
    const name = requiredText(entry.name, 'name', `${source}: target ${i + 1}`);
    const named = `${source}: target "${name}"`;
    if (seen.has(name))
      throw new UsageError(`${named}: the name is used twice; names must be unique`);
    seen.add(name);
    return checkedTarget(entry, name, named);
  });
}

/** The values of one entry: provider and model travel in the gateway's config header. */
function checkedTarget(entry: TargetEntry, name: string, named: string): TargetInput {
  const text = (value: string, field: 'provider' | 'model') =>
    checkHeaderSafe(requiredText(value, field, named), `${named}: ${field}`);
  const target: TargetInput = {
    name,
    provider: text(entry.provider, 'provider'),
    customHost: undefined,
    model: text(entry.model, 'model'),
  };
  if (entry.custom_host !== undefined) {
    if (entry.custom_host.trim() === '') {
      throw new UsageError(`${named}: "custom_host" must be a non-empty string, got ""`);
    }
    // Not quoted as is: a URL can carry a password; checkHttpUrl masks it.
    target.customHost = checkHttpUrl(entry.custom_host, `${named}: custom_host`);
  }
  if (entry.api_key !== undefined) {
    // Checked like the other strings, but its value is never shown.
    if (entry.api_key.trim() === '') {
      throw new UsageError(`${named}: "api_key" must be a non-empty string, got an empty string`);
    }
    target.apiKey = checkHeaderSafe(entry.api_key.trim(), `${named}: api_key`);
  }
  if (entry.weight !== undefined) {
    target.weight = parseNonNegativeNumber(String(entry.weight), `${named}: weight`, MAX_WEIGHT);
  }
  if (entry.faults !== undefined) {
    target.faults = parseFaultObject(entry.faults, `${named}: faults`);
  }
  return target;
}

/** Trimmed, non-empty, without control characters. */
function requiredText(value: string, field: string, where: string): string {
  if (value.trim() === '') {
    throw new UsageError(
      `${where}: "${field}" must be a non-empty string, got ${describeValue(value)}`,
    );
  }
  if (printable(value) !== value) {
    const what = hasInvisible(value) ? 'invisible (zero-width or bidi)' : 'control';
    throw new UsageError(
      `${where}: "${field}" must not contain ${what} characters, got ${printable(describeValue(value))}`,
    );
  }
  return value.trim();
}

/** The first thing wrong with the file's shape, in words: the array, an entry, or a field. */
function shapeProblem(error: z.ZodError, data: unknown, source: string): string {
  const [index, field] = error.issues[0]?.path ?? [];
  if (!Array.isArray(data)) return `expected a JSON array of targets, got ${describeValue(data)}`;
  if (typeof index !== 'number') return 'the array of targets is empty';
  const entry = data[index] as Record<string, unknown>;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return `target ${index + 1}: expected an object, got ${describeValue(entry)}`;
  }
  const unknown = Object.keys(entry).find((key) => !TARGET_FIELDS.includes(key));
  if (unknown !== undefined) {
    return `target ${index + 1}: unknown field ${JSON.stringify(unknown)} (allowed: ${TARGET_FIELDS.join(', ')})`;
  }
  const name =
    typeof entry.name === 'string'
      ? requiredText(entry.name, 'name', `${source}: target ${index + 1}`)
      : undefined;
  const where = name === undefined ? `target ${index + 1}` : `target "${name}"`;
  const value = entry[String(field)];
  if (field === 'weight') return `${where}: weight must be a number, got ${describeValue(value)}`;
  const got =
    value === undefined
      ? 'nothing'
      : field === 'api_key'
        ? `a value of type ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`
        : describeValue(value);
  return `${where}: "${String(field)}" must be a non-empty string, got ${got}`;
}

function optionalUrl(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  return value === undefined ? undefined : checkHttpUrl(value, name);
}

function optionalKey(env: Env, name: string): { apiKey?: string } {
  const value = nonEmpty(env[name]);
  return value === undefined ? {} : { apiKey: checkHeaderSafe(value, name) };
}

function optionalHeaderValue(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  return value === undefined ? undefined : checkHeaderSafe(value, name);
}
