import {
  Annotations,
  Aspects,
  AspectPriority,
  CfnDeletionPolicy,
  CfnResource,
  DefaultStackSynthesizer,
  DefaultTokenResolver,
  IAspect,
  IPostProcessor,
  IResolvable,
  IResolveContext,
  Reference,
  Stack,
  StringConcat,
  Token,
  Tokenization,
} from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { CREATOR_SERVICES, creatorServiceStatements, KEY_USE_RULES } from './creator-services';
import { sameValue } from './environment';
import { KEY_TYPE, principalsOf, renderIntrinsics, REPLICA_KEY_TYPE } from './key-policy-analyzer';
import {
  AUTO_SCALING_SERVICE_LINKED_ROLE,
  AUTO_SCALING_SERVICE_LINKED_ROLE_ACTIONS,
  CREATE_GRANT,
  DEPLOYER_KEY_ACTIONS,
  DEPLOYER_REPLICA_ACTIONS,
  REPLICATE_KEY,
  SCHEDULE_KEY_DELETION,
  SYMMETRIC_USE_ACTIONS,
  CLOUDTRAIL_ENCRYPT_ACTIONS,
} from './perms';
import { InputProblems } from './validation';
import type { DeploymentUse } from '../deployment/deployment-use';

/**
 * The deploying principal of each stack that holds a key's policy, and what it (and the services that
 * create resources with the key) must be allowed in that policy for the deployment to succeed.
 */

/** What a library key (primary or replica) tells the deployment model. */
export interface DeployedKey {
  /** The key construct: its path names it in messages. */
  readonly construct: IConstruct;
  /** The AWS::KMS::Key or AWS::KMS::ReplicaKey. */
  readonly resource: CfnResource;
  readonly replica: boolean;
  readonly keySpec: kms.KeySpec;
  /** The principals the user named as deployers (`deployers`). */
  readonly named: iam.IPrincipal[];
  /** Whether the account root holds the action through the key policy (and so every IAM principal with it in IAM). */
  readonly rootHolds: (action: string) => boolean;
  /** Adds a statement to this key's own policy. */
  readonly addStatement: (statement: iam.PolicyStatement) => void;
  /** Replicas of a primary (empty for replicas). */
  readonly replicas: () => DeployedKey[];
  /** The prop that names this key's deployers, for messages. */
  readonly deployersProp: string;
  /** Whether `named` was given for this key (and is checked here), not inherited from its primary. */
  readonly namedHere: boolean;
}

/** The deployment model of one key: its declared uses and what synth found wrong. */
export class KeyDeployment {
  /** Problems found while the statements were added: reported by the key's validation. */
  public readonly errors: string[] = [];
  /** The principal JSON of every deployer named in this key's policy (for the separation check). */
  public readonly deployerPrincipals = new Set<string>();
  private readonly declared: DeploymentUse[] = [];
  private applied = false;

  constructor(private readonly key: DeployedKey) {
    Aspects.of(key.construct).add(new DeploymentAspect(this), { priority: AspectPriority.MUTATING });
  }

  /** Declares a use the templates cannot show. */
  public declare(use: DeploymentUse): void {
    const problems = new InputProblems(this.key.construct.node.path);
    if (this.key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
      problems.add(`addDeploymentUse: ${use.serviceName} uses SYMMETRIC_DEFAULT keys only, got a ${this.key.keySpec} key`);
    }
    use._problems().forEach((p) => problems.add(`addDeploymentUse: ${p}`));
    problems.throwIfAny();
    this.declared.push(use);
  }

