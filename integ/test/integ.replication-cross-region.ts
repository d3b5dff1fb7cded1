/**
 * Replication of SSE-KMS objects into another region of the same account. The source stack reads the
 * destination key's ARN through the CDK's cross-region references; the destination key's policy names
 * the replication role by its generated physical name, so the destination stack deploys first.
 */
import { App, PhysicalName, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { CustomerManagedKey, SseKmsReplication } from 'cdk-kms-patterns';

const app = new App();
const account = '111111111111';
const destinationStack = new Stack(app, 'ReplicationCrossRegionDestination', { env: { account, region: 'eu-central-1' } });
const sourceStack = new Stack(app, 'ReplicationCrossRegionSource', { env: { account, region: 'eu-west-1' }, crossRegionReferences: true });

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

new SseKmsReplication(sourceStack, 'Replication', {
  sourceBucket: source,
  destinations: [{ bucket: destination, key: destinationKey }],
});

new IntegTest(app, 'ReplicationCrossRegion', { testCases: [destinationStack, sourceStack] });
