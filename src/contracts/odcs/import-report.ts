/**
 * What an import could not carry over, each at its place in the ODCS file, and where
 * each part of the produced contract came from (so a contract check failing on the
 * result points at the ODCS line that caused it).
 */
import type { Issue } from '../../errors';
import type { YamlLocator } from '../locate';

export class ImportLedger {
  readonly lost: Issue[] = [];
  readonly notes: string[] = [];
  /** Contract pointer → ODCS pointer it was read from; the longest prefix wins. */
  private readonly origins: Array<[string, string]> = [];

  constructor(readonly locator: YamlLocator) {}

  /** Something at `odcsPath` has no place in a Tidemark contract. */
  lose(odcsPath: string, message: string, target?: 'key'): void {
    this.lost.push(this.locator.issue({ path: odcsPath, message, ...(target ? { target } : {}) }));
  }

  /** A choice made for something the document does not say (a default), printed apart from losses. */
  note(message: string): void {
    this.notes.push(message);
  }

  from(contractPath: string, odcsPath: string): void {
    this.origins.push([contractPath, odcsPath]);
  }

  /** The ODCS pointer a contract pointer came from (the document root when unknown). */
  origin(contractPath: string): string {
    let best: [string, string] | undefined;
    for (const o of this.origins) {
      const hit = contractPath === o[0] || contractPath.startsWith(o[0] + '/');
      if (hit && (!best || o[0].length > best[0].length)) best = o;
    }
    return best?.[1] ?? '';
  }

  /** Losses in file order, so the report reads top to bottom beside the document. */
  sortedLost(): Issue[] {
    return this.lost
      .map((issue, i) => ({ issue, i }))
      .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.i - b.i)
      .map(({ issue }) => issue);
  }
}
