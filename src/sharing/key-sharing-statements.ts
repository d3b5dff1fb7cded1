import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { AmiLaunchSharingOptions, EbsSharingPurpose } from './key-sharing';
import type { SharingTargets } from './targets';
import { KeyPolicyContext, KeyPolicyModel } from '../private/key-policy-model';
import {
  AUTO_SCALING_GRANT_OPERATIONS,
  EBS_AMI_LAUNCH_ACTIONS,
  EBS_AUTO_SCALING_USE_ACTIONS,
  EBS_SNAPSHOT_COPY_ACTIONS,
} from '../private/perms';
import { deployedLength, KEY_POLICY_MAX_BYTES } from '../private/policy-size';
import {
  SharingTargetKind,
  checkAccountIds,
  checkOrganizationId,
  checkOrganizationPath,
  concreteAccount,
  principalArnAccount,
  serviceDomain,
} from '../private/sharing-ids';
import { describeInput, InputProblems } from '../private/validation';

/** The key-side view of a CustomerManagedKey that sharing needs. */
interface ShareableKey extends IConstruct {
  readonly _policyModel: KeyPolicyModel;
  readonly keySpec: kms.KeySpec;
  readonly keyUsage: kms.KeyUsage;
}

/** What has been shared on a key so far: for sids, duplicates and the size message. */
interface SharingState {
  accountsListed: number;
  readonly sids: Map<string, number>;
  readonly shared: Map<string, Set<string>>;
}

const STATES = new WeakMap<IConstruct, SharingState>();

const SID_PREFIX: Record<EbsSharingPurpose, string> = {
  [EbsSharingPurpose.SNAPSHOT_COPY]: 'EbsSnapshotCopy',
  [EbsSharingPurpose.AMI_LAUNCH]: 'EbsAmiLaunch',
};
const KIND_SUFFIX: Record<SharingTargetKind, string> = {
  [SharingTargetKind.ACCOUNTS]: 'Accounts',
  [SharingTargetKind.PRINCIPALS]: 'Principals',
  [SharingTargetKind.ORGANIZATION]: 'Organization',
  [SharingTargetKind.ORGANIZATIONAL_UNITS]: 'OrganizationalUnits',
};

/**
 * Adds the key-policy part that shares a key with other accounts for an EBS purpose. The part is rendered
 * for the region of every key that carries the model (a primary and its replicas), so each gets
 * `kms:ViaService ec2.<its region>.amazonaws.com`.
 */
export function shareKeyForEbs(
  key: ShareableKey,
  purpose: EbsSharingPurpose,
  targets: SharingTargets,
  options: AmiLaunchSharingOptions,
): void {
  const stack = Stack.of(key);
  const method = purpose === EbsSharingPurpose.SNAPSHOT_COPY ? 'shareForSnapshotCopy()' : 'shareForAmiLaunch()';
  const problems = new InputProblems(key.node.path);
  if (key.keySpec !== kms.KeySpec.SYMMETRIC_DEFAULT || key.keyUsage !== kms.KeyUsage.ENCRYPT_DECRYPT) {
    problems.add(`${method}: EBS encrypts only with symmetric encryption keys, got a ${key.keySpec} key with usage ${key.keyUsage}`);
  }
  const state = STATES.get(key) ?? { accountsListed: 0, sids: new Map<string, number>(), shared: new Map<string, Set<string>>() };
  let values = targets._values;
  if (!Array.isArray(values)) {
    problems.add(`${method}: give a list of targets, got ${describeInput(values)}`);
    problems.throwIfAny();
  }
  if (values.length === 0) {
    problems.add(`${method}: give at least one target, got an empty list`);
  }
  const own = concreteAccount(stack);
  switch (targets._kind) {
    case SharingTargetKind.ACCOUNTS:
      checkAccountIds(problems, method, values, own);
      break;
    case SharingTargetKind.PRINCIPALS:
      for (const arn of values) {
        const account = principalArnAccount(problems, method, arn);
        if (account !== undefined && account === own) {
          problems.add(`${method}: '${arn}' is in the key's own account; share with principals of other accounts only (name own principals as users)`);
        }
      }
      break;
    case SharingTargetKind.ORGANIZATION:
      checkOrganizationId(problems, method, values[0]);
      break;
    case SharingTargetKind.ORGANIZATIONAL_UNITS:
      values = values.map((path) => checkOrganizationPath(problems, method, path) ?? path);
      if (new Set(values.map((path) => path.split('/')[0])).size > 1) {
        problems.add(`${method}: the paths name more than one organization (${values.join(', ')}); a principal belongs to one organization, share with each in its own call`);
      }
      break;
  }
  const autoScaling = purpose === EbsSharingPurpose.AMI_LAUNCH && options.autoScaling === true;
  const sharedKey = `${purpose}${autoScaling ? '/AUTO_SCALING' : ''}/${targets._kind}`;
  const already = state.shared.get(sharedKey) ?? new Set<string>();
  const seenHere = new Set<string>();
  for (const value of values) {
    if (targets._kind === SharingTargetKind.PRINCIPALS && seenHere.has(value)) {
      problems.add(`${method}: principal '${value}' is given twice`);
    }
    seenHere.add(value);
  }
  problems.throwIfAny();

  // A target the key is already shared with for this purpose keeps that share (for example a second
  // SnapshotShare of another snapshot under the same key): only the new targets are added.
  const added = [...seenHere].filter((v) => !already.has(v));
  for (const value of added) {
    already.add(value);
  }
  state.shared.set(sharedKey, already);
  if (targets._kind === SharingTargetKind.ACCOUNTS) {
    state.accountsListed += added.length;
  }
  if (!STATES.has(key)) {
    STATES.set(key, state);
    key.node.addValidation({ validate: () => checkSharedKeyPolicySize(key, state) });
  }
  if (added.length === 0) {
    return;
  }

  const sidBase = `${SID_PREFIX[purpose]}${KIND_SUFFIX[targets._kind]}`;
  const count = (state.sids.get(sidBase) ?? 0) + 1;
  state.sids.set(sidBase, count);
  const sid = count === 1 ? sidBase : `${sidBase}${count}`;
  const actions = autoScaling ? EBS_AUTO_SCALING_USE_ACTIONS
    : purpose === EbsSharingPurpose.SNAPSHOT_COPY ? EBS_SNAPSHOT_COPY_ACTIONS : EBS_AMI_LAUNCH_ACTIONS;
  const kind = targets._kind;
  key._policyModel.add((context) => sharingStatements(context, sid, kind, added, [...actions], autoScaling));
}

