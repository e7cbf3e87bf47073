import { FlowChange, diffMarkdown } from '../../../src/analysis/report/diff';
import { htmlPage } from '../../../src/analysis/report/html';
import { markdownReport } from '../../../src/analysis/report/markdown';
import { ConnectivityMatrix, MatrixEndpoint } from '../../../src/analysis/report/matrix';
import { mermaidFlowchart } from '../../../src/analysis/report/mermaid';

// Names come from manifests: in Markdown, Mermaid and HTML they are shown as written and can
// neither add lines, rows or list items, nor inject HTML, links or code fences.

const HOSTILE = [
  'evil\n| forged | row |',
  '<img src=x onerror=alert(1)>',
  '```\n</details>',
  '[click](https://attacker.example) *bold* _it_ ~~s~~',
  'esc\u001b[31mred\r\u009b2J\u202eevil',
  '"] --> x["owned',
];

function matrix(): ConnectivityMatrix {
  const pods: MatrixEndpoint[] = HOSTILE.map((name, i) => ({ id: `ns${i}/${name}`, label: name, namespace: `ns|${i}\n`, kind: 'pod' }));
  return {
    sources: pods,
    destinations: pods,
    cells: pods.flatMap((from) => pods.map((to) => ({
      from: from.id, to: to.id, allowed: from === to ? [] : ['TCP/80'], denied: [], reasons: [`allowed by ${from.label}`],
    }))),
    notes: ['a note about <b>web</b>\nand a second line'],
  };
}

/** No character that ends a line, colours a terminal or reorders text. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

test('Markdown: one table row per source, no HTML, no links, no code fence closed early', () => {
  const md = markdownReport('Report <script>', matrix(), [{ rule: 'r', severity: 'warning' as any, kind: 'K', name: 'n', message: HOSTILE.join(' ') }],
    ['NetworkPolicy <x>/`y`']);
  const lines = md.split('\n');
  expect(md).not.toMatch(RAW_CONTROL);
  expect(md).not.toMatch(/<(img|script|b|x|\/details)/);
  // Outside the Mermaid fence (Markdown does not read inside it), no link is formed.
  const prose = md.replace(/```mermaid[^]*?```/, '');
  expect(prose).not.toMatch(/(^|[^\\])\]\(/m);
  // The table: its head, the rule, one row per source; each row has one cell per destination.
  const rows = lines.filter((l) => l.startsWith('| ns'));
  expect(rows).toHaveLength(HOSTILE.length);
  for (const row of rows) {
    expect(row.replace(/\\\|/g, '').split('|').length - 2).toBe(HOSTILE.length + 1);
  }
  // The Mermaid fence is the only code fence.
  expect(lines.filter((l) => l.startsWith('```'))).toEqual(['```mermaid', '```']);
  expect(md).toContain('evil\\\\n\\| forged \\| row \\|');
  expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(md).toContain('\\[click\\](https://attacker.example) \\*bold\\* \\_it\\_ \\~\\~s\\~\\~');
});

test('Mermaid: one statement per line, labels that cannot end early', () => {
  const chart = mermaidFlowchart(matrix());
  expect(chart).not.toMatch(RAW_CONTROL);
  expect(chart.replace(/-->/g, '')).not.toMatch(/[`<>]/);
  for (const line of chart.split('\n').slice(1)) {
    // A node, an edge, a subgraph or its end: every label is one quoted string without a quote inside.
    expect(line).toMatch(/^ {2,4}(subgraph ns_\w+\["[^"]*"\]|end|n\d+\["[^"]*"\]|n\d+ -->\|[^|]*\| n\d+)$/);
  }
  expect(chart).toContain('n5["#quot;] --#gt; x[#quot;owned"]');
});

test('diff Markdown: one list item per flow, code spans that nothing inside ends, causes and reasons as text', () => {
  // Half the flows share one cause (a group large enough to fold), half have a hostile cause of their own.
  const opened: FlowChange[] = HOSTILE.flatMap((a, i) => HOSTILE.flatMap((b, j) => (i === j ? [] : [{
    from: `ns${i}/${a}`, to: `ns${j}/${b}`, ports: ['TCP/80'], cause: i % 2 === 0 ? HOSTILE[i] : 'NetworkPolicy ns/x', reason: `allowed by ${a}`,
  }])));
  const md = diffMarkdown({ opened, closed: [], notes: ['a note about <b>web</b>\nand a second line'] }, ['Kind <b>']);
  expect(md).not.toMatch(RAW_CONTROL);
  expect(md).not.toContain('<b>');
  const lines = md.split('\n');
  const items = lines.filter((l) => l.startsWith('- '));
  expect(items).toHaveLength(HOSTILE.length * (HOSTILE.length - 1));
  expect(items).toContain('- ````ns2/```\\n</details>```` → `ns0/evil\\n| forged | row |` on TCP/80');
  // A reason is one nested item (quoted for the first flows of each cause); the only details block is the report's own (15 flows of one cause).
  expect(lines.filter((l) => l.startsWith('  - '))).toHaveLength(3 * 3 + 3);
  expect(lines.filter((l) => l === '<details>' || l === '</details>')).toEqual(['<details>', '</details>']);
  expect(lines.filter((l) => l.startsWith('### ')).every((l) => !/[<>]/.test(l.replace(/&lt;|&gt;/g, '')))).toBe(true);
});

test('HTML: control characters shown as escapes; the hover text keeps one line per reason', () => {
  const page = htmlPage('t', matrix(), [], []);
  expect(page).not.toMatch(RAW_CONTROL);
  expect(page).toContain('esc\\x1b[31mred\\r\\x9b2J\\u202eevil');
  expect(page).not.toContain('<img');
  expect(page).toMatch(/title="allowed by evil\\n\| forged \| row \|"/);
});
