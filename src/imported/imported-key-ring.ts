import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AccountRootAccess, CustomerManagedKey } from '../key/customer-managed-key';
import { KeyOrigin } from '../key/key-origin';
import { checkAlias, normalizeAlias } from '../private/key-properties';
import { retiredUseActionsFor, usagesFor } from '../private/key-specs';
import { failInput, InputProblems } from '../private/validation';

/**
 * Properties of an {@link ImportedKeyRing}.
 */
export interface ImportedKeyRingProps {
  /**
   * The alias that applications use (`alias/` is added when missing). It always points at the active
   * version; its name cannot change after deployment.
   */
  readonly aliasName: string;

  /**
   * Labels of the versions, oldest first, for example `['v1', 'v2']` or `['2025', '2026']`: each is a
   * key of its own. To rotate, append a label: a new key is created and the alias moves to it, while
   * the existing versions keep their keys (and logical IDs).
   *
   * Each label has 1 to 32 characters of `a-zA-Z0-9._-` and starts with a letter or digit; a ring holds
   * 1 to 20 versions. Never remove a label while data protected by its key remains: the key would leave
   * the stack (and, with `RemovalPolicy.DESTROY`, be scheduled for deletion).
   */
  readonly versions: string[];

  /**
   * The version the alias points at, the only one that protects new data.
   *
   * For keys with imported material, deploy a new version first with the alias left on the current one,
   * import the new key material, then make the new version active: the alias never points at a key that
   * has no key material yet. Making an older version active again rolls back.
   *
   * @default - the last of `versions`
   */
  readonly activeVersion?: string;

  /**
   * Principals that administer every version (never use any).
   *
   * @default - none; the account root administers the keys (see `accountRootAccess`)
   */
  readonly admins?: iam.IPrincipal[];

  /**
   * Principals that use the ring: every use action on the active version; on the other versions only
   * what reads existing data (Decrypt, ReEncryptFrom, Verify, VerifyMac, DescribeKey).
   *
   * @default - none
   */
  readonly users?: iam.IPrincipal[];

  /**
   * What the account root (and so the account's IAM policies) may do with each version.
   *
   * @default AccountRootAccess.ADMINISTRATION
   */
  readonly accountRootAccess?: AccountRootAccess;

  /**
   * Principals that alone may rewrite the key policies of the versions.
   *
   * @default - the administrators and the account root may rewrite the key policies
   */
  readonly keyPolicyManagers?: iam.IPrincipal[];

  /**
   * The principals that deploy the versions' stack (and their replicas' stacks): see
   * `CustomerManagedKeyProps.deployers`.
   *
   * @default - each stack's synthesizer's CloudFormation execution role
   */
  readonly deployers?: iam.IPrincipal[];

  /**
   * Where the key material of every version comes from.
   *
   * @default KeyOrigin.EXTERNAL
   */
  readonly origin?: KeyOrigin;

  /**
   * The key spec of every version.
   *
   * @default kms.KeySpec.SYMMETRIC_DEFAULT
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * The key usage of every version.
   *
   * @default - the first usage the key spec allows
   */
  readonly keyUsage?: kms.KeyUsage;

  /**
   * Whether every version is a multi-Region primary key (multi-Region keys with imported material
   * rotate only by alias).
   *
   * @default false
   */
  readonly multiRegion?: boolean;

  /**
   * A description of the ring; each version's description adds its label.
   *
   * @default - "Version <label> of <aliasName>"
   */
  readonly description?: string;

  /**
   * The waiting period before KMS deletes a version scheduled for deletion, 7 to 30 whole days.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * What happens to a version's key when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Tags of every version.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/** A ring rotated once a year lasts 20 years; more versions mean more keys to pay for and audit. */
const MAX_VERSIONS = 20;
const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/**
 * Versions of a key behind one alias: manual rotation, as AWS documents it for keys that cannot rotate
 * automatically (imported key material, asymmetric and HMAC keys, multi-Region keys with imported material).
 *
 * Each version is a `CustomerManagedKey` with the same administrators and users. The alias points at the
 * active version (the newest by default), which alone protects new data; the other versions stay enabled
 * so that what they protected can still be read, and their users keep only the actions that read it
 * (Decrypt, ReEncryptFrom; Verify or VerifyMac for signing and MAC keys), never Encrypt, GenerateDataKey,
 * Sign or GenerateMac, and no grant.
 *
 * Adding a version never touches the existing ones: their construct ids (so logical IDs) stay the same,
 * and the alias, a child of the ring, only changes its target.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys-manually.html
 */
export class ImportedKeyRing extends Construct {
  /** The alias, on the active version. */
  public readonly alias: kms.Alias;

  /** The alias name, with its `alias/` prefix. */
  public readonly aliasName: string;

  /** The version labels, oldest first. */
  public readonly versionLabels: string[];

