import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CustomerManagedKey,
  EbsSharedKeyAccess,
  EbsSharingPurpose,
  KmsResourceControlPolicy,
  KmsServiceControlPolicy,
  ServicePreset,
  ServiceVia,
  SharingTargets,
  SseKmsReplication,
} from '../../src';
import { decide, Decision, World } from '../helpers/world';

const MANAGEMENT = '999999999999';
const KEY_ACCOUNT = '111111111111';
const MEMBER = '222222222222';
const OUTSIDER = '333333333333';
const PARTNER = '444444444444';
const REGION = 'eu-west-1';
const ORG = 'o-exampleorg1';
const UNIT = `${ORG}/r-ab12/ou-ab12-11111111/`;
const DEPLOYER = `arn:aws:iam::${KEY_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${KEY_ACCOUNT}-${REGION}`;
const PLATFORM = `arn:aws:iam::${KEY_ACCOUNT}:role/platform-grants`;
const BREAK_GLASS = `arn:aws:iam::${KEY_ACCOUNT}:role/break-glass`;
const ADMINISTRATOR_ACCESS = { name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };

/** GIVEN the management account's guardrails: every SCP statement on, and the RCP with a partner account. */
const management = new Stack(new App(), 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
const scpConstruct = new KmsServiceControlPolicy(management, 'Scp', {
  targetIds: ['r-ab12'],
  grantPlatformRoleArns: [PLATFORM],
  denyKeyDeletion: true,
  breakGlassRoleArns: [BREAK_GLASS],
  requiredTagKeys: ['CostCenter'],
  allowedKeyOrigins: ['AWS_KMS', 'EXTERNAL'],
});
const rcpConstruct = new KmsResourceControlPolicy(management, 'Rcp', { organizationId: ORG, targetIds: ['r-ab12'], trustedAccountIds: [PARTNER] });
const managementTemplate = new World(management);
const contentOf = (c: KmsServiceControlPolicy | KmsResourceControlPolicy) =>
  managementTemplate.resolveIn(management.getLogicalId(c.policy), c.policy.content === undefined ? undefined : management.resolve(c.policy.content));
const SCP = { name: 'kms-guardrails', policy: contentOf(scpConstruct) };
const RCP = { name: 'kms-perimeter', policy: contentOf(rcpConstruct) };

/** AND a key account with the library's patterns: a key used through RDS by the deployer, shared with a unit and an outsider, and a replication. */
const keyStack = new Stack(new App(), 'Keys', { env: { account: KEY_ACCOUNT, region: REGION } });
const deployer = iam.Role.fromRoleArn(keyStack, 'Deployer', DEPLOYER);
const user = new iam.Role(keyStack, 'User', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'app' });
const key = new CustomerManagedKey(keyStack, 'Key', { users: [user] });
key.addServicePreset(ServicePreset.useVia(ServiceVia.rds(), [deployer]));
key.shareForSnapshotCopy(SharingTargets.organizationalUnits([UNIT]));
key.shareForSnapshotCopy(SharingTargets.accounts([OUTSIDER, PARTNER]));
const sourceKey = new CustomerManagedKey(keyStack, 'SourceKey');
const source = new s3.Bucket(keyStack, 'Source', { versioned: true, encryptionKey: sourceKey, bucketName: 'source-bucket' });
const destKey = new CustomerManagedKey(keyStack, 'DestKey');
const dest = new s3.Bucket(keyStack, 'Dest', { versioned: true, encryptionKey: destKey, bucketName: 'dest-bucket' });
const replication = new SseKmsReplication(keyStack, 'Replication', { sourceBucket: source, destinations: [{ bucket: dest, key: destKey }] });
const world = new World(keyStack);
const keyId = (k: CustomerManagedKey) => keyStack.getLogicalId(k.node.defaultChild as kms.CfnKey);
const keyArn = world.arnOf(keyId(key));
const roleId = (r: iam.IRole) => keyStack.getLogicalId(r.node.defaultChild as iam.CfnRole);

