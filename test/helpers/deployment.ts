/**
 * Deployment simulation: every KMS call that CloudFormation's KMS handlers and the AWS services make
 * when the stacks of a World are created, updated and deleted, evaluated against the synthesized key
 * policies with the IAM simulator.
 *
 * This file is the oracle: what AWS calls, written from the public CloudFormation resource providers
 * for KMS (aws-cloudformation/aws-cloudformation-resource-providers-kms: handlers and the schemas'
 * `handlers` permissions) and each service's KMS page; never from the library's own code.
 *
 * Usage:
 *   const world = new World(...stacks);
 *   const calls = deploymentCalls(world);                 // deployer = each stack's CDK execution role
 *   expect(await deniedCalls(world, calls)).toEqual([]);  // everything deploys
 */
import { decide, World, WorldResource } from './world';

/** The identity policy of the CDK bootstrap's CloudFormation execution role: AdministratorAccess. */
export const ADMINISTRATOR_ACCESS = {
  name: 'AdministratorAccess',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

/** The CloudFormation execution role that the default synthesizer's bootstrap creates. */
export function cdkExecutionRoleArn(account: string, region: string, qualifier = 'hnb659fds'): string {
  return `arn:aws:iam::${account}:role/cdk-${qualifier}-cfn-exec-role-${account}-${region}`;
}

export type Phase = 'create' | 'update' | 'delete';

/** One KMS request made while a stack is deployed. */
export interface DeploymentCall {
  readonly phase: Phase;
  /** The principal ARN (the deployer) or the service principal that makes the request. */
  readonly caller: string;
  /** The caller's identity policies (none for service principals). */
  readonly identityPolicies: { name: string; policy: any }[];
  readonly action: string;
  /** World id (`<stack>/<logical id>`) of the key the request is on. */
  readonly key: string;
  readonly context: Record<string, string>;
  /** Who asks and why, for failure messages. */
  readonly why: string;
}

/** Where a stack is deployed, to tell who deploys it. */
export interface StackEnvironment {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
}

export interface DeploymentOptions {
  /**
   * The principal that deploys a stack (its CloudFormation execution role).
   * @default - the CDK bootstrap's execution role of the stack's account and region
   */
  readonly deployerOf?: (env: StackEnvironment) => string;
  /**
   * Identity policies of the deployers.
   * @default [ADMINISTRATOR_ACCESS]
   */
  readonly deployerPolicies?: { name: string; policy: any }[];
  /**
   * Global condition keys of the deployer's requests beyond those every request carries (for example
   * `aws:PrincipalOrgID` when a perimeter holds use to an organization).
   * @default {}
   */
  readonly deployerContext?: Record<string, string>;
}

/** A service that calls KMS as the principal that creates a resource, and what it calls. */
interface CreatorService {
  /** The service's endpoint prefix, as in `kms:ViaService <prefix>.<region>.amazonaws.com`. */
  readonly prefix: string;
  readonly calls: (resource: ResourceFacts) => { action: string; context?: Record<string, string> }[];
}

interface ResourceFacts {
  readonly arn: string;
}

const GRANT = { 'kms:GrantIsForAWSResource': 'true' };

/** The calls of each service at create time, as its KMS page documents them. */
const SERVICES: Record<string, CreatorService> = {
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
  dynamodb: { prefix: 'dynamodb', calls: () => [{ action: 'kms:DescribeKey' }, { action: 'kms:CreateGrant', context: GRANT }] },
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
  rds: { prefix: 'rds', calls: () => [{ action: 'kms:DescribeKey' }, { action: 'kms:CreateGrant', context: GRANT }] },
  // https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
  ec2: {
    prefix: 'ec2',
    calls: () => [
      { action: 'kms:DescribeKey' },
      { action: 'kms:CreateGrant', context: GRANT },
      { action: 'kms:GenerateDataKeyWithoutPlaintext', context: { 'kms:EncryptionContext:aws:ebs:id': 'vol-0123456789abcdef0' } },
      { action: 'kms:Decrypt', context: { 'kms:EncryptionContext:aws:ebs:id': 'vol-0123456789abcdef0' } },
    ],
  },
  // https://docs.aws.amazon.com/efs/latest/ug/EFSKMS.html
  elasticfilesystem: { prefix: 'elasticfilesystem', calls: () => [{ action: 'kms:DescribeKey' }, { action: 'kms:CreateGrant', context: GRANT }] },
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
  secretsmanager: {
    prefix: 'secretsmanager',
    calls: ({ arn }) => {
      const validation = { 'kms:EncryptionContext:SecretARN': arn, 'kms:EncryptionContext:SecretVersionId': 'RequestToValidateKeyAccess' };
      return [
        { action: 'kms:GenerateDataKey', context: validation },
        { action: 'kms:Decrypt', context: validation },
        { action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContext:SecretARN': arn, 'kms:EncryptionContext:SecretVersionId': 'f1e2d3c4-0000-4000-8000-000000000001' } },
      ];
    },
  },
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
  lambda: { prefix: 'lambda', calls: () => [{ action: 'kms:CreateGrant', context: GRANT }, { action: 'kms:Encrypt' }] },
  // https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
  kinesis: {
    prefix: 'kinesis',
    calls: ({ arn }) => [{ action: 'kms:DescribeKey' }, { action: 'kms:GenerateDataKey', context: { 'kms:EncryptionContext:aws:kinesis:arn': arn } }],
  },
  // https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html
  backup: {
    prefix: 'backup',
    calls: () => [{ action: 'kms:DescribeKey' }, { action: 'kms:CreateGrant', context: GRANT }, { action: 'kms:GenerateDataKey' }, { action: 'kms:Decrypt' }],
  },
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
  ecr: { prefix: 'ecr', calls: () => [{ action: 'kms:DescribeKey' }, { action: 'kms:CreateGrant', context: GRANT }] },
  // https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html: EKS's grant request does not
  // carry kms:GrantIsForAWSResource.
  eks: { prefix: 'eks', calls: () => [{ action: 'kms:DescribeKey' }, { action: 'kms:CreateGrant' }] },
  // https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html
  es: { prefix: 'es', calls: () => [{ action: 'kms:DescribeKey' }, { action: 'kms:CreateGrant', context: GRANT }] },
};

/** Which service creates with a key, per resource type and the property that names the key. */
const USES: { type: string; path: RegExp; service: string }[] = [
  { type: 'AWS::DynamoDB::Table', path: /^SSESpecification\.KMSMasterKeyId$/, service: 'dynamodb' },
  { type: 'AWS::DynamoDB::GlobalTable', path: /SSESpecification\.KMSMasterKeyId$/, service: 'dynamodb' },
  { type: 'AWS::RDS::DBInstance', path: /^MasterUserSecret\./, service: 'secretsmanager' },
  { type: 'AWS::RDS::DBCluster', path: /^MasterUserSecret\./, service: 'secretsmanager' },
  { type: 'AWS::RDS::DBInstance', path: /KmsKeyId$|KMSKeyId$/, service: 'rds' },
  { type: 'AWS::RDS::DBCluster', path: /KmsKeyId$|KMSKeyId$/, service: 'rds' },
  { type: 'AWS::EC2::Volume', path: /^KmsKeyId$/, service: 'ec2' },
  { type: 'AWS::EC2::Instance', path: /^BlockDeviceMappings\.\d+\.Ebs\.KmsKeyId$/, service: 'ec2' },
  { type: 'AWS::EC2::LaunchTemplate', path: /BlockDeviceMappings\.\d+\.Ebs\.KmsKeyId$/, service: 'ec2' },
  { type: 'AWS::EFS::FileSystem', path: /^KmsKeyId$/, service: 'elasticfilesystem' },
  { type: 'AWS::SecretsManager::Secret', path: /^KmsKeyId$/, service: 'secretsmanager' },
  { type: 'AWS::Lambda::Function', path: /^KmsKeyArn$/, service: 'lambda' },
  { type: 'AWS::Kinesis::Stream', path: /^StreamEncryption\.KeyId$/, service: 'kinesis' },
  { type: 'AWS::Backup::BackupVault', path: /^EncryptionKeyArn$/, service: 'backup' },
  { type: 'AWS::ECR::Repository', path: /^EncryptionConfiguration\.KmsKey$/, service: 'ecr' },
  { type: 'AWS::EKS::Cluster', path: /^EncryptionConfig\.\d+\.Provider\.KeyArn$/, service: 'eks' },
  { type: 'AWS::OpenSearchService::Domain', path: /^EncryptionAtRestOptions\.KmsKeyId$/, service: 'es' },
  { type: 'AWS::Elasticsearch::Domain', path: /^EncryptionAtRestOptions\.KmsKeyId$/, service: 'es' },
];

const KEY_TYPES = ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'];

/**
 * Every KMS call of deploying the world's stacks: CloudFormation's handlers for AWS::KMS::Key,
 * AWS::KMS::ReplicaKey and AWS::KMS::Alias as the deployer, the services that create resources with a
 * key as the deployer (through the service), and CloudWatch Logs and CloudTrail as service principals.
 */
export function deploymentCalls(world: World, options: DeploymentOptions = {}): DeploymentCall[] {
  const deployerOf = options.deployerOf ?? ((env: StackEnvironment) => cdkExecutionRoleArn(env.account, env.region));
  const policies = options.deployerPolicies ?? [ADMINISTRATOR_ACCESS];
  const resources = world.resources();
  const keys = resources.filter((r) => KEY_TYPES.includes(r.type));
  const keyByArnOrId = new Map<string, WorldResource>();
  for (const k of keys) {
    keyByArnOrId.set(world.arnOf(k.id), k);
  }
  const calls: DeploymentCall[] = [];
  const asDeployer = (r: WorldResource, phase: Phase, key: string, action: string, why: string, context: Record<string, string> = {}) => {
    calls.push({
      phase,
      caller: deployerOf(r),
      identityPolicies: policies,
      action,
      key,
      context: { 'aws:PrincipalIsAWSService': 'false', 'aws:PrincipalAccount': r.account, ...options.deployerContext, ...context },
      why: `${why} (deployer of ${r.stack})`,
    });
  };

  for (const r of resources) {
    const props = r.resource.Properties ?? {};
    const retained = r.resource.DeletionPolicy === 'Retain' || r.resource.DeletionPolicy === 'RetainExceptOnCreate';
    if (r.type === 'AWS::KMS::Key') {
      const why = (a: string) => `AWS::KMS::Key ${r.id}: ${a}`;
      // Create: CreateKey is checked against the new policy (lockout safety check: the caller must be able
      // to PutKeyPolicy), then rotation, then DisableKey when the key is to be disabled.
      asDeployer(r, 'create', r.id, 'kms:PutKeyPolicy', why('lockout safety check of CreateKey'));
      asDeployer(r, 'create', r.id, 'kms:DescribeKey', why('stabilization'));
      if (props.EnableKeyRotation === true) {
        asDeployer(r, 'create', r.id, 'kms:EnableKeyRotation', why('EnableKeyRotation with RotationPeriodInDays'));
      }
      if (props.Enabled === false) {
        asDeployer(r, 'create', r.id, 'kms:DisableKey', why('DisableKey'));
      }
      for (const a of ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags', 'kms:PutKeyPolicy',
        'kms:UpdateKeyDescription', 'kms:EnableKeyRotation', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:DisableKey',
        'kms:TagResource', 'kms:UntagResource']) {
        asDeployer(r, 'update', r.id, a, why(a.slice(4)));
      }
      if (!retained) {
        asDeployer(r, 'delete', r.id, 'kms:DescribeKey', why('DescribeKey'));
        asDeployer(r, 'delete', r.id, 'kms:ScheduleKeyDeletion', why('ScheduleKeyDeletion'));
      }
    } else if (r.type === 'AWS::KMS::ReplicaKey') {
      const why = (a: string) => `AWS::KMS::ReplicaKey ${r.id}: ${a}`;
      const primaryArn = world.resolveIn(r.id, props.PrimaryKeyArn);
      const primary = keyByArnOrId.get(primaryArn);
      if (primary === undefined) {
        throw new Error(`${r.id}: its primary ${primaryArn} is not a key of the world`);
      }
      // ReplicateKey is called in the primary's region, on the primary, by the replica stack's deployer;
      // KMS checks the replica's own policy (the Policy parameter) with the lockout safety check.
      asDeployer(r, 'create', primary.id, 'kms:ReplicateKey', why(`ReplicateKey on the primary ${primary.id}`), { 'kms:ReplicaRegion': r.region });
      asDeployer(r, 'create', r.id, 'kms:PutKeyPolicy', why('lockout safety check of ReplicateKey\'s Policy'));
      asDeployer(r, 'create', r.id, 'kms:DescribeKey', why('stabilization'));
      if (props.Enabled === false) {
        asDeployer(r, 'create', r.id, 'kms:DisableKey', why('DisableKey'));
      }
      for (const a of ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:UpdateKeyDescription',
        'kms:EnableKey', 'kms:DisableKey', 'kms:TagResource', 'kms:UntagResource']) {
        asDeployer(r, 'update', r.id, a, why(a.slice(4)));
      }
      if (!retained) {
        asDeployer(r, 'delete', r.id, 'kms:DescribeKey', why('DescribeKey'));
        asDeployer(r, 'delete', r.id, 'kms:ScheduleKeyDeletion', why('ScheduleKeyDeletion'));
      }
    } else if (r.type === 'AWS::KMS::Alias') {
      const target = keyOf(world, r, props.TargetKeyId, keys);
      if (target !== undefined) {
        const why = (a: string) => `AWS::KMS::Alias ${r.id} (${props.AliasName}): ${a}`;
        asDeployer(r, 'create', target.id, 'kms:CreateAlias', why('CreateAlias'));
        asDeployer(r, 'update', target.id, 'kms:UpdateAlias', why('UpdateAlias'));
        asDeployer(r, 'delete', target.id, 'kms:DeleteAlias', why('DeleteAlias'));
      }
    } else if (r.type === 'AWS::Logs::LogGroup' && props.KmsKeyId !== undefined) {
      const key = keyOf(world, r, props.KmsKeyId, keys);
      if (key !== undefined) {
        const logGroupArn = world.arnOf(r.id).replace(/:\*$/, '');
        for (const action of ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt']) {
          calls.push({
            phase: 'create',
            caller: `logs.${r.region}.amazonaws.com`,
            identityPolicies: [],
            action,
            key: key.id,
            context: { 'aws:PrincipalIsAWSService': 'true', 'kms:EncryptionContext:aws:logs:arn': logGroupArn },
            why: `AWS::Logs::LogGroup ${r.id}: CloudWatch Logs ${action.slice(4)} for ${logGroupArn}`,
          });
        }
      }
    } else if (r.type === 'AWS::CloudTrail::Trail' && props.KMSKeyId !== undefined) {
      const key = keyOf(world, r, props.KMSKeyId, keys);
      if (key !== undefined) {
        const trailArn = world.arnOf(r.id);
        const service = (action: string, context: Record<string, string>) => calls.push({
          phase: 'create',
          caller: 'cloudtrail.amazonaws.com',
          identityPolicies: [],
          action,
          key: key.id,
          context,
          why: `AWS::CloudTrail::Trail ${r.id}: CloudTrail ${action.slice(4)}`,
        });
        service('kms:DescribeKey', { 'aws:PrincipalIsAWSService': 'true', 'aws:SourceArn': trailArn, 'aws:SourceAccount': r.account });
        service('kms:GenerateDataKey', {
          'aws:PrincipalIsAWSService': 'true',
          'aws:SourceArn': trailArn,
          'aws:SourceAccount': r.account,
          'kms:EncryptionContext:aws:cloudtrail:arn': trailArn,
        });
      }
    } else if (r.type === 'AWS::AutoScaling::AutoScalingGroup') {
      calls.push(...autoScalingLaunchCalls(world, r, keys));
    } else {
      for (const use of USES.filter((u) => u.type === r.type)) {
        for (const [path, value] of leaves(props)) {
          if (!use.path.test(path) || (use.service === 'rds' && /^MasterUserSecret\./.test(path))) continue;
          const key = keyOf(world, r, value, keys);
          if (key === undefined) continue;
          const keyRegion = world.arnOf(key.id).split(':')[3];
          const service = SERVICES[use.service];
          for (const call of service.calls({ arn: world.arnOf(r.id) })) {
            asDeployer(r, 'create', key.id, call.action, `${r.type} ${r.id} (${path}): ${service.prefix} ${call.action.slice(4)}`, {
              'kms:ViaService': `${service.prefix}.${keyRegion}.amazonaws.com`,
              'aws:ViaAWSService': 'true',
              'kms:CallerAccount': r.account,
              ...call.context,
            });
          }
        }
      }
    }
  }
  return calls;
}

