import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CustomerManagedKey, SseKmsReplication, SseKmsReplicationDestination, SseKmsReplicationDestinationAccess } from '../../src';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const PARTNER_KEY_ARN = `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

interface Given {
  readonly stack: Stack;
  readonly source: s3.Bucket;
  readonly key: CustomerManagedKey;
  readonly dest: s3.Bucket;
}

function given(sourceProps: s3.BucketProps = { versioned: true }): Given {
  const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const key = new CustomerManagedKey(stack, 'Key');
  const source = new s3.Bucket(stack, 'Source', { encryptionKey: key, ...sourceProps });
  const dest = new s3.Bucket(stack, 'Dest', { versioned: true, encryptionKey: key });
  return { stack, source, key, dest };
}

function replicate(g: Given, destinations: SseKmsReplicationDestination[]): SseKmsReplication {
  return new SseKmsReplication(g.stack, 'Replication', { sourceBucket: g.source, destinations });
}

const partnerBucket = (stack: Stack) => s3.Bucket.fromBucketAttributes(stack, 'Partner', {
  bucketArn: 'arn:aws:s3:::partner-replicas', account: OTHER_ACCOUNT, region: 'eu-west-1',
});

describe('bad input fails in the constructor with the path, what was received and what is allowed', () => {
  test('an unversioned source bucket', () => {
    const g = given({});
    expect(() => replicate(g, [{ bucket: g.dest, key: g.key }]))
      .toThrow(/^Stack\/Replication: sourceBucket Stack\/Source must have versioning enabled for replication \(versioned: true\), got versioning off$/);
  });

  test('an unversioned destination bucket', () => {
    const g = given();
    const dest = new s3.Bucket(g.stack, 'Unversioned', { encryptionKey: g.key });
    expect(() => replicate(g, [{ bucket: dest, key: g.key }]))
      .toThrow(/Stack\/Replication: destinations\[0\]\.bucket Stack\/Unversioned must have versioning enabled for replication \(versioned: true\), got versioning off/);
  });

  test('a destination key in another region than its bucket', () => {
    const g = given();
    const key = kms.Key.fromKeyArn(g.stack, 'Far', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    expect(() => replicate(g, [{ bucket: g.dest, key }]))
      .toThrow(/Stack\/Replication: destinations\[0\]\.key Stack\/Far is in region us-east-1, but its bucket Stack\/Dest is in eu-west-1; S3 encrypts with a key of the bucket's own region/);
  });

  test('a source key in another region than the source bucket', () => {
    const g = given();
    const far = kms.Key.fromKeyArn(g.stack, 'Far', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    expect(() => new SseKmsReplication(g.stack, 'Replication', { sourceBucket: g.source, sourceKey: far, destinations: [{ bucket: g.dest, key: g.key }] }))
      .toThrow(/sourceKey Stack\/Far is in region us-east-1, but its bucket Stack\/Source is in eu-west-1/);
  });

  test.each([
    ['an alias', (s: Stack) => kms.Alias.fromAliasName(s, 'Managed', 'alias/aws/s3')],
    ['an alias ARN', (s: Stack) => kms.Key.fromKeyArn(s, 'Managed', `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:alias/aws/s3`)],
  ])('an AWS managed key (%s) for a destination in another account', (_name, makeKey) => {
    const g = given();
    expect(() => replicate(g, [{ bucket: partnerBucket(g.stack), key: makeKey(g.stack) }]))
      .toThrow(/destinations\[0\]\.key is the AWS managed key alias\/aws\/s3, which cannot be used by another account; use a customer managed key of the destination account/);
  });

  test('a customer managed key by alias: KMS authorizes against the key', () => {
    const g = given();
    expect(() => replicate(g, [{ bucket: g.dest, key: kms.Alias.fromAliasName(g.stack, 'A', 'alias/replicas') }]))
      .toThrow(/destinations\[0\]\.key is the alias alias\/replicas: give the key itself \(its key ARN, kms.Key.fromKeyArn\)/);
  });

  test('the source bucket as destination', () => {
    const g = given();
    expect(() => replicate(g, [{ bucket: g.source, key: g.key }]))
      .toThrow(/destinations\[0\]\.bucket is the source bucket Stack\/Source; a bucket cannot replicate into itself/);
  });

  test('the source bucket as destination, imported by its name', () => {
    const g = given({ versioned: true, bucketName: 'acme-data' });
    expect(() => replicate(g, [{ bucket: s3.Bucket.fromBucketName(g.stack, 'Same', 'acme-data'), key: g.key }]))
      .toThrow(/destinations\[0\]\.bucket is the source bucket Stack\/Source/);
  });

  test.each([
    ['RSA', kms.KeySpec.RSA_2048, kms.KeyUsage.ENCRYPT_DECRYPT],
    ['HMAC', kms.KeySpec.HMAC_256, undefined],
  ])('a destination key that is not symmetric (%s, CustomerManagedKey)', (_name, keySpec, keyUsage) => {
    const g = given();
    const key = new CustomerManagedKey(g.stack, 'Asym', { keySpec, keyUsage });
    expect(() => replicate(g, [{ bucket: g.dest, key }]))
      .toThrow(new RegExp(`destinations\\[0\\]\\.key Stack/Asym must be a symmetric encryption key \\(SYMMETRIC_DEFAULT\\) for SSE-KMS, got ${keySpec}`));
  });

  test('a destination key that is not symmetric (kms.Key)', () => {
    const g = given();
    const key = new kms.Key(g.stack, 'Hmac', { keySpec: kms.KeySpec.HMAC_384, keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC });
    expect(() => replicate(g, [{ bucket: g.dest, key }])).toThrow(/must be a symmetric encryption key \(SYMMETRIC_DEFAULT\) for SSE-KMS, got HMAC_384/);
  });

  test('owner override within one account', () => {
    const g = given();
    expect(() => replicate(g, [{ bucket: g.dest, key: g.key, ownerOverride: true }]))
      .toThrow(/destinations\[0\]\.ownerOverride applies only to a destination in another account, got account 111111111111 \(the source's own\)/);
  });

  test.each([
    ['a wildcard', 'logs/*', /destinations\[0\]\.prefix must not contain '\*' or '\?' \(IAM would read them as wildcards\), got 'logs\/\*'/],
    ['a leading slash', '/logs/', /destinations\[0\]\.prefix is an object key prefix and must not start with '\/', got '\/logs\/'/],
    ['too long', 'p'.repeat(1025), /destinations\[0\]\.prefix has at most 1024 characters, got 1025/],
  ])('a prefix with %s', (_name, prefix, message) => {
    const g = given();
    expect(() => replicate(g, [{ bucket: g.dest, key: g.key, prefix }])).toThrow(message);
  });

  test('no destination', () => {
    const g = given();
    expect(() => replicate(g, [])).toThrow(/destinations must name at least one destination, got none/);
  });

  test('an imported source bucket', () => {
    const g = given();
    const imported = s3.Bucket.fromBucketName(g.stack, 'Imported', 'existing');
    expect(() => new SseKmsReplication(g.stack, 'Replication', { sourceBucket: imported, sourceKey: g.key, destinations: [{ bucket: g.dest, key: g.key }] }))
      .toThrow(/sourceBucket must be an s3.Bucket of this construct's stack \(Stack\), so its replication configuration can be written; got Stack\/Imported/);
  });

  test('a source bucket with replication rules of its own', () => {
    const g = given();
    const source = new s3.Bucket(g.stack, 'WithRules', { versioned: true, encryptionKey: g.key, replicationRules: [{ destination: g.dest, kmsKey: g.key, sseKmsEncryptedObjects: true }] });
    expect(() => new SseKmsReplication(g.stack, 'Replication', { sourceBucket: source, destinations: [{ bucket: g.dest, key: g.key }] }))
      .toThrow(/sourceBucket Stack\/WithRules already has a replication configuration \(s3.Bucket replicationRules\/replicationRole\?\): remove it/);
  });

  test('a source bucket under the AWS managed key without sourceKey', () => {
    const g = given({ versioned: true, encryption: s3.BucketEncryption.KMS_MANAGED, encryptionKey: undefined });
    expect(() => replicate(g, [{ bucket: g.dest, key: g.key }]))
      .toThrow(/sourceBucket Stack\/Source is encrypted with the AWS managed key aws\/s3: give its key ARN as sourceKey/);
  });

  test('a key of another account whose ARN is not known before deployment', () => {
    const g = given();
    const partner = new Stack(g.stack.node.root as App, 'Partner', { env: { account: OTHER_ACCOUNT, region: 'eu-west-1' } });
    const key = new CustomerManagedKey(partner, 'PartnerKey');
    expect(() => replicate(g, [{ bucket: partnerBucket(g.stack), key }]))
      .toThrow(/destinations\[0\]\.key Partner\/PartnerKey is in another account and its ARN is not known before deployment: pass kms.Key.fromKeyArn\(\)/);
  });

  test('a key in another stack of the same environment without roleName', () => {
    const g = given();
    const keys = new Stack(g.stack.node.root as App, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const key = new CustomerManagedKey(keys, 'Shared');
    expect(() => replicate(g, [{ bucket: g.dest, key }]))
      .toThrow(/destinations\[0\]\.key Keys\/Shared is in stack Keys, another stack of this environment: give roleName/);
  });

  test('every problem in one message', () => {
    const g = given({});
    const unversioned = new s3.Bucket(g.stack, 'Unversioned');
    expect(() => replicate(g, [
      { bucket: unversioned, key: kms.Key.fromKeyArn(g.stack, 'Far', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`), prefix: 'a*' },
      { bucket: g.source, key: g.key },
    ])).toThrow(/^Stack\/Replication: 6 problems:\n {2}- sourceBucket .*versioning off\n {2}- destinations\[0\]\.bucket .*versioning off\n {2}- destinations\[0\]\.prefix .*\n {2}- destinations\[0\]\.key .*us-east-1.*\n {2}- destinations\[1\]\.bucket is the source bucket/);
  });
});

