import { describeHttpUrlProblem } from '../config/url.js';
import type { Issue } from '../errors/index.js';
import { SamlError } from '../errors/index.js';
import { type Clock, checkId, generateId, type IdGenerator, systemClock } from './context.js';
import { formatInstant } from './instant.js';

/** Inputs every message builder accepts to control ID and time (golden files, tests). */
export interface MessageContext {
  /** Message ID; default `_` + 32 hex characters from a CSPRNG. */
  id?: string;
  /** Default: the current time. */
  issueInstant?: Date;
  clock?: Clock;
  generateId?: IdGenerator;
}

/** Collects input problems so a builder reports all of them at once. */
export class InputIssues {
  readonly issues: Issue[] = [];

  require(value: unknown, path: (string | number)[], message = 'is required'): void {
    if (typeof value !== 'string' || value.length === 0) this.issues.push({ path, message });
  }

  check(ok: boolean, path: (string | number)[], message: string): void {
    if (!ok) this.issues.push({ path, message });
  }

  throwIfAny(what: string): void {
    if (this.issues.length > 0) {
      throw new SamlError('SAML_INPUT_INVALID', `invalid ${what} input`, {
        details: { issues: this.issues },
      });
    }
  }
}

/** Resolves ID and IssueInstant from the context. */
export function resolveContext(context: MessageContext): { id: string; issueInstant: string } {
  const id = checkId(context.id ?? (context.generateId ?? generateId)(), 'id');
  const issueInstant = formatInstant(context.issueInstant ?? (context.clock ?? systemClock)());
  return { id, issueInstant };
}

/** True for an absolute http(s) URL by the one rule of `describeHttpUrlProblem`: a host, no credentials, no fragment. */
export function isHttpUrl(value: unknown): value is string {
  return typeof value === 'string' && describeHttpUrlProblem(value) === undefined;
}
