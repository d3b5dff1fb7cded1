import { Lazy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCustomResourceFindings } from '../private/custom-resource-findings';
import { checkKeyArn, childPath } from '../private/sharing-ids';
import { InputProblems } from '../private/validation';

/**
 * An operation that a KMS grant allows. The values are the KMS API names.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations
 */
export enum GrantOperation {
  /** kms:Decrypt */
  DECRYPT = 'Decrypt',
  /** kms:Encrypt */
  ENCRYPT = 'Encrypt',
  /** kms:GenerateDataKey */
  GENERATE_DATA_KEY = 'GenerateDataKey',
  /** kms:GenerateDataKeyWithoutPlaintext */
  GENERATE_DATA_KEY_WITHOUT_PLAINTEXT = 'GenerateDataKeyWithoutPlaintext',
  /** kms:GenerateDataKeyPair */
  GENERATE_DATA_KEY_PAIR = 'GenerateDataKeyPair',
  /** kms:GenerateDataKeyPairWithoutPlaintext */
  GENERATE_DATA_KEY_PAIR_WITHOUT_PLAINTEXT = 'GenerateDataKeyPairWithoutPlaintext',
  /** kms:ReEncryptFrom */
  RE_ENCRYPT_FROM = 'ReEncryptFrom',
  /** kms:ReEncryptTo */
  RE_ENCRYPT_TO = 'ReEncryptTo',
  /** kms:Sign */
  SIGN = 'Sign',
  /** kms:Verify */
  VERIFY = 'Verify',
  /** kms:GetPublicKey */
  GET_PUBLIC_KEY = 'GetPublicKey',
  /** kms:GenerateMac */
  GENERATE_MAC = 'GenerateMac',
  /** kms:VerifyMac */
  VERIFY_MAC = 'VerifyMac',
  /** kms:DeriveSharedSecret */
  DERIVE_SHARED_SECRET = 'DeriveSharedSecret',
  /** kms:CreateGrant: the grantee may create grants of at most this grant's operations and constraints. */
  CREATE_GRANT = 'CreateGrant',
  /** kms:RetireGrant: the grantee may retire this grant. */
  RETIRE_GRANT = 'RetireGrant',
  /** kms:DescribeKey */
  DESCRIBE_KEY = 'DescribeKey',
}

/** Operations of keys that take no encryption context, so an encryption-context constraint cannot hold them. */
const NO_ENCRYPTION_CONTEXT: GrantOperation[] = [
  GrantOperation.SIGN,
  GrantOperation.VERIFY,
  GrantOperation.GET_PUBLIC_KEY,
  GrantOperation.GENERATE_MAC,
  GrantOperation.VERIFY_MAC,
  GrantOperation.DERIVE_SHARED_SECRET,
];
const GRANT_NAME = /^[a-zA-Z0-9:/_-]{1,256}$/;
const MAX_CONSTRAINT_PAIRS = 8;
const MAX_CONSTRAINT_VALUE = 384;

/**
 * Properties of a `KeyGrant`.
 */
export interface KeyGrantProps {
  /**
   * The key the grant is on: a key of this environment, or a key of another account or region by its
   * key ARN (`kms.Key.fromKeyArn()`). Aliases do not name keys in grants.
   */
  readonly key: kms.IKey;

  /**
   * The principal that the grant gives the operations to: an IAM role, user or account, or an AWS
   * service principal.
   */
  readonly grantee: iam.IPrincipal;

  /**
   * The operations the grant allows.
   */
  readonly operations: GrantOperation[];

  /**
   * The principal that may retire the grant.
   *
   * @default - the role of the custom resource, which retires the grant (RetireGrant) when the resource is
   * deleted; with another retiring principal the grant is revoked (RevokeGrant) instead, which the key
   * policy must allow the custom resource's account
   */
  readonly retiringPrincipal?: iam.IPrincipal;

  /**
   * The grant allows its cryptographic operations only when the request's encryption context is exactly
   * this one (at most 8 pairs).
   *
   * @default - no encryption-context constraint
   */
  readonly encryptionContextEquals?: { [key: string]: string };

  /**
   * The grant allows its cryptographic operations only when the request's encryption context includes
   * these pairs (at most 8).
   *
   * @default - no encryption-context constraint
   */
  readonly encryptionContextSubset?: { [key: string]: string };

  /**
   * A name of the grant (1 to 256 characters of `a-zA-Z0-9:/_-`). Repeating CreateGrant with the same
   * name and parameters returns the same grant, so updates that change nothing keep it.
   *
   * @default - no name
   */
  readonly grantName?: string;
}

/**
 * A KMS grant as a resource (CloudFormation has none): CreateGrant when it is created (and when its
 * properties change: the old grant is then retired), RetireGrant (or RevokeGrant) when it is deleted.
 *
 * The custom resource may create only this grant: `kms:CreateGrant` on the key's ARN, held to this
 * grantee and these operations, and `kms:RetireGrant` (or `kms:RevokeGrant`) on the key's ARN.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html
 */
export class KeyGrant extends Construct {
  /** The id of the grant. */
  public readonly grantId: string;

