import * as crypto from 'crypto';
import { Aws, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFinding } from './acknowledge';
import { acknowledgeCustomResourceFindings, acknowledgeShareHandlerFindings } from './custom-resource-findings';
import { EBS_SHARE_HANDLER_CODE } from './ebs-share-handler';
import { deployedLength, MANAGED_POLICY_MAX_CHARS, ROLE_MANAGED_POLICIES_MAX } from './policy-size';

/**
 * The custom resources of the library run with one provider role per stack: KMS grants in aws-cdk-lib's
 * AwsCustomResource provider, snapshot and AMI shares in the library's share handler. aws-cdk-lib would
 * give each AwsCustomResource an inline policy of its own on the provider's role, and all of them count
 * against the role's 10,240 characters of inline policies (about 63 targets). Here the library's
 * statements are merged instead: statements that differ only in one list (their resources, or the
 * grantee of kms:CreateGrant) become one statement with the union of that list, and statements are
 * packed into managed policies of at most 6,144 characters each. Each statement still names exactly the
 * snapshots, images, keys, grantees and operations of the stack's shares and grants.
 *
 * A snapshot or AMI share is one custom resource for all its targets, run by the share handler (one
 * inline function per stack, as the same role): an update adds and removes targets, which
 * AwsCustomResource's static calls cannot, and a stack holds far more targets than CloudFormation's
 * 500 resources.
 */

/** One permission of a custom resource: a statement whose `values` are the list that may be merged. */
export interface ProviderPermission {
  readonly actions: string[];
  /** Resource ARNs, or `*`-free values of the merged condition key. */
  readonly resources: string[];
  /** Conditions that do not merge (must be equal for two permissions to share a statement). */
  readonly conditions?: Record<string, Record<string, unknown>>;
  /**
   * The condition key (with its operator) whose values merge, e.g. `StringEquals` / `kms:GranteePrincipal`.
   * Permissions that share actions, resources and the other conditions then share a statement.
   */
  readonly mergedCondition?: { readonly operator: string; readonly key: string; readonly values: string[] };
}

/** Room left in each managed policy for the policy's own envelope (`Version`, `Statement`, brackets). */
const POLICY_ENVELOPE_CHARS = 64;
/** AWSLambdaBasicExecutionRole takes one of the attached managed policy slots of the role. */
const LIBRARY_MANAGED_POLICIES_MAX = ROLE_MANAGED_POLICIES_MAX - 1;
const SHARE_HANDLER_TIMEOUT = Duration.minutes(5);
const SHARE_SERVICE_TIMEOUT = Duration.minutes(10);
const PROVIDER_ID = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

interface Entry {
  readonly mergeKey: string;
  readonly statement: iam.PolicyStatement;
  readonly permission: ProviderPermission;
  readonly values: string[];
  /** The values resolved, to find duplicates. */
  readonly seen: Set<string>;
}

interface Bucket {
  readonly policy: iam.ManagedPolicy;
  readonly entries: Entry[];
  size: number;
}

/**
 * The provider role of the library's custom resources in one stack, and the managed policies that
 * hold their merged statements.
 */
