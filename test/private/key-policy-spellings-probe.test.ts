/**
 * Spellings a careless or hostile author could write, against the canonical spelling: the verdict
 * (violations per invariant) must be the same, and where the spelling decides allow/deny, the analyzer
 * must decide as the IAM policy simulator does.
 */
import { KeyPolicyAnalysis, ResolvedStatement } from '../../src/private/key-policy-analyzer';
import { Invariant, keyPolicyViolations } from '../../src/private/key-policy-checks';
import { decide, KMS_STAR_POLICY } from '../helpers/world';

const ACCOUNT = '111111111111';
const PARTNER = '222222222222';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ops`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const context = { account: ACCOUNT };
const VIA = { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' };
const ADMIN = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'];

function verdict(statements: ResolvedStatement[]): string[] {
  return keyPolicyViolations(KeyPolicyAnalysis.of(statements, context))
    .filter((v) => v.invariant !== Invariant.LOCKOUT)
    .map((v) => v.invariant)
    .sort();
}

const allow = (principal: unknown, action: unknown, condition?: unknown): ResolvedStatement =>
  ({ Effect: 'Allow', Principal: principal, Action: action as any, Resource: '*', ...(condition ? { Condition: condition as any } : {}) });

describe('a spelling gives the verdict of its canonical form', () => {
  test.each<[string, ResolvedStatement[], ResolvedStatement[]]>([
    ['Allow with NotPrincipal is everyone but the named', [{ Effect: 'Allow', NotPrincipal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: '*' }], [allow('*', 'kms:Decrypt')]],
    ['* narrowed by aws:PrincipalArn with a wildcard account', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } })], [allow('*', 'kms:Decrypt')]],
    ['* narrowed by aws:PrincipalArn arn:*', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': 'arn:*' } })], [allow('*', 'kms:Decrypt')]],
    ['* narrowed by aws:PrincipalOrgID o-*', [allow('*', 'kms:Decrypt', { StringLike: { 'aws:PrincipalOrgID': 'o-*', ...VIA } })], [allow('*', 'kms:Decrypt', { StringEquals: VIA })]],
    ['* narrowed by aws:PrincipalOrgPaths o-*/*', [allow('*', 'kms:Decrypt', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-*/*' }, 'StringEquals': VIA })], [allow('*', 'kms:Decrypt', { StringEquals: VIA })]],
    ['* narrowed by kms:CallerAccount ** ', [allow('*', 'kms:Decrypt', { StringLike: { 'kms:CallerAccount': '**' } })], [allow('*', 'kms:Decrypt')]],
    ['* narrowed by kms:CallerAccount ?*', [allow('*', 'kms:Decrypt', { StringLike: { 'kms:CallerAccount': '?*' } })], [allow('*', 'kms:Decrypt')]],
    ['* narrowed by kms:CallerAccount 1*', [allow('*', 'kms:Decrypt', { StringLike: { 'kms:CallerAccount': '2*' } })], [allow('*', 'kms:Decrypt')]],
    ['condition key in upper case', [allow('*', 'kms:Decrypt', { StringEquals: { 'KMS:CALLERACCOUNT': PARTNER, 'KMS:VIASERVICE': VIA['kms:ViaService'] } })],
      [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER, ...VIA } })]],
    ['operator in lower case', [allow('*', 'kms:Decrypt', { stringequals: { 'kms:CallerAccount': PARTNER } })], [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER } })]],
    ['ForAnyValue on a single-valued key', [allow('*', 'kms:Decrypt', { 'ForAnyValue:StringEquals': { 'kms:CallerAccount': PARTNER, ...VIA } })],
      [allow('*', 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': PARTNER, ...VIA } })]],
    ['kms:** for a role', [allow({ AWS: ROLE_ARN }, 'kms:**')], [allow({ AWS: ROLE_ARN }, 'kms:*')]],
    ['kms:?* for a role', [allow({ AWS: ROLE_ARN }, 'kms:?*')], [allow({ AWS: ROLE_ARN }, 'kms:*')]],
    ['kms:*crypt', [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:*crypt'])], [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt'])]],
    ['kms:?ecrypt', [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:?ecrypt'])], [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt'])]],
    ['a Deny of another resource subtracts nothing', [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt']), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: 'arn:aws:s3:::bucket/*' }],
      [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt'])]],
    ['a Deny with NotResource * subtracts nothing', [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt']), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', NotResource: '*' }],
      [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt'])]],
    ['a Deny of every key subtracts', [allow({ AWS: ROLE_ARN }, [...ADMIN, 'kms:Decrypt']), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/*' }],
      [allow({ AWS: ROLE_ARN }, ADMIN)]],
    ['Principal account as ARN of aws-us-gov', [allow({ AWS: `arn:aws-us-gov:iam::${PARTNER}:root` }, 'kms:Decrypt')], [allow({ AWS: PARTNER }, 'kms:Decrypt')]],
    ['Principal {AWS: [*]} with Fn::Join account condition', [allow({ AWS: ['*'] }, 'kms:Decrypt', { StringEquals: { 'kms:CallerAccount': { 'Fn::Join': ['', [{ Ref: 'AWS::AccountId' }]] } } })],
      [allow({ AWS: ACCOUNT }, 'kms:Decrypt')]],
  ])('%s', (_name, spelled, canonical) => {
    expect(verdict(spelled)).toEqual(verdict(canonical));
  });
});

describe('the analyzer decides as the simulator on these spellings', () => {
  const cases: [string, any[], string, string, Record<string, string>][] = [
    ['Allow NotPrincipal, other role', [{ Effect: 'Allow', NotPrincipal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: '*' }], `arn:aws:iam::${PARTNER}:role/x`, 'kms:Decrypt', {}],
    ['Allow NotPrincipal, named role', [{ Effect: 'Allow', NotPrincipal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: '*' }], ROLE_ARN, 'kms:Decrypt', {}],
    ['Deny NotPrincipal', [allow('*', 'kms:Decrypt'), { Effect: 'Deny', NotPrincipal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: '*' }], `arn:aws:iam::${ACCOUNT}:role/app`, 'kms:Decrypt', {}],
    ['kms:?ecrypt', [allow({ AWS: ROLE_ARN }, 'kms:?ecrypt')], ROLE_ARN, 'kms:Decrypt', {}],
    ['kms:*crypt Encrypt', [allow({ AWS: ROLE_ARN }, 'kms:*crypt')], ROLE_ARN, 'kms:Encrypt', {}],
    ['condition key upper case', [allow('*', 'kms:Decrypt', { StringEquals: { 'KMS:CALLERACCOUNT': PARTNER } })], `arn:aws:iam::${PARTNER}:role/x`, 'kms:Decrypt', {}],
    ['StringLike account wildcard', [allow('*', 'kms:Decrypt', { StringLike: { 'kms:CallerAccount': '2*' } })], `arn:aws:iam::${PARTNER}:role/x`, 'kms:Decrypt', {}],
    ['ArnLike principal wildcard account', [allow('*', 'kms:Decrypt', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } })], `arn:aws:iam::${PARTNER}:role/x`, 'kms:Decrypt', {}],
    ['Deny another resource', [allow({ AWS: ROLE_ARN }, 'kms:Decrypt'), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: 'arn:aws:s3:::bucket/*' }], ROLE_ARN, 'kms:Decrypt', {}],
    ['Deny NotResource *', [allow({ AWS: ROLE_ARN }, 'kms:Decrypt'), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', NotResource: '*' }], ROLE_ARN, 'kms:Decrypt', {}],
    ['Deny every key', [allow({ AWS: ROLE_ARN }, 'kms:Decrypt'), { Effect: 'Deny', Principal: { AWS: ROLE_ARN }, Action: 'kms:Decrypt', Resource: 'arn:aws:kms:*:*:key/*' }], ROLE_ARN, 'kms:Decrypt', {}],
    ['Allow another resource', [allow({ AWS: ROLE_ARN }, 'kms:Decrypt'), { Effect: 'Allow', Principal: { AWS: PARTNER }, Action: 'kms:Decrypt', Resource: 'arn:aws:s3:::bucket/*' }], `arn:aws:iam::${PARTNER}:role/x`, 'kms:Decrypt', {}],
    ['IgnoreCase via', [allow('*', 'kms:Decrypt', { StringEqualsIgnoreCase: { 'kms:viaservice': 'EC2.us-east-1.amazonaws.com' } })], ROLE_ARN, 'kms:Decrypt', VIA],
  ];
  test.each(cases)('%s', async (_name, statements, principal, action, ctx) => {
    const policy = { Version: '2012-10-17', Statement: statements };
    const account = principal.split(':')[4];
    const simulator = await decide({
      principal,
      action,
      resource: KEY_ARN,
      resourceAccount: ACCOUNT,
      identityPolicies: [KMS_STAR_POLICY],
      resourcePolicy: policy,
      context: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account, 'kms:CallerAccount': account, ...ctx },
    });
    const analysis = KeyPolicyAnalysis.of(policy, context);
    expect(analysis.evaluate({ principal, action, context: ctx })).toEqual(simulator);
    const access = analysis.access(analysis.principal(principal), action);
    if (access.unconditional) expect(simulator).toEqual('Allowed');
    if (!access.allowed) expect(simulator).not.toEqual('Allowed');
  });
});
