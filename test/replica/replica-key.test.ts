import { App, Aws, Duration, PhysicalName, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccountRootAccess, CustomerManagedKey, CustomerManagedKeyProps, ReplicaKey, ReplicaKeyProps } from '../../src';
import { idOf, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const PRIMARY_REGION = 'eu-west-1';
const REPLICA_REGIONS = ['us-east-1', 'ap-southeast-2'];
const PRIMARY_ARN = `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;

interface Primary {
  readonly app: App;
  readonly stack: Stack;
  readonly admin: iam.Role;
  readonly user: iam.Role;
  readonly key: CustomerManagedKey;
}

/** GIVEN a multi-Region primary in eu-west-1 with an admin role and a user role of its stack. */
function primary(props: Partial<CustomerManagedKeyProps> = {}, roleName?: (id: string) => string | undefined): Primary {
  const app = new App();
  const stack = new Stack(app, 'Keys', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: roleName?.('key-admins') });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal(), roleName: roleName?.('key-users') });
  const key = new CustomerManagedKey(stack, 'Key', { multiRegion: true, admins: [admin], users: [user], ...props });
  return { app, stack, admin, user, key };
}

function replicaStack(app: App, region: string, id = `Replica-${region}`, account = ACCOUNT): Stack {
  return new Stack(app, id, { env: { account, region }, crossRegionReferences: true });
}

function logicalIdOf(key: ReplicaKey | CustomerManagedKey): string {
  return Stack.of(key).getLogicalId(key.node.defaultChild as kms.CfnReplicaKey);
}

function statementsOf(world: World, key: ReplicaKey | CustomerManagedKey): any[] {
  return world.keyPolicy(idOf(key)).Statement;
}

function bySid(statements: any[]): Record<string, any> {
  return Object.fromEntries(statements.filter((st) => st.Sid).map((st) => [st.Sid, st]));
}

describe('ReplicaKey.replicate: a primary and replicas in two other regions', () => {
  const p = primary();
  const replicas = ReplicaKey.replicate(p.key, { regions: REPLICA_REGIONS, aliases: ['alias/app/data'] });
  const stacks = replicas.map((r) => Stack.of(r));
  const world = new World(p.stack, ...stacks);

  test('one stack per region, in the primary\'s app, with the primary\'s account and crossRegionReferences', () => {
    expect(stacks.map((s) => [s.node.id, s.region, s.account])).toEqual([
      ['Keys-us-east-1', 'us-east-1', ACCOUNT],
      ['Keys-ap-southeast-2', 'ap-southeast-2', ACCOUNT],
    ]);
    expect(stacks.every((s) => s.node.scope === p.app)).toBe(true);
    expect(stacks.every((s) => s._crossRegionReferences)).toBe(true);
  });

  test.each(REPLICA_REGIONS.map((r, i) => [r, i]))('the replica in %s is an AWS::KMS::ReplicaKey of the primary, retained, 30-day window', (_region, i) => {
    Template.fromStack(stacks[i]).hasResource('AWS::KMS::ReplicaKey', {
      Properties: {
        PrimaryKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExportsReader'), Match.stringLikeRegexp('^/cdk/exports/.*Key.*Arn')] },
        PendingWindowInDays: 30,
        KeyPolicy: Match.objectLike({ Statement: Match.anyValue() }),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    // The primary's ARN is the value CDK carries into the replica's region.
    expect(world.resolveIn(idOf(replicas[i]), Template.fromStack(stacks[i]).toJSON().Resources[logicalIdOf(replicas[i])].Properties.PrimaryKeyArn))
      .toEqual(world.arnOf(idOf(p.key)));
  });

  test('every key has its own region in its ARN; the replica\'s keyArn is its own GetAtt Arn', () => {
    expect(world.arnOf(idOf(p.key))).toMatch(/^arn:aws:kms:eu-west-1:111111111111:key\//);
    expect(world.arnOf(idOf(replicas[0]))).toMatch(/^arn:aws:kms:us-east-1:111111111111:key\//);
    expect(world.arnOf(idOf(replicas[1]))).toMatch(/^arn:aws:kms:ap-southeast-2:111111111111:key\//);
    for (const replica of replicas) {
      expect(Stack.of(replica).resolve(replica.keyArn)).toEqual({ 'Fn::GetAtt': [logicalIdOf(replica), 'Arn'] });
      expect(Stack.of(replica).resolve(replica.keyRef.keyArn)).toEqual({ 'Fn::GetAtt': [logicalIdOf(replica), 'Arn'] });
      expect(Stack.of(replica).resolve(replica.keyId)).toEqual({ 'Fn::GetAtt': [logicalIdOf(replica), 'KeyId'] });
    }
  });

  test('the account root, admins and users statements of each replica equal the primary\'s', () => {
    const primaryStatements = bySid(statementsOf(world, p.key));
    // The primary alone lets its policy rewriters replicate it, to the replicas' regions.
    expect(Object.keys(primaryStatements).sort()).toEqual(['KeyAdministration', 'KeyReplication', 'KeyUse', 'KeyUseGrantsForAwsResources']);
    const { KeyReplication: replication, ...shared } = primaryStatements;
    expect(replication.Action).toEqual('kms:ReplicateKey');
    expect(replication.Condition).toEqual({ StringEquals: { 'kms:ReplicaRegion': ['ap-southeast-2', 'us-east-1'] } });
    for (const replica of replicas) {
      expect(bySid(statementsOf(world, replica))).toEqual(shared);
    }
    // Principals are the primary stack's roles, read through the cross-region reference.
    expect(primaryStatements.KeyAdministration.Principal).toEqual({ AWS: [`arn:aws:iam::${ACCOUNT}:root`, world.arnOf(idOf(p.admin))] });
  });

  test('the replicas share the primary\'s spec and usage, and its multi-Region admin actions', () => {
    for (const replica of replicas) {
      expect([replica.keySpec, replica.keyUsage]).toEqual([kms.KeySpec.SYMMETRIC_DEFAULT, kms.KeyUsage.ENCRYPT_DECRYPT]);
      expect(replica.adminActions).toEqual(p.key.adminActions);
      expect(replica.adminActions).toEqual(expect.arrayContaining(['kms:UpdatePrimaryRegion']));
      // ReplicateKey goes with PutKeyPolicy, in a statement of its own held to the replicas' regions.
      expect(replica.adminActions).not.toContain('kms:ReplicateKey');
    }
  });

  test('each replica stack depends on the primary stack, so the primary deploys first', () => {
    for (const stack of stacks) {
      expect(stack.dependencies).toContain(p.stack);
    }
    const assembly = p.app.synth();
    for (const stack of stacks) {
      expect(assembly.getStackArtifact(stack.artifactId).dependencies.map((d) => d.id)).toContain(p.stack.artifactId);
    }
    expect(p.stack.dependencies).toEqual([]);
  });

  test('aliases are created in each replica\'s region, on the replica', () => {
    stacks.forEach((stack, i) => {
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Alias', {
        AliasName: 'alias/app/data',
        TargetKeyId: { 'Fn::GetAtt': [logicalIdOf(replicas[i]), 'Arn'] },
      });
    });
    expect(replicas[0].aliasNames).toEqual(['alias/app/data']);
  });
});

describe('the access model is rendered for each key\'s own region', () => {
  test('a region-specific part (kms:ViaService) carries each key\'s region, also when added after the replicas', () => {
    // GIVEN a primary and two replicas
    const p = primary();
    const replicas = ReplicaKey.replicate(p.key, { regions: REPLICA_REGIONS });
    // WHEN a part that uses the region is added to the model (as sharing and presets do)
    p.key._policyModel.add(({ stack }) => [new iam.PolicyStatement({
      sid: 'UseThroughEc2',
      principals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/ec2-user`)],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` } },
    })]);
    // THEN every key names its own region
    const world = new World(p.stack, ...replicas.map((r) => Stack.of(r)));
    const via = (key: ReplicaKey | CustomerManagedKey) => bySid(statementsOf(world, key)).UseThroughEc2.Condition.StringEquals['kms:ViaService'];
    expect([via(p.key), ...replicas.map(via)]).toEqual([
      'ec2.eu-west-1.amazonaws.com',
      'ec2.us-east-1.amazonaws.com',
      'ec2.ap-southeast-2.amazonaws.com',
    ]);
  });

  test('parts know whether they render for a replica', () => {
    const p = primary();
    const seen: string[] = [];
    p.key._policyModel.add(({ stack, replica }) => {
      seen.push(`${stack.region}:${replica}`);
      return [];
    });
    ReplicaKey.replicate(p.key, { regions: ['us-east-1'] });
    expect(seen).toEqual(['eu-west-1:false', 'us-east-1:true']);
  });
});

describe('per-replica settings', () => {
  test('description, enabled, pending window, removal policy and tags are the replica\'s own', () => {
    const p = primary({ description: 'primary', pendingWindow: Duration.days(30) });
    const replica = new ReplicaKey(replicaStack(p.app, 'us-east-1'), 'Key', {
      primaryKey: p.key,
      description: 'replica in us-east-1',
      enabled: false,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
      tags: { team: 'platform' },
    });
    Template.fromStack(Stack.of(replica)).hasResource('AWS::KMS::ReplicaKey', {
      Properties: {
        Description: 'replica in us-east-1',
        Enabled: false,
        PendingWindowInDays: 7,
        Tags: [{ Key: 'team', Value: 'platform' }],
      },
      DeletionPolicy: 'Delete',
    });
    Template.fromStack(p.stack).hasResourceProperties('AWS::KMS::Key', { Description: 'primary', EnableKeyRotation: true });
  });

  test('the replica has no rotation, key spec or key usage of its own in the template', () => {
    const p = primary();
    const replica = new ReplicaKey(replicaStack(p.app, 'us-east-1'), 'Key', { primaryKey: p.key });
    Template.fromStack(Stack.of(replica)).hasResourceProperties('AWS::KMS::ReplicaKey', {
      EnableKeyRotation: Match.absent(),
      KeySpec: Match.absent(),
      KeyUsage: Match.absent(),
    });
  });

  test('the construct id of the replica in replicate() is the primary\'s, so its logical id is stable', () => {
    const p = primary();
    const [replica] = ReplicaKey.replicate(p.key, { regions: ['us-east-1'] });
    expect(replica.node.id).toEqual('Key');
    expect(logicalIdOf(replica)).toEqual(logicalIdOf(p.key));
  });

  test('several keys of one stack share one replica stack per region', () => {
    const p = primary();
    const other = new CustomerManagedKey(p.stack, 'OtherKey', { multiRegion: true });
    const [a] = ReplicaKey.replicate(p.key, { regions: ['us-east-1'] });
    const [b] = ReplicaKey.replicate(other, { regions: ['us-east-1'] });
    expect(Stack.of(a)).toBe(Stack.of(b));
    Template.fromStack(Stack.of(a)).resourceCountIs('AWS::KMS::ReplicaKey', 2);
  });

  test('replicate() places the stacks in the primary\'s stage', () => {
    const app = new App();
    const stage = new Stage(app, 'Prod', { env: { account: ACCOUNT, region: PRIMARY_REGION } });
    const stack = new Stack(stage, 'Keys');
    const key = new CustomerManagedKey(stack, 'Key', { multiRegion: true });
    const [replica] = ReplicaKey.replicate(key, { regions: ['us-east-1'] });
    expect(Stage.of(replica)).toBe(stage);
    expect(Stack.of(replica).stackName).toEqual('Prod-Keys-us-east-1');
  });
});

describe('replicate() stacks', () => {
  test('stackIdPrefix names the replica stacks', () => {
    const p = primary();
    const replicas = ReplicaKey.replicate(p.key, { regions: REPLICA_REGIONS, stackIdPrefix: 'DataKeyReplicas' });
    expect(replicas.map((r) => Stack.of(r).node.id)).toEqual(['DataKeyReplicas-us-east-1', 'DataKeyReplicas-ap-southeast-2']);
  });

  test('an id taken by a construct that is not a stack fails', () => {
    const p = primary();
    new Stage(p.app, 'Keys-us-east-1');
    expect(() => ReplicaKey.replicate(p.key, { regions: ['us-east-1'] }))
      .toThrow(/^Keys\/Key: replicate\(\) needs the id Keys-us-east-1 for the replica stack of us-east-1, but Keys-us-east-1 is not a stack/);
  });

  test('a region that is a token fails', () => {
    const p = primary();
    expect(() => ReplicaKey.replicate(p.key, { regions: [Aws.REGION] }))
      .toThrow(/^Keys\/Key: replicate\(\) needs concrete region names, got a token/);
  });

  test('on aws-cdk-lib releases without addStackDependency (the 2.257 floor), the dependency is added with addDependency', () => {
    const p = primary();
    const stack = replicaStack(p.app, 'us-east-1');
    Object.defineProperty(stack, 'addStackDependency', { value: undefined });
    // (2.276's addDependency forwards to addStackDependency, which this stack no longer has.)
    const addDependency = jest.spyOn(stack, 'addDependency').mockImplementation(() => undefined);
    new ReplicaKey(stack, 'Key', { primaryKey: p.key, primaryKeyArn: PRIMARY_ARN });
    expect(addDependency).toHaveBeenCalledWith(p.stack, 'replica Replica-us-east-1/Key of Keys/Key');
  });
});

describe('an explicit primary key ARN instead of a cross-region reference', () => {
  test('no custom resource anywhere; named roles are referenced by name; the stacks still depend on the primary', () => {
    // GIVEN roles with physical names
    const p = primary({}, (name) => name);
    // WHEN
    const replicas = ReplicaKey.replicate(p.key, { regions: REPLICA_REGIONS, primaryKeyArn: PRIMARY_ARN });
    // THEN
    const world = new World(p.stack, ...replicas.map((r) => Stack.of(r)));
    for (const stack of [p.stack, ...replicas.map((r) => Stack.of(r))]) {
      const types = Object.values(Template.fromStack(stack).toJSON().Resources).map((r: any) => r.Type);
      expect(types.filter((t) => t.startsWith('Custom::') || t === 'AWS::Lambda::Function')).toEqual([]);
    }
    for (const replica of replicas) {
      const stack = Stack.of(replica);
      expect(stack._crossRegionReferences).toBe(false);
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::ReplicaKey', { PrimaryKeyArn: PRIMARY_ARN });
      expect(bySid(statementsOf(world, replica)).KeyAdministration.Principal).toEqual({ AWS: [`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:role/key-admins`] });
      expect(bySid(statementsOf(world, replica)).KeyUse.Principal).toEqual({ AWS: `arn:aws:iam::${ACCOUNT}:role/key-users` });
      expect(stack.dependencies).toContain(p.stack);
      expect(replica.primaryKeyArn).toEqual(PRIMARY_ARN);
    }
  });

  test('roles with PhysicalName.GENERATE_IF_NEEDED work too', () => {
    const p = primary({}, () => PhysicalName.GENERATE_IF_NEEDED);
    const [replica] = ReplicaKey.replicate(p.key, { regions: ['us-east-1'], primaryKeyArn: PRIMARY_ARN });
    const principal = bySid(new World(p.stack, Stack.of(replica)).keyPolicy(idOf(replica)).Statement).KeyUse.Principal.AWS;
    expect(principal).toMatch(/^arn:aws:iam::111111111111:role\/keys.*user/i);
  });

  test('a role of the primary stack without a physical name fails with what to do', () => {
    const p = primary();
    expect(() => ReplicaKey.replicate(p.key, { regions: ['us-east-1'], primaryKeyArn: PRIMARY_ARN })).toThrow(
      /^Keys-us-east-1\/Key: the key policy names Keys\/Admin, created in stack Keys \(eu-west-1\), which this replica's stack \(us-east-1\) can name only by its physical name: give it one \(for a role `roleName`, or `PhysicalName.GENERATE_IF_NEEDED`\), or let the replica stack use crossRegionReferences/,
    );
  });
});

describe('grants on a replica', () => {
  test('a role of the replica\'s region: the replica\'s key policy and the role\'s policy, on the replica\'s ARN', () => {
    const p = primary();
    const stack = replicaStack(p.app, 'us-east-1');
    const replica = new ReplicaKey(stack, 'Key', { primaryKey: p.key });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    replica.grantDecrypt(reader);

    const world = new World(p.stack, stack);
    const readerArn = world.arnOf(idOf(reader));
    expect(statementsOf(world, replica)).toContainEqual({ Effect: 'Allow', Principal: { AWS: readerArn }, Action: 'kms:Decrypt', Resource: '*' });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [logicalIdOf(replica), 'Arn'] } }] },
    });
    // The primary's key policy does not get the replica's grant.
    expect(JSON.stringify(statementsOf(world, p.key))).not.toContain(readerArn);
  });

  test('a role of the primary\'s stack: its own policy names the keys of the replica\'s region', () => {
    const p = primary();
    const [replica] = ReplicaKey.replicate(p.key, { regions: ['us-east-1'] });
    const auditor = new iam.Role(p.stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
    replica.grantEncrypt(auditor);
    Template.fromStack(p.stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Action: Match.arrayWith(['kms:Encrypt']),
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:us-east-1:111111111111:key/*']] },
        })],
      },
    });
  });

  test('aws-cdk-lib constructs take a replica as their key and write its key policy', () => {
    const p = primary();
    const stack = replicaStack(p.app, 'us-east-1');
    const replica = new ReplicaKey(stack, 'Key', { primaryKey: p.key });
    const bucket = new s3.Bucket(stack, 'Data', { encryptionKey: replica, enforceSSL: true });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    bucket.grantRead(reader);
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(replica), 'Arn'] } } }] },
    });
    const world = new World(p.stack, stack);
    const readerArn = world.arnOf(idOf(reader));
    expect(statementsOf(world, replica).some((st) => st.Principal?.AWS === readerArn && [].concat(st.Action).includes('kms:Decrypt' as never))).toBe(true);
  });

  test.each<[string, kms.KeySpec, kms.KeyUsage | undefined, (k: kms.IKey, g: iam.IGrantable) => iam.Grant, string[]]>([
    ['grantDecrypt', kms.KeySpec.SYMMETRIC_DEFAULT, undefined, (k, g) => k.grantDecrypt(g), ['kms:Decrypt']],
    ['grantEncrypt', kms.KeySpec.SYMMETRIC_DEFAULT, undefined, (k, g) => k.grantEncrypt(g), ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptTo']],
    ['grantEncryptDecrypt', kms.KeySpec.SYMMETRIC_DEFAULT, undefined, (k, g) => k.grantEncryptDecrypt(g), ['kms:Decrypt', 'kms:Encrypt']],
    ['grantEncrypt on an RSA key', kms.KeySpec.RSA_2048, kms.KeyUsage.ENCRYPT_DECRYPT, (k, g) => k.grantEncrypt(g), ['kms:Encrypt']],
    ['grantSign', kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.SIGN_VERIFY, (k, g) => k.grantSign(g), ['kms:Sign']],
    ['grantVerify', kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.SIGN_VERIFY, (k, g) => k.grantVerify(g), ['kms:Verify']],
    ['grantSignVerify', kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.SIGN_VERIFY, (k, g) => k.grantSignVerify(g), ['kms:Sign', 'kms:Verify']],
    ['grantGenerateMac', kms.KeySpec.HMAC_256, undefined, (k, g) => k.grantGenerateMac(g), ['kms:GenerateMac']],
    ['grantVerifyMac', kms.KeySpec.HMAC_256, undefined, (k, g) => k.grantVerifyMac(g), ['kms:VerifyMac']],
  ])('%s writes the replica\'s key policy and the grantee\'s policy, on a replica and on an imported replica', (_name, keySpec, keyUsage, grant, actions) => {
    // GIVEN a replica of a primary of the spec, and an imported replica
    const p = primary({ keySpec, keyUsage });
    const stack = replicaStack(p.app, 'us-east-1');
    const replica = new ReplicaKey(stack, 'Key', { primaryKey: p.key });
    const imported = ReplicaKey.fromReplicaKeyArn(stack, 'Imported', `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1`);
    const grantee = new iam.Role(stack, 'Grantee', { assumedBy: new iam.AccountRootPrincipal() });
    // WHEN
    grant(replica, grantee);
    grant(imported, grantee);
    // THEN
    const world = new World(p.stack, stack);
    const granteeArn = world.arnOf(idOf(grantee));
    const granted = statementsOf(world, replica).filter((st) => st.Principal?.AWS === granteeArn).flatMap((st) => [].concat(st.Action));
    expect(granted).toEqual(expect.arrayContaining(actions));
    const identity = world.identityPoliciesOf(idOf(grantee)).flatMap((x) => x.policy.Statement);
    for (const resource of [world.arnOf(idOf(replica)), `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1`]) {
      const onResource = identity.filter((st: any) => st.Resource === resource).flatMap((st: any) => [].concat(st.Action));
      expect([resource, onResource]).toEqual([resource, expect.arrayContaining(actions)]);
    }
  });

  test('grantAdmin gives the primary\'s administrator actions; a use grant the usage does not allow fails', () => {
    const p = primary({ keySpec: kms.KeySpec.HMAC_256 });
    const stack = replicaStack(p.app, 'us-east-1');
    const replica = new ReplicaKey(stack, 'Key', { primaryKey: p.key });
    const ops = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    replica.grantAdmin(ops);
    expect(() => replica.grantDecrypt(ops)).toThrow(/^Replica-us-east-1\/Key: grantDecrypt\(\) needs a key with usage ENCRYPT_DECRYPT, got a HMAC_256 key with usage GENERATE_VERIFY_MAC/);
    expect(() => replica.grant(ops, 'kms:*')).toThrow(/^Replica-us-east-1\/Key: grant\(\) does not give 'kms:\*'/);
  });

  test('the finished replica policy is checked like the primary\'s: an admin given use fails at synth', () => {
    const p = primary();
    const [replica] = ReplicaKey.replicate(p.key, { regions: ['us-east-1'] });
    replica.grantDecrypt(p.admin);
    expect(() => p.app.synth()).toThrow(/\[Keys-us-east-1\/Key\] the key policy gives .* both administrative actions .* and cryptographic actions \(kms:Decrypt\)/);
  });
});

describe('ReplicaKey.fromReplicaKeyArn', () => {
  const REPLICA_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`;

  test('grants go to the principal\'s policy, on the replica\'s ARN, in its region', () => {
    const stack = new Stack(new App(), 'App', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const key = ReplicaKey.fromReplicaKeyArn(stack, 'Replica', REPLICA_ARN);
    const fn = new iam.Role(stack, 'Fn', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    key.grantEncryptDecrypt(fn);
    expect([key.keyArn, key.keyId, key.env.region, key.keyRef.keyArn]).toEqual([REPLICA_ARN, 'mrk-1234abcd12ab34cd56ef1234567890ab', 'us-east-1', REPLICA_ARN]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt', 'kms:Encrypt']), Resource: REPLICA_ARN })] },
    });
    expect(key.addToResourcePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'], principals: [fn] })).statementAdded).toBe(false);
  });

  test('a principal of another region still gets the replica\'s exact ARN', () => {
    const stack = new Stack(new App(), 'App', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const key = ReplicaKey.fromReplicaKeyArn(stack, 'Replica', REPLICA_ARN);
    key.grantDecrypt(new iam.Role(stack, 'Fn', { assumedBy: new iam.AccountRootPrincipal() }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: REPLICA_ARN }] },
    });
  });

  test('an alias is created in the replica\'s region only', () => {
    const here = new Stack(new App(), 'Here', { env: { account: ACCOUNT, region: 'us-east-1' } });
    ReplicaKey.fromReplicaKeyArn(here, 'Replica', REPLICA_ARN).addAlias('app/data');
    Template.fromStack(here).hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app/data', TargetKeyId: REPLICA_ARN });
    const elsewhere = new Stack(new App(), 'Elsewhere', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    expect(() => ReplicaKey.fromReplicaKeyArn(elsewhere, 'Replica', REPLICA_ARN).addAlias('app/data'))
      .toThrow(/^Elsewhere\/Replica: an alias of the replica in us-east-1 must be created in a stack of that region, got a stack in eu-west-1/);
  });

  test.each([
    `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`,
    'arn:aws:s3:::bucket/mrk-x',
  ])('refuses %s, which is not a multi-Region key ARN', (arn) => {
    const stack = new Stack(new App(), 'App');
    expect(() => ReplicaKey.fromReplicaKeyArn(stack, 'Replica', arn))
      .toThrow(new RegExp(`^App/Replica: replicaKeyArn must be the ARN of a multi-Region key \\(arn:<partition>:kms:<region>:<account>:key/mrk-\\.\\.\\.\\), got '${arn.replace(/[/.*]/g, '\\$&')}'`));
  });
});

