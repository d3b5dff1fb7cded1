import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeServiceFindings, ServiceUses } from './services-pattern';
import { CustomerManagedKey, KeyDeletionAlarm, KeyPerimeter } from '../../src';

/** The example's AWS Organization: the key is usable only by its principals (and AWS services). */
const ORGANIZATION_ID = 'o-exampleorgid1';
const APPLICATION_LOG_GROUP = '/golden-pattern/application';

/**
 * An application's encryption key: a platform role administers it, the application's role uses it,
 * CloudWatch Logs encrypts the application's log groups with it, DynamoDB, Secrets Manager, Lambda and
 * CloudTrail create resources with it, and only principals of the organization may use it.
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
    key.addPerimeter(KeyPerimeter.organization(ORGANIZATION_ID));

    new logs.LogGroup(this, 'ApplicationLogs', {
      logGroupName: APPLICATION_LOG_GROUP,
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // A table, a secret, a function, a log group and a trail encrypted with the key: found in the
    // templates, so the deployer (and CloudWatch Logs and CloudTrail) get what creating them needs.
    acknowledgeServiceFindings(new ServiceUses(this, 'ServiceUses', key));

    // Someone scheduling the key's deletion or disabling it is told at once.
    new KeyDeletionAlarm(this, 'ApplicationKeyDeletionAlarm', { key });
  }
}
