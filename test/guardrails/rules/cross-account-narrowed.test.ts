import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, OTHER_ACCOUNT, ROOT_JOIN, synthFindings } from '../nag';

const RULE = 'KmsGolden-CrossAccountNarrowed';
const PARTNER_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/reader`;

describe(RULE, () => {
  test('a CustomerManagedKey with users of its own account passes', () => {
    const app = newApp();
    const stack = newStack(app);
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
    new CustomerManagedKey(stack, 'Key', { users: [user] });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key shared with another account without a condition fails', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.grantDecrypt(new iam.AccountPrincipal(OTHER_ACCOUNT));

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId))
      .toEqual([`${RULE}[Principal::arn:\${AWS::Partition}:iam::${OTHER_ACCOUNT}:root]`]);
  });

  test.each([
    ['kms:ViaService', { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } }],
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } }],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }],
    ['StringLike kms:ViaService', { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } }],
    ['an intrinsic value', { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } }],
  ])('sharing narrowed by %s passes', (_name, condition) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: PARTNER_ROLE }, 'kms:Decrypt', condition)]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test.each([
    ['a negated operator', { StringNotEquals: { 'kms:CallerAccount': ACCOUNT } }],
    ['an IfExists operator', { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } }],
    ['ForAllValues', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } }],
    ['a wildcard value', { StringLike: { 'kms:ViaService': '*' } }],
    ['an unrelated key', { StringEquals: { 'kms:EncryptionContext:app': 'x' } }],
  ])('sharing with %s fails', (_name, condition) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: PARTNER_ROLE }, 'kms:Decrypt', condition)]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::${PARTNER_ROLE}]`]);
  });

  test('everyone (*) without a condition fails', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: '*' }, 'kms:Decrypt')]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::*]`]);
  });

  test.each([
    ['a role of this template (Fn::GetAtt)', { AWS: { 'Fn::GetAtt': ['AppRole', 'Arn'] } }],
    ['a role ARN of this account', { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }],
    ['the account root', { AWS: ROOT_JOIN }],
    ['a service principal', { Service: 'logs.us-east-1.amazonaws.com' }],
  ])('%s is not cross-account', (_name, principal) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow(principal, 'kms:Decrypt')]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('in an environment-agnostic stack, an account id written out is another account', () => {
    const app = newApp();
    keyWithStatements(new Stack(app, 'Stack'), 'Key', [allow({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'kms:Decrypt')]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::arn:aws:iam::${ACCOUNT}:root]`]);
  });
});