describe('bad placements and inputs fail at synth with the path, what was received and what is allowed', () => {
  test('the primary is not multi-Region', () => {
    const p = primary({ multiRegion: false });
    expect(() => ReplicaKey.replicate(p.key, { regions: ['us-east-1'] }))
      .toThrow(/^Keys\/Key: the primary key Keys\/Key is not a multi-Region key; create it with multiRegion: true/);
    expect(() => new ReplicaKey(replicaStack(p.app, 'us-east-1'), 'Key', { primaryKey: p.key }))
      .toThrow(/^Replica-us-east-1\/Key: the primary key Keys\/Key is not a multi-Region key/);
  });

  test('the primary is not a CustomerManagedKey', () => {
    const p = primary();
    const plain = new kms.Key(p.stack, 'Plain', { multiRegion: true, enableKeyRotation: true });
    expect(() => new ReplicaKey(replicaStack(p.app, 'us-east-1'), 'Key', { primaryKey: plain }))
      .toThrow(/^Replica-us-east-1\/Key: primaryKey must be a CustomerManagedKey of this app .*, got Keys\/Plain/);
  });

  test('the replica is in the primary\'s region', () => {
    const p = primary();
    expect(() => ReplicaKey.replicate(p.key, { regions: ['eu-west-1'] }))
      .toThrow(/^Keys-eu-west-1\/Key: the replica is in eu-west-1, the region of its primary Keys\/Key; a replica must be in another region/);
  });

  test('two replicas in one region', () => {
    const p = primary();
    new ReplicaKey(replicaStack(p.app, 'us-east-1', 'A'), 'Key', { primaryKey: p.key });
    expect(() => new ReplicaKey(replicaStack(p.app, 'us-east-1', 'B'), 'Key', { primaryKey: p.key }))
      .toThrow(/^B\/Key: the primary Keys\/Key already has a replica in us-east-1 \(A\/Key\); a region holds at most one replica of a primary/);
    expect(() => ReplicaKey.replicate(p.key, { regions: ['us-east-1'] })).toThrow(/already has a replica in us-east-1 \(A\/Key\)/);
    expect(() => ReplicaKey.replicate(primary().key, { regions: ['us-west-2', 'us-west-2'] }))
      .toThrow(/^Keys\/Key: replicate\(\) got region us-west-2 twice; a region holds at most one replica of a primary/);
  });

  test('a replica stack without a concrete region (env-agnostic)', () => {
    const p = primary();
    const agnostic = new Stack(p.app, 'Agnostic', { crossRegionReferences: true });
    expect(() => new ReplicaKey(agnostic, 'Key', { primaryKey: p.key }))
      .toThrow(/^Agnostic\/Key: 2 problems:\n {2}- the replica's stack Agnostic has no concrete region \(env-agnostic\); a replica is created in the region of its stack: give the stack env.region\n {2}- the replica's account \(not concrete: env-agnostic\) is not the primary's account \(111111111111\)/);
  });

  test('a primary without a concrete region', () => {
    const app = new App();
    const key = new CustomerManagedKey(new Stack(app, 'Keys'), 'Key', { multiRegion: true });
    expect(() => ReplicaKey.replicate(key, { regions: ['us-east-1'] }))
      .toThrow(/the primary key's stack Keys has no concrete region \(env-agnostic\); give it env.region/);
  });

  test('a replica in another partition', () => {
    const p = primary();
    expect(() => ReplicaKey.replicate(p.key, { regions: ['cn-north-1'] }))
      .toThrow(/^Keys-cn-north-1\/Key: the replica's region cn-north-1 is in partition aws-cn, its primary's region eu-west-1 in partition aws; a replica must be in the primary's partition/);
  });

  test('a replica in another account', () => {
    const p = primary();
    expect(() => new ReplicaKey(replicaStack(p.app, 'us-east-1', 'Other', '222222222222'), 'Key', { primaryKey: p.key }))
      .toThrow(/^Other\/Key: the replica's account \(222222222222\) is not the primary's account \(111111111111\); a replica must be in the primary's account/);
  });

  test('a replica stack without crossRegionReferences and no primaryKeyArn', () => {
    const p = primary();
    const stack = new Stack(p.app, 'Plain', { env: { account: ACCOUNT, region: 'us-east-1' } });
    expect(() => new ReplicaKey(stack, 'Key', { primaryKey: p.key }))
      .toThrow(/^Plain\/Key: the replica's stack Plain cannot reference the primary key's ARN in another region: create it with crossRegionReferences: true .*, or pass primaryKeyArn/);
  });

  test.each<[string, string, RegExp]>([
    ['not a multi-Region key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, /primaryKeyArn must be the ARN of a multi-Region key \(.*\), got 'arn:aws:kms:eu-west-1:111111111111:key\/1234abcd/],
    ['another region', `arn:aws:kms:eu-central-1:${ACCOUNT}:key/mrk-1`, /primaryKeyArn is in region eu-central-1, but the primary key's stack is in eu-west-1/],
    ['another account', 'arn:aws:kms:eu-west-1:222222222222:key/mrk-1', /primaryKeyArn is in account 222222222222, but the primary key's stack is in 111111111111/],
    ['another partition', `arn:aws-cn:kms:eu-west-1:${ACCOUNT}:key/mrk-1`, /primaryKeyArn names partition aws-cn, but region eu-west-1 is in partition aws/],
  ])('a primaryKeyArn of %s', (_name, arn, message) => {
    const p = primary({}, (name) => name);
    expect(() => ReplicaKey.replicate(p.key, { regions: ['us-east-1'], primaryKeyArn: arn })).toThrow(message);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['enableKeyRotation', { enableKeyRotation: true }, /enableKeyRotation cannot be set on a replica, got true: a replica shares key spec, key usage and rotation with its primary; set them on Keys\/Key/],
    ['rotationPeriod', { rotationPeriod: Duration.days(90) }, /rotationPeriod cannot be set on a replica, got 90 days/],
    ['keySpec', { keySpec: kms.KeySpec.HMAC_256 }, /keySpec cannot be set on a replica, got "HMAC_256"/],
    ['keyUsage', { keyUsage: kms.KeyUsage.SIGN_VERIFY }, /keyUsage cannot be set on a replica, got "SIGN_VERIFY"/],
    ['multiRegion', { multiRegion: true }, /multiRegion cannot be set on a replica, got true/],
  ])('%s passed through an untyped object (as from Python or Java maps) is refused', (_name, extra, message) => {
    const p = primary();
    const props = { primaryKey: p.key, ...extra } as unknown as ReplicaKeyProps;
    expect(() => new ReplicaKey(replicaStack(p.app, 'us-east-1'), 'Key', props)).toThrow(message);
  });

  test.each<[string, Partial<ReplicaKeyProps>, RegExp]>([
    ['pending window too short', { pendingWindow: Duration.days(6) }, /pendingWindow must be a whole number of days from 7 to 30, got 6 days/],
    ['pending window too long', { pendingWindow: Duration.days(31) }, /pendingWindow must be a whole number of days from 7 to 30, got 31 days/],
    ['reserved alias', { aliases: ['alias/aws/s3'] }, /alias must not start with 'alias\/aws\/' .*got 'alias\/aws\/s3'/],
    ['alias twice', { aliases: ['a', 'alias/a'] }, /alias 'alias\/a' is given twice/],
    ['description too long', { description: 'x'.repeat(8193) }, /description has at most 8192 characters, got 8193/],
    ['tag key with aws: prefix', { tags: { 'aws:x': 'y' } }, /tag key must not start with 'aws:' .*got 'aws:x'/],
    ['SNAPSHOT removal policy', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy SNAPSHOT does not apply to KMS keys/],
  ])('%s', (_name, props, message) => {
    const p = primary();
    expect(() => new ReplicaKey(replicaStack(p.app, 'us-east-1'), 'Key', { primaryKey: p.key, ...props }))
      .toThrow(new RegExp(`^Replica-us-east-1/Key: ${message.source}`));
  });

  test('every problem is listed in one error', () => {
    const p = primary();
    expect(() => ReplicaKey.replicate(p.key, { regions: ['cn-north-1'], pendingWindow: Duration.days(1), aliases: ['alias/aws/x'] }))
      .toThrow(/^Keys-cn-north-1\/Key: 3 problems:\n {2}- the replica's region cn-north-1 .*\n {2}- alias must not start .*\n {2}- pendingWindow/);
  });

  test('replicate() needs regions', () => {
    expect(() => ReplicaKey.replicate(primary().key, { regions: [] })).toThrow(/^Keys\/Key: replicate\(\) needs at least one region, got none/);
  });
});

describe('a replica of a fully delegated primary', () => {
  test('carries the root\'s kms:* without the root-use check refusing it', () => {
    const app = new App();
    const stack = new Stack(app, 'Primary', { env: { account: '111111111111', region: 'eu-west-1' }, crossRegionReferences: true });
    const delegated = new CustomerManagedKey(stack, 'Key', { multiRegion: true, accountRootAccess: AccountRootAccess.FULL_DELEGATION });
    ReplicaKey.replicate(delegated, { regions: ['us-east-1'] });
    expect(() => app.synth()).not.toThrow();
  });
});
