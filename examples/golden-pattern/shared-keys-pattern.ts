import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CustomerManagedKey, ServicePreset } from '../../src';

/** The log group of the application stack, encrypted with the shared key. */
const ORDERS_LOG_GROUP = '/golden-pattern/orders';

/**
 * A platform team's stack of keys: a shared key that application stacks use. It names no role of the
 * application stacks by reference, so it deploys first and they read its ARN.
 */
export class SharedKeysStack extends Stack {
  /** The key the application stacks share. */
  public readonly key: CustomerManagedKey;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const keyAdmins = new iam.Role(this, 'KeyAdministrators', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Platform team: administers the shared key, never uses it',
    });
    this.key = new CustomerManagedKey(this, 'SharedKey', {
      description: 'Encrypts the data of the applications that share it',
      admins: [keyAdmins],
      aliases: ['alias/golden-pattern/shared'],
      rotationPeriod: Duration.days(180),
    });
    this.key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: [ORDERS_LOG_GROUP] }));
  }
}

/** Properties of an {@link OrdersApplicationStack}. */
export interface OrdersApplicationStackProps extends StackProps {
  /** The shared key, from the keys stack. */
  readonly key: CustomerManagedKey;
}

/**
 * An application stack that uses the shared key: its tasks' role is granted use of the key (the key
 * policy names it by ARN, held by aws:PrincipalArn), and its log group is encrypted with it.
 */
export class OrdersApplicationStack extends Stack {
  constructor(scope: Construct, id: string, props: OrdersApplicationStackProps) {
    super(scope, id, props);
    const tasks = new iam.Role(this, 'OrdersTasks', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Orders application tasks: encrypt and decrypt with the shared key',
    });
    props.key.grantEncryptDecrypt(tasks);
    new logs.LogGroup(this, 'OrdersLogs', {
      logGroupName: ORDERS_LOG_GROUP,
      encryptionKey: props.key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
