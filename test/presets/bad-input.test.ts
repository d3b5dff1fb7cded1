import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, ServicePreset, ServiceVia } from '../../src';

function newKey(props: { keySpec?: kms.KeySpec; keyUsage?: kms.KeyUsage } = {}): CustomerManagedKey {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
  return new CustomerManagedKey(stack, 'Key', props);
}

const role = (key: CustomerManagedKey) => iam.Role.fromRoleArn(key.stack, 'Role', 'arn:aws:iam::111111111111:role/app');

describe('a preset for a service that cannot use the key\'s spec fails with the path, the spec and what is allowed', () => {
  test.each<[string, kms.KeySpec, kms.KeyUsage | undefined, (key: CustomerManagedKey) => ServicePreset, RegExp]>([
    ['CloudWatch Logs on RSA', kms.KeySpec.RSA_2048, kms.KeyUsage.ENCRYPT_DECRYPT, () => ServicePreset.cloudWatchLogs({ logGroupNames: ['/app'] }),
      /^Stack\/Key: CloudWatch Logs can use only SYMMETRIC_DEFAULT keys, got a RSA_2048 key$/],
    ['CloudWatch Logs on HMAC', kms.KeySpec.HMAC_256, undefined, () => ServicePreset.cloudWatchLogs({ logGroupNames: ['/app'] }),
      /CloudWatch Logs can use only SYMMETRIC_DEFAULT keys, got a HMAC_256 key/],
    ['CloudTrail on ECC', kms.KeySpec.ECC_NIST_P256, undefined, () => ServicePreset.cloudTrail({ trailNames: ['trail'] }),
      /^Stack\/Key: CloudTrail can use only SYMMETRIC_DEFAULT keys, got a ECC_NIST_P256 key$/],
    ['EventBridge to SNS on RSA', kms.KeySpec.RSA_4096, kms.KeyUsage.ENCRYPT_DECRYPT, () => ServicePreset.eventBridgeToSns({ ruleNames: ['r'], topicNames: ['t'] }),
      /EventBridge to SNS can use only SYMMETRIC_DEFAULT keys, got a RSA_4096 key/],
    ['EventBridge to SQS on HMAC', kms.KeySpec.HMAC_512, undefined, () => ServicePreset.eventBridgeToSqs({ ruleNames: ['r'], queueNames: ['q'] }),
      /EventBridge to SQS can use only SYMMETRIC_DEFAULT keys, got a HMAC_512 key/],
    ['SNS to SQS on RSA', kms.KeySpec.RSA_3072, kms.KeyUsage.ENCRYPT_DECRYPT, () => ServicePreset.snsToSqs({ topicNames: ['t'], queueNames: ['q'] }),
      /SNS to SQS can use only SYMMETRIC_DEFAULT keys, got a RSA_3072 key/],
    ['EBS on RSA', kms.KeySpec.RSA_2048, kms.KeyUsage.ENCRYPT_DECRYPT, (key) => ServicePreset.useVia(ServiceVia.ec2(), [role(key)]),
      /^Stack\/Key: Amazon EC2 \(EBS\) can use only SYMMETRIC_DEFAULT keys, got a RSA_2048 key$/],
    ['S3 on HMAC', kms.KeySpec.HMAC_256, undefined, (key) => ServicePreset.useVia(ServiceVia.s3(), [role(key)]),
      /Amazon S3 can use only SYMMETRIC_DEFAULT keys, got a HMAC_256 key/],
    ['SQS on ECC', kms.KeySpec.ECC_NIST_P384, undefined, (key) => ServicePreset.useVia(ServiceVia.sqs(), [role(key)]),
      /Amazon SQS can use only SYMMETRIC_DEFAULT keys, got a ECC_NIST_P384 key/],
    ['SNS on RSA', kms.KeySpec.RSA_2048, kms.KeyUsage.SIGN_VERIFY, (key) => ServicePreset.useVia(ServiceVia.sns(), [role(key)]),
      /Amazon SNS can use only SYMMETRIC_DEFAULT keys, got a RSA_2048 key/],
  ])('%s', (_, keySpec, keyUsage, preset, message) => {
    const key = newKey({ keySpec, keyUsage });
    expect(() => key.addServicePreset(preset(key))).toThrow(message);
  });

  test('allowUseVia checks the spec the same way', () => {
    const key = newKey({ keySpec: kms.KeySpec.HMAC_256 });
    expect(() => key.allowUseVia(ServiceVia.rds(), { principals: [role(key)] })).toThrow(/^Stack\/Key: Amazon RDS can use only SYMMETRIC_DEFAULT keys, got a HMAC_256 key$/);
  });
});

