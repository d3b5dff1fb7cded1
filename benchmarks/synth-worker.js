// One measured synth in a fresh process: builds an app of N keys, either with this library or with
// plain aws-cdk-lib (kms.Key + grants), synthesizes it and prints one JSON line of figures.
// Usage: node benchmarks/synth-worker.js <library|library-report|library-pack|plain> <keys> <outdir>
// (library-report: the library's keys with the KeyAccessReport plugin turned on; library-pack: with the
// KmsGoldenRules pack registered, whose cost is its time minus the library's)
const { performance } = require('perf_hooks');
const fs = require('fs');
const path = require('path');
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
// BENCH_LIB: another build of the library (an earlier commit's lib/) to compare against, same app.
const LIB = process.env.BENCH_LIB ? path.resolve(process.env.BENCH_LIB) : path.join(__dirname, '..', 'lib');
const { CustomerManagedKey, KeyAccessReport, KmsGoldenRules } = require(LIB);

// The key policy analyzer behind the library's synth checks: its time is summed over every call of the
// check (one per key and replica), so that its share of the synth is printed, not guessed.
const checks = require(path.join(LIB, 'private', 'key-policy-checks'));
let analyzerMs = 0;
const checkKeyPolicy = checks.checkKeyPolicy ?? (() => []);
checks.checkKeyPolicy = (...args) => {
  const t0 = performance.now();
  try {
    return checkKeyPolicy(...args);
  } finally {
    analyzerMs += performance.now() - t0;
  }
};

const [variant, keysArg, outdir] = process.argv.slice(2);
const keys = Number(keysArg);
// CloudFormation caps a stack at 500 resources: 50 keys (about 6 resources each) per stack.
const KEYS_PER_STACK = 50;

const start = performance.now();
const app = new cdk.App({ outdir });
if (variant === 'library-pack') {
  cdk.Validations.of(app).addPlugins(new KmsGoldenRules(app));
}
let stack;
for (let i = 0; i < keys; i++) {
  if (i % KEYS_PER_STACK === 0) {
    stack = new cdk.Stack(app, `Keys${i / KEYS_PER_STACK}`, { env: { account: '111111111111', region: 'eu-west-1' } });
  }
  const admin = new iam.Role(stack, `Admin${i}`, { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, `User${i}`, { assumedBy: new iam.AccountRootPrincipal() });
  if (variant.startsWith('library')) {
    new CustomerManagedKey(stack, `Key${i}`, { admins: [admin], users: [user], aliases: [`alias/bench/key-${i}`] });
  } else {
    const key = new kms.Key(stack, `Key${i}`, { enableKeyRotation: true, admins: [admin], alias: `alias/bench/key-${i}` });
    key.grantEncryptDecrypt(user);
  }
}
if (variant === 'library-report') {
  cdk.Validations.of(app).addPlugins(new KeyAccessReport());
}
app.synth();
const seconds = (performance.now() - start) / 1000;

let templateBytes = 0;
for (const f of fs.readdirSync(outdir)) {
  if (f.endsWith('.template.json')) templateBytes += fs.statSync(path.join(outdir, f)).size;
}
process.stdout.write(JSON.stringify({
  variant,
  keys,
  seconds,
  analyzerSeconds: analyzerMs / 1000,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  templateBytes,
}) + '\n');
