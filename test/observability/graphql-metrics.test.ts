/**
 * The Apollo plugin records one duration per GraphQL request, labelled by operation
 * name, operation type and outcome; client-chosen names cannot blow up the label set.
 */
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { graphqlMetricsPlugin, operationLabeller } from '../../src/graphql/metrics.plugin';

const typeDefs = `
  type Query { hello: String, boom: String }
  type Mutation { bump: Int }
`;
const resolvers = {
  Query: {
    hello: () => 'hi',
    boom: () => {
      throw new Error('boom');
    },
  },
  Mutation: { bump: () => 1 },
};

describe('graphqlMetricsPlugin', () => {
  let metrics: Metrics;
  let server: ApolloServer;

  beforeAll(async () => {
    metrics = createMetrics();
    server = new ApolloServer({ typeDefs, resolvers, plugins: [graphqlMetricsPlugin(metrics)] });
    await server.start();
    await server.executeOperation({ query: 'query Hello { hello }' });
    await server.executeOperation({ query: 'query Hello { hello }' });
    await server.executeOperation({ query: '{ hello }' });
    await server.executeOperation({ query: 'query Boom { boom }' });
    await server.executeOperation({ query: 'mutation Bump { bump }' });
    await server.executeOperation({ query: 'query Broken {' });
    await server.executeOperation({ query: 'query Unknown { nope }', operationName: 'Unknown' });
  });
  afterAll(() => server.stop());

  async function count(labels: Record<string, string>): Promise<number | undefined> {
    const { values } = await metrics.graphqlDuration.get();
    return values.find(
      (v) =>
        v.metricName === 'tidemark_graphql_request_duration_seconds_count' &&
        Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val) &&
        Object.keys(v.labels).length === Object.keys(labels).length,
    )?.value;
  }

  it('labels each request with its operation name, type and outcome', async () => {
    expect(await count({ operation: 'Hello', type: 'query', outcome: 'ok' })).toBe(2);
    expect(await count({ operation: 'anonymous', type: 'query', outcome: 'ok' })).toBe(1);
    expect(await count({ operation: 'Boom', type: 'query', outcome: 'error' })).toBe(1);
    expect(await count({ operation: 'Bump', type: 'mutation', outcome: 'ok' })).toBe(1);
  });

  it('records requests that never reach execution as errors of unknown type', async () => {
    expect(await count({ operation: 'anonymous', type: 'unknown', outcome: 'error' })).toBe(1);
    expect(await count({ operation: 'Unknown', type: 'unknown', outcome: 'error' })).toBe(1);
  });

  it('records every request exactly once', async () => {
    const { values } = await metrics.graphqlDuration.get();
    const total = values
      .filter((v) => v.metricName === 'tidemark_graphql_request_duration_seconds_count')
      .reduce((n, v) => n + v.value, 0);
    expect(total).toBe(7);
  });
});

describe('operationLabeller', () => {
  it('keeps tidy names up to the cap, and folds the rest into anonymous, invalid or other', () => {
    const label = operationLabeller(2);
    expect(label(null)).toBe('anonymous');
    expect(label('')).toBe('anonymous');
    expect(label('not a name')).toBe('invalid');
    expect(label('x'.repeat(65))).toBe('invalid');
    expect(label('First')).toBe('First');
    expect(label('Second')).toBe('Second');
    expect(label('Third')).toBe('other');
    expect(label('First')).toBe('First');
  });
});
