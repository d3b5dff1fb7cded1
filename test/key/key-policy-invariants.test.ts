/**
 * The cases of issue 12, each tried as a user would: refused at synth for the library's keys, and a
 * KmsGoldenRules finding for a key written by hand (kms.Key or CfnKey).
 */
import { App, CliCredentialsStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccountRootAccess, CustomerManagedKey, ImportedKeyRing, ReplicaKey, ServiceVia } from '../../src';
import { ACCOUNT, allow, findingsOf, keyWithStatements, newApp, newStack, ROOT_JOIN, synthFindings } from '../guardrails/nag';
import { decide, idOf, KMS_STAR_POLICY, World } from '../helpers/world';

const ADMIN_ACTIONS = ['kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey'];

function synth(scope: { node: { root: any } }): void {
  (scope.node.root as App).synth();
}

describe('* (anyone) through grant methods', () => {
  test.each<[string, (key: CustomerManagedKey) => void]>([
    ['grantDecrypt(AnyPrincipal)', (key) => key.grantDecrypt(new iam.AnyPrincipal())],
    ['grantAdmin(AnyPrincipal)', (key) => key.grantAdmin(new iam.AnyPrincipal())],
    ['grant(ArnPrincipal("*"))', (key) => key.grant(new iam.ArnPrincipal('*'), 'kms:Decrypt')],
    ['grantEncrypt(StarPrincipal)', (key) => key.grantEncrypt(new iam.StarPrincipal())],
    ['grantDecrypt(* with a condition)', (key) => key.grantDecrypt(new iam.PrincipalWithConditions(new iam.AnyPrincipal(), { StringEquals: { 'kms:CallerAccount': '222222222222' } }))],
  ])('%s is refused, pointing at sharing', (_name, grant) => {
    const key = new CustomerManagedKey(newStack(newApp()), 'Key');
    expect(() => grant(key)).toThrow(/^Stack\/Key: a grant does not give '\*' \(anyone\) use of the key.*shareForSnapshotCopy\(\) or shareForAmiLaunch\(\)/);
  });

  test('ImportedKeyRing.grantEncryptDecrypt(AnyPrincipal) is refused', () => {
    const ring = new ImportedKeyRing(newStack(newApp()), 'Ring', { aliasName: 'alias/ring', versions: ['v1'] });
    expect(() => ring.grantEncryptDecrypt(new iam.AnyPrincipal())).toThrow(/Ring\/Version-v1: a grant does not give '\*'/);
  });

  test('a kms.Key with grantDecrypt(AnyPrincipal) is a PublicPrincipal finding', () => {
    const app = newApp();
    new kms.Key(newStack(app), 'Key', { enableKeyRotation: true }).grantDecrypt(new iam.AnyPrincipal());
    expect(findingsOf(synthFindings(app), 'KmsGolden-PublicPrincipal').map((f) => f.path)).toEqual(['Stack/Key/Resource']);
  });
});

describe('kms:decrypt (lower case) for an administrator', () => {
  test('is refused at synth for a CustomerManagedKey', () => {
    const stack = newStack(newApp());
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const key = new CustomerManagedKey(stack, 'Key', { admins: [admin] });
    key.grant(admin, 'kms:decrypt');
    expect(() => synth(key)).toThrow(/\[Stack\/Key\] the key policy gives \$\{Admin.*\.Arn\} both administrative actions .* and cryptographic actions \(kms:Decrypt\)/);
  });

  test('is a SeparationOfDuties finding for a CfnKey', () => {
    const app = newApp();
    const ops = `arn:aws:iam::${ACCOUNT}:role/ops`;
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: ROOT_JOIN }, 'kms:*'), allow({ AWS: ops }, ADMIN_ACTIONS), allow({ AWS: ops }, 'kms:decrypt')]);
    expect(findingsOf(synthFindings(app), 'KmsGolden-SeparationOfDuties').map((f) => f.ruleId))
      .toEqual([`KmsGolden-SeparationOfDuties[Principal::${ops}]`]);
  });
});

