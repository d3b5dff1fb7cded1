import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { KeyPerimeter, KeyPerimeterKind } from './key-perimeter';
import type { CustomerManagedKey } from '../key/customer-managed-key';
import { ResolvedStatement } from '../private/key-policy-analyzer';
import { InputProblems } from '../private/validation';

const perimetersByKey = new WeakMap<IConstruct, Map<KeyPerimeterKind, KeyPerimeter>>();

/**
 * Validates a perimeter (every problem in one error with the key's path), adds it to the key's access
 * model (the key and its replicas render it), and checks the finished key policy for grants that the
 * perimeter makes unusable.
 */
export function applyPerimeter(key: CustomerManagedKey, perimeter: KeyPerimeter): void {
  const problems = new InputProblems(key.node.path);
  for (const problem of perimeter._problems()) {
    problems.add(problem);
  }
  const perimeters = perimetersByKey.get(key) ?? new Map<KeyPerimeterKind, KeyPerimeter>();
  const existing = perimeters.get(perimeter.kind);
  if (existing) {
    problems.add(perimeter.kind === KeyPerimeterKind.ORGANIZATION
      // Each principal belongs to one organization: two organization perimeters would deny everyone.
      ? `the key already has an ${existing._description}; a principal belongs to one organization, so a second (${perimeter._description}) would deny every IAM principal`
      : perimeter.kind === KeyPerimeterKind.ORGANIZATIONAL_UNITS
        ? `the key already has an ${existing._description}; give every unit in one perimeter (a second one, ${perimeter._description}, would deny what the first allows)`
        : `the key already has a ${existing._description}; give every VPC endpoint and VPC in one network perimeter (a second one, ${perimeter._description}, would deny what the first allows)`);
  }
  problems.throwIfAny();
  perimeters.set(perimeter.kind, perimeter);
  perimetersByKey.set(key, perimeters);

  key._policyModel.add((context) => perimeter._render(context));
  key.node.addValidation({
    validate: () => {
      const doc = Stack.of(key).resolve((key.node.defaultChild as kms.CfnKey).keyPolicy) as { Statement?: ResolvedStatement[] } | undefined;
      return perimeter._deadGrants(doc?.Statement ?? []);
    },
  });
}
