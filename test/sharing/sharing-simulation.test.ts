import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, EbsSharedKeyAccess, EbsSharingPurpose, SharingTargets } from '../../src';
import { decide, Decision, KMS_STAR_POLICY, World } from '../helpers/world';

const OWNER = '111111111111';
const COPY_ACCOUNT = '222222222222';
const LAUNCH_ACCOUNT = '333333333333';
const ASG_ACCOUNT = '444444444444';
const ORG_ACCOUNT = '555555555555';
const NAMED_ACCOUNT = '666666666666';
const OUTSIDER = '999999999999';
const ORG_ID = 'o-exampleorg1';
const REGION = 'eu-west-1';
const EC2 = `ec2.${REGION}.amazonaws.com`;
const asgRole = (account: string) => `arn:aws:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

/** The calls EC2 makes on the source key for a snapshot copy (and volume creation) and for an AMI launch. */
const COPY_CALLS = ['kms:DescribeKey', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:Decrypt'];
const LAUNCH_CALLS = ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:Decrypt'];
const ASG_OPERATIONS = ['CreateGrant', 'Decrypt', 'DescribeKey', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo'];

interface Principal {
  readonly arn: string;
  readonly account: string;
  readonly identityPolicies: { name: string; policy: any }[];
  readonly org?: string;
}

/**
 * GIVEN an owner key with an admin and a user, shared for snapshot copy with one account, for AMI launch
 * with another, for AMI launch with Auto Scaling with a third, with an organization and with one named
 * role; and in each target account a role with the EbsSharedKeyAccess policy of its own stack.
 */
function setup() {
  const app = new App();
  const owner = new Stack(app, 'Owner', { env: { account: OWNER, region: REGION } });
  const admin = new iam.Role(owner, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(owner, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const key = new CustomerManagedKey(owner, 'Key', { admins: [admin], users: [user] });
  key.shareForSnapshotCopy(SharingTargets.accounts([COPY_ACCOUNT]));
  key.shareForAmiLaunch(SharingTargets.accounts([LAUNCH_ACCOUNT]));
  key.shareForAmiLaunch(SharingTargets.accounts([ASG_ACCOUNT]), { autoScaling: true });
  key.shareForAmiLaunch(SharingTargets.organization(ORG_ID));
  key.shareForSnapshotCopy(SharingTargets.principals([`arn:aws:iam::${NAMED_ACCOUNT}:role/named`]));
  const ownerWorld = new World(owner);
  const keyId = owner.getLogicalId(key.node.defaultChild as kms.CfnKey);
  const keyArn = ownerWorld.arnOf(keyId);

  const targetRole = (account: string, roleName: string, purposes?: EbsSharingPurpose[]): Principal => {
    // Its own app: the owner's app is already synthesized, and the key ARN is a concrete string.
    const stack = new Stack(new App(), `Target${account}${roleName}`, { env: { account, region: REGION } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal(), roleName });
    new EbsSharedKeyAccess(stack, 'SharedKey', { keyArn, roles: [role], purposes });
    const world = new World(stack);
    const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    return { arn: world.arnOf(id), account, identityPolicies: world.identityPoliciesOf(id) };
  };
  /** The role of the custom resource that creates the Auto Scaling grant (EbsSharedKeyAccess autoScalingGrant). */
  const grantCreator = (account: string): Principal => {
    const stack = new Stack(new App(), `Grant${account}`, { env: { account, region: REGION } });
    new EbsSharedKeyAccess(stack, 'SharedKey', { keyArn, autoScalingGrant: true });
    const world = new World(stack);
    const id = world.logicalId('AWS::IAM::Role', 'KmsPatternsCustomResourceProvider');
    return { arn: world.arnOf(id), account, identityPolicies: world.identityPoliciesOf(id) };
  };
  return {
    keyArn,
    asgGrantCreator: grantCreator(ASG_ACCOUNT),
    copyGrantCreator: grantCreator(COPY_ACCOUNT),
    keyPolicy: ownerWorld.keyPolicy(keyId),
    copier: targetRole(COPY_ACCOUNT, 'copier', [EbsSharingPurpose.SNAPSHOT_COPY]),
    launcher: targetRole(LAUNCH_ACCOUNT, 'launcher', [EbsSharingPurpose.AMI_LAUNCH]),
    asgLauncher: targetRole(ASG_ACCOUNT, 'asg-launcher', [EbsSharingPurpose.AMI_LAUNCH]),
    orgMember: { ...targetRole(ORG_ACCOUNT, 'org-member'), org: ORG_ID },
    named: targetRole(NAMED_ACCOUNT, 'named'),
    otherRoleOfNamedAccount: targetRole(NAMED_ACCOUNT, 'other'),
    // A target account's role without the target-side policy: the key policy alone is not enough.
    copierWithoutPolicy: { arn: `arn:aws:iam::${COPY_ACCOUNT}:role/bare`, account: COPY_ACCOUNT, identityPolicies: [] },
    outsider: { arn: `arn:aws:iam::${OUTSIDER}:role/outsider`, account: OUTSIDER, identityPolicies: [KMS_STAR_POLICY] },
    outsiderInOtherOrg: { arn: `arn:aws:iam::${OUTSIDER}:role/outsider`, account: OUTSIDER, identityPolicies: [KMS_STAR_POLICY], org: 'o-otherorg123' },
  };
}

const s = setup();

async function ask(p: Principal, action: string, context: Record<string, string | string[]> = {}): Promise<Decision> {
  return decide({
    principal: p.arn,
    action,
    resource: s.keyArn,
    resourceAccount: OWNER,
    identityPolicies: p.identityPolicies,
    resourcePolicy: s.keyPolicy,
    context: {
      'kms:CallerAccount': p.account,
      'aws:PrincipalAccount': p.account,
      ...(p.org ? { 'aws:PrincipalOrgID': p.org } : {}),
      ...context,
    },
  });
}

const viaEc2 = { 'kms:ViaService': EC2 };
const grantViaEc2 = { 'kms:ViaService': EC2, 'kms:GrantIsForAWSResource': 'true' };

describe('a target account, through EC2, can run the calls of the copy and of the launch (key policy AND its own policy)', () => {
  test.each(COPY_CALLS)('snapshot copy: %s', async (action) => {
    expect(await ask(s.copier, action, viaEc2)).toEqual('Allowed');
  });
  test.each(LAUNCH_CALLS)('AMI launch: %s', async (action) => {
    expect(await ask(s.launcher, action, viaEc2)).toEqual('Allowed');
    expect(await ask(s.asgLauncher, action, viaEc2)).toEqual('Allowed');
    expect(await ask(s.orgMember, action, viaEc2)).toEqual('Allowed');
  });
  test.each(COPY_CALLS)('named principal: %s', async (action) => {
    expect(await ask(s.named, action, viaEc2)).toEqual('Allowed');
  });
  test('CreateGrant for the EC2 resource', async () => {
    for (const p of [s.copier, s.launcher, s.asgLauncher, s.orgMember, s.named]) {
      expect([p.arn, await ask(p, 'kms:CreateGrant', grantViaEc2)]).toEqual([p.arn, 'Allowed']);
    }
  });
  test('AMI launch does not give GenerateDataKey (only the copy needs it)', async () => {
    expect(await ask(s.launcher, 'kms:GenerateDataKey', viaEc2)).not.toEqual('Allowed');
  });
});

describe('outside EC2, nothing', () => {
  test.each(['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:GenerateDataKey'])('a target cannot call %s directly', async (action) => {
    for (const p of [s.copier, s.launcher, s.asgLauncher, s.orgMember, s.named]) {
      expect([p.arn, await ask(p, action)]).not.toEqual([p.arn, 'Allowed']);
    }
  });
  test('nor through EC2 of another region, nor through another service', async () => {
    expect(await ask(s.copier, 'kms:Decrypt', { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' })).not.toEqual('Allowed');
    expect(await ask(s.copier, 'kms:Decrypt', { 'kms:ViaService': `s3.${REGION}.amazonaws.com` })).not.toEqual('Allowed');
  });
  test('a target cannot Encrypt, nor administer the key', async () => {
    for (const action of ['kms:Encrypt', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion']) {
      expect([action, await ask(s.copier, action, viaEc2)]).not.toEqual([action, 'Allowed']);
    }
  });
});

describe('neither side alone suffices', () => {
  test.each(COPY_CALLS)('a role of a target account without the target-side policy is denied %s', async (action) => {
    expect(await ask(s.copierWithoutPolicy, action, viaEc2)).not.toEqual('Allowed');
  });
  test('another role of an account whose named principal is the target is denied', async () => {
    expect(await ask(s.otherRoleOfNamedAccount, 'kms:Decrypt', viaEc2)).not.toEqual('Allowed');
  });
});

describe('an account that is not a target can do nothing', () => {
  test.each([...COPY_CALLS, 'kms:CreateGrant', 'kms:Encrypt'])('%s', async (action) => {
    for (const p of [s.outsider, s.outsiderInOtherOrg]) {
      expect(await ask(p, action, viaEc2)).not.toEqual('Allowed');
      expect(await ask(p, action, grantViaEc2)).not.toEqual('Allowed');
      expect(await ask(p, action, { 'kms:GranteePrincipal': asgRole(OUTSIDER), 'kms:GrantOperations': ASG_OPERATIONS })).not.toEqual('Allowed');
    }
  });
});

describe('CreateGrant without the AWS-resource condition', () => {
  const asgGrant = (account: string) => ({ 'kms:GranteePrincipal': asgRole(account), 'kms:GrantOperations': ASG_OPERATIONS, 'kms:GrantIsForAWSResource': 'false' });

  test('is denied through EC2 and outside it for every target without the Auto Scaling option', async () => {
    for (const p of [s.copier, s.launcher, s.orgMember, s.named]) {
      expect(await ask(p, 'kms:CreateGrant', { 'kms:ViaService': EC2, 'kms:GrantIsForAWSResource': 'false' })).not.toEqual('Allowed');
      expect(await ask(p, 'kms:CreateGrant', asgGrant(p.account))).not.toEqual('Allowed');
    }
  });

  test('is allowed with the Auto Scaling option, for the account\'s own AWSServiceRoleForAutoScaling and its eight operations', async () => {
    // Created by the custom resource of the target account's KeyGrant, with its own least-privilege policy.
    expect(await ask(s.asgGrantCreator, 'kms:CreateGrant', asgGrant(ASG_ACCOUNT))).toEqual('Allowed');
    // The same KeyGrant in an account shared without the option is refused by the key policy.
    expect(await ask(s.copyGrantCreator, 'kms:CreateGrant', asgGrant(COPY_ACCOUNT))).toEqual('ImplicitlyDenied');
  });

  test('the grant creator\'s own policy holds it to that grantee and those operations', async () => {
    expect(await ask(s.asgGrantCreator, 'kms:CreateGrant', { ...asgGrant(ASG_ACCOUNT), 'kms:GranteePrincipal': `arn:aws:iam::${ASG_ACCOUNT}:role/attacker` })).not.toEqual('Allowed');
    expect(await ask(s.asgGrantCreator, 'kms:Decrypt', viaEc2)).not.toEqual('Allowed');
  });

  test('even a creator with kms:* never gets it for another grantee, another account\'s role or more operations', async () => {
    const creator = { ...s.outsider, arn: `arn:aws:iam::${ASG_ACCOUNT}:role/grant-creator`, account: ASG_ACCOUNT };
    expect(await ask(creator, 'kms:CreateGrant', asgGrant(ASG_ACCOUNT))).toEqual('Allowed');
    expect(await ask(creator, 'kms:CreateGrant', { ...asgGrant(ASG_ACCOUNT), 'kms:GranteePrincipal': `arn:aws:iam::${ASG_ACCOUNT}:role/attacker` })).not.toEqual('Allowed');
    expect(await ask(creator, 'kms:CreateGrant', asgGrant(OUTSIDER))).not.toEqual('Allowed');
    expect(await ask(creator, 'kms:CreateGrant', { ...asgGrant(ASG_ACCOUNT), 'kms:GrantOperations': [...ASG_OPERATIONS, 'RetireGrant'] })).not.toEqual('Allowed');
    expect(await ask(creator, 'kms:Decrypt')).not.toEqual('Allowed');
  });
});
