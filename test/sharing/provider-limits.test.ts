/**
 * Many shares and grants in one stack: a share is one custom resource whatever its number of targets, so
 * the stack stays under CloudFormation's 500 resources; every role the library creates stays within IAM's
 * quotas (inline policies 10,240 characters per role, managed policies 6,144 characters each, 10 attached
 * per role by default), and going past them fails at synth with a clear message instead of at deployment.
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

describe('more than 500 share and grant targets in one stack', () => {
  // GIVEN a snapshot shared with 320 accounts, 20 more snapshots with 3 accounts each, an AMI shared with
  // 120 accounts and an organization, 10 more AMIs with 2 accounts each and 50 KeyGrants to different
  // grantees (571 targets), all in one stack under CloudFormation's default limit of 500 resources.
  const app = new App();
  const stack = new Stack(app, 'Shares', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const key = new CustomerManagedKey(stack, 'Key');
  new SnapshotShare(stack, 'Wide', { snapshotId: snapshot(0), accountIds: accounts(0, 320), encryptionKey: key });
  for (let i = 1; i <= 20; i++) {
    new SnapshotShare(stack, `Snapshot${i}`, { snapshotId: snapshot(i), accountIds: accounts(i * 3, 3), encryptionKey: key });
  }
  new AmiShare(stack, 'Ami', { imageId: image(0), accountIds: accounts(0, 120), organizationArns: ['arn:aws:organizations::999999999999:organization/o-abcdefghij'] });
  for (let i = 1; i <= 10; i++) {
    new AmiShare(stack, `Ami${i}`, { imageId: image(i), accountIds: accounts(i * 2, 2) });
  }
  for (let i = 0; i < 50; i++) {
    new KeyGrant(stack, `Grant${i}`, { key, grantee: new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/app-${i}`), operations: [GrantOperation.DECRYPT] });
  }
  const template = app.synth().getStackByName(stack.stackName).template;
  const sizes = roleSizes(stack, template);

  test('one custom resource per share and per grant, each with no policy resource of its own, one share handler', () => {
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    const count = (type: string) => types.filter((t) => t === type).length;
    expect(count('Custom::EbsSnapshotShare')).toEqual(21);
    expect(count('Custom::AmiShare')).toEqual(11);
    expect(count('Custom::KmsGrant')).toEqual(50);
    expect(types.filter((t) => t.startsWith('Custom::')).length).toEqual(82);
    expect(types.length).toBeLessThan(150);
    expect(count('AWS::IAM::Policy')).toEqual(0);
    // The share handler and the AwsCustomResource provider of the grants.
    expect(count('AWS::Lambda::Function')).toEqual(2);
  });

  test('the share resources hold every target', () => {
    const shares = Object.values<any>(template.Resources).filter((r) => r.Type === 'Custom::EbsSnapshotShare' || r.Type === 'Custom::AmiShare');
    const targets = shares.reduce((n, r) => n + ['AccountIds', 'OrganizationArns', 'OrganizationalUnitArns']
      .reduce((m, p) => m + (r.Properties[p] ?? []).length, 0), 0);
    expect(targets + 50).toEqual(571);
    expect(shares.find((r) => r.Properties.SnapshotId === snapshot(0)).Properties.AccountIds).toEqual(accounts(0, 320));
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
    expect(snapshots.size).toEqual(21);
    const images = new Set(resources.filter((r) => r.includes('image/')));
    expect(images.size).toEqual(11);
    const grantees = statements.filter((st) => st.Action === 'kms:CreateGrant').flatMap((st) => [st.Condition.StringEquals['kms:GranteePrincipal']].flat());
    expect(new Set(grantees).size).toEqual(50);
    expect(statements.filter((st) => st.Action === 'kms:CreateGrant').every((st) => st.Condition['ForAllValues:StringEquals']['kms:GrantOperations'] === 'Decrypt'
      || JSON.stringify(st.Condition['ForAllValues:StringEquals']['kms:GrantOperations']) === '["Decrypt"]')).toBe(true);
  });
});

test('past IAM\'s quota of managed policies per role, synth fails with the count and what to do', () => {
  const app = new App();
  const stack = new Stack(app, 'TooMany', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const key = new CustomerManagedKey(stack, 'Key');
  // Grants whose operations all differ cannot share a statement.
  // Only the operations a symmetric encryption key supports.
  const ops = Object.values(GrantOperation).filter((o) => !/Sign|Verify|Mac|PublicKey|SharedSecret/.test(o));
  for (let i = 0; i < 400; i++) {
    // The operations of grant i are those of the bits of i + 1 (written out in binary).
    const bits = (i + 1).toString(2).split('').reverse();
    const operations = ops.filter((_, j) => bits[j] === '1').slice(0, 6);
    new KeyGrant(stack, `Grant${i}`, { key, grantee: new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/some-rather-long-application-role-name-${i}`), operations: operations.length > 0 ? operations : [GrantOperation.DECRYPT] });
  }
  expect(() => app.synth()).toThrow(/need \d+ managed policies of 6144 characters on their provider role, over the 9 that fit next to AWSLambdaBasicExecutionRole/);
});
