// Where a run's CPU went, from a V8 profile (node --cpu-prof): self time by module, and the
// inclusive time of the categories issue #13 asks about (a sample counts for a category when any
// frame of its stack matches; categories overlap). Per request when --requests is given.
//
//   node --cpu-prof --cpu-prof-dir=DIR bin/lb-demo.js ... -n 20000
//   tsx bench/profile-summary.ts DIR/*.cpuprofile --requests 20000 [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface Node {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, requests: { type: 'string' } },
});
const profile = JSON.parse(readFileSync(positionals[0] ?? '', 'utf8')) as Profile;
const top = Number(values.top);
const requests = values.requests ? Number(values.requests) : undefined;

/** A short name for the module a frame belongs to. */
function moduleOf({ url, functionName }: Frame): string {
  if (!url) return functionName.startsWith('(') ? functionName : 'v8 builtins';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg) return pkg[1] === 'portkey-ai' ? `portkey-ai/${pkg[2]?.split('/').pop()}` : `${pkg[1]}`;
  if (url.startsWith('node:internal/deps/undici')) return 'node:undici (fetch)';
  const internal = /^node:internal\/([^/]+)/.exec(url);
  if (internal) return `node:${internal[1]}`;
  if (url.startsWith('node:')) return url;
  const own = /\/dist\/(.*)$/.exec(url);
  return own ? `lb-demo/${own[1]}` : url.replace(/^file:\/\//, '');
}

const named =
  (...names: string[]) =>
  (f: Frame) =>
    names.includes(f.functionName);
const CATEGORIES: [string, (f: Frame) => boolean][] = [
  ['SDK client construction (new Portkey)', (f) => f.functionName === 'Portkey'],
  ['SDK createHeaders (config serialization)', named('createHeaders')],
  ['SDK buildRequest (headers, URL, JSON body)', named('buildRequest')],
  ['SDK response parsing (defaultParseResponse)', named('defaultParseResponse')],
  ['SDK, any frame', (f) => moduleOf(f).startsWith('portkey-ai')],
  ['Node fetch (WHATWG, bundled undici)', (f) => moduleOf(f) === 'node:undici (fetch)'],
  ['undici package (dispatcher)', (f) => moduleOf(f) === 'undici'],
  ['web streams', (f) => moduleOf(f) === 'node:webstreams'],
  [
    'lb-demo transport (send, slot, fetch)',
    (f) => /lb-demo\/runner\/(transport|fetch)/.test(moduleOf(f)),
  ],
  ['lb-demo header handling (routeOf)', named('routeOf', 'routeHeaders')],
  [
    'lb-demo loop (launch, timeout, schedule)',
    (f) => /lb-demo\/runner\/(loop|open-loop|closed-loop)/.test(moduleOf(f)),
  ],
  ['lb-demo bookkeeping (tallyRecord)', named('tallyRecord', 'recordValue')],
  ['lb-demo onRecord (mask, watch, progress)', named('onRecord', 'observe', 'record')],
  [
    'lb-demo end of run (summaries, report)',
    (f) =>
      /lb-demo\/(report|stats)\//.test(moduleOf(f)) &&
      !['tallyRecord', 'recordValue'].includes(f.functionName),
  ],
  ['progress bar (cli-progress)', (f) => moduleOf(f) === 'cli-progress'],
  ['timers', (f) => moduleOf(f) === 'node:timers'],
  ['module loading (startup)', (f) => /node:(modules|vm)/.test(moduleOf(f))],
  ['garbage collector', named('(garbage collector)')],
];

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const stacks = new Map<number, Frame[]>();
const stackOf = (id: number): Frame[] => {
  let stack = stacks.get(id);
  if (!stack) {
    stack = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) stack.push(node.callFrame);
    }
    stacks.set(id, stack);
  }
  return stack;
};

const { samples, timeDeltas } = profile;
const selfByModule = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const category = new Map(CATEGORIES.map(([name]) => [name, 0]));
let busy = 0;
samples.forEach((id, i) => {
  const us = timeDeltas[i + 1] ?? (profile.endTime - profile.startTime) / samples.length;
  const stack = stackOf(id);
  const leaf = stack[0];
  if (!leaf || leaf.functionName === '(idle)') return;
  busy += us;
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + us);
  add(selfByModule, moduleOf(leaf));
  add(
    selfByFunction,
    `${leaf.functionName || '(anonymous)'} ${moduleOf(leaf)}:${leaf.lineNumber + 1}`,
  );
  for (const [name, test] of CATEGORIES) if (stack.some(test)) add(category, name);
});

const row = (us: number, name: string) =>
  `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / busy) * 100).toFixed(1).padStart(5)}%${requests ? `${(us / requests).toFixed(1).padStart(8)} µs/req` : ''}  ${name}`;
const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
console.log(
  `busy ${(busy / 1000).toFixed(0)} ms${requests ? `, ${requests} requests: ${(busy / requests).toFixed(1)} µs per request` : ''}`,
);
console.log('\nself time by module:');
for (const [name, us] of sorted(selfByModule).slice(0, top)) console.log(row(us, name));
console.log('\ncategories (inclusive, overlapping):');
for (const [name, us] of category) console.log(row(us, name));
console.log(`\ntop ${top} functions by self time:`);
for (const [name, us] of sorted(selfByFunction).slice(0, top)) console.log(row(us, name));
