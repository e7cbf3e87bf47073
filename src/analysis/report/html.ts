import { cellSummary } from './markdown';
import { ConnectivityMatrix, MatrixCell, MatrixEndpoint, allowedLabels } from './matrix';
import { escapeControls } from '../../util/control-chars';
import { LintFinding } from '../lint/types';

/** Text from manifests in HTML text or an attribute: control characters shown as escapes (no invisible text, no reordering), markup escaped. */
function escape(value: string): string {
  return escapeControls(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Hover text of several lines: each line escaped, the lines kept apart by real newlines. */
function escapeLines(lines: string[]): string {
  return lines.map(escape).join('\n');
}

/**
 * Layout, for 30 workloads in a 1,280 px window: a fixed-layout table of explicit column widths
 * (its own width is the sum: wider matrices scroll the page sideways under sticky row heads). Cells
 * are set in a monospace font and a workload column is 4.5 characters wide, so a port list wraps
 * four characters a line: "TCP/" above "5432" (there is no break opportunity after a slash, and
 * `overflow-wrap: anywhere` breaks where the line is full). The columns of kube-dns, the internet
 * and the metadata endpoint are 8.5 characters wide: "UDP/53," on a line. Column heads are
 * written vertically (the name cut with an ellipsis past 11.5rem, whole in the hover text); the
 * header row and the row heads are sticky on the page's own scrolling (no scrolling box of the
 * table's own, so the header sticks to the window's top). "denied" is shown as a cross and a
 * partly allowed cell's denied ports are left to its hover text: the words stay in the text for
 * screen readers, search and copying.
 */
const ROW_HEAD = '10.5rem';
const MONOSPACE = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace';
const SANS = 'system-ui, -apple-system, "Segoe UI", sans-serif';

const STYLE = `
html { font-size: 14px; }
body { font: 14px/1.4 ${SANS}; margin: 12px; color: #1f2328; }
h1 { font-size: 20px; margin: 4px 0 8px; } h2 { font-size: 16px; margin: 24px 0 8px; }
p, li, caption { overflow-wrap: anywhere; }
.notes { color: #57606a; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; }
.key { margin: 8px 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; }
.key li { display: flex; align-items: center; gap: 6px; }
.key .swatch { display: inline-block; min-width: 1.4em; padding: 1px 4px; border: 1px solid #d0d7de; text-align: center; font-size: 11px; line-height: 1.3; }
table { border-collapse: separate; border-spacing: 0; }
caption { caption-side: top; text-align: left; color: #57606a; font-size: 13px; padding: 0 0 6px; }
th, td { border: solid #d0d7de; border-width: 0 1px 1px 0; }
#matrix { table-layout: fixed; width: 1px; font-size: 10.5px; line-height: 1.2; }
#matrix th, #matrix td { box-sizing: border-box; }
#matrix thead th { border-top-width: 1px; position: sticky; top: 0; z-index: 2; background: #f6f8fa; vertical-align: bottom; padding: 4px 0; font-weight: 600; }
#matrix th.corner { width: ${ROW_HEAD}; left: 0; z-index: 3; text-align: left; padding: 4px 6px; font-weight: normal; color: #57606a; }
#matrix thead th.corner, #matrix th.row { border-left-width: 1px; }
#matrix th.col, #matrix td { font-family: ${MONOSPACE}; font-size: 10.5px; }
#matrix th.col { width: calc(4.5ch + 1px); }
#matrix th.col:not(.pod):not(.workload):not(.namespace) { width: calc(8.5ch + 1px); }
#matrix th.col.dns { width: calc(8.5ch + 2px); }
#matrix th.col .v { font-family: ${SANS}; display: inline-block; writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; white-space: nowrap;
  max-height: 11.5rem; overflow: hidden; text-overflow: ellipsis; font-size: 11.5px; line-height: 1.15; }
#matrix .sub { display: block; font-weight: normal; color: #57606a; font-size: 11px; overflow: hidden; text-overflow: ellipsis; }
#matrix th.row { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left; padding: 2px 6px; font-size: 11.5px; font-weight: 600; overflow-wrap: anywhere; }
#matrix th.row .sub { white-space: nowrap; }
#matrix td { text-align: center; padding: 3px 0; overflow-wrap: anywhere; }
#matrix th.dns, #matrix td.dns { border-left: 2px solid #8c959f; }
#matrix tbody + tbody > tr:first-child > * { border-top: 2px solid #afb8c1; }
#matrix tbody.outside > tr:first-child > * { border-top-color: #8c959f; }
#matrix tbody tr:hover > td { box-shadow: inset 0 0 0 1px #0969da; }
#matrix .not { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
td.allowed { background: #dafbe1; color: #116329; }
#matrix td.denied { font-size: 0; }
td.denied { background: #ffebe9; color: #82071e; }
td.denied::before { content: "\\00D7"; content: "\\00D7" / ""; font-size: 14px; }
td.partial { background: #fff8c5; color: #7d4e00; }
td.self, td.none { background: #f6f8fa; color: #8c959f; }
td.metadata.allowed, .key .metadata { background: #cf222e; color: #fff; font-weight: bold; }
#findings { width: 100%; font-size: 13px; }
#findings thead th { border-top-width: 1px; background: #f6f8fa; text-align: left; }
#findings th, #findings td { padding: 4px 8px; vertical-align: top; }
#findings td:first-child, #findings th:first-child { border-left-width: 1px; }
#findings td.severity, #findings td.rule { white-space: nowrap; }
#findings td.message { overflow-wrap: anywhere; }
.error { color: #82071e; font-weight: bold; }
`;

/** What a head shows: the name, and smaller the namespace (pods) or the address (the outside). */
function headParts(e: MatrixEndpoint): { full: string; name: string; sub?: string } {
  if (e.namespace) {
    return { full: `${e.namespace}/${e.label}`, name: e.label, sub: `${e.namespace}/` };
  }
  const address = /^(.*) \(([^()]*)\)$/.exec(e.label);
  return address ? { full: e.label, name: address[1], sub: address[2] } : { full: e.label, name: e.label };
}

function headContent(e: MatrixEndpoint): string {
  const { name, sub } = headParts(e);
  if (sub === undefined) {
    return `<span class="name">${escape(name)}</span>`;
  }
  // Pods: the namespace above the name; the outside: the address below it.
  return e.namespace
    ? `<span class="sub">${escape(sub)}</span><span class="name">${escape(name)}</span>`
    : `<span class="name">${escape(name)}</span><span class="sub">(${escape(sub)})</span>`;
}

/** Kinds of endpoints inside the cluster, grouped by namespace: pods, and the workloads and namespaces of aggregated matrices. */
const INSIDE = new Set(['pod', 'workload', 'namespace']);

/** Above this many allowed ranges a cell shows a count; the list is in its hover text. */
const MAX_LISTED_RANGES = 3;

function matrixCell(c: MatrixCell | undefined, d: MatrixEndpoint): string {
  if (!c) {
    return '<td class="none" title="not evaluated">&ndash;</td>';
  }
  if (c.from === c.to && c.pairs === undefined) {
    return '<td class="self" title="a pod can always reach itself">self</td>';
  }
  const state = c.allowed.length === 0 ? 'denied' : c.denied.length === 0 ? 'allowed' : 'partial';
  const allowed = allowedLabels(c);
  let label: string;
  let title = c.reasons;
  if (c.allowed.length === 0) {
    label = 'denied';
  } else if (allowed.length > MAX_LISTED_RANGES || c.omitted) {
    label = escape(`${allowed.length + (c.omitted ?? 0)} port ranges`);
    title = [`allowed: ${cellSummary(c)}`, ...c.reasons];
  } else if (c.pairs !== undefined && c.connected !== undefined && c.connected < c.pairs) {
    label = escape(cellSummary(c));
  } else {
    label = escape(allowed.join(', '));
    if (c.denied.length > 0) {
      // Hidden but for screen readers: the colour says "only these".
      label += ' <span class="not">(only these ports)</span>';
    }
  }
  return `<td class="${state} ${d.kind}" title="${escapeLines(title)}">${label}</td>`;
}

/**
 * One self-contained HTML page: the matrix coloured allowed (green), partly allowed (yellow) and
 * denied (red), every cell's hover text carrying the verdict reasons, and the lint findings. No
 * scripts, fonts or anything else from the network. Laid out for a laptop's window: vertical
 * column heads, narrow wrapping cells, sticky heads (see ROW_HEAD above).
 */
export function htmlPage(title: string, matrix: ConnectivityMatrix, findings: LintFinding[], notEvaluated: string[]): string {
  const cell = new Map(matrix.cells.map((c) => [`${c.from} ${c.to}`, c]));
  const head = matrix.destinations.map((d) =>
    `<th scope="col" class="col ${d.kind}" title="${escape(headParts(d).full)}"><span class="v">${headContent(d)}</span></th>`).join('');
  // Rows grouped by namespace (the outside on its own), one <tbody> each, ruled apart.
  const groups: { key: string; rows: string[] }[] = [];
  for (const s of matrix.sources) {
    const key = INSIDE.has(s.kind) ? `pod ${s.namespace ?? ''}` : 'outside';
    const cells = matrix.destinations.map((d) => matrixCell(cell.get(`${s.id} ${d.id}`), d)).join('');
    const row = `<tr><th scope="row" class="row ${s.kind}" title="${escape(headParts(s).full)}">${headContent(s)}</th>${cells}</tr>`;
    if (groups.length > 0 && groups[groups.length - 1].key === key) {
      groups[groups.length - 1].rows.push(row);
    } else {
      groups.push({ key, rows: [row] });
    }
  }
  // Aggregated cells have no reasons (a cell stands for many pairs): their hover text lists the ports.
  const hoverCells = matrix.cells.some((c) => c.reasons.length > 0) ? 'the verdict reasons' : 'its ports';
  const body = groups.map((g) => `<tbody${g.key === 'outside' ? ' class="outside"' : ''}>\n${g.rows.join('\n')}\n</tbody>`).join('\n');
  // Columns ruled apart where the namespace changes (the row head is each row's first child).
  const namespaceStarts = matrix.destinations.flatMap((d, i) =>
    i > 0 && INSIDE.has(d.kind) && INSIDE.has(matrix.destinations[i - 1].kind) && d.namespace !== matrix.destinations[i - 1].namespace
      ? [i + 2] : []);
  const columnRules = namespaceStarts.length === 0 ? ''
    : `${namespaceStarts.map((n) => `#matrix tr > :nth-child(${n})`).join(', ')} { border-left: 2px solid #afb8c1; }\n`;
  const counted = matrix.cells.some((c) => c.from !== c.to && allowedLabels(c).length > MAX_LISTED_RANGES);
  const findingRows = findings.map((f) =>
    `<tr><td class="severity${f.severity === 'error' ? ' error' : ''}">${escape(f.severity)}</td><td class="rule">${escape(f.rule)}</td><td class="message">${escape(f.message)}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}${columnRules}</style>
</head>
<body>
<h1>${escape(title)}</h1>
${notEvaluated.length > 0 ? `<p class="warning">Incomplete verdicts: the verdicts below ignore these objects, which the model does not evaluate and which may allow or deny traffic (not evaluated): ${escape(notEvaluated.join(', '))}</p>` : ''}
<h2 id="matrix-heading">Connectivity matrix</h2>
<ul class="key" aria-label="Key">
<li><span class="swatch" style="background:#dafbe1;color:#116329">all ports</span> every port of TCP, UDP and SCTP allowed</li>
<li><span class="swatch" style="background:#fff8c5;color:#7d4e00">TCP/80</span> only the ports listed: every other is denied</li>
<li><span class="swatch" style="background:#ffebe9;color:#82071e">&times;</span> denied</li>
<li><span class="swatch metadata">TCP/80</span> metadata endpoint reachable</li>
<li><span class="swatch" style="background:#f6f8fa;color:#8c959f">self</span> a pod always reaches itself</li>
<li><span class="swatch" style="background:#f6f8fa;color:#8c959f">&ndash;</span> not evaluated (addresses outside the cluster, as sources, reach pods only)</li>
${counted ? `<li><span class="swatch" style="background:#fff8c5;color:#7d4e00">5 port ranges</span> how many ranges are allowed, where more than ${MAX_LISTED_RANGES} are (hover for which)</li>\n` : ''}</ul>
${(matrix.notes ?? []).map((n) => `<p class="notes">${escape(n)}</p>`).join('\n')}
<table id="matrix" aria-labelledby="matrix-heading">
<caption>Rows are sources, columns destinations (names read upwards). Hover a head for its full name, a cell for ${hoverCells}.</caption>
<thead><tr><th scope="col" class="corner">from \\ to</th>${head}</tr></thead>
${body}
</table>
<h2 id="findings-heading">Lint findings (${findings.length})</h2>
${findings.length === 0 ? '<p id="findings">None.</p>' : `<table id="findings" aria-labelledby="findings-heading"><caption>Each finding names the object, the problem and the fix.</caption><thead><tr><th scope="col">severity</th><th scope="col">rule</th><th scope="col">message</th></tr></thead><tbody>\n${findingRows}\n</tbody></table>`}
</body>
</html>
`;
}
