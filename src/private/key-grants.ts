import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { ArnInPolicy, grantAcrossStacks, identityOfAnotherStack } from './cross-stack-grants';
import { sameEnvironment } from './environment';
import { analysisContextOf, KeyPolicyAnalysis, KeyPolicyAnalysisContext, namesSource, PrincipalKind } from './key-policy-analyzer';
import { failInput, InputProblems } from './validation';

/**
 * Grants of the library's keys (primaries, replicas, imported replicas), in one place: what each
 * `grant*()` method gives, and where the statements go.
 */

/** The `grant*()` methods that give a fixed set of actions. */
export type UseGrant =
  | 'grantDecrypt'
  | 'grantEncrypt'
  | 'grantEncryptDecrypt'
  | 'grantSign'
  | 'grantVerify'
  | 'grantSignVerify'
  | 'grantGenerateMac'
  | 'grantVerifyMac';

/** What a key knows of itself for its grants: its spec and usage when known (not for imported keys). */
export interface GrantedKey {
  readonly path: string;
  readonly keySpec?: kms.KeySpec;
  readonly keyUsage?: kms.KeyUsage;
}

/**
 * The actions a use grant gives on a key. When the key's spec is known, a grant its usage does not
 * allow fails; data-key and re-encryption actions exist only for symmetric keys.
 */
export function useGrantActions(method: UseGrant, key: GrantedKey): string[] {
  const requireUsage = (usage: kms.KeyUsage) => {
    if (key.keyUsage !== undefined && key.keyUsage !== usage) {
      failInput(key.path, `${method}() needs a key with usage ${usage}, got a ${key.keySpec} key with usage ${key.keyUsage}`);
    }
  };
  switch (method) {
    case 'grantDecrypt':
      requireUsage(kms.KeyUsage.ENCRYPT_DECRYPT);
      return ['kms:Decrypt'];
    case 'grantEncrypt':
      requireUsage(kms.KeyUsage.ENCRYPT_DECRYPT);
      return encryptActions(key.keySpec);
    case 'grantEncryptDecrypt':
      requireUsage(kms.KeyUsage.ENCRYPT_DECRYPT);
      return ['kms:Decrypt', ...encryptActions(key.keySpec)];
    case 'grantSign':
      requireUsage(kms.KeyUsage.SIGN_VERIFY);
      return ['kms:Sign'];
    case 'grantVerify':
      requireUsage(kms.KeyUsage.SIGN_VERIFY);
      return ['kms:Verify'];
    case 'grantSignVerify':
      requireUsage(kms.KeyUsage.SIGN_VERIFY);
      return ['kms:Sign', 'kms:Verify'];
    case 'grantGenerateMac':
      requireUsage(kms.KeyUsage.GENERATE_VERIFY_MAC);
      return ['kms:GenerateMac'];
    case 'grantVerifyMac':
      requireUsage(kms.KeyUsage.GENERATE_VERIFY_MAC);
      return ['kms:VerifyMac'];
  }
}

function encryptActions(spec: kms.KeySpec | undefined): string[] {
  if (spec !== undefined && spec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
    return ['kms:Encrypt'];
  }
  return [
    'kms:Encrypt',
    'kms:GenerateDataKey',
    'kms:GenerateDataKeyPair',
    'kms:GenerateDataKeyPairWithoutPlaintext',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
  ];
}

/**
 * Grants actions on a key whose key policy this app writes: in the key policy AND in the grantee's own
 * policy, because the account's IAM policies alone cannot give use of the library's keys. `kms:*` is
 * refused.
 *
 * A role or user created in another stack is named in the key policy by a literal ARN, so that the key's
 * stack never references the grantee's (see `grantAcrossStacks`). Any other grantee of another
 * environment cannot reference the key's ARN before the key exists: its own policy names every key of
 * the key's account and region, and the key policy does the narrowing.
 */