describe('the account root as an ARN string', () => {
  const rootArn = `arn:aws:iam::${ACCOUNT}:root`;

  test.each<[string, iam.IPrincipal]>([
    ['ArnPrincipal of :root', new iam.ArnPrincipal(rootArn)],
    ['ArnPrincipal of the 12-digit id', new iam.ArnPrincipal(ACCOUNT)],
    ['AccountPrincipal', new iam.AccountPrincipal(ACCOUNT)],
  ])('users: [%s] is refused', (_name, principal) => {
    expect(() => new CustomerManagedKey(newStack(newApp()), 'Key', { users: [principal] }))
      .toThrow(/users must not be this key's own account root/);
  });

  test('allowUseVia(ServiceVia.s3(), [root ARN]) is refused', () => {
    const key = new CustomerManagedKey(newStack(newApp()), 'Key');
    expect(() => key.allowUseVia(ServiceVia.s3(), { principals: [new iam.ArnPrincipal(rootArn)] })).toThrow(/must not be the key's own account root/);
  });

  test('grantDecrypt(root ARN) is refused, pointing at users, allowUseVia and FULL_DELEGATION', () => {
    const key = new CustomerManagedKey(newStack(newApp()), 'Key');
    expect(() => key.grantDecrypt(new iam.ArnPrincipal(rootArn)))
      .toThrow(/a grant to the key's own account root .*name the principals.*allowUseVia\(\).*AccountRootAccess\.FULL_DELEGATION/);
  });

  test('a statement added by hand is refused at synth (the literal root is the Fn::Join root)', () => {
    const key = new CustomerManagedKey(newStack(newApp()), 'Key');
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.ArnPrincipal(rootArn)], actions: ['kms:Decrypt'], resources: ['*'] }));
    expect(() => synth(key)).toThrow(/the key policy gives the account root cryptographic actions \(kms:Decrypt\)/);
  });

  test.each<[string, unknown]>([['the ARN string', rootArn], ['the 12-digit id', ACCOUNT], ['Fn::Join', ROOT_JOIN]])(
    'a CfnKey whose administering root also decrypts, written as %s, is an AccountRootUse finding', (_name, root) => {
      const app = newApp();
      keyWithStatements(newStack(app), 'Key', [allow({ AWS: ROOT_JOIN }, ADMIN_ACTIONS), allow({ AWS: root }, 'kms:Decrypt')]);
      expect(findingsOf(synthFindings(app), 'KmsGolden-AccountRootUse').map((f) => f.path)).toEqual(['Stack/Key']);
    });

  test('control: the classic full delegation (kms:* for the root) is no finding', () => {
    const app = newApp();
    new kms.Key(newStack(app), 'Key', { enableKeyRotation: true });
    expect(findingsOf(synthFindings(app), 'KmsGolden-AccountRootUse')).toEqual([]);
  });
});

describe('the same role by construct and by ARN', () => {
  function roles(stack: Stack) {
    const admin = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'ops' });
    const sameByArn = iam.Role.fromRoleArn(stack, 'OpsByArn', `arn:aws:iam::${ACCOUNT}:role/ops`);
    return { admin, sameByArn };
  }

  test('as admin and user of a CustomerManagedKey is refused at synth', () => {
    const stack = newStack(newApp());
    const { admin, sameByArn } = roles(stack);
    const key = new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [sameByArn] });
    expect(() => synth(key)).toThrow(/both administrative actions .* and cryptographic actions/);
  });

  test('control: two roles are fine', () => {
    const stack = newStack(newApp());
    const { admin } = roles(stack);
    const key = new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [iam.Role.fromRoleArn(stack, 'App', `arn:aws:iam::${ACCOUNT}:role/app`)] });
    expect(() => synth(key)).not.toThrow();
  });

  test('on a kms.Key, a SeparationOfDuties finding', () => {
    const app = newApp();
    const stack = newStack(app);
    const { admin, sameByArn } = roles(stack);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [admin], actions: ADMIN_ACTIONS, resources: ['*'] }));
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [sameByArn], actions: ['kms:Decrypt'], resources: ['*'] }));
    expect(findingsOf(synthFindings(app), 'KmsGolden-SeparationOfDuties').map((f) => f.path)).toEqual(['Stack/Key/Resource']);
  });
});