/** The service-linked role that EC2 Auto Scaling launches with, unless a group names another. */
export function autoScalingServiceLinkedRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}

/**
 * What an Auto Scaling group's launches call on the keys of its launch template's EBS volumes, as its
 * service-linked role (at create, when the group launches its desired capacity, and at every scale-out).
 * Auto Scaling runs the instances as the role, and EBS calls KMS for the role through EC2: the grant for the
 * volume, its data key and, from an AMI's snapshot under another key, the re-encryption. The role's own
 * (AWS managed) policy reaches no customer managed key: only the key policy can allow.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html,
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
function autoScalingLaunchCalls(world: World, group: WorldResource, keys: WorldResource[]): DeploymentCall[] {
  const props = group.resource.Properties ?? {};
  const role = typeof props.ServiceLinkedRoleARN === 'string' ? props.ServiceLinkedRoleARN : autoScalingServiceLinkedRoleArn(group.account);
  const specs = [props.LaunchTemplate, props.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification].filter((x) => x !== undefined);
  const calls: DeploymentCall[] = [];
  for (const spec of specs) {
    const ref = spec.LaunchTemplateId ?? spec.LaunchTemplateName;
    const logicalId = ref?.Ref ?? ref?.['Fn::GetAtt']?.[0];
    const template = world.resources().find((t) => t.stack === group.stack && t.logicalId === logicalId && t.type === 'AWS::EC2::LaunchTemplate');
    for (const mapping of template?.resource.Properties?.LaunchTemplateData?.BlockDeviceMappings ?? []) {
      const key = mapping.Ebs?.KmsKeyId === undefined ? undefined : keyOf(world, template!, mapping.Ebs.KmsKeyId, keys);
      if (key === undefined) continue;
      const keyRegion = world.arnOf(key.id).split(':')[3];
      const volume = { 'kms:EncryptionContext:aws:ebs:id': 'vol-0123456789abcdef0' };
      for (const [action, context] of [
        ['kms:DescribeKey', {}],
        ['kms:CreateGrant', GRANT],
        ['kms:GenerateDataKeyWithoutPlaintext', volume],
        ['kms:Decrypt', volume],
        ['kms:ReEncryptFrom', volume],
        ['kms:ReEncryptTo', volume],
      ] as [string, Record<string, string>][]) {
        calls.push({
          phase: 'create',
          caller: role,
          identityPolicies: [],
          action,
          key: key.id,
          context: {
            'aws:PrincipalIsAWSService': 'false',
            'aws:PrincipalAccount': group.account,
            'kms:CallerAccount': group.account,
            'kms:ViaService': `ec2.${keyRegion}.amazonaws.com`,
            'aws:ViaAWSService': 'true',
            ...context,
          },
          why: `AWS::AutoScaling::AutoScalingGroup ${group.id} (launch template ${template!.id}): Auto Scaling's service-linked role ${action.slice(4)} through EC2`,
        });
      }
    }
  }
  return calls;
}

/** Options of {@link deniedCalls}. */
export interface DenialOptions {
  /** Changes a key policy before it is evaluated (control cases: remove a statement). */
  readonly keyPolicy?: (key: string, policy: any) => any;
}

