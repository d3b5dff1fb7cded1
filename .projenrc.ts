import { awscdk, DependencyType, javascript, JsonFile } from 'projen';

/** Lowest aws-cdk-lib the library supports (cdk-nag 3.x needs 2.257). */
const CDK_VERSION = '2.257.0';
/** aws-cdk-lib the tests and the example app run on: a current release. */
const CDK_DEV_VERSION = '2.276.0';
/** The CDK CLI that reads aws-cdk-lib 2.276 cloud assemblies (the `latest` 3.x tag refuses them). */
const CDK_CLI_VERSION = '2.1148.1';
const CONSTRUCTS_VERSION = '10.5.1';
/**
 * integ-runner (2.197.10, the newest here) reads cloud assemblies up to schema 53, which aws-cdk-lib
 * 2.257 writes: the integ tests run the packaged library on the supported floor.
 */
const INTEG_CDK_VERSION = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-kms-patterns',
  description:
    'Golden-pattern AWS KMS customer-managed keys for the AWS CDK: separate admin and user policies, rotation, multi-Region replicas, cross-account sharing and guardrails.',
  author: 'cdk-kms-patterns maintainers',
  authorAddress: 'maintainers@cdk-kms-patterns.dev',
  repositoryUrl: 'https://github.com/cdk-kms-patterns/cdk-kms-patterns.git',
  keywords: ['aws-cdk', 'kms', 'encryption', 'security', 'key-policy', 'multi-region', 'cdk-nag'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  cdkVersion: CDK_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  // The peers keep their floors; tests run on a current aws-cdk-lib (devDeps below).
  peerDependencyOptions: { pinnedDevDependency: false },
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: { compilerOptions: {}, exclude: ['node_modules', 'integ'], include: ['.projenrc.ts', 'src/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'benchmarks/**/*.ts'] },

  publishToPypi: {
    distName: 'cdk-kms-patterns',
    module: 'cdk_kms_patterns',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkkmspatterns',
    mavenGroupId: 'io.github.cdkkmspatterns',
    mavenArtifactId: 'cdk-kms-patterns',
  },

  // The KmsGoldenRules pack extends cdk-nag's NagPack: the app brings its own cdk-nag 3.x.
  peerDeps: ['cdk-nag@^3.0.2'],
  devDeps: [
    `aws-cdk-lib@${CDK_DEV_VERSION}`,
    `aws-cdk@${CDK_CLI_VERSION}`,
    'cdk-nag@^3.0.2',
    '@cloud-copilot/iam-simulate@^0.1.173',
    // Reads the jsii assembly in tests (parameter names as Python and Java callers see them).
    'jsii-reflect@^1.142.0',
    // jsii-pacmak's own naming functions: the binding tests compute Java and Python names as it does.
    'codemaker@^1.140.0',
  ],

  // The registry reachable here does not serve other platforms' optional binaries, so the
  // lockfile cannot satisfy `npm ci`; `npm install` works everywhere.
  github: false,
  release: false,
  depsUpgrade: false,
  sampleCode: false,
  gitignore: ['/node_modules', 'cdk.out', '/dist-python-src', '/dist-java-src', '.tmp', '.jsii.tabl.json', 'integ/node_modules', 'integ/package-lock.json', 'integ/cdk.out'],
  npmIgnoreOptions: { ignorePatterns: ['/examples', '/cdk.out', '/benchmarks', '/scripts', '/.ci', 'cdk.json', '/dist-python-src', '/dist-java-src', '/integ'] },
  jestOptions: {
    jestConfig: {
      testTimeout: 120_000,
      // CI machines have 2 cores: jest's default (cores - 1) would run the files one at a time.
      maxWorkers: 2,
      // Coverage instruments every module of aws-cdk-lib that a test loads; nobody reads the report.
      collectCoverage: false,
    },
  },
  // Tests are transpiled file by file; `test:types` type-checks them once, as a whole program.
  tsJestOptions: { transformOptions: { isolatedModules: true } },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'benchmarks', 'projenrc', '.projenrc.ts'],
    // One tsconfig covers src, test and examples (the project service would find only src's).
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
  },
});

// `npm ci` cannot work with this registry (see above): install:ci uses `npm install` too.
project.tasks.tryFind('install:ci')?.reset('npm install');

// README examples must translate to Python and Java: rosetta in strict mode, failing on any error. The
// tablet it writes (.jsii.tabl.json, a cache too) is where jsii-pacmak takes the translated examples from:
// without it the Python and Java docs would carry the TypeScript. Rosetta leaves out the java.util imports.
project.package.file.addOverride('jsii.metadata', { jsii: { rosetta: { strict: true } } });
const rosetta = project.addTask('rosetta:check', {
  description: 'Translate every README and API example with jsii-rosetta in strict mode into the tablet (.jsii.tabl.json).',
  steps: [
    { exec: 'jsii-rosetta extract --strict --fail .jsii' },
    { exec: 'node scripts/rosetta-java-imports.js .jsii.tabl.json' },
  ],
});
project.postCompileTask.spawn(rosetta);