describe('a service principal without a source condition', () => {
  test('grantEncryptDecrypt(ServicePrincipal) is refused, pointing at presets', () => {
    const key = new CustomerManagedKey(newStack(newApp()), 'Key');
    expect(() => key.grantEncryptDecrypt(new iam.ServicePrincipal('lambda.amazonaws.com')))
      .toThrow(/a grant to the service principal lambda\.amazonaws\.com needs aws:SourceAccount, aws:SourceArn or an encryption context condition.*addServicePreset\(\)/);
  });

  test('control: with aws:SourceAccount it is granted', () => {
    const key = new CustomerManagedKey(newStack(newApp()), 'Key');
    expect(() => key.grantEncryptDecrypt(new iam.ServicePrincipal('lambda.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } })))
      .not.toThrow();
  });

  test('on a kms.Key, a ServicePrincipalSource finding', () => {
    const app = newApp();
    new kms.Key(newStack(app), 'Key', { enableKeyRotation: true }).grantEncryptDecrypt(new iam.ServicePrincipal('lambda.amazonaws.com'));
    expect(findingsOf(synthFindings(app), 'KmsGolden-ServicePrincipalSource').map((f) => f.ruleId))
      .toEqual(['KmsGolden-ServicePrincipalSource[Principal::lambda.amazonaws.com]']);
  });
});

describe('kms:ReplicateKey on a multi-Region key with keyPolicyManagers', () => {
  const app = new App();
  const stack = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'admin' });
  const manager = iam.Role.fromRoleArn(stack, 'Manager', `arn:aws:iam::${ACCOUNT}:role/manager`);
  const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'other' });
  other.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const key = new CustomerManagedKey(stack, 'Key', { multiRegion: true, admins: [admin], keyPolicyManagers: [manager] });
  ReplicaKey.replicate(key, { regions: ['us-east-1'] });
  const world = new World(stack);
  const keyId = idOf(key);

  const ask = (principal: string, identityPolicies: any[], region: string) => decide({
    principal,
    action: 'kms:ReplicateKey',
    resource: world.arnOf(keyId),
    resourceAccount: ACCOUNT,
    identityPolicies,
    resourcePolicy: world.keyPolicy(keyId),
    context: { 'kms:ReplicaRegion': region },
  });

  test('only the key policy manager may replicate, and only to the declared replica\'s region', async () => {
    expect(await ask(`arn:aws:iam::${ACCOUNT}:role/manager`, [], 'us-east-1')).toEqual('Allowed');
    expect(await ask(`arn:aws:iam::${ACCOUNT}:role/manager`, [], 'ap-south-1')).not.toEqual('Allowed');
    // Neither the admins nor, through the account root, any IAM principal with kms:* in its own policy.
    const adminId = world.logicalId('AWS::IAM::Role', 'Admin');
    expect(await ask(world.arnOf(adminId), [KMS_STAR_POLICY], 'us-east-1')).not.toEqual('Allowed');
    expect(await ask(world.arnOf(world.logicalId('AWS::IAM::Role', 'Other')), [KMS_STAR_POLICY], 'us-east-1')).not.toEqual('Allowed');
  });

  test('ReplicateKey given to an admin by hand is refused at synth', () => {
    const s = newStack(newApp());
    const a = new iam.Role(s, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const k = new CustomerManagedKey(s, 'Key', { multiRegion: true, admins: [a], keyPolicyManagers: [iam.Role.fromRoleArn(s, 'M', `arn:aws:iam::${ACCOUNT}:role/m`)] });
    k.addToResourcePolicy(new iam.PolicyStatement({ principals: [a], actions: ['kms:ReplicateKey'], resources: ['*'] }));
    expect(() => synth(k)).toThrow(/gives \$\{Admin.*\.Arn\} kms:ReplicateKey without kms:PutKeyPolicy.*\n.*gives \$\{Admin.*\.Arn\} kms:ReplicateKey without a kms:ReplicaRegion condition/);
  });

  test('full delegation keeps kms:* for the root, and the library key passes', () => {
    const s = newStack(newApp());
    const k = new CustomerManagedKey(s, 'Key', { multiRegion: true, accountRootAccess: AccountRootAccess.FULL_DELEGATION });
    ReplicaKey.replicate(k, { regions: ['us-west-2'] });
    expect(() => synth(k)).not.toThrow();
  });

  test('a multi-Region CfnKey whose admins replicate without PutKeyPolicy is a ReplicateKey finding', () => {
    const a = newApp();
    const ops = `arn:aws:iam::${ACCOUNT}:role/ops`;
    const cfn = keyWithStatements(newStack(a), 'Key', [
      allow({ AWS: `arn:aws:iam::${ACCOUNT}:role/deployer` }, ['kms:PutKeyPolicy', 'kms:DescribeKey']),
      allow({ AWS: ops }, ['kms:DescribeKey', 'kms:ReplicateKey', 'kms:ScheduleKeyDeletion']),
    ]);
    cfn.multiRegion = true;
    expect(findingsOf(synthFindings(a), 'KmsGolden-ReplicateKey').map((f) => f.ruleId)).toEqual([`KmsGolden-ReplicateKey[Principal::${ops}]`]);
  });
});

