/**
 * Apps written the way a new user would write them, from the README, combining features: each either
 * synthesizes without a KmsGolden finding and deploys (deployment simulation), or fails at synth with a
 * clear message.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AccountRootAccess, CustomerManagedKey, KmsGoldenRules, ReplicaKey } from '../../src';
import { synthFindings } from '../guardrails/nag';
import { deniedCalls, deploymentCalls } from '../helpers/deployment';
import { World } from '../helpers/world';

const ACCOUNT = '111111111111';
const OTHER = '222222222222';
const REGION = 'eu-west-1';
const env = { account: ACCOUNT, region: REGION };

function newApp(): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'new-user-')), context: { ...CURRENTLY_RECOMMENDED_FLAGS } });
}

function golden(app: App): string[] {
  return synthFindings(app, [new KmsGoldenRules(app), new AwsSolutionsChecks(app)])
    .filter((f) => f.pack.includes('KmsGolden') || f.ruleId.startsWith('KmsGolden'))
    .map((f) => `${f.ruleId} @ ${f.path}`);
}

/** The library's warnings (construct metadata, kept after a synth that the packs fail). */
function libraryWarnings(app: App): string[] {
  return app.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === 'aws:cdk:warning' && /cdk-kms-patterns/.test(JSON.stringify(m.data)))
    .map((m) => `${c.node.path}: ${JSON.stringify(m.data).slice(0, 400)}`));
}

function modeProps(stack: Stack, mode: string): any {
  const admins = [iam.Role.fromRoleArn(stack, 'Admins', `arn:aws:iam::${ACCOUNT}:role/key-admins`)];
  switch (mode) {
    case 'ADMINISTRATION': return { admins };
    case 'FULL_DELEGATION': return { admins, accountRootAccess: AccountRootAccess.FULL_DELEGATION };
    default: return { admins, accountRootAccess: AccountRootAccess.NONE, keyPolicyManagers: [iam.Role.fromRoleArn(stack, 'Managers', `arn:aws:iam::${ACCOUNT}:role/key-policy-managers`)] };
  }
}

/** Every service of the brief on one key, in the key's stack. */
function everything(stack: Stack, key: CustomerManagedKey) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key, enforceSSL: true });
  const topic = new sns.Topic(stack, 'Topic', { masterKey: key, enforceSSL: true });
  topic.addSubscription(new subs.SqsSubscription(queue));
  new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [new targets.SnsTopic(topic, { authorizeUsingRole: true }), new targets.SqsQueue(queue)] });
  new s3.Bucket(stack, 'Bucket', { encryptionKey: key, bucketKeyEnabled: true, enforceSSL: true, versioned: true });
  new kinesis.Stream(stack, 'Stream', { encryptionKey: key });
  new efs.FileSystem(stack, 'Fs', { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, encrypted: true, kmsKey: key });
  new rds.DatabaseCluster(stack, 'Db', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('Writer'),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    storageEncryptionKey: key,
  });
  new ecr.Repository(stack, 'Repo', { encryptionKey: key });
  new backup.BackupVault(stack, 'Vault', { encryptionKey: key });
  new logs.LogGroup(stack, 'Logs', { encryptionKey: key, logGroupName: '/app/x' });
  new cloudtrail.Trail(stack, 'Trail', { encryptionKey: key });
  new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler=async()=>{}'),
    environment: { STAGE: 'prod' },
    environmentEncryption: key,
  });
  new dynamodb.TableV2(stack, 'Global', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryptionV2.customerManagedKey(key),
  });
}

const MODES = ['ADMINISTRATION', 'NONE', 'FULL_DELEGATION'];

describe.each(MODES)('accountRootAccess %s: one key used by every service of the brief', (mode) => {
  test.each([['in the key\'s stack', false], ['in another stack', true]])('%s: no KmsGolden finding, no library warning, and it deploys', async (_layout, crossStack) => {
    const build = (app: App): Stack[] => {
      const keys = new Stack(app, 'Keys', { env });
      const stack = crossStack ? new Stack(app, 'App', { env }) : keys;
      everything(stack, new CustomerManagedKey(keys, 'Key', modeProps(keys, mode)));
      return crossStack ? [keys, stack] : [keys];
    };
    const app = newApp();
    build(app);
    expect(golden(app)).toEqual([]);
    expect(libraryWarnings(app)).toEqual([]);

    const world = new World(...build(newApp()));
    expect(await deniedCalls(world, deploymentCalls(world))).toEqual([]);
  });
});

