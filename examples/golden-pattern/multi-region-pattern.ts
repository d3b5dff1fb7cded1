import { Duration, Environment, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CustomerManagedKey, ReplicaKey } from '../../src';

/** The alias of the multi-Region key, the same name in every region. */
export const MULTI_REGION_ALIAS = 'alias/golden-pattern/multi-region';

/**
 * The primary of a multi-Region key: data encrypted in one region can be decrypted in the others
 * without a cross-region call. A platform role administers it, the application's role uses it.
 */
export class MultiRegionKeyStack extends Stack {
  /** The multi-Region primary key. */
  public readonly key: CustomerManagedKey;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const keyAdmins = new iam.Role(this, 'KeyAdministrators', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Platform team: administers the multi-Region key in every region, never uses it',
    });
    const application = new iam.Role(this, 'Application', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Application tasks: use the multi-Region key in every region, never manage it',
    });

    this.key = new CustomerManagedKey(this, 'ApplicationKey', {
      description: 'Encrypts the data of the application, in every region it runs in',
      multiRegion: true,
      admins: [keyAdmins],
      users: [application],
      aliases: [MULTI_REGION_ALIAS],
      rotationPeriod: Duration.days(180),
      tags: { 'data-classification': 'confidential' },
    });
  }
}

/** Regions the example replicates to: two that are not the primary's. */
export function replicaRegionsFor(primaryRegion: string): string[] {
  return ['us-east-1', 'ap-southeast-2', 'eu-central-1'].filter((r) => r !== primaryRegion).slice(0, 2);
}

/**
 * Adds the multi-Region pattern: the primary's stack, and one stack per replica region that depends on
 * it. The replica stacks read the primary's ARN and the roles' ARNs through CDK cross-region references.
 */
export function addMultiRegionPattern(scope: Construct, env: Environment): ReplicaKey[] {
  const primary = new MultiRegionKeyStack(scope, 'GoldenPatternMultiRegionKeys', { env });
  return ReplicaKey.replicate(primary.key, {
    regions: replicaRegionsFor(env.region!),
    description: 'Replica of the application\'s multi-Region key',
    aliases: [MULTI_REGION_ALIAS],
    tags: { 'data-classification': 'confidential' },
  });
}
