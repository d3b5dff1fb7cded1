/**
 * Spellings a careless or hostile author could write, where the spelling decides allow or deny: the
 * analyzer decides as the IAM policy simulator does, and its symbolic answer never contradicts it.
 * (Their verdicts against the canonical spellings: key-policy-analyzer.test.ts.)
 */
import { KeyPolicyAnalysis, ResolvedStatement } from '../../src/private/key-policy-analyzer';
import { decide, KMS_STAR_POLICY } from '../helpers/world';

const ACCOUNT = '111111111111';
const PARTNER = '222222222222';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ops`;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const context = { account: ACCOUNT };
const VIA = { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' };

const allow = (principal: unknown, action: unknown, condition?: unknown): ResolvedStatement =>
  ({ Effect: 'Allow', Principal: principal, Action: action as any, Resource: '*', ...(condition ? { Condition: condition as any } : {}) });

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
