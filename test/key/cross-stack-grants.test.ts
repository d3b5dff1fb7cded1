/**
 * Keys in one stack, the roles, users and functions that use them in other stacks: grants through the
 * key's methods and through aws-cdk-lib constructs synthesize without a dependency cycle, in both
 * directions of dependency, and the synthesized policies (key policy + grantee's own) are evaluated
 * with the IAM simulator.
 */
import { App, CfnParameter, PhysicalName, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { CustomerManagedKey, ImportedKeyRing, ReplicaKey, ServicePreset } from '../../src';
import { ACCOUNT, OTHER_ACCOUNT } from '../helpers/key-policy-matrix';
import { decide, Decision, idOf, KMS_STAR_POLICY, World } from '../helpers/world';

const REGION = 'eu-west-1';
const env = { account: ACCOUNT, region: REGION };
const assumedBy = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');

interface Grantee {
  readonly arn: string;
  readonly identityPolicies: { name: string; policy: any }[];
}

/** A principal of the world: its ARN once deployed and its identity policies. */
function granteeOf(world: World, principal: iam.IPrincipal & IConstruct): Grantee {
  return { arn: world.arnOf(idOf(principal)), identityPolicies: world.identityPoliciesOf(idOf(principal)) };
}

/** The global condition keys AWS sets for a request of an IAM principal (the simulator does not). */
function principalContext(arn: string): Record<string, string> {
  return arn.startsWith('arn:') ? { 'aws:PrincipalArn': arn, 'aws:PrincipalAccount': arn.split(':')[4] } : {};
}

/** Evaluates a request of a principal on a key of the world (key policy + the principal's own policies). */
function asker(world: World, key: IConstruct) {
  const keyArn = world.arnOf(idOf(key));
  const keyPolicy = world.keyPolicy(idOf(key));
  return (who: Grantee, action: string, context: Record<string, string | string[]> = {}): Promise<Decision> => decide({
    principal: who.arn,
    action,
    resource: keyArn,
    resourceAccount: ACCOUNT,
    identityPolicies: who.identityPolicies,
    resourcePolicy: keyPolicy,
    context: { ...principalContext(who.arn), ...context },
  });
}

/** Every principal ARN that a key policy names (resolved). */
function principalArns(keyPolicy: any): string[] {
  // The deployer (the bootstrap's execution role) exists before any stack deploys.
  return keyPolicy.Statement.flatMap((s: any) => [s.Principal?.AWS ?? []].flat()).filter((arn: string) => !arn.includes(':role/cdk-hnb659fds-cfn-exec-role-'));
}

/** The stacks (by name) whose outputs a template reads. */
function stacksReadBy(stack: Stack): string[] {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  const imports = [...json.matchAll(/"Fn::ImportValue":"([^:"]+):/g)].map((m) => m[1]);
  const outputs = [...json.matchAll(/"StackName":"([^"]+)"/g)].map((m) => m[1]);
  return [...new Set([...imports, ...outputs])];
}

