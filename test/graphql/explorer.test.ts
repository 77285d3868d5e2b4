/**
 * The in-browser explorer: GET /graphql from a browser gets the GraphiQL page, its
 * scripts come from installed packages (no internet needed), and POST /graphql is
 * still the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';

describe(`GraphQL explorer (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeAll(async () => {
    rt = await createTestRuntime();
    s = await startServer(rt);
  });
  afterAll(async () => {
    await s?.close();
    await rt?.dispose();
  });

  const http = () => request(s.server.httpServer);

  it('serves the explorer page to a browser on GET /graphql', async () => {
    const res = await http().get('/graphql').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<div id="graphiql">');
    for (const asset of ['graphiql.js', 'react.js', 'react-dom.js', 'graphql-ws.js', 'graphiql.css']) {
      expect(res.text).toContain(`/explorer/${asset}`);
    }
    // Nothing is fetched from the internet.
    expect(res.text).not.toMatch(/(src|href)="https?:\/\//);
    // The page's own script parses (its regular expressions are written inside a template).
    const script = res.text.slice(res.text.lastIndexOf('<script>') + 8, res.text.lastIndexOf('</script>'));
    expect(() => new Function(script)).not.toThrow();
    // Subscriptions carry the Headers tab's key; refusals are shown, not spun on.
    expect(script).toContain('connectionParams: auth ? { authorization: auth } : {}');
    expect(script).toContain('the server refused the API key');
  });

  it.each(['graphiql.js', 'react.js', 'react-dom.js', 'graphql-ws.js'])(
    'serves /explorer/%s as JavaScript from node_modules',
    async (file) => {
      const res = await http()
        .get(`/explorer/${file}`)
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString('utf8')));
          r.on('end', () => done(null, text));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect((res.body as string).length).toBeGreaterThan(1000);
    },
  );

  it('serves the stylesheet and 404s an unknown asset', async () => {
    const css = await http().get('/explorer/graphiql.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect((await http().get('/explorer/secrets.js')).status).toBe(404);
    expect((await http().get('/explorer/..%2Fpackage.json')).status).toBe(404);
  });

  it('still answers POST /graphql, and GET with a query is not the page', async () => {
    const post = await s.gql('{ __typename contracts { name } }');
    expect(post).toMatchObject({ status: 200, data: { __typename: 'Query', contracts: [] } });
    const get = await http()
      .get('/graphql')
      .query({ query: '{ __typename }' })
      .set('Accept', 'text/html, application/json;q=0.9')
      .set('apollo-require-preflight', 'true');
    expect(get.text).not.toContain('<div id="graphiql">');
    expect(get.body).toEqual({ data: { __typename: 'Query' } });
    // An API client's GET (Accept: application/json) is not the page either.
    const api = await http().get('/graphql').set('Accept', 'application/json');
    expect(api.text).not.toContain('<div id="graphiql">');
  });
});