describe('bad preset input fails with the path, what was received and what is allowed', () => {
  test.each<[string, ServicePreset, RegExp]>([
    ['no log group', ServicePreset.cloudWatchLogs({ logGroupNames: [] }),
      /^Stack\/Key: CloudWatch Logs: logGroupNames is empty; allowed: one or more log group names of 1 to 512 characters/],
    ['log group name with a space', ServicePreset.cloudWatchLogs({ logGroupNames: ['/app/my logs'] }),
      /CloudWatch Logs: logGroupNames has '\/app\/my logs'; allowed: log group names of 1 to 512 characters of a-z A-Z 0-9 \. - _ \/ #/],
    ['log group twice', ServicePreset.cloudWatchLogs({ logGroupNames: ['/app', '/app'] }), /logGroupNames has '\/app' twice/],
    ['trail name too short', ServicePreset.cloudTrail({ trailNames: ['ab'] }),
      /^Stack\/Key: CloudTrail: trailNames has 'ab'; allowed: trail names of 3 to 128 characters/],
    ['trail name with a slash', ServicePreset.cloudTrail({ trailNames: ['org/trail'] }), /trailNames has 'org\/trail'/],
    ['no trail', ServicePreset.cloudTrail({ trailNames: [] }), /CloudTrail: trailNames is empty/],
    ['rule name with a colon', ServicePreset.eventBridgeToSns({ ruleNames: ['a:b'], topicNames: ['t'] }),
      /EventBridge to SNS: ruleNames has 'a:b'; allowed: rule names of 1 to 64 characters/],
    ['bad event bus', ServicePreset.eventBridgeToSqs({ ruleNames: ['r'], eventBusName: 'bus name', queueNames: ['q'] }),
      /EventBridge to SQS: eventBusName must have 1 to 256 characters of a-z A-Z 0-9 \/ \. - _, got 'bus name'/],
    ['topic name with a dot', ServicePreset.eventBridgeToSns({ ruleNames: ['r'], topicNames: ['my.topic'] }),
      /topicNames has 'my\.topic'; allowed: topic names of 1 to 256 characters, \.fifo included, of a-z A-Z 0-9 _ - \(optionally ending in \.fifo/],
    ['queue name too long', ServicePreset.snsToSqs({ topicNames: ['t'], queueNames: ['q'.repeat(81)] }), /SNS to SQS: queueNames has 'q{81}'; allowed: queue names of 1 to 80/],
    ['no queue', ServicePreset.snsToSqs({ topicNames: ['t'], queueNames: [] }), /SNS to SQS: queueNames is empty/],
  ])('%s', (_, preset, message) => {
    expect(() => newKey().addServicePreset(preset)).toThrow(message);
  });

  test('every problem in one message', () => {
    expect(() => newKey({ keySpec: kms.KeySpec.HMAC_256 }).addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['a b', 'c d'] })))
      .toThrow(/^Stack\/Key: 3 problems:\n {2}- CloudWatch Logs can use only SYMMETRIC_DEFAULT keys, got a HMAC_256 key\n {2}- .*'a b'.*\n {2}- .*'c d'/);
  });

  test.each<[string, (stack: Stack) => iam.IPrincipal[], RegExp]>([
    ['no principal', () => [], /^Stack\/Key: Amazon S3: principals using the key through Amazon S3 is empty; name at least one IAM principal$/],
    ['anyone', () => [new iam.AnyPrincipal()], /principals using the key through Amazon S3 must be named IAM principals, got '\*' \(anyone\)/],
    ['a service', () => [new iam.ServicePrincipal('s3.amazonaws.com')], /must be IAM principals \(roles, users, accounts\), got \{"Service":\["s3\.amazonaws\.com"\]\}/],
    ['the own account root', () => [new iam.AccountRootPrincipal()], /must not be the key's own account root .*: that would let every IAM principal of the account use the key/],
  ])('allowUseVia with %s', (_, principals, message) => {
    const key = newKey();
    expect(() => key.allowUseVia(ServiceVia.s3(), { principals: principals(key.stack) })).toThrow(message);
  });

  test('CloudTrail log readers must be named IAM principals', () => {
    expect(() => newKey().addServicePreset(ServicePreset.cloudTrail({ trailNames: ['trail'], logReaders: [new iam.AnyPrincipal()] })))
      .toThrow(/^Stack\/Key: CloudTrail: logReaders must be named IAM principals, got '\*' \(anyone\)$/);
  });

  test('the same preset twice gets statements of its own', () => {
    const key = newKey();
    key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/a'] }));
    key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/b'] }));
    const policy = key.stack.resolve((key.node.defaultChild as kms.CfnKey).keyPolicy);
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual(expect.arrayContaining(['CloudWatchLogs', 'CloudWatchLogs2']));
  });
});
