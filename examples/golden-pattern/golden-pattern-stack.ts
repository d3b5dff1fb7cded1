import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CustomerManagedKey, KeyDeletionAlarm, KeyPerimeter, ServicePreset } from '../../src';

/** The example's AWS Organization: the key is usable only by its principals (and AWS services). */
const ORGANIZATION_ID = 'o-exampleorgid1';
const APPLICATION_LOG_GROUP = '/golden-pattern/application';

/**
 * An application's encryption key: a platform role administers it, the application's role uses it,
 * CloudWatch Logs encrypts the application's log group with it, and only principals of the
 * organization may use it.
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
    key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: [APPLICATION_LOG_GROUP] }));
    key.addPerimeter(KeyPerimeter.organization(ORGANIZATION_ID));

    new logs.LogGroup(this, 'ApplicationLogs', {
      logGroupName: APPLICATION_LOG_GROUP,
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Someone scheduling the key's deletion or disabling it is told at once.
    new KeyDeletionAlarm(this, 'ApplicationKeyDeletionAlarm', { key });
  }
}
