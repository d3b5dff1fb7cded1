import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { createOrganizationPolicy } from '../private/organization-policy';
import { KMS_ALL_ACTIONS } from '../private/perms';
import { checkAccountIds, checkOrganizationId, childPath } from '../private/sharing-ids';
import { InputProblems } from '../private/validation';

/**
 * Properties of a {@link KmsResourceControlPolicy}.
 */
export interface KmsResourceControlPolicyProps {
  /**
   * The id of the organization (`o-` and 10 to 32 lowercase letters or digits) whose principals may use
   * the keys of the accounts the policy is attached to.
   */
  readonly organizationId: string;

  /**
   * The name of the policy in AWS Organizations (1 to 128 characters).
   *
   * @default - a name made from the construct path
   */
  readonly policyName?: string;

  /**
   * The description of the policy.
   *
   * @default 'KMS identity perimeter (cdk-kms-patterns)'
   */
  readonly description?: string;

  /**
   * Where the policy is attached: the organization's root (`r-...`), organizational units (`ou-...`) or
   * member accounts (12 digits). A resource control policy never limits the management account's keys.
   *
   * @default - not attached (attach it yourself)
   */
  readonly targetIds?: string[];

  /**
   * Keeps `kms:*` on the keys of the member accounts to principals of the organization and AWS services
   * (`StringNotEqualsIfExists aws:PrincipalOrgID`, `BoolIfExists aws:PrincipalIsAWSService false`).
   * Keys shared with accounts or organizational units of the organization keep working; a key shared with
   * an account outside it does not, unless the account is in `trustedAccountIds`.
   *
   * Source: AWS Control Tower preventive control CT.KMS.PV.7; aws-samples/data-perimeter-policy-examples
   * (resource control policies, identity perimeter).
   *
   * @see https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html
   * @see https://github.com/aws-samples/data-perimeter-policy-examples
   * @default true
   */
  readonly enforceIdentityPerimeter?: boolean;

  /**
   * Accounts outside the organization whose principals may still use the keys (partners), as the key
   * policies allow (`aws:PrincipalAccount`).
   *
   * @default - none
   */
  readonly trustedAccountIds?: string[];
}

/**
 * A resource control policy (`AWS::Organizations::Policy`, `RESOURCE_CONTROL_POLICY`) that keeps the
 * KMS keys of the member accounts to principals of the organization and AWS services, whatever a key
 * policy says, to deploy in the management account. The policy is checked at synth to stay within the
 * AWS Organizations limit of 5,120 characters.
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
 */
export class KmsResourceControlPolicy extends Construct {
  /** The AWS Organizations policy. */
  public readonly policy: organizations.CfnPolicy;

  /** The id of the policy (`p-...`). */
  public readonly policyId: string;

  constructor(scope: Construct, id: string, props: KmsResourceControlPolicyProps) {
    super(scope, id);
    const problems = new InputProblems(childPath(scope, id));
    checkOrganizationId(problems, 'organizationId', props.organizationId);
    const trusted = props.trustedAccountIds ?? [];
    checkAccountIds(problems, 'trustedAccountIds', trusted, undefined);
    const perimeter = props.enforceIdentityPerimeter ?? true;
    if (!perimeter && trusted.length > 0) {
      problems.add('trustedAccountIds are exceptions of enforceIdentityPerimeter, which is off; turn it on or leave them out');
    }
    const statements: iam.PolicyStatement[] = [];
    if (perimeter) {
      statements.push(new iam.PolicyStatement({
        sid: 'EnforceKmsIdentityPerimeter',
        effect: iam.Effect.DENY,
        principals: [new iam.StarPrincipal()],
        actions: [KMS_ALL_ACTIONS],
        resources: ['*'],
        conditions: {
          StringNotEqualsIfExists: {
            'aws:PrincipalOrgID': props.organizationId,
            ...(trusted.length > 0 ? { 'aws:PrincipalAccount': [...trusted] } : {}),
          },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      }));
    }
    this.policy = createOrganizationPolicy(this, problems, {
      type: 'RESOURCE_CONTROL_POLICY',
      policyName: props.policyName,
      description: props.description ?? 'KMS identity perimeter (cdk-kms-patterns)',
      targetIds: props.targetIds ?? [],
      statements,
    });
    this.policyId = this.policy.attrId;
  }
}
