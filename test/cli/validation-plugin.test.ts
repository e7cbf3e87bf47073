import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ClusterCni, NetpolValidation } from '../../src';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'lint');

/** The part of cdk8s-cli's ValidationContext the plugin uses. */
function context(manifests: string[]) {
  const violations: any[] = [];
  let submitted: { status: string; metadata: any } | undefined;
  return {
    manifests,
    report: {
      addViolation: (v: any) => violations.push(v),
      submit: (status: string, metadata: any) => {
        submitted = { status, metadata };
      },
    },
    violations,
    get submitted() {
      return submitted;
    },
  };
}

describe('NetpolValidation (cdk8s-cli validation plugin)', () => {
  test('fails on error findings, one violation per rule with the resources and their files', async () => {
    const file = path.join(FIXTURES, 'policy-types-mismatch', 'positive.yaml');
    const ctx = context([file]);
    await new NetpolValidation().validate(ctx);
    expect(ctx.submitted).toEqual({ status: 'failure', metadata: { errors: '3', warnings: '0' } });
    expect(ctx.violations).toHaveLength(1);
    expect(ctx.violations[0]).toMatchObject({ ruleName: 'policy-types-mismatch (error)', recommendation: expect.stringMatching(/not enforced/) });
    // resourceName is metadata.name: cdk8s-cli looks the construct path up by it.
    expect(ctx.violations[0].violatingResources[0]).toEqual({
      resourceName: 'deny-egress', locations: [expect.stringMatching(/^NetworkPolicy shop\/deny-egress: (?!NetworkPolicy).*isolates nothing/)], manifestPath: file,
    });
  });

  test('passes with warnings unless failOnWarnings', async () => {
    const file = path.join(FIXTURES, 'allow-all', 'positive.yaml');
    const lenient = context([file]);
    await new NetpolValidation().validate(lenient);
    expect(lenient.submitted?.status).toBe('success');
    expect(lenient.violations).toHaveLength(1);
    const strict = context([file]);
    await new NetpolValidation({ failOnWarnings: true }).validate(strict);
    expect(strict.submitted?.status).toBe('failure');
  });

  test('cni and unreadable manifests', async () => {
    const file = path.join(FIXTURES, 'cilium-ignores-endport', 'positive.yaml');
    const ctx = context([file]);
    await new NetpolValidation({ cni: ClusterCni.CILIUM, failOnWarnings: true }).validate(ctx);
    expect(ctx.submitted?.status).toBe('failure');
    const missing = context(['/no/such.yaml']);
    await new NetpolValidation().validate(missing);
    expect(missing.submitted).toEqual({ status: 'failure', metadata: { problems: '1' } });
    expect(() => new NetpolValidation({ cni: 'weave' as ClusterCni })).toThrow(/cni "weave" is not one of/);
  });

  test('calicoVersion: the agent of the named release checks the Calico rules; a bad or unquoted value is refused naming the prop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-plugin-'));
    const file = path.join(dir, 'named.yaml');
    fs.writeFileSync(file, 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: named, namespace: p}\n' +
      "spec: {selector: app == 'db', order: 100, types: [Ingress], ingress: [{action: Allow, destination: {ports: [pg]}}]}\n");
    const current = context([file]);
    await new NetpolValidation({ cni: ClusterCni.CALICO }).validate(current);
    expect(current.submitted?.status).toBe('success');
    const old = context([file]);
    await new NetpolValidation({ cni: ClusterCni.CALICO, calicoVersion: '3.31' }).validate(old);
    expect(old.submitted?.status).toBe('failure');
    expect(old.violations.map((v: any) => v.ruleName)).toEqual(['api-server-rejects (error)']);
    expect(() => new NetpolValidation({ calicoVersion: 3.3 as any })).toThrow(/NetpolValidation: calicoVersion 3.3 is not a string; quote the release in cdk8s.yaml/);
    expect(() => new NetpolValidation({ calicoVersion: '3.99' })).toThrow(/NetpolValidation: calicoVersion "3.99" is newer than the newest Calico release the model knows/);
  });
});
