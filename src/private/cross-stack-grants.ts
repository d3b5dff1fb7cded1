import { createHash } from 'crypto';
import { Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { sameValue } from './environment';
import { failInput } from './validation';

/**
 * Grants of a key to a role or user created in another stack of the app.
 *
 * The key policy names the grantee by a literal ARN, never by a reference to the grantee's stack, so the
 * grant adds no dependency of the key's stack on the grantee's (the cycle `Keys -> App -> Keys`):
 *
 * - the key's stack deploys first (the default, and whenever the grantee's stack depends on it, for
 *   example because it encrypts a bucket with the key): the key policy names the grantee's account,
 *   held to the grantee by `ArnEquals aws:PrincipalArn`, because KMS refuses a policy whose Principal
 *   does not exist yet, and checks no condition value. The grantee's own policy (a managed policy of its
 *   stack, on the key's ARN) is then required too, as for every principal that an account statement covers.
 * - the key's stack depends on the grantee's stack (it deploys after it): the key policy names the
 *   grantee itself, which exists by then, and the grantee's stack gets no policy, which would have to
 *   reference the key's ARN (a cycle).
 *
 * The direction is read when the app is synthesized, so dependencies added after the grant count.
 * A grantee of another account or region, or of another stage, is named the same way as the first case;
 * its own policy cannot reference the key and names the key's aliases (or every key of the key's account
 * and region when it has none): the key policy does the narrowing.
 */

/** A role or user of this app, and the conditions of the principal that wraps it (kms.ViaServicePrincipal). */
interface OwnedIdentity {
  readonly identity: iam.IPrincipal & IConstruct;
  readonly conditions: iam.Conditions;
}

/**
 * The role or user created in this app behind a grantee, when it lives in another stack than the key;
 * undefined otherwise (the grant then names the grantee as it is).
 */
export function identityOfAnotherStack(key: IConstruct, grantee: iam.IGrantable): OwnedIdentity | undefined {
  const owned = ownedIdentity(grantee.grantPrincipal);
  if (owned === undefined || Stack.of(owned.identity) === Stack.of(key)) {
    return undefined;
  }
  return owned;
}

function ownedIdentity(principal: iam.IPrincipal): OwnedIdentity | undefined {
  if (isOwnedIdentity(principal)) {
    return { identity: principal, conditions: {} };
  }
  // kms.ViaServicePrincipal (aws-cdk-lib's secretsmanager grants) and iam.PrincipalWithConditions wrap
  // the principal in a private field; their policy fragment carries the conditions to keep.
  const wrapped = (principal as { basePrincipal?: unknown }).basePrincipal ?? (principal as { wrapped?: unknown }).wrapped;
  if (wrapped !== undefined && isOwnedIdentity(wrapped as iam.IPrincipal)) {
    return { identity: wrapped as iam.IPrincipal & IConstruct, conditions: principal.policyFragment.conditions };
  }
  return undefined;
}

function isOwnedIdentity(principal: iam.IPrincipal): principal is iam.IPrincipal & IConstruct {
  if (!Construct.isConstruct(principal)) {
    return false;
  }
  const child = principal.node.defaultChild;
  return child instanceof iam.CfnRole || child instanceof iam.CfnUser;
}

/** The roles and users of other stacks that grants name by literal ARN, per key stack. */
const NAMED_BY_LITERAL_ARN = new WeakMap<Stack, Map<IConstruct, string>>();

/**
 * The statements of a resolved key policy with every principal that a grant names by literal ARN spelled
 * that way, wherever the policy also names it by reference (an admin or user of the key given use by a
 * grant): one principal, one spelling, so that the key policy checks see what IAM sees.
 */
export function withLiteralPrincipalArns(stack: Stack, statements: any[]): any[] {
  const spellings = new Map<string, unknown>();
  for (const [identity, arn] of NAMED_BY_LITERAL_ARN.get(stack) ?? []) {
    try {
      const byReference = stack.resolve((identity as unknown as iam.IPrincipal).policyFragment.principalJson).AWS;
      for (const value of [byReference].flat()) {
        spellings.set(JSON.stringify(value), stack.resolve(arn));
      }
    } catch {
      // A principal that this stack cannot reference is never named by reference in its key policy.
    }
  }
  if (spellings.size === 0) {
    return statements;
  }
  const literal = (value: unknown) => spellings.get(JSON.stringify(value)) ?? value;
  return statements.map((st) => {
    const aws = st.Principal?.AWS;
    if (aws === undefined) {
      return st;
    }
    return { ...st, Principal: { ...st.Principal, AWS: Array.isArray(aws) ? aws.map(literal) : literal(aws) } };
  });
}

/** Grants actions on a key of this app to a role or user of another stack (see the module comment). */
export function grantAcrossStacks(key: kms.IKey, owned: OwnedIdentity, actions: string[], keyArnForIdentity: () => ArnInPolicy): iam.Grant {
  const keyStack = Stack.of(key);
  const granteeStack = Stack.of(owned.identity);
  const arn = literalIdentityArn(key, keyStack, owned.identity);
  const named = NAMED_BY_LITERAL_ARN.get(keyStack) ?? new Map<IConstruct, string>();
  NAMED_BY_LITERAL_ARN.set(keyStack, named.set(owned.identity, arn));
  const account = granteeAccount(keyStack, granteeStack);
  const accountArn = new iam.AccountPrincipal(account).arn;
  const referable = sameValue(granteeStack.account, keyStack.account) && sameValue(granteeStack.region, keyStack.region)
    && Stage.of(granteeStack) === Stage.of(keyStack);
  const keyFirst = () => !referable || !dependsOn(rootStack(keyStack), rootStack(granteeStack));

  const keyPolicyPrincipal = new iam.PrincipalWithConditions(
    new iam.ArnPrincipal(Lazy.uncachedString({ produce: () => (keyFirst() ? accountArn : arn) })),
    { ArnEquals: { 'aws:PrincipalArn': arn } },
  );
  const target = referable ? identityPolicyFor(owned.identity, keyStack, keyFirst) : owned.identity;
  const resource = referable ? { arn: key.keyArn } : keyArnForIdentity();
  return iam.Grant.addToPrincipalAndResource({
    grantee: { grantPrincipal: new IdentitySide(target, owned.identity, resource.conditions ?? {}) },
    actions,
    resource: key,
    resourceArns: [resource.arn],
    resourceSelfArns: ['*'],
    resourcePolicyPrincipal: keyPolicyPrincipal,
    conditions: Object.keys(owned.conditions).length > 0 ? owned.conditions as Record<string, Record<string, unknown>> : undefined,
  });
}

/** How a grantee's own policy names the key: an ARN (or pattern), and conditions that narrow it. */
export interface ArnInPolicy {
  readonly arn: string;
  readonly conditions?: iam.Conditions;
}

/** Whether a stack depends on another, directly or through other stacks. */
function dependsOn(from: Stack, to: Stack): boolean {
  const seen = new Set<Stack>();
  const queue = [from];
  while (queue.length > 0) {
    for (const next of queue.pop()!.dependencies) {
      if (next === to) {
        return true;
      }
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

function rootStack(stack: Stack): Stack {
  return stack.nestedStackParent ? rootStack(stack.nestedStackParent) : stack;
}

function granteeAccount(keyStack: Stack, granteeStack: Stack): string {
  return sameValue(granteeStack.account, keyStack.account) ? keyStack.account : granteeStack.account;
}

/**
 * The ARN of a role or user as a value of the key's stack that references nothing of the grantee's stack:
 * `arn:<partition>:iam::<account>:role/<path><name>`. The name is the one given; for a role or user made
 * with `PhysicalName.GENERATE_IF_NEEDED`, the one aws-cdk-lib generates for cross-environment use; for one
 * without a name, a name generated here from its stack's name, account and region and its construct path
 * (deterministic, unique in the account, at most 64 characters).
 */
function literalIdentityArn(key: IConstruct, keyStack: Stack, identity: iam.IPrincipal & IConstruct): string {
  const stack = Stack.of(identity);
  const cfn = identity.node.defaultChild as iam.CfnRole | iam.CfnUser;
  const kind = cfn instanceof iam.CfnRole ? 'role' : 'user';
  const cannot = (why: string, fix: string): never => failInput(
    identity.node.path,
    `the key ${key.node.path} (stack ${keyStack.stackName}) grants to this ${kind} of another stack (${stack.stackName}), and its key ` +
    `policy must name the ${kind} by a literal ARN, without a reference to ${stack.stackName} (the stacks would depend on each other): ` +
    `${why}; ${fix}`,
  );
  const nameFix = `give it a literal ${kind}Name, or ${kind}Name: PhysicalName.GENERATE_IF_NEEDED`;

  let name = literalIn(stack, nameOf(cfn));
  if (name === undefined && (identity as { _allowCrossEnvironment?: boolean })._allowCrossEnvironment === true
    && typeof (identity as { _enableCrossEnvironment?: unknown })._enableCrossEnvironment === 'function') {
    // PhysicalName.GENERATE_IF_NEEDED: aws-cdk-lib's own cross-environment name, so that its ARNs agree.
    (identity as unknown as { _enableCrossEnvironment(): void })._enableCrossEnvironment();
    name = literalIn(stack, nameOf(cfn));
  }
  if (name === undefined) {
    if (stack.resolve(nameOf(cfn)) !== undefined) {
      cannot(`its ${kind}Name is not known before deployment`, nameFix);
    }
    name = generatedName(identity, stack) ?? cannot(
      `it has no name, and none can be generated in a stack without a concrete account and region (${stack.account}/${stack.region})`,
      `${nameFix}, or give ${stack.stackName} a concrete env`,
    );
    if (cfn instanceof iam.CfnRole) {
      cfn.roleName = name;
    } else {
      cfn.userName = name;
    }
  }
  const path = cfn.path === undefined ? '/' : literalIn(stack, cfn.path) ?? cannot('its path is not known before deployment', 'give it a literal path');
  const account = granteeAccount(keyStack, stack);
  if (Token.isUnresolved(account) && !sameValue(stack.account, keyStack.account)) {
    cannot(`its account is not known (${stack.account})`, `give ${stack.stackName} a concrete env`);
  }
  return `arn:${keyStack.partition}:iam::${account}:${kind}${path}${name}`;
}

function nameOf(cfn: iam.CfnRole | iam.CfnUser): string | undefined {
  return cfn instanceof iam.CfnRole ? cfn.roleName : cfn.userName;
}

function literalIn(stack: Stack, value: string | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const resolved = stack.resolve(value);
  return typeof resolved === 'string' && !Token.isUnresolved(resolved) ? resolved : undefined;
}

/**
 * `<stack name>-<construct path>-<hash>`: readable, at most 62 characters (IAM allows 64), and unique in
 * the account because the hash covers the account, region, stack name and construct path (role and user
 * names are global to an account; stacks of one name may exist in several regions).
 */
function generatedName(identity: IConstruct, stack: Stack): string | undefined {
  if ([stack.account, stack.region, stack.stackName].some((v) => Token.isUnresolved(v))) {
    return undefined;
  }
  const relative = identity.node.path.slice(stack.node.path.length + 1).replace(/[^A-Za-z0-9]/g, '');
  const hash = createHash('sha256')
    .update([stack.account, stack.region, stack.stackName, identity.node.path].join('\n'))
    .digest('hex')
    .slice(0, 12);
  return `${stack.stackName.slice(0, 24)}-${relative.slice(0, 24)}-${hash}`;
}

/**
 * The managed policy, in the grantee's stack, that holds its side of the grants of one key stack's keys.
 * It exists only while the key's stack deploys first: otherwise it would reference the key's stack from a
 * stack that the key's stack depends on.
 */
function identityPolicyFor(identity: iam.IPrincipal & IConstruct, keyStack: Stack, keyFirst: () => boolean): GrantPolicy {
  const id = `KmsKeyGrants${keyStack.node.addr.slice(0, 8)}`;
  const existing = identity.node.tryFindChild(id);
  if (existing instanceof GrantPolicy) {
    return existing;
  }
  return new GrantPolicy(identity, id, keyStack, keyFirst);
}

class GrantPolicy extends Construct {
  public readonly document = new iam.PolicyDocument();
  public readonly resource: iam.CfnManagedPolicy;

  constructor(identity: iam.IPrincipal & IConstruct, id: string, keyStack: Stack, keyFirst: () => boolean) {
    super(identity, id);
    const cfn = identity.node.defaultChild;
    const name = identity instanceof iam.Role || cfn instanceof iam.CfnRole
      ? { roles: [(cfn as iam.CfnRole).ref] }
      : { users: [(cfn as iam.CfnUser).ref] };
    const document = this.document;
    this.resource = new (class extends iam.CfnManagedPolicy {
      protected shouldSynthesize(): boolean {
        return keyFirst() && !document.isEmpty;
      }
    })(this, 'Resource', {
      policyDocument: document,
      description: `Use of KMS keys of stack ${keyStack.stackName}, granted to this principal (the key policies name it too)`,
      ...name,
    });
  }
}

/**
 * Where a grant's identity statement goes: the grantee's managed policy for the key stack, or the grantee
 * itself (its default policy), with the conditions that name the key when its ARN cannot be referenced.
 */
class IdentitySide extends iam.PrincipalBase {
  public readonly principalAccount: string | undefined;

  constructor(
    private readonly target: GrantPolicy | iam.IPrincipal,
    private readonly identity: iam.IPrincipal,
    private readonly keyConditions: iam.Conditions,
  ) {
    super();
    this.principalAccount = identity.principalAccount;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.identity.policyFragment;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    statement.addConditions(this.keyConditions);
    if (this.target instanceof GrantPolicy) {
      this.target.document.addStatements(statement);
      return { statementAdded: true, policyDependable: this.target.resource };
    }
    return this.target.addToPrincipalPolicy(statement);
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}
