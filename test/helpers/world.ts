/**
 * Turns synthesized templates into concrete policies (intrinsics resolved to the ARNs the resources
 * would have once deployed) and evaluates real requests against them with @cloud-copilot/iam-simulate.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** One resource of a deployed stack, with its stack's environment. */
export interface WorldResource {
  /** `<stack artifact id>/<logical id>`: a name every method of World accepts. */
  readonly id: string;
  readonly logicalId: string;
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly type: string;
  readonly resource: any;
}

interface Deployed {
  readonly name: string;
  readonly stackName: string;
  readonly outputs: Record<string, any>;
  readonly account: string;
  readonly region: string;
  readonly resources: Record<string, any>;
}

/**
 * One or more deployed stacks, with every resource given a concrete ARN. Resources are named by logical
 * id, or by `<stack artifact id>/<logical id>` when several stacks hold the same logical id (see `idOf`).
 */
export class World {
  private readonly stacks: Deployed[] = [];

  constructor(...stacks: Stack[]) {
    for (const stack of stacks) {
      this.add(stack);
    }
  }

  /** Adds a stack (its env must be concrete). */
  public add(stack: Stack): this {
    const template = Template.fromStack(stack).toJSON();
    this.stacks.push({
      name: stack.artifactId,
      stackName: stack.stackName,
      outputs: template.Outputs ?? {},
      account: stack.account,
      region: stack.region,
      resources: template.Resources ?? {},
    });
    return this;
  }

  /** Adds a template as deployed in an account and region (a StackSet's instance, for example). */
  public addTemplate(name: string, template: any, account: string, region: string): this {
    this.stacks.push({ name, stackName: name, outputs: template.Outputs ?? {}, account, region, resources: template.Resources ?? {} });
    return this;
  }

  /** Every resource of every stack. */
  public resources(): WorldResource[] {
    return this.stacks.flatMap((s) => Object.entries(s.resources).map(([logicalId, resource]) => ({
      id: `${s.name}/${logicalId}`,
      logicalId,
      stack: s.name,
      account: s.account,
      region: s.region,
      type: resource.Type,
      resource,
    })));
  }

  /** The concrete ARN of a resource, found by logical id in any stack. */
  public arnOf(logicalId: string): string {
    const [deployed, resource] = this.find(logicalId);
    return this.arnFor(deployed, logicalId.split('/').pop()!, resource);
  }

  /** The only resource of a type whose logical id starts with the given prefix, as logical id. */
  public logicalId(type: string, prefix = ''): string {
    const ids = this.stacks.flatMap((s) => Object.entries(s.resources)
      .filter(([id, r]) => r.Type === type && id.startsWith(prefix)).map(([id]) => id));
    if (ids.length !== 1) {
      throw new Error(`expected one ${type} starting '${prefix}', found ${ids.join(', ') || 'none'}`);
    }
    return ids[0];
  }

  /** The resolved key policy of a key. */
  public keyPolicy(keyLogicalId: string): any {
    const [deployed, resource] = this.find(keyLogicalId);
    return this.resolve(deployed, resource.Properties.KeyPolicy);
  }

  /** The resolved bucket policy of a bucket (undefined when it has none). */
  public bucketPolicy(bucketLogicalId: string): any {
    for (const s of this.stacks) {
      for (const r of Object.values(s.resources)) {
        if (r.Type === 'AWS::S3::BucketPolicy' && r.Properties?.Bucket?.Ref === bucketLogicalId) {
          return this.resolve(s, r.Properties.PolicyDocument);
        }
      }
    }
    return undefined;
  }

  /** The account of the stack that holds a resource. */
  public account(logicalId: string): string {
    return this.find(logicalId)[0].account;
  }

