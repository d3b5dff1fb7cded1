import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, PhysicalName, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { addCompliancePacks } from '../../examples/golden-pattern/app';
import {
  AmiShare,
  CustomerManagedKey,
  EbsSharedKeyAccess,
  GrantOperation,
  ImportedKeyRing,
  KeyArnPublication,
  KeyGrant,
  SharingTargets,
  SnapshotShare,
  SseKmsReplication,
  SseKmsReplicationDestinationAccess,
} from '../../src';

const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;
const OWNER = { account: '111111111111', region: 'eu-west-1' };
const TARGET = { account: '222222222222', region: 'eu-west-1' };

/** An app with the example's packs: KmsGoldenRules, AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, CloudFormation validation. */
function checkedApp(context: Record<string, unknown> = {}): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'patterns-')), context: { ...CONTEXT, ...context } });
  addCompliancePacks(app);
  return app;
}

/** Every finding of the packs (acknowledged ones are not findings). */
function findings(app: App): string[] {
  try {
    app.synth();
    return [];
  } catch (e) {
    return [...String(e).matchAll(/Acknowledge with '([^']+)'/g)].map((m) => m[1]);
  }
}

// The example app covers the key, its presets and perimeters, the deletion alarm and the multi-Region
// pattern (test/examples); the imported key ring is covered in test/imported. These are the others.
describe('every pattern of the library reports nothing under all packs at once', () => {
  test('EBS snapshot and AMI sharing, owner side: key statements, KeyGrant, SnapshotShare, AmiShare', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Owner', { env: OWNER });
    const admins = new iam.Role(stack, 'Admins', { assumedBy: new iam.AccountRootPrincipal() });
    const key = new CustomerManagedKey(stack, 'EbsKey', { admins: [admins] });
    key.shareForSnapshotCopy(SharingTargets.accounts([TARGET.account, '333333333333']));
    key.shareForAmiLaunch(SharingTargets.organization('o-exampleorg1'));
    key.shareForAmiLaunch(SharingTargets.accounts(['444444444444']), { autoScaling: true });
    new KeyGrant(stack, 'BackupGrant', {
      key,
      grantee: new iam.ArnPrincipal(`arn:aws:iam::${OWNER.account}:role/backup`),
      operations: [GrantOperation.DECRYPT, GrantOperation.DESCRIBE_KEY],
    });
    new SnapshotShare(stack, 'Backup', { snapshotId: 'snap-0123456789abcdef0', accountIds: ['555555555555'], encryptionKey: key });
    new AmiShare(stack, 'GoldenAmi', { imageId: 'ami-0123456789abcdef0', accountIds: ['444444444444'] });
    expect(findings(app)).toEqual([]);
  });

  test('the custom resources\' functions with CDK-managed log groups (a recommended feature flag)', () => {
    const app = checkedApp({ '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true });
    const stack = new Stack(app, 'Owner', { env: OWNER });
    const key = new CustomerManagedKey(stack, 'EbsKey');
    new KeyGrant(stack, 'BackupGrant', {
      key,
      grantee: new iam.ArnPrincipal(`arn:aws:iam::${OWNER.account}:role/backup`),
      operations: [GrantOperation.DECRYPT],
    });
    new SnapshotShare(stack, 'Backup', { snapshotId: 'snap-0123456789abcdef0', accountIds: ['555555555555'], encryptionKey: key });
    expect(findings(app)).toEqual([]);
    expect(stack.node.findAll().filter((c) => c.node.id === 'LogGroup').map((c) => c.node.scope?.node.id).sort())
      .toEqual([expect.stringMatching(/^AWS679f53fac/), 'ShareHandler']);
  });

  test('EBS sharing, target side: the identity policy and the Auto Scaling grant', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Target', { env: TARGET });
    const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new EbsSharedKeyAccess(stack, 'SharedEbsKey', {
      keyArn: `arn:aws:kms:${OWNER.region}:${OWNER.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      roles: [launcher],
      autoScalingGrant: true,
    });
    expect(findings(app)).toEqual([]);
  });

  test('S3 replication of SSE-KMS objects, same account and to another account', () => {
    const app = checkedApp();
    const partner = new Stack(app, 'Partner', { env: TARGET });
    const data = new Stack(app, 'Data', { env: OWNER });
    const logs = new s3.Bucket(data, 'AccessLogs', {
      versioned: true,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    });
    const bucket = (stack: Stack, id: string, key: kms.IKey, props: Partial<s3.BucketProps> = {}) => new s3.Bucket(stack, id, {
      versioned: true,
      enforceSSL: true,
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: stack === data ? logs : undefined,
      serverAccessLogsPrefix: stack === data ? `${id}/` : undefined,
      ...props,
    });
    const replicaKey = new CustomerManagedKey(partner, 'ReplicaKey');
    const partnerLogs = new s3.Bucket(partner, 'AccessLogs', {
      versioned: true,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
    });
    const replicas = bucket(partner, 'Replicas', replicaKey, {
      bucketName: PhysicalName.GENERATE_IF_NEEDED,
      serverAccessLogsBucket: partnerLogs,
      serverAccessLogsPrefix: 'replicas/',
    });
    const sourceKey = new CustomerManagedKey(data, 'SourceKey');
    const backupKey = new CustomerManagedKey(data, 'BackupKey');
    const source = bucket(data, 'Source', sourceKey);
    const backup = bucket(data, 'Backup', backupKey);
    const replication = new SseKmsReplication(data, 'Replication', {
      sourceBucket: source,
      destinations: [
        { bucket: backup, key: backupKey },
        {
          bucket: replicas,
          key: kms.Key.fromKeyArn(data, 'ReplicaKeyArn', 'arn:aws:kms:eu-west-1:222222222222:key/0b7e8f1c-2222-4333-8444-555566667777'),
          ownerOverride: true,
        },
      ],
    });
    new SseKmsReplicationDestinationAccess(partner, 'ReplicationAccess', {
      sourceRoleArn: replication.roleArn,
      bucket: replicas,
      key: replicaKey,
      ownerOverride: true,
    });
    // The app's own buckets, not the library's: replicas and access logs are not replicated again, and
    // S3 server access logs can only be written to SSE-S3 buckets.
    for (const b of [backup, replicas, logs, partnerLogs]) {
      for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
        Validations.of(b).acknowledge({ id: `${pack}::${pack}-S3BucketReplicationEnabled`, reason: 'A replica or log bucket is not replicated again' });
      }
    }
    for (const b of [logs, partnerLogs]) {
      for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
        Validations.of(b).acknowledge({ id: `${pack}::${pack}-S3DefaultEncryptionKMS`, reason: 'S3 server access logs can only be delivered to SSE-S3 buckets' });
      }
    }
    expect(findings(app)).toEqual([]);
  });

  test('an imported key ring with its published ARN', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Ring', { env: OWNER });
    const users = new iam.Role(stack, 'Users', { assumedBy: new iam.AccountRootPrincipal() });
    const ring = new ImportedKeyRing(stack, 'Ring', { aliasName: 'alias/app', versions: ['v1', 'v2'], users: [users] });
    new KeyArnPublication(stack, 'KeyArn', { key: ring.activeKey, parameterName: '/app/kms-key-arn', readers: [users] });
    expect(findings(app)).toEqual([]);
  });

  test('the checks are live here too: an unrotated plain key is found', () => {
    const app = checkedApp();
    new kms.Key(new Stack(app, 'Plain', { env: OWNER }), 'Key');
    expect(findings(app)).toEqual(expect.arrayContaining(['KmsGolden::KmsGolden-KeyRotation', 'AwsSolutions::AwsSolutions-KMS5']));
  });
});
