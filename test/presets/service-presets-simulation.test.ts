import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CustomerManagedKey, ServicePreset, ServiceVia } from '../../src';
import { decide, Decision, KMS_STAR_POLICY, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const REGION = 'eu-west-1';
const env = { account: ACCOUNT, region: REGION };

interface Setup {
  readonly world: World;
  readonly stack: Stack;
  readonly keyArn: string;
  readonly keyPolicy: any;
  /** ARN of a role of the key's account, not named in the key policy, whose own policy allows kms:*. */
  readonly outsider: string;
  readonly outsiderPolicies: { name: string; policy: any }[];
}

/** GIVEN a key (with an admin and a user) in a stack, and whatever the test adds to the stack. */
function setup(add: (stack: Stack, key: CustomerManagedKey) => void): Setup {
  const stack = new Stack(new App(), 'Keys', { env });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const outsider = new iam.Role(stack, 'Outsider', { assumedBy: new iam.AccountRootPrincipal() });
  outsider.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const key = new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user] });
  add(stack, key);
  const world = new World(stack);
  const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
  const outsiderId = stack.getLogicalId(outsider.node.defaultChild as iam.CfnRole);
  return {
    world,
    stack,
    keyArn: world.arnOf(keyId),
    keyPolicy: world.keyPolicy(keyId),
    outsider: world.arnOf(outsiderId),
    outsiderPolicies: world.identityPoliciesOf(outsiderId),
  };
}

type IdentityPolicies = { name: string; policy: any }[];

function ask(s: Setup, principal: string, action: string, context: Record<string, string> = {}, policies: IdentityPolicies = []): Promise<Decision> {
  return decide({
    principal,
    action,
    resource: s.keyArn,
    resourceAccount: ACCOUNT,
    resourcePolicy: s.keyPolicy,
    identityPolicies: policies,
    context,
  });
}

/** What a service principal's request carries. */
const fromService = (extra: Record<string, string>) => ({ 'aws:PrincipalIsAWSService': 'true', ...extra });