/** The calls that the key policies (with the callers' identity policies) do not allow, as readable lines. */
export async function deniedCalls(world: World, calls: DeploymentCall[], options: DenialOptions = {}): Promise<string[]> {
  const denied: string[] = [];
  const policies = new Map<string, any>();
  for (const call of calls) {
    if (!policies.has(call.key)) {
      const policy = world.keyPolicy(call.key);
      policies.set(call.key, options.keyPolicy ? options.keyPolicy(call.key, policy) : policy);
    }
    const decision = await decide({
      principal: call.caller,
      action: call.action,
      resource: world.arnOf(call.key),
      resourceAccount: world.account(call.key),
      identityPolicies: call.identityPolicies,
      resourcePolicy: policies.get(call.key),
      context: call.context,
    });
    if (decision !== 'Allowed') {
      denied.push(`${call.phase}: ${call.caller} ${call.action} on ${call.key} ${JSON.stringify(call.context)}: ${decision} [${call.why}]`);
    }
  }
  return denied;
}

/** A key policy without the statements whose Sid matches (control cases). */
export function withoutStatements(policy: any, sid: RegExp): any {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return { ...policy, Statement: statements.filter((st: any) => !sid.test(st.Sid ?? '')) };
}

/** A key policy without the statements that name the principal (control cases). */
export function withoutPrincipal(policy: any, principalArn: string): any {
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return { ...policy, Statement: statements.filter((st: any) => !JSON.stringify(st.Principal ?? '').includes(principalArn)) };
}

