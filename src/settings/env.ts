// Variables from ./.env, merged under the real environment.
import { parseEnv } from 'node:util';
import { readTextFile } from '../io/files.js';
import { printable } from '../io/text.js';
import type { Env } from '../model/input.js';

/** Variables from ./.env, if there is one; the real environment wins over the file. */
export function loadEnv(processEnv: Env, path = '.env'): Env {
  const text = readTextFile(path, printable(path), true);
  return text === undefined ? processEnv : { ...parseEnv(text), ...processEnv };
}
