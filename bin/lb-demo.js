#!/usr/bin/env node
// Thin entry point: all behaviour lives in src/main.ts, compiled to dist/ by `npm install`.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv);
