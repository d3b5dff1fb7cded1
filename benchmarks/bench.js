// Benchmarks of cdk-kms-patterns against plain aws-cdk-lib, in one run:
//  1. synth cost: apps of 1, 10, 100 and 1,000 keys (admins, users, rotation, an alias each), built with
//     this library and with kms.Key + grants; each measured in a fresh process, median of several runs;
//  2. the KmsGoldenRules pack's cost: the library's app of 1,000 keys synthesized with the pack registered,
//     against the same app without it (the pack expands each key into its template variants and reads
//     each through the key policy analyzer; CDK-built keys have one variant);
//  3. policy capacity: how many target accounts of snapshot sharing fit in one key policy.
// Prints the figures and writes them to benchmarks/results.json. Run `npx projen bench` (compiles first).
// `node benchmarks/bench.js --pack [keys]` measures only the pack (at 1,000 keys unless given), and
// writes nothing; `--help` prints this usage.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const USAGE = 'usage: node benchmarks/bench.js [--pack [keys]] [--baseline <lib dir>] [--help]\n' +
  '  (no option)          every benchmark, written to benchmarks/results.json (compile first: npx projen compile)\n' +
  '  --pack [keys]        only the KmsGoldenRules pack\'s cost over the library\'s synth, at 1,000 keys by default\n' +
  '  --baseline <lib dir> only: the library\'s synth and the pack at 1,000 keys, this build against another\n' +
  '                       build of the library (for example the lib/ of the commit before the analyzer)\n' +
  '  --help               this text';
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}

const SIZES = [1, 10, 100, 1000];
const RUNS = { 1: 5, 10: 5, 100: 5, 1000: 3 };
/** Keys of the access report's measurement (issue: its cost at 1,000 keys). */
const REPORT_KEYS = 1000;

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function measure(variant, keys, lib) {
  const runs = [];
  for (let i = 0; i < (RUNS[keys] ?? 3); i++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${variant}-`));
    const out = execFileSync(process.execPath, [path.join(__dirname, 'synth-worker.js'), variant, String(keys), outdir], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      env: lib ? { ...process.env, BENCH_LIB: lib } : process.env,
    });
    runs.push(JSON.parse(out.trim().split('\n').pop()));
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  return {
    seconds: median(runs.map((r) => r.seconds)),
    analyzerSeconds: median(runs.map((r) => r.analyzerSeconds)),
    peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
    templateBytes: runs[0].templateBytes,
    runs: runs.length,
  };
}

function fixed(n, digits = 2) {
  return Number(n.toFixed(digits));
}

const machine = {
  cpus: `${os.cpus().length} x ${os.cpus()[0].model.trim()}`,
  memoryGiB: fixed(os.totalmem() / 1024 ** 3, 1),
  node: process.version,
  awsCdkLib: require('aws-cdk-lib/package.json').version,
  platform: `${os.platform()} ${os.release()}`,
};

console.log(`machine: ${machine.cpus}, ${machine.memoryGiB} GiB, node ${machine.node}, aws-cdk-lib ${machine.awsCdkLib}`);

/** The KmsGoldenRules pack at the given number of keys: the library's app with and without it. */
function packCost(keys, library) {
  const withPack = measure('library-pack', keys);
  const pack = {
    keys,
    seconds: fixed(withPack.seconds - library.seconds),
    msPerKey: fixed((withPack.seconds - library.seconds) / keys * 1000),
    librarySeconds: library.seconds,
    libraryWithPackSeconds: withPack.seconds,
  };
  console.log(`\nKmsGoldenRules pack at ${keys} keys: ${pack.seconds.toFixed(2)} s over the library's synth ` +
    `(${pack.libraryWithPackSeconds.toFixed(2)} s with the pack, ${pack.librarySeconds.toFixed(2)} s without; ${pack.msPerKey} ms per key)`);
  return pack;
}

if (args[0] === '--baseline') {
  // This build against another build of the library, on the same app, one after the other.
  const baseline = args[1];
  if (!baseline || !fs.existsSync(path.join(baseline, 'index.js'))) {
    console.error(`--baseline needs the lib/ directory of a compiled build of the library; got ${baseline}`);
    process.exit(2);
  }
  const keys = 1000;
  const rows = [];
  for (const variant of ['library', 'library-pack']) {
    const now = measure(variant, keys);
    const before = measure(variant, keys, baseline);
    rows.push({ variant, now, before });
    console.log(`${variant.padEnd(13)} at ${keys} keys: ${now.seconds.toFixed(2)} s now, ${before.seconds.toFixed(2)} s with ${baseline} ` +
      `(${((now.seconds / before.seconds - 1) * 100).toFixed(1)}%; analyzer ${now.analyzerSeconds.toFixed(2)} s of it)`);
  }
  const [lib, withPack] = rows;
  const packNow = withPack.now.seconds - lib.now.seconds;
  const packBefore = withPack.before.seconds - lib.before.seconds;
  console.log(`KmsGoldenRules pack alone: ${packNow.toFixed(2)} s now, ${packBefore.toFixed(2)} s before ` +
    `(${((packNow / packBefore - 1) * 100).toFixed(1)}%)`);
  process.exit(0);
}