export class LibraryCustomResourceProvider extends Construct {
  /** The provider of the stack, created on first use. */
  public static of(scope: IConstruct): LibraryCustomResourceProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(LibraryCustomResourceProvider.ID) as LibraryCustomResourceProvider | undefined;
    return existing ?? new LibraryCustomResourceProvider(stack, LibraryCustomResourceProvider.ID);
  }

  private static readonly ID = 'KmsPatternsCustomResourceProvider';

  /**
   * The ARN of the role the provider runs as, built from its name without referencing the role, so
   * that a key policy of any stack of this environment can name it (`aws:PrincipalArn`) without a
   * dependency on this stack. Undefined when the stack's provider was created by another construct
   * before the library's, with a role the library does not name.
   */
  public readonly roleArn: string;

  /** The role the provider runs as. */
  public readonly role: iam.IRole;

  private readonly ownRole: boolean;
  private readonly buckets: Bucket[] = [];
  private shareFunction?: lambda.Function;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    const existing = scope.node.tryFindChild(PROVIDER_ID) as { role?: iam.IRole } | undefined;
    if (existing?.role !== undefined) {
      // An AwsCustomResource of the app created the stack's provider first: the library's permissions
      // go to that role.
      this.role = existing.role;
      this.roleArn = existing.role.roleArn;
      this.ownRole = false;
    } else {
      const roleName = providerRoleName(scope);
      this.role = new iam.Role(this, 'Role', {
        roleName,
        description: 'Runs the custom resources of cdk-kms-patterns (KMS grants, EBS snapshot and AMI shares) of this stack',
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      });
      this.roleArn = scope.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: roleName });
      this.ownRole = true;
      acknowledgeFinding(this.role, 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The provider of the library\'s custom resources writes its logs with AWS\'s basic execution policy; every other permission names the stack\'s own snapshots, images, keys and grantees');
    }
    this.node.addValidation({ validate: () => this.checkSizes() });
  }

  /** Whether the role is the library's own, with a name that key policies of other stacks can hold. */
  public get namedRole(): boolean {
    return this.ownRole;
  }

  /**
   * A custom resource of the library, run by this provider with the given permissions (merged into
   * the provider's managed policies); it is created after them.
   */
  public customResource(scope: Construct, id: string, props: cr.AwsCustomResourceProps, permissions: ProviderPermission[]): cr.AwsCustomResource {
    const resource = new cr.AwsCustomResource(scope, id, { ...props, role: this.role, policy: undefined });
    for (const permission of permissions) {
      resource.node.addDependency(this.add(permission));
    }
    acknowledgeCustomResourceFindings(resource);
    return resource;
  }

  /**
   * A snapshot or AMI share (`Custom::EbsSnapshotShare`, `Custom::AmiShare`) run by the stack's share
   * handler with the given permissions (merged into the provider's managed policies); it is created
   * after them. See `EBS_SHARE_HANDLER_CODE` for its properties.
   */
  public shareResource(
    scope: Construct,
    id: string,
    resourceType: string,
    properties: Record<string, unknown>,
    permissions: ProviderPermission[],
  ): CustomResource {
    const resource = new CustomResource(scope, id, {
      serviceToken: this.shareHandler().functionArn,
      resourceType,
      properties,
      // A handler that never answers (its 5 minutes' timeout) fails the deployment after 10, not CloudFormation's hour.
      serviceTimeout: SHARE_SERVICE_TIMEOUT,
    });
    for (const permission of permissions) {
      resource.node.addDependency(this.add(permission));
    }
    return resource;
  }

  /** The stack's share handler, created on first use. */
  private shareHandler(): lambda.Function {
    if (this.shareFunction === undefined) {
      this.shareFunction = new lambda.Function(this, 'ShareHandler', {
        description: 'Adds and removes the EBS snapshot and AMI shares of cdk-kms-patterns in this stack',
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(EBS_SHARE_HANDLER_CODE),
        role: this.role,
        timeout: SHARE_HANDLER_TIMEOUT,
      });
      acknowledgeShareHandlerFindings(this.shareFunction);
    }
    return this.shareFunction;
  }

  /** Adds a permission to a statement it merges with, or to a new statement; returns its managed policy. */
  private add(permission: ProviderPermission): iam.ManagedPolicy {
    const stack = Stack.of(this);
    const merged = permission.mergedCondition;
    const mergeKey = JSON.stringify(stack.resolve({
      actions: [...permission.actions].sort(),
      conditions: permission.conditions ?? {},
      ...(merged ? { resources: permission.resources, merged: [merged.operator, merged.key] } : {}),
    }));
    const values = merged ? merged.values : permission.resources;
    for (const bucket of this.buckets) {
      const entry = bucket.entries.find((e) => e.mergeKey === mergeKey);
      if (entry === undefined) {
        continue;
      }
      const added = values.filter((v) => !entry.seen.has(JSON.stringify(stack.resolve(v))));
      if (added.length === 0) {
        return bucket.policy;
      }
      const growth = deployedLength(stack.resolve(added)) + 1;
      if (bucket.size + growth <= MANAGED_POLICY_MAX_CHARS - POLICY_ENVELOPE_CHARS) {
        this.extend(entry, added);
        bucket.size += growth;
        return bucket.policy;
      }
    }
    const entry: Entry = {
      mergeKey,
      permission,
      values: [],
      seen: new Set(),
      statement: new iam.PolicyStatement({
        actions: permission.actions,
        resources: merged ? permission.resources : [],
        conditions: permission.conditions,
      }),
    };
    this.extend(entry, values);
    const size = deployedLength(stack.resolve(entry.statement.toStatementJson())) + 1;
    let bucket = this.buckets.find((b) => b.size + size <= MANAGED_POLICY_MAX_CHARS - POLICY_ENVELOPE_CHARS);
    if (bucket === undefined) {
      bucket = {
        policy: new iam.ManagedPolicy(this, `Policy${this.buckets.length + 1}`, {
          description: 'Permissions of the custom resources of cdk-kms-patterns in this stack',
          roles: [this.role],
        }),
        entries: [],
        size: 0,
      };
      this.buckets.push(bucket);
    }
    bucket.entries.push(entry);
    bucket.policy.addStatements(entry.statement);
    bucket.size += size;
    return bucket.policy;
  }

  /** Adds values to an entry's statement: resources, or values of its merged condition key. */
  private extend(entry: Entry, added: string[]): void {
    const stack = Stack.of(this);
    for (const v of added) {
      entry.values.push(v);
      entry.seen.add(JSON.stringify(stack.resolve(v)));
    }
    const merged = entry.permission.mergedCondition;
    if (merged) {
      // addCondition replaces the key's values within the operator.
      entry.statement.addCondition(merged.operator, { [merged.key]: entry.values.length === 1 ? entry.values[0] : [...entry.values] });
    } else {
      entry.statement.addResources(...added);
    }
  }

  private checkSizes(): string[] {
    const errors: string[] = [];
    const stack = Stack.of(this);
    for (const bucket of this.buckets) {
      const chars = deployedLength(stack.resolve(bucket.policy.document));
      if (chars > MANAGED_POLICY_MAX_CHARS) {
        errors.push(`the managed policy ${bucket.policy.node.path} of the library's custom resources takes up to ${chars} characters once deployed, over IAM's limit of ${MANAGED_POLICY_MAX_CHARS}`);
      }
    }
    if (this.buckets.length > LIBRARY_MANAGED_POLICIES_MAX) {
      errors.push(
        `the KMS grants, snapshot shares and AMI shares of stack ${stack.stackName} need ${this.buckets.length} managed policies of ${MANAGED_POLICY_MAX_CHARS} characters ` +
        `on their provider role, over the ${LIBRARY_MANAGED_POLICIES_MAX} that fit next to AWSLambdaBasicExecutionRole under IAM's default quota of ${ROLE_MANAGED_POLICIES_MAX} per role; ` +
        'split them over more stacks, share with an AWS Organization instead of single accounts, or give grants of the same key and operations to fewer grantees',
      );
    }
    return errors;
  }
}

/**
 * A name for the library's provider role that is the same at every synthesis of the stack and
 * different in every region (IAM names are global to the account): a hash of the stack's path and
 * name, and the region.
 */
function providerRoleName(stack: Stack): string {
  const hash = crypto.createHash('sha256').update(`${stack.node.path}/${Token.isUnresolved(stack.stackName) ? '' : stack.stackName}`).digest('hex').slice(0, 12);
  const region = Token.isUnresolved(stack.region) ? Aws.REGION : stack.region;
  return `kms-patterns-cr-${hash}-${region}`;
}
