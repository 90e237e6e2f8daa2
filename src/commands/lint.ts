// `lb-demo lint my-config.json`: what the gateway accepts without a word but will not do as
// written. Exit 1 on an error-level finding; a file it cannot read or a config the gateway
// would refuse is a usage error (exit 2).
import { EXIT } from '../errors.js';
import { type CliIO, colours } from '../io/streams.js';
import { formatFindings } from '../report/text/lint.js';
import { readUserConfig } from '../settings/user-config.js';

export function lintFile(path: string, options: { json?: boolean }, io: CliIO): number {
  const config = readUserConfig(path, 'lint', [], undefined);
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ file: config.file, findings: config.findings }, null, 2)}\n`,
    );
  } else {
    io.stdout.write(formatFindings(config.file, config.findings, colours(io.stdout, io.env)));
  }
  return config.findings.some((f) => f.severity === 'error') ? EXIT.checkFailed : EXIT.ok;
}
