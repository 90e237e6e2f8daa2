// Process concerns only: signals, the standard streams, the exit code. The program is in cli.ts.
import { main as runCli } from './cli.js';
import { EXIT } from './errors.js';
import { guarded } from './io/streams.js';
import { stopLiveProgress } from './report/progress.js';

export async function main(argv: readonly string[]): Promise<number> {
  const stdout = guarded(process.stdout);
  const stderr = guarded(process.stderr);
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    stopLiveProgress();
    if (interrupts > 1) process.exit(EXIT.interrupted); // a second Ctrl-C means now
    stderr.write(`\nlb-demo: ${signal}: finishing the requests in flight, then reporting...\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const code = await runCli(argv, {
      stdout,
      stderr,
      env: process.env,
      signal: interrupt.signal,
      stdin: process.stdin,
    });
    // A reader that closed the pipe (`| head`) chose to stop reading: not an error. Any other
    // failure to write the report is one line and its own status, also for a quick command whose
    // write fails after it returned.
    await Promise.all([stdout.settled(), stderr.settled()]);
    const failure = stdout.failure ?? stderr.failure;
    if (failure && code !== EXIT.interrupted) {
      stderr.write(`lb-demo: cannot write the output (${failure.code ?? failure.message})\n`);
      return EXIT.writeFailed;
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Run directly (npm run dev): behave like the bin.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv);
}
