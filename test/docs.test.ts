// The docs stay honest: README.md and docs/*.md render as written (balanced code fences, none
// opened or closed mid-line), docs/flags.md lists exactly the flags, commands and scenarios the
// built CLI's --help prints, every relative link lands on a file (and heading) that exists, and
// docs/json.md names every field of the results document. Each checker is also run once on a
// broken sample, so that a checker which cannot fail does not pass for one that works.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseResultsDocument } from '../src/report/document.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'bin', 'lb-demo.js');
const MARKDOWN = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ---------------------------------------------------------------------------------------------
// (a) Code fences.

/**
 * What is wrong with a text's code fences, one line each. A fence must stand at the start of its
 * line (after optional indentation): "``` Every request..." closes nothing in Markdown and hides
 * all that follows in the code block, so any ``` after other text is an error, as is a closing
 * fence with text after it and a fence never closed.
 */
function fenceProblems(text: string): string[] {
  const problems: string[] = [];
  let openedAt: number | null = null;
  text.split('\n').forEach((line, i) => {
    const at = line.indexOf('```');
    if (at < 0) return;
    const where = `line ${i + 1}`;
    if (line.slice(0, at).trim() !== '') {
      problems.push(`${where}: \`\`\` after other text: ${line.trim()}`);
      return;
    }
    const after = line.slice(at).replace(/^`+/, '');
    if (openedAt === null) {
      if (after.includes('`')) problems.push(`${where}: a second fence on the opening line`);
      openedAt = i + 1;
    } else {
      if (after.trim() !== '')
        problems.push(`${where}: text after a closing fence: ${line.trim()}`);
      openedAt = null;
    }
  });
  if (openedAt !== null) problems.push(`line ${openedAt}: a fence opened and never closed`);
  return problems;
}

