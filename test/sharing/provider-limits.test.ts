/**
 * Many shares and grants in one stack: every role the library creates stays within IAM's quotas
 * (inline policies 10,240 characters per role, managed policies 6,144 characters each, 10 attached per
 * role by default), and going past them fails at synth with a clear message instead of at deployment.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AmiShare, CustomerManagedKey, GrantOperation, KeyGrant, SnapshotShare } from '../../src';
import { World } from '../helpers/world';

const ACCOUNT = '111111111111';
const accounts = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(200000000000 + from + i));
const snapshot = (i: number) => `snap-${(i + 1).toString(16).padStart(17, '0')}`;
const image = (i: number) => `ami-${(i + 1).toString(16).padStart(17, '0')}`;

/** IAM counts the characters of the deployed policy, without whitespace: the resolved JSON has none. */
const chars = (doc: unknown) => JSON.stringify(doc).length;

/** Every role of a stack with the sizes IAM checks, on its policies as deployed (intrinsics resolved). */
function roleSizes(stack: Stack, template: any) {
  const world = new World(stack);
  const resources: Record<string, any> = template.Resources;
  return Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id, role]) => {
    const policies = world.identityPoliciesOf(id);
    const isManaged = (name: string) => resources[name]?.Type === 'AWS::IAM::ManagedPolicy';
    const inline = policies.filter((p) => !isManaged(p.name));
    const managed = policies.filter((p) => isManaged(p.name)).map((p) => chars(p.policy));
    return {
      id,
      inlineChars: inline.reduce((n, p) => n + chars(p.policy), 0),
      managedChars: managed,
      managedCount: managed.length + (role.Properties.ManagedPolicyArns ?? []).length,
      trustChars: chars(world.resolveIn(id, role.Properties.AssumeRolePolicyDocument)),
    };
  });
}

describe('500 share and grant targets in one stack', () => {
  // GIVEN 200 accounts sharing one snapshot, 150 snapshots shared with one account each, 100 AMI targets
  // and 50 KeyGrants to different grantees, all in one stack.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Shares', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const key = new CustomerManagedKey(stack, 'Key');
  new SnapshotShare(stack, 'Wide', { snapshotId: snapshot(0), accountIds: accounts(0, 200), encryptionKey: key });
  for (let i = 1; i <= 150; i++) {
    new SnapshotShare(stack, `Snapshot${i}`, { snapshotId: snapshot(i), accountIds: accounts(i, 1), encryptionKey: key });
  }
  new AmiShare(stack, 'Ami', { imageId: image(0), accountIds: accounts(0, 50) });
  for (let i = 1; i <= 50; i++) {
    new AmiShare(stack, `Ami${i}`, { imageId: image(i), accountIds: accounts(i, 1) });
  }
  for (let i = 0; i < 50; i++) {
    new KeyGrant(stack, `Grant${i}`, { key, grantee: new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/app-${i}`), operations: [GrantOperation.DECRYPT] });
  }
  const template = app.synth().getStackByName(stack.stackName).template;
  const sizes = roleSizes(stack, template);

  test('500 custom resources, each with no policy resource of its own', () => {
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t.startsWith('Custom::')).length).toEqual(500);
    expect(types.filter((t) => t === 'AWS::IAM::Policy').length).toEqual(0);
  });

  test('every role is within IAM\'s limits', () => {
    expect(sizes.length).toBeGreaterThan(0);
    for (const s of sizes) {
      expect([s.id, s.inlineChars <= 10_240]).toEqual([s.id, true]);
      expect([s.id, s.managedChars.every((c: number) => c <= 6_144)]).toEqual([s.id, true]);
      expect([s.id, s.managedCount <= 10]).toEqual([s.id, true]);
      expect([s.id, s.trustChars <= 2_048]).toEqual([s.id, true]);
    }
  });

  test('the provider\'s statements name each snapshot, image, key, grantee and operation list, never a wildcard', () => {
    const statements = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    const resources = statements.flatMap((st) => [st.Resource].flat()).map((r) => JSON.stringify(r));
    expect(resources.some((r) => r.includes('*'))).toBe(false);
    const snapshots = new Set(resources.filter((r) => r.includes('snapshot/')));
    expect(snapshots.size).toEqual(151);
    const grantees = statements.filter((st) => st.Action === 'kms:CreateGrant').flatMap((st) => [st.Condition.StringEquals['kms:GranteePrincipal']].flat());
    expect(new Set(grantees).size).toEqual(50);
    expect(statements.filter((st) => st.Action === 'kms:CreateGrant').every((st) => st.Condition['ForAllValues:StringEquals']['kms:GrantOperations'] === 'Decrypt'
      || JSON.stringify(st.Condition['ForAllValues:StringEquals']['kms:GrantOperations']) === '["Decrypt"]')).toBe(true);
  });
});

test('past IAM\'s quota of managed policies per role, synth fails with the count and what to do', () => {
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'TooMany', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const key = new CustomerManagedKey(stack, 'Key');
  // Grants whose operations all differ cannot share a statement.
  const ops = Object.values(GrantOperation);
  for (let i = 0; i < 400; i++) {
    // The operations of grant i are those of the bits of i + 1 (written out in binary).
    const bits = (i + 1).toString(2).split('').reverse();
    const operations = ops.filter((_, j) => bits[j] === '1').slice(0, 6);
    new KeyGrant(stack, `Grant${i}`, { key, grantee: new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/some-rather-long-application-role-name-${i}`), operations: operations.length > 0 ? operations : [GrantOperation.DECRYPT] });
  }
  expect(() => app.synth()).toThrow(/need \d+ managed policies of 6144 characters on their provider role, over the 9 that fit next to AWSLambdaBasicExecutionRole/);
});
