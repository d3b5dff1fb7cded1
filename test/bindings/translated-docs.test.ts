import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureJava, ensureTablet, ensureWheel, JAVA_SOURCES, JAVADOC_REPORT, ROOT, TABLET } from './artifacts';
import { TypeIndex } from './jsii-types';
import { checkJavaSnippet, checkPythonSnippet, GeneratedJava } from './snippet-checks';

// What Java and Python users read: the README and API examples as jsii-rosetta translated them (the
// tablet jsii-pacmak takes them from), the generated Java sources and their javadoc, the Python wheel.
// The outputs come from the build's packaging tasks, or are made here when missing or stale (artifacts.ts).

interface Snippet { readonly where: string; readonly typescript: string; readonly java: string; readonly python: string }

let snippets: Snippet[];
let types: TypeIndex;
let generated: GeneratedJava;
let javaPackaging: { ok: boolean; output: string };
let wheelDir: string;

beforeAll(() => {
  ensureTablet();
  javaPackaging = ensureJava();
  const wheel = ensureWheel();
  wheelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wheel-'));
  const unzip = spawnSync('python3', ['-m', 'zipfile', '-e', wheel, wheelDir], { encoding: 'utf8' });
  if (unzip.status !== 0) throw new Error(`cannot unpack ${wheel}: ${unzip.stderr}`);

  const tablet = JSON.parse(fs.readFileSync(TABLET, 'utf8'));
  snippets = Object.values<any>(tablet.snippets).map((s) => ({
    where: s.location.api.api === 'moduleReadme' ? `README.md line ${s.location.field.line}` : `${s.location.api.fqn} ${s.location.field.field}`,
    typescript: s.translations.$.source,
    java: s.translations.java.source,
    python: s.translations.python.source,
  }));
  types = TypeIndex.load(ROOT);
  generated = new GeneratedJava(JAVA_SOURCES, 'io.github.cdkkmspatterns');
});

afterAll(() => {
  if (wheelDir) fs.rmSync(wheelDir, { recursive: true, force: true });
});

