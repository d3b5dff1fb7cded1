// Parses the Java sources that jsii-pacmak generated (Maven Central is unreachable, so they cannot be
// compiled against their dependencies here) and copies them to the output folder.
// Usage: node scripts/check-java-sources.js <generated-java-dir> <out-dir>
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

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
execFileSync('javac', ['-XDshould-stop.ifNoError=PARSE', '-XDshould-stop.ifError=PARSE', '-d', tmp, ...files], { stdio: 'inherit' });
fs.mkdirSync(outDir, { recursive: true });
fs.cpSync(srcDir, path.join(outDir, 'sources'), { recursive: true });
console.log(`${files.length} Java source files parse; copied to ${path.join(outDir, 'sources')}`);
