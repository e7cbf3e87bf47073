import { ConnectivityMatrix, MatrixCell, allowedLabels } from './matrix';
import { mermaidFlowchart } from './mermaid';
import { escapeControls } from '../../util/control-chars';
import { LintFinding } from '../lint/types';

const MARKDOWN_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text from manifests (names, namespaces, messages that quote them) inside Markdown: shown as
 * written, never read as Markdown or HTML. Control characters become visible escapes (`\n`: a
 * name cannot break a table row or a list item), `&`, `<` and `>` become entities (no raw HTML),
 * and the characters Markdown gives a meaning (`\`, backticks, `*`, `_`, `[`, `]`, `~`, `|`) are
 * backslash-escaped, so a name can neither open a code span, a link or emphasis nor end a table
 * cell.
 */
export function markdownText(value: string): string {
  return escapeControls(value).replace(/[\\`*_[\]~|&<>]/g, (c) => MARKDOWN_ESCAPES[c] ?? `\\${c}`);
}

/**
 * Text from manifests as a Markdown code span: control characters shown as escapes, and delimited
 * by more backticks than any run of backticks inside, so nothing in it ends the span early.
 */
export function markdownCode(value: string): string {
  const text = escapeControls(value);
  const longest = (text.match(/`+/g) ?? []).reduce((most, run) => Math.max(most, run.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const cellText = markdownText;

/** A cell's allowed ports, what was left out, and for an aggregated cell how many of its pairs may connect. */
export function cellSummary(cell: MatrixCell): string {
  const omitted = cell.omitted ? ` … (+${cell.omitted} ranges)` : '';
  const pairs = cell.pairs !== undefined && cell.connected !== undefined && cell.connected < cell.pairs ? ` (${cell.connected}/${cell.pairs} pairs)` : '';
  return `${allowedLabels(cell).join(', ')}${omitted}${pairs}`;
}

/** The Mermaid graph, the matrix as a table, and the lint findings. */
export function markdownReport(title: string, matrix: ConnectivityMatrix, findings: LintFinding[], notEvaluated: string[]): string {
  const name = (e: { label: string; namespace?: string; kind: string }) => (e.namespace && e.kind !== 'namespace' ? `${e.namespace}/${e.label}` : e.label);
  const cells = new Map(matrix.cells.map((c) => [`${c.from} ${c.to}`, c]));
  const lines = [`# ${markdownText(title)}`, ''];
  if (notEvaluated.length > 0) {
    lines.push('> **Incomplete verdicts:** the verdicts below ignore these objects, which the model does not evaluate and which may allow or deny ' +
      `traffic (not evaluated): ${notEvaluated.map(markdownText).join(', ')}`, '');
  }
  for (const note of matrix.notes ?? []) {
    lines.push(`> ${markdownText(note)}`, '');
  }
  lines.push('## Allowed flows', '', '```mermaid', mermaidFlowchart(matrix), '```', '');
  lines.push('## Connectivity matrix', '', 'Rows are sources, columns destinations; a cell lists exactly the allowed ports of TCP, UDP ' +
    'and SCTP, as ranges ("all ports": every port of the three; "(HTTP rules)", "(DNS rules)": L7 rules decide which requests or names pass).', '');
  lines.push(`| from \\ to | ${matrix.destinations.map((d) => cellText(name(d))).join(' | ')} |`);
  lines.push(`|---|${matrix.destinations.map(() => '---').join('|')}|`);
  for (const source of matrix.sources) {
    const row = matrix.destinations.map((d) => {
      const cell = cells.get(`${source.id} ${d.id}`);
      if (!cell) {
        return ' ';
      }
      if (cell.from === cell.to && cell.pairs === undefined) {
        return '(self)';
      }
      if (cell.allowed.length === 0) {
        return '—';
      }
      return cellSummary(cell);
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
