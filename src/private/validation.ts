import { Duration, Token } from 'aws-cdk-lib';

/**
 * Collects every problem with a construct's input, then throws one error that lists them all,
 * prefixed with the construct path, so a user fixes everything in one round.
 */
export class InputProblems {
  private readonly problems: string[] = [];

  constructor(private readonly path: string) {}

  /** Records a problem. */
  public add(problem: string): void {
    this.problems.push(problem);
  }

  /** Throws if any problem was recorded. */
  public throwIfAny(): void {
    if (this.problems.length === 0) {
      return;
    }
    throw new Error(invalidInputMessage(this.path, this.problems));
  }
}

/** The message format of every synth-time error of the library. */
export function invalidInputMessage(path: string, problems: string[]): string {
  if (problems.length === 1) {
    return `${path}: ${problems[0]}`;
  }
  return `${path}: ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

/** Throws one error for a single problem. */
export function failInput(path: string, problem: string): never {
  throw new Error(invalidInputMessage(path, [problem]));
}

/**
 * Checks that a Duration is a whole number of days within [min, max]; returns the days, or undefined
 * when the duration is a token.
 */
export function wholeDaysWithin(
  problems: InputProblems,
  name: string,
  value: Duration,
  min: number,
  max: number,
): number | undefined {
  if (Token.isUnresolved(value.toSeconds())) {
    return undefined;
  }
  const days = value.toSeconds() / 86_400;
  if (!Number.isInteger(days) || days < min || days > max) {
    problems.add(`${name} must be a whole number of days from ${min} to ${max}, got ${value.toHumanString()}`);
    return undefined;
  }
  return days;
}
