import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CustomerManagedKey, SharingTargets } from '../../src';
import { deployedLength, KEY_POLICY_MAX_BYTES } from '../../src/private/policy-size';

const env = { account: '111111111111', region: 'eu-west-1' };

function newStack(region = 'eu-west-1'): Stack {
  return new Stack(new App(), 'Owner', { env: { ...env, region } });
}

function accounts(n: number, from = 200_000_000_000): string[] {
  return Array.from({ length: n }, (_, i) => String(from + i));
}

function statements(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
}

/** GIVEN a key with one admin role and one user role, the form the sizes below are measured on. */
function keyWithAdminAndUser(stack = newStack()): CustomerManagedKey {
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  return new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user] });
}

function policyBytes(key: CustomerManagedKey): number {
  return deployedLength(Stack.of(key).resolve((key.node.defaultChild as kms.CfnKey).keyPolicy));
}

describe('key policy statements of a shared key', () => {
  test('accounts share one statement: Principal *, a kms:CallerAccount list, EC2 of the key\'s region, CreateGrant for AWS resources', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key');
    key.shareForSnapshotCopy(SharingTargets.accounts(['222222222222', '333333333333']));
    expect(statements(stack)).toContainEqual({
      Sid: 'EbsSnapshotCopyAccounts',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: [
        'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
      ],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': ['222222222222', '333333333333'],
          'kms:ViaService': 'ec2.eu-west-1.amazonaws.com',
        },
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' },
      },
    });
  });

  test('AMI launch gives the launch actions only (no GenerateDataKey)', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key').shareForAmiLaunch(SharingTargets.accounts(['222222222222']));
    const st = statements(stack).find((x) => x.Sid === 'EbsAmiLaunchAccounts');
    expect(st.Action).toEqual(['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']);
  });

  test('an organization is one aws:PrincipalOrgID condition', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key').shareForAmiLaunch(SharingTargets.organization('o-a1b2c3d4e5'));
    expect(statements(stack).find((x) => x.Sid === 'EbsAmiLaunchOrganization')).toMatchObject({
      Principal: { AWS: '*' },
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ['o-a1b2c3d4e5'], 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' },
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' },
      },
    });
  });

  test('principals are named in the Principal element', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key').shareForSnapshotCopy(SharingTargets.principals(['arn:aws:iam::222222222222:role/copier']));
    expect(statements(stack).find((x) => x.Sid === 'EbsSnapshotCopyPrincipals')).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::222222222222:role/copier' },
      Condition: { StringEquals: { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' } },
    });
  });

  test('the Auto Scaling option adds Encrypt/GenerateDataKey through EC2 and a CreateGrant held to the caller\'s own Auto Scaling role', () => {
    const stack = newStack();
    new CustomerManagedKey(stack, 'Key').shareForAmiLaunch(SharingTargets.accounts(['222222222222']), { autoScaling: true });
    const all = statements(stack);
    expect(all.find((x) => x.Sid === 'EbsAmiLaunchAccounts').Action).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey']));
    const grant = all.find((x) => x.Sid === 'EbsAmiLaunchAccountsAutoScalingGrant');
    expect(grant.Action).toEqual('kms:CreateGrant');
    expect(grant.Condition.StringEquals).toEqual({ 'kms:CallerAccount': ['222222222222'] });
    expect(grant.Condition.Bool).toBeUndefined();
    expect(JSON.stringify(grant.Condition.StringLike)).toContain(':iam::${aws:PrincipalAccount}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*');
    expect(grant.Condition['ForAllValues:StringEquals']['kms:GrantOperations']).toHaveLength(8);
  });

  test('every call adds its own statement with its own sid', () => {
    const stack = newStack();
    const key = new CustomerManagedKey(stack, 'Key');
    key.shareForSnapshotCopy(SharingTargets.accounts(['222222222222']));
    key.shareForSnapshotCopy(SharingTargets.accounts(['333333333333']));
    key.shareForAmiLaunch(SharingTargets.accounts(['222222222222']));
    expect(statements(stack).map((x) => x.Sid)).toEqual(expect.arrayContaining(['EbsSnapshotCopyAccounts', 'EbsSnapshotCopyAccounts2', 'EbsAmiLaunchAccounts']));
  });

  test('China Regions use the amazonaws.com.cn service domain', () => {
    const stack = newStack('cn-north-1');
    new CustomerManagedKey(stack, 'Key').shareForSnapshotCopy(SharingTargets.accounts(['222222222222']));
    expect(statements(stack).find((x) => x.Sid === 'EbsSnapshotCopyAccounts').Condition.StringEquals['kms:ViaService']).toEqual('ec2.cn-north-1.amazonaws.com.cn');
  });

  test('a key that renders the access model in another region (a replica) gets its own region\'s EC2', () => {
    // GIVEN a shared key
    const key = new CustomerManagedKey(newStack(), 'Key');
    key.shareForSnapshotCopy(SharingTargets.accounts(['222222222222']));
    // WHEN the model is rendered for a key in us-east-1, as a replica does
    const replicaStack = new Stack(new App(), 'Replica', { env: { ...env, region: 'us-east-1' } });
    const rendered: any[] = [];
    key._policyModel.subscribe((part) => rendered.push(
      ...part({ stack: replicaStack, replica: true }).map((st) => replicaStack.resolve(st.toStatementJson())),
    ));
    // THEN its statement is held to EC2 in us-east-1
    expect(rendered.find((x) => x.Sid === 'EbsSnapshotCopyAccounts').Condition.StringEquals['kms:ViaService']).toEqual('ec2.us-east-1.amazonaws.com');
  });

  test('the key policy checks accept the shared key: the * principal holds use actions only', () => {
    const key = keyWithAdminAndUser();
    key.shareForSnapshotCopy(SharingTargets.accounts(['222222222222']));
    key.shareForAmiLaunch(SharingTargets.organization('o-a1b2c3d4e5'), { autoScaling: true });
    expect(() => (key.node.root as App).synth()).not.toThrow();
  });
});