  /** Adds the deployer and service statements to the key's policy, once, when the app is complete. */
  public apply(): void {
    if (this.applied) {
      return;
    }
    this.applied = true;
    const key = this.key;
    const stack = Stack.of(key.construct);
    this.checkNamedDeployers();

    // CloudFormation's own calls on this key, less what the account root already delegates to IAM.
    const retained = [CfnDeletionPolicy.RETAIN, CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE]
      .includes(key.resource.cfnOptions.deletionPolicy ?? CfnDeletionPolicy.DELETE);
    const handlerActions = [...(key.replica ? DEPLOYER_REPLICA_ACTIONS : DEPLOYER_KEY_ACTIONS), ...(retained ? [] : [SCHEDULE_KEY_DELETION])]
      .filter((a) => !key.rootHolds(a))
      .sort();
    if (handlerActions.length > 0) {
      const deployers = this.deployersOf(stack, 'CloudFormation calls kms:PutKeyPolicy (lockout safety check) and the key handlers\' actions as the deployer');
      if (deployers) {
        key.addStatement(new iam.PolicyStatement({ sid: 'DeployerKeyManagement', principals: deployers, actions: handlerActions, resources: ['*'] }));
      }
    }

    // Each replica is created by its own stack's deployer, with ReplicateKey on the primary.
    if (!key.rootHolds(REPLICATE_KEY)) {
      const declared = key.replicas().map((r) => r.resource);
      const regions = key.replicas().map((r) => Stack.of(r.construct).region);
      for (const other of keyUsesOf(key.resource).filter((u) => u.service === 'replica' && !declared.includes(u.resource))) {
        this.errors.push(`${other.resource.node.path} is a replica of this key in region ${shown(Stack.of(other.resource).region)}, but kms:ReplicateKey ` +
          `is held (kms:ReplicaRegion) to the regions of its ReplicaKey replicas; allowed: ${regions.length > 0 ? regions.join(', ') : 'none yet'}. ` +
          'Create it with ReplicaKey.replicate() or new ReplicaKey()');
      }
      for (const replica of key.replicas()) {
        const replicaStack = Stack.of(replica.construct);
        const deployers = resolveDeployers(replica, replicaStack,
          `the replica ${replica.construct.node.path} is created with kms:ReplicateKey on this key by its stack's deployer`, this.errors, this.deployerPrincipals);
        if (deployers) {
          key.addStatement(new iam.PolicyStatement({
            sid: `DeployerReplicateKey${pascal(replicaStack.region)}`,
            principals: deployers,
            actions: [REPLICATE_KEY],
            resources: ['*'],
            conditions: { StringEquals: { 'kms:ReplicaRegion': replicaStack.region } },
          }));
        }
      }
    }

    this.addServiceStatements(stack);
  }

  /** Deployers of a stack: named ones of its account and region, else its synthesizer's execution role. */
  public deployersOf(stack: Stack, why: string): iam.IPrincipal[] | undefined {
    return resolveDeployers(this.key, stack, why, this.errors, this.deployerPrincipals);
  }

  private addServiceStatements(keyStack: Stack): void {
    const key = this.key;
    const found = keyUsesOf(key.resource);
    // service id -> deployers' JSON -> { deployers, names }
    const grouped = new Map<string, Map<string, { deployers: iam.IPrincipal[]; names: Set<string> }>>();
    const add = (service: string, useStack: Stack, names: string[], what: string) => {
      if (key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
        this.errors.push(`${what} uses the key through ${CREATOR_SERVICES[service].name}, which takes SYMMETRIC_DEFAULT keys only; got a ${key.keySpec} key`);
        return;
      }
      if (key.rootHolds('kms:CreateGrant') && key.rootHolds('kms:Decrypt')) {
        return;
      }
      const deployers = this.deployersOf(useStack, `${what} is created through ${CREATOR_SERVICES[service].name}, which calls KMS as the deployer`);
      if (!deployers) return;
      const byDeployer = grouped.get(service) ?? new Map();
      grouped.set(service, byDeployer);
      const id = JSON.stringify(deployers.map((d) => keyStack.resolve(d.policyFragment.principalJson)));
      const entry = byDeployer.get(id) ?? { deployers, names: new Set<string>() };
      names.forEach((n) => entry.names.add(n));
      byDeployer.set(id, entry);
    };
    for (const use of found) {
      if (use.service === 'logs' || use.service === 'cloudtrail' || use.service === 'replica' || use.service === 'autoscaling') {
        continue;
      }
      add(use.service, Stack.of(use.resource), [use.name ?? '*'], `${use.resource.node.path} (${use.path})`);
    }
    for (const use of this.declared) {
      add(use._serviceId, keyStack, use._names, `the declared use ${use.serviceName}`);
    }
    for (const [service, byDeployer] of grouped) {
      let n = 0;
      for (const { deployers, names } of byDeployer.values()) {
        const wildcard = names.has('*');
        for (const st of creatorServiceStatements(CREATOR_SERVICES[service], keyStack, deployers, wildcard ? ['*'] : [...names].sort(), key.rootHolds)) {
          // Several deployers of one service get statements of their own.
          if (n > 0) st.sid = `${st.sid}${n + 1}`;
          key.addStatement(st);
        }
        n++;
      }
    }
    this.addServicePrincipalStatements(keyStack, found);
    this.addAutoScalingStatements(keyStack, found);
  }

