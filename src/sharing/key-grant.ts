import * as crypto from 'crypto';
import { Annotations, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { LibraryCustomResourceProvider } from '../private/custom-resource-provider';
import { KMS_CREATE_GRANT, KMS_RETIRE_GRANT, KMS_REVOKE_GRANT } from '../private/perms';
import { checkKeyArn, childPath } from '../private/sharing-ids';
import { failInput, InputProblems } from '../private/validation';

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
 * Properties of a {@link KeyGrant}.
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
 * grantee and these operations, and `kms:RetireGrant` (or `kms:RevokeGrant`) on the key's ARN. The
 * key policy (of a `CustomerManagedKey`, a `ReplicaKey`, an `ImportedKeyRing` version, or any key whose
 * policy this app writes) names the custom resource's role for the same: without it KMS refuses the
 * grant, as the library's keys do not delegate `kms:CreateGrant` to IAM.
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html
 */
export class KeyGrant extends Construct {
  /** The id of the grant. */
  public readonly grantId: string;

  /** The ARN of the key that the grant is on. */
  public readonly keyArn: string;

  /**
   * The key policy statements that let this grant's custom resource create the grant (only for this
   * grantee and these operations) and retire or revoke it.
   */
  public readonly keyPolicyStatements: iam.PolicyStatement[];

  /**
   * Whether `keyPolicyStatements` were written into the key's policy (false for a key whose policy
   * this app cannot change: add them where that key policy is defined).
   */
  public readonly keyPolicyUpdated: boolean;

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
    const provider = LibraryCustomResourceProvider.of(this);
    if (!provider.namedRole && Stack.of(props.key) !== stack) {
      failInput(childPath(scope, id), `the custom resources of stack ${stack.stackName} already run with the role of another AwsCustomResource, which the key policy of ${props.key.node.path} (another stack) cannot name; create the KeyGrant before that AwsCustomResource, or in the key's own stack`);
    }
    const retiringArn = retiring ?? provider.roleArn;
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
    const endAction = retiring === undefined ? KMS_RETIRE_GRANT : KMS_REVOKE_GRANT;
    const sortedOperations = [...operations].sort();
    const grantConditions = {
      'StringEquals': { 'kms:GranteePrincipal': grantee },
      'ForAllValues:StringEquals': { 'kms:GrantOperations': sortedOperations },
    };

    const written = keyPolicyStatementsFor(props.key, stack, provider.roleArn, endAction, grantee, sortedOperations);
    this.keyPolicyStatements = written.statements;
    this.keyPolicyUpdated = written.added;
    const keyAccount = keyArnAccount(keyArn) ?? Stack.of(props.key).account;
    // A key of another account is the owner's to open (for example shareForAmiLaunch with autoScaling).
    if (!this.keyPolicyUpdated && Token.compareStrings(keyAccount, stack.account) !== TokenComparison.DIFFERENT) {
      Annotations.of(this).addWarningV2('cdk-kms-patterns:keyGrantKeyPolicyNotWritten',
        `the key policy of ${Token.isUnresolved(keyArn) ? props.key.node.path : keyArn} cannot be changed from this app, and KMS allows CreateGrant only when it lets ` +
        'this grant\'s custom resource role create the grant: add KeyGrant.keyPolicyStatements to that key\'s policy (for a replica, to its primary\'s access model) ' +
        'or make sure it already delegates kms:CreateGrant and kms:' + endAction.split(':')[1] + ' to IAM');
    }

    const resource = provider.customResource(this, 'Resource', {
      resourceType: 'Custom::KmsGrant',
      onCreate: createGrant,
      onUpdate: createGrant,
      onDelete: {
        service: 'KMS',
        action: endAction.split(':')[1],
        region,
        parameters: { KeyId: keyArn, GrantId: new cr.PhysicalResourceIdReference() },
        // A grant already retired or revoked (or a key already deleted) is gone: nothing left to do.
        ignoreErrorCodesMatching: 'NotFoundException|KMSInvalidStateException',
      },
      installLatestAwsSdk: false,
    }, [
      {
        actions: [KMS_CREATE_GRANT],
        resources: [keyArn],
        conditions: { 'ForAllValues:StringEquals': grantConditions['ForAllValues:StringEquals'] },
        mergedCondition: { operator: 'StringEquals', key: 'kms:GranteePrincipal', values: [grantee] },
      },
      { actions: [endAction], resources: [keyArn] },
    ]);
    this.grantId = resource.getResponseField('GrantId');
  }
}

function keyArnAccount(keyArn: string): string | undefined {
  return Token.isUnresolved(keyArn) ? undefined : keyArn.split(':')[4];
}

/** The key policy statements of the grants of one provider role on one key, by action and operations. */
const KEY_POLICY_STATEMENTS = new WeakMap<object, Map<string, { statement: iam.PolicyStatement; grantees: string[]; added: boolean }>>();

/**
 * The key policy statements that let the provider role create this grant and end it, merged with those
 * of the other grants of the same role on the same key (one statement per operation list, whose
 * `kms:GranteePrincipal` lists the grantees; one statement to end them), so that many grants fit in
 * the key policy's 32 KB. They name the role through its account with `aws:PrincipalArn`, which KMS
 * does not require to exist when the policy is put: the role may be created after the key, or in
 * another stack that depends on the key's.
 */
function keyPolicyStatementsFor(
  key: kms.IKey,
  stack: Stack,
  roleArn: string,
  endAction: string,
  grantee: string,
  operations: string[],
): { statements: iam.PolicyStatement[]; added: boolean } {
  const byKey = KEY_POLICY_STATEMENTS.get(key) ?? new Map();
  KEY_POLICY_STATEMENTS.set(key, byKey);
  const role = JSON.stringify(stack.resolve(roleArn));
  const entry = (kind: string, make: () => iam.PolicyStatement) => {
    const id = `${role}/${kind}`;
    let e = byKey.get(id);
    if (e === undefined) {
      const statement = make();
      e = { statement, grantees: [], added: key.addToResourcePolicy(statement, true).statementAdded };
      byKey.set(id, e);
    }
    return e;
  };
  const suffix = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 8).toUpperCase();
  const principal = new iam.AccountPrincipal(stack.account);
  const byRole = { ArnEquals: { 'aws:PrincipalArn': roleArn } };
  const create = entry(`create/${operations.join(',')}`, () => new iam.PolicyStatement({
    sid: `KeyGrantCreate${suffix(role + operations.join(','))}`,
    principals: [principal],
    actions: [KMS_CREATE_GRANT],
    resources: ['*'],
    conditions: { ...byRole, 'ForAllValues:StringEquals': { 'kms:GrantOperations': operations } },
  }));
  if (!create.grantees.includes(grantee)) {
    create.grantees.push(grantee);
    create.statement.addCondition('StringEquals', { 'kms:GranteePrincipal': create.grantees.length === 1 ? grantee : [...create.grantees] });
  }
  const end = entry(`end/${endAction}`, () => new iam.PolicyStatement({
    sid: `KeyGrantEnd${suffix(role + endAction)}`,
    principals: [principal],
    actions: [endAction],
    resources: ['*'],
    conditions: byRole,
  }));
  return { statements: [create.statement, end.statement], added: create.added && end.added };
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

