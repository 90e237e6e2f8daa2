// A saved results document (`lb-demo report results.json`), read back and checked field by
// field, so that a wrong file ends with one line naming the file and the field, not with a
// broken page. Fields that later versions added are filled in when an older document lacks them.
import { describeValue } from '../validate.js';
import type { buildJsonDocument } from './json.js';

export type ResultsDocument = ReturnType<typeof buildJsonDocument>;
type Scenario = ResultsDocument['scenarios'][number];
type Target = Scenario['targets'][number];
type Latency = NonNullable<Scenario['latency_ms']>;
type Check = ResultsDocument['checks'][number];

const TEST_METHODS = ['chi-square', 'exact-binomial', 'exact-multinomial', 'monte-carlo'] as const;

export function parseResultsDocument(text: string, source: string): ResultsDocument {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${jsonReason(error as Error, text)})`);
  }
  return readDocument(new Reader(source), data);
}

class Reader {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    throw new Error(`${this.source}: not an lb-demo results document: ${path} ${problem}`);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
    return this.wrongType(value, path, 'an object');
  }

  array(value: unknown, path: string): unknown[] {
    return Array.isArray(value) ? value : this.wrongType(value, path, 'an array');
  }

  number(value: unknown, path: string): number {
    return typeof value === 'number' && Number.isFinite(value)
      ? value
      : this.wrongType(value, path, 'a number');
  }

  string(value: unknown, path: string): string {
    return typeof value === 'string' ? value : this.wrongType(value, path, 'a string');
  }

  boolean(value: unknown, path: string): boolean {
    return typeof value === 'boolean' ? value : this.wrongType(value, path, 'true or false');
  }

  numbers(value: unknown, path: string, length?: number): number[] {
    const list = this.array(value, path).map((item, i) => this.number(item, `${path}[${i}]`));
    if (length !== undefined && list.length !== length) {
      this.fail(path, `must hold ${length} numbers, not ${list.length}`);
    }
    return list;
  }

  nullable<T>(value: unknown, path: string, read: (value: unknown, path: string) => T): T | null {
    return value === null ? null : read(value, path);
  }

  /** A field that older documents lack: `fallback` when absent. */
  optional<T>(value: unknown, fallback: T, read: () => T): T {
    return value === undefined ? fallback : read();
  }

  latency(value: unknown, path: string): Latency | null {
    return this.nullable(value, path, (v, p) => {
      const o = this.object(v, p);
      const read = (key: string) => this.number(o[key], `${p}.${key}`);
      return {
        count: read('count'),
        avg: read('avg'),
        min: read('min'),
        max: read('max'),
        p50: read('p50'),
        p90: read('p90'),
        p95: read('p95'),
        p99: read('p99'),
      };
    });
  }

  private wrongType(value: unknown, path: string, expected: string): never {
    return this.fail(
      path,
      value === undefined ? 'is missing' : `must be ${expected}, got ${describeValue(value)}`,
    );
  }
}

function pair([a = 0, b = 0]: number[]): [number, number] {
  return [a, b];
}

function readDocument(r: Reader, data: unknown): ResultsDocument {
  const doc = r.object(data, 'the document');
  const scenarios = r
    .array(doc.scenarios, 'scenarios')
    .map((s, i) => readScenario(r, s, `scenarios[${i}]`));
  return {
    // Documents saved before the field existed are format 1 too.
    format: r.optional(doc.format, 'lb-demo/results@1', () => r.string(doc.format, 'format')),
    lb_demo: r.string(doc.lb_demo, 'lb_demo'),
    gateway: r.string(doc.gateway, 'gateway'),
    embedded_gateway: r.optional(doc.embedded_gateway, null, () =>
      r.nullable(doc.embedded_gateway, 'embedded_gateway', (v, p) => {
        const o = r.object(v, p);
        return {
          package: r.string(o.package, `${p}.package`),
          version: r.string(o.version, `${p}.version`),
        };
      }),
    ),
    simulated_providers: r.optional(doc.simulated_providers, [], () =>
      r.array(doc.simulated_providers, 'simulated_providers').map((v, i) => {
        const p = `simulated_providers[${i}]`;
        const o = r.object(v, p);
        return {
          target: r.string(o.target, `${p}.target`),
          kind: r.string(o.kind, `${p}.kind`),
          latency_ms: r.number(o.latency_ms, `${p}.latency_ms`),
          faults: r.optional(o.faults, null, () =>
            r.nullable(o.faults, `${p}.faults`, (f, fp) => r.string(f, fp)),
          ),
          served_chat_completions: r.number(
            o.served_chat_completions,
            `${p}.served_chat_completions`,
          ),
        };
      }),
    ),
    interrupted: r.optional(doc.interrupted, false, () =>
      r.boolean(doc.interrupted, 'interrupted'),
    ),
    checks: r.optional(doc.checks, [], () =>
      r.array(doc.checks, 'checks').map((v, i) => readCheck(r, v, `checks[${i}]`)),
    ),
    checks_passed: r.optional(doc.checks_passed, null, () =>
      r.nullable(doc.checks_passed, 'checks_passed', (v, p) => r.boolean(v, p)),
    ),
    scenarios,
  };
}

function readCheck(r: Reader, value: unknown, path: string): Check {
  const o = r.object(value, path);
  return {
    check: r.string(o.check, `${path}.check`) as Check['check'],
    scenario: r.string(o.scenario, `${path}.scenario`),
    passed: r.boolean(o.passed, `${path}.passed`),
    value: r.nullable(o.value, `${path}.value`, (v, p) => r.number(v, p)),
    threshold: r.nullable(o.threshold, `${path}.threshold`, (v, p) => r.number(v, p)),
    message: r.string(o.message, `${path}.message`),
  };
}

function readScenario(r: Reader, value: unknown, path: string): Scenario {
  const o = r.object(value, path);
  const at = (key: string) => `${path}.${key}`;
  const num = (key: string) => r.number(o[key], at(key));
  const targets = r
    .array(o.targets, at('targets'))
    .map((t, i) => readTarget(r, t, `${at('targets')}[${i}]`));
  const config = r.optional(o.gateway_config, undefined, () =>
    r.object(o.gateway_config, at('gateway_config')),
  );
  return {
    // Any name: a later lb-demo may add scenarios.
    scenario: r.string(o.scenario, at('scenario')) as Scenario['scenario'],
    variant: r.optional(o.variant, null, () =>
      r.nullable(o.variant, at('variant'), (v, p) => r.string(v, p)),
    ),
    label: r.optional(o.label, '', () => r.string(o.label, at('label'))),
    number: r.optional(o.number, 0, () => num('number')),
    title: r.optional(o.title, '', () => r.string(o.title, at('title'))),
    strategy: r.optional(o.strategy, '', () => r.string(o.strategy, at('strategy'))),
    disruptions: r.optional(o.disruptions, [], () =>
      r
        .array(o.disruptions, at('disruptions'))
        .map((d, i) => r.string(d, `${at('disruptions')}[${i}]`)),
    ),
    gateway_config: {
      retry: r.optional(config?.retry, null, () =>
        r.nullable(config?.retry, at('gateway_config.retry'), (v, p) => {
          const retry = r.object(v, p);
          return {
            attempts: r.number(retry.attempts, `${p}.attempts`),
            on_status_codes: r.numbers(retry.on_status_codes, `${p}.on_status_codes`),
          };
        }),
      ),
      request_timeout_ms: r.optional(config?.request_timeout_ms, null, () =>
        r.nullable(config?.request_timeout_ms, at('gateway_config.request_timeout_ms'), (v, p) =>
          r.number(v, p),
        ),
      ),
      fallback: r.optional(config?.fallback, false, () =>
        r.boolean(config?.fallback, at('gateway_config.fallback')),
      ),
    },
    requests: num('requests'),
    planned_requests: r.nullable(o.planned_requests, at('planned_requests'), (v, p) =>
      r.number(v, p),
    ),
    duration_s: r.optional(o.duration_s, null, () =>
      r.nullable(o.duration_s, at('duration_s'), (v, p) => r.number(v, p)),
    ),
    load: readLoad(r, o.load, at('load')),
    interrupted: r.optional(o.interrupted, false, () =>
      r.boolean(o.interrupted, at('interrupted')),
    ),
    elapsed_ms: num('elapsed_ms'),
    requests_per_s: num('requests_per_s'),
    output_tokens_per_s: num('output_tokens_per_s'),
    retries: num('retries'),
    fallbacks: r.optional(o.fallbacks, 0, () => num('fallbacks')),
    fallback_latency_ms: r.optional(o.fallback_latency_ms, null, () =>
      r.latency(o.fallback_latency_ms, at('fallback_latency_ms')),
    ),
    direct_latency_ms: r.optional(o.direct_latency_ms, null, () =>
      r.latency(o.direct_latency_ms, at('direct_latency_ms')),
    ),
    ttft_ms: r.optional(o.ttft_ms, null, () => r.latency(o.ttft_ms, at('ttft_ms'))),
    tpot_ms: r.optional(o.tpot_ms, null, () => r.latency(o.tpot_ms, at('tpot_ms'))),
    succeeded: num('succeeded'),
    failed: num('failed'),
    success_rate: num('success_rate'),
    latency_ms: r.latency(o.latency_ms, at('latency_ms')),
    test: readTest(r, o.test, at('test')),
    attributed: num('attributed'),
    latency_histogram: readHistogram(
      r,
      o.latency_histogram,
      at('latency_histogram'),
      targets.length,
    ),
    targets,
    unattributed: r.optional(o.unattributed, 0, () => num('unattributed')),
    failures: readFailures(r, o.failures, at('failures')),
  };
}

function readLoad(r: Reader, value: unknown, path: string): Scenario['load'] {
  const o = r.object(value, path);
  const mode = r.string(o.mode, `${path}.mode`);
  if (mode !== 'closed-loop' && mode !== 'open-loop') {
    r.fail(`${path}.mode`, `must be "closed-loop" or "open-loop", got ${describeValue(mode)}`);
  }
  return {
    mode,
    concurrency: r.nullable(o.concurrency, `${path}.concurrency`, (v, p) => r.number(v, p)),
    rate_per_s: r.nullable(o.rate_per_s, `${path}.rate_per_s`, (v, p) => r.number(v, p)),
    stream: r.boolean(o.stream, `${path}.stream`),
  } as Scenario['load'];
}

function readTest(r: Reader, value: unknown, path: string): Scenario['test'] {
  const o = r.object(value, path);
  const method = r.string(o.method, `${path}.method`) as (typeof TEST_METHODS)[number];
  if (!TEST_METHODS.includes(method)) {
    r.fail(
      `${path}.method`,
      `must be one of ${TEST_METHODS.join(', ')}, got ${describeValue(method)}`,
    );
  }
  const base = {
    method,
    statistic: r.number(o.statistic, `${path}.statistic`),
    df: r.number(o.df, `${path}.df`),
    p_value: r.number(o.p_value, `${path}.p_value`),
    alpha: r.number(o.alpha, `${path}.alpha`),
    consistent: r.boolean(o.consistent, `${path}.consistent`),
    verdict: r.string(o.verdict, `${path}.verdict`),
    zero_weight_violations: r.numbers(o.zero_weight_violations, `${path}.zero_weight_violations`),
    requests_for_5pp_skew: r.number(o.requests_for_5pp_skew, `${path}.requests_for_5pp_skew`),
  };
  return method === 'monte-carlo'
    ? {
        ...base,
        monte_carlo_samples: r.number(o.monte_carlo_samples, `${path}.monte_carlo_samples`),
        seed: r.number(o.seed, `${path}.seed`),
      }
    : base;
}

function readHistogram(
  r: Reader,
  value: unknown,
  path: string,
  targets: number,
): Scenario['latency_histogram'] {
  const o = r.object(value, path);
  const edges = r.numbers(o.edges_ms, `${path}.edges_ms`);
  const bins = Math.max(edges.length - 1, 0);
  const rows = r.array(o.counts, `${path}.counts`);
  if (rows.length !== targets) {
    r.fail(`${path}.counts`, `must hold one row per target (${targets}), not ${rows.length}`);
  }
  const counts = rows.map((row, i) => r.numbers(row, `${path}.counts[${i}]`, bins));
  return { edges_ms: edges, counts };
}

function readTarget(r: Reader, value: unknown, path: string): Target {
  const o = r.object(value, path);
  const num = (key: string) => r.number(o[key], `${path}.${key}`);
  const [low = 0, high = 0] = r.numbers(o.expected_range, `${path}.expected_range`, 2);
  return {
    index: num('index'),
    name: r.string(o.name, `${path}.name`),
    provider: r.string(o.provider, `${path}.provider`),
    custom_host: r.string(o.custom_host, `${path}.custom_host`),
    model: r.nullable(o.model, `${path}.model`, (v, p) => r.string(v, p)),
    weight: num('weight'),
    expected_share: num('expected_share'),
    count: num('count'),
    failed: num('failed'),
    routed: num('routed'),
    share: num('share'),
    deviation_pp: num('deviation_pp'),
    ci95: pair(r.numbers(o.ci95, `${path}.ci95`, 2)),
    expected_range: [low, high],
    latency_ms: r.latency(o.latency_ms, `${path}.latency_ms`),
    retries: num('retries'),
    output_tokens: num('output_tokens'),
    fallbacks: r.optional(o.fallbacks, 0, () => num('fallbacks')),
    ttft_ms: r.optional(o.ttft_ms, null, () => r.latency(o.ttft_ms, `${path}.ttft_ms`)),
    tpot_ms: r.optional(o.tpot_ms, null, () => r.latency(o.tpot_ms, `${path}.tpot_ms`)),
  };
}

function readFailures(r: Reader, value: unknown, path: string): Scenario['failures'] {
  const o = r.object(value, path);
  const failures: Record<string, number> = {};
  for (const [cause, n] of Object.entries(o)) failures[cause] = r.number(n, `${path}.${cause}`);
  return failures as Scenario['failures'];
}

/** JSON.parse's reason on one line, without the excerpt of the file V8 quotes. */
function jsonReason(error: Error, text: string): string {
  const reason = error.message.replace(/, .* is not valid JSON$/s, '');
  const where = reason.replace(
    / (?:in JSON )?at position (\d+).*$/s,
    (_, position: string) => ` at line ${lineColumn(text, Number(position))}`,
  );
  return where.replace(/\s+/g, ' ').trim();
}

function lineColumn(text: string, position: number): string {
  const before = text.replace(/^\uFEFF/, '').slice(0, position);
  return `${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
}
