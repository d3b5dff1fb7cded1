import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccountRootAccess, CustomerManagedKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, OTHER_ACCOUNT, ROOT_JOIN, synthFindings } from '../nag';

const RULE = 'KmsGolden-NoWildcardActions';

describe(RULE, () => {
  test.each([AccountRootAccess.ADMINISTRATION, AccountRootAccess.FULL_DELEGATION])(
    'a CustomerManagedKey with account root access %s passes', (accountRootAccess) => {
      const app = newApp();
      const stack = newStack(app);
      const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
      new CustomerManagedKey(stack, 'Key', { accountRootAccess, admins: [admin] });

      expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
    });

  test('a plain kms.Key passes: its default policy gives kms:* to the account root only', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key');

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key that gives kms:* to a role fails, with the role as finding', () => {
    // GIVEN
    const app = newApp();
    const stack = newStack(app);
    const role = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [role], actions: ['kms:*'], resources: ['*'] }));

    // THEN
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::\${${roleId}.Arn}]`]);
  });

  test.each([
    ['the Fn::Join form', ROOT_JOIN],
    ['the ARN string', `arn:aws:iam::${ACCOUNT}:root`],
    ['the 12-digit short form', ACCOUNT],
    ['AWS::AccountId', { Ref: 'AWS::AccountId' }],
  ])('the account root in %s may hold kms:*', (_form, root) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: root }, 'kms:*')]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('the account root of an environment-agnostic stack may hold kms:*', () => {
    const app = newApp();
    keyWithStatements(new Stack(app, 'Stack'), 'Key', [allow({ AWS: ROOT_JOIN }, 'kms:*')]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test.each([
    ['another account root', { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, `arn:aws:iam::${OTHER_ACCOUNT}:root`, 'kms:*'],
    ['another account (short form)', { AWS: OTHER_ACCOUNT }, OTHER_ACCOUNT, '*'],
    ['a role of this account', { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, `arn:aws:iam::${ACCOUNT}:role/ops`, 'KMS:*'],
    ['a service', { Service: 'logs.amazonaws.com' }, 'logs.amazonaws.com', 'kms:*'],
  ])('%s may not hold every action', (_name, principal, display, action) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow(ROOT_JOIN_PRINCIPAL, 'kms:*'), allow(principal, action)]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::${display}]`]);
  });

  test('an Allow with NotAction counts as every action', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, NotAction: 'kms:Decrypt', Resource: '*' },
    ]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::arn:aws:iam::${ACCOUNT}:role/ops]`]);
  });

  test('a Deny of kms:* to everyone is not a grant', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [
      allow(ROOT_JOIN_PRINCIPAL, 'kms:*'),
      { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
    ]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('one principal can be acknowledged with a stated reason, the others are still reported', () => {
    const app = newApp();
    const key = keyWithStatements(newStack(app), 'Key', [
      allow({ AWS: [`arn:aws:iam::${ACCOUNT}:role/break-glass`, `arn:aws:iam::${ACCOUNT}:role/ops`] }, 'kms:*'),
    ]);
    Validations.of(key).acknowledge({
      id: `${RULE}[Principal::arn:aws:iam::${ACCOUNT}:role/break-glass]`,
      reason: 'Break-glass role, only assumable with two-person approval',
    });

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::arn:aws:iam::${ACCOUNT}:role/ops]`]);
  });
});

const ROOT_JOIN_PRINCIPAL = { AWS: ROOT_JOIN };