describe('translated examples (rosetta tablet)', () => {
  test('the tablet holds every README example and every API @example', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const readmeBlocks = readme.match(/^```ts$/gm)?.length ?? 0;
    expect(snippets.filter((s) => s.where.startsWith('README')).length).toBe(readmeBlocks);
    expect(snippets.some((s) => !s.where.startsWith('README'))).toBe(true);
  });

  test('Java: every class is imported or in java.lang, every builder and static method exists, no arrays', () => {
    expect(javaPackaging.ok ? '' : javaPackaging.output).toBe('');
    const problems = snippets.flatMap((s) => checkJavaSnippet(s.java, types, generated).map((p) => `${s.where}: ${p}`));
    expect(problems).toEqual([]);
  });

  test('Python: every keyword argument is one the constructor or method takes, every method exists', () => {
    const problems = snippets.flatMap((s) => checkPythonSnippet(s.python, types).map((p) => `${s.where}: ${p}`));
    expect(problems).toEqual([]);
  });

  test('control: the checks find what rosetta gets wrong when the TypeScript leaves types to inference', () => {
    const java = `import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.s3.*;
import io.github.cdkkmspatterns.ReplicaKey;

App app = new App();
Stack stack = Stack.Builder.create(app, "Keys").env(Environment.builder().account("111111111111").build()).build();
Bucket.Builder.create(stack, "Data").enforceSSL(true).build();
ReplicaKey[] replicas = ReplicaKey.replicate(null, ReplicateOptions.builder().regions(List.of("us-east-1")).build());
ServiceVia.lambda();`;
    const javaProblems = checkJavaSnippet(java, types, generated);
    expect(javaProblems).toEqual([
      'Environment is neither imported nor in java.lang',
      'Bucket builder has no method enforceSSL()',
      'ReplicateOptions is neither imported nor in java.lang',
      'List is neither imported nor in java.lang',
      'ServiceVia is neither imported nor in java.lang',
      'declares replicas as ReplicaKey[]: jsii returns java.util.List',
    ].map((p) => expect.stringContaining(p)));

    const python = `from aws_cdk import App, Stack, Validations
import aws_cdk.aws_s3 as s3
from cdk_kms_patterns import ServiceVia, CustomerManagedKey

app = App()
stack = Stack(app, "Keys")
s3.Bucket(stack, "Data", enforce_s_s_l=True)
key = CustomerManagedKey(stack, "Key")
key.allow_use_via(ServiceVia.lambda_(), principal=[])
ServiceVia.lambda()
Validations.of(key).acknowledge(id="KmsGolden-PendingWindow", reason="scratch")`;
    expect(checkPythonSnippet(python, types)).toEqual([
      expect.stringContaining('s3.Bucket takes no keyword argument enforce_s_s_l'),
      expect.stringContaining('key.allow_use_via() takes no keyword argument principal'),
      'ServiceVia.lambda() does not exist',
      expect.stringContaining('Validations.of.acknowledge() takes no keyword argument id'),
      expect.stringContaining('Validations.of.acknowledge() takes no keyword argument reason'),
    ]);
  });
});

describe('generated Java sources', () => {
  test('javadoc -Xdoclint:all reports no error', () => {
    expect(fs.existsSync(JAVADOC_REPORT) ? '' : javaPackaging.output).toBe('');
    const report = JSON.parse(fs.readFileSync(JAVADOC_REPORT, 'utf8'));
    expect(report.errors).toEqual([]);
    expect(report.status).toBe(0);
    expect(report.stubTypes).toBeGreaterThan(10);
  });

  test('list parameters accept lists of subtypes (List<? extends T>)', () => {
    const exact = javaFiles(JAVA_SOURCES).flatMap((file) => [...fs.readFileSync(file, 'utf8')
      .matchAll(/public (?!static)[^=;(]*?\b(\w+)\(([^)]*java\.util\.List<(?!\? extends|java\.lang\.String>)[^)]*)\)/g)]
      .filter((m) => !/\bBuilder\b/.test(m[0]))
      .map((m) => `${path.basename(file)}: ${m[1]}(${m[2].replace(/@org\.jetbrains\.annotations\.\w+ /g, '')})`));
    expect(exact).toEqual([]);
  });

  test('no TypeScript in the docs of the Java sources', () => {
    const found = javaFiles(JAVA_SOURCES).flatMap((file) => typeScriptIn(docComments(fs.readFileSync(file, 'utf8')))
      .map((t) => `${path.relative(JAVA_SOURCES, file)}: ${t}`));
    expect(found).toEqual([]);
  });
});

describe('Python wheel', () => {
  test('no TypeScript and no raw {@link} in the README and docstrings', () => {
    const files = walk(wheelDir).filter((f) => f.endsWith('.py') || path.basename(f) === 'METADATA');
    expect(files.some((f) => f.endsWith('__init__.py'))).toBe(true);
    const found = files.flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      const docs = file.endsWith('.py') ? docstrings(text) : text;
      return [...typeScriptIn(docs), ...(docs.includes('{@link') ? ['{@link'] : [])].map((t) => `${path.relative(wheelDir, file)}: ${t}`);
    });
    expect(found).toEqual([]);
  });

  test('the README in the wheel has the Python examples', () => {
    const metadata = walk(wheelDir).find((f) => path.basename(f) === 'METADATA')!;
    const text = fs.readFileSync(metadata, 'utf8');
    expect(text.match(/^```python$/gm)?.length).toBe(snippets.filter((s) => s.where.startsWith('README')).length);
  });

  test('control: the TypeScript detector finds every original example', () => {
    const missed = snippets.filter((s) => typeScriptIn(s.typescript).length === 0).map((s) => s.where);
    expect(missed).toEqual([]);
    expect(snippets.flatMap((s) => typeScriptIn(`${s.python}\n${s.java}`))).toEqual([]);
  });
});

/** TypeScript-only syntax found in a text (docs or an example), one line per finding. */
function typeScriptIn(text: string): string[] {
  const patterns: Array<[string, RegExp]> = [
    ['a ts code block', /```(ts|typescript)\b/],
    ['an ES import', /\bimport \{[^}]*\} from ['"]|\bimport \* as \w+ from ['"]/],
    ['a const/let declaration', /^\s*(const|let) \w+(: [\w.<>[\]]+)? = /m],
    ['an object literal argument', /\(\s*[\w.]+, ['"][\w-]+['"], \{/],
  ];
  return patterns.filter(([, re]) => re.test(text)).map(([what]) => what);
}

function docComments(java: string): string {
  return (java.match(/\/\*\*[\s\S]*?\*\//g) ?? []).join('\n');
}

function docstrings(python: string): string {
  return (python.match(/'''[\s\S]*?'''|"""[\s\S]*?"""/g) ?? []).join('\n');
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function javaFiles(dir: string): string[] {
  return walk(dir).filter((f) => f.endsWith('.java'));
}
