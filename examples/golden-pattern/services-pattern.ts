import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CustomerManagedKey } from '../../src';

/** Names the key policy can name (the templates carry them). */
const TRAIL_NAME = 'golden-pattern-trail';
const FUNCTION_LOG_GROUP = '/golden-pattern/function';

/**
 * The application key used by the services that call KMS when they create a resource: a DynamoDB table,
 * a secret, a Lambda function's environment, a log group and a trail. Nothing here writes to the key
 * policy: the key finds these resources in the templates and gives the deployer (and CloudWatch Logs and
 * CloudTrail) exactly what creating them needs.
 */
export class ServiceUses extends Construct {
  constructor(scope: Construct, id: string, key: CustomerManagedKey) {
    super(scope, id);

    const orders = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    new secretsmanager.Secret(this, 'DatabaseCredentials', {
      secretName: 'golden-pattern/database',
      encryptionKey: key,
      generateSecretString: { secretStringTemplate: '{"username":"app"}', generateStringKey: 'password' },
    });
    // aws-cdk-lib's Secret asks for the whole account's use through Secrets Manager; the library adds
    // what creating the secret needs for the deployer instead, and readers are named (secret.grantRead).
    Annotations.of(key).acknowledgeWarning('cdk-kms-patterns:accountUseThroughService',
      'The secret is created by the deployer; its readers are granted by name with secret.grantRead');

    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', {
      logGroupName: FUNCTION_LOG_GROUP,
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const functionRole = new iam.Role(this, 'FunctionRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // A managed policy (the packs refuse inline ones) for the function's own log group.
    new iam.ManagedPolicy(this, 'FunctionLogging', {
      roles: [functionRole],
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [functionLogs.logGroupArn] })],
    });
    new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
      role: functionRole,
      logGroup: functionLogs,
      environment: { TABLE_NAME: orders.tableName },
      environmentEncryption: key,
      reservedConcurrentExecutions: 1,
      timeout: Duration.seconds(10),
    });

    const trailBucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new cloudtrail.Trail(this, 'Trail', {
      trailName: TRAIL_NAME,
      bucket: trailBucket,
      encryptionKey: key,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
    });
  }
}

/** Acknowledges, with reasons, the findings on parts of the example that are not about KMS. */
export function acknowledgeServiceFindings(scope: Construct): void {
  const outOfScope = 'The example shows keys used by services at create time; this service setting is not about KMS';
  for (const id of [
    'AwsSolutions::AwsSolutions-SMG4',
    'AwsSolutions::AwsSolutions-S1',
    'AwsSolutions::AwsSolutions-L1',
    'NIST.800.53.R5::NIST.800.53.R5-SecretsManagerRotationEnabled',
    'NIST.800.53.R5::NIST.800.53.R5-DynamoDBInBackupPlan',
    'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ',
    'NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC',
    'NIST.800.53.R5::NIST.800.53.R5-S3BucketLoggingEnabled',
    'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled',
    'NIST.800.53.R5::NIST.800.53.R5-CloudTrailCloudWatchLogsEnabled',
    'HIPAA.Security::HIPAA.Security-SecretsManagerRotationEnabled',
    'HIPAA.Security::HIPAA.Security-DynamoDBInBackupPlan',
    'HIPAA.Security::HIPAA.Security-LambdaDLQ',
    'HIPAA.Security::HIPAA.Security-LambdaInsideVPC',
    'HIPAA.Security::HIPAA.Security-S3BucketLoggingEnabled',
    'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled',
    'HIPAA.Security::HIPAA.Security-CloudTrailCloudWatchLogsEnabled',
    'PCI.DSS.321::PCI.DSS.321-SecretsManagerRotationEnabled',
    'PCI.DSS.321::PCI.DSS.321-LambdaInsideVPC',
    'PCI.DSS.321::PCI.DSS.321-S3BucketLoggingEnabled',
    'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled',
    'PCI.DSS.321::PCI.DSS.321-CloudTrailCloudWatchLogsEnabled',
  ]) {
    Validations.of(scope).acknowledge({ id, reason: outOfScope });
  }
}
