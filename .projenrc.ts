import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-netpol',
  description:
    'Typed, verified Kubernetes network policy for cdk8s: zero-trust constructs rendered for Kubernetes, Cilium and Calico.',
  author: 'cdk8s-netpol maintainers',
  authorAddress: 'maintainers@cdk8s-netpol.invalid',
  repositoryUrl: 'https://github.com/cdk8s-netpol/cdk8s-netpol.git',
  keywords: ['cdk8s', 'kubernetes', 'networkpolicy', 'cilium', 'calico', 'zero-trust'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~5.9.0',
  // jsii 5.9 needs Node.js 20.16 or later (its package.json `engines`); CI runs Node 20.20.
  minNodeVersion: '20.16.0',

  cdk8sVersion: '2.70.0',
  constructsVersion: '10.4.2',
  // No cdk8s-plus peer: workloads of any cdk8s-plus major are read through their ApiObject.
  // Tests, examples and the benchmark use cdk8s-plus-28 and the current cdk8s-plus-33.
  peerDeps: [],
  bundledDeps: ['ipaddr.js@^2.2.0', 'ohm-js@^17.5.0', 're2js@^2.10.0', 'commander@^14.0.0', 'yaml@^2.6.0'],
  bin: { 'cdk8s-netpol': 'lib/cli/bin.js' },
  devDeps: ['cdk8s-plus-28@2.5.6', 'cdk8s-plus-33@2.5.57', 'kubernetes-models@5.1.0', '@kubernetes-models/cilium@4.0.0', '@types/node@^20', 'ajv@^8.17.1', 'ts-node@^10.9.2', 'tsconfig-paths@^4.2.0', 'cdk8s-cli@^2.207.0', 'fast-check@^4.3.0'],

  // Bindings for every jsii language. Publishing stays off (release: false): those registries
  // are unreachable here. CI generates and byte-compiles the Python bindings (`check-bindings`).
  publishToPypi: { distName: 'cdk8s-netpol', module: 'cdk8s_netpol' },
  publishToMaven: { javaPackage: 'io.github.cdk8snetpol', mavenGroupId: 'io.github.cdk8s-netpol', mavenArtifactId: 'cdk8s-netpol' },
  publishToGo: { moduleName: 'github.com/cdk8s-netpol/cdk8s-netpol-go', packageName: 'cdk8snetpol' },
  publishToNuget: { dotNetNamespace: 'Cdk8sNetpol', packageId: 'Cdk8sNetpol' },
  release: false,
  github: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  docgen: true,

  jestOptions: {
    // A snapshot change must be a deliberate `npx projen test:update` and a reviewed diff.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // A broken testMatch must fail CI, not pass it with zero tests.
    passWithNoTests: false,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/lib/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/', '/examples/', '/src/imports/'],
      // Examples import the package by its published name, as users do.
      moduleNameMapper: { '^cdk8s-netpol$': '<rootDir>/src' },
      // The schema validators of kubernetes-models are ESM-only packages whose exports have no
      // `require` condition: test/support/jest-resolver.js resolves them with `import`, and
      // test/support/esm-to-cjs.js compiles their files to CommonJS.
      resolver: '<rootDir>/test/support/jest-resolver.js',
      transform: {
        '^.+\\.[t]sx?$': new javascript.Transform('ts-jest', { tsconfig: 'test/tsconfig.json' }),
        '/node_modules/(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/.+\\.js$': new javascript.Transform('<rootDir>/test/support/esm-to-cjs.js'),
      },
      transformIgnorePatterns: ['/node_modules/(?!(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/)'],
      // Says once per run which checks ../shared adds, when it is missing.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  },
  gitignore: ['/dist/', '.DS_Store'],
});

// ts-jest, ts-node and typescript-eslint support TypeScript < 6.1; jsii ~5.9 compiles with 5.9 too.
project.deps.removeDependency('typescript');
project.addDevDeps('typescript@~5.9.3');