describe('SqsSubscription of a queue and a topic encrypted with the same key (recommended flags)', () => {
  test.each([['one stack', false], ['key in another stack', true]])('%s: the key policy names the topic by a literal ARN, no cycle', (_layout, crossStack) => {
    const app = newApp();
    const keys = new Stack(app, 'Keys', { env });
    const stack = crossStack ? new Stack(app, 'App', { env }) : keys;
    const key = new CustomerManagedKey(keys, 'Key');
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: key });
    const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
    topic.addSubscription(new subs.SqsSubscription(queue));
    const named = new sns.Topic(stack, 'Named', { masterKey: key, topicName: 'orders' });
    named.addSubscription(new subs.SqsSubscription(queue));

    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template;
    const topicName = template.Resources[stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic)].Properties.TopicName;
    expect(topicName).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    const keyPolicy = assembly.getStackByName('Keys').template.Resources[keys.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties.KeyPolicy;
    const sources = keyPolicy.Statement.filter((st: any) => st.Principal?.Service === 'sns.amazonaws.com').map((st: any) => st.Condition.ArnEquals['aws:SourceArn']);
    expect(sources.sort()).toEqual([`arn:aws:sns:${REGION}:${ACCOUNT}:${topicName}`, `arn:aws:sns:${REGION}:${ACCOUNT}:orders`].sort());
  });

  test('a topic of another key keeps its reference and its generated name', () => {
    const app = newApp();
    const stack = new Stack(app, 'App', { env });
    const queue = new sqs.Queue(stack, 'Queue', { encryptionMasterKey: new CustomerManagedKey(stack, 'QueueKey') });
    const topic = new sns.Topic(stack, 'Topic', { masterKey: new CustomerManagedKey(stack, 'TopicKey') });
    topic.addSubscription(new subs.SqsSubscription(queue));
    const template = app.synth().getStackByName('App').template;
    expect(template.Resources[stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic)].Properties.TopicName).toBeUndefined();
  });
});

test('an EventBridge SnsTopic target without a role on a topic encrypted with the key fails, saying how to give it a role', () => {
  const app = newApp();
  const stack = new Stack(app, 'App', { env });
  const topic = new sns.Topic(stack, 'Topic', { masterKey: new CustomerManagedKey(stack, 'Key') });
  expect(() => new events.Rule(stack, 'Rule', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [new targets.SnsTopic(topic)] }))
    .toThrow(/^App\/Key: a grant to the service principal events\.amazonaws\.com .*authorizeUsingRole: true/);
});