  /** Every identity policy attached to a role or user (inline, AWS::IAM::Policy, AWS::IAM::ManagedPolicy). */
  public identityPoliciesOf(roleLogicalId: string): { name: string; policy: any }[] {
    const [deployed, role] = this.find(roleLogicalId);
    const out: { name: string; policy: any }[] = [];
    for (const p of role.Properties?.Policies ?? []) {
      out.push({ name: p.PolicyName, policy: this.resolve(deployed, p.PolicyDocument) });
    }
    const roleId = roleLogicalId.split('/').pop();
    // Policies name roles and users by Ref, which stays inside a stack.
    for (const [id, r] of Object.entries(deployed.resources)) {
      const attached = [...r.Properties?.Roles ?? [], ...r.Properties?.Users ?? []].some((x: any) => x?.Ref === roleId);
      if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && attached) {
        out.push({ name: id, policy: this.resolve(deployed, r.Properties.PolicyDocument) });
      }
    }
    for (const [id, r] of Object.entries(deployed.resources)) {
      if (r.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const refs = (role.Properties?.ManagedPolicyArns ?? []).some((x: any) => x?.Ref === id);
      if (refs) {
        out.push({ name: id, policy: this.resolve(deployed, r.Properties.PolicyDocument) });
      }
    }
    return out;
  }

  /** Resolves intrinsics of any value of a stack holding the given resource. */
  public resolveIn(logicalId: string, value: unknown): any {
    const [deployed] = this.find(logicalId);
    return this.resolve(deployed, value);
  }

  /**
   * A value carried across regions by CDK (crossRegionReferences): the reader's attribute is the SSM
   * parameter name that the producing stack's writer fills in.
   */
  private crossRegionExport(parameterName: string): any {
    for (const s of this.stacks) {
      for (const r of Object.values(s.resources)) {
        const exported = r.Type === 'Custom::CrossRegionExportWriter' ? r.Properties?.WriterProps?.exports?.[parameterName] : undefined;
        if (exported !== undefined) {
          return this.resolve(s, exported);
        }
      }
    }
    throw new Error(`no stack exports ${parameterName} across regions`);
  }

  /** Finds a resource by `[<stack>/]<logical id>`, in the given stack first (Ref and GetAtt stay inside a stack). */
  private find(logicalId: string, preferred?: Deployed): [Deployed, any] {
    if (logicalId.includes('/')) {
      const [name, id] = logicalId.split('/');
      const s = this.stacks.find((x) => x.name === name);
      if (s?.resources[id]) {
        return [s, s.resources[id]];
      }
      throw new Error(`no resource ${logicalId}`);
    }
    if (preferred?.resources[logicalId]) {
      return [preferred, preferred.resources[logicalId]];
    }
    for (const s of this.stacks) {
      if (s.resources[logicalId]) {
        return [s, s.resources[logicalId]];
      }
    }
    throw new Error(`no resource ${logicalId}`);
  }

