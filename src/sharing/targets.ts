import { SharingTargetKind } from '../private/sharing-ids';

/**
 * Who a key is shared with: accounts, principals of other accounts, organizational units or a whole
 * AWS Organization.
 *
 * Accounts share one key policy statement whose `kms:CallerAccount` condition lists them (15 bytes an
 * account), so thousands fit in one key policy; an organization takes one `aws:PrincipalOrgID` condition
 * whatever its size.
 */
export class SharingTargets {
  /**
   * Every principal of the given accounts (12-digit ids), as far as its own IAM policies allow.
   */
  public static accounts(accountIds: string[]): SharingTargets {
    return new SharingTargets(SharingTargetKind.ACCOUNTS, [...accountIds]);
  }

  /**
   * The given IAM principals of other accounts, by ARN (roles, users or account roots).
   */
  public static principals(principalArns: string[]): SharingTargets {
    return new SharingTargets(SharingTargetKind.PRINCIPALS, [...principalArns]);
  }

  /**
   * Every principal of the accounts of an AWS Organization (`aws:PrincipalOrgID`), by organization id
   * (`o-` and 10 to 32 lowercase letters or digits).
   */
  public static organization(organizationId: string): SharingTargets {
    return new SharingTargets(SharingTargetKind.ORGANIZATION, [organizationId]);
  }

  /**
   * Every principal of the accounts in the given organizational units, and in the units under them
   * (`ForAnyValue:StringLike aws:PrincipalOrgPaths`), by AWS Organizations path:
   * `o-exampleorg1/r-ab12/ou-ab12-11111111/`, the organization id, the root id, then each OU id from the
   * root down to the unit. Like an organization, a unit takes one condition whatever its number of accounts.
   *
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
   */
  public static organizationalUnits(paths: string[]): SharingTargets {
    return new SharingTargets(SharingTargetKind.ORGANIZATIONAL_UNITS, [...paths]);
  }

  private constructor(
    /** @internal */ public readonly _kind: SharingTargetKind,
    /** @internal */ public readonly _values: string[],
  ) {}
}
