import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccountRootAccess, CustomerManagedKey, KeyAdminPolicy, KeyUserPolicy } from '../../src';

const env = { account: '111111111111', region: 'eu-west-1' };
/** Every key of 111111111111 in eu-west-1, in the partition of the stack that names it. */
const KEY_PATTERN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111111111111:key/*']] };

function newStack(id = 'Stack', stackEnv: { account?: string; region?: string } = env): Stack {
  return new Stack(new App(), id, { env: stackEnv });
}

function role(stack: Stack, id: string): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() });
}

function keyPolicyStatements(stack: Stack): any[] {
  const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
  return Object.values(keys)[0].Properties.KeyPolicy.Statement;
}

describe('defaults', () => {
  test('a bare key is symmetric, rotates yearly, waits 30 days and is retained', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new CustomerManagedKey(stack, 'Key');
    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
        KeySpec: Match.absent(),
        MultiRegion: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the account root gets administration only, never kms:* nor a cryptographic action', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key');
    const statements = keyPolicyStatements(stack);
    expect(statements).toHaveLength(1);
    expect(statements[0].Sid).toEqual('KeyAdministration');
    expect(statements[0].Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } });
    expect(statements[0].Action).toContain('kms:PutKeyPolicy');
    expect(statements[0].Action).not.toContain('kms:*');
    expect(statements[0].Action).not.toContain('kms:CreateGrant');
    expect(statements[0].Action).not.toContain('kms:Decrypt');
  });

  test('it is a kms.IKey that aws-cdk-lib constructs take as they are', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key');
    const reader = role(stack, 'Reader');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    bucket.grantRead(reader);
    new ec2.CfnVolume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: 1, encrypted: true, kmsKeyId: key.keyArn });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } } }] },
    });
    // The bucket's grant reached the key policy: the account's IAM policies alone cannot give use.
    expect(keyPolicyStatements(stack)).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: expect.arrayContaining(['kms:Decrypt']),
        Principal: { AWS: { 'Fn::GetAtt': [stack.getLogicalId(reader.node.defaultChild as iam.CfnRole), 'Arn'] } },
      }),
    ]));
  });
});

describe('admins and users', () => {
  test('admins and users get their own statements and attached identity policies', () => {
    const stack = newStack();
    const admin = role(stack, 'Admin');
    const user = role(stack, 'User');
    new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user], attachIdentityPolicies: true });

    const statements = keyPolicyStatements(stack);
    expect(statements.map((s) => s.Sid)).toEqual(['KeyAdministration', 'KeyUse', 'KeyUseGrantsForAwsResources']);
    // The account root and the admins share one administration statement.
    expect(statements[0].Principal.AWS).toHaveLength(2);
    const grants = statements.find((s) => s.Sid === 'KeyUseGrantsForAwsResources');
    expect(grants.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    expect(grants.Action).toEqual(['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant']);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Administration of a KMS key (no cryptographic action)',
      Roles: [{ Ref: stack.getLogicalId(admin.node.defaultChild as iam.CfnRole) }],
      PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } })] },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Use of a KMS key (no administrative action)',
      Roles: [{ Ref: stack.getLogicalId(user.node.defaultChild as iam.CfnRole) }],
    });
  });

  test('identity policies are made only when asked for, once each', () => {
    const untouched = newStack();
    new CustomerManagedKey(untouched, 'Key', { admins: [role(untouched, 'Admin')], users: [role(untouched, 'User')] });
    Template.fromStack(untouched).resourceCountIs('AWS::IAM::ManagedPolicy', 0);

    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key', { admins: [role(stack, 'Admin')], users: [role(stack, 'User')] });
    expect(key.adminPolicy).toBe(key.adminPolicy);
    expect(key.userPolicy).toBe(key.userPolicy);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 2);
  });

  test('no identity policy carries a wildcard action (AwsSolutions-IAM5)', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', { admins: [role(stack, 'Admin')], users: [role(stack, 'User')], attachIdentityPolicies: true });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
    for (const p of Object.values(policies)) {
      for (const st of p.Properties.PolicyDocument.Statement) {
        for (const a of [st.Action].flat()) {
          expect(a).not.toContain('*');
        }
      }
    }
  });

  test('principals of other accounts are named in the key policy but get no attached policy here', () => {
    const stack = newStack();
    const partner = iam.Role.fromRoleArn(stack, 'Partner', 'arn:aws:iam::222222222222:role/partner');
    new CustomerManagedKey(stack, 'Key', { users: [partner], attachIdentityPolicies: true });
    const use = keyPolicyStatements(stack).find((s) => s.Sid === 'KeyUse');
    expect(use.Principal).toEqual({ AWS: 'arn:aws:iam::222222222222:role/partner' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Use of a KMS key (no administrative action)',
      Roles: Match.absent(),
    });
  });

  test('imported roles of the same account get the identity policy attached', () => {
    const stack = newStack();
    const ops = iam.Role.fromRoleArn(stack, 'Ops', 'arn:aws:iam::111111111111:role/ops');
    new CustomerManagedKey(stack, 'Key', { admins: [ops], attachIdentityPolicies: true });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Administration of a KMS key (no cryptographic action)',
      Roles: ['ops'],
    });
  });

  test('multi-Region keys give admins UpdatePrimaryRegion, and ReplicateKey only with replicas declared', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', { multiRegion: true, admins: [role(stack, 'Admin')] });
    const statements = keyPolicyStatements(stack);
    const admin = statements.find((s) => s.Sid === 'KeyAdministration');
    expect(admin.Action).toEqual(expect.arrayContaining(['kms:UpdatePrimaryRegion']));
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('kms:ReplicateKey');
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { MultiRegion: true });
  });

  test('keyPolicyManagers and the deployer (CloudFormation updates the policy with it) alone hold PutKeyPolicy', () => {
    const stack = newStack();
    const deployer = iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::111111111111:role/deployer');
    const key = new CustomerManagedKey(stack, 'Key', { admins: [role(stack, 'Admin')], keyPolicyManagers: [deployer] });
    key.adminPolicy.attachToRole(role(stack, 'Operator'));
    const statements = keyPolicyStatements(stack);
    const holders = statements.filter((s) => [s.Action].flat().includes('kms:PutKeyPolicy')).map((s) => s.Sid);
    expect(holders).toEqual(['KeyPolicyManagement', 'DeployerKeyManagement']);
    const deployerStatement = statements.find((s) => s.Sid === 'DeployerKeyManagement');
    expect(JSON.stringify(deployerStatement.Principal)).toContain(':role/cdk-hnb659fds-cfn-exec-role-');
    expect(deployerStatement.Action).toEqual('kms:PutKeyPolicy');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Description: 'Administration of a KMS key (no cryptographic action)',
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.not(Match.arrayWith(['kms:PutKeyPolicy'])) })] },
    });
  });

  test.each([
    [AccountRootAccess.FULL_DELEGATION, 'AccountRootFullDelegation', 'kms:*'],
    [AccountRootAccess.ADMINISTRATION, 'KeyAdministration', 'kms:ScheduleKeyDeletion'],
  ])('accountRootAccess %s writes %s', (accountRootAccess, sid, action) => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', { accountRootAccess, admins: [role(stack, 'Admin')] });
    const root = keyPolicyStatements(stack).find((s) => s.Sid === sid);
    expect([root.Action].flat()).toContain(action);
  });

  test('accountRootAccess NONE leaves no root statement; the deployer gets CloudFormation\'s calls', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', { accountRootAccess: AccountRootAccess.NONE, admins: [role(stack, 'Admin')] });
    expect(keyPolicyStatements(stack).map((s) => s.Sid)).toEqual(['KeyAdministration', 'DeployerKeyManagement']);
  });
});

describe('key properties', () => {
  test('rotation period, pending window, description, tags, removal policy and enabled state', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', {
      rotationPeriod: Duration.days(90),
      pendingWindow: Duration.days(7),
      description: 'payments',
      tags: { team: 'payments' },
      removalPolicy: RemovalPolicy.DESTROY,
      enabled: false,
    });
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: {
        RotationPeriodInDays: 90,
        PendingWindowInDays: 7,
        Description: 'payments',
        Enabled: false,
        Tags: [{ Key: 'team', Value: 'payments' }],
      },
      DeletionPolicy: 'Delete',
    });
  });

  test('rotation can be turned off for a symmetric key', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key', { enableKeyRotation: false });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: Match.absent(),
      RotationPeriodInDays: Match.absent(),
    });
  });

  test.each([
    [kms.KeySpec.HMAC_256, 'GENERATE_VERIFY_MAC'],
    [kms.KeySpec.ECC_NIST_P256, 'SIGN_VERIFY'],
    [kms.KeySpec.RSA_2048, undefined],
  ])('non-rotating spec %s has no rotation and the usage it needs', (keySpec, usage) => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key', { keySpec });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeySpec: keySpec,
      KeyUsage: usage ?? Match.absent(),
      EnableKeyRotation: Match.absent(),
    });
    expect(key.rotationEnabled).toBe(false);
  });

  test('aliases get one construct per name, so reordering them never replaces one', () => {
    const a = newStack();
    new CustomerManagedKey(a, 'Key', { aliases: ['alias/one', 'two'] });
    const b = newStack();
    new CustomerManagedKey(b, 'Key', { aliases: ['alias/two', 'alias/one'] });
    const ids = (s: Stack) => Object.entries(Template.fromStack(s).findResources('AWS::KMS::Alias'))
      .map(([id, r]) => `${id}=${r.Properties.AliasName}`).sort();
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).toHaveLength(2);
    expect(ids(a).join()).toContain('=alias/two');
  });

  test('the logical id of the key is that of a kms.Key with the same id', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key');
    const plainStack = newStack();
    const plain = new kms.Key(plainStack, 'Key');
    expect(stack.getLogicalId(key.node.defaultChild as kms.CfnKey)).toEqual(plainStack.getLogicalId(plain.node.defaultChild as kms.CfnKey));
  });
});

describe('grants', () => {
  test('a grant writes the key policy and the grantee\'s policy', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key');
    const writer = role(stack, 'Writer');
    key.grantEncrypt(writer);
    const statement = keyPolicyStatements(stack).find((s) => [s.Action].flat().includes('kms:Encrypt'));
    expect(statement.Principal).toEqual({ AWS: { 'Fn::GetAtt': [stack.getLogicalId(writer.node.defaultChild as iam.CfnRole), 'Arn'] } });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['kms:Encrypt']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } })] },
    });
  });

  test('a principal of another environment gets the key ARN pattern of the key\'s environment', () => {
    const app = new App();
    const keyStack = new Stack(app, 'KeyStack', { env });
    const other = new Stack(app, 'Other', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = new CustomerManagedKey(keyStack, 'Key');
    const reader = new iam.Role(other, 'Reader', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'reader' });
    key.grantDecrypt(reader);
    Template.fromStack(other).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'kms:Decrypt', Resource: KEY_PATTERN })] },
    });
  });

  test('grantAdmin gives the administrator actions without CreateGrant', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key');
    key.grantAdmin(role(stack, 'Ops'));
    const statement = keyPolicyStatements(stack).find((s) => s.Principal?.AWS?.['Fn::GetAtt']);
    expect(statement.Action).toContain('kms:ScheduleKeyDeletion');
    expect(statement.Action).not.toContain('kms:CreateGrant');
  });
});

describe('identity policies for other accounts', () => {
  test('a user policy in another account names the key by its alias', () => {
    const app = new App();
    const keyStack = new Stack(app, 'KeyStack', { env });
    const partner = new Stack(app, 'Partner', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = new CustomerManagedKey(keyStack, 'Key', { aliases: ['alias/shared'] });
    const consumer = new iam.Role(partner, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
    new KeyUserPolicy(partner, 'UseSharedKey', { key, roles: [consumer] });
    Template.fromStack(partner).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'KeyUse',
          Resource: KEY_PATTERN,
          Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/shared'] } },
        })]),
      },
    });
  });

  test('a policy for an imported key ARN names that ARN', () => {
    const stack = newStack('Partner', { account: '222222222222', region: 'eu-west-1' });
    const key = kms.Key.fromKeyArn(stack, 'Shared', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new KeyAdminPolicy(stack, 'Admin', { key });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' })] },
    });
  });

  test('a key of another account without alias cannot be named: clear error', () => {
    const app = new App();
    const keyStack = new Stack(app, 'KeyStack', { env });
    const partner = new Stack(app, 'Partner', { env: { account: '222222222222', region: 'eu-west-1' } });
    const key = new CustomerManagedKey(keyStack, 'Key');
    expect(() => new KeyUserPolicy(partner, 'UseSharedKey', { key })).toThrow(/Partner\/UseSharedKey: the key KeyStack\/Key is in another environment .* give the key an alias/);
  });
});

describe('synth-time warnings', () => {
  test('a key policy over 80% of the limit warns', () => {
    const stack = newStack();
    const users = Array.from({ length: 195 }, (_, i) => new iam.ArnPrincipal(`arn:aws:iam::222222222222:role/consumer-role-with-a-long-name-${i}`));
    new CustomerManagedKey(stack, 'Key', { users });
    Annotations.fromStack(stack).hasWarning('/Stack/Key', Match.stringLikeRegexp('takes up to \\d+ of 32768 bytes'));
  });
});
