// What a command writes to, and the package's own version: shared by the CLI and the run.
import { readFileSync } from 'node:fs';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when a terminal. */
  columns?: number | undefined;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C / SIGTERM: stop sending, report what completed. */
  signal?: AbortSignal;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
