import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { WARNINGS_CONTEXT_KEY, synthWarning } from '../../src/synth/synth-warnings';

/** What cdk8s-netpol wrote to stderr while `run` ran. */
function stderrOf(run: () => void): string[] {
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const warn = jest.spyOn(console, 'warn');
  try {
    run();
    // Never through console.warn, which a test runner prints with a stack trace.
    expect(warn).not.toHaveBeenCalled();
    return write.mock.calls.map((c) => String(c[0])).filter((line) => line.startsWith('[cdk8s-netpol]'));
  } finally {
    write.mockRestore();
    warn.mockRestore();
  }
}

/** A chart holding a hand-written policy that the lint warns about (allow-all). */
function openChart(app: App = Testing.app()): Chart {
  const chart = new Chart(app, 'c');
  new ApiObject(chart, 'open', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'open', namespace: 'p' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] },
  });
  // Linted at synth as any chart with a construct of the library would be.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../src').Linter.validateChart(chart);
  return chart;
}

describe('synth-time warnings', () => {
  test('one line per finding, once per app however often it synthesizes', () => {
    const chart = openChart();
    const lines = stderrOf(() => {
      Testing.synth(chart);
      Testing.synth(chart);
    });
    expect(lines).toEqual([expect.stringMatching(/^\[cdk8s-netpol\] warning allow-all: NetworkPolicy p\/open: ingress rule #1 has no from and no ports.*\n$/)]);
    expect(lines[0].split('\n')).toHaveLength(2);
  });

  test('a multi-line message is printed on one line', () => {
    const app = Testing.app();
    expect(stderrOf(() => synthWarning(app, 'proofs', 'first\n  second'))).toEqual(['[cdk8s-netpol] first second\n']);
  });

  test('the context key cdk8s-netpol/warnings: false silences an app', () => {
    const app = Testing.app();
    app.node.setContext(WARNINGS_CONTEXT_KEY, false);
    const chart = openChart(app);
    expect(stderrOf(() => Testing.synth(chart))).toEqual([]);
    // Other apps still warn.
    expect(stderrOf(() => Testing.synth(openChart()))).toHaveLength(1);
  });

  test('under cdk8s synth with the NetpolValidation plugin, lint findings are left to the plugin\'s report; proof warnings are not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-warnings-'));
    const cwd = process.cwd();
    const env = process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    try {
      fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'app: node main.js\nvalidations:\n  - package: cdk8s-netpol\n    class: NetpolValidation\n');
      process.chdir(dir);
      process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
      expect(stderrOf(() => Testing.synth(openChart()))).toEqual([]);
      expect(stderrOf(() => synthWarning(Testing.app(), 'proofs', 'not proven'))).toEqual(['[cdk8s-netpol] not proven\n']);
      // Without the plugin in cdk8s.yaml, the lint warns again.
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-warnings-'));
      fs.writeFileSync(path.join(other, 'cdk8s.yaml'), 'app: node main.js\nvalidations:\n  - package: other\n    class: Other\n');
      process.chdir(other);
      expect(stderrOf(() => Testing.synth(openChart()))).toHaveLength(1);
      fs.rmSync(other, { recursive: true, force: true });
    } finally {
      process.chdir(cwd);
      if (env === undefined) {
        delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
      } else {
        process.env.CDK8S_RECORD_CONSTRUCT_METADATA = env;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
