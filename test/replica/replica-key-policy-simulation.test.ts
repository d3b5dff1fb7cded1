import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, ReplicaKey } from '../../src';
import { ACCOUNT, evaluate, KeyUnderTest, keyUnderTest, matrixPrincipals, satisfies, SEPARATED_DUTIES_MATRIX } from '../helpers/key-policy-matrix';
import { idOf, World } from '../helpers/world';

const PRIMARY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;

/**
 * GIVEN a multi-Region primary in eu-west-1 with an admin role, a user role and an unrelated role whose
 * own policy allows kms:*, and replicas in us-east-1 and ap-southeast-2; THEN the keys by region.
 */
function keysByRegion(options: { primaryKeyArn?: string; context?: Record<string, string> } = {}): Record<string, KeyUnderTest> {
  const app = new App({ context: options.context });
  const stack = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  // Named roles, so that the explicit-ARN variant can name them in other regions.
  const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal(), roleName: `keys-${id.toLowerCase()}` });
  const admin = role('Admin');
  const user = role('User');
  const other = role('Other');
  other.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const primary = new CustomerManagedKey(stack, 'Key', { multiRegion: true, admins: [admin], users: [user] });
  const replicas = ReplicaKey.replicate(primary, { regions: ['us-east-1', 'ap-southeast-2'], primaryKeyArn: options.primaryKeyArn });
  // A grant on one replica, which stays on that replica.
  const reader = role('Reader');
  replicas[0].grantDecrypt(reader);

  const world = new World(stack, ...replicas.map((r) => Stack.of(r)));
  const principals = {
    ...matrixPrincipals(world, { admin: idOf(admin), user: idOf(user), other: idOf(other) }),
    reader: { arn: world.arnOf(idOf(reader)), identityPolicies: world.identityPoliciesOf(idOf(reader)) },
  };
  return Object.fromEntries([primary, ...replicas].map((key) => [Stack.of(key).region, keyUnderTest(world, idOf(key), principals)]));
}

describe.each([
  ['CDK cross-region references (ExportWriter/ExportReader)', {}],
  ['weak CDK cross-region references (Fn::GetStackOutput)', { context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } }],
  ['an explicit primary key ARN', { primaryKeyArn: PRIMARY_ARN }],
])('a primary and two replicas, with %s, evaluated', (_variant, options) => {
  const keys = keysByRegion(options);
  const regions = Object.keys(keys);

  test('the keys are in their own regions', () => {
    expect(regions).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    for (const region of regions) {
      expect(keys[region].keyArn).toMatch(new RegExp(`^arn:aws:kms:${region}:${ACCOUNT}:key/`));
    }
  });

  test.each(SEPARATED_DUTIES_MATRIX.map((row) => [row.name, row] as const))('%s, in every region', async (_name, row) => {
    for (const region of regions) {
      expect([region, await satisfies(keys[region], row)]).toEqual([region, true]);
    }
  });

  test('the same principals get the same decisions in every region, for every action of the matrix', async () => {
    const decisions = async (key: KeyUnderTest) => Promise.all(SEPARATED_DUTIES_MATRIX.map((row) => evaluate(key, row.who, row.action, row.context)));
    const primary = await decisions(keys['eu-west-1']);
    expect(primary).toContain('Allowed');
    expect(primary).toContain('ImplicitlyDenied');
    for (const region of regions.slice(1)) {
      expect(await decisions(keys[region])).toEqual(primary);
    }
  });

  test('a grant on one replica allows that replica only', async () => {
    expect(await evaluate(keys['us-east-1'], 'reader', 'kms:Decrypt')).toEqual('Allowed');
    expect(await evaluate(keys['us-east-1'], 'reader', 'kms:Encrypt')).not.toEqual('Allowed');
    expect(await evaluate(keys['eu-west-1'], 'reader', 'kms:Decrypt')).not.toEqual('Allowed');
    expect(await evaluate(keys['ap-southeast-2'], 'reader', 'kms:Decrypt')).not.toEqual('Allowed');
  });
});

describe('a hand-written CfnReplicaKey with the default key policy, evaluated the same way', () => {
  test('lets any role of the account with kms:* decrypt: the matrix catches it', async () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
    const [admin, user, other] = [role('Admin'), role('User'), role('Other')];
    other.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
    const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const replica = new kms.CfnReplicaKey(replicaStack, 'Key', {
      primaryKeyArn: PRIMARY_ARN,
      keyPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] },
    });
    const world = new World(stack, replicaStack);
    const key = keyUnderTest(world, `${replicaStack.artifactId}/${replicaStack.getLogicalId(replica)}`,
      matrixPrincipals(world, { admin: idOf(admin), user: idOf(user), other: idOf(other) }));
    expect(await evaluate(key, 'otherRoleWithKmsStar', 'kms:Decrypt')).toEqual('Allowed');
    const failing = [];
    for (const row of SEPARATED_DUTIES_MATRIX) {
      if (!await satisfies(key, row)) failing.push(row.name);
    }
    expect(failing).toEqual(expect.arrayContaining(['otherRoleWithKmsStar is denied kms:Decrypt', 'accountRoot is denied kms:Decrypt']));
  });
});
