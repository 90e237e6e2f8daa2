// The commander program: the run (the default command), `report`, `lint`, `merge` and `init`. Loads nothing heavy
// until a command is asked for, so that --help and --version answer at once; maps outcomes to exit
// codes.
import { Command, CommanderError, Option } from 'commander';
import { EXIT, RunError, UsageError, WriteError } from './errors.js';
import { type CliIO, packageVersion } from './io/streams.js';
import { oneLine, printable } from './io/text.js';
import { SCENARIO_CHOICES } from './scenarios.js';

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = runCommand(io, (code) => {
    exitCode = code;
  });
  program
    .command('report <results>')
    .description('render a saved --json / --out document as a self-contained HTML page')
    .option('-o, --out <file>', 'the HTML file to write (required)')
    // -o meant --output here and --out in the run; --out is the one name now, --output stays
    // working (unlisted) for the scripts that used it.
    .addOption(new Option('--output <file>').hideHelp().conflicts('out'))
    .action(async (results: string, options: { out?: string; output?: string }) => {
      const [flag, file] =
        options.output !== undefined ? ['--output', options.output] : ['--out', options.out];
      if (file === undefined)
        throw new UsageError("required option '-o, --out <file>' not specified");
      const { renderReportFile } = await import('./commands/report.js');
      renderReportFile(results, file, flag);
      io.stdout.write(`HTML report written to ${file}\n`);
    });
  program
    .command('lint <config>')
    .description(
      'check a Portkey config for what the gateway accepts silently but will not do as written (exit 1 on an error)',
    )
    .option('--json', 'print {"findings": [{severity, path, rule, message}]} instead')
    .action(async (config: string, options: { json?: boolean }) => {
      const { lintFile } = await import('./commands/lint.js');
      exitCode = lintFile(config, options, io);
    });
  program
    .command('merge <shards...>')
    .description(
      'merge the documents of a sharded run (files, or - for a stream such as kubectl logs) into one, judged once: checks, exit status',
    )
    .option('--json', 'print the merged JSON document on stdout instead of the report')
    .option('-o, --out <file>', 'also write the merged JSON document to a file')
    .option('--report <file.html>', 'also write a self-contained HTML report of the merged run')
    .option('--allow-partial', 'pass with shards missing or cut short (coverage still reported)')
    .action(
      async (
        shards: string[],
        options: { json?: boolean; out?: string; report?: string; allowPartial?: boolean },
      ) => {
        const { mergeCommand } = await import('./commands/merge.js');
        exitCode = await mergeCommand(shards, options, io);
      },
    );
  program
    .command('init [dir]')
    .description(
      'copy .env.example and the examples (targets files and Portkey configs, examples/*.json) into dir (default: .)',
    )
    .action(async (dir: string | undefined) => {
      const { writeStarterFiles } = await import('./commands/init.js');
      const written = writeStarterFiles(dir ?? '.');
      io.stdout.write(written.map((path) => `wrote ${printable(path)}\n`).join(''));
    });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/** The run's flags; its action validates them into settings and runs the demo. */
function runCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command('lb-demo').description(
    'Show, measure and check how the Portkey AI Gateway load-balances chat completions across providers.\n' +
      'Without a gateway URL it starts the real gateway and simulated Ollama and vLLM servers on loopback.',
  );
  addWhatToSend(program);
  addYourConfig(program);
  addSharding(program);
  addWhatToReport(program);
  program
    .optionsGroup('Other:')
    .version(packageVersion(), '-V, --version')
    .helpOption('-h, --help', 'display help for command');
  return (
    program
      .addHelpText(
        'after',
        '\nExit status: 0 run completed (and every check passed), 1 a check failed (or a scenario\n' +
          'had no success, or the lint found errors in --config), 2 bad usage or configuration,\n' +
          '3 gateway unreachable, failed to start or gone mid-run, 4 an output could not be\n' +
          'written, 130 interrupted.',
      )
      .showHelpAfterError(false)
      // `report -o x.html` must reach the subcommand, not the run's own -o (--out).
      .enablePositionalOptions()
      .exitOverride()
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(text),
        outputError: () => {},
      })
      .action(async (options) => {
        // Bad input is answered before the SDK and the gateway launcher are even loaded.
        const { loadEnv } = await import('./settings/env.js');
        const { resolveSettings } = await import('./settings/resolve.js');
        const settings = resolveSettings(options, loadEnv(io.env));
        const { runDemo } = await import('./commands/run.js');
        setExitCode(await runDemo(settings, io));
      })
  );
}

