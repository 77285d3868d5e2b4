/**
 * The schema this process serves, kept in step with the registry: the static schema plus
 * one typed view per active contract major (view-schema.ts). `refresh()` reads the active
 * versions and rebuilds only when they changed; applying or promoting a contract through
 * this process refreshes at once, and a poll (`watch`) picks up changes made elsewhere
 * (the CLI, another instance). Listeners (Apollo, the fast path, the WebSocket server)
 * take the new schema for the next operation; operations running keep theirs.
 */
import semver from 'semver';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { ContractRegistry } from '../../contracts/registry';
import type { ActiveVersion } from '../../domain/registered-contract';
import { typeFeatures } from '../../contracts/feature-type';
import { nameViews, type NamedView } from './view-names';
import { servedSchema, type TypedViewSource, type ViewReader } from './view-schema';

export interface TypedViewsOptions {
  base: GraphQLSchema;
  registry: Pick<ContractRegistry, 'activeVersions' | 'resolve'>;
  read: ViewReader;
  logger?: Pick<Logger, 'warn' | 'error'>;
}

export class TypedViews {
  private schema: GraphQLSchema;
  private signature = '';
  private views: NamedView<TypedViewSource>[] = [];
  private lastProblems: string[] = [];
  private readonly listeners = new Set<(schema: GraphQLSchema) => void>();
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly opts: TypedViewsOptions) {
    this.schema = opts.base;
  }

  /** The schema to run the next operation against. */
  get current(): GraphQLSchema {
    return this.schema;
  }

  /** Why views were left out at the last rebuild (naming collisions), one sentence each. */
  get problems(): readonly string[] {
    return this.lastProblems;
  }

  /** The field names under `featureView`, in schema order. */
  get fields(): string[] {
    return this.views.map((v) => v.field);
  }

  onChange(listener: (schema: GraphQLSchema) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Rebuilds when the active versions changed; refreshes run one after another. */
  refresh(): Promise<void> {
    const next = this.pending.then(() => this.rebuild());
    this.pending = next.catch(() => undefined);
    return next;
  }

  /** Polls every `intervalMs`; failures are logged and retried at the next tick. */
  watch(intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.refresh().catch((err: unknown) =>
        this.opts.logger?.warn({ error: String(err) }, 'refreshing the typed feature views failed; retrying'),
      );
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private async rebuild(): Promise<void> {
    const sources = await this.sources();
    const signature = sources.map((s) => `${s.contract}@${s.version}`).join(',');
    if (signature === this.signature) return;
    const taken = new Set(Object.keys(this.opts.base.getTypeMap()));
    const { views, problems } = nameViews(sources, taken);
    for (const p of problems) this.opts.logger?.warn({ problem: p }, 'typed feature view left out');
    this.schema = servedSchema(this.opts.base, views, this.opts.read);
    this.views = views;
    this.lastProblems = problems;
    this.signature = signature;
    for (const listener of this.listeners) listener(this.schema);
  }

  /** The newest active version of every contract major (in any environment), by name then major. */
  private async sources(): Promise<TypedViewSource[]> {
    const newest = new Map<string, ActiveVersion>();
    for (const a of await this.opts.registry.activeVersions()) {
      const key = `${a.name}\u0000${a.major}`;
      const seen = newest.get(key);
      if (!seen || semver.gt(a.version, seen.version)) newest.set(key, a);
    }
    const picked = [...newest.values()].sort((a, b) => a.name.localeCompare(b.name) || a.major - b.major);
    return Promise.all(
      picked.map(async (a) => {
        const reg = await this.opts.registry.resolve(a.name, a.version, a.environment);
        return {
          contract: a.name,
          major: a.major,
          version: a.version,
          description: reg.contract.description,
          features: typeFeatures(reg.contract).features,
        };
      }),
    );
  }
}
