import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccountRootAccess, CustomerManagedKey, CustomerManagedKeyProps } from '../../src';
import { ACCOUNT, evaluate, KeyUnderTest, matrixPrincipals, keyUnderTest, satisfies, SEPARATED_DUTIES_MATRIX } from '../helpers/key-policy-matrix';
import { decide, World } from '../helpers/world';

const env = { account: ACCOUNT, region: 'eu-west-1' };

interface Setup extends KeyUnderTest {
  readonly world: World;
}

/** GIVEN an admin role, a user role and an unrelated role whose own policy allows kms:*, in one account. */
function setup(makeKey: (stack: Stack, admin: iam.IRole, user: iam.IRole) => kms.Key): Setup {
  const app = new App();
  const stack = new Stack(app, 'Keys', { env });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
  other.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
  const key = makeKey(stack, admin, user);
  const world = new World(stack);
  const principals = matrixPrincipals(world, {
    admin: stack.getLogicalId(admin.node.defaultChild as iam.CfnRole),
    user: stack.getLogicalId(user.node.defaultChild as iam.CfnRole),
    other: stack.getLogicalId(other.node.defaultChild as iam.CfnRole),
  });
  return { world, ...keyUnderTest(world, stack.getLogicalId(key.node.defaultChild as kms.CfnKey), principals) };
}

const run = evaluate;

describe('CustomerManagedKey key policy, evaluated', () => {
  // The identity-side policies are attached too: the key policy and them together are evaluated.
  const s = setup((stack, admin, user) => new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user], attachIdentityPolicies: true }));

  test('the admin and the user carry their identity-side policies', () => {
    expect(s.principals.admin.identityPolicies.map((p) => p.policy.Statement[0].Sid)).toEqual(['KeyAdministration']);
    expect(s.principals.user.identityPolicies.map((p) => p.policy.Statement[0].Sid)).toEqual(['KeyUse']);
  });

  test.each(SEPARATED_DUTIES_MATRIX.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    expect(await satisfies(s, row)).toBe(true);
  });
});

describe('plain aws-cdk-lib kms.Key, evaluated the same way', () => {
  const s = setup((stack, admin, user) => {
    const key = new kms.Key(stack, 'Key', { admins: [admin] });
    key.grantEncryptDecrypt(user);
    return key;
  });

  test('lets any role of the account with kms:* decrypt: what CustomerManagedKey prevents', async () => {
    expect(await run(s, 'otherRoleWithKmsStar', 'kms:Decrypt')).toEqual('Allowed');
  });

  test('lets its admins give themselves use through CreateGrant', async () => {
    expect(await run(s, 'admin', 'kms:CreateGrant')).toEqual('Allowed');
  });
});

describe('keyPolicyManagers', () => {
  const s = setup((stack, admin, user) => {
    const deployer = iam.Role.fromRoleArn(stack, 'Deployer', `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`);
    return new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user], keyPolicyManagers: [deployer] });
  });

  test('only the policy managers may rewrite the key policy', async () => {
    expect(await decide({
      principal: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`,
      action: 'kms:PutKeyPolicy',
      resource: s.keyArn,
      resourceAccount: ACCOUNT,
      resourcePolicy: s.keyPolicy,
    })).toEqual('Allowed');
    for (const who of ['admin', 'user', 'otherRoleWithKmsStar', 'accountRoot']) {
      expect(await run(s, who, 'kms:PutKeyPolicy')).not.toEqual('Allowed');
    }
  });

  test('admins keep the rest of administration', async () => {
    expect(await run(s, 'admin', 'kms:ScheduleKeyDeletion')).toEqual('Allowed');
  });
});

describe.each([
  [AccountRootAccess.FULL_DELEGATION, 'Allowed'],
  [AccountRootAccess.NONE, 'ImplicitlyDenied'],
])('accountRootAccess %s', (access, otherRoleDecrypt) => {
  const s = setup((stack, admin, user) => new CustomerManagedKey(stack, 'Key', {
    admins: [admin], users: [user], accountRootAccess: access,
  } as CustomerManagedKeyProps));

  test('decides what IAM policies of the account can do', async () => {
    expect(await run(s, 'otherRoleWithKmsStar', 'kms:Decrypt')).toEqual(otherRoleDecrypt);
  });

  test('admins and users keep their sides', async () => {
    expect(await run(s, 'admin', 'kms:PutKeyPolicy')).toEqual('Allowed');
    expect(await run(s, 'admin', 'kms:Decrypt')).not.toEqual('Allowed');
    expect(await run(s, 'user', 'kms:Decrypt')).toEqual('Allowed');
    expect(await run(s, 'user', 'kms:PutKeyPolicy')).not.toEqual('Allowed');
  });
});

describe('key specs give users their spec\'s actions only', () => {
  test.each([
    [kms.KeySpec.HMAC_256, undefined, ['kms:GenerateMac', 'kms:VerifyMac'], ['kms:Decrypt', 'kms:Sign']],
    [kms.KeySpec.ECC_NIST_P256, kms.KeyUsage.SIGN_VERIFY, ['kms:Sign', 'kms:Verify', 'kms:GetPublicKey'], ['kms:Decrypt', 'kms:GenerateMac']],
    [kms.KeySpec.RSA_4096, kms.KeyUsage.ENCRYPT_DECRYPT, ['kms:Encrypt', 'kms:Decrypt', 'kms:GetPublicKey'], ['kms:Sign', 'kms:GenerateDataKey']],
    [kms.KeySpec.ECC_NIST_P384, kms.KeyUsage.KEY_AGREEMENT, ['kms:DeriveSharedSecret'], ['kms:Sign']],
  ])('%s %s', async (keySpec, keyUsage, allowed, denied) => {
    const s = setup((stack, admin, user) => new CustomerManagedKey(stack, 'Key', { admins: [admin], users: [user], keySpec, keyUsage }));
    for (const action of allowed) {
      expect([action, await run(s, 'user', action)]).toEqual([action, 'Allowed']);
      expect([action, await run(s, 'admin', action)]).not.toEqual([action, 'Allowed']);
    }
    for (const action of denied) {
      expect([action, await run(s, 'user', action)]).not.toEqual([action, 'Allowed']);
    }
  });
});

describe('grant methods write the key policy', () => {
  test('a role given grantDecrypt can decrypt, not encrypt', async () => {
    const s = setup((stack, admin) => {
      const key = new CustomerManagedKey(stack, 'Key', { admins: [admin] });
      key.grantDecrypt(new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
      return key;
    });
    const readerId = s.world.logicalId('AWS::IAM::Role', 'Reader');
    const reader = { arn: s.world.arnOf(readerId), identityPolicies: s.world.identityPoliciesOf(readerId) };
    const ask = (action: string) => decide({
      principal: reader.arn,
      action,
      resource: s.keyArn,
      resourceAccount: ACCOUNT,
      identityPolicies: reader.identityPolicies,
      resourcePolicy: s.keyPolicy,
    });
    expect(await ask('kms:Decrypt')).toEqual('Allowed');
    expect(await ask('kms:Encrypt')).not.toEqual('Allowed');
  });
});
