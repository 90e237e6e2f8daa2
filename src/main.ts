// Process concerns only: signals, a closed stdout, the exit code. The program is in cli.ts.
import { main as runCli } from './cli.js';
import { EXIT } from './errors.js';

export async function main(argv: readonly string[]): Promise<number> {
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.interrupted); // a second Ctrl-C means now
    process.stderr.write(
      `\nlb-demo: ${signal}: finishing the requests in flight, then reporting...\n`,
    );
    interrupt.abort();
  };
  // `lb-demo --help | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runCli(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      signal: interrupt.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// Run directly (npm run dev): behave like the bin.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv);
}