describe('use through a service next to administration', () => {
  const via = { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } };

  test('an administrator who may decrypt through S3 is a SeparationOfDuties finding (it can read what S3 stores under the key)', () => {
    const app = newApp();
    const ops = `arn:aws:iam::${ACCOUNT}:role/ops`;
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: ROOT_JOIN }, 'kms:*'), allow({ AWS: ops }, ADMIN_ACTIONS), allow({ AWS: ops }, ['kms:Decrypt', 'kms:GenerateDataKey'], via)]);
    expect(findingsOf(synthFindings(app), 'KmsGolden-SeparationOfDuties').map((f) => f.ruleId))
      .toEqual([`KmsGolden-SeparationOfDuties[Principal::${ops}]`]);
  });

  test('control: the CDK deployer, which administers the key and creates resources through services, is no finding', () => {
    const app = newApp();
    const deployer = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`;
    keyWithStatements(newStack(app), 'Key', [allow({ AWS: ROOT_JOIN }, 'kms:*'), allow({ AWS: deployer }, ADMIN_ACTIONS), allow({ AWS: deployer }, ['kms:Decrypt', 'kms:GenerateDataKey'], via)]);
    expect(findingsOf(synthFindings(app), 'KmsGolden-SeparationOfDuties')).toEqual([]);
  });

  test('control: a named deployer of a library key (CliCredentialsStackSynthesizer) administers it and creates a table through DynamoDB, with no finding', () => {
    const app = newApp();
    const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: 'eu-west-1' }, synthesizer: new CliCredentialsStackSynthesizer() });
    const deployer = iam.Role.fromRoleArn(stack, 'Deployer', `arn:aws:iam::${ACCOUNT}:role/pipeline-deploy`);
    const key = new CustomerManagedKey(stack, 'Key', { accountRootAccess: AccountRootAccess.NONE, keyPolicyManagers: [deployer], deployers: [deployer] });
    new dynamodb.Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
    });
    const findings = synthFindings(app);
    expect(findingsOf(findings, 'KmsGolden-SeparationOfDuties')).toEqual([]);
    // The deployer's statements are there: it administers the key and calls through DynamoDB.
    const policy = JSON.stringify(app.synth().getStackByName('Stack').template.Resources);
    expect(policy).toContain('DeployerDynamoDbGrant');
    expect(policy).toContain('DeployerKeyManagement');
  });

  test('a library key refuses an administrator given use through S3 with allowUseVia', () => {
    const stack = newStack(newApp());
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const key = new CustomerManagedKey(stack, 'Key', { admins: [admin] });
    expect(() => {
      key.allowUseVia(ServiceVia.s3(), { principals: [admin] });
      synth(key);
    }).toThrow(/admin|both administrative actions/);
  });
});
