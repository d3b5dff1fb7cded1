import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CustomerManagedKey, KeyDeletionAlarm } from '../../src';

/**
 * An application's encryption key: a platform role administers it, the application's role uses it.
 */
export class GoldenPatternStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const keyAdmins = new iam.Role(this, 'KeyAdministrators', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Platform team: administers the application key, never uses it',
    });
    const application = new iam.Role(this, 'Application', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Application tasks: use the key, never manage it',
    });

    const key = new CustomerManagedKey(this, 'ApplicationKey', {
      description: 'Encrypts the data of the application',
      admins: [keyAdmins],
      users: [application],
      aliases: ['alias/golden-pattern/application'],
      rotationPeriod: Duration.days(180),
      tags: { 'data-classification': 'confidential' },
    });

    // Someone scheduling the key's deletion or disabling it is told at once.
    new KeyDeletionAlarm(this, 'ApplicationKeyDeletionAlarm', { key });
  }
}
