import { App, PhysicalName, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CustomerManagedKey, SseKmsReplication, SseKmsReplicationDestinationAccess } from '../../src';
import { decide, Decision, KMS_STAR_POLICY, World } from '../helpers/world';

const SOURCE_ACCOUNT = '111111111111';
const DEST_ACCOUNT = '222222222222';
const XKEY_ARN = `arn:aws:kms:eu-west-1:${DEST_ACCOUNT}:key/0b7e8f1c-2222-4333-8444-555566667777`;
const VIA = (region: string) => `s3.${region}.amazonaws.com`;

interface Actor {
  readonly arn: string;
  readonly identityPolicies: { name: string; policy: any }[];
}

interface Key {
  readonly arn: string;
  readonly account: string;
  readonly policy: any;
}

/** A KMS request as S3 makes it for the role: through S3 in a region, with an object's ARN as context. */
function kmsRequest(actor: Actor, key: Key, action: string, via?: string, objectArn?: string): Promise<Decision> {
  const context: Record<string, string> = { 'aws:PrincipalArn': actor.arn, 'aws:PrincipalAccount': actor.arn.split(':')[4] };
  if (via) context['kms:ViaService'] = via;
  if (objectArn) context['kms:EncryptionContext:aws:s3:arn'] = objectArn;
  return decide({
    principal: actor.arn,
    action,
    resource: key.arn,
    resourceAccount: key.account,
    identityPolicies: actor.identityPolicies,
    resourcePolicy: key.policy,
    context,
  });
}

function s3Request(actor: Actor, action: string, resource: string, resourceAccount: string, bucketPolicy?: any): Promise<Decision> {
  return decide({
    principal: actor.arn,
    action,
    resource,
    resourceAccount,
    identityPolicies: actor.identityPolicies,
    resourcePolicy: bucketPolicy,
    context: { 'aws:PrincipalArn': actor.arn, 'aws:PrincipalAccount': actor.arn.split(':')[4] },
  });
}

function keyOf(world: World, stack: Stack, key: kms.IKey): Key {
  const id = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
  return { arn: world.arnOf(id), account: world.account(id), policy: world.keyPolicy(id) };
}

function bucketArnOf(world: World, stack: Stack, bucket: s3.IBucket): string {
  return world.arnOf(stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket));
}

function roleOf(world: World, stack: Stack, replication: SseKmsReplication): Actor {
  const id = stack.getLogicalId(replication.role.node.defaultChild as iam.CfnRole);
  return { arn: world.arnOf(id), identityPolicies: world.identityPoliciesOf(id) };
}

