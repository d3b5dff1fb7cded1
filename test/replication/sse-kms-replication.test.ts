import { App, PhysicalName, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CustomerManagedKey,
  SseKmsReplication,
  SseKmsReplicationDestination,
  SseKmsReplicationDestinationAccess,
  SseKmsReplicationProps,
} from '../../src';
import { deployedLength, ROLE_INLINE_POLICY_MAX_CHARS } from '../../src/private/policy-size';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const PARTITION = { Ref: 'AWS::Partition' };
const ROOT = { 'Fn::Join': ['', ['arn:', PARTITION, `:iam::${ACCOUNT}:root`]] };

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly sourceKey: CustomerManagedKey;
  readonly source: s3.Bucket;
  readonly destKey: CustomerManagedKey;
  readonly dest: s3.Bucket;
}

/** GIVEN a versioned source bucket and destination bucket, each with its own CustomerManagedKey. */
function fixture(sourceProps: s3.BucketProps = {}): Fixture {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const sourceKey = new CustomerManagedKey(stack, 'SourceKey');
  const source = new s3.Bucket(stack, 'Source', { versioned: true, encryptionKey: sourceKey, ...sourceProps });
  const destKey = new CustomerManagedKey(stack, 'DestKey');
  const dest = new s3.Bucket(stack, 'Dest', { versioned: true, encryptionKey: destKey });
  return { app, stack, sourceKey, source, destKey, dest };
}

function replicate(
  f: Fixture,
  props: Partial<SseKmsReplicationProps> = {},
  destination: Partial<SseKmsReplicationDestination> = {},
): SseKmsReplication {
  return new SseKmsReplication(f.stack, 'Replication', {
    sourceBucket: f.source,
    destinations: [{ bucket: f.dest, key: f.destKey, ...destination }],
    ...props,
  });
}

const getAtt = (stack: Stack, construct: { node: { defaultChild?: any } }, attr = 'Arn') =>
  ({ 'Fn::GetAtt': [stack.getLogicalId(construct.node.defaultChild), attr] });
const objects = (bucketArn: unknown, prefix = '') => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });

function rolePolicyStatements(stack: Stack): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  const [policy] = Object.values(policies).filter((p: any) => JSON.stringify(p.Properties.Roles).includes('ReplicationRole'));
  return policy.Properties.PolicyDocument.Statement;
}

