/**
 * Every pattern deploys: for each accountRootAccess mode, an app with a multi-Region key, a replica, and
 * the aws-cdk-lib constructs (L2 where they exist, L1 otherwise) that create resources with the key,
 * evaluated with the IAM simulator for every KMS call of CloudFormation and of the services, on create,
 * update and delete. Control cases show the same calls denied without the deployer statements.
 */
import { App, Size, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccountRootAccess, CustomerManagedKey, ReplicaKey } from '../../src';
import {
  autoScalingServiceLinkedRoleArn,
  cdkExecutionRoleArn,
  DeploymentCall,
  deniedCalls,
  deployerMisuse,
  deploymentCalls,
  withoutStatements,
} from '../helpers/deployment';
import { ACCOUNT, CRYPTO, GRANT_FOR_AWS, matrixPrincipals, keyUnderTest, OTHER_ACCOUNT, SEPARATED_DUTIES_MATRIX, satisfies } from '../helpers/key-policy-matrix';
import { decide, idOf, World } from '../helpers/world';

const REGION = 'eu-west-1';
const REPLICA_REGION = 'us-east-1';

interface Deployed {
  readonly world: World;
  readonly calls: DeploymentCall[];
  readonly primary: string;
  readonly replica: string;
  readonly roles: { admin: string; user: string; other: string };
}

