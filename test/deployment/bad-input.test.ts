import { App, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccountRootAccess, CustomerManagedKey, DeploymentUse, ReplicaKey } from '../../src';
import { cdkExecutionRoleArn, deniedCalls, deploymentCalls } from '../helpers/deployment';
import { decide, KMS_STAR_POLICY, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const env = { account: ACCOUNT, region: 'eu-west-1' };
const table = (stack: Stack, key: kms.IKey) => new dynamodb.Table(stack, 'Table', {
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
  encryptionKey: key,
});

describe('who deploys', () => {
  test('a stack whose synthesizer has no execution role, and that needs its deployer, fails synth naming the prop to set', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env, synthesizer: new CliCredentialsStackSynthesizer() });
    const key = new CustomerManagedKey(stack, 'Key');
    table(stack, key);
    expect(() => app.synth()).toThrow(/Keys\/Key\] cannot tell who deploys stack Keys \(111111111111\/eu-west-1\): its synthesizer \(CliCredentialsStackSynthesizer\) has no CloudFormation execution role.*name the deploying role in deployers of Keys\/Key/);
  });

  test('the same key with no use that needs the deployer synthesizes: nothing is asked of it', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env, synthesizer: new CliCredentialsStackSynthesizer() });
    new CustomerManagedKey(stack, 'Key');
    expect(() => app.synth()).not.toThrow();
  });

  test('a named deployer is used with CliCredentialsStackSynthesizer, and the deployment simulates as allowed', async () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env, synthesizer: new CliCredentialsStackSynthesizer() });
    const pipeline = `arn:aws:iam::${ACCOUNT}:role/pipeline-deployer`;
    const key = new CustomerManagedKey(stack, 'Key', {
      accountRootAccess: AccountRootAccess.NONE,
      keyPolicyManagers: [iam.Role.fromRoleArn(stack, 'Managers', `arn:aws:iam::${ACCOUNT}:role/managers`)],
      deployers: [iam.Role.fromRoleArn(stack, 'Pipeline', pipeline)],
      aliases: ['alias/app'],
    });
    table(stack, key);
    const world = new World(stack);
    expect(await deniedCalls(world, deploymentCalls(world, { deployerOf: () => pipeline }))).toEqual([]);
    // control: the CDK execution role, which does not deploy this stack, is named nowhere
    expect(JSON.stringify(world.keyPolicy(world.logicalId('AWS::KMS::Key')))).not.toContain('cfn-exec-role');
  });

  test('a custom qualifier of the default synthesizer names that bootstrap\'s execution role', async () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env, synthesizer: new DefaultStackSynthesizer({ qualifier: 'team42' }) });
    const key = new CustomerManagedKey(stack, 'Key', { accountRootAccess: AccountRootAccess.NONE, admins: [iam.Role.fromRoleArn(stack, 'A', `arn:aws:iam::${ACCOUNT}:role/a`)] });
    table(stack, key);
    const world = new World(stack);
    const role = cdkExecutionRoleArn(ACCOUNT, 'eu-west-1', 'team42');
    expect(await deniedCalls(world, deploymentCalls(world, { deployerOf: () => role }))).toEqual([]);
    expect(await deniedCalls(world, deploymentCalls(world))).not.toEqual([]);
  });

  test('a named deployer of another account is refused with the value, what is allowed and the path', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env });
    new CustomerManagedKey(stack, 'Key', { deployers: [iam.Role.fromRoleArn(stack, 'D', 'arn:aws:iam::222222222222:role/deployer')] });
    expect(() => app.synth()).toThrow(/\[Keys\/Key\] deployers of Keys\/Key has 'arn:aws:iam::222222222222:role\/deployer' \(account 222222222222\), which deploys none of the key's stacks; allowed: principals of 111111111111\/eu-west-1/);
  });

  test('a bootstrap execution role of another region is refused; the replica\'s region is allowed', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env });
    const wrong = cdkExecutionRoleArn(ACCOUNT, 'ap-southeast-2');
    new CustomerManagedKey(stack, 'Key', { deployers: [iam.Role.fromRoleArn(stack, 'D', wrong)] });
    expect(() => app.synth()).toThrow(/has 'arn:aws:iam::111111111111:role\/cdk-hnb659fds-cfn-exec-role-111111111111-ap-southeast-2' \(account 111111111111, region ap-southeast-2\), which deploys none of the key's stacks; allowed: principals of 111111111111\/eu-west-1/);

    const ok = new App();
    const keys = new Stack(ok, 'Keys', { env });
    const key = new CustomerManagedKey(keys, 'Key', {
      multiRegion: true,
      deployers: [iam.Role.fromRoleArn(keys, 'D', cdkExecutionRoleArn(ACCOUNT, 'eu-west-1')), iam.Role.fromRoleArn(keys, 'R', cdkExecutionRoleArn(ACCOUNT, 'us-east-1'))],
    });
    ReplicaKey.replicate(key, { regions: ['us-east-1'] });
    expect(() => ok.synth()).not.toThrow();
  });

  test('deployers must be roles or users, not the account or anyone', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env });
    new CustomerManagedKey(stack, 'Key', { deployers: [new iam.AccountRootPrincipal()] });
    expect(() => app.synth()).toThrow(/deployers of Keys\/Key must name the role or user that deploys \(its CloudFormation execution role\), got 'arn:\$\{AWS::Partition\}:iam::111111111111:root' \(an account or anyone\)/);
  });
});