function keyPolicyStatements(stack: Stack, key: kms.IKey): any[] {
  const template = Template.fromStack(stack).toJSON();
  return template.Resources[stack.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties.KeyPolicy.Statement;
}

describe('role', () => {
  test('trusts S3 for the source account only; no Batch Operations unless asked', () => {
    const f = fixture();
    replicate(f);
    Template.fromStack(f.stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        }],
      },
    });
  });

  test('trusts S3 for the source bucket too when the bucket has a name', () => {
    const f = fixture({ bucketName: 'acme-source' });
    replicate(f);
    Template.fromStack(f.stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', PARTITION, ':s3:::acme-source']] } },
          },
        })],
      },
    });
  });

  test('batchReplication: Batch Operations of the account may assume it, and it may start replication', () => {
    const f = fixture();
    replicate(f, { batchReplication: true });
    Template.fromStack(f.stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'batchoperations.s3.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', PARTITION, `:s3:eu-west-1:${ACCOUNT}:job/*`]] } },
          },
        }]),
      },
    });
    const statements = rolePolicyStatements(f.stack);
    expect(statements[0].Action).toContain('s3:PutInventoryConfiguration');
    expect(statements[1].Action).toContain('s3:InitiateReplication');
  });

  test('holds exactly the S3 actions on the buckets and prefix, and each key action under S3 and the bucket\'s context', () => {
    const f = fixture();
    replicate(f, {}, { prefix: 'reports/' });
    const source = getAtt(f.stack, f.source);
    const dest = getAtt(f.stack, f.dest);
    expect(rolePolicyStatements(f.stack)).toEqual([
      { Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: source },
      {
        Effect: 'Allow',
        Action: ['s3:GetObjectVersionAcl', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging'],
        Resource: objects(source, 'reports/'),
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: getAtt(f.stack, f.sourceKey),
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::Join': ['', [source, '/reports/*']] }] },
        },
      },
      { Effect: 'Allow', Action: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags'], Resource: objects(dest, 'reports/') },
      {
        Effect: 'Allow',
        Action: 'kms:Encrypt',
        Resource: getAtt(f.stack, f.destKey),
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::Join': ['', [dest, '/reports/*']] }] },
        },
      },
    ]);
  });

  test('S3 Bucket Keys: the encryption context condition is the bucket ARN', () => {
    const f = fixture({ bucketKeyEnabled: true });
    replicate(f, {}, { bucketKeyEnabled: true });
    const [, , decrypt, , encrypt] = rolePolicyStatements(f.stack);
    expect(decrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': getAtt(f.stack, f.source) },
    });
    expect(encrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': getAtt(f.stack, f.dest) },
    });
  });

  test('kms:GenerateDataKey on the destination keys only for unencrypted source objects', () => {
    const without = fixture();
    replicate(without);
    expect(JSON.stringify(rolePolicyStatements(without.stack))).not.toContain('GenerateDataKey');

    const f = fixture();
    replicate(f, { unencryptedSourceObjects: true });
    expect(rolePolicyStatements(f.stack)[4].Action).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
  });

  test('a source bucket without a KMS key: no kms:Decrypt and no SSE-KMS selection', () => {
    const f = fixture({ encryption: s3.BucketEncryption.S3_MANAGED, encryptionKey: undefined });
    replicate(f);
    const statements = rolePolicyStatements(f.stack);
    expect(statements.map((s) => s.Action)).not.toContainEqual('kms:Decrypt');
    const rule = Template.fromStack(f.stack).toJSON().Resources[f.stack.getLogicalId(f.source.node.defaultChild as s3.CfnBucket)]
      .Properties.ReplicationConfiguration.Rules[0];
    expect(rule.SourceSelectionCriteria).toBeUndefined();
  });

  test('several destinations: source objects under the prefixes that cover them all', () => {
    const f = fixture();
    const other = new s3.Bucket(f.stack, 'Other', { versioned: true, encryptionKey: f.destKey });
    new SseKmsReplication(f.stack, 'Replication', {
      sourceBucket: f.source,
      destinations: [
        { bucket: f.dest, key: f.destKey, prefix: 'logs/app/' },
        { bucket: other, key: f.destKey, prefix: 'logs/' },
        { bucket: other, key: f.destKey, prefix: 'data/' },
      ],
    });
    const source = getAtt(f.stack, f.source);
    expect(rolePolicyStatements(f.stack)[1].Resource).toEqual([objects(source, 'data/'), objects(source, 'logs/')]);
  });
});

describe('key policies', () => {
  test('the source key lets the role decrypt through S3 in its region; the destination key lets it encrypt', () => {
    const f = fixture();
    const replication = replicate(f);
    const role = getAtt(f.stack, replication.role);
    expect(keyPolicyStatements(f.stack, f.sourceKey)).toContainEqual({
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        ArnEquals: { 'aws:PrincipalArn': role },
      },
    });
    expect(keyPolicyStatements(f.stack, f.destKey)).toContainEqual(expect.objectContaining({
      Action: 'kms:Encrypt',
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, ArnEquals: { 'aws:PrincipalArn': role } },
    }));
  });

  test('named buckets: the key policies carry the encryption context too', () => {
    const f = fixture({ bucketName: 'acme-source' });
    const replication = replicate(f);
    expect(keyPolicyStatements(f.stack, f.sourceKey)).toContainEqual(expect.objectContaining({
      Action: 'kms:Decrypt',
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::Join': ['', ['arn:', PARTITION, ':s3:::acme-source/*']] }] },
        ArnEquals: { 'aws:PrincipalArn': getAtt(f.stack, replication.role) },
      },
    }));
  });

  test('the finished key policies pass the CustomerManagedKey checks, and the templates have no dependency cycle', () => {
    const f = fixture();
    replicate(f);
    expect(() => f.app.synth()).not.toThrow();
    expect(() => Template.fromStack(f.stack)).not.toThrow();
  });

  test('a destination key of this environment in another stack: the key policy names the role by its given name', () => {
    const f = fixture();
    const keys = new Stack(f.app, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const sharedKey = new CustomerManagedKey(keys, 'Shared');
    replicate(f, { roleName: 'replication' }, { key: sharedKey });
    expect(keyPolicyStatements(keys, sharedKey)).toContainEqual(expect.objectContaining({
      Action: 'kms:Encrypt',
      Condition: expect.objectContaining({
        ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', PARTITION, `:iam::${ACCOUNT}:role/replication`]] } },
      }),
    }));
  });

  test('a destination in another region: the role may encrypt through S3 in that region; an imported key\'s policy is left alone', () => {
    const f = fixture();
    const far = new Stack(f.app, 'Far', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const farKey = new CustomerManagedKey(far, 'FarKey');
    const farBucket = new s3.Bucket(far, 'FarBucket', { bucketName: 'acme-far', versioned: true, encryptionKey: farKey });
    new SseKmsReplication(f.stack, 'Replication', {
      sourceBucket: f.source,
      destinations: [{ bucket: farBucket, key: kms.Key.fromKeyArn(f.stack, 'FarKeyRef', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) }],
    });
    // The reference is imported: its key policy is written with SseKmsReplicationDestinationAccess or by hand.
    expect(JSON.stringify(keyPolicyStatements(far, farKey))).not.toContain('kms:Encrypt');
    expect(rolePolicyStatements(f.stack)[4].Condition.StringEquals['kms:ViaService']).toEqual('s3.us-east-1.amazonaws.com');
  });
});

describe('replication configuration', () => {
  test('selects SSE-KMS objects and names the destination key, one rule per destination by priority', () => {
    const f = fixture();
    const other = new s3.Bucket(f.stack, 'Other', { versioned: true, encryptionKey: f.destKey });
    const replication = new SseKmsReplication(f.stack, 'Replication', {
      sourceBucket: f.source,
      replicateDeleteMarkers: true,
      destinations: [
        { bucket: f.dest, key: f.destKey, prefix: 'a/', storageClass: s3.StorageClass.INFREQUENT_ACCESS },
        { bucket: other, key: f.destKey },
      ],
    });
    Template.fromStack(f.stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      ReplicationConfiguration: {
        Role: getAtt(f.stack, replication.role),
        Rules: [
          {
            Id: 'sse-kms-1',
            Status: 'Enabled',
            Priority: 2,
            Filter: { Prefix: 'a/' },
            DeleteMarkerReplication: { Status: 'Enabled' },
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            Destination: {
              Bucket: getAtt(f.stack, f.dest),
              EncryptionConfiguration: { ReplicaKmsKeyID: getAtt(f.stack, f.destKey) },
              StorageClass: 'STANDARD_IA',
            },
          },
          Match.objectLike({ Id: 'sse-kms-2', Priority: 1, Filter: { Prefix: '' }, Destination: Match.objectLike({ Bucket: getAtt(f.stack, other) }) }),
        ],
      },
    });
  });

  test('another account: the account and the owner override when asked', () => {
    const f = fixture();
    const bucket = s3.Bucket.fromBucketAttributes(f.stack, 'Partner', { bucketArn: 'arn:aws:s3:::partner-replicas', account: OTHER_ACCOUNT, region: 'eu-west-1' });
    const key = kms.Key.fromKeyArn(f.stack, 'PartnerKey', `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    new SseKmsReplication(f.stack, 'Replication', { sourceBucket: f.source, destinations: [{ bucket, key, ownerOverride: true }] });
    Template.fromStack(f.stack).hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [Match.objectLike({
          Destination: {
            Bucket: 'arn:aws:s3:::partner-replicas',
            Account: OTHER_ACCOUNT,
            AccessControlTranslation: { Owner: 'Destination' },
            EncryptionConfiguration: { ReplicaKmsKeyID: `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
          },
        })],
      },
    });
    expect(rolePolicyStatements(f.stack)[3].Action).toContain('s3:ObjectOwnerOverrideToBucketOwner');
  });
});

describe('destination account side', () => {
  function destination(props: { ownerOverride?: boolean; bucketName?: string } = {}) {
    const app = new App();
    const stack = new Stack(app, 'Dest', { env: { account: OTHER_ACCOUNT, region: 'eu-west-1' } });
    const key = new CustomerManagedKey(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true, encryptionKey: key, bucketName: props.bucketName });
    const access = new SseKmsReplicationDestinationAccess(stack, 'Access', {
      sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/replication`,
      bucket,
      key,
      prefix: 'in/',
      ownerOverride: props.ownerOverride,
    });
    return { app, stack, key, bucket, access };
  }

  test('the bucket policy lets the source role write the replicas under the prefix', () => {
    const d = destination({ ownerOverride: true });
    Template.fromStack(d.stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', PARTITION, `:iam::${ACCOUNT}:root`]] } },
          Action: ['s3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateTags', 's3:ObjectOwnerOverrideToBucketOwner'],
          Resource: objects(getAtt(d.stack, d.bucket), 'in/'),
          Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/replication` } },
        }],
      },
    });
    expect(d.access.keyPolicyUpdated).toBe(true);
    expect(d.access.bucketPolicyUpdated).toBe(true);
  });

  test('the key policy lets the source role encrypt through S3 in the bucket\'s region for the bucket\'s objects', () => {
    const d = destination({ bucketName: 'acme-replicas' });
    expect(keyPolicyStatements(d.stack, d.key)).toContainEqual({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', PARTITION, `:iam::${ACCOUNT}:root`]] } },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::Join': ['', ['arn:', PARTITION, ':s3:::acme-replicas/in/*']] }] },
        ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/replication` },
      },
    });
    expect(() => d.app.synth()).not.toThrow();
  });

  test('imported key and bucket: the statements are returned, not applied', () => {
    const stack = new Stack(new App(), 'Dest', { env: { account: OTHER_ACCOUNT, region: 'eu-west-1' } });
    const access = new SseKmsReplicationDestinationAccess(stack, 'Access', {
      sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/replication`,
      bucket: s3.Bucket.fromBucketName(stack, 'B', 'replicas'),
      key: kms.Key.fromKeyArn(stack, 'K', `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
    });
    expect(access.keyPolicyUpdated).toBe(false);
    expect(access.bucketPolicyUpdated).toBe(false);
    expect(stack.resolve(access.keyPolicyStatement.toStatementJson()).Action).toEqual('kms:Encrypt');
  });
});

describe('IAM size limits', () => {
  test('a role for one destination is far below the inline limit', () => {
    const f = fixture();
    replicate(f);
    const size = deployedLength(f.stack.resolve({ Version: '2012-10-17', Statement: rolePolicyStatements(f.stack) }));
    expect(size).toBeLessThan(ROLE_INLINE_POLICY_MAX_CHARS / 4);
  });

  test('too many destinations fail at synth with the measured size', () => {
    const f = fixture();
    const destinations = Array.from({ length: 20 }, (_, i) => ({
      bucket: new s3.Bucket(f.stack, `Dest${i}`, { versioned: true, encryptionKey: f.destKey }),
      key: f.destKey,
      prefix: `tenant-${i}/`,
    }));
    new SseKmsReplication(f.stack, 'Replication', { sourceBucket: f.source, destinations });
    expect(() => f.app.synth()).toThrow(/the replication role's inline policy takes up to \d+ characters once deployed, over IAM's limit of 10240/);
  });
});

test('the cross-region destination bucket needs a physical name the CDK can generate', () => {
  const f = fixture();
  const far = new Stack(f.app, 'Far', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const farBucket = new s3.Bucket(far, 'FarBucket', { bucketName: PhysicalName.GENERATE_IF_NEEDED, versioned: true });
  new SseKmsReplication(f.stack, 'Replication', {
    sourceBucket: f.source,
    destinations: [{ bucket: farBucket, key: kms.Key.fromKeyArn(f.stack, 'FarKeyRef', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`) }],
  });
  expect(() => f.app.synth()).not.toThrow();
});