/**
 * Requests of a deployer that no deployer statement may allow: use outside any service, grants that are
 * not for AWS resources, and use through a service that does not create with the key.
 */
export function deployerMisuse(keyRegion: string, account: string): { action: string; context: Record<string, string>; why: string }[] {
  const direct = { 'kms:CallerAccount': account };
  const grantNotForAws = { ...direct, 'kms:GrantIsForAWSResource': 'false' };
  const viaSqs = { ...direct, 'kms:ViaService': `sqs.${keyRegion}.amazonaws.com` };
  return [
    ...['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
      'kms:GenerateDataKeyPair'].map((action) => ({ action, context: direct, why: 'direct use' })),
    { action: 'kms:CreateGrant', context: direct, why: 'a grant outside any service' },
    { action: 'kms:CreateGrant', context: grantNotForAws, why: 'a grant not for an AWS resource' },
    ...['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'].map((action) => ({ action, context: viaSqs, why: 'use through a service that does not create with the key' })),
  ];
}

/** The key that a resolved property value names (its ARN or its id), if it is one of the world's keys. */
function keyOf(world: World, r: WorldResource, value: unknown, keys: WorldResource[]): WorldResource | undefined {
  let resolved: unknown;
  try {
    resolved = world.resolveIn(r.id, value);
  } catch {
    return undefined;
  }
  if (typeof resolved !== 'string') return undefined;
  return keys.find((k) => world.arnOf(k.id) === resolved)
    ?? keys.find((k) => k.account === r.account && k.region === r.region && world.arnOf(k.id).endsWith(`:key/${resolved}`));
}

/** Every leaf of an object with its dotted path; intrinsic functions count as leaves. */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object') {
    return [[path, value]];
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!Array.isArray(value) && entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    return [[path, value]];
  }
  return entries.flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}