// unrs-resolver (jest 30, eslint-import-resolver-typescript) 1.13.0 lists platform bindings that
// the registry reachable here does not serve, and `npm ci` then refuses the lock file as out of
// sync. 1.12.2 has every binding published.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Synthesizes every app under examples/*/ into dist/examples/<name>/ with the app's own
// `app.synth()` (one ts-node process for all examples).
project.addTask('synth-examples', {
  description: 'Synthesize every example app into dist/examples/<name>/',
  exec: 'ts-node -r tsconfig-paths/register --project examples/tsconfig.json scripts/synth-examples.ts',
});
// ts-jest transpiles tests without type-checking them: check tests and examples first.
project.testTask.prependExec('tsc --noEmit -p examples/tsconfig.json');
project.testTask.prependExec('tsc --noEmit -p bench/tsconfig.json');
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

project.npmignore?.exclude('/examples/', '/scripts/', '/.ci/', '/bench/');

// Benchmarks, never part of `test` (timed tests are flaky and prove nothing): see BENCHMARKS.md.
// Options pass through: `npx projen bench --sizes 100,300 --runs 3`.
project.addTask('bench', {
  description: 'Benchmark synthesis (vs hand-written objects and cdk8s-plus-28) and NetworkModel; writes dist/bench/',
  exec: 'ts-node --transpile-only bench/run.ts',
  receiveArgs: true,
});
// The parts of one synthesis in a warm process (heap per namespace, build, verification):
// `npx projen bench:parts 1000 netpol`.
project.addTask('bench:parts', {
  description: 'Measure the parts of a synthesis in one warm process (heap per namespace, build, lint, proofs)',
  exec: 'node --expose-gc -r ts-node/register/transpile-only bench/parts.ts',
  receiveArgs: true,
});
project.eslint?.addLintPattern('bench');
project.addTask('docs', {
  description: 'Regenerate the generated pages of docs/ (lint rules)',
  exec: 'ts-node --project examples/tsconfig.json scripts/lint-rules-doc.ts',
});

project.addTask('gen:admission', {
  description: 'Regenerate src/analysis/admission/checkers.generated.ts from the admission schemas (a test fails while it is stale)',
  exec: 'ts-node --project examples/tsconfig.json scripts/admission-checkers.ts',
});
// Generated by Ajv (standalone code): not ours to lint.
project.eslint?.addIgnorePattern('src/analysis/admission/checkers.generated.ts');

// The pipeline example: `cdk8s synth` with the validation plugin (needs the compiled lib/) passes
// as is and fails on a planted mistake.
project.addTask('pipeline-example', {
  description: 'Run cdk8s synth with the validation plugin in examples/pipeline (after compile)',
  exec: 'bash scripts/pipeline-example.sh',
});
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('scripts');
// Examples, the benchmark and the scripts are not part of the package: their imports of the
// cdk8s-plus majors (devDependencies) are not dependencies of cdk8s-netpol.
project.eslint?.allowDevDeps('examples/**');
project.eslint?.allowDevDeps('bench/**');
project.eslint?.allowDevDeps('scripts/**');

// `npx projen build` must work offline and without the Java, .NET and Go toolchains: outside CI
// projen's `package` builds every language's package; here it packages the npm tarball only.
// The per-language tasks (`package:python`, `package:java`, ...) stay for machines that have them.
const packageAll = project.tasks.tryFind('package-all');
packageAll?.reset();
packageAll?.spawn(project.tasks.tryFind('package:js')!);

// Generates the Python bindings from the jsii assembly (after `compile`) and byte-compiles them:
// an API that jsii accepts but that breaks Python fails here, without a network or a PyPI upload.
project.addTask('check-bindings', {
  description: 'Generate the Python bindings with jsii-pacmak (code only) and byte-compile them',
  exec: 'bash scripts/check-bindings.sh',
});

project.synth();
