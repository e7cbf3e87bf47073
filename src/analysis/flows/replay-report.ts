import { FlowReplayResult } from './flow-replay';

/**
 * A replay's result as text for a terminal or a CI log: each denied workload pair with its
 * counts, times, isolating policies and reasons; then the flows that could not be evaluated; then
 * the notes. The summary line is the caller's (it goes to standard error).
 */
export function replayText(result: FlowReplayResult): string[] {
  const lines: string[] = [];
  for (const g of result.denied) {
    const seen = g.firstSeen !== undefined ? `, seen ${g.firstSeen} .. ${g.lastSeen}` : '';
    lines.push(`DENIED       ${g.from} -> ${g.to} on ${g.port} (${g.count} record(s), ${g.flows} distinct flow(s)${seen})`);
    if (g.isolatedBy.length > 0) {
      lines.push(`  isolated by: ${g.isolatedBy.join(', ')}`);
    }
    g.reasons.forEach((r) => lines.push(`  ${r}`));
    lines.push(`  observed at: ${g.sources.join(', ')}`);
  }
  for (const u of result.unevaluated) {
    lines.push(`UNEVALUATED  ${u.from} -> ${u.to} on ${u.port}: ${u.problem}`);
    lines.push(`  observed at: ${u.source}`);
  }
  result.notes.forEach((n) => lines.push(`note: ${n}`));
  return lines;
}

/** The one-line summary of a replay. */
export function replaySummary(result: FlowReplayResult, files: number): string {
  return `replayed ${result.flows} distinct flow(s) of ${files} file(s): ${result.allowed} allowed, ${result.deniedFlows} denied ` +
    `(${result.denied.length} workload pair(s) and port(s)), ${result.unevaluated.length} not evaluated`;
}

/** A replay's result as JSON: the result itself, stable keys. */
export function replayJson(result: FlowReplayResult): string {
  return JSON.stringify(result, null, 2);
}