  private arnFor(s: Deployed, id: string, r: any): string {
    switch (r.Type) {
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${s.account}:role${r.Properties?.Path ?? '/'}${r.Properties?.RoleName ?? id}`;
      case 'AWS::IAM::User':
        return `arn:aws:iam::${s.account}:user${r.Properties?.Path ?? '/'}${r.Properties?.UserName ?? id}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${s.account}:policy/${r.Properties?.ManagedPolicyName ?? id}`;
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey':
        return `arn:aws:kms:${s.region}:${s.account}:key/${keyIdFor(id)}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${r.Properties?.BucketName ?? id.toLowerCase()}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${s.region}:${s.account}:${r.Properties?.TopicName ?? id}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${s.region}:${s.account}:${r.Properties?.QueueName ?? id}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${s.region}:${s.account}:log-group:${r.Properties?.LogGroupName ?? id}:*`;
      case 'AWS::Events::Rule': {
        const bus = r.Properties?.EventBusName && r.Properties.EventBusName !== 'default' ? `${r.Properties.EventBusName}/` : '';
        return `arn:aws:events:${s.region}:${s.account}:rule/${bus}${r.Properties?.Name ?? id}`;
      }
      case 'AWS::CloudTrail::Trail':
        return `arn:aws:cloudtrail:${s.region}:${s.account}:trail/${r.Properties?.TrailName ?? id}`;
      case 'AWS::SecretsManager::Secret':
        // Secrets Manager adds six random characters to the name.
        return `arn:aws:secretsmanager:${s.region}:${s.account}:secret:${r.Properties?.Name ?? `${id}-G3n3r4t3dN4m3`}-AbCdEf`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${s.region}:${s.account}:function:${r.Properties?.FunctionName ?? `${s.stackName}-${id}-G3n3r4t3d`}`;
      case 'AWS::Kinesis::Stream':
        return `arn:aws:kinesis:${s.region}:${s.account}:stream/${r.Properties?.Name ?? `${s.stackName}-${id}-G3n3r4t3d`}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:aws:dynamodb:${s.region}:${s.account}:table/${r.Properties?.TableName ?? `${s.stackName}-${id}-G3n3r4t3d`}`;
      case 'AWS::SSM::Parameter': {
        const name = r.Properties?.Name ?? id;
        return `arn:aws:ssm:${s.region}:${s.account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
      }
      default:
        return `arn:aws:${r.Type.split('::')[1].toLowerCase()}:${s.region}:${s.account}:${id}`;
    }
  }

  private refOf(s: Deployed, id: string, r: any): string {
    switch (r.Type) {
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey':
        return keyIdFor(id);
      case 'AWS::IAM::Role':
        return r.Properties?.RoleName ?? id;
      case 'AWS::IAM::ManagedPolicy':
      case 'AWS::SNS::Topic':
        return this.arnFor(s, id, r);
      case 'AWS::S3::Bucket':
        return r.Properties?.BucketName ?? id.toLowerCase();
      case 'AWS::SQS::Queue':
        return `https://sqs.${s.region}.amazonaws.com/${s.account}/${r.Properties?.QueueName ?? id}`;
      case 'AWS::Logs::LogGroup':
        return r.Properties?.LogGroupName ?? id;
      case 'AWS::CloudTrail::Trail':
        return r.Properties?.TrailName ?? id;
      default:
        return r.Properties?.Name ?? id;
    }
  }

  private resolve(s: Deployed, value: unknown): any {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(s, v));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const obj = value as Record<string, any>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = obj[fn];
      switch (fn) {
        case 'Ref': {
          const pseudo: Record<string, string> = {
            'AWS::Partition': 'aws',
            'AWS::AccountId': s.account,
            'AWS::Region': s.region,
            'AWS::URLSuffix': 'amazonaws.com',
          };
          if (pseudo[arg]) return pseudo[arg];
          const [owner, r] = this.find(arg, s);
          return this.refOf(owner, arg, r);
        }
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
          const [owner, r] = this.find(id, s);
          if (r.Type === 'Custom::CrossRegionExportReader') return this.crossRegionExport(attr);
          if (attr === 'Arn') return this.arnFor(owner, id, r);
          if (attr === 'KeyId') return keyIdFor(id);
          return `${id}.${attr}`;
        }
        case 'Fn::GetStackOutput': {
          // A weak cross-stack reference: an output of another stack, read at deployment.
          const producer = this.stacks.find((x) => x.stackName === arg.StackName && x.region === (arg.Region ?? s.region));
          const output = producer?.outputs[arg.OutputName];
          if (!producer || !output) throw new Error(`no output ${arg.OutputName} of stack ${arg.StackName}`);
          return this.resolve(producer, output.Value);
        }
        case 'Fn::ImportValue': {
          // A strong cross-stack reference: the export of another stack of the same environment.
          const name = this.resolve(s, arg);
          for (const producer of this.stacks.filter((x) => x.account === s.account && x.region === s.region)) {
            const output = Object.values(producer.outputs).find((o: any) => this.resolve(producer, o.Export?.Name) === name) as any;
            if (output) return this.resolve(producer, output.Value);
          }
          throw new Error(`no stack exports ${name}`);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg;
          return this.resolve(s, parts).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg;
          return this.resolve(s, list)[Number(index)];
        }
        case 'Fn::Split': {
          const [sep, str] = arg;
          return String(this.resolve(s, str)).split(sep);
        }
        default:
          break;
      }
    }
    const out: Record<string, any> = {};
    for (const k of keys) {
      out[k] = this.resolve(s, obj[k]);
    }
    return out;
  }
}

