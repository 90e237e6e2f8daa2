import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/settings/env.js';
import { scratchDir, writeText } from '../e2e/helpers.js';

const dir = scratchDir();
const file = (name: string, text: string) => writeText(dir, name, text);

describe('loadEnv', () => {
  it('reads .env and lets the real environment win', () => {
    const path = file('.env', 'LB_WEIGHTS=1,2\nOLLAMA_MODEL="llama3.2"\n# comment\n');
    expect(loadEnv({ LB_WEIGHTS: '5,5' }, path)).toMatchObject({
      LB_WEIGHTS: '5,5',
      OLLAMA_MODEL: 'llama3.2',
    });
    expect(loadEnv({ A: '1' }, join(dir, 'nothing.env'))).toEqual({ A: '1' });
  });
});
