import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ResolvedStatement } from '../private/key-policy-analyzer';
import { KeyPolicyContext } from '../private/key-policy-model';
import { CRYPTOGRAPHIC_ACTIONS } from '../private/perms';
import { checkOrganizationPath } from '../private/sharing-ids';

/**
 * Options of `KeyPerimeter.network()`. A request passes the perimeter when it comes through one of
 * the VPC endpoints or from one of the VPCs.
 */
export interface NetworkPerimeterOptions {
  /**
   * Interface VPC endpoints of KMS (`vpce-` and 8 or 17 hexadecimal digits) through which the key may
   * be used (`aws:SourceVpce`).
   *
   * @default - none
   */
  readonly vpcEndpointIds?: string[];

  /**
   * VPCs (`vpc-` and 8 or 17 hexadecimal digits) from whose KMS endpoints the key may be used
   * (`aws:SourceVpc`).
   *
   * @default - none
   */
  readonly vpcIds?: string[];
}

/** The kind of a perimeter: a key takes at most one of each. */
export enum KeyPerimeterKind {
  /** Principals must belong to one AWS Organization. */
  ORGANIZATION = 'ORGANIZATION',
  /** Requests must come through given VPC endpoints or VPCs. */
  NETWORK = 'NETWORK',
  /** Principals of other accounts must belong to given organizational units. */
  ORGANIZATIONAL_UNITS = 'ORGANIZATIONAL_UNITS',
}

/**
 * A perimeter around a key's use: a `Deny` statement in the key policy that no `Allow` can overcome,
 * following aws-samples/data-perimeter-policy-examples.
 *
 * A perimeter denies only the cryptographic actions (and `kms:CreateGrant`), never administration:
 * the principal that deploys the key (and CloudFormation acting for it) can always update the key
 * policy, so a perimeter can be changed or removed by a deployment. AWS services acting with their
 * service principals (`aws:PrincipalIsAWSService`) are never denied.
 *
 * @see https://github.com/aws-samples/data-perimeter-policy-examples
 */
