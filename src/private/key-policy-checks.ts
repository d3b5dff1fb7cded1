import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { withLiteralPrincipalArns } from './cross-stack-grants';
import { PUT_KEY_POLICY } from './perms';
import { deployedLength, holdingsByPrincipal, isDeployerUseThroughService, KEY_POLICY_MAX_BYTES } from './policy-analysis';
import { warnServicePrincipalsWithoutSource } from '../presets/confused-deputy';

const KEY_POLICY_WARNING_RATIO = 0.8;

/**
 * Checks of a finished key policy, whoever added its statements: separation of duties, lockout, size.
 * Returns the errors; adds a warning to the key when the policy passes 80% of the size limit.
 *
 * @param rootMayUse whether the account root may hold cryptographic actions (full delegation to IAM)
 * @param deployers the principals (resolved JSON) that deploy the key: their use through a service
 *   (`kms:ViaService`), which services make as the creator of resources, is not use of the key by them
 */
export function checkKeyPolicy(
  key: IConstruct,
  policy: iam.PolicyDocument | undefined,
  rootMayUse = false,
  deployers: ReadonlySet<string> = new Set(),
): string[] {
  const stack = Stack.of(key);
  const doc = stack.resolve(policy) as { Statement?: any[] } | undefined;
  const statements = doc?.Statement ?? [];
  const errors: string[] = [];
  warnServicePrincipalsWithoutSource(key, statements);
  const rootJson = JSON.stringify({ AWS: stack.resolve(new iam.AccountRootPrincipal().arn) });

  let putKeyPolicyHolders = 0;
  const separated = statements.filter((st) => !isDeployerUseThroughService(st, (p) => deployers.has(p)));
  for (const h of holdingsByPrincipal(withLiteralPrincipalArns(stack, separated).map(narrowedToPrincipalArn))) {
    if (h.management.has(PUT_KEY_POLICY)) {
      putKeyPolicyHolders++;
    }
    if (h.principal === rootJson) {
      if (!rootMayUse && h.cryptographic.size > 0) {
        // aws-cdk-lib's KeyGrants names the account instead of the grantee when the grantee's stack
        // depends on the key's stack: that would let every IAM principal of the account use the key.
        errors.push(
          `the key policy gives the account root cryptographic actions (${[...h.cryptographic].sort().join(', ')}), so any IAM principal ` +
          'of the account could use the key; name the principals as users or grant them with the key\'s grant methods ' +
          '(or choose AccountRootAccess.FULL_DELEGATION deliberately)',
        );
      }
      continue;
    }
    if (h.wildcard) {
      errors.push(`the key policy gives kms:* to ${h.principal}; only the account root may hold kms:* (name the actions instead)`);
      continue;
    }
    if (h.management.size > 0 && h.cryptographic.size > 0) {
      errors.push(
        `the key policy gives ${h.principal} both administrative actions (${[...h.management].sort().join(', ')}) ` +
        `and cryptographic actions (${[...h.cryptographic].sort().join(', ')}); a principal is an administrator or a user, never both`,
      );
    }
  }
  if (putKeyPolicyHolders === 0) {
    errors.push(
      'no principal of the key policy may call kms:PutKeyPolicy, so the key could never be changed again and KMS refuses the policy; ' +
      'add admins or keyPolicyManagers, or use AccountRootAccess.ADMINISTRATION',
    );
  }

  const bytes = deployedLength(doc);
  if (bytes > KEY_POLICY_MAX_BYTES) {
    errors.push(
      `the key policy takes up to ${bytes} bytes once deployed, over the KMS limit of ${KEY_POLICY_MAX_BYTES} bytes; ` +
      'list fewer principals, or share with whole accounts or an AWS Organization instead of single principals',
    );
  } else if (bytes > KEY_POLICY_MAX_BYTES * KEY_POLICY_WARNING_RATIO) {
    Annotations.of(key).addWarningV2(
      'cdk-kms-patterns:keyPolicyNearSizeLimit',
      `the key policy takes up to ${bytes} of ${KEY_POLICY_MAX_BYTES} bytes once deployed (over ${KEY_POLICY_WARNING_RATIO * 100}%)`,
    );
  }
  return errors;
}

const PRINCIPAL_ARN_OPERATORS = ['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike'];

/**
 * A statement that names an account but holds it to given principals with an `aws:PrincipalArn`
 * condition applies to those principals only: it is analysed as naming them.
 */
function narrowedToPrincipalArn(statement: any): any {
  for (const op of PRINCIPAL_ARN_OPERATORS) {
    const arns = statement.Condition?.[op]?.['aws:PrincipalArn'];
    if (arns !== undefined) {
      return { ...statement, Principal: { AWS: arns } };
    }
  }
  return statement;
}