  /** The label of the active version. */
  public readonly activeVersion: string;

  /** The key of the active version, the one the alias points at. */
  public readonly activeKey: CustomerManagedKey;

  /** The keys of the versions, in the order of `versionLabels`. */
  public readonly versionKeys: CustomerManagedKey[];

  /** The keys of the versions other than the active one (decryption only), oldest first. */
  public readonly retiredKeys: CustomerManagedKey[];

  constructor(scope: Construct, id: string, props: ImportedKeyRingProps) {
    super(scope, id);
    const aliasName = normalizeAlias(props.aliasName);
    const activeVersion = validate(this.node.path, props, aliasName);

    const spec = props.keySpec ?? kms.KeySpec.SYMMETRIC_DEFAULT;
    const usage = props.keyUsage ?? usagesFor(spec)[0];
    const users = props.users ?? [];
    const keys = props.versions.map((label) => {
      const active = label === activeVersion;
      const key = new CustomerManagedKey(this, `Version-${label}`, {
        admins: props.admins,
        users: active ? users : [],
        accountRootAccess: props.accountRootAccess,
        keyPolicyManagers: props.keyPolicyManagers,
        deployers: props.deployers,
        origin: props.origin ?? KeyOrigin.EXTERNAL,
        keySpec: props.keySpec,
        keyUsage: props.keyUsage,
        multiRegion: props.multiRegion,
        description: props.description !== undefined
          ? `${props.description} (version ${label})`
          : `Version ${label} of ${aliasName}`,
        pendingWindow: props.pendingWindow,
        removalPolicy: props.removalPolicy,
        tags: props.tags,
      });
      if (!active && users.length > 0) {
        const actions = [...retiredUseActionsFor(spec, usage)];
        // A part of the access model, so that replicas of a retired version are decrypt-only too.
        key._policyModel.add(() => [new iam.PolicyStatement({
          sid: 'KeyUseRetiredVersion',
          principals: users,
          actions,
          resources: ['*'],
        })]);
      }
      return key;
    });

    this.aliasName = aliasName;
    this.versionLabels = [...props.versions];
    this.activeVersion = activeVersion;
    this.versionKeys = keys;
    this.activeKey = keys[props.versions.indexOf(activeVersion)];
    this.retiredKeys = keys.filter((k) => k !== this.activeKey);
    // The alias is the ring's child, not a version's: moving it changes only its TargetKeyId (an update),
    // where a new alias construct would be created before the old one is deleted, and fail on the name.
    this.alias = new kms.Alias(this, 'Alias', { aliasName, targetKey: this.activeKey });
  }

  /** The key of a version, by label. */
  public versionKey(label: string): CustomerManagedKey {
    const index = this.versionLabels.indexOf(label);
    if (index < 0) {
      failInput(this.node.path, `versionKey: no version '${label}'; versions: ${this.versionLabels.join(', ')}`);
    }
    return this.versionKeys[index];
  }

  /** Grants decryption with every version (encryption and decryption keys only). */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.versionKeys.map((k) => k.grantDecrypt(grantee)).reduce((a, b) => a.combine(b));
  }

  /**
   * Grants encryption and decryption with the active version, and decryption with the others
   * (encryption and decryption keys only).
   */
  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.versionKeys
      .map((k) => (k === this.activeKey ? k.grantEncryptDecrypt(grantee) : k.grantDecrypt(grantee)))
      .reduce((a, b) => a.combine(b));
  }
}

/** Checks the ring's own props (each version checks the key props) and returns the active version. */
function validate(path: string, props: ImportedKeyRingProps, aliasName: string): string {
  const problems = new InputProblems(path);
  checkAlias(problems, aliasName, []);
  const versions = props.versions;
  if (versions.length === 0 || versions.length > MAX_VERSIONS) {
    problems.add(`versions must hold 1 to ${MAX_VERSIONS} labels, got ${versions.length}`);
  }
  const seen = new Set<string>();
  for (const label of versions) {
    if (Token.isUnresolved(label)) {
      problems.add('versions must be literal labels (they name constructs), got a token');
      continue;
    }
    if (!LABEL_PATTERN.test(label)) {
      problems.add(`version label must have 1 to 32 characters of a-z A-Z 0-9 . _ - and start with a letter or digit, got '${label}'`);
    }
    if (seen.has(label)) {
      problems.add(`version label '${label}' is given twice; each version is a key of its own`);
    }
    seen.add(label);
  }
  const activeVersion = props.activeVersion ?? versions[versions.length - 1];
  if (props.activeVersion !== undefined && !versions.includes(props.activeVersion)) {
    problems.add(`activeVersion must be one of the versions (${versions.join(', ')}), got '${props.activeVersion}'`);
  }
  problems.throwIfAny();
  return activeVersion;
}