/** A member account's role with the target side of the shared key. */
function member(account: string) {
  const stack = new Stack(new App(), `Member${account}`, { env: { account, region: REGION } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'copier' });
  new EbsSharedKeyAccess(stack, 'Access', { keyArn, roles: [role], purposes: [EbsSharingPurpose.SNAPSHOT_COPY] });
  const w = new World(stack);
  const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  return { arn: w.arnOf(id), identityPolicies: w.identityPoliciesOf(id), account };
}
const inUnit = member(MEMBER);
const outsider = member(OUTSIDER);
const partner = member(PARTNER);

interface Ask {
  readonly principal: string;
  readonly action: string;
  readonly resource?: string;
  readonly keyPolicy?: any;
  readonly identityPolicies?: { name: string; policy: any }[];
  readonly context?: Record<string, string | string[]>;
  readonly org?: boolean;
  readonly guardrails?: boolean;
}

/** A request in the organization (or not), evaluated with the SCP and the RCP (or, as a control, without). */
function ask(a: Ask): Promise<Decision> {
  const account = a.principal.split(':')[4];
  const guarded = a.guardrails ?? true;
  return decide({
    principal: a.principal,
    action: a.action,
    resource: a.resource ?? keyArn,
    resourceAccount: KEY_ACCOUNT,
    identityPolicies: a.identityPolicies ?? [ADMINISTRATOR_ACCESS],
    resourcePolicy: a.keyPolicy,
    context: {
      'aws:PrincipalArn': a.principal,
      'aws:PrincipalAccount': account,
      'kms:CallerAccount': account,
      ...((a.org ?? true) ? { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [UNIT] } : {}),
      ...a.context,
    },
    serviceControlPolicies: guarded ? [SCP] : undefined,
    resourceControlPolicies: guarded ? [RCP] : undefined,
  });
}

const goodCreateKey = { 'kms:KeyOrigin': 'AWS_KMS', 'aws:RequestTag/CostCenter': 'cc-1', 'aws:TagKeys': ['CostCenter'] };
const keyPolicy = world.keyPolicy(keyId(key));

describe('the SCP denies what each statement names', () => {
  test('CreateKey and PutKeyPolicy with the lockout-check bypass (control: allowed without the SCP)', async () => {
    const bypass = { ...goodCreateKey, 'kms:BypassPolicyLockoutSafetyCheck': 'true' };
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateKey', resource: '*', context: bypass })).toEqual('ExplicitlyDenied');
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateKey', resource: '*', context: bypass, guardrails: false })).toEqual('Allowed');
    expect(await ask({ principal: DEPLOYER, action: 'kms:PutKeyPolicy', keyPolicy, context: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } })).toEqual('ExplicitlyDenied');
  });
  test('CreateGrant not for an AWS resource, except for the platform role (on a key with the default key policy)', async () => {
    const direct = { 'kms:GrantIsForAWSResource': 'false' };
    const defaultKeyPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${KEY_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] };
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateGrant', keyPolicy: defaultKeyPolicy, context: direct })).toEqual('ExplicitlyDenied');
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateGrant', keyPolicy: defaultKeyPolicy, context: direct, guardrails: false })).toEqual('Allowed');
    expect(await ask({ principal: PLATFORM, action: 'kms:CreateGrant', keyPolicy: defaultKeyPolicy, context: direct })).toEqual('Allowed');
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateGrant', keyPolicy: defaultKeyPolicy, context: { 'kms:GrantIsForAWSResource': 'true' } })).toEqual('Allowed');
  });
  test.each(['kms:ScheduleKeyDeletion', 'kms:DisableKey'])('%s except for the break-glass role', async (action) => {
    expect(await ask({ principal: DEPLOYER, action, keyPolicy })).toEqual('ExplicitlyDenied');
    expect(await ask({ principal: DEPLOYER, action, keyPolicy, guardrails: false })).toEqual('Allowed');
    expect(await ask({ principal: BREAK_GLASS, action, keyPolicy })).toEqual('Allowed');
  });
  test('CreateKey without the required tag, or with an origin that is not allowed', async () => {
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateKey', resource: '*', context: { 'kms:KeyOrigin': 'AWS_KMS' } })).toEqual('ExplicitlyDenied');
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateKey', resource: '*', context: { ...goodCreateKey, 'kms:KeyOrigin': 'AWS_CLOUDHSM' } })).toEqual('ExplicitlyDenied');
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateKey', resource: '*', context: { ...goodCreateKey, 'kms:KeyOrigin': 'EXTERNAL' } })).toEqual('Allowed');
  });
});

