// Benchmark figures: a measured value, the goal it is held to, and the spread over runs. Pure helpers
// (no I/O) shared by every scenario and by the runner that writes bench/results.{json,md}.

export type GoalOp = '<' | '<=' | '>=' | '==';

/** A goal, or `info` for figures reported without one. */
export type Goal = { op: GoalOp; target: number; text?: string } | 'info';

export interface Figure {
  name: string;
  value: number;
  /** Goal as text, e.g. "< 250"; "info" when the figure has none. */
  goal: string;
  /** Whether the goal is met; null for info figures. */
  pass: boolean | null;
  min: number;
  max: number;
  unit: string;
  /** Number of samples behind value/min/max. */
  samples: number;
  note?: string;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  samples: number;
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function spread(values: number[]): Spread {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    samples: values.length,
  };
}

export function meets(value: number, goal: Goal): boolean | null {
  if (goal === 'info') return null;
  switch (goal.op) {
    case '<':
      return value < goal.target;
    case '<=':
      return value <= goal.target;
    case '>=':
      return value >= goal.target;
    case '==':
      return value === goal.target;
  }
}

export function goalText(goal: Goal): string {
  if (goal === 'info') return 'info';
  return goal.text ?? `${goal.op} ${goal.target}`;
}

function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
}

/** A figure from several samples: the median is the value, min and max show the spread. */
export function figureOf(name: string, samples: number[], goal: Goal, unit: string, note?: string): Figure {
  const s = spread(samples);
  const figure: Figure = {
    name,
    value: round(s.median),
    goal: goalText(goal),
    pass: meets(s.median, goal),
    min: round(s.min),
    max: round(s.max),
    unit,
    samples: s.samples,
  };
  if (note) figure.note = note;
  return figure;
}

/** A figure whose pass/fail is decided by the caller (e.g. "list pages only"). */
export function judgedFigure(
  name: string,
  value: number,
  goal: string,
  pass: boolean,
  unit: string,
  note?: string,
): Figure {
  const figure: Figure = {
    name,
    value: round(value),
    goal,
    pass,
    min: round(value),
    max: round(value),
    unit,
    samples: 1,
  };
  if (note) figure.note = note;
  return figure;
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  quick: boolean;
  durationMs: number;
  figures: Figure[];
  /** Set when the scenario could not run; its figures are then absent. */
  error?: string;
}

export interface Results {
  generatedAt: string;
  quick: boolean;
  node: string;
  cpus: number;
  loadAverage: number[];
  scenarios: ScenarioResult[];
  /** figure name -> figure, across all scenarios (the shape consumers read). */
  figures: Record<string, Omit<Figure, 'name'>>;
}

export function collectFigures(scenarios: ScenarioResult[]): Results['figures'] {
  const out: Results['figures'] = {};
  for (const s of scenarios) for (const { name, ...rest } of s.figures) out[name] = rest;
  return out;
}

function cell(value: number): string {
  return Number.isFinite(value) ? String(value) : '-';
}

export function markdownTable(results: Results): string {
  const lines = [
    `# gamma-csm benchmark results${results.quick ? ' (quick)' : ''}`,
    '',
    `Generated ${results.generatedAt} on Node ${results.node}, ${results.cpus} CPUs, load average ` +
      `${results.loadAverage.map((l) => l.toFixed(1)).join(' / ')}. Values are medians; min and max show the spread.`,
    '',
    '| scenario | figure | value | goal | pass | min | max | unit | samples |',
    '| --- | --- | ---: | --- | :---: | ---: | ---: | --- | ---: |',
  ];
  for (const s of results.scenarios) {
    if (s.error) lines.push(`| ${s.scenario} | (not run) | - | - | - | - | - | - | - |`);
    for (const f of s.figures) {
      const pass = f.pass === null ? '' : f.pass ? 'yes' : '**no**';
      lines.push(
        `| ${s.scenario} | ${f.name} | ${cell(f.value)} | ${f.goal} | ${pass} | ${cell(f.min)} | ${cell(f.max)} | ${f.unit} | ${f.samples} |`,
      );
    }
  }
  const notes = results.scenarios.flatMap((s) => [
    ...(s.error ? [`- ${s.scenario}: not run: ${s.error}`] : []),
    ...s.figures.filter((f) => f.note).map((f) => `- ${f.name}: ${f.note}`),
  ]);
  if (notes.length) lines.push('', '## Notes', '', ...notes);
  return `${lines.join('\n')}\n`;
}