describe('declared uses', () => {
  test('a service declared on a key it cannot use is refused with the spec and the path', () => {
    const stack = new Stack(new App(), 'Keys', { env });
    const key = new CustomerManagedKey(stack, 'Mac', { keySpec: kms.KeySpec.HMAC_256 });
    expect(() => key.addDeploymentUse(DeploymentUse.dynamoDb()))
      .toThrow('Keys/Mac: addDeploymentUse: DynamoDB uses SYMMETRIC_DEFAULT keys only, got a HMAC_256 key');
    expect(() => key.addDeploymentUse(DeploymentUse.secretsManager(['bad name!'])))
      .toThrow(/Keys\/Mac: 2 problems:[\s\S]*'bad name!' is not a secret name; allowed: 1 to 512 characters/);
  });

  test('a resource of the app that encrypts with a key its service cannot use fails synth', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env });
    const key = new CustomerManagedKey(stack, 'Rsa', { keySpec: kms.KeySpec.RSA_2048 });
    new dynamodb.CfnTable(stack, 'Table', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: key.keyArn },
    });
    expect(() => app.synth()).toThrow(/Keys\/Table \(SSESpecification.KMSMasterKeyId\) uses the key through DynamoDB, which takes SYMMETRIC_DEFAULT keys only; got a RSA_2048 key/);
  });

  test('a declared use gives the deployer that service\'s calls (a resource created outside the app)', async () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env });
    const key = new CustomerManagedKey(stack, 'Key');
    key.addDeploymentUse(DeploymentUse.dynamoDb());
    // The table lives in another app: the world of this test holds it only to ask the oracle.
    const other = new Stack(new App(), 'Elsewhere', { env });
    new dynamodb.CfnTable(other, 'Table', {
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      sseSpecification: { sseEnabled: true, sseType: 'KMS', kmsMasterKeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/declared` },
    });
    const world = new World(stack);
    const keyId = world.logicalId('AWS::KMS::Key');
    const calls = [{
      phase: 'create' as const,
      caller: cdkExecutionRoleArn(ACCOUNT, 'eu-west-1'),
      identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
      action: 'kms:CreateGrant',
      key: keyId,
      context: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com', 'kms:GrantIsForAWSResource': 'true' },
      why: 'declared',
    }];
    expect(await deniedCalls(world, calls)).toEqual([]);
    // control: the same key without the declaration
    const bare = new Stack(new App(), 'Keys', { env });
    new CustomerManagedKey(bare, 'Key');
    const bareWorld = new World(bare);
    expect(await deniedCalls(bareWorld, calls)).toHaveLength(1);
  });
});

describe('replicas outside the library', () => {
  test('a CfnReplicaKey of a NONE key in a region that ReplicateKey is not held to is refused', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env });
    const key = new CustomerManagedKey(keys, 'Key', {
      multiRegion: true,
      accountRootAccess: AccountRootAccess.NONE,
      admins: [iam.Role.fromRoleArn(keys, 'A', `arn:aws:iam::${ACCOUNT}:role/a`)],
    });
    ReplicaKey.replicate(key, { regions: ['us-east-1'] });
    const elsewhere = new Stack(app, 'Elsewhere', { env: { account: ACCOUNT, region: 'ap-southeast-2' }, crossRegionReferences: true });
    new kms.CfnReplicaKey(elsewhere, 'Raw', { primaryKeyArn: key.keyArn, keyPolicy: {} });
    expect(() => app.synth()).toThrow(/Elsewhere\/Raw is a replica of this key in region ap-southeast-2, but kms:ReplicateKey is held \(kms:ReplicaRegion\) to the regions of its ReplicaKey replicas; allowed: us-east-1/);
  });
});

describe('aws-cdk-lib\'s own writes to the key policy', () => {
  test('a Secret\'s grant to the whole account through Secrets Manager becomes the deployer\'s, with a warning that says how to name readers', async () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env });
    const key = new CustomerManagedKey(stack, 'Key');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const secret = new secretsmanager.Secret(stack, 'Secret', { secretName: 'app/db', encryptionKey: key });
    secret.grantRead(reader);
    const world = new World(stack);
    expect(await deniedCalls(world, deploymentCalls(world))).toEqual([]);
    Annotations.fromStack(stack).hasWarning('/Keys/Key', Match.stringLikeRegexp('every IAM principal of the account use this key through secretsmanager.eu-west-1.amazonaws.com.*allowUseVia'));
    // the reader named by grantRead decrypts through Secrets Manager; another role of the account with kms:* does not
    const keyId = world.logicalId('AWS::KMS::Key');
    const readerId = world.logicalId('AWS::IAM::Role', 'Reader');
    const via = { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com', 'kms:EncryptionContext:SecretARN': world.arnOf(world.logicalId('AWS::SecretsManager::Secret')) };
    const ask = (principal: string, policies: { name: string; policy: any }[]) => decide({
      principal, action: 'kms:Decrypt', resource: world.arnOf(keyId), resourceAccount: ACCOUNT, identityPolicies: policies, resourcePolicy: world.keyPolicy(keyId), context: via,
    });
    expect(await ask(world.arnOf(readerId), world.identityPoliciesOf(readerId))).toBe('Allowed');
    expect(await ask(`arn:aws:iam::${ACCOUNT}:role/any`, [KMS_STAR_POLICY])).toBe('ImplicitlyDenied');
  });
});