export class KeyPerimeter {
  /**
   * Denies use of the key to principals outside the given AWS Organization
   * (`StringNotEqualsIfExists aws:PrincipalOrgID`), except AWS service principals
   * (`BoolIfExists aws:PrincipalIsAWSService false`).
   *
   * @param organizationId `o-` and 10 to 32 lowercase letters or digits
   */
  public static organization(organizationId: string): KeyPerimeter {
    return new KeyPerimeter(KeyPerimeterKind.ORGANIZATION, `organization perimeter (${organizationId})`,
      () => checkIds('organizationId', [organizationId], ORGANIZATION_ID, "'o-' and 10 to 32 lowercase letters or digits"),
      () => [new iam.PolicyStatement({
        sid: 'IdentityPerimeter',
        effect: iam.Effect.DENY,
        principals: [new iam.StarPrincipal()],
        actions: [...CRYPTOGRAPHIC_ACTIONS],
        resources: ['*'],
        conditions: {
          StringNotEqualsIfExists: { 'aws:PrincipalOrgID': organizationId },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      })],
      (statement) => [
        ...deadPin(statement, 'aws:PrincipalOrgID', [organizationId]),
        ...(Token.isUnresolved(organizationId) ? [] : deadOrganizationPaths(statement, [`${organizationId}/`])),
      ]);
  }

  /**
   * Denies use of the key to principals of other accounts outside the given organizational units and the
   * units under them (`ForAllValues:StringNotLike aws:PrincipalOrgPaths`, which a principal outside any
   * organization also fails), except AWS service principals (`BoolIfExists aws:PrincipalIsAWSService
   * false`). Principals of the key's own account are left to the key policy (`aws:PrincipalAccount`), so
   * the key account need not be in the units. Keys shared with `SharingTargets.organizationalUnits()` pass
   * it for the same units.
   *
   * @param paths AWS Organizations paths, `o-exampleorg1/r-ab12/ou-ab12-11111111/` (organization id, root
   * id, then each OU id from the root down to the unit)
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths
   */
  public static organizationalUnits(paths: string[]): KeyPerimeter {
    const list = [...paths];
    const normalized = (): string[] => list.map((p) => checkOrganizationPath({ add: () => undefined }, 'paths', p) ?? p);
    return new KeyPerimeter(KeyPerimeterKind.ORGANIZATIONAL_UNITS, `organizational unit perimeter (${list.join(', ')})`,
      () => {
        const problems: string[] = [];
        if (list.length === 0) {
          problems.push('an organizational unit perimeter without paths would deny every principal of other accounts; give at least one path');
        }
        list.forEach((p) => checkOrganizationPath({ add: (problem) => problems.push(problem) }, 'paths', p));
        const all = normalized();
        all.filter((p, i) => all.indexOf(p) !== i).forEach((p) => problems.push(`paths has '${p}' twice`));
        return problems;
      },
      ({ stack }) => [new iam.PolicyStatement({
        sid: 'OrganizationalUnitPerimeter',
        effect: iam.Effect.DENY,
        principals: [new iam.StarPrincipal()],
        actions: [...CRYPTOGRAPHIC_ACTIONS],
        resources: ['*'],
        conditions: {
          'ForAllValues:StringNotLike': { 'aws:PrincipalOrgPaths': normalized().map((p) => `${p}*`) },
          'StringNotEqualsIfExists': { 'aws:PrincipalAccount': stack.account },
          'BoolIfExists': { 'aws:PrincipalIsAWSService': 'false' },
        },
      })],
      (statement) => deadOrganizationPaths(statement, normalized()));
  }

  /**
   * Denies use of the key by requests that come neither through the given VPC endpoints
   * (`aws:SourceVpce`) nor from the given VPCs (`aws:SourceVpc`).
   *
   * AWS services keep working: requests by service principals (`aws:PrincipalIsAWSService`), requests a
   * service makes for a principal (`aws:ViaAWSService`, as S3, EBS or Secrets Manager do), and
   * service-linked roles of the key's account (and EC2's `aws:ec2-infrastructure` role) are not denied.
   */
  public static network(options: NetworkPerimeterOptions): KeyPerimeter {
    const endpoints = options.vpcEndpointIds ?? [];
    const vpcs = options.vpcIds ?? [];
    return new KeyPerimeter(KeyPerimeterKind.NETWORK, `network perimeter (${[...endpoints, ...vpcs].join(', ')})`,
      () => {
        if (endpoints.length === 0 && vpcs.length === 0) {
          return ['a network perimeter without vpcEndpointIds or vpcIds would deny every use of the key by IAM principals; name at least one VPC endpoint or VPC'];
        }
        return [
          ...checkIds('vpcEndpointIds', endpoints, VPC_ENDPOINT_ID, "'vpce-' and 8 or 17 hexadecimal digits", VPC_ID, 'a VPC id: put it in vpcIds'),
          ...checkIds('vpcIds', vpcs, VPC_ID, "'vpc-' and 8 or 17 hexadecimal digits", VPC_ENDPOINT_ID, 'a VPC endpoint id: put it in vpcEndpointIds'),
        ];
      },
      ({ stack }) => [new iam.PolicyStatement({
        sid: 'NetworkPerimeter',
        effect: iam.Effect.DENY,
        principals: [new iam.StarPrincipal()],
        actions: [...CRYPTOGRAPHIC_ACTIONS],
        resources: ['*'],
        conditions: {
          StringNotEqualsIfExists: {
            ...(endpoints.length > 0 ? { 'aws:SourceVpce': endpoints } : {}),
            ...(vpcs.length > 0 ? { 'aws:SourceVpc': vpcs } : {}),
          },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
          ArnNotLikeIfExists: {
            'aws:PrincipalArn': [
              `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/*`,
              `arn:${stack.partition}:iam::*:role/aws:ec2-infrastructure`,
            ],
          },
        },
      })],
      // A grant pinned to endpoints (or VPCs) outside the perimeter is dead only when the perimeter does
      // not also let requests through by the other key.
      (statement) => [
        ...(vpcs.length === 0 ? deadPin(statement, 'aws:SourceVpce', endpoints) : []),
        ...(endpoints.length === 0 ? deadPin(statement, 'aws:SourceVpc', vpcs) : []),
      ]);
  }

  private constructor(
    /** The kind of the perimeter. */
    public readonly kind: KeyPerimeterKind,
    private readonly description: string,
    private readonly check: () => string[],
    private readonly render: (context: KeyPolicyContext) => iam.PolicyStatement[],
    private readonly deadGrants: (statement: ResolvedStatement) => string[],
  ) {}

  /**
   * Problems of the perimeter's own input.
   * @internal
   */
  public _problems(): string[] {
    return this.check();
  }

  /**
   * The perimeter's statements for the key rendered in the given context.
   * @internal
   */
  public _render(context: KeyPolicyContext): iam.PolicyStatement[] {
    return this.render(context);
  }

  /**
   * The perimeter, for messages.
   * @internal
   */
  public get _description(): string {
    return this.description;
  }

  /**
   * Allow statements of a finished (resolved) key policy that the perimeter makes unusable: they
   * give use only under a condition that the perimeter always denies.
   * @internal
   */
  public _deadGrants(statements: ResolvedStatement[]): string[] {
    return statements
      .filter((s) => s.Effect === 'Allow' && !isServiceOnly(s.Principal) && actionsOf(s).some((a) => CRYPTOGRAPHIC_ACTIONS.includes(a) || a.includes('*')))
      .flatMap((s) => this.deadGrants(s).map((why) =>
        `statement '${s.Sid ?? '(no Sid)'}' gives use of the key only ${why}, which the ${this.description} denies: nobody can ever use that grant; ` +
        'remove the condition or the statement, or widen the perimeter'));
  }
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const VPC_ENDPOINT_ID = /^vpce-([0-9a-f]{8}|[0-9a-f]{17})$/;
const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;

function checkIds(what: string, ids: string[], pattern: RegExp, allowed: string, otherKind?: RegExp, otherHint?: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (Token.isUnresolved(id)) {
      continue;
    }
    if (!pattern.test(id)) {
      const hint = otherKind?.test(id) ? ` ('${id}' is ${otherHint})` : '';
      problems.push(`${what} must be ${allowed}, got '${id}'${hint}`);
    }
    if (seen.has(id)) {
      problems.push(`${what} has '${id}' twice`);
    }
    seen.add(id);
  }
  return problems;
}

/**
 * A statement pinned with `StringEquals <key>` to values none of which the perimeter lets through.
 * Values that are not plain strings (deploy-time values) are never judged.
 */
function deadPin(statement: ResolvedStatement, key: string, allowedValues: string[]): string[] {
  const pinned = statement.Condition?.StringEquals?.[key];
  if (pinned === undefined) {
    return [];
  }
  const values = Array.isArray(pinned) ? pinned : [pinned];
  if (values.some((v) => typeof v !== 'string' || Token.isUnresolved(v))
    || allowedValues.some((v) => Token.isUnresolved(v))
    || values.some((v) => allowedValues.includes(v as string))) {
    return [];
  }
  return [`with ${key} ${values.join(', ')}`];
}

/**
 * A statement held with `ForAnyValue:StringLike aws:PrincipalOrgPaths` to units none of which overlaps
 * the allowed paths (neither inside one nor holding one).
 */
function deadOrganizationPaths(statement: ResolvedStatement, allowedPaths: string[]): string[] {
  const pinned = statement.Condition?.['ForAnyValue:StringLike']?.['aws:PrincipalOrgPaths'];
  if (pinned === undefined) {
    return [];
  }
  const values = Array.isArray(pinned) ? pinned : [pinned];
  if (values.some((v) => typeof v !== 'string' || Token.isUnresolved(v))) {
    return [];
  }
  const shared = (values as string[]).map((v) => v.replace(/\*$/, ''));
  const overlaps = shared.some((s) => allowedPaths.some((a) => s.startsWith(a) || a.startsWith(s)));
  return overlaps ? [] : [`with aws:PrincipalOrgPaths ${values.join(', ')}`];
}

function actionsOf(statement: ResolvedStatement): string[] {
  const actions = statement.Action ?? [];
  return Array.isArray(actions) ? actions : [actions];
}

function isServiceOnly(principal: unknown): boolean {
  return typeof principal === 'object' && principal !== null && Object.keys(principal).every((k) => k === 'Service');
}
