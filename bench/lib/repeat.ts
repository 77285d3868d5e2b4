/**
 * Repetitions for medians. Subjects are interleaved (A B C, A B C, ...) so that a
 * noisy neighbour slows every subject alike; each subject repeats up to `reps`
 * times, but stops early once its own runs have used `budgetMs` (always at least once).
 */
export interface Subject {
  name: string;
  run(rep: number): Promise<number>;
}

export async function interleave(
  subjects: Subject[],
  reps: number,
  budgetMs: number,
): Promise<Map<string, number[]>> {
  const samples = new Map(subjects.map((s) => [s.name, [] as number[]]));
  const spent = new Map(subjects.map((s) => [s.name, 0]));
  for (let i = 0; i < reps; i++) {
    for (const s of subjects) {
      if (i > 0 && spent.get(s.name)! >= budgetMs) continue;
      const t0 = performance.now();
      samples.get(s.name)!.push(await s.run(i));
      spent.set(s.name, spent.get(s.name)! + performance.now() - t0);
    }
  }
  return samples;
}
