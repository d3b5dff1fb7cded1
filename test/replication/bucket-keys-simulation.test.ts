/**
 * S3 Bucket Keys and replication, as the S3 User Guide documents it (replication-config-for-kms-objects.html):
 * with a Bucket Key on the source or the destination, the replica's encryption context is the destination
 * bucket's ARN (no /*), and the replication role needs kms:Decrypt on the replica key, through S3, as S3
 * verifies the Bucket Key with it. Evaluated against the synthesized role, key and partner-account policies.
 */
import { App, PhysicalName, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CustomerManagedKey, SseKmsReplication, SseKmsReplicationDestinationAccess } from '../../src';
import { decide, Decision, idOf, KMS_STAR_POLICY, World } from '../helpers/world';

const SOURCE_ACCOUNT = '111111111111';
const DEST_ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const VIA = `s3.${REGION}.amazonaws.com`;
const XKEY_ARN = `arn:aws:kms:${REGION}:${DEST_ACCOUNT}:key/0b7e8f1c-2222-4333-8444-555566667777`;

interface Actor { readonly arn: string; readonly identityPolicies: { name: string; policy: any }[] }
interface Key { readonly arn: string; readonly account: string; readonly policy: any }

function kmsRequest(actor: Actor, key: Key, action: string, context: Record<string, string>): Promise<Decision> {
  return decide({
    principal: actor.arn,
    action,
    resource: key.arn,
    resourceAccount: key.account,
    identityPolicies: actor.identityPolicies,
    resourcePolicy: key.policy,
    context: { 'aws:PrincipalArn': actor.arn, 'aws:PrincipalAccount': actor.arn.split(':')[4], ...context },
  });
}

const keyOf = (world: World, key: kms.IKey): Key => ({
  arn: world.arnOf(idOf(key)), account: world.account(idOf(key)), policy: world.keyPolicy(idOf(key)),
});
const roleOf = (world: World, r: SseKmsReplication): Actor => ({
  arn: world.arnOf(idOf(r.role)), identityPolicies: world.identityPoliciesOf(idOf(r.role)),
});
const withoutDecrypt = (policy: any) => ({
  ...policy,
  Statement: policy.Statement.map((st: any) => ({ ...st, Action: [st.Action].flat().filter((a: string) => a !== 'kms:Decrypt') })),
});

