import { ConnectivityMatrix, allowedLabels } from './matrix';
import { LintFinding } from '../lint/types';

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: center; white-space: nowrap; }
th.row { text-align: left; position: sticky; left: 0; background: #fff; }
thead th { position: sticky; top: 0; background: #f6f8fa; }
.notes { color: #57606a; }
td.allowed { background: #dafbe1; color: #116329; }
td.denied { background: #ffebe9; color: #82071e; }
td.partial { background: #fff8c5; color: #7d4e00; }
td.self { background: #f6f8fa; color: #8c959f; }
td.metadata.allowed { background: #cf222e; color: #fff; font-weight: bold; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 8px; border: 1px solid #d0d7de; }
.warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 8px 12px; }
.error { color: #82071e; font-weight: bold; }
`;

/**
 * One self-contained HTML page: the matrix coloured allowed (green), partly allowed (yellow) and
 * denied (red), every cell's hover text carrying the verdict reasons, and the lint findings. No
 * scripts, fonts or anything else from the network.
 */
export function htmlPage(title: string, matrix: ConnectivityMatrix, findings: LintFinding[], notEvaluated: string[]): string {
  const cell = new Map(matrix.cells.map((c) => [`${c.from} ${c.to}`, c]));
  const head = matrix.destinations.map((d) => `<th scope="col" title="${escape(d.id)}">${escape(d.namespace ? `${d.namespace}/${d.label}` : d.label)}</th>`).join('');
  const rows = matrix.sources.map((s) => {
    const cells = matrix.destinations.map((d) => {
      const c = cell.get(`${s.id} ${d.id}`);
      if (!c) {
        return '<td class="self">-</td>';
      }
      if (c.from === c.to) {
        return '<td class="self" title="a pod can always reach itself">self</td>';
      }
      const state = c.allowed.length === 0 ? 'denied' : c.denied.length === 0 ? 'allowed' : 'partial';
      const allowed = allowedLabels(c).join(', ');
      const label = c.allowed.length === 0 ? 'denied' : c.denied.length > 0 && c.denied.length <= 3 ? `${allowed} (not ${c.denied.join(', ')})` : allowed;
      return `<td class="${state} ${d.kind}" title="${escape(c.reasons.join('\n'))}">${escape(label)}</td>`;
    }).join('');
    return `<tr><th scope="row" class="row">${escape(s.namespace ? `${s.namespace}/${s.label}` : s.label)}</th>${cells}</tr>`;
  }).join('\n');
  const findingRows = findings.map((f) =>
    `<tr><td class="${f.severity === 'error' ? 'error' : ''}">${escape(f.severity)}</td><td>${escape(f.rule)}</td><td style="text-align:left">${escape(f.message)}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escape(title)}</h1>
${notEvaluated.length > 0 ? `<p class="warning">Incomplete verdicts: the verdicts below ignore these objects, which the model does not evaluate and which may allow or deny traffic (not evaluated): ${escape(notEvaluated.join(', '))}</p>` : ''}
<h2>Connectivity matrix</h2>
<p class="legend"><span style="background:#dafbe1">allowed</span><span style="background:#fff8c5">some ports</span><span style="background:#ffebe9">denied</span><span style="background:#cf222e;color:#fff">metadata endpoint reachable</span><span style="background:#f6f8fa">self: a pod always reaches itself</span> Rows are sources, columns destinations; hover a cell for the reasons.</p>
${(matrix.notes ?? []).map((n) => `<p class="notes">${escape(n)}</p>`).join('\n')}
<table id="matrix">
<thead><tr><th>from \\ to</th>${head}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>Lint findings (${findings.length})</h2>
${findings.length === 0 ? '<p id="findings">None.</p>' : `<table id="findings"><thead><tr><th>severity</th><th>rule</th><th>message</th></tr></thead><tbody>\n${findingRows}\n</tbody></table>`}
</body>
</html>
`;
}