export function grantInKeyPolicy(key: kms.IKey, grantee: iam.IGrantable, actions: string[], rootMayUse = false): iam.Grant {
  refuseWildcard(key, actions);
  const service = rootMayUse ? undefined : accountThroughService(key, grantee.grantPrincipal);
  if (service !== undefined) {
    // aws-cdk-lib's Secret and Volume let the whole account use their key through their service. The
    // library never gives the account root use: the deployer gets the service's create-time calls (the
    // deployment model finds the resource in the templates), and whoever reads through the service is named.
    Annotations.of(key).addWarningV2(
      'cdk-kms-patterns:accountUseThroughService',
      `a construct asked that every IAM principal of the account use this key through ${service} (${[...actions].sort().join(', ')}); ` +
      'the key policy gives the account root no use outside AccountRootAccess.FULL_DELEGATION, so the statement was not added. ' +
      `The deployer gets what ${service} calls when it creates the resource. To let principals use the key through ${service}, ` +
      'name them: allowUseVia(ServiceVia.<service>(), [principals]), users, or the resource\'s own grant methods (secret.grantRead(role))',
    );
    return iam.Grant.drop(grantee, `use of ${key.node.path} by the account through ${service}`);
  }
  if (cannotBeNamed(grantee.grantPrincipal) !== undefined) {
    // An IAM group cannot be a key policy's principal: its own policy is enough only when the account
    // root delegates use to IAM policies.
    if (rootMayUse) {
      return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [key.keyArn] });
    }
    failInput(key.node.path, `a grant to the IAM group ${describeGrantee(grantee)} cannot be written in the key policy ` +
      `(${cannotBeNamed(grantee.grantPrincipal)}), and the key's account root does not let IAM policies give use of the key: ` +
      'grant to the roles or users of the group, or choose AccountRootAccess.FULL_DELEGATION to let IAM policies decide');
  }
  refuseGrantee(key, grantee, rootMayUse);
  const owned = identityOfAnotherStack(key, grantee);
  if (owned !== undefined) {
    return grantAcrossStacks(key, owned, actions, () => keyInForeignPolicy(key));
  }
  const foreign = foreignAccountPrincipals(key, grantee.grantPrincipal);
  if (foreign !== undefined) {
    // Principals of other accounts given by ARN or account id: the key policy names their account, held
    // to the principal (aws:PrincipalArn) or to the account (kms:CallerAccount), as for grantees of another
    // account's stack; KMS accepts it before the principal exists. The grantee's own policy takes the rest.
    const grants = foreign.map((principal) => iam.Grant.addToPrincipalAndResource({
      grantee: { grantPrincipal: principal },
      actions,
      resource: key,
      resourceArns: [key.keyArn],
      resourceSelfArns: ['*'],
    }));
    return grants.reduce((all, g) => all.combine(g), iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [key.keyArn] }));
  }
  const granteeStack = granteeStackOf(grantee);
  const crossEnvironment = granteeStack !== undefined && !sameEnvironment(granteeStack, Stack.of(key));
  return iam.Grant.addToPrincipalAndResource({
    grantee,
    actions,
    resource: key,
    resourceArns: [crossEnvironment && Token.isUnresolved(key.keyArn) ? keyArnPattern(Stack.of(key)) : key.keyArn],
    resourceSelfArns: ['*'],
  });
}

/**
 * Why a principal cannot be named in a key policy, or undefined: an IAM group (aws-cdk-lib refuses a new
 * one, and an imported one would be written by ARN, which KMS refuses as a principal).
 */
function cannotBeNamed(principal: iam.IPrincipal): string | undefined {
  const group = principal instanceof iam.Group || ('groupArn' in principal && 'groupName' in principal);
  return group ? 'a key policy cannot name an IAM group' : undefined;
}

function describeGrantee(grantee: iam.IGrantable): string {
  const principal = grantee.grantPrincipal;
  return Construct.isConstruct(principal) ? principal.node.path : principal.toString();
}

/**
 * The principals of a grantee, when it names some of another account than the key's by literal ARN or
 * account id without conditions of its own (an imported role of another account, an `AccountPrincipal`,
 * a `CompositePrincipal` of them): each as the key policy names it, a principal of another account by its
 * account held to it; undefined when none is of another account.
 */
