import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, OTHER_ACCOUNT, ROOT_JOIN, synthFindings } from '../nag';

const RULE = 'KmsGolden-SeparationOfDuties';
const OPS = `arn:aws:iam::${ACCOUNT}:role/ops`;

describe(RULE, () => {
  test('a CustomerManagedKey with admins and users passes', () => {
    const app = newApp();
    const stack = newStack(app);
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
    new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user] });

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a plain kms.Key with an administrator of another account fails: kms:Create* and kms:Get* hold CreateGrant and GetPublicKey', () => {
    const app = newApp();
    const stack = newStack(app);
    new kms.Key(stack, 'Key', { enableKeyRotation: true, admins: [new iam.AccountPrincipal(OTHER_ACCOUNT)] });

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId))
      .toEqual([`${RULE}[Principal::arn:\${AWS::Partition}:iam::${OTHER_ACCOUNT}:root]`]);
  });

  test('a principal given admin and use actions in two statements fails', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [
      allow({ AWS: OPS }, ['kms:DescribeKey', 'kms:PutKeyPolicy']),
      allow({ AWS: OPS }, 'kms:Decrypt'),
    ]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::${OPS}]`]);
  });

  test('an administrator with kms:CreateGrant fails: a grant can give it Decrypt', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: OPS }, ['kms:ScheduleKeyDeletion', 'kms:CreateGrant'])]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => f.ruleId)).toEqual([`${RULE}[Principal::${OPS}]`]);
  });

  test('read-only metadata is shared by both sides: a user with DescribeKey and GetKeyPolicy passes', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: OPS }, ['kms:Decrypt', 'kms:DescribeKey', 'kms:GetKeyPolicy'])]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('the account root is exempt', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: ROOT_JOIN }, ['kms:PutKeyPolicy', 'kms:Decrypt'])]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('the CDK execution role that administers and creates a table through DynamoDB passes; held to no service fails', () => {
    const deployer = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`;
    const viaDynamoDb = { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' }, Bool: { 'kms:GrantIsForAWSResource': 'true' } };
    const app = newApp();
    const stack = newStack(app);
    keyWithStatements(stack, 'Deployed', [allow({ AWS: deployer }, ['kms:PutKeyPolicy']), allow({ AWS: deployer }, 'kms:CreateGrant', viaDynamoDb)]);
    keyWithStatements(stack, 'Direct', [allow({ AWS: deployer }, ['kms:PutKeyPolicy']), allow({ AWS: deployer }, 'kms:CreateGrant')]);
    // Any other administrator with use through a service can read what the service stores under the key.
    keyWithStatements(stack, 'Ops', [allow({ AWS: OPS }, ['kms:PutKeyPolicy']), allow({ AWS: OPS }, 'kms:CreateGrant', viaDynamoDb)]);
    keyWithStatements(stack, 'OpsDirect', [allow({ AWS: OPS }, ['kms:PutKeyPolicy']), allow({ AWS: OPS }, 'kms:CreateGrant')]);

    const findings = findingsOf(synthFindings(app), RULE).map((f) => `${f.path} ${f.ruleId}`).sort();
    expect(findings).toEqual([
      `Stack/Direct ${RULE}[Principal::${deployer}]`,
      `Stack/Ops ${RULE}[Principal::${OPS}]`,
      `Stack/OpsDirect ${RULE}[Principal::${OPS}]`,
    ]);
  });
});
