#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `symphony` works from a fresh clone with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
