/** Hard limit of a key policy document. @see https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html */
export const KEY_POLICY_MAX_BYTES = 32_768;

/** IAM quota: all inline policies of one role together, whitespace not counted. @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const ROLE_INLINE_POLICY_MAX_CHARS = 10_240;

/** IAM quota: one customer managed policy, whitespace not counted. @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const MANAGED_POLICY_MAX_CHARS = 6_144;

/** IAM quota: managed policies attached to one role (the default; it can be raised to 20). */
export const ROLE_MANAGED_POLICIES_MAX = 10;

/** IAM quota: the trust policy of a role (the default; it can be raised). */
export const ROLE_TRUST_POLICY_MAX_CHARS = 2_048;

/**
 * Conservative stand-ins for values that CloudFormation fills in at deploy time, so that the size of a
 * policy holding intrinsics can be bounded at synth time (the longest value each can take).
 */
const PSEUDO_PARAMETER_LENGTH: Record<string, number> = {
  'AWS::Partition': 'aws-iso-b'.length + 1,
  'AWS::AccountId': 12,
  'AWS::Region': 'ap-southeast-5'.length + 2,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
  'AWS::StackName': 128,
  'AWS::StackId': 160,
};
/** An IAM role or user ARN with a 64-character name and a path: arn:<partition>:iam::<account>:role/<path>/<name>. */
const ATTRIBUTE_LENGTH = 160;
const REF_LENGTH = 64;

/**
 * Length in bytes of a resolved CloudFormation value once deployed, with intrinsics replaced by the
 * longest value they can take. Plain strings count as JSON-encoded.
 */
export function deployedLength(value: unknown): number {
  return JSON.stringify(substituteIntrinsics(value)).length;
}

function substituteIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(substituteIntrinsics);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = obj[fn];
    switch (fn) {
      case 'Ref':
        return 'x'.repeat(PSEUDO_PARAMETER_LENGTH[arg as string] ?? REF_LENGTH);
      case 'Fn::GetAtt':
      case 'Fn::ImportValue':
      case 'Fn::GetStackOutput':
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        if (Array.isArray(parts)) {
          return parts.map((p) => flatString(substituteIntrinsics(p))).join(sep);
        }
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      }
      case 'Fn::Sub':
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      case 'Fn::Select':
      case 'Fn::If':
      case 'Fn::FindInMap':
      case 'Fn::Base64':
        return 'x'.repeat(ATTRIBUTE_LENGTH);
      default:
        break;
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    out[k] = substituteIntrinsics(obj[k]);
  }
  return out;
}

function flatString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
