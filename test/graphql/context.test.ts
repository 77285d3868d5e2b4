/**
 * The request context makes its DataLoaders on first use, once per request, and keeps
 * doing so on the copy Apollo executes with (own properties copied onto an object of
 * the same prototype).
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, createServices } from '../../src/graphql/context';
import { ANONYMOUS } from '../../src/auth/gate';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

describe(`request context (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await createTestRuntime();
  });
  afterAll(async () => {
    await rt.dispose();
  });

  it('makes loaders once per request, on first use, also on a copy of the context', async () => {
    const services = createServices(rt);
    const a = createContext(rt, services, ANONYMOUS);
    const b = createContext(rt, services, ANONYMOUS);
    expect(a.loaders).toBe(a.loaders);
    expect(a.loaders).not.toBe(b.loaders);
    expect(a.actor).toBe('anonymous');
    expect(a.principal).toBe(ANONYMOUS);
    const copy = Object.assign(Object.create(Object.getPrototypeOf(b)), b);
    expect(copy.loaders).toBe(copy.loaders);
    expect(await copy.loaders.run.load('nope')).toBeNull();
  });
});