describe('same account, same region', () => {
  const app = new App();
  const stack = new Stack(app, 'Replication', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } });
  const sourceKey = new CustomerManagedKey(stack, 'SourceKey');
  const source = new s3.Bucket(stack, 'Source', { versioned: true, encryptionKey: sourceKey });
  const destKey = new CustomerManagedKey(stack, 'DestKey');
  const dest = new s3.Bucket(stack, 'Dest', { versioned: true, encryptionKey: destKey });
  const replication = new SseKmsReplication(stack, 'Replication', {
    sourceBucket: source,
    destinations: [{ bucket: dest, key: destKey, prefix: 'reports/' }],
  });
  const world = new World(stack);
  const role = roleOf(world, stack, replication);
  const srcKey = keyOf(world, stack, sourceKey);
  const dstKey = keyOf(world, stack, destKey);
  const srcArn = bucketArnOf(world, stack, source);
  const dstArn = bucketArnOf(world, stack, dest);
  const srcObject = `${srcArn}/reports/2024/q1.csv`;
  const dstObject = `${dstArn}/reports/2024/q1.csv`;

  test('decrypts with the source key through S3 in the source region for the source objects', async () => {
    expect(await kmsRequest(role, srcKey, 'kms:Decrypt', VIA('eu-west-1'), srcObject)).toEqual('Allowed');
  });

  test.each([
    ['through S3 in another region', VIA('us-east-1'), srcObject],
    ['through another service', 'ec2.eu-west-1.amazonaws.com', srcObject],
    ['calling KMS directly (no kms:ViaService)', undefined, srcObject],
    ['for an object outside the replicated prefix', VIA('eu-west-1'), `${srcArn}/private/secret.csv`],
    ['for an object of another bucket', VIA('eu-west-1'), 'arn:aws:s3:::someone-elses-bucket/reports/x'],
    ['for the destination bucket\'s objects', VIA('eu-west-1'), dstObject],
    ['without encryption context', VIA('eu-west-1'), undefined],
  ])('cannot decrypt with the source key %s', async (_name, via, context) => {
    expect(await kmsRequest(role, srcKey, 'kms:Decrypt', via, context)).not.toEqual('Allowed');
  });

  test('encrypts with the destination key through S3 with the destination\'s context', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', VIA('eu-west-1'), dstObject)).toEqual('Allowed');
  });

  test.each([
    ['calling KMS directly', undefined, dstObject],
    ['through S3 in another region', VIA('eu-central-1'), dstObject],
    ['with the source\'s context', VIA('eu-west-1'), srcObject],
    ['outside the prefix', VIA('eu-west-1'), `${dstArn}/other/x`],
  ])('cannot encrypt with the destination key %s', async (_name, via, context) => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', via, context)).not.toEqual('Allowed');
  });

  test('cannot decrypt with the destination key, encrypt with the source key, or generate data keys', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Decrypt', VIA('eu-west-1'), dstObject)).not.toEqual('Allowed');
    expect(await kmsRequest(role, srcKey, 'kms:Encrypt', VIA('eu-west-1'), srcObject)).not.toEqual('Allowed');
    expect(await kmsRequest(role, dstKey, 'kms:GenerateDataKey', VIA('eu-west-1'), dstObject)).not.toEqual('Allowed');
    expect(await kmsRequest(role, srcKey, 'kms:ReEncryptFrom', VIA('eu-west-1'), srcObject)).not.toEqual('Allowed');
  });

  test('the key policies alone do not let the role use the keys: its own policy must allow too', async () => {
    const bare = { ...role, identityPolicies: [] };
    expect(await kmsRequest(bare, srcKey, 'kms:Decrypt', VIA('eu-west-1'), srcObject)).not.toEqual('Allowed');
    expect(await kmsRequest(bare, dstKey, 'kms:Encrypt', VIA('eu-west-1'), dstObject)).not.toEqual('Allowed');
  });

  test('the key policies hold any other role of the account out, even with kms:* in its own policy', async () => {
    const other = { arn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/Other`, identityPolicies: [KMS_STAR_POLICY] };
    expect(await kmsRequest(other, srcKey, 'kms:Decrypt', VIA('eu-west-1'), srcObject)).not.toEqual('Allowed');
    expect(await kmsRequest(other, dstKey, 'kms:Encrypt', VIA('eu-west-1'), dstObject)).not.toEqual('Allowed');
  });

  test('reads exactly the replicated source objects and writes exactly the replicated destination objects', async () => {
    const a = (action: string, resource: string) => s3Request(role, action, resource, SOURCE_ACCOUNT);
    expect(await a('s3:GetObjectVersionForReplication', srcObject)).toEqual('Allowed');
    expect(await a('s3:GetObjectVersionForReplication', `${srcArn}/private/x`)).not.toEqual('Allowed');
    expect(await a('s3:GetReplicationConfiguration', srcArn)).toEqual('Allowed');
    expect(await a('s3:ReplicateObject', dstObject)).toEqual('Allowed');
    expect(await a('s3:ReplicateObject', `${dstArn}/private/x`)).not.toEqual('Allowed');
    expect(await a('s3:ReplicateObject', srcObject)).not.toEqual('Allowed');
    expect(await a('s3:GetObject', srcObject)).not.toEqual('Allowed');
    expect(await a('s3:ObjectOwnerOverrideToBucketOwner', dstObject)).not.toEqual('Allowed');
  });

  test('aws-cdk-lib\'s own replication grant, for comparison, lets its role call KMS directly', async () => {
    const app2 = new App();
    const stack2 = new Stack(app2, 'L2', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } });
    const k1 = new kms.Key(stack2, 'K1');
    const k2 = new kms.Key(stack2, 'K2');
    const d = new s3.Bucket(stack2, 'D', { versioned: true, encryptionKey: k2 });
    new s3.Bucket(stack2, 'S', { versioned: true, encryptionKey: k1, replicationRules: [{ destination: d, kmsKey: k2, sseKmsEncryptedObjects: true }] });
    const w = new World(stack2);
    const id = w.logicalId('AWS::IAM::Role', 'SReplicationRole');
    const l2Role = { arn: w.arnOf(id), identityPolicies: w.identityPoliciesOf(id) };
    const k2Id = stack2.getLogicalId(k2.node.defaultChild as kms.CfnKey);
    const l2Key = { arn: w.arnOf(k2Id), account: SOURCE_ACCOUNT, policy: w.keyPolicy(k2Id) };
    expect(await kmsRequest(l2Role, l2Key, 'kms:Encrypt')).toEqual('Allowed');
  });
});

describe('named buckets: the key policies carry the encryption context too', () => {
  const app = new App();
  const stack = new Stack(app, 'Replication', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } });
  const sourceKey = new CustomerManagedKey(stack, 'SourceKey');
  const source = new s3.Bucket(stack, 'Source', { bucketName: 'acme-source', versioned: true, encryptionKey: sourceKey });
  const destKey = new CustomerManagedKey(stack, 'DestKey');
  const dest = new s3.Bucket(stack, 'Dest', { bucketName: 'acme-dest', versioned: true, encryptionKey: destKey, bucketKeyEnabled: true });
  const replication = new SseKmsReplication(stack, 'Replication', { sourceBucket: source, destinations: [{ bucket: dest, key: destKey }] });
  const world = new World(stack);
  const role = roleOf(world, stack, replication);
  const srcKey = keyOf(world, stack, sourceKey);
  const dstKey = keyOf(world, stack, destKey);

  test('with kms:* in the role\'s own policy, the key policy still requires the bucket\'s context', async () => {
    const broad = { ...role, identityPolicies: [KMS_STAR_POLICY] };
    expect(await kmsRequest(broad, srcKey, 'kms:Decrypt', VIA('eu-west-1'), 'arn:aws:s3:::acme-source/a')).toEqual('Allowed');
    expect(await kmsRequest(broad, srcKey, 'kms:Decrypt', VIA('eu-west-1'), 'arn:aws:s3:::other/a')).not.toEqual('Allowed');
    expect(await kmsRequest(broad, srcKey, 'kms:Decrypt', undefined, 'arn:aws:s3:::acme-source/a')).not.toEqual('Allowed');
  });

  test('S3 Bucket Keys on the destination: the context is the bucket ARN', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', VIA('eu-west-1'), 'arn:aws:s3:::acme-dest')).toEqual('Allowed');
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', VIA('eu-west-1'), 'arn:aws:s3:::acme-dest/a')).not.toEqual('Allowed');
  });
});

describe('same account, another region', () => {
  const app = new App();
  const src = new Stack(app, 'Source', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' }, crossRegionReferences: true });
  const dst = new Stack(app, 'Dest', { env: { account: SOURCE_ACCOUNT, region: 'eu-central-1' } });
  const sourceKey = new CustomerManagedKey(src, 'SourceKey');
  const source = new s3.Bucket(src, 'Source', { versioned: true, encryptionKey: sourceKey });
  const destKey = new CustomerManagedKey(dst, 'DestKey');
  const dest = new s3.Bucket(dst, 'Dest', { bucketName: PhysicalName.GENERATE_IF_NEEDED, versioned: true, encryptionKey: destKey });
  const replication = new SseKmsReplication(src, 'Replication', { sourceBucket: source, destinations: [{ bucket: dest, key: destKey }] });
  const world = new World(src, dst);
  const role = roleOf(world, src, replication);
  const srcKey = keyOf(world, src, sourceKey);
  const dstKey = keyOf(world, dst, destKey);
  const dstObject = `${bucketArnOf(world, dst, dest)}/x`;

  test('encrypts through S3 in the destination region only', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', VIA('eu-central-1'), dstObject)).toEqual('Allowed');
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', VIA('eu-west-1'), dstObject)).not.toEqual('Allowed');
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', undefined, dstObject)).not.toEqual('Allowed');
  });

  test('decrypts through S3 in the source region only', async () => {
    const srcObject = `${bucketArnOf(world, src, source)}/x`;
    expect(await kmsRequest(role, srcKey, 'kms:Decrypt', VIA('eu-west-1'), srcObject)).toEqual('Allowed');
    expect(await kmsRequest(role, srcKey, 'kms:Decrypt', VIA('eu-central-1'), srcObject)).not.toEqual('Allowed');
  });

  test('cannot decrypt with the destination key', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Decrypt', VIA('eu-central-1'), dstObject)).not.toEqual('Allowed');
  });
});

describe('another account', () => {
  const app = new App();
  const src = new Stack(app, 'Source', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } });
  const dst = new Stack(app, 'Dest', { env: { account: DEST_ACCOUNT, region: 'eu-west-1' } });
  const sourceKey = new CustomerManagedKey(src, 'SourceKey');
  const source = new s3.Bucket(src, 'Source', { versioned: true, encryptionKey: sourceKey });
  const destKey = new CustomerManagedKey(dst, 'DestKey');
  const dest = new s3.Bucket(dst, 'Dest', { bucketName: PhysicalName.GENERATE_IF_NEEDED, versioned: true, encryptionKey: destKey });
  const replication = new SseKmsReplication(src, 'Replication', {
    sourceBucket: source,
    destinations: [{ bucket: dest, key: kms.Key.fromKeyArn(src, 'DestKeyRef', XKEY_ARN), ownerOverride: true }],
  });
  new SseKmsReplicationDestinationAccess(dst, 'ReplicationAccess', { sourceRoleArn: replication.roleArn, bucket: dest, key: destKey, ownerOverride: true });
  const world = new World(src, dst);
  const role = roleOf(world, src, replication);
  const dstKey = { ...keyOf(world, dst, destKey), arn: XKEY_ARN };
  const dstArn = bucketArnOf(world, dst, dest);
  const bucketPolicy = world.bucketPolicy(dst.getLogicalId(dest.node.defaultChild as s3.CfnBucket));

  test('encrypts with the destination key: key policy and role policy together', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', VIA('eu-west-1'), `${dstArn}/x`)).toEqual('Allowed');
  });

  test('neither side alone suffices', async () => {
    expect(await kmsRequest({ ...role, identityPolicies: [] }, dstKey, 'kms:Encrypt', VIA('eu-west-1'), `${dstArn}/x`)).not.toEqual('Allowed');
    expect(await kmsRequest(role, { ...dstKey, policy: undefined }, 'kms:Encrypt', VIA('eu-west-1'), `${dstArn}/x`)).not.toEqual('Allowed');
  });

  test.each([
    ['calling KMS directly', undefined, 'x'],
    ['through S3 in another region', VIA('eu-central-1'), 'x'],
  ])('cannot encrypt %s', async (_name, via, key) => {
    expect(await kmsRequest(role, dstKey, 'kms:Encrypt', via, `${dstArn}/${key}`)).not.toEqual('Allowed');
  });

  test('cannot decrypt with the destination key', async () => {
    expect(await kmsRequest(role, dstKey, 'kms:Decrypt', VIA('eu-west-1'), `${dstArn}/x`)).not.toEqual('Allowed');
  });

  test('another role of the source account cannot use the destination key, even with kms:*', async () => {
    const other = { arn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/Other`, identityPolicies: [KMS_STAR_POLICY] };
    expect(await kmsRequest(other, dstKey, 'kms:Encrypt', VIA('eu-west-1'), `${dstArn}/x`)).not.toEqual('Allowed');
  });

  test('the destination bucket policy lets the role write replicas and change their owner, nothing else', async () => {
    const ask = (action: string, resource: string) => s3Request(role, action, resource, DEST_ACCOUNT, bucketPolicy);
    expect(await ask('s3:ReplicateObject', `${dstArn}/x`)).toEqual('Allowed');
    expect(await ask('s3:ObjectOwnerOverrideToBucketOwner', `${dstArn}/x`)).toEqual('Allowed');
    expect(await s3Request(role, 's3:ReplicateObject', `${dstArn}/x`, DEST_ACCOUNT, undefined)).not.toEqual('Allowed');
    const outsider = { arn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/Other`, identityPolicies: [{ name: 's3-star', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }] };
    expect(await s3Request(outsider, 's3:ReplicateObject', `${dstArn}/x`, DEST_ACCOUNT, bucketPolicy)).not.toEqual('Allowed');
    expect(await ask('s3:GetObject', `${dstArn}/x`)).not.toEqual('Allowed');
    expect(await ask('s3:PutObject', `${dstArn}/x`)).not.toEqual('Allowed');
  });
});
