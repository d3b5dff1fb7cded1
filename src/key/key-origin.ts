/**
 * Where the key material of a key comes from (the `Origin` of `AWS::KMS::Key`). It cannot change after
 * the key is created.
 *
 * CloudFormation creates keys of these two origins only: keys in a CloudHSM or external key store
 * (`AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`) need a custom key store id that `AWS::KMS::Key` does not take.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html#cfn-kms-key-origin
 */
export enum KeyOrigin {
  /** KMS generates the key material, and can rotate it automatically (symmetric keys). */
  AWS_KMS = 'AWS_KMS',

  /**
   * The key is created without key material, in state `PendingImport`, and you import your own
   * (`GetParametersForImport`, then `ImportKeyMaterial`). Such a key never rotates automatically. A
   * symmetric encryption key rotates in place: import new material (ImportType NEW_KEY_MATERIAL), then
   * `RotateKeyOnDemand` (see `CustomerManagedKey.grantImportedKeyMaterialRotation`); older material keeps
   * decrypting. Asymmetric and HMAC keys rotate by alias, a new key each time (`ImportedKeyRing`).
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
   */
  EXTERNAL = 'EXTERNAL',
}
