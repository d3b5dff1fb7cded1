import { Environment, PhysicalName, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CustomerManagedKey, SseKmsReplication, SseKmsReplicationDestinationAccess } from '../../src';

/** The partner account that receives replicas. */
export const PARTNER_ACCOUNT = '555555555555';

const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** A versioned, TLS-only, private bucket; logs go to an SSE-S3 bucket (S3 delivers access logs only there). */
function bucket(scope: Construct, id: string, props: s3.BucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    versioned: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    ...props,
  });
}

function logBucket(scope: Construct): s3.Bucket {
  const logs = bucket(scope, 'AccessLogs', { encryption: s3.BucketEncryption.S3_MANAGED, objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED });
  for (const pack of COMPLIANCE_PACKS) {
    Validations.of(logs).acknowledge({ id: `${pack}::${pack}-S3DefaultEncryptionKMS`, reason: 'S3 server access logs can only be delivered to SSE-S3 buckets' });
  }
  notReplicatedAgain(logs);
  return logs;
}

function notReplicatedAgain(b: s3.IBucket): void {
  for (const pack of COMPLIANCE_PACKS) {
    Validations.of(b).acknowledge({ id: `${pack}::${pack}-S3BucketReplicationEnabled`, reason: 'A replica or log bucket is not replicated again' });
  }
}

/**
 * S3 replication of SSE-KMS objects: a data bucket (with S3 Bucket Keys) replicates to a backup bucket
 * of the same account and to a partner account's bucket (with S3 Bucket Keys). The replication role
 * may decrypt only the source objects and encrypt only the replicas, through S3; with Bucket Keys the
 * context is the bucket ARN and the role also verifies the Bucket Key (kms:Decrypt) on the replica key.
 */
export function addReplicationPattern(scope: Construct, env: Environment): void {
  const partner = new Stack(scope, 'GoldenPatternReplicationPartner', { env: { account: PARTNER_ACCOUNT, region: env.region } });
  const partnerKey = new CustomerManagedKey(partner, 'ReplicaKey', { description: 'Encrypts the replicas the partner receives' });
  const replicas = bucket(partner, 'Replicas', {
    bucketName: PhysicalName.GENERATE_IF_NEEDED,
    encryptionKey: partnerKey,
    bucketKeyEnabled: true,
    serverAccessLogsBucket: logBucket(partner),
    serverAccessLogsPrefix: 'replicas/',
  });
  notReplicatedAgain(replicas);

  const data = new Stack(scope, 'GoldenPatternReplication', { env });
  const logs = logBucket(data);
  const sourceKey = new CustomerManagedKey(data, 'DataKey', { description: 'Encrypts the replicated data' });
  const backupKey = new CustomerManagedKey(data, 'BackupKey', { description: 'Encrypts the same-account replicas' });
  const source = bucket(data, 'Data', { encryptionKey: sourceKey, bucketKeyEnabled: true, serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'data/' });
  const backup = bucket(data, 'Backup', { encryptionKey: backupKey, serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'backup/' });
  notReplicatedAgain(backup);

  const replication = new SseKmsReplication(data, 'Replication', {
    sourceBucket: source,
    destinations: [
      { bucket: backup, key: backupKey },
      {
        bucket: replicas,
        // The partner deploys its key first and hands over its ARN.
        key: kms.Key.fromKeyArn(data, 'PartnerKey', `arn:aws:kms:${env.region}:${PARTNER_ACCOUNT}:key/0b7e8f1c-2222-4333-8444-555566667777`),
        bucketKeyEnabled: true,
        ownerOverride: true,
      },
    ],
  });
  new SseKmsReplicationDestinationAccess(partner, 'ReplicationAccess', {
    sourceRoleArn: replication.roleArn,
    bucket: replicas,
    key: partnerKey,
    sourceBucketKeyEnabled: true,
    ownerOverride: true,
  });
}