/** The world name of a construct's resource: `<stack artifact id>/<logical id>`. */
export function idOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  const stack = Stack.of(construct);
  return `${stack.artifactId}/${stack.getLogicalId(resource)}`;
}

/** A stable, UUID-shaped key id for a logical id. */
function keyIdFor(logicalId: string): string {
  let h = 0;
  for (const c of logicalId) h = (h * 31 + c.charCodeAt(0)) % 0x100000000;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}0000`;
}

/** A request to evaluate. */
export interface Request {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly identityPolicies?: { name: string; policy: any }[];
  readonly resourcePolicy?: any;
  readonly context?: Record<string, string | string[]>;
  /** Service control policies of the principal's account (one level, with FullAWSAccess beside them). */
  readonly serviceControlPolicies?: { name: string; policy: any }[];
  /** Resource control policies of the resource's account (the simulator adds RCPFullAWSAccess). */
  readonly resourceControlPolicies?: { name: string; policy: any }[];
}

const FULL_AWS_ACCESS = { name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };

/**
 * The simulator knows `kms:EncryptionContext:${EncryptionContextKey}` but matches variable keys only
 * after a `/`, so it would ignore `kms:EncryptionContext:aws:logs:arn` in requests (and a condition on
 * it would always see it missing). Requests and policies carry such keys under a variable key it does
 * match, `aws:RequestTag/<original key>`: the operators, IfExists and missing-key rules stay the simulator's.
 */
const ENCRYPTION_CONTEXT_KEY = /^kms:EncryptionContext:/i;
const encryptionContextAlias = (key: string) => (ENCRYPTION_CONTEXT_KEY.test(key) ? `aws:RequestTag/${key}` : key);

function withEncryptionContextAliases(policy: any): any {
  if (policy === undefined) {
    return undefined;
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return {
    ...policy,
    Statement: statements.map((st: any) => (st.Condition === undefined ? st : {
      ...st,
      Condition: Object.fromEntries(Object.entries(st.Condition).map(([op, keys]) => [op,
        Object.fromEntries(Object.entries(keys as Record<string, unknown>).map(([k, v]) => [encryptionContextAlias(k), v]))])),
    })),
  };
}

/** Evaluates one request; throws when the simulator rejects the input. */
export async function decide(req: Request): Promise<Decision> {
  const context = Object.fromEntries(Object.entries(req.context ?? {}).map(([k, v]) => [encryptionContextAlias(k), v]));
  const result = await runSimulation({
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: req.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: (req.identityPolicies ?? []).map((p) => ({ name: p.name, policy: withEncryptionContextAliases(p.policy) })),
    serviceControlPolicies: req.serviceControlPolicies
      ? [{ orgIdentifier: 'ou-guardrails', policies: [FULL_AWS_ACCESS, ...req.serviceControlPolicies] }] : [],
    resourceControlPolicies: req.resourceControlPolicies
      ? [{ orgIdentifier: 'ou-guardrails', policies: req.resourceControlPolicies }] : [],
    resourcePolicy: withEncryptionContextAliases(req.resourcePolicy),
  }, {});
  if (result.resultType === 'error') {
    throw new Error(`simulation rejected: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/** An identity policy allowing everything of KMS on every key. */
export const KMS_STAR_POLICY = {
  name: 'kms-star',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] },
};
