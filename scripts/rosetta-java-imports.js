// Adds the java.util imports that jsii-rosetta leaves out of its Java translations.
//
// Rosetta renders TypeScript arrays and maps as `List.of(...)` and `Map.of(...)` but only emits the imports
// the TypeScript has, so every translated example using a list would not compile as printed. This runs
// after `jsii-rosetta extract`, before jsii-pacmak reads the tablet; it only adds import lines, so it is
// idempotent and the tablet's cache keys (computed from the TypeScript source) stay valid.
// Usage: node scripts/rosetta-java-imports.js <tablet.json>
const fs = require('fs');

const JAVA_UTIL = ['List', 'Map'];

/** The Java source with an `import java.util.X;` for every java.util type it uses without importing. */
function withJavaUtilImports(source) {
  const lines = source.split('\n');
  const missing = JAVA_UTIL.filter((name) =>
    new RegExp(`\\b${name}\\s*[.<]`).test(source)
    && !lines.some((line) => line === `import java.util.${name};` || line === 'import java.util.*;'));
  if (missing.length === 0) return source;
  const imports = missing.map((name) => `import java.util.${name};`);
  const firstImport = lines.findIndex((line) => line.startsWith('import '));
  lines.splice(firstImport === -1 ? 0 : firstImport, 0, ...imports, ...(firstImport === -1 ? [''] : []));
  return lines.join('\n');
}

function main() {
  const [tabletFile] = process.argv.slice(2);
  const tablet = JSON.parse(fs.readFileSync(tabletFile, 'utf8'));
  let changed = 0;
  for (const snippet of Object.values(tablet.snippets)) {
    const java = snippet.translations.java;
    if (!java) continue;
    const source = withJavaUtilImports(java.source);
    if (source !== java.source) {
      java.source = source;
      changed++;
    }
  }
  if (changed > 0) fs.writeFileSync(tabletFile, JSON.stringify(tablet, undefined, 2));
  console.log(`java.util imports added to ${changed} of ${Object.keys(tablet.snippets).length} Java examples`);
}

if (require.main === module) main();
module.exports = { withJavaUtilImports };
