#!/usr/bin/env node
// Thin entry point: all behaviour lives in src/cli.ts (compiled to dist/ by `npm install`).
import { main } from '../dist/cli-entry.js';

process.exitCode = await main(process.argv);
