import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * An AWS service through which principals may use a key (`kms:ViaService`): the request must come from
 * that service, in the region of the key that answers it.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export class ServiceVia {
  /** Amazon EC2, which encrypts EBS volumes and snapshots (`ec2.<region>.amazonaws.com`). */
  public static ec2(): ServiceVia {
    return new ServiceVia('ec2', 'Amazon EC2 (EBS)');
  }

  /** Amazon S3 server-side encryption with KMS keys (`s3.<region>.amazonaws.com`). */
  public static s3(): ServiceVia {
    return new ServiceVia('s3', 'Amazon S3');
  }

  /** Amazon RDS and Aurora storage encryption (`rds.<region>.amazonaws.com`). */
  public static rds(): ServiceVia {
    return new ServiceVia('rds', 'Amazon RDS');
  }

  /** AWS Secrets Manager (`secretsmanager.<region>.amazonaws.com`). */
  public static secretsManager(): ServiceVia {
    return new ServiceVia('secretsmanager', 'AWS Secrets Manager');
  }

  /** Amazon DynamoDB encryption at rest (`dynamodb.<region>.amazonaws.com`). */
  public static dynamoDb(): ServiceVia {
    return new ServiceVia('dynamodb', 'Amazon DynamoDB');
  }

  /** Amazon SQS server-side encryption (`sqs.<region>.amazonaws.com`). */
  public static sqs(): ServiceVia {
    return new ServiceVia('sqs', 'Amazon SQS');
  }

  /** Amazon SNS server-side encryption (`sns.<region>.amazonaws.com`). */
  public static sns(): ServiceVia {
    return new ServiceVia('sns', 'Amazon SNS');
  }

  /** AWS Lambda environment variable encryption (`lambda.<region>.amazonaws.com`). */
  public static lambda(): ServiceVia {
    return new ServiceVia('lambda', 'AWS Lambda');
  }

  /** The key specs the service can use: each of these services takes symmetric encryption keys only. */
  public readonly supportedKeySpecs: kms.KeySpec[] = [kms.KeySpec.SYMMETRIC_DEFAULT];

  /**
   * @param serviceName the service's endpoint prefix, as in `<serviceName>.<region>.amazonaws.com`
   * @param displayName the service's name in messages
   */
  private constructor(
    /** The endpoint prefix of the service, as in `kms:ViaService <serviceName>.<region>.amazonaws.com`. */
    public readonly serviceName: string,
    /** The name of the service, for messages. */
    public readonly displayName: string,
  ) {}
}
