import { Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { checkOrganizationalUnitOrRootId } from './sharing-ids';
import { InputProblems } from './validation';

/**
 * The AWS Organizations size limit of a service control policy and of a resource control policy, in
 * characters (whitespace included when the policy is not minified; CloudFormation sends it minified).
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
 */
export const ORGANIZATION_POLICY_MAX_CHARACTERS = 5120;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|\*):role\/[\w+=,.@\-/*?]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const POLICY_NAME = /^[\s\S]{1,128}$/;

/** Checks role ARNs (or ARN patterns with `*` for any account or name part) used as exceptions. */
export function checkRoleArns(problems: InputProblems, what: string, arns: string[]): void {
  const seen = new Set<string>();
  for (const arn of arns) {
    if (Token.isUnresolved(arn)) {
      continue;
    }
    if (!ROLE_ARN.test(arn)) {
      problems.add(`${what}: a role ARN (or pattern) looks like 'arn:aws:iam::111122223333:role/platform-admin' or 'arn:aws:iam::*:role/platform-*', got '${arn}'`);
    }
    if (seen.has(arn)) {
      problems.add(`${what}: '${arn}' is given twice`);
    }
    seen.add(arn);
  }
}

/** Checks the targets a policy is attached to: the root, organizational units or (12-digit) accounts. */
export function checkPolicyTargets(problems: InputProblems, targetIds: string[]): void {
  const seen = new Set<string>();
  for (const id of targetIds) {
    if (!Token.isUnresolved(id) && !ACCOUNT_ID.test(id)) {
      checkOrganizationalUnitOrRootId(problems, 'targetIds (or a 12-digit account id)', id);
    }
    if (seen.has(id)) {
      problems.add(`targetIds: '${id}' is given twice`);
    }
    seen.add(id);
  }
}

/** What an organization policy construct passes to {@link createOrganizationPolicy}. */
export interface OrganizationPolicyInput {
  readonly type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
  readonly policyName?: string;
  readonly description: string;
  readonly targetIds: string[];
  readonly statements: iam.PolicyStatement[];
}

/**
 * Creates the `AWS::Organizations::Policy` of a guardrail construct and checks, once the app is
 * synthesized, that its content stays within the Organizations size limit.
 */
export function createOrganizationPolicy(scope: Construct, problems: InputProblems, input: OrganizationPolicyInput): organizations.CfnPolicy {
  if (input.statements.length === 0) {
    problems.add('every statement is turned off: an empty policy cannot be created; turn at least one on');
  }
  if (input.policyName !== undefined && !Token.isUnresolved(input.policyName) && !POLICY_NAME.test(input.policyName)) {
    problems.add(`policyName has 1 to 128 characters, got ${input.policyName.length}`);
  }
  checkPolicyTargets(problems, input.targetIds);
  problems.throwIfAny();

  const document = new iam.PolicyDocument({ statements: input.statements });
  const policy = new organizations.CfnPolicy(scope, 'Resource', {
    name: input.policyName ?? Names.uniqueResourceName(scope, { maxLength: 128 }),
    description: input.description,
    type: input.type,
    content: document,
    targetIds: input.targetIds.length > 0 ? input.targetIds : undefined,
  });
  scope.node.addValidation({
    validate: () => {
      const characters = JSON.stringify(Stack.of(scope).resolve(document)).length;
      return characters <= ORGANIZATION_POLICY_MAX_CHARACTERS ? [] : [
        `the ${input.type === 'SERVICE_CONTROL_POLICY' ? 'service' : 'resource'} control policy has ${characters} characters, ` +
        `over the AWS Organizations limit of ${ORGANIZATION_POLICY_MAX_CHARACTERS} (minified JSON); name fewer exception roles ` +
        "(or one pattern such as 'arn:aws:iam::*:role/platform-*'), or split the statements over two policies",
      ];
    },
  });
  return policy;
}

/** The exception of a Deny for named roles (`ArnNotLike aws:PrincipalArn`), or none. */
export function exceptRoles(roleArns: string[]): Record<string, Record<string, string[]>> {
  return roleArns.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': [...roleArns] } } : {};
}
