// Checks the Java sources that jsii-pacmak generated and copies them to the output folder:
// 1. they parse (javac stopped after parsing: Maven Central is unreachable, so the jars of aws-cdk-lib,
//    constructs and the jsii runtime cannot be had to compile them);
// 2. their documentation is valid javadoc: `javadoc -Xdoclint:all` reports no error. Javadoc resolves every
//    signature and doc reference, so the dependencies' types are declared by stubs generated from their
//    jsii assemblies (scripts/java-stubs.js) and given as -sourcepath: only this library's sources are
//    documented and checked, and any error (a doc error, or a reference to a type that does not exist) fails.
//    Doclint warnings (e.g. a missing @param) are reported but do not fail.
// Usage: node scripts/check-java-sources.js <generated-java-dir> <out-dir>
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { writeStubs } = require('./java-stubs');

const [srcDir, outDir] = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (p.endsWith('.java')) files.push(p);
  }
})(srcDir);
if (files.length === 0) {
  console.error(`no Java sources under ${srcDir}`);
  process.exit(1);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'javac-'));
// Stops javac after parsing: syntax errors fail, unresolved dependencies do not.
execFileSync('javac', ['-XDshould-stop.ifNoError=PARSE', '-XDshould-stop.ifError=PARSE', '-d', path.join(tmp, 'classes'), ...files], { stdio: 'inherit' });
console.log(`${files.length} Java source files parse`);

const stubs = path.join(tmp, 'stubs');
const { types, unknown } = writeStubs(stubs, files.map((f) => fs.readFileSync(f, 'utf8')), process.cwd());
fs.mkdirSync(outDir, { recursive: true });
const report = (status, errors, warnings) => fs.writeFileSync(path.join(outDir, 'javadoc-report.json'),
  JSON.stringify({ status, errors, warnings, stubTypes: types }, undefined, 2));
if (unknown.length > 0) {
  // The report the tests read (test/bindings): written before failing, so the errors show there too.
  report(1, unknown.map((name) => `${name}: error: not a type of the dependencies' jsii assemblies`), 0);
  console.error(`types not in the dependencies' jsii assemblies: ${unknown.join(', ')}`);
  process.exit(1);
}
const javadoc = spawnSync('javadoc', [
  '-Xdoclint:all', '-quiet', '-Xmaxerrs', '10000', '-Xmaxwarns', '10000', '-encoding', 'UTF-8',
  '-sourcepath', stubs, '-d', path.join(tmp, 'javadoc'), ...files,
], { encoding: 'utf8' });
const output = `${javadoc.stdout}${javadoc.stderr}`;
const errors = output.split('\n').filter((line) => /: error: /.test(line));
const warnings = output.split('\n').filter((line) => /: warning: /.test(line));
report(javadoc.status, errors, warnings.length);
if (javadoc.status !== 0 || errors.length > 0) {
  process.stderr.write(output);
  console.error(`javadoc -Xdoclint:all: ${errors.length} errors (dependency stubs for ${types} types)`);
  process.exit(1);
}
console.log(`javadoc -Xdoclint:all: no errors, ${warnings.length} warnings (dependency stubs for ${types} types)`);

fs.cpSync(srcDir, path.join(outDir, 'sources'), { recursive: true });
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`copied to ${path.join(outDir, 'sources')}`);