describe('the application stacks deploy after the keys stack (they use the key)', () => {
  // GIVEN a keys stack and two application stacks of the same environment that use its key through
  // aws-cdk-lib constructs and through the key's own grant methods.
  const app = new App();
  const keys = new Stack(app, 'Keys', { env });
  const appStack = new Stack(app, 'App', { env });
  const reports = new Stack(app, 'Reports', { env });
  const platform = new iam.Role(keys, 'Platform', { assumedBy: new iam.AccountRootPrincipal() });
  const key = new CustomerManagedKey(keys, 'Key', { admins: [platform], aliases: ['alias/shared/data'] });
  key.addServicePreset(ServicePreset.cloudWatchLogs({ logGroupNames: ['/app/orders'] }));

  const direct = new iam.Role(appStack, 'Direct', { assumedBy });
  key.grantDecrypt(direct);
  const s3Writer = new iam.Role(appStack, 'S3Writer', { assumedBy });
  new s3.Bucket(appStack, 'Data', { encryptionKey: key, enforceSSL: true }).grantReadWrite(s3Writer);
  const sender = new lambda.Function(appStack, 'Sender', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  new sqs.Queue(appStack, 'Orders', { encryptionMasterKey: key }).grantSendMessages(sender);
  const publisher = new iam.Role(appStack, 'Publisher', { assumedBy });
  new sns.Topic(appStack, 'Events', { masterKey: key }).grantPublish(publisher);
  const analyst = new iam.User(appStack, 'Analyst');
  new dynamodb.Table(appStack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  }).grantReadData(analyst);
  const secretReader = new iam.Role(appStack, 'SecretReader', { assumedBy, roleName: 'secret-reader', path: '/apps/' });
  // A secret created elsewhere: a new Secret's constructor grants the whole account through Secrets
  // Manager, which a key of this library refuses (the account root never gets cryptographic actions).
  secretsmanager.Secret.fromSecretAttributes(appStack, 'Secret', {
    secretCompleteArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app/db-AbCdEf`,
    encryptionKey: key,
  }).grantRead(secretReader);
  new logs.LogGroup(appStack, 'OrderLogs', { logGroupName: '/app/orders', encryptionKey: key });
  const unrelated = new iam.Role(appStack, 'Unrelated', { assumedBy });
  unrelated.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const reporter = new iam.Role(reports, 'Reporter', { assumedBy, roleName: PhysicalName.GENERATE_IF_NEEDED });
  key.grantEncryptDecrypt(reporter);

  // WHEN the app is synthesized (before this library named grantees by literal ARN: a dependency cycle)
  app.synth();
  const world = new World(keys, appStack, reports);
  const ask = asker(world, key);
  const who = (p: iam.IPrincipal & IConstruct) => granteeOf(world, p);

  test('the keys stack reads nothing of the application stacks; they read its key ARN', () => {
    expect(keys.dependencies).toEqual([]);
    expect(stacksReadBy(keys)).toEqual([]);
    expect(appStack.dependencies).toEqual([keys]);
    expect(reports.dependencies).toEqual([keys]);
  });

  test('deployed first, the key policy names no principal of the application stacks: they are held by aws:PrincipalArn', () => {
    const keyPolicy = world.keyPolicy(idOf(key));
    const existing = [`arn:aws:iam::${ACCOUNT}:root`, world.arnOf(idOf(platform))];
    expect(principalArns(keyPolicy).filter((arn) => !existing.includes(arn))).toEqual([]);
    const heldTo = keyPolicy.Statement.flatMap((s: any) => [s.Condition?.ArnEquals?.['aws:PrincipalArn'] ?? []].flat());
    expect(heldTo.sort()).toEqual([direct, s3Writer, sender.role!, publisher, analyst, secretReader, reporter].map((p) => who(p).arn).sort());
  });

  test('the names the key policy uses are the names the roles and users are created with', () => {
    expect(who(secretReader).arn).toEqual(`arn:aws:iam::${ACCOUNT}:role/apps/secret-reader`);
    expect(who(direct).arn).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/App-Direct-[0-9a-f]{12}$`));
    expect(who(analyst).arn).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:user/App-Analyst-[0-9a-f]{12}$`));
    // PhysicalName.GENERATE_IF_NEEDED: aws-cdk-lib's own generated name.
    expect(Template.fromStack(reports).toJSON().Resources[reports.getLogicalId(reporter.node.defaultChild as iam.CfnRole)].Properties.RoleName)
      .toEqual(who(reporter).arn.split('/').pop());
  });

  test('key.grantDecrypt: the role may decrypt and nothing else', async () => {
    expect(await ask(who(direct), 'kms:Decrypt')).toEqual('Allowed');
    expect(await ask(who(direct), 'kms:Encrypt')).not.toEqual('Allowed');
    expect(await ask(who(direct), 'kms:PutKeyPolicy')).not.toEqual('Allowed');
  });

  test('s3 Bucket.grantReadWrite: the role may encrypt and decrypt, not create grants nor administer', async () => {
    for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']) {
      expect([action, await ask(who(s3Writer), action)]).toEqual([action, 'Allowed']);
    }
    expect(await ask(who(s3Writer), 'kms:CreateGrant', { 'kms:GrantIsForAWSResource': 'true' })).not.toEqual('Allowed');
    expect(await ask(who(s3Writer), 'kms:ScheduleKeyDeletion')).not.toEqual('Allowed');
  });

  test('sqs Queue.grantSendMessages to a Lambda function: its role may generate data keys', async () => {
    expect(await ask(who(sender.role!), 'kms:GenerateDataKey')).toEqual('Allowed');
    expect(await ask(who(sender.role!), 'kms:DisableKey')).not.toEqual('Allowed');
  });

  test('sns Topic.grantPublish: data keys and decrypt, not encrypt', async () => {
    expect(await ask(who(publisher), 'kms:GenerateDataKey')).toEqual('Allowed');
    expect(await ask(who(publisher), 'kms:Encrypt')).not.toEqual('Allowed');
  });

  test('dynamodb Table.grantReadData to a user: decrypt, not encrypt', async () => {
    expect(await ask(who(analyst), 'kms:Decrypt')).toEqual('Allowed');
    expect(await ask(who(analyst), 'kms:Encrypt')).not.toEqual('Allowed');
  });

  test('secretsmanager ISecret.grantRead: decrypt through Secrets Manager only', async () => {
    expect(await ask(who(secretReader), 'kms:Decrypt', { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` })).toEqual('Allowed');
    expect(await ask(who(secretReader), 'kms:Decrypt')).not.toEqual('Allowed');
  });

  test('a role of a second application stack, granted encrypt and decrypt', async () => {
    expect(await ask(who(reporter), 'kms:Encrypt')).toEqual('Allowed');
    expect(await ask(who(reporter), 'kms:CreateGrant')).not.toEqual('Allowed');
  });

  test('logs: CloudWatch Logs may use the key for the application\'s log group, not for another', async () => {
    const logsService = { arn: `logs.${REGION}.amazonaws.com`, identityPolicies: [] };
    const context = (name: string) => ({
      'aws:PrincipalIsAWSService': 'true',
      'aws:SourceAccount': ACCOUNT,
      'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`,
    });
    expect(await ask(logsService, 'kms:GenerateDataKey', context('/app/orders'))).toEqual('Allowed');
    expect(await ask(logsService, 'kms:GenerateDataKey', context('/app/other'))).not.toEqual('Allowed');
  });

  test('an unrelated role of the application stack, with kms:* in its own policy, gets nothing', async () => {
    for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']) {
      expect([action, await ask(who(unrelated), action)]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('another role given the grantee\'s name in another account, with kms:*, gets nothing', async () => {
    const lookalike = { arn: who(direct).arn.replace(ACCOUNT, OTHER_ACCOUNT), identityPolicies: [KMS_STAR_POLICY] };
    expect(await ask(lookalike, 'kms:Decrypt')).not.toEqual('Allowed');
  });

  test('the grantee\'s own policy is required: the key policy delegates to it through the account', async () => {
    expect(await ask({ ...who(direct), identityPolicies: [] }, 'kms:Decrypt')).not.toEqual('Allowed');
  });
});

describe('the keys stack deploys after the application stack (it depends on it)', () => {
  // GIVEN grants made first, and the dependency declared afterwards.
  const app = new App();
  const keys = new Stack(app, 'Keys', { env });
  const appStack = new Stack(app, 'App', { env });
  const key = new CustomerManagedKey(keys, 'Key');
  const worker = new iam.Role(appStack, 'Worker', { assumedBy });
  key.grantEncryptDecrypt(worker);
  const fn = new lambda.Function(appStack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  key.grantDecrypt(fn);
  const user = new iam.User(appStack, 'Operator');
  key.grantDecrypt(user);
  const unrelated = new iam.Role(appStack, 'Unrelated', { assumedBy });
  unrelated.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  keys.addStackDependency(appStack);

  app.synth();
  const world = new World(keys, appStack);
  const ask = asker(world, key);
  const who = (p: iam.IPrincipal & IConstruct) => granteeOf(world, p);

  test('the application stack reads nothing of the keys stack, and has no policy of the key', () => {
    expect(appStack.dependencies).toEqual([]);
    expect(stacksReadBy(appStack)).toEqual([]);
    expect(Template.fromStack(appStack).findResources('AWS::IAM::ManagedPolicy')).toEqual({});
  });

  test('the key policy names the grantees themselves: they exist when it is written', () => {
    expect(principalArns(world.keyPolicy(idOf(key))).sort()).toEqual(
      [`arn:aws:iam::${ACCOUNT}:root`, who(worker).arn, who(fn.role!).arn, who(user).arn].sort(),
    );
  });

  test('each grantee is allowed what it was granted, without a policy of its own', async () => {
    expect(await ask({ ...who(worker), identityPolicies: [] }, 'kms:Encrypt')).toEqual('Allowed');
    expect(await ask({ ...who(fn.role!), identityPolicies: [] }, 'kms:Decrypt')).toEqual('Allowed');
    expect(await ask({ ...who(fn.role!), identityPolicies: [] }, 'kms:Encrypt')).not.toEqual('Allowed');
    expect(await ask({ ...who(user), identityPolicies: [] }, 'kms:Decrypt')).toEqual('Allowed');
    expect(await ask(who(worker), 'kms:ScheduleKeyDeletion')).not.toEqual('Allowed');
  });

  test('an unrelated role with kms:* in its own policy gets nothing', async () => {
    expect(await ask(who(unrelated), 'kms:Decrypt')).toEqual('ImplicitlyDenied');
  });
});

describe('replicas, key rings and other accounts', () => {
  test('a grant on a replica from an application stack of its region', async () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env });
    const primary = new CustomerManagedKey(keys, 'Key', { multiRegion: true });
    const [replica] = ReplicaKey.replicate(primary, { regions: ['us-east-1'] });
    const appStack = new Stack(app, 'AppUsEast1', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const reader = new iam.Role(appStack, 'Reader', { assumedBy });
    new s3.Bucket(appStack, 'Data', { encryptionKey: replica, enforceSSL: true }).grantRead(reader);
    app.synth();
    const world = new World(keys, Stack.of(replica), appStack);
    expect(Stack.of(replica).dependencies).toEqual([keys]);
    expect(principalArns(world.keyPolicy(idOf(replica)))).toEqual([`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:root`]);
    const ask = asker(world, replica);
    expect(await ask(granteeOf(world, reader), 'kms:Decrypt')).toEqual('Allowed');
    expect(await ask(granteeOf(world, reader), 'kms:Encrypt')).not.toEqual('Allowed');
  });

  test('an imported key ring: encrypt with the active version, decrypt only with the retired one', async () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env });
    const appStack = new Stack(app, 'App', { env });
    const ring = new ImportedKeyRing(keys, 'Ring', { aliasName: 'alias/app/signing', versions: ['v1', 'v2'] });
    const worker = new iam.Role(appStack, 'Worker', { assumedBy });
    ring.grantEncryptDecrypt(worker);
    app.synth();
    const world = new World(keys, appStack);
    const worker$ = granteeOf(world, worker);
    expect(await asker(world, ring.versionKey('v2'))(worker$, 'kms:Encrypt')).toEqual('Allowed');
    expect(await asker(world, ring.versionKey('v1'))(worker$, 'kms:Decrypt')).toEqual('Allowed');
    expect(await asker(world, ring.versionKey('v1'))(worker$, 'kms:Encrypt')).not.toEqual('Allowed');
  });

  test('a role of another account: its account, held to the role, in the key policy; the key by alias in its own', async () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env });
    const partner = new Stack(app, 'Partner', { env: { account: OTHER_ACCOUNT, region: REGION } });
    const key = new CustomerManagedKey(keys, 'Key', { aliases: ['alias/shared/data'] });
    const consumer = new iam.Role(partner, 'Consumer', { assumedBy });
    const other = new iam.Role(partner, 'Other', { assumedBy });
    other.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
    key.grantDecrypt(consumer);
    app.synth();
    const world = new World(keys, partner);
    expect(principalArns(world.keyPolicy(idOf(key)))).toEqual([`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${OTHER_ACCOUNT}:root`]);
    const ask = (p: Grantee, context: Record<string, string | string[]>) => asker(world, key)(p, 'kms:Decrypt', context);
    const aliases = { 'kms:ResourceAliases': ['alias/shared/data'] };
    expect(await ask(granteeOf(world, consumer), aliases)).toEqual('Allowed');
    // Its own policy names the key by alias: another key of the account is not covered.
    expect(await ask(granteeOf(world, consumer), { 'kms:ResourceAliases': ['alias/other'] })).not.toEqual('Allowed');
    expect(await ask(granteeOf(world, other), aliases)).not.toEqual('Allowed');
  });
});