  /**
   * EC2 Auto Scaling launches the instances of a group as its service-linked role, not as the deployer:
   * for a launch template whose EBS volumes use the key, the key policy names that role with the use
   * actions and CreateGrant for AWS resources. Its IAM policy (AWS managed, unchangeable) reaches no
   * customer managed key, so the key policy must name it whatever the account root delegates.
   *
   * No kms:ViaService: the Auto Scaling guide documents these statements without it, and no AWS page says
   * through which service the role's requests reach KMS; a condition it does not meet would stop every
   * launch, at scale-out rather than at deployment. The role is AWS's, assumable by Auto Scaling only.
   * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
   */
  private addAutoScalingStatements(keyStack: Stack, found: KeyUse[]): void {
    const key = this.key;
    const groups = found.filter((u) => u.service === 'autoscaling');
    if (groups.length === 0 || key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
      // A launch template with a key of another spec is refused as the EC2 use already.
      return;
    }
    const roles = new Map<string, iam.ArnPrincipal>();
    for (const use of groups) {
      // The group is in its launch template's account and region (a reference or a name cannot reach further).
      const groupStack = Stack.of(use.resource);
      const what = `${use.resource.node.path} (${use.path})`;
      const named = use.resource instanceof autoscaling.CfnAutoScalingGroup ? use.resource.serviceLinkedRoleArn : undefined;
      if (named !== undefined && Token.isUnresolved(named) && groupStack !== keyStack) {
        this.errors.push(`${what} names its service-linked role (ServiceLinkedRoleARN) by a reference to stack ${groupStack.node.path}, ` +
          'and the key policy must name that role; give ServiceLinkedRoleARN as a literal ARN, or create the role in the key\'s stack');
        continue;
      }
      const account = Token.isUnresolved(groupStack.account) ? keyStack.account : groupStack.account;
      const role = new iam.ArnPrincipal(named ?? `arn:${keyStack.partition}:iam::${account}:role/${AUTO_SCALING_SERVICE_LINKED_ROLE}`);
      roles.set(JSON.stringify(keyStack.resolve(role.policyFragment.principalJson)), role);
    }
    if (roles.size === 0) {
      return;
    }
    const principals = [...roles.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r);
    if (principals.some((p) => !Token.isUnresolved(p.arn) || p.arn.includes(AUTO_SCALING_SERVICE_LINKED_ROLE))) {
      // A role of the template (ServiceLinkedRoleARN by reference) is created before the key; a role named by ARN is not.
      Annotations.of(key.construct).addWarningV2('cdk-kms-patterns:autoScalingServiceLinkedRoleMustExist',
        'the key policy names the EC2 Auto Scaling service-linked role, and KMS refuses a key policy whose principal does not exist: ' +
        'the role exists once the account has had an Auto Scaling group; in a new account create it before deploying ' +
        '(aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com), or create an iam.CfnServiceLinkedRole ' +
        'with a customSuffix in the key\'s stack and give its ARN as the group\'s ServiceLinkedRoleARN');
    }
    key.addStatement(new iam.PolicyStatement({
      sid: 'AutoScalingServiceLinkedRoleUse',
      principals,
      actions: [...AUTO_SCALING_SERVICE_LINKED_ROLE_ACTIONS],
      resources: ['*'],
    }));
    key.addStatement(new iam.PolicyStatement({
      sid: 'AutoScalingServiceLinkedRoleGrant',
      principals,
      actions: [CREATE_GRANT],
      resources: ['*'],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
  }

  /** CloudWatch Logs and CloudTrail call KMS as service principals, for the log groups and trails that use the key. */
  private addServicePrincipalStatements(keyStack: Stack, found: KeyUse[]): void {
    const key = this.key;
    const logGroups = found.filter((u) => u.service === 'logs');
    const trails = found.filter((u) => u.service === 'cloudtrail');
    for (const use of [...logGroups, ...trails]) {
      if (key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT) {
        this.errors.push(`${use.resource.node.path} (${use.path}) encrypts with the key, which ${use.service === 'logs' ? 'CloudWatch Logs' : 'CloudTrail'} can do with SYMMETRIC_DEFAULT keys only; got a ${key.keySpec} key`);
        return;
      }
    }
    const arn = (service: string, resource: string) => `arn:${keyStack.partition}:${service}:${keyStack.region}:${keyStack.account}:${resource}`;
    if (logGroups.length > 0) {
      const names = distinctNames(logGroups);
      key.addStatement(new iam.PolicyStatement({
        sid: 'CloudWatchLogsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${keyStack.region}.${keyStack.urlSuffix}`)],
        actions: [...SYMMETRIC_USE_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': names.map((n) => arn('logs', `log-group:${n}`)) },
          StringEqualsIfExists: { 'aws:SourceAccount': keyStack.account },
        },
      }));
    }
    if (trails.length > 0) {
      const names = distinctNames(trails);
      const trailArns = names.map((n) => arn('cloudtrail', `trail/${n}`));
      key.addStatement(new iam.PolicyStatement({
        sid: 'CloudTrailTrailsEncrypt',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: [...CLOUDTRAIL_ENCRYPT_ACTIONS],
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:SourceArn': trailArns },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': names.map((n) => `arn:${keyStack.partition}:cloudtrail:*:${keyStack.account}:trail/${n}`) },
        },
      }));
      key.addStatement(new iam.PolicyStatement({
        sid: 'CloudTrailTrailsDescribeKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:SourceArn': trailArns } },
      }));
    }
  }

  /** Every named deployer must be a named IAM principal of one of the key's stacks' account and region. */
  private checkNamedDeployers(): void {
    const key = this.key;
    if (!key.namedHere) {
      return;
    }
    const stacks = [Stack.of(key.construct), ...key.replicas().map((r) => Stack.of(r.construct))];
    const allowed = stacks.map((s) => `${shown(s.account)}/${shown(s.region)}`).join(', ');
    const keyStack = Stack.of(key.construct);
    for (const p of key.named) {
      const json = keyStack.resolve(p.policyFragment.principalJson);
      if (json.AWS === undefined) {
        this.errors.push(`${key.deployersProp} must be IAM roles or users, got ${JSON.stringify(json)}`);
        continue;
      }
      const rendered = principalsOf(json).map((x) => renderIntrinsics(JSON.parse(x).AWS));
      const accountOrAnyone = rendered.filter((r) => r === '*' || /:root$/.test(r) || /^\d{12}$/.test(r));
      if (accountOrAnyone.length > 0) {
        this.errors.push(`${key.deployersProp} must name the role or user that deploys (its CloudFormation execution role), got '${accountOrAnyone[0]}' (an account or anyone)`);
        continue;
      }
      const arn = principalArn(keyStack, p);
      if (arn === undefined) {
        continue;
      }
      const parts = arn.split(':');
      if (!stacks.some((s) => matches(arn, s))) {
        this.errors.push(`${key.deployersProp} has '${arn}' (account ${parts[4]}${bootstrapRegion(arn) ? `, region ${bootstrapRegion(arn)}` : ''}), which deploys none of the key's stacks; allowed: principals of ${allowed} (account/region)`);
      }
    }
  }

}