/** Scenarios, targets, the gateway, the load and the faults. */
function addWhatToSend(program: Command): void {
  program
    .optionsGroup('What to run, and where:')
    .addOption(
      new Option(
        '-s, --scenario <name>',
        'scenario to run: all = the seed three; resilience = failover, retry and timeout; drills = stream-failover, slow-first-token and retry-schedule',
      )
        .choices([...SCENARIO_CHOICES])
        .default('all'),
    )
    .addOption(
      new Option(
        '-n, --requests <n>',
        'requests per scenario (defaults: round-robin 6, weighted 10, distribution 20)',
      ).conflicts('duration'),
    )
    .option(
      '-w, --weights <list>',
      'weights for the weighted scenario, e.g. 0.25,0.75 or 1,3 (env LB_WEIGHTS)',
    )
    .option(
      '-t, --targets <file>',
      'JSON file of targets: [{name, provider, custom_host, model, api_key?, weight?}] (env LB_TARGETS_FILE)',
    )
    .option(
      '-g, --gateway <url>',
      'your Portkey gateway, e.g. http://localhost:8787/v1 (env GATEWAY_URL); default: embedded',
    )
    .option(
      '--fault <spec>',
      'inject a fault into a simulated target, e.g. vllm:error_rate=0.2,error_status=503 (repeatable; env LB_FAULTS, ";"-separated)',
      (spec: string, previous: string[] = []) => [...previous, spec],
    )
    .optionsGroup('Load:')
    .option(
      '-c, --concurrency <n>',
      'closed loop: requests in flight at once (default 1, as the seed)',
    )
    .addOption(
      new Option(
        '-r, --rate <r>',
        'open loop: requests per second, Poisson arrivals (instead of --concurrency)',
      ).conflicts('concurrency'),
    )
    .option(
      '--max-in-flight <n>',
      'open loop: requests in flight at most; arrivals beyond are dropped and counted (default from the open-file limit, at most 10000)',
    )
    .option('-d, --duration <s>', 'send for this many seconds instead of a request count')
    .option(
      '--workers <n>',
      'send from n threads, each a share of the load, results merged (default 1)',
    )
    .option(
      '--stream',
      'streamed completions: time to first token, time per output token, tokens/s',
    )
    .option(
      '--stream-idle-timeout <ms>',
      'streamed: a 200 stream that sends nothing for this many ms fails as stalled-stream (default 30000)',
    )
    .option(
      '--timeout <ms>',
      'give up on a request after this many ms, reported as a timeout (default 60000)',
    );
}

/** One shard of a run spread over several processes, for `lb-demo merge`. */
function addSharding(program: Command): void {
  program
    .optionsGroup('Shards of one run, for lb-demo merge:')
    .addOption(
      new Option(
        '--shard <i/N>',
        'run shard i (from 0) of N: --requests, --concurrency and --rate are the totals over all shards',
      ).conflicts('shards'),
    )
    .option(
      '--shards <N>',
      'the number of shards, the index coming from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) (env LB_SHARDS)',
    )
    .option(
      '--run-id <id>',
      'the id every shard of the run shares, for lb-demo merge (env LB_RUN_ID)',
    );
}

/** The user's own Portkey config instead of the built-in scenarios. */
function addYourConfig(program: Command): void {
  program
    .optionsGroup('Your own Portkey config:')
    .addOption(
      new Option(
        '--config <file>',
        'run your own Portkey config (JSON) instead of the scenarios: lint, predict, test every loadbalance (env LB_CONFIG_FILE)',
      ).conflicts(['scenario', 'targets', 'weights']),
    )
    .option(
      '--case <json>',
      'a request case for the config\'s conditional routing, e.g. \'{"metadata":{"plan":"paid"},"expect":"premium"}\' (repeatable)',
      (spec: string, previous: string[] = []) => [...previous, spec],
    )
    .option(
      '--cases <file>',
      'a JSON file of request cases: [{metadata?, params?, expect?, label?}]',
    )
    .option(
      '--metadata <json>',
      'metadata sent with the run\'s own requests (x-portkey-metadata), e.g. \'{"plan":"paid"}\': the branch of a conditional they take',
    )
    .option('--ignore-lint', 'run the config even when the lint finds errors in it');
}

/** What to print and write, and the checks that set the exit status. */
function addWhatToReport(program: Command): void {
  program
    .optionsGroup('Output:')
    .option('--json', 'print one JSON document on stdout instead of the report')
    .option('--report <file.html>', 'also write a self-contained HTML report of the run')
    .option('-o, --out <file>', 'also write the JSON document to a file (the report still prints)')
    .option(
      '--records <file.jsonl>',
      'also write a JSON line per request (target, latency, tokens, error) as each completes',
    )
    .optionsGroup('Checks (exit 1 when one fails):')
    .option('--alpha <a>', 'significance level of the verdict on the split', '0.05')
    .option(
      '--fail-on-skew',
      "exit 1 when a scenario's split differs from its weights or the verdict is inconclusive",
    )
    .option(
      '--min-success-rate <pct>',
      'exit 1 when a scenario succeeds less often than this, in percent',
    )
    .option('--max-p99 <ms>', "exit 1 when a scenario's p99 latency is above this, in ms");
}

function reportError(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return EXIT.ok; // --help, --version
    // Commander's messages may run over lines ("(Did you mean ...?)") or quote a raw value.
    io.stderr.write(`lb-demo: ${oneLine(error.message.replace(/^error: /, ''))}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`lb-demo: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof WriteError) {
    io.stderr.write(`lb-demo: ${error.message}\n`);
    return EXIT.writeFailed;
  }
  if (error instanceof RunError) {
    io.stderr.write(`lb-demo: ${error.message}\n`);
    return EXIT.cannotRun;
  }
  // A bug of ours: still one line, with a hint where to look.
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`lb-demo: unexpected error: ${message} (set LB_DEBUG=1 for details)\n`);
  if (io.env.LB_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  return EXIT.cannotRun;
}
