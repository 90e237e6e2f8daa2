// The user's own Portkey config (--config, LB_CONFIG_FILE) and request cases (--case, --cases):
// read, parsed into a tree, linted, and turned into targets, one per leaf.
import { UsageError } from '../errors.js';
import { parseJsonText, readTextFile } from '../io/files.js';
import { describeValue, printable } from '../io/text.js';
import type { TargetInput } from '../model/input.js';
import type { RequestCase, UserConfig } from '../model/tree.js';
import { CONFIG_REQUEST_MODEL } from '../scenarios.js';
import { describeCase, leavesUnder } from '../user-config/cases.js';
import { lintConfig } from '../user-config/lint.js';
import { nodesOf, parseConfigTree } from '../user-config/parse.js';
import type { RawOptions } from './resolve.js';
import { checkHeaderSafe } from './values.js';

/** Keys of a request case. */
const CASE_KEYS = ['label', 'metadata', 'params', 'expect'];
/** Body fields a case may not set: lb-demo writes them itself. */
const RESERVED_PARAMS = new Set(['messages', 'stream', 'stream_options']);

/** --config (or LB_CONFIG_FILE) with its cases; --case, --cases and --metadata need it. */
export function userConfigOption(
  options: Pick<RawOptions, 'case' | 'cases' | 'metadata'>,
  file: { value: string | undefined; source: string },
): UserConfig | undefined {
  if (file.value === undefined) {
    const flag = ['case', 'cases', 'metadata'].find(
      (key) => options[key as keyof typeof options] !== undefined,
    );
    if (flag !== undefined) {
      throw new UsageError(`--${flag}: only for a config of your own (--config FILE)`);
    }
    return undefined;
  }
  if (file.value.trim() === '') {
    throw new UsageError(`${file.source}: expected a file path, got ${JSON.stringify(file.value)}`);
  }
  return readUserConfig(
    file.value,
    file.source,
    options.case ?? [],
    options.cases,
    options.metadata,
  );
}

/** Reads, parses and lints a config file; `source` names the flag or variable it came from. */
export function readUserConfig(
  path: string,
  source: string,
  caseFlags: readonly string[],
  casesFile: string | undefined,
  metadataFlag?: string,
): UserConfig {
  const shown = `${source} ${printable(path)}`;
  const data = parseJsonText(readTextFile(path, shown) ?? '', shown);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`${shown}: expected a Portkey config object, got ${describeValue(data)}`);
  }
  const tree = parseConfigTree(data, shown);
  const given = [
    ...caseFlags.map((text, i) =>
      parseCase(parseJsonText(text, `--case #${i + 1}`), `--case #${i + 1}`),
    ),
    ...(casesFile === undefined ? [] : readCasesFile(casesFile)),
  ];
  for (const c of given) {
    if (c.expect !== undefined && leavesUnder(tree, c.expect).length === 0) {
      const names = [
        ...new Set([...nodesOf(tree.root).map((n) => n.name), ...tree.leaves.map((l) => l.name)]),
      ].filter((n): n is string => n !== undefined);
      throw new UsageError(
        `case ${JSON.stringify(c.label)}: expect ${JSON.stringify(c.expect)} names no target of ${shown} (names: ${names.join(', ')})`,
      );
    }
  }
  return {
    file: printable(path),
    data: data as Record<string, unknown>,
    tree,
    findings: lintConfig(tree.root),
    cases: given.length > 0 ? given : undefined,
    metadata:
      metadataFlag === undefined
        ? {}
        : parseCase({ metadata: parseJsonText(metadataFlag, '--metadata') }, '--metadata').metadata,
  };
}

/** A cases file: a JSON array of cases, or {"cases": [...]}. */
function readCasesFile(path: string): RequestCase[] {
  const shown = `--cases ${printable(path)}`;
  const data = parseJsonText(readTextFile(path, shown) ?? '', shown);
  const list = Array.isArray(data) ? data : (data as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UsageError(`${shown}: expected a non-empty array of cases, or {"cases": [...]}`);
  }
  return list.map((item, i) => parseCase(item, `${shown}: case ${i + 1}`));
}

/** {"metadata": {...}, "params": {...}, "expect": "name", "label": "..."}: each part optional. */
export function parseCase(data: unknown, where: string): RequestCase {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(
      `${where}: expected an object such as {"metadata": {"plan": "paid"}, "expect": "premium"}, got ${describeValue(data)}`,
    );
  }
  const raw = data as Record<string, unknown>;
  const unknown = Object.keys(raw).find((key) => !CASE_KEYS.includes(key));
  if (unknown !== undefined) {
    throw new UsageError(
      `${where}: unknown key ${JSON.stringify(unknown)} (a case has ${CASE_KEYS.join(', ')})`,
    );
  }
  const metadata = objectOf(raw.metadata, `${where}: metadata`);
  for (const [key, value] of Object.entries(metadata)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new UsageError(
        `${where}: metadata.${key}: expected a string, number or boolean, got ${describeValue(value)}`,
      );
    }
  }
  // It travels in one header: it must be safe there.
  checkHeaderSafe(JSON.stringify(metadata), `${where}: metadata`);
  const params = objectOf(raw.params, `${where}: params`);
  const reserved = Object.keys(params).find((key) => RESERVED_PARAMS.has(key));
  if (reserved !== undefined) {
    throw new UsageError(`${where}: params.${reserved}: lb-demo sets it itself`);
  }
  for (const key of ['expect', 'label'] as const) {
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || raw[key] === '')) {
      throw new UsageError(
        `${where}: ${key}: expected a non-empty string, got ${describeValue(raw[key])}`,
      );
    }
  }
  const built = { metadata: metadata as Record<string, string>, params };
  return {
    label: printable((raw.label as string | undefined) ?? (describeCase(built) || 'no metadata')),
    ...built,
    source: 'user',
    ...(raw.expect === undefined ? {} : { expect: raw.expect as string }),
  };
}

function objectOf(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${where}: expected an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * A target per leaf. On the embedded default every leaf is simulated (customHost undefined),
 * serving the model it asks for; with the user's gateway, the leaf's own host (or none: the
 * gateway's default for the provider) is only reported, the config going as written.
 */
export function leafTargets(config: UserConfig, ownGateway: boolean): TargetInput[] {
  const caseModels = (config.cases ?? [])
    .map((c) => c.params.model)
    .filter((m): m is string => typeof m === 'string');
  return config.tree.leaves.map((leaf) => {
    const model = leaf.model ?? CONFIG_REQUEST_MODEL;
    return {
      name: leaf.name,
      provider: leaf.provider,
      customHost: ownGateway ? (leaf.customHost ?? '') : undefined,
      model,
      ...(leaf.model === undefined ? { models: [model, ...caseModels] } : {}),
      ...(leaf.apiKey ? { apiKey: leaf.apiKey } : {}),
    };
  });
}

/** Every credential the config holds, wherever it sits, for the redactor. */
export function configSecrets(data: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/key|secret|token|password|credential|authorization|service_account/i.test(key)) {
        found.push(value);
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(data, '');
  return found;
}
