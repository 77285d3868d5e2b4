/**
 * The in-browser GraphQL explorer (GraphiQL), served from installed packages so it
 * works with no internet: GET /graphql from a browser gets this page; its scripts
 * come from node_modules through /explorer/*.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Request, type Response, type NextFunction, type Router } from 'express';

const require = createRequire(import.meta.url);
const pkgDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

const ASSETS: Record<string, string> = {
  'react.js': join(pkgDir('react'), 'umd', 'react.production.min.js'),
  'react-dom.js': join(pkgDir('react-dom'), 'umd', 'react-dom.production.min.js'),
  'graphiql.js': join(pkgDir('graphiql'), 'graphiql.min.js'),
  'graphiql.css': join(pkgDir('graphiql'), 'graphiql.min.css'),
  'graphql-ws.js': join(pkgDir('graphql-ws'), 'umd', 'graphql-ws.min.js'),
};

export function explorerAssets(): Router {
  const router = express.Router();
  router.get('/:file', (req, res) => {
    const file = ASSETS[req.params.file as string];
    if (!file) return void res.status(404).end();
    res.sendFile(file, { maxAge: '1d' });
  });
  return router;
}

/** Serves the page to browsers (Accept: text/html) on GET; everything else goes on to Apollo. */
export function explorerPage(req: Request, res: Response, next: NextFunction): void {
  const preferred = req.accepts(['application/json', 'text/html']);
  if (req.method !== 'GET' || preferred !== 'text/html' || req.query.query) {
    return next();
  }
  res.type('html').send(PAGE);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Tidemark · GraphQL explorer</title>
  <link rel="stylesheet" href="/explorer/graphiql.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="/explorer/react.js"></script>
  <script src="/explorer/react-dom.js"></script>
  <script src="/explorer/graphql-ws.js"></script>
  <script src="/explorer/graphiql.js"></script>
  <script>
    const url = location.origin + '/graphql';
    const wsUrl = url.replace(/^http/, 'ws');
    const wsClient = graphqlWs.createClient({ url: wsUrl, lazy: true });
    const fetcher = GraphiQL.createFetcher({ url, wsClient });
    const defaultQuery = '# Tidemark: contracts, features, runs and lineage.\\n{\\n  contracts { name version environments features { name kind } }\\n}\\n';
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
    );
  </script>
</body>
</html>`;
