/**
 * The principals x actions matrix that every key with separated duties must satisfy, evaluated with
 * the IAM simulator against a key's synthesized policy (a primary, or a replica in any region).
 */
import { decide, Decision, KMS_STAR_POLICY, World } from './world';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';

export const CRYPTO = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:GenerateDataKeyWithoutPlaintext'];
export const ADMIN = ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:EnableKeyRotation', 'kms:TagResource'];
export const GRANT_FOR_AWS = { 'kms:GrantIsForAWSResource': 'true' };

export interface Principal {
  readonly arn: string;
  readonly identityPolicies: { name: string; policy: any }[];
}

/** A deployed key, as the simulator sees it, and the principals that ask for it. */
export interface KeyUnderTest {
  readonly keyArn: string;
  readonly keyPolicy: any;
  readonly principals: Record<string, Principal>;
}

/**
 * The matrix's principals: the key's admin and user roles, a role of the account whose own policy
 * allows kms:* (logical ids in the world), a role and the root of another account, and the account root.
 */
export function matrixPrincipals(world: World, roles: { admin: string; user: string; other: string }): Record<string, Principal> {
  const role = (id: string) => ({ arn: world.arnOf(id), identityPolicies: world.identityPoliciesOf(id) });
  return {
    admin: role(roles.admin),
    user: role(roles.user),
    otherRoleWithKmsStar: role(roles.other),
    otherAccountRoleWithKmsStar: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Outsider`, identityPolicies: [KMS_STAR_POLICY] },
    otherAccountRoot: { arn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, identityPolicies: [] },
    // The root user holds every permission of its account: modelled as an identity policy with kms:*.
    accountRoot: { arn: `arn:aws:iam::${ACCOUNT}:root`, identityPolicies: [KMS_STAR_POLICY] },
  };
}

/** The key of the given logical id (AWS::KMS::Key or AWS::KMS::ReplicaKey) in the world. */
export function keyUnderTest(world: World, keyLogicalId: string, principals: Record<string, Principal>): KeyUnderTest {
  return { keyArn: world.arnOf(keyLogicalId), keyPolicy: world.keyPolicy(keyLogicalId), principals };
}

/** Evaluates one request of a matrix principal on the key. */
export async function evaluate(key: KeyUnderTest, who: string, action: string, context: Record<string, string> = {}): Promise<Decision> {
  const p = key.principals[who];
  return decide({
    principal: p.arn,
    action,
    resource: key.keyArn,
    resourceAccount: ACCOUNT,
    identityPolicies: p.identityPolicies,
    resourcePolicy: key.keyPolicy,
    // As AWS sets them for every request of an IAM principal (the simulator does not).
    context: { 'aws:PrincipalArn': p.arn, 'aws:PrincipalAccount': p.arn.split(':')[4], ...context },
  });
}

/** One request of the matrix and whether a key with separated duties allows it. */
export interface MatrixRow {
  readonly name: string;
  readonly who: string;
  readonly action: string;
  readonly context?: Record<string, string>;
  readonly allowed: boolean;
}

function rows(allowed: boolean, who: string, actions: string[], context?: Record<string, string>, why = ''): MatrixRow[] {
  return actions.map((action) => ({
    name: `${who} ${allowed ? 'is allowed' : 'is denied'} ${action}${context ? ` with ${JSON.stringify(context)}` : ''}${why}`,
    who,
    action,
    context,
    allowed,
  }));
}

/**
 * Administrators manage and never use (nor CreateGrant); users use and never manage, and create grants
 * for AWS resources only; other roles of the account administer through IAM (the account root keeps
 * administration) and never use; other accounts get nothing.
 */
export const SEPARATED_DUTIES_MATRIX: MatrixRow[] = [
  ...rows(false, 'admin', CRYPTO),
  ...rows(true, 'admin', ADMIN),
  ...rows(false, 'admin', ['kms:CreateGrant']),
  ...rows(false, 'admin', ['kms:CreateGrant'], GRANT_FOR_AWS),
  ...rows(true, 'user', CRYPTO),
  ...rows(false, 'user', ADMIN),
  ...rows(true, 'user', ['kms:CreateGrant'], GRANT_FOR_AWS),
  ...rows(false, 'user', ['kms:CreateGrant']),
  ...rows(false, 'user', ['kms:CreateGrant'], { 'kms:GrantIsForAWSResource': 'false' }),
  ...rows(false, 'otherRoleWithKmsStar', [...CRYPTO, 'kms:CreateGrant']),
  ...rows(false, 'otherRoleWithKmsStar', ['kms:CreateGrant'], GRANT_FOR_AWS),
  ...rows(true, 'otherRoleWithKmsStar', ['kms:PutKeyPolicy'], undefined, ' (administration stays delegated to the account, documented)'),
  ...rows(false, 'otherAccountRoleWithKmsStar', [...CRYPTO, ...ADMIN, 'kms:CreateGrant']),
  ...rows(false, 'otherAccountRoleWithKmsStar', [...CRYPTO, ...ADMIN, 'kms:CreateGrant'], GRANT_FOR_AWS),
  ...rows(false, 'otherAccountRoot', [...CRYPTO, ...ADMIN, 'kms:CreateGrant']),
  ...rows(false, 'accountRoot', CRYPTO),
  ...rows(true, 'accountRoot', ['kms:PutKeyPolicy'], undefined, ' (the key cannot be locked out)'),
  ...rows(false, 'accountRoot', ['kms:CreateGrant'], GRANT_FOR_AWS),
];

/** Whether the key's decision for a row is the matrix's. */
export async function satisfies(key: KeyUnderTest, row: MatrixRow): Promise<boolean> {
  return (await evaluate(key, row.who, row.action, row.context) === 'Allowed') === row.allowed;
}
