// Exits 0 when the Java or Python package is missing or older than the compiled assembly (.jsii), so that
// `package-all` makes it; exits 1 when it is up to date. In the build, the binding tests (test/bindings)
// run package:java and package:python before `package`, and the packages are not made twice.
// Usage: node scripts/bindings-stale.js java|python
const fs = require('fs');
const path = require('path');

const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
const target = process.argv[2];
let made;
if (target === 'java') {
  made = mtime(path.join('dist', 'java', 'sources'));
} else if (target === 'python') {
  const dir = path.join('dist', 'python');
  made = fs.existsSync(dir) ? Math.max(0, ...fs.readdirSync(dir).filter((f) => f.endsWith('.whl')).map((f) => mtime(path.join(dir, f)))) : 0;
} else {
  console.error(`usage: node scripts/bindings-stale.js java|python (got ${target})`);
  process.exit(2);
}
const assembly = mtime('.jsii');
if (assembly > 0 && made >= assembly) {
  console.log(`${target} package is up to date with .jsii (made by the binding tests): not made again`);
  process.exit(1);
}