describe.each([
  ['ec2', ServiceVia.ec2()],
  ['s3', ServiceVia.s3()],
  ['rds', ServiceVia.rds()],
  ['secretsmanager', ServiceVia.secretsManager()],
  ['dynamodb', ServiceVia.dynamoDb()],
  ['sqs', ServiceVia.sqs()],
  ['sns', ServiceVia.sns()],
  ['lambda', ServiceVia.lambda()],
])('allowUseVia(%s)', (service, via) => {
  const s = setup((stack, key) => {
    const role = new iam.Role(stack, 'ViaRole', { assumedBy: new iam.AccountRootPrincipal() });
    key.allowUseVia(via, { principals: [role] });
  });
  const viaRole = s.world.arnOf(s.world.logicalId('AWS::IAM::Role', 'ViaRole'));
  const viaService = `${service}.${REGION}.amazonaws.com`;

  test.each(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:DescribeKey'])('%s through the service is allowed', async (action) => {
    expect(await ask(s, viaRole, action, { 'kms:ViaService': viaService, 'aws:ViaAWSService': 'true' })).toEqual('Allowed');
  });

  test('the same call without the service is denied', async () => {
    expect(await ask(s, viaRole, 'kms:Decrypt')).not.toEqual('Allowed');
  });

  test('the same call through another service or another region is denied', async () => {
    const other = service === 'lambda' ? 's3' : 'lambda';
    expect(await ask(s, viaRole, 'kms:Decrypt', { 'kms:ViaService': `${other}.${REGION}.amazonaws.com` })).not.toEqual('Allowed');
    expect(await ask(s, viaRole, 'kms:Decrypt', { 'kms:ViaService': `${service}.us-east-1.amazonaws.com` })).not.toEqual('Allowed');
  });

  test('a role of another account is denied, even through the service and with kms:* in its own policy', async () => {
    expect(await ask(s, `arn:aws:iam::${OTHER_ACCOUNT}:role/ViaRole`, 'kms:Decrypt', { 'kms:ViaService': viaService }, [KMS_STAR_POLICY])).not.toEqual('Allowed');
  });

  test('grants through the service are for AWS resources only', async () => {
    expect(await ask(s, viaRole, 'kms:CreateGrant', { 'kms:ViaService': viaService, 'kms:GrantIsForAWSResource': 'true' })).toEqual('Allowed');
    expect(await ask(s, viaRole, 'kms:CreateGrant', { 'kms:ViaService': viaService })).not.toEqual('Allowed');
    expect(await ask(s, viaRole, 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' })).not.toEqual('Allowed');
  });

  test('the principal never gets administration', async () => {
    expect(await ask(s, viaRole, 'kms:PutKeyPolicy', { 'kms:ViaService': viaService })).not.toEqual('Allowed');
  });
});

describe('ServicePreset.cloudWatchLogs', () => {
  const s = setup((stack, key) => {
    key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app/orders', '/app/audit-*'] }));
    // A real log group encrypted with the key: names keep the template free of circular references.
    new logs.LogGroup(stack, 'Orders', { logGroupName: '/app/orders', encryptionKey: key });
  });
  const logsPrincipal = `logs.${REGION}.amazonaws.com`;
  // The encryption context is the log group's ARN without the trailing ':*' of its Arn attribute.
  const orders = s.world.arnOf(s.world.logicalId('AWS::Logs::LogGroup', 'Orders')).replace(/:\*$/, '');
  const context = (logGroupArn: string, sourceAccount = ACCOUNT) => fromService({
    'kms:EncryptionContext:aws:logs:arn': logGroupArn,
    'aws:SourceAccount': sourceAccount,
  });

  test('the template holds a log group encrypted with the key', () => {
    expect(orders).toEqual(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/orders`);
  });

  test.each(['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'])('CloudWatch Logs may %s for the log group', async (action) => {
    expect(await ask(s, logsPrincipal, action, context(orders))).toEqual('Allowed');
  });

  test('a log group matching a pattern is allowed', async () => {
    expect(await ask(s, logsPrincipal, 'kms:GenerateDataKey', context(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/audit-2025`))).toEqual('Allowed');
  });

  test('another log group is denied', async () => {
    expect(await ask(s, logsPrincipal, 'kms:GenerateDataKey', context(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/other`))).not.toEqual('Allowed');
  });

  test('the same log group name in another account is denied', async () => {
    expect(await ask(s, logsPrincipal, 'kms:GenerateDataKey', context(`arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:log-group:/app/orders`, OTHER_ACCOUNT))).not.toEqual('Allowed');
  });

  test('a request for another account (aws:SourceAccount) is denied', async () => {
    expect(await ask(s, logsPrincipal, 'kms:GenerateDataKey', context(orders, OTHER_ACCOUNT))).not.toEqual('Allowed');
  });

  test('CloudWatch Logs of another region is denied', async () => {
    expect(await ask(s, 'logs.us-east-1.amazonaws.com', 'kms:GenerateDataKey', context(orders))).not.toEqual('Allowed');
  });

  test('the same call without the service is denied', async () => {
    expect(await ask(s, s.outsider, 'kms:GenerateDataKey', { 'kms:EncryptionContext:aws:logs:arn': orders }, s.outsiderPolicies)).not.toEqual('Allowed');
  });
});

describe('ServicePreset.cloudTrail', () => {
  const s = setup((stack, key) => {
    const reader = new iam.Role(stack, 'LogReader', { assumedBy: new iam.AccountRootPrincipal() });
    key.addServicePreset(ServicePreset.cloudTrail({ trailNames: ['management-events'], logReaders: [reader] }));
    new cloudtrail.CfnTrail(stack, 'Trail', {
      trailName: 'management-events',
      isLogging: true,
      s3BucketName: 'audit-logs-111111111111',
      kmsKeyId: key.keyArn,
    });
  });
  const trail = s.world.arnOf(s.world.logicalId('AWS::CloudTrail::Trail'));
  const reader = s.world.arnOf(s.world.logicalId('AWS::IAM::Role', 'LogReader'));
  const otherTrail = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/other`;
  const encrypt = (sourceArn: string, contextArn: string) => fromService({
    'aws:SourceArn': sourceArn,
    'kms:EncryptionContext:aws:cloudtrail:arn': contextArn,
  });

  test('CloudTrail may generate data keys for the trail', async () => {
    expect(trail).toEqual(`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management-events`);
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', encrypt(trail, trail))).toEqual('Allowed');
  });

  test('CloudTrail may describe the key for the trail only', async () => {
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:DescribeKey', fromService({ 'aws:SourceArn': trail }))).toEqual('Allowed');
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:DescribeKey', fromService({ 'aws:SourceArn': otherTrail }))).not.toEqual('Allowed');
  });

  test('another trail is denied', async () => {
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', encrypt(otherTrail, otherTrail))).not.toEqual('Allowed');
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', encrypt(otherTrail, trail))).not.toEqual('Allowed');
  });

  test('a trail of another account is denied', async () => {
    const foreign = `arn:aws:cloudtrail:${REGION}:${OTHER_ACCOUNT}:trail/management-events`;
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', encrypt(foreign, foreign))).not.toEqual('Allowed');
  });

  test('a request without aws:SourceArn is denied', async () => {
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', fromService({ 'kms:EncryptionContext:aws:cloudtrail:arn': trail }))).not.toEqual('Allowed');
  });

  test('CloudTrail cannot decrypt', async () => {
    expect(await ask(s, 'cloudtrail.amazonaws.com', 'kms:Decrypt', encrypt(trail, trail))).not.toEqual('Allowed');
  });

  test('log readers decrypt the trail\'s log files only', async () => {
    const trailContext = { 'kms:EncryptionContext:aws:cloudtrail:arn': trail };
    expect(await ask(s, reader, 'kms:Decrypt', trailContext)).toEqual('Allowed');
    expect(await ask(s, reader, 'kms:ReEncryptFrom', trailContext)).toEqual('Allowed');
    expect(await ask(s, reader, 'kms:Decrypt')).not.toEqual('Allowed');
    expect(await ask(s, reader, 'kms:Decrypt', { 'kms:EncryptionContext:aws:cloudtrail:arn': otherTrail })).not.toEqual('Allowed');
    expect(await ask(s, reader, 'kms:Encrypt', trailContext)).not.toEqual('Allowed');
  });

  test('the same call without the service is denied', async () => {
    expect(await ask(s, s.outsider, 'kms:GenerateDataKey', { 'kms:EncryptionContext:aws:cloudtrail:arn': trail }, s.outsiderPolicies)).not.toEqual('Allowed');
  });
});

interface Publishing {
  readonly name: string;
  readonly servicePrincipal: string;
  readonly contextKey: string;
  readonly build: (stack: Stack, key: CustomerManagedKey) => void;
  readonly sourceType: string;
  readonly targetType: string;
}

describe.each<Publishing>([
  {
    name: 'eventBridgeToSns',
    servicePrincipal: 'events.amazonaws.com',
    contextKey: 'kms:EncryptionContext:aws:sns:topicArn',
    sourceType: 'AWS::Events::Rule',
    targetType: 'AWS::SNS::Topic',
    build: (stack, key) => {
      key.addServicePreset(ServicePreset.eventBridgeToSns({ ruleNames: ['orders-created'], topicNames: ['orders'] }));
      const topic = new sns.Topic(stack, 'Topic', { topicName: 'orders', masterKey: key });
      new events.Rule(stack, 'Rule', { ruleName: 'orders-created', eventPattern: { source: ['orders'] } });
      topic.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['sns:Publish'], resources: [topic.topicArn] }));
    },
  },
  {
    name: 'eventBridgeToSqs',
    servicePrincipal: 'events.amazonaws.com',
    contextKey: 'kms:EncryptionContext:aws:sqs:arn',
    sourceType: 'AWS::Events::Rule',
    targetType: 'AWS::SQS::Queue',
    build: (stack, key) => {
      key.addServicePreset(ServicePreset.eventBridgeToSqs({ ruleNames: ['orders-created'], queueNames: ['orders'] }));
      const queue = new sqs.Queue(stack, 'Queue', { queueName: 'orders', encryptionMasterKey: key, enforceSSL: true });
      new events.Rule(stack, 'Rule', { ruleName: 'orders-created', eventPattern: { source: ['orders'] } });
      queue.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ServicePrincipal('events.amazonaws.com')], actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    },
  },
  {
    name: 'snsToSqs',
    servicePrincipal: 'sns.amazonaws.com',
    contextKey: 'kms:EncryptionContext:aws:sqs:arn',
    sourceType: 'AWS::SNS::Topic',
    targetType: 'AWS::SQS::Queue',
    build: (stack, key) => {
      key.addServicePreset(ServicePreset.snsToSqs({ topicNames: ['orders'], queueNames: ['orders-audit'] }));
      const topic = new sns.Topic(stack, 'Topic', { topicName: 'orders', masterKey: key });
      const queue = new sqs.Queue(stack, 'Queue', { queueName: 'orders-audit', encryptionMasterKey: key, enforceSSL: true });
      new sns.Subscription(stack, 'Subscription', { topic, endpoint: queue.queueArn, protocol: sns.SubscriptionProtocol.SQS });
    },
  },
])('ServicePreset.$name', ({ servicePrincipal, contextKey, build, sourceType, targetType }) => {
  const s = setup(build);
  const source = s.world.arnOf(s.world.logicalId(sourceType));
  const target = s.world.arnOf(s.world.logicalId(targetType));
  const publish = (sourceArn: string, targetArn: string, sourceAccount = ACCOUNT) => fromService({
    'aws:SourceArn': sourceArn,
    'aws:SourceAccount': sourceAccount,
    [contextKey]: targetArn,
  });

  test.each(['kms:GenerateDataKey', 'kms:Decrypt'])('the service may %s for the source and the destination', async (action) => {
    expect(await ask(s, servicePrincipal, action, publish(source, target))).toEqual('Allowed');
  });

  test('another source is denied', async () => {
    expect(await ask(s, servicePrincipal, 'kms:GenerateDataKey', publish(`${source}-other`, target))).not.toEqual('Allowed');
  });

  test('another destination is denied', async () => {
    expect(await ask(s, servicePrincipal, 'kms:GenerateDataKey', publish(source, `${target}-other`))).not.toEqual('Allowed');
  });

  test('a source of another account is denied', async () => {
    expect(await ask(s, servicePrincipal, 'kms:GenerateDataKey', publish(source.replace(ACCOUNT, OTHER_ACCOUNT), target, OTHER_ACCOUNT))).not.toEqual('Allowed');
    expect(await ask(s, servicePrincipal, 'kms:GenerateDataKey', publish(source, target, OTHER_ACCOUNT))).not.toEqual('Allowed');
  });

  test('another service, or the same call without the service, is denied', async () => {
    const other = servicePrincipal === 'sns.amazonaws.com' ? 'events.amazonaws.com' : 'sns.amazonaws.com';
    expect(await ask(s, other, 'kms:GenerateDataKey', publish(source, target))).not.toEqual('Allowed');
    expect(await ask(s, s.outsider, 'kms:GenerateDataKey', { [contextKey]: target }, s.outsiderPolicies)).not.toEqual('Allowed');
  });

  test('the service never gets more than the two actions', async () => {
    expect(await ask(s, servicePrincipal, 'kms:Encrypt', publish(source, target))).not.toEqual('Allowed');
    expect(await ask(s, servicePrincipal, 'kms:CreateGrant', publish(source, target))).not.toEqual('Allowed');
  });
});

