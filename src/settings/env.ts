// Variables from ./.env, merged under the real environment.
import { parseEnv } from 'node:util';
import { readTextFile } from '../io/files.js';
import { printable } from '../io/text.js';
import type { Env } from '../model/input.js';

/** Variables from ./.env, if there is one; the real environment wins over the file. */
export function loadEnv(processEnv: Env, path = '.env'): Env {
  const text = readTextFile(path, printable(path), { missingOk: true, maxBytes: 1024 * 1024 });
  if (text === undefined) return processEnv;
  // An editor's byte order mark would otherwise become part of the first variable's name.
  return { ...parseEnv(text.replace(/^\uFEFF/, '')), ...processEnv };
}
