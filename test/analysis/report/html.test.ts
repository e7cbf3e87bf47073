import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NetworkModel, Report } from '../../../src';
import { htmlPage } from '../../../src/analysis/report/html';
import { ConnectivityMatrix, MatrixCell, MatrixEndpoint } from '../../../src/analysis/report/matrix';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS, HeadlessPage, PageLayout, measureMatrixPage } from '../../support/headless-layout';
import { thirtyWorkloadEstate } from '../../support/report-estate';

// Run whenever Chromium is installed; .ci/run installs Debian's chromium so CI always runs it.
const withChromium = CHROMIUM ? test : test.skip;
const describeWithChromium = CHROMIUM ? describe : describe.skip;

/** The window the layout is made for: a 1,280 px wide laptop window. */
const WIDTH = 1280;
const HEIGHT = 900;
/** How far the page may scroll sideways without counting as scrolling (px). */
const SIDEWAYS_MARGIN = 2;

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Screenshots go to a temporary folder, removed afterwards, or to $NETPOL_HTML_SCREENSHOTS and kept. */
function screenshotFolder(): { dir: string; keep: boolean } {
  const kept = process.env.NETPOL_HTML_SCREENSHOTS;
  if (kept) {
    fs.mkdirSync(kept, { recursive: true });
    return { dir: kept, keep: true };
  }
  return { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-html-layout-')), keep: false };
}

describe('HTML page', () => {
  test('escapes everything it shows', () => {
    const html = htmlPage('<t>', { sources: [{ id: 'a/b', label: '<b>', namespace: 'a', kind: 'pod' }], destinations: [], cells: [], notes: ['<note>'] },
      [{ rule: 'r', severity: 'error' as any, kind: 'K', name: 'n', message: '"quoted" & <tag>' }], ['<x>']);
    expect(html).toContain('<title>&lt;t&gt;</title>');
    expect(html).toContain('a/&lt;b&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;tag&gt;');
    expect(html).toContain('&lt;note&gt;');
    expect(html).not.toMatch(/<b>|<x>|<tag>|<note>/);
  });

  test('accessible markup: captions, scoped heads with the full name in the title, the verdict words kept in the text', () => {
    const report = Report.fromManifests(thirtyWorkloadEstate(), { title: 'Estate' });
    const html = report.toHtml();
    expect(html).not.toMatch(/<script|<link|https?:\/\/|@import|url\(/);
    expect(html).toContain('<table id="matrix" aria-labelledby="matrix-heading">\n<caption>Rows are sources, columns destinations');
    expect(html).toContain('<table id="findings" aria-labelledby="findings-heading"><caption>');
    // Column heads: vertical, the namespace above the name, the whole name in the title.
    expect(html).toContain('<th scope="col" class="col pod" title="storefront/checkout-orchestrator"><span class="v"><span class="sub">storefront/</span>' +
      '<span class="name">checkout-orchestrator</span></span></th>');
    expect(html).toContain('<th scope="col" class="col metadata" title="cloud metadata (169.254.169.254)"><span class="v"><span class="name">cloud metadata</span>' +
      '<span class="sub">(169.254.169.254)</span></span></th>');
    expect(html).toContain('<tr><th scope="row" class="row pod" title="payments/ledger"><span class="sub">payments/</span><span class="name">ledger</span></th>');
    // A denied cell keeps the word (the page paints a cross); one tbody per namespace and one for the internet.
    expect(html).toMatch(/<td class="denied pod" title="TCP\/1-65535, UDP\/1-65535, SCTP\/1-65535 denied: [^"]*">denied<\/td>/);
    expect(html.match(/<tbody/g)).toHaveLength(5 + 1 + 1); // five namespaces, the internet, the findings
    expect(html.match(/<th scope="col" class="col /g)).toHaveLength(33);
  });

  test('more than three allowed ranges show as a count, the list in the hover text; every port is "all ports"; a partly allowed cell says "only these" to screen readers', () => {
    const endpoint = (id: string): MatrixEndpoint => ({ id, label: id.split('/')[1], namespace: id.split('/')[0], kind: 'pod' });
    const ranges = ['TCP/80', 'TCP/443', 'TCP/8080-8090', 'TCP/9090', 'UDP/53'];
    const every = ['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535'];
    const cells: MatrixCell[] = [
      { from: 'a/x', to: 'a/y', allowed: every, denied: [], reasons: [] },
      { from: 'a/y', to: 'a/x', allowed: ranges, denied: ['TCP/1-79'], reasons: ['r'] },
      { from: 'a/x', to: 'a/x', allowed: every, denied: [], reasons: [] },
      { from: 'a/y', to: 'a/y', allowed: every, denied: [], reasons: [] },
    ];
    const matrix: ConnectivityMatrix = { sources: [endpoint('a/x'), endpoint('a/y')], destinations: [endpoint('a/x'), endpoint('a/y')], cells, notes: [] };
    const html = htmlPage('t', matrix, [], []);
    expect(html).toContain('<td class="allowed pod" title="">all ports</td>');
    expect(html).toContain('<td class="partial pod" title="allowed: TCP/80, TCP/443, TCP/8080-8090, TCP/9090, UDP/53\nr">5 port ranges</td>');
    expect(html).toContain('<span class="swatch" style="background:#fff8c5;color:#7d4e00">5 port ranges</span>');
    const partial = htmlPage('t', { ...matrix, cells: [{ from: 'a/x', to: 'a/y', allowed: ['TCP/80'], denied: ['TCP/1-79'], reasons: ['TCP/80 allowed: r'] }] }, [], []);
    expect(partial).toContain('<td class="partial pod" title="TCP/80 allowed: r">TCP/80 <span class="not">(only these ports)</span></td>');
    expect(partial).not.toContain('5 port ranges');
  });

  withChromium('renders in headless Chromium: the matrix, coloured cells and the findings, without network', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-html-'));
    try {
      const m = NetworkModel.fromManifests([]);
      m.addPod({ namespace: 'shop', name: 'web', labels: { app: 'web' }, ports: [{ port: 80 }] });
      m.addPod({ namespace: 'shop', name: 'db', labels: { app: 'db' }, ports: [{ port: 5432 }] });
      m.addManifest({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'db', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] },
      });
      const file = path.join(dir, 'report.html');
      fs.writeFileSync(file, new Report(m, { title: 'Shop' }).toHtml());
      const profile = path.join(dir, 'profile');
      // The DOM as Chromium built it: the page parses into the table we meant.
      const dom = execFileSync(CHROMIUM!, [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] });
      expect(dom).toContain('<h1>Shop</h1>');
      expect(dom.match(/<tr>/g)).toHaveLength(4); // header + web + db + internet
      expect(dom).toMatch(/<td class="partial pod" title="TCP\/1-5431, TCP\/5433-65535, UDP\/1-65535, SCTP\/1-65535 denied: [^"]*\nTCP\/5432 allowed: egress of shop\/web: allowed, not isolated[^"]*">TCP\/5432 <span class="not">\(only these ports\)<\/span><\/td>/);
      expect(dom).toMatch(/<td class="denied pod" title="TCP\/1-65535, UDP\/1-65535, SCTP\/1-65535 denied: ingress of shop\/db: denied/);
      // And a screenshot: the page paints.
      const png = path.join(dir, 'report.png');
      execFileSync(CHROMIUM!, [...FLAGS, `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1200,600', `file://${file}`], { timeout: 60_000, stdio: 'ignore' });
      const image = fs.readFileSync(png);
      expect(image.subarray(1, 4).toString()).toBe('PNG');
      expect(image.length).toBeGreaterThan(10_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/*
 * The layout as Chromium lays it out in a 1,280 x 900 viewport, measured through the DevTools
 * protocol (test/support/headless-layout.ts): the page itself carries no script.
 */
describeWithChromium('HTML page of 30 workloads in a 1,280 px window (headless Chromium)', () => {
  let folder: { dir: string; keep: boolean };
  let page: HeadlessPage;
  let layout: PageLayout;
  let file: string;

  beforeAll(async () => {
    folder = screenshotFolder();
    file = path.join(folder.dir, 'netpol-report-30.html');
    const report = Report.fromManifests(thirtyWorkloadEstate(), { title: '30 workloads' });
    expect(report.matrix.sources).toHaveLength(31); // 30 workloads and the internet
    fs.writeFileSync(file, report.toHtml());
    page = await HeadlessPage.open(WIDTH, HEIGHT);
    await page.load(file);
    layout = await measureMatrixPage(page);
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    if (folder && !folder.keep) {
      fs.rmSync(folder.dir, { recursive: true, force: true });
    }
  });

  test('the page does not scroll sideways: the matrix and every column, kube-dns, the internet and the metadata endpoint included, are in the window', () => {
    expect(layout.innerWidth).toBe(WIDTH);
    expect(layout.innerHeight).toBe(HEIGHT);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth + SIDEWAYS_MARGIN);
    expect(layout.scrollingContainer).toBe(false); // the window scrolls, so the sticky header sticks to its top
    expect(layout.matrix.left).toBeGreaterThanOrEqual(0);
    expect(layout.matrix.right).toBeLessThanOrEqual(layout.clientWidth);
    expect(layout.heads).toHaveLength(33);
    expect(layout.heads.slice(-3).map((h) => h.title)).toEqual(['kube-dns', 'internet (203.0.113.10)', 'cloud metadata (169.254.169.254)']);
    for (const head of layout.heads) {
      expect(head.box.left).toBeGreaterThanOrEqual(0);
      expect(head.box.right).toBeLessThanOrEqual(layout.clientWidth);
    }
  });

  test('compact: a narrow row-head column, narrow columns, a header row a quarter of the window at most, nothing cut or overflowing, no type under 10 px', () => {
    expect(layout.rowHeadWidth).toBeLessThanOrEqual(160);
    const pods = layout.heads.slice(0, 30).map((h) => h.box.width);
    expect(Math.max(...pods)).toBeLessThanOrEqual(32);
    expect(Math.max(...layout.heads.slice(-3).map((h) => h.box.width))).toBeLessThanOrEqual(60);
    expect(layout.headerHeight).toBeLessThanOrEqual(HEIGHT / 4);
    expect(layout.tallestRow).toBeLessThanOrEqual(50);
    expect(layout.cutHeads).toEqual([]);
    expect(layout.overflowingCells).toBe(0);
    expect(layout.smallestFont).toBeGreaterThanOrEqual(10);
  });

  test.each(['middle', 'farEnd'] as const)('scrolled to the %s of the matrix, the header row sticks to the top and the row heads stay in view, uncovered', (where) => {
    const heads = layout[where];
    expect(heads.scrollY).toBeGreaterThan(layout.matrix.top); // the matrix's own top is out of the window
    for (const box of [heads.corner, heads.firstHead, heads.lastHead]) {
      expect(Math.abs(box.top)).toBeLessThan(1);
    }
    expect(heads.lastHead.right).toBeLessThanOrEqual(layout.clientWidth);
    expect(heads.lastHeadOnTop).toBe(true);
    // The row across the middle of the window: below the header, its head and its last cell in view.
    expect(heads.rowHead.top).toBeGreaterThanOrEqual(heads.corner.bottom);
    expect(heads.rowHead.left).toBeGreaterThanOrEqual(0);
    expect(heads.rowHeadOnTop).toBe(true);
    expect(heads.rowLastCell.right).toBeLessThanOrEqual(layout.clientWidth);
  });

  test('long findings and notes wrap within the window', () => {
    expect(layout.findings.length).toBeGreaterThanOrEqual(4);
    for (const finding of layout.findings) {
      expect(finding.box.left).toBeGreaterThanOrEqual(0);
      expect(finding.box.right).toBeLessThanOrEqual(layout.clientWidth);
    }
    // The finding that quotes a long selector as one word runs over several lines.
    const selector = layout.findings.find((f) => f.text.includes('selector-matches-nothing'))!;
    expect(selector.box.height).toBeGreaterThan(2 * 18);
    for (const paragraph of layout.paragraphs) {
      expect(paragraph.box.right).toBeLessThanOrEqual(layout.clientWidth);
    }
  });

  test('screenshots at 1,280 x 900: the top of the page, and scrolled into the matrix under the sticky heads', async () => {
    for (const [name, scroll] of [['top', { x: 0, y: 0 }], ['scrolled', { x: 0, y: 700 }]] as const) {
      const png = path.join(folder.dir, `netpol-report-30-${name}.png`);
      const image = await page.screenshot(png, scroll);
      expect(pngSize(image)).toEqual({ width: WIDTH, height: HEIGHT });
      expect(image.length).toBeGreaterThan(50_000); // a page full of cells, not a blank one
    }
  });
});

/** A synthetic matrix of `n` workloads in three namespaces (no model: layout only). */
function wideMatrix(n: number): ConnectivityMatrix {
  const pods: MatrixEndpoint[] = Array.from({ length: n }, (_, i) => ({ id: `ns-${i % 3}/workload-${i}`, label: `workload-${i}`, namespace: `ns-${i % 3}`, kind: 'pod' }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const outside: MatrixEndpoint[] = [{ id: 'dns', label: 'kube-dns', kind: 'dns' }, { id: 'internet', label: 'internet (203.0.113.10)', kind: 'internet' },
    { id: 'metadata', label: 'cloud metadata (169.254.169.254)', kind: 'metadata' }];
  const internet: MatrixEndpoint = { id: 'internet', label: 'internet (203.0.113.10)', kind: 'internet' };
  const cells: MatrixCell[] = [];
  for (const from of [...pods, internet]) {
    for (const to of [...pods, ...(from.kind === 'pod' ? outside : [])]) {
      const allowed = to.kind === 'dns' ? ['UDP/53', 'TCP/53'] : (from.id.length + to.id.length) % 3 === 0 ? ['TCP/8080'] : [];
      cells.push({ from: from.id, to: to.id, allowed, denied: allowed.length > 0 ? [] : ['TCP/8080'], reasons: [] });
    }
  }
  return { sources: [...pods, internet], destinations: [...pods, ...outside], cells, notes: [] };
}

describeWithChromium('HTML page of 60 workloads in a 1,280 px window (headless Chromium)', () => {
  test('the page scrolls sideways, under row heads that stay at the left edge and a header row that stays at the top', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-html-wide-'));
    const page = await HeadlessPage.open(WIDTH, HEIGHT);
    try {
      const file = path.join(dir, 'wide.html');
      fs.writeFileSync(file, htmlPage('60 workloads', wideMatrix(60), [], []));
      await page.load(file);
      const layout = await measureMatrixPage(page);
      expect(layout.heads).toHaveLength(63);
      expect(layout.scrollWidth).toBeGreaterThan(layout.clientWidth); // too wide: the page scrolls sideways
      const end = layout.farEnd;
      expect(end.scrollX).toBeGreaterThan(0);
      expect(end.rowHead.left).toBe(0);
      expect(end.rowHeadOnTop).toBe(true);
      expect(Math.abs(end.corner.top)).toBeLessThan(1);
      expect(end.corner.left).toBe(0);
      expect(Math.abs(end.lastHead.top)).toBeLessThan(1);
      expect(end.lastHead.right).toBeLessThanOrEqual(layout.clientWidth + 1); // scrollX is whole pixels, the table is not
      expect(end.lastHead.left).toBeGreaterThanOrEqual(end.corner.right);
      expect(end.lastHeadOnTop).toBe(true);
    } finally {
      await page.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