describe('SseKmsReplicationDestinationAccess bad input', () => {
  function dest() {
    const stack = new Stack(new App(), 'Dest', { env: { account: OTHER_ACCOUNT, region: 'eu-west-1' } });
    const key = new CustomerManagedKey(stack, 'Key');
    return { stack, key, bucket: new s3.Bucket(stack, 'Bucket', { versioned: true, encryptionKey: key }) };
  }

  test('a source role ARN that is not a role ARN', () => {
    const d = dest();
    expect(() => new SseKmsReplicationDestinationAccess(d.stack, 'Access', { sourceRoleArn: `arn:aws:iam::${ACCOUNT}:user/bob`, bucket: d.bucket, key: d.key }))
      .toThrow(/^Dest\/Access: sourceRoleArn must be an IAM role ARN \(arn:<partition>:iam::<12-digit account>:role\/<name>\), got 'arn:aws:iam::111111111111:user\/bob'$/);
  });

  test('an AWS managed key', () => {
    const d = dest();
    const key = kms.Alias.fromAliasName(d.stack, 'Managed', 'alias/aws/s3');
    expect(() => new SseKmsReplicationDestinationAccess(d.stack, 'Access', { sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, bucket: d.bucket, key }))
      .toThrow(/key is the AWS managed key alias\/aws\/s3, which cannot be used by another account/);
  });

  test('an unversioned bucket, a key of another region, a wildcard prefix: all at once', () => {
    const d = dest();
    const bucket = new s3.Bucket(d.stack, 'Unversioned');
    const key = kms.Key.fromKeyArn(d.stack, 'Far', PARTNER_KEY_ARN.replace('eu-west-1', 'us-east-1'));
    expect(() => new SseKmsReplicationDestinationAccess(d.stack, 'Access', { sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, bucket, key, prefix: '?' }))
      .toThrow(/^Dest\/Access: 3 problems:\n.*prefix must not contain.*\n.*bucket Dest\/Unversioned must have versioning enabled.*\n.*key Dest\/Far is in region us-east-1, but the bucket Dest\/Unversioned is in eu-west-1/);
  });

  test('a key that is not symmetric', () => {
    const d = dest();
    const key = new CustomerManagedKey(d.stack, 'Rsa', { keySpec: kms.KeySpec.RSA_3072, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    expect(() => new SseKmsReplicationDestinationAccess(d.stack, 'Access', { sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, bucket: d.bucket, key }))
      .toThrow(/key Dest\/Rsa must be a symmetric encryption key \(SYMMETRIC_DEFAULT\) for SSE-KMS, got RSA_3072/);
  });
});