function foreignAccountPrincipals(key: kms.IKey, principal: iam.IPrincipal): iam.IPrincipal[] | undefined {
  const stack = Stack.of(key);
  if (Token.isUnresolved(stack.account)) {
    return undefined;
  }
  let fragment: iam.PrincipalPolicyFragment;
  try {
    fragment = principal.policyFragment;
  } catch {
    return undefined;
  }
  const json = fragment.principalJson;
  if (Object.keys(fragment.conditions).length > 0 || Object.keys(json).some((k) => k !== 'AWS')) {
    return undefined;
  }
  const values: unknown[] = [json.AWS].flat();
  // The ARN as written, with the partition of the key's stack read as a word (AccountPrincipal's ARN).
  const literal = (value: unknown): string | undefined => {
    let resolved: unknown;
    try {
      resolved = stack.resolve(value);
    } catch {
      return undefined;
    }
    const join = (resolved as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
    if (join !== undefined && join[0] === '' && Array.isArray(join[1])) {
      const parts = join[1].map((part) => (typeof part === 'string' ? part
        : JSON.stringify(part) === JSON.stringify({ Ref: 'AWS::Partition' }) ? 'partition' : undefined));
      return parts.every((part) => part !== undefined) ? parts.join('') : undefined;
    }
    return typeof resolved === 'string' ? resolved : undefined;
  };
  let anyForeign = false;
  const principals: iam.IPrincipal[] = [];
  for (const value of values) {
    const written = literal(value);
    const match = written === undefined ? null : /^(?:arn:[a-z-]+:iam::(\d{12}):(root|(?:role|user)\/.+)|(\d{12}))$/.exec(written);
    const account = match?.[1] ?? match?.[3];
    if (account === undefined || account === stack.account) {
      principals.push(new iam.ArnPrincipal(value as string));
      continue;
    }
    anyForeign = true;
    const whole = match![3] !== undefined || match![2] === 'root';
    principals.push(new iam.PrincipalWithConditions(new iam.AccountPrincipal(account), whole
      ? { StringEquals: { 'kms:CallerAccount': account } }
      : { ArnEquals: { 'aws:PrincipalArn': value } }));
  }
  return anyForeign ? principals : undefined;
}

/**
 * How a policy that cannot reference the key (another account, region or stage) names it: the keys of
 * the key's account and region that carry one of its aliases (`kms:ResourceAliases`), or all of them when
 * it has none; the key policy names the grantee either way.
 */
function keyInForeignPolicy(key: kms.IKey): ArnInPolicy {
  if (!Token.isUnresolved(key.keyArn)) {
    return { arn: key.keyArn };
  }
  const aliases = ((key as { aliasNames?: string[] }).aliasNames ?? []).filter((a) => !Token.isUnresolved(a));
  return {
    arn: keyArnPattern(Stack.of(key)),
    conditions: aliases.length > 0 ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } } : undefined,
  };
}

/**
 * Grants actions on a key whose key policy cannot be changed here (an imported key): only in the
 * grantee's own policy, on the key's ARN. The key policy must already let the grantee (or its
 * account's IAM policies) use the key.
 */
export function grantInIdentityPolicy(key: kms.IKey, grantee: iam.IGrantable, actions: string[]): iam.Grant {
  refuseWildcard(key, actions);
  refuseGrantee(key, grantee);
  return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [key.keyArn] });
}

/**
 * The service of a grantee that is the key's own account root held to a service (`kms:ViaService`), as
 * aws-cdk-lib's `ViaServicePrincipal(<service>, AccountPrincipal(<account>))`; undefined otherwise.
 */
function accountThroughService(key: kms.IKey, principal: iam.IPrincipal): string | undefined {
  const stack = Stack.of(key);
  const fragment = principal.policyFragment;
  const aws = fragment.principalJson.AWS;
  const values = Array.isArray(aws) ? aws : [aws];
  const via = (fragment.conditions as Record<string, Record<string, unknown> | undefined>).StringEquals?.['kms:ViaService'];
  // Only a principal held to a service can be the account through that service; any other grantee
  // (a role of another environment among them, whose ARN this stack cannot resolve) is left alone.
  if (values.length !== 1 || values[0] === undefined || typeof via !== 'string') {
    return undefined;
  }
  let resolved: string;
  try {
    resolved = JSON.stringify(stack.resolve(values[0]));
  } catch {
    // A principal of another environment that this stack cannot reference is never its account root.
    return undefined;
  }
  const isRoot = resolved === JSON.stringify(stack.resolve(new iam.AccountRootPrincipal().arn))
    || resolved === JSON.stringify(stack.resolve(stack.account));
  return isRoot ? stack.resolve(via) : undefined;
}

function refuseWildcard(key: IConstruct, actions: string[]): void {
  const wildcard = actions.filter((a) => a === '*' || a === 'kms:*');
  if (wildcard.length > 0) {
    failInput(key.node.path, `grant() does not give '${wildcard[0]}': name the actions (allowed: kms:<Action>), or use grantAdmin() or a use grant`);
  }
}

/**
 * Whether a principal, read as the key policy analyzer reads it, is the key's own account root in any
 * spelling (`AccountRootPrincipal`, `AccountPrincipal` of the account, `ArnPrincipal` of `:root` or of
 * the 12-digit id, `*` held to the account by `kms:CallerAccount`).
 */
/**
 * The analysis context for telling the kind of a principal (anyone, the account root, a service): the
 * account, without the ARNs of the stack's named roles, which only unify two spellings of one role.
 */
function principalKindContext(stack: Stack): KeyPolicyAnalysisContext {
  return { account: analysisContextOf(stack).account };
}