describe('grants that cannot be named fail at synth', () => {
  test('a role whose name is only known at deployment', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env });
    const appStack = new Stack(app, 'App', { env });
    const key = new CustomerManagedKey(keys, 'Key');
    const role = new iam.Role(appStack, 'Worker', { assumedBy, roleName: new CfnParameter(appStack, 'Name').valueAsString });
    expect(() => key.grantDecrypt(role)).toThrow(
      'App/Worker: the key Keys/Key (stack Keys) grants to this role of another stack (App), and its key policy must name the role ' +
      'by a literal ARN, without a reference to App (the stacks would depend on each other): its roleName is not known before ' +
      'deployment; give it a literal roleName, or roleName: PhysicalName.GENERATE_IF_NEEDED',
    );
  });

  test('a role without name in a stack without a concrete environment', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys');
    const appStack = new Stack(app, 'App');
    const key = new CustomerManagedKey(keys, 'Key');
    expect(() => key.grantDecrypt(new iam.Role(appStack, 'Worker', { assumedBy }))).toThrow(
      /App\/Worker: .*it has no name, and none can be generated in a stack without a concrete account and region .*; give it a literal roleName, or roleName: PhysicalName.GENERATE_IF_NEEDED, or give App a concrete env/,
    );
  });

  test('separation of duties holds across stacks: one role given administration and use fails', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env });
    const appStack = new Stack(app, 'App', { env });
    const key = new CustomerManagedKey(keys, 'Key');
    const role = new iam.Role(appStack, 'Worker', { assumedBy });
    key.grantAdmin(role);
    key.grantDecrypt(role);
    expect(() => app.synth()).toThrow(/gives .*role\/App-Worker-[0-9a-f]{12}.* both administrative actions .* and cryptographic actions \(kms:Decrypt\)/);
  });
});