describe('compact enough for thousands of accounts', () => {
  test('2,000 accounts fit in one key policy with one admin and one user role', () => {
    // GIVEN / WHEN
    const key = keyWithAdminAndUser();
    key.shareForSnapshotCopy(SharingTargets.accounts(accounts(2_000)));
    // THEN
    const bytes = policyBytes(key);
    // eslint-disable-next-line no-console
    console.log(`key policy with 2,000 shared accounts: ${bytes} of ${KEY_POLICY_MAX_BYTES} bytes`);
    expect(bytes).toBeLessThanOrEqual(KEY_POLICY_MAX_BYTES);
    expect(bytes).toBeGreaterThan(30_000);
    expect(() => (key.node.root as App).synth()).not.toThrow();
  });

  test('the largest number of accounts that fits', () => {
    const fits = (n: number) => {
      const key = keyWithAdminAndUser();
      key.shareForSnapshotCopy(SharingTargets.accounts(accounts(n)));
      return policyBytes(key) <= KEY_POLICY_MAX_BYTES;
    };
    let low = 2_000;
    let high = 2_200;
    expect(fits(low)).toBe(true);
    expect(fits(high)).toBe(false);
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (fits(mid)) low = mid; else high = mid;
    }
    // eslint-disable-next-line no-console
    console.log(`largest number of shared accounts that fits (one admin and one user role): ${low}`);
    expect(low).toBeGreaterThanOrEqual(2_000);
  });

  test('beyond the limit, synth fails with the size and a suggestion of the organization form', () => {
    const key = keyWithAdminAndUser();
    key.shareForSnapshotCopy(SharingTargets.accounts(accounts(2_100)));
    expect(() => (key.node.root as App).synth()).toThrow(
      /Owner\/Key.*the key policy takes up to \d+ bytes once deployed, over the KMS limit of 32768 bytes, with 2100 accounts listed for EBS sharing.*SharingTargets\.organization/s,
    );
  });

  test('an organization does not grow the policy with its size', () => {
    const key = keyWithAdminAndUser();
    const before = policyBytes(key);
    key.shareForAmiLaunch(SharingTargets.organization('o-a1b2c3d4e5'));
    expect(policyBytes(key) - before).toBeLessThan(600);
  });
});