describe.each(MODES)('accountRootAccess %s: grants to principals a new user reaches for', (mode) => {
  function keyApp(): { app: App; keys: Stack; key: CustomerManagedKey } {
    const app = newApp();
    const keys = new Stack(app, 'Keys', { env });
    return { app, keys, key: new CustomerManagedKey(keys, 'Key', modeProps(keys, mode)) };
  }
  const statementsFor = (app: App, keys: Stack, key: CustomerManagedKey): any[] =>
    app.synth().getStackByName('Keys').template.Resources[keys.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties.KeyPolicy.Statement;

  test.each<[string, (s: { app: App; keys: Stack; key: CustomerManagedKey }) => void]>([
    ['a role of another stack', ({ app, key }) => key.grantDecrypt(new iam.Role(new Stack(app, 'A', { env }), 'R', { assumedBy: new iam.AccountRootPrincipal() }))],
    ['a role of another account\'s stack', ({ app, key }) => key.grantDecrypt(new iam.Role(new Stack(app, 'B', { env: { account: OTHER, region: REGION } }), 'R', { assumedBy: new iam.AccountRootPrincipal() }))],
    ['an imported role', ({ keys, key }) => key.grantEncryptDecrypt(iam.Role.fromRoleArn(keys, 'I', `arn:aws:iam::${ACCOUNT}:role/imported`))],
    ['an imported role of another account', ({ keys, key }) => key.grantDecrypt(iam.Role.fromRoleArn(keys, 'I', `arn:aws:iam::${OTHER}:role/path/imported`))],
    ['a CompositePrincipal of a role and another account', ({ key }) => key.grantDecrypt(new iam.CompositePrincipal(new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/a`), new iam.AccountPrincipal(OTHER)))],
    ['a PrincipalWithConditions', ({ key }) => key.grantDecrypt(new iam.PrincipalWithConditions(new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/a`), { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } }))],
    ['an AccountPrincipal of another account', ({ key }) => key.grantDecrypt(new iam.AccountPrincipal(OTHER))],
    ['a user of another stack', ({ app, key }) => key.grantEncrypt(new iam.User(new Stack(app, 'A', { env }), 'U'))],
  ])('%s: no KmsGolden finding', (_name, grant) => {
    const s = keyApp();
    grant(s);
    expect(golden(s.app)).toEqual([]);
  });

  test('another account by ARN or id: its account, held to the principal or to the account', () => {
    const s = keyApp();
    s.key.grantDecrypt(iam.Role.fromRoleArn(s.keys, 'I', `arn:aws:iam::${OTHER}:role/path/imported`));
    s.key.grantEncrypt(new iam.AccountPrincipal(OTHER));
    const statements = statementsFor(s.app, s.keys, s.key);
    const decrypt = statements.find((st: any) => st.Action === 'kms:Decrypt');
    expect(decrypt.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER}:role/path/imported` } });
    expect(JSON.stringify(decrypt.Principal)).toContain(`:iam::${OTHER}:root`);
    const encrypt = statements.find((st: any) => Array.isArray(st.Action) && st.Action.includes('kms:Encrypt'));
    expect(encrypt.Condition).toEqual({ StringEquals: { 'kms:CallerAccount': OTHER } });
  });

  test('an OrganizationPrincipal: refused, naming the organization', () => {
    const s = keyApp();
    expect(() => s.key.grantDecrypt(new iam.OrganizationPrincipal('o-abcdefghij'))).toThrow(/^Keys\/Key: a grant does not give '\*'.*"o-abcdefghij"/);
  });

  test('an IAM group: through its own policy under FULL_DELEGATION, refused with what to do otherwise', () => {
    const s = keyApp();
    const group = new iam.Group(new Stack(s.app, 'A', { env }), 'G');
    if (mode === 'FULL_DELEGATION') {
      s.key.grantEncrypt(group);
      expect(golden(s.app)).toEqual([]);
    } else {
      expect(() => s.key.grantEncrypt(group)).toThrow(/^Keys\/Key: a grant to the IAM group A\/G cannot be written in the key policy/);
      expect(() => s.key.grantEncrypt(iam.Group.fromGroupArn(s.keys, 'Imported', `arn:aws:iam::${ACCOUNT}:group/ops`))).toThrow(/IAM group Keys\/Imported/);
    }
  });
});

describe.each(MODES)('accountRootAccess %s: a multi-Region key whose replicas encrypt a DynamoDB global table', (mode) => {
  test('two replicas alone (each key names its own region\'s deployer): no KmsGolden finding', () => {
    const app = newApp();
    const keys = new Stack(app, 'Keys', { env });
    ReplicaKey.replicate(new CustomerManagedKey(keys, 'Key', { ...modeProps(keys, mode), multiRegion: true }), { regions: ['us-east-1', 'eu-central-1'] });
    expect(golden(app)).toEqual([]);
  });

  test('with the global table in the primary\'s region: no KmsGolden finding once the replicas take the reader\'s grants too', () => {
    const build = (grantReplicas: boolean): App => {
      const app = newApp();
      const keys = new Stack(app, 'Keys', { env });
      const key = new CustomerManagedKey(keys, 'Key', { ...modeProps(keys, mode), multiRegion: true });
      const [east, central] = ReplicaKey.replicate(key, { regions: ['us-east-1', 'eu-central-1'] });
      const data = new Stack(app, 'Data', { env, crossRegionReferences: true });
      const table = new dynamodb.TableV2(data, 'Global', {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(key, { 'us-east-1': east.keyArn, 'eu-central-1': central.keyArn }),
        replicas: [{ region: 'us-east-1' }, { region: 'eu-central-1' }],
      });
      const reader = new iam.Role(data, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      table.grantReadData(reader);
      if (grantReplicas) {
        east.grantDecrypt(reader);
        central.grantDecrypt(reader);
      }
      return app;
    };
    // The table's grant writes the primary's key policy only: a replica's policy takes its own grants.
    // (The finding names the account: the key policy names a role of another stack by its account held to it.)
    // Outside NONE the account root is in every key policy anyway, so the rule, comparing principals, sees no difference.
    expect(golden(build(false))).toEqual(mode !== 'NONE' ? [] : [
      `KmsGolden-ReplicaPrincipals[MissingPrincipal::arn:aws:iam::${ACCOUNT}:root] @ Keys-us-east-1/Key/Resource`,
      `KmsGolden-ReplicaPrincipals[MissingPrincipal::arn:aws:iam::${ACCOUNT}:root] @ Keys-eu-central-1/Key/Resource`,
    ]);
    expect(golden(build(true))).toEqual([]);
  });
});
