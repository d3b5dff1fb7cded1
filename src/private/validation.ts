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

  /** The problems recorded so far. */
  public get messages(): string[] {
    return [...this.problems];
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
  if (!(value instanceof Duration)) {
    problems.add(`${name} must be a Duration (Duration.days(n)), got ${describeInput(value)}`);
    return undefined;
  }
  if (isTokenDuration(value)) {
    if (tokenDays(value) === undefined) {
      problems.add(`${name} from a deploy-time value must be given in days (Duration.days(parameter.valueAsNumber)), so that it can be written as whole days; got ${value.toString()}`);
    }
    return undefined;
  }
  const days = value.toSeconds() / 86_400;
  if (!Number.isInteger(days) || days < min || days > max) {
    problems.add(`${name} must be a whole number of days from ${min} to ${max}, got ${value.toHumanString()}`);
    return undefined;
  }
  return days;
}

/** Whether a Duration holds a deploy-time value (a token), which no synth-time check can judge. */
export function isTokenDuration(value: Duration): boolean {
  try {
    return Token.isUnresolved(value.toSeconds());
  } catch {
    // Durations of a token in another unit than seconds cannot even be converted.
    return true;
  }
}

/** The days of a token Duration given in days (a number token), or undefined when it is in another unit. */
export function tokenDays(value: Duration): number | undefined {
  try {
    return value.toDays();
  } catch {
    return undefined;
  }
}

/** A value as it appears in a message: strings quoted, everything else as JSON. */
export function describeInput(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined) {
    return 'nothing (undefined)';
  }
  if (value instanceof Duration) {
    return value.toString();
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Checks what untyped callers (plain JavaScript) can get wrong before any other check reads the props:
 * the props object itself, required fields and the element type of lists. Returns false when the props
 * are unusable (the other checks are then skipped and the error lists these problems).
 */
export function checkPropsShape(
  problems: InputProblems,
  props: unknown,
  required: { [name: string]: string },
  lists: string[] = [],
): boolean {
  if (typeof props !== 'object' || props === null) {
    problems.add(`props must be an object with ${Object.keys(required).map((r) => `'${r}' (${required[r]})`).join(', ')}, got ${describeInput(props)}`);
    return false;
  }
  let usable = true;
  const record = props as Record<string, unknown>;
  for (const [name, allowed] of Object.entries(required)) {
    if (record[name] === undefined || record[name] === null) {
      problems.add(`${name} is required: give ${allowed}, got ${describeInput(record[name])}`);
      usable = false;
    }
  }
  for (const name of lists) {
    const value = record[name];
    if (value !== undefined && !Array.isArray(value)) {
      problems.add(`${name} must be a list, got ${describeInput(value)}`);
      usable = false;
    }
  }
  return usable;
}

/** Checks that a value is one of an enum's values (untyped callers can pass anything). */
export function checkEnumValue(problems: InputProblems, name: string, value: unknown, values: readonly string[]): boolean {
  if (value === undefined || (typeof value === 'string' && values.includes(value))) {
    return true;
  }
  problems.add(`${name} must be one of ${values.join(', ')}, got ${describeInput(value)}`);
  return false;
}

/**
 * Runs `build` and gives any error it throws the construct path, so that errors raised by aws-cdk-lib
 * beneath a library construct say which construct they are about.
 */
export function withPath<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof Error && !e.message.startsWith(`${path}:`) && !e.message.startsWith(`[${path}]`)) {
      const wrapped = new Error(invalidInputMessage(path, [e.message]));
      wrapped.stack = `${wrapped.message}\n${e.stack ?? ''}`;
      throw wrapped;
    }
    throw e;
  }
}