function sharingStatements(
  context: KeyPolicyContext,
  sid: string,
  kind: SharingTargetKind,
  values: string[],
  actions: string[],
  autoScaling: boolean,
): iam.PolicyStatement[] {
  const stack = context.stack;
  const principals = kind === SharingTargetKind.PRINCIPALS
    ? values.map((arn) => new iam.ArnPrincipal(arn))
    : [new iam.AnyPrincipal()];
  const who: Record<string, string[]> = kind === SharingTargetKind.ACCOUNTS ? { 'kms:CallerAccount': values }
    : kind === SharingTargetKind.ORGANIZATION ? { 'aws:PrincipalOrgID': values } : {};
  // A principal's path is a multivalued key: ForAnyValue, which an absent key (outside any organization)
  // never satisfies. The trailing '*' takes the unit's accounts and every unit under it.
  const units: Record<string, Record<string, string[]>> = kind === SharingTargetKind.ORGANIZATIONAL_UNITS
    ? { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': values.map((path) => `${path}*`) } } : {};
  const statements = [new iam.PolicyStatement({
    sid,
    principals,
    actions,
    resources: ['*'],
    conditions: {
      StringEquals: { ...who, 'kms:ViaService': `ec2.${stack.region}.${serviceDomain(stack, stack.region)}` },
      // One statement, so the account list is written once: CreateGrant (the only action that carries the
      // key) must be for an AWS resource, the other actions do not carry it. ViaService holds them all to EC2.
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'true' },
      ...units,
    },
  })];
  if (autoScaling) {
    statements.push(new iam.PolicyStatement({
      sid: `${sid}AutoScalingGrant`,
      principals,
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        ...(Object.keys(who).length > 0 ? { StringEquals: who } : {}),
        // The caller's own service-linked role only (a policy variable), never another account's or any
        // other grantee. kms:GranteePrincipal is a string condition key.
        'StringLike': {
          'kms:GranteePrincipal': `arn:${stack.partition}:iam::\${aws:PrincipalAccount}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*`,
        },
        'ForAllValues:StringEquals': { 'kms:GrantOperations': [...AUTO_SCALING_GRANT_OPERATIONS] },
        ...units,
      },
    }));
  }
  return statements;
}

function checkSharedKeyPolicySize(key: ShareableKey, state: SharingState): string[] {
  const cfnKey = key.node.defaultChild as kms.CfnKey;
  const bytes = deployedLength(Stack.of(key).resolve(cfnKey.keyPolicy));
  if (bytes <= KEY_POLICY_MAX_BYTES) {
    return [];
  }
  return [
    `the key policy takes up to ${bytes} bytes once deployed, over the KMS limit of ${KEY_POLICY_MAX_BYTES} bytes, ` +
    `with ${state.accountsListed} accounts listed for EBS sharing (15 bytes each); share with the AWS Organization instead ` +
    "(SharingTargets.organization('o-...')), whose aws:PrincipalOrgID condition does not grow with the number of accounts",
  ];
}