export function isOwnAccountRoot(stack: Stack, principal: iam.IPrincipal): boolean {
  try {
    const fragment = principal.policyFragment;
    const statement = { Effect: 'Allow', Action: 'kms:DescribeKey', Principal: stack.resolve(fragment.principalJson), Condition: stack.resolve(fragment.conditions) };
    // Which role a construct names does not matter here: a role is never the account root.
    const [analyzed] = KeyPolicyAnalysis.of([statement], principalKindContext(stack)).statements;
    return analyzed.principals.some((p) => p.kind === PrincipalKind.ACCOUNT_ROOT && p.wholeAccount);
  } catch {
    return false;
  }
}

/**
 * Grants name principals, read as the key policy analyzer reads them (every spelling of `*` and of the
 * account root, conditions of a `PrincipalWithConditions` included): `*`, a service without a source
 * condition and the key's own account root (outside full delegation) are refused, each with what to use instead.
 */
function refuseGrantee(key: IConstruct, grantee: iam.IGrantable, rootMayUse = false): void {
  const stack = Stack.of(key);
  let statement: { Principal: unknown; Condition: any };
  try {
    const fragment = grantee.grantPrincipal.policyFragment;
    statement = { Principal: stack.resolve(fragment.principalJson), Condition: stack.resolve(fragment.conditions) };
  } catch {
    // A principal of another environment, or one that cannot be put in a key policy: aws-cdk-lib reports it.
    return;
  }
  const analysis = KeyPolicyAnalysis.of([{ Effect: 'Allow', Action: 'kms:DescribeKey', ...statement }], principalKindContext(stack));
  const [analyzed] = analysis.statements;
  const problems = new InputProblems(key.node.path);
  if (analyzed.writtenPrincipals.some((p) => p.kind === PrincipalKind.ANYONE)) {
    const org = JSON.stringify(statement.Condition ?? {}).match(/"aws:PrincipalOrg(?:ID|Paths)":(\[[^\]]*\]|"[^"]*")/)?.[1];
    problems.add(`a grant does not give '*' (anyone) use of the key, even under conditions${org === undefined ? ''
      : ` (received an organization principal: '*' held to ${org} by aws:PrincipalOrgID or aws:PrincipalOrgPaths)`}: ` +
      'share it with accounts or an organization through EC2 with shareForSnapshotCopy() or shareForAmiLaunch(), or name the principals ' +
      '(roles, users or accounts)');
  }
  for (const p of analyzed.principals) {
    if (p.kind === PrincipalKind.SERVICE && !namesSource(analyzed.conditions)) {
      problems.add(`a grant to the service principal ${p.display} needs aws:SourceAccount, aws:SourceArn or an encryption context condition ` +
        '(confused deputy): use addServicePreset() with the ServicePreset of the service, allowUseVia() for principals that use the key ' +
        'through a service, or a principal with such conditions (iam.PrincipalWithConditions); when an aws-cdk-lib integration makes this ' +
        'grant, turn on its feature flag that adds the condition (for an EventBridge target queue, @aws-cdk/aws-events:eventsTargetQueueSameAccount)' +
        (/^events\.amazonaws\.com/.test(p.display)
          ? '; an EventBridge targets.SnsTopic on a topic encrypted with the key makes this grant whatever the flags: let it publish with ' +
            'a role (new targets.SnsTopic(topic, { authorizeUsingRole: true }), or role), whose use of the key the grant names'
          : ''));
    } else if (!rootMayUse && p.kind === PrincipalKind.ACCOUNT_ROOT && p.wholeAccount
      && !analyzed.writtenPrincipals.some((w) => w.kind === PrincipalKind.ANYONE)) {
      problems.add(`a grant to the key's own account root (${p.display}) would let every IAM principal of the account use the key through its own policy: ` +
        'name the principals (users, or grant*() to each role), use allowUseVia() for use through a service, ' +
        'or choose AccountRootAccess.FULL_DELEGATION to let IAM policies decide');
    }
  }
  problems.throwIfAny();
}

/** `arn:<partition>:kms:<region>:<account>:key/*` of a stack's environment. */
function keyArnPattern(stack: Stack): string {
  return `arn:${stack.partition}:kms:${stack.region}:${stack.account}:key/*`;
}

function granteeStackOf(grantee: iam.IGrantable): Stack | undefined {
  const principal = grantee.grantPrincipal;
  if (Construct.isConstruct(principal)) {
    return Stack.of(principal);
  }
  return Construct.isConstruct(grantee) ? Stack.of(grantee) : undefined;
}