/** GIVEN an app whose key is used by every service that creates with it, in another stack and in the replica's region. */
function deploy(mode: AccountRootAccess, withKeyPolicyManagers = false): Deployed {
  const app = new App();
  const keys = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: REGION } });
  const admin = new iam.Role(keys, 'Admin', { roleName: 'key-admin', assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(keys, 'User', { roleName: 'key-user', assumedBy: new iam.AccountRootPrincipal() });
  const other = new iam.Role(keys, 'Other', { roleName: 'other', assumedBy: new iam.AccountRootPrincipal() });
  other.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const key = new CustomerManagedKey(keys, 'Key', {
    admins: [admin],
    users: [user],
    accountRootAccess: mode,
    multiRegion: true,
    aliases: ['alias/app/data'],
    keyPolicyManagers: withKeyPolicyManagers ? [iam.Role.fromRoleArn(keys, 'Managers', `arn:aws:iam::${ACCOUNT}:role/key-policy-managers`)] : undefined,
  });
  const [replica] = ReplicaKey.replicate(key, { regions: [REPLICA_REGION], aliases: ['alias/app/data'] });

  const stack = new Stack(app, 'Services', { env: { account: ACCOUNT, region: REGION } });
  new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  });
  new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', storageEncrypted: true, kmsKeyId: key.keyArn });
  new rds.CfnDBInstance(stack, 'Instance', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', storageEncrypted: true, kmsKeyId: key.keyArn });
  new ec2.Volume(stack, 'Volume', { availabilityZone: stack.availabilityZones[0], size: Size.gibibytes(8), encrypted: true, encryptionKey: key });
  new ec2.CfnLaunchTemplate(stack, 'LaunchTemplate', {
    launchTemplateData: { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: true, kmsKeyId: key.keyArn } }] },
  });
  // An Auto Scaling group launching from an L2 launch template whose root volume uses the key.
  const groupTemplate = new ec2.LaunchTemplate(stack, 'GroupTemplate', {
    machineImage: ec2.MachineImage.genericLinux({ [REGION]: 'ami-0123456789abcdef0' }),
    instanceType: new ec2.InstanceType('t3.micro'),
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true, kmsKey: key }) }],
  });
  new autoscaling.AutoScalingGroup(stack, 'Group', {
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: [`${REGION}a`], publicSubnetIds: ['subnet-1'] }),
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    launchTemplate: groupTemplate,
  });
  new efs.CfnFileSystem(stack, 'FileSystem', { encrypted: true, kmsKeyId: key.keyArn });
  new secretsmanager.Secret(stack, 'Secret', { secretName: 'app/db', encryptionKey: key });
  new lambda.Function(stack, 'Function', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    environment: { STAGE: 'prod' },
    environmentEncryption: key,
  });
  new kinesis.Stream(stack, 'Stream', { streamName: 'events', encryption: kinesis.StreamEncryption.KMS, encryptionKey: key });
  new backup.BackupVault(stack, 'Vault', { encryptionKey: key });
  new ecr.Repository(stack, 'Repository', { encryptionKey: key });
  new eks.CfnCluster(stack, 'Eks', {
    roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`,
    resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
    encryptionConfig: [{ provider: { keyArn: key.keyArn } }],
  });
  new opensearch.CfnDomain(stack, 'Domain', { encryptionAtRestOptions: { enabled: true, kmsKeyId: key.keyId } });
  new logs.LogGroup(stack, 'Logs', { logGroupName: '/app/orders', encryptionKey: key });
  new cloudtrail.Trail(stack, 'Trail', { trailName: 'app-trail', encryptionKey: key });

  // The replica, used in its own region by a table of another stack.
  const regional = new Stack(app, 'RegionalServices', { env: { account: ACCOUNT, region: REPLICA_REGION }, crossRegionReferences: true });
  new dynamodb.CfnTable(regional, 'RegionalTable', {
    keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
    attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
    billingMode: 'PAY_PER_REQUEST',
    sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: replica.keyArn },
  });

  const world = new World(keys, stack, Stack.of(replica), regional);
  return {
    world,
    calls: deploymentCalls(world),
    primary: idOf(key),
    replica: `${Stack.of(replica).artifactId}/${Stack.of(replica).getLogicalId(replica.node.defaultChild as any)}`,
    roles: { admin: idOf(admin), user: idOf(user), other: idOf(other) },
  };
}

const MODES: [string, AccountRootAccess, boolean][] = [
  ['ADMINISTRATION', AccountRootAccess.ADMINISTRATION, false],
  ['ADMINISTRATION with keyPolicyManagers', AccountRootAccess.ADMINISTRATION, true],
  ['FULL_DELEGATION', AccountRootAccess.FULL_DELEGATION, false],
  ['NONE', AccountRootAccess.NONE, false],
];

describe.each(MODES)('accountRootAccess %s', (_name, mode, managers) => {
  let d: Deployed;
  beforeAll(() => {
    d = deploy(mode, managers);
  });

  test('every call of CloudFormation and of the services, as the deployer and as service principals, is allowed on create, update and delete', async () => {
    const services = new Set(d.calls.map((c) => c.why.split(' ')[0]));
    // THEN the oracle asks for every kind of resource of the app (no silent gap in the harness)
    expect([...services].sort()).toEqual([
      'AWS::AutoScaling::AutoScalingGroup', 'AWS::Backup::BackupVault', 'AWS::CloudTrail::Trail', 'AWS::DynamoDB::Table', 'AWS::EC2::LaunchTemplate', 'AWS::EC2::Volume',
      'AWS::ECR::Repository', 'AWS::EFS::FileSystem', 'AWS::EKS::Cluster', 'AWS::KMS::Alias', 'AWS::KMS::Key', 'AWS::KMS::ReplicaKey',
      'AWS::Kinesis::Stream', 'AWS::Lambda::Function', 'AWS::Logs::LogGroup', 'AWS::OpenSearchService::Domain', 'AWS::RDS::DBCluster',
      'AWS::RDS::DBInstance', 'AWS::SecretsManager::Secret',
    ]);
    expect(await deniedCalls(d.world, d.calls)).toEqual([]);
  });

  test('the replica\'s policy names its own region\'s deployer, and ReplicateKey on the primary is held to the replica\'s region', async () => {
    const replicaDeployer = cdkExecutionRoleArn(ACCOUNT, REPLICA_REGION);
    const ask = (key: string, principal: string, action: string, context: Record<string, string> = {}) => decide({
      principal,
      action,
      resource: d.world.arnOf(key),
      resourceAccount: ACCOUNT,
      identityPolicies: [],
      resourcePolicy: d.world.keyPolicy(key),
      context,
    });
    // Without an identity policy, only the key policy can allow: the replica's own deployer, named there.
    if (mode !== AccountRootAccess.FULL_DELEGATION) {
      const primaryDeployer = cdkExecutionRoleArn(ACCOUNT, REGION);
      const named = JSON.stringify(d.world.keyPolicy(d.replica));
      expect(named).toContain(replicaDeployer);
      expect(named).not.toContain(primaryDeployer);
    }
    const full = { name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
    const replicate = (region: string) => decide({
      principal: replicaDeployer,
      action: 'kms:ReplicateKey',
      resource: d.world.arnOf(d.primary),
      resourceAccount: ACCOUNT,
      identityPolicies: [full],
      resourcePolicy: d.world.keyPolicy(d.primary),
      context: { 'kms:ReplicaRegion': region },
    });
    expect(await replicate(REPLICA_REGION)).toBe('Allowed');
    if (mode === AccountRootAccess.NONE) {
      expect(await replicate('ap-southeast-2')).toBe('ImplicitlyDenied');
      expect(await ask(d.primary, replicaDeployer, 'kms:ReplicateKey', { 'kms:ReplicaRegion': 'ap-southeast-2' })).toBe('ImplicitlyDenied');
    }
  });

  test('no deployer statement gives use outside its service, nor a grant that is not for an AWS resource', async () => {
    for (const [key, region] of [[d.primary, REGION], [d.replica, REPLICA_REGION]]) {
      const deployer = cdkExecutionRoleArn(ACCOUNT, region);
      for (const misuse of deployerMisuse(region, ACCOUNT)) {
        const decision = await decide({
          principal: deployer,
          action: misuse.action,
          resource: d.world.arnOf(key),
          resourceAccount: ACCOUNT,
          identityPolicies: mode === AccountRootAccess.FULL_DELEGATION ? [] : [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
          resourcePolicy: d.world.keyPolicy(key),
          context: misuse.context,
        });
        expect(`${key} ${misuse.action} (${misuse.why}): ${decision}`).toBe(`${key} ${misuse.action} (${misuse.why}): ImplicitlyDenied`);
      }
    }
  });

  test('Auto Scaling\'s service-linked role may launch from the encrypted launch template; without its statements it may not', async () => {
    // GIVEN the launches of the group, as the oracle writes them
    const launches = d.calls.filter((c) => c.caller === autoScalingServiceLinkedRoleArn(ACCOUNT));
    expect(launches.map((c) => c.action).sort()).toEqual(['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);

    // THEN the key policy allows them, and the same policy without the role's statements denies every one
    expect(await deniedCalls(d.world, launches)).toEqual([]);
    const control = await deniedCalls(d.world, launches, { keyPolicy: (_key, policy) => withoutStatements(policy, /^AutoScaling/) });
    expect(control).toHaveLength(launches.length);
  });

  test('the service-linked role\'s statements give no other principal any use, and the role no grant outside AWS resources', async () => {
    const policy = d.world.keyPolicy(d.primary);
    const control = withoutStatements(policy, /^AutoScaling/);
    const others = {
      ...matrixPrincipals(d.world, d.roles),
      deployer: { arn: cdkExecutionRoleArn(ACCOUNT, REGION), identityPolicies: [] },
      otherAccountAutoScaling: { arn: autoScalingServiceLinkedRoleArn(OTHER_ACCOUNT), identityPolicies: [] },
      otherServiceLinkedRole: { arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot`, identityPolicies: [] },
    };
    const requests: [string, Record<string, string>][] = [...CRYPTO.map((a) => [a, {}] as [string, Record<string, string>]), ['kms:CreateGrant', GRANT_FOR_AWS]];
    for (const [who, p] of Object.entries(others)) {
      for (const [action, context] of requests) {
        const ask = (resourcePolicy: any) => decide({
          principal: p.arn,
          action,
          resource: d.world.arnOf(d.primary),
          resourceAccount: ACCOUNT,
          identityPolicies: p.identityPolicies,
          resourcePolicy,
          context: { 'aws:PrincipalArn': p.arn, 'aws:PrincipalAccount': p.arn.split(':')[4], ...context },
        });
        expect(`${who} ${action}: ${await ask(policy)}`).toBe(`${who} ${action}: ${await ask(control)}`);
      }
    }
    const role = autoScalingServiceLinkedRoleArn(ACCOUNT);
    expect(await decide({
      principal: role,
      action: 'kms:CreateGrant',
      resource: d.world.arnOf(d.primary),
      resourceAccount: ACCOUNT,
      identityPolicies: [],
      resourcePolicy: policy,
      context: { 'aws:PrincipalArn': role, 'kms:GrantIsForAWSResource': 'false' },
    })).toBe('ImplicitlyDenied');
  });

  if (mode !== AccountRootAccess.FULL_DELEGATION) {
    test('control: without the deployer statements the same deployment is denied', async () => {
      const denied = await deniedCalls(d.world, d.calls, { keyPolicy: (_key, policy) => withoutStatements(policy, /^Deployer/) });
      expect(denied.length).toBeGreaterThan(0);
      // the services that create with the key are what breaks first
      expect(denied.join('\n')).toMatch(/dynamodb CreateGrant/);
      expect(denied.join('\n')).toMatch(/lambda Encrypt/);
      if (mode === AccountRootAccess.NONE || managers) {
        expect(denied.join('\n')).toMatch(/lockout safety check/);
      }
    });
  }

  if (mode === AccountRootAccess.ADMINISTRATION && !managers) {
    test.each(SEPARATED_DUTIES_MATRIX.map((r) => [r.name, r] as const))('separation of duties still holds: %s', async (_n, row) => {
      const principals = matrixPrincipals(d.world, d.roles);
      expect(await satisfies(keyUnderTest(d.world, d.primary, principals), row)).toBe(true);
    });
  }
});
