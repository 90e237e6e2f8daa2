// Errors that end a run with a known exit status and one line for the user.

/** Bad flag, variable or file: exit status 2. The message names the input and what is wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The run could not go on (for example the gateway cannot be reached): exit status 3. */
export class RunError extends Error {
  override name = 'RunError';
}

/** An output could not be written (stdout, --out, --report): exit status 4. */
export class WriteError extends Error {
  override name = 'WriteError';
}

export const EXIT = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  cannotRun: 3,
  writeFailed: 4,
  interrupted: 130,
} as const;
