import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SharingTargets } from './targets';
import { LibraryCustomResourceProvider } from '../private/custom-resource-provider';
import { EC2_MODIFY_IMAGE_ATTRIBUTE, EC2_MODIFY_SNAPSHOT_ATTRIBUTE } from '../private/perms';
import {
  checkAccountIds,
  checkImageId,
  checkOrganizationArn,
  checkSnapshotId,
  childPath,
  concreteAccount,
} from '../private/sharing-ids';
import { checkPropsShape, InputProblems } from '../private/validation';

/**
 * Properties of a `SnapshotShare`.
 */
export interface SnapshotShareProps {
  /** The id of the EBS snapshot (`snap-` and 8 or 17 hex digits), owned by this stack's account and region. */
  readonly snapshotId: string;

  /** The accounts that may create volumes from the snapshot (and copy it). EBS snapshots cannot be shared with organizations. */
  readonly accountIds: string[];

  /**
   * The customer managed key (`CustomerManagedKey`) that encrypts the snapshot: it is shared with the
   * same accounts for snapshot copy (`shareForSnapshotCopy`). Snapshots under an AWS managed key cannot
   * be shared.
   *
   * @default - the key policy is left alone (an unencrypted snapshot, or a key shared elsewhere)
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Shares an EBS snapshot with other accounts (createVolumePermission), and removes the share again when
 * the construct is deleted. CloudFormation has no resource for it: one custom resource holds all the
 * accounts (ModifySnapshotAttribute); an update adds the new accounts and removes the dropped ones, and
 * never touches the others. Its permission allows `ec2:ModifySnapshotAttribute` on this snapshot only.
 * Sharing with an account that already has the snapshot is not an error.
 *
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html
 */
export class SnapshotShare extends Construct {
  /** The ARN of the shared snapshot. */
  public readonly snapshotArn: string;

  constructor(scope: Construct, id: string, props: SnapshotShareProps) {
    super(scope, id);
    const problems = new InputProblems(childPath(scope, id));
    if (!checkPropsShape(problems, props, {
      snapshotId: "the id of the EBS snapshot ('snap-' and 8 or 17 hex digits)",
      accountIds: 'a list of 12-digit account ids',
    }, ['accountIds'])) {
      problems.throwIfAny();
    }
    const stack = Stack.of(this);
    checkSnapshotId(problems, props.snapshotId);
    checkAccountIds(problems, 'accountIds', props.accountIds, concreteAccount(stack));
    if (props.accountIds.length === 0) {
      problems.add('accountIds: give at least one account, got an empty list');
    }
    const key = props.encryptionKey ? customerManagedKey(problems, props.encryptionKey) : undefined;
    problems.throwIfAny();

    this.snapshotArn = `arn:${stack.partition}:ec2:${stack.region}::snapshot/${props.snapshotId}`;
    LibraryCustomResourceProvider.of(this).shareResource(this, 'Resource', 'Custom::EbsSnapshotShare',
      { SnapshotId: props.snapshotId, AccountIds: props.accountIds },
      [{ actions: [EC2_MODIFY_SNAPSHOT_ATTRIBUTE], resources: [this.snapshotArn] }]);
    key?.shareForSnapshotCopy(SharingTargets.accounts(props.accountIds));
  }
}

/**
 * Properties of an `AmiShare`.
 */
export interface AmiShareProps {
  /** The id of the AMI (`ami-` and 8 or 17 hex digits), owned by this stack's account and region. */
  readonly imageId: string;

  /**
   * Accounts that may launch the AMI.
   *
   * @default - none
   */
  readonly accountIds?: string[];

  /**
   * Organizations (by ARN, `arn:aws:organizations::<management account>:organization/o-...`) whose
   * accounts may launch the AMI.
   *
   * @default - none
   */
  readonly organizationArns?: string[];

  /**
   * Organizational units (by ARN, `arn:aws:organizations::<management account>:ou/o-.../ou-...`) whose
   * accounts may launch the AMI.
   *
   * @default - none
   */
  readonly organizationalUnitArns?: string[];

  /**
   * Customer managed keys (`CustomerManagedKey`) that encrypt the AMI's snapshots: each is shared with the
   * same accounts and organizations for AMI launch (`shareForAmiLaunch`). Organizational units cannot be
   * named in a key policy this way (an OU ARN lacks the unit's path): share the keys with
   * `SharingTargets.organizationalUnits()` yourself.
   *
   * @default - the key policies are left alone
   */
  readonly encryptionKeys?: kms.IKey[];
}

/**
 * Shares an AMI with accounts, organizations and organizational units (launchPermission), and removes the
 * share again when the construct is deleted. One custom resource holds all the targets
 * (ModifyImageAttribute); an update adds the new targets and removes the dropped ones, and never touches
 * the others. Its permission allows `ec2:ModifyImageAttribute` on this image only. Sharing with a target
 * that already has the image is not an error.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html
 */
export class AmiShare extends Construct {
  /** The ARN of the shared image. */
  public readonly imageArn: string;