/** Deployers of a stack for a key: its named ones of the stack's account and region, else the synthesizer's execution role. */
function resolveDeployers(key: DeployedKey, stack: Stack, why: string, errors: string[], named: Set<string>): iam.IPrincipal[] | undefined {
  const own = key.named.filter((p) => {
    const arn = principalArn(stack, p);
    return arn === undefined || matches(arn, stack);
  });
  const fallback = own.length > 0 ? undefined : defaultDeployer(stack);
  const deployers = own.length > 0 ? own : fallback ? [fallback] : [];
  if (deployers.length === 0) {
    const message = `cannot tell who deploys stack ${stack.node.path} (${shown(stack.account)}/${shown(stack.region)}): its synthesizer ` +
      `(${stack.synthesizer.constructor.name}) has no CloudFormation execution role, and ${why}; name the deploying role in ${key.deployersProp}`;
    if (!errors.includes(message)) errors.push(message);
    return undefined;
  }
  for (const d of deployers) {
    principalsOf(Stack.of(key.construct).resolve(d.policyFragment.principalJson)).forEach((p) => named.add(p));
  }
  return deployers;
}

class DeploymentAspect implements IAspect {
  constructor(private readonly deployment: KeyDeployment) {}

  public visit(): void {
    this.deployment.apply();
  }
}