// Offline packaging: PyPI and Maven Central are unreachable here, so build the wheel/sdist from the
// pacmak-generated sources with the system's python3-build, and check that the Java sources parse.
const pythonTask = project.tasks.tryFind('package:python');
pythonTask?.reset();
pythonTask?.spawn(rosetta);
pythonTask?.exec('rm -rf dist/python dist-python-src');
pythonTask?.exec('jsii-pacmak --target python --code-only -o dist-python-src');
pythonTask?.exec('$(scripts/python-with-build.sh) -m build --no-isolation --skip-dependency-check --outdir dist/python dist-python-src/python');
pythonTask?.exec('$(scripts/python-with-build.sh) -m twine check dist/python/*');
const javaTask = project.tasks.tryFind('package:java');
javaTask?.reset();
javaTask?.spawn(rosetta);
javaTask?.exec('rm -rf dist/java dist-java-src');
javaTask?.exec('jsii-pacmak --target java --code-only -o dist-java-src');
javaTask?.exec('node scripts/check-java-sources.js dist-java-src/java dist/java');
// The binding tests (test/bindings, in `test`) read these packages and make them when they are older than
// .jsii; `package` then makes them only if they are still stale, not a second time.
const packageAll = project.tasks.tryFind('package-all');
packageAll?.reset();
packageAll?.spawn(project.tasks.tryFind('package:js')!);
packageAll?.spawn(javaTask!, { condition: 'node scripts/bindings-stale.js java' });
packageAll?.spawn(pythonTask!, { condition: 'node scripts/bindings-stale.js python' });

// The example golden-pattern app: synthesized with every check on by the pinned CLI.
new JsonFile(project, 'cdk.json', {
  obj: {
    app: 'npx ts-node --prefer-ts-exts -P tsconfig.dev.json examples/golden-pattern/main.ts',
    output: 'cdk.out',
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      // Cross-region references (the multi-Region pattern) read outputs with Fn::GetStackOutput: no
      // custom resources. Keys are retained and KMS keeps a primary while it has replicas, so the
      // producer-protecting "strong" references (ExportWriter/ExportReader Lambdas) add nothing here.
      '@aws-cdk/core:defaultCrossStackReferences': 'weak',
    },
  },
});
project.addTask('example', {
  description: 'Synthesize the example golden-pattern app into cdk.out with every check on.',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
  exec: 'cdk synth --no-notices --quiet',
});

// Integ tests: a package of their own that installs the packed library (dist/js) with aws-cdk-lib
// 2.257, as a user would, and verifies the committed snapshots with integ-runner (nothing is deployed).
new JsonFile(project, 'integ/package.json', {
  obj: {
    name: 'cdk-kms-patterns-integ',
    private: true,
    description: 'Integ tests of the packed cdk-kms-patterns on aws-cdk-lib ' + INTEG_CDK_VERSION,
    devDependencies: {
      'aws-cdk-lib': INTEG_CDK_VERSION,
      'constructs': '^10.5.1',
      '@aws-cdk/integ-runner': '2.197.10',
      '@aws-cdk/integ-tests-alpha': '2.245.0-alpha.0',
      'ts-node': '^10.9.2',
      'typescript': '~5.9.0',
      '@types/node': '^20',
    },
  },
});
new JsonFile(project, 'integ/tsconfig.json', {
  obj: {
    compilerOptions: {
      target: 'ES2020',
      module: 'commonjs',
      lib: ['es2020'],
      strict: true,
      esModuleInterop: true,
      skipLibCheck: true,
    },
    include: ['test/**/*.ts'],
  },
});
const integSetup = project.addTask('integ:setup', {
  description: 'Install the integ package with the packed library (run package:js first).',
  cwd: 'integ',
  steps: [
    { exec: 'npm install --no-audit --no-fund' },
    { exec: 'npm install --no-audit --no-fund --no-save ../dist/js/cdk-kms-patterns@*.jsii.tgz' },
  ],
});
const integ = project.addTask('integ', {
  description: 'Verify the integ snapshots with integ-runner (synth and compare; nothing is deployed).',
  cwd: 'integ',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
});
integ.spawn(integSetup);
integ.exec('npx integ-runner --language typescript --parallel-regions eu-west-1 --max-workers 2');
const integUpdate = project.addTask('integ:update', {
  description: 'Write the integ snapshots anew without deploying (after a change that alters templates).',
  cwd: 'integ',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
});
integUpdate.spawn(integSetup);
integUpdate.exec('npx integ-runner --language typescript --update-on-failed --dry-run --force --max-workers 2');
// The integ snapshots are checked on the packed library, so after packaging.
project.packageTask.spawn(integ);

// ts-jest only transpiles: the tests, examples and benchmarks are type-checked here, once.
const testTypes = project.addTask('test:types', {
  description: 'Type-check the tests, examples and benchmarks as one program.',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.testTask.prependSpawn(testTypes);

// Benchmarks against plain aws-cdk-lib: synth cost and key policy capacity (figures, not tests).
const bench = project.addTask('bench', {
  description: 'Measure synth time, memory and template bytes against plain aws-cdk-lib, and key policy capacity.',
});
bench.spawn(project.compileTask);
bench.exec('node benchmarks/bench.js');

// constructs: the peer keeps its floor, the tests run on a current release.
project.deps.addDependency('constructs@^10.8.1', DependencyType.DEVENV);

project.synth();
