import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeFinding } from './acknowledge';
import { InputProblems } from './validation';

/** The condition key that S3 puts into the encryption context of every object it encrypts. */
const S3_ARN_CONTEXT = 'kms:EncryptionContext:aws:s3:arn';

/** Longest object key prefix S3 accepts in a replication rule filter. */
const MAX_PREFIX_LENGTH = 1_024;

/**
 * The region of a bucket: its own `env.region` (imported buckets can name one), else its stack's.
 */
export function regionOf(resource: { readonly env: { readonly region: string } }): string {
  return resource.env.region;
}

/**
 * `s3.<region>.<suffix>`: the `kms:ViaService` value of S3 in the given region. The suffix follows
 * the region's partition when the region is known, so China regions get `amazonaws.com.cn`.
 */
export function s3ViaService(stack: Stack, region: string): string {
  if (Token.isUnresolved(region)) {
    return `s3.${region}.${stack.urlSuffix}`;
  }
  return `s3.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/**
 * The prefixes that cover every given prefix: `''` covers everything; a prefix covered by a shorter
 * one is dropped. Sorted, so the policies do not change when destinations are reordered.
 */
export function coveringPrefixes(prefixes: string[]): string[] {
  const unique = [...new Set(prefixes)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && !Token.isUnresolved(q) && !Token.isUnresolved(p) && p.startsWith(q)));
}

/** Records a problem for a prefix that IAM or S3 would read differently from what the user meant. */
export function checkPrefix(problems: InputProblems, what: string, prefix: string | undefined): void {
  if (prefix === undefined || Token.isUnresolved(prefix)) {
    return;
  }
  if (/[*?]/.test(prefix)) {
    problems.add(`${what} must not contain '*' or '?' (IAM would read them as wildcards), got '${prefix}'`);
  }
  if (prefix.startsWith('/')) {
    problems.add(`${what} is an object key prefix and must not start with '/', got '${prefix}'`);
  }
  if (prefix.length > MAX_PREFIX_LENGTH) {
    problems.add(`${what} has at most ${MAX_PREFIX_LENGTH} characters, got ${prefix.length}`);
  }
}

/** ARNs of the objects under the given prefixes of a bucket: `arn:aws:s3:::bucket/<prefix>*`. */
export function objectArns(bucket: s3.IBucket, prefixes: string[]): string[] {
  return prefixes.map((p) => bucket.arnForObjects(`${p}*`));
}

/** What the encryption context of a bucket's objects is, and so what a key policy can require. */
export interface EncryptionContextScope {
  /** The bucket. */
  readonly bucket: s3.IBucket;
  /** The object key prefixes (`''` for every object). */
  readonly prefixes: string[];
  /** Whether S3 Bucket Keys are on: the context is then the bucket ARN, not the object ARN. */
  readonly bucketKeyEnabled: boolean;
}

/**
 * Conditions that hold a KMS request to S3 in the bucket's region, for objects of the bucket under
 * the prefixes (or for the bucket, with S3 Bucket Keys).
 *
 * In a key policy (`keyPolicy`), the encryption context is left out when the bucket's ARN would be a
 * reference to a resource of the key's stack: the bucket is encrypted with the key, so the key policy
 * cannot depend on the bucket (a dependency cycle). The role's own policy always carries it, and the
 * key policy names the role through its account, so KMS requires both.
 */
export function s3KeyConditions(stack: Stack, scope: EncryptionContextScope, keyPolicy = false): Record<string, Record<string, unknown>> {
  const viaService = s3ViaService(stack, regionOf(scope.bucket));
  const bucketArn = keyPolicy ? literalBucketArn(stack, scope.bucket) : scope.bucket.bucketArn;
  if (bucketArn === undefined) {
    return { StringEquals: { 'kms:ViaService': viaService } };
  }
  if (scope.bucketKeyEnabled) {
    return { StringEquals: { 'kms:ViaService': viaService, [S3_ARN_CONTEXT]: bucketArn } };
  }
  return {
    StringEquals: { 'kms:ViaService': viaService },
    StringLike: { [S3_ARN_CONTEXT]: scope.prefixes.map((p) => `${bucketArn}/${p}*`) },
  };
}

/**
 * The bucket's ARN as a value of the given stack that references no resource (pseudo parameters such
 * as the partition are fine), or undefined when there is none: a bucket whose name is given, or one of
 * another environment whose physical name the CDK generates.
 */
export function literalBucketArn(stack: Stack, bucket: s3.IBucket): string | undefined {
  if (isLiteralIn(stack, bucket.bucketArn)) {
    return bucket.bucketArn;
  }
  const cfn = cfnBucketOf(bucket);
  const name = cfn ? Stack.of(cfn).resolve(cfn.bucketName) : undefined;
  return typeof name === 'string' && !Token.isUnresolved(name) ? `arn:${stack.partition}:s3:::${name}` : undefined;
}

/** Whether a value, resolved in a stack, references no resource. */
function isLiteralIn(stack: Stack, value: string): boolean {
  const json = JSON.stringify(stack.resolve(value));
  const refs = [...json.matchAll(/"Ref":"([^"]+)"/g)].map((m) => m[1]);
  return refs.every((r) => r.startsWith('AWS::')) && !/"Fn::(GetAtt|ImportValue)"/.test(json);
}

/**
 * The account of a role ARN: parsed when the ARN (resolved in the stack) holds a literal account,
 * else a CloudFormation expression that extracts it.
 */
export function accountOfRoleArn(stack: Stack, roleArn: string): string {
  const json = JSON.stringify(stack.resolve(roleArn));
  const match = /:iam::(\d{12}):role\//.exec(json);
  return match ? match[1] : Arn.split(roleArn, ArnFormat.SLASH_RESOURCE_NAME).account!;
}

/** Whether the CfnBucket behind a bucket (when there is one) has versioning enabled; undefined when unknown. */
export function versioningEnabled(bucket: s3.IBucket): boolean | undefined {
  const cfn = cfnBucketOf(bucket);
  if (!cfn) {
    return undefined;
  }
  const config = Stack.of(cfn).resolve(cfn.versioningConfiguration);
  if (config === undefined) {
    return false;
  }
  const status = config.status ?? config.Status;
  return Token.isUnresolved(status) ? undefined : status === 'Enabled';
}

/** Whether the CfnBucket behind a bucket has S3 Bucket Keys on for its default encryption; undefined when unknown. */
export function bucketKeyEnabledOf(bucket: s3.IBucket): boolean | undefined {
  const cfn = cfnBucketOf(bucket);
  if (!cfn) {
    return undefined;
  }
  const encryption = Stack.of(cfn).resolve(cfn.bucketEncryption);
  const rules: any[] = encryption?.serverSideEncryptionConfiguration ?? [];
  return rules.some((r) => r?.bucketKeyEnabled === true);
}

/** Whether the bucket's default encryption is SSE-KMS with the AWS managed key (no key named). */
export function usesAwsManagedKey(bucket: s3.IBucket): boolean {
  const cfn = cfnBucketOf(bucket);
  if (!cfn) {
    return false;
  }
  const encryption = Stack.of(cfn).resolve(cfn.bucketEncryption);
  const rules: any[] = encryption?.serverSideEncryptionConfiguration ?? [];
  return rules.some((r) => r?.serverSideEncryptionByDefault?.sseAlgorithm === 'aws:kms'
    && r.serverSideEncryptionByDefault.kmsMasterKeyId === undefined);
}

/** The L1 bucket of an `s3.Bucket`, or undefined for an imported bucket. */
export function cfnBucketOf(bucket: s3.IBucket): s3.CfnBucket | undefined {
  const child = bucket.node.defaultChild;
  return child instanceof s3.CfnBucket ? child : undefined;
}

/**
 * The key spec of a key when it can be known: a `CustomerManagedKey` or `kms.Key` of this app (from
 * its L1), undefined for imported keys.
 */
export function keySpecOf(key: kms.IKey): string | undefined {
  const own = (key as { keySpec?: unknown }).keySpec;
  if (typeof own === 'string') {
    return own;
  }
  const child = key.node.defaultChild;
  if (child instanceof kms.CfnKey) {
    const spec = Stack.of(child).resolve(child.keySpec);
    return spec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
  }
  return undefined;
}

/**
 * The alias name when the "key" is an alias (an `IAlias`, or an ARN or id naming an alias), else undefined.
 * IAM policies and replication rules need the key ARN: KMS authorizes against the key, not its alias.
 */
export function aliasNameOf(key: kms.IKey): string | undefined {
  const named = (key as { aliasName?: unknown }).aliasName;
  if (typeof named === 'string') {
    return named;
  }
  const match = /(?:^|:)(alias\/.*)$/.exec(key.keyArn);
  return match ? match[1] : undefined;
}

/**
 * What the replication role does with a destination key: encrypt replicas; with S3 Bucket Keys also
 * decrypt (S3 checks the Bucket Key with kms:Decrypt); for unencrypted source objects also generate
 * data keys.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 */
export function replicaKeyActions(bucketKey: boolean, unencryptedSourceObjects: boolean): string[] {
  return [
    ...(bucketKey ? ['kms:Decrypt'] : []),
    'kms:Encrypt',
    ...(unencryptedSourceObjects ? ['kms:GenerateDataKey'] : []),
  ];
}

/** A principal and the conditions that narrow it. */
export interface PrincipalWithConditions {
  readonly principal: iam.IPrincipal;
  readonly conditions: Record<string, Record<string, unknown>>;
}

/**
 * A policy principal for a role: its account, with `aws:PrincipalArn` naming the role. KMS and S3 then
 * also require the role's own policy to allow the request, and neither checks that the role exists when
 * the policy is put, so the key or bucket can deploy before the role.
 */
export function principalByArn(roleArn: string, roleAccount: string): PrincipalWithConditions {
  return {
    principal: new iam.AccountPrincipal(roleAccount),
    conditions: { ArnEquals: { 'aws:PrincipalArn': roleArn } },
  };
}

/** Merges condition blocks (operator by operator). */
export function mergeConditions(...blocks: Record<string, Record<string, unknown>>[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const block of blocks) {
    for (const [op, values] of Object.entries(block)) {
      out[op] = { ...(out[op] ?? {}), ...values };
    }
  }
  return out;
}

/**
 * Acknowledges, with their reasons, the packs' findings on the replication role: S3 replication acts on
 * every object version under the replicated prefixes, so object ARNs end in a wildcard (each held to one
 * bucket and prefix); and the statements stay an inline policy of the role they were written for.
 */
export function acknowledgeReplicationRoleFindings(role: iam.Role, objectArnPatterns: string[]): void {
  const stack = Stack.of(role);
  for (const arn of objectArnPatterns) {
    acknowledgeFinding(role, `AwsSolutions::AwsSolutions-IAM5[Resource::${nagString(stack.resolve(arn))}]`,
      'S3 replication reads and writes every object version under the replicated prefix: the object ARN ends in /<prefix>*, held to one bucket');
  }
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
    acknowledgeFinding(role, `${pack}::${pack}-IAMNoInlinePolicy`,
      'The least-privilege replication statements belong to this role alone and live and die with it');
  }
}

/** A resolved value as cdk-nag writes it in finding ids: `<Id.Attr>` for GetAtt, `<Id>` for Ref. */
function nagString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(nagString).join(',');
  const obj = (value ?? {}) as Record<string, any>;
  if (obj.Ref !== undefined) return `<${obj.Ref}>`;
  if (obj['Fn::GetAtt'] !== undefined) return `<${[obj['Fn::GetAtt']].flat().join('.')}>`;
  if (obj['Fn::Join'] !== undefined) return (obj['Fn::Join'][1] as unknown[]).map(nagString).join(obj['Fn::Join'][0]);
  return JSON.stringify(value);
}
