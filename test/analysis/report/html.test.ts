import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NetworkModel, Report } from '../../../src';
import { htmlPage } from '../../../src/analysis/report/html';

const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find((bin) => spawnSync('which', [bin]).status === 0);
// Run whenever Chromium is installed; .ci/run installs Debian's chromium so CI always runs it.
const withChromium = CHROMIUM ? test : test.skip;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

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
      expect(dom).toMatch(/<td class="allowed pod" title="TCP\/5432 allowed: egress of shop\/web: allowed, not isolated[^"]*">TCP\/5432<\/td>/);
      expect(dom).toMatch(/<td class="denied pod" title="TCP\/5432 denied: ingress of shop\/db: denied/);
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
