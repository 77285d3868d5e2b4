import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'One bin of a numeric histogram: values in (lo, hi] (the first bin includes lo).',
})
export class HistogramBin {
  @Field(() => Float) lo!: number;
  @Field(() => Float) hi!: number;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'One of the most frequent values of a text or boolean column.' })
export class TopValue {
  @Field(() => String) value!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: 'A quantile of a numeric column (KLL sketch, rank error within 2 %).' })
export class Quantile {
  @Field(() => String, { description: 'p1, p5, p25, p50, p75, p95 or p99.' }) name!: string;
  @Field(() => Float) q!: number;
  @Field(() => Float) value!: number;
}

@ObjectType({
  description:
    'The profile of one column (or feature) over the rows a run stored: counts, moments, a HyperLogLog distinct count, KLL quantiles, and a histogram (numbers) or top values (text). See docs/validation.md.',
})
export class ColumnProfile {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'column or feature.' }) kind!: string;
  @Field(() => String, { description: 'numeric (numbers, dates and timestamps as epoch ms) or text.' })
  valueKind!: string;
  @Field(() => Int, { description: 'Rows profiled, nulls included.' }) count!: number;
  @Field(() => Int) nulls!: number;
  @Field(() => Int, {
    description: 'Distinct non-null values (HyperLogLog estimate, about 1.6 % standard error).',
  })
  distinct!: number;
  @Field(() => Float, { nullable: true }) min!: number | null;
  @Field(() => Float, { nullable: true }) max!: number | null;
  @Field(() => Float, { nullable: true }) mean!: number | null;
  @Field(() => Float, { nullable: true, description: 'Sample standard deviation (n - 1).' }) stddev!:
    number | null;
  @Field(() => [Quantile], { description: 'Empty for text.' }) quantiles!: Quantile[];
  @Field(() => [HistogramBin], { description: '20 equal bins between min and max; empty for text.' })
  histogram!: HistogramBin[];
  @Field(() => [TopValue], { description: 'The 10 most frequent values; empty for numbers.' })
  topValues!: TopValue[];
}

@ObjectType({ description: "A column's or feature's profile in one run, for charting it over runs." })
export class ProfilePoint {
  @Field(() => ID) runId!: string;
  @Field(() => Date) committedAt!: Date;
  @Field(() => ColumnProfile) profile!: ColumnProfile;
}
