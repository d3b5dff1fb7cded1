/**
 * A multi-Region primary key with replicas in two other regions, each replica's key policy rendered
 * from the primary's access model for its own region. On aws-cdk-lib 2.257 the replica stacks read the
 * primary's ARN and the roles' ARNs through CDK cross-region references (ExportWriter/ExportReader).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { CustomerManagedKey, ReplicaKey } from 'cdk-kms-patterns';

const app = new App();
const stack = new Stack(app, 'MultiRegionKeyInteg', { env: { account: '111111111111', region: 'eu-west-1' } });

const admins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
const users = new iam.Role(stack, 'KeyUsers', { assumedBy: new iam.AccountRootPrincipal() });

const primary = new CustomerManagedKey(stack, 'Key', {
  description: 'integ: multi-Region primary key',
  multiRegion: true,
  admins: [admins],
  users: [users],
  aliases: ['alias/integ/multi-region-key'],
  rotationPeriod: Duration.days(180),
});

const replicas = ReplicaKey.replicate(primary, {
  regions: ['us-east-1', 'ap-southeast-2'],
  description: 'integ: replica of the multi-Region key',
  aliases: ['alias/integ/multi-region-key'],
});

new IntegTest(app, 'MultiRegionKey', { testCases: [stack, ...replicas.map((r) => Stack.of(r))] });