describe('code fences', () => {
  it.for(MARKDOWN)('%s: balanced, none opened or closed mid-line', (path) => {
    expect(fenceProblems(read(path))).toEqual([]);
  });

  it('catches a fence closed mid-line, one opened mid-line, and one left open', () => {
    expect(fenceProblems('```\nsample\n``` Every request is one chat completion\n')).toEqual([
      'line 3: text after a closing fence: ``` Every request is one chat completion',
    ]);
    expect(fenceProblems('Run it: ```bash\nnpx lb-demo\n```\n')).toHaveLength(2);
    expect(fenceProblems('```json\n{}\n')).toEqual(['line 1: a fence opened and never closed']);
    expect(fenceProblems('  ```bash\n  npx lb-demo\n  ```\n')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) docs/flags.md against the real --help.

function help(command: string[]): string {
  const result = spawnSync(process.execPath, [BIN, ...command, '--help'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

/** The long option names of a --help text's Options section: ["--scenario", ...]. */
function helpOptions(text: string): string[] {
  return [...text.matchAll(/^ {2}(?:-[A-Za-z], )?(--[a-z][a-z0-9-]*)/gm)].map(
    ([, name]) => name ?? '',
  );
}

/** The commands a --help text lists: ["report", ...]. */
function helpCommands(text: string): string[] {
  const section = text.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z0-9-]*)/gm)].map(([, name]) => name ?? '');
}

/** The values of `--scenario`'s "(choices: ...)", however --help wrapped them. */
function helpScenarios(text: string): string[] {
  const choices = text.replace(/\s+/g, ' ').match(/choices: ((?:"[^"]+",? ?)+)/)?.[1] ?? '';
  return [...choices.matchAll(/"([^"]+)"/g)].map(([, name]) => name ?? '');
}

/** The `## ` sections of a Markdown text, by heading. */
function sections(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of text.split(/^## /m).slice(1)) {
    const [heading = '', ...body] = part.split('\n');
    found.set(heading.trim(), body.join('\n'));
  }
  return found;
}

/** The first cell of each row of the Markdown tables in a text (header and rule left out). */
function firstCells(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*(---|Flag|Scenario)\s*\|/.test(line))
    .map((line) => line.split('|')[1] ?? '');
}

/**
 * What docs/flags.md documents: per command ('' for the run itself, from "## lb-demo (the run)";
 * "report" from "## lb-demo report"), the long options in the first column of its table; and the
 * scenario names of the "## Scenarios" table.
 */
function documentedFlags(text: string): {
  commands: Map<string, string[]>;
  scenarios: string[];
} {
  const commands = new Map<string, string[]>();
  let scenarios: string[] = [];
  for (const [heading, body] of sections(text)) {
    const command = heading.match(/^lb-demo(?: ([a-z][a-z0-9-]*))?/);
    if (command) {
      const options = firstCells(body).flatMap((cell) => cell.match(/--[a-z][a-z0-9-]*/g) ?? []);
      commands.set(command[1] ?? '', options);
    }
    if (heading === 'Scenarios') {
      scenarios = firstCells(body).flatMap((cell) => cell.match(/`([a-z-]+)`/)?.[1] ?? []);
    }
  }
  return { commands, scenarios };
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

describe('docs/flags.md against lb-demo --help', () => {
  const mainHelp = help([]);
  const documented = documentedFlags(read('docs/flags.md'));

  it('documents the run and every command --help lists, and no other', () => {
    expect(sorted(documented.commands.keys())).toEqual(sorted(['', ...helpCommands(mainHelp)]));
  });

  it.for([
    ['lb-demo --help', ''],
    ['lb-demo report --help', 'report'],
    ['lb-demo lint --help', 'lint'],
    ['lb-demo merge --help', 'merge'],
  ] as const)('documents exactly the flags of %s', ([, command]) => {
    const printed = helpOptions(command ? help([command]) : mainHelp);
    expect(printed.length).toBeGreaterThan(1);
    expect(sorted(documented.commands.get(command) ?? [])).toEqual(sorted(printed));
  });

  it('documents exactly the --scenario choices', () => {
    const choices = helpScenarios(mainHelp);
    expect(choices).toContain('round-robin');
    expect(sorted(documented.scenarios)).toEqual(sorted(choices));
  });

  it('catches a flag missing from the docs, and one the CLI does not have', () => {
    const doc =
      '## lb-demo report\n\n| Flag | Meaning |\n| --- | --- |\n| `-o, --output <file>` | x |\n';
    const printed = helpOptions(help(['report']));
    expect(sorted(documentedFlags(doc).commands.get('report') ?? [])).not.toEqual(sorted(printed));
    expect(helpScenarios('(choices: "a", "b",\n    "c", default: "a")')).toEqual(['a', 'b', 'c']);
  });
});

// ---------------------------------------------------------------------------------------------
// (c) Relative links.

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of withoutCode(text, false).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  return found;
}

/** The text with fenced blocks blanked (and inline code removed): links there are not links. */
function withoutCode(text: string, inline = true): string {
  let inFence = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return '';
      }
      if (inFence) return '';
      return inline ? line.replace(/`[^`]*`/g, '') : line;
    })
    .join('\n');
}

/** Relative links of a Markdown file that lead nowhere: "target (why)". */
function brokenLinks(path: string, text: string, exists = existsSync): string[] {
  const broken: string[] = [];
  for (const [, target = ''] of withoutCode(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [file = '', anchor] = target.split('#');
    const resolved = file === '' ? path : resolve(dirname(path), file);
    if (!exists(resolved)) {
      broken.push(`${target} (no such file)`);
    } else if (anchor !== undefined && resolved.endsWith('.md')) {
      const heading = file === '' ? text : readFileSync(resolved, 'utf8');
      if (!anchors(heading).has(anchor)) broken.push(`${target} (no such heading)`);
    }
  }
  return broken;
}

describe('relative links', () => {
  it.for(MARKDOWN)('%s: every relative link points at a file and heading that exist', (path) => {
    expect(brokenLinks(join(ROOT, path), read(path))).toEqual([]);
  });

  it('catches a missing file and a missing heading, and skips code and web links', () => {
    const readme = join(ROOT, 'README.md');
    const text =
      '# lb-demo\n[a](docs/nope.md) [b](#in-ci) [c](#lb-demo) [d](https://example.com/x)\n' +
      '`[e](nope.md)`\n```\n[f](nope.md)\n```\n';
    expect(brokenLinks(readme, text)).toEqual([
      'docs/nope.md (no such file)',
      '#in-ci (no such heading)',
    ]);
    expect(slug('Pointing at a real deployment (OpenShift / Kubernetes)')).toBe(
      'pointing-at-a-real-deployment-openshift--kubernetes',
    );
    expect(slug('Variables (`.env`)')).toBe('variables-env');
  });
});

// ---------------------------------------------------------------------------------------------
// (d) docs/json.md names every field of the results document.

/** Every key of a parsed results document, at any depth (not the keys of its data maps). */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      into.add(key);
      // Count maps and a request case's own metadata and params hold data, not fields.
      const maps = [
        'failures',
        'failure_statuses',
        'unattributed_by_cause',
        'metadata',
        'params',
        'injected_faults',
      ];
      if (!maps.includes(key)) {
        keysOf(child, into);
      }
    }
  }
  return into;
}

describe('docs/json.md', () => {
  it('names every field a results document has', () => {
    const documented = read('docs/json.md');
    const keys = new Set<string>();
    for (const fixture of [
      'results.json',
      'results-resilience.json',
      'results-config.json',
      'results-open-loop.json',
      'results-drills.json',
    ]) {
      keysOf(parseResultsDocument(read(`test/fixtures/${fixture}`), fixture), keys);
    }
    expect(keys.size).toBeGreaterThan(50);
    expect([...keys].filter((key) => !documented.includes(`\`${key}\``))).toEqual([]);
  });
});
