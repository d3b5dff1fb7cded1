/**
 * A KeyGrant deploys on every kind of library key: its custom resource's role calls kms:CreateGrant on
 * create and kms:RetireGrant on delete, evaluated against the key's real (synthesized) key policy and
 * the role's own policies. Without the key policy statements the same requests are denied.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AccountRootAccess, CustomerManagedKey, GrantOperation, ImportedKeyRing, KeyGrant, ReplicaKey } from '../../src';
import { decide, Decision, idOf, KMS_STAR_POLICY, World } from '../helpers/world';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const REPLICA_REGION = 'us-east-1';
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const OPERATIONS = [GrantOperation.DECRYPT, GrantOperation.DESCRIBE_KEY];

interface Case {
  readonly keyId: string;
  readonly stack: Stack;
}

/** GIVEN one app with a KeyGrant on each kind of library key. */
function setup() {
  const app = new App();
  const env = { account: ACCOUNT, region: REGION };
  const main = new Stack(app, 'Main', { env });
  const admin = new iam.Role(main, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'key-admin' });
  const grantee = new iam.ArnPrincipal(APP_ROLE);
  const grant = (stack: Stack, id: string, key: any) => new KeyGrant(stack, id, { key, grantee, operations: OPERATIONS });

  const primary = new CustomerManagedKey(main, 'Primary', { admins: [admin] });
  const locked = new CustomerManagedKey(main, 'Locked', { admins: [admin], accountRootAccess: AccountRootAccess.NONE });
  const mrk = new CustomerManagedKey(main, 'MultiRegion', { admins: [admin], multiRegion: true });
  const [replica] = ReplicaKey.replicate(mrk, { regions: [REPLICA_REGION] });
  const ring = new ImportedKeyRing(main, 'Ring', { aliasName: 'alias/ring', versions: ['v1', 'v2'], admins: [admin] });
  grant(main, 'PrimaryGrant', primary);
  grant(main, 'LockedGrant', locked);
  grant(Stack.of(replica), 'ReplicaGrant', replica);
  grant(main, 'RingGrant', ring.versionKey('v1'));
  const imported = grant(main, 'ImportedReplicaGrant', ReplicaKey.fromReplicaKeyArn(main, 'Imported', `arn:aws:kms:${REPLICA_REGION}:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`));

  const world = new World(main, Stack.of(replica));
  const cases: Record<string, Case> = {
    'CustomerManagedKey': { keyId: idOf(primary), stack: main },
    'CustomerManagedKey with accountRootAccess NONE': { keyId: idOf(locked), stack: main },
    'ReplicaKey': { keyId: idOf(replica), stack: Stack.of(replica) },
    'ImportedKeyRing version': { keyId: idOf(ring.versionKey('v1')), stack: main },
  };
  return { world, cases, imported, main, replicaStack: Stack.of(replica) };
}

const s = setup();

/** The provider role of a stack, with its identity policies. */
function providerRole(stack: Stack) {
  const roleId = idOf(stack.node.findChild('KmsPatternsCustomResourceProvider').node.findChild('Role'));
  return { arn: s.world.arnOf(roleId), identityPolicies: s.world.identityPoliciesOf(roleId) };
}

const grantRequest = { 'kms:GranteePrincipal': APP_ROLE, 'kms:GrantOperations': ['Decrypt', 'DescribeKey'] };

interface AskOptions {
  readonly withoutGrantStatements?: boolean;
  readonly principal?: { arn: string; identityPolicies: any[] };
}

async function ask(c: Case, action: string, context: Record<string, string | string[]>, options: AskOptions = {}): Promise<Decision> {
  const policy = s.world.keyPolicy(c.keyId);
  const keyPolicy = options.withoutGrantStatements
    ? { ...policy, Statement: policy.Statement.filter((st: any) => !String(st.Sid ?? '').startsWith('KeyGrant')) }
    : policy;
  const p = options.principal ?? providerRole(c.stack);
  return decide({
    principal: p.arn,
    action,
    resource: s.world.arnOf(c.keyId),
    resourceAccount: ACCOUNT,
    identityPolicies: p.identityPolicies,
    resourcePolicy: keyPolicy,
    // AWS sets aws:PrincipalArn on every request; the simulator needs it given.
    context: { 'kms:CallerAccount': ACCOUNT, 'aws:PrincipalArn': p.arn, ...context },
  });
}

describe.each(Object.keys(s.cases))('KeyGrant on a %s', (name) => {
  const c = s.cases[name];

  test('create: the provider role may CreateGrant for this grantee and these operations', async () => {
    expect(await ask(c, 'kms:CreateGrant', grantRequest)).toEqual('Allowed');
  });

  test('delete: the provider role may RetireGrant', async () => {
    expect(await ask(c, 'kms:RetireGrant', {})).toEqual('Allowed');
  });

  test('control: without the KeyGrant statements of the key policy, both are denied', async () => {
    expect(await ask(c, 'kms:CreateGrant', grantRequest, { withoutGrantStatements: true })).not.toEqual('Allowed');
    expect(await ask(c, 'kms:RetireGrant', {}, { withoutGrantStatements: true })).not.toEqual('Allowed');
  });

  test('no other grantee, no more operations, no use of the key, no revocation', async () => {
    expect(await ask(c, 'kms:CreateGrant', { ...grantRequest, 'kms:GranteePrincipal': `arn:aws:iam::${ACCOUNT}:role/attacker` })).not.toEqual('Allowed');
    expect(await ask(c, 'kms:CreateGrant', { ...grantRequest, 'kms:GrantOperations': ['Decrypt', 'Encrypt'] })).not.toEqual('Allowed');
    expect(await ask(c, 'kms:CreateGrant', { ...grantRequest, 'kms:GrantOperations': ['Decrypt', 'CreateGrant'] })).not.toEqual('Allowed');
    for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:RevokeGrant', 'kms:PutKeyPolicy']) {
      expect([action, await ask(c, action, {})]).not.toEqual([action, 'Allowed']);
    }
  });

  test('the statements name the provider role only: another role of the account with kms:* gets nothing', async () => {
    const other = { arn: `arn:aws:iam::${ACCOUNT}:role/other`, identityPolicies: [KMS_STAR_POLICY] };
    expect(await ask(c, 'kms:CreateGrant', grantRequest, { principal: other })).not.toEqual('Allowed');
    expect(await ask(c, 'kms:RetireGrant', {}, { principal: other })).not.toEqual('Allowed');
  });
});

describe('KeyGrant on a key whose policy this app cannot write', () => {
  test('an imported replica: the statements are exposed to add where its policy is defined, with a warning', () => {
    expect(s.imported.keyPolicyUpdated).toBe(false);
    expect(s.imported.keyPolicyStatements.map((st) => st.toStatementJson().Action)).toEqual(['kms:CreateGrant', 'kms:RetireGrant']);
    const warnings = s.main.node.findChild('ImportedReplicaGrant').node.metadata.filter((m) => m.type === 'aws:cdk:warning');
    expect(warnings.map((w) => String(w.data))).toEqual([expect.stringMatching(/add KeyGrant.keyPolicyStatements/)]);
  });
});
