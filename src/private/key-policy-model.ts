import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Where a key policy is rendered: the stack (and so the region) of the key that carries it. */
export interface KeyPolicyContext {
  /** The stack of the key (a primary or a replica). */
  readonly stack: Stack;
  /** Whether the key is a replica. */
  readonly replica: boolean;
}

/** A part of a key policy: statements rendered for the key's own region (kms:ViaService, ARNs). */
export type KeyPolicyPart = (context: KeyPolicyContext) => iam.PolicyStatement[];

/**
 * The access model of a key, shared by a multi-Region primary and its replicas: every key renders the
 * same parts for its own region, so the same principals get the same decisions everywhere.
 */
export class KeyPolicyModel {
  private readonly parts: KeyPolicyPart[] = [];
  private readonly subscribers: ((part: KeyPolicyPart) => void)[] = [];

  /** Adds a part; keys already rendering the model receive it too. */
  public add(part: KeyPolicyPart): void {
    this.parts.push(part);
    for (const subscriber of this.subscribers) {
      subscriber(part);
    }
  }

  /** Calls back for every part, present and future. */
  public subscribe(subscriber: (part: KeyPolicyPart) => void): void {
    this.subscribers.push(subscriber);
    for (const part of this.parts) {
      subscriber(part);
    }
  }
}
