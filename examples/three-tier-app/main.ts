/**
 * A web shop with real workloads: three cdk8s-plus Deployments (frontend, api, database), each
 * behind a Service, all in namespace `shop`, plus the network policies that let only the
 * chain ingress-nginx -> frontend -> api -> database through.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/three-tier-app/).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ThreeTierApp, ZeroTrustNamespace } from 'cdk8s-netpol';

const NAMESPACE = 'shop';

const app = new App();
const chart = new Chart(app, 'three-tier-app');

// Default deny for the whole namespace (DNS lookups excepted), and the Namespace object itself.
new ZeroTrustNamespace(chart, 'shop-namespace', {
  namespace: NAMESPACE,
  createNamespace: true,
});

// The workloads. cdk8s-plus labels each pod template with a unique `cdk8s.io/metadata.addr`
// and selects the pods by it; ThreeTierApp below reuses that selector for the policies.
// The stock nginx and postgres images start as root and write to their filesystem, so the
// secure defaults of cdk8s-plus (non-root user, read-only root filesystem) are relaxed for them,
// on the pod and on the container.
const runsAsRoot: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: false,
  readOnlyRootFilesystem: false,
};

const frontend = new kplus.Deployment(chart, 'frontend', {
  metadata: { namespace: NAMESPACE },
  securityContext: { ensureNonRoot: false },
  containers: [{ name: 'web', image: 'nginx:1.27', portNumber: 80, securityContext: runsAsRoot }],
});

const api = new kplus.Deployment(chart, 'api', {
  metadata: { namespace: NAMESPACE },
  containers: [{
    name: 'api',
    // Unprivileged nginx runs as a normal user and listens on 8080; it stands in for your api image.
    image: 'nginxinc/nginx-unprivileged:1.27',
    portNumber: 8080,
    securityContext: { readOnlyRootFilesystem: false },
  }],
});

// A single-replica database, kept as a Deployment to stay short (use a StatefulSet with a
// volume for real data). The password comes from a Secret `shop-db` you create separately.
const database = new kplus.Deployment(chart, 'database', {
  metadata: { namespace: NAMESPACE },
  replicas: 1,
  securityContext: { ensureNonRoot: false },
  containers: [{
    name: 'postgres',
    image: 'postgres:16',
    portNumber: 5432,
    securityContext: runsAsRoot,
    envVariables: {
      POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({
        secret: kplus.Secret.fromSecretName(chart, 'db-secret', 'shop-db'),
        key: 'password',
      }),
    },
  }],
});

// Stable Service names, so the frontend calls http://api:8080 and the api calls postgres:5432.
frontend.exposeViaService({ name: 'frontend' });
api.exposeViaService({ name: 'api' });
database.exposeViaService({ name: 'postgres' });

// The policies: each tier is selected through its Deployment, so the pod labels cannot drift.
// Ports: frontend 80, api 8080, database 5432 (the defaults, matching the containers above).
// Emits `shop-frontend`, `shop-api` and `shop-database` (named after the construct id).
new ThreeTierApp(chart, 'shop', {
  namespace: NAMESPACE,
  frontend: { workload: frontend },
  api: { workload: api },
  database: { workload: database },
});

app.synth();