if (args[0] === '--pack') {
  const keys = Number(args[1] ?? 1000);
  packCost(keys, measure('library', keys));
  process.exit(0);
}
console.log('\nsynth cost (median of fresh-process runs; time covers building the app and app.synth())');
console.log('keys  | library s | plain s | time x | library MiB | plain MiB | mem x | library bytes | plain bytes | bytes x');
const synth = [];
for (const keys of SIZES) {
  const library = measure('library', keys);
  const plain = measure('plain', keys);
  const row = {
    keys,
    library,
    plain,
    timeRatio: fixed(library.seconds / plain.seconds),
    memoryRatio: fixed(library.peakRssMiB / plain.peakRssMiB),
    bytesRatio: fixed(library.templateBytes / plain.templateBytes),
  };
  synth.push(row);
  console.log([
    String(keys).padEnd(5),
    library.seconds.toFixed(2).padStart(9),
    plain.seconds.toFixed(2).padStart(7),
    row.timeRatio.toFixed(2).padStart(6),
    library.peakRssMiB.toFixed(0).padStart(11),
    plain.peakRssMiB.toFixed(0).padStart(9),
    row.memoryRatio.toFixed(2).padStart(5),
    String(library.templateBytes).padStart(13),
    String(plain.templateBytes).padStart(11),
    row.bytesRatio.toFixed(2).padStart(7),
  ].join(' | '));
}
const at = (k) => synth.find((r) => r.keys === k);
// Linear growth: the cost of one more key, between 10 and 100 keys and between 100 and 1,000 keys
// (a fixed start-up cost makes seconds per key at a single size misleading).
const marginal = (variant, from, to) => fixed((at(to)[variant].seconds - at(from)[variant].seconds) / (to - from) * 1000, 2);
const growth = {
  libraryMsPerKey10to100: marginal('library', 10, 100),
  libraryMsPerKey100to1000: marginal('library', 100, 1000),
  plainMsPerKey10to100: marginal('plain', 10, 100),
  plainMsPerKey100to1000: marginal('plain', 100, 1000),
};
console.log(`\nlinear growth (ms per added key): library ${growth.libraryMsPerKey10to100} from 10 to 100 keys, ` +
  `${growth.libraryMsPerKey100to1000} from 100 to 1,000; plain ${growth.plainMsPerKey10to100} and ${growth.plainMsPerKey100to1000}`);

// The access report at 1,000 keys: the same app with the KeyAccessReport plugin, against the library alone.
const withReport = measure('library-report', REPORT_KEYS);
const report = {
  keys: REPORT_KEYS,
  librarySeconds: at(REPORT_KEYS).library.seconds,
  withReportSeconds: withReport.seconds,
  reportSeconds: fixed(withReport.seconds - at(REPORT_KEYS).library.seconds),
  reportMsPerKey: fixed((withReport.seconds - at(REPORT_KEYS).library.seconds) / REPORT_KEYS * 1000),
  timeRatio: fixed(withReport.seconds / at(REPORT_KEYS).library.seconds),
};
console.log(`\naccess report at ${REPORT_KEYS} keys: ${report.withReportSeconds.toFixed(2)} s with the report, ` +
  `${report.librarySeconds.toFixed(2)} s without: ${report.reportSeconds} s (${report.reportMsPerKey} ms per key, ${report.timeRatio}x)`);

// The analyzer behind the library's synth checks, at 1,000 keys: the time spent in it against the rest
// of the synth (the same app before the analyzer existed had the rest and a cheaper reader of its own).
const lib1000 = at(1000).library;
const analyzer = {
  keys: 1000,
  synthSeconds: lib1000.seconds,
  analyzerSeconds: fixed(lib1000.analyzerSeconds, 3),
  analyzerMsPerKey: fixed((lib1000.analyzerSeconds * 1000) / 1000, 3),
  shareOfRest: fixed(lib1000.analyzerSeconds / (lib1000.seconds - lib1000.analyzerSeconds), 3),
};
console.log(`\nkey policy analyzer at 1,000 keys: ${analyzer.analyzerSeconds} s of ${analyzer.synthSeconds.toFixed(2)} s ` +
  `(${analyzer.analyzerMsPerKey} ms per key; ${(analyzer.shareOfRest * 100).toFixed(1)}% of the rest of the synth, target at most 10%)`);
// The rule pack reads every key of the app once per rule: its cost at 1,000 keys, over the library's synth.
const PACK_KEYS = 1000;
const pack = packCost(PACK_KEYS, at(PACK_KEYS).library);

console.log('\npolicy capacity: target accounts of snapshot sharing in one key policy (32,768 bytes)');
const cap = require('./capacity').capacity();
for (const c of cap) {
  console.log(`${c.form.padEnd(58)} ${String(c.maxAccounts).padStart(5)} accounts, ${c.bytesPerAccount.toFixed(1)} bytes per added account`);
}

const results = { date: new Date().toISOString(), machine, synth, growth, report, analyzer, pack, capacity: cap };
fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nwritten to benchmarks/results.json');
