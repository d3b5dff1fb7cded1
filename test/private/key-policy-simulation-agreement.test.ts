/**
 * The analyzer against the IAM policy simulator: on a generated set of key policies and requests (a
 * fixed seed, so every run checks the same pairs), the analyzer says Allowed exactly when the simulator
 * does, and its symbolic answer ("can P do A, under which conditions") never contradicts either.
 */
import { KeyPolicyAnalysis, PolicyPrincipal } from '../../src/private/key-policy-analyzer';
import { decide, KMS_STAR_POLICY } from '../helpers/world';

const ACCOUNT = '111111111111';
const PARTNER = '222222222222';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ORG = 'o-abc1234567';
const OU_PATH = `${ORG}/r-ab12/ou-ab12-11111111/`;
const PAIRS = 600;

/** A linear congruential generator: small, deterministic, no dependency. */
function generator(seed: number): () => number {
  let state = seed % 2147483648;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}
const random = generator(20261202);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const PRINCIPALS: unknown[] = [
  '*',
  { AWS: '*' },
  { AWS: ['*'] },
  { AWS: ACCOUNT },
  { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  { AWS: `arn:aws:iam::${PARTNER}:root` },
  { AWS: PARTNER },
  { AWS: `arn:aws:iam::${ACCOUNT}:role/app` },
  { AWS: [`arn:aws:iam::${ACCOUNT}:role/admin`, `arn:aws:iam::${ACCOUNT}:role/app`] },
  { AWS: `arn:aws:iam::${PARTNER}:role/partner` },
  { Service: 'logs.us-east-1.amazonaws.com' },
];

const ACTIONS: { Action?: unknown; NotAction?: unknown }[] = [
  { Action: 'kms:Decrypt' },
  { Action: 'kms:decrypt' },
  { Action: 'KMS:DECRYPT' },
  { Action: 'kms:*' },
  { Action: '*' },
  { Action: 'kms:Create*' },
  { Action: 'kms:create*' },
  { Action: 'kms:Re*' },
  { Action: 'kms:GenerateDataKey*' },
  { Action: 'kms:Get*' },
  { Action: 'kms:*Key' },
  { Action: ['kms:Encrypt', 'kms:PutKeyPolicy', 'kms:ReplicateKey'] },
  { Action: ['kms:DescribeKey', 'kms:CreateGrant'] },
  { NotAction: 'kms:Decrypt' },
  { NotAction: ['kms:Create*', 'kms:Put*'] },
];

const CONDITIONS: Record<string, Record<string, unknown>>[] = [
  { StringEquals: { 'kms:CallerAccount': ACCOUNT } },
  { StringEquals: { 'kms:CallerAccount': PARTNER } },
  { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
  { StringEquals: { 'aws:PrincipalOrgID': ORG } },
  { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': `${OU_PATH}*` } },
  { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/app*` } },
  { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${PARTNER}:role/partner` } },
  { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
  { StringLike: { 'kms:ViaService': '*.us-east-1.amazonaws.com' } },
  { StringEqualsIgnoreCase: { 'kms:ViaService': 'EC2.US-EAST-1.AMAZONAWS.COM' } },
  { StringEqualsIfExists: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
  { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  { BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' } },
  { StringEquals: { 'kms:EncryptionContext:app': 'orders' } },
  { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
  { ArnLike: { 'aws:SourceArn': `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` } },
  { StringEquals: { 'kms:ReplicaRegion': ['us-west-2', 'eu-west-1'] } },
  { StringLike: { 'kms:GranteePrincipal': 'arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*' } },
  { StringNotEquals: { 'kms:CallerAccount': ACCOUNT } },
  { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG } },
  { StringNotLike: { 'kms:ViaService': 's3.*' } },
  { Null: { 'kms:ViaService': 'false' } },
  { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] } },
  { 'ForAnyValue:StringEquals': { 'kms:GrantOperations': 'Sign' } },
];

/** The resources of a statement: mostly `*`, sometimes this key, every key, another key, or another service's. */
const RESOURCES: Record<string, unknown>[] = [
  { Resource: '*' },
  { Resource: '*' },
  { Resource: '*' },
  { Resource: '*' },
  { Resource: KEY_ARN },
  { Resource: 'arn:aws:kms:*:*:key/*' },
  { Resource: [`arn:aws:kms:us-east-1:${ACCOUNT}:key/other`, 'arn:aws:s3:::bucket/*'] },
  { Resource: 'arn:aws:s3:::bucket/*' },
  { NotResource: 'arn:aws:s3:::bucket/*' },
  { NotResource: KEY_ARN },
];

const REQUESTERS = [
  `arn:aws:iam::${ACCOUNT}:role/app`,
  `arn:aws:iam::${ACCOUNT}:role/admin`,
  `arn:aws:iam::${ACCOUNT}:root`,
  `arn:aws:iam::${PARTNER}:role/partner`,
  `arn:aws:iam::${PARTNER}:root`,
  'arn:aws:iam::333333333333:role/stranger',
  'logs.us-east-1.amazonaws.com',
];

const REQUEST_ACTIONS = [
  'kms:Decrypt', 'kms:Encrypt', 'kms:CreateGrant', 'kms:PutKeyPolicy', 'kms:ReplicateKey', 'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo', 'kms:GetPublicKey', 'kms:ScheduleKeyDeletion',
];

/** Context values a request may carry, by key; a request carries a random subset (for the keys its action has). */
const CONTEXT_VALUES: Record<string, (string | string[])[]> = {
  'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'ec2.us-east-1.amazonaws.com'],
  'kms:EncryptionContext:app': ['orders', 'billing'],
  'aws:SourceAccount': [ACCOUNT, PARTNER],
  'aws:SourceArn': [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app`, `arn:aws:logs:us-east-1:${PARTNER}:log-group:/app`],
  'aws:PrincipalOrgID': [ORG, 'o-zzz9999999'],
  'aws:PrincipalOrgPaths': [[`${OU_PATH}ou-ab12-22222222/`], ['o-zzz9999999/r-zz99/']],
  'kms:GrantIsForAWSResource': ['true', 'false'],
  'kms:GranteePrincipal': [`arn:aws:iam::${PARTNER}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`, `arn:aws:iam::${PARTNER}:role/x`],
  'kms:GrantOperations': [['Decrypt'], ['Decrypt', 'Sign']],
  'kms:ReplicaRegion': ['us-west-2', 'ap-south-1'],
};
const GRANT_KEYS = ['kms:GrantIsForAWSResource', 'kms:GranteePrincipal', 'kms:GrantOperations'];
const CRYPTO_WITH_CONTEXT = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo'];

function keysFor(action: string, principal: string): string[] {
  return Object.keys(CONTEXT_VALUES).filter((k) => {
    if (k.startsWith('kms:EncryptionContext:')) return CRYPTO_WITH_CONTEXT.includes(action);
    if (GRANT_KEYS.includes(k)) return action === 'kms:CreateGrant';
    if (k === 'kms:ReplicaRegion') return action === 'kms:ReplicateKey';
    if (k.startsWith('aws:PrincipalOrg')) return principal.startsWith('arn:');
    if (k.startsWith('aws:Source')) return !principal.startsWith('arn:');
    return true;
  });
}

function statement(): any {
  const conditions: Record<string, Record<string, unknown>> = {};
  const count = pick([0, 0, 1, 1, 2, 3]);
  for (let i = 0; i < count; i++) {
    for (const [op, block] of Object.entries(pick(CONDITIONS))) {
      conditions[op] = { ...conditions[op], ...block };
    }
  }
  const principal = pick(PRINCIPALS);
  // NotPrincipal (everyone but the named), for IAM principals other than `*`.
  const not = random() < 0.15 && typeof principal === 'object' && 'AWS' in (principal as object) && JSON.stringify(principal).indexOf('"*"') < 0;
  return {
    Effect: random() < 0.25 ? 'Deny' : 'Allow',
    ...(not ? { NotPrincipal: principal } : { Principal: principal }),
    ...pick(ACTIONS),
    ...pick(RESOURCES),
    ...(count > 0 ? { Condition: conditions } : {}),
  };
}

interface Pair {
  readonly policy: any;
  readonly principal: string;
  readonly action: string;
  readonly context: Record<string, string | string[]>;
}

function pairs(): Pair[] {
  const out: Pair[] = [];
  while (out.length < PAIRS) {
    const policy = { Version: '2012-10-17', Statement: Array.from({ length: pick([1, 2, 2, 3]) }, statement) };
    for (let i = 0; i < 12; i++) {
      const principal = pick(REQUESTERS);
      const action = pick(REQUEST_ACTIONS);
      const context: Record<string, string | string[]> = {};
      for (const key of keysFor(action, principal)) {
        if (random() < 0.5) context[key] = pick(CONTEXT_VALUES[key]);
      }
      out.push({ policy, principal, action, context });
    }
  }
  return out;
}

describe('the analyzer agrees with the IAM policy simulator', () => {
  const generated = pairs();
  let results: { pair: Pair; simulator: string; analyzer: string; symbolic: { allowed: boolean; unconditional: boolean } }[];

  beforeAll(async () => {
    results = [];
    for (const pair of generated) {
      const iamPrincipal = pair.principal.startsWith('arn:');
      const account = pair.principal.split(':')[4];
      // IAM puts these in every request of an IAM principal; the simulator needs them spelled out.
      const identity: Record<string, string> = iamPrincipal ? { 'aws:PrincipalArn': pair.principal, 'aws:PrincipalAccount': account, 'kms:CallerAccount': account } : {};
      const simulator = await decide({
        principal: pair.principal,
        action: pair.action,
        resource: KEY_ARN,
        resourceAccount: ACCOUNT,
        // The requester's own IAM policies allow everything: the key policy decides.
        identityPolicies: iamPrincipal ? [KMS_STAR_POLICY] : [],
        resourcePolicy: pair.policy,
        context: { ...identity, ...pair.context },
      });
      const analysis = KeyPolicyAnalysis.of(pair.policy, { account: ACCOUNT, keyArn: KEY_ARN });
      const asking: PolicyPrincipal = iamPrincipal ? analysis.principal(pair.principal) : analysis.principal(pair.principal, 'Service');
      const access = analysis.access(asking, pair.action);
      results.push({
        pair,
        simulator,
        analyzer: analysis.evaluate({ principal: pair.principal, action: pair.action, context: pair.context }),
        symbolic: { allowed: access.allowed, unconditional: access.unconditional },
      });
    }
  }, 120_000);

  test('at least 500 statement/request pairs, with allowed and denied outcomes of both kinds', () => {
    expect(results.length).toBeGreaterThanOrEqual(500);
    const outcomes = new Set(results.map((r) => r.simulator));
    expect([...outcomes].sort()).toEqual(['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']);
    expect(results.filter((r) => r.simulator === 'Allowed').length).toBeGreaterThan(50);
  });

  test('the analyzer decides every pair as the simulator does', () => {
    const disagreements = results
      .filter((r) => r.analyzer !== r.simulator)
      .map((r) => ({
        simulator: r.simulator,
        analyzer: r.analyzer,
        principal: r.pair.principal,
        action: r.pair.action,
        context: r.pair.context,
        policy: r.pair.policy.Statement,
      }));
    expect(disagreements).toEqual([]);
  });

  test('the symbolic answer never contradicts the simulator', () => {
    // Unconditional: allowed whatever the context. Not allowed: denied whatever the context (the
    // requester's organization is unknown to the symbolic answer, so those requests are left out).
    const contradictions = results.filter((r) =>
      (r.symbolic.unconditional && r.simulator !== 'Allowed')
      || (!r.symbolic.allowed && r.simulator === 'Allowed' && !('aws:PrincipalOrgID' in r.pair.context) && !('aws:PrincipalOrgPaths' in r.pair.context)));
    expect(contradictions.map((r) => ({ ...r.pair, policy: r.pair.policy.Statement, symbolic: r.symbolic, simulator: r.simulator }))).toEqual([]);
  });
});
