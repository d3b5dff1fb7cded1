import { Token } from 'aws-cdk-lib';
import { CREATOR_SERVICES, CreatorService } from '../private/creator-services';

/**
 * A use of a key by an AWS service that calls KMS as the principal that creates a resource (the
 * deployer), declared when the synthesized templates cannot show it: a resource created outside this
 * app, by a custom resource, or naming the key by a value the library cannot trace.
 *
 * Uses that the templates show (a `dynamodb.Table`, an `rds.DatabaseCluster`, a `CfnVolume`, ... with
 * the key, in any stack of the app) are found without declaring them.
 */
export class DeploymentUse {
  /** DynamoDB tables and global tables: DescribeKey, and CreateGrant for AWS resources, through DynamoDB. */
  public static dynamoDb(): DeploymentUse {
    return new DeploymentUse('dynamodb');
  }

  /** RDS instances and clusters: DescribeKey, and CreateGrant for AWS resources, through RDS. */
  public static rds(): DeploymentUse {
    return new DeploymentUse('rds');
  }

  /**
   * EBS volumes (volumes, instances, launch templates): DescribeKey, CreateGrant for AWS resources, and
   * GenerateDataKeyWithoutPlaintext and Decrypt for volumes (encryption context `aws:ebs:id`), through EC2.
   */
  public static ebs(): DeploymentUse {
    return new DeploymentUse('ec2');
  }

  /** EFS file systems: DescribeKey, and CreateGrant for AWS resources, through EFS. */
  public static efs(): DeploymentUse {
    return new DeploymentUse('elasticfilesystem');
  }

  /**
   * Secrets Manager secrets: the key validation (GenerateDataKey and Decrypt with SecretVersionId
   * `RequestToValidateKeyAccess`) and the first value (GenerateDataKey), through Secrets Manager, for the
   * given secrets only. The deployer never decrypts a secret value.
   *
   * @param secretNames names of the secrets (`*` for any secret of the key's account and region)
   */
  public static secretsManager(secretNames: string[]): DeploymentUse {
    return new DeploymentUse('secretsmanager', secretNames);
  }

  /** Lambda functions' environment variables: Encrypt, and CreateGrant for AWS resources, through Lambda. */
  public static lambdaEnvironment(): DeploymentUse {
    return new DeploymentUse('lambda');
  }

  /**
   * Kinesis data streams: DescribeKey, and GenerateDataKey for the given streams (encryption context
   * `aws:kinesis:arn`), through Kinesis.
   *
   * @param streamNames names of the streams (`*` for any stream of the key's account and region)
   */
  public static kinesis(streamNames: string[]): DeploymentUse {
    return new DeploymentUse('kinesis', streamNames);
  }

  /** AWS Backup vaults: DescribeKey, GenerateDataKey, Decrypt, and CreateGrant for AWS resources, through AWS Backup. */
  public static backup(): DeploymentUse {
    return new DeploymentUse('backup');
  }

  /** ECR repositories: DescribeKey, and CreateGrant for AWS resources, through ECR. */
  public static ecr(): DeploymentUse {
    return new DeploymentUse('ecr');
  }

  /** EKS clusters' secrets encryption: DescribeKey and CreateGrant, through EKS (which does not send `kms:GrantIsForAWSResource`). */
  public static eks(): DeploymentUse {
    return new DeploymentUse('eks');
  }

  /** OpenSearch Service domains: DescribeKey, and CreateGrant for AWS resources, through OpenSearch Service. */
  public static openSearch(): DeploymentUse {
    return new DeploymentUse('es');
  }

  private constructor(private readonly serviceId: string, private readonly names: string[] = ['*']) {}

  /** The service, for messages. */
  public get serviceName(): string {
    return this._service.name;
  }

  /**
   * The problems of the given names (empty, malformed).
   * @internal
   */
  public _problems(): string[] {
    const kind = this._service.resourceKind;
    if (kind === undefined) {
      return [];
    }
    if (this.names.length === 0) {
      return [`${this.serviceName}: the ${kind} names are empty; allowed: one or more names, or '*'`];
    }
    return this.names
      .filter((n) => !Token.isUnresolved(n) && !/^[A-Za-z0-9/_+=.@*-]{1,512}$/.test(n))
      .map((n) => `${this.serviceName}: '${n}' is not a ${kind} name; allowed: 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ - (and * as wildcard)`);
  }

  /** @internal */
  public get _service(): CreatorService {
    return CREATOR_SERVICES[this.serviceId];
  }

  /** @internal */
  public get _serviceId(): string {
    return this.serviceId;
  }

  /** @internal */
  public get _names(): string[] {
    return [...this.names];
  }
}
