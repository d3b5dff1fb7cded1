import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, synthFindings } from '../nag';

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

  test.each([
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': ACCOUNT } }],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }],
    ['kms:CallerAccount and kms:ViaService (the AWS managed key pattern)', {
      StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 'ebs.us-east-1.amazonaws.com' },
    }],
  ])('Principal * narrowed by %s passes', (_name, condition) => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow('*', 'kms:Decrypt', condition)]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a Deny to Principal * (a perimeter) passes', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [{ Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' }]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });
});
