import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { allow, findingsOf, keyWithStatements, newApp, newStack, OTHER_ACCOUNT, synthFindings } from '../nag';

const RULE = 'KmsGolden-PublicPrincipal';

describe(RULE, () => {
  test('a CustomerManagedKey passes', () => {
    const app = newApp();
    new CustomerManagedKey(newStack(app), 'Key');

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key granting decryption to anyone fails', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.grantDecrypt(new iam.AnyPrincipal());

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.path)).toEqual(['Stack/Key/Resource']);
  });

  test.each([['*'], [{ AWS: '*' }], [{ AWS: ['*'] }]])('Principal %j without a condition fails', (principal) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow(principal, 'kms:Decrypt')]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([RULE]);
  });

  const VIA_EBS = { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' };
  test.each([
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT, ...VIA_EBS } }],
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': OTHER_ACCOUNT, ...VIA_EBS } }],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123', ...VIA_EBS } }],
    ['aws:PrincipalOrgPaths', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-11111111/*' }, 'StringEquals': VIA_EBS }],
  ])('Principal * narrowed by %s and held to a service passes', (_name, condition) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow('*', 'kms:Decrypt', condition)]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test.each([
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } }],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }],
    ['kms:ViaService alone (any account through the service)', { StringEquals: VIA_EBS }],
    ['kms:CallerAccount with IfExists (a request without it passes)', { StringEqualsIfExists: { 'kms:CallerAccount': OTHER_ACCOUNT }, StringEquals: VIA_EBS }],
    ['kms:CallerAccount with StringNotEquals (every other account)', { StringNotEquals: { 'kms:CallerAccount': OTHER_ACCOUNT }, StringEquals: VIA_EBS }],
  ])('Principal * with only %s fails: every identity of those accounts decrypts directly, or anyone does', (_name, condition) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow('*', 'kms:Decrypt', condition)]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([RULE]);
  });

  test('administration for * narrowed to an account needs no service', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow('*', 'kms:DescribeKey', { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } })]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('an organization perimeter (Deny unless aws:PrincipalOrgID) narrows an Allow to * for administration', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [
      allow('*', 'kms:DescribeKey'),
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
      },
    ]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a Deny to Principal * (a perimeter) passes', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [{ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' }]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });
});