describe('the RCP keeps the keys to the organization', () => {
  test('an account outside it is denied what the key policy shares with it (control: allowed without the RCP)', async () => {
    const viaEc2 = { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` };
    expect(await ask({ ...outsider, principal: outsider.arn, action: 'kms:Decrypt', keyPolicy, context: viaEc2, org: false })).toEqual('ExplicitlyDenied');
    expect(await ask({ ...outsider, principal: outsider.arn, action: 'kms:Decrypt', keyPolicy, context: viaEc2, org: false, guardrails: false })).toEqual('Allowed');
    expect(await ask({ ...partner, principal: partner.arn, action: 'kms:Decrypt', keyPolicy, context: viaEc2, org: false })).toEqual('Allowed');
  });
  test('AWS services with their service principals pass', async () => {
    expect(await ask({
      principal: 'logs.eu-west-1.amazonaws.com',
      action: 'kms:Decrypt',
      identityPolicies: [],
      org: false,
      keyPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' }] },
      context: { 'aws:PrincipalIsAWSService': 'true' },
    })).toEqual('Allowed');
  });
});

describe("the library's own patterns keep working under both", () => {
  test('key creation by the deployer, and its updates of the key policy', async () => {
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateKey', resource: '*', context: goodCreateKey })).toEqual('Allowed');
    expect(await ask({ principal: DEPLOYER, action: 'kms:PutKeyPolicy', keyPolicy, context: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } })).toEqual('Allowed');
    expect(await ask({ principal: DEPLOYER, action: 'kms:TagResource', keyPolicy })).toEqual('Allowed');
  });
  test.each(['kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom'])(
    'snapshot copy through EC2 by a member of the unit: %s', async (action) => {
      expect(await ask({ ...inUnit, principal: inUnit.arn, action, keyPolicy, context: { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` } })).toEqual('Allowed');
    });
  test('CreateGrant through EC2 for the copy, and through RDS for the deployer at create time', async () => {
    const forAws = { 'kms:GrantIsForAWSResource': 'true' };
    expect(await ask({ ...inUnit, principal: inUnit.arn, action: 'kms:CreateGrant', keyPolicy, context: { ...forAws, 'kms:ViaService': `ec2.${REGION}.amazonaws.com` } })).toEqual('Allowed');
    expect(await ask({ principal: DEPLOYER, action: 'kms:CreateGrant', keyPolicy, context: { ...forAws, 'kms:ViaService': `rds.${REGION}.amazonaws.com` } })).toEqual('Allowed');
    expect(await ask({ principal: DEPLOYER, action: 'kms:DescribeKey', keyPolicy, context: { 'kms:ViaService': `rds.${REGION}.amazonaws.com` } })).toEqual('Allowed');
  });
  test('S3 replication: Decrypt of the source, Encrypt with the destination key, through S3', async () => {
    const role = { principal: world.arnOf(roleId(replication.role)), identityPolicies: world.identityPoliciesOf(roleId(replication.role)) };
    const via = { 'kms:ViaService': `s3.${REGION}.amazonaws.com` };
    expect(await ask({
      ...role,
      action: 'kms:Decrypt',
      resource: world.arnOf(keyId(sourceKey)),
      keyPolicy: world.keyPolicy(keyId(sourceKey)),
      context: { ...via, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::source-bucket/data.csv' },
    })).toEqual('Allowed');
    expect(await ask({
      ...role,
      action: 'kms:Encrypt',
      resource: world.arnOf(keyId(destKey)),
      keyPolicy: world.keyPolicy(keyId(destKey)),
      context: { ...via, 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::dest-bucket/data.csv' },
    })).toEqual('Allowed');
  });
});
