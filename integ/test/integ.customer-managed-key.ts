/**
 * A customer-managed key with administrators, users, a key policy manager and aliases, as a platform
 * team would deploy it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { CustomerManagedKey } from 'cdk-kms-patterns';

const app = new App();
const stack = new Stack(app, 'CustomerManagedKeyInteg', { env: { account: '111111111111', region: 'eu-west-1' } });

const admins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
const users = new iam.Role(stack, 'KeyUsers', { assumedBy: new iam.AccountRootPrincipal() });

new CustomerManagedKey(stack, 'Key', {
  description: 'integ: customer-managed key',
  admins: [admins],
  users: [users],
  aliases: ['alias/integ/customer-managed-key'],
  rotationPeriod: Duration.days(180),
});

new IntegTest(app, 'CustomerManagedKey', { testCases: [stack] });