describe.each([
  ['a Bucket Key on the destination', false, true],
  ['a Bucket Key on the source only', true, false],
])('same account, %s', (_name, sourceBucketKey, destBucketKey) => {
  const app = new App();
  const stack = new Stack(app, 'Replication', { env: { account: SOURCE_ACCOUNT, region: REGION } });
  const sourceKey = new CustomerManagedKey(stack, 'SourceKey');
  const source = new s3.Bucket(stack, 'Source', { bucketName: 'acme-source', versioned: true, encryptionKey: sourceKey, bucketKeyEnabled: sourceBucketKey });
  const destKey = new CustomerManagedKey(stack, 'DestKey');
  const dest = new s3.Bucket(stack, 'Dest', { bucketName: 'acme-dest', versioned: true, encryptionKey: destKey, bucketKeyEnabled: destBucketKey });
  const replication = new SseKmsReplication(stack, 'Replication', { sourceBucket: source, destinations: [{ bucket: dest, key: destKey }] });
  const world = new World(stack);
  const role = roleOf(world, replication);
  const dstKey = keyOf(world, destKey);
  const replica = { 'kms:ViaService': VIA, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-dest' };

  test('the role encrypts replicas and verifies the Bucket Key (Decrypt) with the replica key, with the destination bucket ARN as context', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', replica)).toEqual('Allowed');
    expect(await kmsRequest(role, dstKey, 'kms:Decrypt', replica)).toEqual('Allowed');
  });

  test('control: without kms:Decrypt in the key policy, the Bucket Key check is denied', async () => {
    expect(await kmsRequest(role, { ...dstKey, policy: withoutDecrypt(dstKey.policy) }, 'kms:Decrypt', replica)).not.toEqual('Allowed');
  });

  test('not with an object ARN, another bucket, outside S3 or in another region', async () => {
    for (const context of [
      { ...replica, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-dest/a' },
      { ...replica, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-source' },
      { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::acme-dest' },
      { ...replica, 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
    ]) {
      expect([context, await kmsRequest(role, dstKey, 'kms:Decrypt', context)]).not.toEqual([context, 'Allowed']);
    }
  });

  test('another role of the account with kms:* still cannot decrypt with the replica key', async () => {
    const other = { arn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/other`, identityPolicies: [KMS_STAR_POLICY] };
    expect(await kmsRequest(other, dstKey, 'kms:Decrypt', replica)).not.toEqual('Allowed');
  });
});

test('without any Bucket Key the role gets no Decrypt on the replica key', async () => {
  const app = new App();
  const stack = new Stack(app, 'Replication', { env: { account: SOURCE_ACCOUNT, region: REGION } });
  const sourceKey = new CustomerManagedKey(stack, 'SourceKey');
  const source = new s3.Bucket(stack, 'Source', { bucketName: 'plain-source', versioned: true, encryptionKey: sourceKey });
  const destKey = new CustomerManagedKey(stack, 'DestKey');
  const dest = new s3.Bucket(stack, 'Dest', { bucketName: 'plain-dest', versioned: true, encryptionKey: destKey });
  const replication = new SseKmsReplication(stack, 'Replication', { sourceBucket: source, destinations: [{ bucket: dest, key: destKey }] });
  const world = new World(stack);
  const role = roleOf(world, replication);
  expect(await kmsRequest(role, keyOf(world, destKey), 'kms:Decrypt', { 'kms:ViaService': VIA, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::plain-dest/a' })).not.toEqual('Allowed');
  expect(await kmsRequest(role, keyOf(world, destKey), 'kms:Encrypt', { 'kms:ViaService': VIA, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::plain-dest/a' })).toEqual('Allowed');
});

describe('another account, a Bucket Key on the destination (partner side: SseKmsReplicationDestinationAccess)', () => {
  const app = new App();
  const src = new Stack(app, 'Source', { env: { account: SOURCE_ACCOUNT, region: REGION } });
  const dst = new Stack(app, 'Dest', { env: { account: DEST_ACCOUNT, region: REGION } });
  const sourceKey = new CustomerManagedKey(src, 'SourceKey');
  const source = new s3.Bucket(src, 'Source', { versioned: true, encryptionKey: sourceKey });
  const destKey = new CustomerManagedKey(dst, 'DestKey');
  const dest = new s3.Bucket(dst, 'Dest', { bucketName: PhysicalName.GENERATE_IF_NEEDED, versioned: true, encryptionKey: destKey, bucketKeyEnabled: true });
  const replication = new SseKmsReplication(src, 'Replication', {
    sourceBucket: source,
    destinations: [{ bucket: dest, key: kms.Key.fromKeyArn(src, 'DestKeyRef', XKEY_ARN), bucketKeyEnabled: true }],
  });
  new SseKmsReplicationDestinationAccess(dst, 'ReplicationAccess', { sourceRoleArn: replication.roleArn, bucket: dest, key: destKey });
  const world = new World(src, dst);
  const role = roleOf(world, replication);
  const dstKey = { ...keyOf(world, destKey), arn: XKEY_ARN };
  const dstArn = world.arnOf(idOf(dest));
  const replica = { 'kms:ViaService': VIA, 'kms:EncryptionContext:aws:s3:arn': dstArn };

  test('the role encrypts and decrypts with the partner\'s key: both the key policy and its own policy allow it', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', replica)).toEqual('Allowed');
    expect(await kmsRequest(role, dstKey, 'kms:Decrypt', replica)).toEqual('Allowed');
    expect(await kmsRequest({ ...role, identityPolicies: [] }, dstKey, 'kms:Decrypt', replica)).not.toEqual('Allowed');
    expect(await kmsRequest(role, { ...dstKey, policy: withoutDecrypt(dstKey.policy) }, 'kms:Decrypt', replica)).not.toEqual('Allowed');
  });

  test('not for objects (the context is the bucket), not outside S3', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Decrypt', { ...replica, 'kms:EncryptionContext:aws:s3:arn': `${dstArn}/a` })).not.toEqual('Allowed');
    expect(await kmsRequest(role, dstKey, 'kms:Decrypt', { 'kms:EncryptionContext:aws:s3:arn': dstArn })).not.toEqual('Allowed');
  });

  test('a Bucket Key on the source only: the partner says so with sourceBucketKeyEnabled', () => {
    const stack = new Stack(new App(), 'Partner', { env: { account: DEST_ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { bucketName: 'partner-replicas', versioned: true, encryptionKey: key });
    const access = new SseKmsReplicationDestinationAccess(stack, 'Access', {
      sourceRoleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/replication`, bucket, key, sourceBucketKeyEnabled: true,
    });
    const st = stack.resolve(access.keyPolicyStatement.toStatementJson());
    expect(st.Action).toEqual(['kms:Decrypt', 'kms:Encrypt']);
    expect(JSON.stringify(st.Condition.StringEquals['kms:EncryptionContext:aws:s3:arn'])).toMatch(/:s3:::partner-replicas"\]\]\}$/);
  });
});
