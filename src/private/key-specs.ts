import * as kms from 'aws-cdk-lib/aws-kms';
import {
  ASYMMETRIC_ENCRYPT_USE_ACTIONS,
  HMAC_USE_ACTIONS,
  KEY_AGREEMENT_USE_ACTIONS,
  RETIRED_ASYMMETRIC_ENCRYPT_USE_ACTIONS,
  RETIRED_HMAC_USE_ACTIONS,
  RETIRED_KEY_AGREEMENT_USE_ACTIONS,
  RETIRED_SIGN_VERIFY_USE_ACTIONS,
  RETIRED_SYMMETRIC_USE_ACTIONS,
  SIGN_VERIFY_USE_ACTIONS,
  SYMMETRIC_USE_ACTIONS,
} from './perms';

const E = kms.KeyUsage.ENCRYPT_DECRYPT;
const S = kms.KeyUsage.SIGN_VERIFY;
const M = kms.KeyUsage.GENERATE_VERIFY_MAC;
const A = kms.KeyUsage.KEY_AGREEMENT;

/**
 * Key usages each key spec allows; the first is the one used when none is given.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
 */
const USAGES_BY_SPEC: Record<string, kms.KeyUsage[]> = {
  SYMMETRIC_DEFAULT: [E],
  RSA_2048: [E, S],
  RSA_3072: [E, S],
  RSA_4096: [E, S],
  ECC_NIST_P256: [S, A],
  ECC_NIST_P384: [S, A],
  ECC_NIST_P521: [S, A],
  ECC_SECG_P256K1: [S],
  ECC_NIST_EDWARDS25519: [S],
  HMAC_224: [M],
  HMAC_256: [M],
  HMAC_384: [M],
  HMAC_512: [M],
  SM2: [E, S, A],
  ML_DSA_44: [S],
  ML_DSA_65: [S],
  ML_DSA_87: [S],
};

/** The key usages a key spec allows (empty for an unknown spec). */
export function usagesFor(spec: kms.KeySpec): kms.KeyUsage[] {
  return USAGES_BY_SPEC[spec] ?? [];
}

/** Key specs that this library knows. */
export function knownSpecs(): string[] {
  return Object.keys(USAGES_BY_SPEC);
}

/** Only symmetric encryption keys rotate automatically. */
export function canRotate(spec: kms.KeySpec): boolean {
  return spec === kms.KeySpec.SYMMETRIC_DEFAULT;
}

/** The use actions of a key of the given spec and usage. */
export function useActionsFor(spec: kms.KeySpec, usage: kms.KeyUsage): readonly string[] {
  switch (usage) {
    case kms.KeyUsage.ENCRYPT_DECRYPT:
      return spec === kms.KeySpec.SYMMETRIC_DEFAULT ? SYMMETRIC_USE_ACTIONS : ASYMMETRIC_ENCRYPT_USE_ACTIONS;
    case kms.KeyUsage.SIGN_VERIFY:
      return SIGN_VERIFY_USE_ACTIONS;
    case kms.KeyUsage.GENERATE_VERIFY_MAC:
      return HMAC_USE_ACTIONS;
    case kms.KeyUsage.KEY_AGREEMENT:
      return KEY_AGREEMENT_USE_ACTIONS;
    default:
      return [];
  }
}

/**
 * The use actions left on a retired key of the given spec and usage: those that read what the key
 * protected, none that protects new data.
 */
export function retiredUseActionsFor(spec: kms.KeySpec, usage: kms.KeyUsage): readonly string[] {
  switch (usage) {
    case kms.KeyUsage.ENCRYPT_DECRYPT:
      return spec === kms.KeySpec.SYMMETRIC_DEFAULT ? RETIRED_SYMMETRIC_USE_ACTIONS : RETIRED_ASYMMETRIC_ENCRYPT_USE_ACTIONS;
    case kms.KeyUsage.SIGN_VERIFY:
      return RETIRED_SIGN_VERIFY_USE_ACTIONS;
    case kms.KeyUsage.GENERATE_VERIFY_MAC:
      return RETIRED_HMAC_USE_ACTIONS;
    case kms.KeyUsage.KEY_AGREEMENT:
      return RETIRED_KEY_AGREEMENT_USE_ACTIONS;
    default:
      return [];
  }
}

/**
 * Key specs that cannot hold imported key material (origin EXTERNAL).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html#cfn-kms-key-origin
 */
const NOT_IMPORTABLE: readonly string[] = ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'];

/** Whether a key of this spec can be created for imported key material. */
export function canImport(spec: kms.KeySpec): boolean {
  return !NOT_IMPORTABLE.includes(spec);
}
