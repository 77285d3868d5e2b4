#!/usr/bin/env node
// The `tidemark` command. It runs from the TypeScript sources, so a clone needs no build
// step: `npm install && npx tidemark --help`. The sources are bundled once into
// node_modules/.cache and run as JavaScript (src/lib/bundle.mjs says why); where that cannot be
// done they run through tsx. The repository's tsconfig is named explicitly: tsx would
// otherwise look in the working directory, and the command must work from anywhere.
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { bundled, bundleName } from '../src/lib/bundle.mjs';
import { V8_FLAGS } from './v8-flags.mjs';

// Before the program allocates: the flags change how the heap is used.
for (const flag of V8_FLAGS) setFlagsFromString(flag);

const entry = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const cli = await bundled(entry, bundleName(entry));
if (cli) await import(cli.href);
else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  await import('../src/cli.ts');
}
