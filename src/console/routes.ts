/**
 * The Tidemark Console (console/, built by Vite into console/dist): its hashed assets
 * under /console-assets/ and its index.html for each console route, so a reload or a
 * shared link of /runs/<id> opens that page (history-API fallback). Only these paths:
 * everything else (/graphql, /healthz, /readyz, /metrics, /explorer/*) keeps its own
 * handler, and an unknown path still answers 404.
 *
 * The page and its scripts are public, like the explorer's: they hold no data. Data
 * comes only through /graphql, with the key the console asks for where keys are required.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

export const CONSOLE_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console', 'dist');

/** Paths the console's router answers (console/src/router.tsx). */
export const CONSOLE_ROUTES = [
  '/',
  '/runs',
  '/runs/:id',
  '/contracts/:name',
  // Lineage graph and feature explorer (issue 16).
  '/lineage',
  '/features',
];

export function consoleRoutes(dist = CONSOLE_DIST): Router {
  const router = express.Router();
  // Vite names each asset by its content hash: cache forever; a new build has new names.
  router.use(
    '/console-assets',
    express.static(join(dist, 'console-assets'), { immutable: true, maxAge: '1y', index: false }),
    // An asset of another build: a plain 404 (not an error passed on, which Express prints as a stack).
    (_req, res) => void res.status(404).end(),
  );
  router.get(CONSOLE_ROUTES, (_req, res) => {
    const index = join(dist, 'index.html');
    // Checked per request: a build that finishes after the server started is served at once.
    if (!existsSync(index)) return void res.status(503).type('html').send(NOT_BUILT);
    res.sendFile(index, { headers: { 'cache-control': 'no-cache' } });
  });
  return router;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Tidemark Console not built</title>
<link rel="icon" href="data:," /></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>The console is not built</h1>
<p>Build it with <code>npm install</code> (it builds the console) or <code>npm run build:console</code>,
then reload this page. The GraphQL API and its explorer are at <a href="/graphql">/graphql</a>.</p>
</body></html>`;