/**
 * The CloudFormation execution role of a stack's synthesizer (DefaultStackSynthesizer and its custom
 * qualifiers and role ARNs), with the stack's partition, account and region; undefined for synthesizers
 * that deploy with the caller's credentials.
 */
export function defaultDeployer(stack: Stack): iam.IPrincipal | undefined {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    return undefined;
  }
  let arn: string | undefined;
  try {
    arn = synthesizer.cloudFormationExecutionRoleArn;
  } catch {
    return undefined;
  }
  if (!arn) {
    return undefined;
  }
  return new iam.ArnPrincipal(arn
    .split('${AWS::Partition}').join(stack.partition)
    .split('${AWS::AccountId}').join(stack.account)
    .split('${AWS::Region}').join(stack.region));
}

/** The concrete ARN of a principal, or undefined when it holds tokens. */
function principalArn(stack: Stack, p: iam.IPrincipal): string | undefined {
  const aws = p.policyFragment.principalJson.AWS;
  const values = Array.isArray(aws) ? aws : [aws];
  if (values.length !== 1 || typeof values[0] !== 'string') {
    return undefined;
  }
  const resolved = stack.resolve(values[0]);
  return typeof resolved === 'string' && !Token.isUnresolved(values[0]) ? resolved : undefined;
}

/** The region in the name of a CDK bootstrap execution role (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). */
function bootstrapRegion(arn: string): string | undefined {
  return /:role\/(?:[^:]*\/)?cdk-[^/]+-cfn-exec-role-\d{12}-([a-z0-9-]+)$/.exec(arn)?.[1];
}

/** Whether a concrete principal ARN can deploy a stack: same account, and the bootstrap role of its region. */
function matches(arn: string, stack: Stack): boolean {
  const account = arn.split(':')[4];
  const region = bootstrapRegion(arn);
  const sameAccount = Token.isUnresolved(stack.account) || sameValue(account, stack.account);
  const sameRegion = region === undefined || Token.isUnresolved(stack.region) || region === stack.region;
  return sameAccount && sameRegion;
}

function shown(value: string): string {
  return Token.isUnresolved(value) ? '(env-agnostic)' : value;
}

