/** What a campaign soak found, and how it is printed (the soak's output and BENCHMARKS.md). */
export interface CampaignSoakReport {
  readonly recipients: number;
  readonly ratePerSecond: number;
  readonly durationS: number;
  readonly faults: Readonly<Record<string, number>>;
  /** Recipient tasks that existed when the function was killed (less than all: the crash was mid-enqueue). */
  readonly tasksAtCrash: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly rbmCreates: number;
  readonly rbmAttempts: number;
  readonly maxWindowPercent: number;
  readonly dispatchAttempts: number;
  readonly violations: string[];
}

export function formatCampaignReport(report: CampaignSoakReport): string {
  const lines = [
    `Campaign soak: ${report.recipients} recipients at ${report.ratePerSecond}/s, ${report.durationS} s`,
    `  faults: ${Object.entries(report.faults)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}`,
    `  killed with ${report.tasksAtCrash} of ${report.recipients} recipient tasks created`,
    `  RBM: ${report.rbmCreates} created of ${report.rbmAttempts} create calls; ${report.dispatchAttempts} dispatch attempts`,
    `  counts: ${JSON.stringify(report.counts)}`,
    `  busiest 10 s window: ${report.maxWindowPercent}% of the rate`,
    report.violations.length === 0
      ? '  OK: no phone created twice, every recipient counted, the rate held'
      : `  VIOLATIONS:\n${report.violations.map((v) => `    - ${v}`).join('\n')}`,
  ];
  return lines.join('\n');
}
