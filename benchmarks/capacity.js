// Policy capacity: the largest number of target accounts for EBS snapshot sharing that fit in one key
// policy (32,768 bytes once deployed), for each way of writing it, and the bytes each added account costs.
const cdk = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const { CustomerManagedKey, SharingTargets } = require('../lib');
const { deployedLength, KEY_POLICY_MAX_BYTES } = require('../lib/private/policy-size');

/** The actions a target account needs on the key to copy a shared snapshot (KMS-FACTS.md). */
const SNAPSHOT_COPY_ACTIONS = [
  'kms:DescribeKey', 'kms:CreateGrant', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*', 'kms:Decrypt',
];

function accountIds(n) {
  return Array.from({ length: n }, (_, i) => String(200000000000 + i * 7919));
}

/** Bytes of the key policy of a one-key app built by `build(stack, accounts)`. */
function policyBytes(build, n, context) {
  const app = new cdk.App({ context });
  const stack = new cdk.Stack(app, 'Capacity', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = build(stack, accountIds(n));
  // The key policy as CloudFormation receives it, resolved without synthesis: a policy over the limit
  // must be measured, not refused.
  return deployedLength(stack.resolve(key.node.defaultChild.keyPolicy));
}

/** The largest n whose policy fits, found by doubling then bisection. */
function maxFitting(bytesFor) {
  let lo = 0;
  let hi = 1;
  while (bytesFor(hi) <= KEY_POLICY_MAX_BYTES) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (bytesFor(mid) <= KEY_POLICY_MAX_BYTES) lo = mid; else hi = mid;
  }
  return lo;
}

/** aws-cdk-lib: a kms.Key with one admin and one user role, then one grant per target account. */
function plainGrantPerAccount(stack, accounts) {
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, admins: [admin] });
  key.grantEncryptDecrypt(user);
  for (const account of accounts) {
    key.grant(new iam.AccountPrincipal(account), ...SNAPSHOT_COPY_ACTIONS);
  }
  return key;
}

/** This library: a CustomerManagedKey with one admin and one user role, shared for snapshot copy. */
function librarySharing(stack, accounts) {
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const key = new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user] });
  if (accounts.length > 0) {
    key.shareForSnapshotCopy(SharingTargets.accounts(accounts));
  }
  return key;
}

/** Every form measured, each with the app context it needs. */
const FORMS = [
  { form: 'cdk-kms-patterns shareForSnapshotCopy (one kms:CallerAccount list)', build: librarySharing, context: {} },
  { form: 'aws-cdk-lib kms.Key, a grant per account', build: plainGrantPerAccount, context: {} },
  {
    form: 'aws-cdk-lib kms.Key, a grant per account, minimizePolicies',
    build: plainGrantPerAccount,
    context: { '@aws-cdk/aws-iam:minimizePolicies': true },
  },
];

function capacity() {
  return FORMS.map(({ form, build, context }) => {
    const bytesFor = (n) => policyBytes(build, n, context);
    const maxAccounts = maxFitting(bytesFor);
    const low = Math.max(1, Math.floor(maxAccounts / 2));
    return {
      form,
      maxAccounts,
      bytesAtMax: bytesFor(maxAccounts),
      bytesPerAccount: (bytesFor(maxAccounts) - bytesFor(low)) / (maxAccounts - low),
    };
  });
}

module.exports = { capacity, FORMS, SNAPSHOT_COPY_ACTIONS, accountIds, policyBytes, maxFitting };

if (require.main === module) {
  for (const c of capacity()) console.log(c);
}
