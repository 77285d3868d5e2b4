#!/usr/bin/env node
// The `tidemark` command. Tidemark runs its TypeScript sources through tsx, so a
// clone needs no build step: `npm install && npx tidemark --help`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
