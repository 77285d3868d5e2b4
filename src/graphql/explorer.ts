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

/**
 * The page. Queries and mutations go over HTTP with the Headers tab's headers (GraphiQL's
 * own fetcher); subscriptions go over graphql-ws, whose connection carries the Headers
 * tab's Authorization as `connectionParams` (a new connection when it changes), and a
 * refused connection (4401, 4403, 1013, ...) shows as an error in the result pane instead
 * of a spinner that never ends.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Tidemark · GraphQL explorer</title>
  <!-- An inline icon: without one the browser asks for /favicon.ico and logs a 404 on every visit. -->
  <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M0 10q4-4 8 0t8 0v6H0z' fill='%230a6e8a'/%3E%3C/svg%3E" />
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
    const httpFetcher = GraphiQL.createFetcher({ url });
    let ws = null;
    let wsAuth = null;

    function authorization(headers) {
      for (const [k, v] of Object.entries(headers || {})) if (k.toLowerCase() === 'authorization') return String(v);
      return '';
    }

    function wsClient(auth) {
      if (ws && wsAuth === auth) return ws;
      if (ws) ws.dispose();
      wsAuth = auth;
      ws = graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        retryAttempts: 0,
        connectionParams: auth ? { authorization: auth } : {},
      });
      return ws;
    }

    const CLOSES = {
      4401: 'the server asks for an API key',
      4403: 'the server refused the API key',
      1013: 'the server cannot check keys right now (database unreachable); retry later',
    };

    function refusal(err) {
      if (Array.isArray(err)) return err;
      if (err && typeof err.code === 'number') {
        const why = CLOSES[err.code] || 'the WebSocket closed';
        const hint = err.code === 4401 || err.code === 4403
          ? ': put Authorization: Bearer tmk_… in the Headers tab'
          : '';
        return [{ message: why + ' (close ' + err.code + (err.reason ? ' ' + err.reason : '') + ')' + hint }];
      }
      return [{ message: (err && err.message) || String(err) }];
    }

    async function* subscribe(params, auth) {
      try {
        yield* wsClient(auth).iterate(params);
      } catch (err) {
        // A refused connection is a CloseEvent, not an Error: said in words in the result pane.
        if (ws && wsAuth === auth) { ws.dispose(); ws = null; }
        yield { errors: refusal(err) };
      }
    }

    // From the parsed document GraphiQL passes when it is of this very text (it lags behind
    // the editor), else from the text itself, comments cut.
    function isSubscription(doc, text, name) {
      const current = doc && doc.loc && doc.loc.source && doc.loc.source.body === text;
      const ops = current ? doc.definitions.filter((d) => d.kind === 'OperationDefinition') : [];
      if (ops.length > 0) {
        const op = name ? ops.find((o) => o.name && o.name.value === name) : ops[0];
        return !!op && op.operation === 'subscription';
      }
      const code = String(text || '').replace(/#[^\\n]*/g, '');
      if (name) return new RegExp('\\\\bsubscription\\\\s+' + name + '\\\\b').test(code);
      return /^\\s*subscription\\b/.test(code);
    }

    function fetcher(params, opts) {
      if (isSubscription(opts && opts.documentAST, params.query, params.operationName)) {
        const { query, variables, operationName } = params;
        return subscribe({ query, variables, operationName }, authorization(opts && opts.headers));
      }
      return httpFetcher(params, opts);
    }

    const defaultQuery = '# Tidemark: contracts, features, runs and lineage.\\n{\\n  contracts { name version environments features { name kind } }\\n}\\n';
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
    );
  </script>
</body>
</html>`;