  /** The ARN of the key that the grant is on. */
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: KeyGrantProps) {
    super(scope, id);
    const problems = new InputProblems(childPath(scope, id));
    const stack = Stack.of(this);
    const keyArn = props.key.keyArn;
    const aliasName = (props.key as { aliasName?: unknown }).aliasName;
    let keyRegion: string | undefined;
    if (typeof aliasName === 'string' && !Token.isUnresolved(aliasName)) {
      problems.add(aliasName.startsWith('alias/aws/')
        ? `key: '${aliasName}' is an AWS managed key, which cannot be shared or granted across accounts; use a customer managed key`
        : `key: an alias ('${aliasName}') does not name a key in a grant; give the key (kms.Key.fromKeyArn() with its key ARN)`);
    } else if (Token.isUnresolved(keyArn)) {
      const there = Stack.of(props.key);
      const sameEnv = Token.compareStrings(there.account, stack.account) === TokenComparison.SAME
        && Token.compareStrings(there.region, stack.region) === TokenComparison.SAME;
      if (!sameEnv) {
        problems.add(`key: ${props.key.node.path} is in another environment (${there.account}/${there.region}) and its ARN is not known before it is deployed; pass kms.Key.fromKeyArn() with the deployed key ARN`);
      }
    } else {
      keyRegion = checkKeyArn(problems, 'key', keyArn)?.region;
    }

    const grantee = singlePrincipalArn(problems, 'grantee', props.grantee);
    const retiring = props.retiringPrincipal ? singlePrincipalArn(problems, 'retiringPrincipal', props.retiringPrincipal) : undefined;
    const operations = props.operations ?? [];
    if (operations.length === 0) {
      problems.add(`operations: give at least one of ${Object.values(GrantOperation).join(', ')}`);
    }
    const duplicates = operations.filter((op, i) => operations.indexOf(op) !== i);
    if (duplicates.length > 0) {
      problems.add(`operations: ${[...new Set(duplicates)].join(', ')} given twice`);
    }
    const constraint = props.encryptionContextEquals ?? props.encryptionContextSubset;
    if (props.encryptionContextEquals && props.encryptionContextSubset) {
      problems.add('encryptionContextEquals and encryptionContextSubset are both set; give one of them');
    }
    if (constraint) {
      checkConstraint(problems, props.encryptionContextEquals ? 'encryptionContextEquals' : 'encryptionContextSubset', constraint);
      const noContext = operations.filter((op) => NO_ENCRYPTION_CONTEXT.includes(op));
      if (noContext.length > 0) {
        problems.add(`an encryption-context constraint cannot hold ${noContext.join(', ')}: those operations take no encryption context (asymmetric and HMAC keys)`);
      }
    }
    if (props.grantName !== undefined && !Token.isUnresolved(props.grantName) && !GRANT_NAME.test(props.grantName)) {
      problems.add(`grantName has 1 to 256 characters of a-z A-Z 0-9 : / _ -, got '${props.grantName}'`);
    }
    problems.throwIfAny();

    this.keyArn = keyArn;
    // The custom resource's role is known only once the resource exists: read it lazily.
    let crRole: string | undefined;
    const retiringArn = retiring ?? Lazy.string({ produce: () => crRole });
    const region = keyRegion !== undefined && !Token.isUnresolved(stack.region) && keyRegion !== stack.region ? keyRegion : undefined;
    const createGrant: cr.AwsSdkCall = {
      service: 'KMS',
      action: 'CreateGrant',
      region,
      parameters: {
        KeyId: keyArn,
        GranteePrincipal: grantee,
        Operations: [...operations],
        RetiringPrincipal: retiringArn,
        ...(constraint ? {
          Constraints: props.encryptionContextEquals
            ? { EncryptionContextEquals: props.encryptionContextEquals }
            : { EncryptionContextSubset: props.encryptionContextSubset },
        } : {}),
        ...(props.grantName !== undefined ? { Name: props.grantName } : {}),
      },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('GrantId'),
      outputPaths: ['GrantId'],
    };
    const endAction = retiring === undefined ? 'RetireGrant' : 'RevokeGrant';
    const resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::KmsGrant',
      onCreate: createGrant,
      onUpdate: createGrant,
      onDelete: {
        service: 'KMS',
        action: endAction,
        region,
        parameters: { KeyId: keyArn, GrantId: new cr.PhysicalResourceIdReference() },
        // A grant already retired or revoked (or a key already deleted) is gone: nothing left to do.
        ignoreErrorCodesMatching: 'NotFoundException|KMSInvalidStateException',
      },
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['kms:CreateGrant'],
          resources: [keyArn],
          conditions: {
            'StringEquals': { 'kms:GranteePrincipal': grantee },
            'ForAllValues:StringEquals': { 'kms:GrantOperations': [...operations] },
          },
        }),
        new iam.PolicyStatement({ actions: [`kms:${endAction}`], resources: [keyArn] }),
      ]),
    });
    acknowledgeCustomResourceFindings(resource);
    crRole = principalArnOf(resource.grantPrincipal);
    this.grantId = resource.getResponseField('GrantId');
  }
}

function checkConstraint(problems: InputProblems, name: string, context: { [key: string]: string }): void {
  const entries = Object.entries(context);
  if (entries.length === 0 || entries.length > MAX_CONSTRAINT_PAIRS) {
    problems.add(`${name} has 1 to ${MAX_CONSTRAINT_PAIRS} pairs, got ${entries.length}`);
  }
  for (const [k, v] of entries) {
    if (!Token.isUnresolved(v) && v.length > MAX_CONSTRAINT_VALUE) {
      problems.add(`${name}: the value of '${k}' has at most ${MAX_CONSTRAINT_VALUE} characters, got ${v.length}`);
    }
  }
}

/** The one ARN (or service principal name) of a principal. */
function singlePrincipalArn(problems: InputProblems, name: string, principal: iam.IPrincipal): string {
  const json = principal.policyFragment.principalJson;
  const values = [...(json.AWS ?? []), ...(json.Service ?? [])];
  if (values.length !== 1 || Object.keys(json).some((k) => k !== 'AWS' && k !== 'Service') || values[0] === '*') {
    problems.add(`${name} must be one IAM principal or AWS service principal, got ${JSON.stringify(json)}`);
  }
  return values[0];
}

function principalArnOf(principal: iam.IPrincipal): string {
  return principal.policyFragment.principalJson.AWS[0];
}
