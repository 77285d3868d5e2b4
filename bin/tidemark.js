#!/usr/bin/env node
// The `tidemark` command. Tidemark runs its TypeScript sources through tsx, so a
// clone needs no build step: `npm install && npx tidemark --help`. The repository's
// tsconfig is named explicitly: tsx would otherwise look in the working directory,
// and the command must work from anywhere.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli.ts');
