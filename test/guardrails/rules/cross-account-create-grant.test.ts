import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, OTHER_ACCOUNT, synthFindings } from '../nag';

const RULE = 'KmsGolden-CrossAccountCreateGrant';
const PARTNER = `arn:aws:iam::${OTHER_ACCOUNT}:root`;
const FOR_AWS_RESOURCE = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };

describe(RULE, () => {
  test('a CustomerManagedKey passes, its users shared in another account too (grants held to AWS resources)', () => {
    const app = newApp();
    const stack = newStack(app);
    new CustomerManagedKey(stack, 'Key', { users: [new iam.AccountPrincipal(OTHER_ACCOUNT)] });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key granting CreateGrant to another account fails', () => {
    const app = newApp();
    const stack = newStack(app);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.grant(new iam.AccountPrincipal(OTHER_ACCOUNT), 'kms:CreateGrant');

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId))
      .toEqual([`${RULE}[Principal::arn:\${AWS::Partition}:iam::${OTHER_ACCOUNT}:root]`]);
  });

  test.each([
    ['Bool true', FOR_AWS_RESOURCE, []],
    ['Bool true (boolean)', { Bool: { 'kms:GrantIsForAWSResource': true } }, []],
    ['condition key in another case', { bool: { 'KMS:GrantIsForAwsResource': 'true' } }, []],
    ['Bool false', { Bool: { 'kms:GrantIsForAWSResource': 'false' } }, [`${RULE}[Principal::${PARTNER}]`]],
    ['another condition only', { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } }, [`${RULE}[Principal::${PARTNER}]`]],
    ['BoolIfExists alone (a direct call may lack the key)', { BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' } }, [`${RULE}[Principal::${PARTNER}]`]],
    [
      'the documented Auto Scaling exception: the grantee is the caller\'s AWSServiceRoleForAutoScaling',
      { StringLike: { 'kms:GranteePrincipal': 'arn:aws:iam::${aws:PrincipalAccount}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*' } },
      [],
    ],
    [
      'a grantee condition naming another role',
      { StringLike: { 'kms:GranteePrincipal': 'arn:aws:iam::222222222222:role/anything' } },
      [`${RULE}[Principal::${PARTNER}]`],
    ],
    [
      'BoolIfExists through a service (kms:ViaService), as one sharing statement writes it',
      { BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' }, StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
      [],
    ],
  ])('CreateGrant to another account with %s', (_name, condition, expected) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: PARTNER }, ['kms:CreateGrant', 'kms:ListGrants'], condition)]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual(expected);
  });

  test('kms:Create* to everyone counts as CreateGrant', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow('*', 'kms:Create*')]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::*]`]);
  });

  test('kms:create* (lower case) to * narrowed to another account is that account\'s CreateGrant', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow('*', 'kms:create*', { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } })]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::${OTHER_ACCOUNT}]`]);
  });

  test('* narrowed to the key\'s own account is the account root: AccountRootUse, not this rule', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow('*', 'kms:Create*', { StringEquals: { 'kms:CallerAccount': ACCOUNT } })]);

    const findings = synthFindings(app);
    expect(findingsOf(findings, RULE)).toEqual([]);
    expect(findingsOf(findings, 'KmsGolden-AccountRootUse').map((f) => f.ruleId)).toEqual([`KmsGolden-AccountRootUse[Principal::${ACCOUNT}]`]);
  });

  test('CreateGrant to a role of this account is not this rule\'s concern', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, 'kms:CreateGrant')]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a stated exception (acknowledgement) clears the finding', () => {
    const app = newApp();
    const key = keyWithStatements(newStack(app), 'Key', [allow({ AWS: PARTNER }, 'kms:CreateGrant')]);
    Validations.of(key).acknowledge({
      id: `${RULE}[Principal::${PARTNER}]`,
      reason: 'The partner account grants its Auto Scaling service-linked role (AWS documented pattern for shared AMIs)',
    });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });
});
