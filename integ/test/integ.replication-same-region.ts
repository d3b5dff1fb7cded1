/**
 * Replication of SSE-KMS objects between two buckets of one account and region, each bucket with its
 * own customer-managed key: the role may decrypt with the source key and encrypt with the destination
 * key, each only through S3 and for its bucket's objects under the replicated prefix.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { CustomerManagedKey, SseKmsReplication } from 'cdk-kms-patterns';

const app = new App();
const stack = new Stack(app, 'ReplicationSameRegionInteg', { env: { account: '111111111111', region: 'eu-west-1' } });

const sourceKey = new CustomerManagedKey(stack, 'SourceKey', { description: 'integ: replication source', removalPolicy: RemovalPolicy.DESTROY });
const source = new s3.Bucket(stack, 'Source', {
  versioned: true,
  encryptionKey: sourceKey,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});
const destinationKey = new CustomerManagedKey(stack, 'DestinationKey', { description: 'integ: replication destination', removalPolicy: RemovalPolicy.DESTROY });
const destination = new s3.Bucket(stack, 'Destination', {
  versioned: true,
  encryptionKey: destinationKey,
  bucketKeyEnabled: true,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});

new SseKmsReplication(stack, 'Replication', {
  sourceBucket: source,
  destinations: [{ bucket: destination, key: destinationKey, prefix: 'reports/', storageClass: s3.StorageClass.INFREQUENT_ACCESS }],
  replicateDeleteMarkers: true,
});

new IntegTest(app, 'ReplicationSameRegion', { testCases: [stack] });