function pascal(region: string): string {
  return region.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

function distinctNames(uses: KeyUse[]): string[] {
  const names = new Set(uses.map((u) => u.name ?? '*'));
  return names.has('*') ? ['*'] : [...names].sort();
}

/** A resource of the app that names a key in a property through which a service uses it. */
export interface KeyUse {
  readonly resource: CfnResource;
  readonly path: string;
  /**
   * A CREATOR_SERVICES id, `logs` / `cloudtrail` (service principals), `autoscaling` (a group that launches
   * from a launch template with the key), or `replica` (a replica of the key).
   */
  readonly service: string;
  /** The resource's literal name, when the context condition can name it. */
  readonly name?: string;
}

const SERVICE_PRINCIPAL_RULES = [
  { type: 'AWS::Logs::LogGroup', path: /^KmsKeyId$/, service: 'logs', nameProperty: 'LogGroupName' },
  { type: 'AWS::CloudTrail::Trail', path: /^KMSKeyId$/, service: 'cloudtrail', nameProperty: 'TrailName' },
  { type: REPLICA_KEY_TYPE, path: /^PrimaryKeyArn$/, service: 'replica', nameProperty: undefined },
];

const scans = new WeakMap<IConstruct, Map<CfnResource, KeyUse[]>>();

/** The uses of a key (its AWS::KMS::Key or AWS::KMS::ReplicaKey) in the whole app, found once per app. */
export function keyUsesOf(keyResource: CfnResource): KeyUse[] {
  const root = keyResource.node.root;
  let scan = scans.get(root);
  if (scan === undefined) {
    scan = scanApp(root);
    scans.set(root, scan);
  }
  return scan.get(keyResource) ?? [];
}

const MARKER = '@@cdk-kms-patterns-key-';

/**
 * Renders every resource of the app with references to keys (and to aliases of keys) replaced by
 * markers, and records the properties that carry one. Other references are not resolved, so that
 * cross-stack references need no preparation.
 */
function scanApp(root: IConstruct): Map<CfnResource, KeyUse[]> {
  const resources = root.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
  const keys = resources.filter((r) => r.cfnResourceType === KEY_TYPE || r.cfnResourceType === REPLICA_KEY_TYPE);
  const index = new Map<IConstruct, number>(keys.map((k, i) => [k, i]));
  const uses = new Map<CfnResource, KeyUse[]>();
  if (keys.length === 0) {
    return uses;
  }
  const aliasNames = new Map<string, number>();
  const resolver = new MarkingResolver(index);
  for (const alias of resources.filter((r) => r.cfnResourceType === 'AWS::KMS::Alias')) {
    const props = render(alias, resolver)?.Properties ?? {};
    const target = markedKey(props.TargetKeyId);
    if (target !== undefined) {
      index.set(alias, target);
      if (typeof props.AliasName === 'string' && !props.AliasName.includes(MARKER)) {
        aliasNames.set(props.AliasName, target);
      }
    }
  }
  for (const resource of resources) {
    const rules = [...KEY_USE_RULES, ...SERVICE_PRINCIPAL_RULES].filter((r) => r.type === resource.cfnResourceType);
    if (rules.length === 0) {
      continue;
    }
    const props = render(resource, resolver)?.Properties ?? {};
    for (const [path, value] of leaves(props)) {
      if (typeof value !== 'string') continue;
      const keyIndex = markedKey(value) ?? aliasOf(value, aliasNames);
      const rule = rules.find((r) => r.path.test(path));
      if (keyIndex === undefined || rule === undefined) continue;
      const name = rule.nameProperty ? props[rule.nameProperty] : undefined;
      const list = uses.get(keys[keyIndex]) ?? [];
      list.push({ resource, path, service: rule.service, name: typeof name === 'string' && !name.includes('@@') ? name : undefined });
      uses.set(keys[keyIndex], list);
    }
  }
  addAutoScalingGroups(resources, uses);
  return uses;
}

const LAUNCH_TEMPLATE_MARKER = '@@cdk-kms-patterns-launch-template-';

/**
 * The Auto Scaling groups that launch from a launch template whose EBS volumes use a key (by reference to
 * the template, or by its literal name), directly or in a mixed instances policy. Launch configurations
 * are not followed: their block devices name no key (an encrypted volume takes the account's default EBS key).
 */
function addAutoScalingGroups(resources: CfnResource[], uses: Map<CfnResource, KeyUse[]>): void {
  const templates: CfnResource[] = [];
  const keysOf = new Map<CfnResource, CfnResource[]>();
  for (const [key, list] of uses) {
    for (const use of list.filter((u) => u.resource.cfnResourceType === LAUNCH_TEMPLATE_TYPE)) {
      if (!keysOf.has(use.resource)) templates.push(use.resource);
      keysOf.set(use.resource, [...new Set([...(keysOf.get(use.resource) ?? []), key])]);
    }
  }
  if (templates.length === 0) {
    return;
  }
  // Launch template names are unique per account and region.
  const envOf = (c: IConstruct) => `${Stack.of(c).account}/${Stack.of(c).region}`;
  const byName = new Map<string, CfnResource>();
  for (const t of templates) {
    const name = (t as { launchTemplateName?: unknown }).launchTemplateName;
    if (typeof name === 'string' && !Token.isUnresolved(name)) byName.set(`${envOf(t)}/${name}`, t);
  }
  const resolver = new MarkingResolver(new Map(templates.map((t, i) => [t, i])), LAUNCH_TEMPLATE_MARKER);
  for (const group of resources.filter((r) => r.cfnResourceType === 'AWS::AutoScaling::AutoScalingGroup')) {
    const props = render(group, resolver)?.Properties ?? {};
    for (const [path, value] of leaves(props)) {
      if (typeof value !== 'string' || !LAUNCH_TEMPLATE_PATH.test(path)) continue;
      const index = new RegExp(`${LAUNCH_TEMPLATE_MARKER}(\\d+)@@`).exec(value)?.[1];
      const template = index !== undefined ? templates[Number(index)] : path.endsWith('Name') ? byName.get(`${envOf(group)}/${value}`) : undefined;
      for (const key of template ? keysOf.get(template) ?? [] : []) {
        const list = uses.get(key) ?? [];
        list.push({ resource: group, path, service: 'autoscaling' });
        uses.set(key, list);
      }
    }
  }
}

const LAUNCH_TEMPLATE_TYPE = 'AWS::EC2::LaunchTemplate';
/** LaunchTemplate.LaunchTemplateId, MixedInstancesPolicy.LaunchTemplate.(Overrides.N.)LaunchTemplateSpecification.LaunchTemplateName, ... */
const LAUNCH_TEMPLATE_PATH = /^(?:LaunchTemplate|MixedInstancesPolicy\.LaunchTemplate\.(?:Overrides\.\d+\.)?LaunchTemplateSpecification)\.LaunchTemplate(?:Id|Name)$/;

function render(resource: CfnResource, resolver: MarkingResolver): any {
  try {
    const rendered = Tokenization.resolve((resource as any)._toCloudFormation(), { scope: resource, resolver, preparing: false });
    return Object.values(rendered?.Resources ?? {})[0];
  } catch {
    return undefined;
  }
}

function markedKey(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = new RegExp(`${MARKER}(\\d+)@@`).exec(value);
  return m ? Number(m[1]) : undefined;
}

function aliasOf(value: string, aliasNames: Map<string, number>): number | undefined {
  const name = /(?:^|:)(alias\/[A-Za-z0-9/_-]+)$/.exec(value)?.[1];
  return name ? aliasNames.get(name) : undefined;
}

/** Resolves references to keys (and their aliases), or to launch templates, to markers, and other references to a placeholder. */
class MarkingResolver extends DefaultTokenResolver {
  constructor(private readonly index: Map<IConstruct, number>, private readonly marker = MARKER) {
    super(new StringConcat());
  }

  public resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): any {
    if (t instanceof Reference) {
      const i = this.index.get(t.target);
      return i === undefined ? '@@ref@@' : `${this.marker}${i}@@`;
    }
    return super.resolveToken(t, context, postProcessor);
  }
}

/** Every leaf of an object with its dotted path. */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object') {
    return [[path, value]];
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}
