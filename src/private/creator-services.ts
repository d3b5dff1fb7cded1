import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * AWS services that call KMS as the principal that creates a resource encrypted with a key (a "forward
 * access session": the deployer's own identity, with `kms:ViaService` set to the service). The deployer
 * gets these calls, through the service and the key's region, and nothing more.
 */
export interface CreatorService {
  /** The service, for messages (`DynamoDB`). */
  readonly name: string;
  /** Statement id part (`DynamoDb`). */
  readonly sid: string;
  /** Endpoint prefix of `kms:ViaService <prefix>.<region>.amazonaws.com`. */
  readonly prefix: string;
  /** Actions held to the service only. */
  readonly viaService: readonly string[];
  /**
   * How CreateGrant is held: `forAwsResource` (`kms:GrantIsForAWSResource`), `serviceOnly` (the service's
   * grant request does not carry that key), or no grant at all.
   */
  readonly grant?: 'forAwsResource' | 'serviceOnly';
  /** Actions held to the service and to the encryption context the service sets, per resource. */
  readonly withContext?: (stack: Stack, names: string[]) => ContextHeldActions[];
  /** The resources' ARN form, for messages. */
  readonly resourceKind?: string;
}

/** Actions that a condition on the encryption context holds. */
export interface ContextHeldActions {
  readonly actions: string[];
  readonly conditions: Record<string, Record<string, unknown>>;
}

const arnIn = (stack: Stack, service: string, resource: string) =>
  `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}`;

/** The services, by id. @see ../../README.md "What deploying needs" for the sources. */
export const CREATOR_SERVICES: Record<string, CreatorService> = {
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
  dynamodb: { name: 'DynamoDB', sid: 'DynamoDb', prefix: 'dynamodb', viaService: ['kms:DescribeKey'], grant: 'forAwsResource' },
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
  rds: { name: 'RDS', sid: 'Rds', prefix: 'rds', viaService: ['kms:DescribeKey'], grant: 'forAwsResource' },
  // https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html: the volume's data key
  // is generated and decrypted with the volume id as encryption context.
  ec2: {
    name: 'EC2 (EBS volumes)',
    sid: 'Ebs',
    prefix: 'ec2',
    viaService: ['kms:DescribeKey'],
    grant: 'forAwsResource',
    withContext: () => [{
      actions: ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'],
      conditions: { StringLike: { 'kms:EncryptionContext:aws:ebs:id': 'vol-*' } },
    }],
  },
  // https://docs.aws.amazon.com/efs/latest/ug/EFSKMS.html
  elasticfilesystem: { name: 'EFS', sid: 'Efs', prefix: 'elasticfilesystem', viaService: ['kms:DescribeKey'], grant: 'forAwsResource' },
  // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html: CreateSecret validates
  // the key (GenerateDataKey and Decrypt with SecretVersionId RequestToValidateKeyAccess) and encrypts the first
  // value (GenerateDataKey). Decrypt stays held to the validation request: the deployer never reads a value.
  secretsmanager: {
    name: 'Secrets Manager',
    sid: 'SecretsManager',
    prefix: 'secretsmanager',
    viaService: [],
    resourceKind: 'secret',
    withContext: (stack, names): ContextHeldActions[] => {
      const secrets = names.map((n) => arnIn(stack, 'secretsmanager', n === '*' ? 'secret:*' : `secret:${n}-??????`));
      return [
        { actions: ['kms:GenerateDataKey'], conditions: { StringLike: { 'kms:EncryptionContext:SecretARN': secrets } } },
        {
          actions: ['kms:Decrypt'],
          conditions: {
            StringLike: { 'kms:EncryptionContext:SecretARN': secrets },
            StringEquals: { 'kms:EncryptionContext:SecretVersionId': 'RequestToValidateKeyAccess' },
          },
        },
      ];
    },
  },
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
  lambda: { name: 'Lambda (environment variables)', sid: 'Lambda', prefix: 'lambda', viaService: ['kms:Encrypt'], grant: 'forAwsResource' },
  // https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html: the stream ARN is the
  // encryption context of every call.
  kinesis: {
    name: 'Kinesis Data Streams',
    sid: 'Kinesis',
    prefix: 'kinesis',
    viaService: ['kms:DescribeKey'],
    resourceKind: 'stream',
    withContext: (stack, names) => [{
      actions: ['kms:GenerateDataKey'],
      conditions: { StringLike: { 'kms:EncryptionContext:aws:kinesis:arn': names.map((n) => arnIn(stack, 'kinesis', `stream/${n}`)) } },
    }],
  },
  // https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html
  backup: {
    name: 'AWS Backup',
    sid: 'Backup',
    prefix: 'backup',
    viaService: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
    grant: 'forAwsResource',
  },
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
  ecr: { name: 'ECR', sid: 'Ecr', prefix: 'ecr', viaService: ['kms:DescribeKey'], grant: 'forAwsResource' },
  // https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html: EKS's grant request does not
  // carry kms:GrantIsForAWSResource, so its CreateGrant is held to EKS alone.
  eks: { name: 'EKS', sid: 'Eks', prefix: 'eks', viaService: ['kms:DescribeKey'], grant: 'serviceOnly' },
  // https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html
  es: { name: 'OpenSearch Service', sid: 'OpenSearch', prefix: 'es', viaService: ['kms:DescribeKey'], grant: 'forAwsResource' },
};

/** A resource type and the property (dotted path) through which it names a key, and the service that creates with it. */
export interface KeyUseRule {
  readonly type: string;
  readonly path: RegExp;
  readonly service: string;
  /** The property that holds the resource's literal name, for context conditions. */
  readonly nameProperty?: string;
}

/** Where the templates show that a service creates a resource with a key. */
export const KEY_USE_RULES: readonly KeyUseRule[] = [
  { type: 'AWS::DynamoDB::Table', path: /^SSESpecification\.KMSMasterKeyId$/, service: 'dynamodb' },
  { type: 'AWS::DynamoDB::GlobalTable', path: /SSESpecification\.KMSMasterKeyId$/, service: 'dynamodb' },
  { type: 'AWS::RDS::DBInstance', path: /^MasterUserSecret\.KmsKeyId$/, service: 'secretsmanager' },
  { type: 'AWS::RDS::DBCluster', path: /^MasterUserSecret\.KmsKeyId$/, service: 'secretsmanager' },
  { type: 'AWS::RDS::DBInstance', path: /^(KmsKeyId|PerformanceInsightsKMSKeyId)$/, service: 'rds' },
  { type: 'AWS::RDS::DBCluster', path: /^(KmsKeyId|PerformanceInsightsKmsKeyId)$/, service: 'rds' },
  { type: 'AWS::EC2::Volume', path: /^KmsKeyId$/, service: 'ec2' },
  { type: 'AWS::EC2::Instance', path: /^BlockDeviceMappings\.\d+\.Ebs\.KmsKeyId$/, service: 'ec2' },
  { type: 'AWS::EC2::LaunchTemplate', path: /^LaunchTemplateData\.BlockDeviceMappings\.\d+\.Ebs\.KmsKeyId$/, service: 'ec2' },
  { type: 'AWS::EFS::FileSystem', path: /^KmsKeyId$/, service: 'elasticfilesystem' },
  { type: 'AWS::SecretsManager::Secret', path: /^KmsKeyId$/, service: 'secretsmanager', nameProperty: 'Name' },
  { type: 'AWS::Lambda::Function', path: /^KmsKeyArn$/, service: 'lambda' },
  { type: 'AWS::Kinesis::Stream', path: /^StreamEncryption\.KeyId$/, service: 'kinesis', nameProperty: 'Name' },
  { type: 'AWS::Backup::BackupVault', path: /^EncryptionKeyArn$/, service: 'backup' },
  { type: 'AWS::ECR::Repository', path: /^EncryptionConfiguration\.KmsKey$/, service: 'ecr' },
  { type: 'AWS::EKS::Cluster', path: /^EncryptionConfig\.\d+\.Provider\.KeyArn$/, service: 'eks' },
  { type: 'AWS::OpenSearchService::Domain', path: /^EncryptionAtRestOptions\.KmsKeyId$/, service: 'es' },
  { type: 'AWS::Elasticsearch::Domain', path: /^EncryptionAtRestOptions\.KmsKeyId$/, service: 'es' },
];

/**
 * The deployer statements of one service on a key rendered in `stack` (the key's region): use through
 * the service only, grants for AWS resources only, the encryption context where the service sets one.
 * `rootHolds` are actions the account root already delegates to IAM: not repeated.
 */
export function creatorServiceStatements(
  service: CreatorService,
  stack: Stack,
  deployers: iam.IPrincipal[],
  names: string[],
  rootHolds: (action: string) => boolean,
): iam.PolicyStatement[] {
  const via = { 'kms:ViaService': `${service.prefix}.${stack.region}.${stack.urlSuffix}` };
  const sid = `Deployer${service.sid}`;
  const statements: iam.PolicyStatement[] = [];
  const plain = service.viaService.filter((a) => !rootHolds(a));
  if (plain.length > 0) {
    statements.push(new iam.PolicyStatement({ sid, principals: deployers, actions: plain, resources: ['*'], conditions: { StringEquals: via } }));
  }
  if (service.grant !== undefined && !rootHolds('kms:CreateGrant')) {
    statements.push(new iam.PolicyStatement({
      sid: `${sid}Grant`,
      principals: deployers,
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: service.grant === 'forAwsResource'
        ? { StringEquals: via, Bool: { 'kms:GrantIsForAWSResource': 'true' } }
        : { StringEquals: via },
    }));
  }
  (service.withContext?.(stack, names) ?? []).forEach((held, i) => {
    const actions = held.actions.filter((a) => !rootHolds(a));
    if (actions.length === 0) return;
    const { StringEquals, ...others } = held.conditions;
    statements.push(new iam.PolicyStatement({
      sid: `${sid}Context${i === 0 ? '' : i + 1}`,
      principals: deployers,
      actions,
      resources: ['*'],
      conditions: { ...others, StringEquals: { ...via, ...(StringEquals ?? {}) } },
    }));
  });
  return statements;
}