describe('presets render for the region of the key that carries them (replicas)', () => {
  // A replica renders the primary's access model for its own stack: do the same by hand into a raw key.
  const app = new App();
  const primaryStack = new Stack(app, 'Primary', { env });
  const replicaStack = new Stack(app, 'Replica', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const role = iam.Role.fromRoleArn(primaryStack, 'ViaRole', `arn:aws:iam::${ACCOUNT}:role/via`);
  const key = new CustomerManagedKey(primaryStack, 'Key', { multiRegion: true });
  key.allowUseVia(ServiceVia.ec2(), { principals: [role] });
  key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app/orders'] }));
  const replicaPolicy = new iam.PolicyDocument();
  key._policyModel.subscribe((part) => replicaPolicy.addStatements(...part({ stack: replicaStack, replica: true })));
  new kms.CfnKey(replicaStack, 'ReplicaKey', { keyPolicy: replicaPolicy });
  const world = new World(primaryStack, replicaStack);
  const replica = { arn: world.arnOf('ReplicaKey'), policy: world.keyPolicy('ReplicaKey') };
  const askReplica = (principal: string, action: string, context: Record<string, string>) => decide({
    principal, action, resource: replica.arn, resourceAccount: ACCOUNT, resourcePolicy: replica.policy, context,
  });

  test('kms:ViaService names the replica\'s region', async () => {
    expect(await askReplica(`arn:aws:iam::${ACCOUNT}:role/via`, 'kms:Decrypt', { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' })).toEqual('Allowed');
    expect(await askReplica(`arn:aws:iam::${ACCOUNT}:role/via`, 'kms:Decrypt', { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` })).not.toEqual('Allowed');
  });

  test('CloudWatch Logs of the replica\'s region, for log groups of that region', async () => {
    const inReplicaRegion = fromService({ 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/app/orders` });
    expect(await askReplica('logs.us-east-1.amazonaws.com', 'kms:GenerateDataKey', inReplicaRegion)).toEqual('Allowed');
    expect(await askReplica(`logs.${REGION}.amazonaws.com`, 'kms:GenerateDataKey', inReplicaRegion)).not.toEqual('Allowed');
  });
});

describe('statements that aws-cdk-lib integrations add to the key', () => {
  test('a service principal without aws:SourceArn, aws:SourceAccount or encryption context is reported (confused deputy)', () => {
    // GIVEN an SQS subscription on an encrypted queue without its feature flag (it adds to the key policy directly)
    const stack = new Stack(new App(), 'Keys', { env });
    const key = new CustomerManagedKey(stack, 'Key');
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key, enforceSSL: true });
    new sns.Topic(stack, 'Topic').addSubscription(new subscriptions.SqsSubscription(queue));
    // WHEN
    const warnings = Annotations.fromStack(stack).findWarning('/Keys/Key', Match.stringLikeRegexp('servicePrincipalWithoutSource'));
    // THEN it is named
    const text = warnings.map((w) => String(w.entry.data)).join('\n');
    expect(text).toMatch(/gives sns\.amazonaws\.com use of the key without aws:SourceArn, aws:SourceAccount or an encryption context/);
  });

  test('an integration that grants a service principal without a source fails, and passes with its feature flag', () => {
    // GIVEN an EventBridge target on an encrypted queue: it calls the key's grant() with events.amazonaws.com
    const build = (context: Record<string, unknown>) => {
      const stack = new Stack(new App({ context }), 'Keys', { env });
      const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new CustomerManagedKey(stack, 'Key'), enforceSSL: true });
      new events.Rule(stack, 'Rule', { eventPattern: { source: ['orders'] }, targets: [new targets.SqsQueue(queue)] });
      return stack;
    };
    // THEN without the flag the grant is refused, with what to do instead
    expect(() => build({})).toThrow(/^Keys\/Key: a grant to the service principal events\.amazonaws\.com needs aws:SourceAccount, aws:SourceArn or an encryption context condition \(confused deputy\).*feature flag/);
    // and with it (aws:SourceAccount) it passes, without a warning
    const stack = build({ '@aws-cdk/aws-events:eventsTargetQueueSameAccount': true });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('servicePrincipalWithoutSource'))).toEqual([]);
  });

  test('the presets\' own statements are never reported', () => {
    const stack = new Stack(new App(), 'Keys', { env });
    const key = new CustomerManagedKey(stack, 'Key');
    key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app'] }));
    key.addServicePreset(ServicePreset.cloudTrail({ trailNames: ['trail'] }));
    key.addServicePreset(ServicePreset.eventBridgeToSns({ ruleNames: ['r'], topicNames: ['t'] }));
    key.addServicePreset(ServicePreset.eventBridgeToSqs({ ruleNames: ['r'], queueNames: ['q'] }));
    key.addServicePreset(ServicePreset.snsToSqs({ topicNames: ['t'], queueNames: ['q'] }));
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('servicePrincipalWithoutSource'))).toEqual([]);
  });
});
