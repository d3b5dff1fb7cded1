import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, EbsSharedKeyAccess, EbsSharingPurpose, KeyPerimeter, SharingTargets } from '../../src';
import { decide, Decision, World } from '../helpers/world';

const OWNER = '111111111111';
const MEMBER = '222222222222';
const REGION = 'eu-west-1';
const ORG = 'o-exampleorg1';
const UNIT = `${ORG}/r-ab12/ou-ab12-11111111/`;
const CHILD_UNIT = `${UNIT}ou-ab12-22222222/`;
const OTHER_UNIT = `${ORG}/r-ab12/ou-ab12-33333333/`;
const COPY_CALLS = ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:Decrypt'];
const viaEc2 = { 'kms:ViaService': `ec2.${REGION}.amazonaws.com` };

/** An owner key (with an own-account user) and its resolved policy, shared as `share` says, with an optional perimeter. */
function ownerKey(share: (key: CustomerManagedKey) => void, perimeter?: KeyPerimeter) {
  const stack = new Stack(new App(), 'Owner', { env: { account: OWNER, region: REGION } });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'owner-user' });
  const key = new CustomerManagedKey(stack, 'Key', { users: [user] });
  share(key);
  if (perimeter) {
    key.addPerimeter(perimeter);
  }
  const world = new World(stack);
  const id = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
  const userId = stack.getLogicalId(user.node.defaultChild as iam.CfnRole);
  return { keyArn: world.arnOf(id), keyPolicy: world.keyPolicy(id), user: { arn: world.arnOf(userId), policies: world.identityPoliciesOf(userId) } };
}

const members = new Map<string, { arn: string; policies: { name: string; policy: any }[] }>();
/** A member account's role with the target-side policy (EbsSharedKeyAccess) for the key (one app per key). */
function memberRole(keyArn: string) {
  const known = members.get(keyArn);
  if (known) {
    return known;
  }
  const stack = new Stack(new App(), 'Member', { env: { account: MEMBER, region: REGION } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'copier' });
  new EbsSharedKeyAccess(stack, 'Access', { keyArn, roles: [role], purposes: [EbsSharingPurpose.SNAPSHOT_COPY] });
  const world = new World(stack);
  const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  members.set(keyArn, { arn: world.arnOf(id), policies: world.identityPoliciesOf(id) });
  return members.get(keyArn)!;
}

const shared = ownerKey((key) => key.shareForSnapshotCopy(SharingTargets.organizationalUnits([UNIT])));
const fenced = ownerKey((key) => {
  key.shareForSnapshotCopy(SharingTargets.organizationalUnits([UNIT]));
  key.shareForSnapshotCopy(SharingTargets.accounts([MEMBER]));
}, KeyPerimeter.organizationalUnits([UNIT]));
// Control: the same key shared with the whole organization's other unit only.
const sharedElsewhere = ownerKey((key) => key.shareForSnapshotCopy(SharingTargets.organizationalUnits([OTHER_UNIT])));

async function copyAs(
  key: { keyArn: string; keyPolicy: any }, action: string, orgPath: string | undefined, context: Record<string, string> = viaEc2,
): Promise<Decision> {
  const member = memberRole(key.keyArn);
  return decide({
    principal: member.arn,
    action,
    resource: key.keyArn,
    resourceAccount: OWNER,
    identityPolicies: member.policies,
    resourcePolicy: key.keyPolicy,
    context: {
      'aws:PrincipalAccount': MEMBER,
      'kms:CallerAccount': MEMBER,
      ...(orgPath ? { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [orgPath] as any } : {}),
      ...context,
    },
  });
}

describe('a key shared with an organizational unit (aws:PrincipalOrgPaths)', () => {
  test.each(COPY_CALLS)('a principal of an account in the unit copies a shared snapshot through EC2: %s', async (action) => {
    expect(await copyAs(shared, action, UNIT)).toEqual('Allowed');
  });
  test('and CreateGrant for the EC2 resource', async () => {
    expect(await copyAs(shared, 'kms:CreateGrant', UNIT, { ...viaEc2, 'kms:GrantIsForAWSResource': 'true' })).toEqual('Allowed');
  });
  test('a principal of an account in a unit under it too', async () => {
    expect(await copyAs(shared, 'kms:Decrypt', CHILD_UNIT)).toEqual('Allowed');
  });
  test.each(COPY_CALLS)('a principal in another unit of the same organization cannot: %s', async (action) => {
    expect(await copyAs(shared, action, OTHER_UNIT)).toEqual('ImplicitlyDenied');
  });
  test('nor a principal outside any organization, nor one in the unit outside EC2', async () => {
    expect(await copyAs(shared, 'kms:Decrypt', undefined)).toEqual('ImplicitlyDenied');
    expect(await copyAs(shared, 'kms:Decrypt', UNIT, {})).toEqual('ImplicitlyDenied');
  });
  test('control: the same principal is denied by a key shared with the other unit', async () => {
    expect(await copyAs(sharedElsewhere, 'kms:Decrypt', UNIT)).toEqual('ImplicitlyDenied');
    expect(await copyAs(sharedElsewhere, 'kms:Decrypt', OTHER_UNIT)).toEqual('Allowed');
  });
});

describe('KeyPerimeter.organizationalUnits', () => {
  test('lets the unit through and denies an account shared by id once it is outside the unit', async () => {
    expect(await copyAs(fenced, 'kms:Decrypt', UNIT)).toEqual('Allowed');
    expect(await copyAs(fenced, 'kms:Decrypt', CHILD_UNIT)).toEqual('Allowed');
    expect(await copyAs(fenced, 'kms:Decrypt', OTHER_UNIT)).toEqual('ExplicitlyDenied');
    expect(await copyAs(fenced, 'kms:Decrypt', undefined)).toEqual('ExplicitlyDenied');
  });
  test('leaves the key account and AWS services alone', async () => {
    const own = await decide({
      principal: fenced.user.arn,
      action: 'kms:Decrypt',
      resource: fenced.keyArn,
      resourceAccount: OWNER,
      identityPolicies: fenced.user.policies,
      resourcePolicy: fenced.keyPolicy,
      context: { 'aws:PrincipalAccount': OWNER },
    });
    expect(own).toEqual('Allowed');
  });
  test('a key shared with a unit the perimeter excludes fails at synth', () => {
    expect(() => ownerKey((key) => key.shareForSnapshotCopy(SharingTargets.organizationalUnits([OTHER_UNIT])),
      KeyPerimeter.organizationalUnits([UNIT]))).toThrow(/EbsSnapshotCopyOrganizationalUnits.*aws:PrincipalOrgPaths o-exampleorg1\/r-ab12\/ou-ab12-33333333\/\*.*organizational unit perimeter/);
  });
  test('the organization perimeter lets its units through and refuses units of another organization', () => {
    expect(() => ownerKey((key) => key.shareForSnapshotCopy(SharingTargets.organizationalUnits([UNIT])),
      KeyPerimeter.organization(ORG))).not.toThrow();
    expect(() => ownerKey((key) => key.shareForSnapshotCopy(SharingTargets.organizationalUnits(['o-otherorg123/r-cd34/ou-cd34-11111111/'])),
      KeyPerimeter.organization(ORG))).toThrow(/which the organization perimeter \(o-exampleorg1\) denies/);
  });
});