  constructor(scope: Construct, id: string, props: AmiShareProps) {
    super(scope, id);
    const problems = new InputProblems(childPath(scope, id));
    if (!checkPropsShape(problems, props, { imageId: "the id of the AMI ('ami-' and 8 or 17 hex digits)" },
      ['accountIds', 'organizationArns', 'organizationalUnitArns', 'encryptionKeys'])) {
      problems.throwIfAny();
    }
    const stack = Stack.of(this);
    const accounts = props.accountIds ?? [];
    const organizations = props.organizationArns ?? [];
    const units = props.organizationalUnitArns ?? [];
    checkImageId(problems, props.imageId);
    checkAccountIds(problems, 'accountIds', accounts, concreteAccount(stack));
    organizations.forEach((arn) => checkOrganizationArn(problems, 'organizationArns', arn, false));
    units.forEach((arn) => checkOrganizationArn(problems, 'organizationalUnitArns', arn, true));
    for (const [name, list] of [['organizationArns', organizations], ['organizationalUnitArns', units]] as const) {
      const twice = list.filter((v, i) => list.indexOf(v) !== i);
      if (twice.length > 0) {
        problems.add(`${name}: '${twice[0]}' is given twice`);
      }
    }
    if (accounts.length + organizations.length + units.length === 0) {
      problems.add('give at least one of accountIds, organizationArns, organizationalUnitArns');
    }
    const keys = (props.encryptionKeys ?? []).map((k) => customerManagedKey(problems, k));
    if (keys.length > 0 && units.length > 0) {
      // An OU ARN does not tell the unit's path from the root (its parent units), which aws:PrincipalOrgPaths needs.
      problems.add("encryptionKeys cannot be shared with organizational units by this construct (an OU ARN does not give the unit's path); share the keys with the units' paths (shareForAmiLaunch(SharingTargets.organizationalUnits(['o-.../r-.../ou-.../']))) and leave encryptionKeys out");
    }
    problems.throwIfAny();

    this.imageArn = `arn:${stack.partition}:ec2:${stack.region}::image/${props.imageId}`;
    LibraryCustomResourceProvider.of(this).shareResource(this, 'Resource', 'Custom::AmiShare', {
      ImageId: props.imageId,
      ...(accounts.length > 0 ? { AccountIds: accounts } : {}),
      ...(organizations.length > 0 ? { OrganizationArns: organizations } : {}),
      ...(units.length > 0 ? { OrganizationalUnitArns: units } : {}),
    }, [{ actions: [EC2_MODIFY_IMAGE_ATTRIBUTE], resources: [this.imageArn] }]);
    for (const key of keys) {
      if (accounts.length > 0) {
        key?.shareForAmiLaunch(SharingTargets.accounts(accounts));
      }
      for (const arn of organizations) {
        key?.shareForAmiLaunch(SharingTargets.organization(lastSegment(arn)));
      }
    }
  }
}

/** The key sharing methods of a CustomerManagedKey (checked by symbol, so that two copies of the library agree). */
interface ShareableKey {
  shareForSnapshotCopy(targets: SharingTargets): void;
  shareForAmiLaunch(targets: SharingTargets): void;
}

function customerManagedKey(problems: InputProblems, key: kms.IKey): ShareableKey | undefined {
  const aliasName = (key as { aliasName?: unknown }).aliasName;
  if (typeof aliasName === 'string' && !Token.isUnresolved(aliasName) && aliasName.startsWith('alias/aws/')) {
    problems.add(`encryption key '${aliasName}' is an AWS managed key: what it encrypts cannot be shared with other accounts; re-encrypt with a CustomerManagedKey`);
    return undefined;
  }
  if (!(Symbol.for('cdk-kms-patterns.CustomerManagedKey') in key)) {
    problems.add(`encryption key ${key.node.path} is not a CustomerManagedKey of this app, so its key policy cannot be written here; share it where it is defined (shareForSnapshotCopy / shareForAmiLaunch) and leave it out`);
    return undefined;
  }
  return key as unknown as ShareableKey;
}

function lastSegment(arn: string): string {
  return Token.isUnresolved(arn) ? arn : arn.split('/').pop() ?? arn;
}
