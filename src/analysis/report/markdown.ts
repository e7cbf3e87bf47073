import { ConnectivityMatrix, allowedLabels } from './matrix';
import { mermaidFlowchart } from './mermaid';
import { LintFinding } from '../lint/types';

function cellText(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The Mermaid graph, the matrix as a table, and the lint findings. */
export function markdownReport(title: string, matrix: ConnectivityMatrix, findings: LintFinding[], notEvaluated: string[]): string {
  const name = (e: { label: string; namespace?: string }) => (e.namespace ? `${e.namespace}/${e.label}` : e.label);
  const cells = new Map(matrix.cells.map((c) => [`${c.from} ${c.to}`, c]));
  const lines = [`# ${title}`, ''];
  if (notEvaluated.length > 0) {
    lines.push('> **Incomplete verdicts:** the verdicts below ignore these objects, which the model does not evaluate and which may allow or deny ' +
      `traffic (not evaluated): ${notEvaluated.join(', ')}`, '');
  }
  for (const note of matrix.notes ?? []) {
    lines.push(`> ${note}`, '');
  }
  lines.push('## Allowed flows', '', '```mermaid', mermaidFlowchart(matrix), '```', '');
  lines.push('## Connectivity matrix', '', 'Rows are sources, columns destinations; a cell lists the allowed ports among those probed ' +
    '("(HTTP rules)", "(DNS rules)": L7 rules decide which requests or names pass).', '');
  lines.push(`| from \\ to | ${matrix.destinations.map((d) => cellText(name(d))).join(' | ')} |`);
  lines.push(`|---|${matrix.destinations.map(() => '---').join('|')}|`);
  for (const source of matrix.sources) {
    const row = matrix.destinations.map((d) => {
      const cell = cells.get(`${source.id} ${d.id}`);
      if (!cell) {
        return ' ';
      }
      if (cell.from === cell.to) {
        return '(self)';
      }
      if (cell.allowed.length === 0) {
        return '—';
      }
      // A short list of the denied probes tells partly open cells apart; a long one is noise.
      const allowed = allowedLabels(cell).join(', ');
      return cell.denied.length > 0 && cell.denied.length <= 3 ? `${allowed} (not ${cell.denied.join(', ')})` : allowed;
    });
    lines.push(`| ${cellText(name(source))} | ${row.map(cellText).join(' | ')} |`);
  }
  lines.push('', `## Lint findings (${findings.length})`, '');
  if (findings.length === 0) {
    lines.push('None.');
  } else {
    lines.push('| severity | rule | message |', '|---|---|---|');
    for (const f of findings) {
      lines.push(`| ${f.severity} | ${f.rule} | ${cellText(f.message)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
