import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, ReplicaKey } from '../../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, ROOT_JOIN, synthFindings } from '../nag';

const RULE = 'KmsGolden-ReplicaPrincipals';
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/other`;

/** A multi-Region primary in us-east-1 used by APP_ROLE, and a stack in eu-west-1 for its replica. */
function primaryAndReplicaStack(app: App): { primary: CustomerManagedKey; replicaStack: Stack } {
  const primaryStack = newStack(app, 'Primary');
  const primary = new CustomerManagedKey(primaryStack, 'Key', {
    multiRegion: true,
    users: [iam.Role.fromRoleArn(primaryStack, 'App', APP_ROLE)],
  });
  const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
  return { primary, replicaStack };
}

/** A retained replica of the primary with the given principals as users. */
function replicaKey(stack: Stack, primary: kms.IKey, statements: any[]): kms.CfnReplicaKey {
  const replica = new kms.CfnReplicaKey(stack, 'ReplicaKey', {
    primaryKeyArn: primary.keyArn,
    keyPolicy: { Version: '2012-10-17', Statement: statements },
  });
  replica.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return replica;
}

describe(`${RULE} through cross-region references`, () => {
  // Roles created in the primary's stack reach the replicas' key policies through cross-region
  // references; the rule compares what they carry, not the reference.
  test.each([
    ['strong references (ExportWriter / ExportReader)', undefined],
    ['weak references (Fn::GetStackOutput)', 'weak'],
  ])('ReplicaKey.replicate with roles of the primary stack passes with %s', (_name, references) => {
    const app = new App({ context: references ? { '@aws-cdk/core:defaultCrossStackReferences': references } : {} });
    const primaryStack = newStack(app, 'Primary');
    const admin = new iam.Role(primaryStack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const user = new iam.Role(primaryStack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
    const primary = new CustomerManagedKey(primaryStack, 'Key', { multiRegion: true, admins: [admin], users: [user] });
    ReplicaKey.replicate(primary, { regions: ['eu-west-1'] });
    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a replica that names another role than the primary still fails through references', () => {
    const app = newApp();
    const primaryStack = newStack(app, 'Primary');
    const user = new iam.Role(primaryStack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
    const other = new iam.Role(primaryStack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
    const primary = new CustomerManagedKey(primaryStack, 'Key', { multiRegion: true, users: [user] });
    const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
    replicaKey(replicaStack, primary, [
      allow({ AWS: ROOT_JOIN }, ['kms:DescribeKey', 'kms:PutKeyPolicy']),
      allow({ AWS: other.roleArn }, ['kms:Decrypt']),
    ]);
    const rules = findingsOf(synthFindings(app), RULE).map((f) => f.ruleId);
    expect(rules.join()).toMatch(/MissingPrincipal::\$\{User[0-9A-F]+\.Arn\}/);
    expect(rules.join()).toMatch(/ExtraPrincipal::\$\{Other[0-9A-F]+\.Arn\}/);
  });
});

describe(RULE, () => {
  test('a replica naming the primary\'s principals passes', () => {
    const app = newApp();
    const { primary, replicaStack } = primaryAndReplicaStack(app);
    replicaKey(replicaStack, primary, [
      allow({ AWS: ROOT_JOIN }, ['kms:DescribeKey', 'kms:PutKeyPolicy']),
      allow({ AWS: APP_ROLE }, ['kms:Decrypt', 'kms:Encrypt']),
    ]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a replica missing a principal of the primary and naming another fails, one finding each', () => {
    const app = newApp();
    const { primary, replicaStack } = primaryAndReplicaStack(app);
    replicaKey(replicaStack, primary, [
      allow({ AWS: ROOT_JOIN }, ['kms:DescribeKey', 'kms:PutKeyPolicy']),
      allow({ AWS: OTHER_ROLE }, 'kms:Decrypt'),
    ]);

    expect(findingsOf(synthFindings(app), RULE).map((f) => `${f.path} ${f.ruleId}`)).toEqual([
      `Replica/ReplicaKey ${RULE}[ExtraPrincipal::${OTHER_ROLE}]`,
      `Replica/ReplicaKey ${RULE}[MissingPrincipal::${APP_ROLE}]`,
    ]);
  });

  test('a replica of a primary outside the app (an ARN string) is not checked', () => {
    const app = newApp();
    const stack = newStack(app);
    const replica = new kms.CfnReplicaKey(stack, 'ReplicaKey', {
      primaryKeyArn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`,
      keyPolicy: { Version: '2012-10-17', Statement: [allow({ AWS: OTHER_ROLE }, 'kms:Decrypt')] },
    });
    replica.applyRemovalPolicy(RemovalPolicy.RETAIN);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });

  test('a key that is not a replica is not applicable', () => {
    const app = newApp();
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: OTHER_ROLE }, 'kms:Decrypt')]);

    expect(findingsOf(synthFindings(app), RULE)).toEqual([]);
  });
});
