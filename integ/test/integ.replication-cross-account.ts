/**
 * Replication of SSE-KMS objects into a bucket of another account, with the replicas owned by that
 * account. The source names the destination key by its deployed ARN; the destination account's stack
 * gives the source's role exactly what it needs in its key policy and bucket policy.
 */
import { App, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { CustomerManagedKey, SseKmsReplication, SseKmsReplicationDestinationAccess } from 'cdk-kms-patterns';

const app = new App();
const destinationStack = new Stack(app, 'ReplicationCrossAccountDestination', { env: { account: '222222222222', region: 'eu-west-1' } });
const sourceStack = new Stack(app, 'ReplicationCrossAccountSource', { env: { account: '111111111111', region: 'eu-west-1' } });

const destinationKey = new CustomerManagedKey(destinationStack, 'DestinationKey', { removalPolicy: RemovalPolicy.DESTROY });
const destination = new s3.Bucket(destinationStack, 'Destination', {
  bucketName: PhysicalName.GENERATE_IF_NEEDED,
  versioned: true,
  encryptionKey: destinationKey,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});

const sourceKey = new CustomerManagedKey(sourceStack, 'SourceKey', { removalPolicy: RemovalPolicy.DESTROY });
const source = new s3.Bucket(sourceStack, 'Source', {
  versioned: true,
  encryptionKey: sourceKey,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});

const replication = new SseKmsReplication(sourceStack, 'Replication', {
  sourceBucket: source,
  destinations: [{
    bucket: destination,
    // A key ARN of another account cannot be referenced before it exists: the deployed ARN is given.
    key: kms.Key.fromKeyArn(sourceStack, 'DestinationKeyArn', 'arn:aws:kms:eu-west-1:222222222222:key/0b7e8f1c-2222-4333-8444-555566667777'),
    prefix: 'shared/',
    ownerOverride: true,
  }],
});

new SseKmsReplicationDestinationAccess(destinationStack, 'ReplicationAccess', {
  sourceRoleArn: replication.roleArn,
  bucket: destination,
  key: destinationKey,
  prefix: 'shared/',
  ownerOverride: true,
});

new IntegTest(app, 'ReplicationCrossAccount', { testCases: [destinationStack, sourceStack] });
