/**
 * A ring of keys for imported key material rotated by alias (two versions, the alias on the newest),
 * and the ARN of the active version published for client-side encryption.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { ImportedKeyRing, KeyArnPublication } from 'cdk-kms-patterns';

const app = new App();
const stack = new Stack(app, 'ImportedKeyRingInteg', { env: { account: '111111111111', region: 'eu-west-1' } });

const admins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
const users = new iam.Role(stack, 'KeyUsers', { assumedBy: new iam.AccountRootPrincipal() });

const ring = new ImportedKeyRing(stack, 'Ring', {
  aliasName: 'alias/integ/imported-key-ring',
  versions: ['v1', 'v2'],
  admins: [admins],
  users: [users],
});

new KeyArnPublication(stack, 'ActiveKeyArn', {
  key: ring.activeKey,
  parameterName: '/integ/imported-key-ring/kms-key-arn',
  readers: [users],
});

new IntegTest(app, 'ImportedKeyRing', { testCases: [stack] });
