/**
 * Turns synthesized templates into concrete policies (intrinsics resolved to the ARNs the resources
 * would have once deployed) and evaluates real requests against them with @cloud-copilot/iam-simulate.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

interface Deployed {
  readonly account: string;
  readonly region: string;
  readonly resources: Record<string, any>;
}

/** One or more deployed stacks, with every resource given a concrete ARN. */
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
    this.stacks.push({ account: stack.account, region: stack.region, resources: template.Resources ?? {} });
    return this;
  }

  /** The concrete ARN of a resource, found by logical id in any stack. */
  public arnOf(logicalId: string): string {
    const [deployed, resource] = this.find(logicalId);
    return this.arnFor(deployed, logicalId, resource);
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

  /** Every identity policy attached to a role (inline, AWS::IAM::Policy, AWS::IAM::ManagedPolicy). */
  public identityPoliciesOf(roleLogicalId: string): { name: string; policy: any }[] {
    const [deployed, role] = this.find(roleLogicalId);
    const out: { name: string; policy: any }[] = [];
    for (const p of role.Properties?.Policies ?? []) {
      out.push({ name: p.PolicyName, policy: this.resolve(deployed, p.PolicyDocument) });
    }
    for (const s of this.stacks) {
      for (const [id, r] of Object.entries(s.resources)) {
        const attached = (r.Properties?.Roles ?? []).some((x: any) => x?.Ref === roleLogicalId);
        if ((r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && attached) {
          out.push({ name: id, policy: this.resolve(s, r.Properties.PolicyDocument) });
        }
      }
      for (const [id, r] of Object.entries(s.resources)) {
        if (r.Type !== 'AWS::IAM::ManagedPolicy') continue;
        const refs = (role.Properties?.ManagedPolicyArns ?? []).some((x: any) => x?.Ref === id);
        if (refs) {
          out.push({ name: id, policy: this.resolve(s, r.Properties.PolicyDocument) });
        }
      }
    }
    return out;
  }

  /** Resolves intrinsics of any value of a stack holding the given resource. */
  public resolveIn(logicalId: string, value: unknown): any {
    const [deployed] = this.find(logicalId);
    return this.resolve(deployed, value);
  }

  private find(logicalId: string): [Deployed, any] {
    for (const s of this.stacks) {
      if (s.resources[logicalId]) {
        return [s, s.resources[logicalId]];
      }
    }
    throw new Error(`no resource ${logicalId}`);
  }

  /** The value a cross-region export writer (crossRegionReferences) of any stack writes under a name. */
  private crossRegionExport(name: string): string {
    for (const s of this.stacks) {
      for (const r of Object.values(s.resources)) {
        const exports = r.Type === 'Custom::CrossRegionExportWriter' ? r.Properties?.WriterProps?.exports : undefined;
        if (exports && name in exports) {
          return this.resolve(s, exports[name]);
        }
      }
    }
    throw new Error(`no cross-region export ${name}`);
  }

  private arnFor(s: Deployed, id: string, r: any): string {
    switch (r.Type) {
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${s.account}:role/${r.Properties?.RoleName ?? id}`;
      case 'AWS::IAM::User':
        return `arn:aws:iam::${s.account}:user/${r.Properties?.UserName ?? id}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${s.account}:policy/${r.Properties?.ManagedPolicyName ?? id}`;
      case 'AWS::KMS::Key':
      case 'AWS::KMS::ReplicaKey':
        return `arn:aws:kms:${s.region}:${s.account}:key/${keyIdFor(id)}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${r.Properties?.BucketName ?? id.toLowerCase()}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${s.region}:${s.account}:${id}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${s.region}:${s.account}:log-group:${r.Properties?.LogGroupName ?? id}:*`;
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
          const [owner, r] = this.find(arg);
          return this.refOf(owner, arg, r);
        }
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
          const [owner, r] = this.find(id);
          if (r.Type === 'Custom::CrossRegionExportReader') return this.crossRegionExport(attr);
          if (attr === 'Arn') return this.arnFor(owner, id, r);
          if (attr === 'KeyId') return keyIdFor(id);
          return `${id}.${attr}`;
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
}

/**
 * The simulator ignores context keys whose variable part follows a colon, such as
 * `kms:EncryptionContext:aws:s3:arn` (it only knows `/`-separated variables like `aws:PrincipalTag/x`).
 * Such keys are renamed, in the policies and in the request alike, to a string-valued stand-in that it
 * evaluates with the same operators; no policy under test uses the stand-in's own namespace.
 */
const ENCRYPTION_CONTEXT_KEY = /^kms:EncryptionContext:(.+)$/i;

function standIn(key: string): string {
  const match = ENCRYPTION_CONTEXT_KEY.exec(key);
  return match ? `aws:PrincipalTag/kms-encryption-context-${match[1].replace(/:/g, '-')}` : key;
}

function withStandIns(policy: any): any {
  if (policy === undefined) return undefined;
  const statements = [policy.Statement ?? []].flat().map((st: any) => {
    if (!st.Condition) return st;
    const condition: Record<string, Record<string, unknown>> = {};
    for (const [op, entries] of Object.entries(st.Condition as Record<string, Record<string, unknown>>)) {
      condition[op] = Object.fromEntries(Object.entries(entries).map(([k, v]) => [standIn(k), v]));
    }
    return { ...st, Condition: condition };
  });
  return { ...policy, Statement: statements };
}

/** Evaluates one request; throws when the simulator rejects the input. */
export async function decide(req: Request): Promise<Decision> {
  const context = Object.fromEntries(Object.entries(req.context ?? {}).map(([k, v]) => [standIn(k), v]));
  const result = await runSimulation({
    request: {
      principal: req.principal,
      action: req.action,
      resource: { resource: req.resource, accountId: req.resourceAccount },
      contextVariables: context,
    },
    identityPolicies: (req.identityPolicies ?? []).map((p) => ({ name: p.name, policy: withStandIns(p.policy) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: withStandIns(req.resourcePolicy),
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
