import { Authorized, Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';

export enum RunStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
  ROLLED_BACK = 'rolled_back',
  SUPERSEDED = 'superseded',
}
registerEnumType(RunStatus, {
  name: 'RunStatus',
  description: 'queued → running → succeeded / failed; later rolled_back or superseded.',
});

@ObjectType({ description: 'One expectation evaluated over a batch (Great Expectations SUMMARY shape).' })
export class ExpectationResult {
  @Field(() => String) expect!: string;
  @Field(() => String, { nullable: true }) column?: string | null;
  @Field(() => [String], { nullable: true }) columns?: string[] | null;
  @Field(() => String) severity!: string;
  @Field(() => String, {
    nullable: true,
    description:
      "'view' when checked on the feature view's visible rows in the run's commit (contract `scope: view`); null for the run's batch, the default.",
  })
  scope?: string | null;
  @Field(() => Boolean) success!: boolean;
  @Field(() => Int, { nullable: true }) elementCount?: number;
  @Field(() => Int, { nullable: true }) unexpectedCount?: number;
  @Field(() => Float, { nullable: true }) unexpectedPercent?: number;
  @Field(() => Float, { nullable: true }) mostly?: number | null;
  @Field(() => GraphQLJSON, { nullable: true }) observedValue?: unknown;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      'Up to 20 unexpected values with their row numbers, raw batch and file name; unexpectedCount says how many there were in all.',
  })
  sample?: unknown;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'The bounds an aggregate was held to (min, max), and other facts a reviewer needs.',
  })
  details?: unknown;
}

@ObjectType()
export class ValidationStatistics {
  @Field(() => Int) evaluatedExpectations!: number;
  @Field(() => Int) successfulExpectations!: number;
  @Field(() => Int) unsuccessfulExpectations!: number;
  @Field(() => Float) successPercent!: number;
}

@ObjectType({ description: 'The validation report of a run.' })
export class ValidationReport {
  @Field(() => Boolean) success!: boolean;
  @Field(() => ValidationStatistics) statistics!: ValidationStatistics;
  @Field(() => [ExpectationResult]) results!: ExpectationResult[];
}

@ObjectType({ description: 'An acquired input, immutable and content-addressed.' })
export class RawBatch {
  @Field(() => ID) id!: string;
  @Field(() => String) sha256!: string;
  @Field(() => String) sourceType!: string;
  @Field(() => String, { nullable: true }) sourceUri!: string | null;
  @Field(() => Float) sizeBytes!: number;
  @Field(() => Int, { nullable: true }) rowCount!: number | null;
  @Field(() => Date) receivedAt!: Date;
}

@ObjectType()
export class RejectReason {
  @Field(() => String) rule!: string;
  @Field(() => String, { nullable: true }) column?: string;
  @Field(() => String) message!: string;
  @Field(() => GraphQLJSON, { nullable: true }) value?: unknown;
}

@ObjectType({ description: 'A rejected row: its raw values, where it came from and every reason.' })
export class RejectedRow {
  @Field(() => Int) rowNumber!: number;
  @Field(() => String) rawBatchId!: string;
  @Field(() => String, {
    nullable: true,
    description: "The raw batch's file name (or stream range); null for pushed records.",
  })
  file!: string | null;
  @Field(() => GraphQLJSON) raw!: unknown;
  @Field(() => [RejectReason]) reasons!: RejectReason[];
}

@ObjectType({
  description:
    'Where a page of rejected rows sits. Cursors come with keyset pages (first/after, last/before); an offset page has none.',
})
export class RejectPageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `before` for the page before this one.' })
  startCursor!: string | null;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the page after this one.' })
  endCursor!: string | null;
}

@ObjectType()
export class RejectConnection {
  @Field(() => [RejectedRow]) nodes!: RejectedRow[];
  @Field(() => Int) totalCount!: number;
  @Field(() => RejectPageInfo) pageInfo!: RejectPageInfo;
}

@ObjectType({
  description:
    "One stage of a run and the wall time the run spent in it. Rows are transformed as the commit inserts them, so that is one stage; the stages add up to the run's time.",
})
export class RunStage {
  @Field(() => String, {
    description:
      'read, history, validate, transform and write features, profiles, rejects, lineage or view checks, in the order the run went through them.',
  })
  name!: string;
  @Field(() => Float, { description: 'Milliseconds.' }) ms!: number;
  @Field(() => Int, { nullable: true, description: 'Rows the stage handled, where it handles rows.' })
  rows!: number | null;
}

@ObjectType({ description: 'One execution of a contract version over raw batches in one environment.' })
export class Run {
  @Field(() => ID) id!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'On a run delivered by runStatusChanged: the cursor of this status change in the run event log. Pass the last one received as `after` to resume. Null elsewhere.',
  })
  eventCursor?: string | null;
  @Field(() => String) contract!: string;
  @Field(() => String) contractVersion!: string;
  @Field(() => String) contractHash!: string;
  @Field(() => String) environment!: string;
  @Field(() => String) trigger!: string;
  @Field(() => RunStatus) status!: RunStatus;
  @Field(() => Int) attempt!: number;
  @Field(() => Int) rowsRead!: number;
  @Field(() => Int) rowsValid!: number;
  @Field(() => Int) rowsRejected!: number;
  @Field(() => Int) rowsFiltered!: number;
  @Field(() => Int) rowsWritten!: number;
  @Field(() => String, { nullable: true }) outputDigest!: string | null;
  @Field(() => ValidationReport, { nullable: true }) validation!: ValidationReport | null;
  @Field(() => Int, {
    description: 'Its `warn` expectations that did not hold: they block nothing, the run still succeeds.',
  })
  warnings!: number;
  @Field(() => String) codeVersion!: string;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) queuedAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'System time from which its rows are visible.' })
  committedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'System time from which its rows are hidden again.' })
  invalidatedAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Why the run failed, in plain words. Failures inside Tidemark (not the data, the contract or the database being away) say only that; the text is in errorDetail.',
  })
  error!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'How the run failed: validation (a fail expectation), input (the data or its files), transient (retried), interrupted (its process stopped), storage (the disk is full; retried on a slower schedule).',
  })
  errorKind!: string | null;
  @Authorized('admin')
  @Field(() => String, {
    nullable: true,
    description: 'The error exactly as the run recorded it, internal text included. Admins only.',
  })
  errorDetail!: string | null;
  @Field(() => [RunStage], {
    nullable: true,
    description:
      'Where its time went, stage by stage; a failed run lists the stages it reached. Null while it runs and for runs recorded before stage timings were kept.',
  })
  stages!: RunStage[] | null;
  /** Not a field: resolved through the run loader. */
  parentRunId!: string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType()
export class RunConnection {
  @Field(() => [Run]) nodes!: Run[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}
